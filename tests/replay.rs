#![cfg(not(target_arch = "wasm32"))]
//! The replay command: same core, JSON Lines in and out, streamed a line at a
//! time, and malformed input rejected with the line and field named (and no
//! output file).

use agent_governance_console::governance::Verdict;
use agent_governance_console::replay::{
    run, stream, ReplayError, ReplayOptions, StreamError, MAX_LINE_DEPTH,
};
use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};

const DEMO: &str = include_str!("../examples/replay/demo.jsonl");

fn replay(input: &str) -> Vec<(String, Option<Verdict>, Option<String>)> {
    run(input, ReplayOptions::default())
        .unwrap()
        .lines
        .into_iter()
        .map(|l| (l.kind, l.verdict, l.policy))
        .collect()
}

#[test]
fn the_demo_exercises_every_verdict_and_mechanism() {
    let outcome = run(DEMO, ReplayOptions::default()).unwrap();
    let verdicts: Vec<_> = outcome.lines.iter().filter_map(|l| l.verdict).collect();
    for verdict in Verdict::ALL {
        assert!(verdicts.contains(&verdict), "{verdict} missing");
    }
    let policies: Vec<_> = outcome
        .lines
        .iter()
        .filter_map(|l| l.policy.as_deref())
        .collect();
    for policy in [
        "validation",
        "kill_switch",
        "human_review",
        "escalation_timeout",
        "budget",
        "rate_limit",
        "sensitive_actions",
    ] {
        assert!(policies.contains(&policy), "{policy} missing");
    }
    assert_eq!(outcome.pending_at_end, 0);
    let denial = outcome
        .lines
        .iter()
        .find(|l| l.reviewer.as_deref() == Some("bob"))
        .unwrap();
    assert_eq!(denial.comment.as_deref(), Some("no bulk updates"));
    assert_eq!(denial.verdict, Some(Verdict::Denied));
}

#[test]
fn the_same_script_gives_the_same_trail() {
    let first = run(DEMO, ReplayOptions::default()).unwrap().to_json_lines();
    let second = run(DEMO, ReplayOptions::default()).unwrap().to_json_lines();
    assert_eq!(first, second);
}

#[test]
fn the_default_configuration_applies_without_a_setup_line() {
    let input = r#"{"type":"request","at_ms":0,"agent":"a","action":"deploy","cost":0}"#;
    assert_eq!(
        replay(input),
        [(
            "decision".to_string(),
            Some(Verdict::Denied),
            Some("sensitive_actions".to_string())
        )]
    );
}

#[test]
fn drain_times_out_what_is_still_waiting() {
    let input = r#"{"type":"request","at_ms":0,"agent":"a","action":"email","cost":0}"#;
    let kept = run(input, ReplayOptions::default()).unwrap();
    assert_eq!(kept.pending_at_end, 1);
    let drained = run(input, ReplayOptions { drain: true }).unwrap();
    assert_eq!(drained.pending_at_end, 0);
    let last = drained.lines.last().unwrap();
    assert_eq!(last.policy.as_deref(), Some("escalation_timeout"));
    assert_eq!(last.timestamp_ms, 300_000);
}

