//! Budget enforcement.
//!
//! The [`SpendLedger`] holds what executed actions have cost, in total, per
//! agent and per action type. A [`BudgetRule`] compares the projected spend
//! (what the action types it covers have spent so far, plus this request's
//! cost) with its limit: above the limit is denied, above the escalation
//! threshold goes to a human. A budget on `api_call` counts `api_call` spend
//! only; a budget on every type counts everything.
//!
//! Invariant: the ledger grows only when an action executes, and an action
//! executes only after a budget check against the spend at that moment (an
//! approval re-checks every budget that covers it), so executed spend never
//! passes the limit that was in force when it executed.

use super::decision::{Reason, Verdict};
use super::ids::{ActionType, AgentId};
use super::money::Money;
use super::policy::{Finding, Policy, PolicyContext, Scope};
use super::request::Request;

/// Spend by executed actions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpendLedger {
    total: Money,
    by_agent: Vec<Money>,
    /// By interned action type.
    by_action: Vec<Money>,
}

impl SpendLedger {
    pub fn total(&self) -> Money {
        self.total
    }

    pub fn of_agent(&self, agent: AgentId) -> Money {
        self.by_agent
            .get(agent.index())
            .copied()
            .unwrap_or(Money::ZERO)
    }

    pub fn of_action(&self, action: ActionType) -> Money {
        self.by_action
            .get(action.index())
            .copied()
            .unwrap_or(Money::ZERO)
    }

    /// What the action types in `scope` have spent.
    pub fn spent_on(&self, scope: &Scope) -> Money {
        match scope {
            Scope::All => self.total,
            Scope::Only(types) => types.iter().map(|&t| self.of_action(t)).sum(),
        }
    }

    pub fn record(&mut self, agent: AgentId, action: ActionType, cost: Money) {
        self.total = self.total.saturating_add(cost);
        add_at(&mut self.by_agent, agent.index(), cost);
        add_at(&mut self.by_action, action.index(), cost);
    }
}

fn add_at(amounts: &mut Vec<Money>, index: usize, cost: Money) {
    if amounts.len() <= index {
        amounts.resize(index + 1, Money::ZERO);
    }
    amounts[index] = amounts[index].saturating_add(cost);
}

/// A limit on executed spend, with an escalation threshold below it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetRule {
    pub limit: Money,
    /// `escalate_at_percent` of the limit, rounded down to a micro-unit: never
    /// above the fraction named.
    pub threshold: Money,
}

impl BudgetRule {
    /// From validated configuration values.
    pub fn new(limit: f64, escalate_at_percent: f64) -> BudgetRule {
        let limit = Money::from_f64(limit).unwrap_or(Money::ZERO);
        BudgetRule {
            limit,
            threshold: limit.percent_floor(escalate_at_percent),
        }
    }

    /// `Some` with the overspend when executing `cost` now would pass the limit.
    pub fn overspend(&self, spent: Money, cost: Money) -> Option<Reason> {
        let projected = spent.saturating_add(cost);
        (projected > self.limit).then_some(Reason::OverBudget {
            projected,
            limit: self.limit,
        })
    }
}

impl Policy for BudgetRule {
    fn evaluate(
        &self,
        request: &Request,
        scope: &Scope,
        context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        let spent = context.spend.spent_on(scope);
        if let Some(reason) = self.overspend(spent, request.cost) {
            return Some(Finding::new(Verdict::Denied, reason));
        }
        let projected = spent.saturating_add(request.cost);
        (projected > self.threshold).then(|| {
            Finding::new(
                Verdict::Escalated,
                Reason::OverEscalationThreshold {
                    projected,
                    threshold: self.threshold,
                    limit: self.limit,
                },
            )
        })
    }

