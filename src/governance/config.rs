//! The governance configuration: versioned, serialisable, validated whole.
//!
//! A [`GovernanceConfig`] is what a person edits in a form, what a file holds and
//! what the audit trail records before and after each change. It uses plain
//! numbers and strings so it reads well as JSON; [`GovernanceConfig::problems`]
//! checks every field and names each one that is wrong, with a typed path. The
//! control plane applies a configuration only when it has no problem, so a
//! change applies whole or not at all.
//!
//! Version 2 added budget tiers (`scope`, `window_secs`, `agent_limits`) and
//! rate-limit scopes; every new field has a default that means what version 1
//! meant, so a version 1 document (a saved session, a replay script, an older
//! README) is read as version 2 unchanged in meaning: it is migrated on read.

use super::config_error::{check_action_types, check_name, check_seconds, Problems};
pub use super::config_error::{ConfigError, Entry, FieldPath, PolicyField, MAX_LIST_LEN};
pub use super::conflict::ConflictStrategy;
pub use super::escalation::TimeoutOutcome;
use super::names::{clean_text, quoted};
pub use super::risk::{RiskConfig, RiskLevel};
pub use super::rules::budget::{self, BudgetConfig, BudgetScope};
pub use super::rules::change_window::{self, ChangeWindow, ChangeWindowConfig, Outside, Weekday};
pub use super::rules::rate_limit::{self, RateLimitConfig, RateScope};
pub use super::rules::require_approval::RequireApprovalConfig;
pub use super::rules::sensitive_actions::{self, SensitiveActionsConfig};
pub use super::rules::sensitive_data::{self, SensitiveDataConfig};
pub use super::rules::PolicyRule;
pub use super::triggers::TriggersConfig;
use serde::Serialize;

/// The configuration format this build writes; it reads this one and every
/// earlier one.
pub const CONFIG_VERSION: u32 = 2;

/// Escalations may wait at most a week: longer is a typo, not a policy.
pub const MAX_ESCALATION_TIMEOUT_SECS: f64 = 7.0 * 24.0 * 3_600.0;
pub const MAX_PRIORITY_MAGNITUDE: i32 = 1_000_000;
/// In characters.
pub const MAX_DESCRIPTION_LEN: usize = 500;
/// Policies in one configuration.
pub const MAX_POLICIES: usize = 50;

/// The scope entry that makes a policy cover every action type.
pub const ALL_ACTION_TYPES: &str = "*";

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GovernanceConfig {
    /// Read as [`CONFIG_VERSION`] when it names an earlier version.
    pub version: u32,
    /// How long an escalation waits for a reviewer before it is denied.
    pub escalation_timeout_secs: f64,
    /// Which objection decides when several policies object to a request.
    /// Absent in documents written before it existed: deny-overrides.
    pub conflict_strategy: ConflictStrategy,
    pub policies: Vec<PolicyConfig>,
    /// Absent in documents written before triggers: the default triggers.
    pub triggers: TriggersConfig,
    /// When the console warns a reviewer who approves too much too fast.
    pub approval_fatigue: ApprovalFatigue,
    /// Risk levels of action types, configured or inferred from the verb.
    pub risk: RiskConfig,
}

crate::governance::decode::deserialize_by!(GovernanceConfig, GovernanceConfig::decode);

impl GovernanceConfig {
    /// Reads a configuration document; earlier versions are read as the
    /// current one (their fields mean the same). Validation is separate.
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<GovernanceConfig> {
        use crate::governance::decode::{list, number, whole, Object};
        let mut o = Object::strict(
            value,
            &[
                "version",
                "escalation_timeout_secs",
                "conflict_strategy",
                "policies",
                "triggers",
                "approval_fatigue",
                "risk",
            ],
        )?;
        let version: u32 = o.required("version", whole)?;
        Ok(GovernanceConfig {
            version: if (1..CONFIG_VERSION).contains(&version) {
                CONFIG_VERSION
            } else {
                version
            },
            escalation_timeout_secs: o.required("escalation_timeout_secs", number)?,
            conflict_strategy: o.or(
                "conflict_strategy",
                ConflictStrategy::decode,
                ConflictStrategy::default(),
            )?,
            policies: o.required("policies", |v| list(v, PolicyConfig::decode))?,
            triggers: o.or_else("triggers", TriggersConfig::decode, TriggersConfig::default)?,
            approval_fatigue: o.or_else(
                "approval_fatigue",
                ApprovalFatigue::decode,
                ApprovalFatigue::default,
            )?,
            risk: o.or_else("risk", RiskConfig::decode, RiskConfig::default)?,
        })
    }
}

