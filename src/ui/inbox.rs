//! The escalation inbox: what waits for a human, with everything needed to
//! judge it, a live countdown to its timeout, and approve or deny by button or
//! keyboard. The list is one tab stop: ↑/↓ or j/k move, Home/End jump, a
//! approves and d denies the selected item, which stays in view and is
//! announced; after a decision the next item is selected. While the pointer
//! or focus is in the list it holds still ([`InboxList`]): arrivals wait
//! behind an "N new" control and items that leave stay, marked. Filters by
//! policy and action type, and a bulk denial of the filtered set after a
//! confirmation. Below, the latest resolutions and who made them; above, the
//! reviewer's recent approvals, with a warning past the fatigue threshold.

use super::format::countdown;
use super::lists::{keyed_list, CollectAny, Row};
use super::{ConsoleState, Panel};
use crate::console::inbox::{filtered_queue, is_urgent, real_time_left, InboxList};
use crate::console::{action_names, fatigue_reading, review_outcome, Tone};
use crate::governance::{Millis, Money, RequestId, Review, TimeoutOutcome, Timestamp};
use crate::ui::reactive::{effect, memo};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Clone, Debug, PartialEq)]
struct InboxItem {
    id: RequestId,
    agent: String,
    action: String,
    cost: Money,
    policy: String,
    reason: String,
    parameters: String,
    escalated_at: Timestamp,
    deadline: Timestamp,
    /// Its policy lets silence approve (after a re-check) instead of deny.
    silence_allows: bool,
    /// The request's hash as shown; an approval is bound to it.
    hash: String,
}

/// Items listed at once; the rest wait their turn (the count shows them).
const SHOWN: usize = 50;

/// The element id of an item, for `aria-activedescendant`.
fn item_dom_id(id: RequestId) -> String {
    format!("inbox-item-{id}")
}

