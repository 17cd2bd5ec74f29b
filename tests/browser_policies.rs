#![cfg(target_arch = "wasm32")]
//! The policy form in a real browser: budget tiers and their per-agent
//! limits, triggers, change windows, timeout outcomes, and every error of an
//! Apply shown at once. Each test mounts the console into a fresh element,
//! acts as a reviewer would, lets the reactive system settle, and checks what
//! the reviewer sees and what the control plane then decides.

use agent_governance_console::console::SavedSession;
use agent_governance_console::governance::{
    BudgetConfig, BudgetScope, DecidedBy, GovernanceConfig, PolicyRule, RequestId, RequestInput,
    TimeoutOutcome, Verdict,
};
use agent_governance_console::sim::FleetSettings;
use agent_governance_console::ui::{Console, ConsoleState};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

mod browser_support;

use browser_support::{settle, Page};

wasm_bindgen_test_configure!(run_in_browser);

// ---- mounting and acting, as in browser_console.rs ----

struct Mounted {
    root: HtmlElement,
    state: ConsoleState,
    _handle: Box<dyn std::any::Any>,
}

fn session() -> SavedSession {
    SavedSession {
        config: GovernanceConfig::default(),
        fleet: FleetSettings::default(),
        reviewer: "riley".into(),
        ..SavedSession::default()
    }
}

fn mount(session: SavedSession) -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let state = ConsoleState::new(&session).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <Console state=state live=false /> }
    });
    Mounted {
        root,
        state,
        _handle: Box::new(handle),
    }
}

impl Page for Mounted {
    fn root(&self) -> &HtmlElement {
        &self.root
    }
}

impl Mounted {
    fn config(&self) -> GovernanceConfig {
        self.state.peek(|sim| sim.plane().config().clone())
    }

    fn submit(
        &self,
        n: u128,
        agent: &str,
        action: &str,
        cost: f64,
    ) -> (Verdict, DecidedBy, String) {
        self.state.command(|sim| {
            let decision = sim.plane_mut().submit(&RequestInput::new(
                RequestId(uuid::Uuid::from_u128(n)),
                agent,
                action,
                cost,
            ));
            (
                decision.verdict,
                decision.decided_by,
                decision.reason.to_string(),
            )
        })
    }

    fn config_changes(&self) -> usize {
        self.state.peek(|sim| {
            sim.plane()
                .audit()
                .records()
                .filter(|r| r.kind() == "config_changed")
                .count()
        })
    }
}

fn budget_of(config: &GovernanceConfig, name: &str) -> BudgetConfig {
    match &config.policy(name).unwrap().rule {
        PolicyRule::Budget(budget) => budget.clone(),
        other => panic!("{name} is not a budget: {other:?}"),
    }
}

// ---- the tests ----

#[wasm_bindgen_test]
async fn the_per_agent_hourly_budget_and_an_agent_limit_are_tuned_through_the_form() {
    let console = mount(session());
    settle().await;
    assert_eq!(
        console.selected("policy-budget-scope-agent_budget"),
        "agent"
    );
    assert_eq!(console.value("policy-budget-window-agent_budget"), "3600");
    assert_eq!(
        console.text("policy-budget-window-words-agent_budget"),
        "hourly"
    );
    assert!(console.find("policy-unapplied").is_none());

    console.type_into("policy-budget-limit-agent_budget", "5");
    console.type_into("policy-override-new-agent-agent_budget", "vip");
    console.type_into("policy-override-new-limit-agent_budget", "20");
    console.click("policy-override-add-agent_budget");
    settle().await;
    let rows = console.all("policy-override-agent_budget-item");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get_attribute("data-agent").as_deref(), Some("vip"));
    assert_eq!(
        console.value("policy-override-limit-agent_budget-vip"),
        "20"
    );
    assert!(console.find("policy-unapplied").is_some());
    // Nothing is in force before Apply.
    assert_eq!(budget_of(&console.config(), "agent_budget").limit, 10.0);

    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    assert!(console.find("policy-unapplied").is_none());
    assert_eq!(
        budget_of(&console.config(), "agent_budget"),
        BudgetConfig {
            scope: BudgetScope::Agent,
            window_secs: Some(3_600),
            agent_limits: BTreeMap::from([("vip".into(), 20.0)]),
            ..BudgetConfig::system(5.0, 90.0)
        }
    );
    assert_eq!(console.config_changes(), 1);

    // 0.90 a request: five fit the new 5.00 (the fifth reaches the 4.50
    // threshold, not past it); the sixth would spend 5.40 and is denied by
    // the tier, with its reason.
    for n in 0..5 {
        assert_eq!(
            console.submit(n, "probe", "api_call", 0.9).0,
            Verdict::Approved
        );
    }
    let (verdict, by, reason) = console.submit(5, "probe", "api_call", 0.9);
    assert_eq!(verdict, Verdict::Denied);
    assert_eq!(by, DecidedBy::Policy("agent_budget".into()));
    assert!(
        reason.starts_with("probe would spend 5.40 of its 5.00 hourly budget"),
        "{reason}"
    );
    // The agent with its own limit goes on.
    for n in 10..16 {
        assert_eq!(
            console.submit(n, "vip", "api_call", 0.9).0,
            Verdict::Approved
        );
    }
    // The form shows what is in force.
    assert_eq!(console.value("policy-budget-limit-agent_budget"), "5");
}

