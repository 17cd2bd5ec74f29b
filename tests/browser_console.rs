#![cfg(target_arch = "wasm32")]
//! The console in a real browser: each test mounts it into a fresh element,
//! acts as a reviewer would (click, type, keys), lets the reactive system
//! settle, and checks what the reviewer would see.

use agent_governance_console::console::session::SavedKillSwitch;
use agent_governance_console::console::SavedSession;
use agent_governance_console::governance::{
    ConflictStrategy, GovernanceConfig, Millis, Money, RequestId, RequestInput, Verdict,
};
use agent_governance_console::sim::FleetSettings;
use agent_governance_console::ui::{Console, ConsoleState};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

mod browser_support;

use browser_support::{settle, Page};

wasm_bindgen_test_configure!(run_in_browser);

struct Mounted {
    root: HtmlElement,
    /// The console's state, when the test created it (not when it restores
    /// from storage).
    state: Option<ConsoleState>,
    _handle: Box<dyn std::any::Any>,
}

fn session(edit: impl FnOnce(&mut GovernanceConfig)) -> SavedSession {
    let mut config = GovernanceConfig::default();
    edit(&mut config);
    SavedSession {
        config,
        fleet: FleetSettings::default(),
        reviewer: "riley".into(),
        ..SavedSession::default()
    }
}

/// Leaves out the named default policies: for tests written about the
/// policies that remain (the per-action cap would deny their 5.00 requests,
/// high-risk review would hold their `deploy`).
fn without(config: &mut GovernanceConfig, names: &[&str]) {
    config
        .policies
        .retain(|p| !names.contains(&p.name.as_str()));
}

fn mount(session: SavedSession, live: bool) -> Mounted {
    browser_support::use_stylesheet();
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let state = ConsoleState::new(&session).unwrap();
    if live {
        state.speed.set(session.speed);
    }
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <Console state=state live=live /> }
    });
    Mounted {
        root,
        state: Some(state),
        _handle: Box::new(handle),
    }
}

impl Page for Mounted {
    fn root(&self) -> &HtmlElement {
        &self.root
    }
}

impl Mounted {
    fn state(&self) -> ConsoleState {
        self.state.expect("this test created the console's state")
    }

    /// The number of records the audit trail says it holds.
    fn records_shown(&self) -> usize {
        self.text("audit-count")
            .split(' ')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
    }

    fn press(&self, testid: &str, key: &str) {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        self.one(testid).dispatch_event(&event).unwrap();
    }

    /// Runs the simulation until an escalation waits, as the reviewer would by
    /// letting it play.
    fn until_escalation(&self) {
        for _ in 0..600 {
            if self
                .state()
                .peek(|sim| sim.plane().pending_escalations().count())
                > 0
            {
                return;
            }
            self.state().command(|sim| sim.advance(Millis(500)));
        }
        panic!("no escalation in five minutes of simulation");
    }

    fn total_spend(&self) -> String {
        self.state()
            .peek(|sim| format!("${}", sim.plane().total_spend()))
    }
}

#[wasm_bindgen_test]
async fn the_kill_switch_stops_all_execution_and_the_fleet_shows_it() {
    let console = mount(session(|_| {}), false);
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(20)));
    settle().await;
    assert!(console.find("kill-switch-banner").is_none());

    console.click("kill-switch-open");
    settle().await;
    // No reason, no activation.
    console.click("kill-switch-confirm");
    settle().await;
    assert!(console
        .text("kill-switch-error")
        .contains("a reason is required"));
    assert!(console
        .state()
        .peek(|sim| sim.plane().kill_switch().is_none()));

    console.type_into("kill-switch-reason", "runaway spend on payments");
    console.click("kill-switch-confirm");
    settle().await;
    assert!(console
        .text("kill-switch-banner")
        .contains("KILL SWITCH ACTIVE"));
    assert_eq!(console.text("kill-switch-actor"), "riley");
    assert_eq!(
        console.text("kill-switch-reason-shown"),
        "runaway spend on payments"
    );
    let statuses: Vec<String> = console
        .all("agent-status")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert!(!statuses.is_empty());
    assert!(statuses.iter().all(|s| s == "Halted"), "{statuses:?}");

    let spend = console.total_spend();
    let records = console.state().peek(|sim| sim.plane().audit().len());
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(60)));
    settle().await;
    assert_eq!(console.total_spend(), spend, "nothing executed");
    assert!(
        console.state().peek(|sim| sim.plane().audit().len()) > records,
        "requests were denied, not dropped"
    );
    assert_eq!(console.text("report-total"), spend);

    console.click("kill-switch-deactivate");
    settle().await;
    assert!(console.find("kill-switch-banner").is_none());
    assert!(console
        .all("agent-status")
        .iter()
        .all(|e| e.text_content().unwrap() != "Halted"));
}

#[wasm_bindgen_test]
async fn approving_an_inbox_item_executes_it_and_updates_spend_and_charts() {
    let console = mount(session(|_| {}), false);
    console.until_escalation();
    settle().await;
    let before = console.total_spend();
    let (id, cost, named) = console.state().peek(|sim| {
        let plane = sim.plane();
        let p = plane.pending_escalations().next().unwrap();
        let named = format!(
            "Approved and executed: {} {} ran.",
            plane.agent_name(p.request.agent),
            plane.action_name(p.request.action)
        );
        (p.request.id, p.request.cost, named)
    });
    let item = console.all("inbox-item").into_iter().next().unwrap();
    assert_eq!(
        item.get_attribute("data-request-id").unwrap(),
        id.to_string()
    );
    item.query_selector("[data-testid='inbox-approve']")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;

    let after = console.state().peek(|sim| sim.plane().total_spend());
    let expected = Money::from_f64(before.trim_start_matches('$').parse().unwrap())
        .unwrap()
        .saturating_add(cost);
    assert_eq!(after, expected, "the approved cost was added to spend");
    assert_eq!(console.text("report-total"), format!("${after}"));
    assert_eq!(console.text("chart-spend-total"), format!("${after}"));
    // The feedback names the request it was about.
    assert!(console.text("inbox-message").contains(&named));
    assert!(console
        .one("inbox-message")
        .class_list()
        .contains("form-status"));
    // The audit trail, newest first, shows the resolution and who made it.
    let reasons = audit_reasons(&console);
    assert!(
        reasons.contains("approved by reviewer (riley)"),
        "{reasons}"
    );
    assert!(console
        .state()
        .peek(|sim| sim.plane().pending_escalation(id).is_none()));
}

