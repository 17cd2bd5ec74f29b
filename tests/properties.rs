#![cfg(not(target_arch = "wasm32"))]
//! Invariants of the control plane over random streams of requests, clock
//! movements, reviewer decisions, configuration edits and kill-switch toggles.

use agent_governance_console::governance::detectors::{self, DataKinds};
use agent_governance_console::governance::ids::BUILT_IN_ACTION_TYPES;
use agent_governance_console::governance::names::{canonical_action_type, canonical_name};
use agent_governance_console::governance::risk::{RiskConfig, RiskLevel};
use agent_governance_console::governance::{
    AuditEvent, AuditRecord, BudgetConfig, BudgetScope, ChangeWindow, ChangeWindowConfig,
    ConflictStrategy, ControlPlane, DecidedBy, GovernanceConfig, KillTarget, ManualClock, Millis,
    Money, Outside, PolicyConfig, PolicyRule, RateLimitConfig, RateScope, RequestId, RequestInput,
    ResolveError, Review, SensitiveActionsConfig, TimeoutOutcome, Timestamp, Verdict, Weekday,
};
use proptest::prelude::*;
use std::collections::HashMap;

/// Agent ids as agents send them: the same agent spelled with spaces, an
/// empty id and one with an invisible character.
const AGENTS: [&str; 6] = ["alpha", "beta", "gamma", " alpha ", "", "al\u{200B}pha"];
/// Action types as configurations list them: the built-in types and one
/// user-defined type.
const CANONICAL_ACTIONS: [&str; 7] = {
    let b = BUILT_IN_ACTION_TYPES;
    [b[0], b[1], b[2], b[3], b[4], b[5], "summarise"]
};
/// Action types as agents send them: canonical, other spellings of the same
/// types, and look-alikes that must be refused.
const ACTIONS: [&str; 14] = [
    "api_call",
    "db_read",
    "db_write",
    "email",
    "code_exec",
    "deploy",
    "summarise",
    "Deploy",
    " DEPLOY ",
    "Email",
    "deploy\u{200B}",
    "ｄｅｐｌｏｙ",
    "de\u{AD}ploy",
    "email\u{200B}",
];

/// Credentials and personal data an agent might put in its parameters.
const SECRETS: [&str; 5] = [
    "AKIAZ3MSJV5WPQ7R4YTU",
    "ghp_8fK2mQ9xLw3Rt7Yb1Nc5Vd0Hs4Jg6Pz2Ua8E",
    "4539578763621486",
    "dana.okafor@northwind-traders.io",
    "xoxb-2214567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
];

#[derive(Clone, Debug)]
enum Op {
    Submit {
        agent: usize,
        action: usize,
        cost: f64,
        parameters_are_an_object: bool,
        reuse_id: bool,
    },
    Advance(u64),
    Review {
        pick: usize,
        approve: bool,
    },
    ReviewUnknown,
    Configure(GovernanceConfig),
    KillSwitchOn(Option<KillTarget>),
    KillSwitchOff(Option<KillTarget>),
}

/// Global, one agent (in any spelling an agent uses) or one action type.
fn kill_target() -> impl Strategy<Value = Option<KillTarget>> {
    prop_oneof![
        1 => Just(None),
        1 => proptest::sample::select(vec!["alpha", " alpha ", "beta"])
            .prop_map(|a| Some(KillTarget::Agent(a.into()))),
        1 => proptest::sample::select(vec!["email", "Deploy", "api_call", "summarise"])
            .prop_map(|t| Some(KillTarget::ActionType(t.into()))),
    ]
}

fn cost() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => (0u64..25_000_000).prop_map(|micros| micros as f64 / 1e6),
        2 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(-3.0),
        1 => Just(f64::INFINITY),
        1 => Just(0.0000004),
    ]
}

fn action_list() -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(CANONICAL_ACTIONS.to_vec(), 0..4)
        .prop_map(|types| types.into_iter().map(String::from).collect())
}

fn scope() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        2 => Just(vec!["*".to_string()]),
        1 => proptest::sample::subsequence(CANONICAL_ACTIONS.to_vec(), 1..4)
            .prop_map(|types| types.into_iter().map(String::from).collect()),
    ]
}

fn escalations_allowed(escalations: bool) -> impl Strategy<Value = bool> {
    proptest::bool::weighted(if escalations { 0.5 } else { 0.0 })
}

