//! Automatic triggers: the control plane stops itself.
//!
//! A trigger watches what happens (refusals, executed spend) and, past its
//! threshold, activates a kill switch: the audit trail records it as a
//! kill-switch activation whose actor is the trigger (`trigger:…`) and whose
//! reason carries the figures. Each trigger is configurable and can be
//! switched off; the console shows its current reading against its threshold.
//!
//! - **Repeated violations**: `refusals` refusals of one agent's requests by
//!   policies or validation within `within_secs` halt that agent (an
//!   agent-scoped kill switch). Refusals by a kill switch, a reviewer or a
//!   timeout do not count: they are not the agent's violations.
//! - **Spend anomaly**: executed spend in the last `recent_secs` above
//!   `factor` times the baseline activates the kill switch, system-wide or for
//!   the agent whose spend spiked. The baseline is the average spend per
//!   `recent_secs` over the `baseline_secs` before the recent window, but
//!   never below `min_baseline`, so a quiet start cannot fire it: with the
//!   defaults, a spike must pass 10 × 1.00 in five minutes. Off by default:
//!   a fixed floor suits no fleet out of the box (a busy fleet passes it in
//!   its first minutes); switch it on with a floor near a normal five
//!   minutes' spend. After firing it starts afresh, so lifting the kill
//!   switch does not fire it again on the same spike.
//!
//! - **Credential leaks**: `hits` requests of one agent carrying credentials
//!   (access keys, tokens, private keys; not personal data) within
//!   `within_secs` halt that agent, whatever the policies did with them.
//!
//! Invariant: a trigger only ever adds a kill switch; it never lifts one, and
//! never fires for a scope that is already stopped.

use super::ids::AgentId;
use super::money::Money;
use super::time::{Millis, Timestamp};
use crate::governance::fast_hash::FastMap;
use serde::Serialize;
use std::collections::VecDeque;

/// Whose spend the anomaly trigger watches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyScope {
    /// All spend; stops everything.
    #[default]
    System,
    /// Each agent's spend against its own baseline; stops that agent.
    Agent,
}

crate::governance::decode::deserialize_by!(AnomalyScope, AnomalyScope::decode);

