//! The audit trail, newest first: filter by agent, verdict and action type, or
//! show only refused actions; follow the newest record or hold the view still
//! while reading; open a row to see everything recorded about it, a
//! configuration change field by field. Below, the spending report and
//! escalation statistics. Only the rows in view are rendered, so a trail of
//! millions of records scrolls smoothly.

use super::format::{verdict_badge, verdict_label};
use super::lists::{keyed_list, CollectAny, Row};
use super::{ConsoleState, Panel};
use crate::console::config_diff::config_changes;
use crate::console::{action_names, audit_detail, AuditDetail, AuditFilter};
use crate::governance::{AuditEvent, Verdict};
use crate::ui::reactive::{effect, memo};
use leptos::prelude::*;

/// Row height and viewport height in pixels (the stylesheet uses the same).
/// Whole pixels: positions are written by integer formatting.
const ROW_HEIGHT: f64 = 40.0;
const VIEWPORT_HEIGHT: f64 = 400.0;
/// Rows rendered beyond the visible ones, so fast scrolling shows no gaps.
const OVERSCAN: usize = 6;

#[derive(Clone, Debug, PartialEq)]
struct AuditRow {
    seq: u64,
    at: String,
    kind: &'static str,
    agent: String,
    action: String,
    cost: String,
    verdict: Option<Verdict>,
    policy: String,
    detail: String,
}

