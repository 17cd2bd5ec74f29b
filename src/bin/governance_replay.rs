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
    use agent_governance_console::replay::{run, ReplayOptions};
    use std::ffi::OsString;
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};

    const USAGE: &str = "\
usage: governance-replay INPUT [--output FILE] [--drain]

Runs the JSON Lines replay script INPUT (- for standard input) through the
governance control plane and writes the audit trail as JSON Lines to standard
output, or to FILE. With --drain, escalations still waiting after the last
event time out, so every request ends with a final outcome.
On malformed input it names the line and field, exits 1 and writes nothing.";

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

    fn read_input(input: &str) -> Result<String, String> {
        let mut text = String::new();
        if input == "-" {
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
        } else {
            text =
                std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
        }
        Ok(text)
    }

    /// Writes to a temporary file beside the target and renames it over the
    /// target, so a failed write never leaves a half-written audit trail where
    /// the result is expected. The temporary file has an unpredictable name and
    /// is created exclusively, so a file or symlink planted beside the target
    /// is never followed or overwritten; it is removed if anything fails.
    fn write_atomically(path: &Path, contents: &str) -> Result<(), String> {
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
        let mut temporary = builder.tempfile_in(directory).map_err(fail)?;
        temporary.write_all(contents.as_bytes()).map_err(fail)?;
        temporary.persist(path).map_err(|e| fail(e.error))?;
        Ok(())
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
        let result = read_input(&args.input)
            .and_then(|text| run(&text, args.options).map_err(|e| format!("{}: {e}", args.input)));
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(message) => {
                eprintln!("governance-replay: {message}");
                return 1;
            }
        };
        let text = outcome.to_json_lines();
        let written = match &args.output {
            Some(path) => write_atomically(path, &text),
            None => std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| format!("cannot write standard output: {e}")),
        };
        if let Err(message) = written {
            eprintln!("governance-replay: {message}");
            return 1;
        }
        eprintln!(
            "governance-replay: {} audit records; {} escalations still pending",
            outcome.lines.len(),
            outcome.pending_at_end
        );
        0
    }
}