#[wasm_bindgen_test]
async fn the_repeated_violations_trigger_is_switched_off_through_the_form() {
    let refuse_many = |console: &Mounted| {
        for n in 0..25 {
            console.submit(n, "rogue", "deploy", 0.1);
        }
        console.state.peek(|sim| {
            let plane = sim.plane();
            plane
                .agent_id("rogue")
                .and_then(|id| plane.agent_halted_by(id))
                .map(|activation| activation.actor.to_string())
        })
    };
    // On by default: 25 blocked requests halt the agent.
    let console = mount(session());
    assert!(console.checked("policy-trigger-repeated-enabled"));
    assert_eq!(
        refuse_many(&console).as_deref(),
        Some("trigger:repeated_violations")
    );

    let console = mount(session());
    console.set_checked("policy-trigger-repeated-enabled", false);
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    let config = console.config();
    assert!(!config.triggers.repeated_violations.enabled);
    assert_eq!(config.triggers.repeated_violations.refusals, 20);
    let mut expected = GovernanceConfig::default();
    expected.triggers.repeated_violations.enabled = false;
    assert_eq!(config, expected, "only the trigger changed");
    assert!(!console.checked("policy-trigger-repeated-enabled"));
    assert_eq!(refuse_many(&console), None);
}

#[wasm_bindgen_test]
async fn three_wrong_fields_show_three_errors_at_once_and_change_nothing() {
    let console = mount(session());
    let before = console.config();
    console.type_into("policy-budget-limit-budget", "-5");
    console.type_into("policy-rate-window-rate_limit", "soon");
    console.type_into("policy-trigger-repeated-refusals", "0");
    console.click("policy-apply");
    settle().await;

    assert_eq!(
        console.text("policy-budget-limit-budget-error"),
        "Limit: -5 must not be negative"
    );
    assert_eq!(
        console.text("policy-rate-window-rate_limit-error"),
        "Window (seconds): \"soon\" is not a number"
    );
    assert_eq!(
        console.text("policy-trigger-repeated-refusals-error"),
        "Refusals: 0 must be between 1 and 100000"
    );
    for field in [
        "policy-budget-limit-budget",
        "policy-rate-window-rate_limit",
        "policy-trigger-repeated-refusals",
    ] {
        assert_eq!(
            console.one(field).get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
    }
    assert_eq!(
        console.text("policy-error-summary"),
        "Nothing was applied: 3 problems, each shown beside its field."
    );
    assert!(console.find("policy-error-form").is_none());
    // The sections holding a problem open by themselves; the others stay shut.
    assert!(console.one("policy-section-budget").has_attribute("open"));
    assert!(console
        .one("policy-section-rate_limit")
        .has_attribute("open"));
    assert!(!console
        .one("policy-section-agent_budget")
        .has_attribute("open"));

    assert_eq!(console.config(), before);
    assert!(console.state.peek(|sim| sim.plane().audit().is_empty()));
    assert!(console.find("policy-status").is_none());

    // Fixing them applies, and the messages go.
    console.type_into("policy-budget-limit-budget", "50");
    console.type_into("policy-rate-window-rate_limit", "60");
    console.type_into("policy-trigger-repeated-refusals", "10");
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    assert_eq!(console.text("policy-budget-limit-budget-error"), "");
    assert!(console.find("policy-error-summary").is_none());
    assert_eq!(budget_of(&console.config(), "budget").limit, 50.0);
}

#[wasm_bindgen_test]
async fn tiers_and_change_windows_are_added_and_removed_and_allow_on_timeout_is_called_risky() {
    let console = mount(session());
    console.type_into("policy-add-tier-name", "weekly");
    console.choose("policy-add-tier-scope", "system");
    console.click("policy-add-tier");
    settle().await;
    assert!(console.one("policy-section-weekly").has_attribute("open"));
    console.type_into("policy-budget-window-weekly", "604800");
    settle().await;
    assert_eq!(console.text("policy-budget-window-words-weekly"), "weekly");
    // A name already in use is refused beside the control.
    console.type_into("policy-add-tier-name", "budget");
    console.click("policy-add-tier");
    settle().await;
    assert!(console
        .text("policy-add-tier-error")
        .contains("used by another policy"));

    console.click("policy-add-change-window");
    settle().await;
    assert_eq!(
        console.value("policy-cw-parameter-change_window"),
        "environment"
    );
    assert_eq!(console.selected("policy-cw-outside-change_window"), "deny");
    assert!(console.checked("policy-cw-day-change_window-0-fri"));
    assert!(!console.checked("policy-cw-day-change_window-0-sat"));
    assert_eq!(console.value("policy-cw-start-change_window-0"), "9");
    assert_eq!(console.value("policy-cw-end-change_window-0"), "17");

    console.choose("policy-on-timeout-agent_budget", "allow");
    settle().await;
    assert!(console
        .text("policy-on-timeout-agent_budget-warning")
        .starts_with("Allow on timeout: silence approves — risky"));
    assert!(console.find("policy-on-timeout-budget-warning").is_none());
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));

    let config = console.config();
    assert_eq!(
        budget_of(&config, "weekly"),
        BudgetConfig {
            window_secs: Some(604_800),
            ..BudgetConfig::system(100.0, 90.0)
        }
    );
    assert!(matches!(
        config.policy("change_window").unwrap().rule,
        PolicyRule::ChangeWindow(_)
    ));
    assert_eq!(
        config.policy("agent_budget").unwrap().on_timeout,
        TimeoutOutcome::Allow
    );
    // Production outside the window (time zero is Monday 00:00) is refused.
    let verdict = console.state.command(|sim| {
        let mut input = RequestInput::new(
            RequestId(uuid::Uuid::from_u128(1)),
            "deployer",
            "api_call",
            0.1,
        );
        input.parameters = serde_json::json!({"environment": "production"});
        sim.plane_mut().submit(&input).verdict
    });
    assert_eq!(verdict, Verdict::Denied);

    console.click("policy-remove-weekly");
    console.click("policy-remove-change_window");
    settle().await;
    assert!(console.find("policy-section-weekly").is_none());
    console.click("policy-apply");
    settle().await;
    let config = console.config();
    assert!(config.policy("weekly").is_none());
    assert!(config.policy("change_window").is_none());
}

