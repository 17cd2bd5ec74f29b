//! The enabled policies of a configuration, in the order they are judged in,
//! and how their findings combine.
//!
//! The [`PolicySet`] runs the enabled policies that cover the request's action
//! type, highest priority first (equal priorities in the order the
//! configuration lists them), and the configured [`ConflictStrategy`] says
//! which finding decides. When no policy objects, the request is approved.
//!
//! At the moment a reviewer approves, every covering policy that declares it
//! must be re-checked is judged again, and any refusal it gives stops the
//! action, whichever policy escalated it and whatever the strategy.

use super::config::{GovernanceConfig, PolicyConfig};
use super::conflict::ConflictStrategy;
use super::decision::{DecidedBy, Decision, Reason, Verdict};
use super::ids::{ActionType, Interner};
use super::policy::{Finding, PolicyContext, StateNeeds};
use super::request::Request;
use super::risk::RiskLevel;
use super::rules::budget::{BudgetRule, BudgetScope};
use super::rules::CompiledRule;
use super::state::Types;
use std::sync::Arc;

/// A policy's refusal found when an approval was re-checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Overrule {
    pub policy: Arc<str>,
    pub finding: Finding,
}

/// An enabled policy, ready to judge requests.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledPolicy {
    pub name: Arc<str>,
    pub priority: i32,
    /// The action types it judges and counts: those it names, and those of
    /// the risk levels it names (kept up to date as new types appear).
    pub covers: Types,
    pub risk_levels: Vec<RiskLevel>,
    pub rule: CompiledRule,
}

/// The enabled policies of a validated configuration, in evaluation order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicySet {
    ordered: Vec<CompiledPolicy>,
}

impl PolicySet {
    /// Compiles a configuration that has already been validated; names are
    /// interned into `agents` and `actions`. `levels` are the risk levels of
    /// the action types interned so far, by index; types interned later are
    /// added with [`PolicySet::note_action`].
    pub fn compile(
        config: &GovernanceConfig,
        agents: &mut Interner,
        actions: &mut Interner,
        levels: &[RiskLevel],
    ) -> PolicySet {
        let ordered = config
            .policies_in_order()
            .into_iter()
            .map(|policy| compile_policy(policy, agents, actions, levels))
            .collect();
        PolicySet { ordered }
    }

    /// A newly seen action type of `level` joins the policies that cover its
    /// level.
    pub fn note_action(&mut self, action: ActionType, level: RiskLevel) {
        for policy in &mut self.ordered {
            if let Types::Only(types) = &mut policy.covers {
                if policy.risk_levels.contains(&level) && !types.contains(&action) {
                    types.push(action);
                }
            }
        }
    }

    /// What every policy needs the ledgers to keep.
    pub fn state_needs(&self) -> impl Iterator<Item = StateNeeds> + '_ {
        self.ordered
            .iter()
            .map(|policy| policy.rule.as_policy().state_needs())
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
            if !policy.covers.covers(request.action) {
                continue;
            }
            let Some(finding) = policy
                .rule
                .as_policy()
                .evaluate(request, &policy.covers, context)
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
                policy.rule.as_policy().recheck_on_approval()
                    && policy.covers.covers(request.action)
            })
            .find_map(|policy| {
                policy
                    .rule
                    .as_policy()
                    .evaluate(request, &policy.covers, context)
                    .filter(|finding| finding.verdict.is_refusal())
                    .map(|finding| Overrule {
                        policy: policy.name.clone(),
                        finding,
                    })
            })
    }

    /// Every enabled budget, in priority order, with what it covers.
    pub fn budgets(&self) -> impl Iterator<Item = (&CompiledPolicy, &BudgetRule)> {
        self.ordered.iter().filter_map(|policy| match &policy.rule {
            CompiledRule::Budget(rule) => Some((policy, rule)),
            _ => None,
        })
    }

    /// The highest-priority enabled budget on all the system's spend, which
    /// the spending report shows.
    pub fn primary_budget(&self) -> Option<&BudgetRule> {
        self.budgets()
            .map(|(_, rule)| rule)
            .find(|rule| rule.scope == BudgetScope::System)
    }
}

fn compile_policy(
    policy: &PolicyConfig,
    agents: &mut Interner,
    actions: &mut Interner,
    levels: &[RiskLevel],
) -> CompiledPolicy {
    let covers = if policy.covers_all() {
        Types::All
    } else {
        let mut types: Vec<ActionType> = policy
            .applies_to
            .iter()
            .map(|name| ActionType(actions.intern(name)))
            .collect();
        for (index, level) in levels.iter().enumerate() {
            let action = ActionType(index as u32);
            if policy.risk_levels.contains(level) && !types.contains(&action) {
                types.push(action);
            }
        }
        Types::Only(types)
    };
    CompiledPolicy {
        name: Arc::from(policy.name.as_str()),
        priority: policy.priority,
        covers,
        risk_levels: policy.risk_levels.clone(),
        rule: policy.rule.compile(agents, actions),
    }
}
