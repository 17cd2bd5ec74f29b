#![cfg(not(target_arch = "wasm32"))]
//! The control plane's behaviour, stated as a specification: one test per rule
//! a user relies on.

use agent_governance_console::governance::{
    BudgetConfig, ControlPlane, DecidedBy, GovernanceConfig, KillSwitchError, ManualClock, Millis,
    PolicyRule, RateLimitConfig, Reason, RequestId, RequestInput, ResolveError, Review,
    SensitiveActionsConfig, TextProblem, Timestamp, Verdict,
};
use serde_json::json;

struct Harness {
    clock: ManualClock,
    plane: ControlPlane,
    next_id: u8,
}

impl Harness {
    fn new(config: GovernanceConfig) -> Harness {
        let clock = ManualClock::default();
        let plane = ControlPlane::new(config, clock.clone()).expect("valid config");
        Harness {
            clock,
            plane,
            next_id: 0,
        }
    }

    fn default() -> Harness {
        Harness::new(one_budget())
    }

    fn id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId::from_random_bytes([self.next_id; 16])
    }

    fn request(&mut self, agent: &str, action: &str, cost: f64) -> (RequestId, Verdict) {
        let id = self.id();
        let decision = self
            .plane
            .submit(&RequestInput::new(id, agent, action, cost));
        (id, decision.verdict)
    }

    fn advance_secs(&self, secs: u64) {
        self.clock.advance(Millis::from_secs(secs));
    }

    fn last_reason(&self) -> String {
        let record = self.plane.audit().records().last().unwrap();
        record.decision().unwrap().reason.to_string()
    }
}

/// The default configuration with one all-time budget on the whole system's
/// spend (100.00, escalating past 90 %) instead of the default tiers: the
/// budget these specifications describe. The tiers have their own in
/// `tests/tiers.rs`.
fn one_budget() -> GovernanceConfig {
    let mut config = GovernanceConfig::default();
    config
        .policies
        .retain(|p| !matches!(p.rule, PolicyRule::Budget(_)) || p.name == "budget");
    config.policy_mut("budget").unwrap().rule =
        PolicyRule::Budget(BudgetConfig::system(100.0, 90.0));
    config
}

fn config_with(edit: impl FnOnce(&mut GovernanceConfig)) -> GovernanceConfig {
    let mut config = one_budget();
    edit(&mut config);
    config
}

fn set_budget(config: &mut GovernanceConfig, limit: f64, percent: f64) {
    config.policy_mut("budget").unwrap().rule =
        PolicyRule::Budget(BudgetConfig::system(limit, percent));
}

fn set_rate(config: &mut GovernanceConfig, max_actions: u32, window_secs: f64) {
    config.policy_mut("rate_limit").unwrap().rule =
        PolicyRule::RateLimit(RateLimitConfig::per_agent(max_actions, window_secs));
}

// ---- policies and their order ----

#[test]
fn an_ordinary_request_is_approved_and_spends() {
    let mut h = Harness::default();
    let (_, verdict) = h.request("a1", "api_call", 2.5);
    assert_eq!(verdict, Verdict::Approved);
    assert_eq!(h.plane.total_spend().to_string(), "2.50");
    assert_eq!(h.last_reason(), "no policy objected");
}

#[test]
fn blocked_types_are_denied_and_approval_types_escalated() {
    let mut h = Harness::default();
    assert_eq!(h.request("a1", "deploy", 0.0).1, Verdict::Denied);
    assert_eq!(h.last_reason(), "action type is blocked");
    assert_eq!(h.request("a1", "email", 0.0).1, Verdict::Escalated);
    assert_eq!(h.plane.pending_escalations().count(), 1);
}

#[test]
fn the_budget_escalates_past_the_threshold_and_denies_past_the_limit() {
    let mut h = Harness::default();
    assert_eq!(h.request("a1", "api_call", 85.0).1, Verdict::Approved);
    assert_eq!(h.request("a1", "api_call", 10.2).1, Verdict::Escalated);
    assert_eq!(
        h.last_reason(),
        "projected spend 95.20 would pass the escalation threshold 90.00 of budget 100.00"
    );
    assert_eq!(h.request("a1", "api_call", 16.0).1, Verdict::Denied);
    assert_eq!(
        h.last_reason(),
        "projected spend 101.00 would exceed budget 100.00"
    );
    assert_eq!(h.plane.total_spend().to_string(), "85.00");
}

