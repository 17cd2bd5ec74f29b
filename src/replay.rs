//! Headless replay: a scripted session run through the real control plane.
//!
//! The input is JSON Lines: an optional `setup` line with the initial
//! configuration, then time-ordered events (requests, reviews, configuration
//! changes, kill-switch actions, clock advances). The output is the audit trail
//! as JSON Lines, one [`AuditLine`] per record. The whole input is read and run
//! before anything is written, so malformed input produces an error naming the
//! line and the field, and never a partial result.

use crate::governance::{
    AuditLine, ControlPlane, GovernanceConfig, ManualClock, RequestId, RequestInput, Review,
    Timestamp,
};
use serde::Deserialize;
use std::fmt;

/// One line of a replay script, told apart by its `type` field.
#[derive(Debug)]
enum Event {
    /// The configuration in force from the start; only as the first line.
    Setup(Setup),
    Request(Request),
    Review(ReviewEvent),
    Config(ConfigEvent),
    KillSwitchOn(KillSwitchOn),
    KillSwitchOff(KillSwitchOff),
    /// Moves the clock, letting escalations whose deadline passes time out.
    Advance(Advance),
}

const EVENT_TYPES: &str =
    "setup, request, review, config, kill_switch_on, kill_switch_off, advance";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    config: GovernanceConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    at_ms: u64,
    /// A UUID; derived from the line number when absent.
    #[serde(default)]
    id: Option<RequestId>,
    agent: String,
    action: String,
    #[serde(default = "empty_object")]
    parameters: serde_json::Value,
    cost: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewEvent {
    at_ms: u64,
    request_id: RequestId,
    approve: bool,
    reviewer: String,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigEvent {
    at_ms: u64,
    actor: String,
    config: GovernanceConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KillSwitchOn {
    at_ms: u64,
    actor: String,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KillSwitchOff {
    at_ms: u64,
    actor: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    at_ms: u64,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

impl Event {
    fn at(&self) -> Option<Timestamp> {
        let at_ms = match self {
            Event::Setup(_) => return None,
            Event::Request(e) => e.at_ms,
            Event::Review(e) => e.at_ms,
            Event::Config(e) => e.at_ms,
            Event::KillSwitchOn(e) => e.at_ms,
            Event::KillSwitchOff(e) => e.at_ms,
            Event::Advance(e) => e.at_ms,
        };
        Some(Timestamp(at_ms))
    }
}

/// What went wrong, and on which line of the input (1-based).
#[derive(Debug, PartialEq)]
pub struct ReplayError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ReplayError {}

/// How the replay ends.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReplayOptions {
    /// After the last event, advance the clock past every escalation deadline,
    /// so every request ends with a final outcome.
    pub drain: bool,
}

/// The audit trail of a replay, and what was still waiting at the end.
#[derive(Debug)]
pub struct ReplayOutcome {
    pub lines: Vec<AuditLine>,
    pub pending_at_end: usize,
}

impl ReplayOutcome {
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.to_json());
            out.push('\n');
        }
        out
    }
}

fn parse_event(text: &str, line: usize) -> Result<Event, ReplayError> {
    let fail = |message: String| ReplayError { line, message };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        fail(format!(
            "not valid JSON: {} (column {})",
            without_position(&e),
            e.column()
        ))
    })?;
    let serde_json::Value::Object(mut fields) = value else {
        return Err(fail("expected a JSON object".into()));
    };
    let kind = match fields.remove("type") {
        Some(serde_json::Value::String(kind)) => kind,
        Some(other) => {
            return Err(fail(format!(
                "field \"type\": expected a string, got {other}"
            )))
        }
        None => {
            return Err(fail(format!(
                "missing field \"type\" (one of {EVENT_TYPES})"
            )))
        }
    };
    let fields = serde_json::Value::Object(fields);
    Ok(match kind.as_str() {
        "setup" => Event::Setup(fields_of(fields, line)?),
        "request" => Event::Request(fields_of(fields, line)?),
        "review" => Event::Review(fields_of(fields, line)?),
        "config" => Event::Config(fields_of(fields, line)?),
        "kill_switch_on" => Event::KillSwitchOn(fields_of(fields, line)?),
        "kill_switch_off" => Event::KillSwitchOff(fields_of(fields, line)?),
        "advance" => Event::Advance(fields_of(fields, line)?),
        _ => {
            return Err(fail(format!(
                "field \"type\": unknown event type \"{kind}\" (one of {EVENT_TYPES})"
            )))
        }
    })
}

