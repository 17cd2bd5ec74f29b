//! Why a configuration cannot be applied, and where: every error carries a
//! typed path to the field it is about, which a form places without parsing
//! text, and reads as `policies[2].rule.limit` in messages.

use std::fmt;
use thiserror::Error;

/// A field of a policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PolicyField {
    Name,
    Description,
    Priority,
    /// The list, or one entry of it.
    AppliesTo(Option<usize>),
    RiskLevels,
    /// A field of the policy's rule, named by the rule kind's own constant,
    /// or one entry of it.
    Rule(&'static str, Option<Entry>),
}

/// An entry of a list (by position) or of a map (by key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    Index(usize),
    Key(String),
}

/// Where in a configuration a problem is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldPath {
    /// A top-level field: `version`, `escalation_timeout_secs`, `policies` …
    Top(&'static str),
    Policy {
        index: usize,
        field: PolicyField,
    },
    /// Not a field of the configuration: who applies it.
    Actor,
}

impl FieldPath {
    pub fn policy(index: usize, field: PolicyField) -> FieldPath {
        FieldPath::Policy { index, field }
    }

    pub fn rule(index: usize, name: &'static str) -> FieldPath {
        FieldPath::policy(index, PolicyField::Rule(name, None))
    }

    pub fn rule_entry(index: usize, name: &'static str, entry: Entry) -> FieldPath {
        FieldPath::policy(index, PolicyField::Rule(name, Some(entry)))
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Index(i) => write!(f, "[{i}]"),
            Entry::Key(key) => write!(f, "[{}]", crate::governance::names::quoted(key)),
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldPath::Top(name) => f.write_str(name),
            FieldPath::Actor => f.write_str("actor"),
            FieldPath::Policy { index, field } => {
                write!(f, "policies[{index}].")?;
                match field {
                    PolicyField::Name => f.write_str("name"),
                    PolicyField::Description => f.write_str("description"),
                    PolicyField::Priority => f.write_str("priority"),
                    PolicyField::AppliesTo(None) => f.write_str("applies_to"),
                    PolicyField::AppliesTo(Some(i)) => write!(f, "applies_to[{i}]"),
                    PolicyField::RiskLevels => f.write_str("risk_levels"),
                    PolicyField::Rule(name, None) => write!(f, "rule.{name}"),
                    PolicyField::Rule(name, Some(entry)) => write!(f, "rule.{name}{entry}"),
                }
            }
        }
    }
}

/// A configuration that cannot be applied, naming the field and what is wrong.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("version: {found} is not supported; this build reads versions 1 to {supported}")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("{path}: {value} {problem}")]
    Invalid {
        path: FieldPath,
        /// The offending value as the message shows it.
        value: String,
        problem: String,
    },
    #[error("the configuration is not valid JSON for this format: {0}")]
    Unreadable(String),
    /// The risk section, with its own paths (`risk.levels["x"]`).
    #[error("{0}")]
    Risk(super::risk::RiskConfigError),
}

static RISK_PATH: FieldPath = FieldPath::Top("risk");

impl ConfigError {
    pub fn invalid(path: FieldPath, value: impl ToString, problem: impl ToString) -> ConfigError {
        ConfigError::Invalid {
            path,
            value: value.to_string(),
            problem: problem.to_string(),
        }
    }

    /// The field the error is about, for showing the message beside it.
    pub fn path(&self) -> Option<&FieldPath> {
        match self {
            ConfigError::UnsupportedVersion { .. } => None,
            ConfigError::Invalid { path, .. } => Some(path),
            ConfigError::Unreadable(_) => None,
            ConfigError::Risk(_) => Some(&RISK_PATH),
        }
    }

    /// The field as text (`policies[2].rule.limit`); empty when the error is
    /// about the whole document.
    pub fn field(&self) -> String {
        match self {
            ConfigError::UnsupportedVersion { .. } => "version".into(),
            ConfigError::Invalid { path, .. } => path.to_string(),
            ConfigError::Unreadable(_) => String::new(),
            ConfigError::Risk(error) => error.field().to_string(),
        }
    }
}

/// Collects every problem of a configuration, so a form can show them all.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<ConfigError>);

impl Problems {
    pub fn add(&mut self, path: FieldPath, value: impl ToString, problem: impl ToString) {
        self.0.push(ConfigError::invalid(path, value, problem));
    }
}

// ---- the checks rule kinds and the configuration share ----

