//! The policy editor's form: text fields as a person types them, turned into a
//! configuration the core validates.
//!
//! The form edits the first policy of each built-in kind, every policy's
//! priority and on/off, the escalation timeout and the conflict strategy; other
//! policies are kept as they are. Action types added to a list are written in
//! their canonical form (trimmed, lower-case), as the core requires. Text that
//! is not a number is caught here; everything else (ranges, names,
//! contradictions) is the core's validation, whose error is placed next to the
//! field it names.

use crate::governance::config::{
    BudgetConfig, BudgetScope, FieldPath, PolicyField, RateLimitConfig, SensitiveActionsConfig,
};
use crate::governance::{ConfigError, ConflictStrategy, GovernanceConfig, PolicyRule};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyToggle {
    pub name: String,
    pub kind: &'static str,
    pub priority: String,
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyForm {
    pub budget_limit: String,
    pub escalate_at_percent: String,
    pub rate_max_actions: String,
    pub rate_window_secs: String,
    /// Comma-separated action types.
    pub blocked: String,
    pub approval_required: String,
    pub escalation_timeout_secs: String,
    /// Chosen from a list, so it is never text to parse.
    pub conflict_strategy: ConflictStrategy,
    pub policies: Vec<PolicyToggle>,
}

/// A form field an error belongs next to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FormField {
    BudgetLimit,
    EscalateAtPercent,
    RateMaxActions,
    RateWindowSecs,
    Blocked,
    ApprovalRequired,
    EscalationTimeout,
    Priority(String),
    /// Not tied to one field.
    Form,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    pub field: FormField,
    pub message: String,
}

fn number(text: &str) -> String {
    // Whole numbers without a trailing ".0": what a person would type.
    let value: f64 = text.parse().unwrap_or(0.0);
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

fn list(types: &[String]) -> String {
    types.join(", ")
}

/// The entries of a comma-separated list field, as the core will read them.
pub fn list_entries(text: &str) -> Vec<String> {
    parse_list(text)
}

/// A list field's text with `entry` appended in its canonical form (trimmed,
/// ASCII lower-case: "Deploy" is the action type `deploy`); blank entries are
/// not added.
pub fn with_entry(text: &str, entry: &str) -> String {
    let mut entries = parse_list(text);
    let entry = entry.trim().to_ascii_lowercase();
    if !entry.is_empty() {
        entries.push(entry);
    }
    list(&entries)
}

/// A list field's text without its `index`-th entry.
pub fn without_entry(text: &str, index: usize) -> String {
    let mut entries = parse_list(text);
    if index < entries.len() {
        entries.remove(index);
    }
    list(&entries)
}

/// What choosing `strategy` means for a reviewer, in plain words: shown under
/// the conflict strategy in the form.
pub fn conflict_strategy_hint(strategy: ConflictStrategy) -> &'static str {
    match strategy {
        ConflictStrategy::DenyOverrides => {
            "Deny overrides: a reviewer is only asked about requests no policy refuses."
        }
        ConflictStrategy::FirstApplicable => {
            "First applicable: the highest-priority policy that objects decides, so a reviewer \
             may be asked about a request another policy refuses; an approval still never runs \
             a blocked action or one over budget."
        }
    }
}

fn parse_list(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|entry| entry.trim().to_owned())
        .collect()
}

fn parse_number(text: &str, field: FormField) -> Result<f64, FormError> {
    text.trim().parse::<f64>().map_err(|_| FormError {
        field,
        message: format!("\"{}\" is not a number", text.trim()),
    })
}

impl PolicyForm {
    pub fn from_config(config: &GovernanceConfig) -> PolicyForm {
        let mut form = PolicyForm {
            budget_limit: String::new(),
            escalate_at_percent: String::new(),
            rate_max_actions: String::new(),
            rate_window_secs: String::new(),
            blocked: String::new(),
            approval_required: String::new(),
            escalation_timeout_secs: number(&config.escalation_timeout_secs.to_string()),
            conflict_strategy: config.conflict_strategy,
            policies: config
                .policies
                .iter()
                .map(|p| PolicyToggle {
                    name: p.name.clone(),
                    kind: p.rule.kind(),
                    priority: p.priority.to_string(),
                    enabled: p.enabled,
                })
                .collect(),
        };
        let mut seen = [false; 3];
        for policy in &config.policies {
            match &policy.rule {
                PolicyRule::Budget(BudgetConfig {
                    scope: BudgetScope::System,
                    limit,
                    escalate_at_percent,
                    ..
                }) if !seen[0] => {
                    seen[0] = true;
                    form.budget_limit = number(&limit.to_string());
                    form.escalate_at_percent = number(&escalate_at_percent.to_string());
                }
                PolicyRule::RateLimit(RateLimitConfig {
                    max_actions,
                    window_secs,
                    ..
                }) if !seen[1] => {
                    seen[1] = true;
                    form.rate_max_actions = max_actions.to_string();
                    form.rate_window_secs = number(&window_secs.to_string());
                }
                PolicyRule::SensitiveActions(SensitiveActionsConfig {
                    blocked,
                    approval_required,
                }) if !seen[2] => {
                    seen[2] = true;
                    form.blocked = list(blocked);
                    form.approval_required = list(approval_required);
                }
                _ => {}
            }
        }
        form
    }