/// Deserialises an event's fields, naming the field that is wrong.
fn fields_of<T: serde::de::DeserializeOwned>(
    fields: serde_json::Value,
    line: usize,
) -> Result<T, ReplayError> {
    serde_path_to_error::deserialize(fields).map_err(|error| {
        let path = error.path().to_string();
        let detail = without_position(error.inner());
        let message = if path == "." || path.is_empty() {
            detail
        } else {
            format!("field \"{path}\": {detail}")
        };
        ReplayError { line, message }
    })
}

/// serde_json's message without its "at line 1 column N": the line number that
/// matters is the script's.
fn without_position(error: &serde_json::Error) -> String {
    let mut text = error.to_string();
    if let Some(position) = text.rfind(" at line ") {
        text.truncate(position);
    }
    text
}

/// A request id derived from the line number: stable across runs.
fn id_for_line(line: usize) -> RequestId {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&(line as u64).to_be_bytes());
    bytes[8..].copy_from_slice(b"replay\0\0");
    RequestId::from_random_bytes(bytes)
}

/// Runs a replay script and returns the audit trail it produces.
pub fn run(input: &str, options: ReplayOptions) -> Result<ReplayOutcome, ReplayError> {
    let mut events = Vec::new();
    for (index, text) in input.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        events.push((index + 1, parse_event(text, index + 1)?));
    }

    let mut config = GovernanceConfig::default();
    let mut start = 0;
    if let Some((line, Event::Setup(Setup { config: initial }))) = events.first() {
        initial.validate().map_err(|e| ReplayError {
            line: *line,
            message: format!("field \"config\": {e}"),
        })?;
        config = initial.clone();
        start = 1;
    }

    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(config, clock.clone()).map_err(|e| ReplayError {
        line: 1,
        message: e.to_string(),
    })?;
    let mut last = Timestamp(0);
    for (line, event) in events.drain(..).skip(start) {
        let fail = |message: String| ReplayError { line, message };
        let at = event
            .at()
            .ok_or_else(|| fail("a setup line may only come first".into()))?;
        if at < last {
            return Err(fail(format!(
                "field \"at_ms\": {} is earlier than the previous event's {}",
                at.millis(),
                last.millis()
            )));
        }
        last = at;
        clock.set(at);
        match event {
            Event::Setup(_) => unreachable!("rejected above"),
            Event::Request(request) => {
                let id = request.id.unwrap_or_else(|| id_for_line(line));
                let input = RequestInput::new(id, request.agent, request.action, request.cost)
                    .with_parameters(request.parameters);
                plane.submit(&input);
            }
            Event::Review(review) => {
                let decision = Review {
                    approve: review.approve,
                    reviewer: review.reviewer,
                    comment: review.comment,
                };
                plane
                    .resolve(review.request_id, &decision)
                    .map_err(|e| fail(e.to_string()))?;
            }
            Event::Config(change) => {
                plane
                    .apply_config(change.config, &change.actor)
                    .map_err(|e| fail(format!("field \"config\": {e}")))?;
            }
            Event::KillSwitchOn(on) => {
                plane
                    .activate_kill_switch(&on.actor, &on.reason)
                    .map_err(|e| fail(e.to_string()))?;
            }
            Event::KillSwitchOff(off) => {
                plane
                    .deactivate_kill_switch(&off.actor)
                    .map_err(|e| fail(e.to_string()))?;
            }
            Event::Advance(_) => {
                plane.expire_due();
            }
        }
    }

    if options.drain {
        if let Some(latest) = plane.pending_escalations().map(|p| p.deadline).max() {
            clock.set(latest.max(last));
            plane.expire_due();
        }
    }

    let lines = plane
        .audit()
        .records()
        .iter()
        .map(|record| plane.audit_line(record))
        .collect();
    Ok(ReplayOutcome {
        lines,
        pending_at_end: plane.pending_escalations().count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        assert_eq!(id_for_line(3), id_for_line(3));
        assert_ne!(id_for_line(3), id_for_line(4));
    }
}
