//! The policy editor: budget, rate limit, blocked and approval-required types,
//! escalation timeout, how conflicting policies combine, and each policy's
//! priority and on/off. A change applies
//! whole or not at all; an invalid one shows its message next to the field and
//! changes nothing.

use super::{ConsoleState, Panel};
use crate::console::policy_form::{
    conflict_strategy_hint, list_entries, with_entry, without_entry,
};
use crate::console::{FormError, FormField, PolicyForm};
use crate::governance::ConflictStrategy;
use leptos::prelude::*;

#[component]
pub fn PolicyEditorPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let form = RwSignal::new(state.peek(|sim| PolicyForm::from_config(sim.plane().config())));
    let error = RwSignal::new(None::<FormError>);
    let status = RwSignal::new(None::<String>);

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        let actor = state.reviewer_name();
        let edited = form.get_untracked();
        let result = state.command(|sim| {
            let config = edited.to_config(sim.plane().config())?;
            sim.plane_mut()
                .apply_config(config, &actor)
                .map_err(|e| FormError {
                    field: FormField::Form,
                    message: e.to_string(),
                })
        });
        match result {
            Ok(()) => {
                error.set(None);
                status.set(Some(
                    "Applied: the next request is judged by these policies.".into(),
                ));
                form.set(state.peek(|sim| PolicyForm::from_config(sim.plane().config())));
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let revert = move |_| {
        form.set(state.peek(|sim| PolicyForm::from_config(sim.plane().config())));
        error.set(None);
        status.set(None);
    };

    view! {
        <Panel testid="panel-policies" title="Policies">
            <form class="policy-form" on:submit=apply data-testid="policy-form" novalidate>
                <fieldset>
                    <legend>"Budget"</legend>
                    <TextField label="Budget limit" testid="policy-budget-limit" field=FormField::BudgetLimit
                        form error get=|f| f.budget_limit.clone() set=|f, v| f.budget_limit = v />
                    <TextField label="Escalate above (% of the limit)" testid="policy-escalate-percent"
                        field=FormField::EscalateAtPercent form error
                        get=|f| f.escalate_at_percent.clone() set=|f, v| f.escalate_at_percent = v />
                </fieldset>
                <fieldset>
                    <legend>"Rate limit (per agent)"</legend>
                    <TextField label="Actions allowed" testid="policy-rate-max" field=FormField::RateMaxActions
                        form error get=|f| f.rate_max_actions.clone() set=|f, v| f.rate_max_actions = v />
                    <TextField label="Window (seconds)" testid="policy-rate-window" field=FormField::RateWindowSecs
                        form error get=|f| f.rate_window_secs.clone() set=|f, v| f.rate_window_secs = v />
                </fieldset>
                <fieldset>
                    <legend>"Sensitive action types"</legend>
                    <ListField label="Blocked (always denied)" testid="policy-blocked" field=FormField::Blocked
                        form error get=|f| f.blocked.clone() set=|f, v| f.blocked = v />
                    <ListField label="Need human approval" testid="policy-approval-required"
                        field=FormField::ApprovalRequired form error
                        get=|f| f.approval_required.clone() set=|f, v| f.approval_required = v />
                </fieldset>
                <fieldset>
                    <legend>"Escalations"</legend>
                    <TextField label="Timeout (seconds)" testid="policy-timeout" field=FormField::EscalationTimeout
                        form error get=|f| f.escalation_timeout_secs.clone() set=|f, v| f.escalation_timeout_secs = v />
                </fieldset>
                <fieldset>
                    <legend>"When policies disagree"</legend>
                    // The hint stays outside the label, so the select's name is
                    // just "Conflict strategy" and the hint its description.
                    <div class="field">
                        <label for="policy-conflict-strategy">"Conflict strategy"</label>
                        <select id="policy-conflict-strategy" data-testid="policy-conflict-strategy"
                            aria-describedby="policy-conflict-strategy-hint"
                            on:change=move |ev| {
                                if let Some(strategy) = ConflictStrategy::parse(&event_target_value(&ev)) {
                                    form.update(|f| f.conflict_strategy = strategy);
                                }
                            }>
                            {ConflictStrategy::ALL.into_iter().map(|strategy| view! {
                                // A property, not the attribute: Revert and Apply
                                // must move the choice even after the user made one.
                                <option value=strategy.as_str()
                                    prop:selected=move || form.with(|f| f.conflict_strategy == strategy)>
                                    {strategy.label()}
                                </option>
                            }).collect_view()}
                        </select>
                        <span id="policy-conflict-strategy-hint" class="field-hint"
                            data-testid="policy-conflict-strategy-hint">
                            {move || conflict_strategy_hint(form.with(|f| f.conflict_strategy))}
                        </span>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>"Order and on/off (higher priority is judged first)"</legend>
                    <table class="policy-order">
                        <thead><tr><th scope="col">"Policy"</th><th scope="col">"Priority"</th><th scope="col">"On"</th></tr></thead>
                        <tbody>
                            {move || form.with(|f| f.policies.iter().enumerate().map(|(i, toggle)| {
                                let name = toggle.name.clone();
                                let field = FormField::Priority(name.clone());
                                let field_error = move || error.get().filter(|e| e.field == field).map(|e| e.message);
                                view! {
                                    <tr>
                                        <th scope="row">
                                            {name.clone()}
                                            // The kind only says something when the name does not.
                                            {(toggle.kind != name).then(|| view! { <span class="policy-kind">{format!("({})", toggle.kind)}</span> })}
                                        </th>
                                        <td>
                                            <input type="text" inputmode="numeric" class="input--short"
                                                aria-label=format!("Priority of {name}")
                                                data-testid=format!("policy-priority-{name}")
                                                prop:value=toggle.priority.clone()
                                                on:change=move |ev| form.update(|f| f.policies[i].priority = event_target_value(&ev)) />
                                            {move || field_error().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                        </td>
                                        <td>
                                            <input type="checkbox"
                                                aria-label=format!("{name} enabled")
                                                data-testid=format!("policy-enabled-{name}")
                                                prop:checked=toggle.enabled
                                                on:change=move |ev| form.update(|f| f.policies[i].enabled = event_target_checked(&ev)) />
                                        </td>
                                    </tr>
                                }
                            }).collect_view())}
                        </tbody>
                    </table>
                </fieldset>
                {move || error.get().filter(|e| e.field == FormField::Form).map(|e| view! {
                    <p class="field-error" role="alert" data-testid="policy-error-form">{e.message}</p>
                })}
                {move || status.get().map(|s| view! { <p class="form-status" role="status" data-testid="policy-status">{s}</p> })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" data-testid="policy-apply">"Apply policies"</button>
                    <button type="button" class="button" data-testid="policy-revert" on:click=revert>"Revert"</button>
                </div>
            </form>
        </Panel>
    }
}

/// A labelled text input bound to one form field, with that field's error.
#[component]
fn TextField(
    label: &'static str,
    testid: &'static str,
    field: FormField,
    form: RwSignal<PolicyForm>,
    error: RwSignal<Option<FormError>>,
    get: fn(&PolicyForm) -> String,
    set: fn(&mut PolicyForm, String),
) -> impl IntoView {
    let error_id = format!("{testid}-error");
    let field_error = move || error.get().filter(|e| e.field == field).map(|e| e.message);
    let has_error = {
        let field_error = field_error.clone();
        move || field_error().is_some()
    };
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="text" data-testid=testid
                aria-invalid=move || has_error().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev))) />
            <span id=error_id class="field-error" role="alert" data-testid=format!("{testid}-error")>
                {field_error}
            </span>
        </label>
    }
}