/// One policy of a random kind, budgets in every tier and rate limits in
/// both scopes. Without `escalations`, no policy escalates.
fn rule(escalations: bool) -> impl Strategy<Value = PolicyRule> {
    let budget = (
        (0u64..150).prop_map(|units| units as f64),
        50.0..=100.0f64,
        proptest::sample::select(BudgetScope::ALL.to_vec()),
        proptest::option::of(proptest::sample::select(vec![60u64, 600, 3_600])),
        proptest::option::of((0u64..30).prop_map(|units| units as f64)),
    )
        .prop_map(move |(limit, percent, scope, window, alpha_limit)| {
            let mut budget = BudgetConfig {
                scope,
                window_secs: window.filter(|_| scope != BudgetScope::Action),
                ..BudgetConfig::system(limit, if escalations { percent } else { 100.0 })
            };
            if let (BudgetScope::Agent, Some(alpha)) = (scope, alpha_limit) {
                budget.agent_limits.insert("alpha".into(), alpha);
            }
            PolicyRule::Budget(budget)
        });
    let rate = (
        1u32..40,
        1u64..=3_600,
        proptest::sample::select(RateScope::ALL.to_vec()),
    )
        .prop_map(|(max_actions, window, scope)| {
            PolicyRule::RateLimit(RateLimitConfig {
                scope,
                max_actions,
                window_secs: window as f64,
            })
        });
    let sensitive = (action_list(), action_list()).prop_map(move |(blocked, approval)| {
        let approval_required = if escalations {
            approval
                .into_iter()
                .filter(|t| !blocked.contains(t))
                .collect()
        } else {
            Vec::new()
        };
        PolicyRule::SensitiveActions(SensitiveActionsConfig {
            blocked,
            approval_required,
        })
    });
    let review = Just(PolicyRule::RequireApproval(Default::default()));
    let review_weight = u32::from(escalations);
    let window = (
        proptest::sample::subsequence(Weekday::ALL.to_vec(), 1..7),
        0u8..23,
        1u8..12,
        escalations_allowed(escalations),
    )
        .prop_map(|(days, start_hour, length, escalate)| {
            PolicyRule::ChangeWindow(ChangeWindowConfig {
                windows: vec![ChangeWindow {
                    days,
                    start_hour,
                    end_hour: (start_hour + length).min(24),
                }],
                outside: if escalate {
                    Outside::Escalate
                } else {
                    Outside::Deny
                },
                ..ChangeWindowConfig::office_hours()
            })
        });
    prop_oneof![4 => budget, 4 => rate, 4 => sensitive, 2 => window, review_weight => review]
}

/// A random set of one to six policies, several of each kind possible, with
/// random priorities (ties too), scopes, switches and conflict strategy;
/// valid unless `break_it` says otherwise.
fn config(escalations: bool) -> impl Strategy<Value = GovernanceConfig> {
    (
        proptest::collection::vec(
            (
                (
                    rule(escalations),
                    -3i32..4,
                    proptest::bool::weighted(0.85),
                    scope(),
                ),
                proptest::bool::weighted(0.3),
                proptest::sample::subsequence(RiskLevel::ALL.to_vec(), 0..3),
            ),
            1..7,
        ),
        (30u64..600, proptest::bool::weighted(0.1)),
        proptest::sample::select(ConflictStrategy::ALL.to_vec()),
    )
        .prop_map(move |(policies, (timeout, break_it), conflict_strategy)| {
            let mut policies: Vec<PolicyConfig> = policies
                .into_iter()
                .enumerate()
                .map(
                    |(i, ((rule, priority, enabled, applies_to), allow, risk_levels))| {
                        PolicyConfig {
                            name: format!("{}-{i}", rule.kind()),
                            description: String::new(),
                            applies_to,
                            priority,
                            enabled,
                            rule,
                            risk_levels,
                            on_timeout: if allow {
                                TimeoutOutcome::Allow
                            } else {
                                TimeoutOutcome::Deny
                            },
                        }
                    },
                )
                .collect();
            if break_it {
                policies[0].priority = i32::MAX;
            }
            GovernanceConfig {
                version: 2,
                escalation_timeout_secs: timeout as f64,
                conflict_strategy,
                policies,
                triggers: Default::default(),
                approval_fatigue: Default::default(),
                risk: Default::default(),
            }
        })
}