/// Approvals per reviewer are counted over a sliding window; above
/// `warn_above` the console warns the reviewer (rubber-stamping is how
/// escalation stops protecting anything).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApprovalFatigue {
    pub window_secs: u64,
    pub warn_above: u32,
}

crate::governance::decode::deserialize_by!(ApprovalFatigue, ApprovalFatigue::decode);

impl ApprovalFatigue {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<ApprovalFatigue> {
        use crate::governance::decode::{whole, whole_u64, Object};
        let mut o = Object::strict(value, &["window_secs", "warn_above"])?;
        let d = ApprovalFatigue::default();
        Ok(ApprovalFatigue {
            window_secs: o.or("window_secs", whole_u64, d.window_secs)?,
            warn_above: o.or("warn_above", whole, d.warn_above)?,
        })
    }
}

impl Default for ApprovalFatigue {
    fn default() -> ApprovalFatigue {
        ApprovalFatigue {
            window_secs: 3_600,
            warn_above: 30,
        }
    }
}

/// The longest approval-fatigue window: a day.
pub const MAX_FATIGUE_WINDOW_SECS: u64 = 24 * 3_600;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyConfig {
    /// Unique; names the policy in decisions and the audit trail.
    pub name: String,
    pub description: String,
    /// Action types the policy judges (and counts); `["*"]` for all.
    pub applies_to: Vec<String>,
    /// Higher runs first; equal priorities run in list order.
    pub priority: i32,
    pub enabled: bool,
    pub rule: PolicyRule,
    /// Risk levels the policy covers besides `applies_to`: every action type
    /// of these levels, configured or inferred.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk_levels: Vec<RiskLevel>,
    /// What becomes of a request this policy escalated when nobody decides
    /// in time; absent: denied.
    #[serde(skip_serializing_if = "TimeoutOutcome::is_deny")]
    pub on_timeout: TimeoutOutcome,
}

crate::governance::decode::deserialize_by!(PolicyConfig, PolicyConfig::decode);