/// Scrolls the list just enough to show the item with `dom_id`.
fn keep_in_view(list: &web_sys::HtmlElement, dom_id: &str) {
    let Some(item) = list
        .query_selector(&format!("#{dom_id}"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // An item out of the list's view is not laid out (`content-visibility:
    // auto`) and measures as its placeholder: laid out, it measures true.
    let _ = item.set_attribute("style", "content-visibility:visible");
    let (top, bottom) = (item.offset_top(), item.offset_top() + item.offset_height());
    if top < list.scroll_top() {
        list.set_scroll_top(top);
    } else if bottom > list.scroll_top() + list.client_height() {
        list.set_scroll_top(bottom - list.client_height());
    }
}

#[component]
pub fn InboxPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    // Filters: a policy name and an action type, empty for all.
    let policy_filter = RwSignal::new(String::new());
    let action_filter = RwSignal::new(String::new());
    let list = RwSignal::new(InboxList::<InboxItem>::new(SHOWN));
    // How many wait within the filter.
    let matching = RwSignal::new(0usize);
    let (pointer_in, focus_in) = (RwSignal::new(false), RwSignal::new(false));
    let selected = RwSignal::new(None::<RequestId>);
    let comment = RwSignal::new(String::new());
    // After a decision: how it reads (`None` for an error) and the text.
    let message = RwSignal::new(None::<(Option<Tone>, String)>);
    let list_ref = NodeRef::<leptos::html::Ul>::new();

    // The queue within the filter: its first `limit` ids, and how many wait.
    let queue = move |sim: &crate::sim::Simulation, limit: usize| {
        filtered_queue(
            sim.plane(),
            &policy_filter.get(),
            &action_filter.get(),
            limit,
        )
    };
    let build = move |sim: &crate::sim::Simulation, id: RequestId| {
        let plane = sim.plane();
        let p = plane.pending_escalation(id).expect("listed while waiting");
        InboxItem {
            id,
            agent: plane.agent_name(p.request.agent).to_string(),
            action: plane.action_name(p.request.action).to_string(),
            cost: p.request.cost,
            policy: p.escalation.decided_by.policy_name().to_owned(),
            reason: p.escalation.reason.to_string(),
            parameters: serde_json::to_string_pretty(&*p.request.parameters).unwrap_or_default(),
            escalated_at: p.escalated_at,
            deadline: p.deadline,
            silence_allows: p.on_timeout == TimeoutOutcome::Allow,
            hash: p.hash().to_string(),
        }
    };
    // Follows the queue, or holds still while the reader is in the list.
    effect(move || {
        let held = pointer_in.get() || focus_in.get();
        state.read(|sim| {
            let (first, total) = queue(sim, SHOWN);
            matching.set(total);
            list.update(|l| {
                l.hold(held);
                l.update(
                    &first,
                    total,
                    |id| sim.plane().pending_escalation(id).is_some(),
                    |id| build(sim, id),
                );
            });
        });
    });
    let show_new = move || {
        state.peek(|sim| {
            let (first, _) = queue(sim, SHOWN);
            list.update(|l| l.show_new(&first, |id| build(sim, id)));
        });
    };
    // A new filter lists its matches at once.
    effect(move || {
        policy_filter.track();
        action_filter.track();
        show_new();
    });
    let policies = memo(move || {
        state.read(|sim| {
            sim.plane()
                .config()
                .policies
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        })
    });
    let actions = memo(move || state.read(|sim| action_names(sim.plane())));
    let waiting = memo(move || state.read(|sim| sim.plane().escalation_stats().pending));
    let fatigue = move || {
        let reviewer = state.reviewer.get();
        state.read(|sim| {
            let plane = sim.plane();
            let (count, above) = plane.approvals_by(&reviewer);
            fatigue_reading(count, above, &plane.config().approval_fatigue)
        })
    };

    // The selection: the chosen item while it is listed, else the first.
    let current = memo(move || {
        list.with(|l| {
            let entries = l.entries();
            selected
                .get()
                .filter(|id| entries.iter().any(|e| e.id == *id))
                .or_else(|| entries.first().map(|e| e.id))
        })
    });
    // The selected item stays in view.
    effect(move || {
        if let (Some(id), Some(ul)) = (current.get(), list_ref.get()) {
            keep_in_view(&ul, &item_dom_id(id));
        }
    });

    // Decides `id` with the comment; `Ok` with the outcome's tone and text.
    let decide = move |id: RequestId, approve: bool, text: String| {
        // Bound to the request exactly as the reviewer was shown it.
        let shown = list.with_untracked(|l| {
            l.entries()
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.item.hash.clone())
        });
        let review = Review {
            approve,
            reviewer: state.reviewer_name(),
            comment: (!text.trim().is_empty()).then_some(text),
            request_hash: shown,
        };
        state.command(|sim| {
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
        })
    };
    let resolve = move |id: RequestId, approve: bool| {
        match decide(id, approve, comment.get_untracked()) {
            Ok(((agent, action), decision)) => {
                comment.set(String::new());
                let outcome = review_outcome(approve, &agent, &action, &decision);
                message.set(Some((Some(outcome.tone), outcome.text)));
            }
            Err(error) => message.set(Some((None, error.to_string()))),
        }
        // Decided (or gone): the reader moved on, the next item is selected.
        // A request that still waits after an error stays where it is.
        if state.peek(|sim| sim.plane().pending_escalation(id).is_none()) {
            let mut next = None;
            list.update(|l| next = l.decided(id));
            selected.set(next);
        }
        // The buttons are out of the tab order: focus goes back to the list.
        if let Some(ul) = list_ref.get_untracked() {
            let _ = ul.focus();
        }
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // Shortcuts are plain keys: Ctrl+D or Cmd+A must never decide.
        // A held key does not decide item after item either.
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.repeat() {
            return;
        }
        let ids: Vec<RequestId> =
            list.with_untracked(|l| l.entries().iter().map(|e| e.id).collect());
        let Some(last) = ids.len().checked_sub(1) else {
            return;
        };
        let position = current
            .get_untracked()
            .and_then(|id| ids.iter().position(|i| *i == id))
            .unwrap_or(0);
        let go = |to: usize| {
            ev.prevent_default();
            selected.set(Some(ids[to]));
        };
        match ev.key().as_str() {
            "ArrowDown" | "j" => go((position + 1).min(last)),
            "ArrowUp" | "k" => go(position.saturating_sub(1)),
            "Home" => go(0),
            "End" => go(last),
            "a" => resolve(ids[position], true),
            "d" => resolve(ids[position], false),
            _ => {}
        }
    };

    // Bulk denial of what the filter matched when the confirmation opened
    // (a filter change closes it), with the comment field's text recorded on
    // each denial.
    let confirming = RwSignal::new(None::<Vec<RequestId>>);
    let filtered = move || !policy_filter.get().is_empty() || !action_filter.get().is_empty();
    let open_bulk = move || {
        let (ids, _) = state.peek(|sim| untrack(|| queue(sim, usize::MAX)));
        confirming.set(Some(ids));
    };
    let deny_matching = move || {
        let Some(ids) = confirming.get_untracked() else {
            return;
        };
        confirming.set(None);
        let text = comment.get_untracked();
        if text.trim().is_empty() {
            message.set(Some((
                None,
                "Write in the comment field why these are denied: it is recorded with each denial."
                    .into(),
            )));
            return;
        }
        // Each denied and audited as its own decision.
        let denied = ids
            .iter()
            .filter(|&&id| decide(id, false, text.clone()).is_ok())
            .count();
        comment.set(String::new());
        let text = if denied == ids.len() {
            format!("Denied all {denied}: none of them will run.")
        } else {
            format!(
                "Denied {denied} of {}; the others were no longer waiting.",
                ids.len()
            )
        };
        message.set(Some((Some(Tone::Neutral), text)));
        show_new();
    };

    view! {
        <Panel testid="panel-inbox" title="Escalation inbox">
            <p class="panel-hint">
                "Keyboard: Tab to the list, then ↑/↓ (or j/k), Home and End to move, a to approve, d to deny. "
                "While the pointer or focus is in the list it holds still. "
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
            <div class="inbox-filters" role="group" aria-label="Filter the inbox">
                <label class="field field--inline">
                    <span>"Policy"</span>
                    <select data-testid="inbox-filter-policy" on:change=move |ev| { confirming.set(None); policy_filter.set(event_target_value(&ev)) }>
                        <option value="">"All policies"</option>
                        {move || policies.get().into_iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect_any()}
                    </select>
                </label>
                <label class="field field--inline">
                    <span>"Action type"</span>
                    <select data-testid="inbox-filter-action" on:change=move |ev| { confirming.set(None); action_filter.set(event_target_value(&ev)) }>
                        <option value="">"All types"</option>
                        {move || actions.get().into_iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect_any()}
                    </select>
                </label>
                <button class="button button--deny" data-testid="inbox-bulk-deny"
                    disabled=move || !filtered() || matching.get() == 0
                    title="Choose a policy or an action type first"
                    on:click=move |_| open_bulk()>
                    {move || if filtered() {
                        format!("Deny all {} matching…", matching.get())
                    } else {
                        "Deny a filtered set…".to_owned()
                    }}
                </button>
            </div>
            {move || confirming.with(|ids| ids.as_ref().map(Vec::len)).map(|count| {
                // Focus moves to the confirmation; Escape cancels it.
                let confirm_ref = NodeRef::<leptos::html::Button>::new();
                confirm_ref.on_load(|button| { let _ = button.focus(); });
                view! {
                <p class="inbox-confirm form-warning" role="alert" data-testid="inbox-bulk-confirm-row"
                    on:keydown=move |ev| if ev.key() == "Escape" { confirming.set(None) }>
                    {format!("Deny {count} waiting requests, each recorded with the comment above? None of them will run. ")}
                    <button class="button button--danger" data-testid="inbox-bulk-confirm" node_ref=confirm_ref on:click=move |_| deny_matching()>"Deny them all"</button>
                    " "
                    <button class="button" data-testid="inbox-bulk-cancel" on:click=move |_| confirming.set(None)>"Cancel"</button>
                </p>
            }})}
            <p class="inbox-count" data-testid="inbox-count">
                {move || {
                    let waiting = waiting.get();
                    if waiting > SHOWN {
                        format!("{waiting} waiting (oldest {SHOWN} listed)")
                    } else {
                        format!("{waiting} waiting")
                    }
                }}
            </p>
            <div class="inbox-queue"
                // A mouse or pen holds the list while over it (a finger's
                // taps leave at once: focus holds it then); focus moving
                // within does not let go.
                on:pointerenter=move |ev| if ev.pointer_type() != "touch" { pointer_in.set(true) }
                on:pointerleave=move |ev| if ev.pointer_type() != "touch" { pointer_in.set(false) }
                on:focusin=move |_| focus_in.set(true)
                on:focusout=move |ev| {
                    let within = ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                    let inside = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                    if !matches!((inside, within), (Some(i), Some(w)) if i.contains(Some(&w))) {
                        focus_in.set(false);
                    }
                }>
                <ul class="inbox-list" data-testid="inbox-list" tabindex="0" role="listbox" node_ref=list_ref
                    aria-label="Escalations waiting for review"
                    aria-activedescendant=move || current.get().map(item_dom_id)
                    on:keydown=on_key>
                    {keyed_list(move || list.with(|l| l.entries().iter().map(|entry| {
                        let (item, gone) = (entry.item.clone(), entry.gone);
                        Row::new(format!("{}{}", entry.id, if gone { "-gone" } else { "" }), move || view! {
                            <InboxItemView item=item gone=gone current=current on_select=selected on_resolve=resolve />
                        }.into_any())
                    }).collect()))}
                </ul>
                {move || {
                    let new = list.with(|l| l.new_count());
                    (new > 0).then(|| view! {
                        <button class="button button--small inbox-new" data-testid="inbox-new-count" on:click=move |_| show_new()>
                            {format!("{new} new: show them")}
                        </button>
                    })
                }}
            </div>
        </Panel>
    }
}

