//! The policy editor: every policy (budget tiers with their scope, window and
//! per-agent limits; rate limits with their scope; sensitive action types;
//! change windows; what each covers, its priority, on/off and timeout
//! outcome), the automatic triggers, the approval-fatigue threshold, the
//! escalation timeout and how conflicting policies combine. A change applies
//! whole or not at all; an invalid one shows every problem beside its field
//! and changes nothing. What the form means is [`crate::console::policy_form`];
//! this file only draws it.

use super::lists::{keyed_list, CollectAny, Row};
use super::{ConsoleState, Panel};
use crate::console::policy_form::{
    budget_scope_words, choose, conflict_strategy_hint, errors_for, list_entries, place_error,
    policy_has_errors, problems_summary, timeout_warning, window_words, with_entry, without_entry,
    ListKind, PolicyEntry, PolicyPart, TriggerField, BUDGET_SCOPES,
};
use crate::console::{FormError, FormField, PolicyForm};
use crate::governance::config::{BudgetScope, RiskLevel, Weekday};
use crate::governance::detectors::DataKind;
use crate::governance::risk::VerbList;
use crate::governance::ConflictStrategy;
use crate::ui::reactive::{effect, memo};
use leptos::prelude::*;
use std::sync::Arc;

/// What every control reaches: the form as typed and the errors of the last
/// Apply.
#[derive(Clone, Copy)]
struct Editor {
    form: RwSignal<PolicyForm>,
    errors: RwSignal<Vec<FormError>>,
    /// Whether the lists (each policy's section, the order table, every
    /// list's entries) are drawn: see [`ConsoleState::forms_shown`].
    shown: RwSignal<bool>,
}

impl Editor {
    /// The messages for `field`, as a view child (nothing when none).
    fn message(self, field: FormField) -> impl Fn() -> Option<String> + Clone + Send + Sync {
        let errors = self.errors;
        move || errors.with(|e| errors_for(e, &field))
    }

    /// Changes the policy named `name`, if it is still in the form.
    fn edit(self, name: &str, f: impl FnOnce(&mut PolicyEntry)) {
        self.form.update(|form| {
            if let Some(policy) = form.policy_mut(name) {
                f(policy)
            }
        });
    }
}

/// An `id` attribute made from a test id, which may hold a policy or agent
/// name with spaces.
fn dom_id(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[component]
pub fn PolicyEditorPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let in_force = move || state.peek(|sim| PolicyForm::from_config(sim.plane().config()));
    let form = RwSignal::new(in_force());
    let errors = RwSignal::new(Vec::<FormError>::new());
    let status = RwSignal::new(None::<String>);
    let ed = Editor {
        form,
        errors,
        shown: state.forms_shown,
    };
    let keys = memo(move || {
        if ed.shown.get() {
            form.with(PolicyForm::keys)
        } else {
            Vec::new()
        }
    });
    let unapplied =
        memo(move || form.with(|f| state.read(|sim| f.differs_from(sim.plane().config()))));
    // Leaving the page (reload, close, another address) with unapplied
    // edits asks first: the browser shows its own question.
    let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if unapplied.try_get_untracked() == Some(true) {
            // Both: browsers that predate `preventDefault` here ask when a
            // return value is set.
            ev.prevent_default();
            ev.set_return_value("unapplied");
        }
    });
    on_cleanup(move || guard.remove());

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        let actor = state.reviewer_name();
        let edited = form.get_untracked();
        let result = state
            .peek(|sim| edited.to_config(sim.plane().config()))
            .and_then(|config| {
                state.command(|sim| {
                    sim.plane_mut()
                        .apply_config(config, &actor)
                        .map_err(|e| vec![place_error(sim.plane().config(), &e)])
                })
            });
        match result {
            Ok(()) => {
                errors.set(Vec::new());
                status.set(Some(
                    "Applied: the next request is judged by these policies.".into(),
                ));
                form.set(in_force());
            }
            Err(found) => errors.set(found),
        }
    };
    let revert = move |_| {
        form.set(in_force());
        errors.set(Vec::new());
        status.set(None);
    };

    view! {
        <Panel testid="panel-policies" title="Policies">
            <form class="policy-form" on:submit=apply data-testid="policy-form" novalidate>
                <fieldset>
                    <legend>"Escalations"</legend>
                    {text_field(ed, "Timeout (seconds)".into(), "policy-timeout".into(),
                        FormField::EscalationTimeout)}
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
                            }).collect_any()}
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
                            {keyed_list(move || keys.get().into_iter().map(|(name, kind)| {
                                Row::new(format!("{kind}:{name}"), move || order_row(ed, name, kind).into_any())
                            }).collect())}
                        </tbody>
                    </table>
                </fieldset>
                <fieldset class="policy-list">
                    <legend>"Each policy"</legend>
                    <p class="field-hint">"Open a policy to tune it; one with a problem opens by itself."</p>
                    {keyed_list(move || keys.get().into_iter().map(|(name, kind)| {
                        Row::new(format!("{kind}:{name}"), move || {
                            let is_new = state.peek(|sim| sim.plane().config().policy(&name).is_none());
                            policy_section(ed, name, kind, is_new).into_any()
                        })
                    }).collect())}
                    {add_policy_controls(ed)}
                </fieldset>
                {triggers_fieldset(ed)}
                {verbs_fieldset(ed)}
                {move || errors.with(|e| e.iter().filter(|e| e.field == FormField::Form).map(|e| {
                    let message = e.message.clone();
                    view! { <p class="field-error" role="alert" data-testid="policy-error-form">{message}</p> }
                }).collect_any())}
                {move || (!errors.with(Vec::is_empty)).then(|| view! {
                    <p class="field-error" role="alert" data-testid="policy-error-summary">
                        {move || problems_summary(errors.with(Vec::len))}
                    </p>
                })}
                {move || status.get().map(|s| view! { <p class="form-status" role="status" data-testid="policy-status">{s}</p> })}
                {move || unapplied.get().then(|| view! {
                    <p class="form-notice policy-unapplied" data-testid="policy-unapplied">
                        "The form differs from the policies in force: Apply puts it in force, Revert discards it."
                    </p>
                })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" data-testid="policy-apply">"Apply policies"</button>
                    <button type="button" class="button" data-testid="policy-revert" on:click=revert>"Revert"</button>
                </div>
            </form>
        </Panel>
    }
}