#[test]
fn spending_exactly_the_limit_is_allowed() {
    let mut h = Harness::new(config_with(|c| set_budget(c, 10.0, 100.0)));
    assert_eq!(h.request("a1", "api_call", 10.0).1, Verdict::Approved);
    assert_eq!(h.request("a1", "api_call", 0.000001).1, Verdict::Denied);
}

#[test]
fn the_highest_priority_objection_decides() {
    // A blocked type that is also over budget is reported as blocked, because
    // sensitive_actions has the higher priority.
    let mut h = Harness::new(config_with(|c| set_budget(c, 1.0, 90.0)));
    h.request("a1", "deploy", 50.0);
    let record = h.plane.audit().records().last().unwrap();
    assert_eq!(record.decision().unwrap().reason, Reason::ActionTypeBlocked);
    // Reversing the priorities makes the budget decide first.
    let mut h = Harness::new(config_with(|c| {
        set_budget(c, 1.0, 90.0);
        c.policy_mut("budget").unwrap().priority = 1_000;
    }));
    h.request("a1", "deploy", 50.0);
    let decision = h
        .plane
        .audit()
        .records()
        .last()
        .unwrap()
        .decision()
        .unwrap()
        .clone();
    assert_eq!(decision.decided_by, DecidedBy::Policy("budget".into()));
}

#[test]
fn equal_priorities_run_in_list_order() {
    let both_at_zero = |budget_first: bool| {
        config_with(|c| {
            set_budget(c, 1.0, 90.0);
            for policy in &mut c.policies {
                policy.priority = 0;
            }
            if budget_first {
                c.policies.reverse();
            }
        })
    };
    let mut h = Harness::new(both_at_zero(false));
    h.request("a1", "deploy", 50.0);
    assert_eq!(h.last_reason(), "action type is blocked");
    let mut h = Harness::new(both_at_zero(true));
    h.request("a1", "deploy", 50.0);
    assert_eq!(
        h.last_reason(),
        "projected spend 50.00 would exceed budget 1.00"
    );
}

#[test]
fn disabled_policies_and_uncovered_types_do_not_judge() {
    // deploy is high-risk: the default configuration also sends high-risk
    // types to a human, so that policy is off here too.
    let mut h = Harness::new(config_with(|c| {
        c.policy_mut("sensitive_actions").unwrap().enabled = false;
        c.policy_mut("high_risk_review").unwrap().enabled = false;
    }));
    assert_eq!(h.request("a1", "deploy", 0.0).1, Verdict::Approved);
    let mut h = Harness::new(config_with(|c| {
        c.policy_mut("sensitive_actions").unwrap().applies_to = vec!["email".into()];
        c.policy_mut("high_risk_review").unwrap().enabled = false;
    }));
    assert_eq!(h.request("a1", "deploy", 0.0).1, Verdict::Approved);
    assert_eq!(h.request("a1", "email", 0.0).1, Verdict::Escalated);
}

#[test]
fn user_defined_action_types_are_governed_too() {
    let mut h = Harness::new(config_with(|c| {
        c.policy_mut("sensitive_actions").unwrap().rule =
            PolicyRule::SensitiveActions(SensitiveActionsConfig {
                blocked: vec!["wire_transfer".into()],
                approval_required: vec![],
            });
    }));
    assert_eq!(h.request("a1", "wire_transfer", 1.0).1, Verdict::Denied);
    assert_eq!(h.request("a1", "summarise", 1.0).1, Verdict::Approved);
}

// ---- rate limiting ----

