#![cfg(not(target_arch = "wasm32"))]
//! Invariants of the control plane over random streams of requests, clock
//! movements, reviewer decisions, configuration edits and kill-switch toggles.

use agent_governance_console::governance::ids::BUILT_IN_ACTION_TYPES;
use agent_governance_console::governance::{
    AuditEvent, AuditRecord, ControlPlane, DecidedBy, GovernanceConfig, ManualClock, Millis, Money,
    PolicyConfig, PolicyRule, RequestId, RequestInput, ResolveError, Review, Timestamp, Verdict,
};
use proptest::prelude::*;
use std::collections::HashMap;

const AGENTS: [&str; 5] = ["alpha", "beta", "gamma", "delta", ""];
/// The built-in action types and one user-defined type.
const ACTIONS: [&str; 7] = {
    let b = BUILT_IN_ACTION_TYPES;
    [b[0], b[1], b[2], b[3], b[4], b[5], "summarise"]
};

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
    KillSwitchOn,
    KillSwitchOff,
}

fn cost() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => 0.0..25.0f64,
        2 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(-3.0),
        1 => Just(f64::INFINITY),
    ]
}

fn action_list() -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(ACTIONS.to_vec(), 0..4)
        .prop_map(|types| types.into_iter().map(String::from).collect())
}

/// A configuration that is valid unless `break_it` says otherwise.
fn config(escalations: bool) -> impl Strategy<Value = GovernanceConfig> {
    (
        (0.0..150.0f64, 50.0..=100.0f64),
        (1u32..40, 1u64..=3_600),
        (action_list(), action_list()),
        proptest::collection::vec(-2i32..3, 3),
        proptest::collection::vec(proptest::bool::weighted(0.85), 3),
        (30u64..600, proptest::bool::weighted(0.1)),
        prop_oneof![
            3 => Just(vec!["*".to_string()]),
            1 => proptest::sample::subsequence(ACTIONS.to_vec(), 1..4)
                .prop_map(|types| types.into_iter().map(String::from).collect()),
        ],
    )
        .prop_map(
            move |(
                (limit, percent),
                (max_actions, window),
                (blocked, approval),
                priorities,
                enabled,
                (timeout, break_it),
                scope,
            )| {
                let approval_required: Vec<String> = if escalations {
                    approval
                        .into_iter()
                        .filter(|t| !blocked.contains(t))
                        .collect()
                } else {
                    Vec::new()
                };
                let policy = |name: &str, i: usize, rule| PolicyConfig {
                    name: name.into(),
                    description: String::new(),
                    // The sensitive-actions policy sometimes covers only some types.
                    applies_to: if i == 2 {
                        scope.clone()
                    } else {
                        vec!["*".into()]
                    },
                    priority: priorities[i],
                    enabled: enabled[i],
                    rule,
                };
                GovernanceConfig {
                    version: 1,
                    escalation_timeout_secs: timeout as f64,
                    policies: vec![
                        policy(
                            "budget",
                            0,
                            PolicyRule::Budget {
                                limit: if break_it { f64::NAN } else { limit },
                                escalate_at_percent: if escalations { percent } else { 100.0 },
                            },
                        ),
                        policy(
                            "rate",
                            1,
                            PolicyRule::RateLimit {
                                max_actions,
                                window_secs: window as f64,
                            },
                        ),
                        policy(
                            "sensitive",
                            2,
                            PolicyRule::SensitiveActions {
                                blocked,
                                approval_required,
                            },
                        ),
                    ],
                }
            },
        )
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
        1 => Just(Op::KillSwitchOn),
        1 => Just(Op::KillSwitchOff),
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
    mut on_submit: impl FnMut(&ControlPlane, &RequestInput, Verdict),
) -> Run {
    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(initial.clone(), clock.clone()).unwrap();
    let mut submitted = Vec::new();
    for op in ops {
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
                let parameters = if *parameters_are_an_object {
                    serde_json::json!({"n": submitted.len()})
                } else {
                    serde_json::json!("not an object")
                };
                let input = RequestInput::new(id, AGENTS[*agent], ACTIONS[*action], *cost)
                    .with_parameters(parameters);
                let before = plane.audit().len();
                let verdict = plane.submit(&input).verdict;
                on_submit(&plane, &input, verdict);
                assert_eq!(
                    plane.audit().len(),
                    before + 1 + timeouts_in(&plane, before)
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
                    Ok(_) | Err(ResolveError::NotPending(_)) => {}
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
            Op::KillSwitchOn => {
                let was_active = plane.kill_switch().is_some();
                let result = plane.activate_kill_switch("ops", "drill");
                assert_eq!(result.is_ok(), !was_active);
                assert_eq!(plane.pending_escalations().count(), 0);
            }
            Op::KillSwitchOff => {
                let was_active = plane.kill_switch().is_some();
                assert_eq!(plane.deactivate_kill_switch("ops").is_ok(), was_active);
            }
        }
    }
    // Let every escalation end, so every request has its final outcome.
    clock.advance(Millis::from_secs(10 * 24 * 3_600));
    plane.expire_due();
    Run {
        plane,
        submitted,
        initial,
    }
}