/// A policy's line in the order table: its priority and on/off.
fn order_row(ed: Editor, name: String, kind: &'static str) -> impl IntoView {
    let field = FormField::Policy(name.clone(), PolicyPart::Priority);
    let (check_name, toggle_name) = (name.clone(), name.clone());
    view! {
        <tr>
            <th scope="row">
                {name.clone()}
                // The kind only says something when the name does not.
                {(kind != name).then(|| view! { <span class="policy-kind">{format!("({kind})")}</span> })}
            </th>
            <td>{bare_input(ed, format!("Priority of {name}"), format!("policy-priority-{name}"), field)}</td>
            <td>
                <input type="checkbox"
                    aria-label=format!("{name} enabled")
                    data-testid=format!("policy-enabled-{name}")
                    prop:checked=move || ed.form.with(|f| f.policy(&check_name).is_some_and(|p| p.enabled))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        ed.edit(&toggle_name, |p| p.enabled = on)
                    } />
            </td>
        </tr>
    }
}

/// One policy in a collapsible section: what it covers, its timeout outcome
/// and its rule's settings.
fn policy_section(ed: Editor, name: String, kind: &'static str, is_new: bool) -> impl IntoView {
    let details = NodeRef::<leptos::html::Details>::new();
    {
        // After an Apply with a problem here, the section opens so the
        // message beside its field is seen.
        let name = name.clone();
        effect(move || {
            if ed.errors.with(|e| policy_has_errors(e, &name)) {
                if let Some(details) = details.get() {
                    let _ = details.set_attribute("open", "");
                }
            }
        });
    }
    let entry = ed.form.with_untracked(|f| f.policy(&name).cloned());
    let Some(entry) = entry else {
        return ().into_any();
    };
    let summary = {
        let name = name.clone();
        move || {
            ed.form
                .with(|f| f.policy(&name).map(PolicyEntry::summary))
                .unwrap_or_default()
        }
    };
    let general_errors = {
        let name = name.clone();
        move || {
            ed.errors.with(|errors| {
                let messages: Vec<String> =
                    [PolicyPart::Name, PolicyPart::Description, PolicyPart::Other]
                        .into_iter()
                        .filter_map(|part| {
                            errors_for(errors, &FormField::Policy(name.clone(), part))
                        })
                        .collect();
                (!messages.is_empty()).then(|| messages.join("; "))
            })
        }
    };
    let rule = match kind {
        "budget" => budget_controls(ed, name.clone()).into_any(),
        "rate_limit" => rate_limit_controls(ed, name.clone()).into_any(),
        "sensitive_actions" => sensitive_controls(ed, name.clone()).into_any(),
        "change_window" => change_window_controls(ed, name.clone()).into_any(),
        "sensitive_data" => sensitive_data_controls(ed, name.clone()).into_any(),
        _ => view! {
            <p class="field-hint">"No settings of its own: every request it covers goes to a human."</p>
        }
        .into_any(),
    };
    let remove = entry.removable().then(|| {
        let name = name.clone();
        let what = if kind == "budget" {
            "tier"
        } else {
            "change window"
        };
        view! {
            <button type="button" class="button button--small policy-remove"
                data-testid=format!("policy-remove-{name}")
                aria-label=format!("Remove the {what} {name}")
                on:click=move |_| ed.form.update(|f| f.remove_policy(&name))>
                {format!("Remove this {what}")}
            </button>
        }
    });
    view! {
        <details class="policy-section" node_ref=details open=is_new data-testid=format!("policy-section-{name}")>
            <summary>
                <span class="policy-name">{name.clone()}</span>
                {(kind != name).then(|| view! { <span class="policy-kind">{format!("({kind})")}</span> })}
                <span class="policy-summary" data-testid=format!("policy-summary-{name}")>{summary}</span>
            </summary>
            <div class="policy-section-body">
                {(!entry.description.is_empty()).then(|| view! { <p class="field-hint">{entry.description.clone()}</p> })}
                <p class="field-error" role="alert" data-testid=format!("policy-section-{name}-error")>{general_errors}</p>
                {list_field(ed, "Covers action types (* for all)".into(), format!("policy-applies-to-{name}"),
                    FormField::Policy(name.clone(), PolicyPart::AppliesTo), ListKind::Covers)}
                {risk_levels(ed, name.clone())}
                {entry.can_escalate().then(|| timeout_outcome(ed, name.clone()))}
                {rule}
                {remove}
            </div>
        </details>
    }
    .into_any()
}