    /// Spend may have grown while a request waited: an approval must fit.
    fn recheck_on_approval(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ids::RequestId;
    use crate::governance::rate_limit::RateTracker;
    use crate::governance::time::Timestamp;

    fn request(cost: f64) -> Request {
        Request {
            id: RequestId::from_random_bytes([1; 16]),
            agent: AgentId(0),
            action: ActionType(0),
            parameters: Default::default(),
            cost: Money::from_f64(cost).unwrap(),
            received_at: Timestamp(0),
        }
    }

    fn judge(rule: &BudgetRule, spent: f64, cost: f64) -> Option<Finding> {
        let mut spend = SpendLedger::default();
        spend.record(AgentId(0), ActionType(0), Money::from_f64(spent).unwrap());
        let rates = RateTracker::default();
        let context = PolicyContext {
            now: Timestamp(0),
            spend: &spend,
            rates: &rates,
        };
        rule.evaluate(&request(cost), &Scope::All, &context)
    }

    #[test]
    fn approves_below_the_threshold() {
        let rule = BudgetRule::new(100.0, 90.0);
        assert_eq!(judge(&rule, 50.0, 40.0), None);
    }

    #[test]
    fn escalates_above_the_threshold_and_names_the_numbers() {
        let rule = BudgetRule::new(100.0, 90.0);
        let finding = judge(&rule, 85.0, 10.2).unwrap();
        assert_eq!(finding.verdict, Verdict::Escalated);
        assert_eq!(
            finding.reason.to_string(),
            "projected spend 95.20 would pass the escalation threshold 90.00 of budget 100.00"
        );
    }

    #[test]
    fn denies_above_the_limit_but_allows_exactly_the_limit() {
        let rule = BudgetRule::new(100.0, 100.0);
        assert_eq!(judge(&rule, 60.0, 40.0), None);
        let finding = judge(&rule, 60.0, 40.01).unwrap();
        assert_eq!(finding.verdict, Verdict::Denied);
        assert_eq!(
            finding.reason.to_string(),
            "projected spend 100.01 would exceed budget 100.00"
        );
    }

    #[test]
    fn the_ledger_keeps_totals_per_agent_and_action_type() {
        let mut ledger = SpendLedger::default();
        ledger.record(AgentId(2), ActionType(1), Money::from_units(3));
        ledger.record(AgentId(0), ActionType(0), Money::from_units(1));
        ledger.record(AgentId(2), ActionType(1), Money::from_units(3));
        assert_eq!(ledger.total(), Money::from_units(7));
        assert_eq!(ledger.of_agent(AgentId(2)), Money::from_units(6));
        assert_eq!(ledger.of_agent(AgentId(1)), Money::ZERO);
        assert_eq!(ledger.of_agent(AgentId(9)), Money::ZERO);
        assert_eq!(ledger.of_action(ActionType(1)), Money::from_units(6));
        assert_eq!(ledger.of_action(ActionType(7)), Money::ZERO);
        assert_eq!(
            ledger.spent_on(&Scope::Only(vec![ActionType(0), ActionType(5)])),
            Money::from_units(1)
        );
        assert_eq!(ledger.spent_on(&Scope::All), Money::from_units(7));
    }

    #[test]
    fn a_scoped_budget_compares_only_the_spend_it_covers() {
        let rule = BudgetRule::new(10.0, 100.0);
        let mut spend = SpendLedger::default();
        spend.record(AgentId(0), ActionType(1), Money::from_units(50));
        let rates = RateTracker::default();
        let context = PolicyContext {
            now: Timestamp(0),
            spend: &spend,
            rates: &rates,
        };
        let api_only = Scope::Only(vec![ActionType(0)]);
        assert_eq!(rule.evaluate(&request(9.0), &api_only, &context), None);
        assert!(rule
            .evaluate(&request(9.0), &Scope::All, &context)
            .is_some());
    }

    #[test]
    fn the_threshold_never_sits_above_the_fraction_named() {
        // 90.004 % of 10000.00 is 9000.40; basis points made it 9000.00 and a
        // nearest rounding of 90.005 % would have made it 9000.50.
        let rule = BudgetRule::new(10_000.0, 90.004);
        assert_eq!(rule.threshold.to_string(), "9000.40");
        let rule = BudgetRule::new(10_000.0, 90.00499);
        assert_eq!(rule.threshold.to_string(), "9000.499");
    }
}
