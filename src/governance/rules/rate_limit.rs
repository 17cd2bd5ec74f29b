//! Rate limits over a sliding window of clock time.
//!
//! A rate limit counts executions within the last `window` of clock time (an
//! execution at `t` counts while `now < t + window`) and limits the request
//! once the count has reached the maximum: per agent (the default) or for all
//! agents together (`"scope": "system"`), counting only the action types the
//! policy covers. Old executions age out of the window by themselves: there
//! is no counter to reset.
//!
//! A reviewer's approval is not held back by a rate limit: the reviewer is the
//! authority for that one action, and it still counts once executed.

use crate::governance::config_error::{check_seconds, FieldPath, Problems};
use crate::governance::decision::{Reason, Verdict};
use crate::governance::policy::{Finding, Policy, PolicyContext, StateNeeds};
use crate::governance::request::Request;
use crate::governance::state::Types;
use crate::governance::time::Millis;
use serde::Serialize;

/// Rate-limit windows may span at most a day.
pub const MAX_RATE_WINDOW_SECS: f64 = 24.0 * 3_600.0;
pub const MAX_RATE_LIMIT: u32 = 1_000_000;

pub const MAX_ACTIONS: &str = "max_actions";
pub const WINDOW_SECS: &str = "window_secs";

/// Whose executions a rate limit counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateScope {
    /// Each agent's own executions.
    #[default]
    Agent,
    /// All agents' executions together.
    System,
}

crate::governance::decode::deserialize_by!(RateScope, RateScope::decode);

impl RateScope {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<RateScope> {
        crate::governance::decode::one_of(
            value,
            &[("agent", RateScope::Agent), ("system", RateScope::System)],
        )
    }
}

impl RateScope {
    pub const ALL: [RateScope; 2] = [RateScope::Agent, RateScope::System];

    pub fn as_str(self) -> &'static str {
        match self {
            RateScope::Agent => "agent",
            RateScope::System => "system",
        }
    }
}

/// A rate limit's configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RateLimitConfig {
    /// Absent in documents written before scopes: per agent.
    pub scope: RateScope,
    pub max_actions: u32,
    pub window_secs: f64,
}

crate::governance::decode::deserialize_by!(RateLimitConfig, RateLimitConfig::decode);

impl RateLimitConfig {
    /// Reads a rate limit's fields (beside its `kind`).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<RateLimitConfig> {
        use crate::governance::decode::{number, whole, Object};
        let mut o = Object::strict(value, &["scope", "max_actions", "window_secs"])?;
        Ok(RateLimitConfig {
            scope: o.or("scope", RateScope::decode, RateScope::default())?,
            max_actions: o.required("max_actions", whole)?,
            window_secs: o.required("window_secs", number)?,
        })
    }
}

impl RateLimitConfig {
    pub fn per_agent(max_actions: u32, window_secs: f64) -> RateLimitConfig {
        RateLimitConfig {
            scope: RateScope::Agent,
            max_actions,
            window_secs,
        }
    }

    pub fn validate(&self, index: usize, problems: &mut Problems) {
        if self.max_actions == 0 || self.max_actions > MAX_RATE_LIMIT {
            problems.add(
                FieldPath::rule(index, MAX_ACTIONS),
                self.max_actions,
                format!("must be between 1 and {MAX_RATE_LIMIT}"),
            );
        }
        check_seconds(
            problems,
            FieldPath::rule(index, WINDOW_SECS),
            self.window_secs,
            MAX_RATE_WINDOW_SECS,
        );
    }

    pub fn compile(&self) -> RateLimitRule {
        RateLimitRule {
            scope: self.scope,
            max_actions: self.max_actions,
            window: Millis::from_secs_f64(self.window_secs),
        }
    }
}

/// At most `max_actions` executions in any `window` of clock time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimitRule {
    pub scope: RateScope,
    pub max_actions: u32,
    pub window: Millis,
}

impl Policy for RateLimitRule {
    fn evaluate(
        &self,
        request: &Request,
        covers: &Types,
        context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        let whose = match self.scope {
            RateScope::Agent => Some(request.agent),
            RateScope::System => None,
        };
        let executed = context
            .rates
            .executed_within(whose, covers, self.window, context.now);
        (executed >= self.max_actions).then_some(Finding::new(
            Verdict::RateLimited,
            Reason::RateLimitReached {
                scope: self.scope,
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

    fn state_needs(&self) -> StateNeeds {
        StateNeeds {
            spend_window: None,
            rate_window: Some(self.window),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ids::{ActionType, AgentId, Interner, RequestId};
    use crate::governance::state::{RateTracker, SpendLedger};
    use crate::governance::time::Timestamp;

    fn judge(rule: &RateLimitRule, rates: &RateTracker, agent: u32) -> Option<Finding> {
        let request = Request {
            id: RequestId::from_random_bytes([0; 16]),
            agent: AgentId(agent),
            action: ActionType(0),
            risk: crate::governance::risk::RiskLevel::Medium,
            detected: Default::default(),
            parameters: Default::default(),
            cost: Default::default(),
            received_at: Timestamp(5_000),
        };
        let spend = SpendLedger::default();
        let agents = Interner::default();
        let context = PolicyContext {
            now: Timestamp(5_000),
            spend: &spend,
            rates,
            agents: &agents,
        };
        rule.evaluate(&request, &Types::All, &context)
    }

    #[test]
    fn the_rule_limits_at_the_maximum() {
        let rule = RateLimitConfig::per_agent(2, 60.0).compile();
        let mut rates = RateTracker::default();
        rates.record(AgentId(0), ActionType(0), Timestamp(1_000));
        assert_eq!(judge(&rule, &rates, 0), None);
        rates.record(AgentId(0), ActionType(0), Timestamp(2_000));
        let finding = judge(&rule, &rates, 0).unwrap();
        assert_eq!(finding.verdict, Verdict::RateLimited);
        assert_eq!(
            finding.reason.to_string(),
            "2 actions executed in the last 60s; the limit is 2 per 60s"
        );
        assert_eq!(judge(&rule, &rates, 1), None, "another agent");
    }

    #[test]
    fn a_system_limit_counts_every_agent_together() {
        let rule = RateLimitConfig {
            scope: RateScope::System,
            ..RateLimitConfig::per_agent(2, 60.0)
        }
        .compile();
        let mut rates = RateTracker::default();
        rates.record(AgentId(0), ActionType(0), Timestamp(1_000));
        rates.record(AgentId(1), ActionType(0), Timestamp(2_000));
        let finding = judge(&rule, &rates, 2).unwrap();
        assert_eq!(
            finding.reason.to_string(),
            "2 actions executed by all agents in the last 60s; the limit is 2 per 60s"
        );
    }

    #[test]
    fn validation_names_both_fields() {
        let mut problems = Problems::default();
        RateLimitConfig::per_agent(0, -5.0).validate(1, &mut problems);
        let messages: Vec<String> = problems.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "policies[1].rule.max_actions: 0 must be between 1 and 1000000",
                "policies[1].rule.window_secs: -5 must be at least 0.001 seconds",
            ]
        );
    }
}