#[component]
pub fn AuditPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let agent = RwSignal::new(String::new());
    let verdict = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let refusals_only = RwSignal::new(false);
    let scroll_top = RwSignal::new(0.0f64);
    // Keep the newest record in view, or hold the rows being read still.
    let follow = RwSignal::new(true);
    // The record opened below the trail, as it read when opened.
    let opened = RwSignal::new(None::<AuditDetail>);
    let viewport = NodeRef::<leptos::html::Div>::new();
    // The match count last seen; `usize::MAX` after a new filter.
    let seen = StoredValue::new(usize::MAX);

    effect(move || {
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        let filter = AuditFilter {
            agent: non_empty(agent.get()),
            verdict: Verdict::ALL
                .into_iter()
                .find(|v| v.as_str() == verdict.get()),
            action: non_empty(action.get()),
            refusals_only: refusals_only.get(),
        };
        state.set_audit_filter(filter);
        seen.set_value(usize::MAX);
    });

    let agents = memo(move || {
        state.read_late(|sim| {
            sim.plane()
                .agents()
                .map(|a| sim.plane().agent_name(a).to_string())
                .collect::<Vec<_>>()
        })
    });
    let actions = memo(move || state.read_late(|sim| action_names(sim.plane())));
    let total = memo(move || state.audit_view(|view, _| view.matches().len()));
    let rows = memo(move || {
        let first = (scroll_top.get() / ROW_HEIGHT).floor().max(0.0) as usize;
        let first = first.saturating_sub(OVERSCAN);
        let count = (VIEWPORT_HEIGHT / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        // Rows are keyed by record and currency: a new currency redraws them.
        let currency = state.currency();
        state.audit_view(|view, sim| {
            let plane = sim.plane();
            let audit = plane.audit();
            view.matches()
                .iter()
                .rev()
                .skip(first)
                .take(count)
                .enumerate()
                .map(|(offset, &seq)| {
                    let record = audit.record(seq as usize);
                    let line = plane.audit_line(&record);
                    let detail = match &record.event {
                        AuditEvent::ConfigChanged {
                            actor,
                            before,
                            after,
                        } => {
                            let changes = config_changes(before, after);
                            let mut text = format!("configuration changed by {actor}");
                            if let Some(first) = changes.first() {
                                text.push_str(": ");
                                text.push_str(&first.sentence());
                            }
                            if changes.len() > 1 {
                                text.push_str(&format!(" and {} more", changes.len() - 1));
                            }
                            text
                        }
                        AuditEvent::KillSwitchActivated {
                            actor,
                            reason,
                            target,
                        } => {
                            let scope =
                                target.as_ref().map(ToString::to_string).unwrap_or_default();
                            format!("kill switch{scope} activated by {actor}: {reason}")
                        }
                        AuditEvent::KillSwitchDeactivated { actor, target } => {
                            let scope =
                                target.as_ref().map(ToString::to_string).unwrap_or_default();
                            format!("kill switch{scope} deactivated by {actor}")
                        }
                        _ => {
                            let mut text = line.reason.clone().unwrap_or_default();
                            if let Some(reviewer) = &line.reviewer {
                                text.push_str(&format!(" ({reviewer})"));
                            }
                            text
                        }
                    };
                    (
                        first + offset,
                        AuditRow {
                            seq: record.seq,
                            at: record.at.to_string(),
                            kind: record.kind(),
                            agent: line.agent.unwrap_or_default(),
                            action: line.action_type.unwrap_or_default(),
                            cost: line.cost.map(|c| currency.cost(c)).unwrap_or_default(),
                            verdict: line.verdict,
                            policy: line.policy.unwrap_or_default(),
                            detail,
                        },
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    // New records go on top: following, the view stays at the top; holding,
    // it moves down with the rows it shows.
    effect(move || {
        let now = total.get();
        let before = seen.get_value();
        seen.set_value(now);
        if let Some(element) = viewport.get_untracked() {
            if follow.get_untracked() {
                // Only when not at the top already: setting a scroll position
                // lays the panel out, even while it is out of view.
                if scroll_top.get_untracked() != 0.0 {
                    element.set_scroll_top(0);
                }
            } else if before != usize::MAX && now > before {
                let moved = (now - before) as f64 * ROW_HEIGHT;
                let top = element.scroll_top() as f64 + moved;
                element.set_scroll_top(top as i32);
                // The rows drawn follow at once, not at the next scroll event.
                scroll_top.set(element.scroll_top() as f64);
            }
        }
    });
    let report = memo(move || state.read_late(|sim| sim.plane().spending_report()));
    let escalations = memo(move || state.read_late(|sim| sim.plane().escalation_stats()));
    let refused = memo(move || state.read_late(|sim| sim.plane().audit().refusal_count()));

    view! {
        <Panel testid="panel-audit" title="Audit trail">
            <div class="audit-filters" role="group" aria-label="Filter the audit trail">
                <label class="field field--inline">
                    <span>"Agent"</span>
                    // Searchable: the browser suggests matching names as
                    // one types. A known name (or nothing) applies as it is
                    // typed or picked; Enter applies any name, so a name no
                    // agent has shows that no record matches.
                    <input type="search" list="audit-agents" data-testid="audit-filter-agent"
                        placeholder="All agents" autocomplete="off"
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            if typed.is_empty() || agents.with_untracked(|names| names.contains(&typed)) {
                                agent.set(typed);
                            }
                        }
                        on:change=move |ev| agent.set(event_target_value(&ev).trim().to_owned()) />
                    <datalist id="audit-agents">
                        {move || agents.get().into_iter().map(|name| view! { <option value=name></option> }).collect_any()}
                    </datalist>
                </label>
                <label class="field field--inline">
                    <span>"Verdict"</span>
                    <select data-testid="audit-filter-verdict" on:change=move |ev| verdict.set(event_target_value(&ev))>
                        <option value="">"All verdicts"</option>
                        {Verdict::ALL.into_iter().map(|v| view! { <option value=v.as_str()>{verdict_label(v)}</option> }).collect_any()}
                    </select>
                </label>
                <label class="field field--inline">
                    <span>"Action type"</span>
                    <select data-testid="audit-filter-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">"All types"</option>
                        {move || actions.get().into_iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect_any()}
                    </select>
                </label>
                <label class="field field--inline">
                    <input type="checkbox" data-testid="audit-refusals-only"
                        on:change=move |ev| refusals_only.set(event_target_checked(&ev)) />
                    <span>"Denied and rate-limited only"</span>
                </label>
                <label class="field field--inline">
                    <input type="checkbox" data-testid="audit-follow" prop:checked=move || follow.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            follow.set(on);
                            if let (true, Some(element)) = (on, viewport.get_untracked()) {
                                element.set_scroll_top(0);
                            }
                        } />
                    <span>"Follow the newest"</span>
                </label>
                <span class="audit-count" data-testid="audit-count" aria-live="polite">
                    {move || format!("{} records", total.get())}
                </span>
            </div>
            <div class="audit-viewport" data-testid="audit-viewport" tabindex="0" role="table" node_ref=viewport
                aria-label="Audit records, newest first" aria-rowcount=move || total.get().to_string()
                on:scroll=move |ev| {
                    let top = event_target::<web_sys::HtmlElement>(&ev).scroll_top() as f64;
                    scroll_top.set(top);
                    // Scrolling down to read stops following.
                    if top >= ROW_HEIGHT && follow.get_untracked() {
                        follow.set(false);
                    }
                }>
                <div class="audit-header" role="row">
                    <span role="columnheader">"#"</span><span role="columnheader">"Time"</span>
                    <span role="columnheader">"Agent"</span><span role="columnheader">"Action"</span>
                    <span role="columnheader">"Cost"</span><span role="columnheader">"Verdict"</span>
                    <span role="columnheader">"Policy"</span><span role="columnheader">"Reason"</span>
                </div>
                <div class="audit-spacer" style=move || format!("height: {}px", total.get() as u64 * ROW_HEIGHT as u64)>
                    // Keyed by record: a row that stays in view keeps its
                    // element (and a click or the focus on it) while records
                    // arrive; only its position moves.
                    {keyed_list(move || rows.get().into_iter().map(|(_, row)| {
                        Row::new(format!("{}:{}", row.seq, state.currency_untracked().code()), move || view! { <AuditRowView row=row rows=rows opened=opened /> }.into_any())
                    }).collect())}
                </div>
            </div>
            {move || opened.get().map(|detail| view! {
                <section class="audit-detail-view" data-testid="audit-detail" aria-label="Audit record detail">
                    <button class="button button--small" data-testid="audit-detail-close" on:click=move |_| opened.set(None)>"Close"</button>
                    <p class="audit-detail-text">{detail.facts.clone()}</p>
                    {(!detail.changes.is_empty()).then(|| view! {
                        <p class="audit-detail-text audit-config-diff" data-testid="audit-config-diff">{detail.changes_text()}</p>
                    })}
                    {detail.parameters.map(|p| view! { <pre class="inbox-parameters" data-testid="audit-detail-parameters">{p}</pre> })}
                </section>
            })}
            <h3 class="panel-subtitle">"Spending report"</h3>
            <dl class="facts facts--report" data-testid="spending-report">
                {move || {
                    let (r, e, refused) = (report.get(), escalations.get(), refused.get());
                    let currency = state.currency();
                    let or = |v: Option<crate::governance::Money>, none: &str| v.map_or(none.to_owned(), |v| currency.format(v));
                    view! {
                        <dt>"Spent"</dt><dd data-testid="report-total">{currency.format(r.total)}</dd>
                        <dt>"Budget"</dt><dd data-testid="report-limit">{or(r.limit, "none")}</dd>
                        <dt>"Escalation threshold"</dt><dd>{or(r.threshold, "none")}</dd>
                        <dt>"Remaining"</dt><dd data-testid="report-remaining">{or(r.remaining, "—")}</dd>
                        <dt>"Refused actions"</dt><dd data-testid="report-refused">{refused}</dd>
                        <dt>"Escalations"</dt>
                        <dd data-testid="report-escalations">{format!(
                            "{} raised, {} waiting, {} approved, {} denied by reviewers, {} overruled by re-check, {} timed out, {} cancelled by the kill switch",
                            e.escalated, e.pending, e.approved, e.denied_by_reviewer, e.approvals_overruled, e.timed_out, e.cancelled_by_kill_switch
                        )}</dd>
                    }
                }}
            </dl>
        </Panel>
    }
}

#[component]
fn AuditRowView(
    row: AuditRow,
    rows: Memo<Vec<(usize, AuditRow)>>,
    opened: RwSignal<Option<AuditDetail>>,
) -> impl IntoView {
    let seq = row.seq as usize;
    let style = move || {
        rows.with(|rows| {
            let position = rows
                .iter()
                .find(|(_, r)| r.seq as usize == seq)
                .map_or(0, |(p, _)| *p);
            format!("top: {}px", position as u64 * ROW_HEIGHT as u64)
        })
    };
    let state = expect_context::<ConsoleState>();
    let open = move || {
        let currency = state.currency_untracked();
        opened.set(state.peek(|sim| audit_detail(sim.plane(), seq, currency)))
    };
    view! {
        <div class="audit-row" role="row" data-testid="audit-row" data-seq=row.seq.to_string() style=style
            tabindex="0" title="Open this record" on:click=move |_| open()
            on:keydown=move |ev| if ev.key() == "Enter" { open() }>
            <span role="cell" class="mono">{row.seq}</span>
            <span role="cell" class="mono">{row.at}</span>
            <span role="cell" class="mono">{row.agent}</span>
            <span role="cell" class="mono">{row.action}</span>
            <span role="cell" class="numeric">{row.cost}</span>
            <span role="cell">{match row.verdict {
                Some(v) => verdict_badge(v).into_any(),
                None => view! { <span class="badge badge--event">{row.kind.replace('_', " ")}</span> }.into_any(),
            }}</span>
            <span role="cell" class="mono">{row.policy}</span>
            <span role="cell" class="audit-reason" data-testid="audit-reason" title=row.detail.clone()>{row.detail.clone()}</span>
        </div>
    }
}
