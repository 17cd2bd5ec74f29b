//! The risk-levels panel: every action type seen, its level and where that
//! came from, and the configuration that sets one type's level.
//!
//! Invariant: a change of level is a whole configuration applied through the
//! core like any other edit (validated, audited with its actor); this file
//! only builds it.

use crate::governance::names::INVALID_NAME_MARKER;
use crate::governance::risk::{RiskLevel, RiskSource};
use crate::governance::{Clock, ControlPlane, GovernanceConfig};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskRow {
    pub action: String,
    pub level: RiskLevel,
    /// "configured", "from the verb \"send\"", "default".
    pub source: String,
}

pub fn source_label(source: &RiskSource) -> String {
    match source {
        RiskSource::Configured => "configured".to_owned(),
        RiskSource::Verb(verb) => format!("from the verb \"{verb}\""),
        RiskSource::Default => "default".to_owned(),
    }
}

/// Every action type the plane has seen, in the order it first saw them
/// (those the configuration names first); the placeholder for rejected names
/// is left out.
pub fn risk_rows<C: Clock>(plane: &ControlPlane<C>) -> Vec<RiskRow> {
    plane
        .action_types()
        .filter(|&action| **plane.action_name(action) != *INVALID_NAME_MARKER)
        .map(|action| {
            let (level, source) = plane.risk_of(action);
            RiskRow {
                action: plane.action_name(action).to_string(),
                level,
                source: source_label(&source),
            }
        })
        .collect()
}

/// `config` with `action`'s level set to `level`.
pub fn with_risk_level(
    config: &GovernanceConfig,
    action: &str,
    level: RiskLevel,
) -> GovernanceConfig {
    let mut changed = config.clone();
    changed.risk.levels.insert(action.to_owned(), level);
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::{ManualClock, RequestId, RequestInput};

    #[test]
    fn rows_say_where_each_level_came_from() {
        let mut plane =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        for (n, action) in [
            (1, "send_invoice"),
            (2, "frobnicate"),
            (3, "bad name"),
            (4, "web_search"),
        ] {
            plane.submit(&RequestInput::new(
                RequestId(uuid::Uuid::from_u128(n)),
                "a",
                action,
                0.1,
            ));
        }
        let rows = risk_rows(&plane);
        let find = |name: &str| rows.iter().find(|r| r.action == name).cloned();
        assert_eq!(
            find("send_invoice").unwrap(),
            RiskRow {
                action: "send_invoice".into(),
                level: RiskLevel::High,
                source: "from the verb \"send\"".into()
            }
        );
        assert_eq!(find("frobnicate").unwrap().source, "default");
        assert_eq!(find("web_search").unwrap().source, "configured");
        assert!(find(INVALID_NAME_MARKER).is_none());
        // In the order first seen: the configuration's types, then requests'.
        let position = |name: &str| rows.iter().position(|r| r.action == name).unwrap();
        assert!(position("deploy") < position("send_invoice"));
        assert!(position("send_invoice") < position("frobnicate"));
    }

    #[test]
    fn a_new_level_is_a_configuration_the_core_accepts() {
        let mut plane =
            ControlPlane::new(GovernanceConfig::default(), ManualClock::default()).unwrap();
        plane.submit(&RequestInput::new(
            RequestId(uuid::Uuid::from_u128(1)),
            "a",
            "frobnicate",
            0.1,
        ));
        let config = with_risk_level(plane.config(), "frobnicate", RiskLevel::Low);
        plane.apply_config(config, "riley").unwrap();
        let action = plane
            .action_types()
            .find(|&a| &**plane.action_name(a) == "frobnicate")
            .unwrap();
        assert_eq!(
            plane.risk_of(action),
            (RiskLevel::Low, RiskSource::Configured)
        );
    }
}
