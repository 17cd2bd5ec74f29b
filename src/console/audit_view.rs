//! The audit panel's filtered view of the trail.
//!
//! Matching record positions are kept and extended as the trail grows, so a
//! refresh costs only the new records; changing the filter rescans once. The
//! panel then renders just the rows in view, newest first; [`audit_detail`]
//! is what a row opens to.

use super::config_diff::{config_changes, FieldChange};
use super::Currency;
use crate::governance::{
    AuditEvent, Clock, ConflictStrategy, ControlPlane, DecidedBy, Decision, GovernanceConfig,
    RecordHead, Verdict,
};

/// Everything the audit trail knows about one record, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditDetail {
    /// One fact per line, `Label: value`, in reading order; absent facts are
    /// left out.
    pub facts: String,
    /// The request's parameters as recorded (masked where they held secrets).
    pub parameters: Option<String>,
    /// For a configuration change: every field it changed.
    pub changes: Vec<FieldChange>,
}

impl AuditDetail {
    /// Every changed field, one per line.
    pub fn changes_text(&self) -> String {
        let lines: Vec<String> = self.changes.iter().map(FieldChange::sentence).collect();
        lines.join("\n")
    }
}

/// The detail of the record at `seq`; `None` if the trail no longer holds it.
/// Costs are written in `currency`.
pub fn audit_detail<C: Clock>(
    plane: &ControlPlane<C>,
    seq: usize,
    currency: Currency,
) -> Option<AuditDetail> {
    let audit = plane.audit();
    if seq < audit.first() || seq >= audit.len() {
        return None;
    }
    let record = audit.record(seq);
    let line = plane.audit_line(&record);
    let mut facts = format!(
        "Record: #{} at {}\nKind: {}",
        record.seq,
        record.at,
        record.kind()
    );
    let mut push = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            facts.push('\n');
            facts.push_str(label);
            facts.push_str(": ");
            facts.push_str(&value);
        }
    };
    push("Request id", line.request_id.map(|id| id.to_string()));
    push(
        "Reused request id",
        line.reused_request_id.map(|id| id.to_string()),
    );
    push("Agent", line.agent);
    push("Action type", line.action_type);
    push("Cost", line.cost.map(|c| currency.cost(c)));
    push(
        "Verdict",
        line.verdict.map(|v| super::verdict_label(v).to_owned()),
    );
    push("Decided by", line.policy);
    push("Reason", line.reason);
    push("Reviewer", line.reviewer);
    push("Comment", line.comment);
    push("Actor", line.actor);
    push("Scope", line.scope.as_ref().map(ToString::to_string));
    // What became of an escalation: its final record, or still waiting.
    if let (AuditEvent::Decision { request, .. }, Some(Verdict::Escalated)) =
        (&record.event, line.verdict)
    {
        let outcome = match audit.of_request(request.id).find(|r| r.seq > record.seq) {
            Some(resolution) => match resolution.decision() {
                Some(d) => format!(
                    "{} at {} (#{}): {}",
                    super::verdict_label(d.verdict),
                    resolution.at,
                    resolution.seq,
                    d.reason
                ),
                None => format!("#{}", resolution.seq),
            },
            None if plane.pending_escalation(request.id).is_some() => {
                "Waiting for review".to_owned()
            }
            None => "Not in the trail".to_owned(),
        };
        push("Outcome", Some(outcome));
    }
    // The configuration that judged it: the last change before this record,
    // else what the first change after it replaced, else today's.
    let mut in_force = "the configuration the run started with".to_owned();
    let mut config: Option<&GovernanceConfig> = None;
    for (at, _, event) in audit.events_from(audit.first()) {
        if let AuditEvent::ConfigChanged {
            actor,
            before,
            after,
        } = event
        {
            if at >= seq {
                config = config.or(Some(before));
                break;
            }
            in_force = format!("as changed by {actor} at record #{at}");
            config = Some(after);
        }
    }
    push("Configuration in force", Some(in_force));
    if let AuditEvent::Decision { request, decision } = &record.event {
        let action = plane.action_name(request.action);
        let parts = policy_parts(config.unwrap_or(plane.config()), action, decision);
        push("Each policy, in the order consulted", parts);
    }
    let changes = match &record.event {
        AuditEvent::ConfigChanged { before, after, .. } => config_changes(before, after),
        _ => Vec::new(),
    };
    Some(AuditDetail {
        facts,
        parameters: line
            .parameters
            .as_ref()
            .and_then(|p| serde_json::to_string_pretty(&**p).ok()),
        changes,
    })
}