#[wasm_bindgen_test]
async fn denying_records_the_reviewer_and_comment() {
    let console = mount(session(|_| {}), false);
    console.until_escalation();
    settle().await;
    console.type_into("reviewer-name", "dana");
    console.type_into("inbox-comment", "not during the freeze");
    settle().await;
    let id: RequestId = console
        .state()
        .peek(|sim| sim.plane().pending_escalations().next().unwrap().request.id);
    console.click("inbox-deny");
    settle().await;
    let message = console.one("inbox-message");
    assert!(message.text_content().unwrap().starts_with("Denied"));
    assert!(
        !message.class_list().contains("form-status"),
        "a denial is not confirmed in green"
    );
    // The newest record is the denial; its detail has the comment.
    let reasons = audit_reasons(&console);
    assert!(reasons.contains("denied by reviewer (dana)"), "{reasons}");
    open_newest_audit_record(&console);
    settle().await;
    let detail = console.text("audit-detail");
    assert!(detail.contains("Reviewer: dana"), "{detail}");
    assert!(
        detail.contains("Comment: not during the freeze"),
        "{detail}"
    );
    let line = console.last_line_of(id);
    assert_eq!(line.verdict, Some(Verdict::Denied));
    assert_eq!(line.reviewer.as_deref(), Some("dana"));
    assert_eq!(line.comment.as_deref(), Some("not during the freeze"));
}

#[wasm_bindgen_test]
async fn keyboard_shortcuts_move_through_the_inbox_and_decide() {
    let console = mount(session(|c| c.escalation_timeout_secs = 3_600.0), false);
    for _ in 0..600 {
        if console
            .state()
            .peek(|sim| sim.plane().pending_escalations().count())
            >= 2
        {
            break;
        }
        console.state().command(|sim| sim.advance(Millis(1_000)));
    }
    settle().await;
    let ids: Vec<RequestId> = console.state().peek(|sim| {
        sim.plane()
            .pending_escalations()
            .map(|p| p.request.id)
            .collect()
    });
    assert!(ids.len() >= 2);
    console.press("inbox-list", "j");
    settle().await;
    let selected = console
        .root
        .query_selector(".inbox-item--selected")
        .unwrap()
        .unwrap();
    assert_eq!(
        selected.get_attribute("data-request-id").unwrap(),
        ids[1].to_string()
    );
    console.press("inbox-list", "d");
    settle().await;
    assert!(console
        .state()
        .peek(|sim| sim.plane().pending_escalation(ids[1]).is_none()));
    assert!(console
        .state()
        .peek(|sim| sim.plane().pending_escalation(ids[0]).is_some()));
}

impl Mounted {
    /// Runs the simulation until at least `n` escalations wait.
    fn until_waiting(&self, n: usize) {
        for _ in 0..3_000 {
            if self
                .state()
                .peek(|sim| sim.plane().pending_escalations().count())
                >= n
            {
                return;
            }
            self.state().command(|sim| sim.advance(Millis(1_000)));
        }
        panic!("fewer than {n} escalations in 50 minutes of simulation");
    }

    /// The newest audit record about request `id`, as exported.
    fn last_line_of(&self, id: RequestId) -> agent_governance_console::governance::AuditLine {
        self.state().peek(|sim| {
            let plane = sim.plane();
            let record = plane.audit().of_request(id).last().unwrap();
            plane.audit_line(&record)
        })
    }

    /// The request ids the inbox lists, top to bottom.
    fn listed(&self) -> Vec<String> {
        self.all("inbox-item")
            .iter()
            .map(|e| e.get_attribute("data-request-id").unwrap())
            .collect()
    }

    /// The request id of the selected item.
    fn selected_id(&self) -> String {
        self.selected_item()
            .get_attribute("data-request-id")
            .unwrap()
    }

    fn selected_item(&self) -> web_sys::Element {
        self.root
            .query_selector(".inbox-item--selected")
            .unwrap()
            .expect("an item is selected")
    }

