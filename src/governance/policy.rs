//! Policies and the order they are judged in.
//!
//! A policy looks at one request and the control plane's current state and
//! either passes it or returns a [`Finding`]: a verdict other than approved,
//! with its reason. The [`PolicySet`] runs the enabled policies that cover the
//! request's action type, highest priority first (equal priorities in the order
//! the configuration lists them), and the configured [`ConflictStrategy`] says
//! which finding decides. When no policy objects, the request is approved.
//!
//! A policy that covers only some action types also *counts* only those: a
//! budget on `api_call` compares `api_call` spend, a rate limit on `api_call`
//! counts the agent's `api_call` executions ([`Scope`] is handed to the rule).
//!
//! Each kind of policy declares whether a reviewer's approval must re-check it
//! ([`Policy::recheck_on_approval`]): at the moment of approval every such
//! policy that covers the request is judged again, and any refusal it gives
//! stops the action, whichever policy escalated it and whatever the strategy.
//!
//! Adding a kind of policy means a type implementing [`Policy`], a
//! [`PolicyRule`](super::config::PolicyRule) variant and a line in
//! [`PolicySet::compile`]; the evaluation loop does not change.

use super::budget::{BudgetRule, SpendLedger};
use super::config::{GovernanceConfig, PolicyConfig, PolicyRule};
use super::conflict::ConflictStrategy;
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

/// One rule of governance.
pub trait Policy {
    /// `None` means the policy has no objection. `scope` is what the policy
    /// covers: rules that count (spend, executions) count only that.
    fn evaluate(
        &self,
        request: &Request,
        scope: &Scope,
        context: &PolicyContext<'_>,
    ) -> Option<Finding>;

    /// Whether a reviewer's approval must be judged by this policy again at
    /// the moment of approval; a refusal it then gives stops the action.
    fn recheck_on_approval(&self) -> bool;
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

/// A policy's refusal found when an approval was re-checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Overrule {
    pub policy: Arc<str>,
    pub finding: Finding,
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

    /// Judges a request: the covering policies in priority order, combined
    /// by `strategy`.
    pub fn evaluate(
        &self,
        request: &Request,
        context: &PolicyContext<'_>,
        strategy: ConflictStrategy,
    ) -> Decision {
        let mut escalation: Option<(&CompiledPolicy, Finding)> = None;
        for policy in &self.ordered {
            if !policy.scope.covers(request.action) {
                continue;
            }
            let Some(finding) = policy
                .rule
                .as_policy()
                .evaluate(request, &policy.scope, context)
            else {
                continue;
            };
            if strategy.stops_at(finding.verdict) {
                return Decision::new(
                    finding.verdict,
                    DecidedBy::Policy(policy.name.clone()),
                    finding.reason,
                );
            }
            // Deny-overrides: remember the highest-priority escalation and
            // look on for a refusal.
            escalation.get_or_insert((policy, finding));
        }
        match escalation {
            Some((policy, finding)) => Decision::new(
                finding.verdict,
                DecidedBy::Policy(policy.name.clone()),
                finding.reason,
            ),
            None => Decision::new(
                Verdict::Approved,
                DecidedBy::AllPolicies,
                Reason::NoPolicyObjected,
            ),
        }
    }

    /// The first refusal, in priority order, from the policies that cover the
    /// request and declare that an approval must re-check them: what stops a
    /// reviewer's approval from executing now.
    pub fn recheck_approval(
        &self,
        request: &Request,
        context: &PolicyContext<'_>,
    ) -> Option<Overrule> {
        self.ordered
            .iter()
            .filter(|policy| {
                policy.rule.as_policy().recheck_on_approval() && policy.scope.covers(request.action)
            })
            .find_map(|policy| {
                policy
                    .rule
                    .as_policy()
                    .evaluate(request, &policy.scope, context)
                    .filter(|finding| finding.verdict.is_refusal())
                    .map(|finding| Overrule {
                        policy: policy.name.clone(),
                        finding,
                    })
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