use super::money::{Money, MoneyError};
use super::names::{canonical_action_type, canonical_name, quoted};

/// Entries in one list of action types or names.
pub const MAX_LIST_LEN: usize = 100;

/// A number as people write it, as Rust's `Display` writes an `f64`: the
/// shortest digits that read back as the same value, in plain decimal
/// (`100`, `0.1`, `-5`, `0.0000004`, `NaN`, `inf`). (Where two 17-digit
/// texts read back the same, the last digit may differ from `Display`'s.)
/// Errors, reasons and the policy form show numbers this way. The digits
/// come from serde_json's float printer, which the build has for writing
/// JSON anyway, so core's float formatting and its tables stay out of the
/// browser build.
pub fn number_text(value: f64) -> String {
    let Some(number) = serde_json::Number::from_f64(value) else {
        return if value.is_nan() {
            "NaN".to_owned()
        } else if value > 0.0 {
            "inf".to_owned()
        } else {
            "-inf".to_owned()
        };
    };
    let text = number.to_string();
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    // "1.5e-7" or "1e20": the digits, and where the point goes.
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let point = whole.len() as i32 + exponent;
    let plain = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    // "100.0" is written "100": a fraction of zeros only is no fraction.
    let plain = match plain.split_once('.') {
        Some((a, b)) if b.bytes().all(|c| c == b'0') => a.to_owned(),
        _ => plain,
    };
    format!("{sign}{plain}")
}

/// An amount of money; `Some` when it is one.
pub fn check_amount(problems: &mut Problems, path: FieldPath, value: f64) -> Option<Money> {
    Money::from_f64(value)
        .map_err(|error| {
            let problem = match error {
                MoneyError::NotFinite(_) => "is not a finite number",
                MoneyError::Negative(_) => "must not be negative",
                MoneyError::TooLarge(_) => "is larger than 1000000000",
                MoneyError::TooPrecise(_) => {
                    "has more than 6 decimal places (the smallest amount is 0.000001)"
                }
            };
            problems.add(path, number_text(value), problem)
        })
        .ok()
}

/// A percentage above 0 and at most 100.
pub fn check_percent(problems: &mut Problems, path: FieldPath, percent: f64) {
    if !percent.is_finite() || percent <= 0.0 || percent > 100.0 {
        problems.add(
            path,
            number_text(percent),
            "must be more than 0 and at most 100",
        );
    }
}

/// A duration in seconds, from a millisecond to `max`.
pub fn check_seconds(problems: &mut Problems, path: FieldPath, value: f64, max: f64) {
    let shown = number_text(value);
    if !value.is_finite() {
        problems.add(path, shown, "is not a finite number");
    } else if value < 0.001 {
        problems.add(path, shown, "must be at least 0.001 seconds");
    } else if value > max {
        let max = number_text(max);
        problems.add(path, shown, format!("is longer than {max} seconds"));
    }
}

/// A list of action types: at most [`MAX_LIST_LEN`] entries, each in its
/// canonical spelling, none twice. With `allow_all`, `"*"` may stand alone.
/// `entry` builds the path of one entry (`None`: the list itself).
pub fn check_action_types(
    problems: &mut Problems,
    entry: impl Fn(Option<usize>) -> FieldPath,
    types: &[String],
    allow_all: bool,
) {
    if types.len() > MAX_LIST_LEN {
        problems.add(
            entry(None),
            format!("({} entries)", types.len()),
            format!("has more than {MAX_LIST_LEN} entries"),
        );
        return;
    }
    let mut seen = super::fast_hash::FastSet::default();
    for (i, name) in types.iter().enumerate() {
        if allow_all && name == "*" {
            if types.len() > 1 {
                problems.add(
                    entry(Some(i)),
                    quoted(name),
                    "covers every action type; list it alone",
                );
            }
            continue;
        }
        match canonical_action_type(name) {
            Err(problem) => problems.add(entry(Some(i)), quoted(name), problem),
            Ok(canonical) if canonical != name.as_str() => problems.add(
                entry(Some(i)),
                quoted(name),
                format!("must be written {}", quoted(&canonical)),
            ),
            Ok(_) if !seen.insert(name.as_str()) => {
                problems.add(entry(Some(i)), quoted(name), "is listed twice")
            }
            Ok(_) => {}
        }
    }
}

