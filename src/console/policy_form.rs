//! The policy editor's form: every policy, the triggers and the approval-fatigue
//! threshold as a person types them, turned into a configuration the core
//! validates.
//!
//! The form holds one entry per policy, in the configuration's order, keyed by
//! the policy's name (fixed once the policy exists: it names the policy's
//! controls). Budget tiers and change windows can be added and removed.
//! [`PolicyForm::to_config`] reports every problem at once: text that is not
//! a number is caught here, naming the field; everything else (ranges, names,
//! contradictions) is the core's [`GovernanceConfig::problems`], each placed
//! next to its field through the typed [`FieldPath`], never by reading the
//! message. Messages name the field as the form labels it, never an internal
//! path.
//!
//! Invariants: `from_config` then `to_config` gives back the configuration
//! exactly; what the form does not edit (descriptions, risk levels of action
//! types) is kept from the configuration it is applied over; action types and
//! values added to a list are written in canonical form (trimmed, lower-case).

use crate::governance::config::{
    budget, change_window, rate_limit, sensitive_actions, ApprovalFatigue, BudgetConfig,
    BudgetScope, ChangeWindow, ChangeWindowConfig, Entry, FieldPath, Outside, PolicyConfig,
    PolicyField, RateLimitConfig, RateScope, RequireApprovalConfig, RiskLevel,
    SensitiveActionsConfig, TimeoutOutcome, Weekday,
};
use crate::governance::config::{SensitiveDataConfig, MAX_LIST_LEN};
use crate::governance::detectors::DataKind;
use crate::governance::names::{
    canonical_action_type, canonical_name, clean_text, quoted, ACTION_TYPE_PUNCTUATION,
};
use crate::governance::risk::{RiskField, VerbList};
use crate::governance::rules::change_window::MAX_VALUE_LEN;
use crate::governance::triggers::{
    AnomalyScope, CredentialLeaks, RepeatedViolations, SpendAnomaly,
};
use crate::governance::{ConfigError, ConflictStrategy, GovernanceConfig, PolicyRule};
use std::collections::BTreeMap;

/// The one match from a [`FormField`] to the text it edits, for
/// [`PolicyForm::text`] and [`PolicyForm::text_mut`] (`$($m)?` is `mut` or
/// nothing, `$iter` is `iter_mut` or `iter`).
macro_rules! field_text {
    ($form:expr, $field:expr, $policy:ident, $iter:ident, $($m:tt)?) => {{
        let form = $form;
        Some(match $field {
            FormField::EscalationTimeout => & $($m)? form.escalation_timeout_secs,
            FormField::Verbs(VerbList::Low) => & $($m)? form.low_verbs,
            FormField::Verbs(VerbList::High) => & $($m)? form.high_verbs,
            FormField::Trigger(field) => match field {
                TriggerField::Refusals => & $($m)? form.triggers.repeated_refusals,
                TriggerField::RefusalsWithin => & $($m)? form.triggers.repeated_within_secs,
                TriggerField::Factor => & $($m)? form.triggers.anomaly_factor,
                TriggerField::Recent => & $($m)? form.triggers.anomaly_recent_secs,
                TriggerField::Baseline => & $($m)? form.triggers.anomaly_baseline_secs,
                TriggerField::MinBaseline => & $($m)? form.triggers.anomaly_min_baseline,
                TriggerField::LeakHits => & $($m)? form.triggers.leaks_hits,
                TriggerField::LeaksWithin => & $($m)? form.triggers.leaks_within_secs,
                TriggerField::FatigueWarnAbove => & $($m)? form.fatigue_warn_above,
                TriggerField::FatigueWindow => & $($m)? form.fatigue_window_secs,
                TriggerField::AnomalyScope => return None,
            },
            FormField::Policy(name, part) => {
                let policy = form.$policy(name)?;
                match (part, & $($m)? policy.rule) {
                    (PolicyPart::Priority, _) => & $($m)? policy.priority,
                    (PolicyPart::AppliesTo, _) => & $($m)? policy.applies_to,
                    (PolicyPart::BudgetLimit, RuleForm::Budget(b)) => & $($m)? b.limit,
                    (PolicyPart::EscalateAtPercent, RuleForm::Budget(b)) => {
                        & $($m)? b.escalate_at_percent
                    }
                    (PolicyPart::BudgetWindow, RuleForm::Budget(b)) => & $($m)? b.window_secs,
                    (PolicyPart::RateMax, RuleForm::RateLimit(r)) => & $($m)? r.max_actions,
                    (PolicyPart::RateWindow, RuleForm::RateLimit(r)) => & $($m)? r.window_secs,
                    (PolicyPart::Blocked, RuleForm::SensitiveActions(a)) => & $($m)? a.blocked,
                    (PolicyPart::ApprovalRequired, RuleForm::SensitiveActions(a)) => {
                        & $($m)? a.approval_required
                    }
                    (PolicyPart::Parameter, RuleForm::ChangeWindow(w)) => & $($m)? w.parameter,
                    (PolicyPart::Values, RuleForm::ChangeWindow(w)) => & $($m)? w.values,
                    (PolicyPart::AgentLimit(agent), RuleForm::Budget(b)) => {
                        & $($m)? b.overrides.$iter().find(|o| &o.agent == agent)?.limit
                    }
                    _ => return None,
                }
            }
            FormField::Form => return None,
        })
    }};
}

/// The whole form.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyForm {
    pub escalation_timeout_secs: String,
    /// Chosen from a list, so it is never text to parse.
    pub conflict_strategy: ConflictStrategy,
    pub policies: Vec<PolicyEntry>,
    pub triggers: TriggersForm,
    pub fatigue_warn_above: String,
    pub fatigue_window_secs: String,
    /// The risk verb lists, comma-separated, in the configuration's order.
    pub low_verbs: String,
    pub high_verbs: String,
}

/// One policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyEntry {
    /// Fixed once the policy exists: it keys the policy's controls.
    pub name: String,
    /// Not edited here; kept as it is.
    pub description: String,
    pub priority: String,
    pub enabled: bool,
    /// Comma-separated action types; `*` alone for all.
    pub applies_to: String,
    /// In the order chosen, so a configuration's order comes back unchanged.
    pub risk_levels: Vec<RiskLevel>,
    pub on_timeout: TimeoutOutcome,
    pub rule: RuleForm,
}