/// What each enabled policy of `config` did in a decision on a request for
/// `action`, one line each in the order they are consulted (priority, then
/// list order), as far as the decision and the configuration determine it:
/// policies that do not cover the action type; the one that decided; those
/// consulted before it that had no objection (or, when a refusal decided
/// under deny-overrides, did not refuse: an escalation gives way to a
/// refusal and is not recorded); those after it, not consulted or, after an
/// escalation under deny-overrides, consulted without refusing. `None` when
/// no policy judged the request (the kill switch, a malformed request).
pub fn policy_parts(
    config: &GovernanceConfig,
    action: &str,
    decision: &Decision,
) -> Option<String> {
    let decider = match &decision.decided_by {
        DecidedBy::Policy(name) => Some(&**name),
        DecidedBy::AllPolicies => None,
        _ => return None,
    };
    let (level, _) = config.risk.level_of(action);
    let refused = decision.verdict.is_refusal();
    let first_applicable = config.conflict_strategy == ConflictStrategy::FirstApplicable;
    let mut after = false;
    let mut text = String::new();
    for policy in config.policies_in_order() {
        let covers = policy.covers_all()
            || policy.applies_to.iter().any(|t| t == action)
            || policy.risk_levels.contains(&level);
        let part = if !covers {
            "does not cover this action type"
        } else if decider == Some(policy.name.as_str()) {
            after = true;
            match decision.verdict {
                Verdict::Denied => "decided: Denied",
                Verdict::Escalated => "decided: Escalated",
                Verdict::RateLimited => "decided: Rate limited",
                Verdict::Approved => "decided: Approved",
            }
        } else if !after {
            if refused && !first_applicable {
                "did not refuse"
            } else {
                "no objection"
            }
        } else if refused || first_applicable {
            "not consulted: the policy above decided first"
        } else {
            "did not refuse"
        };
        text.push_str("\n• ");
        text.push_str(&policy.name);
        text.push_str(": ");
        text.push_str(part);
    }
    if text.is_empty() {
        text.push_str("no policy was enabled");
    }
    Some(text)
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub agent: Option<String>,
    pub verdict: Option<Verdict>,
    pub action: Option<String>,
    /// Only final refusals: denied and rate-limited actions.
    pub refusals_only: bool,
}

impl AuditFilter {
    fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }

    fn matches<C: Clock>(&self, plane: &ControlPlane<C>, head: RecordHead) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some((agent, action, verdict)) = head.submission else {
            return false;
        };
        if self.refusals_only && !verdict.is_refusal() {
            return false;
        }
        if self.verdict.is_some_and(|v| v != verdict) {
            return false;
        }
        if let Some(name) = &self.agent {
            if **plane.agent_name(agent) != **name {
                return false;
            }
        }
        if let Some(name) = &self.action {
            if **plane.action_name(action) != **name {
                return false;
            }
        }
        true
    }
}

#[derive(Clone, Debug, Default)]
pub struct AuditView {
    filter: AuditFilter,
    matches: Vec<u32>,
    scanned: usize,
}

impl AuditView {
    pub fn filter(&self) -> &AuditFilter {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: AuditFilter) {
        if filter != self.filter {
            self.filter = filter;
            self.matches.clear();
            self.scanned = 0;
        }
    }