#[wasm_bindgen_test]
async fn sensitive_data_kinds_and_the_credential_leaks_trigger_are_tuned_through_the_form() {
    let console = mount(session());
    let email = "policy-data-sensitive_data-email";
    assert_eq!(console.selected(email), "escalate");
    assert_eq!(console.selected("policy-data-sensitive_data-jwt"), "deny");
    assert_eq!(console.text("trigger-credential-leaks-state"), "On");
    assert_eq!(
        console.text("trigger-credential-leaks-reading"),
        "0 of 3 requests carrying credentials in 3600 s"
    );

    // Email addresses are now refused, phone numbers let through (masked).
    console.choose(email, "deny");
    console.choose("policy-data-sensitive_data-phone", "allow");
    console.set_checked("policy-trigger-leaks-enabled", false);
    console.type_into("policy-trigger-leaks-hits", "5");
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    let config = console.config();
    let leaks = &config.triggers.credential_leaks;
    assert_eq!((leaks.enabled, leaks.hits), (false, 5));
    assert_eq!(
        console.selected(email),
        "deny",
        "the form reads back what applied"
    );
    assert_eq!(console.text("trigger-credential-leaks-reading"), "off");

    let with = |n: u128, parameters: serde_json::Value| {
        console.state.command(|sim| {
            let decision = sim.plane_mut().submit(
                &RequestInput::new(RequestId(uuid::Uuid::from_u128(n)), "a", "web_search", 0.01)
                    .with_parameters(parameters),
            );
            (decision.verdict, decision.reason.to_string())
        })
    };
    let (verdict, reason) = with(1, serde_json::json!({"to": "jo.smith@acme-corp.io"}));
    assert_eq!(verdict, Verdict::Denied, "{reason}");
    assert!(
        reason.contains("email address") && !reason.contains("jo.smith"),
        "{reason}"
    );
    let (verdict, reason) = with(2, serde_json::json!({"call": "+44 20 7946 0958"}));
    assert_eq!(verdict, Verdict::Approved, "{reason}");
    let recorded = console.state.peek(|sim| {
        let plane = sim.plane();
        let last = plane.audit().records().last().unwrap();
        serde_json::to_string(&plane.audit_line(&last)).unwrap()
    });
    assert!(
        recorded.contains("[phone]") && !recorded.contains("7946"),
        "let through, but still masked: {recorded}"
    );
}

