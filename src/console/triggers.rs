//! The triggers panel's rows: each trigger on or off, its reading now against
//! its threshold, and when it last fired.
//!
//! Readings come from the core's queries. When a trigger last fired is read
//! from the audit trail (its kill-switch activations), scanned incrementally
//! like [`super::AuditView`], so a refresh costs only the new records.

use super::kill_switches::target_label;
use super::Currency;
use crate::governance::triggers::{
    CREDENTIAL_LEAKS_ACTOR, REPEATED_VIOLATIONS_ACTOR, SPEND_ANOMALY_ACTOR,
};
use crate::governance::{AgentId, AuditEvent, Clock, ControlPlane, Timestamp};

/// One trigger's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriggerRow {
    /// Stable key, also the stem of its test ids.
    pub key: &'static str,
    pub name: &'static str,
    pub on: bool,
    pub reading: String,
    /// "0:04:12.000, agent x: reason", or `None` if it never fired.
    pub last_fired: Option<String>,
}

/// A trigger's latest firing, as found in the trail.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fired {
    at: Timestamp,
    text: String,
}

/// The latest firing of each trigger, kept up to date with the trail.
#[derive(Clone, Debug, Default)]
pub struct TriggerLog {
    repeated_violations: Option<Fired>,
    spend_anomaly: Option<Fired>,
    credential_leaks: Option<Fired>,
    scanned: usize,
    /// When the last scanned record happened: a different time at that
    /// position means a new trail (a reset simulation).
    last_at: Option<Timestamp>,
}

impl TriggerLog {
    /// Reads the records added since the last refresh; a trail that is
    /// shorter, or different where it was last read, starts over.
    pub fn refresh<C: Clock>(&mut self, plane: &ControlPlane<C>) {
        let audit = plane.audit();
        let same_trail = self.scanned <= audit.len()
            && (self.scanned <= audit.first()
                || Some(audit.head(self.scanned - 1).at) == self.last_at);
        if !same_trail {
            *self = TriggerLog::default();
        }
        for (_, at, event) in audit.events_from(self.scanned) {
            if let AuditEvent::KillSwitchActivated {
                actor,
                reason,
                target,
            } = event
            {
                let slot = match &**actor {
                    REPEATED_VIOLATIONS_ACTOR => &mut self.repeated_violations,
                    SPEND_ANOMALY_ACTOR => &mut self.spend_anomaly,
                    CREDENTIAL_LEAKS_ACTOR => &mut self.credential_leaks,
                    _ => continue,
                };
                *slot = Some(Fired {
                    at,
                    text: format!("{at}, {}: {reason}", target_label(target.as_ref())),
                });
            }
        }
        self.scanned = audit.len();
        self.last_at = (audit.len() > audit.first()).then(|| audit.head(audit.len() - 1).at);
    }

    /// Every trigger's row, from the plane's readings now.
    /// Amounts are written in `currency`.
    pub fn rows<C: Clock>(&self, plane: &ControlPlane<C>, currency: Currency) -> Vec<TriggerRow> {
        let triggers = &plane.config().triggers;
        let violations = &triggers.repeated_violations;
        let repeated = if violations.enabled {
            closest(
                plane,
                |agent| plane.violations_of(agent),
                |count, whose| {
                    format!(
                        "{count} of {} refusals in {} s{whose}",
                        violations.refusals, violations.within_secs
                    )
                },
            )
        } else {
            "off".to_owned()
        };
        let leaks = &triggers.credential_leaks;
        let leaked = if leaks.enabled {
            closest(
                plane,
                |agent| plane.leaks_of(agent),
                |count, whose| {
                    format!(
                        "{count} of {} requests carrying credentials in {} s{whose}",
                        leaks.hits, leaks.within_secs
                    )
                },
            )
        } else {
            "off".to_owned()
        };
        let anomaly = &triggers.spend_anomaly;
        let spend = if anomaly.enabled {
            let reading = plane.spend_anomaly_reading(None);
            format!(
                "recent {} vs threshold {} (baseline {} per {} s)",
                currency.format(reading.recent),
                currency.format(reading.threshold),
                currency.format(reading.baseline),
                anomaly.recent_secs
            )
        } else {
            "off".to_owned()
        };
        vec![
            TriggerRow {
                key: "repeated-violations",
                name: "Repeated violations",
                on: violations.enabled,
                reading: repeated,
                last_fired: self.repeated_violations.as_ref().map(|f| f.text.clone()),
            },
            TriggerRow {
                key: "spend-anomaly",
                name: "Spend anomaly",
                on: anomaly.enabled,
                reading: spend,
                last_fired: self.spend_anomaly.as_ref().map(|f| f.text.clone()),
            },
            TriggerRow {
                key: "credential-leaks",
                name: "Credential leaks",
                on: leaks.enabled,
                reading: leaked,
                last_fired: self.credential_leaks.as_ref().map(|f| f.text.clone()),
            },
        ]
    }
}

