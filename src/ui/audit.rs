//! The audit trail panel.

use super::Panel;
use leptos::prelude::*;

#[component]
pub fn AuditPanel() -> impl IntoView {
    view! {
        <Panel testid="panel-audit" title="Audit trail">
            <p class="panel-empty">"Nothing here yet."</p>
        </Panel>
    }
}