/// The three risk levels a policy may cover, as checkboxes.
fn risk_levels(ed: Editor, name: String) -> impl IntoView {
    let testid = format!("policy-risk-{name}");
    let label_id = dom_id(&format!("{testid}-label"));
    let labelled_by = label_id.clone();
    let message = ed.message(FormField::Policy(name.clone(), PolicyPart::RiskLevels));
    view! {
        <div class="field" role="group" aria-labelledby=labelled_by>
            <span id=label_id>"Covers risk levels (every action type of the level)"</span>
            <div class="checks">
                {RiskLevel::ALL.into_iter().map(|level| {
                    let (get_name, set_name) = (name.clone(), name.clone());
                    check_input(ed, level.as_str().into(), format!("{testid}-{}", level.as_str()), "check",
                        Arc::new(move |f| f.policy(&get_name).is_some_and(|p| p.risk_levels.contains(&level))),
                        Arc::new(move |f, on| if let Some(p) = f.policy_mut(&set_name) { p.set_risk_level(level, on) }))
                }).collect_any()}
            </div>
            <span class="field-error" role="alert" data-testid=format!("{testid}-error")>{message}</span>
        </div>
    }
}

/// Deny or allow a request this policy escalated when nobody answers; allow
/// is marked as risky.
fn timeout_outcome(ed: Editor, name: String) -> impl IntoView {
    let risky = {
        let name = name.clone();
        move || {
            ed.form
                .with(|f| f.policy(&name).and_then(|p| timeout_warning(p.on_timeout)))
        }
    };
    let is_risky = {
        let risky = risky.clone();
        move || risky().is_some()
    };
    view! {
        <div class="field" class:policy-timeout--risky=is_risky>
            {choice_select(ed, "When nobody answers in time".into(), format!("policy-on-timeout-{name}"),
                FormField::Policy(name.clone(), PolicyPart::OnTimeout))}
            {move || risky().map(|warning| view! {
                <p class="form-warning" data-testid=format!("policy-on-timeout-{name}-warning")>{warning}</p>
            })}
        </div>
    }
}

fn budget_controls(ed: Editor, name: String) -> impl IntoView {
    let scope_of = {
        let name = name.clone();
        move || {
            ed.form.with(|f| {
                f.policy(&name)
                    .and_then(PolicyEntry::budget)
                    .map(|b| b.scope)
            })
        }
    };
    let per_action = {
        let scope_of = scope_of.clone();
        move || scope_of() == Some(BudgetScope::Action)
    };
    let shows_overrides = {
        let name = name.clone();
        memo(move || {
            ed.form.with(|f| {
                f.policy(&name)
                    .and_then(PolicyEntry::budget)
                    .is_some_and(|b| b.shows_overrides())
            })
        })
    };
    let window = FormField::Policy(name.clone(), PolicyPart::BudgetWindow);
    let words = move || {
        if per_action() {
            "a per-action cap has no window".to_owned()
        } else {
            ed.form.with(|f| window_words(&f.text(&window)))
        }
    };
    let overrides_name = name.clone();
    view! {
        <div class="form-grid">
            {choice_select(ed, "Whose spend".into(), format!("policy-budget-scope-{name}"),
                FormField::Policy(name.clone(), PolicyPart::Scope))}
            {rule_fields(ed, &name, &[
                ("Limit", "policy-budget-limit", PolicyPart::BudgetLimit),
                ("Escalate above (% of the limit)", "policy-escalate-percent", PolicyPart::EscalateAtPercent),
            ])}
            <div class="field">
                {rule_fields(ed, &name, &[
                    ("Window (seconds; blank: never resets)", "policy-budget-window", PolicyPart::BudgetWindow),
                ])}
                <span class="field-hint" data-testid=format!("policy-budget-window-words-{name}")>{words}</span>
            </div>
        </div>
        // A memo, so the overrides are drawn again only when they appear.
        {move || shows_overrides.get().then(|| agent_overrides(ed, overrides_name.clone()))}
    }
}