fn op(escalations: bool) -> impl Strategy<Value = Op> {
    let submit = (
        0..AGENTS.len(),
        0..ACTIONS.len(),
        cost(),
        proptest::bool::weighted(0.95),
        proptest::bool::weighted(0.03),
    )
        .prop_map(|(agent, action, cost, object, reuse)| Op::Submit {
            agent,
            action,
            cost,
            parameters_are_an_object: object,
            reuse_id: reuse,
        });
    let review_weight = if escalations { 15 } else { 0 };
    prop_oneof![
        40 => submit,
        8 => (0u64..20_000).prop_map(Op::Advance),
        2 => (0u64..900_000).prop_map(Op::Advance),
        review_weight => (any::<usize>(), any::<bool>()).prop_map(|(pick, approve)| Op::Review { pick, approve }),
        1 => Just(Op::ReviewUnknown),
        3 => config(escalations).prop_map(Op::Configure),
        2 => kill_target().prop_map(Op::KillSwitchOn),
        2 => kill_target().prop_map(Op::KillSwitchOff),
    ]
}

fn stream(escalations: bool) -> impl Strategy<Value = (GovernanceConfig, Vec<Op>)> {
    (
        config(escalations).prop_filter("starts valid", |c| c.validate().is_ok()),
        proptest::collection::vec(op(escalations), 1..160),
    )
}

/// A run of a stream, with what the checks need to know about it.
struct Run {
    plane: ControlPlane,
    submitted: Vec<RequestId>,
    initial: GovernanceConfig,
}

fn request_id(n: u64) -> RequestId {
    RequestId(uuid::Uuid::from_u128(0x1000_0000 + n as u128))
}

/// Runs a stream. Checks that need the moment they happen in are asserted
/// here; `on_submit` sees each submission with its verdict.
fn run(
    initial: GovernanceConfig,
    ops: &[Op],
    on_submit: impl FnMut(&ControlPlane, &RequestInput, Verdict),
) -> Run {
    run_draining(initial, ops, on_submit, None)
}

/// [`run`]; with `drained`, the audit trail is handed out (as export lines)
/// and forgotten before every operation and at the end, as a streaming
/// replay does.
fn run_draining(
    initial: GovernanceConfig,
    ops: &[Op],
    mut on_submit: impl FnMut(&ControlPlane, &RequestInput, Verdict),
    mut drained: Option<&mut Vec<String>>,
) -> Run {
    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(initial.clone(), clock.clone()).unwrap();
    let mut submitted = Vec::new();
    let drain = |plane: &mut ControlPlane, drained: &mut Option<&mut Vec<String>>| {
        if let Some(lines) = drained {
            plane
                .drain_audit(|line| {
                    lines.push(line.to_json());
                    Ok::<_, ()>(())
                })
                .unwrap();
        }
    };
    for op in ops {
        drain(&mut plane, &mut drained);
        match op {
            Op::Submit {
                agent,
                action,
                cost,
                parameters_are_an_object,
                reuse_id,
            } => {
                let id = match (reuse_id, submitted.last()) {
                    (true, Some(&last)) => last,
                    _ => request_id(submitted.len() as u64),
                };
                let parameters = if *parameters_are_an_object && submitted.len() % 3 == 0 {
                    serde_json::json!({"n": submitted.len(), "environment": "Production"})
                } else if *parameters_are_an_object && submitted.len() % 5 == 1 {
                    let secret = SECRETS[submitted.len() / 5 % SECRETS.len()];
                    serde_json::json!({"n": submitted.len(), "note": format!("use {secret} now"), "nested": [{"k": secret}]})
                } else if *parameters_are_an_object {
                    serde_json::json!({"n": submitted.len()})
                } else {
                    serde_json::json!("not an object")
                };
                let input = RequestInput::new(id, AGENTS[*agent], ACTIONS[*action], *cost)
                    .with_parameters(parameters);
                let before = plane.audit().len();
                let verdict = plane.submit(&input).verdict;
                on_submit(&plane, &input, verdict);
                // One record of the submission; before it, timeouts; after it,
                // what a trigger it tripped did.
                let added: Vec<_> = plane.audit().records_from(before).collect();
                let own = added
                    .iter()
                    .filter(|r| {
                        matches!(
                            r.event,
                            AuditEvent::Decision { .. } | AuditEvent::DuplicateRejected { .. }
                        )
                    })
                    .count();
                assert_eq!(own, 1);
                assert_eq!(
                    added.len(),
                    1 + timeouts_in(&plane, before) + trigger_records(&added)
                );
                if !reuse_id || submitted.is_empty() {
                    submitted.push(id);
                }
            }
            Op::Advance(ms) => clock.advance(Millis(*ms)),
            Op::Review { pick, approve } => {
                let pending: Vec<_> = plane.pending_escalations().map(|p| p.request.id).collect();
                if pending.is_empty() {
                    continue;
                }
                let id = pending[pick % pending.len()];
                let review = if *approve {
                    Review::approve("reviewer")
                } else {
                    Review::deny("reviewer")
                };
                // The item may have timed out as the review moved the clock.
                match plane.resolve(id, &review) {
                    Ok(_) | Err(ResolveError::TimedOut { .. }) => {}
                    Err(other) => panic!("unexpected {other}"),
                }
            }
            Op::ReviewUnknown => {
                let before = plane.audit().len();
                let unknown = RequestId(uuid::Uuid::from_u128(7));
                assert_eq!(
                    plane.resolve(unknown, &Review::approve("reviewer")),
                    Err(ResolveError::UnknownRequest(unknown))
                );
                assert_eq!(plane.audit().len(), before + timeouts_in(&plane, before));
            }
            Op::Configure(config) => {
                let before_config = plane.config().clone();
                let result = plane.apply_config(config.clone(), "editor");
                if config.validate().is_err() {
                    assert!(result.is_err());
                    assert_eq!(
                        plane.config(),
                        &before_config,
                        "an invalid change changed nothing"
                    );
                } else {
                    assert!(result.is_ok());
                    assert_eq!(plane.config(), config);
                }
            }
            Op::KillSwitchOn(target) => {
                let active_before = plane.kill_switches().len();
                // What times out as the clock reaches now is not the switch's doing.
                plane.expire_due();
                let waiting: Vec<_> = plane
                    .pending_escalations()
                    .map(|p| (p.request.id, p.request.agent, p.request.action))
                    .collect();
                let result = plane.activate_kill_switch_for(target.as_ref(), "ops", "drill");
                if result.is_ok() {
                    assert_eq!(plane.kill_switches().len(), active_before + 1);
                    // The waiting escalations it covers are denied, no others.
                    let active = plane.kill_switches();
                    let activation = active
                        .iter()
                        .find(|a| plane.kill_target(a.scope).as_ref() == canonical(target).as_ref())
                        .unwrap();
                    for (id, agent, action) in waiting {
                        let still = plane.pending_escalation(id);
                        let covered = activation.scope.covers(agent, action);
                        assert_eq!(still.is_none(), covered, "{id}");
                    }
                } else {
                    assert_eq!(plane.kill_switches().len(), active_before);
                }
            }
            Op::KillSwitchOff(target) => {
                let active_before = plane.kill_switches().len();
                let result = plane.deactivate_kill_switch_for(target.as_ref(), "ops");
                assert_eq!(
                    plane.kill_switches().len(),
                    active_before - usize::from(result.is_ok())
                );
            }
        }
    }
    // Let every escalation end, so every request has its final outcome.
    clock.advance(Millis::from_secs(10 * 24 * 3_600));
    plane.expire_due();
    drain(&mut plane, &mut drained);
    Run {
        plane,
        submitted,
        initial,
    }
}