#[test]
fn the_rate_limit_counts_per_agent_over_a_sliding_window() {
    let mut h = Harness::new(config_with(|c| set_rate(c, 3, 60.0)));
    for _ in 0..3 {
        assert_eq!(h.request("loop", "api_call", 0.0).1, Verdict::Approved);
        h.advance_secs(10);
    }
    assert_eq!(h.request("loop", "api_call", 0.0).1, Verdict::RateLimited);
    assert_eq!(
        h.last_reason(),
        "3 actions executed in the last 60s; the limit is 3 per 60s"
    );
    // Another agent is unaffected.
    assert_eq!(h.request("calm", "api_call", 0.0).1, Verdict::Approved);
    // The first execution (t=0) leaves the window at t=60; the counter never
    // needs a reset.
    h.clock.set(Timestamp(60_000));
    assert_eq!(h.request("loop", "api_call", 0.0).1, Verdict::Approved);
    assert_eq!(h.request("loop", "api_call", 0.0).1, Verdict::RateLimited);
}

#[test]
fn refused_requests_do_not_count_toward_the_rate_limit() {
    let mut h = Harness::new(config_with(|c| set_rate(c, 1, 60.0)));
    h.request("a1", "deploy", 0.0);
    h.request("a1", "deploy", 0.0);
    assert_eq!(h.request("a1", "api_call", 0.0).1, Verdict::Approved);
}

#[test]
fn the_default_rate_limit_is_500_per_hour() {
    let mut h = Harness::default();
    for _ in 0..500 {
        assert_eq!(h.request_cheap(), Verdict::Approved);
    }
    assert_eq!(h.request_cheap(), Verdict::RateLimited);
    h.advance_secs(3_600);
    assert_eq!(h.request_cheap(), Verdict::Approved);
}

impl Harness {
    fn request_cheap(&mut self) -> Verdict {
        let id = RequestId(uuid::Uuid::from_u128(self.plane.audit().len() as u128 + 1));
        self.plane
            .submit(&RequestInput::new(id, "busy", "db_read", 0.0))
            .verdict
    }
}

// ---- validation fails closed ----

#[test]
fn malformed_requests_are_denied_and_audited() {
    let mut h = Harness::default();
    let cases: [(&str, &str, f64, serde_json::Value, &str); 6] = [
        (
            "a1",
            "api_call",
            f64::NAN,
            json!({}),
            "invalid cost NaN: not a finite number",
        ),
        (
            "a1",
            "api_call",
            -1.0,
            json!({}),
            "invalid cost -1: negative",
        ),
        (
            "a1",
            "api_call",
            f64::INFINITY,
            json!({}),
            "invalid cost inf: not a finite number",
        ),
        (
            "",
            "api_call",
            1.0,
            json!({}),
            "invalid agent id: must not be empty",
        ),
        (
            "a1",
            " ",
            1.0,
            json!({}),
            "invalid action type: must not be empty",
        ),
        (
            "a1",
            "api_call",
            1.0,
            json!([1, 2]),
            "invalid parameters: must be a JSON object",
        ),
    ];
    for (agent, action, cost, parameters, reason) in cases {
        let id = h.id();
        let input = RequestInput::new(id, agent, action, cost).with_parameters(parameters);
        let decision = h.plane.submit(&input);
        assert_eq!(decision.verdict, Verdict::Denied);
        assert_eq!(decision.decided_by, DecidedBy::Validation);
        assert_eq!(h.last_reason(), reason);
    }
    assert_eq!(h.plane.audit().len(), 6);
    assert_eq!(h.plane.total_spend().micros(), 0);
}

#[test]
fn a_reused_request_id_is_denied_without_executing() {
    let mut h = Harness::default();
    let id = h.id();
    let input = RequestInput::new(id, "a1", "api_call", 1.0);
    assert_eq!(h.plane.submit(&input).verdict, Verdict::Approved);
    let again = h.plane.submit(&input);
    assert_eq!(again.reason, Reason::DuplicateRequestId);
    assert_eq!(h.plane.total_spend().to_string(), "1.00");
}

// ---- kill switch ----

