#![cfg(not(target_arch = "wasm32"))]
//! The fail-open paths an adversarial review found, each as the scenario that
//! exposed it and the outcome a governance product must give instead.

use agent_governance_console::governance::{
    AuditLine, BudgetConfig, ConflictStrategy, ControlPlane, DecidedBy, GovernanceConfig,
    KillSwitchError, ManualClock, Millis, PolicyConfig, PolicyRule, RateLimitConfig, Reason,
    RequestId, RequestInput, ResolveError, Review, SensitiveActionsConfig, Verdict,
};
use serde_json::json;

struct Harness {
    clock: ManualClock,
    plane: ControlPlane,
    next_id: u128,
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

    fn id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId(uuid::Uuid::from_u128(self.next_id))
    }

    fn submit(&mut self, agent: &str, action: &str, cost: f64) -> (RequestId, Verdict) {
        let id = self.id();
        let verdict = self
            .plane
            .submit(&RequestInput::new(id, agent, action, cost))
            .verdict;
        (id, verdict)
    }

    fn last(&self) -> AuditLine {
        let record = self.plane.audit().records().last().unwrap();
        self.plane.audit_line(&record)
    }

    fn finals_of(&self, id: RequestId) -> usize {
        self.plane
            .audit()
            .of_request(id)
            .filter(|r| r.is_final_outcome())
            .count()
    }
}

fn policy(name: &str, priority: i32, applies_to: &[&str], rule: PolicyRule) -> PolicyConfig {
    PolicyConfig {
        name: name.into(),
        description: String::new(),
        applies_to: applies_to.iter().map(|s| s.to_string()).collect(),
        priority,
        enabled: true,
        rule,
        risk_levels: Vec::new(),
        on_timeout: Default::default(),
    }
}

fn budget(limit: f64, escalate_at_percent: f64) -> PolicyRule {
    PolicyRule::Budget(BudgetConfig::system(limit, escalate_at_percent))
}

fn sensitive(blocked: &[&str], approval_required: &[&str]) -> PolicyRule {
    PolicyRule::SensitiveActions(SensitiveActionsConfig {
        blocked: blocked.iter().map(|s| s.to_string()).collect(),
        approval_required: approval_required.iter().map(|s| s.to_string()).collect(),
    })
}

fn config(strategy: ConflictStrategy, policies: Vec<PolicyConfig>) -> GovernanceConfig {
    GovernanceConfig {
        conflict_strategy: strategy,
        policies,
        ..GovernanceConfig::default()
    }
}

/// A budget above the sensitive-actions policy in priority, close to its
/// threshold: the article's strategy lets the budget escalate a blocked type.
fn budget_above_blocked_deploy(strategy: ConflictStrategy) -> GovernanceConfig {
    config(
        strategy,
        vec![
            policy("budget", 500, &["*"], budget(100.0, 90.0)),
            policy(
                "sensitive_actions",
                100,
                &["*"],
                sensitive(&["deploy"], &[]),
            ),
        ],
    )
}

// ---- 1. a blocked action executes after a human approves it ----

#[test]
fn under_deny_overrides_a_blocked_type_is_denied_even_when_a_budget_above_escalates_it() {
    let mut h = Harness::new(budget_above_blocked_deploy(ConflictStrategy::DenyOverrides));
    assert_eq!(h.submit("a1", "api_call", 85.0).1, Verdict::Approved);
    let (_, verdict) = h.submit("a1", "deploy", 10.0);
    assert_eq!(verdict, Verdict::Denied);
    let line = h.last();
    assert_eq!(line.policy.as_deref(), Some("sensitive_actions"));
    assert_eq!(line.reason.as_deref(), Some("action type is blocked"));
    assert_eq!(h.plane.pending_escalations().count(), 0, "nobody is asked");
}