/// Records a trigger produced: its kill-switch activation and the waiting
/// escalations that activation denied.
fn trigger_records(records: &[AuditRecord]) -> usize {
    let fired = records.iter().any(|r| {
        matches!(&r.event, AuditEvent::KillSwitchActivated { actor, .. } if actor.starts_with("trigger:"))
    });
    if !fired {
        return 0;
    }
    records
        .iter()
        .filter(|r| {
            matches!(r.event, AuditEvent::KillSwitchActivated { .. })
                || r.decision().is_some_and(|d| {
                    d.reason == agent_governance_console::governance::Reason::KillSwitchActivatedWhilePending
                })
        })
        .count()
}

/// Timeout resolutions appended since `from` (they come before the operation's
/// own record).
fn timeouts_in(plane: &ControlPlane, from: usize) -> usize {
    plane.audit().records_from(from).filter(is_timeout).count()
}

/// A resolution nobody made, other than the kill switch's: the timeout's
/// (denied, allowed, or allowed and overruled by the re-check).
fn is_timeout(record: &AuditRecord) -> bool {
    matches!(&record.event, AuditEvent::Resolution { reviewer: None, decision, .. }
        if decision.reason != agent_governance_console::governance::Reason::KillSwitchActivatedWhilePending)
}

/// The configuration in force at each record, replayed from the trail.
fn with_config_in_force(run: &Run, mut visit: impl FnMut(&GovernanceConfig, &AuditRecord)) {
    let mut config = run.initial.clone();
    for record in run.plane.audit().records() {
        if let AuditEvent::ConfigChanged { after, .. } = &record.event {
            config = (**after).clone();
        }
        visit(&config, &record);
    }
}