impl PolicyConfig {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<PolicyConfig> {
        use crate::governance::decode::{boolean, list, string, strings, whole, Object};
        let mut o = Object::strict(
            value,
            &[
                "name",
                "description",
                "applies_to",
                "priority",
                "enabled",
                "rule",
                "risk_levels",
                "on_timeout",
            ],
        )?;
        Ok(PolicyConfig {
            name: o.required("name", string)?,
            description: o.or("description", string, String::new())?,
            applies_to: o.required("applies_to", strings)?,
            priority: o.required("priority", whole)?,
            enabled: o.or("enabled", boolean, true)?,
            rule: o.required("rule", PolicyRule::decode)?,
            risk_levels: o.or_else("risk_levels", |v| list(v, RiskLevel::decode), Vec::new)?,
            on_timeout: o.or("on_timeout", TimeoutOutcome::decode, TimeoutOutcome::Deny)?,
        })
    }
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
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every problem of the configuration, in document order.
    pub fn problems(&self) -> Vec<ConfigError> {
        if self.version != CONFIG_VERSION {
            return vec![ConfigError::UnsupportedVersion {
                found: self.version,
                supported: CONFIG_VERSION,
            }];
        }
        let mut problems = Problems::default();
        check_seconds(
            &mut problems,
            FieldPath::Top("escalation_timeout_secs"),
            self.escalation_timeout_secs,
            MAX_ESCALATION_TIMEOUT_SECS,
        );
        if self.policies.len() > MAX_POLICIES {
            problems.add(
                FieldPath::Top("policies"),
                format!("({} policies)", self.policies.len()),
                format!("has more than {MAX_POLICIES} policies"),
            );
            return problems.0;
        }
        let mut names = super::fast_hash::FastSet::default();
        for (index, policy) in self.policies.iter().enumerate() {
            let name = FieldPath::policy(index, PolicyField::Name);
            check_name(&mut problems, name.clone(), &policy.name);
            if !names.insert(policy.name.as_str()) {
                problems.add(
                    name,
                    quoted(&policy.name),
                    "is used by more than one policy",
                );
            }
            policy.validate(index, &mut problems);
        }
        self.triggers.validate(&mut problems);
        if let Err(error) = self.risk.validate() {
            problems.0.push(ConfigError::Risk(error));
        }
        let fatigue = &self.approval_fatigue;
        if !(1..=MAX_FATIGUE_WINDOW_SECS).contains(&fatigue.window_secs) {
            problems.add(
                FieldPath::Top("approval_fatigue.window_secs"),
                fatigue.window_secs,
                format!("must be from 1 to {MAX_FATIGUE_WINDOW_SECS} seconds"),
            );
        }
        if fatigue.warn_above == 0 {
            problems.add(
                FieldPath::Top("approval_fatigue.warn_above"),
                0,
                "must be at least 1",
            );
        }
        problems.0
    }

    /// The enabled policies in the order a request is judged by them:
    /// highest priority first, list order among equal priorities. The one
    /// definition of that order, for the compiled policy set and for
    /// whatever explains a decision.
    pub fn policies_in_order(&self) -> Vec<&PolicyConfig> {
        // Each goes after those of its priority already placed; inserting in
        // place keeps a general sort's code out of the browser build.
        let mut ordered: Vec<&PolicyConfig> = Vec::with_capacity(self.policies.len());
        for policy in self.policies.iter().filter(|policy| policy.enabled) {
            let at = ordered.partition_point(|p| p.priority >= policy.priority);
            ordered.insert(at, policy);
        }
        ordered
    }

    pub fn policy(&self, name: &str) -> Option<&PolicyConfig> {
        self.policies.iter().find(|p| p.name == name)
    }

    pub fn policy_mut(&mut self, name: &str) -> Option<&mut PolicyConfig> {
        self.policies.iter_mut().find(|p| p.name == name)
    }
}

impl PolicyConfig {
    fn validate(&self, index: usize, problems: &mut Problems) {
        if let Err(problem) = clean_text(&self.description, MAX_DESCRIPTION_LEN, true) {
            problems.add(
                FieldPath::policy(index, PolicyField::Description),
                quoted(&self.description),
                problem,
            );
        }
        if self.priority.unsigned_abs() > MAX_PRIORITY_MAGNITUDE as u32 {
            problems.add(
                FieldPath::policy(index, PolicyField::Priority),
                self.priority,
                format!("must be between -{MAX_PRIORITY_MAGNITUDE} and {MAX_PRIORITY_MAGNITUDE}"),
            );
        }
        if self.applies_to.is_empty() && self.risk_levels.is_empty() {
            problems.add(
                FieldPath::policy(index, PolicyField::AppliesTo(None)),
                "[]",
                "must name at least one action type, or \"*\", unless risk_levels names a level",
            );
        }
        // Each level at most once (checked against the three levels rather
        // than by sorting: no sort code for it in the browser build).
        let distinct = RiskLevel::ALL
            .into_iter()
            .filter(|level| self.risk_levels.contains(level))
            .count();
        if distinct != self.risk_levels.len() {
            let listed: Vec<&str> = self.risk_levels.iter().map(|l| l.as_str()).collect();
            problems.add(
                FieldPath::policy(index, PolicyField::RiskLevels),
                format!("[{}]", listed.join(", ")),
                "lists a level twice",
            );
        }
        check_action_types(
            problems,
            |entry| FieldPath::policy(index, PolicyField::AppliesTo(entry)),
            &self.applies_to,
            true,
        );
        self.rule.validate(index, problems);
    }