#[test]
fn under_first_applicable_the_escalated_blocked_type_is_still_refused_on_approval() {
    let mut h = Harness::new(budget_above_blocked_deploy(
        ConflictStrategy::FirstApplicable,
    ));
    h.submit("a1", "api_call", 85.0);
    let (id, verdict) = h.submit("a1", "deploy", 10.0);
    assert_eq!(
        verdict,
        Verdict::Escalated,
        "the article's strategy escalates"
    );
    let decision = h.plane.resolve(id, &Review::approve("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Denied);
    assert_eq!(
        decision.decided_by,
        DecidedBy::Policy("sensitive_actions".into())
    );
    assert_eq!(
        decision.reason.to_string(),
        "approved by reviewer, but the action type is blocked"
    );
    assert_eq!(decision.reason.code(), "approval_overruled");
    assert_eq!(h.plane.total_spend().to_string(), "85.00");
    assert_eq!(h.plane.escalation_stats().approvals_overruled, 1);
    let line = h.last();
    assert_eq!(
        line.reviewer.as_deref(),
        Some("alice"),
        "who approved is kept"
    );
}

#[test]
fn an_approval_requirement_above_a_block_cannot_send_a_blocked_type_to_a_reviewer() {
    let policies = vec![
        policy("needs_human", 900, &["*"], sensitive(&[], &["deploy"])),
        policy("never", 100, &["*"], sensitive(&["deploy"], &[])),
    ];
    let mut h = Harness::new(config(ConflictStrategy::DenyOverrides, policies.clone()));
    assert_eq!(h.submit("a1", "deploy", 0.0).1, Verdict::Denied);
    assert_eq!(h.last().policy.as_deref(), Some("never"));

    let mut h = Harness::new(config(ConflictStrategy::FirstApplicable, policies));
    let (id, verdict) = h.submit("a1", "deploy", 0.0);
    assert_eq!(verdict, Verdict::Escalated);
    let decision = h.plane.resolve(id, &Review::approve("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Denied);
    assert_eq!(decision.decided_by, DecidedBy::Policy("never".into()));
}

#[test]
fn among_refusals_the_highest_priority_gives_the_reason() {
    let mut h = Harness::new(config(
        ConflictStrategy::DenyOverrides,
        vec![
            policy("approval", 900, &["*"], sensitive(&[], &["deploy"])),
            policy("budget", 500, &["*"], budget(1.0, 50.0)),
            policy("blocked", 100, &["*"], sensitive(&["deploy"], &[])),
        ],
    ));
    h.submit("a1", "deploy", 5.0);
    assert_eq!(h.last().policy.as_deref(), Some("budget"));
    assert_eq!(h.last().reason_code.as_deref(), Some("over_budget"));
}

// ---- 2. a type blocked while an escalation waits ----

#[test]
fn a_type_blocked_while_its_escalation_waits_does_not_execute_on_approval() {
    let mut h = Harness::new(GovernanceConfig::default());
    let (id, verdict) = h.submit("a1", "email", 1.0);
    assert_eq!(verdict, Verdict::Escalated);
    let mut blocked = GovernanceConfig::default();
    blocked.policy_mut("sensitive_actions").unwrap().rule =
        sensitive(&["deploy", "email"], &["db_write"]);
    h.plane.apply_config(blocked, "security").unwrap();
    let decision = h.plane.resolve(id, &Review::approve("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Denied);
    assert_eq!(
        decision.decided_by,
        DecidedBy::Policy("sensitive_actions".into())
    );
    assert_eq!(h.plane.total_spend().micros(), 0);
    assert_eq!(h.finals_of(id), 1);
}

#[test]
fn a_rate_limit_does_not_hold_back_an_approval() {
    // Documented choice: the reviewer is the authority for that one action.
    let mut c = GovernanceConfig::default();
    c.policy_mut("rate_limit").unwrap().rule =
        PolicyRule::RateLimit(RateLimitConfig::per_agent(1, 60.0));
    let mut h = Harness::new(c);
    let (id, _) = h.submit("a1", "email", 1.0);
    assert_eq!(h.submit("a1", "api_call", 1.0).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 1.0).1, Verdict::RateLimited);
    let decision = h.plane.resolve(id, &Review::approve("alice")).unwrap();
    assert_eq!(decision.verdict, Verdict::Approved);
}

// ---- 3. blocked lists match exact bytes ----

#[test]
fn a_blocked_type_is_blocked_in_any_case_and_look_alikes_are_refused() {
    let mut h = Harness::new(GovernanceConfig::default());
    for spelling in ["Deploy", "DEPLOY", " deploy "] {
        assert_eq!(h.submit("a1", spelling, 0.0).1, Verdict::Denied);
        let line = h.last();
        assert_eq!(line.action_type.as_deref(), Some("deploy"));
        assert_eq!(line.reason.as_deref(), Some("action type is blocked"));
    }
    for look_alike in ["deploy\u{200B}", "de\u{AD}ploy", "ｄｅｐｌｏｙ", "deplοy"] {
        assert_eq!(h.submit("a1", look_alike, 0.0).1, Verdict::Denied);
        let line = h.last();
        assert_eq!(line.policy.as_deref(), Some("validation"), "{look_alike:?}");
        assert_eq!(line.action_type.as_deref(), Some("#invalid"));
    }
    assert_eq!(h.plane.total_spend().micros(), 0);
}

#[test]
fn an_approval_required_type_cannot_skip_review_by_spelling() {
    let mut h = Harness::new(GovernanceConfig::default());
    assert_eq!(h.submit("a1", "Email", 1.0).1, Verdict::Escalated);
    assert_eq!(h.submit("a1", "email\u{200B}", 1.0).1, Verdict::Denied);
    assert!(h
        .last()
        .reason
        .unwrap()
        .starts_with("invalid action type: contains U+200B"));
}

#[test]
fn configurations_name_action_types_in_their_canonical_spelling() {
    let mut c = GovernanceConfig::default();
    c.policy_mut("sensitive_actions").unwrap().rule = sensitive(&["Deploy"], &[]);
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies[0].rule.blocked[0]: \"Deploy\" must be written \"deploy\""
    );
    c.policy_mut("sensitive_actions").unwrap().rule = sensitive(&["deploy\u{200B}"], &[]);
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies[0].rule.blocked[0]: \"deploy\\u{200b}\" contains U+200B, an invisible or formatting character"
    );
}

// ---- 4. one final record per request id ----

#[test]
fn reusing_a_waiting_requests_id_cannot_write_into_its_history() {
    let mut h = Harness::new(GovernanceConfig::default());
    let (id, verdict) = h.submit("a1", "email", 1.0);
    assert_eq!(verdict, Verdict::Escalated);
    let reuse = RequestInput::new(id, "intruder", "api_call", 0.0);
    assert_eq!(h.plane.submit(&reuse).verdict, Verdict::Denied);
    let line = h.last();
    assert_eq!(line.kind, "duplicate_rejected");
    assert_eq!(line.request_id, None);
    assert_eq!(line.reused_request_id, Some(id));
    assert_eq!(line.is_final, None);
    assert_eq!(line.agent.as_deref(), Some("intruder"));
    assert_eq!(h.finals_of(id), 0, "the original still waits");
    assert_eq!(h.plane.pending_escalations().count(), 1);
    h.plane.resolve(id, &Review::approve("alice")).unwrap();
    assert_eq!(h.finals_of(id), 1);
    assert_eq!(h.plane.total_spend().to_string(), "1.00");
}

#[test]
fn reusing_a_finished_requests_id_leaves_its_outcome_alone() {
    let mut h = Harness::new(GovernanceConfig::default());
    let (id, _) = h.submit("a1", "api_call", 1.0);
    let reuse = RequestInput::new(id, "a1", "api_call", 1.0);
    let decision = h.plane.submit(&reuse);
    assert_eq!(decision.reason, Reason::DuplicateRequestId);
    assert_eq!(h.finals_of(id), 1);
    assert_eq!(h.plane.total_spend().to_string(), "1.00");
    assert_eq!(h.plane.refusals(Some("a1")).count(), 1, "listed as refused");
}

// ---- 5. names ----

#[test]
fn an_over_long_agent_name_is_never_filed_under_its_prefix() {
    let mut h = Harness::new(GovernanceConfig::default());
    let legitimate = "a".repeat(64);
    h.submit(&legitimate, "api_call", 1.0);
    let agents_before = h.plane.agents().count();
    let (_, verdict) = h.submit(&format!("{legitimate}-impostor"), "api_call", 1.0);
    assert_eq!(verdict, Verdict::Denied);
    let line = h.last();
    assert_eq!(line.agent.as_deref(), Some("#invalid"));
    let reason = line.reason.unwrap();
    assert!(
        reason.starts_with(
            "invalid agent id: is 73 characters long; the limit is 64 (recorded as fingerprint "
        ),
        "{reason}"
    );
    let id = h.plane.agent_id(&legitimate).unwrap();
    assert_eq!(h.plane.agent_stats(id).refused, 0);
    // Many different rejected names intern one marker, not one name each.
    for n in 0..20 {
        h.submit(&format!("{legitimate}{n}"), "api_call", 1.0);
    }
    assert_eq!(h.plane.agents().count(), agents_before + 1);
}

#[test]
fn names_are_trimmed_so_one_agent_has_one_rate_limit() {
    let mut c = GovernanceConfig::default();
    c.policy_mut("rate_limit").unwrap().rule =
        PolicyRule::RateLimit(RateLimitConfig::per_agent(1, 60.0));
    let mut h = Harness::new(c);
    assert_eq!(h.submit("a", "api_call", 0.0).1, Verdict::Approved);
    assert_eq!(h.submit(" a ", "api_call", 0.0).1, Verdict::RateLimited);
    assert_eq!(h.last().agent.as_deref(), Some("a"));
}

#[test]
fn invisible_names_and_actors_are_refused() {
    let mut h = Harness::new(GovernanceConfig::default());
    for name in ["a\u{200B}", "\u{202E}nimda", "\u{3164}"] {
        assert_eq!(h.submit(name, "api_call", 0.0).1, Verdict::Denied);
        assert_eq!(h.last().agent.as_deref(), Some("#invalid"));
    }
    assert!(matches!(
        h.plane.activate_kill_switch("ops\u{200B}", "drill"),
        Err(KillSwitchError::InvalidActor { .. })
    ));
    assert!(h
        .plane
        .apply_config(GovernanceConfig::default(), "\u{202E}x")
        .is_err());
    assert_eq!(
        h.plane
            .activate_kill_switch("ops", "clear\u{1b}[2J")
            .unwrap_err()
            .to_string(),
        "reason: contains U+001B, a control character"
    );
    let (id, _) = h.submit("a1", "email", 0.0);
    assert!(matches!(
        h.plane.resolve(id, &Review::approve("\u{200B}")),
        Err(ResolveError::InvalidReviewer { .. })
    ));
    assert!(matches!(
        h.plane
            .resolve(id, &Review::deny("bob").with_comment("ok\u{7}")),
        Err(ResolveError::InvalidComment(_))
    ));
    // A comment may span lines.
    h.plane
        .resolve(id, &Review::deny("bob").with_comment("line one\nline two"))
        .unwrap();
    assert_eq!(h.last().comment.as_deref(), Some("line one\nline two"));
    assert!(h.plane.kill_switch().is_none());
}

// ---- 6. scoped policies count only what they cover ----

#[test]
fn a_rate_limit_on_one_type_counts_only_that_type() {
    let mut h = Harness::new(config(
        ConflictStrategy::DenyOverrides,
        vec![policy(
            "api_rate",
            1,
            &["api_call"],
            PolicyRule::RateLimit(RateLimitConfig::per_agent(2, 60.0)),
        )],
    ));
    for _ in 0..5 {
        assert_eq!(h.submit("a1", "db_read", 0.0).1, Verdict::Approved);
    }
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 0.0).1, Verdict::RateLimited);
    assert_eq!(
        h.last().reason.as_deref(),
        Some("2 actions executed in the last 60s; the limit is 2 per 60s")
    );
}

#[test]
fn a_budget_on_one_type_counts_only_that_types_spend() {
    let mut h = Harness::new(config(
        ConflictStrategy::DenyOverrides,
        vec![policy("api_budget", 1, &["api_call"], budget(10.0, 100.0))],
    ));
    assert_eq!(h.submit("a1", "db_read", 50.0).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 10.0).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 0.01).1, Verdict::Denied);
    assert_eq!(
        h.last().reason.as_deref(),
        Some("projected spend 10.01 would exceed budget 10.00")
    );
}