#[wasm_bindgen_test]
async fn a_low_verb_added_in_the_form_lets_reads_by_that_verb_flow() {
    let console = mount(session());
    let (verdict, _, _) = console.submit(1, "a", "tally_votes", 0.01);
    assert_eq!(verdict, Verdict::Escalated, "an unknown verb is high");

    console.type_into("policy-risk-low-verbs-new", "Tally");
    console.click("policy-risk-low-verbs-add");
    settle().await;
    console.click("policy-apply");
    settle().await;
    assert!(console.text("policy-status").contains("Applied"));
    assert_eq!(
        console.config().risk.low_verbs.last().map(String::as_str),
        Some("tally")
    );
    let (verdict, _, reason) = console.submit(2, "a", "tally_votes", 0.01);
    assert_eq!(verdict, Verdict::Approved, "{reason}");

    // A verb in both lists is refused beside the list, and nothing changes.
    console.type_into("policy-risk-high-verbs-new", "tally");
    console.click("policy-risk-high-verbs-add");
    settle().await;
    console.click("policy-apply");
    settle().await;
    assert!(
        console
            .text("policy-risk-high-verbs-error")
            .starts_with("High verbs: \"tally\" is also a low verb"),
        "{}",
        console.text("policy-risk-high-verbs-error")
    );
    assert!(!console
        .config()
        .risk
        .high_verbs
        .contains(&"tally".to_owned()));
}

/// Whether leaving the page now would ask first: a `beforeunload` the
/// console cancels.
fn leaving_asks() -> bool {
    let init = web_sys::EventInit::new();
    init.set_cancelable(true);
    let event = web_sys::Event::new_with_event_init_dict("beforeunload", &init).unwrap();
    !web_sys::window().unwrap().dispatch_event(&event).unwrap()
}

