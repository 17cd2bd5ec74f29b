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
        risk_levels: Vec::new(),
        on_timeout: Default::default(),
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

// ---- automatic triggers ----

#[test]
fn repeated_refusals_halt_the_agent_and_are_audited_with_their_figures() {
    let mut h = Harness::new(GovernanceConfig::default().policies);
    for _ in 0..19 {
        assert_eq!(h.submit("rogue", "deploy", 0.0).1, Verdict::Denied);
    }
    let looper = h.plane.agent_id("rogue").unwrap();
    assert_eq!(h.plane.violations_of(looper), 19);
    assert!(h.plane.agent_halted_by(looper).is_none());
    h.submit("rogue", "deploy", 0.0);
    let record = h.plane.audit().records().last().unwrap();
    let line = h.plane.audit_line(&record);
    assert_eq!(line.kind, "kill_switch_activated");
    assert_eq!(line.actor.as_deref(), Some("trigger:repeated_violations"));
    assert_eq!(line.scope, Some(KillTarget::Agent("rogue".into())));
    assert_eq!(
        line.reason.as_deref(),
        Some("20 refusals within 300s: the threshold is 20 within 300s")
    );
    assert_eq!(h.submit("rogue", "api_call", 0.0).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "kill switch for agent \"rogue\" is active: 20 refusals within 300s: the threshold is 20 within 300s"
    );
    assert_eq!(h.submit("worker", "api_call", 0.0).1, Verdict::Approved);
    // Halted, its refusals by the kill switch do not fire the trigger again.
    for _ in 0..30 {
        h.submit("rogue", "deploy", 0.0);
    }
    let activations = h
        .plane
        .audit()
        .records()
        .filter(|r| r.kind() == "kill_switch_activated")
        .count();
    assert_eq!(activations, 1);
}

#[test]
fn the_repeated_violations_trigger_can_be_switched_off() {
    let mut config = GovernanceConfig::default();
    config.triggers.repeated_violations.enabled = false;
    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(config, clock).unwrap();
    for n in 0..50u128 {
        let id = RequestId(uuid::Uuid::from_u128(n + 1));
        plane.submit(&RequestInput::new(id, "rogue", "deploy", 0.0));
    }
    assert!(plane.kill_switches().is_empty());
}

#[test]
fn a_spend_spike_stops_everything_when_the_anomaly_trigger_is_on() {
    let mut config = GovernanceConfig::default();
    config.triggers.spend_anomaly.enabled = true;
    // Only the system's daily budget: the spike itself is within every limit.
    config
        .policies
        .retain(|p| !matches!(p.rule, PolicyRule::Budget(_)) || p.name == "budget");
    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(config, clock.clone()).unwrap();
    let mut next = 0u128;
    let mut submit = |plane: &mut ControlPlane, cost: f64| {
        next += 1;
        let id = RequestId(uuid::Uuid::from_u128(next));
        plane
            .submit(&RequestInput::new(id, "burner", "api_call", cost))
            .verdict
    };
    // A quiet hour at 1.00 per five minutes.
    for _ in 0..12 {
        assert_eq!(submit(&mut plane, 1.0), Verdict::Approved);
        clock.advance(Millis::from_secs(300));
    }
    assert!(plane.kill_switch().is_none());
    assert_eq!(submit(&mut plane, 10.0), Verdict::Approved);
    assert_eq!(submit(&mut plane, 0.5), Verdict::Approved);
    let activation = plane.kill_switch().expect("the spike stopped everything");
    assert_eq!(&*activation.actor, "trigger:spend_anomaly");
    assert!(
        activation
            .reason
            .starts_with("all spend in the last 300s was 10.50, over 10 × the baseline"),
        "{}",
        activation.reason
    );
    assert_eq!(submit(&mut plane, 0.01), Verdict::Denied);
}

// ---- hardened approvals ----

