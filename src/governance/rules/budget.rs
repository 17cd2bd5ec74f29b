//! Budget policies, in tiers: a cap on one action's cost, each agent's spend,
//! or the whole system's spend, optionally within a fixed window.
//!
//! A budget compares the projected spend (what its tier has spent, counting
//! only the action types the policy covers, plus this request's cost) with its
//! limit: above the limit is **denied**, above the escalation threshold goes to
//! a human. Windows are fixed and aligned to multiples of the window from
//! clock zero: 3600 s resets on the hour, 86400 s at midnight; without a
//! window the budget never resets. A per-agent budget may give named agents
//! their own limits (`agent_limits`).
//!
//! Invariants: executed spend in every tier and window never passes its
//! limit, because an action executes only after every budget covering it was
//! checked at that moment (an approval re-checks them: [`Policy::recheck_on_approval`]);
//! the threshold is `limit × escalate_at_percent / 100` rounded down, never
//! above the fraction named; the reason names the tier, the window and the
//! figures.

use crate::governance::config_error::{
    check_amount, check_name, check_percent, Entry, FieldPath, Problems,
};
use crate::governance::decision::{BudgetTier, Reason, Verdict};
use crate::governance::ids::{AgentId, Interner};
use crate::governance::money::Money;
use crate::governance::names::quoted;
use crate::governance::policy::{Finding, Policy, PolicyContext, StateNeeds};
use crate::governance::request::Request;
use crate::governance::state::Types;
use crate::governance::time::{Millis, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// Whose spend a budget limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetScope {
    /// Each request's own cost: a cap per action.
    Action,
    /// Each agent's executed spend.
    Agent,
    /// All executed spend together.
    #[default]
    System,
}

crate::governance::decode::deserialize_by!(BudgetScope, BudgetScope::decode);

impl BudgetScope {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<BudgetScope> {
        crate::governance::decode::one_of(
            value,
            &[
                ("action", BudgetScope::Action),
                ("agent", BudgetScope::Agent),
                ("system", BudgetScope::System),
            ],
        )
    }
}

impl BudgetScope {
    pub const ALL: [BudgetScope; 3] =
        [BudgetScope::Action, BudgetScope::Agent, BudgetScope::System];

    pub fn as_str(self) -> &'static str {
        match self {
            BudgetScope::Action => "action",
            BudgetScope::Agent => "agent",
            BudgetScope::System => "system",
        }
    }
}

/// The longest budget window: a week.
pub const MAX_BUDGET_WINDOW_SECS: u64 = 7 * 24 * 3_600;
/// Named agents with their own limit, per budget.
pub const MAX_AGENT_LIMITS: usize = 1_000;

pub const LIMIT: &str = "limit";
pub const ESCALATE_AT_PERCENT: &str = "escalate_at_percent";
pub const WINDOW_SECS: &str = "window_secs";
pub const AGENT_LIMITS: &str = "agent_limits";

/// A budget policy's configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetConfig {
    /// Absent in documents written before tiers: the system's spend.
    pub scope: BudgetScope,
    pub limit: f64,
    pub escalate_at_percent: f64,
    /// Whole seconds, 1 to a week; absent: the budget never resets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<u64>,
    /// Per-agent budgets only: limits for named agents, overriding `limit`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub agent_limits: BTreeMap<String, f64>,
}

crate::governance::decode::deserialize_by!(BudgetConfig, BudgetConfig::decode);

impl BudgetConfig {
    /// Reads a budget's fields (beside its `kind`).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<BudgetConfig> {
        use crate::governance::decode::{map, number, whole_u64, Object};
        let mut o = Object::strict(
            value,
            &[
                "scope",
                "limit",
                "escalate_at_percent",
                "window_secs",
                "agent_limits",
            ],
        )?;
        Ok(BudgetConfig {
            scope: o.or("scope", BudgetScope::decode, BudgetScope::default())?,
            limit: o.required("limit", number)?,
            escalate_at_percent: o.required("escalate_at_percent", number)?,
            window_secs: o.optional("window_secs", whole_u64)?,
            agent_limits: o.or_else("agent_limits", |v| map(v, number), BTreeMap::new)?,
        })
    }
}