#[wasm_bindgen_test]
async fn list_entries_are_checked_as_they_are_added_and_leaving_with_edits_asks_first() {
    let console = mount(session());
    settle().await;
    assert!(!leaving_asks(), "nothing to lose yet");
    let list = "policy-blocked-sensitive_actions";
    let before = console.all(&format!("{list}-item")).len();
    // Each refused entry stays in the box with the reason beside the list.
    for (typed, why) in [
        ("Send Money", "must not contain spaces"),
        (
            &"x".repeat(300)[..],
            "is 300 characters long; the limit is 64",
        ),
    ] {
        console.type_into(&format!("{list}-new"), typed);
        console.click(&format!("{list}-add"));
        settle().await;
        let message = console.text(&format!("{list}-error"));
        assert!(
            message.starts_with("Blocked (always denied): "),
            "{message}"
        );
        assert!(message.contains(why), "{message}");
        assert_eq!(console.value(&format!("{list}-new")), typed);
        assert_eq!(console.all(&format!("{list}-item")).len(), before);
    }
    // Editing the refused entry clears its reason.
    console.type_into(&format!("{list}-new"), "wire");
    settle().await;
    assert_eq!(console.text(&format!("{list}-error")), "");
    assert!(console.find("policy-unapplied").is_none());
    assert!(!leaving_asks());
    // Another spelling of an entry already listed is the same entry.
    let first = console.all(&format!("{list}-item"))[0]
        .query_selector(".mono")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    console.type_into(&format!("{list}-new"), &first.to_uppercase());
    console.click(&format!("{list}-add"));
    settle().await;
    assert!(console
        .text(&format!("{list}-error"))
        .contains("is already listed"));
    // A good entry is added in its canonical spelling and clears the message.
    console.type_into(&format!("{list}-new"), " Wire_Transfer ");
    console.click(&format!("{list}-add"));
    settle().await;
    let items = console.all(&format!("{list}-item"));
    assert_eq!(items.len(), before + 1);
    assert_eq!(
        items[before]
            .query_selector(".mono")
            .unwrap()
            .unwrap()
            .text_content()
            .as_deref(),
        Some("wire_transfer")
    );
    assert_eq!(console.text(&format!("{list}-error")), "");
    assert!(console.find("policy-unapplied").is_some());
    assert!(leaving_asks(), "unapplied edits are not lost silently");
    console.click("policy-revert");
    settle().await;
    assert!(!leaving_asks());
    console.type_into(&format!("{list}-new"), "wire_transfer");
    console.click(&format!("{list}-add"));
    console.click("policy-apply");
    settle().await;
    assert!(!leaving_asks(), "applied edits are not lost");
}

/// The page mounts the console progressively: the policy editor's lists (each
/// policy's form, the order table, the risk verbs: 90 % of its elements) are
/// drawn in the frame after the console first appears, so it appears sooner.
/// Then they are all there, and they work.
#[wasm_bindgen_test]
async fn mounted_progressively_the_policy_lists_follow_a_frame_later() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let state = ConsoleState::new(&session()).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <Console state=state live=false progressive=true /> }
    });
    let console = Mounted {
        root,
        state,
        _handle: Box::new(handle),
    };
    let config = console.config();
    // At once, and still in the first frame: the console and the editor
    // around its lists, no list.
    for _ in 0..2 {
        assert!(console.find("panel-fleet").is_some());
        assert!(console.find("policy-apply").is_some());
        assert!(console.find("policy-section-budget").is_none());
        assert!(console.all("policy-risk-low-verbs-item").is_empty());
        next_frame().await;
    }

    // A frame or two later (up to a second on a loaded machine).
    for _ in 0..50 {
        if console.find("policy-section-budget").is_some() {
            break;
        }
        TimeoutFuture::new(20).await;
    }
    settle().await;
    let sections = console.root.query_selector_all(".policy-section").unwrap();
    assert_eq!(sections.length() as usize, config.policies.len());
    assert_eq!(
        console.all("policy-risk-low-verbs-item").len(),
        config.risk.low_verbs.len()
    );
    console.type_into("policy-budget-limit-budget", "123");
    console.click("policy-apply");
    settle().await;
    let applied = console.config();
    let limit = applied.policies.iter().find_map(|p| match &p.rule {
        PolicyRule::Budget(budget) if p.name == "budget" => Some(budget.limit),
        _ => None,
    });
    assert_eq!(limit, Some(123.0));
}

/// Resolves in the browser's next frame (`requestAnimationFrame`), after
/// the callbacks asked for before it.
async fn next_frame() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(frame).await.unwrap();
}