fn error_of(input: &str) -> String {
    run(input, ReplayOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_lines_name_the_line_and_the_field() {
    let ok = r#"{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0}"#;
    let input = format!(
        "{ok}\n\n{}",
        r#"{"type":"request","at_ms":5,"agent":"a","action":"db_read","cost":"12"}"#
    );
    let error = error_of(&input);
    assert!(
        error.starts_with("line 3: field \"cost\": invalid type: string \"12\""),
        "{error}"
    );
    assert!(
        error_of(r#"{"type":"request","at_ms":0,"agent":"a","action":"x"}"#)
            .starts_with("line 1: missing field `cost`")
    );
    assert!(error_of(r#"{"type":"teleport","at_ms":0}"#)
        .starts_with("line 1: field \"type\": unknown event type \"teleport\""));
    assert!(error_of("not json").starts_with("line 1: not valid JSON"));
}

#[test]
fn time_must_not_go_backwards() {
    let input = "{\"type\":\"advance\",\"at_ms\":5000}\n{\"type\":\"advance\",\"at_ms\":4000}";
    assert_eq!(
        error_of(input),
        "line 2: field \"at_ms\": 4000 is earlier than the previous event's 5000"
    );
}

#[test]
fn rejected_operations_are_errors() {
    let unknown = r#"{"type":"review","at_ms":0,"request_id":"5b1a6a0e-51f2-4c3e-9d7a-1f6a4c1e2b09","approve":true,"reviewer":"a"}"#;
    assert_eq!(
        error_of(unknown),
        "line 1: request 5b1a6a0e-51f2-4c3e-9d7a-1f6a4c1e2b09 is unknown"
    );
    let bad_config = r#"{"type":"config","at_ms":0,"actor":"c","config":{"version":1,"escalation_timeout_secs":-5,"policies":[]}}"#;
    assert_eq!(
        error_of(bad_config),
        "line 1: field \"config\": escalation_timeout_secs: -5 must be at least 0.001 seconds"
    );
    let off = r#"{"type":"kill_switch_off","at_ms":0,"actor":"ops"}"#;
    assert_eq!(error_of(off), "line 1: the kill switch is not active");
    let late_setup = format!(
        "{}\n{}",
        r#"{"type":"advance","at_ms":0}"#,
        r#"{"type":"setup","config":{"version":1,"escalation_timeout_secs":5,"policies":[]}}"#
    );
    assert_eq!(
        error_of(&late_setup),
        "line 2: a setup line may only come first"
    );
}

#[test]
fn the_command_writes_the_trail_or_nothing() {
    let dir = std::env::temp_dir().join(format!("replay-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = dir.join("audit.jsonl");
    let binary = env!("CARGO_BIN_EXE_governance-replay");

    let good = Command::new(binary)
        .args(["examples/replay/demo.jsonl", "--output"])
        .arg(&output)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(good.status.success());
    let written = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        written,
        run(DEMO, ReplayOptions::default()).unwrap().to_json_lines()
    );
    std::fs::remove_file(&output).unwrap();

    let bad_input = dir.join("bad.jsonl");
    std::fs::write(
        &bad_input,
        format!(
            "{}\n{{\"type\":\"request\"}}\n",
            DEMO.lines().next().unwrap()
        ),
    )
    .unwrap();
    let bad = Command::new(binary)
        .arg(&bad_input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        message.contains("line 2: missing field `at_ms`"),
        "{message}"
    );
    assert!(!output.exists(), "no output on malformed input");
    assert!(bad.stdout.is_empty());

    let usage = Command::new(binary).arg("--bogus").output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_repeated_key_is_an_input_error_at_any_depth() {
    let ok = r#"{"type":"advance","at_ms":0}"#;
    let repeated_cost =
        r#"{"type":"request","at_ms":0,"agent":"a","action":"api_call","cost":1000,"cost":0}"#;
    assert_eq!(
        error_of(&format!("{ok}\n\n{repeated_cost}")),
        "line 3: duplicate key \"cost\""
    );
    assert_eq!(
        error_of(r#"{"type":"advance","type":"advance","at_ms":0}"#),
        "line 1: duplicate key \"type\""
    );
    let in_parameters = r#"{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0,"parameters":{"user":{"name":"a","name":"b"}}}"#;
    assert_eq!(
        error_of(in_parameters),
        "line 1: field \"parameters.user\": duplicate key \"name\""
    );
    let in_an_array = r#"{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0,"parameters":{"rows":[{"k":1},{"k":1,"k":2}]}}"#;
    assert_eq!(
        error_of(in_an_array),
        "line 1: field \"parameters.rows[1]\": duplicate key \"k\""
    );
    let in_config = r#"{"type":"setup","config":{"version":1,"escalation_timeout_secs":5,"escalation_timeout_secs":0,"policies":[]}}"#;
    assert_eq!(
        error_of(in_config),
        "line 1: field \"config\": duplicate key \"escalation_timeout_secs\""
    );
    let same_key_in_two_objects = r#"{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0,"parameters":{"a":{"k":1},"b":{"k":1}}}"#;
    assert_eq!(replay(same_key_in_two_objects).len(), 1);
}

#[test]
fn a_byte_order_mark_at_the_start_of_the_input_is_skipped() {
    let advance = r#"{"type":"advance","at_ms":0}"#;
    assert!(run(&format!("\u{FEFF}{advance}"), ReplayOptions::default()).is_ok());
    assert!(
        error_of(&format!("{advance}\n\u{FEFF}{advance}")).starts_with("line 2: not valid JSON"),
        "a byte-order mark anywhere else is an error"
    );
}

/// A request line nested `depth` levels deep in all (the line's own object is
/// level 1, its `parameters` level 2), through objects or through arrays.
fn nested_request(depth: usize, through_arrays: bool) -> String {
    let levels = depth - 2; // inside `parameters`
    let (open, close) = if through_arrays {
        ("[", "]")
    } else {
        (r#"{"a":"#, "}")
    };
    let innermost = if through_arrays { "[]" } else { "{}" };
    format!(
        r#"{{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0,"parameters":{{"deep":{}{innermost}{}}}}}"#,
        open.repeat(levels - 1),
        close.repeat(levels - 1),
    )
}

#[test]
fn parameters_nested_past_the_parameter_limit_are_governed_not_input_errors() {
    // The control plane refuses parameters nested deeper than its limit (32
    // levels) by validation, and audits the refusal: that is a decision about a
    // request, so the replay must deliver the request, not reject the line.
    for parameter_levels in [33, 127, 128, 500] {
        let input = nested_request(parameter_levels + 1, false);
        let outcome = run(&input, ReplayOptions::default())
            .unwrap_or_else(|e| panic!("{parameter_levels} levels: an input error: {e}"));
        assert_eq!(outcome.lines.len(), 1);
        let line = &outcome.lines[0];
        assert_eq!(line.kind, "decision");
        assert_eq!(line.verdict, Some(Verdict::Denied));
        assert_eq!(line.policy.as_deref(), Some("validation"));
        assert_eq!(
            line.reason.as_deref(),
            Some(
                format!(
                    "invalid parameters: nested {parameter_levels} levels deep; the limit is 32 (not recorded)"
                )
                .as_str()
            )
        );
    }
}

#[test]
fn a_review_at_or_after_the_deadline_says_when_the_request_timed_out() {
    let script = [
        r#"{"type":"request","at_ms":0,"id":"11111111-1111-4111-8111-111111111111","agent":"a1","action":"email","cost":1}"#,
        r#"{"type":"review","at_ms":300000,"request_id":"11111111-1111-4111-8111-111111111111","approve":true,"reviewer":"alice"}"#,
    ]
    .join("\n");
    let error = run(&script, ReplayOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 2: request 11111111-1111-4111-8111-111111111111 timed out at 0:05:00.000, before this review; nothing was executed"
    );
    // At the end of time too: a deadline that saturates at the last
    // millisecond is still a timeout, not "never escalated".
    let script = [
        format!(
            r#"{{"type":"request","at_ms":{},"id":"11111111-1111-4111-8111-111111111111","agent":"a1","action":"email","cost":1}}"#,
            u64::MAX - 1_000
        ),
        format!(
            r#"{{"type":"review","at_ms":{},"request_id":"11111111-1111-4111-8111-111111111111","approve":true,"reviewer":"alice"}}"#,
            u64::MAX
        ),
    ]
    .join("\n");
    let error = run(&script, ReplayOptions::default()).unwrap_err();
    assert!(error.to_string().contains("timed out at"), "{error}");
}

#[test]
fn requests_nested_up_to_the_cap_reach_the_control_plane() {
    // Far beyond the per-request parameter limit (a refusal the control plane
    // decides and audits), but within the line cap: not an input error, even in
    // a debug build on a test thread's 2 MiB stack, including dropping it all.
    for through_arrays in [false, true] {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let input = nested_request(MAX_LINE_DEPTH, through_arrays);
                let outcome = run(&input, ReplayOptions::default())
                    .unwrap_or_else(|e| panic!("an input error: {e}"));
                assert_eq!(outcome.lines.len(), 1);
                assert_eq!(outcome.lines[0].kind, "decision");
                assert!(!outcome.to_json_lines().is_empty());
            })
            .unwrap()
            .join()
            .unwrap();
    }
}

#[test]
fn lines_nested_past_the_cap_are_input_errors_without_recursion() {
    let past = MAX_LINE_DEPTH + 1;
    for through_arrays in [false, true] {
        assert_eq!(
            error_of(&nested_request(past, through_arrays)),
            format!("line 1: nested {past} levels deep, more than the maximum of {MAX_LINE_DEPTH}")
        );
    }
    let million = "[".repeat(1_000_000);
    assert_eq!(
        error_of(&format!("{}\n{million}", r#"{"type":"advance","at_ms":0}"#)),
        format!("line 2: nested 1000000 levels deep, more than the maximum of {MAX_LINE_DEPTH}")
    );
    // Brackets inside strings, escaped quotes included, are not nesting.
    let brackets = "[{".repeat(MAX_LINE_DEPTH);
    let in_a_string = format!(
        r#"{{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0,"parameters":{{"q":"\"{brackets}"}}}}"#
    );
    assert_eq!(replay(&in_a_string).len(), 1);
}

#[test]
fn an_explicit_id_cannot_take_an_id_the_replay_derives() {
    let without_id = r#"{"type":"request","at_ms":0,"agent":"a","action":"db_read","cost":0}"#;
    let advance = r#"{"type":"advance","at_ms":0}"#;
    let derived = run(
        &format!("{advance}\n{without_id}"),
        ReplayOptions::default(),
    )
    .unwrap()
    .lines[0]
        .request_id
        .unwrap();
    // The id the replay derives for line 2, claimed explicitly on line 1.
    let claimed = format!(
        r#"{{"type":"request","at_ms":0,"id":"{derived}","agent":"b","action":"db_read","cost":0}}"#
    );
    assert_eq!(
        error_of(&format!("{claimed}\n{without_id}")),
        format!(
            "line 1: field \"id\": {derived} is reserved for ids the replay derives from line numbers"
        )
    );
    // Reviews may name a derived id: that is how a script reviews a request
    // it gave no id.
    let email = r#"{"type":"request","at_ms":0,"agent":"a","action":"email","cost":0}"#;
    let escalated = run(&format!("{advance}\n{email}"), ReplayOptions::default()).unwrap();
    let review = format!(
        r#"{{"type":"review","at_ms":1,"request_id":"{derived}","approve":true,"reviewer":"r"}}"#
    );
    assert_eq!(escalated.lines[0].request_id, Some(derived));
    let reviewed = run(
        &format!("{advance}\n{email}\n{review}"),
        ReplayOptions::default(),
    )
    .unwrap();
    assert_eq!(
        reviewed.lines.last().unwrap().verdict,
        Some(Verdict::Approved)
    );
}

#[cfg(unix)]
#[test]
fn the_output_is_written_through_a_fresh_temporary_file_never_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("audit.jsonl");
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    let planted = dir.path().join("audit.jsonl.partial");
    std::os::unix::fs::symlink(&precious, &planted).unwrap();

    let replayed = Command::new(env!("CARGO_BIN_EXE_governance-replay"))
        .args(["examples/replay/demo.jsonl", "--output"])
        .arg(&output)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&replayed.stderr);
    assert!(replayed.status.success(), "{stderr}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    assert_eq!(std::fs::read_link(&planted).unwrap(), precious);
    assert!(!std::fs::symlink_metadata(&output).unwrap().is_symlink());
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        run(DEMO, ReplayOptions::default()).unwrap().to_json_lines()
    );
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["audit.jsonl", "audit.jsonl.partial", "precious.txt"]);
}

#[test]
fn error_columns_count_characters_not_bytes() {
    // Each "é" is two bytes in UTF-8 but one character in an editor.
    let line = r#"{"type":"advance","at_ms":0,"note":"ééé",}"#;
    let error = error_of(line);
    assert!(
        error.starts_with("line 1: not valid JSON: trailing comma"),
        "{error}"
    );
    let last = line.chars().count(); // the closing brace
    assert!(error.ends_with(&format!("(column {last})")), "{error}");
}

#[test]
fn a_kill_switch_can_stop_one_agent_or_one_action_type() {
    let script = [
        r#"{"type":"kill_switch_on","at_ms":0,"actor":"ops","reason":"loop","scope":{"agent":"looper"}}"#,
        r#"{"type":"kill_switch_on","at_ms":0,"actor":"ops","reason":"freeze","scope":{"action_type":"DB_READ"}}"#,
        r#"{"type":"request","at_ms":1,"agent":"looper","action":"api_call","cost":0}"#,
        r#"{"type":"request","at_ms":2,"agent":"worker","action":"api_call","cost":0}"#,
        r#"{"type":"request","at_ms":3,"agent":"worker","action":"db_read","cost":0}"#,
        r#"{"type":"kill_switch_off","at_ms":4,"actor":"ops","scope":{"agent":"looper"}}"#,
        r#"{"type":"request","at_ms":5,"agent":"looper","action":"api_call","cost":0}"#,
    ]
    .join("\n");
    let outcome = run(&script, ReplayOptions::default()).unwrap();
    let lines: Vec<String> = outcome.lines.iter().map(|l| l.to_json()).collect();
    assert!(
        lines[0].contains(r#""scope":{"agent":"looper"}"#),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(r#""scope":{"action_type":"db_read"}"#),
        "{}",
        lines[1]
    );
    let verdicts: Vec<_> = outcome.lines[2..]
        .iter()
        .map(|l| (l.verdict, l.reason.clone()))
        .collect();
    assert_eq!(verdicts[0].0, Some(Verdict::Denied));
    assert_eq!(
        verdicts[0].1.as_deref(),
        Some("kill switch for agent \"looper\" is active: loop")
    );
    assert_eq!(verdicts[1].0, Some(Verdict::Approved));
    assert_eq!(
        verdicts[2].1.as_deref(),
        Some("kill switch for action type \"db_read\" is active: freeze")
    );
    assert_eq!(outcome.lines[5].kind, "kill_switch_deactivated");
    assert_eq!(outcome.lines[6].verdict, Some(Verdict::Approved));
    let error = run(
        r#"{"type":"kill_switch_off","at_ms":0,"actor":"ops","scope":{"agent":"nobody"}}"#,
        ReplayOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 1: the kill switch for agent \"nobody\" is not active"
    );
}

/// Serves `first` and then fails, as a pipe that breaks would: whatever the
/// replay hands out before that came from `first` alone.
struct BreaksAfter {
    first: std::io::Cursor<Vec<u8>>,
}

impl Read for BreaksAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.first.read(buf)? {
            0 => Err(std::io::Error::other("the pipe broke")),
            n => Ok(n),
        }
    }
}

impl BufRead for BreaksAfter {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.first.fill_buf()?.is_empty() {
            return Err(std::io::Error::other("the pipe broke"));
        }
        self.first.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.first.consume(amount)
    }
}

#[test]
fn each_line_s_records_are_handed_out_before_the_next_line_is_read() {
    let first =
        "{\"type\":\"request\",\"at_ms\":1,\"agent\":\"a\",\"action\":\"deploy\",\"cost\":1}\n";
    let input = BreaksAfter {
        first: std::io::Cursor::new(first.as_bytes().to_vec()),
    };
    let mut handed_out = Vec::new();
    let result = stream(input, ReplayOptions::default(), |line| {
        handed_out.push(line);
        Ok::<_, ()>(())
    });
    assert_eq!(handed_out.len(), 1);
    assert_eq!(handed_out[0].verdict, Some(Verdict::Denied));
    match result {
        Err(StreamError::Replay(ReplayError { line: 2, message })) => {
            assert!(message.contains("the pipe broke"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // An output that fails stops the replay with its own error.
    let failed = stream(DEMO.as_bytes(), ReplayOptions::default(), |_| {
        Err("disk full")
    });
    assert_eq!(failed, Err(StreamError::Output("disk full")));
}

#[test]
fn on_standard_output_the_records_before_a_bad_line_are_written() {
    let binary = env!("CARGO_BIN_EXE_governance-replay");
    let mut child = Command::new(binary)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"type\":\"request\",\"at_ms\":1,\"agent\":\"a\",\"action\":\"deploy\",\"cost\":1}\n{\"type\":\"advance\",\"at_ms\":0}\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let written = String::from_utf8(output.stdout).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(written.contains("\"verdict\":\"denied\""), "{written}");
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("-: line 2: field \"at_ms\": 0 is earlier than the previous event's 1"),
        "{message}"
    );
}
