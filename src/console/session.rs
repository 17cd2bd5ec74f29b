//! What the console keeps across a reload, and how fast the simulation runs.
//!
//! The saved session is the reviewer's setup: configuration, fleet settings,
//! reviewer name and speed, and the kill switches that were active. It is
//! validated like any other input when read back, so a damaged or hand-edited
//! entry is reported and replaced by the defaults rather than trusted.
//!
//! Invariant: a reload never turns a kill switch off. Every switch active
//! when the session was last saved is active again in the restored run, with
//! its actor and reason; one that cannot be restored is reported, and the
//! run then starts paused.

use super::Currency;
use crate::governance::{Clock, ControlPlane, GovernanceConfig, KillTarget, Millis};
use crate::sim::FleetSettings;
use serde::Serialize;

/// How much virtual time passes per second of real time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Speed {
    #[default]
    X1,
    X10,
    X100,
    /// As fast as the page can go while staying responsive.
    Max,
}

crate::governance::decode::deserialize_by!(Speed, Speed::decode);

impl Speed {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<Speed> {
        crate::governance::decode::one_of(
            value,
            &[
                ("x1", Speed::X1),
                ("x10", Speed::X10),
                ("x100", Speed::X100),
                ("max", Speed::Max),
            ],
        )
    }
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X10, Speed::X100, Speed::Max];

    pub fn label(self) -> &'static str {
        match self {
            Speed::X1 => "1×",
            Speed::X10 => "10×",
            Speed::X100 => "100×",
            Speed::Max => "Max",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Speed::X1 => "1",
            Speed::X10 => "10",
            Speed::X100 => "100",
            Speed::Max => "max",
        }
    }

    pub fn from_key(key: &str) -> Option<Speed> {
        Speed::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Virtual time to cover in a tick of `tick` real time; `None` for Max,
    /// which runs as many requests as fit in the frame budget.
    pub fn span_per_tick(self, tick: Millis) -> Option<Millis> {
        match self {
            Speed::X1 => Some(tick),
            Speed::X10 => Some(Millis(tick.0 * 10)),
            Speed::X100 => Some(Millis(tick.0 * 100)),
            Speed::Max => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavedSession {
    pub config: GovernanceConfig,
    pub fleet: FleetSettings,
    pub reviewer: String,
    pub speed: Speed,
    /// The kill switches active when saved; absent in sessions saved before
    /// they were kept.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kill_switches: Vec<SavedKillSwitch>,
    /// The currency amounts are shown in; absent (US dollars) in sessions
    /// saved before it could be chosen.
    pub currency: Currency,
}

crate::governance::decode::deserialize_by!(SavedSession, SavedSession::decode);

impl SavedSession {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<SavedSession> {
        use crate::governance::decode::{list, string, Object};
        let mut o = Object::strict(
            value,
            &[
                "config",
                "fleet",
                "reviewer",
                "speed",
                "kill_switches",
                "currency",
            ],
        )?;
        Ok(SavedSession {
            config: o.required("config", GovernanceConfig::decode)?,
            fleet: o.required("fleet", FleetSettings::decode)?,
            reviewer: o.required("reviewer", string)?,
            speed: o.required("speed", Speed::decode)?,
            kill_switches: o.or_else(
                "kill_switches",
                |v| list(v, SavedKillSwitch::decode),
                Vec::new,
            )?,
            currency: o.or_else("currency", Currency::decode, Currency::default)?,
        })
    }
}

/// An active kill switch as saved: its scope (absent: global), who activated
/// it and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SavedKillSwitch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<KillTarget>,
    pub actor: String,
    pub reason: String,
}

crate::governance::decode::deserialize_by!(SavedKillSwitch, SavedKillSwitch::decode);

impl SavedKillSwitch {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<SavedKillSwitch> {
        use crate::governance::decode::{string, Object};
        let mut o = Object::strict(value, &["scope", "actor", "reason"])?;
        Ok(SavedKillSwitch {
            scope: o.optional("scope", KillTarget::decode)?,
            actor: o.required("actor", string)?,
            reason: o.required("reason", string)?,
        })
    }
}

impl SavedKillSwitch {
    /// Every kill switch active in `plane`, global first.
    pub fn all_in<C: Clock>(plane: &ControlPlane<C>) -> Vec<SavedKillSwitch> {
        plane
            .kill_switches()
            .into_iter()
            .map(|activation| SavedKillSwitch {
                scope: plane.kill_target(activation.scope),
                actor: activation.actor.to_string(),
                reason: activation.reason.to_string(),
            })
            .collect()
    }
}

impl Default for SavedSession {
    fn default() -> SavedSession {
        SavedSession {
            config: GovernanceConfig::default(),
            fleet: FleetSettings::default(),
            reviewer: "reviewer".into(),
            speed: Speed::X1,
            kill_switches: Vec::new(),
            currency: Currency::default(),
        }
    }
}

impl SavedSession {
    /// Activates the saved kill switches in `plane` (a fresh run), each with
    /// its actor and reason, audited as any activation. Returns what could
    /// not be restored, one message each.
    pub fn restore_kill_switches<C: Clock>(&self, plane: &mut ControlPlane<C>) -> Vec<String> {
        self.kill_switches
            .iter()
            .filter_map(|saved| {
                plane
                    .activate_kill_switch_for(saved.scope.as_ref(), &saved.actor, &saved.reason)
                    .err()
                    .map(|e| format!("a saved kill switch could not be restored: {e}"))
            })
            .collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session always serialises")
    }

    /// Reads a saved session back, validating everything in it.
    pub fn from_json(text: &str) -> Result<SavedSession, String> {
        let session: SavedSession =
            serde_json::from_str(text).map_err(|e| format!("saved session is unreadable: {e}"))?;
        session
            .config
            .validate()
            .map_err(|e| format!("saved configuration is invalid: {e}"))?;
        session
            .fleet
            .validate()
            .map_err(|e| format!("saved fleet settings are invalid: {e}"))?;
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_round_trips() {
        let session = SavedSession {
            reviewer: "alice".into(),
            speed: Speed::X100,
            currency: Currency::Eur,
            ..Default::default()
        };
        assert_eq!(SavedSession::from_json(&session.to_json()), Ok(session));
    }

    #[test]
    fn a_session_saved_before_the_currency_was_kept_reads_in_dollars() {
        let mut json: serde_json::Value =
            serde_json::from_str(&SavedSession::default().to_json()).unwrap();
        assert_eq!(json["currency"], "USD");
        json.as_object_mut().unwrap().remove("currency");
        let session = SavedSession::from_json(&json.to_string()).unwrap();
        assert_eq!(session.currency, Currency::Usd);
        json["currency"] = "dollars".into();
        let error = SavedSession::from_json(&json.to_string()).unwrap_err();
        assert!(error.contains("currency"), "{error}");
    }

    #[test]
    fn active_kill_switches_survive_a_reload_with_their_actor_and_reason() {
        use crate::governance::ManualClock;
        let mut before =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        before
            .activate_kill_switch_for(None, "riley", "incident 42")
            .unwrap();
        let looper = KillTarget::Agent("looper".into());
        before
            .activate_kill_switch_for(Some(&looper), "trigger:repeated_violations", "20 refusals")
            .unwrap();
        let session = SavedSession {
            kill_switches: SavedKillSwitch::all_in(&before),
            ..Default::default()
        };
        let restored = SavedSession::from_json(&session.to_json()).unwrap();
        assert_eq!(restored, session);

        let mut after =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        assert!(restored.restore_kill_switches(&mut after).is_empty());
        assert_eq!(SavedKillSwitch::all_in(&after), session.kill_switches);
        let global = after.kill_switch().unwrap();
        assert_eq!((&*global.actor, &*global.reason), ("riley", "incident 42"));
        assert_eq!(after.audit().len(), 2, "each restored switch is audited");

        // One that cannot be activated again is reported, not dropped silently.
        let mut damaged = session.clone();
        damaged.kill_switches[0].actor = "bad\u{7}actor".into();
        let mut fresh =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        let lost = damaged.restore_kill_switches(&mut fresh);
        assert_eq!(lost.len(), 1);
        assert!(
            lost[0].starts_with("a saved kill switch could not be restored: "),
            "{}",
            lost[0]
        );

        // Sessions saved before kill switches were kept still load.
        let old = SavedSession::default().to_json();
        assert!(!old.contains("kill_switches"));
        assert!(SavedSession::from_json(&old)
            .unwrap()
            .kill_switches
            .is_empty());
    }

    #[test]
    fn damaged_sessions_are_rejected_with_a_reason() {
        assert!(SavedSession::from_json("{")
            .unwrap_err()
            .starts_with("saved session is unreadable"));
        let mut session = SavedSession::default();
        session.fleet.size = 0;
        assert_eq!(
            SavedSession::from_json(&session.to_json()).unwrap_err(),
            "saved fleet settings are invalid: fleet size: 0 must be between 1 and 1000"
        );
        let text = SavedSession::default()
            .to_json()
            .replace("\"limit\":100.0", "\"limit\":-1.0");
        assert!(SavedSession::from_json(&text)
            .unwrap_err()
            .starts_with("saved configuration is invalid"));
    }

    #[test]
    fn speeds_scale_virtual_time() {
        assert_eq!(Speed::X100.span_per_tick(Millis(100)), Some(Millis(10_000)));
        assert_eq!(Speed::Max.span_per_tick(Millis(100)), None);
        assert_eq!(Speed::from_key("10"), Some(Speed::X10));
    }
}
