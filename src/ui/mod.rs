//! The console: Leptos components that read the control plane's state and send
//! it commands. No policy logic lives here; every decision is the core's.

mod audit;
mod charts;
mod fleet;
mod inbox;
mod kill_switch;
mod panel;
mod policy_editor;

use leptos::prelude::*;

pub use panel::Panel;

/// The whole console: a header and one region per panel.
#[component]
pub fn Console() -> impl IntoView {
    view! {
        <div class="console" data-testid="console">
            <header class="console-header">
                <h1 class="console-title">"Agent Governance Console"</h1>
                <p class="console-tagline">
                    "A control plane between what autonomous agents ask to do and what they may do."
                </p>
            </header>
            <main class="console-panels">
                <kill_switch::KillSwitchPanel />
                <fleet::FleetPanel />
                <inbox::InboxPanel />
                <policy_editor::PolicyEditorPanel />
                <charts::ChartsPanel />
                <audit::AuditPanel />
            </main>
        </div>
    }
}