impl BudgetConfig {
    /// A budget on all executed spend, never resetting: the budget of
    /// configurations written before tiers.
    pub fn system(limit: f64, escalate_at_percent: f64) -> BudgetConfig {
        BudgetConfig {
            scope: BudgetScope::System,
            limit,
            escalate_at_percent,
            window_secs: None,
            agent_limits: BTreeMap::new(),
        }
    }

    pub fn validate(&self, index: usize, problems: &mut Problems) {
        check_amount(problems, FieldPath::rule(index, LIMIT), self.limit);
        check_percent(
            problems,
            FieldPath::rule(index, ESCALATE_AT_PERCENT),
            self.escalate_at_percent,
        );
        if let Some(window) = self.window_secs {
            let path = FieldPath::rule(index, WINDOW_SECS);
            if self.scope == BudgetScope::Action {
                problems.add(
                    path,
                    window,
                    "does not apply to a per-action cap, which has no window",
                );
            } else if !(1..=MAX_BUDGET_WINDOW_SECS).contains(&window) {
                problems.add(
                    path,
                    window,
                    format!("must be from 1 to {MAX_BUDGET_WINDOW_SECS} seconds"),
                );
            }
        }
        if !self.agent_limits.is_empty() && self.scope != BudgetScope::Agent {
            problems.add(
                FieldPath::rule(index, AGENT_LIMITS),
                format!("({} agents)", self.agent_limits.len()),
                "apply only to a per-agent budget",
            );
        }
        if self.agent_limits.len() > MAX_AGENT_LIMITS {
            problems.add(
                FieldPath::rule(index, AGENT_LIMITS),
                format!("({} agents)", self.agent_limits.len()),
                format!("has more than {MAX_AGENT_LIMITS} agents"),
            );
            return;
        }
        for (agent, limit) in &self.agent_limits {
            let path = FieldPath::rule_entry(index, AGENT_LIMITS, Entry::Key(agent.clone()));
            check_name(problems, path.clone(), agent);
            check_amount(problems, path, *limit);
        }
    }

    /// The compiled rule; agent names are interned into `agents`.
    pub fn compile(&self, agents: &mut Interner) -> BudgetRule {
        let escalate_at_percent = self.escalate_at_percent;
        let tier = |limit: f64| {
            let limit = Money::from_f64(limit).unwrap_or(Money::ZERO);
            Limit {
                limit,
                threshold: limit.percent_floor(escalate_at_percent),
            }
        };
        // Kept sorted by agent as they are added (a later duplicate
        // replaces an earlier one, as in a map).
        let mut overrides: Vec<(AgentId, Limit)> = Vec::with_capacity(self.agent_limits.len());
        for (name, limit) in &self.agent_limits {
            let agent = AgentId(agents.intern(name));
            match overrides.binary_search_by_key(&agent, |(a, _)| *a) {
                Ok(at) => overrides[at].1 = tier(*limit),
                Err(at) => overrides.insert(at, (agent, tier(*limit))),
            }
        }
        BudgetRule {
            scope: self.scope,
            window: self.window_secs.map(Millis::from_secs),
            default: tier(self.limit),
            overrides,
        }
    }

    /// What the summary of a configuration change says about it.
    pub fn describe(&self) -> String {
        let window = self
            .window_secs
            .map(|w| format!(" per {}", Millis::from_secs(w)))
            .unwrap_or_default();
        let overrides = if self.agent_limits.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = self
                .agent_limits
                .iter()
                .map(|(agent, limit)| format!("{} {limit}", quoted(agent)))
                .collect();
            format!(", agents {}", names.join(", "))
        };
        format!(
            "{} budget {}{window}, escalate above {} %{overrides}",
            self.scope.as_str(),
            self.limit,
            self.escalate_at_percent
        )
    }
}