    pub fn covers_all(&self) -> bool {
        self.applies_to.iter().any(|t| t == ALL_ACTION_TYPES)
    }
}

impl Default for GovernanceConfig {
    /// Sensitive actions first, then high-risk review, the rate limit and the
    /// budget tiers (no action over 1.00, each agent 10.00 an hour, the
    /// system 100.00 a day): a blocked action is denied as blocked even when
    /// it would also be over budget. Following the guidance: low-risk types
    /// pass with minimal checks (the budgets, blocked lists, kill switches),
    /// medium ones also get the rate limit, high ones need a human.
    fn default() -> GovernanceConfig {
        let policy = |name: &str, description: &str, priority, rule| PolicyConfig {
            name: name.into(),
            description: description.into(),
            applies_to: vec![ALL_ACTION_TYPES.into()],
            priority,
            enabled: true,
            rule,
            risk_levels: Vec::new(),
            on_timeout: TimeoutOutcome::Deny,
        };
        GovernanceConfig {
            version: CONFIG_VERSION,
            escalation_timeout_secs: 300.0,
            conflict_strategy: ConflictStrategy::DenyOverrides,
            policies: vec![
                policy(
                    "sensitive_actions",
                    "Blocked action types are denied; approval-required types go to a human.",
                    300,
                    PolicyRule::SensitiveActions(SensitiveActionsConfig::new(
                        &["deploy", "shell_exec", "read_secrets"],
                        &["email", "db_write", "code_exec"],
                    )),
                ),
                PolicyConfig {
                    applies_to: Vec::new(),
                    risk_levels: vec![RiskLevel::High],
                    ..policy(
                        "high_risk_review",
                        "High-risk action types, configured or inferred from their verb, go to a human.",
                        250,
                        PolicyRule::RequireApproval(RequireApprovalConfig {}),
                    )
                },
                PolicyConfig {
                    applies_to: Vec::new(),
                    risk_levels: vec![RiskLevel::Medium, RiskLevel::High],
                    ..policy(
                        "rate_limit",
                        "Each agent may execute at most this many medium- and high-risk actions in the sliding window.",
                        200,
                        PolicyRule::RateLimit(RateLimitConfig::per_agent(500, 3_600.0)),
                    )
                },
                policy(
                    "action_cap",
                    "No single action may cost more than this.",
                    150,
                    PolicyRule::Budget(BudgetConfig {
                        scope: BudgetScope::Action,
                        ..BudgetConfig::system(1.0, 100.0)
                    }),
                ),
                policy(
                    "agent_budget",
                    "Each agent's spend in the hour: escalated past the threshold, denied past the limit.",
                    120,
                    PolicyRule::Budget(BudgetConfig {
                        scope: BudgetScope::Agent,
                        window_secs: Some(3_600),
                        ..BudgetConfig::system(10.0, 90.0)
                    }),
                ),
                policy(
                    "budget",
                    "The whole system's spend in the day: escalated past the threshold, denied past the limit.",
                    100,
                    PolicyRule::Budget(BudgetConfig {
                        window_secs: Some(86_400),
                        ..BudgetConfig::system(100.0, 90.0)
                    }),
                ),
                // Last in the list, first by priority: the list keeps the
                // positions earlier versions had.
                policy(
                    "sensitive_data",
                    "Credentials and card numbers in parameters are denied; email addresses and phone numbers go to a human. Parameters are always recorded masked.",
                    400,
                    PolicyRule::SensitiveData(SensitiveDataConfig::default()),
                ),
            ],
            triggers: TriggersConfig::default(),
            approval_fatigue: ApprovalFatigue::default(),
            risk: RiskConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_that_allows_is_written_and_read_back_and_deny_is_left_implicit() {
        let mut config = GovernanceConfig::default();
        let policy = config.policy_mut("high_risk_review").unwrap();
        policy.on_timeout = TimeoutOutcome::Allow;
        let text = config.to_json_pretty();
        assert_eq!(text.matches("\"on_timeout\"").count(), 1, "{text}");
        assert!(text.contains("\"on_timeout\": \"allow\""), "{text}");
        assert_eq!(GovernanceConfig::from_json(&text).unwrap(), config);
    }

    fn with_budget(limit: f64, percent: f64) -> GovernanceConfig {
        let mut config = GovernanceConfig::default();
        config.policy_mut("budget").unwrap().rule =
            PolicyRule::Budget(BudgetConfig::system(limit, percent));
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
            "policies[5].rule.limit: NaN is not a finite number"
        );
        assert_eq!(error.path(), Some(&FieldPath::rule(5, "limit")));
        assert_eq!(
            with_budget(-1.0, 90.0).validate().unwrap_err().to_string(),
            "policies[5].rule.limit: -1 must not be negative"
        );
        assert!(with_budget(1e12, 90.0).validate().is_err());
        assert_eq!(
            with_budget(100.0, 0.0).validate().unwrap_err().field(),
            "policies[5].rule.escalate_at_percent"
        );
        assert!(with_budget(100.0, 100.5).validate().is_err());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut config = with_budget(-1.0, 90.0);
        config.escalation_timeout_secs = -5.0;
        config.policy_mut("rate_limit").unwrap().rule =
            PolicyRule::RateLimit(RateLimitConfig::per_agent(0, 60.0));
        let fields: Vec<String> = config.problems().iter().map(ConfigError::field).collect();
        assert_eq!(
            fields,
            [
                "escalation_timeout_secs",
                "policies[2].rule.max_actions",
                "policies[5].rule.limit"
            ]
        );
    }

    #[test]
    fn rejects_duplicate_policy_names_and_empty_scopes() {
        let mut config = GovernanceConfig::default();
        config.policies[1].name = "budget".into();
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "policies[5].name: \"budget\" is used by more than one policy"
        );
        let mut config = GovernanceConfig::default();
        config.policies[0].applies_to.clear();
        assert_eq!(
            config.validate().unwrap_err().field(),
            "policies[0].applies_to"
        );
    }