    /// Brings the view up to date with the trail. A trail shorter than what
    /// was scanned (a new simulation) starts the view over.
    pub fn refresh<C: Clock>(&mut self, plane: &ControlPlane<C>) {
        let audit = plane.audit();
        if audit.len() < self.scanned {
            self.matches.clear();
            self.scanned = 0;
        }
        // Records handed out and forgotten (a streamed trail) are not read.
        for seq in self.scanned.max(audit.first())..audit.len() {
            if self.filter.matches(plane, audit.head(seq)) {
                self.matches.push(seq as u32);
            }
        }
        self.scanned = audit.len();
    }

    /// Positions in the trail of the matching records, oldest first.
    pub fn matches(&self) -> &[u32] {
        &self.matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::{GovernanceConfig, ManualClock, RequestId, RequestInput};

    fn plane_with(requests: &[(&str, &str)]) -> ControlPlane {
        let mut plane =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        for (i, (agent, action)) in requests.iter().enumerate() {
            let id = RequestId(uuid::Uuid::from_u128(i as u128 + 1));
            plane.submit(&RequestInput::new(id, *agent, *action, 1.0));
        }
        plane
    }

    #[test]
    fn filters_by_agent_verdict_action_and_refusal() {
        let mut plane = plane_with(&[
            ("a", "api_call"),
            ("b", "deploy"),
            ("a", "deploy"),
            ("b", "email"),
        ]);
        let mut view = AuditView::default();
        view.refresh(&plane);
        assert_eq!(view.matches(), [0, 1, 2, 3]);
        view.set_filter(AuditFilter {
            agent: Some("a".into()),
            ..Default::default()
        });
        view.refresh(&plane);
        assert_eq!(view.matches(), [0, 2]);
        view.set_filter(AuditFilter {
            refusals_only: true,
            ..Default::default()
        });
        view.refresh(&plane);
        assert_eq!(view.matches(), [1, 2]);
        view.set_filter(AuditFilter {
            verdict: Some(Verdict::Escalated),
            action: Some("email".into()),
            ..Default::default()
        });
        view.refresh(&plane);
        assert_eq!(view.matches(), [3]);
        // New records are matched incrementally.
        let id = RequestId(uuid::Uuid::from_u128(99));
        plane.submit(&RequestInput::new(id, "c", "email", 1.0));
        view.refresh(&plane);
        assert_eq!(view.matches(), [3, 4]);
    }

    #[test]
    fn a_trail_handed_out_and_forgotten_is_read_from_what_is_held() {
        let mut plane = plane_with(&[("a", "api_call"), ("b", "deploy")]);
        plane.drain_audit(|_| Ok::<_, ()>(())).unwrap();
        let id = RequestId(uuid::Uuid::from_u128(99));
        plane.submit(&RequestInput::new(id, "c", "email", 1.0));
        let mut view = AuditView::default();
        view.refresh(&plane);
        assert_eq!(view.matches(), [2]);
        let mut triggers = crate::console::triggers::TriggerLog::default();
        triggers.refresh(&plane);
    }

    fn fact<'a>(detail: &'a AuditDetail, label: &str) -> Option<&'a str> {
        detail
            .facts
            .lines()
            .find_map(|line| line.strip_prefix(label)?.strip_prefix(": "))
    }

    #[test]
    fn a_row_opens_to_its_request_outcome_and_the_configuration_in_force() {
        // email needs approval by default: it escalates and waits.
        let mut plane = plane_with(&[("a", "api_call")]);
        let mut config = plane.config().clone();
        config.escalation_timeout_secs = 60.0;
        plane.apply_config(config, "dana").unwrap();
        let id = RequestId(uuid::Uuid::from_u128(7));
        plane.submit(
            &RequestInput::new(id, "b", "email", 1.0)
                .with_parameters(serde_json::json!({"to": "dana.smith@acme-corp.io"})),
        );
        let escalated = plane.audit().len() - 1;

        let first = audit_detail(&plane, 0, Currency::Usd).unwrap();
        assert_eq!(
            fact(&first, "Configuration in force"),
            Some("the configuration the run started with")
        );
        let change = audit_detail(&plane, 1, Currency::Usd).unwrap();
        assert_eq!(change.changes.len(), 1);
        assert_eq!(change.changes[0].field, "escalation_timeout_secs");
        assert_eq!(fact(&change, "Actor"), Some("dana"));

        let detail = audit_detail(&plane, escalated, Currency::Usd).unwrap();
        assert_eq!(fact(&detail, "Request id"), Some(id.to_string().as_str()));
        assert_eq!(fact(&detail, "Verdict"), Some("Escalated"));
        assert_eq!(fact(&detail, "Outcome"), Some("Waiting for review"));
        assert_eq!(
            fact(&detail, "Configuration in force"),
            Some("as changed by dana at record #1")
        );
        let parameters = detail.parameters.unwrap();
        assert!(
            !parameters.contains("dana.smith@acme-corp.io"),
            "{parameters}"
        );

        let review = crate::governance::Review {
            approve: false,
            reviewer: "riley".into(),
            comment: None,
            request_hash: None,
        };
        plane.resolve(id, &review).unwrap();
        let detail = audit_detail(&plane, escalated, Currency::Usd).unwrap();
        let outcome = fact(&detail, "Outcome").unwrap();
        assert!(outcome.starts_with("Denied at "), "{outcome}");
        assert!(audit_detail(&plane, plane.audit().len(), Currency::Usd).is_none());
    }

    /// The detail's lines about each policy, as (policy, part).
    fn parts(detail: &AuditDetail) -> Vec<(String, String)> {
        let text = &detail.facts;
        let Some(start) = text.find("Each policy, in the order consulted: ") else {
            return Vec::new();
        };
        text[start..]
            .lines()
            .skip(1)
            .map_while(|line| line.strip_prefix("• "))
            .map(|line| {
                let (name, part) = line.split_once(": ").unwrap();
                (name.to_owned(), part.to_owned())
            })
            .collect()
    }

    #[test]
    fn each_policy_part_is_listed_in_the_order_consulted() {
        // Default policies: deploy is blocked by sensitive_actions (priority
        // 100) under deny-overrides.
        let plane = plane_with(&[("a", "deploy"), ("a", "email"), ("a", "api_call")]);
        let denied = parts(&audit_detail(&plane, 0, Currency::Usd).unwrap());
        let names: Vec<&str> = denied.iter().map(|(n, _)| n.as_str()).collect();
        // The order the core consults them in.
        let expected: Vec<&str> = plane
            .config()
            .policies_in_order()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, expected, "priority order, list order on ties");
        let decider = plane
            .audit()
            .record(0)
            .decision()
            .unwrap()
            .decided_by
            .policy_name()
            .to_owned();
        let decided: Vec<&(String, String)> = denied
            .iter()
            .filter(|(_, p)| p.starts_with("decided"))
            .collect();
        assert_eq!(decided.len(), 1);
        assert_eq!(decided[0], &(decider, "decided: Denied".to_owned()));
        // A kill-switch decision was judged by no policy.
        let mut plane = plane;
        plane.activate_kill_switch("sam", "stop").unwrap();
        let id = RequestId(uuid::Uuid::from_u128(50));
        plane.submit(&RequestInput::new(id, "a", "api_call", 1.0));
        let killed = audit_detail(&plane, plane.audit().len() - 1, Currency::Usd).unwrap();
        assert!(parts(&killed).is_empty());
        assert!(!killed.facts.contains("Each policy"));
    }

    #[test]
    fn equal_priorities_are_consulted_in_list_order() {
        let mut config = GovernanceConfig::default();
        for policy in &mut config.policies {
            policy.enabled = true;
            policy.priority = 5;
        }
        config.policies[2].priority = 10;
        let names: Vec<String> = config.policies.iter().map(|p| p.name.clone()).collect();
        // The one above first, then the rest as listed.
        let mut expected = vec![names[2].clone()];
        expected.extend(
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 2)
                .map(|(_, n)| n.clone()),
        );
        let mut plane = ControlPlane::new(config, ManualClock::default()).unwrap();
        plane.submit(&RequestInput::new(
            RequestId(uuid::Uuid::from_u128(1)),
            "a",
            "api_call",
            1.0,
        ));
        let listed: Vec<String> = parts(&audit_detail(&plane, 0, Currency::Usd).unwrap())
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn the_parts_are_read_against_the_configuration_in_force_then() {
        let mut plane = plane_with(&[("a", "deploy")]);
        let mut config = plane.config().clone();
        for policy in &mut config.policies {
            policy.enabled = false;
        }
        plane.apply_config(config, "dana").unwrap();
        let detail = audit_detail(&plane, 0, Currency::Usd).unwrap();
        assert!(
            parts(&detail).iter().any(|(_, p)| p == "decided: Denied"),
            "{}",
            detail.facts
        );
        // A request after the change was judged by no policy at all.
        let id = RequestId(uuid::Uuid::from_u128(60));
        plane.submit(&RequestInput::new(id, "a", "deploy", 1.0));
        let after = audit_detail(&plane, plane.audit().len() - 1, Currency::Usd).unwrap();
        assert_eq!(parts(&after), Vec::new());
        assert!(after
            .facts
            .contains("Each policy, in the order consulted: no policy was enabled"));
    }

    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// What the detail says of each policy agrees with that policy judging
        /// the same request alone, in the same (fresh) state: no objection
        /// means it approves, "did not refuse" that it does not refuse, and
        /// the decider gives the decision's verdict; a policy that does not
        /// cover the request leaves it to no policy.
        #[test]
        fn each_policy_part_agrees_with_the_policy_judging_alone(
            enabled in proptest::collection::vec(any::<bool>(), 16),
            priorities in proptest::collection::vec(0i32..4, 16),
            first_applicable in any::<bool>(),
            action in proptest::sample::select(vec![
                "api_call", "db_write", "db_read", "email", "code_exec", "deploy",
                "shell_exec", "read_secrets", "wire_transfer", "send_money",
            ]),
            cost in 0u32..40,
        ) {
            let mut config = GovernanceConfig::default();
            for (i, policy) in config.policies.iter_mut().enumerate() {
                policy.enabled = enabled[i % 16];
                policy.priority = priorities[i % 16];
            }
            if first_applicable {
                config.conflict_strategy = ConflictStrategy::FirstApplicable;
            }
            let judge = |config: GovernanceConfig| {
                let mut plane = ControlPlane::new(config, ManualClock::default()).unwrap();
                let id = RequestId(uuid::Uuid::from_u128(1));
                plane.submit(&RequestInput::new(id, "agent-1", action, cost as f64));
                plane
            };
            let plane = judge(config.clone());
            let detail = audit_detail(&plane, 0, Currency::Usd).unwrap();
            let decision = plane.audit().record(0).decision().unwrap().clone();
            let parts = parts(&detail);
            prop_assert_eq!(parts.len(), config.policies.iter().filter(|p| p.enabled).count());
            let mut seen_decider = false;
            for (name, part) in parts {
                let mut alone = config.clone();
                for policy in &mut alone.policies {
                    policy.enabled = policy.name == name;
                }
                let alone = judge(alone);
                let found = alone.audit().record(0).decision().unwrap().clone();
                match part.as_str() {
                    "does not cover this action type" | "no objection" => {
                        prop_assert_eq!(found.verdict, Verdict::Approved, "{}: {}", name, part)
                    }
                    "did not refuse" => prop_assert!(!found.verdict.is_refusal(), "{}", name),
                    "not consulted: the policy above decided first" => {
                        // Only after the decider, and only when its verdict
                        // ended the evaluation.
                        prop_assert!(seen_decider, "{}", name);
                        prop_assert!(
                            first_applicable || decision.verdict.is_refusal(),
                            "{}",
                            name
                        );
                    }
                    decided => {
                        seen_decider = true;
                        prop_assert_eq!(decided.strip_prefix("decided: "), Some(crate::console::verdict_label(decision.verdict)));
                        prop_assert_eq!(found.verdict, decision.verdict, "{}", name);
                        prop_assert_eq!(&found.decided_by, &decision.decided_by);
                    }
                }
                if part == "does not cover this action type" {
                    prop_assert_eq!(&found.decided_by, &DecidedBy::AllPolicies);
                }
            }
        }
    }
}
