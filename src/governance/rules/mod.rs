//! The kinds of policy rule. Each kind lives in its own file and owns its
//! configuration type, its validation, its compile step, its reasons and
//! whether an approval must re-check it; this module only lists the kinds.
//!
//! Adding a kind: a file here with a configuration type (serde, validated
//! with typed paths) that compiles to a type implementing
//! [`Policy`](super::policy::Policy), and a line in each enum below. The
//! evaluation, the conflict strategy and the approval re-check need nothing
//! new.

pub mod budget;
pub mod change_window;
pub mod rate_limit;
pub mod require_approval;
pub mod sensitive_actions;
pub mod sensitive_data;

use super::config_error::Problems;
use super::ids::Interner;
use super::policy::Policy;
use budget::{BudgetConfig, BudgetRule};
use change_window::{ChangeWindowConfig, ChangeWindowRule};
use rate_limit::{RateLimitConfig, RateLimitRule};
use require_approval::{RequireApprovalConfig, RequireApprovalRule};
use sensitive_actions::{SensitiveActionsConfig, SensitiveActionsRule};
use sensitive_data::{SensitiveDataConfig, SensitiveDataRule};
use serde::Serialize;

/// What a policy checks, as configured. Serialised with its `kind` beside
/// the kind's own fields: `{"kind": "budget", "limit": 100.0, …}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyRule {
    Budget(BudgetConfig),
    RateLimit(RateLimitConfig),
    SensitiveActions(SensitiveActionsConfig),
    ChangeWindow(ChangeWindowConfig),
    RequireApproval(RequireApprovalConfig),
    SensitiveData(SensitiveDataConfig),
}

crate::governance::decode::deserialize_by!(PolicyRule, PolicyRule::decode);

impl PolicyRule {
    /// Reads a rule: its `kind`, then that kind's own fields beside it.
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<PolicyRule> {
        use crate::governance::decode::{one_of, Decoder, Object};
        const KINDS: [(&str, Decoder<PolicyRule>); 6] = [
            ("budget", |v| {
                BudgetConfig::decode(v).map(PolicyRule::Budget)
            }),
            ("rate_limit", |v| {
                RateLimitConfig::decode(v).map(PolicyRule::RateLimit)
            }),
            ("sensitive_actions", |v| {
                SensitiveActionsConfig::decode(v).map(PolicyRule::SensitiveActions)
            }),
            ("change_window", |v| {
                ChangeWindowConfig::decode(v).map(PolicyRule::ChangeWindow)
            }),
            ("require_approval", |v| {
                RequireApprovalConfig::decode(v).map(PolicyRule::RequireApproval)
            }),
            ("sensitive_data", |v| {
                SensitiveDataConfig::decode(v).map(PolicyRule::SensitiveData)
            }),
        ];
        let mut o = Object::lenient(value)?;
        let decode = o.required("kind", |v| one_of(v, &KINDS))?;
        decode(o.rest())
    }
}

impl PolicyRule {
    pub fn kind(&self) -> &'static str {
        match self {
            PolicyRule::Budget(_) => "budget",
            PolicyRule::RateLimit(_) => "rate_limit",
            PolicyRule::SensitiveActions(_) => "sensitive_actions",
            PolicyRule::ChangeWindow(_) => "change_window",
            PolicyRule::RequireApproval(_) => "require_approval",
            PolicyRule::SensitiveData(_) => "sensitive_data",
        }
    }

    /// Checks the rule of policy `index`, adding every problem found.
    pub fn validate(&self, index: usize, problems: &mut Problems) {
        match self {
            PolicyRule::Budget(rule) => rule.validate(index, problems),
            PolicyRule::RateLimit(rule) => rule.validate(index, problems),
            PolicyRule::SensitiveActions(rule) => rule.validate(index, problems),
            PolicyRule::ChangeWindow(rule) => rule.validate(index, problems),
            PolicyRule::RequireApproval(_) => {}
            PolicyRule::SensitiveData(rule) => rule.validate(index, problems),
        }
    }

    /// The rule, ready to judge; names it mentions are interned.
    pub fn compile(&self, agents: &mut Interner, actions: &mut Interner) -> CompiledRule {
        match self {
            PolicyRule::Budget(rule) => CompiledRule::Budget(rule.compile(agents)),
            PolicyRule::RateLimit(rule) => CompiledRule::RateLimit(rule.compile()),
            PolicyRule::SensitiveActions(rule) => {
                CompiledRule::SensitiveActions(rule.compile(actions))
            }
            PolicyRule::ChangeWindow(rule) => CompiledRule::ChangeWindow(rule.compile()),
            PolicyRule::RequireApproval(_) => CompiledRule::RequireApproval(RequireApprovalRule),
            PolicyRule::SensitiveData(rule) => CompiledRule::SensitiveData(rule.compile()),
        }
    }
}

/// A rule ready to judge requests.
#[derive(Clone, Debug, PartialEq)]
pub enum CompiledRule {
    Budget(BudgetRule),
    RateLimit(RateLimitRule),
    SensitiveActions(SensitiveActionsRule),
    ChangeWindow(ChangeWindowRule),
    RequireApproval(RequireApprovalRule),
    SensitiveData(SensitiveDataRule),
}

impl CompiledRule {
    pub fn as_policy(&self) -> &dyn Policy {
        match self {
            CompiledRule::Budget(rule) => rule,
            CompiledRule::RateLimit(rule) => rule,
            CompiledRule::SensitiveActions(rule) => rule,
            CompiledRule::ChangeWindow(rule) => rule,
            CompiledRule::RequireApproval(rule) => rule,
            CompiledRule::SensitiveData(rule) => rule,
        }
    }
}
