#![cfg(target_arch = "wasm32")]
//! The operations side of the console in a real browser: scoped kill
//! switches, budget tiers, risk levels, approval fatigue and triggers. Each
//! test mounts the console into a fresh element, acts as a reviewer would,
//! lets the reactive system settle, and checks what the reviewer would see.

use agent_governance_console::console::SavedSession;
use agent_governance_console::governance::{
    GovernanceConfig, KillTarget, Millis, RequestId, RequestInput, Verdict,
};
use agent_governance_console::sim::FleetSettings;
use agent_governance_console::ui::{Console, ConsoleState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

mod browser_support;

use browser_support::{settle, Page};

wasm_bindgen_test_configure!(run_in_browser);

struct Mounted {
    root: HtmlElement,
    state: ConsoleState,
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

/// Mounts the console, paused: the tests move time themselves.
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
    /// The element with `testid` inside the element with `data-name=value`.
    fn within(&self, name: &str, value: &str, testid: &str) -> Option<Element> {
        self.root
            .query_selector(&format!("[data-{name}='{value}'] [data-testid='{testid}']"))
            .unwrap()
    }

    fn submit(&self, n: u128, agent: &str, action: &str, cost: f64) -> Verdict {
        self.state.command(|sim| {
            sim.plane_mut()
                .submit(&RequestInput::new(
                    RequestId(uuid::Uuid::from_u128(n)),
                    agent,
                    action,
                    cost,
                ))
                .verdict
        })
    }
}

#[wasm_bindgen_test]
async fn a_kill_switch_for_one_agent_halts_only_that_agent() {
    // No trigger halts the fleet's runaway loop meanwhile: only the
    // reviewer's switch stops anyone here.
    let console = mount(session(|c| {
        c.escalation_timeout_secs = 3_600.0;
        c.triggers.repeated_violations.enabled = false;
    }));
    // Let the fleet run until one of its agents waits in the inbox.
    let agent = (0..600)
        .find_map(|_| {
            console.state.command(|sim| sim.advance(Millis(1_000)));
            console.state.peek(|sim| {
                let plane = sim.plane();
                plane
                    .pending_escalations()
                    .next()
                    .map(|p| plane.agent_name(p.request.agent).to_string())
            })
        })
        .expect("an escalation within ten minutes");
    settle().await;
    assert!(console
        .all("inbox-agent")
        .iter()
        .any(|e| e.text_content().unwrap() == agent));

    console.click("kill-switch-open");
    settle().await;
    console.choose("kill-switch-scope", "agent");
    settle().await;
    console.type_into("kill-switch-target", &agent);
    console.type_into("kill-switch-reason", "loops on email");
    settle().await;
    assert_eq!(
        console.text("kill-switch-confirm"),
        format!("Confirm: halt agent {agent}")
    );
    console.click("kill-switch-confirm");
    settle().await;

    // Only that agent is halted, by its own switch, and the header counts it
    // without the global banner.
    assert!(console.find("kill-switch-error").is_none());
    assert!(console.find("kill-switch-banner").is_none());
    assert_eq!(
        console.text("kill-switch-scoped"),
        "Kill switches: 1 agent halted"
    );
    assert_eq!(
        console.text("kill-switch-item-scope"),
        format!("agent {agent}")
    );
    assert_eq!(console.text("kill-switch-item-actor"), "riley");
    assert_eq!(console.text("kill-switch-item-reason"), "loops on email");
    for row in console.all("fleet-row") {
        let name = row.get_attribute("data-agent").unwrap();
        let status = console
            .within("agent", &name, "agent-status")
            .unwrap()
            .text_content()
            .unwrap();
        if name == agent {
            assert_eq!(status, "Halted");
            assert_eq!(
                console
                    .within("agent", &name, "agent-halted-by")
                    .unwrap()
                    .text_content()
                    .unwrap(),
                "own switch (riley: loops on email)"
            );
        } else {
            assert_ne!(status, "Halted", "{name}");
        }
    }
    // Its waiting requests were denied by the kill switch; others wait on.
    assert!(console
        .all("inbox-agent")
        .iter()
        .all(|e| e.text_content().unwrap() != agent));
    assert!(console
        .all("audit-reason")
        .iter()
        .any(|e| e.text_content().unwrap() == "kill switch was activated while awaiting review"));

    // It executes nothing while the others go on.
    let spend_of = |name: &str| {
        console.state.peek(|sim| {
            let plane = sim.plane();
            plane.agent_spend(plane.agent_id(name).unwrap())
        })
    };
    let before = spend_of(&agent);
    let total = console.state.peek(|sim| sim.plane().total_spend());
    console
        .state
        .command(|sim| sim.advance(Millis::from_secs(120)));
    assert_eq!(spend_of(&agent), before);
    assert!(console.state.peek(|sim| sim.plane().total_spend()) > total);

    // The row's control lifts the halt.
    let lift = console.within("agent", &agent, "agent-halt").unwrap();
    assert_eq!(lift.text_content().unwrap(), "Lift halt");
    lift.unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_ne!(
        console
            .within("agent", &agent, "agent-status")
            .unwrap()
            .text_content()
            .unwrap(),
        "Halted"
    );
    assert!(console.find("kill-switch-scoped").is_none());
}

#[wasm_bindgen_test]
async fn the_fleet_halt_control_opens_the_form_for_its_agent() {
    let console = mount(session(|_| {}));
    settle().await;
    let row = console.all("fleet-row")[1].clone();
    let agent = row.get_attribute("data-agent").unwrap();
    console
        .within("agent", &agent, "agent-halt")
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert_eq!(console.selected("kill-switch-scope"), "agent");
    assert_eq!(
        console
            .one("kill-switch-target")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        agent
    );
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(focused.as_deref(), Some("kill-switch-reason"));
    console.type_into("kill-switch-reason", "drill");
    console.click("kill-switch-confirm");
    settle().await;
    assert_eq!(
        console
            .within("agent", &agent, "agent-status")
            .unwrap()
            .text_content()
            .unwrap(),
        "Halted"
    );
}

#[wasm_bindgen_test]
async fn a_tiers_usage_row_updates_after_an_approved_request() {
    let console = mount(session(|_| {}));
    // Email needs a human by default.
    assert_eq!(
        console.submit(1, "mailer", "email", 0.5),
        Verdict::Escalated
    );
    settle().await;
    let usage = |policy: &str| {
        console
            .within("policy", policy, "budget-tier-usage")
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(usage("budget"), "$0.00 of $100.00");
    assert_eq!(usage("action_cap"), "up to $1.00 each");
    assert_eq!(
        console
            .within("policy", "budget", "budget-tier-resets")
            .unwrap()
            .text_content()
            .unwrap(),
        "resets at 24:00"
    );

    console.click("inbox-approve");
    settle().await;
    assert!(console
        .text("inbox-message")
        .contains("Approved and executed"));
    assert_eq!(usage("budget"), "$0.50 of $100.00");
    assert_eq!(usage("agent_budget"), "$0.50 of $10.00 (mailer)");
    assert_eq!(
        console.text("chart-window-spend"),
        "$0.50 of $100.00 per day, resets at 24:00"
    );
}

#[wasm_bindgen_test]
async fn changing_an_action_types_level_changes_its_next_verdict() {
    let console = mount(session(|_| {}));
    assert_eq!(
        console.submit(1, "probe", "web_search", 0.1),
        Verdict::Approved
    );
    assert_eq!(
        console.submit(2, "probe", "send_invoice", 0.1),
        Verdict::Escalated
    );
    settle().await;
    assert_eq!(console.text("risk-source-web_search"), "configured");
    assert_eq!(console.selected("risk-level-web_search"), "low");
    assert_eq!(
        console.text("risk-source-send_invoice"),
        "from the verb \"send\""
    );

    console.choose("risk-level-web_search", "high");
    settle().await;
    assert!(console
        .text("risk-status")
        .starts_with("web_search is now high"));
    assert_eq!(console.selected("risk-level-web_search"), "high");
    assert_eq!(
        console.submit(3, "probe", "web_search", 0.1),
        Verdict::Escalated,
        "high-risk types go to a human"
    );
    let actor = console.state.peek(|sim| {
        let plane = sim.plane();
        let record = plane
            .audit()
            .records()
            .rfind(|r| r.kind() == "config_changed")
            .unwrap();
        plane.audit_line(&record).actor
    });
    assert_eq!(actor.as_deref(), Some("riley"));

    // A change the core refuses is reported, and the select keeps the level
    // in force.
    console.type_into("reviewer-name", "  ");
    console.choose("risk-level-send_invoice", "low");
    settle().await;
    assert!(console.find("risk-error").is_some());
    assert_eq!(console.selected("risk-level-send_invoice"), "high");
    assert_eq!(
        console.submit(4, "probe", "send_invoice", 0.1),
        Verdict::Escalated
    );
}

#[wasm_bindgen_test]
async fn the_fatigue_warning_appears_after_more_approvals_than_the_threshold() {
    let console = mount(session(|c| c.approval_fatigue.warn_above = 2));
    for n in 1..=3 {
        assert_eq!(
            console.submit(n, &format!("mailer-{n}"), "email", 0.1),
            Verdict::Escalated
        );
    }
    settle().await;
    assert_eq!(
        console.text("inbox-fatigue"),
        "You approved 0 in the last hour"
    );
    for approved in 1..=3 {
        console.click("inbox-approve");
        settle().await;
        assert_eq!(
            console.text("inbox-fatigue"),
            format!("You approved {approved} in the last hour")
        );
        assert_eq!(
            console.find("inbox-fatigue-warning").is_some(),
            approved > 2,
            "after {approved}"
        );
    }
    assert!(console
        .text("inbox-fatigue-warning")
        .starts_with("More than 2 approvals in the last hour"));
    // The count is the reviewer's own.
    console.type_into("reviewer-name", "dana");
    settle().await;
    assert_eq!(
        console.text("inbox-fatigue"),
        "You approved 0 in the last hour"
    );
    assert!(console.find("inbox-fatigue-warning").is_none());
}

#[wasm_bindgen_test]
async fn the_triggers_panel_reads_repeated_violations_and_shows_the_firing() {
    let console = mount(session(|_| {}));
    settle().await;
    assert_eq!(console.text("trigger-repeated-violations-state"), "On");
    assert_eq!(
        console.text("trigger-repeated-violations-reading"),
        "0 of 20 refusals in 300 s"
    );
    assert_eq!(console.text("trigger-spend-anomaly-reading"), "off");
    // `deploy` is blocked by default: every attempt is a refusal.
    for n in 1..=14 {
        assert_eq!(console.submit(n, "probe", "deploy", 0.1), Verdict::Denied);
    }
    settle().await;
    assert_eq!(
        console.text("trigger-repeated-violations-reading"),
        "14 of 20 refusals in 300 s (probe)"
    );
    assert_eq!(console.text("trigger-repeated-violations-fired"), "never");

    for n in 15..=20 {
        console.submit(n, "probe", "deploy", 0.1);
    }
    settle().await;
    assert!(console
        .text("trigger-repeated-violations-fired")
        .contains("agent probe: 20 refusals"));
    assert_eq!(console.text("kill-switch-item-scope"), "agent probe");
    assert_eq!(
        console.text("kill-switch-item-actor"),
        "trigger: repeated violations"
    );
    assert_eq!(
        console.text("kill-switch-scoped"),
        "Kill switches: 1 agent halted"
    );
}

#[wasm_bindgen_test]
async fn a_scoped_switch_keeps_its_row_across_redraws_until_it_changes() {
    let console = mount(session(|_| {}));
    let probe = KillTarget::Agent("probe".into());
    let activate = |reason: &str| {
        console.state.command(|sim| {
            sim.plane_mut()
                .activate_kill_switch_for(Some(&probe), "riley", reason)
                .unwrap()
        })
    };
    activate("loops on email");
    settle().await;
    let row = console.one("kill-switch-item");
    // A busy fleet redraws the panel all the time: the row stays as it is
    // (a reviewer's focus on its button with it).
    for n in 1..=3 {
        console.submit(n, "worker", "api_call", 0.1);
        settle().await;
    }
    assert!(row.is_connected(), "the row was not built again");
    assert_eq!(console.all("kill-switch-item").len(), 1);
    // Switched off and on again, for another reason: the row says so.
    console.state.command(|sim| {
        sim.plane_mut()
            .deactivate_kill_switch_for(Some(&probe), "riley")
            .unwrap()
    });
    activate("still looping");
    settle().await;
    assert!(!row.is_connected());
    assert_eq!(console.text("kill-switch-item-reason"), "still looping");
    assert_eq!(console.all("kill-switch-item").len(), 1);
}

#[wasm_bindgen_test]
async fn a_long_list_of_switches_is_capped_and_any_switch_found_by_name() {
    browser_support::use_stylesheet();
    let console = mount(session(|_| {}));
    let shown = |testid: &str| {
        console
            .one(testid)
            .unchecked_into::<HtmlElement>()
            .offset_height()
            > 0
    };
    let scopes = || -> Vec<String> {
        console
            .all("kill-switch-item-scope")
            .iter()
            .map(|e| e.text_content().unwrap_or_default())
            .collect()
    };
    // What the style sheet writes in an empty list.
    let empty_list_says = || {
        web_sys::window()
            .unwrap()
            .get_computed_style_with_pseudo_elt(&console.one("kill-switch-list"), "::after")
            .unwrap()
            .unwrap()
            .get_property_value("content")
            .unwrap()
    };
    let halt = |name: &str| {
        let target = KillTarget::Agent(name.to_owned());
        console.state.command(|sim| {
            sim.plane_mut()
                .activate_kill_switch_for(Some(&target), "trigger:repeated_violations", "x")
                .unwrap()
        })
    };
    settle().await;
    // Nothing to find: no field, no line under the list.
    assert!(!shown("kill-switch-find"));
    assert!(console.find("kill-switch-more").is_none());
    assert_eq!(empty_list_says(), "\"None active.\"");
    // The triggers halt agents in bursts: 60 of them here, then a person
    // stops an action type.
    for n in 0..60 {
        halt(&format!("worker-{n:02}"));
    }
    let email = KillTarget::ActionType("email".into());
    console.state.command(|sim| {
        sim.plane_mut()
            .activate_kill_switch_for(Some(&email), "riley", "spam")
            .unwrap()
    });
    settle().await;
    assert_eq!(scopes().len(), 50);
    assert_eq!(scopes()[..2], ["action type email", "agent worker-00"]);
    assert_eq!(
        console.text("kill-switch-more"),
        "Showing 50 of 61 matching switches: find one by name to see it."
    );
    assert_eq!(
        console.text("kill-switch-scoped"),
        "Kill switches: 60 agents halted, 1 action type stopped"
    );
    assert!(shown("kill-switch-find"));
    // The last agent halted is found by name, and lifted from its row.
    console.type_into("kill-switch-find", "Worker-59");
    settle().await;
    assert_eq!(scopes(), ["agent worker-59"]);
    assert!(console.find("kill-switch-more").is_none());
    console.click("kill-switch-item-deactivate");
    settle().await;
    assert_eq!(
        console.text("kill-switch-scoped"),
        "Kill switches: 59 agents halted, 1 action type stopped"
    );
    // What was typed stays, and the field with it, while nothing matches.
    assert!(scopes().is_empty());
    assert!(shown("kill-switch-find"));
    assert_eq!(console.value("kill-switch-find"), "Worker-59");
    assert_eq!(empty_list_says(), "\"No active switch matches.\"");
    // The fleet's redraws keep what the reviewer found, and a switch
    // activated while the list is narrowed appears in it if it matches,
    // and not otherwise.
    console.type_into("kill-switch-find", "worker-5");
    for n in 1..=3 {
        console.submit(n, "worker", "api_call", 0.1);
        settle().await;
    }
    assert_eq!(scopes().len(), 9, "worker-50 to -58");
    halt("worker-5b");
    halt("mailer");
    settle().await;
    assert_eq!(scopes().len(), 10);
    assert_eq!(scopes()[9], "agent worker-5b");
    assert_eq!(console.value("kill-switch-find"), "worker-5");
    // Cleared, with every switch lifted: the field goes away again.
    console.state.command(|sim| {
        let plane = sim.plane_mut();
        let targets: Vec<_> = plane
            .kill_switches()
            .iter()
            .filter_map(|a| plane.kill_target(a.scope))
            .collect();
        for target in targets {
            plane
                .deactivate_kill_switch_for(Some(&target), "riley")
                .unwrap();
        }
    });
    console.type_into("kill-switch-find", "");
    settle().await;
    assert!(scopes().is_empty());
    assert!(!shown("kill-switch-find"));
    assert_eq!(empty_list_says(), "\"None active.\"");
}
