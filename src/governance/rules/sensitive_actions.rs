//! Sensitive action types: some are never allowed, some always need a human.
//!
//! Lists hold canonical action types (validated with the configuration) and
//! requests are canonicalised when received, so `Deploy` is `deploy`; a
//! look-alike spelling never reaches this rule (it is refused by validation).
//! A type blocked while a request waits for review stays blocked for it: an
//! approval re-checks this rule.

use crate::governance::config_error::{check_action_types, Entry, FieldPath, Problems};
use crate::governance::decision::{Reason, Verdict};
use crate::governance::ids::{ActionType, Interner};
use crate::governance::names::quoted;
use crate::governance::policy::{Finding, Policy, PolicyContext};
use crate::governance::request::Request;
use crate::governance::state::Types;
use serde::Serialize;

pub const BLOCKED: &str = "blocked";
pub const APPROVAL_REQUIRED: &str = "approval_required";

/// A sensitive-actions policy's configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SensitiveActionsConfig {
    /// Always denied.
    pub blocked: Vec<String>,
    /// Always escalated to a human.
    pub approval_required: Vec<String>,
}

crate::governance::decode::deserialize_by!(SensitiveActionsConfig, SensitiveActionsConfig::decode);

impl SensitiveActionsConfig {
    /// Reads the blocked and approval-required lists (beside the `kind`).
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<SensitiveActionsConfig> {
        use crate::governance::decode::{strings, Object};
        let mut o = Object::strict(value, &["blocked", "approval_required"])?;
        Ok(SensitiveActionsConfig {
            blocked: o.required("blocked", strings)?,
            approval_required: o.required("approval_required", strings)?,
        })
    }
}

impl SensitiveActionsConfig {
    pub fn new(blocked: &[&str], approval_required: &[&str]) -> SensitiveActionsConfig {
        let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        SensitiveActionsConfig {
            blocked: owned(blocked),
            approval_required: owned(approval_required),
        }
    }

    pub fn validate(&self, index: usize, problems: &mut Problems) {
        let entry = |field: &'static str| {
            move |i: Option<usize>| match i {
                Some(i) => FieldPath::rule_entry(index, field, Entry::Index(i)),
                None => FieldPath::rule(index, field),
            }
        };
        check_action_types(problems, entry(BLOCKED), &self.blocked, false);
        check_action_types(
            problems,
            entry(APPROVAL_REQUIRED),
            &self.approval_required,
            false,
        );
        for both in self
            .blocked
            .iter()
            .filter(|b| self.approval_required.contains(b))
        {
            problems.add(
                FieldPath::rule(index, APPROVAL_REQUIRED),
                quoted(both),
                "cannot be both blocked and approval-required",
            );
        }
    }

    pub fn compile(&self, actions: &mut Interner) -> SensitiveActionsRule {
        let mut intern_all = |names: &[String]| -> Vec<ActionType> {
            names
                .iter()
                .map(|n| ActionType(actions.intern(n)))
                .collect()
        };
        SensitiveActionsRule {
            blocked: intern_all(&self.blocked),
            approval_required: intern_all(&self.approval_required),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SensitiveActionsRule {
    pub blocked: Vec<ActionType>,
    pub approval_required: Vec<ActionType>,
}

impl Policy for SensitiveActionsRule {
    fn evaluate(
        &self,
        request: &Request,
        _covers: &Types,
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
    use crate::governance::state::{RateTracker, SpendLedger};
    use crate::governance::time::Timestamp;

    fn judge(rule: &SensitiveActionsRule, action: u32) -> Option<Verdict> {
        let request = Request {
            id: RequestId::from_random_bytes([0; 16]),
            agent: AgentId(0),
            action: ActionType(action),
            risk: crate::governance::risk::RiskLevel::Medium,
            detected: Default::default(),
            parameters: Default::default(),
            cost: Default::default(),
            received_at: Timestamp(0),
        };
        let spend = SpendLedger::default();
        let rates = RateTracker::default();
        let agents = Interner::default();
        let context = PolicyContext {
            now: Timestamp(0),
            spend: &spend,
            rates: &rates,
            agents: &agents,
        };
        rule.evaluate(&request, &Types::All, &context)
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

    #[test]
    fn validation_reports_every_bad_entry() {
        let mut problems = Problems::default();
        SensitiveActionsConfig::new(&["deploy", " ", "Deploy"], &["deploy"])
            .validate(0, &mut problems);
        let messages: Vec<String> = problems.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "policies[0].rule.blocked[1]: \" \" must not be empty",
                "policies[0].rule.blocked[2]: \"Deploy\" must be written \"deploy\"",
                "policies[0].rule.approval_required: \"deploy\" cannot be both blocked and approval-required",
            ]
        );
    }
}