// ---- 7. rounding ----

#[test]
fn costs_finer_than_a_micro_unit_are_refused_never_rounded_to_free() {
    let mut tiny = config(
        ConflictStrategy::DenyOverrides,
        vec![policy("tiny", 1, &["*"], budget(0.000001, 100.0))],
    );
    // A thousand refusals would halt the agent: not what this test is about.
    tiny.triggers.repeated_violations.enabled = false;
    let mut h = Harness::new(tiny);
    for _ in 0..1_000 {
        assert_eq!(h.submit("a1", "api_call", 0.0000004).1, Verdict::Denied);
    }
    assert_eq!(
        h.last().reason.as_deref(),
        Some(
            "invalid cost 0.0000004: more than 6 decimal places (the smallest amount is 0.000001)"
        )
    );
    assert_eq!(h.submit("a1", "api_call", 0.000001).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 0.000001).1, Verdict::Denied);
    assert_eq!(h.plane.total_spend().micros(), 1);
}

#[test]
fn an_escalation_threshold_never_sits_above_the_fraction_named() {
    // 90.004 % of 10000.00 is 9000.40: a request reaching 9000.41 is escalated
    // (rounding to basis points made the threshold 9000.00, rounding up
    // would have let 9000.41 through unreviewed at 90.01 %).
    let mut h = Harness::new(config(
        ConflictStrategy::DenyOverrides,
        vec![policy("budget", 1, &["*"], budget(10_000.0, 90.004))],
    ));
    assert_eq!(h.submit("a1", "api_call", 9_000.40).1, Verdict::Approved);
    assert_eq!(h.submit("a1", "api_call", 0.01).1, Verdict::Escalated);
}