impl AnomalyScope {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<AnomalyScope> {
        crate::governance::decode::one_of(
            value,
            &[
                ("system", AnomalyScope::System),
                ("agent", AnomalyScope::Agent),
            ],
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepeatedViolations {
    pub enabled: bool,
    pub refusals: u32,
    pub within_secs: u64,
}

crate::governance::decode::deserialize_by!(RepeatedViolations, RepeatedViolations::decode);

impl RepeatedViolations {
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<RepeatedViolations> {
        use crate::governance::decode::{boolean, whole, whole_u64, Object};
        let mut o = Object::strict(value, &["enabled", "refusals", "within_secs"])?;
        let d = RepeatedViolations::default();
        Ok(RepeatedViolations {
            enabled: o.or("enabled", boolean, d.enabled)?,
            refusals: o.or("refusals", whole, d.refusals)?,
            within_secs: o.or("within_secs", whole_u64, d.within_secs)?,
        })
    }
}

impl Default for RepeatedViolations {
    fn default() -> RepeatedViolations {
        RepeatedViolations {
            enabled: true,
            refusals: 20,
            within_secs: 300,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpendAnomaly {
    pub enabled: bool,
    pub factor: f64,
    pub recent_secs: u64,
    pub baseline_secs: u64,
    pub min_baseline: f64,
    pub scope: AnomalyScope,
}

crate::governance::decode::deserialize_by!(SpendAnomaly, SpendAnomaly::decode);

impl SpendAnomaly {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<SpendAnomaly> {
        use crate::governance::decode::{boolean, number, whole_u64, Object};
        let mut o = Object::strict(
            value,
            &[
                "enabled",
                "factor",
                "recent_secs",
                "baseline_secs",
                "min_baseline",
                "scope",
            ],
        )?;
        let d = SpendAnomaly::default();
        Ok(SpendAnomaly {
            enabled: o.or("enabled", boolean, d.enabled)?,
            factor: o.or("factor", number, d.factor)?,
            recent_secs: o.or("recent_secs", whole_u64, d.recent_secs)?,
            baseline_secs: o.or("baseline_secs", whole_u64, d.baseline_secs)?,
            min_baseline: o.or("min_baseline", number, d.min_baseline)?,
            scope: o.or("scope", AnomalyScope::decode, d.scope)?,
        })
    }
}

impl Default for SpendAnomaly {
    fn default() -> SpendAnomaly {
        SpendAnomaly {
            enabled: false,
            factor: 10.0,
            recent_secs: 300,
            baseline_secs: 3_600,
            min_baseline: 1.0,
            scope: AnomalyScope::System,
        }
    }
}

/// Requests carrying credentials (not personal data) from one agent within
/// the window halt it: an agent leaking secrets is stopped, not only refused.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialLeaks {
    pub enabled: bool,
    pub hits: u32,
    pub within_secs: u64,
}

crate::governance::decode::deserialize_by!(CredentialLeaks, CredentialLeaks::decode);

impl CredentialLeaks {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<CredentialLeaks> {
        use crate::governance::decode::{boolean, whole, whole_u64, Object};
        let mut o = Object::strict(value, &["enabled", "hits", "within_secs"])?;
        let d = CredentialLeaks::default();
        Ok(CredentialLeaks {
            enabled: o.or("enabled", boolean, d.enabled)?,
            hits: o.or("hits", whole, d.hits)?,
            within_secs: o.or("within_secs", whole_u64, d.within_secs)?,
        })
    }
}

impl Default for CredentialLeaks {
    fn default() -> CredentialLeaks {
        CredentialLeaks {
            enabled: true,
            hits: 3,
            within_secs: 3_600,
        }
    }
}

/// Every trigger's settings; absent in a document: the defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TriggersConfig {
    pub repeated_violations: RepeatedViolations,
    pub spend_anomaly: SpendAnomaly,
    pub credential_leaks: CredentialLeaks,
}

crate::governance::decode::deserialize_by!(TriggersConfig, TriggersConfig::decode);

impl TriggersConfig {
    /// Reads the triggers section; an absent trigger or field is the default.
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<TriggersConfig> {
        use crate::governance::decode::Object;
        let mut o = Object::strict(
            value,
            &["repeated_violations", "spend_anomaly", "credential_leaks"],
        )?;
        Ok(TriggersConfig {
            repeated_violations: o.or_else(
                "repeated_violations",
                RepeatedViolations::decode,
                RepeatedViolations::default,
            )?,
            spend_anomaly: o.or_else(
                "spend_anomaly",
                SpendAnomaly::decode,
                SpendAnomaly::default,
            )?,
            credential_leaks: o.or_else(
                "credential_leaks",
                CredentialLeaks::decode,
                CredentialLeaks::default,
            )?,
        })
    }
}

pub const MAX_TRIGGER_WINDOW_SECS: u64 = 24 * 3_600;
pub const MAX_FACTOR: f64 = 1_000.0;
pub const MAX_REFUSALS: u32 = 100_000;

impl TriggersConfig {
    pub fn validate(&self, problems: &mut super::config_error::Problems) {
        use super::config_error::{check_amount, number_text, FieldPath};
        let r = &self.repeated_violations;
        if r.refusals == 0 || r.refusals > MAX_REFUSALS {
            problems.add(
                FieldPath::Top("triggers.repeated_violations.refusals"),
                r.refusals,
                format!("must be between 1 and {MAX_REFUSALS}"),
            );
        }
        let seconds = |problems: &mut super::config_error::Problems, path, value: u64| {
            if !(1..=MAX_TRIGGER_WINDOW_SECS).contains(&value) {
                problems.add(
                    FieldPath::Top(path),
                    value,
                    format!("must be from 1 to {MAX_TRIGGER_WINDOW_SECS} seconds"),
                );
            }
        };
        seconds(
            problems,
            "triggers.repeated_violations.within_secs",
            r.within_secs,
        );
        let c = &self.credential_leaks;
        if c.hits == 0 || c.hits > MAX_REFUSALS {
            problems.add(
                FieldPath::Top("triggers.credential_leaks.hits"),
                c.hits,
                format!("must be between 1 and {MAX_REFUSALS}"),
            );
        }
        seconds(
            problems,
            "triggers.credential_leaks.within_secs",
            c.within_secs,
        );
        let a = &self.spend_anomaly;
        if !a.factor.is_finite() || a.factor < 1.0 || a.factor > MAX_FACTOR {
            problems.add(
                FieldPath::Top("triggers.spend_anomaly.factor"),
                number_text(a.factor),
                format!("must be from 1 to {}", number_text(MAX_FACTOR)),
            );
        }
        seconds(
            problems,
            "triggers.spend_anomaly.recent_secs",
            a.recent_secs,
        );
        seconds(
            problems,
            "triggers.spend_anomaly.baseline_secs",
            a.baseline_secs,
        );
        if let Some(floor) = check_amount(
            problems,
            FieldPath::Top("triggers.spend_anomaly.min_baseline"),
            a.min_baseline,
        ) {
            if floor == Money::ZERO {
                problems.add(
                    FieldPath::Top("triggers.spend_anomaly.min_baseline"),
                    number_text(a.min_baseline),
                    "must be more than 0, or a quiet start could fire it",
                );
            }
        }
    }
}

/// What the spend-anomaly trigger found: spend in the recent window against
/// the baseline it is compared with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnomalyReading {
    pub recent: Money,
    /// The average per recent window over the baseline window, before the
    /// floor.
    pub baseline: Money,
    /// `factor × max(baseline, min_baseline)`.
    pub threshold: Money,
}

impl AnomalyReading {
    pub fn fires(&self) -> bool {
        self.recent > self.threshold
    }
}

/// A trigger's decision to stop something.
#[derive(Clone, Debug, PartialEq)]
pub struct Firing {
    /// `None`: everything.
    pub agent: Option<AgentId>,
    pub actor: &'static str,
    pub reason: String,
}

pub const REPEATED_VIOLATIONS_ACTOR: &str = "trigger:repeated_violations";
pub const SPEND_ANOMALY_ACTOR: &str = "trigger:spend_anomaly";
pub const CREDENTIAL_LEAKS_ACTOR: &str = "trigger:credential_leaks";

/// What the triggers remember: recent refusals per agent, recent spend.
#[derive(Clone, Debug, Default)]
pub struct TriggerState {
    /// By agent number (`AgentId.0`): the same map type as the engine's
    /// approvals by reviewer, so the browser build carries its code once.
    refusals: FastMap<u32, VecDeque<Timestamp>>,
    leaks: FastMap<u32, VecDeque<Timestamp>>,
    /// Executions within the baseline and recent windows, oldest first.
    spend: VecDeque<(Timestamp, AgentId, Money)>,
}

/// Counts an event of `agent` at `now` within the last `within_secs`;
/// `Some` with the count and window when that reaches `threshold`, and the
/// agent's count starts again.
fn tally(
    counts: &mut FastMap<u32, VecDeque<Timestamp>>,
    enabled: bool,
    agent: AgentId,
    within_secs: u64,
    threshold: u32,
    now: Timestamp,
) -> Option<(u32, Millis)> {
    if !enabled {
        return None;
    }
    let window = Millis::from_secs(within_secs);
    let count = count_in(counts.entry(agent.0).or_default(), window, now);
    (count >= threshold).then(|| {
        counts.remove(&agent.0);
        (count, window)
    })
}

/// Adds `now` to `times`, forgets what left the window, and counts the rest.
/// How many of `times` fall within the last `within_secs` before `now`,
/// without forgetting any (a reading, not a count that may fire).
fn count_within(times: Option<&VecDeque<Timestamp>>, within_secs: u64, now: Timestamp) -> u32 {
    let window = Millis::from_secs(within_secs);
    times.map_or(0, |times| {
        let within = times.iter().filter(|&&t| t.saturating_add(window) > now);
        u32::try_from(within.count()).unwrap_or(u32::MAX)
    })
}

fn count_in(times: &mut VecDeque<Timestamp>, window: Millis, now: Timestamp) -> u32 {
    while times
        .front()
        .is_some_and(|&t| t.saturating_add(window) <= now)
    {
        times.pop_front();
    }
    times.push_back(now);
    u32::try_from(times.len()).unwrap_or(u32::MAX)
}

fn sum_between<'a>(
    entries: impl Iterator<Item = &'a (Timestamp, AgentId, Money)>,
    agent: Option<AgentId>,
    from: Timestamp,
    to: Timestamp,
) -> Money {
    entries
        .filter(|(at, a, _)| *at >= from && *at <= to && agent.is_none_or(|agent| agent == *a))
        .map(|(_, _, cost)| *cost)
        .sum()
}

impl TriggerState {
    /// Notes a refusal of `agent`'s request; `Some` when it trips the trigger.
    pub fn refused(
        &mut self,
        config: &RepeatedViolations,
        agent: AgentId,
        now: Timestamp,
    ) -> Option<Firing> {
        let threshold = config.refusals;
        let (count, window) = tally(
            &mut self.refusals,
            config.enabled,
            agent,
            config.within_secs,
            threshold,
            now,
        )?;
        Some(Firing {
            agent: Some(agent),
            actor: REPEATED_VIOLATIONS_ACTOR,
            reason: format!(
                "{count} refusals within {window}: the threshold is {threshold} within {window}"
            ),
        })
    }