#[test]
fn an_approval_is_bound_to_the_request_the_reviewer_saw() {
    let mut h = Harness::new(GovernanceConfig::default().policies);
    let (first, _) = h.submit("a1", "email", 0.5);
    let (second, _) = h.submit("a1", "email", 0.6);
    let shown_first = h.plane.pending_escalation(first).unwrap().hash();
    let shown_second = h.plane.pending_escalation(second).unwrap().hash();
    assert_ne!(
        shown_first, shown_second,
        "the cost is part of what was shown"
    );
    // A review carrying another request's hash is refused and changes nothing.
    assert_eq!(
        h.plane
            .resolve(first, &Review::approve("alice").for_hash(shown_second))
            .unwrap_err()
            .to_string(),
        format!(
            "request {first} does not match the hash the review was given: it was not reviewed as it is; nothing was executed"
        )
    );
    assert!(h.plane.pending_escalation(first).is_some());
    assert!(h
        .plane
        .resolve(first, &Review::approve("alice").for_hash("not a hash"))
        .is_err());
    let decision = h
        .plane
        .resolve(first, &Review::approve("alice").for_hash(shown_first))
        .unwrap();
    assert_eq!(decision.verdict, Verdict::Approved);
}

#[test]
fn a_policy_can_let_silence_approve_after_the_same_recheck() {
    let mut policies = GovernanceConfig::default().policies;
    policies[0].on_timeout = agent_governance_console::governance::TimeoutOutcome::Allow;
    let mut h = Harness::new(policies);
    let (allowed, _) = h.submit("a1", "email", 1.0);
    h.clock.advance(Millis::from_secs(300));
    h.plane.expire_due();
    let record = h.plane.audit().records().last().unwrap();
    assert_eq!(record.request().unwrap().id, allowed);
    let decision = record.decision().unwrap();
    assert_eq!(decision.verdict, Verdict::Approved);
    assert_eq!(decision.decided_by, DecidedBy::EscalationTimeout);
    assert_eq!(
        decision.reason.to_string(),
        "no reviewer decided within 300s; the policy lets silence approve"
    );
    assert_eq!(h.plane.total_spend().to_string(), "1.00");
    // A refusal in force at the deadline still stops it.
    let (blocked, _) = h.submit("a1", "email", 1.0);
    h.plane
        .activate_kill_switch_for(Some(&KillTarget::ActionType("email".into())), "ops", "x")
        .unwrap();
    assert!(h.plane.pending_escalation(blocked).is_none());
    assert_eq!(h.plane.total_spend().to_string(), "1.00");
}

#[test]
fn approvals_per_reviewer_are_counted_and_warned_about() {
    let mut config = GovernanceConfig::default();
    config.approval_fatigue.warn_above = 2;
    config.approval_fatigue.window_secs = 60;
    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(config, clock.clone()).unwrap();
    let mut ids = Vec::new();
    for n in 0..4u128 {
        let id = RequestId(uuid::Uuid::from_u128(n + 1));
        plane.submit(&RequestInput::new(id, "a1", "email", 0.0));
        ids.push(id);
    }
    assert_eq!(plane.approvals_by("alice"), (0, false));
    plane.resolve(ids[0], &Review::approve("alice")).unwrap();
    plane.resolve(ids[1], &Review::approve("alice")).unwrap();
    plane.resolve(ids[2], &Review::deny("alice")).unwrap();
    assert_eq!(plane.approvals_by("alice"), (2, false));
    plane.resolve(ids[3], &Review::approve(" alice ")).unwrap();
    assert_eq!(plane.approvals_by("alice"), (3, true));
    assert_eq!(plane.approvals_by("bob"), (0, false));
    clock.advance(Millis::from_secs(60));
    plane.expire_due(); // queries read the control plane as of its last operation
    assert_eq!(plane.approvals_by("alice"), (0, false));
}

// ---- risk levels ----