/// Named agents with their own limit in a per-agent budget.
fn agent_overrides(ed: Editor, name: String) -> impl IntoView {
    let agents = {
        let name = name.clone();
        memo(move || {
            ed.form.with(|f| {
                f.policy(&name)
                    .and_then(PolicyEntry::budget)
                    .map(|b| {
                        b.overrides
                            .iter()
                            .map(|o| o.agent.clone())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
        })
    };
    let draft_agent = RwSignal::new(String::new());
    let draft_limit = RwSignal::new(String::new());
    let add_problem = RwSignal::new(None::<String>);
    let add = {
        let name = name.clone();
        move || {
            let (agent, limit) = (draft_agent.get_untracked(), draft_limit.get_untracked());
            let mut result = Ok(());
            ed.edit(&name, |p| {
                if let Some(b) = p.budget_mut() {
                    result = b.add_override(&agent, &limit);
                }
            });
            match result {
                Ok(()) => {
                    draft_agent.set(String::new());
                    draft_limit.set(String::new());
                    add_problem.set(None);
                }
                Err(problem) => add_problem.set(Some(problem)),
            }
        }
    };
    let add_on_enter = add.clone();
    let label_id = dom_id(&format!("policy-override-{name}-label"));
    let labelled_by = label_id.clone();
    let list_message = ed.message(FormField::Policy(name.clone(), PolicyPart::AgentLimits));
    let row_name = name.clone();
    view! {
        <div class="field" role="group" aria-labelledby=labelled_by>
            <span id=label_id>"Agents with their own limit"</span>
            <ul class="override-list" data-testid=format!("policy-override-{name}")>
                {keyed_list(move || agents.get().into_iter().map(|agent| {
                    let row_name = row_name.clone();
                    Row::new(agent.clone(), move || override_row(ed, row_name, agent).into_any())
                }).collect())}
            </ul>
            <div class="chip-add" on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" {
                    ev.prevent_default();
                    add_on_enter();
                }
            }>
                <input type="text" placeholder="agent name" aria-label=format!("Agent to give its own limit in {name}")
                    data-testid=format!("policy-override-new-agent-{name}")
                    prop:value=move || draft_agent.get()
                    on:input=move |ev| draft_agent.set(event_target_value(&ev)) />
                <input type="text" inputmode="decimal" class="input--short" placeholder="limit"
                    aria-label=format!("Its limit in {name}")
                    data-testid=format!("policy-override-new-limit-{name}")
                    prop:value=move || draft_limit.get()
                    on:input=move |ev| draft_limit.set(event_target_value(&ev)) />
                <button type="button" class="button button--small" data-testid=format!("policy-override-add-{name}")
                    on:click=move |_| add()>
                    "Add agent limit"
                </button>
            </div>
            <span class="field-error" role="alert" data-testid=format!("policy-override-add-{name}-error")>
                {move || add_problem.get()}
            </span>
            <span class="field-error" role="alert" data-testid=format!("policy-override-{name}-error")>{list_message}</span>
        </div>
    }
}

fn override_row(ed: Editor, name: String, agent: String) -> impl IntoView {
    let (remove_name, remove_agent) = (name.clone(), agent.clone());
    let limit = FormField::Policy(name.clone(), PolicyPart::AgentLimit(agent.clone()));
    view! {
        <li class="override-row" data-testid=format!("policy-override-{name}-item") data-agent=agent.clone()>
            <span class="mono">{agent.clone()}</span>
            {bare_input(ed, format!("Limit for {agent}"), format!("policy-override-limit-{name}-{agent}"), limit)}
            <button type="button" class="chip-remove" aria-label=format!("Remove the limit of {agent}")
                data-testid=format!("policy-override-remove-{name}-{agent}")
                on:click=move |_| ed.edit(&remove_name, |p| {
                    if let Some(b) = p.budget_mut() {
                        b.remove_override(&remove_agent)
                    }
                })>
                "×"
            </button>
        </li>
    }
}

fn rate_limit_controls(ed: Editor, name: String) -> impl IntoView {
    view! {
        <div class="form-grid">
            {choice_select(ed, "Counts actions of".into(), format!("policy-rate-scope-{name}"),
                FormField::Policy(name.clone(), PolicyPart::Scope))}
            {rule_fields(ed, &name, &[
                ("Actions allowed", "policy-rate-max", PolicyPart::RateMax),
                ("Window (seconds)", "policy-rate-window", PolicyPart::RateWindow),
            ])}
        </div>
    }
}

fn sensitive_controls(ed: Editor, name: String) -> impl IntoView {
    view! {
        {list_field(ed, "Blocked (always denied)".into(), format!("policy-blocked-{name}"),
            FormField::Policy(name.clone(), PolicyPart::Blocked), ListKind::ActionTypes)}
        {list_field(ed, "Need human approval".into(), format!("policy-approval-required-{name}"),
            FormField::Policy(name.clone(), PolicyPart::ApprovalRequired), ListKind::ActionTypes)}
    }
}

/// What the policy does with each kind of sensitive data it finds.
fn sensitive_data_controls(ed: Editor, name: String) -> impl IntoView {
    let selects = DataKind::ALL
        .into_iter()
        .map(|kind| {
            choice_select(
                ed,
                kind.label().into(),
                format!("policy-data-{name}-{}", kind.as_str()),
                FormField::Policy(name.clone(), PolicyPart::Handling(kind)),
            )
        })
        .collect_any();
    view! {
        <p class="field-hint">
            "Found anywhere in a request's parameters; whatever is chosen, the value is masked in every record."
        </p>
        <div class="form-grid">{selects}</div>
    }
}

fn change_window_controls(ed: Editor, name: String) -> impl IntoView {
    let count = {
        let name = name.clone();
        memo(move || {
            ed.form.with(|f| {
                f.policy(&name)
                    .and_then(PolicyEntry::change_window)
                    .map_or(0, |c| c.windows.len())
            })
        })
    };
    let (add_name, row_name) = (name.clone(), name.clone());
    let windows_message = ed.message(FormField::Policy(name.clone(), PolicyPart::Windows));
    let indices = move || (0..count.get()).collect::<Vec<usize>>();
    view! {
        <p class="field-hint">
            "Requests whose parameter names production go out only inside a window (virtual clock; time zero is a Monday at 00:00)."
        </p>
        <div class="form-grid">
            {rule_fields(ed, &name, &[("Parameter", "policy-cw-parameter", PolicyPart::Parameter)])}
            {choice_select(ed, "Outside every window".into(), format!("policy-cw-outside-{name}"),
                FormField::Policy(name.clone(), PolicyPart::Outside))}
        </div>
        {list_field(ed, "Values meaning production".into(), format!("policy-cw-values-{name}"),
            FormField::Policy(name.clone(), PolicyPart::Values), ListKind::Values)}
        <ol class="cw-windows">
            {keyed_list(move || indices().into_iter().map(|index| {
                let row_name = row_name.clone();
                Row::new(index.to_string(), move || window_row(ed, row_name, index).into_any())
            }).collect())}
        </ol>
        <span class="field-error" role="alert" data-testid=format!("policy-cw-windows-{name}-error")>{windows_message}</span>
        <button type="button" class="button button--small" data-testid=format!("policy-cw-add-window-{name}")
            on:click=move |_| ed.edit(&add_name, |p| if let Some(c) = p.change_window_mut() { c.add_window() })>
            "Add window"
        </button>
    }
}

/// One change window: its days and hours.
fn window_row(ed: Editor, name: String, index: usize) -> impl IntoView {
    let testid = format!("policy-cw-window-{name}-{index}");
    let message = ed.message(FormField::Policy(name.clone(), PolicyPart::Window(index)));
    let hour = |end: bool| {
        let (get_name, set_name) = (name.clone(), name.clone());
        let testid = format!(
            "policy-cw-{}-{name}-{index}",
            if end { "end" } else { "start" }
        );
        view! {
            <label class="check">
                {if end { "to" } else { "from" }}
                <input type="text" inputmode="numeric" class="input--hour" data-testid=testid
                    aria-label=format!("Window {} {} hour", index + 1, if end { "end" } else { "start" })
                    prop:value=move || ed.form.with(|f| {
                        f.policy(&get_name)
                            .and_then(PolicyEntry::change_window)
                            .and_then(|c| c.windows.get(index))
                            .map(|w| if end { w.end_hour.clone() } else { w.start_hour.clone() })
                            .unwrap_or_default()
                    })
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        ed.edit(&set_name, |p| {
                            if let Some(w) = p.change_window_mut().and_then(|c| c.windows.get_mut(index)) {
                                if end { w.end_hour = value } else { w.start_hour = value }
                            }
                        })
                    } />
            </label>
        }
    };
    let days = Weekday::ALL
        .into_iter()
        .map(|day| {
            let (get_name, set_name) = (name.clone(), name.clone());
            check_input(
                ed,
                day.label().into(),
                format!(
                    "policy-cw-day-{name}-{index}-{}",
                    day.label().to_ascii_lowercase()
                ),
                "check",
                Arc::new(move |f| {
                    f.policy(&get_name)
                        .and_then(PolicyEntry::change_window)
                        .and_then(|c| c.windows.get(index))
                        .is_some_and(|w| w.days.contains(&day))
                }),
                Arc::new(move |f, on| {
                    if let Some(w) = f
                        .policy_mut(&set_name)
                        .and_then(PolicyEntry::change_window_mut)
                        .and_then(|c| c.windows.get_mut(index))
                    {
                        w.set_day(day, on)
                    }
                }),
            )
        })
        .collect_any();
    let remove_name = name.clone();
    view! {
        <li class="cw-window" data-testid=format!("policy-cw-window-{name}") role="group"
            aria-label=format!("Window {}", index + 1)>
            <div class="checks">{days}</div>
            <div class="checks">
                {hour(false)}
                {hour(true)}
                <button type="button" class="button button--small"
                    data-testid=format!("policy-cw-remove-window-{name}-{index}")
                    aria-label=format!("Remove window {}", index + 1)
                    on:click=move |_| ed.edit(&remove_name, |p| if let Some(c) = p.change_window_mut() { c.remove_window(index) })>
                    "Remove"
                </button>
            </div>
            <span class="field-error" role="alert" data-testid=format!("{testid}-error")>{message}</span>
        </li>
    }
}

/// Add a budget tier (named, or with a name chosen for it) or a change window.
fn add_policy_controls(ed: Editor) -> impl IntoView {
    let tier_name = RwSignal::new(String::new());
    let tier_scope = RwSignal::new(BudgetScope::Agent);
    let problem = RwSignal::new(None::<String>);
    let add_tier = move || {
        let mut result = Ok(String::new());
        ed.form.update(|f| {
            result = f.add_budget_tier(&tier_name.get_untracked(), tier_scope.get_untracked())
        });
        match result {
            Ok(_) => {
                tier_name.set(String::new());
                problem.set(None);
            }
            Err(message) => problem.set(Some(message)),
        }
    };
    let add_on_enter = add_tier;
    view! {
        <div class="policy-add" role="group" aria-label="Add a policy">
            <label class="field">
                <span>"New tier's name"</span>
                <input type="text" data-testid="policy-add-tier-name" placeholder="blank: one is chosen"
                    prop:value=move || tier_name.get()
                    on:input=move |ev| tier_name.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            add_on_enter();
                        }
                    } />
            </label>
            <label class="field">
                <span>"Whose spend"</span>
                <select data-testid="policy-add-tier-scope"
                    on:change=move |ev| {
                        if let Some(scope) = choose(&BUDGET_SCOPES, &event_target_value(&ev)) {
                            tier_scope.set(scope)
                        }
                    }>
                    {BUDGET_SCOPES.iter().map(|choice| {
                        let value = choice.value;
                        view! {
                            <option value=choice.key prop:selected=move || tier_scope.get() == value>
                                {budget_scope_words(value)}
                            </option>
                        }
                    }).collect_any()}
                </select>
            </label>
            <button type="button" class="button button--small" data-testid="policy-add-tier" on:click=move |_| add_tier()>
                "Add budget tier"
            </button>
            <button type="button" class="button button--small" data-testid="policy-add-change-window"
                on:click=move |_| {
                    ed.form.update(|f| {
                        f.add_change_window();
                    })
                }>
                "Add change window"
            </button>
            <span class="field-error" role="alert" data-testid="policy-add-tier-error">{move || problem.get()}</span>
        </div>
    }
}