    /// Notes a request of `agent` that carried credentials; `Some` when it
    /// trips the trigger.
    pub fn leaked(
        &mut self,
        config: &CredentialLeaks,
        agent: AgentId,
        now: Timestamp,
    ) -> Option<Firing> {
        let threshold = config.hits;
        let (count, window) = tally(
            &mut self.leaks,
            config.enabled,
            agent,
            config.within_secs,
            threshold,
            now,
        )?;
        Some(Firing {
            agent: Some(agent),
            actor: CREDENTIAL_LEAKS_ACTOR,
            reason: format!(
                "{count} requests carrying credentials within {window}: the threshold is {threshold} within {window}"
            ),
        })
    }

    /// Refusals of `agent` counted now, for the console's reading.
    pub fn refusals_of(&self, config: &RepeatedViolations, agent: AgentId, now: Timestamp) -> u32 {
        count_within(self.refusals.get(&agent.0), config.within_secs, now)
    }

    /// Requests of `agent` carrying credentials counted now, for the
    /// console's reading.
    pub fn leaks_of(&self, config: &CredentialLeaks, agent: AgentId, now: Timestamp) -> u32 {
        count_within(self.leaks.get(&agent.0), config.within_secs, now)
    }

    /// Notes an execution; `Some` when it makes spend anomalous.
    pub fn executed(
        &mut self,
        config: &SpendAnomaly,
        agent: AgentId,
        cost: Money,
        now: Timestamp,
    ) -> Option<Firing> {
        // Off, it keeps nothing: switched on, it starts from then, and the
        // baseline floor keeps the empty history from firing it.
        if !config.enabled {
            self.spend.clear();
            return None;
        }
        let kept = Millis::from_secs(config.recent_secs + config.baseline_secs);
        while self
            .spend
            .front()
            .is_some_and(|(at, _, _)| at.saturating_add(kept) <= now)
        {
            self.spend.pop_front();
        }
        self.spend.push_back((now, agent, cost));
        let whose = match config.scope {
            AnomalyScope::System => None,
            AnomalyScope::Agent => Some(agent),
        };
        let reading = self.reading(config, whose, now);
        reading.fires().then(|| {
            self.spend.retain(|(_, a, _)| whose.is_some_and(|w| w != *a));
            let who = if whose.is_some() { "its" } else { "all" };
            Firing {
                agent: whose,
                actor: SPEND_ANOMALY_ACTOR,
                reason: format!(
                    "{who} spend in the last {} was {}, over {} × the baseline {} per {} (threshold {})",
                    Millis::from_secs(config.recent_secs),
                    reading.recent,
                    super::config_error::number_text(config.factor),
                    reading.baseline.max(Money::from_f64(config.min_baseline).unwrap_or_default()),
                    Millis::from_secs(config.recent_secs),
                    reading.threshold
                ),
            }
        })
    }