/// Whether a policy covers an action type: named, or of a level it names
/// (under the default risk settings the streams use).
fn covers(policy: &PolicyConfig, action: &str) -> bool {
    policy.applies_to.iter().any(|t| t == "*" || t == action)
        || policy
            .risk_levels
            .contains(&RiskConfig::default().level_of(action).0)
}

/// A kill-switch target in canonical spelling.
fn canonical(target: &Option<KillTarget>) -> Option<KillTarget> {
    target.as_ref().map(|t| match t {
        KillTarget::Agent(a) => KillTarget::Agent(a.trim().to_string()),
        KillTarget::ActionType(a) => KillTarget::ActionType(a.trim().to_ascii_lowercase()),
    })
}

/// Whether a request's parameters name production as a change window reads
/// them.
fn targets_production(parameters: &serde_json::Value) -> bool {
    parameters
        .get("environment")
        .and_then(|e| e.as_str())
        .is_some_and(|e| ["production", "prod"].contains(&e.trim().to_lowercase().as_str()))
}

/// Whether a kill switch on `target` (as recorded) stops this request.
fn stops(target: &Option<KillTarget>, agent: &str, action: &str) -> bool {
    match target {
        None => true,
        Some(KillTarget::Agent(a)) => a == agent,
        Some(KillTarget::ActionType(t)) => t == action,
    }
}

/// What the control plane has executed, as read back from the trail. A
/// policy counts the executions of the types it covers.
#[derive(Default)]
struct Executions {
    /// (agent, action type, time, cost in micro-units)
    done: Vec<(String, String, u64, u64)>,
}

impl Executions {
    /// What a budget counts: executions of the types it covers, by `agent`
    /// (or everyone), in the window's current period (or ever).
    fn spent_by(
        &self,
        policy: &PolicyConfig,
        agent: Option<&str>,
        window_secs: Option<u64>,
        now: u64,
    ) -> u64 {
        let period = |at: u64| window_secs.map(|w| at / (w * 1_000));
        self.done
            .iter()
            .filter(|(a, action, at, _)| {
                covers(policy, action)
                    && agent.is_none_or(|agent| a == agent)
                    && period(*at) == period(now)
            })
            .map(|(_, _, _, cost)| cost)
            .sum()
    }

    fn executed_within(
        &self,
        policy: &PolicyConfig,
        agent: Option<&str>,
        window_ms: u64,
        now: u64,
    ) -> usize {
        self.done
            .iter()
            .filter(|(a, action, at, _)| {
                agent.is_none_or(|agent| a == agent)
                    && covers(policy, action)
                    && now < at + window_ms
            })
            .count()
    }