#[test]
fn with_the_defaults_no_irreversible_tool_runs_without_a_human_while_reads_flow() {
    let mut h = Harness::new(GovernanceConfig::default().policies);
    for tool in [
        "send_money",
        "delete_file",
        "update_password",
        "post_webpage",
        "transfer_funds",
        "sendMoney",
        "github.merge_pull_request",
        "frobnicate_widgets",
    ] {
        let (_, verdict) = h.submit("agent", tool, 0.1);
        assert_eq!(verdict, Verdict::Escalated, "{tool}");
    }
    for tool in [
        "search_emails",
        "get_weather",
        "list_files",
        "mcp:files/read",
    ] {
        let (_, verdict) = h.submit("agent", tool, 0.1);
        assert_eq!(verdict, Verdict::Approved, "{tool}");
    }
    assert_eq!(h.plane.total_spend().to_string(), "0.40");
    let record = h
        .plane
        .audit()
        .records()
        .find(|r| {
            r.request()
                .is_some_and(|q| &**h.plane.action_name(q.action) == "send_money")
        })
        .unwrap();
    assert_eq!(
        record.decision().unwrap().reason.to_string(),
        "high-risk action types require human approval"
    );
}

#[test]
fn every_action_type_seen_has_a_level_and_its_source() {
    use agent_governance_console::governance::risk::{RiskLevel, RiskSource};
    let mut h = Harness::new(GovernanceConfig::default().policies);
    h.submit("agent", "api_call", 0.0);
    h.submit("agent", "delete_file", 0.0);
    h.submit("agent", "frobnicate", 0.0);
    let level = |h: &Harness, name: &str| {
        let action = h
            .plane
            .action_types()
            .find(|&a| &**h.plane.action_name(a) == name)
            .unwrap();
        h.plane.risk_of(action)
    };
    assert_eq!(
        level(&h, "api_call"),
        (RiskLevel::Medium, RiskSource::Configured)
    );
    assert_eq!(
        level(&h, "delete_file"),
        (RiskLevel::High, RiskSource::Verb("delete".into()))
    );
    assert_eq!(
        level(&h, "frobnicate"),
        (RiskLevel::High, RiskSource::Default)
    );
}

#[test]
fn a_reviewer_can_change_a_level_and_the_policies_follow() {
    use agent_governance_console::governance::risk::RiskLevel;
    let mut h = Harness::new(GovernanceConfig::default().policies);
    assert_eq!(h.submit("agent", "frobnicate", 0.0).1, Verdict::Escalated);
    let mut config = h.plane.config().clone();
    config
        .risk
        .levels
        .insert("frobnicate".into(), RiskLevel::Low);
    h.plane.apply_config(config, "riley").unwrap();
    assert_eq!(h.submit("agent", "frobnicate", 0.0).1, Verdict::Approved);
    // Low-risk types skip the rate limit, which covers medium and high.
    let mut config = h.plane.config().clone();
    if let PolicyRule::RateLimit(rule) = &mut config.policy_mut("rate_limit").unwrap().rule {
        rule.max_actions = 1;
    }
    h.plane.apply_config(config, "riley").unwrap();
    assert_eq!(h.submit("agent", "api_call", 0.0).1, Verdict::Approved);
    assert_eq!(h.submit("agent", "api_call", 0.0).1, Verdict::RateLimited);
    assert_eq!(h.submit("agent", "frobnicate", 0.0).1, Verdict::Approved);
}

#[test]
fn the_console_can_show_every_tier_against_its_limit() {
    let mut h = Harness::new(three_tiers());
    h.at_secs(90);
    h.submit("a1", "api_call", 1.0);
    h.submit("a1", "api_call", 1.0);
    h.submit("a2", "api_call", 0.5);
    let usage = h.plane.budget_usage(None);
    let rows: Vec<String> = usage
        .iter()
        .map(|u| {
            format!(
                "{} {} {}/{} {:?} {:?}",
                u.policy,
                u.scope.as_str(),
                u.spent,
                u.limit,
                u.agent.as_deref(),
                u.resets_at.map(|t| t.millis())
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "action_cap action 0.00/1.00 None None",
            "agent_hourly agent 2.00/10.00 Some(\"a1\") Some(3600000)",
            "system_daily system 2.50/100.00 None Some(86400000)",
        ]
    );
    let a2 = h.plane.agent_id("a2").unwrap();
    assert_eq!(h.plane.budget_usage(Some(a2))[1].spent.to_string(), "0.50");
}

#[test]
fn the_readme_configuration_example_is_valid() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```json\n{\n  \"version\": 2")
        .expect("the README shows a version 2 configuration");
    let body = &readme[start + "```json\n".len()..];
    let text = &body[..body.find("```").unwrap()];
    let config = GovernanceConfig::from_json(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policies.len(), 7);
    assert!(config.policy("office_hours").is_some());
}