/// A policy's rule, as typed.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleForm {
    Budget(BudgetForm),
    RateLimit(RateLimitForm),
    SensitiveActions(SensitiveForm),
    ChangeWindow(ChangeWindowForm),
    SensitiveData(SensitiveDataForm),
    RequireApproval,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BudgetForm {
    pub scope: BudgetScope,
    pub limit: String,
    pub escalate_at_percent: String,
    /// Whole seconds; blank: the budget never resets.
    pub window_secs: String,
    /// Per-agent limits, in the configuration's (alphabetical) order.
    pub overrides: Vec<AgentOverride>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentOverride {
    /// Fixed once added: it keys the row.
    pub agent: String,
    pub limit: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitForm {
    pub scope: RateScope,
    pub max_actions: String,
    pub window_secs: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SensitiveForm {
    /// Comma-separated action types.
    pub blocked: String,
    pub approval_required: String,
}

/// What a sensitive-data policy does with each kind it finds.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitiveDataForm {
    /// Every kind, in [`DataKind::ALL`]'s order.
    pub handling: Vec<(DataKind, DataHandling)>,
}

/// What happens to a request carrying one kind of sensitive data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataHandling {
    Deny,
    Escalate,
    /// Not acted on by this policy; the value is still masked in records.
    Allow,
}

pub const DATA_HANDLINGS: [Choice<DataHandling>; 3] = [
    Choice {
        value: DataHandling::Deny,
        key: "deny",
        label: "Deny",
    },
    Choice {
        value: DataHandling::Escalate,
        key: "escalate",
        label: "Ask a human",
    },
    Choice {
        value: DataHandling::Allow,
        key: "allow",
        label: "Let through (still masked)",
    },
];

impl SensitiveDataForm {
    fn from_config(config: &SensitiveDataConfig) -> SensitiveDataForm {
        let handling = DataKind::ALL
            .into_iter()
            .map(|kind| {
                let handling = if config.deny.contains(&kind) {
                    DataHandling::Deny
                } else if config.escalate.contains(&kind) {
                    DataHandling::Escalate
                } else {
                    DataHandling::Allow
                };
                (kind, handling)
            })
            .collect();
        SensitiveDataForm { handling }
    }

    fn to_config(&self) -> SensitiveDataConfig {
        let kinds = |wanted: DataHandling| {
            self.handling
                .iter()
                .filter(|(_, handling)| *handling == wanted)
                .map(|(kind, _)| *kind)
                .collect()
        };
        SensitiveDataConfig {
            deny: kinds(DataHandling::Deny),
            escalate: kinds(DataHandling::Escalate),
        }
    }

    /// What happens to `kind`.
    pub fn handling_of(&self, kind: DataKind) -> DataHandling {
        self.handling
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(DataHandling::Allow, |(_, handling)| *handling)
    }

    pub fn set(&mut self, kind: DataKind, handling: DataHandling) {
        if let Some(slot) = self.handling.iter_mut().find(|(k, _)| *k == kind) {
            slot.1 = handling;
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChangeWindowForm {
    pub parameter: String,
    /// Comma-separated values that mean production.
    pub values: String,
    pub windows: Vec<WindowForm>,
    pub outside: Outside,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowForm {
    /// In weekday order when chosen here.
    pub days: Vec<Weekday>,
    pub start_hour: String,
    pub end_hour: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TriggersForm {
    pub repeated_enabled: bool,
    pub repeated_refusals: String,
    pub repeated_within_secs: String,
    pub anomaly_enabled: bool,
    pub anomaly_factor: String,
    pub anomaly_recent_secs: String,
    pub anomaly_baseline_secs: String,
    pub anomaly_min_baseline: String,
    pub anomaly_scope: AnomalyScope,
    pub leaks_enabled: bool,
    pub leaks_hits: String,
    pub leaks_within_secs: String,
}

/// A form field an error belongs next to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FormField {
    EscalationTimeout,
    Trigger(TriggerField),
    /// A field of the named policy.
    Policy(String, PolicyPart),
    /// One of the risk verb lists.
    Verbs(VerbList),
    /// Not tied to one field.
    Form,
}

/// The trigger and approval-fatigue fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TriggerField {
    Refusals,
    RefusalsWithin,
    Factor,
    Recent,
    Baseline,
    MinBaseline,
    LeakHits,
    LeaksWithin,
    FatigueWarnAbove,
    FatigueWindow,
    /// What the spend anomaly watches (a choice).
    AnomalyScope,
}

/// The fields of one policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PolicyPart {
    Name,
    Description,
    Priority,
    AppliesTo,
    RiskLevels,
    BudgetLimit,
    EscalateAtPercent,
    BudgetWindow,
    /// The per-agent limits as a whole.
    AgentLimits,
    /// One agent's limit.
    AgentLimit(String),
    RateMax,
    RateWindow,
    Blocked,
    ApprovalRequired,
    Parameter,
    Values,
    /// The change windows as a whole.
    Windows,
    /// One change window, by position.
    Window(usize),
    /// A rule field this form has no control for: shown at the policy.
    Other,
    /// What a timeout does (a choice).
    OnTimeout,
    /// Whose spend a budget counts, or whose actions a rate limit counts (a
    /// choice).
    Scope,
    /// What a change window does outside every window (a choice).
    Outside,
    /// What the sensitive-data policy does with one kind (a choice).
    Handling(DataKind),
}

impl FormField {
    fn policy(name: &str, part: PolicyPart) -> FormField {
        FormField::Policy(name.to_owned(), part)
    }

    /// The field as the form labels it, for messages.
    pub fn label(&self) -> String {
        match self {
            FormField::EscalationTimeout => "Escalation timeout".into(),
            FormField::Trigger(field) => field.label().into(),
            FormField::Policy(_, part) => part.label(),
            FormField::Verbs(VerbList::Low) => "Low verbs".into(),
            FormField::Verbs(VerbList::High) => "High verbs".into(),
            FormField::Form => "Policies".into(),
        }
    }

    /// The policy the field belongs to.
    pub fn policy_name(&self) -> Option<&str> {
        match self {
            FormField::Policy(name, _) => Some(name),
            _ => None,
        }
    }
}

impl TriggerField {
    pub fn label(self) -> &'static str {
        match self {
            TriggerField::Refusals => "Refusals",
            TriggerField::RefusalsWithin => "Within (seconds)",
            TriggerField::Factor => "Factor",
            TriggerField::Recent => "Recent (seconds)",
            TriggerField::Baseline => "Baseline (seconds)",
            TriggerField::MinBaseline => "Minimum baseline",
            TriggerField::LeakHits => "Requests carrying credentials",
            TriggerField::LeaksWithin => "Within (seconds)",
            TriggerField::FatigueWarnAbove => "Warn above (approvals)",
            TriggerField::FatigueWindow => "Per window (seconds)",
            TriggerField::AnomalyScope => "Watches",
        }
    }
}

impl PolicyPart {
    pub fn label(&self) -> String {
        match self {
            PolicyPart::Name => "Name".into(),
            PolicyPart::Description => "Description".into(),
            PolicyPart::Priority => "Priority".into(),
            PolicyPart::AppliesTo => "Covers action types".into(),
            PolicyPart::RiskLevels => "Covers risk levels".into(),
            PolicyPart::BudgetLimit => "Limit".into(),
            PolicyPart::EscalateAtPercent => "Escalate above (% of the limit)".into(),
            PolicyPart::BudgetWindow => "Window (seconds)".into(),
            PolicyPart::AgentLimits => "Per-agent limits".into(),
            PolicyPart::AgentLimit(agent) => format!("Limit for {agent}"),
            PolicyPart::RateMax => "Actions allowed".into(),
            PolicyPart::RateWindow => "Window (seconds)".into(),
            PolicyPart::Blocked => "Blocked (always denied)".into(),
            PolicyPart::ApprovalRequired => "Need human approval".into(),
            PolicyPart::Parameter => "Parameter".into(),
            PolicyPart::Values => "Values meaning production".into(),
            PolicyPart::Windows => "Windows".into(),
            PolicyPart::Window(i) => format!("Window {}", i + 1),
            PolicyPart::Other => "Policy".into(),
            PolicyPart::OnTimeout => "When nobody answers in time".into(),
            PolicyPart::Scope => "Scope".into(),
            PolicyPart::Outside => "Outside every window".into(),
            PolicyPart::Handling(kind) => kind.label().into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    pub field: FormField,
    pub message: String,
}

/// The messages for `field`, joined; `None` when it has none.
pub fn errors_for(errors: &[FormError], field: &FormField) -> Option<String> {
    let messages: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == *field)
        .map(|e| e.message.as_str())
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// Whether any error belongs to the policy named `name`.
pub fn policy_has_errors(errors: &[FormError], name: &str) -> bool {
    errors.iter().any(|e| e.field.policy_name() == Some(name))
}

/// What the form says when Apply found problems.
pub fn problems_summary(count: usize) -> String {
    let problems = if count == 1 { "problem" } else { "problems" };
    format!("Nothing was applied: {count} {problems}, each shown beside its field.")
}

/// A choice in a select: the value, the key the option carries, its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice<T: 'static> {
    pub value: T,
    pub key: &'static str,
    pub label: &'static str,
}

/// The choice whose key is `key`.
pub fn choose<T: Copy>(choices: &[Choice<T>], key: &str) -> Option<T> {
    choices.iter().find(|c| c.key == key).map(|c| c.value)
}

pub const BUDGET_SCOPES: [Choice<BudgetScope>; 3] = [
    Choice {
        value: BudgetScope::Action,
        key: "action",
        label: "Per action",
    },
    Choice {
        value: BudgetScope::Agent,
        key: "agent",
        label: "Per agent",
    },
    Choice {
        value: BudgetScope::System,
        key: "system",
        label: "Whole system",
    },
];

pub const RATE_SCOPES: [Choice<RateScope>; 2] = [
    Choice {
        value: RateScope::Agent,
        key: "agent",
        label: "Per agent",
    },
    Choice {
        value: RateScope::System,
        key: "system",
        label: "All agents together",
    },
];

pub const ANOMALY_SCOPES: [Choice<AnomalyScope>; 2] = [
    Choice {
        value: AnomalyScope::System,
        key: "system",
        label: "Whole system",
    },
    Choice {
        value: AnomalyScope::Agent,
        key: "agent",
        label: "Each agent",
    },
];

pub const TIMEOUT_OUTCOMES: [Choice<TimeoutOutcome>; 2] = [
    Choice {
        value: TimeoutOutcome::Deny,
        key: "deny",
        label: "Deny on timeout",
    },
    Choice {
        value: TimeoutOutcome::Allow,
        key: "allow",
        label: "Allow on timeout: silence approves — risky",
    },
];

pub const OUTSIDE_CHOICES: [Choice<Outside>; 2] = [
    Choice {
        value: Outside::Deny,
        key: "deny",
        label: "Deny",
    },
    Choice {
        value: Outside::Escalate,
        key: "escalate",
        label: "Ask a human",
    },
];

/// Shown beside a policy whose escalations are allowed when nobody answers.
pub fn timeout_warning(outcome: TimeoutOutcome) -> Option<&'static str> {
    match outcome {
        TimeoutOutcome::Deny => None,
        TimeoutOutcome::Allow => Some(
            "Allow on timeout: silence approves — risky. A request nobody reviews in time \
             runs after the same re-check as an approval.",
        ),
    }
}

/// What a budget window typed as seconds means, in words: "hourly",
/// "daily", "every 2 hours"; blank is "never resets"; empty when the text
/// is not a whole number of seconds.
pub fn window_words(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return "never resets".into();
    }
    let Ok(secs) = text.parse::<u64>() else {
        return String::new();
    };
    let every = |n: u64, unit: &str| {
        if n == 1 {
            format!("every {unit}")
        } else {
            format!("every {n} {unit}s")
        }
    };
    match secs {
        0 => String::new(),
        3_600 => "hourly".into(),
        86_400 => "daily".into(),
        604_800 => "weekly".into(),
        s if s % 86_400 == 0 => every(s / 86_400, "day"),
        s if s % 3_600 == 0 => every(s / 3_600, "hour"),
        s if s % 60 == 0 => every(s / 60, "minute"),
        s => every(s, "second"),
    }
}

/// What the scope of a budget means, in words.
pub fn budget_scope_words(scope: BudgetScope) -> &'static str {
    match scope {
        BudgetScope::Action => "per action",
        BudgetScope::Agent => "per agent",
        BudgetScope::System => "whole system",
    }
}

/// Whole numbers without a trailing ".0": what a person would type.
fn number(value: f64) -> String {
    crate::governance::config_error::number_text(value)
}

fn list(types: &[String]) -> String {
    types.join(", ")
}

/// The entries of a comma-separated list field, as the core will read them.
pub fn list_entries(text: &str) -> Vec<String> {
    parse_list(text)
}

/// What a list field holds, for the checks an entry meets when it is added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// Action types; `*` alone stands for all of them.
    Covers,
    /// Action types.
    ActionTypes,
    /// One-word verbs.
    Verbs,
    /// Parameter values.
    Values,
}

/// A list field's text with `entry` appended in its canonical form (trimmed,
/// ASCII lower-case: "Deploy" is the action type `deploy`), or why it cannot
/// be added, in plain words: an entry the core would refuse (a space, a
/// character outside the alphabet, too long), one already listed, a `*`
/// that would not stand alone, or a full list. The same checks run again on
/// Apply; these say it at once. A blank entry adds nothing.
pub fn with_entry(text: &str, entry: &str, kind: ListKind) -> Result<String, String> {
    let mut entries = parse_list(text);
    let entry = entry.trim().to_ascii_lowercase();
    if entry.is_empty() {
        return Ok(list(&entries));
    }
    let shown = quoted(&entry);
    let star = entries.iter().any(|e| e == "*");
    if entry == "*" && kind == ListKind::Covers {
        if !entries.is_empty() {
            return Err(
                "* covers every action type, so it stands alone: remove the others first".into(),
            );
        }
    } else if star {
        return Err("* already covers every action type: remove it first".into());
    } else if entry.contains(',') {
        // The list is kept as comma-separated text: a comma would split it.
        return Err(format!(
            "{shown} must not contain a comma: add one entry at a time"
        ));
    } else if kind == ListKind::Verbs && entry.contains(|c| ACTION_TYPE_PUNCTUATION.contains(c)) {
        return Err(format!(
            "{shown} is not one word: a verb has no {ACTION_TYPE_PUNCTUATION}"
        ));
    } else {
        // The core's own checks for what the list holds.
        let checked = match kind {
            ListKind::Values => clean_text(&entry, MAX_VALUE_LEN, false).map(|_| ()),
            _ => canonical_action_type(&entry).map(|_| ()),
        };
        if let Err(problem) = checked {
            return Err(format!("{shown} {problem}"));
        }
    }
    if entries.contains(&entry) {
        return Err(format!("{shown} is already listed"));
    }
    if entries.len() >= MAX_LIST_LEN {
        return Err(format!("holds at most {MAX_LIST_LEN} entries"));
    }
    entries.push(entry);
    Ok(list(&entries))
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

/// Why the text of a number field is not a number the form can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberProblem {
    NotANumber,
    /// More significant digits than a double holds exactly (over 2^53).
    TooManyDigits,
    /// A decimal exponent beyond what any field could mean (|e| > 22).
    OutOfRange,
}