/// A per-agent trigger's reading: the agent with the highest count (ties to
/// the first seen), named after the figures; no name while nobody counts.
fn closest<C: Clock>(
    plane: &ControlPlane<C>,
    count_of: impl Fn(AgentId) -> u32,
    words: impl Fn(u32, String) -> String,
) -> String {
    let worst = plane
        .agents()
        .map(|agent| (count_of(agent), agent))
        .max_by_key(|(count, agent)| (*count, std::cmp::Reverse(agent.0)))
        .filter(|(count, _)| *count > 0);
    let count = worst.map_or(0, |(count, _)| count);
    let whose = worst
        .map(|(_, agent)| format!(" ({})", plane.agent_name(agent)))
        .unwrap_or_default();
    words(count, whose)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::{GovernanceConfig, ManualClock, Millis, RequestId, RequestInput};

    fn deny(plane: &mut ControlPlane<ManualClock>, n: u128, agent: &str) {
        // `deploy` is blocked by default.
        plane.submit(&RequestInput::new(
            RequestId(uuid::Uuid::from_u128(n)),
            agent,
            "deploy",
            0.1,
        ));
    }

    #[test]
    fn the_reading_names_the_agent_closest_to_tripping_and_the_firing_is_kept() {
        let clock = ManualClock::default();
        let mut config = GovernanceConfig::default();
        config.triggers.repeated_violations.refusals = 5;
        let mut plane = ControlPlane::new(config, clock.clone()).unwrap();
        let mut log = TriggerLog::default();
        log.refresh(&plane);
        let rows = log.rows(&plane, Currency::Usd);
        assert_eq!(rows[0].reading, "0 of 5 refusals in 300 s");
        assert_eq!(rows[1].reading, "off");
        assert!(!rows[1].on);

        deny(&mut plane, 1, "a");
        for n in 2..5 {
            deny(&mut plane, n, "b");
        }
        log.refresh(&plane);
        assert_eq!(
            log.rows(&plane, Currency::Usd)[0].reading,
            "3 of 5 refusals in 300 s (b)"
        );
        assert_eq!(log.rows(&plane, Currency::Usd)[0].last_fired, None);

        clock.advance(Millis::from_secs(2));
        for n in 5..7 {
            deny(&mut plane, n, "b");
        }
        log.refresh(&plane);
        let fired = log.rows(&plane, Currency::Usd)[0]
            .last_fired
            .clone()
            .unwrap();
        assert!(
            fired.starts_with("0:00:02.000, agent b: 5 refusals"),
            "{fired}"
        );
        assert!(plane.kill_switches().len() == 1);

        // A new trail forgets the old firing.
        let fresh = ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        log.refresh(&fresh);
        assert_eq!(log.rows(&fresh, Currency::Usd)[0].last_fired, None);
    }

    #[test]
    fn credential_leaks_read_per_agent_and_their_firing_is_kept() {
        let mut plane =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        let mut log = TriggerLog::default();
        let leak = |plane: &mut ControlPlane<ManualClock>, n: u128| {
            plane.submit(
                &RequestInput::new(
                    RequestId(uuid::Uuid::from_u128(n)),
                    "leaky",
                    "web_search",
                    0.1,
                )
                .with_parameters(
                    serde_json::json!({"token": "ghp_8fK2mQ9xLw3Rt7Yb1Nc5Vd0Hs4Jg6Pz2Ua8E"}),
                ),
            );
        };
        log.refresh(&plane);
        assert_eq!(
            log.rows(&plane, Currency::Usd)[2].reading,
            "0 of 3 requests carrying credentials in 3600 s"
        );
        // Refusals without credentials count toward the other trigger only.
        for n in 10..14 {
            deny(&mut plane, n, "loud");
        }
        leak(&mut plane, 1);
        leak(&mut plane, 2);
        log.refresh(&plane);
        let row = &log.rows(&plane, Currency::Usd)[2];
        assert_eq!(
            row.reading,
            "2 of 3 requests carrying credentials in 3600 s (leaky)"
        );
        assert_eq!(
            (row.key, row.on, row.last_fired.clone()),
            ("credential-leaks", true, None)
        );
        leak(&mut plane, 3);
        log.refresh(&plane);
        let fired = log.rows(&plane, Currency::Usd)[2]
            .last_fired
            .clone()
            .unwrap();
        assert!(
            fired.contains("agent leaky: 3 requests carrying credentials"),
            "{fired}"
        );
        assert!(!fired.contains("ghp_"), "{fired}");

        let mut config = GovernanceConfig::default();
        config.triggers.credential_leaks.enabled = false;
        let off = ControlPlane::new(config, ManualClock::default()).unwrap();
        log.refresh(&off);
        assert_eq!(log.rows(&off, Currency::Usd)[2].reading, "off");
    }

    #[test]
    fn an_enabled_spend_anomaly_shows_recent_spend_against_its_threshold() {
        let mut config = GovernanceConfig::default();
        config.triggers.spend_anomaly.enabled = true;
        let mut plane = ControlPlane::new(config, ManualClock::default()).unwrap();
        plane.submit(&RequestInput::new(
            RequestId(uuid::Uuid::from_u128(1)),
            "a",
            "web_search",
            0.5,
        ));
        let log = TriggerLog::default();
        assert_eq!(
            log.rows(&plane, Currency::Usd)[1].reading,
            "recent $0.50 vs threshold $10.00 (baseline $0.00 per 300 s)"
        );
    }
}
