//! Policies and the order they are judged in.
//!
//! A policy looks at one request and the control plane's current state and
//! either passes it or returns a [`Finding`]: a verdict other than approved,
//! with its reason. The [`PolicySet`] runs the enabled policies that cover the
//! request's action type, highest priority first (equal priorities in the order
//! the configuration lists them), and the first finding decides. When no policy
//! objects, the request is approved.
//!
//! Adding a kind of policy means a type implementing [`Policy`], a
//! [`PolicyRule`](super::config::PolicyRule) variant and a line in
//! [`PolicySet::compile`]; the evaluation loop does not change.

use super::budget::{BudgetRule, SpendLedger};
use super::config::{GovernanceConfig, PolicyConfig, PolicyRule};
use super::decision::{DecidedBy, Decision, Reason, Verdict};
use super::ids::{ActionType, Interner};
use super::rate_limit::{RateLimitRule, RateTracker};
use super::request::Request;
use super::sensitive::SensitiveActionsRule;
use super::time::{Millis, Timestamp};
use std::sync::Arc;

/// What a policy may read when judging a request.
pub struct PolicyContext<'a> {
    pub now: Timestamp,
    pub spend: &'a SpendLedger,
    pub rates: &'a RateTracker,
}

/// A policy's objection to a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    pub reason: Reason,
}

impl Finding {
    pub fn new(verdict: Verdict, reason: Reason) -> Finding {
        Finding { verdict, reason }
    }
}

/// One rule of governance. `None` means the policy has no objection.
pub trait Policy {
    fn evaluate(&self, request: &Request, context: &PolicyContext<'_>) -> Option<Finding>;
}

/// Which action types a policy judges.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    All,
    Only(Vec<ActionType>),
}

impl Scope {
    pub fn covers(&self, action: ActionType) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(types) => types.contains(&action),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum CompiledRule {
    Budget(BudgetRule),
    RateLimit(RateLimitRule),
    SensitiveActions(SensitiveActionsRule),
}

impl CompiledRule {
    fn as_policy(&self) -> &dyn Policy {
        match self {
            CompiledRule::Budget(rule) => rule,
            CompiledRule::RateLimit(rule) => rule,
            CompiledRule::SensitiveActions(rule) => rule,
        }
    }
}

/// An enabled policy, ready to judge requests.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledPolicy {
    pub name: Arc<str>,
    pub priority: i32,
    pub scope: Scope,
    pub rule: CompiledRule,
}

/// The enabled policies of a validated configuration, in evaluation order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicySet {
    ordered: Vec<CompiledPolicy>,
}

impl PolicySet {
    /// Compiles a configuration that has already been validated; action type
    /// names are interned into `actions`.
    pub fn compile(config: &GovernanceConfig, actions: &mut Interner) -> PolicySet {
        let mut ordered: Vec<CompiledPolicy> = config
            .policies
            .iter()
            .filter(|policy| policy.enabled)
            .map(|policy| compile_policy(policy, actions))
            .collect();
        // A stable sort keeps list order among equal priorities.
        ordered.sort_by_key(|policy| std::cmp::Reverse(policy.priority));
        PolicySet { ordered }
    }

    pub fn policies(&self) -> &[CompiledPolicy] {
        &self.ordered
    }

    /// Judges a request: the first objection in priority order decides.
    pub fn evaluate(&self, request: &Request, context: &PolicyContext<'_>) -> Decision {
        for policy in &self.ordered {
            if !policy.scope.covers(request.action) {
                continue;
            }
            if let Some(finding) = policy.rule.as_policy().evaluate(request, context) {
                return Decision::new(
                    finding.verdict,
                    DecidedBy::Policy(policy.name.clone()),
                    finding.reason,
                );
            }
        }
        Decision::new(
            Verdict::Approved,
            DecidedBy::AllPolicies,
            Reason::NoPolicyObjected,
        )
    }

    /// The enabled budget policies that cover an action type: what an approval
    /// must still satisfy when a human approves an escalated request.
    pub fn budgets_covering(
        &self,
        action: ActionType,
    ) -> impl Iterator<Item = (&Arc<str>, &BudgetRule)> {
        self.ordered
            .iter()
            .filter_map(move |policy| match &policy.rule {
                CompiledRule::Budget(rule) if policy.scope.covers(action) => {
                    Some((&policy.name, rule))
                }
                _ => None,
            })
    }

    /// The highest-priority enabled budget, which the spending report shows.
    pub fn primary_budget(&self) -> Option<&BudgetRule> {
        self.ordered.iter().find_map(|policy| match &policy.rule {
            CompiledRule::Budget(rule) => Some(rule),
            _ => None,
        })
    }

    /// The longest rate-limit window in force.
    pub fn longest_rate_window(&self) -> Option<Millis> {
        self.ordered
            .iter()
            .filter_map(|policy| match &policy.rule {
                CompiledRule::RateLimit(rule) => Some(rule.window),
                _ => None,
            })
            .max()
    }
}

fn compile_policy(policy: &PolicyConfig, actions: &mut Interner) -> CompiledPolicy {
    let mut intern_all = |names: &[String]| -> Vec<ActionType> {
        names
            .iter()
            .map(|n| ActionType(actions.intern(n)))
            .collect()
    };
    let scope = if policy.covers_all() {
        Scope::All
    } else {
        Scope::Only(intern_all(&policy.applies_to))
    };
    let rule = match &policy.rule {
        PolicyRule::Budget {
            limit,
            escalate_at_percent,
        } => CompiledRule::Budget(BudgetRule::new(*limit, *escalate_at_percent)),
        PolicyRule::RateLimit {
            max_actions,
            window_secs,
        } => CompiledRule::RateLimit(RateLimitRule {
            max_actions: *max_actions,
            window: Millis::from_secs_f64(*window_secs),
        }),
        PolicyRule::SensitiveActions {
            blocked,
            approval_required,
        } => CompiledRule::SensitiveActions(SensitiveActionsRule {
            blocked: intern_all(blocked),
            approval_required: intern_all(approval_required),
        }),
    };
    CompiledPolicy {
        name: Arc::from(policy.name.as_str()),
        priority: policy.priority,
        scope,
        rule,
    }
}
