//! The escalation inbox panel.

use super::Panel;
use leptos::prelude::*;

#[component]
pub fn InboxPanel() -> impl IntoView {
    view! {
        <Panel testid="panel-inbox" title="Escalation inbox">
            <p class="panel-empty">"Nothing here yet."</p>
        </Panel>
    }
}
