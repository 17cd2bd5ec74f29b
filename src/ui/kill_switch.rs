//! The kill switch: one prominent control that stops every agent. Activation
//! asks for a reason and a confirmation; while active it shows who, when and
//! why, and offers deactivation.

use super::{ConsoleState, Panel};
use leptos::prelude::*;

#[component]
pub fn KillSwitchPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let confirming = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let activation = move || state.read(|sim| sim.plane().kill_switch().cloned());

    let activate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let actor = state.reviewer_name();
        let why = reason.get_untracked();
        match state.command(|sim| sim.plane_mut().activate_kill_switch(&actor, &why)) {
            Ok(()) => {
                confirming.set(false);
                reason.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let deactivate = move |_| {
        let actor = state.reviewer_name();
        let result = state.command(|sim| sim.plane_mut().deactivate_kill_switch(&actor));
        error.set(result.err().map(|e| e.to_string()));
    };

    view! {
        <Panel testid="panel-kill-switch" title="Kill switch">
            {move || match activation() {
                Some(active) => view! {
                    <div class="kill-switch kill-switch--active" data-testid="kill-switch-status" role="status">
                        <p class="kill-switch-state">"Active: every request is denied"</p>
                        <dl class="facts">
                            <dt>"By"</dt><dd data-testid="kill-switch-actor">{active.actor.to_string()}</dd>
                            <dt>"At"</dt><dd>{active.at.to_string()}</dd>
                            <dt>"Why"</dt><dd data-testid="kill-switch-reason-shown">{active.reason.to_string()}</dd>
                        </dl>
                        <button class="button" data-testid="kill-switch-deactivate" on:click=deactivate>
                            "Deactivate kill switch"
                        </button>
                    </div>
                }
                .into_any(),
                None if confirming.get() => view! {
                    <form class="kill-switch kill-switch--confirming" on:submit=activate>
                        <label class="field">
                            <span>"Reason (recorded in the audit trail)"</span>
                            <textarea
                                data-testid="kill-switch-reason"
                                maxlength="500"
                                rows="2"
                                prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev))
                            ></textarea>
                        </label>
                        <div class="form-actions">
                            <button type="submit" class="button button--danger" data-testid="kill-switch-confirm">
                                "Confirm: stop all agents"
                            </button>
                            <button type="button" class="button" data-testid="kill-switch-cancel"
                                on:click=move |_| { confirming.set(false); error.set(None); }>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                }
                .into_any(),
                None => view! {
                    <div class="kill-switch kill-switch--ready">
                        <p class="kill-switch-state" data-testid="kill-switch-status">"Inactive: agents are governed by the policies"</p>
                        <button class="button button--danger button--large" data-testid="kill-switch-open"
                            on:click=move |_| confirming.set(true)>
                            "Activate kill switch…"
                        </button>
                    </div>
                }
                .into_any(),
            }}
            {move || error.get().map(|message| view! {
                <p class="field-error" role="alert" data-testid="kill-switch-error">{message}</p>
            })}
        </Panel>
    }
}