/// A limit with its escalation threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub limit: Money,
    /// `escalate_at_percent` of the limit, rounded down to a micro-unit.
    pub threshold: Money,
}

/// A budget, ready to judge requests.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetRule {
    pub scope: BudgetScope,
    pub window: Option<Millis>,
    pub default: Limit,
    /// Agents with their own limit, sorted by agent: found by a binary
    /// search (a handful of entries; no map code in the browser build).
    pub overrides: Vec<(AgentId, Limit)>,
}

impl BudgetRule {
    /// The limit that applies to `agent`.
    pub fn limit_for(&self, agent: AgentId) -> Limit {
        match self.overrides.binary_search_by_key(&agent, |(a, _)| *a) {
            Ok(at) => self.overrides[at].1,
            Err(_) => self.default,
        }
    }

    /// When the current window ends, if the budget has one.
    pub fn resets_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.window
            .map(|w| Timestamp((now.millis() / w.0.max(1) + 1) * w.0))
    }

    /// What the tier has spent that this budget counts, for `agent`.
    pub fn spent(&self, agent: AgentId, covers: &Types, context: &PolicyContext<'_>) -> Money {
        match self.scope {
            BudgetScope::Action => Money::ZERO,
            BudgetScope::Agent => {
                context
                    .spend
                    .spent(Some(agent), covers, self.window, context.now)
            }
            BudgetScope::System => context.spend.spent(None, covers, self.window, context.now),
        }
    }
}

impl Policy for BudgetRule {
    fn evaluate(
        &self,
        request: &Request,
        covers: &Types,
        context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        let Limit { limit, threshold } = self.limit_for(request.agent);
        let projected = self
            .spent(request.agent, covers, context)
            .saturating_add(request.cost);
        let verdict = if projected > limit {
            Verdict::Denied
        } else if projected > threshold {
            Verdict::Escalated
        } else {
            return None;
        };
        let escalating = verdict == Verdict::Escalated;
        // The tier before tiers keeps its words.
        let reason = match (self.scope, self.window) {
            (BudgetScope::System, None) if escalating => Reason::OverEscalationThreshold {
                projected,
                threshold,
                limit,
            },
            (BudgetScope::System, None) => Reason::OverBudget { projected, limit },
            _ => Reason::OverBudgetTier {
                tier: BudgetTier {
                    scope: self.scope,
                    agent: (self.scope == BudgetScope::Agent)
                        .then(|| context.agents.name(request.agent.0).clone()),
                    window: self.window,
                },
                projected,
                limit,
                threshold: escalating.then_some(threshold),
                resets_at: self.resets_at(context.now),
            },
        };
        Some(Finding::new(verdict, reason))
    }

    /// Spend may have grown while a request waited: an approval must fit.
    fn recheck_on_approval(&self) -> bool {
        true
    }