impl NumberProblem {
    fn describe(self, text: &str) -> String {
        match self {
            NumberProblem::NotANumber => format!("\"{text}\" is not a number"),
            NumberProblem::TooManyDigits => {
                format!("{text} has more digits than can be kept exactly")
            }
            NumberProblem::OutOfRange => format!("{text} is out of range"),
        }
    }
}

/// Reads a decimal as typed: an optional sign, digits with an optional
/// point, an optional exponent (`1.5`, `-2`, `.25`, `1e3`). The result is the
/// double nearest the decimal, exactly what `str::parse::<f64>` gives, but
/// only for numbers a double holds without guessing: at most 2^53 as an
/// integer of significant digits, scaled by a power of ten up to 10^22 (both
/// exact, so one correctly rounded operation gives the nearest double). That
/// covers every amount, percent and duration a form field takes, and keeps
/// the general float parser and its tables (about 20 KB) out of the wasm.
pub fn parse_number(text: &str) -> Result<f64, NumberProblem> {
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = || whole.bytes().chain(fraction.bytes());
    if whole.len() + fraction.len() == 0 || !digits().all(|b| b.is_ascii_digit()) {
        return Err(NumberProblem::NotANumber);
    }
    let mut scale: i64 = match exponent {
        None => 0,
        Some(e) => {
            let unsigned = e.strip_prefix(['-', '+']).unwrap_or(e);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return Err(NumberProblem::NotANumber);
            }
            if unsigned.len() > 6 {
                return Err(NumberProblem::OutOfRange);
            }
            let magnitude: i64 = unsigned
                .bytes()
                .fold(0, |n, b| n * 10 + i64::from(b - b'0'));
            if e.starts_with('-') {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    scale -= fraction.len() as i64;
    // The significant digits: no leading zeros, trailing zeros moved into
    // the scale.
    let all: Vec<u8> = digits().collect();
    let start = all.iter().position(|&b| b != b'0').unwrap_or(all.len());
    let end = all
        .iter()
        .rposition(|&b| b != b'0')
        .map_or(start, |i| i + 1);
    scale += (all.len() - end) as i64;
    let significant = &all[start..end];
    let magnitude = if significant.is_empty() {
        0.0
    } else {
        if significant.len() > 16 {
            return Err(NumberProblem::TooManyDigits);
        }
        let m = significant
            .iter()
            .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
        if m > 1 << 53 {
            return Err(NumberProblem::TooManyDigits);
        }
        let power = |s: i64| POWERS.get(s as usize).copied();
        let m = m as f64;
        match scale {
            0.. => power(scale).map(|p| m * p),
            _ => power(-scale).map(|p| m / p),
        }
        .ok_or(NumberProblem::OutOfRange)?
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// Collects the form's own problems (text that is not a number) while the
/// configuration is built.
#[derive(Default)]
struct Parser {
    errors: Vec<FormError>,
}

impl Parser {
    fn fail(&mut self, field: FormField, problem: String) {
        let message = format!("{}: {problem}", field.label());
        self.errors.push(FormError { field, message });
    }

    /// A number; `fallback` stands in when the text is not one, and the
    /// field carries the error.
    fn number(&mut self, field: FormField, text: &str, fallback: f64) -> f64 {
        let text = text.trim();
        match parse_number(text) {
            Ok(value) => value,
            Err(problem) => {
                self.fail(field, problem.describe(text));
                fallback
            }
        }
    }

    /// A whole number that fits `T`; ranges narrower than the type are the
    /// core's to check.
    fn whole<T: TryFrom<i128> + Default>(&mut self, field: FormField, text: &str) -> T {
        let text = text.trim();
        let problem = match parse_number(text) {
            Err(problem) => problem.describe(text),
            Ok(value) if !value.is_finite() || value.fract() != 0.0 => {
                format!("{text} is not a whole number")
            }
            Ok(value) => match T::try_from(value as i128) {
                Ok(whole) => return whole,
                Err(_) if value < 0.0 => format!("{text} must not be negative"),
                Err(_) => format!("{text} is too large"),
            },
        };
        self.fail(field, problem);
        T::default()
    }
}

impl PolicyEntry {
    fn from_config(policy: &PolicyConfig) -> PolicyEntry {
        PolicyEntry {
            name: policy.name.clone(),
            description: policy.description.clone(),
            priority: policy.priority.to_string(),
            enabled: policy.enabled,
            applies_to: list(&policy.applies_to),
            risk_levels: policy.risk_levels.clone(),
            on_timeout: policy.on_timeout,
            rule: RuleForm::from_config(&policy.rule),
        }
    }

    fn to_config(&self, parser: &mut Parser) -> PolicyConfig {
        let field = |part| FormField::policy(&self.name, part);
        PolicyConfig {
            name: self.name.clone(),
            description: self.description.clone(),
            applies_to: parse_list(&self.applies_to),
            priority: parser.whole(field(PolicyPart::Priority), &self.priority),
            enabled: self.enabled,
            rule: self.rule.to_config(&self.name, parser),
            risk_levels: self.risk_levels.clone(),
            on_timeout: self.on_timeout,
        }
    }

    /// The rule kind, as the configuration names it.
    pub fn kind(&self) -> &'static str {
        match &self.rule {
            RuleForm::Budget(_) => "budget",
            RuleForm::RateLimit(_) => "rate_limit",
            RuleForm::SensitiveActions(_) => "sensitive_actions",
            RuleForm::ChangeWindow(_) => "change_window",
            RuleForm::SensitiveData(_) => "sensitive_data",
            RuleForm::RequireApproval => "require_approval",
        }
    }

    /// Whether the policy can send a request to a human, so that its timeout
    /// outcome matters (a rate limit never escalates).
    pub fn can_escalate(&self) -> bool {
        !matches!(self.rule, RuleForm::RateLimit(_))
    }

    /// Budget tiers and change windows can be removed from the form.
    pub fn removable(&self) -> bool {
        matches!(self.rule, RuleForm::Budget(_) | RuleForm::ChangeWindow(_))
    }

    /// Covers (or stops covering) every action type of `level`.
    pub fn set_risk_level(&mut self, level: RiskLevel, covered: bool) {
        self.risk_levels.retain(|l| *l != level);
        if covered {
            self.risk_levels.push(level);
        }
    }

    pub fn budget(&self) -> Option<&BudgetForm> {
        match &self.rule {
            RuleForm::Budget(form) => Some(form),
            _ => None,
        }
    }

    pub fn budget_mut(&mut self) -> Option<&mut BudgetForm> {
        match &mut self.rule {
            RuleForm::Budget(form) => Some(form),
            _ => None,
        }
    }

    pub fn rate_limit(&self) -> Option<&RateLimitForm> {
        match &self.rule {
            RuleForm::RateLimit(form) => Some(form),
            _ => None,
        }
    }

    pub fn rate_limit_mut(&mut self) -> Option<&mut RateLimitForm> {
        match &mut self.rule {
            RuleForm::RateLimit(form) => Some(form),
            _ => None,
        }
    }

    pub fn sensitive(&self) -> Option<&SensitiveForm> {
        match &self.rule {
            RuleForm::SensitiveActions(form) => Some(form),
            _ => None,
        }
    }

    pub fn sensitive_mut(&mut self) -> Option<&mut SensitiveForm> {
        match &mut self.rule {
            RuleForm::SensitiveActions(form) => Some(form),
            _ => None,
        }
    }

    pub fn change_window(&self) -> Option<&ChangeWindowForm> {
        match &self.rule {
            RuleForm::ChangeWindow(form) => Some(form),
            _ => None,
        }
    }

    pub fn change_window_mut(&mut self) -> Option<&mut ChangeWindowForm> {
        match &mut self.rule {
            RuleForm::ChangeWindow(form) => Some(form),
            _ => None,
        }
    }

    pub fn sensitive_data(&self) -> Option<&SensitiveDataForm> {
        match &self.rule {
            RuleForm::SensitiveData(form) => Some(form),
            _ => None,
        }
    }

    pub fn sensitive_data_mut(&mut self) -> Option<&mut SensitiveDataForm> {
        match &mut self.rule {
            RuleForm::SensitiveData(form) => Some(form),
            _ => None,
        }
    }

    /// One line saying what the policy does, as typed: shown on its
    /// collapsed section.
    pub fn summary(&self) -> String {
        let rule = match &self.rule {
            RuleForm::Budget(b) => {
                let window = match (b.scope, window_words(&b.window_secs).as_str()) {
                    (BudgetScope::Action, _) => String::new(),
                    (_, "") => format!(", window {} s", b.window_secs.trim()),
                    (_, words) => format!(", {words}"),
                };
                let overrides = match b.overrides.len() {
                    0 => String::new(),
                    1 => ", 1 agent override".into(),
                    n => format!(", {n} agent overrides"),
                };
                format!(
                    "{}: limit {}{window}, escalate above {} %{overrides}",
                    budget_scope_words(b.scope),
                    b.limit.trim(),
                    b.escalate_at_percent.trim()
                )
            }
            RuleForm::RateLimit(r) => format!(
                "{}: {} actions in {} s",
                choice_label(&RATE_SCOPES, r.scope).to_ascii_lowercase(),
                r.max_actions.trim(),
                r.window_secs.trim()
            ),
            RuleForm::SensitiveActions(s) => format!(
                "{} blocked, {} need approval",
                parse_list(&s.blocked).len(),
                parse_list(&s.approval_required).len()
            ),
            RuleForm::ChangeWindow(c) => {
                let windows = match c.windows.len() {
                    1 => "1 window".to_owned(),
                    n => format!("{n} windows"),
                };
                let outside = match c.outside {
                    Outside::Deny => "denied",
                    Outside::Escalate => "asks a human",
                };
                format!(
                    "{} = {}: {windows}, outside {outside}",
                    c.parameter.trim(),
                    list(&parse_list(&c.values))
                )
            }
            RuleForm::RequireApproval => "sends every request it covers to a human".into(),
            RuleForm::SensitiveData(d) => {
                let rule = d.to_config();
                format!(
                    "denies {} and asks a human about {} of the {} kinds of sensitive data it finds",
                    rule.deny.len(),
                    rule.escalate.len(),
                    DataKind::ALL.len()
                )
            }
        };
        format!("{}; covers {}", rule, self.coverage())
    }

    fn coverage(&self) -> String {
        let types = parse_list(&self.applies_to);
        let mut parts = Vec::new();
        if types.iter().any(|t| t == "*") {
            parts.push("all action types".to_owned());
        } else if !types.is_empty() {
            parts.push(list(&types));
        }
        if !self.risk_levels.is_empty() {
            let levels: Vec<&str> = self.risk_levels.iter().map(|l| l.as_str()).collect();
            parts.push(format!("{} risk", levels.join(" and ")));
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(" + ")
        }
    }
}

fn choice_label<T: Copy + PartialEq>(choices: &[Choice<T>], value: T) -> &'static str {
    choices
        .iter()
        .find(|c| c.value == value)
        .map_or("", |c| c.label)
}

impl RuleForm {
    fn from_config(rule: &PolicyRule) -> RuleForm {
        match rule {
            PolicyRule::Budget(b) => RuleForm::Budget(BudgetForm {
                scope: b.scope,
                limit: number(b.limit),
                escalate_at_percent: number(b.escalate_at_percent),
                window_secs: b.window_secs.map(|w| w.to_string()).unwrap_or_default(),
                overrides: b
                    .agent_limits
                    .iter()
                    .map(|(agent, limit)| AgentOverride {
                        agent: agent.clone(),
                        limit: number(*limit),
                    })
                    .collect(),
            }),
            PolicyRule::RateLimit(r) => RuleForm::RateLimit(RateLimitForm {
                scope: r.scope,
                max_actions: r.max_actions.to_string(),
                window_secs: number(r.window_secs),
            }),
            PolicyRule::SensitiveActions(s) => RuleForm::SensitiveActions(SensitiveForm {
                blocked: list(&s.blocked),
                approval_required: list(&s.approval_required),
            }),
            PolicyRule::ChangeWindow(c) => RuleForm::ChangeWindow(ChangeWindowForm {
                parameter: c.parameter.clone(),
                values: list(&c.values),
                windows: c
                    .windows
                    .iter()
                    .map(|w| WindowForm {
                        days: w.days.clone(),
                        start_hour: w.start_hour.to_string(),
                        end_hour: w.end_hour.to_string(),
                    })
                    .collect(),
                outside: c.outside,
            }),
            PolicyRule::RequireApproval(_) => RuleForm::RequireApproval,
            PolicyRule::SensitiveData(d) => {
                RuleForm::SensitiveData(SensitiveDataForm::from_config(d))
            }
        }
    }

    fn to_config(&self, name: &str, parser: &mut Parser) -> PolicyRule {
        let field = |part| FormField::policy(name, part);
        match self {
            RuleForm::Budget(b) => {
                let window = b.window_secs.trim();
                let mut agent_limits = BTreeMap::new();
                for row in &b.overrides {
                    let limit_field = field(PolicyPart::AgentLimit(row.agent.clone()));
                    let limit = parser.number(limit_field.clone(), &row.limit, 0.0);
                    if agent_limits.insert(row.agent.clone(), limit).is_some() {
                        parser.fail(limit_field, format!("{} is listed twice", row.agent));
                    }
                }
                PolicyRule::Budget(BudgetConfig {
                    scope: b.scope,
                    limit: parser.number(field(PolicyPart::BudgetLimit), &b.limit, 0.0),
                    escalate_at_percent: parser.number(
                        field(PolicyPart::EscalateAtPercent),
                        &b.escalate_at_percent,
                        100.0,
                    ),
                    window_secs: (!window.is_empty())
                        .then(|| parser.whole(field(PolicyPart::BudgetWindow), window)),
                    agent_limits,
                })
            }
            RuleForm::RateLimit(r) => PolicyRule::RateLimit(RateLimitConfig {
                scope: r.scope,
                max_actions: parser.whole(field(PolicyPart::RateMax), &r.max_actions),
                window_secs: parser.number(field(PolicyPart::RateWindow), &r.window_secs, 1.0),
            }),
            RuleForm::SensitiveActions(s) => PolicyRule::SensitiveActions(SensitiveActionsConfig {
                blocked: parse_list(&s.blocked),
                approval_required: parse_list(&s.approval_required),
            }),
            RuleForm::ChangeWindow(c) => PolicyRule::ChangeWindow(ChangeWindowConfig {
                parameter: c.parameter.clone(),
                values: parse_list(&c.values),
                windows: c
                    .windows
                    .iter()
                    .enumerate()
                    .map(|(i, w)| ChangeWindow {
                        days: w.days.clone(),
                        start_hour: parser.whole(field(PolicyPart::Window(i)), &w.start_hour),
                        end_hour: parser.whole(field(PolicyPart::Window(i)), &w.end_hour),
                    })
                    .collect(),
                outside: c.outside,
            }),
            RuleForm::SensitiveData(d) => PolicyRule::SensitiveData(d.to_config()),
            RuleForm::RequireApproval => PolicyRule::RequireApproval(RequireApprovalConfig {}),
        }
    }
}

impl BudgetForm {
    /// A per-action cap has no window: choosing it clears the window.
    pub fn set_scope(&mut self, scope: BudgetScope) {
        self.scope = scope;
        if scope == BudgetScope::Action {
            self.window_secs.clear();
        }
    }

    /// Per-agent limits apply to a per-agent budget, or are shown because
    /// they are there (so they can be removed).
    pub fn shows_overrides(&self) -> bool {
        self.scope == BudgetScope::Agent || !self.overrides.is_empty()
    }

    /// Gives `agent` its own limit; refused (with the reason) for a blank
    /// or unacceptable name or an agent that already has one.
    pub fn add_override(&mut self, agent: &str, limit: &str) -> Result<(), String> {
        let agent = canonical_name(agent).map_err(|problem| format!("Agent name: {problem}"))?;
        if self.overrides.iter().any(|o| o.agent == agent) {
            return Err(format!("{agent} already has its own limit"));
        }
        let at = self.overrides.partition_point(|o| o.agent.as_str() < agent);
        self.overrides.insert(
            at,
            AgentOverride {
                agent: agent.to_owned(),
                limit: limit.trim().to_owned(),
            },
        );
        Ok(())
    }

    pub fn remove_override(&mut self, agent: &str) {
        self.overrides.retain(|o| o.agent != agent);
    }
}

impl ChangeWindowForm {
    /// Another window, weekdays 9 to 17 to start from.
    pub fn add_window(&mut self) {
        self.windows.push(WindowForm {
            days: Weekday::ALL[..5].to_vec(),
            start_hour: "9".into(),
            end_hour: "17".into(),
        });
    }

    pub fn remove_window(&mut self, index: usize) {
        if index < self.windows.len() {
            self.windows.remove(index);
        }
    }
}

impl WindowForm {
    pub fn set_day(&mut self, day: Weekday, on: bool) {
        self.days.retain(|d| *d != day);
        if on {
            let at = self.days.partition_point(|d| *d < day);
            self.days.insert(at, day);
        }
    }
}

impl PolicyForm {
    pub fn from_config(config: &GovernanceConfig) -> PolicyForm {
        let triggers = &config.triggers;
        let repeated = &triggers.repeated_violations;
        let anomaly = &triggers.spend_anomaly;
        PolicyForm {
            escalation_timeout_secs: number(config.escalation_timeout_secs),
            conflict_strategy: config.conflict_strategy,
            policies: config
                .policies
                .iter()
                .map(PolicyEntry::from_config)
                .collect(),
            triggers: TriggersForm {
                repeated_enabled: repeated.enabled,
                repeated_refusals: repeated.refusals.to_string(),
                repeated_within_secs: repeated.within_secs.to_string(),
                anomaly_enabled: anomaly.enabled,
                anomaly_factor: number(anomaly.factor),
                anomaly_recent_secs: anomaly.recent_secs.to_string(),
                anomaly_baseline_secs: anomaly.baseline_secs.to_string(),
                anomaly_min_baseline: number(anomaly.min_baseline),
                anomaly_scope: anomaly.scope,
                leaks_enabled: triggers.credential_leaks.enabled,
                leaks_hits: triggers.credential_leaks.hits.to_string(),
                leaks_within_secs: triggers.credential_leaks.within_secs.to_string(),
            },
            fatigue_warn_above: config.approval_fatigue.warn_above.to_string(),
            fatigue_window_secs: config.approval_fatigue.window_secs.to_string(),
            low_verbs: list(&config.risk.low_verbs),
            high_verbs: list(&config.risk.high_verbs),
        }
    }

    /// The configuration this form describes, applied over `base` (which
    /// gives what the form does not edit), with every problem the form or
    /// the core finds, each placed at its field.
    pub fn to_config(&self, base: &GovernanceConfig) -> Result<GovernanceConfig, Vec<FormError>> {
        let mut parser = Parser::default();
        let trigger = FormField::Trigger;
        let t = &self.triggers;
        let mut config = base.clone();
        config.escalation_timeout_secs = parser.number(
            FormField::EscalationTimeout,
            &self.escalation_timeout_secs,
            base.escalation_timeout_secs,
        );
        config.conflict_strategy = self.conflict_strategy;
        config.policies = self
            .policies
            .iter()
            .map(|p| p.to_config(&mut parser))
            .collect();
        config.triggers.repeated_violations = RepeatedViolations {
            enabled: t.repeated_enabled,
            refusals: parser.whole(trigger(TriggerField::Refusals), &t.repeated_refusals),
            within_secs: parser.whole(
                trigger(TriggerField::RefusalsWithin),
                &t.repeated_within_secs,
            ),
        };
        config.triggers.spend_anomaly = SpendAnomaly {
            enabled: t.anomaly_enabled,
            factor: parser.number(trigger(TriggerField::Factor), &t.anomaly_factor, 1.0),
            recent_secs: parser.whole(trigger(TriggerField::Recent), &t.anomaly_recent_secs),
            baseline_secs: parser.whole(trigger(TriggerField::Baseline), &t.anomaly_baseline_secs),
            min_baseline: parser.number(
                trigger(TriggerField::MinBaseline),
                &t.anomaly_min_baseline,
                1.0,
            ),
            scope: t.anomaly_scope,
        };
        config.triggers.credential_leaks = CredentialLeaks {
            enabled: t.leaks_enabled,
            hits: parser.whole(trigger(TriggerField::LeakHits), &t.leaks_hits),
            within_secs: parser.whole(trigger(TriggerField::LeaksWithin), &t.leaks_within_secs),
        };
        config.approval_fatigue = ApprovalFatigue {
            warn_above: parser.whole(
                trigger(TriggerField::FatigueWarnAbove),
                &self.fatigue_warn_above,
            ),
            window_secs: parser.whole(
                trigger(TriggerField::FatigueWindow),
                &self.fatigue_window_secs,
            ),
        };
        config.risk.low_verbs = parse_list(&self.low_verbs);
        config.risk.high_verbs = parse_list(&self.high_verbs);
        let mut errors = parser.errors;
        // A field whose text was not a number already has its error; what the
        // core says about the stand-in value would only confuse.
        let unparsed: Vec<FormField> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(
            config
                .problems()
                .iter()
                .map(|problem| place_error(&config, problem))
                .filter(|e| !unparsed.contains(&e.field)),
        );
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// The choices of a select `field` (key and label), in order; none when
    /// `field` is not a choice of this form.
    pub fn choices(&self, field: &FormField) -> Vec<(&'static str, &'static str)> {
        fn all<T>(choices: &[Choice<T>]) -> Vec<(&'static str, &'static str)> {
            choices.iter().map(|c| (c.key, c.label)).collect()
        }
        match field {
            FormField::Trigger(TriggerField::AnomalyScope) => all(&ANOMALY_SCOPES),
            FormField::Policy(name, part) => match (part, self.policy(name).map(|p| &p.rule)) {
                (PolicyPart::OnTimeout, _) => all(&TIMEOUT_OUTCOMES),
                (PolicyPart::Scope, Some(RuleForm::Budget(_))) => all(&BUDGET_SCOPES),
                (PolicyPart::Scope, Some(RuleForm::RateLimit(_))) => all(&RATE_SCOPES),
                (PolicyPart::Outside, _) => all(&OUTSIDE_CHOICES),
                (PolicyPart::Handling(_), _) => all(&DATA_HANDLINGS),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The key of what is chosen in the select `field`.
    pub fn choice(&self, field: &FormField) -> Option<&'static str> {
        fn key<T: Copy + PartialEq>(choices: &[Choice<T>], value: T) -> Option<&'static str> {
            choices.iter().find(|c| c.value == value).map(|c| c.key)
        }
        match field {
            FormField::Trigger(TriggerField::AnomalyScope) => {
                key(&ANOMALY_SCOPES, self.triggers.anomaly_scope)
            }
            FormField::Policy(name, part) => {
                let policy = self.policy(name)?;
                match (part, &policy.rule) {
                    (PolicyPart::OnTimeout, _) => key(&TIMEOUT_OUTCOMES, policy.on_timeout),
                    (PolicyPart::Scope, RuleForm::Budget(b)) => key(&BUDGET_SCOPES, b.scope),
                    (PolicyPart::Scope, RuleForm::RateLimit(r)) => key(&RATE_SCOPES, r.scope),
                    (PolicyPart::Outside, RuleForm::ChangeWindow(c)) => {
                        key(&OUTSIDE_CHOICES, c.outside)
                    }
                    (PolicyPart::Handling(kind), RuleForm::SensitiveData(d)) => {
                        key(&DATA_HANDLINGS, d.handling_of(*kind))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Chooses `key` in the select `field`; an unknown key changes nothing.
    pub fn choose(&mut self, field: &FormField, key: &str) {
        match field {
            FormField::Trigger(TriggerField::AnomalyScope) => {
                if let Some(scope) = choose(&ANOMALY_SCOPES, key) {
                    self.triggers.anomaly_scope = scope
                }
            }
            FormField::Policy(name, part) => {
                let Some(policy) = self.policy_mut(name) else {
                    return;
                };
                match (part, &mut policy.rule) {
                    (PolicyPart::OnTimeout, _) => {
                        if let Some(outcome) = choose(&TIMEOUT_OUTCOMES, key) {
                            policy.on_timeout = outcome
                        }
                    }
                    (PolicyPart::Scope, RuleForm::Budget(b)) => {
                        if let Some(scope) = choose(&BUDGET_SCOPES, key) {
                            b.set_scope(scope)
                        }
                    }
                    (PolicyPart::Scope, RuleForm::RateLimit(r)) => {
                        if let Some(scope) = choose(&RATE_SCOPES, key) {
                            r.scope = scope
                        }
                    }
                    (PolicyPart::Outside, RuleForm::ChangeWindow(c)) => {
                        if let Some(outside) = choose(&OUTSIDE_CHOICES, key) {
                            c.outside = outside
                        }
                    }
                    (PolicyPart::Handling(kind), RuleForm::SensitiveData(d)) => {
                        if let Some(handling) = choose(&DATA_HANDLINGS, key) {
                            d.set(*kind, handling)
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// The text typed into `field`, when it is one text (or list) field of
    /// the form: every text control reads and writes through this one
    /// place.
    pub fn text_mut(&mut self, field: &FormField) -> Option<&mut String> {
        field_text!(self, field, policy_mut, iter_mut, mut)
    }

    /// The text typed into `field` (empty when it has none).
    pub fn text(&self, field: &FormField) -> String {
        self.text_ref(field).cloned().unwrap_or_default()
    }

    fn text_ref(&self, field: &FormField) -> Option<&String> {
        field_text!(self, field, policy, iter,)
    }

    pub fn policy(&self, name: &str) -> Option<&PolicyEntry> {
        self.policies.iter().find(|p| p.name == name)
    }

    pub fn policy_mut(&mut self, name: &str) -> Option<&mut PolicyEntry> {
        self.policies.iter_mut().find(|p| p.name == name)
    }

    /// Each policy's name and rule kind, in order: what keys its controls.
    pub fn keys(&self) -> Vec<(String, &'static str)> {
        self.policies
            .iter()
            .map(|p| (p.name.clone(), p.kind()))
            .collect()
    }

    /// Whether the form says something other than `in_force`.
    pub fn differs_from(&self, in_force: &GovernanceConfig) -> bool {
        *self != PolicyForm::from_config(in_force)
    }

    fn unique_name(&self, stem: &str) -> String {
        std::iter::once(stem.to_owned())
            .chain((2..).map(|n| format!("{stem}_{n}")))
            .find(|name| self.policy(name).is_none())
            .expect("an unbounded sequence of names has a free one")
    }

    /// Adds a budget tier after the last one, named `name` (blank: a
    /// generated one), judged after the existing tiers, with the usual
    /// figures for its scope. Returns the new policy's name, or why the name
    /// cannot be used.
    pub fn add_budget_tier(&mut self, name: &str, scope: BudgetScope) -> Result<String, String> {
        let name = if name.trim().is_empty() {
            self.unique_name("budget_tier")
        } else {
            let name = canonical_name(name).map_err(|problem| format!("Tier name: {problem}"))?;
            if self.policy(name).is_some() {
                return Err(format!("Tier name: {name} is used by another policy"));
            }
            name.to_owned()
        };
        let (limit, window) = match scope {
            BudgetScope::Action => ("1", ""),
            BudgetScope::Agent => ("10", "3600"),
            BudgetScope::System => ("100", "86400"),
        };
        let budgets = || self.policies.iter().filter(|p| p.budget().is_some());
        let priority = budgets()
            .filter_map(|p| p.priority.trim().parse::<i32>().ok())
            .min()
            .map_or(100, |lowest| lowest.saturating_sub(10));
        let at = self
            .policies
            .iter()
            .rposition(|p| p.budget().is_some())
            .map_or(self.policies.len(), |i| i + 1);
        self.policies.insert(
            at,
            PolicyEntry {
                name: name.clone(),
                description: String::new(),
                priority: priority.to_string(),
                enabled: true,
                applies_to: "*".into(),
                risk_levels: Vec::new(),
                on_timeout: TimeoutOutcome::Deny,
                rule: RuleForm::Budget(BudgetForm {
                    scope,
                    limit: limit.into(),
                    escalate_at_percent: if scope == BudgetScope::Action {
                        "100".into()
                    } else {
                        "90".into()
                    },
                    window_secs: window.into(),
                    overrides: Vec::new(),
                }),
            },
        );
        Ok(name)
    }

    /// Adds a change-window policy: production changes (parameter
    /// `environment` is `production` or `prod`) on weekdays from 9 to 17,
    /// denied outside. Returns its name.
    pub fn add_change_window(&mut self) -> String {
        let name = self.unique_name("change_window");
        let config = PolicyConfig {
            name: name.clone(),
            description: "Production changes go out on weekdays from 9 to 17.".into(),
            applies_to: vec!["*".into()],
            priority: 275,
            enabled: true,
            rule: PolicyRule::ChangeWindow(ChangeWindowConfig::office_hours()),
            risk_levels: Vec::new(),
            on_timeout: TimeoutOutcome::Deny,
        };
        self.policies.push(PolicyEntry::from_config(&config));
        name
    }

    pub fn remove_policy(&mut self, name: &str) {
        self.policies.retain(|p| p.name != name);
    }
}

/// Puts a core validation error next to the form field it is about, in the
/// form's words: the field's label, the value, the problem.
pub fn place_error(config: &GovernanceConfig, error: &ConfigError) -> FormError {
    if let ConfigError::Risk(risk) = error {
        if let RiskField::Verbs(list) | RiskField::Verb(list, _) = risk.field() {
            let field = FormField::Verbs(*list);
            let full = risk.to_string();
            let problem = full
                .split_once(": ")
                .map_or(full.as_str(), |(_, problem)| problem);
            let message = format!("{}: {problem}", field.label());
            return FormError { field, message };
        }
    }
    let field = match error.path() {
        Some(FieldPath::Top("escalation_timeout_secs")) => FormField::EscalationTimeout,
        Some(FieldPath::Top(top)) => match *top {
            "triggers.repeated_violations.refusals" => FormField::Trigger(TriggerField::Refusals),
            "triggers.repeated_violations.within_secs" => {
                FormField::Trigger(TriggerField::RefusalsWithin)
            }
            "triggers.spend_anomaly.factor" => FormField::Trigger(TriggerField::Factor),
            "triggers.spend_anomaly.recent_secs" => FormField::Trigger(TriggerField::Recent),
            "triggers.spend_anomaly.baseline_secs" => FormField::Trigger(TriggerField::Baseline),
            "triggers.spend_anomaly.min_baseline" => FormField::Trigger(TriggerField::MinBaseline),
            "triggers.credential_leaks.hits" => FormField::Trigger(TriggerField::LeakHits),
            "triggers.credential_leaks.within_secs" => {
                FormField::Trigger(TriggerField::LeaksWithin)
            }
            "approval_fatigue.warn_above" => FormField::Trigger(TriggerField::FatigueWarnAbove),
            "approval_fatigue.window_secs" => FormField::Trigger(TriggerField::FatigueWindow),
            _ => FormField::Form,
        },
        Some(FieldPath::Policy { index, field }) => match config.policies.get(*index) {
            Some(policy) => FormField::Policy(policy.name.clone(), policy_part(policy, field)),
            None => FormField::Form,
        },
        Some(FieldPath::Actor) | None => FormField::Form,
    };
    let message = match (error, &field, error.path()) {
        (ConfigError::Invalid { value, problem, .. }, FormField::Form, Some(FieldPath::Actor)) => {
            format!("Your name (reviewer): {value} {problem}")
        }
        (ConfigError::Invalid { .. }, FormField::Form, _) => error.to_string(),
        (ConfigError::Invalid { value, problem, .. }, field, _) => {
            format!("{}: {value} {problem}", field.label())
        }
        _ => error.to_string(),
    };
    FormError { field, message }
}

fn policy_part(policy: &PolicyConfig, field: &PolicyField) -> PolicyPart {
    match field {
        PolicyField::Name => PolicyPart::Name,
        PolicyField::Description => PolicyPart::Description,
        PolicyField::Priority => PolicyPart::Priority,
        PolicyField::AppliesTo(_) => PolicyPart::AppliesTo,
        PolicyField::RiskLevels => PolicyPart::RiskLevels,
        PolicyField::Rule(name, entry) => match (&policy.rule, *name, entry) {
            (PolicyRule::Budget(_), budget::LIMIT, _) => PolicyPart::BudgetLimit,
            (PolicyRule::Budget(_), budget::ESCALATE_AT_PERCENT, _) => {
                PolicyPart::EscalateAtPercent
            }
            (PolicyRule::Budget(_), budget::WINDOW_SECS, _) => PolicyPart::BudgetWindow,
            (PolicyRule::Budget(_), budget::AGENT_LIMITS, Some(Entry::Key(agent))) => {
                PolicyPart::AgentLimit(agent.clone())
            }
            (PolicyRule::Budget(_), budget::AGENT_LIMITS, _) => PolicyPart::AgentLimits,
            (PolicyRule::RateLimit(_), rate_limit::MAX_ACTIONS, _) => PolicyPart::RateMax,
            (PolicyRule::RateLimit(_), rate_limit::WINDOW_SECS, _) => PolicyPart::RateWindow,
            (PolicyRule::SensitiveActions(_), sensitive_actions::BLOCKED, _) => PolicyPart::Blocked,
            (PolicyRule::SensitiveActions(_), sensitive_actions::APPROVAL_REQUIRED, _) => {
                PolicyPart::ApprovalRequired
            }
            (PolicyRule::ChangeWindow(_), change_window::PARAMETER, _) => PolicyPart::Parameter,
            (PolicyRule::ChangeWindow(_), change_window::VALUES, _) => PolicyPart::Values,
            (PolicyRule::ChangeWindow(_), change_window::WINDOWS, Some(Entry::Index(i))) => {
                PolicyPart::Window(*i)
            }
            (PolicyRule::ChangeWindow(_), change_window::WINDOWS, _) => PolicyPart::Windows,
            _ => PolicyPart::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_standard_parser_reads_them() {
        for text in [
            "0",
            "-0",
            "1",
            "+1",
            "1.",
            ".5",
            "0.1",
            "0.000001",
            "1.005",
            "100",
            "99.999999",
            "1e3",
            "2.5E-2",
            "1e22",
            "9007199254740992",
            "123456.789012",
            "0.3",
            "-12.75",
            "000123.4500",
            "1e-22",
            "4.35",
            "8.2",
        ] {
            assert_eq!(
                parse_number(text).map(f64::to_bits),
                Ok(text.parse::<f64>().unwrap().to_bits()),
                "{text}"
            );
        }
    }

    #[test]
    fn what_is_not_a_plain_decimal_is_refused_with_its_reason() {
        for text in [
            "", ".", "-", "1e", "e5", "1.2.3", "1,5", "NaN", "inf", "-inf", "0x10", " 1", "1e+-2",
            "\u{0661}",
        ] {
            assert_eq!(
                parse_number(text),
                Err(NumberProblem::NotANumber),
                "{text:?}"
            );
        }
        assert_eq!(
            parse_number("9007199254740993"),
            Err(NumberProblem::TooManyDigits)
        );
        assert_eq!(
            parse_number("0.12345678901234567"),
            Err(NumberProblem::TooManyDigits)
        );
        assert_eq!(parse_number("1e23"), Err(NumberProblem::OutOfRange));
        assert_eq!(parse_number("1e-23"), Err(NumberProblem::OutOfRange));
        assert_eq!(parse_number("1e9999999"), Err(NumberProblem::OutOfRange));
        // Trailing zeros are not significant digits, so a long round number reads.
        assert_eq!(parse_number("100000000000000000000"), Ok(1e20));
    }

    // proptest is a native dev-dependency only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_decimal_it_accepts_is_the_nearest_double(
            whole in 0u64..10_000_000_000,
            fraction in 0u64..1_000_000,
            places in 0usize..7,
            exponent in -25i32..25,
            negative in proptest::bool::ANY,
        ) {
            let sign = if negative { "-" } else { "" };
            let digits = format!("{fraction:06}");
            let text = format!("{sign}{whole}.{}e{exponent}", &digits[..places]);
            if let Ok(value) = parse_number(&text) {
                proptest::prop_assert_eq!(value.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{}", text);
            }
            // Fifteen significant digits or fewer always read.
            let plain = format!("{sign}{}.{}", whole % 1_000_000_000, &digits[..places]);
            proptest::prop_assert_eq!(
                parse_number(&plain).map(f64::to_bits),
                Ok(plain.parse::<f64>().unwrap().to_bits())
            );
        }
    }

    fn default_form() -> (GovernanceConfig, PolicyForm) {
        let config = GovernanceConfig::default();
        let form = PolicyForm::from_config(&config);
        (config, form)
    }

    fn field(name: &str, part: PolicyPart) -> FormField {
        FormField::Policy(name.into(), part)
    }

    fn budget_of<'a>(config: &'a GovernanceConfig, name: &str) -> &'a BudgetConfig {
        match &config.policy(name).unwrap().rule {
            PolicyRule::Budget(b) => b,
            other => panic!("{name} is not a budget: {other:?}"),
        }
    }

    /// The errors of an edit, field by field.
    fn errors(form: &PolicyForm, config: &GovernanceConfig) -> Vec<FormError> {
        form.to_config(config).unwrap_err()
    }

    #[test]
    fn each_kind_of_sensitive_data_can_be_denied_escalated_or_let_through() {
        let (config, mut form) = default_form();
        let entry = form.policy_mut("sensitive_data").unwrap();
        assert_eq!(entry.kind(), "sensitive_data");
        let data = entry.sensitive_data_mut().unwrap();
        assert_eq!(data.handling_of(DataKind::Email), DataHandling::Escalate);
        assert_eq!(data.handling_of(DataKind::Jwt), DataHandling::Deny);
        data.set(DataKind::Email, DataHandling::Deny);
        data.set(DataKind::Phone, DataHandling::Allow);
        data.set(DataKind::AwsAccessKey, DataHandling::Escalate);
        assert!(form.differs_from(&config));
        let summary = form.policy("sensitive_data").unwrap().summary();
        assert!(
            summary.starts_with("denies 8 and asks a human about 1 of the 10 kinds"),
            "{summary}"
        );
        let edited = form.to_config(&config).unwrap();
        let PolicyRule::SensitiveData(rule) = &edited.policy("sensitive_data").unwrap().rule else {
            panic!("sensitive_data changed kind");
        };
        assert_eq!(rule.escalate, vec![DataKind::AwsAccessKey]);
        assert!(rule.deny.contains(&DataKind::Email));
        assert!(
            !rule.deny.contains(&DataKind::Phone) && !rule.deny.contains(&DataKind::AwsAccessKey)
        );
        // What was applied reads back as the same form.
        assert_eq!(PolicyForm::from_config(&edited), form);
    }

    #[test]
    fn the_credential_leaks_trigger_is_edited_and_its_errors_placed() {
        let (config, mut form) = default_form();
        form.triggers.leaks_enabled = false;
        form.triggers.leaks_hits = "5".into();
        form.triggers.leaks_within_secs = "600".into();
        let edited = form.to_config(&config).unwrap();
        let leaks = &edited.triggers.credential_leaks;
        assert_eq!(
            (leaks.enabled, leaks.hits, leaks.within_secs),
            (false, 5, 600)
        );

        form.triggers.leaks_hits = "0".into();
        form.triggers.leaks_within_secs = "soon".into();
        let errors = errors(&form, &config);
        assert_eq!(
            errors_for(&errors, &FormField::Trigger(TriggerField::LeakHits)).as_deref(),
            Some("Requests carrying credentials: 0 must be between 1 and 100000")
        );
        assert_eq!(
            errors_for(&errors, &FormField::Trigger(TriggerField::LeaksWithin)).as_deref(),
            Some("Within (seconds): \"soon\" is not a number")
        );
    }

    #[test]
    fn the_risk_verb_lists_are_edited_and_their_errors_placed() {
        let (config, mut form) = default_form();
        assert!(parse_list(&form.high_verbs).contains(&"delete".to_owned()));
        form.high_verbs = with_entry(&form.high_verbs, " Zap ", ListKind::Verbs).unwrap();
        form.low_verbs = without_entry(&form.low_verbs, 0);
        let edited = form.to_config(&config).unwrap();
        assert_eq!(
            edited.risk.high_verbs.last().map(String::as_str),
            Some("zap")
        );
        assert_eq!(edited.risk.low_verbs[..], config.risk.low_verbs[1..]);
        assert_eq!(PolicyForm::from_config(&edited), form);

        let low = parse_list(&form.low_verbs)[0].clone();
        form.high_verbs = format!("{}, {low}", form.high_verbs);
        let errors = errors(&form, &config);
        let message = errors_for(&errors, &FormField::Verbs(VerbList::High)).unwrap();
        assert!(
            message.starts_with(&format!("High verbs: \"{low}\" is also a low verb")),
            "{message}"
        );
    }

    #[test]
    fn the_default_configuration_round_trips_through_the_form_exactly() {
        let (config, form) = default_form();
        assert_eq!(form.to_config(&config).unwrap(), config);
        assert!(!form.differs_from(&config));
        let tiers: Vec<(&str, BudgetScope, &str, &str)> = form
            .policies
            .iter()
            .filter_map(|p| {
                let b = p.budget()?;
                Some((
                    p.name.as_str(),
                    b.scope,
                    b.limit.as_str(),
                    b.window_secs.as_str(),
                ))
            })
            .collect();
        assert_eq!(
            tiers,
            [
                ("action_cap", BudgetScope::Action, "1", ""),
                ("agent_budget", BudgetScope::Agent, "10", "3600"),
                ("budget", BudgetScope::System, "100", "86400"),
            ]
        );
        let rate = form.policy("rate_limit").unwrap();
        assert_eq!(rate.risk_levels, [RiskLevel::Medium, RiskLevel::High]);
        assert_eq!(rate.applies_to, "");
        assert_eq!(
            form.policy("sensitive_actions")
                .unwrap()
                .sensitive()
                .unwrap()
                .blocked,
            "deploy, shell_exec, read_secrets"
        );
    }

    #[test]
    fn a_configuration_using_every_kind_and_setting_round_trips() {
        let mut config = GovernanceConfig::default();
        let mut form = PolicyForm::from_config(&config);
        form.add_change_window();
        config = form.to_config(&config).unwrap();
        let agent = config.policy_mut("agent_budget").unwrap();
        agent.on_timeout = TimeoutOutcome::Allow;
        agent.risk_levels = vec![RiskLevel::High, RiskLevel::Low];
        if let PolicyRule::Budget(b) = &mut agent.rule {
            b.agent_limits.insert("vip".into(), 25.5);
            b.agent_limits.insert("intern".into(), 0.25);
        }
        config.triggers.spend_anomaly.enabled = true;
        config.triggers.spend_anomaly.scope = AnomalyScope::Agent;
        config.triggers.spend_anomaly.factor = 2.5;
        config.escalation_timeout_secs = 0.5;
        config.validate().unwrap();
        let form = PolicyForm::from_config(&config);
        assert_eq!(form.to_config(&config).unwrap(), config);
    }

    #[test]
    fn what_the_form_does_not_edit_comes_from_the_configuration_in_force() {
        let (config, form) = default_form();
        let mut in_force = config.clone();
        in_force.risk.default_level = RiskLevel::High;
        let applied = form.to_config(&in_force).unwrap();
        assert_eq!(applied.risk, in_force.risk);
        assert_eq!(applied.policies, config.policies);
    }

    #[test]
    fn editing_a_tier_its_window_and_its_overrides_lands_in_the_configuration() {
        let (config, mut form) = default_form();
        let tier = form
            .policy_mut("agent_budget")
            .unwrap()
            .budget_mut()
            .unwrap();
        tier.limit = " 5 ".into();
        tier.escalate_at_percent = "80".into();
        tier.window_secs = "7200".into();
        tier.add_override("vip", "20").unwrap();
        tier.add_override(" analyst ", "7.5").unwrap();
        assert_eq!(
            tier.add_override("vip", "1"),
            Err("vip already has its own limit".into())
        );
        assert!(tier.add_override("  ", "1").is_err());
        let agents: Vec<&str> = tier.overrides.iter().map(|o| o.agent.as_str()).collect();
        assert_eq!(
            agents,
            ["analyst", "vip"],
            "kept in the configuration's order"
        );
        let edited = form.to_config(&config).unwrap();
        let budget = budget_of(&edited, "agent_budget");
        assert_eq!(budget.limit, 5.0);
        assert_eq!(budget.escalate_at_percent, 80.0);
        assert_eq!(budget.window_secs, Some(7_200));
        assert_eq!(
            budget.agent_limits,
            BTreeMap::from([("analyst".into(), 7.5), ("vip".into(), 20.0)])
        );

        let mut form = PolicyForm::from_config(&edited);
        let tier = form
            .policy_mut("agent_budget")
            .unwrap()
            .budget_mut()
            .unwrap();
        tier.remove_override("vip");
        tier.window_secs = " ".into();
        let edited = form.to_config(&edited).unwrap();
        let budget = budget_of(&edited, "agent_budget");
        assert_eq!(budget.window_secs, None, "blank: never resets");
        assert_eq!(budget.agent_limits.len(), 1);
    }

    #[test]
    fn choosing_a_per_action_scope_clears_the_window() {
        let (config, mut form) = default_form();
        let tier = form.policy_mut("budget").unwrap().budget_mut().unwrap();
        tier.set_scope(BudgetScope::Action);
        assert_eq!(tier.window_secs, "");
        let edited = form.to_config(&config).unwrap();
        assert_eq!(budget_of(&edited, "budget").scope, BudgetScope::Action);
        assert_eq!(budget_of(&edited, "budget").window_secs, None);
    }

    #[test]
    fn a_tier_is_added_after_the_others_and_removed() {
        let (config, mut form) = default_form();
        let name = form.add_budget_tier("", BudgetScope::System).unwrap();
        assert_eq!(name, "budget_tier");
        assert_eq!(
            form.add_budget_tier("", BudgetScope::Agent).unwrap(),
            "budget_tier_2"
        );
        assert_eq!(
            form.add_budget_tier(" weekly ", BudgetScope::System),
            Ok("weekly".into())
        );
        assert_eq!(
            form.add_budget_tier("budget", BudgetScope::System),
            Err("Tier name: budget is used by another policy".into())
        );
        assert!(form.add_budget_tier("#x", BudgetScope::System).is_err());
        let names: Vec<&str> = form.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "sensitive_actions",
                "high_risk_review",
                "rate_limit",
                "action_cap",
                "agent_budget",
                "budget",
                "budget_tier",
                "budget_tier_2",
                "weekly",
                "sensitive_data"
            ]
        );
        form.policy_mut("weekly")
            .unwrap()
            .budget_mut()
            .unwrap()
            .window_secs = "604800".into();
        let edited = form.to_config(&config).unwrap();
        let weekly = edited.policy("weekly").unwrap();
        assert_eq!(weekly.applies_to, ["*"]);
        assert!(weekly.priority < 100, "judged after the existing tiers");
        assert_eq!(
            *budget_of(&edited, "weekly"),
            BudgetConfig {
                window_secs: Some(604_800),
                ..BudgetConfig::system(100.0, 90.0)
            }
        );
        assert_eq!(
            budget_of(&edited, "budget_tier_2").scope,
            BudgetScope::Agent
        );

        let mut form = PolicyForm::from_config(&edited);
        form.remove_policy("weekly");
        form.remove_policy("budget_tier");
        form.remove_policy("budget_tier_2");
        assert_eq!(form.to_config(&edited).unwrap(), config);
    }

    #[test]
    fn rate_limits_take_a_scope() {
        let (config, mut form) = default_form();
        let rate = form
            .policy_mut("rate_limit")
            .unwrap()
            .rate_limit_mut()
            .unwrap();
        rate.scope = RateScope::System;
        rate.max_actions = "1000".into();
        let edited = form.to_config(&config).unwrap();
        assert_eq!(
            edited.policy("rate_limit").unwrap().rule,
            PolicyRule::RateLimit(RateLimitConfig {
                scope: RateScope::System,
                max_actions: 1_000,
                window_secs: 3_600.0
            })
        );
    }

    #[test]
    fn coverage_risk_levels_and_timeout_outcome_land_in_the_policy() {
        let (config, mut form) = default_form();
        let policy = form.policy_mut("sensitive_actions").unwrap();
        policy.applies_to = without_entry(&policy.applies_to, 0);
        policy.applies_to = with_entry(&policy.applies_to, "Email", ListKind::Covers).unwrap();
        policy.set_risk_level(RiskLevel::High, true);
        policy.set_risk_level(RiskLevel::Low, true);
        policy.set_risk_level(RiskLevel::Low, false);
        policy.on_timeout = TimeoutOutcome::Allow;
        form.policy_mut("rate_limit").unwrap().enabled = false;
        form.policy_mut("budget").unwrap().priority = "900".into();
        let edited = form.to_config(&config).unwrap();
        let policy = edited.policy("sensitive_actions").unwrap();
        assert_eq!(policy.applies_to, ["email"]);
        assert_eq!(policy.risk_levels, [RiskLevel::High]);
        assert_eq!(policy.on_timeout, TimeoutOutcome::Allow);
        assert!(!edited.policy("rate_limit").unwrap().enabled);
        assert_eq!(edited.policy("budget").unwrap().priority, 900);
        assert!(form.differs_from(&config));
    }

    #[test]
    fn allowing_on_timeout_is_called_risky() {
        assert_eq!(timeout_warning(TimeoutOutcome::Deny), None);
        assert!(timeout_warning(TimeoutOutcome::Allow)
            .unwrap()
            .starts_with("Allow on timeout: silence approves — risky"));
        assert_eq!(
            choose(&TIMEOUT_OUTCOMES, "allow"),
            Some(TimeoutOutcome::Allow)
        );
        assert!(TIMEOUT_OUTCOMES[1].label.contains("risky"));
    }

    #[test]
    fn a_change_window_is_added_with_office_hours_and_edited() {
        let (config, mut form) = default_form();
        let name = form.add_change_window();
        assert_eq!(name, "change_window");
        assert_eq!(form.add_change_window(), "change_window_2");
        form.remove_policy("change_window_2");
        let edited = form.to_config(&config).unwrap();
        assert_eq!(
            edited.policy("change_window").unwrap().rule,
            PolicyRule::ChangeWindow(ChangeWindowConfig::office_hours())
        );

        let mut form = PolicyForm::from_config(&edited);
        let window = form
            .policy_mut("change_window")
            .unwrap()
            .change_window_mut()
            .unwrap();
        window.parameter = "target".into();
        window.values = with_entry(&window.values, "Live", ListKind::Values).unwrap();
        window.outside = Outside::Escalate;
        window.windows[0].set_day(Weekday::Fri, false);
        window.windows[0].end_hour = "12".into();
        window.add_window();
        window.windows[1].days = vec![Weekday::Sat];
        window.windows[1].set_day(Weekday::Mon, true);
        let edited = form.to_config(&edited).unwrap();
        assert_eq!(
            edited.policy("change_window").unwrap().rule,
            PolicyRule::ChangeWindow(ChangeWindowConfig {
                parameter: "target".into(),
                values: vec!["production".into(), "prod".into(), "live".into()],
                windows: vec![
                    ChangeWindow {
                        days: Weekday::ALL[..4].to_vec(),
                        start_hour: 9,
                        end_hour: 12
                    },
                    ChangeWindow {
                        days: vec![Weekday::Mon, Weekday::Sat],
                        start_hour: 9,
                        end_hour: 17
                    },
                ],
                outside: Outside::Escalate,
            })
        );
        let mut form = PolicyForm::from_config(&edited);
        form.policy_mut("change_window")
            .unwrap()
            .change_window_mut()
            .unwrap()
            .remove_window(0);
        let edited = form.to_config(&edited).unwrap();
        assert!(matches!(
            &edited.policy("change_window").unwrap().rule,
            PolicyRule::ChangeWindow(c) if c.windows.len() == 1
        ));
    }

    #[test]
    fn triggers_and_approval_fatigue_are_edited() {
        let (config, mut form) = default_form();
        form.triggers.repeated_enabled = false;
        form.triggers.repeated_refusals = "5".into();
        form.triggers.repeated_within_secs = "60".into();
        form.triggers.anomaly_enabled = true;
        form.triggers.anomaly_factor = "3.5".into();
        form.triggers.anomaly_recent_secs = "120".into();
        form.triggers.anomaly_baseline_secs = "7200".into();
        form.triggers.anomaly_min_baseline = "2.5".into();
        form.triggers.anomaly_scope = AnomalyScope::Agent;
        form.fatigue_warn_above = "12".into();
        form.fatigue_window_secs = "600".into();
        let edited = form.to_config(&config).unwrap();
        assert_eq!(
            edited.triggers.repeated_violations,
            RepeatedViolations {
                enabled: false,
                refusals: 5,
                within_secs: 60
            }
        );
        assert_eq!(
            edited.triggers.spend_anomaly,
            SpendAnomaly {
                enabled: true,
                factor: 3.5,
                recent_secs: 120,
                baseline_secs: 7_200,
                min_baseline: 2.5,
                scope: AnomalyScope::Agent
            }
        );
        assert_eq!(
            edited.approval_fatigue,
            ApprovalFatigue {
                window_secs: 600,
                warn_above: 12
            }
        );
    }

    #[test]
    fn list_fields_gain_and_lose_entries() {
        let add = |text, entry| with_entry(text, entry, ListKind::ActionTypes).unwrap();
        assert_eq!(
            add("deploy, shell_exec", " wire_transfer "),
            "deploy, shell_exec, wire_transfer"
        );
        assert_eq!(add("", "deploy"), "deploy");
        assert_eq!(add("deploy", "  "), "deploy");
        assert_eq!(without_entry("deploy, shell_exec, x", 1), "deploy, x");
        assert_eq!(without_entry("deploy", 5), "deploy");
        assert_eq!(list_entries(""), Vec::<String>::new());
        assert_eq!(add("shell_exec", "Deploy"), "shell_exec, deploy");
        assert_eq!(add("", "  DB_Write "), "db_write");
    }

    #[test]
    fn a_list_entry_is_checked_when_it_is_added() {
        let refused = |text: &str, entry: &str, kind| with_entry(text, entry, kind).unwrap_err();
        use ListKind::*;
        assert_eq!(
            refused("deploy", "Deploy", ActionTypes),
            "\"deploy\" is already listed"
        );
        assert_eq!(
            refused("", "send money", ActionTypes),
            "\"send money\" must not contain spaces"
        );
        let long = "x".repeat(300);
        assert!(
            refused("", &long, ActionTypes).ends_with("is 300 characters long; the limit is 64"),
            "{}",
            refused("", &long, ActionTypes)
        );
        assert_eq!(
            refused("", "send_money", Verbs),
            "\"send_money\" is not one word: a verb has no _.:/-"
        );
        assert!(refused("", "*", ActionTypes).contains("'*'"));
        assert_eq!(with_entry("", "*", Covers).as_deref(), Ok("*"));
        assert!(refused("email", "*", Covers).starts_with("* covers every action type"));
        assert!(refused("*", "email", Covers).starts_with("* already covers"));
        assert_eq!(
            with_entry("prod", "Live", Values).as_deref(),
            Ok("prod, live")
        );
        assert!(refused("", "a\u{202e}b", Values).contains("invisible"));
        assert!(refused("", "a\u{7}b", Values).contains("control character"));
        // A comma would split the list: one entry at a time.
        for (text, entry, kind) in [
            ("", "eu,west", Values),
            ("prod", "prod,prod", Values),
            ("", "a,", ActionTypes),
        ] {
            assert!(
                refused(text, entry, kind).contains("must not contain a comma"),
                "{entry}"
            );
        }
        // Values are checked as the core checks them: "#live" is a value.
        assert_eq!(
            with_entry("prod", "#live", Values).as_deref(),
            Ok("prod, #live")
        );
        assert!(refused("", &"v".repeat(65), Values).contains("the limit is 64"));
        let full = (0..MAX_LIST_LEN)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(
            refused(&full, "one_more", ActionTypes),
            "holds at most 100 entries"
        );
        assert!(with_entry(&full, "t99", ActionTypes)
            .unwrap_err()
            .ends_with("already listed"));
    }

    #[test]
    fn the_conflict_strategy_is_read_and_written() {
        let (config, mut form) = default_form();
        assert_eq!(form.conflict_strategy, ConflictStrategy::DenyOverrides);
        form.conflict_strategy = ConflictStrategy::FirstApplicable;
        let edited = form.to_config(&config).unwrap();
        let mut expected = config.clone();
        expected.conflict_strategy = ConflictStrategy::FirstApplicable;
        assert_eq!(edited, expected, "only the strategy changed");
        assert_eq!(
            PolicyForm::from_config(&edited).conflict_strategy,
            ConflictStrategy::FirstApplicable
        );
    }

    #[test]
    fn text_that_is_not_a_number_is_caught_naming_the_field() {
        let (config, mut form) = default_form();
        form.policy_mut("budget")
            .unwrap()
            .budget_mut()
            .unwrap()
            .limit = "lots".into();
        form.triggers.repeated_refusals = "2.5".into();
        form.fatigue_warn_above = "-3".into();
        form.policy_mut("action_cap").unwrap().priority = "high".into();
        assert_eq!(
            errors(&form, &config),
            [
                FormError {
                    field: field("action_cap", PolicyPart::Priority),
                    message: "Priority: \"high\" is not a number".into()
                },
                FormError {
                    field: field("budget", PolicyPart::BudgetLimit),
                    message: "Limit: \"lots\" is not a number".into()
                },
                FormError {
                    field: FormField::Trigger(TriggerField::Refusals),
                    message: "Refusals: 2.5 is not a whole number".into()
                },
                FormError {
                    field: FormField::Trigger(TriggerField::FatigueWarnAbove),
                    message: "Warn above (approvals): -3 must not be negative".into()
                },
            ]
        );
    }

    #[test]
    fn every_error_of_a_multi_error_edit_is_placed_beside_its_field() {
        let (config, mut form) = default_form();
        form.escalation_timeout_secs = "NaN".into();
        let tier = form
            .policy_mut("agent_budget")
            .unwrap()
            .budget_mut()
            .unwrap();
        tier.limit = "-5".into();
        tier.escalate_at_percent = "0".into();
        tier.add_override("vip", "-1").unwrap();
        tier.add_override("spender", "a lot").unwrap();
        let rate = form
            .policy_mut("rate_limit")
            .unwrap()
            .rate_limit_mut()
            .unwrap();
        rate.window_secs = "soon".into();
        rate.max_actions = "0".into();
        let sensitive = form.policy_mut("sensitive_actions").unwrap();
        sensitive.sensitive_mut().unwrap().approval_required = "deploy".into();
        sensitive.applies_to = "*, email".into();
        form.policy_mut("high_risk_review")
            .unwrap()
            .risk_levels
            .clear();
        form.add_change_window();
        let window = form
            .policy_mut("change_window")
            .unwrap()
            .change_window_mut()
            .unwrap();
        window.parameter = " ".into();
        window.values.clear();
        window.windows[0].end_hour = "8".into();
        window.add_window();
        window.windows[1].days.clear();
        form.triggers.anomaly_factor = "0.5".into();
        form.triggers.anomaly_min_baseline = "0".into();
        form.fatigue_window_secs = "0".into();
        form.policy_mut("budget").unwrap().priority = "2000000".into();
        let mut fields: Vec<FormField> = errors(&form, &config)
            .into_iter()
            .map(|e| {
                assert!(!e.message.contains("policies["), "{}", e.message);
                e.field
            })
            .collect();
        fields.sort_by_key(|f| format!("{f:?}"));
        let mut expected = vec![
            FormField::EscalationTimeout,
            field("agent_budget", PolicyPart::BudgetLimit),
            field("agent_budget", PolicyPart::EscalateAtPercent),
            field("agent_budget", PolicyPart::AgentLimit("vip".into())),
            field("agent_budget", PolicyPart::AgentLimit("spender".into())),
            field("rate_limit", PolicyPart::RateWindow),
            field("rate_limit", PolicyPart::RateMax),
            field("sensitive_actions", PolicyPart::ApprovalRequired),
            field("sensitive_actions", PolicyPart::AppliesTo),
            field("high_risk_review", PolicyPart::AppliesTo),
            field("change_window", PolicyPart::Parameter),
            field("change_window", PolicyPart::Values),
            field("change_window", PolicyPart::Window(0)),
            field("change_window", PolicyPart::Window(1)),
            FormField::Trigger(TriggerField::Factor),
            FormField::Trigger(TriggerField::MinBaseline),
            FormField::Trigger(TriggerField::FatigueWindow),
            field("budget", PolicyPart::Priority),
        ];
        expected.sort_by_key(|f| format!("{f:?}"));
        assert_eq!(fields, expected);
    }

    #[test]
    fn core_messages_name_the_field_as_the_form_labels_it() {
        let (config, mut form) = default_form();
        form.policy_mut("budget")
            .unwrap()
            .budget_mut()
            .unwrap()
            .limit = "-5".into();
        form.policy_mut("action_cap")
            .unwrap()
            .budget_mut()
            .unwrap()
            .window_secs = "60".into();
        form.triggers.repeated_refusals = "0".into();
        let errors = errors(&form, &config);
        assert_eq!(
            errors_for(&errors, &field("budget", PolicyPart::BudgetLimit)).as_deref(),
            Some("Limit: -5 must not be negative")
        );
        assert_eq!(
            errors_for(&errors, &field("action_cap", PolicyPart::BudgetWindow)).as_deref(),
            Some("Window (seconds): 60 does not apply to a per-action cap, which has no window")
        );
        assert_eq!(
            errors_for(&errors, &FormField::Trigger(TriggerField::Refusals)).as_deref(),
            Some("Refusals: 0 must be between 1 and 100000")
        );
        assert!(policy_has_errors(&errors, "budget"));
        assert!(!policy_has_errors(&errors, "rate_limit"));
        assert_eq!(
            problems_summary(errors.len()),
            "Nothing was applied: 3 problems, each shown beside its field."
        );
    }

    #[test]
    fn a_list_entry_the_core_rejects_lands_at_its_list() {
        let (config, mut form) = default_form();
        let sensitive = form
            .policy_mut("sensitive_actions")
            .unwrap()
            .sensitive_mut()
            .unwrap();
        sensitive.blocked = format!("{}, wire transfer", sensitive.blocked);
        let errors = errors(&form, &config);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].field,
            field("sensitive_actions", PolicyPart::Blocked)
        );
        assert!(errors[0].message.contains("must not contain spaces"));
    }

    #[test]
    fn windows_and_summaries_read_in_words() {
        assert_eq!(window_words(""), "never resets");
        assert_eq!(window_words("3600"), "hourly");
        assert_eq!(window_words(" 86400 "), "daily");
        assert_eq!(window_words("604800"), "weekly");
        assert_eq!(window_words("7200"), "every 2 hours");
        assert_eq!(window_words("172800"), "every 2 days");
        assert_eq!(window_words("900"), "every 15 minutes");
        assert_eq!(window_words("90"), "every 90 seconds");
        assert_eq!(window_words("soon"), "");
        let (_, form) = default_form();
        assert_eq!(
            form.policy("agent_budget").unwrap().summary(),
            "per agent: limit 10, hourly, escalate above 90 %; covers all action types"
        );
        assert_eq!(
            form.policy("action_cap").unwrap().summary(),
            "per action: limit 1, escalate above 100 %; covers all action types"
        );
        assert_eq!(
            form.policy("rate_limit").unwrap().summary(),
            "per agent: 500 actions in 3600 s; covers medium and high risk"
        );
        assert_eq!(
            form.policy("high_risk_review").unwrap().summary(),
            "sends every request it covers to a human; covers high risk"
        );
    }

    #[test]
    fn the_rate_limit_never_escalates_so_its_timeout_is_not_offered() {
        let (_, form) = default_form();
        assert!(!form.policy("rate_limit").unwrap().can_escalate());
        assert!(form.policy("budget").unwrap().can_escalate());
        assert!(form.policy("budget").unwrap().removable());
        assert!(!form.policy("sensitive_actions").unwrap().removable());
    }
}