/// The automatic triggers and the approval-fatigue threshold.
/// The text fields of triggers, labelled as the trigger field reads, each
/// with its test id: one loop instead of a call per field.
fn trigger_fields(ed: Editor, fields: &'static [(TriggerField, &'static str)]) -> Vec<AnyView> {
    fields
        .iter()
        .map(|&(field, testid)| {
            text_field(
                ed,
                field.label().into(),
                testid.into(),
                FormField::Trigger(field),
            )
        })
        .collect()
}

/// A rule's text fields, by label, test-id prefix (the policy's name is
/// appended) and part: one loop instead of a call per field.
fn rule_fields(
    ed: Editor,
    name: &str,
    fields: &'static [(&'static str, &'static str, PolicyPart)],
) -> Vec<AnyView> {
    fields
        .iter()
        .map(|(label, prefix, part)| {
            text_field(
                ed,
                (*label).into(),
                format!("{prefix}-{name}"),
                FormField::Policy(name.to_owned(), part.clone()),
            )
        })
        .collect()
}

fn triggers_fieldset(ed: Editor) -> impl IntoView {
    let check = |label: &'static str,
                 testid: &'static str,
                 get: fn(&PolicyForm) -> bool,
                 set: fn(&mut PolicyForm, bool)| {
        check_input(
            ed,
            label.into(),
            testid.into(),
            "check check--heading",
            Arc::new(get),
            Arc::new(set),
        )
    };
    view! {
        <fieldset>
            <legend>"Automatic triggers"</legend>
            <div class="trigger">
                {check("Halt an agent after repeated violations", "policy-trigger-repeated-enabled",
                    |f| f.triggers.repeated_enabled, |f, on| f.triggers.repeated_enabled = on)}
                <div class="form-grid">
                    {trigger_fields(ed, &[
                        (TriggerField::Refusals, "policy-trigger-repeated-refusals"),
                        (TriggerField::RefusalsWithin, "policy-trigger-repeated-within"),
                    ])}
                </div>
            </div>
            <div class="trigger">
                {check("Stop on a spend anomaly (recent spend above factor × baseline)", "policy-trigger-anomaly-enabled",
                    |f| f.triggers.anomaly_enabled, |f, on| f.triggers.anomaly_enabled = on)}
                <div class="form-grid">
                    {trigger_fields(ed, &[
                        (TriggerField::Factor, "policy-trigger-anomaly-factor"),
                        (TriggerField::Recent, "policy-trigger-anomaly-recent"),
                        (TriggerField::Baseline, "policy-trigger-anomaly-baseline"),
                        (TriggerField::MinBaseline, "policy-trigger-anomaly-min-baseline"),
                    ])}
                    {choice_select(ed, "Watches".into(), "policy-trigger-anomaly-scope".into(),
                        FormField::Trigger(TriggerField::AnomalyScope))}
                </div>
                <p class="field-hint">
                    "Watching the whole system, a spike stops everything; watching each agent, it stops the agent that spiked."
                </p>
            </div>
            <div class="trigger">
                {check("Halt an agent that keeps sending credentials", "policy-trigger-leaks-enabled",
                    |f| f.triggers.leaks_enabled, |f, on| f.triggers.leaks_enabled = on)}
                <div class="form-grid">
                    {trigger_fields(ed, &[
                        (TriggerField::LeakHits, "policy-trigger-leaks-hits"),
                        (TriggerField::LeaksWithin, "policy-trigger-leaks-within"),
                    ])}
                </div>
            </div>
        </fieldset>
        <fieldset>
            <legend>"Approval fatigue"</legend>
            <p class="field-hint">"Warn a reviewer who approves more than this many requests within the window."</p>
            <div class="form-grid">
                {trigger_fields(ed, &[
                    (TriggerField::FatigueWarnAbove, "policy-fatigue-warn-above"),
                    (TriggerField::FatigueWindow, "policy-fatigue-window"),
                ])}
            </div>
        </fieldset>
    }
}

