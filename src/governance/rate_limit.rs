//! Rate limiting over a sliding window of clock time.
//!
//! The [`RateTracker`] remembers, per agent and per agent and action type,
//! when each executed action ran. A [`RateLimitRule`] counts the agent's
//! executions of the action types it covers within the last `window` of clock
//! time (an execution at `t` counts while `now < t + window`) and limits the
//! request once the count has reached the maximum: a rate limit on `api_call`
//! counts `api_call` executions only. Old executions age out of the window by
//! themselves: there is no counter to reset.
//!
//! The tracker remembers executions for an hour, or for the longest window
//! configured since it started if that is longer, so lengthening a window up
//! to that span counts every execution inside it. Lengthening a window beyond
//! it counts only what was remembered: the price of bounded memory for agents
//! that no rate limit currently restrains.

use super::decision::{Reason, Verdict};
use super::ids::{ActionType, AgentId};
use super::policy::{Finding, Policy, PolicyContext, Scope};
use super::request::Request;
use super::time::{Millis, Timestamp};
use std::collections::VecDeque;

/// When each agent's executed actions ran, and which type each was, oldest
/// first.
#[derive(Clone, Debug, PartialEq)]
pub struct RateTracker {
    executions: Vec<VecDeque<(Timestamp, ActionType)>>,
    retention: Millis,
}

/// How long executions are remembered at the least.
pub const MIN_RETENTION: Millis = Millis::from_secs(3_600);

impl Default for RateTracker {
    fn default() -> RateTracker {
        RateTracker {
            executions: Vec::new(),
            retention: MIN_RETENTION,
        }
    }
}

impl RateTracker {
    /// Keep executions for at least `window` from now on.
    pub fn retain_at_least(&mut self, window: Millis) {
        self.retention = self.retention.max(window);
    }

    pub fn record(&mut self, agent: AgentId, action: ActionType, at: Timestamp) {
        if self.executions.len() <= agent.index() {
            self.executions
                .resize_with(agent.index() + 1, VecDeque::new);
        }
        let times = &mut self.executions[agent.index()];
        while times
            .front()
            .is_some_and(|&(t, _)| t.saturating_add(self.retention) <= at)
        {
            times.pop_front();
        }
        times.push_back((at, action));
    }

    /// How many of the agent's executions of the types in `scope` fall within
    /// `window` before `now`. Every type: a binary search. Some types: a pass
    /// over the executions inside the window.
    pub fn executed_within(
        &self,
        agent: AgentId,
        scope: &Scope,
        window: Millis,
        now: Timestamp,
    ) -> u32 {
        let Some(times) = self.executions.get(agent.index()) else {
            return 0;
        };
        let aged_out = times.partition_point(|&(t, _)| t.saturating_add(window) <= now);
        let count = match scope {
            Scope::All => times.len() - aged_out,
            Scope::Only(_) => times
                .range(aged_out..)
                .filter(|&&(_, action)| scope.covers(action))
                .count(),
        };
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

/// At most `max_actions` executions per agent in any `window` of clock time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimitRule {
    pub max_actions: u32,
    pub window: Millis,
}

impl Policy for RateLimitRule {
    fn evaluate(
        &self,
        request: &Request,
        scope: &Scope,
        context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        let executed =
            context
                .rates
                .executed_within(request.agent, scope, self.window, context.now);
        (executed >= self.max_actions).then_some(Finding::new(
            Verdict::RateLimited,
            Reason::RateLimitReached {
                executed,
                max: self.max_actions,
                window: self.window,
            },
        ))
    }

