//! The risk-levels panel: every action type seen, its level and where that
//! came from, and a select to change it. A change applies a whole
//! configuration through the core, as the policy editor does, with the
//! reviewer as the actor; the next request of that type is judged by it.

use super::lists::CollectAny;
use super::{ConsoleState, Panel};
use crate::console::risk_levels::{risk_rows, with_risk_level};
use crate::governance::risk::RiskLevel;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn RiskLevelsPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let rows = move || state.read(|sim| risk_rows(sim.plane()));
    let message = RwSignal::new(None::<Result<String, String>>);
    let change = move |action: String, level: RiskLevel| {
        let actor = state.reviewer_name();
        let result = state.command(|sim| {
            let config = with_risk_level(sim.plane().config(), &action, level);
            sim.plane_mut().apply_config(config, &actor)
        });
        let applied = result.is_ok();
        message.set(Some(match result {
            Ok(()) => Ok(format!(
                "{action} is now {level}: its next request is judged at that level."
            )),
            Err(e) => Err(e.to_string()),
        }));
        applied
    };
    view! {
        <Panel testid="panel-risk" title="Risk levels">
            <p class="panel-hint">
                "Policies cover risk levels as well as action types: a type's level decides which apply to it."
            </p>
            {move || message.get().map(|m| match m {
                Ok(text) => Either::Left(view! { <p class="form-status" role="status" data-testid="risk-status">{text}</p> }),
                Err(text) => Either::Right(view! { <p class="field-error" role="alert" data-testid="risk-error">{text}</p> }),
            })}
            <div class="table-scroll">
                <table class="risk-table" data-testid="risk-table">
                    <caption class="visually-hidden">"Action types and their risk levels"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Action type"</th>
                            <th scope="col">"Level"</th>
                            <th scope="col">"From"</th>
                        </tr>
                    </thead>
                    <tbody>
                        // Rows are redrawn in place, so an open select stays open.
                        {move || rows().into_iter().map(|row| {
                            let action = row.action.clone();
                            let current = row.level;
                            view! {
                                <tr data-testid="risk-row" data-action=row.action.clone()>
                                    <th scope="row" class="mono">{row.action.clone()}</th>
                                    <td>
                                        <select data-testid=format!("risk-level-{}", row.action)
                                            aria-label=format!("Risk level of {}", row.action)
                                            on:change=move |ev| {
                                                let Some(level) = RiskLevel::parse(&event_target_value(&ev)) else { return };
                                                if !change(action.clone(), level) {
                                                    // Refused: show the level still in force.
                                                    event_target::<web_sys::HtmlSelectElement>(&ev).set_value(current.as_str());
                                                }
                                            }>
                                            {RiskLevel::ALL.into_iter().map(|level| view! {
                                                <option value=level.as_str() prop:selected=level == current>{level.as_str()}</option>
                                            }).collect_any()}
                                        </select>
                                    </td>
                                    <td data-testid=format!("risk-source-{}", row.action)>{row.source}</td>
                                </tr>
                            }
                        }).collect_any()}
                    </tbody>
                </table>
            </div>
        </Panel>
    }
}
