//! Change windows: requests that target production go out only at agreed
//! times.
//!
//! A request targets production when its top-level parameter `parameter`
//! (default `environment`) is a string equal, ignoring ASCII case and surrounding
//! spaces, to one of `values` (default `production`, `prod`). Such a request
//! outside every configured window is **denied** or **escalated**, as
//! configured. Windows are days of the week and whole hours on the control
//! plane's virtual clock, whose time zero is a Monday at 00:00; a window from
//! 9 to 17 covers 09:00:00.000 up to, not including, 17:00.
//!
//! Invariant: a denial here is re-checked when a reviewer approves, so a
//! request escalated by another policy cannot go to production outside its
//! window.

use crate::governance::config_error::{Entry, FieldPath, Problems, MAX_LIST_LEN};
use crate::governance::decision::{Reason, Verdict};
use crate::governance::names::{clean_text, quoted};
use crate::governance::policy::{Finding, Policy, PolicyContext};
use crate::governance::request::Request;
use crate::governance::state::Types;
use crate::governance::time::Timestamp;
use serde::Serialize;

pub const PARAMETER: &str = "parameter";
pub const VALUES: &str = "values";
pub const WINDOWS: &str = "windows";

/// The longest parameter name or value, in characters.
pub const MAX_VALUE_LEN: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

crate::governance::decode::deserialize_by!(Weekday, Weekday::decode);

impl Weekday {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<Weekday> {
        crate::governance::decode::one_of(
            value,
            &[
                ("mon", Weekday::Mon),
                ("tue", Weekday::Tue),
                ("wed", Weekday::Wed),
                ("thu", Weekday::Thu),
                ("fri", Weekday::Fri),
                ("sat", Weekday::Sat),
                ("sun", Weekday::Sun),
            ],
        )
    }
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The day of the week at `at` (time zero is a Monday).
    pub fn of(at: Timestamp) -> Weekday {
        Weekday::ALL[(at.millis() / 86_400_000 % 7) as usize]
    }

    pub fn label(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self as usize]
    }
}

/// Days and hours when changes may go out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeWindow {
    pub days: Vec<Weekday>,
    /// 0 to 23.
    pub start_hour: u8,
    /// 1 to 24, after `start_hour`.
    pub end_hour: u8,
}

crate::governance::decode::deserialize_by!(ChangeWindow, ChangeWindow::decode);

impl ChangeWindow {
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<ChangeWindow> {
        use crate::governance::decode::{list, whole, Object};
        let mut o = Object::strict(value, &["days", "start_hour", "end_hour"])?;
        Ok(ChangeWindow {
            days: o.required("days", |v| list(v, Weekday::decode))?,
            start_hour: o.required("start_hour", whole)?,
            end_hour: o.required("end_hour", whole)?,
        })
    }
}

impl ChangeWindow {
    pub fn contains(&self, at: Timestamp) -> bool {
        let hour = (at.millis() / 3_600_000 % 24) as u8;
        self.days.contains(&Weekday::of(at)) && self.start_hour <= hour && hour < self.end_hour
    }
}

/// What happens to a production change outside the windows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outside {
    #[default]
    Deny,
    Escalate,
}

crate::governance::decode::deserialize_by!(Outside, Outside::decode);

impl Outside {
    /// Reads the name this is written as (snake case).
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<Outside> {
        crate::governance::decode::one_of(
            value,
            &[("deny", Outside::Deny), ("escalate", Outside::Escalate)],
        )
    }
}

fn environment() -> String {
    "environment".into()
}

fn production() -> Vec<String> {
    vec!["production".into(), "prod".into()]
}

/// A change-window policy's configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeWindowConfig {
    pub parameter: String,
    pub values: Vec<String>,
    pub windows: Vec<ChangeWindow>,
    pub outside: Outside,
}

crate::governance::decode::deserialize_by!(ChangeWindowConfig, ChangeWindowConfig::decode);

impl ChangeWindowConfig {
    /// Reads a change window policy's fields (beside its `kind`).
    pub fn decode(
        value: serde_json::Value,
    ) -> crate::governance::decode::Decoded<ChangeWindowConfig> {
        use crate::governance::decode::{list, string, strings, Object};
        let mut o = Object::strict(value, &["parameter", "values", "windows", "outside"])?;
        Ok(ChangeWindowConfig {
            parameter: o.or_else("parameter", string, environment)?,
            values: o.or_else("values", strings, production)?,
            windows: o.required("windows", |v| list(v, ChangeWindow::decode))?,
            outside: o.or("outside", Outside::decode, Outside::default())?,
        })
    }
}

impl ChangeWindowConfig {
    /// Weekdays from 9 to 17, denied outside.
    pub fn office_hours() -> ChangeWindowConfig {
        ChangeWindowConfig {
            parameter: environment(),
            values: production(),
            windows: vec![ChangeWindow {
                days: Weekday::ALL[..5].to_vec(),
                start_hour: 9,
                end_hour: 17,
            }],
            outside: Outside::Deny,
        }
    }

