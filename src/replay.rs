//! Headless replay: a scripted session run through the real control plane.
//!
//! The input is JSON Lines: an optional `setup` line with the initial
//! configuration, then time-ordered events (requests, reviews, configuration
//! changes, kill-switch actions, clock advances). The output is the audit trail
//! as JSON Lines, one [`AuditLine`] per record. [`stream`] reads the script a
//! line at a time and hands out each line's records as it runs them, then
//! forgets them, so its memory depends on what the control plane must
//! remember (waiting escalations, rate windows, used ids), never on the
//! length of the script; [`run`] collects the whole trail. Malformed input
//! produces an error naming the line and the field.
//!
//! Invariants on input: a key repeated in any object is an error (never "the
//! last one wins"); a line nested deeper than [`MAX_LINE_DEPTH`] is refused
//! before it is parsed, so no input can overflow the stack; an id derived from a
//! line number can never equal an explicit id, because explicit ids in the
//! derived form are refused.

use crate::governance::{
    AuditLine, ControlPlane, GovernanceConfig, KillTarget, ManualClock, RequestId, RequestInput,
    Review, Timestamp,
};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;
use std::io::BufRead;

/// The deepest a line may nest arrays and objects, counting its own object as
/// level 1 (so a request's `parameters` object is level 2). Checked before
/// parsing, without recursion, so no line makes the replay recurse deeper:
/// parsing, the control plane's copy of a request's parameters, serialising
/// and dropping them each recurse once per level. The replay's thread stack is
/// sized from it (see [`run`]). The control plane's own, much lower, limit on
/// parameter depth is a validation rule that denies the request, not an input
/// error.
pub const MAX_LINE_DEPTH: usize = 1_000;

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
    /// A UUID; derived from the line number when absent, and never in the
    /// derived form when present.
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
    /// The hash of the request as the reviewer saw it (64 hex digits); the
    /// review is refused when the waiting request does not match.
    #[serde(default)]
    request_hash: Option<String>,
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
    /// `{"agent": "…"}` or `{"action_type": "…"}`; absent for global.
    #[serde(default)]
    scope: Option<KillTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KillSwitchOff {
    at_ms: u64,
    actor: String,
    #[serde(default)]
    scope: Option<KillTarget>,
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

/// How a streamed replay ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplaySummary {
    /// Audit records handed out.
    pub records: usize,
    /// Escalations still waiting at the end.
    pub pending_at_end: usize,
}

/// Why a streamed replay stopped: its input, or the output it was writing.
#[derive(Debug, PartialEq)]
pub enum StreamError<E> {
    Replay(ReplayError),
    Output(E),
}

impl<E> From<ReplayError> for StreamError<E> {
    fn from(error: ReplayError) -> StreamError<E> {
        StreamError::Replay(error)
    }
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
    let mut fields = parse_object(text).map_err(fail)?;
    let kind = match fields.remove("type") {
        Some(Value::String(kind)) => kind,
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
    let fields = Value::Object(fields);
    Ok(match kind.as_str() {
        "setup" => Event::Setup(fields_of(fields, line)?),
        "request" => {
            let request: Request = fields_of(fields, line)?;
            if let Some(id) = request.id.filter(|&id| is_derived_form(id)) {
                return Err(fail(format!(
                    "field \"id\": {id} is reserved for ids the replay derives from line numbers"
                )));
            }
            Event::Request(request)
        }
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

/// Parses a line into a JSON object; refused when nested too deep, with a key
/// repeated in any object, or not JSON.
fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    let depth = nesting_depth(text);
    if depth > MAX_LINE_DEPTH {
        return Err(format!(
            "nested {depth} levels deep, more than the maximum of {MAX_LINE_DEPTH}"
        ));
    }
    let repeated = Cell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // The depth was checked above, so the parser may recurse that far.
    deserializer.disable_recursion_limit();
    let value = NoRepeatedKeys {
        path: &Path::Root,
        repeated: &repeated,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value))
    .map_err(|error| match repeated.take() {
        Some(repeated) => repeated.to_string(),
        None => format!(
            "not valid JSON: {} (column {})",
            without_position(&error),
            character_column(text, error.column())
        ),
    })?;
    match value {
        Value::Object(fields) => Ok(fields),
        _ => Err("expected a JSON object".into()),
    }
}

/// How deeply a line nests arrays and objects, counted without recursion and
/// without parsing: brackets inside strings (escaped quotes included) do not
/// count. Multi-byte UTF-8 sequences never contain ASCII bytes, so scanning
/// bytes is exact.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in text.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    deepest
}

/// Where a value sits in a line, for naming the object with a repeated key.
/// Borrowed from the parser's frames, so it costs nothing unless an error is
/// reported.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    /// Written like `serde_path_to_error` paths: `parameters.rows[1]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut segments = Vec::new();
        let mut at = self;
        while !matches!(at, Path::Root) {
            segments.push(at);
            at = match at {
                Path::Root => unreachable!("the loop stops at the root"),
                Path::Key(parent, _) | Path::Index(parent, _) => parent,
            };
        }
        for (position, segment) in segments.iter().rev().enumerate() {
            match segment {
                Path::Root => {}
                Path::Key(_, key) if position == 0 => write!(f, "{key}")?,
                Path::Key(_, key) => write!(f, ".{key}")?,
                Path::Index(_, index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A key that appeared twice in one object, and where that object is.
struct RepeatedKey {
    path: String,
    key: String,
}

impl fmt::Display for RepeatedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "duplicate key {:?}", self.key)
        } else {
            write!(f, "field \"{}\": duplicate key {:?}", self.path, self.key)
        }
    }
}