/// Reads a text of the form; boxed so every field shares one copy of the
/// view code (a generic closure per call site would instantiate it again).
type Reader<T> = Arc<dyn Fn(&PolicyForm) -> T + Send + Sync>;
/// Writes a text of the form.
type Writer<T> = Arc<dyn Fn(&mut PolicyForm, T) + Send + Sync>;

/// The verbs that give an action type no level is set for its level.
fn verbs_fieldset(ed: Editor) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Risk verbs"</legend>
            <p class="field-hint">
                "An action type with no level of its own is high if any of its words is a high verb, \
                 low if its first word is a low verb, and otherwise the default level (high)."
            </p>
            {list_field(ed, "Low verbs (reads)".into(), "policy-risk-low-verbs".into(),
                FormField::Verbs(VerbList::Low), ListKind::Verbs)}
            {list_field(ed, "High verbs (irreversible)".into(), "policy-risk-high-verbs".into(),
                FormField::Verbs(VerbList::High), ListKind::Verbs)}
        </fieldset>
    }
}

/// A checkbox with its label after it, bound to the form.
fn check_input(
    ed: Editor,
    label: String,
    testid: String,
    class: &'static str,
    get: Reader<bool>,
    set: Writer<bool>,
) -> AnyView {
    view! {
        <label class=class>
            <input type="checkbox" data-testid=testid
                prop:checked=move || ed.form.with(|f| get(f))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    ed.form.update(|f| set(f, on))
                } />
            {label}
        </label>
    }
    .into_any()
}

