//! Budget enforcement.
//!
//! The [`SpendLedger`] holds what executed actions have cost, in total and per
//! agent. A [`BudgetRule`] compares the projected spend (spent so far plus this
//! request's cost) with its limit: above the limit is denied, above the
//! escalation threshold goes to a human.
//!
//! Invariant: the ledger grows only when an action executes, and an action
//! executes only after a budget check against the spend at that moment, so
//! executed spend never passes the limit that was in force when it executed.

use super::decision::{Reason, Verdict};
use super::ids::AgentId;
use super::money::Money;
use super::policy::{Finding, Policy, PolicyContext};
use super::request::Request;

/// Spend by executed actions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpendLedger {
    total: Money,
    by_agent: Vec<Money>,
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

    pub fn record(&mut self, agent: AgentId, cost: Money) {
        self.total = self.total.saturating_add(cost);
        if self.by_agent.len() <= agent.index() {
            self.by_agent.resize(agent.index() + 1, Money::ZERO);
        }
        let spent = &mut self.by_agent[agent.index()];
        *spent = spent.saturating_add(cost);
    }
}

/// A limit on total executed spend, with an escalation threshold below it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetRule {
    pub limit: Money,
    pub threshold: Money,
    /// The threshold as a fraction of the limit, in hundredths of a percent.
    pub threshold_basis_points: u32,
}

impl BudgetRule {
    /// From validated configuration values.
    pub fn new(limit: f64, escalate_at_percent: f64) -> BudgetRule {
        let limit = Money::from_f64(limit).unwrap_or(Money::ZERO);
        let threshold_basis_points = (escalate_at_percent * 100.0).round() as u32;
        BudgetRule {
            limit,
            threshold: limit.scaled_by_basis_points(threshold_basis_points),
            threshold_basis_points,
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
    fn evaluate(&self, request: &Request, context: &PolicyContext<'_>) -> Option<Finding> {
        let spent = context.spend.total();
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ids::{ActionType, RequestId};
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
        spend.record(AgentId(0), Money::from_f64(spent).unwrap());
        let rates = RateTracker::default();
        let context = PolicyContext {
            now: Timestamp(0),
            spend: &spend,
            rates: &rates,
        };
        rule.evaluate(&request(cost), &context)
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
    fn the_ledger_keeps_totals_per_agent() {
        let mut ledger = SpendLedger::default();
        ledger.record(AgentId(2), Money::from_units(3));
        ledger.record(AgentId(0), Money::from_units(1));
        ledger.record(AgentId(2), Money::from_units(3));
        assert_eq!(ledger.total(), Money::from_units(7));
        assert_eq!(ledger.of_agent(AgentId(2)), Money::from_units(6));
        assert_eq!(ledger.of_agent(AgentId(1)), Money::ZERO);
        assert_eq!(ledger.of_agent(AgentId(9)), Money::ZERO);
    }
}
