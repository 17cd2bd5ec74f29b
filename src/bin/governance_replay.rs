//! `governance-replay`: runs a scripted session through the governance core and
//! writes the audit trail as JSON Lines. See `docs/replay.md`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main(std::env::args().skip(1).collect()));
}

// The command is native only; the wasm build of the console never includes it.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use agent_governance_console::replay::{stream, ReplayOptions, ReplaySummary, StreamError};
    use std::ffi::OsString;
    use std::io::{BufRead, BufReader, BufWriter, Write};
    use std::path::{Path, PathBuf};

    const USAGE: &str = "\
usage: governance-replay INPUT [--output FILE] [--drain]

Runs the JSON Lines replay script INPUT (- for standard input) through the
governance control plane and writes the audit trail as JSON Lines to standard
output, or to FILE. With --drain, escalations still waiting after the last
event time out, so every request ends with a final outcome.
The script is read and its trail written a line at a time: memory does not
grow with its length. On malformed input it names the line and field and
exits 1; FILE is then left as it was, while standard output holds the
records of the lines before the bad one.";

    struct Args {
        input: String,
        output: Option<PathBuf>,
        options: ReplayOptions,
    }

    fn parse(args: Vec<String>) -> Result<Option<Args>, String> {
        let mut input = None;
        let mut output = None;
        let mut options = ReplayOptions::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "-h" | "--help" => return Ok(None),
                "--drain" => options.drain = true,
                "-o" | "--output" => {
                    let file = args.next().ok_or("--output needs a file name")?;
                    output = Some(PathBuf::from(file));
                }
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                _ if input.is_some() => return Err(format!("unexpected argument {arg}")),
                _ => input = Some(arg),
            }
        }
        let input = input.ok_or("no INPUT given")?;
        Ok(Some(Args {
            input,
            output,
            options,
        }))
    }

    fn open_input(input: &str) -> Result<Box<dyn BufRead + Send>, String> {
        if input == "-" {
            return Ok(Box::new(BufReader::new(std::io::stdin())));
        }
        let file = std::fs::File::open(input).map_err(|e| format!("cannot read {input}: {e}"))?;
        Ok(Box::new(BufReader::new(file)))
    }

    /// Replays `input` into `out`, a line of JSON per record.
    fn replay_into(
        input: &str,
        options: ReplayOptions,
        out: impl Write + Send,
        out_name: &str,
    ) -> Result<ReplaySummary, String> {
        let mut out = BufWriter::new(out);
        let summary = stream(open_input(input)?, options, |line| {
            out.write_all(line.to_json().as_bytes())?;
            out.write_all(b"\n")
        });
        let summary = summary.map_err(|error| match error {
            StreamError::Replay(error) => format!("{input}: {error}"),
            StreamError::Output(e) => format!("cannot write {out_name}: {e}"),
        });
        // What was written before an error is flushed too: on standard
        // output, the records of the lines before the bad one.
        let flushed = out
            .flush()
            .map_err(|e| format!("cannot write {out_name}: {e}"));
        let summary = summary?;
        flushed?;
        Ok(summary)
    }

    /// Writes to a temporary file beside the target and renames it over the
    /// target once the replay has succeeded, so a failed replay or write never
    /// leaves a half-written audit trail where the result is expected. The
    /// temporary file has an unpredictable name and is created exclusively, so
    /// a file or symlink planted beside the target is never followed or
    /// overwritten; it is removed if anything fails.
    fn replay_to_file(
        input: &str,
        options: ReplayOptions,
        path: &Path,
    ) -> Result<ReplaySummary, String> {
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut prefix = OsString::from(".");
        prefix.push(path.file_name().unwrap_or_default());
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // The permissions a plain create gives (0666 less the umask), not the
        // owner-only 0600 that tempfile defaults to.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temporary = builder.tempfile_in(directory).map_err(fail)?;
        let summary = replay_into(
            input,
            options,
            temporary.as_file(),
            &path.display().to_string(),
        )?;
        temporary.persist(path).map_err(|e| fail(e.error))?;
        Ok(summary)
    }

    pub fn main(args: Vec<String>) -> i32 {
        let args = match parse(args) {
            Ok(Some(args)) => args,
            Ok(None) => {
                println!("{USAGE}");
                return 0;
            }
            Err(message) => {
                eprintln!("governance-replay: {message}\n\n{USAGE}");
                return 2;
            }
        };
        let result = match &args.output {
            Some(path) => replay_to_file(&args.input, args.options, path),
            None => replay_into(
                &args.input,
                args.options,
                std::io::stdout(),
                "standard output",
            ),
        };
        let summary = match result {
            Ok(summary) => summary,
            Err(message) => {
                eprintln!("governance-replay: {message}");
                return 1;
            }
        };
        eprintln!(
            "governance-replay: {} audit records; {} escalations still pending",
            summary.records, summary.pending_at_end
        );
        0
    }
}
