//! What the console keeps across a reload, and how fast the simulation runs.
//!
//! The saved session is the reviewer's setup: configuration, fleet settings,
//! reviewer name and speed. It is validated like any other input when read
//! back, so a damaged or hand-edited entry is reported and replaced by the
//! defaults rather than trusted.

use crate::governance::{GovernanceConfig, Millis};
use crate::sim::FleetSettings;
use serde::{Deserialize, Serialize};

/// How much virtual time passes per second of real time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speed {
    #[default]
    X1,
    X10,
    X100,
    /// As fast as the page can go while staying responsive.
    Max,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSession {
    pub config: GovernanceConfig,
    pub fleet: FleetSettings,
    pub reviewer: String,
    pub speed: Speed,
}

impl Default for SavedSession {
    fn default() -> SavedSession {
        SavedSession {
            config: GovernanceConfig::default(),
            fleet: FleetSettings::default(),
            reviewer: "reviewer".into(),
            speed: Speed::X1,
        }
    }
}

impl SavedSession {
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
            ..Default::default()
        };
        assert_eq!(SavedSession::from_json(&session.to_json()), Ok(session));
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