/// An editable list of action types: each entry can be removed, and a new one
/// added by typing it and pressing Enter or Add.
#[component]
fn ListField(
    label: &'static str,
    testid: &'static str,
    field: FormField,
    form: RwSignal<PolicyForm>,
    error: RwSignal<Option<FormError>>,
    get: fn(&PolicyForm) -> String,
    set: fn(&mut PolicyForm, String),
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let label_id = format!("{testid}-label");
    let labelled_by = label_id.clone();
    let add = move || {
        let entry = draft.get_untracked();
        form.update(|f| {
            let text = with_entry(&get(f), &entry);
            set(f, text)
        });
        draft.set(String::new());
    };
    let field_error = move || error.get().filter(|e| e.field == field).map(|e| e.message);
    view! {
        <div class="field" role="group" aria-labelledby=labelled_by>
            <span id=label_id>{label}</span>
            <ul class="chips" data-testid=testid>
                {move || {
                    list_entries(&form.with(get))
                        .into_iter()
                        .enumerate()
                        .map(|(index, entry)| {
                            let remove_label = format!("Remove {entry} from {label}");
                            view! {
                                <li class="chip" data-testid=format!("{testid}-item")>
                                    <span class="mono">{entry}</span>
                                    <button type="button" class="chip-remove" aria-label=remove_label
                                        data-testid=format!("{testid}-remove")
                                        on:click=move |_| form.update(|f| {
                                            let text = without_entry(&get(f), index);
                                            set(f, text)
                                        })>
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <div class="chip-add">
                <input type="text" data-testid=format!("{testid}-new") aria-label=format!("Action type to add to {label}")
                    placeholder="action_type"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            add();
                        }
                    } />
                <button type="button" class="button button--small" data-testid=format!("{testid}-add")
                    on:click=move |_| add()>
                    "Add"
                </button>
            </div>
            <span class="field-error" role="alert" data-testid=format!("{testid}-error")>{field_error}</span>
        </div>
    }
}