/// A short text input named by `aria_label` (it sits in a table row or a
/// list, where a visible label would repeat), bound to one form field, with
/// that field's errors after it.
///
/// It repeats [`text_field`]'s input on purpose: one function for both,
/// with the label, class and input mode as optional attributes, made the
/// release wasm 0.5 KB larger (measured), and the budget has less to spare.
fn bare_input(ed: Editor, aria_label: String, testid: String, field: FormField) -> AnyView {
    let error_id = dom_id(&format!("{testid}-error"));
    let message = ed.message(field.clone());
    let invalid = {
        let message = message.clone();
        move || message().is_some().to_string()
    };
    let edited = field.clone();
    view! {
        <input type="text" inputmode="decimal" class="input--short"
            aria-label=aria_label aria-invalid=invalid aria-describedby=error_id.clone()
            data-testid=testid.clone()
            prop:value=move || ed.form.with(|f| f.text(&field))
            on:input=move |ev| {
                let value = event_target_value(&ev);
                ed.form.update(|f| {
                    if let Some(text) = f.text_mut(&edited) {
                        *text = value
                    }
                })
            } />
        <span id=error_id class="field-error" role="alert" data-testid=format!("{testid}-error")>{message}</span>
    }
    .into_any()
}

/// A labelled text input bound to one form field, with that field's errors.
fn text_field(ed: Editor, label: String, testid: String, field: FormField) -> AnyView {
    let error_id = dom_id(&format!("{testid}-error"));
    let message = ed.message(field.clone());
    let invalid = {
        let message = message.clone();
        move || message().is_some().to_string()
    };
    let edited = field.clone();
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="text" data-testid=testid.clone()
                aria-invalid=invalid
                aria-describedby=error_id.clone()
                prop:value=move || ed.form.with(|f| f.text(&field))
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    ed.form.update(|f| {
                        if let Some(text) = f.text_mut(&edited) {
                            *text = value
                        }
                    })
                } />
            <span id=error_id class="field-error" role="alert" data-testid=format!("{testid}-error")>
                {message}
            </span>
        </label>
    }
    .into_any()
}

