//! The escalation inbox: what waits for a human, with everything needed to
//! judge it, a live countdown to its timeout, and approve or deny by button or
//! keyboard (↑/↓ or j/k to move, a to approve, d to deny). Below, the latest
//! resolutions and who made them. Above, how many approvals the reviewer gave
//! recently, with a warning past the approval-fatigue threshold.

use super::format::{countdown, verdict_badge};
use super::lists::{keyed_list, Row};
use super::{ConsoleState, Panel};
use crate::console::{fatigue_reading, review_outcome, Tone};
use crate::governance::{DecidedBy, RequestId, Review, Timestamp, Verdict};
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
struct InboxItem {
    id: RequestId,
    agent: String,
    action: String,
    cost: String,
    policy: String,
    reason: String,
    parameters: String,
    deadline: Timestamp,
    /// The request's hash as shown; an approval is bound to it.
    hash: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Resolved {
    seq: u64,
    at: Timestamp,
    agent: String,
    action: String,
    verdict: Verdict,
    by: String,
    reason: String,
    comment: Option<String>,
}

const HISTORY: usize = 20;
/// Items rendered at once; the rest wait their turn (the count shows them).
const SHOWN: usize = 50;

#[component]
pub fn InboxPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let items = Memo::new(move |_| {
        state.read(|sim| {
            let plane = sim.plane();
            plane
                .pending_escalations()
                .take(SHOWN)
                .map(|p| InboxItem {
                    id: p.request.id,
                    agent: plane.agent_name(p.request.agent).to_string(),
                    action: plane.action_name(p.request.action).to_string(),
                    cost: p.request.cost.to_string(),
                    policy: p.escalation.decided_by.policy_name().to_owned(),
                    reason: p.escalation.reason.to_string(),
                    parameters: serde_json::to_string_pretty(&*p.request.parameters)
                        .unwrap_or_default(),
                    deadline: p.deadline,
                    hash: p.hash().to_string(),
                })
                .collect::<Vec<_>>()
        })
    });
    let history = Memo::new(move |_| {
        state.read(|sim| {
            let plane = sim.plane();
            plane
                .audit()
                .latest_resolutions()
                .take(HISTORY)
                .filter_map(|record| {
                    let request = record.request()?;
                    let decision = record.decision()?;
                    let line = plane.audit_line(&record);
                    let by = match &decision.decided_by {
                        DecidedBy::EscalationTimeout => "timeout".to_owned(),
                        DecidedBy::KillSwitch => "kill switch".to_owned(),
                        _ => line.reviewer.clone().unwrap_or_else(|| "—".into()),
                    };
                    Some(Resolved {
                        seq: record.seq,
                        at: record.at,
                        agent: plane.agent_name(request.agent).to_string(),
                        action: plane.action_name(request.action).to_string(),
                        verdict: decision.verdict,
                        by,
                        reason: decision.reason.to_string(),
                        comment: line.comment,
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let waiting = Memo::new(move |_| state.read(|sim| sim.plane().escalation_stats().pending));
    let fatigue = move || {
        let reviewer = state.reviewer.get();
        state.read(|sim| {
            let plane = sim.plane();
            let (count, above) = plane.approvals_by(&reviewer);
            fatigue_reading(count, above, &plane.config().approval_fatigue)
        })
    };
    let selected = RwSignal::new(None::<RequestId>);
    let comment = RwSignal::new(String::new());
    // After a decision: how it reads (`None` for an error) and the text.
    let message = RwSignal::new(None::<(Option<Tone>, String)>);

    // The selection follows the queue: the first item when nothing (or an
    // item that has left) is selected.
    let current = move || {
        let items = items.get();
        let chosen = selected.get();
        chosen
            .filter(|id| items.iter().any(|i| i.id == *id))
            .or_else(|| items.first().map(|i| i.id))
    };

    let resolve = move |id: RequestId, approve: bool| {
        let text = comment.get_untracked();
        // Bound to the request exactly as the reviewer was shown it.
        let shown = items
            .get_untracked()
            .into_iter()
            .find(|item| item.id == id)
            .map(|item| item.hash);
        let review = Review {
            approve,
            reviewer: state.reviewer_name(),
            comment: (!text.trim().is_empty()).then_some(text),
            request_hash: shown,
        };
        let result = state.command(|sim| {
            let plane = sim.plane_mut();
            // Named before resolving: a resolved request leaves the queue.
            let names = plane.pending_escalation(id).map(|p| {
                (
                    plane.agent_name(p.request.agent).to_string(),
                    plane.action_name(p.request.action).to_string(),
                )
            });
            plane
                .resolve(id, &review)
                .map(|decision| (names.unwrap_or_default(), decision))
        });
        match result {
            Ok(((agent, action), decision)) => {
                comment.set(String::new());
                let outcome = review_outcome(approve, &agent, &action, &decision);
                message.set(Some((Some(outcome.tone), outcome.text)));
            }
            Err(error) => message.set(Some((None, error.to_string()))),
        }
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let items = items.get_untracked();
        if items.is_empty() {
            return;
        }
        let position = current()
            .and_then(|id| items.iter().position(|i| i.id == id))
            .unwrap_or(0);
        match ev.key().as_str() {
            "ArrowDown" | "j" => {
                ev.prevent_default();
                selected.set(Some(items[(position + 1).min(items.len() - 1)].id));
            }
            "ArrowUp" | "k" => {
                ev.prevent_default();
                selected.set(Some(items[position.saturating_sub(1)].id));
            }
            "a" => resolve(items[position].id, true),
            "d" => resolve(items[position].id, false),
            _ => {}
        }
    };

    view! {
        <Panel testid="panel-inbox" title="Escalation inbox">
            <p class="panel-hint">
                "Keyboard: focus the list, then ↑/↓ (or j/k) to move, a to approve, d to deny. "
                "Unanswered items are denied when their countdown ends."
            </p>
            {move || {
                let (reading, warning) = fatigue();
                view! {
                    <p class="inbox-fatigue" data-testid="inbox-fatigue">{reading}</p>
                    {warning.map(|warning| view! {
                        <p class="form-warning" role="alert" data-testid="inbox-fatigue-warning">{warning}</p>
                    })}
                }
            }}
            <label class="field">
                <span>"Comment for your next decision (optional)"</span>
                <input type="text" maxlength="1000" data-testid="inbox-comment"
                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) />
            </label>
            {move || message.get().map(|(tone, text)| {
                // Green only for an approval that ran.
                let class = match tone {
                    Some(Tone::Done) => "form-status",
                    Some(Tone::Neutral) => "form-notice",
                    Some(Tone::Warning) => "form-warning",
                    None => "field-error",
                };
                view! { <p class=class role="status" data-testid="inbox-message">{text}</p> }
            })}
            <p class="inbox-count" data-testid="inbox-count">
                {move || {
                    let waiting = waiting.get();
                    if waiting > SHOWN {
                        format!("{waiting} waiting (oldest {SHOWN} shown)")
                    } else {
                        format!("{waiting} waiting")
                    }
                }}
            </p>
            <ul class="inbox-list" data-testid="inbox-list" tabindex="0"
                aria-label="Escalations waiting for review" on:keydown=on_key>
                {keyed_list(move || items.get().into_iter().map(|item| {
                    Row::new(item.id.to_string(), move || view! {
                        <InboxItemView item=item current=Signal::derive(current) on_select=selected on_resolve=resolve />
                    }.into_any())
                }).collect())}
            </ul>
            <h3 class="panel-subtitle">"Recently resolved"</h3>
            <ul class="inbox-history" data-testid="inbox-history">
                {keyed_list(move || history.get().into_iter().map(|resolved| {
                    Row::new(resolved.seq.to_string(), move || view! {
                    <li class="inbox-history-item" data-testid="inbox-history-item">
                        {verdict_badge(resolved.verdict)}
                        <span class="mono">{resolved.agent}</span>
                        " " <span class="mono">{resolved.action}</span>
                        " by " <strong data-testid="inbox-history-by">{resolved.by}</strong>
                        " at " {resolved.at.to_string()} ": " {resolved.reason}
                        {resolved.comment.map(|c| view! { <q data-testid="inbox-history-comment">{c}</q> })}
                    </li>
                    }.into_any())
                }).collect())}
            </ul>
        </Panel>
    }
}

#[component]
fn InboxItemView(
    item: InboxItem,
    current: Signal<Option<RequestId>>,
    on_select: RwSignal<Option<RequestId>>,
    on_resolve: impl Fn(RequestId, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let id = item.id;
    let deadline = item.deadline;
    let is_current = move || current.get() == Some(id);
    view! {
        <li class="inbox-item" class:inbox-item--selected=is_current data-testid="inbox-item"
            data-request-id=id.to_string() aria-current=move || is_current().to_string()
            on:click=move |_| on_select.set(Some(id))>
            <div class="inbox-item-head">
                <span class="mono" data-testid="inbox-agent">{item.agent}</span>
                " wants " <span class="mono" data-testid="inbox-action">{item.action}</span>
                " costing " <span data-testid="inbox-cost">{item.cost}</span>
                <span class="inbox-countdown" data-testid="inbox-countdown"
                    title="Time left before this is denied by timeout">
                    {move || countdown(state.now().until(deadline))}
                </span>
            </div>
            <p class="inbox-reason">
                <span class="policy-name">{item.policy}</span> ": " {item.reason}
            </p>
            <pre class="inbox-parameters" data-testid="inbox-parameters">{item.parameters}</pre>
            <p class="inbox-hash">
                "Request hash " <span class="mono" data-testid="inbox-hash" title=item.hash.clone()>
                    {item.hash.chars().take(12).collect::<String>()} "…"
                </span>
            </p>
            <div class="form-actions">
                <button class="button button--approve" data-testid="inbox-approve"
                    on:click=move |ev| { ev.stop_propagation(); on_resolve(id, true); }>
                    "Approve"
                </button>
                <button class="button button--deny" data-testid="inbox-deny"
                    on:click=move |ev| { ev.stop_propagation(); on_resolve(id, false); }>
                    "Deny"
                </button>
            </div>
        </li>
    }
}