    /// Recent spend against the baseline, for `agent` or everyone.
    pub fn reading(
        &self,
        config: &SpendAnomaly,
        agent: Option<AgentId>,
        now: Timestamp,
    ) -> AnomalyReading {
        let recent_window = Millis::from_secs(config.recent_secs);
        let recent_from = Timestamp(now.millis().saturating_sub(recent_window.0 - 1));
        let baseline_from = Timestamp(
            recent_from
                .millis()
                .saturating_sub(config.baseline_secs * 1_000),
        );
        let recent = sum_between(self.spend.iter(), agent, recent_from, now);
        let before = Timestamp(recent_from.millis().saturating_sub(1));
        let baseline_total = if recent_from.millis() == 0 {
            Money::ZERO
        } else {
            sum_between(self.spend.iter(), agent, baseline_from, before)
        };
        // The average per recent window over the baseline window.
        let periods = (config.baseline_secs / config.recent_secs.max(1)).max(1);
        let baseline = Money::from_micros(baseline_total.micros() / periods);
        let floor = Money::from_f64(config.min_baseline).unwrap_or(Money::ZERO);
        let threshold_micros = (baseline.max(floor).micros() as f64 * config.factor).floor();
        AnomalyReading {
            recent,
            baseline,
            threshold: Money::from_micros(threshold_micros.min(u64::MAX as f64) as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: AgentId = AgentId(0);
    const B: AgentId = AgentId(1);

    fn secs(s: u64) -> Timestamp {
        Timestamp(s * 1_000)
    }

    #[test]
    fn a_reading_forgets_what_is_exactly_one_window_old() {
        let config = CredentialLeaks::default();
        let mut state = TriggerState::default();
        assert!(state.leaked(&config, A, secs(10)).is_none());
        let window = config.within_secs;
        let just_before = Timestamp(secs(10 + window).millis() - 1);
        assert_eq!(state.leaks_of(&config, A, just_before), 1);
        assert_eq!(state.leaks_of(&config, A, secs(10 + window)), 0);
        assert_eq!(state.leaks_of(&config, B, secs(10)), 0);
    }

    fn problems(config: &TriggersConfig) -> Vec<String> {
        let mut problems = crate::governance::config_error::Problems::default();
        config.validate(&mut problems);
        problems.0.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn trigger_settings_are_validated_at_their_limits() {
        assert!(problems(&TriggersConfig::default()).is_empty());
        let mut edge = TriggersConfig::default();
        edge.repeated_violations.refusals = MAX_REFUSALS;
        edge.repeated_violations.within_secs = MAX_TRIGGER_WINDOW_SECS;
        edge.credential_leaks.hits = 1;
        edge.credential_leaks.within_secs = 1;
        edge.spend_anomaly.factor = 1.0;
        edge.spend_anomaly.recent_secs = 1;
        edge.spend_anomaly.baseline_secs = MAX_TRIGGER_WINDOW_SECS;
        edge.spend_anomaly.min_baseline = 0.000001;
        assert!(problems(&edge).is_empty(), "{:?}", problems(&edge));
        let mut bad = TriggersConfig::default();
        bad.repeated_violations.refusals = 0;
        bad.repeated_violations.within_secs = MAX_TRIGGER_WINDOW_SECS + 1;
        bad.credential_leaks.hits = MAX_REFUSALS + 1;
        bad.credential_leaks.within_secs = 0;
        bad.spend_anomaly.factor = 0.99;
        bad.spend_anomaly.recent_secs = 0;
        bad.spend_anomaly.min_baseline = 0.0;
        assert_eq!(
            problems(&bad),
            [
                "triggers.repeated_violations.refusals: 0 must be between 1 and 100000",
                "triggers.repeated_violations.within_secs: 86401 must be from 1 to 86400 seconds",
                "triggers.credential_leaks.hits: 100001 must be between 1 and 100000",
                "triggers.credential_leaks.within_secs: 0 must be from 1 to 86400 seconds",
                "triggers.spend_anomaly.factor: 0.99 must be from 1 to 1000",
                "triggers.spend_anomaly.recent_secs: 0 must be from 1 to 86400 seconds",
                "triggers.spend_anomaly.min_baseline: 0 must be more than 0, or a quiet start could fire it",
            ]
        );
        let mut too_big = TriggersConfig::default();
        too_big.spend_anomaly.factor = 1_000.5;
        too_big.spend_anomaly.min_baseline = f64::NAN;
        assert_eq!(
            problems(&too_big),
            [
                "triggers.spend_anomaly.factor: 1000.5 must be from 1 to 1000",
                "triggers.spend_anomaly.min_baseline: NaN is not a finite number",
            ]
        );
    }

    #[test]
    fn repeated_refusals_halt_the_agent_at_the_threshold() {
        let config = RepeatedViolations {
            enabled: true,
            refusals: 3,
            within_secs: 60,
        };
        let mut state = TriggerState::default();
        assert_eq!(state.refused(&config, A, secs(0)), None);
        assert_eq!(state.refused(&config, B, secs(1)), None);
        assert_eq!(state.refused(&config, A, secs(30)), None);
        assert_eq!(state.refusals_of(&config, A, secs(30)), 2);
        let firing = state.refused(&config, A, secs(59)).unwrap();
        assert_eq!(firing.agent, Some(A));
        assert_eq!(firing.actor, "trigger:repeated_violations");
        assert_eq!(
            firing.reason,
            "3 refusals within 60s: the threshold is 3 within 60s"
        );
        assert_eq!(state.refusals_of(&config, A, secs(59)), 0, "starts again");
    }

    #[test]
    fn refusals_older_than_the_window_do_not_count() {
        let config = RepeatedViolations {
            enabled: true,
            refusals: 2,
            within_secs: 60,
        };
        let mut state = TriggerState::default();
        state.refused(&config, A, secs(0));
        assert_eq!(state.refused(&config, A, secs(60)), None);
        assert!(state.refused(&config, A, secs(61)).is_some());
        let off = RepeatedViolations {
            enabled: false,
            ..config
        };
        for s in 0..10 {
            assert_eq!(state.refused(&off, B, secs(s)), None);
        }
    }

    #[test]
    fn a_quiet_start_cannot_fire_the_anomaly_trigger() {
        let config = SpendAnomaly {
            enabled: true,
            ..SpendAnomaly::default()
        };
        let mut state = TriggerState::default();
        // 9.00 in the first five minutes: under 10 × the floor of 1.00.
        for s in 0..9 {
            assert_eq!(
                state.executed(&config, A, Money::from_units(1), secs(s)),
                None
            );
        }
        let reading = state.reading(&config, None, secs(10));
        assert_eq!(reading.recent, Money::from_units(9));
        assert_eq!(reading.threshold, Money::from_units(10));
        assert!(!reading.fires());
        // 10.01 passes it.
        assert_eq!(
            state.executed(&config, A, Money::from_units(1), secs(11)),
            None
        );
        let firing = state
            .executed(&config, A, Money::from_micros(10_000), secs(12))
            .unwrap();
        assert_eq!(firing.agent, None);
        assert_eq!(
            firing.reason,
            "all spend in the last 300s was 10.01, over 10 × the baseline 1.00 per 300s (threshold 10.00)"
        );
    }

    #[test]
    fn the_baseline_is_the_average_over_the_hour_before() {
        let config = SpendAnomaly {
            enabled: true,
            ..SpendAnomaly::default()
        };
        let mut state = TriggerState::default();
        // 2.00 every five minutes for an hour: a baseline of 2.00 per 300 s.
        for period in 0..12 {
            state.executed(&config, A, Money::from_units(2), secs(period * 300));
        }
        let now = secs(12 * 300 + 1);
        let reading = state.reading(&config, None, now);
        assert_eq!(reading.baseline, Money::from_units(2));
        assert_eq!(reading.threshold, Money::from_units(20));
        assert!(state
            .executed(&config, A, Money::from_units(19), now)
            .is_none());
        assert!(state
            .executed(&config, A, Money::from_units(2), secs(12 * 300 + 2))
            .is_some());
    }

    #[test]
    fn a_per_agent_anomaly_stops_only_the_agent_that_spiked() {
        let config = SpendAnomaly {
            enabled: true,
            scope: AnomalyScope::Agent,
            ..SpendAnomaly::default()
        };
        let mut state = TriggerState::default();
        state.executed(&config, B, Money::from_units(9), secs(0));
        let firing = state
            .executed(&config, A, Money::from_units(11), secs(1))
            .unwrap();
        assert_eq!(firing.agent, Some(A));
        assert!(firing
            .reason
            .starts_with("its spend in the last 300s was 11.00"));
    }
}