    #[test]
    fn version_1_documents_are_read_as_version_2() {
        let v1 = r#"{"version": 1, "escalation_timeout_secs": 300.0, "policies": [
            {"name": "budget", "applies_to": ["*"], "priority": 100,
             "rule": {"kind": "budget", "limit": 100.0, "escalate_at_percent": 90.0}},
            {"name": "rate_limit", "applies_to": ["*"], "priority": 200,
             "rule": {"kind": "rate_limit", "max_actions": 500, "window_secs": 3600.0}}]}"#;
        let config = GovernanceConfig::from_json(v1).unwrap();
        assert_eq!(config.version, CONFIG_VERSION);
        assert_eq!(config.conflict_strategy, ConflictStrategy::DenyOverrides);
        assert_eq!(
            config.policies[0].rule,
            PolicyRule::Budget(BudgetConfig::system(100.0, 90.0))
        );
        assert_eq!(
            config.policies[1].rule,
            PolicyRule::RateLimit(RateLimitConfig::per_agent(500, 3_600.0))
        );
    }

    #[test]
    fn rejects_other_versions_and_unknown_fields() {
        let config = GovernanceConfig {
            version: 3,
            ..Default::default()
        };
        assert_eq!(
            config.validate().unwrap_err(),
            ConfigError::UnsupportedVersion {
                found: 3,
                supported: 2
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
        let text = GovernanceConfig::default().to_json_pretty().replacen(
            "\"limit\"",
            "\"limt\": 1, \"limit\"",
            1,
        );
        assert!(matches!(
            GovernanceConfig::from_json(&text),
            Err(ConfigError::Unreadable(_))
        ));
    }
}
