//! The kill switch panel.

use super::Panel;
use leptos::prelude::*;

#[component]
pub fn KillSwitchPanel() -> impl IntoView {
    view! {
        <Panel testid="panel-kill-switch" title="Kill switch">
            <p class="panel-empty">"Nothing here yet."</p>
        </Panel>
    }
}