/// A labelled select bound to one choice of the form (see
/// [`PolicyForm::choice`]): one function for every select, however many
/// kinds of value they choose between.
fn choice_select(ed: Editor, label: String, testid: String, field: FormField) -> AnyView {
    let options = ed.form.with_untracked(|f| f.choices(&field));
    let edited = field.clone();
    view! {
        <label class="field">
            <span>{label}</span>
            <select data-testid=testid
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    ed.form.update(|f| f.choose(&edited, &key))
                }>
                {options.into_iter().map(|(key, text)| {
                    let field = field.clone();
                    view! {
                        // A property, not the attribute: Revert and Apply move it.
                        <option value=key prop:selected=move || ed.form.with(|f| f.choice(&field) == Some(key))>
                            {text}
                        </option>
                    }
                }).collect_any()}
            </select>
        </label>
    }
    .into_any()
}

/// An editable list of action types (or values): each entry can be removed,
/// and a new one added by typing it and pressing Enter or Add; an entry is
/// checked as it is added.
fn list_field(
    ed: Editor,
    label: String,
    testid: String,
    field: FormField,
    kind: ListKind,
) -> AnyView {
    let get: Reader<String> = {
        let field = field.clone();
        Arc::new(move |f| f.text(&field))
    };
    let set: Writer<String> = {
        let field = field.clone();
        Arc::new(move |f, value| {
            if let Some(text) = f.text_mut(&field) {
                *text = value
            }
        })
    };
    let noun = match kind {
        ListKind::Verbs => "Verb",
        ListKind::Values => "Value",
        _ => "Action type",
    };
    let draft = RwSignal::new(String::new());
    // Why the last entry typed was not added, until the next try.
    let refused = RwSignal::new(None::<String>);
    let label_id = dom_id(&format!("{testid}-label"));
    let labelled_by = label_id.clone();
    let entries = {
        let get = get.clone();
        memo(move || {
            if ed.shown.get() {
                ed.form.with(|f| list_entries(&get(f)))
            } else {
                Vec::new()
            }
        })
    };
    let add = {
        let (get, set) = (get.clone(), set.clone());
        move || {
            let entry = draft.get_untracked();
            let added = ed
                .form
                .with_untracked(|f| with_entry(&get(f), &entry, kind));
            match added {
                Ok(text) => {
                    ed.form.update(|f| set(f, text));
                    draft.set(String::new());
                    refused.set(None);
                }
                Err(why) => refused.set(Some(why)),
            }
        }
    };
    let add_on_enter = add.clone();
    let message = {
        let (message, label) = (ed.message(field), label.clone());
        // Why the entry typed was refused (until it is edited or the list
        // changes), and the last Apply's message for the list, both shown.
        move || {
            let refusal = refused.get().map(|why| format!("{label}: {why}"));
            match (refusal, message()) {
                (Some(refusal), Some(applied)) => Some(format!("{refusal}; {applied}")),
                (refusal, applied) => refusal.or(applied),
            }
        }
    };
    let (chips_label, chips_testid) = (label.clone(), testid.clone());
    view! {
        <div class="field" role="group" aria-labelledby=labelled_by>
            <span id=label_id>{label.clone()}</span>
            <ul class="chips" data-testid=testid.clone()>
                {move || {
                    entries
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(index, entry)| {
                            let remove_label = format!("Remove {entry} from {chips_label}");
                            let (get, set) = (get.clone(), set.clone());
                            view! {
                                <li class="chip" data-testid=format!("{chips_testid}-item")>
                                    <span class="mono">{entry}</span>
                                    <button type="button" class="chip-remove" aria-label=remove_label
                                        data-testid=format!("{chips_testid}-remove")
                                        on:click=move |_| {
                                            refused.set(None);
                                            ed.form.update(|f| {
                                                let text = without_entry(&get(f), index);
                                                set(f, text)
                                            })
                                        }>
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_any()
                }}
            </ul>
            <div class="chip-add">
                <input type="text" data-testid=format!("{testid}-new") aria-label=format!("{noun} to add to {label}")
                    placeholder=noun.to_ascii_lowercase().replace(' ', "_")
                    prop:value=move || draft.get()
                    on:input=move |ev| {
                        refused.set(None);
                        draft.set(event_target_value(&ev))
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            add_on_enter();
                        }
                    } />
                <button type="button" class="button button--small" data-testid=format!("{testid}-add")
                    on:click=move |_| add()>
                    "Add"
                </button>
            </div>
            <span class="field-error" role="alert" data-testid=format!("{testid}-error")>{message}</span>
        </div>
    }
    .into_any()
}
