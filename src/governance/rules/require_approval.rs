//! Require approval: every request the policy covers goes to a human. With
//! `risk_levels: ["high"]` it is how high-risk action types, configured or
//! inferred from their verb, wait for a reviewer whatever the tool is called.

use crate::governance::decision::{Reason, Verdict};
use crate::governance::policy::{Finding, Policy, PolicyContext};
use crate::governance::request::Request;
use crate::governance::state::Types;
use serde::Serialize;

/// No settings: what it covers is the policy's `applies_to` and
/// `risk_levels`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RequireApprovalConfig {}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RequireApprovalRule;

impl Policy for RequireApprovalRule {
    fn evaluate(
        &self,
        request: &Request,
        _covers: &Types,
        _context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        Some(Finding::new(
            Verdict::Escalated,
            Reason::RiskRequiresApproval {
                level: request.risk,
            },
        ))
    }

    /// It never refuses, so an approval has nothing of it to re-check.
    fn recheck_on_approval(&self) -> bool {
        false
    }
}

crate::governance::decode::deserialize_by!(RequireApprovalConfig, RequireApprovalConfig::decode);

impl RequireApprovalConfig {
    /// Has no fields of its own (beside the `kind`).
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<RequireApprovalConfig> {
        crate::governance::decode::Object::strict(value, &[])?;
        Ok(RequireApprovalConfig {})
    }
}