    /// The configuration this form describes, applied over `base`, and
    /// validated by the core.
    pub fn to_config(&self, base: &GovernanceConfig) -> Result<GovernanceConfig, FormError> {
        let mut config = base.clone();
        config.escalation_timeout_secs =
            parse_number(&self.escalation_timeout_secs, FormField::EscalationTimeout)?;
        config.conflict_strategy = self.conflict_strategy;
        let mut seen = [false; 3];
        for policy in &mut config.policies {
            if let Some(toggle) = self.policies.iter().find(|t| t.name == policy.name) {
                policy.enabled = toggle.enabled;
                policy.priority = toggle.priority.trim().parse().map_err(|_| FormError {
                    field: FormField::Priority(toggle.name.clone()),
                    message: format!("\"{}\" is not a whole number", toggle.priority.trim()),
                })?;
            }
            match &mut policy.rule {
                PolicyRule::Budget(BudgetConfig {
                    scope: BudgetScope::System,
                    limit,
                    escalate_at_percent,
                    ..
                }) if !seen[0] => {
                    seen[0] = true;
                    *limit = parse_number(&self.budget_limit, FormField::BudgetLimit)?;
                    *escalate_at_percent =
                        parse_number(&self.escalate_at_percent, FormField::EscalateAtPercent)?;
                }
                PolicyRule::RateLimit(RateLimitConfig {
                    max_actions,
                    window_secs,
                    ..
                }) if !seen[1] => {
                    seen[1] = true;
                    let max = parse_number(&self.rate_max_actions, FormField::RateMaxActions)?;
                    if max.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&max) {
                        return Err(FormError {
                            field: FormField::RateMaxActions,
                            message: format!("{max} is not a whole number of actions"),
                        });
                    }
                    *max_actions = max as u32;
                    *window_secs = parse_number(&self.rate_window_secs, FormField::RateWindowSecs)?;
                }
                PolicyRule::SensitiveActions(SensitiveActionsConfig {
                    blocked,
                    approval_required,
                }) if !seen[2] => {
                    seen[2] = true;
                    *blocked = parse_list(&self.blocked);
                    *approval_required = parse_list(&self.approval_required);
                }
                _ => {}
            }
        }
        config
            .validate()
            .map_err(|error| place_error(&config, &error))?;
        Ok(config)
    }
}

