//! Kill switches: the prominent global one that stops every agent, and
//! switches for one agent or one action type. Activation asks for a scope, a
//! reason and a confirmation; every active switch is listed with who (or
//! which trigger) activated it and why, and its own deactivation.

use super::lists::{keyed_list, CollectAny, Row};
use super::{ConsoleState, Panel};
use crate::console::kill_switches::{actor_label, listed_switches, ScopeChoice};
use crate::governance::names::INVALID_NAME_MARKER;
use crate::governance::KillTarget;
use crate::ui::reactive::effect;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn KillSwitchPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let form = state.kill_form;
    let error = RwSignal::new(None::<String>);
    let global = move || state.read(|sim| sim.plane().kill_switch().cloned());
    // What the reviewer typed to find a switch the capped list leaves out.
    let find = RwSignal::new(String::new());
    let listed = move || find.with(|find| state.read(|sim| listed_switches(sim.plane(), find)));
    // Names to suggest, while the form asks for one.
    let names = move || {
        let scope = form.scope.get();
        state.read(|sim| {
            let plane = sim.plane();
            let names: Vec<String> = if scope == ScopeChoice::Agent {
                plane
                    .agents()
                    .map(|a| plane.agent_name(a).to_string())
                    .collect()
            } else {
                plane
                    .action_types()
                    .map(|a| plane.action_name(a).to_string())
                    .collect()
            };
            names
                .into_iter()
                .filter(|n| n != INVALID_NAME_MARKER)
                .collect::<Vec<_>>()
        })
    };
    let reason_field = NodeRef::<leptos::html::Textarea>::new();
    // Focus moves into the form when it opens, or when the fleet asks for it.
    effect(move || {
        form.summon.track();
        if let Some(field) = reason_field.get() {
            let _ = field.focus();
        }
    });

    let activate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let actor = state.reviewer_name();
        let why = form.reason.get_untracked();
        let target = match form
            .scope
            .get_untracked()
            .target(&form.name.get_untracked())
        {
            Ok(target) => target,
            Err(message) => return error.set(Some(message)),
        };
        match state.command(|sim| {
            sim.plane_mut()
                .activate_kill_switch_for(target.as_ref(), &actor, &why)
        }) {
            Ok(()) => {
                form.close();
                error.set(None);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let deactivate = move |target: Option<KillTarget>| {
        let actor = state.reviewer_name();
        let result = state.command(|sim| {
            sim.plane_mut()
                .deactivate_kill_switch_for(target.as_ref(), &actor)
        });
        error.set(result.err().map(|e| e.to_string()));
    };
    view! {
        <Panel testid="panel-kill-switch" title="Kill switch">
            {move || match global() {
                Some(active) => view! {
                    <div class="kill-switch kill-switch--active" data-testid="kill-switch-status" role="status">
                        <p class="kill-switch-state">"Active: every request is denied"</p>
                        <dl class="facts">
                            <dt>"By"</dt><dd data-testid="kill-switch-actor">{actor_label(&active.actor)}</dd>
                            <dt>"At"</dt><dd>{active.at.to_string()}</dd>
                            <dt>"Why"</dt><dd data-testid="kill-switch-reason-shown">{active.reason.to_string()}</dd>
                        </dl>
                        <button class="button" data-testid="kill-switch-deactivate" on:click=move |_| deactivate(None)>
                            "Deactivate kill switch"
                        </button>
                    </div>
                }
                .into_any(),
                None => view! {
                    <p class="kill-switch-state" data-testid="kill-switch-status">"Inactive: agents are governed by the policies"</p>
                }
                .into_any(),
            }}
            {move || if !form.open.get() {
                Either::Left(view! {
                    <button class="button button--danger button--large" data-testid="kill-switch-open"
                        on:click=move |_| form.open_for(ScopeChoice::Global, "")>
                        "Activate kill switch…"
                    </button>
                })
            } else { Either::Right(view! {
                <form class="kill-switch kill-switch--confirming" on:submit=activate>
                    <label class="field">
                        <span>"What to stop"</span>
                        <select data-testid="kill-switch-scope"
                            on:change=move |ev| {
                                if let Some(scope) = ScopeChoice::from_key(&event_target_value(&ev)) {
                                    form.scope.set(scope);
                                }
                            }>
                            {ScopeChoice::ALL.into_iter().map(|choice| view! {
                                <option value=choice.key() prop:selected=move || form.scope.get() == choice>
                                    {choice.label()}
                                </option>
                            }).collect_any()}
                        </select>
                    </label>
                    {move || (form.scope.get() != ScopeChoice::Global).then(|| view! {
                        <label class="field">
                            // Redrawn with the scope around it.
                            <span>{if form.scope.get() == ScopeChoice::Agent { "Agent" } else { "Action type" }}</span>
                            <input type="text" data-testid="kill-switch-target" list="kill-switch-names"
                                maxlength="128" autocomplete="off"
                                prop:value=move || form.name.get()
                                on:input=move |ev| form.name.set(event_target_value(&ev)) />
                        </label>
                        <datalist id="kill-switch-names">
                            {move || names().into_iter().map(|name| view! { <option value=name /> }).collect_any()}
                        </datalist>
                    })}
                    <label class="field">
                        <span>"Reason (recorded in the audit trail)"</span>
                        <textarea
                            data-testid="kill-switch-reason"
                            node_ref=reason_field
                            maxlength="500"
                            rows="2"
                            prop:value=move || form.reason.get()
                            on:input=move |ev| form.reason.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <div class="form-actions">
                        <button type="submit" class="button button--danger" data-testid="kill-switch-confirm">
                            {move || form.scope.get().confirm_label(&form.name.get())}
                        </button>
                        <button type="button" class="button" data-testid="kill-switch-cancel"
                            on:click=move |_| { form.close(); error.set(None); }>
                            "Cancel"
                        </button>
                    </div>
                </form>
            }) }}
            {move || error.get().map(|message| view! {
                <p class="field-error" role="alert" data-testid="kill-switch-error">{message}</p>
            })}
            <h3 class="panel-subtitle">"Switches for one agent or action type"</h3>
            // Hidden by the style sheet while there is nothing to find.
            <label class="field kill-switch-find">
                <span>"Find a switch by agent or action type"</span>
                <input type="search" data-testid="kill-switch-find" maxlength="128" autocomplete="off"
                    placeholder="a name, or part of one" aria-describedby="kill-switch-more"
                    prop:value=move || find.get()
                    on:input=move |ev| find.set(event_target_value(&ev)) />
            </label>
            <ul class="kill-switch-list" data-testid="kill-switch-list">
                // Keyed: a busy fleet halts agents all the time, and each
                // redraw used to build every row again.
                {keyed_list(move || listed().rows.into_iter().map(|row| Row::new(row.key(), move || {
                    let target = row.target.clone();
                    view! {
                        <li class="kill-switch-item" data-testid="kill-switch-item" data-scope=row.scope.clone()>
                            <strong data-testid="kill-switch-item-scope">{row.scope.clone()}</strong>
                            " by " <span data-testid="kill-switch-item-actor">{row.actor}</span>
                            " at " {row.at} ": "
                            <span data-testid="kill-switch-item-reason">{row.reason}</span>
                            <button class="button button--small" data-testid="kill-switch-item-deactivate"
                                aria-label=format!("Deactivate the kill switch for {}", row.scope)
                                on:click=move |_| deactivate(target.clone())>
                                "Deactivate"
                            </button>
                        </li>
                    }.into_any()
                })).collect())}
            </ul>
            {move || listed().more().map(|more| view! {
                <p class="panel-hint" id="kill-switch-more" data-testid="kill-switch-more">{more}</p>
            })}
        </Panel>
    }
}
