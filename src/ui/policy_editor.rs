//! The policies panel.

use super::Panel;
use leptos::prelude::*;

#[component]
pub fn PolicyEditorPanel() -> impl IntoView {
    view! {
        <Panel testid="panel-policies" title="Policies">
            <p class="panel-empty">"Nothing here yet."</p>
        </Panel>
    }
}
