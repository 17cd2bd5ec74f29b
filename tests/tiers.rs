#![cfg(not(target_arch = "wasm32"))]
//! The control plane grown up: budgets in tiers, rate limits with a scope,
//! kill switches with scopes, through the public API a user drives.

use agent_governance_console::governance::{
    BudgetConfig, BudgetScope, ControlPlane, DecidedBy, GovernanceConfig, KillTarget, ManualClock,
    Millis, PolicyConfig, PolicyRule, RateLimitConfig, RateScope, Reason, RequestId, RequestInput,
    Review, Verdict,
};

struct Harness {
    clock: ManualClock,
    plane: ControlPlane,
    next_id: u128,
}

impl Harness {
    fn new(policies: Vec<PolicyConfig>) -> Harness {
        let clock = ManualClock::default();
        let config = GovernanceConfig {
            policies,
            ..GovernanceConfig::default()
        };
        let plane = ControlPlane::new(config, clock.clone()).expect("valid config");
        Harness {
            clock,
            plane,
            next_id: 0,
        }
    }

    fn submit(&mut self, agent: &str, action: &str, cost: f64) -> (RequestId, Verdict) {
        self.next_id += 1;
        let id = RequestId(uuid::Uuid::from_u128(self.next_id));
        let verdict = self
            .plane
            .submit(&RequestInput::new(id, agent, action, cost))
            .verdict;
        (id, verdict)
    }

    fn last_reason(&self) -> String {
        let record = self.plane.audit().records().last().unwrap();
        record.decision().unwrap().reason.to_string()
    }

    fn at_secs(&self, secs: u64) {
        self.clock
            .set(agent_governance_console::governance::Timestamp(
                secs * 1_000,
            ));
    }
}

fn policy(name: &str, priority: i32, rule: PolicyRule) -> PolicyConfig {
    PolicyConfig {
        name: name.into(),
        description: String::new(),
        applies_to: vec!["*".into()],
        priority,
        enabled: true,
        rule,
    }
}

fn budget(scope: BudgetScope, limit: f64, percent: f64, window_secs: Option<u64>) -> PolicyRule {
    PolicyRule::Budget(BudgetConfig {
        scope,
        window_secs,
        ..BudgetConfig::system(limit, percent)
    })
}

/// The tiers the guidance describes: no single call over 1.00, each agent
/// 10.00 an hour, the system 100.00 a day.
fn three_tiers() -> Vec<PolicyConfig> {
    vec![
        policy(
            "action_cap",
            30,
            budget(BudgetScope::Action, 1.0, 100.0, None),
        ),
        policy(
            "agent_hourly",
            20,
            budget(BudgetScope::Agent, 10.0, 100.0, Some(3_600)),
        ),
        policy(
            "system_daily",
            10,
            budget(BudgetScope::System, 100.0, 100.0, Some(86_400)),
        ),
    ]
}

#[test]
fn every_tier_holds_and_names_itself() {
    let mut h = Harness::new(three_tiers());
    assert_eq!(h.submit("a1", "api_call", 1.5).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "a cost of 1.50 is over the per-action cap 1.00"
    );
    for _ in 0..10 {
        assert_eq!(h.submit("a1", "api_call", 1.0).1, Verdict::Approved);
    }
    assert_eq!(h.submit("a1", "api_call", 0.5).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "a1 would spend 10.50 of its 10.00 hourly budget; resets at 1:00:00"
    );
    // Another agent has its own hour.
    assert_eq!(h.submit("a2", "api_call", 1.0).1, Verdict::Approved);
    // The next hour a1 may spend again.
    h.at_secs(3_600);
    assert_eq!(h.submit("a1", "api_call", 1.0).1, Verdict::Approved);
}

#[test]
fn the_daily_system_budget_stops_the_fleet_until_midnight() {
    let mut h = Harness::new(three_tiers());
    let mut agent = 0;
    let mut spent = 0.0;
    while spent < 100.0 {
        agent += 1;
        for _ in 0..10 {
            h.submit(&format!("agent-{agent}"), "api_call", 1.0);
            spent += 1.0;
        }
    }
    assert_eq!(h.plane.total_spend().to_string(), "100.00");
    assert_eq!(h.submit("fresh", "api_call", 0.01).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "the system would spend 100.01 of its 100.00 daily budget; resets at 24:00:00"
    );
    h.at_secs(86_400);
    assert_eq!(h.submit("fresh", "api_call", 0.01).1, Verdict::Approved);
}

