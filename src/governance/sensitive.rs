//! Sensitive action types: some are never allowed, some always need a human.
//!
//! Lists hold canonical action types (validated by the configuration) and
//! requests are canonicalised when received, so `Deploy` is `deploy`; a
//! look-alike spelling never reaches this rule (it is refused by validation).
//! A type blocked while a request waits for review stays blocked for it: an
//! approval re-checks this rule.

use super::decision::{Reason, Verdict};
use super::ids::ActionType;
use super::policy::{Finding, Policy, PolicyContext, Scope};
use super::request::Request;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SensitiveActionsRule {
    pub blocked: Vec<ActionType>,
    pub approval_required: Vec<ActionType>,
}

impl Policy for SensitiveActionsRule {
    fn evaluate(
        &self,
        request: &Request,
        _scope: &Scope,
        _context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        if self.blocked.contains(&request.action) {
            Some(Finding::new(Verdict::Denied, Reason::ActionTypeBlocked))
        } else if self.approval_required.contains(&request.action) {
            Some(Finding::new(Verdict::Escalated, Reason::ApprovalRequired))
        } else {
            None
        }
    }

    /// A type blocked while a request waits stays blocked for it.
    fn recheck_on_approval(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ids::{AgentId, RequestId};
    use crate::governance::time::Timestamp;

    fn judge(rule: &SensitiveActionsRule, action: u32) -> Option<Verdict> {
        let request = Request {
            id: RequestId::from_random_bytes([0; 16]),
            agent: AgentId(0),
            action: ActionType(action),
            parameters: Default::default(),
            cost: Default::default(),
            received_at: Timestamp(0),
        };
        let spend = Default::default();
        let rates = Default::default();
        let context = PolicyContext {
            now: Timestamp(0),
            spend: &spend,
            rates: &rates,
        };
        rule.evaluate(&request, &Scope::All, &context)
            .map(|f| f.verdict)
    }

    #[test]
    fn blocked_types_are_denied_and_approval_types_escalated() {
        let rule = SensitiveActionsRule {
            blocked: vec![ActionType(1)],
            approval_required: vec![ActionType(2)],
        };
        assert_eq!(judge(&rule, 1), Some(Verdict::Denied));
        assert_eq!(judge(&rule, 2), Some(Verdict::Escalated));
        assert_eq!(judge(&rule, 3), None);
    }
}
