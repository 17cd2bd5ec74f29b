//! The spending panel.

use super::Panel;
use leptos::prelude::*;

#[component]
pub fn ChartsPanel() -> impl IntoView {
    view! {
        <Panel testid="panel-charts" title="Spending">
            <p class="panel-empty">"Nothing here yet."</p>
        </Panel>
    }
}