#[test]
fn a_budget_with_more_decimals_than_money_holds_is_refused() {
    let c = config(
        ConflictStrategy::DenyOverrides,
        vec![policy("budget", 1, &["*"], budget(10.0000001, 90.0))],
    );
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies[0].rule.limit: 10.0000001 has more than 6 decimal places (the smallest amount is 0.000001)"
    );
}

// ---- 8. input limits the core owns ----

#[test]
fn over_deep_parameters_are_refused_for_that_request_and_not_recorded() {
    let mut h = Harness::new(GovernanceConfig::default());
    let mut deep = json!({});
    for _ in 0..126 {
        deep = json!({ "x": deep });
    }
    let id = h.id();
    let input = RequestInput::new(id, "a1", "api_call", 1.0).with_parameters(deep);
    assert_eq!(h.plane.submit(&input).verdict, Verdict::Denied);
    let line = h.last();
    assert_eq!(
        line.reason.as_deref(),
        Some("invalid parameters: nested 127 levels deep; the limit is 32 (not recorded)")
    );
    assert_eq!(line.parameters.unwrap().len(), 0);
    // At the limit is fine.
    let mut at_limit = json!({});
    for _ in 0..31 {
        at_limit = json!({ "x": at_limit });
    }
    let id = h.id();
    let input = RequestInput::new(id, "a1", "api_call", 1.0).with_parameters(at_limit);
    assert_eq!(h.plane.submit(&input).verdict, Verdict::Approved);
}

