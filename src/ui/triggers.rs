//! The triggers panel: each automatic kill switch, on or off, its reading now
//! against its threshold, and when it last fired.

use super::lists::CollectAny;
use super::{ConsoleState, Panel};
use crate::console::triggers::TriggerLog;
use leptos::prelude::*;

#[component]
pub fn TriggersPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let log = StoredValue::new(TriggerLog::default());
    // One region for the whole table: its rows are the same two at every
    // redraw, so only changed text is written.
    let rows = move || {
        state.read(|sim| {
            log.try_update_value(|log| {
                log.refresh(sim.plane());
                log.rows(sim.plane(), state.currency())
            })
            .unwrap_or_default()
        })
    };
    view! {
        <Panel testid="panel-triggers" title="Triggers">
            <p class="panel-hint">
                "A trigger that fires activates a kill switch with itself as the actor."
            </p>
            <table class="trigger-table" data-testid="trigger-table">
                <thead>
                    <tr>
                        <th scope="col">"Trigger"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Reading now"</th>
                        <th scope="col">"Last fired"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows().into_iter().map(|row| {
                        let key = row.key;
                        view! {
                            <tr data-testid=format!("trigger-{key}")>
                                <th scope="row">{row.name}</th>
                                <td data-testid=format!("trigger-{key}-state")>
                                    <span class=if row.on { "status status--running" } else { "status status--paused" }>
                                        {if row.on { "On" } else { "Off" }}
                                    </span>
                                </td>
                                <td data-testid=format!("trigger-{key}-reading")>{row.reading}</td>
                                <td data-testid=format!("trigger-{key}-fired")>
                                    {row.last_fired.unwrap_or_else(|| "never".to_owned())}
                                </td>
                            </tr>
                        }
                    }).collect_any()}
                </tbody>
            </table>
        </Panel>
    }
}