    /// A reviewer's approval is the authority for that one action: it is not
    /// held back by the rate limit (documented in the README).
    fn recheck_on_approval(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: AgentId = AgentId(0);
    const API: ActionType = ActionType(0);
    const DB_READ: ActionType = ActionType(1);

    fn tracker(window: Millis) -> RateTracker {
        let mut tracker = RateTracker::default();
        tracker.retain_at_least(window);
        tracker
    }

    #[test]
    fn counts_only_executions_inside_the_window() {
        let window = Millis::from_secs(60);
        let mut rates = tracker(window);
        for secs in [0, 10, 59] {
            rates.record(AGENT, API, Timestamp(secs * 1_000));
        }
        assert_eq!(
            rates.executed_within(AGENT, &Scope::All, window, Timestamp(59_999)),
            3
        );
        // The execution at 0 s leaves the window at exactly 60 s.
        assert_eq!(
            rates.executed_within(AGENT, &Scope::All, window, Timestamp(60_000)),
            2
        );
        assert_eq!(
            rates.executed_within(AGENT, &Scope::All, window, Timestamp(119_000)),
            0
        );
    }

    #[test]
    fn executions_at_time_zero_count_early_in_the_clock() {
        let window = Millis::from_secs(3_600);
        let mut rates = tracker(window);
        rates.record(AGENT, API, Timestamp(0));
        assert_eq!(
            rates.executed_within(AGENT, &Scope::All, window, Timestamp(1)),
            1
        );
    }

    #[test]
    fn agents_are_counted_separately() {
        let window = Millis::from_secs(60);
        let mut rates = tracker(window);
        rates.record(AgentId(3), API, Timestamp(0));
        assert_eq!(
            rates.executed_within(AgentId(3), &Scope::All, window, Timestamp(1)),
            1
        );
        assert_eq!(
            rates.executed_within(AgentId(1), &Scope::All, window, Timestamp(1)),
            0
        );
    }

    #[test]
    fn a_longer_window_later_still_sees_older_executions() {
        let mut rates = tracker(Millis::from_secs(60));
        rates.record(AGENT, API, Timestamp(0));
        rates.record(AGENT, API, Timestamp(120_000));
        let long = Millis::from_secs(600);
        assert_eq!(
            rates.executed_within(AGENT, &Scope::All, long, Timestamp(130_000)),
            2
        );
    }

    #[test]
    fn a_scoped_count_sees_only_the_types_it_covers() {
        let window = Millis::from_secs(60);
        let mut rates = tracker(window);
        rates.record(AGENT, DB_READ, Timestamp(0));
        rates.record(AGENT, DB_READ, Timestamp(1));
        rates.record(AGENT, API, Timestamp(2));
        let now = Timestamp(10);
        let api = Scope::Only(vec![API]);
        assert_eq!(rates.executed_within(AGENT, &api, window, now), 1);
        let both = Scope::Only(vec![API, DB_READ]);
        assert_eq!(rates.executed_within(AGENT, &both, window, now), 3);
        assert_eq!(rates.executed_within(AGENT, &Scope::All, window, now), 3);
        assert_eq!(
            rates.executed_within(AgentId(1), &api, window, now),
            0,
            "another agent's count"
        );
    }

    #[test]
    fn retention_follows_the_longest_window_configured() {
        let mut rates = tracker(Millis::from_secs(60));
        rates.retain_at_least(Millis::from_secs(7_200));
        rates.record(AGENT, API, Timestamp(0));
        rates.record(AGENT, API, Timestamp(3_600_000));
        let two_hours = Millis::from_secs(7_200);
        assert_eq!(
            rates.executed_within(
                AGENT,
                &Scope::Only(vec![API]),
                two_hours,
                Timestamp(3_600_001)
            ),
            2
        );
        // A shorter window asked for later does not shorten the retention.
        rates.retain_at_least(Millis::from_secs(60));
        rates.record(AGENT, API, Timestamp(3_700_000));
        assert_eq!(
            rates.executed_within(AGENT, &Scope::All, two_hours, Timestamp(3_700_001)),
            3
        );
    }

    #[test]
    fn executions_older_than_the_retention_are_forgotten() {
        let mut rates = tracker(Millis::from_secs(60));
        rates.record(AGENT, API, Timestamp(0));
        rates.record(AGENT, API, Timestamp(3_600_000));
        assert_eq!(rates.executions[0].len(), 1);
    }

    #[test]
    fn the_rule_limits_at_the_maximum() {
        let rule = RateLimitRule {
            max_actions: 2,
            window: Millis::from_secs(60),
        };
        let mut rates = tracker(rule.window);
        let spend = Default::default();
        let request = Request {
            id: crate::governance::ids::RequestId::from_random_bytes([0; 16]),
            agent: AGENT,
            action: API,
            parameters: Default::default(),
            cost: Default::default(),
            received_at: Timestamp(5_000),
        };
        let judge = |rates: &RateTracker| {
            rule.evaluate(
                &request,
                &Scope::All,
                &PolicyContext {
                    now: Timestamp(5_000),
                    spend: &spend,
                    rates,
                },
            )
        };
        rates.record(AGENT, API, Timestamp(1_000));
        assert_eq!(judge(&rates), None);
        rates.record(AGENT, API, Timestamp(2_000));
        let finding = judge(&rates).unwrap();
        assert_eq!(finding.verdict, Verdict::RateLimited);
        assert_eq!(
            finding.reason.to_string(),
            "2 actions executed in the last 60s; the limit is 2 per 60s"
        );
    }
}