#[test]
fn the_kill_switch_denies_everything_and_is_audited() {
    let mut h = Harness::new(config_with(|c| {
        for policy in &mut c.policies {
            policy.enabled = false;
        }
    }));
    h.plane
        .activate_kill_switch("ops-lead", "runaway spend")
        .unwrap();
    assert_eq!(h.request("a1", "db_read", 0.0).1, Verdict::Denied);
    assert_eq!(h.last_reason(), "kill switch is active: runaway spend");
    let kinds: Vec<_> = h.plane.audit().records().map(|r| r.kind()).collect();
    assert_eq!(kinds, ["kill_switch_activated", "decision"]);
    let activation = h.plane.kill_switch().unwrap();
    assert_eq!(&*activation.actor, "ops-lead");
    h.plane.deactivate_kill_switch("ops-lead").unwrap();
    assert_eq!(h.request("a1", "db_read", 0.0).1, Verdict::Approved);
    assert_eq!(h.plane.audit().record(2).kind(), "kill_switch_deactivated");
}

#[test]
fn the_kill_switch_denies_waiting_escalations() {
    let mut h = Harness::default();
    let (id, _) = h.request("a1", "email", 1.0);
    h.plane.activate_kill_switch("ops", "incident").unwrap();
    assert_eq!(h.plane.pending_escalations().count(), 0);
    let resolution = h.plane.audit().records().last().unwrap();
    assert_eq!(resolution.request().unwrap().id, id);
    assert_eq!(resolution.decision().unwrap().verdict, Verdict::Denied);
    assert_eq!(
        resolution.decision().unwrap().reason,
        Reason::KillSwitchActivatedWhilePending
    );
    // An approval arriving now executes nothing.
    assert_eq!(
        h.plane.resolve(id, &Review::approve("alice")),
        Err(ResolveError::NotPending(id))
    );
    assert_eq!(h.plane.total_spend().micros(), 0);
}

#[test]
fn kill_switch_misuse_is_an_error_that_changes_nothing() {
    let mut h = Harness::default();
    assert_eq!(
        h.plane.activate_kill_switch("ops", " "),
        Err(KillSwitchError::MissingReason)
    );
    assert!(h.plane.activate_kill_switch("", "why").is_err());
    assert_eq!(
        h.plane.deactivate_kill_switch("ops"),
        Err(KillSwitchError::NotActive {
            scope: String::new()
        })
    );
    assert!(h.plane.audit().is_empty());
    assert!(h.plane.kill_switch().is_none());
}

// ---- escalations ----

#[test]
fn an_approved_escalation_executes_and_counts() {
    let mut h = Harness::new(config_with(|c| set_rate(c, 1, 60.0)));
    let (id, _) = h.request("a1", "email", 3.0);
    h.advance_secs(5);
    let decision = h
        .plane
        .resolve(id, &Review::approve("alice").with_comment("looks fine"))
        .unwrap();
    assert_eq!(decision.verdict, Verdict::Approved);
    assert_eq!(decision.decided_by, DecidedBy::Reviewer("alice".into()));
    assert_eq!(h.plane.total_spend().to_string(), "3.00");
    // The human-approved action counts toward the agent's rate limit.
    assert_eq!(h.request("a1", "db_read", 0.0).1, Verdict::RateLimited);
    let records: Vec<_> = h.plane.audit().of_request(id).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].decision().unwrap().verdict, Verdict::Escalated);
    assert!(!records[0].is_final_outcome());
    assert!(records[1].is_final_outcome());
    let line = h.plane.audit_line(&records[1]);
    assert_eq!(line.reviewer.as_deref(), Some("alice"));
    assert_eq!(line.comment.as_deref(), Some("looks fine"));
    let stats = h.plane.escalation_stats();
    assert_eq!((stats.escalated, stats.approved, stats.pending), (1, 1, 0));
    assert_eq!(stats.mean_wait(), Some(Millis::from_secs(5)));
}

#[test]
fn a_denied_escalation_records_the_reviewer_and_comment() {
    let mut h = Harness::default();
    let (id, _) = h.request("a1", "code_exec", 1.0);
    h.plane
        .resolve(id, &Review::deny("bob").with_comment("no prod access"))
        .unwrap();
    let line = h
        .plane
        .audit_line(&h.plane.audit().records().last().unwrap());
    assert_eq!(line.verdict, Some(Verdict::Denied));
    assert_eq!(line.reviewer.as_deref(), Some("bob"));
    assert_eq!(line.comment.as_deref(), Some("no prod access"));
    assert_eq!(line.reason.as_deref(), Some("denied by reviewer"));
    assert_eq!(h.plane.total_spend().micros(), 0);
}