    /// The reader's focus enters the list (the event a browser sends).
    fn focus_list(&self) {
        self.one("inbox-list")
            .dispatch_event(&browser_support::event("focusin"))
            .unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_selection_stays_in_view_is_announced_and_moves_on_after_a_decision() {
    let console = mount(session(|c| c.escalation_timeout_secs = 86_400.0), false);
    console.until_waiting(12);
    settle().await;
    let list = console.one("inbox-list").unchecked_into::<HtmlElement>();
    // One tab stop: the list; its buttons are left to the a and d keys.
    assert_eq!(list.tab_index(), 0);
    assert!(console
        .all("inbox-approve")
        .iter()
        .chain(console.all("inbox-deny").iter())
        .all(|b| b.get_attribute("tabindex").as_deref() == Some("-1")));
    console.focus_list();
    for _ in 0..9 {
        console.press("inbox-list", "j");
        settle().await;
    }
    let listed = console.listed();
    let selected = console.selected_item().unchecked_into::<HtmlElement>();
    assert_eq!(
        selected.get_attribute("data-request-id").unwrap(),
        listed[9]
    );
    // Within the list's visible box, and announced as the active option.
    assert!(selected.offset_top() >= list.scroll_top());
    assert!(
        selected.offset_top() + selected.offset_height()
            <= list.scroll_top() + list.client_height(),
        "the selection is scrolled into view"
    );
    assert_eq!(
        list.get_attribute("aria-activedescendant").unwrap(),
        selected.id()
    );
    assert_eq!(selected.get_attribute("aria-selected").unwrap(), "true");

    // Deciding moves the selection to the next item, not back to the top.
    console.press("inbox-list", "d");
    settle().await;
    assert_eq!(console.selected_id(), listed[10]);
    assert!(!console.listed().contains(&listed[9]));
    assert!(console.text("inbox-message").contains("will not run"));

    // A decision that is refused (here, a reviewer name with a control
    // character) leaves the item where it is, still selected.
    console.type_into("reviewer-name", "ri\u{7}ley");
    console.press("inbox-list", "a");
    settle().await;
    assert_eq!(console.listed().len(), listed.len() - 1);
    assert_eq!(console.selected_id(), listed[10]);
    assert!(console
        .one("inbox-message")
        .class_list()
        .contains("field-error"));
    console.type_into("reviewer-name", "riley");

    console.press("inbox-list", "End");
    settle().await;
    let now = console.listed();
    assert_eq!(console.selected_id(), *now.last().unwrap());
    console.press("inbox-list", "Home");
    settle().await;
    assert_eq!(console.selected_id(), now[0]);
    // A modified key is not a shortcut: Ctrl+D decides nothing.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("d");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    list.dispatch_event(
        &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
    )
    .unwrap();
    settle().await;
    assert_eq!(console.listed(), now);
}

#[wasm_bindgen_test]
async fn while_the_reader_is_in_the_list_arrivals_wait_and_timeouts_stay_in_place() {
    let console = mount(session(|c| c.escalation_timeout_secs = 60.0), false);
    console.until_waiting(3);
    settle().await;
    console.focus_list();
    settle().await;
    let before = console.listed();
    // A minute later the listed ones have timed out and others arrived.
    console.state().command(|sim| sim.advance(Millis(61_000)));
    console.until_waiting(2);
    settle().await;
    assert_eq!(console.listed(), before, "nothing moved under the reader");
    let gone = console.all("inbox-gone");
    assert_eq!(gone.len(), before.len());
    assert!(gone[0].text_content().unwrap().starts_with("Timed out at"));
    let waiting = console
        .state()
        .peek(|sim| sim.plane().pending_escalations().count());
    assert_eq!(
        console.text("inbox-new-count"),
        format!("{waiting} new: show them")
    );
    // Deciding a timed-out item says so and changes nothing.
    console.press("inbox-list", "a");
    settle().await;
    assert!(console.text("inbox-message").contains("timed out"));

    console.click("inbox-new-count");
    settle().await;
    assert_eq!(console.listed().len(), waiting);
    assert!(console.find("inbox-gone").is_none());
    assert!(console.find("inbox-new-count").is_none());
}

#[wasm_bindgen_test]
async fn a_filtered_set_is_denied_in_bulk_each_as_its_own_decision() {
    let console = mount(session(|c| c.escalation_timeout_secs = 86_400.0), false);
    console.until_waiting(6);
    settle().await;
    let pending = |action: &str| -> Vec<RequestId> {
        console.state().peek(|sim| {
            let plane = sim.plane();
            plane
                .pending_escalations()
                .filter(|p| &**plane.action_name(p.request.action) == action)
                .map(|p| p.request.id)
                .collect()
        })
    };
    let all = console
        .state()
        .peek(|sim| sim.plane().pending_escalations().count());
    let action = console.state().peek(|sim| {
        let p = sim.plane().pending_escalations().next().unwrap();
        sim.plane().action_name(p.request.action).to_string()
    });
    let targets = pending(&action);
    assert!(
        console.one("inbox-bulk-deny").has_attribute("disabled"),
        "without a filter there is no bulk denial"
    );
    assert_eq!(console.text("inbox-bulk-deny"), "Deny a filtered set…");
    console.choose("inbox-filter-action", &action);
    settle().await;
    assert_eq!(console.listed().len(), targets.len());
    assert_eq!(
        console.text("inbox-bulk-deny"),
        format!("Deny all {} matching…", targets.len())
    );
    // Without a comment nothing is denied.
    console.click("inbox-bulk-deny");
    settle().await;
    console.click("inbox-bulk-confirm");
    settle().await;
    assert_eq!(pending(&action).len(), targets.len());
    assert!(console.text("inbox-message").contains("comment"));

    console.type_into("inbox-comment", "no bulk sends today");
    // A filter change closes the confirmation: it never denies another set.
    console.click("inbox-bulk-deny");
    settle().await;
    console.choose("inbox-filter-action", "");
    settle().await;
    assert!(console.find("inbox-bulk-confirm-row").is_none());
    console.choose("inbox-filter-action", &action);
    settle().await;
    console.click("inbox-bulk-deny");
    settle().await;
    assert!(console
        .text("inbox-bulk-confirm-row")
        .contains(&format!("Deny {}", targets.len())));
    console.click("inbox-bulk-confirm");
    settle().await;
    assert!(pending(&action).is_empty());
    assert_eq!(
        console
            .state()
            .peek(|sim| sim.plane().pending_escalations().count()),
        all - targets.len(),
        "only the filtered set was denied"
    );
    for id in targets {
        let line = console.last_line_of(id);
        assert_eq!(line.verdict, Some(Verdict::Denied));
        assert_eq!(line.reviewer.as_deref(), Some("riley"));
        assert_eq!(line.comment.as_deref(), Some("no bulk sends today"));
    }
}

#[wasm_bindgen_test]
async fn an_unanswered_escalation_times_out_on_its_own() {
    let mut live = session(|c| c.escalation_timeout_secs = 5.0);
    live.speed = agent_governance_console::console::Speed::X100;
    let console = mount(live, true);
    // At 100× a 5 s timeout passes in well under a second of real time, and
    // the busy speeds redraw a few times a second.
    let timed_out = || {
        console
            .state()
            .peek(|sim| sim.plane().escalation_stats().timed_out)
    };
    for _ in 0..100 {
        TimeoutFuture::new(100).await;
        if timed_out() > 0 {
            break;
        }
    }
    assert!(timed_out() > 0);
    // Paused, the trail narrowed to that agent's denials shows the timeout
    // (at 100× it scrolls past the rows in view within a tick).
    console.state().running.set(false);
    let agent = console.state().peek(|sim| {
        let plane = sim.plane();
        let record = plane
            .audit()
            .latest_resolutions()
            .find(|r| {
                r.decision().is_some_and(|d| {
                    d.decided_by
                        == agent_governance_console::governance::DecidedBy::EscalationTimeout
                })
            })
            .unwrap();
        plane
            .agent_name(record.request().unwrap().agent)
            .to_string()
    });
    console.type_into("audit-filter-agent", &agent);
    console.choose("audit-filter-verdict", "denied");
    settle().await;
    let reasons = audit_reasons(&console);
    assert!(reasons.contains("no reviewer decided within"), "{reasons}");
    console.state().running.set(false);
}

#[wasm_bindgen_test]
async fn a_paused_console_shows_its_last_work_and_stops_until_play() {
    let mut live = session(|_| {});
    live.speed = agent_governance_console::console::Speed::X100;
    let console = mount(live, true);
    let records = || console.state().peek(|sim| sim.plane().audit().len());
    let shown = || console.records_shown();
    // The frames run the simulation.
    for _ in 0..100 {
        TimeoutFuture::new(50).await;
        if records() > 0 {
            break;
        }
    }
    assert!(records() > 0, "the simulation ran");
    // Paused, the next frame shows everything simulated, then no more run.
    console.state().running.set(false);
    TimeoutFuture::new(200).await;
    settle().await;
    let clock = console.state().now();
    assert_eq!(shown(), records(), "the last work is shown");
    TimeoutFuture::new(300).await;
    assert_eq!(console.state().now(), clock, "nothing runs while paused");
    // Play starts the frames again.
    console.state().running.set(true);
    for _ in 0..100 {
        TimeoutFuture::new(50).await;
        if console.state().now() > clock {
            break;
        }
    }
    assert!(console.state().now() > clock, "the simulation runs again");
    console.state().running.set(false);
}

#[wasm_bindgen_test]
async fn editing_the_budget_changes_the_next_verdict() {
    let console = mount(session(|c| without(c, &["action_cap"])), false);
    let submit = |n: u128| {
        console.state().command(|sim| {
            sim.plane_mut()
                .submit(&RequestInput::new(
                    RequestId(uuid::Uuid::from_u128(n)),
                    "probe",
                    "api_call",
                    1.0,
                ))
                .verdict
        })
    };
    // 1.00 is the most one action may cost under the default per-action cap.
    assert_eq!(submit(1), Verdict::Approved);
    console.type_into("policy-budget-limit-budget", "1.5");
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    assert_eq!(submit(2), Verdict::Denied);
    let change = console.state().peek(|sim| {
        let plane = sim.plane();
        plane
            .audit()
            .records()
            .find(|r| r.kind() == "config_changed")
            .map(|r| plane.audit_line(&r))
            .unwrap()
    });
    assert_eq!(change.actor.as_deref(), Some("riley"));
}

#[wasm_bindgen_test]
async fn invalid_input_shows_the_error_and_leaves_the_configuration_unchanged() {
    // The budget third, as the message below names it.
    let three =
        |c: &mut GovernanceConfig| without(c, &["high_risk_review", "action_cap", "agent_budget"]);
    let console = mount(session(three), false);
    let before = console.state().peek(|sim| sim.plane().config().clone());
    console.type_into("policy-budget-limit-budget", "-5");
    console.type_into("policy-rate-max-rate_limit", "20");
    console.click("policy-apply");
    settle().await;
    assert_eq!(
        console.text("policy-budget-limit-budget-error"),
        "Limit: -5 must not be negative"
    );
    assert_eq!(
        console
            .one("policy-budget-limit-budget")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    console.type_into("policy-budget-limit-budget", "100");
    console.type_into("policy-rate-window-rate_limit", "soon");
    console.click("policy-apply");
    settle().await;
    assert_eq!(
        console.text("policy-rate-window-rate_limit-error"),
        "Window (seconds): \"soon\" is not a number"
    );
    assert_eq!(console.text("policy-budget-limit-budget-error"), "");
    assert_eq!(
        console.state().peek(|sim| sim.plane().config().clone()),
        before
    );
    assert!(console.state().peek(|sim| sim.plane().audit().is_empty()));
    assert!(console.find("policy-status").is_none());
}

#[wasm_bindgen_test]
async fn chart_data_matches_the_spending_report() {
    let console = mount(session(|_| {}), false);
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(240)));
    settle().await;
    let report = console.state().peek(|sim| sim.plane().spending_report());
    // One money format with the chosen symbol, everywhere.
    assert_eq!(
        console.text("chart-spend-total"),
        format!("${}", report.total)
    );
    assert_eq!(console.text("report-total"), format!("${}", report.total));
    console.choose("currency", "EUR");
    settle().await;
    assert_eq!(
        console.text("chart-spend-total"),
        format!("€{}", report.total)
    );
    assert_eq!(console.text("report-total"), format!("€{}", report.total));
    let spends = console.all("agent-spend");
    assert!(!spends.is_empty());
    assert!(spends
        .iter()
        .all(|s| s.text_content().unwrap().starts_with('€')));
    assert!(console.all("chart-agent-bar").iter().all(|bar| bar
        .query_selector(".bar-value")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .starts_with('€')));
    assert!(tick_labels(&console, "chart-spend-axis-y")
        .iter()
        .all(|t| t.starts_with('€')));
    assert!(console
        .one("budget-tiers")
        .text_content()
        .unwrap()
        .contains(" of €"));
    // Rows drawn before the switch change too: the audit trail's costs and
    // the inbox's.
    let costs: Vec<String> = console
        .all("audit-row")
        .iter()
        .filter_map(|row| row.query_selector(".numeric").unwrap())
        .map(|cell| cell.text_content().unwrap_or_default())
        .filter(|cost| !cost.trim().is_empty())
        .collect();
    assert!(!costs.is_empty());
    assert!(costs.iter().all(|c| c.trim().starts_with('€')), "{costs:?}");
    let inbox = console.all("inbox-cost");
    assert!(!inbox.is_empty());
    assert!(inbox
        .iter()
        .all(|c| c.text_content().unwrap().starts_with('€')));
    let bars = console.all("chart-agent-bar");
    assert!(!bars.is_empty());
    for bar in bars {
        let agent = bar.get_attribute("data-agent").unwrap();
        let spent = bar.get_attribute("data-spent").unwrap();
        let expected = report
            .per_agent
            .iter()
            .find(|a| *a.agent == *agent)
            .unwrap();
        assert_eq!(spent, expected.spent.to_string(), "{agent}");
    }
    let approved = console
        .state()
        .peek(|sim| sim.plane().verdict_counts().get(Verdict::Approved));
    assert!(console
        .text("chart-verdict-count-approved")
        .ends_with(&approved.to_string()));
}

