//! The governance configuration: versioned, serialisable, validated whole.
//!
//! A [`GovernanceConfig`] is what a person edits in a form, what a file holds and
//! what the audit trail records before and after each change. It uses plain
//! numbers and strings so it reads well as JSON; [`GovernanceConfig::validate`]
//! checks every field and names the one that is wrong. The control plane applies
//! a configuration only after it validates, so a change applies whole or not at
//! all.

pub use super::conflict::ConflictStrategy;
use super::money::Money;
use super::names::{canonical_action_type, canonical_name, clean_text, quoted};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use thiserror::Error;

/// The configuration format this build reads and writes.
pub const CONFIG_VERSION: u32 = 1;

/// Escalations may wait at most a week: longer is a typo, not a policy.
pub const MAX_ESCALATION_TIMEOUT_SECS: f64 = 7.0 * 24.0 * 3_600.0;
/// Rate-limit windows may span at most a day.
pub const MAX_RATE_WINDOW_SECS: f64 = 24.0 * 3_600.0;
pub const MAX_RATE_LIMIT: u32 = 1_000_000;
pub const MAX_PRIORITY_MAGNITUDE: i32 = 1_000_000;
/// In characters.
pub const MAX_DESCRIPTION_LEN: usize = 500;
/// Policies in one configuration.
pub const MAX_POLICIES: usize = 50;
/// Entries in one list of action types (`applies_to`, `blocked`,
/// `approval_required`).
pub const MAX_LIST_LEN: usize = 100;

/// The scope entry that makes a policy cover every action type.
pub const ALL_ACTION_TYPES: &str = "*";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceConfig {
    pub version: u32,
    /// How long an escalation waits for a reviewer before it is denied.
    pub escalation_timeout_secs: f64,
    /// Which objection decides when several policies object to a request.
    /// Absent in documents written before it existed: deny-overrides.
    #[serde(default)]
    pub conflict_strategy: ConflictStrategy,
    pub policies: Vec<PolicyConfig>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Unique; names the policy in decisions and the audit trail.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Action types the policy judges; `["*"]` for all.
    pub applies_to: Vec<String>,
    /// Higher runs first; equal priorities run in list order.
    pub priority: i32,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    pub rule: PolicyRule,
}

fn enabled_by_default() -> bool {
    true
}

/// What a policy checks. New kinds of policy are new variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicyRule {
    /// Total executed spend: deny past `limit`, escalate past
    /// `escalate_at_percent` of it.
    Budget {
        limit: f64,
        escalate_at_percent: f64,
    },
    /// Executed actions per agent within a sliding window of clock time.
    RateLimit { max_actions: u32, window_secs: f64 },
    /// Action types that are always denied or always need a human.
    SensitiveActions {
        blocked: Vec<String>,
        approval_required: Vec<String>,
    },
}

impl PolicyRule {
    pub fn kind(&self) -> &'static str {
        match self {
            PolicyRule::Budget { .. } => "budget",
            PolicyRule::RateLimit { .. } => "rate_limit",
            PolicyRule::SensitiveActions { .. } => "sensitive_actions",
        }
    }
}

/// A configuration that cannot be applied, naming the field and what is wrong.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("version: {found} is not supported; this build reads version {supported}")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("{field}: {value} {problem}")]
    InvalidValue {
        field: String,
        value: String,
        problem: String,
    },
    #[error("{field}: the name \"{name}\" is used by more than one policy")]
    DuplicatePolicyName { field: String, name: String },
    #[error("{field}: \"{action}\" cannot be both blocked and approval-required")]
    BlockedAndApprovalRequired { field: String, action: String },
    #[error("the configuration is not valid JSON for this format: {0}")]
    Unreadable(String),
}

impl ConfigError {
    /// The field the error is about, for showing the message beside it.
    pub fn field(&self) -> &str {
        match self {
            ConfigError::UnsupportedVersion { .. } => "version",
            ConfigError::InvalidValue { field, .. }
            | ConfigError::DuplicatePolicyName { field, .. }
            | ConfigError::BlockedAndApprovalRequired { field, .. } => field,
            ConfigError::Unreadable(_) => "",
        }
    }
}