/// Timeout resolutions appended since `from` (they come before the operation's
/// own record).
fn timeouts_in(plane: &ControlPlane, from: usize) -> usize {
    plane.audit().records()[from..]
        .iter()
        .filter(|r| {
            r.decision()
                .is_some_and(|d| d.decided_by == DecidedBy::EscalationTimeout)
        })
        .count()
}

/// The configuration in force at each record, replayed from the trail.
fn with_config_in_force(run: &Run, mut visit: impl FnMut(&GovernanceConfig, &AuditRecord)) {
    let mut config = run.initial.clone();
    for record in run.plane.audit().records() {
        if let AuditEvent::ConfigChanged { after, .. } = &record.event {
            config = (**after).clone();
        }
        visit(&config, record);
    }
}

fn covers(policy: &PolicyConfig, action: &str) -> bool {
    policy.applies_to.iter().any(|t| t == "*" || t == action)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn approved_spend_never_exceeds_the_budget_in_force((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let mut spent = 0u64;
        with_config_in_force(&run, |config, record| {
            if !(record.is_final_outcome() && record.executed()) {
                return;
            }
            let request = record.request().unwrap();
            let action = run.plane.action_name(request.action).to_string();
            for policy in config.policies.iter().filter(|p| p.enabled && covers(p, &action)) {
                if let PolicyRule::Budget { limit, .. } = policy.rule {
                    let limit = Money::from_f64(limit).unwrap().micros();
                    assert!(
                        spent + request.cost.micros() <= limit,
                        "record {} executed {} on top of {} past limit {}",
                        record.seq, request.cost.micros(), spent, limit
                    );
                }
            }
            spent += request.cost.micros();
        });
        prop_assert_eq!(run.plane.total_spend().micros(), spent);
    }

    #[test]
    fn every_request_gets_exactly_one_final_audit_record((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let records = run.plane.audit().records();
        let mut finals: HashMap<RequestId, usize> = HashMap::new();
        let mut escalated_at: HashMap<RequestId, u64> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            prop_assert_eq!(record.seq, i as u64);
            if i > 0 {
                prop_assert!(records[i - 1].at <= record.at, "time order at {}", i);
            }
            let Some(request) = record.request() else { continue };
            match &record.event {
                AuditEvent::Decision { decision, .. } if decision.verdict == Verdict::Escalated => {
                    escalated_at.insert(request.id, record.seq);
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
        let reused = ops.iter().filter(|op| matches!(op, Op::Submit { reuse_id: true, .. })).count();
        for id in &run.submitted {
            let expected = finals.get(id).copied().unwrap_or(0);
            // A reused id is a second request with the same id: it gets its
            // own final record (a validation denial).
            prop_assert!(expected >= 1, "request {} has no final record", id);
            if reused == 0 {
                prop_assert_eq!(expected, 1, "request {} has {} final records", id, expected);
            }
        }
        prop_assert_eq!(run.plane.pending_escalations().count(), 0);
    }

    #[test]
    fn a_reused_request_id_is_denied_and_never_executes((initial, ops) in stream(true)) {
        run(initial, &ops, |plane, input, verdict| {
            let duplicates = plane.audit().records().iter().filter(|r| {
                r.request().is_some_and(|q| q.id == input.id)
                    && r.kind() == "decision"
            }).count();
            if duplicates > 1 {
                // Denied by validation (as a duplicate, or for an earlier
                // problem with the same input), and so never executed.
                assert_eq!(verdict, Verdict::Denied);
                let last = plane.audit().records().last().unwrap();
                assert_eq!(last.decision().unwrap().decided_by, DecidedBy::Validation);
                if !input.agent.is_empty() && input.parameters.is_object() && input.cost.is_finite() && input.cost >= 0.0 {
                    assert_eq!(last.decision().unwrap().reason.code(), "duplicate_request_id");
                }
            }
        });
    }

    #[test]
    fn nothing_executes_while_the_kill_switch_is_active((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let mut active = false;
        for record in run.plane.audit().records() {
            match record.event {
                AuditEvent::KillSwitchActivated { .. } => active = true,
                AuditEvent::KillSwitchDeactivated { .. } => active = false,
                _ => {}
            }
            if active {
                prop_assert!(!record.executed(), "record {} executed under the kill switch", record.seq);
            }
        }
    }

    #[test]
    fn escalations_time_out_exactly_at_their_deadline((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let mut deadlines: HashMap<RequestId, Timestamp> = HashMap::new();
        with_config_in_force(&run, |config, record| {
            let Some(decision) = record.decision() else { return };
            let id = record.request().unwrap().id;
            if decision.verdict == Verdict::Escalated {
                let timeout = Millis::from_secs_f64(config.escalation_timeout_secs);
                deadlines.insert(id, record.at.saturating_add(timeout));
            }
            match decision.decided_by {
                DecidedBy::EscalationTimeout => assert_eq!(Some(&record.at), deadlines.get(&id)),
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
    fn the_refusals_query_matches_the_audit_trail((initial, ops) in stream(true)) {
        let run = run(initial, &ops, |_, _, _| {});
        let plane = &run.plane;
        let seqs = |records: Box<dyn Iterator<Item = &AuditRecord> + '_>| -> Vec<u64> {
            records.map(|r| r.seq).collect()
        };
        let refused = |agent: Option<&str>| -> Vec<u64> {
            plane
                .audit()
                .records()
                .iter()
                .filter(|r| r.is_refusal())
                .filter(|r| agent.is_none_or(|a| **plane.agent_name(r.request().unwrap().agent) == *a))
                .map(|r| r.seq)
                .collect()
        };
        prop_assert_eq!(seqs(plane.refusals(None)), refused(None));
        prop_assert_eq!(plane.audit().refusal_count(), refused(None).len());
        for agent in AGENTS {
            prop_assert_eq!(seqs(plane.refusals(Some(agent))), refused(Some(agent)));
        }
    }

    #[test]
    fn verdicts_match_a_reference_model_without_escalations((initial, ops) in stream(false)) {
        let mut model = Reference::default();
        let mut index = 0;
        run(initial, &ops, |plane, input, verdict| {
            // The model reads only the time, configuration and kill-switch
            // state the control plane was given, never its decisions.
            model.kill_switch = plane.kill_switch().is_some();
            let expected = model.judge(plane.config(), input, plane.now().millis());
            assert_eq!(verdict, expected, "submission {} ({:?})", index, input);
            index += 1;
        });
    }
}

/// The priority rules, written as plainly as possible from the README.
#[derive(Default)]
struct Reference {
    executions: Vec<(String, u64, u64)>,
    used_ids: Vec<RequestId>,
    kill_switch: bool,
}

impl Reference {
    fn judge(&mut self, config: &GovernanceConfig, input: &RequestInput, now: u64) -> Verdict {
        let cost = Money::from_f64(input.cost);
        let valid = !input.agent.trim().is_empty()
            && !input.action.trim().is_empty()
            && input.parameters.is_object()
            && cost.is_ok()
            && !self.used_ids.contains(&input.id);
        self.used_ids.push(input.id);
        if !valid {
            return Verdict::Denied;
        }
        if self.kill_switch {
            return Verdict::Denied;
        }
        let cost = cost.unwrap().micros();
        let mut order: Vec<(usize, &PolicyConfig)> = config
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.enabled && covers(p, &input.action))
            .collect();
        order.sort_by(|(ia, a), (ib, b)| b.priority.cmp(&a.priority).then(ia.cmp(ib)));
        for (_, policy) in order {
            let verdict = match &policy.rule {
                PolicyRule::SensitiveActions {
                    blocked,
                    approval_required,
                } => {
                    if blocked.contains(&input.action) {
                        Verdict::Denied
                    } else if approval_required.contains(&input.action) {
                        Verdict::Escalated
                    } else {
                        Verdict::Approved
                    }
                }
                PolicyRule::RateLimit {
                    max_actions,
                    window_secs,
                } => {
                    let window = (*window_secs * 1_000.0) as u64;
                    let recent = self
                        .executions
                        .iter()
                        .filter(|(agent, at, _)| *agent == input.agent && now < at + window)
                        .count();
                    if recent >= *max_actions as usize {
                        Verdict::RateLimited
                    } else {
                        Verdict::Approved
                    }
                }
                PolicyRule::Budget { limit, .. } => {
                    let spent: u64 = self.executions.iter().map(|(_, _, cost)| cost).sum();
                    if spent + cost > Money::from_f64(*limit).unwrap().micros() {
                        Verdict::Denied
                    } else {
                        Verdict::Approved
                    }
                }
            };
            if verdict != Verdict::Approved {
                return verdict;
            }
        }
        self.executions.push((input.agent.clone(), now, cost));
        Verdict::Approved
    }
}