/// The labels of an axis group, in order.
fn tick_labels(console: &Mounted, testid: &str) -> Vec<String> {
    let axis = console.one(testid);
    let spans = axis.query_selector_all("span").unwrap();
    (0..spans.length())
        .map(|i| spans.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn charts_have_labelled_axes_marked_changes_and_a_keyboard_readout() {
    let console = mount(session(|_| {}), false);
    let state = console.state();
    state.command(|sim| sim.advance(Millis::from_secs(120)));
    state.command(|sim| {
        let mut config = sim.plane().config().clone();
        config.escalation_timeout_secs = 60.0;
        sim.plane_mut().apply_config(config, "dana").unwrap();
    });
    state.command(|sim| sim.advance(Millis::from_secs(60)));
    state.command(|sim| {
        sim.plane_mut()
            .activate_kill_switch("sam", "runaway loop")
            .unwrap()
    });
    state.command(|sim| sim.advance(Millis::from_secs(60)));
    settle().await;

    // Time in virtual h:mm:ss, a tick a minute over four minutes; money
    // from zero with its currency symbol.
    assert_eq!(
        tick_labels(&console, "chart-spend-axis-x"),
        ["0:00:00", "0:01:00", "0:02:00", "0:03:00", "0:04:00"]
    );
    let money = tick_labels(&console, "chart-spend-axis-y");
    assert_eq!(money[0], "$0.00");
    assert!(
        money.len() >= 2 && money.iter().all(|m| m.starts_with('$')),
        "{money:?}"
    );
    // Each verdict has its own band and scale.
    for verdict in ["approved", "denied", "escalated", "rate_limited"] {
        let labels = tick_labels(&console, &format!("chart-verdict-{verdict}-axis-y"));
        assert_eq!(labels[0], "0", "{verdict}");
    }
    assert_eq!(tick_labels(&console, "chart-verdicts-axis-x").len(), 5);

    // The policy change at 2:00 and the kill switch at 3:00, on both charts.
    let plot = console.one("chart-spend-plot");
    let marks = plot
        .query_selector_all("[data-testid='chart-marker']")
        .unwrap();
    assert_eq!(marks.length(), 2);
    let mark = |i| marks.item(i).unwrap().unchecked_into::<HtmlElement>();
    assert!(mark(0).class_name().contains("chart-marker--policy"));
    assert_eq!(mark(0).style().get_property_value("left").unwrap(), "50%");
    assert!(mark(1).class_name().contains("chart-marker--kill"));
    assert_eq!(mark(1).style().get_property_value("left").unwrap(), "75%");
    assert_eq!(console.all("chart-marker").len(), 4);

    // The readout follows the keyboard: the latest point on focus, the first
    // with Home, and names the latest change before the point read.
    assert_eq!(console.text("chart-spend-readout"), "");
    plot.unchecked_ref::<HtmlElement>().focus().unwrap();
    settle().await;
    let latest = console.text("chart-spend-readout");
    assert!(latest.starts_with("0:04:00: spend $"), "{latest}");
    assert!(
        latest.ends_with("Latest change: Kill switch activated by sam at 0:03:00"),
        "{latest}"
    );
    console.press("chart-spend-plot", "Home");
    settle().await;
    // The default system budget has a daily window.
    assert_eq!(
        console.text("chart-spend-readout"),
        "0:00:00: spend $0.00 in the budget's window"
    );
    for _ in 0..30 {
        console.press("chart-spend-plot", "ArrowRight");
    }
    settle().await;
    let middle = console.text("chart-spend-readout");
    assert!(
        middle.ends_with("Latest change: Configuration changed by dana at 0:02:00"),
        "{middle}"
    );
    plot.unchecked_ref::<HtmlElement>().blur().unwrap();
    settle().await;
    assert_eq!(console.text("chart-spend-readout"), "");
    console.press("chart-verdicts-plot", "End");
    settle().await;
    let counts = console.text("chart-verdicts-readout");
    assert!(counts.starts_with("0:04:00: Approved "), "{counts}");
    assert!(counts.contains(", Rate limited "), "{counts}");
}

#[wasm_bindgen_test]
async fn agent_text_is_rendered_as_text_never_as_html() {
    let console = mount(session(|_| {}), false);
    console.state().command(|sim| {
        sim.plane_mut().submit(
            &RequestInput::new(
                RequestId(uuid::Uuid::from_u128(9)),
                "<img src=x onerror=alert(1)>",
                "email",
                0.1,
            )
            .with_parameters(serde_json::json!({"body": "<script>alert('x')</script><b>bold</b>"})),
        )
    });
    settle().await;
    let parameters = console.one("inbox-parameters");
    assert!(parameters
        .text_content()
        .unwrap()
        .contains("<script>alert('x')</script><b>bold</b>"));
    assert_eq!(parameters.child_element_count(), 0);
    assert!(console.root.query_selector("img").unwrap().is_none());
    assert!(console.text("inbox-agent").contains("<img"));
}

#[wasm_bindgen_test]
async fn the_fleet_lists_agents_and_pauses_one() {
    let console = mount(session(|_| {}), false);
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(10)));
    settle().await;
    let rows = console.all("fleet-row");
    assert_eq!(rows.len(), 12);
    let first = rows[0].get_attribute("data-agent").unwrap();
    console.click("agent-pause");
    settle().await;
    assert_eq!(console.text("agent-status"), "Paused");
    let requests = console.state().peek(|sim| sim.agents()[0].requests);
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(60)));
    assert_eq!(
        console.state().peek(|sim| sim.agents()[0].requests),
        requests
    );
    assert_eq!(first, "steady-worker-01");
}