    fn state_needs(&self) -> StateNeeds {
        StateNeeds {
            spend_window: self.window,
            rate_window: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ids::{ActionType, RequestId};
    use crate::governance::state::{RateTracker, SpendLedger};

    const API: ActionType = ActionType(0);
    const DB_READ: ActionType = ActionType(1);

    fn request(agent: u32, cost: f64) -> Request {
        Request {
            id: RequestId::from_random_bytes([1; 16]),
            agent: AgentId(agent),
            action: API,
            risk: crate::governance::risk::RiskLevel::Medium,
            detected: Default::default(),
            parameters: Default::default(),
            cost: Money::from_f64(cost).unwrap(),
            received_at: Timestamp(0),
        }
    }

    struct World {
        spend: SpendLedger,
        rates: RateTracker,
        agents: Interner,
    }

    impl World {
        fn new() -> World {
            let mut agents = Interner::default();
            agents.intern("agent-0");
            agents.intern("agent-7");
            World {
                spend: SpendLedger::default(),
                rates: RateTracker::default(),
                agents,
            }
        }

        fn spend(&mut self, agent: u32, action: ActionType, amount: f64, at: u64) {
            self.spend.record(
                AgentId(agent),
                action,
                Money::from_f64(amount).unwrap(),
                Timestamp(at),
            );
        }

        fn judge(
            &mut self,
            config: &BudgetConfig,
            covers: &Types,
            request: &Request,
            now: u64,
        ) -> Option<Finding> {
            let rule = config.compile(&mut self.agents);
            if let Some(window) = rule.window {
                self.spend.use_window(window, Timestamp(now));
            }
            let context = PolicyContext {
                now: Timestamp(now),
                spend: &self.spend,
                rates: &self.rates,
                agents: &self.agents,
            };
            rule.evaluate(request, covers, &context)
        }
    }

    fn tier(
        scope: BudgetScope,
        limit: f64,
        percent: f64,
        window_secs: Option<u64>,
    ) -> BudgetConfig {
        BudgetConfig {
            scope,
            window_secs,
            ..BudgetConfig::system(limit, percent)
        }
    }

    #[test]
    fn a_system_budget_approves_escalates_and_denies_by_the_numbers() {
        let mut world = World::new();
        let config = BudgetConfig::system(100.0, 90.0);
        world.spend(0, API, 50.0, 0);
        assert_eq!(
            world.judge(&config, &Types::All, &request(0, 40.0), 0),
            None
        );
        world.spend(0, API, 35.0, 0);
        let finding = world
            .judge(&config, &Types::All, &request(0, 10.2), 0)
            .unwrap();
        assert_eq!(finding.verdict, Verdict::Escalated);
        assert_eq!(
            finding.reason.to_string(),
            "projected spend 95.20 would pass the escalation threshold 90.00 of budget 100.00"
        );
        let finding = world
            .judge(&config, &Types::All, &request(0, 15.01), 0)
            .unwrap();
        assert_eq!(finding.verdict, Verdict::Denied);
        assert_eq!(
            finding.reason.to_string(),
            "projected spend 100.01 would exceed budget 100.00"
        );
        // Exactly the limit is allowed when the threshold is the limit.
        let all = BudgetConfig::system(100.0, 100.0);
        assert_eq!(world.judge(&all, &Types::All, &request(0, 15.0), 0), None);
    }

    #[test]
    fn a_per_action_cap_judges_the_cost_alone() {
        let mut world = World::new();
        let cap = tier(BudgetScope::Action, 1.0, 90.0, None);
        world.spend(0, API, 500.0, 0);
        assert_eq!(world.judge(&cap, &Types::All, &request(0, 0.9), 0), None);
        let finding = world
            .judge(&cap, &Types::All, &request(0, 0.95), 0)
            .unwrap();
        assert_eq!(finding.verdict, Verdict::Escalated);
        assert_eq!(
            finding.reason.to_string(),
            "a cost of 0.95 passes the escalation threshold 0.90 of the per-action cap 1.00"
        );
        let finding = world.judge(&cap, &Types::All, &request(0, 1.2), 0).unwrap();
        assert_eq!(finding.verdict, Verdict::Denied);
        assert_eq!(
            finding.reason.to_string(),
            "a cost of 1.20 is over the per-action cap 1.00"
        );
    }

    #[test]
    fn a_per_agent_hourly_budget_counts_that_agents_spend_in_this_hour() {
        let mut world = World::new();
        let hourly = tier(BudgetScope::Agent, 5.0, 90.0, Some(3_600));
        let now = 3_600_000 + 60_000; // 1:01:00
        world.spend(1, API, 100.0, 1_000); // the previous hour
        world.spend(0, API, 100.0, 3_600_000); // another agent
        world.spend(1, API, 4.0, 3_600_000);
        let finding = world
            .judge(&hourly, &Types::All, &request(1, 1.2), now)
            .unwrap();
        assert_eq!(finding.verdict, Verdict::Denied);
        assert_eq!(
            finding.reason.to_string(),
            "agent-7 would spend 5.20 of its 5.00 hourly budget; resets at 2:00:00"
        );
        let finding = world
            .judge(&hourly, &Types::All, &request(1, 0.6), now)
            .unwrap();
        assert_eq!(finding.verdict, Verdict::Escalated);
        assert_eq!(
            finding.reason.to_string(),
            "agent-7 would spend 4.60 of its 5.00 hourly budget, past the escalation threshold 4.50; resets at 2:00:00"
        );
        // On the hour the budget starts again.
        assert_eq!(
            world.judge(&hourly, &Types::All, &request(1, 4.4), 7_200_000),
            None
        );
    }

    #[test]
    fn named_agents_can_have_their_own_limit() {
        let mut world = World::new();
        let mut hourly = tier(BudgetScope::Agent, 10.0, 100.0, Some(3_600));
        hourly.agent_limits.insert("agent-7".into(), 2.0);
        assert_eq!(world.judge(&hourly, &Types::All, &request(0, 9.0), 0), None);
        let finding = world
            .judge(&hourly, &Types::All, &request(1, 2.5), 0)
            .unwrap();
        assert_eq!(
            finding.reason.to_string(),
            "agent-7 would spend 2.50 of its 2.00 hourly budget; resets at 1:00:00"
        );
    }

    #[test]
    fn a_daily_system_budget_resets_at_midnight() {
        let mut world = World::new();
        let daily = tier(BudgetScope::System, 100.0, 100.0, Some(86_400));
        world.spend(0, API, 99.0, 1_000);
        let finding = world
            .judge(&daily, &Types::All, &request(1, 2.0), 2_000)
            .unwrap();
        assert_eq!(
            finding.reason.to_string(),
            "the system would spend 101.00 of its 100.00 daily budget; resets at 24:00:00"
        );
        assert_eq!(
            world.judge(&daily, &Types::All, &request(1, 2.0), 86_400_000),
            None
        );
    }

    #[test]
    fn a_scoped_budget_compares_only_the_spend_it_covers() {
        let mut world = World::new();
        let config = BudgetConfig::system(10.0, 100.0);
        world.spend(0, DB_READ, 50.0, 0);
        let api_only = Types::Only(vec![API]);
        assert_eq!(world.judge(&config, &api_only, &request(0, 9.0), 0), None);
        assert!(world
            .judge(&config, &Types::All, &request(0, 9.0), 0)
            .is_some());
    }

    #[test]
    fn the_threshold_never_sits_above_the_fraction_named() {
        let rule = BudgetConfig::system(10_000.0, 90.004).compile(&mut Interner::default());
        assert_eq!(rule.default.threshold.to_string(), "9000.40");
        let rule = BudgetConfig::system(10_000.0, 90.00499).compile(&mut Interner::default());
        assert_eq!(rule.default.threshold.to_string(), "9000.499");
    }

    #[test]
    fn validation_names_each_wrong_field() {
        let mut problems = Problems::default();
        let mut config = tier(BudgetScope::Action, -1.0, 0.0, Some(60));
        config.agent_limits.insert(" x".into(), f64::NAN);
        config.validate(3, &mut problems);
        let messages: Vec<String> = problems.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "policies[3].rule.limit: -1 must not be negative",
                "policies[3].rule.escalate_at_percent: 0 must be more than 0 and at most 100",
                "policies[3].rule.window_secs: 60 does not apply to a per-action cap, which has no window",
                "policies[3].rule.agent_limits: (1 agents) apply only to a per-agent budget",
                "policies[3].rule.agent_limits[\" x\"]: \" x\" must not start or end with spaces",
                "policies[3].rule.agent_limits[\" x\"]: NaN is not a finite number",
            ]
        );
        let mut problems = Problems::default();
        tier(
            BudgetScope::Agent,
            1.0,
            50.0,
            Some(MAX_BUDGET_WINDOW_SECS + 1),
        )
        .validate(0, &mut problems);
        assert_eq!(
            problems.0[0].to_string(),
            "policies[0].rule.window_secs: 604801 must be from 1 to 604800 seconds"
        );
    }
}