    pub fn validate(&self, index: usize, problems: &mut Problems) {
        let text = |problems: &mut Problems, path: FieldPath, value: &str| match clean_text(
            value,
            MAX_VALUE_LEN,
            false,
        ) {
            Err(problem) => problems.add(path, quoted(value), problem),
            Ok("") => problems.add(path, quoted(value), "must not be empty"),
            Ok(_) => {}
        };
        text(problems, FieldPath::rule(index, PARAMETER), &self.parameter);
        if self.values.is_empty() || self.values.len() > MAX_LIST_LEN {
            problems.add(
                FieldPath::rule(index, VALUES),
                format!("({} values)", self.values.len()),
                format!("must name 1 to {MAX_LIST_LEN} values"),
            );
        }
        for (i, value) in self.values.iter().enumerate() {
            text(
                problems,
                FieldPath::rule_entry(index, VALUES, Entry::Index(i)),
                value,
            );
        }
        if self.windows.len() > MAX_LIST_LEN {
            problems.add(
                FieldPath::rule(index, WINDOWS),
                format!("({} windows)", self.windows.len()),
                format!("has more than {MAX_LIST_LEN} windows"),
            );
        }
        for (i, window) in self.windows.iter().enumerate() {
            let path = FieldPath::rule_entry(index, WINDOWS, Entry::Index(i));
            if window.days.is_empty() {
                problems.add(path.clone(), "(no days)", "must name at least one day");
            }
            if window.start_hour > 23
                || window.end_hour > 24
                || window.end_hour <= window.start_hour
            {
                problems.add(
                    path,
                    format!("{}–{}", window.start_hour, window.end_hour),
                    "must run from an hour 0 to 23 to a later hour up to 24",
                );
            }
        }
    }

    pub fn compile(&self) -> ChangeWindowRule {
        ChangeWindowRule {
            parameter: self.parameter.trim().to_owned(),
            values: self
                .values
                .iter()
                .map(|v| v.trim().to_ascii_lowercase())
                .collect(),
            windows: self.windows.clone(),
            outside: self.outside,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChangeWindowRule {
    pub parameter: String,
    /// Lower case.
    pub values: Vec<String>,
    pub windows: Vec<ChangeWindow>,
    pub outside: Outside,
}

impl Policy for ChangeWindowRule {
    fn evaluate(
        &self,
        request: &Request,
        _covers: &Types,
        context: &PolicyContext<'_>,
    ) -> Option<Finding> {
        let target = request.parameters.get(&self.parameter)?.as_str()?;
        let target = target.trim().to_ascii_lowercase();
        if !self.values.contains(&target) || self.windows.iter().any(|w| w.contains(context.now)) {
            return None;
        }
        let verdict = match self.outside {
            Outside::Deny => Verdict::Denied,
            Outside::Escalate => Verdict::Escalated,
        };
        Some(Finding::new(
            verdict,
            Reason::OutsideChangeWindow {
                target: target.into(),
                at: context.now,
            },
        ))
    }

    /// A production change must still be inside a window when approved.
    fn recheck_on_approval(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ids::{ActionType, AgentId, Interner, RequestId};
    use crate::governance::money::Money;
    use crate::governance::state::{RateTracker, SpendLedger};
    use serde_json::json;

    const HOUR: u64 = 3_600_000;
    const DAY: u64 = 24 * HOUR;

    fn judge(rule: &ChangeWindowRule, parameters: serde_json::Value, at: u64) -> Option<Finding> {
        let request = Request {
            id: RequestId::from_random_bytes([0; 16]),
            agent: AgentId(0),
            action: ActionType(0),
            risk: crate::governance::risk::RiskLevel::Medium,
            detected: Default::default(),
            parameters: std::sync::Arc::new(parameters.as_object().unwrap().clone()),
            cost: Money::ZERO,
            received_at: Timestamp(at),
        };
        let spend = SpendLedger::default();
        let rates = RateTracker::default();
        let agents = Interner::default();
        let context = PolicyContext {
            now: Timestamp(at),
            spend: &spend,
            rates: &rates,
            agents: &agents,
        };
        rule.evaluate(&request, &Types::All, &context)
    }

    #[test]
    fn production_changes_go_out_only_inside_a_window() {
        let rule = ChangeWindowConfig::office_hours().compile();
        let prod = json!({"environment": " Production "});
        // Monday 10:00 is inside; Monday 17:00 and Saturday 10:00 are not.
        assert_eq!(judge(&rule, prod.clone(), 10 * HOUR), None);
        let finding = judge(&rule, prod.clone(), 17 * HOUR).unwrap();
        assert_eq!(finding.verdict, Verdict::Denied);
        assert_eq!(
            finding.reason.to_string(),
            "targets production outside its change windows (Mon 17:00)"
        );
        let saturday = 5 * DAY + 10 * HOUR;
        assert!(judge(&rule, prod, saturday).is_some());
        // Other environments, or none, are not changes to production.
        assert_eq!(
            judge(&rule, json!({"environment": "staging"}), saturday),
            None
        );
        assert_eq!(judge(&rule, json!({"env": "production"}), saturday), None);
        assert_eq!(judge(&rule, json!({"environment": 1}), saturday), None);
        // A week later it is Monday again.
        assert_eq!(
            judge(&rule, json!({"environment": "prod"}), 7 * DAY + 9 * HOUR),
            None
        );
    }

    #[test]
    fn outside_a_window_can_go_to_a_human_instead() {
        let config = ChangeWindowConfig {
            outside: Outside::Escalate,
            ..ChangeWindowConfig::office_hours()
        };
        let finding = judge(&config.compile(), json!({"environment": "prod"}), 3 * HOUR).unwrap();
        assert_eq!(finding.verdict, Verdict::Escalated);
    }

    #[test]
    fn validation_names_each_bad_window() {
        let mut config = ChangeWindowConfig::office_hours();
        config.windows.push(ChangeWindow {
            days: vec![],
            start_hour: 18,
            end_hour: 18,
        });
        config.values.push(" ".into());
        let mut problems = Problems::default();
        config.validate(2, &mut problems);
        let messages: Vec<String> = problems.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "policies[2].rule.values[2]: \" \" must not be empty",
                "policies[2].rule.windows[1]: (no days) must name at least one day",
                "policies[2].rule.windows[1]: 18–18 must run from an hour 0 to 23 to a later hour up to 24",
            ]
        );
    }
}