#[component]
fn InboxItemView(
    item: InboxItem,
    /// The request no longer waits (it timed out or was decided elsewhere).
    gone: bool,
    current: Memo<Option<RequestId>>,
    on_select: RwSignal<Option<RequestId>>,
    on_resolve: impl Fn(RequestId, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let id = item.id;
    let (escalated_at, deadline, allows) = (item.escalated_at, item.deadline, item.silence_allows);
    let is_current = move || current.get() == Some(id);
    let left = move || state.now().until(deadline);
    let urgent = move || !gone && is_urgent(left(), escalated_at.until(deadline));
    let gone_text = move || {
        state.peek(|sim| match sim.plane().timed_out_at(id) {
            Some(at) if allows => format!(
                "Timed out at {at}: no longer waiting; silence let it run if the re-check passed."
            ),
            Some(at) => format!("Timed out at {at} and denied: no longer waiting."),
            None => "No longer waiting: decided elsewhere or stopped by a kill switch.".to_owned(),
        })
    };
    view! {
        <li class=move || {
                let mut class = String::from("inbox-item");
                for (on, name) in [(is_current(), " inbox-item--selected"), (urgent(), " inbox-item--urgent"), (gone, " inbox-item--gone")] {
                    if on {
                        class.push_str(name);
                    }
                }
                class
            } data-testid="inbox-item" id=item_dom_id(id) role="option"
            data-request-id=id.to_string() aria-selected=move || is_current().to_string()
            on:click=move |_| on_select.set(Some(id))>
            <div class="inbox-item-head">
                <span class="mono" data-testid="inbox-agent">{item.agent}</span>
                " wants " <span class="mono" data-testid="inbox-action">{item.action}</span>
                " costing " <span data-testid="inbox-cost">{move || state.currency().format(item.cost)}</span>
                {(!gone).then(|| view! {
                    <span class="inbox-countdown" data-testid="inbox-countdown"
                        title="Time left before this is denied by timeout">
                        {move || {
                            let left: Millis = left();
                            match real_time_left(left, state.speed.get()) {
                                Some(real) => format!("{} ({real})", countdown(left)),
                                None => countdown(left),
                            }
                        }}
                    </span>
                })}
            </div>
            {gone.then(|| view! { <p class="inbox-gone" data-testid="inbox-gone">{gone_text()}</p> })}
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
                // Out of the tab order: the list is one tab stop, a and d act.
                <button class="button button--approve" data-testid="inbox-approve" tabindex="-1" disabled=gone
                    on:click=move |ev| { ev.stop_propagation(); on_resolve(id, true); }>
                    "Approve"
                </button>
                <button class="button button--deny" data-testid="inbox-deny" tabindex="-1" disabled=gone
                    on:click=move |ev| { ev.stop_propagation(); on_resolve(id, false); }>
                    "Deny"
                </button>
            </div>
        </li>
    }
}