    /// The refusal in force for this request now, if any: the policy's name.
    /// `with_rate_limits`: whether rate limits count (an approval is not held
    /// back by them).
    #[allow(clippy::too_many_arguments)]
    fn refusal(
        &self,
        config: &GovernanceConfig,
        agent: &str,
        action: &str,
        cost: u64,
        (production, detected): (bool, DataKinds),
        now: u64,
        with_rate_limits: bool,
    ) -> Option<String> {
        config
            .policies
            .iter()
            .filter(|p| p.enabled && covers(p, action))
            .find(|policy| match &policy.rule {
                PolicyRule::SensitiveActions(rule) => rule.blocked.iter().any(|b| b == action),
                PolicyRule::RequireApproval(_) => false,
                PolicyRule::SensitiveData(rule) => rule.deny.iter().any(|k| detected.contains(*k)),
                PolicyRule::ChangeWindow(rule) => {
                    let hour = now / 3_600_000 % 24;
                    let day = now / 86_400_000 % 7;
                    production
                        && rule.outside == Outside::Deny
                        && !rule.windows.iter().any(|w| {
                            w.days.iter().any(|d| *d as u64 == day)
                                && u64::from(w.start_hour) <= hour
                                && hour < u64::from(w.end_hour)
                        })
                }
                PolicyRule::Budget(budget) => {
                    let limit = match budget.agent_limits.get(agent) {
                        Some(own) if budget.scope == BudgetScope::Agent => *own,
                        _ => budget.limit,
                    };
                    let limit = Money::from_f64(limit).unwrap().micros();
                    let spent = match budget.scope {
                        BudgetScope::Action => 0,
                        BudgetScope::Agent => {
                            self.spent_by(policy, Some(agent), budget.window_secs, now)
                        }
                        BudgetScope::System => self.spent_by(policy, None, budget.window_secs, now),
                    };
                    spent + cost > limit
                }
                PolicyRule::RateLimit(rule) => {
                    let whose = match rule.scope {
                        RateScope::Agent => Some(agent),
                        RateScope::System => None,
                    };
                    with_rate_limits
                        && self.executed_within(
                            policy,
                            whose,
                            (rule.window_secs * 1_000.0) as u64,
                            now,
                        ) >= rule.max_actions as usize
                }
            })
            .map(|p| p.name.clone())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The central safety property: nothing executes that a refusal in force
    /// at that moment covers (the kill switch, a blocked type in any
    /// spelling, any budget that counts it, and on arrival any rate limit),
    /// whichever policy escalated it, whatever the priorities and strategy,
    /// and whatever changed while it waited. Under deny-overrides a reviewer
    /// is never even asked about a request a policy refuses.
    #[test]
    fn nothing_executes_that_a_refusal_in_force_covers((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let plane = &run.plane;
        let mut done = Executions::default();
        let mut killed: Vec<Option<KillTarget>> = Vec::new();
        with_config_in_force(&run, |config, record| {
            match record.event {
                AuditEvent::KillSwitchActivated { ref target, .. } => killed.push(target.clone()),
                AuditEvent::KillSwitchDeactivated { ref target, .. } => killed.retain(|t| t != target),
                _ => {}
            }
            let (Some(request), Some(decision)) = (record.request(), record.decision()) else {
                return;
            };
            let agent = plane.agent_name(request.agent).to_string();
            let action = plane.action_name(request.action).to_string();
            let cost = request.cost.micros();
            let production = targets_production(&serde_json::Value::Object((*request.parameters).clone()));
            let now = record.at.millis();
            let on_arrival = matches!(record.event, AuditEvent::Decision { .. });
            if decision.verdict == Verdict::Escalated
                && config.conflict_strategy == ConflictStrategy::DenyOverrides
            {
                assert_eq!(
                    done.refusal(config, &agent, &action, cost, (production, request.detected), now, true),
                    None,
                    "record {} escalated a request a policy refuses", record.seq
                );
            }
            if !(record.is_final_outcome() && record.executed()) {
                return;
            }
            assert!(
                !killed.iter().any(|t| stops(t, &agent, &action)),
                "record {} executed under a kill switch that covers it", record.seq
            );
            assert_eq!(
                done.refusal(config, &agent, &action, cost, (production, request.detected), now, on_arrival),
                None,
                "record {} executed {} {} for {} past a refusal in force", record.seq, action, cost, agent
            );
            done.done.push((agent, action, now, cost));
        });
        prop_assert_eq!(
            run.plane.total_spend().micros(),
            done.done.iter().map(|e| e.3).sum::<u64>()
        );
    }

    #[test]
    fn every_request_id_gets_exactly_one_final_audit_record((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let records: Vec<_> = run.plane.audit().records().collect();
        let mut finals: HashMap<RequestId, usize> = HashMap::new();
        let mut escalated_at: HashMap<RequestId, u64> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            prop_assert_eq!(record.seq, i as u64);
            if i > 0 {
                prop_assert!(records[i - 1].at <= record.at, "time order at {}", i);
            }
            let Some(request) = record.request() else { continue };
            match &record.event {
                AuditEvent::Decision { decision, .. } => {
                    prop_assert!(
                        !escalated_at.contains_key(&request.id) && !finals.contains_key(&request.id),
                        "a second decision filed under {}", request.id
                    );
                    if decision.verdict == Verdict::Escalated {
                        escalated_at.insert(request.id, record.seq);
                    }
                }
                AuditEvent::Resolution { .. } => {
                    prop_assert!(escalated_at.contains_key(&request.id), "resolution without escalation");
                }
                _ => {}
            }
            if record.is_final_outcome() {
                *finals.entry(request.id).or_default() += 1;
            }
        }
        for id in &run.submitted {
            prop_assert_eq!(finals.get(id).copied().unwrap_or(0), 1, "request {}", id);
        }
        prop_assert_eq!(finals.len(), run.submitted.len());
        prop_assert_eq!(run.plane.pending_escalations().count(), 0);
    }

    #[test]
    fn a_reused_request_id_is_rejected_as_a_duplicate_and_never_executes((initial, ops) in stream(true)) {
        let mut seen = std::collections::HashSet::new();
        run(initial, &ops, |plane, input, verdict| {
            let last = plane
                .audit()
                .records()
                .rev()
                .find(|r| matches!(r.event, AuditEvent::Decision { .. } | AuditEvent::DuplicateRejected { .. }))
                .unwrap();
            if seen.insert(input.id) {
                assert_ne!(last.kind(), "duplicate_rejected");
                return;
            }
            assert_eq!(verdict, Verdict::Denied);
            assert_eq!(last.kind(), "duplicate_rejected");
            assert!(last.request().is_none(), "not a record of the reused id");
            assert_eq!(last.submission().unwrap().id, input.id);
            assert_eq!(last.decision().unwrap().decided_by, DecidedBy::Validation);
            assert_eq!(last.decision().unwrap().reason.code(), "duplicate_request_id");
            assert!(!last.executed());
        });
    }

    /// Whatever the spelling an agent uses, the type is filed in its canonical
    /// spelling or refused: a look-alike never runs as a type no list names.
    #[test]
    fn action_types_are_filed_canonically_or_refused((initial, ops) in stream(true)) {
        run(initial, &ops, |plane, input, verdict| {
            let Some(record) = plane.audit().records().rev().find(|r| r.submission().is_some_and(|q| q.id == input.id)) else {
                panic!("no record of {}", input.id);
            };
            let filed = plane.action_name(record.submission().unwrap().action).to_string();
            match canonical_action_type(&input.action) {
                Ok(canonical) => assert_eq!(filed, canonical),
                Err(_) => {
                    assert_eq!(filed, "#invalid");
                    assert_eq!(verdict, Verdict::Denied);
                }
            }
        });
    }

    /// A secret an agent sends is recorded masked: it appears in no audit
    /// line, whatever policies are in force.
    #[test]
    fn no_detected_secret_appears_in_any_audit_line((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        for record in run.plane.audit().records() {
            let line = run.plane.audit_line(&record).to_json();
            for secret in SECRETS {
                prop_assert!(!line.contains(secret), "record {} holds {}", record.seq, secret);
            }
        }
    }

    #[test]
    fn nothing_executes_while_the_kill_switch_is_active((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let mut global = false;
        for record in run.plane.audit().records() {
            match record.event {
                AuditEvent::KillSwitchActivated { target: None, .. } => global = true,
                AuditEvent::KillSwitchDeactivated { target: None, .. } => global = false,
                _ => {}
            }
            if global {
                prop_assert!(!record.executed(), "record {} executed under the kill switch", record.seq);
            }
        }
    }

    #[test]
    fn escalations_time_out_exactly_at_their_deadline((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let mut deadlines: HashMap<RequestId, Timestamp> = HashMap::new();
        with_config_in_force(&run, |config, record| {
            let (Some(request), Some(decision)) = (record.request(), record.decision()) else { return };
            let id = request.id;
            if decision.verdict == Verdict::Escalated {
                let timeout = Millis::from_secs_f64(config.escalation_timeout_secs);
                deadlines.insert(id, record.at.saturating_add(timeout));
            }
            match decision.decided_by {
                _ if is_timeout(record) => assert_eq!(Some(&record.at), deadlines.get(&id)),
                DecidedBy::Reviewer(_) => assert!(record.at < deadlines[&id], "a review after the deadline"),
                _ => {}
            }
        });
    }

    #[test]
    fn the_spending_report_matches_the_audit_trail((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let mut by_agent: HashMap<String, (u64, u64)> = HashMap::new();
        for record in run.plane.audit().records() {
            if record.is_final_outcome() && record.executed() {
                let request = record.request().unwrap();
                let entry = by_agent.entry(run.plane.agent_name(request.agent).to_string()).or_default();
                entry.0 += request.cost.micros();
                entry.1 += 1;
            }
        }
        let report = run.plane.spending_report();
        for line in &report.per_agent {
            let (spent, executed) = by_agent.get(&*line.agent).copied().unwrap_or_default();
            prop_assert_eq!(line.spent.micros(), spent);
            prop_assert_eq!(line.executed, executed);
        }
        let total: u64 = by_agent.values().map(|v| v.0).sum();
        prop_assert_eq!(report.total.micros(), total);
    }

    #[test]
    fn a_trail_handed_out_and_forgotten_as_it_grows_is_the_whole_trail((initial, ops) in stream(true)) {
        let whole = run(initial.clone(), &ops, |_, _, _| {});
        let expected: Vec<String> = whole
            .plane
            .audit()
            .records()
            .map(|record| whole.plane.audit_line(&record).to_json())
            .collect();
        let mut drained = Vec::new();
        let streamed = run_draining(initial, &ops, |_, _, _| {}, Some(&mut drained));
        prop_assert_eq!(drained, expected);
        // Nothing is held, and every decision and count is the same.
        prop_assert_eq!(streamed.plane.audit().records().count(), 0);
        prop_assert_eq!(streamed.plane.audit().len(), whole.plane.audit().len());
        prop_assert_eq!(streamed.plane.verdict_counts(), whole.plane.verdict_counts());
    }

    #[test]
    fn the_refusals_query_matches_the_audit_trail((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let plane = &run.plane;
        let seqs = |records: Box<dyn Iterator<Item = AuditRecord> + '_>| -> Vec<u64> {
            records.map(|r| r.seq).collect()
        };
        let refused = |agent: Option<&str>| -> Vec<u64> {
            plane
                .audit()
                .records()
                .filter(|r| r.is_refusal())
                .filter(|r| agent.is_none_or(|a| **plane.agent_name(r.submission().unwrap().agent) == *a))
                .map(|r| r.seq)
                .collect()
        };
        prop_assert_eq!(seqs(plane.refusals(None)), refused(None));
        prop_assert_eq!(plane.audit().refusal_count(), refused(None).len());
        for agent in ["alpha", "beta", "gamma", "#invalid"] {
            prop_assert_eq!(seqs(plane.refusals(Some(agent))), refused(Some(agent)));
        }
    }

    #[test]
    fn verdicts_match_a_reference_model_without_escalations((initial, ops) in stream(false)) {
        let mut model = Reference::default();
        let mut index = 0;
        let mut seen = 0;
        run(initial, &ops, |plane, input, verdict| {
            // The model reads only the time, configuration and kill-switch
            // state the control plane was given, never its decisions.
            // The kill switches in force when the request was judged: those
            // recorded before its own record (a trigger it trips comes after).
            let records: Vec<_> = plane.audit().records().collect();
            let own = records
                .iter()
                .rposition(|r| matches!(r.event, AuditEvent::Decision { .. } | AuditEvent::DuplicateRejected { .. }))
                .unwrap();
            for record in &records[seen..own] {
                model.note(record);
            }
            let expected = model.judge(plane.config(), input, plane.now().millis());
            for record in &records[own..] {
                model.note(record);
            }
            seen = records.len();
            assert_eq!(verdict, expected, "submission {} ({:?})", index, input);
            index += 1;
        });
    }
}

/// The priority rules, written as plainly as possible from the README.
#[derive(Default)]
struct Reference {
    executions: Executions,
    used_ids: Vec<RequestId>,
    kill_switches: Vec<Option<KillTarget>>,
}

impl Reference {
    /// Follows the kill switches the trail records.
    fn note(&mut self, record: &AuditRecord) {
        match &record.event {
            AuditEvent::KillSwitchActivated { target, .. } => {
                self.kill_switches.push(target.clone())
            }
            AuditEvent::KillSwitchDeactivated { target, .. } => {
                self.kill_switches.retain(|t| t != target)
            }
            _ => {}
        }
    }

    fn judge(&mut self, config: &GovernanceConfig, input: &RequestInput, now: u64) -> Verdict {
        let cost = Money::from_f64(input.cost);
        if self.used_ids.contains(&input.id) {
            return Verdict::Denied;
        }
        self.used_ids.push(input.id);
        let agent = input.agent.trim();
        let action = input.action.trim().to_ascii_lowercase();
        let valid = canonical_name(agent).is_ok()
            && canonical_action_type(&action).is_ok()
            && input.parameters.is_object()
            && cost.is_ok();
        if !valid || self.kill_switches.iter().any(|t| stops(t, agent, &action)) {
            return Verdict::Denied;
        }
        let cost = cost.unwrap().micros();
        let mut order: Vec<(usize, &PolicyConfig)> = config
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.enabled && covers(p, &action))
            .collect();
        order.sort_by(|(ia, a), (ib, b)| b.priority.cmp(&a.priority).then(ia.cmp(ib)));
        for (_, policy) in order {
            let one = GovernanceConfig {
                policies: vec![policy.clone()],
                ..config.clone()
            };
            if self
                .executions
                .refusal(
                    &one,
                    agent,
                    &action,
                    cost,
                    (
                        targets_production(&input.parameters),
                        input
                            .parameters
                            .as_object()
                            .map_or(DataKinds::EMPTY, detectors::scan),
                    ),
                    now,
                    true,
                )
                .is_some()
            {
                return match policy.rule {
                    PolicyRule::RateLimit(_) => Verdict::RateLimited,
                    _ => Verdict::Denied,
                };
            }
        }
        self.executions
            .done
            .push((agent.to_string(), action, now, cost));
        Verdict::Approved
    }
}
