//! What policies read: executed spend and executions, as ledgers the engine
//! writes and policies only read.
//!
//! Both ledgers grow only when an action executes (approved on arrival or by a
//! reviewer after its re-check), so every sum here is of executed actions.
//!
//! - [`SpendLedger`]: spend in total, per agent, per action type and per agent
//!   and action type, all-time and within fixed windows aligned to multiples
//!   of the window from clock zero (a 3600 s window resets on the hour). A
//!   window's sum is exact when the ledger has kept every execution since the
//!   window began; when a window longer than any used before is asked for and
//!   the kept executions do not reach back to its start, the ledger answers
//!   with the all-time sum instead, which is never less than the true one: it
//!   fails closed until the window next resets, and is exact from then on.
//! - [`RateTracker`]: when each execution ran and of which type, per agent
//!   and system-wide, kept for an hour or the longest rate window configured
//!   since start.
//!
//! Invariant: for any selection (agent or all, some types or all) and window,
//! the sum reported is at least the executed spend of that selection in that
//! window, and equal to it except in the fail-closed case above.

use super::ids::{ActionType, AgentId};
use super::money::Money;
use super::time::{Millis, Timestamp};
use crate::governance::fast_hash::FastMap;
use std::collections::VecDeque;

/// Which executions a sum or a count covers.
#[derive(Clone, Debug, PartialEq)]
pub enum Types {
    All,
    Only(Vec<ActionType>),
}

impl Types {
    pub fn covers(&self, action: ActionType) -> bool {
        match self {
            Types::All => true,
            Types::Only(types) => types.contains(&action),
        }
    }
}

/// Spend sums for one period.
#[derive(Clone, Debug, Default, PartialEq)]
struct Totals {
    total: Money,
    by_agent: Vec<Money>,
    by_action: Vec<Money>,
    by_agent_action: FastMap<(AgentId, ActionType), Money>,
}

impl Totals {
    fn add(&mut self, agent: AgentId, action: ActionType, cost: Money) {
        self.total = self.total.saturating_add(cost);
        add_at(&mut self.by_agent, agent.index(), cost);
        add_at(&mut self.by_action, action.index(), cost);
        let pair = self.by_agent_action.entry((agent, action)).or_default();
        *pair = pair.saturating_add(cost);
    }

    fn spent(&self, agent: Option<AgentId>, types: &Types) -> Money {
        let at = |amounts: &[Money], index: usize| amounts.get(index).copied().unwrap_or_default();
        match (agent, types) {
            (None, Types::All) => self.total,
            (None, Types::Only(types)) => {
                types.iter().map(|t| at(&self.by_action, t.index())).sum()
            }
            (Some(agent), Types::All) => at(&self.by_agent, agent.index()),
            (Some(agent), Types::Only(types)) => types
                .iter()
                .map(|&t| {
                    self.by_agent_action
                        .get(&(agent, t))
                        .copied()
                        .unwrap_or_default()
                })
                .sum(),
        }
    }
}

fn add_at(amounts: &mut Vec<Money>, index: usize, cost: Money) {
    if amounts.len() <= index {
        amounts.resize(index + 1, Money::ZERO);
    }
    amounts[index] = amounts[index].saturating_add(cost);
}

/// The sums of the current period of one window size.
#[derive(Clone, Debug, PartialEq)]
struct WindowTotals {
    size: Millis,
    /// Which period the sums are for: `at / size`.
    period: u64,
    /// False when the kept executions did not reach back to the period's
    /// start: the all-time sums stand in until the next period.
    exact: bool,
    totals: Totals,
}

/// One executed action, as the ledgers keep it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Execution {
    at: Timestamp,
    agent: AgentId,
    action: ActionType,
    cost: Money,
}

/// How long spend is kept execution by execution at the least: a day, the
/// longest window most deployments use.
pub const MIN_SPEND_RETENTION: Millis = Millis::from_secs(24 * 3_600);

/// Executed spend.
#[derive(Clone, Debug, PartialEq)]
pub struct SpendLedger {
    all_time: Totals,
    windows: Vec<WindowTotals>,
    /// Executions within the retention, oldest first, to start the sums of
    /// a window size used for the first time.
    recent: VecDeque<Execution>,
    retention: Millis,
    /// When the first execution older than the retention was forgotten.
    forgot_before: Option<Timestamp>,
}