#[test]
fn an_approval_rechecks_every_tier_at_the_moment_of_approval() {
    let mut policies = three_tiers();
    policies.push(policy(
        "humans",
        40,
        PolicyRule::SensitiveActions(
            agent_governance_console::governance::SensitiveActionsConfig::new(&[], &["email"]),
        ),
    ));
    let mut h = Harness::new(policies);
    let (waiting, verdict) = h.submit("a1", "email", 1.0);
    assert_eq!(verdict, Verdict::Escalated);
    for _ in 0..10 {
        h.submit("a1", "api_call", 1.0);
    }
    let decision = h.plane.resolve(waiting, &Review::approve("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Denied);
    assert_eq!(
        decision.decided_by,
        DecidedBy::Policy("agent_hourly".into())
    );
    assert_eq!(
        decision.reason.to_string(),
        "approved by reviewer, but a1 would spend 11.00 of its 10.00 hourly budget; resets at 1:00:00"
    );
}

#[test]
fn named_agents_have_their_own_limit() {
    let mut agent_budget = BudgetConfig {
        scope: BudgetScope::Agent,
        window_secs: Some(3_600),
        ..BudgetConfig::system(10.0, 100.0)
    };
    agent_budget.agent_limits.insert("agent-7".into(), 5.0);
    let mut h = Harness::new(vec![policy(
        "agent_hourly",
        1,
        PolicyRule::Budget(agent_budget),
    )]);
    h.at_secs(3_600 + 60);
    assert_eq!(h.submit("agent-7", "api_call", 5.0).1, Verdict::Approved);
    assert_eq!(h.submit("agent-7", "api_call", 0.2).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "agent-7 would spend 5.20 of its 5.00 hourly budget; resets at 2:00:00"
    );
    assert_eq!(h.submit("agent-8", "api_call", 9.0).1, Verdict::Approved);
}

#[test]
fn a_system_rate_limit_counts_every_agent_together() {
    let system = RateLimitConfig {
        scope: RateScope::System,
        ..RateLimitConfig::per_agent(3, 60.0)
    };
    let mut h = Harness::new(vec![policy("fleet_rate", 1, PolicyRule::RateLimit(system))]);
    for agent in ["a", "b", "c"] {
        assert_eq!(h.submit(agent, "api_call", 0.0).1, Verdict::Approved);
    }
    assert_eq!(h.submit("d", "api_call", 0.0).1, Verdict::RateLimited);
    assert_eq!(
        h.last_reason(),
        "3 actions executed by all agents in the last 60s; the limit is 3 per 60s"
    );
    h.clock.advance(Millis::from_secs(60));
    assert_eq!(h.submit("d", "api_call", 0.0).1, Verdict::Approved);
}

#[test]
fn a_kill_switch_for_one_agent_denies_only_its_waiting_escalations() {
    let mut h = Harness::new(GovernanceConfig::default().policies);
    let (loop_email, _) = h.submit("looper", "email", 1.0);
    let (other_email, _) = h.submit("worker", "email", 1.0);
    let target = KillTarget::Agent(" looper ".into());
    h.plane
        .activate_kill_switch_for(Some(&target), "ops", "runaway loop")
        .unwrap();
    assert!(h.plane.pending_escalation(loop_email).is_none());
    assert!(h.plane.pending_escalation(other_email).is_some());
    assert_eq!(h.submit("looper", "api_call", 0.0).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "kill switch for agent \"looper\" is active: runaway loop"
    );
    assert_eq!(h.submit("worker", "api_call", 0.0).1, Verdict::Approved);
    assert!(h.plane.kill_switch().is_none(), "no global stop");
    let looper = h.plane.agent_id("looper").unwrap();
    assert_eq!(
        &*h.plane.agent_halted_by(looper).unwrap().reason,
        "runaway loop"
    );
    let worker = h.plane.agent_id("worker").unwrap();
    assert!(h.plane.agent_halted_by(worker).is_none());
}

#[test]
fn an_approval_for_a_type_halted_while_it_waited_does_not_execute() {
    let mut h = Harness::new(GovernanceConfig::default().policies);
    let (email, _) = h.submit("a1", "email", 1.0);
    h.plane
        .activate_kill_switch_for(
            Some(&KillTarget::ActionType("db_write".into())),
            "ops",
            "migration",
        )
        .unwrap();
    // The email is not covered, so it still waits and can be approved.
    assert!(h.plane.pending_escalation(email).is_some());
    let (write, _) = h.submit("a1", "db_write", 1.0);
    assert_eq!(
        h.plane
            .audit()
            .of_request(write)
            .last()
            .unwrap()
            .decision()
            .unwrap()
            .reason,
        Reason::KillSwitchActive {
            reason: "migration".into(),
            target: Some(Box::new(KillTarget::ActionType("db_write".into())))
        }
    );
    h.plane
        .activate_kill_switch_for(Some(&KillTarget::Agent("a1".into())), "ops", "audit")
        .unwrap();
    assert!(h.plane.pending_escalation(email).is_none(), "now covered");
    assert_eq!(h.plane.kill_switches().len(), 2);
    assert_eq!(h.plane.total_spend().micros(), 0);
}

#[test]
fn scoped_kill_switches_refuse_bad_names_and_double_activation() {
    let mut h = Harness::new(GovernanceConfig::default().policies);
    let bad = KillTarget::Agent("a\u{200B}".into());
    assert_eq!(
        h.plane
            .activate_kill_switch_for(Some(&bad), "ops", "x")
            .unwrap_err()
            .to_string(),
        "scope: \"a\\u{200b}\" contains U+200B, an invisible or formatting character"
    );
    let deploys = KillTarget::ActionType("Deploy".into());
    h.plane
        .activate_kill_switch_for(Some(&deploys), "ops", "freeze")
        .unwrap();
    assert_eq!(
        h.plane
            .activate_kill_switch_for(
                Some(&KillTarget::ActionType("deploy".into())),
                "sec",
                "again"
            )
            .unwrap_err()
            .to_string(),
        "the kill switch for action type \"deploy\" is already active (activated by ops)"
    );
    h.plane
        .deactivate_kill_switch_for(Some(&deploys), "ops")
        .unwrap();
    assert!(h.plane.kill_switches().is_empty());
}