#[test]
fn an_approval_that_would_now_overspend_is_denied() {
    let mut h = Harness::default();
    let (email, _) = h.request("a1", "email", 20.0);
    assert_eq!(h.request("a2", "api_call", 85.0).1, Verdict::Approved);
    let decision = h.plane.resolve(email, &Review::approve("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Denied);
    assert_eq!(
        decision.reason.to_string(),
        "approved by reviewer, but projected spend 105.00 would now exceed budget 100.00"
    );
    assert_eq!(h.plane.total_spend().to_string(), "85.00");
    let line = h
        .plane
        .audit_line(&h.plane.audit().records().last().unwrap());
    assert_eq!(line.reviewer.as_deref(), Some("alice"));
    assert_eq!(h.plane.escalation_stats().approvals_overruled, 1);
}

#[test]
fn escalations_time_out_to_denied_at_their_deadline() {
    let mut h = Harness::default();
    let (id, _) = h.request("a1", "email", 1.0);
    h.advance_secs(299);
    assert_eq!(h.plane.expire_due(), 0);
    h.advance_secs(1);
    assert_eq!(h.plane.expire_due(), 1);
    let record = h.plane.audit().records().last().unwrap();
    assert_eq!(record.at, Timestamp(300_000));
    assert_eq!(
        record.decision().unwrap().decided_by,
        DecidedBy::EscalationTimeout
    );
    assert_eq!(
        record.decision().unwrap().reason.to_string(),
        "no reviewer decided within 300s"
    );
    assert_eq!(
        h.plane.resolve(id, &Review::approve("late")),
        Err(ResolveError::TimedOut {
            id,
            at: Timestamp(300_000)
        })
    );
    assert_eq!(h.plane.escalation_stats().timed_out, 1);
}

#[test]
fn a_late_review_finds_the_item_already_timed_out() {
    // No explicit expire_due: the review itself moves time forward first.
    let mut h = Harness::default();
    let (id, _) = h.request("a1", "email", 1.0);
    h.advance_secs(301);
    let late = h.plane.resolve(id, &Review::approve("alice")).unwrap_err();
    assert_eq!(
        late.to_string(),
        format!("request {id} timed out at 0:05:00.000, before this review; nothing was executed")
    );
    assert_eq!(h.plane.total_spend().micros(), 0);
}

#[test]
fn the_escalation_timeout_is_configurable() {
    let mut h = Harness::new(config_with(|c| c.escalation_timeout_secs = 10.0));
    h.request("a1", "email", 1.0);
    h.advance_secs(10);
    assert_eq!(h.plane.expire_due(), 1);
}

#[test]
fn resolving_unknown_or_resolved_requests_is_an_error() {
    let mut h = Harness::default();
    let unknown = RequestId::from_random_bytes([200; 16]);
    assert_eq!(
        h.plane.resolve(unknown, &Review::approve("alice")),
        Err(ResolveError::UnknownRequest(unknown))
    );
    let (approved, _) = h.request("a1", "api_call", 1.0);
    assert_eq!(
        h.plane.resolve(approved, &Review::approve("alice")),
        Err(ResolveError::NotPending(approved))
    );
    let (email, _) = h.request("a1", "email", 1.0);
    assert!(matches!(
        h.plane.resolve(email, &Review::approve(" ")),
        Err(ResolveError::InvalidReviewer { .. })
    ));
    assert_eq!(
        h.plane
            .resolve(email, &Review::deny("bob").with_comment("x".repeat(1_001))),
        Err(ResolveError::InvalidComment(TextProblem::TooLong {
            chars: 1_001,
            max: 1_000
        }))
    );
    // The failed attempts left it pending.
    h.plane.resolve(email, &Review::deny("bob")).unwrap();
    assert_eq!(
        h.plane.resolve(email, &Review::deny("bob")),
        Err(ResolveError::NotPending(email))
    );
}

// ---- configuration ----

#[test]
fn a_valid_config_change_applies_to_the_next_request_and_is_audited() {
    let mut h = Harness::default();
    assert_eq!(h.request("a1", "api_call", 50.0).1, Verdict::Approved);
    let tighter = config_with(|c| set_budget(c, 40.0, 90.0));
    h.plane.apply_config(tighter.clone(), "carol").unwrap();
    assert_eq!(h.request("a1", "api_call", 1.0).1, Verdict::Denied);
    let change = &h.plane.audit().record(1);
    let line = h.plane.audit_line(change);
    assert_eq!(line.kind, "config_changed");
    assert_eq!(line.actor.as_deref(), Some("carol"));
    assert_eq!(line.config_before, Some(one_budget()));
    assert_eq!(line.config_after, Some(tighter));
}

#[test]
fn an_invalid_config_change_is_rejected_whole() {
    let mut h = Harness::default();
    let mut bad = config_with(|c| set_rate(c, 10, 60.0));
    set_budget(&mut bad, f64::NAN, 90.0);
    let error = h.plane.apply_config(bad, "carol").unwrap_err();
    assert_eq!(
        error.to_string(),
        "policies[3].rule.limit: NaN is not a finite number"
    );
    // The valid half (the rate limit) did not apply either.
    assert_eq!(h.plane.config(), &one_budget());
    assert!(h.plane.audit().is_empty());
    assert!(h
        .plane
        .apply_config(GovernanceConfig::default(), "")
        .is_err());
}

#[test]
fn lengthening_the_rate_window_counts_earlier_executions() {
    let mut h = Harness::new(config_with(|c| set_rate(c, 2, 10.0)));
    h.request("a1", "api_call", 0.0);
    h.advance_secs(20);
    h.request("a1", "api_call", 0.0);
    h.plane
        .apply_config(config_with(|c| set_rate(c, 2, 60.0)), "carol")
        .unwrap();
    assert_eq!(h.request("a1", "api_call", 0.0).1, Verdict::RateLimited);
}

// ---- queries ----

#[test]
fn the_spending_report_totals_per_agent_against_the_budget() {
    let mut h = Harness::default();
    h.request("a1", "api_call", 10.0);
    h.request("a2", "api_call", 5.5);
    h.request("a1", "db_read", 0.25);
    h.request("a2", "deploy", 30.0);
    let report = h.plane.spending_report();
    assert_eq!(report.total.to_string(), "15.75");
    assert_eq!(report.limit.unwrap().to_string(), "100.00");
    assert_eq!(report.threshold.unwrap().to_string(), "90.00");
    assert_eq!(report.remaining.unwrap().to_string(), "84.25");
    let per_agent: Vec<_> = report
        .per_agent
        .iter()
        .map(|a| (a.agent.to_string(), a.spent.to_string(), a.executed))
        .collect();
    assert_eq!(
        per_agent,
        [
            ("a1".to_string(), "10.25".to_string(), 2),
            ("a2".to_string(), "5.50".to_string(), 1)
        ]
    );
}

#[test]
fn refusals_can_be_listed_per_agent() {
    let mut h = Harness::new(config_with(|c| set_rate(c, 1, 60.0)));
    h.request("a1", "deploy", 0.0);
    h.request("a2", "api_call", 0.0);
    h.request("a2", "api_call", 0.0);
    h.request("a1", "api_call", 0.0);
    let verdicts = |agent: Option<&str>| -> Vec<Verdict> {
        h.plane
            .refusals(agent)
            .map(|r| r.decision().unwrap().verdict)
            .collect()
    };
    assert_eq!(verdicts(None), [Verdict::Denied, Verdict::RateLimited]);
    assert_eq!(verdicts(Some("a1")), [Verdict::Denied]);
    assert_eq!(verdicts(Some("a2")), [Verdict::RateLimited]);
    assert!(verdicts(Some("nobody")).is_empty());
}

#[test]
fn audit_lines_carry_every_field_of_a_decision() {
    let mut h = Harness::default();
    let id = h.id();
    h.plane.submit(
        &RequestInput::new(id, "mailer", "email", 0.4)
            .with_parameters(json!({"to": "cfo@example.com", "subject": "<b>hi</b>"})),
    );
    let line = h.plane.audit_line(&h.plane.audit().record(0));
    let json: serde_json::Value = serde_json::from_str(&line.to_json()).unwrap();
    assert_eq!(json["request_id"], json!(id.to_string()));
    assert_eq!(json["agent"], "mailer");
    assert_eq!(json["action_type"], "email");
    assert_eq!(json["cost"], json!(0.4));
    assert_eq!(json["verdict"], "escalated");
    assert_eq!(json["is_final"], false);
    assert_eq!(json["policy"], "sensitive_actions");
    assert_eq!(json["reason_code"], "approval_required");
    assert_eq!(json["parameters"]["subject"], "<b>hi</b>");
    assert_eq!(json["timestamp_ms"], 0);
}

#[test]
fn a_clock_that_steps_back_does_not_move_the_control_plane_back() {
    let mut h = Harness::default();
    h.clock.set(Timestamp(10_000));
    h.request("a1", "api_call", 0.0);
    h.clock.set(Timestamp(5_000));
    h.request("a1", "api_call", 0.0);
    let times: Vec<_> = h.plane.audit().records().map(|r| r.at).collect();
    assert_eq!(times, [Timestamp(10_000), Timestamp(10_000)]);
}

// ---- queries ----

#[test]
fn queries_report_what_happened_exactly() {
    let mut h = Harness::default();
    assert!(h.plane.audit().is_empty());
    let (waiting, _) = h.request("a1", "email", 2.0);
    assert!(!h.plane.audit().is_empty());
    let (resolved, _) = h.request("a1", "db_write", 3.0);
    h.request("a1", "api_call", 1.5);
    h.request("a1", "deploy", 0.0);
    h.request("b2", "api_call", 0.25);

    let pending = h.plane.pending_escalation(waiting).unwrap();
    assert_eq!(pending.deadline, Timestamp(300_000));
    assert_eq!(pending.escalation.reason, Reason::ApprovalRequired);
    assert_eq!(h.plane.escalation_stats().pending, 2);

    h.advance_secs(10);
    h.plane
        .resolve(resolved, &Review::approve("alice"))
        .unwrap();
    assert!(h.plane.pending_escalation(resolved).is_none());
    assert_eq!(h.plane.escalation_stats().pending, 1);
    h.plane.resolve(waiting, &Review::deny("bob")).unwrap();
    let latest: Vec<_> = h
        .plane
        .audit()
        .latest_resolutions()
        .map(|r| r.request().unwrap().id)
        .collect();
    assert_eq!(latest, [waiting, resolved], "newest first");

    let a1 = h.plane.agent_id("a1").unwrap();
    let stats = h.plane.agent_stats(a1);
    assert_eq!(stats.requests, 4);
    assert_eq!(stats.executed, 2, "api_call and the approved db_write");
    assert_eq!(stats.refused, 2, "deploy and the denied email");
    assert_eq!(stats.escalated, 2);
    assert_eq!(stats.last_verdict, Some(Verdict::Denied));
    assert_eq!(h.plane.agent_spend(a1).to_string(), "4.50");
    let b2 = h.plane.agent_id("b2").unwrap();
    assert_eq!(h.plane.agent_spend(b2).to_string(), "0.25");
    assert_eq!(h.plane.agent_stats(b2).requests, 1);

    let counts = h.plane.verdict_counts();
    assert_eq!(counts.get(Verdict::Approved), 3);
    assert_eq!(counts.get(Verdict::Denied), 2);
    assert_eq!(counts.get(Verdict::Escalated), 2);
    assert_eq!(counts.get(Verdict::RateLimited), 0);
    let escalations = h.plane.escalation_stats();
    assert_eq!(escalations.approved, 1);
    assert_eq!(escalations.denied_by_reviewer, 1);
    assert_eq!(escalations.mean_wait(), Some(Millis::from_secs(10)));
}

#[test]
fn a_request_taken_by_value_is_governed_and_recorded_exactly_as_one_lent() {
    // Empty, clean, secret-carrying, non-object and too-deep parameters, a
    // reused id and a bad name: both entry points leave identical trails.
    let mut deep = json!({});
    for _ in 0..40 {
        deep = json!({ "x": deep });
    }
    let inputs: Vec<RequestInput> = [
        ("a", "web_search", json!({})),
        (
            "a",
            "db_write",
            json!({"table": "orders", "rows": [1, 2, 3]}),
        ),
        (
            "b",
            "email",
            json!({"to": "jo.smith@acme-corp.io", "body": "hi"}),
        ),
        (
            "b",
            "api_call",
            json!({"token": "ghp_8fK2mQ9xLw3Rt7Yb1Nc5Vd0Hs4Jg6Pz2Ua8E"}),
        ),
        ("c", "api_call", json!(["not", "an", "object"])),
        ("c", "api_call", deep),
        ("#bad", "api_call", json!({})),
    ]
    .into_iter()
    .enumerate()
    .map(|(n, (agent, action, parameters))| {
        RequestInput::new(
            RequestId::from_random_bytes([n as u8 + 1; 16]),
            agent,
            action,
            1.0,
        )
        .with_parameters(parameters)
    })
    .collect();
    let trail = |owned: bool| {
        let mut plane = ControlPlane::new(GovernanceConfig::default(), ManualClock::default())
            .expect("valid config");
        for input in inputs.iter().chain(inputs.first()) {
            if owned {
                plane.submit_owned(input.clone());
            } else {
                plane.submit(input);
            }
        }
        let lines: Vec<String> = plane
            .audit()
            .records()
            .map(|record| serde_json::to_string(&plane.audit_line(&record)).unwrap())
            .collect();
        lines
    };
    let lent = trail(false);
    assert_eq!(lent.len(), inputs.len() + 1);
    assert!(lent.iter().any(|line| line.contains("[github_token]")));
    assert_eq!(trail(true), lent);
}

#[test]
fn parameters_are_shared_when_empty_and_kept_without_a_copy_when_given() {
    let mut plane = ControlPlane::new(GovernanceConfig::default(), ManualClock::default())
        .expect("valid config");
    let id = |n: u8| RequestId::from_random_bytes([n; 16]);
    plane.submit(&RequestInput::new(id(1), "a", "api_call", 0.01));
    plane.submit_owned(RequestInput::new(id(2), "b", "api_call", 0.01));
    let given =
        RequestInput::new(id(3), "c", "api_call", 0.01).with_parameters(json!({"table": "orders"}));
    let before = &given.parameters["table"] as *const serde_json::Value;
    plane.submit_owned(given);
    let lent =
        RequestInput::new(id(4), "d", "api_call", 0.01).with_parameters(json!({"table": "orders"}));
    plane.submit(&lent);

    let parameters: Vec<_> = plane
        .audit()
        .records()
        .map(|r| r.request().unwrap().parameters.clone())
        .collect();
    assert!(
        std::sync::Arc::ptr_eq(&parameters[0], &parameters[1]),
        "one empty map"
    );
    let kept = &parameters[2]["table"] as *const serde_json::Value;
    assert_eq!(kept, before, "taken by value: the same map, not a copy");
    let copied = &parameters[3]["table"] as *const serde_json::Value;
    assert_ne!(
        copied,
        &lent.parameters["table"] as *const serde_json::Value
    );
    assert_eq!(parameters[2], parameters[3]);
}

#[test]
fn the_decision_handed_back_is_the_one_recorded_figures_included() {
    let mut h = Harness::default();
    // Approved (50 of 100), escalated (95 passes 90 %), denied (110 > 100).
    let decisions: Vec<_> = [50.0, 45.0, 60.0]
        .into_iter()
        .map(|cost| {
            let id = h.id();
            h.plane
                .submit(&RequestInput::new(id, "agent-1", "api_call", cost))
        })
        .collect();
    let recorded: Vec<_> = h
        .plane
        .audit()
        .records()
        .map(|record| record.decision().unwrap().clone())
        .collect();
    assert_eq!(decisions, recorded);
    assert_eq!(decisions[1].verdict, Verdict::Escalated);
    assert_eq!(
        decisions[2].reason.to_string(),
        "projected spend 110.00 would exceed budget 100.00"
    );
}