impl Default for SpendLedger {
    fn default() -> SpendLedger {
        SpendLedger {
            all_time: Totals::default(),
            windows: Vec::new(),
            recent: VecDeque::new(),
            retention: MIN_SPEND_RETENTION,
            forgot_before: None,
        }
    }
}

fn period(at: Timestamp, size: Millis) -> u64 {
    at.millis() / size.0.max(1)
}

impl SpendLedger {
    pub fn total(&self) -> Money {
        self.all_time.total
    }

    pub fn of_agent(&self, agent: AgentId) -> Money {
        self.all_time.spent(Some(agent), &Types::All)
    }

    pub fn of_action(&self, action: ActionType) -> Money {
        self.all_time.spent(None, &Types::Only(vec![action]))
    }

    /// Keeps sums for windows of `size` from now on. The first time a size is
    /// used, its current period is summed from the kept executions.
    pub fn use_window(&mut self, size: Millis, now: Timestamp) {
        self.retention = self.retention.max(size);
        if self.windows.iter().any(|w| w.size == size) {
            return;
        }
        let current = period(now, size);
        let start = Timestamp(current * size.0);
        let exact = self.forgot_before.is_none_or(|forgot| forgot <= start);
        let mut totals = Totals::default();
        for execution in self.recent.iter().filter(|e| period(e.at, size) == current) {
            totals.add(execution.agent, execution.action, execution.cost);
        }
        self.windows.push(WindowTotals {
            size,
            period: current,
            exact,
            totals,
        });
    }

    /// Executed spend of `agent` (or every agent) on `types`, in the current
    /// period of `window` at `now` (or all-time without a window).
    pub fn spent(
        &self,
        agent: Option<AgentId>,
        types: &Types,
        window: Option<Millis>,
        now: Timestamp,
    ) -> Money {
        let Some(size) = window else {
            return self.all_time.spent(agent, types);
        };
        match self.windows.iter().find(|w| w.size == size) {
            Some(w) if w.period != period(now, size) => Money::ZERO,
            Some(w) if w.exact => w.totals.spent(agent, types),
            // Not started exactly, or never asked for: fail closed.
            _ => self.all_time.spent(agent, types),
        }
    }

    pub fn record(&mut self, agent: AgentId, action: ActionType, cost: Money, at: Timestamp) {
        self.all_time.add(agent, action, cost);
        for window in &mut self.windows {
            let now = period(at, window.size);
            if now != window.period {
                window.period = now;
                window.exact = true;
                window.totals = Totals::default();
            }
            window.totals.add(agent, action, cost);
        }
        while let Some(oldest) = self.recent.front() {
            if oldest.at.saturating_add(self.retention) > at {
                break;
            }
            self.forgot_before = Some(oldest.at.saturating_add(Millis(1)));
            self.recent.pop_front();
        }
        self.recent.push_back(Execution {
            at,
            agent,
            action,
            cost,
        });
    }
}

/// How long executions are remembered at the least.
pub const MIN_RETENTION: Millis = Millis::from_secs(3_600);

/// When each agent's executed actions ran, oldest first: all of them, and
/// by action type; and the same for all agents together. Counting every type
/// is a binary search; counting some types, a binary search per type the
/// agent (or the system) has executed.
#[derive(Clone, Debug, PartialEq)]
pub struct RateTracker {
    by_agent: Vec<AgentTimes>,
    system: AgentTimes,
    retention: Millis,
}

/// One agent's (or the system's) execution times.
#[derive(Clone, Debug, Default, PartialEq)]
struct AgentTimes {
    all: VecDeque<Timestamp>,
    /// The types executed, each with its times; few per agent.
    by_type: Vec<(ActionType, VecDeque<Timestamp>)>,
}

impl AgentTimes {
    fn record(&mut self, action: ActionType, at: Timestamp, retention: Millis) {
        push_recent(&mut self.all, at, retention);
        let times = match self.by_type.iter().position(|(t, _)| *t == action) {
            Some(i) => &mut self.by_type[i].1,
            None => {
                self.by_type.push((action, VecDeque::new()));
                &mut self.by_type.last_mut().expect("just pushed").1
            }
        };
        push_recent(times, at, retention);
    }

    fn count(&self, types: &Types, window: Millis, now: Timestamp) -> usize {
        match types {
            Types::All => within(&self.all, window, now),
            Types::Only(_) => self
                .by_type
                .iter()
                .filter(|(action, _)| types.covers(*action))
                .map(|(_, times)| within(times, window, now))
                .sum(),
        }
    }
}