/// Puts a core validation error next to the form field it is about.
fn place_error(config: &GovernanceConfig, error: &ConfigError) -> FormError {
    use crate::governance::config::{budget, rate_limit, sensitive_actions};
    let message = error.to_string();
    let field = match error.path() {
        Some(FieldPath::Top("escalation_timeout_secs")) => FormField::EscalationTimeout,
        Some(FieldPath::Policy { index, field }) => match (field, config.policies.get(*index)) {
            (PolicyField::Priority, Some(policy)) => FormField::Priority(policy.name.clone()),
            (PolicyField::Rule(name, _), Some(policy)) => match (&policy.rule, *name) {
                (PolicyRule::Budget(_), budget::LIMIT) => FormField::BudgetLimit,
                (PolicyRule::Budget(_), budget::ESCALATE_AT_PERCENT) => {
                    FormField::EscalateAtPercent
                }
                (PolicyRule::RateLimit(_), rate_limit::MAX_ACTIONS) => FormField::RateMaxActions,
                (PolicyRule::RateLimit(_), rate_limit::WINDOW_SECS) => FormField::RateWindowSecs,
                (PolicyRule::SensitiveActions(_), sensitive_actions::BLOCKED) => FormField::Blocked,
                (PolicyRule::SensitiveActions(_), sensitive_actions::APPROVAL_REQUIRED) => {
                    FormField::ApprovalRequired
                }
                _ => FormField::Form,
            },
            _ => FormField::Form,
        },
        _ => FormField::Form,
    };
    FormError { field, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_round_trips_through_the_form() {
        let config = GovernanceConfig::default();
        let form = PolicyForm::from_config(&config);
        assert_eq!(form.budget_limit, "100");
        assert_eq!(form.escalate_at_percent, "90");
        assert_eq!(form.blocked, "deploy, shell_exec, read_secrets");
        assert_eq!(form.to_config(&config).unwrap(), config);
    }

    #[test]
    fn edits_become_configuration() {
        let config = GovernanceConfig::default();
        let mut form = PolicyForm::from_config(&config);
        form.budget_limit = " 250.5 ".into();
        form.blocked = "deploy, wire_transfer".into();
        form.policies[0].enabled = false;
        form.policies[2].priority = "900".into();
        let edited = form.to_config(&config).unwrap();
        assert_eq!(
            edited.policy("budget").unwrap().rule,
            PolicyRule::Budget(BudgetConfig {
                window_secs: Some(86_400),
                ..BudgetConfig::system(250.5, 90.0)
            })
        );
        assert!(!edited.policies[0].enabled);
        assert_eq!(edited.policies[2].priority, 900);
        assert!(matches!(
            &edited.policies[0].rule,
            PolicyRule::SensitiveActions(rule) if rule.blocked == ["deploy", "wire_transfer"]
        ));
    }

    #[test]
    fn list_fields_gain_and_lose_entries() {
        assert_eq!(
            with_entry("deploy, shell_exec", " wire_transfer "),
            "deploy, shell_exec, wire_transfer"
        );
        assert_eq!(with_entry("", "deploy"), "deploy");
        assert_eq!(with_entry("deploy", "  "), "deploy");
        assert_eq!(without_entry("deploy, shell_exec, x", 1), "deploy, x");
        assert_eq!(without_entry("deploy", 5), "deploy");
        assert_eq!(list_entries(""), Vec::<String>::new());
    }

    #[test]
    fn an_added_entry_is_written_as_the_canonical_action_type() {
        assert_eq!(with_entry("shell_exec", "Deploy"), "shell_exec, deploy");
        assert_eq!(with_entry("", "  DB_Write "), "db_write");
        let config = GovernanceConfig::default();
        let mut form = PolicyForm::from_config(&config);
        form.blocked = with_entry(&form.blocked, "Wire_Transfer");
        let edited = form.to_config(&config).unwrap();
        assert!(matches!(
            &edited.policies[0].rule,
            PolicyRule::SensitiveActions(rule) if rule.blocked.last().map(String::as_str) == Some("wire_transfer")
        ));
    }

    #[test]
    fn the_conflict_strategy_is_read_and_written() {
        let config = GovernanceConfig::default();
        let mut form = PolicyForm::from_config(&config);
        assert_eq!(form.conflict_strategy, ConflictStrategy::DenyOverrides);
        form.conflict_strategy = ConflictStrategy::FirstApplicable;
        let edited = form.to_config(&config).unwrap();
        assert_eq!(edited.conflict_strategy, ConflictStrategy::FirstApplicable);
        assert_eq!(
            PolicyForm::from_config(&edited).conflict_strategy,
            ConflictStrategy::FirstApplicable
        );
        // Only the strategy changed.
        let mut expected = config.clone();
        expected.conflict_strategy = ConflictStrategy::FirstApplicable;
        assert_eq!(edited, expected);
    }

    #[test]
    fn text_that_is_not_a_number_is_caught_at_its_field() {
        let config = GovernanceConfig::default();
        let mut form = PolicyForm::from_config(&config);
        form.budget_limit = "lots".into();
        assert_eq!(
            form.to_config(&config),
            Err(FormError {
                field: FormField::BudgetLimit,
                message: "\"lots\" is not a number".into()
            })
        );
        let mut form = PolicyForm::from_config(&config);
        form.rate_max_actions = "2.5".into();
        assert_eq!(
            form.to_config(&config).unwrap_err().field,
            FormField::RateMaxActions
        );
    }

    #[test]
    fn core_validation_errors_land_next_to_their_field() {
        let config = GovernanceConfig::default();
        let mut form = PolicyForm::from_config(&config);
        form.budget_limit = "-5".into();
        let error = form.to_config(&config).unwrap_err();
        assert_eq!(error.field, FormField::BudgetLimit);
        assert_eq!(
            error.message,
            "policies[5].rule.limit: -5 must not be negative"
        );
        let mut form = PolicyForm::from_config(&config);
        form.approval_required = "email, , db_write".into();
        assert_eq!(
            form.to_config(&config).unwrap_err().field,
            FormField::ApprovalRequired
        );
        let mut form = PolicyForm::from_config(&config);
        form.blocked = "email".into();
        assert_eq!(
            form.to_config(&config).unwrap_err().field,
            FormField::ApprovalRequired
        );
        let mut form = PolicyForm::from_config(&config);
        form.escalation_timeout_secs = "NaN".into();
        assert_eq!(
            form.to_config(&config).unwrap_err().field,
            FormField::EscalationTimeout
        );
    }
}