#[test]
fn a_rate_window_longer_than_an_hour_counts_every_execution_in_it() {
    // Executions are kept for the longest rate window configured, not only
    // the hour kept by default.
    let two_hours = RateLimitConfig::per_agent(2, 7_200.0);
    let mut h = Harness::new(vec![policy("slow", 1, PolicyRule::RateLimit(two_hours))]);
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::Approved);
    h.at_secs(3_700);
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::Approved);
    h.at_secs(3_800);
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::RateLimited);
    h.at_secs(7_200);
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::Approved);
}

// ---- sensitive data ----

#[test]
fn a_request_carrying_a_credential_is_denied_and_recorded_masked() {
    use serde_json::json;
    let mut h = Harness::new(GovernanceConfig::default().policies);
    let key = "AKIAZ3MSJV5WPQ7R4YTU";
    let id = RequestId(uuid::Uuid::from_u128(900));
    let input = RequestInput::new(id, "a1", "api_call", 0.1).with_parameters(json!({
        "endpoint": "https://s3.internal/upload",
        "headers": [{"x-key": format!("key={key}")}]
    }));
    assert_eq!(h.plane.submit(&input).verdict, Verdict::Denied);
    let line = h
        .plane
        .audit_line(&h.plane.audit().records().last().unwrap());
    assert_eq!(line.policy.as_deref(), Some("sensitive_data"));
    assert_eq!(
        line.reason.as_deref(),
        Some("parameters contain AWS access key (masked in the record)")
    );
    let json = line.to_json();
    assert!(!json.contains(key), "{json}");
    assert!(json.contains("AKIA…[aws_access_key]"), "{json}");
}

#[test]
fn personal_data_goes_to_a_human_and_a_test_domain_does_not() {
    use serde_json::json;
    let mut h = Harness::new(GovernanceConfig::default().policies);
    let submit = |h: &mut Harness, n: u128, params: serde_json::Value| {
        let id = RequestId(uuid::Uuid::from_u128(1_000 + n));
        h.plane
            .submit(&RequestInput::new(id, "a1", "api_call", 0.1).with_parameters(params))
            .verdict
    };
    assert_eq!(
        submit(&mut h, 1, json!({"to": "dana.okafor@northwind-traders.io"})),
        Verdict::Escalated
    );
    let waiting = h.plane.pending_escalations().next().unwrap();
    let shown = serde_json::to_string(&*waiting.request.parameters).unwrap();
    assert!(
        !shown.contains("dana.okafor"),
        "the inbox shows it masked: {shown}"
    );
    assert_eq!(
        submit(&mut h, 2, json!({"to": "alice@example.com"})),
        Verdict::Approved
    );
}

#[test]
fn an_agent_that_keeps_sending_credentials_is_halted() {
    use serde_json::json;
    let mut h = Harness::new(GovernanceConfig::default().policies);
    for n in 0..3u128 {
        let id = RequestId(uuid::Uuid::from_u128(2_000 + n));
        let input = RequestInput::new(id, "leaky", "api_call", 0.1)
            .with_parameters(json!({"token": "ghp_8fK2mQ9xLw3Rt7Yb1Nc5Vd0Hs4Jg6Pz2Ua8E"}));
        h.plane.submit(&input);
    }
    let leaky = h.plane.agent_id("leaky").unwrap();
    let halt = h.plane.agent_halted_by(leaky).expect("halted");
    assert_eq!(&*halt.actor, "trigger:credential_leaks");
    assert_eq!(
        &*halt.reason,
        "3 requests carrying credentials within 3600s: the threshold is 3 within 3600s"
    );
}