/// Builds a `serde_json::Value` as `Value::deserialize` does, except that a key
/// repeated within one object is an error: serde_json would keep the last one,
/// so `"cost":1000,"cost":0` would run at 0. The repeated key is put in
/// `repeated` so the caller can tell it from a syntax error.
#[derive(Clone, Copy)]
struct NoRepeatedKeys<'a> {
    path: &'a Path<'a>,
    repeated: &'a Cell<Option<RepeatedKey>>,
}

impl<'de> DeserializeSeed<'de> for NoRepeatedKeys<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoRepeatedKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // The parser never yields a non-finite number; serde_json maps one to null.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut values = Vec::new();
        loop {
            let path = Path::Index(self.path, values.len());
            let item = NoRepeatedKeys {
                path: &path,
                repeated: self.repeated,
            };
            match items.next_element_seed(item)? {
                Some(value) => values.push(value),
                None => return Ok(Value::Array(values)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            if object.contains_key(&key) {
                self.repeated.set(Some(RepeatedKey {
                    path: self.path.to_string(),
                    key: key.clone(),
                }));
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key {key:?}"
                )));
            }
            let path = Path::Key(self.path, &key);
            let value = entries.next_value_seed(NoRepeatedKeys {
                path: &path,
                repeated: self.repeated,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
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

/// serde_json counts columns in bytes; an editor counts characters. The column
/// is that of the character holding the byte serde_json points at.
fn character_column(text: &str, byte_column: usize) -> usize {
    text.char_indices()
        .take_while(|&(at, _)| at < byte_column)
        .count()
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

/// The first six bytes of every derived id: "replay" in ASCII.
const DERIVED_ID_MARKER: [u8; 6] = *b"replay";

/// A request id derived from the line number, stable across runs: a version 8
/// UUID holding "replay" in ASCII, the version, and the line number in its last
/// eight bytes, whose top two bits the variant takes (no line number reaches
/// 2^62, so distinct lines give distinct ids). Line 3 gets
/// `7265706c-6179-8000-8000-000000000003`.
fn id_for_line(line: usize) -> RequestId {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&DERIVED_ID_MARKER);
    bytes[8..].copy_from_slice(&(line as u64).to_be_bytes());
    RequestId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

/// Whether an id is in the namespace reserved for derived ids: version 8 with
/// the marker, that is every UUID beginning `7265706c-6179-8`.
fn is_derived_form(RequestId(id): RequestId) -> bool {
    id.get_version_num() == 8 && id.as_bytes()[..6] == DERIVED_ID_MARKER
}

/// Stack for the replay's own thread, per level of [`MAX_LINE_DEPTH`]. Parsing a
/// line, rebuilding its fields, and the control plane's copy of a request's
/// parameters each recurse once per level of nesting; unoptimised, the deepest
/// of them uses about 3 KiB a level (measured), so this leaves ample room. The
/// 16 MiB it comes to is address space; only the pages used are committed.
const STACK_BYTES_PER_LEVEL: usize = 16 * 1024;

/// Runs a replay script and returns the audit trail it produces: [`stream`],
/// collected.
pub fn run(input: &str, options: ReplayOptions) -> Result<ReplayOutcome, ReplayError> {
    let mut lines = Vec::new();
    let summary = stream(input.as_bytes(), options, |line| {
        lines.push(line);
        Ok::<_, std::convert::Infallible>(())
    })
    .map_err(|error| match error {
        StreamError::Replay(error) => error,
        StreamError::Output(never) => match never {},
    })?;
    Ok(ReplayOutcome {
        lines,
        pending_at_end: summary.pending_at_end,
    })
}

/// Runs a replay script read a line at a time from `input`, handing each
/// audit record to `out` as soon as the line that caused it has run. The
/// first error, of the script or of `out`, stops the replay: the records
/// of the lines before it have been handed out.
///
/// The work runs on a thread of its own whose stack is sized for
/// [`MAX_LINE_DEPTH`], so the caller's stack size does not matter (a test
/// thread has 2 MiB).
pub fn stream<R, E, F>(
    input: R,
    options: ReplayOptions,
    out: F,
) -> Result<ReplaySummary, StreamError<E>>
where
    R: BufRead + Send,
    E: Send,
    F: FnMut(AuditLine) -> Result<(), E> + Send,
{
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("replay".into())
            .stack_size(MAX_LINE_DEPTH * STACK_BYTES_PER_LEVEL)
            .spawn_scoped(scope, || stream_here(input, options, out))
            .expect("the replay thread starts")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// When an event on `line` happens: never before the previous event, and
/// never a setup line after the first.
fn time_of(line: usize, event: &Event, last: Timestamp) -> Result<Timestamp, ReplayError> {
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
    Ok(at)
}

impl Request {
    /// The request as the control plane takes it; an absent id is derived
    /// from the line.
    fn into_input(self, line: usize) -> RequestInput {
        let id = self.id.unwrap_or_else(|| id_for_line(line));
        RequestInput::new(id, self.agent, self.action, self.cost).with_parameters(self.parameters)
    }
}

/// Every line of a script, parsed, with its line number.
fn parse_script(input: &str) -> Result<Vec<(usize, Event)>, ReplayError> {
    // A byte-order mark is an encoding signature, not part of the first line;
    // anywhere else it is a character, and outside a string not JSON.
    let input = input.strip_prefix('\u{FEFF}').unwrap_or(input);
    let mut events = Vec::new();
    for (index, text) in input.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        events.push((index + 1, parse_event(text, index + 1)?));
    }
    Ok(events)
}

/// The configuration a script's setup line gives (the default without
/// one), validated, and where its other events start.
fn setup_of(events: &[(usize, Event)]) -> Result<(GovernanceConfig, usize), ReplayError> {
    if let Some((line, Event::Setup(Setup { config: initial }))) = events.first() {
        initial.validate().map_err(|e| ReplayError {
            line: *line,
            message: format!("field \"config\": {e}"),
        })?;
        return Ok((initial.clone(), 1));
    }
    Ok((GovernanceConfig::default(), 0))
}

/// A script's requests, in order, each with the time it arrives, and the
/// configuration its setup line gives: what `governance-bench --input`
/// times, parsing excluded. Every line is parsed and its time checked as
/// [`run`] does; reviews, configuration changes, kill switches and advances
/// are not returned (nor are their effects checked).
pub fn requests_of(
    input: &str,
) -> Result<(GovernanceConfig, Vec<(Timestamp, RequestInput)>), ReplayError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("replay".into())
            .stack_size(MAX_LINE_DEPTH * STACK_BYTES_PER_LEVEL)
            .spawn_scoped(scope, || {
                let events = parse_script(input)?;
                let (config, start) = setup_of(&events)?;
                let mut requests = Vec::new();
                let mut last = Timestamp(0);
                for (line, event) in events.into_iter().skip(start) {
                    last = time_of(line, &event, last)?;
                    if let Event::Request(request) = event {
                        requests.push((last, request.into_input(line)));
                    }
                }
                Ok((config, requests))
            })
            .expect("the replay thread starts")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A plane under the configuration a setup line gives, or the default.
fn plane_for(
    config: GovernanceConfig,
    line: usize,
    clock: &ManualClock,
) -> Result<ControlPlane, ReplayError> {
    config.validate().map_err(|e| ReplayError {
        line,
        message: format!("field \"config\": {e}"),
    })?;
    ControlPlane::new(config, clock.clone()).map_err(|e| ReplayError {
        line,
        message: e.to_string(),
    })
}

fn stream_here<E>(
    input: impl BufRead,
    options: ReplayOptions,
    mut out: impl FnMut(AuditLine) -> Result<(), E>,
) -> Result<ReplaySummary, StreamError<E>> {
    let clock = ManualClock::default();
    let mut plane: Option<ControlPlane> = None;
    let mut last = Timestamp(0);
    let mut records = 0;
    let mut hand_out = |plane: &mut ControlPlane| {
        plane.drain_audit(|line| {
            records += 1;
            out(line)
        })
    };
    for (index, text) in input.lines().enumerate() {
        let line = index + 1;
        let text = text.map_err(|e| ReplayError {
            line,
            message: format!("cannot read: {e}"),
        })?;
        // A byte-order mark is an encoding signature, not part of the first
        // line; anywhere else it is a character, and outside a string not
        // JSON.
        let text = match line {
            1 => text.strip_prefix('\u{FEFF}').unwrap_or(&text),
            _ => &text,
        };
        if text.trim().is_empty() {
            continue;
        }
        let event = parse_event(text, line)?;
        let plane = match (&mut plane, event) {
            (Some(plane), event) => {
                apply(plane, &clock, line, event, &mut last)?;
                plane
            }
            // The first event: a setup line gives the configuration.
            (None, Event::Setup(Setup { config })) => {
                plane.insert(plane_for(config, line, &clock)?)
            }
            (None, event) => {
                let plane = plane.insert(plane_for(GovernanceConfig::default(), 1, &clock)?);
                apply(plane, &clock, line, event, &mut last)?;
                plane
            }
        };
        hand_out(plane).map_err(StreamError::Output)?;
    }
    let mut plane = match plane {
        Some(plane) => plane,
        None => plane_for(GovernanceConfig::default(), 1, &clock)?,
    };
    if options.drain {
        if let Some(latest) = plane.pending_escalations().map(|p| p.deadline).max() {
            clock.set(latest.max(last));
            plane.expire_due();
        }
    }
    hand_out(&mut plane).map_err(StreamError::Output)?;
    Ok(ReplaySummary {
        records,
        pending_at_end: plane.pending_escalations().count(),
    })
}

/// Runs one event (not the setup) at its time.
fn apply(
    plane: &mut ControlPlane,
    clock: &ManualClock,
    line: usize,
    event: Event,
    last: &mut Timestamp,
) -> Result<(), ReplayError> {
    let fail = |message: String| ReplayError { line, message };
    *last = time_of(line, &event, *last)?;
    clock.set(*last);
    match event {
        Event::Setup(_) => unreachable!("time_of refuses a setup line here"),
        Event::Request(request) => {
            plane.submit_owned(request.into_input(line));
        }
        Event::Review(review) => {
            let decision = Review {
                approve: review.approve,
                reviewer: review.reviewer,
                comment: review.comment,
                request_hash: review.request_hash,
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
                .activate_kill_switch_for(on.scope.as_ref(), &on.actor, &on.reason)
                .map_err(|e| fail(e.to_string()))?;
        }
        Event::KillSwitchOff(off) => {
            plane
                .deactivate_kill_switch_for(off.scope.as_ref(), &off.actor)
                .map_err(|e| fail(e.to_string()))?;
        }
        Event::Advance(_) => {
            plane.expire_due();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        assert_eq!(id_for_line(3), id_for_line(3));
        assert_ne!(id_for_line(3), id_for_line(4));
    }

    #[test]
    fn derived_ids_have_the_documented_reserved_form() {
        assert_eq!(
            id_for_line(3).to_string(),
            "7265706c-6179-8000-8000-000000000003"
        );
        assert_eq!(
            id_for_line(0xabc).to_string(),
            "7265706c-6179-8000-8000-000000000abc"
        );
        for line in [1, 2, 1_000_000, usize::MAX >> 2] {
            assert!(is_derived_form(id_for_line(line)));
        }
        let other_v8 = "7265706c-6179-8fff-bfff-ffffffffffff".parse().unwrap();
        assert!(is_derived_form(RequestId(other_v8)));
        for outside in [
            "5b1a6a0e-51f2-4c3e-9d7a-1f6a4c1e2b09",
            "7265706c-6179-4000-8000-000000000003",
            "7265706c-6178-8000-8000-000000000003",
        ] {
            assert!(!is_derived_form(RequestId(outside.parse().unwrap())));
        }
    }

    #[test]
    fn nesting_depth_ignores_brackets_in_strings() {
        assert_eq!(nesting_depth("1"), 0);
        assert_eq!(nesting_depth(r#"{"a":[{}]}"#), 3);
        assert_eq!(nesting_depth(r#"{"a":"[[\"[[\\"}"#), 1);
        assert_eq!(nesting_depth("]]]{"), 1);
    }
}
