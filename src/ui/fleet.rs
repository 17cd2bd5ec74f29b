//! The fleet panel.

use super::Panel;
use leptos::prelude::*;

#[component]
pub fn FleetPanel() -> impl IntoView {
    view! {
        <Panel testid="panel-fleet" title="Fleet">
            <p class="panel-empty">"Nothing here yet."</p>
        </Panel>
    }
}