#[wasm_bindgen_test]
async fn the_audit_trail_filters_and_renders_only_visible_rows() {
    let console = mount(session(|_| {}), false);
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(600)));
    settle().await;
    let total = console.state().peek(|sim| sim.plane().audit().len());
    assert!(total > 1_000);
    assert_eq!(console.text("audit-count"), format!("{total} records"));
    assert!(
        console.all("audit-row").len() < 40,
        "only the rows in view are rendered"
    );
    console
        .one("audit-refusals-only")
        .unchecked_into::<HtmlInputElement>()
        .set_checked(true);
    let event = web_sys::Event::new("change").unwrap();
    console
        .one("audit-refusals-only")
        .dispatch_event(&event)
        .unwrap();
    settle().await;
    let refused = console
        .state()
        .peek(|sim| sim.plane().refusals(None).count());
    assert_eq!(console.text("audit-count"), format!("{refused} records"));
}

#[wasm_bindgen_test]
async fn the_agent_filter_is_searched_by_typing() {
    let console = mount(session(|_| {}), false);
    console
        .state()
        .command(|sim| sim.advance(Millis::from_secs(120)));
    settle().await;
    let total = console.text("audit-count");
    let (agent, records) = console.state().peek(|sim| {
        let plane = sim.plane();
        let first = plane
            .audit()
            .records()
            .find_map(|r| r.request().map(|q| q.agent))
            .unwrap();
        let records = plane
            .audit()
            .records()
            .filter(|r| r.request().is_some_and(|q| q.agent == first))
            .count();
        (plane.agent_name(first).to_string(), records)
    });
    // Every agent is offered as a suggestion.
    let suggestions = console
        .root()
        .query_selector_all("#audit-agents option")
        .unwrap();
    let agents = console.state().peek(|sim| sim.plane().agents().count());
    assert_eq!(suggestions.length() as usize, agents);
    // Part of a name does not filter yet; the whole name does.
    console.type_into("audit-filter-agent", &agent[..agent.len() - 1]);
    settle().await;
    assert_eq!(console.text("audit-count"), total);
    console.type_into("audit-filter-agent", &agent);
    settle().await;
    assert_eq!(console.text("audit-count"), format!("{records} records"));
    // A name no agent has, confirmed with Enter, matches nothing.
    console.type_into("audit-filter-agent", "nobody-by-this-name");
    console
        .one("audit-filter-agent")
        .dispatch_event(&browser_support::event("change"))
        .unwrap();
    settle().await;
    assert_eq!(console.text("audit-count"), "0 records");
    // Clearing the box shows every agent again.
    console.type_into("audit-filter-agent", "");
    settle().await;
    assert_eq!(console.text("audit-count"), total);
}