/// A name (agent, policy) in its canonical spelling.
pub fn check_name(problems: &mut Problems, path: FieldPath, name: &str) {
    match canonical_name(name) {
        Err(problem) => problems.add(path, quoted(name), problem),
        Ok(trimmed) if trimmed != name => {
            problems.add(path, quoted(name), "must not start or end with spaces")
        }
        Ok(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_rust_writes_them() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -5.0,
            0.1,
            100.0,
            1e15,
            1e16,
            1e20,
            1.5e300,
            4e-7,
            1.25e-5,
            0.000001,
            123456.789,
            -0.0000004,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            99999999999.0,
        ] {
            assert_eq!(number_text(x), format!("{x}"), "{x:e}");
        }
        // Random bit patterns, small and huge: plain decimal that reads back
        // as the same value, as long as Rust's, and the same text whenever
        // it has up to 15 significant digits, as every valid amount has.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            let text = number_text(x);
            if x.is_nan() {
                assert_eq!(text, "NaN");
                continue;
            }
            let rust = format!("{x}");
            assert_eq!(text.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{x:e}");
            assert_eq!(text.len(), rust.len(), "{x:e}");
            let digits = format!("{x:e}")
                .split('e')
                .next()
                .unwrap()
                .replace(['.', '-'], "")
                .len();
            if digits <= 15 {
                assert_eq!(text, rust, "{x:e}");
            }
            let amount = ((state >> 12) % 1_000_000_000_000_000) as f64 / 1e6;
            assert_eq!(number_text(amount), format!("{amount}"), "{amount:e}");
        }
    }

    fn messages(check: impl FnOnce(&mut Problems)) -> Vec<String> {
        let mut problems = Problems::default();
        check(&mut problems);
        problems.0.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn durations_are_checked_at_both_ends_inclusively() {
        let at = || FieldPath::Top("t");
        assert!(messages(|p| check_seconds(p, at(), 0.001, 60.0)).is_empty());
        assert!(messages(|p| check_seconds(p, at(), 60.0, 60.0)).is_empty());
        assert_eq!(
            messages(|p| check_seconds(p, at(), 0.0009, 60.0)),
            ["t: 0.0009 must be at least 0.001 seconds"]
        );
        assert_eq!(
            messages(|p| check_seconds(p, at(), 60.001, 60.0)),
            ["t: 60.001 is longer than 60 seconds"]
        );
        assert_eq!(
            messages(|p| check_seconds(p, at(), f64::INFINITY, 60.0)),
            ["t: inf is not a finite number"]
        );
    }

    #[test]
    fn lists_may_hold_exactly_the_maximum() {
        let path = |i: Option<usize>| match i {
            Some(i) => FieldPath::rule_entry(0, "blocked", Entry::Index(i)),
            None => FieldPath::rule(0, "blocked"),
        };
        let full: Vec<String> = (0..MAX_LIST_LEN).map(|n| format!("t{n}")).collect();
        assert!(messages(|p| check_action_types(p, path, &full, false)).is_empty());
        let over: Vec<String> = (0..=MAX_LIST_LEN).map(|n| format!("t{n}")).collect();
        assert_eq!(
            messages(|p| check_action_types(p, path, &over, false)),
            ["policies[0].rule.blocked: (101 entries) has more than 100 entries"]
        );
        assert_eq!(
            messages(|p| check_action_types(p, path, &["*".into()], false)),
            ["policies[0].rule.blocked[0]: \"*\" must not contain '*' (action types use letters a-z, digits and _.:/-)"]
        );
    }

    #[test]
    fn paths_read_as_the_json_they_point_into() {
        assert_eq!(
            FieldPath::Top("escalation_timeout_secs").to_string(),
            "escalation_timeout_secs"
        );
        assert_eq!(
            FieldPath::rule(2, "limit").to_string(),
            "policies[2].rule.limit"
        );
        assert_eq!(
            FieldPath::rule_entry(0, "blocked", Entry::Index(3)).to_string(),
            "policies[0].rule.blocked[3]"
        );
        assert_eq!(
            FieldPath::rule_entry(1, "agent_limits", Entry::Key("agent-7".into())).to_string(),
            "policies[1].rule.agent_limits[\"agent-7\"]"
        );
        assert_eq!(
            FieldPath::policy(4, PolicyField::AppliesTo(Some(1))).to_string(),
            "policies[4].applies_to[1]"
        );
        assert_eq!(
            FieldPath::policy(4, PolicyField::Priority).to_string(),
            "policies[4].priority"
        );
    }
}