fn invalid(field: String, value: impl ToString, problem: impl ToString) -> ConfigError {
    ConfigError::InvalidValue {
        field,
        value: value.to_string(),
        problem: problem.to_string(),
    }
}

fn check_amount(field: String, value: f64) -> Result<(), ConfigError> {
    Money::from_f64(value).map(|_| ()).map_err(|error| {
        let problem = match error {
            super::money::MoneyError::NotFinite(_) => "is not a finite number",
            super::money::MoneyError::Negative(_) => "must not be negative",
            super::money::MoneyError::TooLarge(_) => "is larger than 1000000000",
            super::money::MoneyError::TooPrecise(_) => {
                "has more than 6 decimal places (the smallest amount is 0.000001)"
            }
        };
        invalid(field, value, problem)
    })
}

fn check_seconds(field: String, value: f64, max: f64) -> Result<(), ConfigError> {
    if !value.is_finite() {
        Err(invalid(field, value, "is not a finite number"))
    } else if value < 0.001 {
        Err(invalid(field, value, "must be at least 0.001 seconds"))
    } else if value > max {
        Err(invalid(field, value, "is longer than allowed"))
    } else {
        Ok(())
    }
}

/// A list of action types: at most [`MAX_LIST_LEN`] entries, each in its
/// canonical spelling, none twice. With `allow_all`, `"*"` may stand alone.
fn check_action_types(field: String, types: &[String], allow_all: bool) -> Result<(), ConfigError> {
    if types.len() > MAX_LIST_LEN {
        return Err(invalid(
            field,
            format!("({} entries)", types.len()),
            format!("has more than {MAX_LIST_LEN} entries"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, name) in types.iter().enumerate() {
        let entry = format!("{field}[{i}]");
        if allow_all && name == ALL_ACTION_TYPES {
            if types.len() > 1 {
                return Err(invalid(
                    entry,
                    quoted(name),
                    "covers every action type; list it alone",
                ));
            }
            continue;
        }
        match canonical_action_type(name) {
            Err(problem) => return Err(invalid(entry, quoted(name), problem)),
            Ok(canonical) if canonical != name.as_str() => {
                return Err(invalid(
                    entry,
                    quoted(name),
                    format!("must be written {}", quoted(&canonical)),
                ))
            }
            Ok(_) => {}
        }
        if !seen.insert(name.as_str()) {
            return Err(invalid(entry, quoted(name), "is listed twice"));
        }
    }
    Ok(())
}

impl GovernanceConfig {
    /// Reads a configuration from JSON and validates it.
    pub fn from_json(text: &str) -> Result<GovernanceConfig, ConfigError> {
        let config: GovernanceConfig =
            serde_json::from_str(text).map_err(|e| ConfigError::Unreadable(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a configuration always serialises")
    }

    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.version != CONFIG_VERSION {
            return Err(ConfigError::UnsupportedVersion {
                found: self.version,
                supported: CONFIG_VERSION,
            });
        }
        check_seconds(
            "escalation_timeout_secs".into(),
            self.escalation_timeout_secs,
            MAX_ESCALATION_TIMEOUT_SECS,
        )?;
        if self.policies.len() > MAX_POLICIES {
            return Err(invalid(
                "policies".into(),
                format!("({} policies)", self.policies.len()),
                format!("has more than {MAX_POLICIES} policies"),
            ));
        }
        let mut names = HashSet::new();
        for (i, policy) in self.policies.iter().enumerate() {
            let at = format!("policies[{i}]");
            let name_error =
                |problem: String| invalid(format!("{at}.name"), quoted(&policy.name), problem);
            match canonical_name(&policy.name) {
                Err(problem) => return Err(name_error(problem.to_string())),
                Ok(trimmed) if trimmed != policy.name => {
                    return Err(name_error("must not start or end with spaces".into()))
                }
                Ok(_) => {}
            }
            if !names.insert(policy.name.as_str()) {
                return Err(ConfigError::DuplicatePolicyName {
                    field: format!("{at}.name"),
                    name: policy.name.clone(),
                });
            }
            policy.validate(&at)?;
        }
        Ok(())
    }

    pub fn policy(&self, name: &str) -> Option<&PolicyConfig> {
        self.policies.iter().find(|p| p.name == name)
    }

    pub fn policy_mut(&mut self, name: &str) -> Option<&mut PolicyConfig> {
        self.policies.iter_mut().find(|p| p.name == name)
    }
}

impl PolicyConfig {
    fn validate(&self, at: &str) -> Result<(), ConfigError> {
        if let Err(problem) = clean_text(&self.description, MAX_DESCRIPTION_LEN, true) {
            return Err(invalid(
                format!("{at}.description"),
                quoted(&self.description),
                problem,
            ));
        }
        if self.priority.unsigned_abs() > MAX_PRIORITY_MAGNITUDE as u32 {
            return Err(invalid(
                format!("{at}.priority"),
                self.priority,
                "must be between -1000000 and 1000000",
            ));
        }
        if self.applies_to.is_empty() {
            return Err(invalid(
                format!("{at}.applies_to"),
                "[]",
                "must name at least one action type, or \"*\"",
            ));
        }
        check_action_types(format!("{at}.applies_to"), &self.applies_to, true)?;
        let rule = format!("{at}.rule");
        match &self.rule {
            PolicyRule::Budget {
                limit,
                escalate_at_percent,
            } => {
                check_amount(format!("{rule}.limit"), *limit)?;
                let percent = *escalate_at_percent;
                if !percent.is_finite() || percent <= 0.0 || percent > 100.0 {
                    return Err(invalid(
                        format!("{rule}.escalate_at_percent"),
                        percent,
                        "must be more than 0 and at most 100",
                    ));
                }
            }
            PolicyRule::RateLimit {
                max_actions,
                window_secs,
            } => {
                if *max_actions == 0 || *max_actions > MAX_RATE_LIMIT {
                    return Err(invalid(
                        format!("{rule}.max_actions"),
                        max_actions,
                        "must be between 1 and 1000000",
                    ));
                }
                check_seconds(
                    format!("{rule}.window_secs"),
                    *window_secs,
                    MAX_RATE_WINDOW_SECS,
                )?;
            }
            PolicyRule::SensitiveActions {
                blocked,
                approval_required,
            } => {
                check_action_types(format!("{rule}.blocked"), blocked, false)?;
                check_action_types(
                    format!("{rule}.approval_required"),
                    approval_required,
                    false,
                )?;
                if let Some(both) = blocked.iter().find(|b| approval_required.contains(b)) {
                    return Err(ConfigError::BlockedAndApprovalRequired {
                        field: format!("{rule}.approval_required"),
                        action: both.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn covers_all(&self) -> bool {
        self.applies_to.iter().any(|t| t == ALL_ACTION_TYPES)
    }
}

impl Default for GovernanceConfig {
    /// Sensitive actions first, then the rate limit, then the budget: a blocked
    /// action is denied as blocked even when it would also be over budget.
    fn default() -> GovernanceConfig {
        GovernanceConfig {
            version: CONFIG_VERSION,
            escalation_timeout_secs: 300.0,
            conflict_strategy: ConflictStrategy::DenyOverrides,
            policies: vec![
                PolicyConfig {
                    name: "sensitive_actions".into(),
                    description:
                        "Blocked action types are denied; approval-required types go to a human."
                            .into(),
                    applies_to: vec![ALL_ACTION_TYPES.into()],
                    priority: 300,
                    enabled: true,
                    rule: PolicyRule::SensitiveActions {
                        blocked: vec!["deploy".into(), "shell_exec".into(), "read_secrets".into()],
                        approval_required: vec![
                            "email".into(),
                            "db_write".into(),
                            "code_exec".into(),
                        ],
                    },
                },
                PolicyConfig {
                    name: "rate_limit".into(),
                    description:
                        "Each agent may execute at most this many actions in the sliding window."
                            .into(),
                    applies_to: vec![ALL_ACTION_TYPES.into()],
                    priority: 200,
                    enabled: true,
                    rule: PolicyRule::RateLimit {
                        max_actions: 500,
                        window_secs: 3_600.0,
                    },
                },
                PolicyConfig {
                    name: "budget".into(),
                    description:
                        "Total spend is denied past the limit and escalated past the threshold."
                            .into(),
                    applies_to: vec![ALL_ACTION_TYPES.into()],
                    priority: 100,
                    enabled: true,
                    rule: PolicyRule::Budget {
                        limit: 100.0,
                        escalate_at_percent: 90.0,
                    },
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_budget(limit: f64, percent: f64) -> GovernanceConfig {
        let mut config = GovernanceConfig::default();
        config.policy_mut("budget").unwrap().rule = PolicyRule::Budget {
            limit,
            escalate_at_percent: percent,
        };
        config
    }

    #[test]
    fn the_default_configuration_is_valid_and_round_trips() {
        let config = GovernanceConfig::default();
        config.validate().unwrap();
        let back = GovernanceConfig::from_json(&config.to_json_pretty()).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn rejects_non_finite_negative_and_absurd_budgets_naming_the_field() {
        let error = with_budget(f64::NAN, 90.0).validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "policies[2].rule.limit: NaN is not a finite number"
        );
        assert_eq!(error.field(), "policies[2].rule.limit");
        assert_eq!(
            with_budget(-1.0, 90.0).validate().unwrap_err().to_string(),
            "policies[2].rule.limit: -1 must not be negative"
        );
        assert!(with_budget(1e12, 90.0).validate().is_err());
        assert_eq!(
            with_budget(100.0, 0.0).validate().unwrap_err().field(),
            "policies[2].rule.escalate_at_percent"
        );
        assert!(with_budget(100.0, 100.5).validate().is_err());
    }

    #[test]
    fn rejects_bad_rate_limits() {
        let mut config = GovernanceConfig::default();
        config.policy_mut("rate_limit").unwrap().rule = PolicyRule::RateLimit {
            max_actions: 0,
            window_secs: 60.0,
        };
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "policies[1].rule.max_actions: 0 must be between 1 and 1000000"
        );
        config.policy_mut("rate_limit").unwrap().rule = PolicyRule::RateLimit {
            max_actions: 5,
            window_secs: f64::INFINITY,
        };
        assert_eq!(
            config.validate().unwrap_err().field(),
            "policies[1].rule.window_secs"
        );
    }

    #[test]
    fn rejects_empty_duplicate_and_contradictory_action_types() {
        let mut config = GovernanceConfig::default();
        config.policy_mut("sensitive_actions").unwrap().rule = PolicyRule::SensitiveActions {
            blocked: vec!["deploy".into(), " ".into()],
            approval_required: vec![],
        };
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "policies[0].rule.blocked[1]: \" \" must not be empty"
        );
        config.policy_mut("sensitive_actions").unwrap().rule = PolicyRule::SensitiveActions {
            blocked: vec!["deploy".into()],
            approval_required: vec!["deploy".into()],
        };
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "policies[0].rule.approval_required: \"deploy\" cannot be both blocked and approval-required"
        );
    }

    #[test]
    fn rejects_duplicate_policy_names_and_empty_scopes() {
        let mut config = GovernanceConfig::default();
        config.policies[1].name = "budget".into();
        assert!(matches!(
            config.validate(),
            Err(ConfigError::DuplicatePolicyName { .. })
        ));
        let mut config = GovernanceConfig::default();
        config.policies[0].applies_to.clear();
        assert_eq!(
            config.validate().unwrap_err().field(),
            "policies[0].applies_to"
        );
    }

    #[test]
    fn rejects_other_versions_and_unknown_fields() {
        let config = GovernanceConfig {
            version: 2,
            ..Default::default()
        };
        assert_eq!(
            config.validate().unwrap_err(),
            ConfigError::UnsupportedVersion {
                found: 2,
                supported: 1
            }
        );
        let text = GovernanceConfig::default().to_json_pretty().replacen(
            "\"version\"",
            "\"surprise\": 1, \"version\"",
            1,
        );
        assert!(matches!(
            GovernanceConfig::from_json(&text),
            Err(ConfigError::Unreadable(_))
        ));
    }
}