/// The reasons of the audit rows in view, newest first, one per line.
fn audit_reasons(console: &Mounted) -> String {
    let mut rows = console.all("audit-row");
    rows.sort_by_key(|r| {
        std::cmp::Reverse(r.get_attribute("data-seq").unwrap().parse::<u64>().unwrap())
    });
    rows.iter()
        .map(|r| {
            r.query_selector("[data-testid='audit-reason']")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Opens the newest record of the audit trail, as a click on its row does.
fn open_newest_audit_record(console: &Mounted) {
    let newest = console
        .all("audit-row")
        .into_iter()
        .max_by_key(|r| r.get_attribute("data-seq").unwrap().parse::<u64>().unwrap())
        .unwrap();
    newest.unchecked_into::<HtmlElement>().click();
}

/// The audit rows as shown, top to bottom: (seq, top offset in px).
fn audit_rows_in_order(console: &Mounted) -> Vec<(u64, i32)> {
    let mut rows: Vec<(u64, i32)> = console
        .all("audit-row")
        .into_iter()
        .map(|row| {
            let row = row.unchecked_into::<HtmlElement>();
            (
                row.get_attribute("data-seq").unwrap().parse().unwrap(),
                row.offset_top(),
            )
        })
        .collect();
    rows.sort_by_key(|&(_, top)| top);
    rows
}

/// The record at the top of the audit viewport's visible area.
fn audit_top_visible(console: &Mounted) -> u64 {
    let viewport = console
        .one("audit-viewport")
        .unchecked_into::<HtmlElement>();
    let top = viewport.scroll_top();
    audit_rows_in_order(console)
        .into_iter()
        .find(|&(_, offset)| offset >= top)
        .unwrap()
        .0
}

#[wasm_bindgen_test]
async fn the_audit_trail_lists_newest_first_follows_or_holds_and_opens_a_record() {
    let console = mount(session(|_| {}), false);
    let advance = |secs| {
        console
            .state()
            .command(|sim| sim.advance(Millis::from_secs(secs)))
    };
    advance(120);
    settle().await;
    let newest = || {
        console
            .state()
            .peek(|sim| sim.plane().audit().len() as u64 - 1)
    };
    assert_eq!(audit_rows_in_order(&console)[0].0, newest());
    // Following: new records arrive on top and stay in view.
    assert!(console.checked("audit-follow"));
    advance(30);
    settle().await;
    assert_eq!(audit_top_visible(&console), newest());

    // Scrolling down to read stops following and holds those rows still.
    let viewport = console
        .one("audit-viewport")
        .unchecked_into::<HtmlElement>();
    viewport.set_scroll_top(400);
    viewport
        .dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    settle().await;
    assert!(!console.checked("audit-follow"));
    let reading = audit_top_visible(&console);
    advance(30);
    settle().await;
    assert!(newest() > reading + 10);
    assert_eq!(
        audit_top_visible(&console),
        reading,
        "the rows being read did not move"
    );
    console.set_checked("audit-follow", true);
    settle().await;
    assert_eq!(audit_top_visible(&console), newest());

    // A configuration change says what it changed, and opens to every field.
    console.state().command(|sim| {
        let plane = sim.plane_mut();
        let mut config = plane.config().clone();
        config.escalation_timeout_secs = 60.0;
        plane.apply_config(config, "dana").unwrap();
    });
    settle().await;
    let row = console
        .all("audit-row")
        .into_iter()
        .find(|r| r.get_attribute("data-seq").unwrap() == newest().to_string())
        .unwrap();
    let reason = row
        .query_selector("[data-testid='audit-reason']")
        .unwrap()
        .unwrap();
    assert_eq!(
        reason.text_content().unwrap(),
        "configuration changed by dana: escalation_timeout_secs: 300.0 → 60.0"
    );
    assert!(console.find("audit-detail").is_none());
    row.unchecked_into::<HtmlElement>().click();
    settle().await;
    assert!(console.text("audit-detail").contains("Actor"));
    assert_eq!(
        console.text("audit-config-diff"),
        "escalation_timeout_secs: 300.0 → 60.0"
    );

    // A decision opens to its request id, the policy and the configuration in force.
    advance(5);
    settle().await;
    let (seq, id) = console.state().peek(|sim| {
        let audit = sim.plane().audit();
        let seq = audit.len() - 1;
        (seq, audit.record(seq).request().unwrap().id)
    });
    let row = console
        .all("audit-row")
        .into_iter()
        .find(|r| r.get_attribute("data-seq").unwrap() == seq.to_string())
        .unwrap();
    row.unchecked_into::<HtmlElement>().click();
    settle().await;
    let detail = console.text("audit-detail");
    assert!(detail.contains(&id.to_string()), "{detail}");
    assert!(detail.contains("as changed by dana"), "{detail}");
    console.click("audit-detail-close");
    settle().await;
    assert!(console.find("audit-detail").is_none());
}

#[wasm_bindgen_test]
async fn a_large_fleet_is_paged() {
    let mut large = session(|_| {});
    large.fleet.size = 120;
    let console = mount(large, false);
    settle().await;
    assert_eq!(console.text("fleet-page"), "Agents 1–50 of 120");
    assert_eq!(console.all("fleet-row").len(), 50);
    assert_eq!(console.text("fleet-next"), "Next");
    console.click("fleet-next");
    console.click("fleet-next");
    settle().await;
    assert_eq!(console.text("fleet-page"), "Agents 101–120 of 120");
    assert_eq!(console.all("fleet-row").len(), 20);
    assert!(console.one("fleet-next").has_attribute("disabled"));
}

fn mount_restoring(saved: Option<&str>) -> Mounted {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    match saved {
        Some(text) => storage
            .set_item(agent_governance_console::ui::SESSION_KEY, text)
            .unwrap(),
        None => storage
            .remove_item(agent_governance_console::ui::SESSION_KEY)
            .unwrap(),
    }
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), || view! { <Console live=false /> });
    Mounted {
        root,
        state: None,
        _handle: Box::new(handle),
    }
}

#[wasm_bindgen_test]
async fn the_setup_survives_a_reload_and_damaged_storage_is_reported() {
    let mut saved = session(|c| c.escalation_timeout_secs = 42.0);
    saved.reviewer = "morgan".into();
    let console = mount_restoring(Some(&saved.to_json()));
    settle().await;
    assert_eq!(
        console
            .one("reviewer-name")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "morgan"
    );
    assert_eq!(
        console
            .one("policy-timeout")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "42"
    );
    // Changes are saved as they happen.
    console.type_into("reviewer-name", "morgan-2");
    settle().await;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let stored = storage
        .get_item(agent_governance_console::ui::SESSION_KEY)
        .unwrap()
        .unwrap();
    assert_eq!(
        SavedSession::from_json(&stored).unwrap().reviewer,
        "morgan-2"
    );

    let damaged = saved.to_json().replace("\"size\":12", "\"size\":0");
    let console = mount_restoring(Some(&damaged));
    settle().await;
    assert!(console
        .text("console-notice")
        .contains("saved fleet settings are invalid: fleet size: 0 must be between 1 and 1000"));
    assert_eq!(
        console
            .one("reviewer-name")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "reviewer"
    );
    storage
        .remove_item(agent_governance_console::ui::SESSION_KEY)
        .unwrap();
}

#[wasm_bindgen_test]
async fn an_active_kill_switch_stays_active_across_a_reload() {
    let mut saved = session(|_| {});
    saved.kill_switches = vec![
        SavedKillSwitch {
            scope: None,
            actor: "riley".into(),
            reason: "incident 42".into(),
        },
        SavedKillSwitch {
            scope: Some(agent_governance_console::governance::KillTarget::Agent(
                "looper".into(),
            )),
            actor: "trigger:repeated_violations".into(),
            reason: "20 refusals within 300 s".into(),
        },
    ];
    let console = mount_restoring(Some(&saved.to_json()));
    settle().await;
    assert!(
        console.find("kill-switch-banner").is_some(),
        "still stopped"
    );
    assert!(
        console.text("console-notice").contains(
            "and the 2 active kill switches. The run, the inbox and the audit trail start afresh."
        ),
        "{}",
        console.text("console-notice")
    );
    // Saved again as they are, so a second reload keeps them too.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let stored = storage
        .get_item(agent_governance_console::ui::SESSION_KEY)
        .unwrap()
        .unwrap();
    assert_eq!(
        SavedSession::from_json(&stored).unwrap().kill_switches,
        saved.kill_switches
    );
    storage
        .remove_item(agent_governance_console::ui::SESSION_KEY)
        .unwrap();
}

#[wasm_bindgen_test]
async fn blocked_types_are_an_editable_list() {
    let console = mount(session(|c| without(c, &["high_risk_review"])), false);
    let submit = |n: u128, action: &str| {
        console.state().command(|sim| {
            sim.plane_mut()
                .submit(&RequestInput::new(
                    RequestId(uuid::Uuid::from_u128(n)),
                    "probe",
                    action,
                    0.1,
                ))
                .verdict
        })
    };
    let entries = |c: &Mounted| -> Vec<String> {
        c.all("policy-blocked-sensitive_actions-item")
            .iter()
            .map(|e| e.text_content().unwrap().trim_end_matches('×').to_string())
            .collect()
    };
    assert_eq!(entries(&console), ["deploy", "shell_exec", "read_secrets"]);

    // A name the core rejects is refused as it is added, with the reason
    // next to the list, and nothing changes.
    console.type_into("policy-blocked-sensitive_actions-new", "wire transfer");
    console.click("policy-blocked-sensitive_actions-add");
    settle().await;
    assert!(console
        .text("policy-blocked-sensitive_actions-error")
        .contains("must not contain spaces"));
    assert_eq!(entries(&console), ["deploy", "shell_exec", "read_secrets"]);
    assert_eq!(submit(1, "deploy"), Verdict::Denied);

    // Remove deploy, add wire_transfer, apply.
    console.all("policy-blocked-sensitive_actions-remove")[0]
        .unchecked_ref::<HtmlElement>()
        .click();
    settle().await;
    console.type_into("policy-blocked-sensitive_actions-new", "wire_transfer");
    console.press("policy-blocked-sensitive_actions-new", "Enter");
    settle().await;
    assert_eq!(
        entries(&console),
        ["shell_exec", "read_secrets", "wire_transfer"]
    );
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    // No longer blocked (and high-risk review is off in this setup).
    assert_eq!(submit(2, "deploy"), Verdict::Approved);
    assert_eq!(submit(3, "wire_transfer"), Verdict::Denied);
}

#[wasm_bindgen_test]
async fn the_conflict_strategy_is_shown_chosen_and_applied() {
    // On load the select shows the strategy in force.
    let console = mount(
        session(|c| c.conflict_strategy = ConflictStrategy::FirstApplicable),
        false,
    );
    settle().await;
    assert_eq!(
        console.selected("policy-conflict-strategy"),
        "first_applicable"
    );
    assert!(console
        .text("policy-conflict-strategy-hint")
        .starts_with("First applicable"));

    let console = mount(session(|_| {}), false);
    settle().await;
    assert_eq!(
        console.selected("policy-conflict-strategy"),
        "deny_overrides"
    );
    let options: Vec<String> = console
        .one("policy-conflict-strategy")
        .query_selector_all("option")
        .map(|list| {
            (0..list.length())
                .map(|i| list.item(i).unwrap().text_content().unwrap())
                .collect()
        })
        .unwrap();
    let labels: Vec<String> = ConflictStrategy::ALL
        .iter()
        .map(|s| s.label().to_owned())
        .collect();
    assert_eq!(options, labels);

    console.choose("policy-conflict-strategy", "first_applicable");
    settle().await;
    assert!(console
        .text("policy-conflict-strategy-hint")
        .starts_with("First applicable"));
    // Nothing changes until Apply.
    assert_eq!(
        console
            .state()
            .peek(|sim| sim.plane().config().conflict_strategy),
        ConflictStrategy::DenyOverrides
    );
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    assert_eq!(
        console
            .state()
            .peek(|sim| sim.plane().config().conflict_strategy),
        ConflictStrategy::FirstApplicable
    );
    assert_eq!(
        console.selected("policy-conflict-strategy"),
        "first_applicable"
    );
    let changes = console.state().peek(|sim| {
        sim.plane()
            .audit()
            .records()
            .filter(|r| r.kind() == "config_changed")
            .count()
    });
    assert_eq!(changes, 1);

    // Revert goes back to what is in force, even after a choice.
    console.choose("policy-conflict-strategy", "deny_overrides");
    console.click("policy-revert");
    settle().await;
    assert_eq!(
        console.selected("policy-conflict-strategy"),
        "first_applicable"
    );
}

#[wasm_bindgen_test]
async fn an_approval_overruled_by_a_block_says_it_did_not_execute_and_why() {
    let console = mount(session(|c| without(c, &["action_cap"])), false);
    // email needs approval by default: the request waits in the inbox.
    let verdict = console.state().command(|sim| {
        sim.plane_mut()
            .submit(&RequestInput::new(
                RequestId(uuid::Uuid::from_u128(7)),
                "mailer",
                "email",
                0.5,
            ))
            .verdict
    });
    assert_eq!(verdict, Verdict::Escalated);
    settle().await;
    assert_eq!(console.text("inbox-action"), "email");

    // While it waits, the reviewer blocks email in the policy form; typed
    // with a capital, it is added as the action type `email`.
    let approval_required: Vec<String> = console
        .all("policy-approval-required-sensitive_actions-item")
        .iter()
        .map(|e| e.text_content().unwrap().trim_end_matches('×').to_string())
        .collect();
    let email = approval_required.iter().position(|t| t == "email").unwrap();
    console.all("policy-approval-required-sensitive_actions-remove")[email]
        .unchecked_ref::<HtmlElement>()
        .click();
    settle().await;
    console.type_into("policy-blocked-sensitive_actions-new", "Email");
    console.press("policy-blocked-sensitive_actions-new", "Enter");
    settle().await;
    assert!(console
        .all("policy-blocked-sensitive_actions-item")
        .iter()
        .any(|e| e.text_content().unwrap().trim_end_matches('×') == "email"));
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));

    let spend = console.total_spend();
    console.click("inbox-approve");
    settle().await;
    let message = console.one("inbox-message");
    let text = message.text_content().unwrap();
    assert_eq!(
        text,
        "Your approval of mailer email did not execute: sensitive_actions refused it: \
         approved by reviewer, but the action type is blocked."
    );
    assert!(
        !message.class_list().contains("form-status"),
        "not confirmed as a success"
    );
    assert!(message.class_list().contains("form-warning"));
    assert_eq!(console.total_spend(), spend, "nothing executed");
    assert_eq!(console.text("inbox-count"), "0 waiting");
    let reasons = audit_reasons(&console);
    assert!(reasons.contains("action type is blocked"), "{reasons}");
}