impl Default for RateTracker {
    fn default() -> RateTracker {
        RateTracker {
            by_agent: Vec::new(),
            system: AgentTimes::default(),
            retention: MIN_RETENTION,
        }
    }
}

fn push_recent(times: &mut VecDeque<Timestamp>, at: Timestamp, retention: Millis) {
    while times
        .front()
        .is_some_and(|&t| t.saturating_add(retention) <= at)
    {
        times.pop_front();
    }
    times.push_back(at);
}

fn within(times: &VecDeque<Timestamp>, window: Millis, now: Timestamp) -> usize {
    times.len() - times.partition_point(|&t| t.saturating_add(window) <= now)
}

impl RateTracker {
    /// Keep executions for at least `window` from now on.
    pub fn retain_at_least(&mut self, window: Millis) {
        self.retention = self.retention.max(window);
    }

    pub fn record(&mut self, agent: AgentId, action: ActionType, at: Timestamp) {
        if self.by_agent.len() <= agent.index() {
            self.by_agent
                .resize_with(agent.index() + 1, AgentTimes::default);
        }
        self.by_agent[agent.index()].record(action, at, self.retention);
        self.system.record(action, at, self.retention);
    }

    /// How many executions of `agent` (or of every agent) of the `types`
    /// fall within `window` before `now`.
    pub fn executed_within(
        &self,
        agent: Option<AgentId>,
        types: &Types,
        window: Millis,
        now: Timestamp,
    ) -> u32 {
        let times = match agent {
            Some(agent) => match self.by_agent.get(agent.index()) {
                Some(times) => times,
                None => return 0,
            },
            None => &self.system,
        };
        u32::try_from(times.count(types, window, now)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: AgentId = AgentId(0);
    const API: ActionType = ActionType(0);
    const DB_READ: ActionType = ActionType(1);
    const HOUR: Millis = Millis::from_secs(3_600);

    fn units(n: u64) -> Money {
        Money::from_units(n)
    }

    #[test]
    fn the_ledger_keeps_totals_per_agent_and_action_type() {
        let mut ledger = SpendLedger::default();
        ledger.record(AgentId(2), DB_READ, units(3), Timestamp(0));
        ledger.record(AgentId(0), API, units(1), Timestamp(0));
        ledger.record(AgentId(2), DB_READ, units(3), Timestamp(0));
        assert_eq!(ledger.total(), units(7));
        assert_eq!(ledger.of_agent(AgentId(2)), units(6));
        assert_eq!(ledger.of_agent(AgentId(1)), Money::ZERO);
        assert_eq!(ledger.of_agent(AgentId(9)), Money::ZERO);
        assert_eq!(ledger.of_action(DB_READ), units(6));
        assert_eq!(ledger.of_action(ActionType(7)), Money::ZERO);
        let now = Timestamp(0);
        let api_and_other = Types::Only(vec![API, ActionType(5)]);
        assert_eq!(ledger.spent(None, &api_and_other, None, now), units(1));
        assert_eq!(ledger.spent(None, &Types::All, None, now), units(7));
        assert_eq!(
            ledger.spent(Some(AgentId(2)), &Types::Only(vec![API]), None, now),
            Money::ZERO
        );
        assert_eq!(
            ledger.spent(Some(AgentId(2)), &Types::Only(vec![DB_READ]), None, now),
            units(6)
        );
    }

    #[test]
    fn a_window_sums_its_current_period_and_resets_on_its_boundary() {
        let mut ledger = SpendLedger::default();
        ledger.use_window(HOUR, Timestamp(0));
        ledger.record(AGENT, API, units(2), Timestamp(3_599_999));
        let spent = |ledger: &SpendLedger, at| {
            ledger.spent(Some(AGENT), &Types::All, Some(HOUR), Timestamp(at))
        };
        assert_eq!(spent(&ledger, 3_599_999), units(2));
        // On the hour the window resets, before anything new executes.
        assert_eq!(spent(&ledger, 3_600_000), Money::ZERO);
        ledger.record(AGENT, API, units(5), Timestamp(3_600_000));
        assert_eq!(spent(&ledger, 3_600_001), units(5));
        assert_eq!(ledger.total(), units(7));
    }

    #[test]
    fn a_window_used_for_the_first_time_counts_what_already_ran_in_its_period() {
        let mut ledger = SpendLedger::default();
        ledger.record(AGENT, API, units(1), Timestamp(1_000));
        ledger.record(AGENT, API, units(2), Timestamp(3_700_000));
        ledger.use_window(HOUR, Timestamp(3_800_000));
        assert_eq!(
            ledger.spent(None, &Types::All, Some(HOUR), Timestamp(3_800_000)),
            units(2)
        );
    }

    #[test]
    fn a_window_reaching_back_past_what_was_kept_fails_closed_until_it_resets() {
        let mut ledger = SpendLedger::default();
        let day = Millis::from_secs(86_400);
        let week = Millis::from_secs(7 * 86_400);
        ledger.record(AGENT, API, units(4), Timestamp(0));
        // Two days later the first execution is forgotten (a day is kept).
        ledger.record(AGENT, API, units(1), Timestamp(2 * day.0));
        ledger.use_window(week, Timestamp(2 * day.0));
        // The week began at zero: the ledger cannot sum it exactly and
        // answers with everything it knows was spent, never less.
        assert_eq!(
            ledger.spent(None, &Types::All, Some(week), Timestamp(2 * day.0)),
            units(5)
        );
        // From the next week on it is exact.
        ledger.record(AGENT, API, units(3), Timestamp(week.0));
        assert_eq!(
            ledger.spent(None, &Types::All, Some(week), Timestamp(week.0)),
            units(3)
        );
    }

    #[test]
    fn counts_only_executions_inside_the_rate_window() {
        let window = Millis::from_secs(60);
        let mut rates = RateTracker::default();
        for secs in [0, 10, 59] {
            rates.record(AGENT, API, Timestamp(secs * 1_000));
        }
        let count = |rates: &RateTracker, at| {
            rates.executed_within(Some(AGENT), &Types::All, window, Timestamp(at))
        };
        assert_eq!(count(&rates, 59_999), 3);
        // The execution at 0 s leaves the window at exactly 60 s.
        assert_eq!(count(&rates, 60_000), 2);
        assert_eq!(count(&rates, 119_000), 0);
    }

    #[test]
    fn agents_types_and_the_system_are_counted_separately() {
        let window = Millis::from_secs(60);
        let mut rates = RateTracker::default();
        rates.record(AgentId(3), DB_READ, Timestamp(0));
        rates.record(AgentId(3), DB_READ, Timestamp(1));
        rates.record(AgentId(1), API, Timestamp(2));
        let now = Timestamp(10);
        let api = Types::Only(vec![API]);
        assert_eq!(
            rates.executed_within(Some(AgentId(3)), &Types::All, window, now),
            2
        );
        assert_eq!(
            rates.executed_within(Some(AgentId(3)), &api, window, now),
            0
        );
        assert_eq!(
            rates.executed_within(Some(AgentId(1)), &api, window, now),
            1
        );
        assert_eq!(
            rates.executed_within(Some(AgentId(7)), &Types::All, window, now),
            0
        );
        assert_eq!(rates.executed_within(None, &Types::All, window, now), 3);
        assert_eq!(rates.executed_within(None, &api, window, now), 1);
    }

    #[test]
    fn retention_follows_the_longest_window_configured() {
        let two_hours = Millis::from_secs(7_200);
        let mut rates = RateTracker::default();
        rates.retain_at_least(two_hours);
        rates.record(AGENT, API, Timestamp(0));
        rates.record(AGENT, API, Timestamp(3_600_000));
        assert_eq!(
            rates.executed_within(
                Some(AGENT),
                &Types::Only(vec![API]),
                two_hours,
                Timestamp(3_600_001)
            ),
            2
        );
        // A shorter window asked for later does not shorten the retention.
        rates.retain_at_least(Millis::from_secs(60));
        rates.record(AGENT, API, Timestamp(3_700_000));
        assert_eq!(
            rates.executed_within(Some(AGENT), &Types::All, two_hours, Timestamp(3_700_001)),
            3
        );
    }

    #[test]
    fn executions_older_than_the_retention_are_forgotten() {
        let mut rates = RateTracker::default();
        rates.record(AGENT, API, Timestamp(0));
        rates.record(AGENT, API, Timestamp(3_600_000));
        assert_eq!(rates.by_agent[0].all.len(), 1);
        assert_eq!(rates.by_agent[0].by_type[0].1.len(), 1);
        assert_eq!(rates.system.all.len(), 1);
    }
}