#[test]
fn a_review_at_the_deadline_is_too_late_and_says_when_it_timed_out() {
    let mut h = Harness::new(GovernanceConfig::default());
    let (early, _) = h.submit("a1", "email", 1.0);
    let (at_deadline, _) = h.submit("a1", "email", 1.0);
    h.clock.advance(Millis(299_999));
    assert_eq!(
        h.plane
            .resolve(early, &Review::approve("alice"))
            .unwrap()
            .verdict,
        Verdict::Approved
    );
    h.clock.advance(Millis(1));
    assert_eq!(
        h.plane
            .resolve(at_deadline, &Review::approve("alice"))
            .unwrap_err()
            .to_string(),
        format!(
            "request {at_deadline} timed out at 0:05:00.000, before this review; nothing was executed"
        )
    );
    assert_eq!(h.plane.total_spend().to_string(), "1.00");
}

#[test]
fn every_applies_to_entry_is_validated_and_star_stands_alone() {
    let mut c = GovernanceConfig::default();
    c.policies[0].applies_to = vec!["*".into(), "bad type".into()];
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies[0].applies_to[0]: \"*\" covers every action type; list it alone"
    );
    c.policies[0].applies_to = vec!["api_call".into(), "bad type".into()];
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies[0].applies_to[1]: \"bad type\" must not contain spaces"
    );
}

#[test]
fn list_sizes_and_lengths_have_documented_limits_counted_in_characters() {
    let mut c = GovernanceConfig::default();
    let many: Vec<String> = (0..101).map(|n| format!("type_{n}")).collect();
    c.policies[0].rule = PolicyRule::SensitiveActions(SensitiveActionsConfig {
        blocked: many,
        approval_required: vec![],
    });
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies[0].rule.blocked: (101 entries) has more than 100 entries"
    );
    let mut c = GovernanceConfig::default();
    c.policies[0].description = "é".repeat(500);
    assert!(c.validate().is_ok(), "500 characters, 1000 bytes");
    c.policies[0].description.push('é');
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .ends_with("is 501 characters long; the limit is 500"));
    let mut c = GovernanceConfig::default();
    let policy = c.policies[0].clone();
    c.policies = (0..51)
        .map(|n| PolicyConfig {
            name: format!("p{n}"),
            ..policy.clone()
        })
        .collect();
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "policies: (51 policies) has more than 50 policies"
    );
}

#[test]
fn a_configuration_without_a_strategy_reads_as_deny_overrides() {
    let mut value = serde_json::to_value(GovernanceConfig::default()).unwrap();
    value.as_object_mut().unwrap().remove("conflict_strategy");
    let config = GovernanceConfig::from_json(&value.to_string()).unwrap();
    assert_eq!(config.conflict_strategy, ConflictStrategy::DenyOverrides);
    let text = GovernanceConfig::default()
        .to_json_pretty()
        .replace("deny_overrides", "first_applicable");
    assert_eq!(
        GovernanceConfig::from_json(&text)
            .unwrap()
            .conflict_strategy,
        ConflictStrategy::FirstApplicable
    );
}