#[wasm_bindgen_test]
async fn at_a_busy_speed_the_charts_and_audit_trail_follow_a_redraw_at_the_next_tick() {
    // Ticked by hand, as the frame loop would at Max.
    let console = mount(session(|_| {}), false);
    let state = console.state();
    state
        .speed
        .set(agent_governance_console::console::Speed::Max);
    state.running.set(true);
    let records = || state.peek(|sim| sim.plane().audit().len());
    let shown = || console.records_shown();
    let clock = console.text("sim-clock");
    let mut redrawn = false;
    for _ in 0..200 {
        state.tick(agent_governance_console::browser::now_ms);
        settle().await;
        if console.text("sim-clock") != clock {
            // A busy redraw: the panels at the top show it, the charts and
            // the audit trail still show the last one...
            assert!(shown() < records(), "the late panels wait a frame");
            // ...until the next tick, which simulates nothing, so every
            // panel then shows the same state.
            let before = records();
            state.tick(agent_governance_console::browser::now_ms);
            settle().await;
            assert_eq!(records(), before, "the late panels' tick does nothing else");
            assert_eq!(shown(), records(), "the late panels follow");
            redrawn = true;
            break;
        }
        TimeoutFuture::new(16).await;
    }
    state.running.set(false);
    assert!(redrawn, "a busy redraw came within 200 frames");
}

