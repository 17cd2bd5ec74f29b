//! The audit panel's filtered view of the trail.
//!
//! Matching record positions are kept and extended as the trail grows, so a
//! refresh costs only the new records; changing the filter rescans once. The
//! panel then renders just the rows in view.

use crate::governance::{Clock, ControlPlane, RecordHead, Verdict};

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
}
