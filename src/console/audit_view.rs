//! The audit panel's filtered view of the trail.
//!
//! Matching record positions are kept and extended as the trail grows, so a
//! refresh costs only the new records; changing the filter rescans once. The
//! panel then renders just the rows in view, newest first; [`audit_detail`]
//! is what a row opens to.

use super::config_diff::{config_changes, FieldChange};
use crate::governance::config_error::number_text;
use crate::governance::{AuditEvent, Clock, ControlPlane, RecordHead, Verdict};

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
pub fn audit_detail<C: Clock>(plane: &ControlPlane<C>, seq: usize) -> Option<AuditDetail> {
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
    push("Cost", line.cost.map(number_text));
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
    // The configuration that judged it: the last change before this record.
    let mut in_force = "the configuration the run started with".to_owned();
    for (at, _, event) in audit.events_from(audit.first()) {
        if at >= seq {
            break;
        }
        if let AuditEvent::ConfigChanged { actor, .. } = event {
            in_force = format!("as changed by {actor} at record #{at}");
        }
    }
    push("Configuration in force", Some(in_force));
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

        let first = audit_detail(&plane, 0).unwrap();
        assert_eq!(
            fact(&first, "Configuration in force"),
            Some("the configuration the run started with")
        );
        let change = audit_detail(&plane, 1).unwrap();
        assert_eq!(change.changes.len(), 1);
        assert_eq!(change.changes[0].field, "escalation_timeout_secs");
        assert_eq!(fact(&change, "Actor"), Some("dana"));

        let detail = audit_detail(&plane, escalated).unwrap();
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
        let detail = audit_detail(&plane, escalated).unwrap();
        let outcome = fact(&detail, "Outcome").unwrap();
        assert!(outcome.starts_with("Denied at "), "{outcome}");
        assert!(audit_detail(&plane, plane.audit().len()).is_none());
    }
}