#[wasm_bindgen_test]
async fn a_tall_item_chosen_far_down_the_inbox_is_scrolled_wholly_into_view() {
    let console = mount(session(|c| without(c, &["action_cap"])), false);
    // Items far taller than an item out of view is assumed to be: each
    // with a long parameter object (its box scrolls at 9rem).
    let tall: serde_json::Map<String, serde_json::Value> = (0..40)
        .map(|i| {
            (
                format!("line{i:02}"),
                serde_json::Value::from("x".repeat(60)),
            )
        })
        .collect();
    for n in 1..=30u128 {
        let verdict = console.state().command(|sim| {
            sim.plane_mut()
                .submit(
                    &RequestInput::new(RequestId(uuid::Uuid::from_u128(n)), "mailer", "email", 0.5)
                        .with_parameters(serde_json::Value::Object(tall.clone())),
                )
                .verdict
        });
        assert_eq!(verdict, Verdict::Escalated);
    }
    settle().await;
    let list = console.one("inbox-list").unchecked_into::<HtmlElement>();
    console.focus_list();
    console.press("inbox-list", "End");
    settle().await;
    let selected = console.selected_item().unchecked_into::<HtmlElement>();
    assert_eq!(
        selected.get_attribute("data-request-id").unwrap(),
        *console.listed().last().unwrap()
    );
    assert!(
        selected.offset_height() > 200,
        "a tall item: {} px",
        selected.offset_height()
    );
    // Its buttons too: the whole item, by its real height (offsets are
    // whole pixels and heights need not be: a pixel's rounding is allowed;
    // an item measured at its placeholder is off by a hundred).
    assert!(selected.offset_top() >= list.scroll_top());
    assert!(
        selected.offset_top() + selected.offset_height()
            <= list.scroll_top() + list.client_height() + 1,
        "the whole item is in view: top {}, height {}, scrolled {}, shown {}",
        selected.offset_top(),
        selected.offset_height(),
        list.scroll_top(),
        list.client_height()
    );
}
