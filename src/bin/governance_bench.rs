//! `governance-bench`: figures for the decision path and the reports.
//!
//! Prints throughput and costs; asserts nothing. Run it in release mode:
//! `cargo run --release --bin governance-bench` (add `submit` for the
//! decision path only, for example under `perf record`, and a number of
//! requests after it for a short run under `valgrind --tool=callgrind`).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use agent_governance_console::benchmark::{
        built_in_stream, figures, permissive, stream, time, AGENTS,
    };
    use agent_governance_console::governance::detectors;
    use agent_governance_console::governance::ids::BUILT_IN_ACTION_TYPES;
    use agent_governance_console::governance::{
        BudgetConfig, ControlPlane, GovernanceConfig, ManualClock, Millis, PolicyRule,
        RateLimitConfig, RequestId, RequestInput, SensitiveActionsConfig, Timestamp,
    };
    use agent_governance_console::replay;
    use std::hint::black_box;
    use std::time::Instant;

    /// Requests per stream: 1,000,000, or the number after `submit` (a short
    /// run for `valgrind --tool=callgrind`), which may be followed by one
    /// stream's name: `default`, `permissive`, `escalate` or `parameters`.
    fn requests() -> usize {
        std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000_000)
    }

    /// The built-in action types in turn, without parameters.
    fn inputs() -> Vec<(Timestamp, RequestInput)> {
        built_in_stream(requests())
    }

    /// Times submitting `requests` (each at its time) to a fresh plane.
    fn governed(config: GovernanceConfig, label: &str) -> ControlPlane {
        timed(config, label, inputs())
    }

    fn timed(
        config: GovernanceConfig,
        label: &str,
        requests: Vec<(Timestamp, RequestInput)>,
    ) -> ControlPlane {
        let count = requests.len();
        let origin = Instant::now();
        let (plane, millis) = time(config, requests, &|| {
            origin.elapsed().as_secs_f64() * 1_000.0
        });
        println!("{}", figures(label, count, millis));
        let audit = plane.audit();
        println!(
            "{:<44} {:>12} bytes a record (+ shared parameters)",
            "  audit trail in memory",
            audit.footprint() / audit.len().max(1)
        );
        println!(
            "{:<44} {:>12} bytes a request",
            "  used request ids in memory",
            plane.used_ids_footprint() / count.max(1)
        );
        plane
    }

    /// Three requests in four escalate to a human (high-risk types under
    /// the permissive configuration), the fourth is approved.
    fn escalation_heavy() -> ControlPlane {
        let requests = stream(
            requests(),
            &["db_write", "email", "code_exec", "web_search"],
            |_| None,
        );
        let plane = timed(permissive(), "submit, 3 in 4 escalate", requests);
        println!(
            "{:<44} {:>12}",
            "  escalations waiting",
            plane.pending_escalations().count()
        );
        plane
    }

    /// The default configuration with every detector on, and parameters of
    /// about 3 KB; one request in ten carries a bearer token, an email
    /// address, a phone number and a card number. A tenth as many requests
    /// as the other streams: each keeps its parameters.
    fn realistic_parameters() {
        let (clean, dirty) = (
            serde_json::Value::Object(parameters(false)),
            serde_json::Value::Object(parameters(true)),
        );
        let requests = stream((requests() / 10).max(1), &BUILT_IN_ACTION_TYPES, |i| {
            Some(if i % 10 == 9 {
                dirty.clone()
            } else {
                clean.clone()
            })
        });
        timed(
            GovernanceConfig::default(),
            "submit, default config, 3 KB parameters",
            requests,
        );
    }

    /// The simulated fleet (1,000 agents, default configuration) as the page
    /// runs it at Max: slices of `SLICE_REQUESTS` requests, until the trail holds five
    /// times the stream's requests (by default 5,000,000, the page's record
    /// ceiling). A frame of the page waits for its slowest slice: the
    /// longest shows the stalls (a map growing all at once, for one).
    fn stalls() {
        use agent_governance_console::console::SLICE_REQUESTS;
        use agent_governance_console::sim::fleet::FleetSettings;
        use agent_governance_console::sim::simulation::Simulation;
        let settings = FleetSettings {
            size: AGENTS as u32,
            ..FleetSettings::default()
        };
        let Ok(mut sim) = Simulation::new(settings, GovernanceConfig::default()) else {
            return;
        };
        let records = 5 * requests();
        let mut slices = Vec::new();
        while sim.plane().audit().len() < records {
            let target = sim.now().saturating_add(Millis::from_secs(3_600));
            let started = Instant::now();
            if sim.run_until(target, SLICE_REQUESTS).submitted == 0 {
                break;
            }
            slices.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
        if slices.is_empty() {
            return;
        }
        slices.sort_by(f64::total_cmp);
        let at = |share: f64| slices[((slices.len() - 1) as f64 * share) as usize];
        println!(
            "{:<44} {:>12}",
            format!("simulation, {AGENTS} agents, slices of {SLICE_REQUESTS}"),
            format!("{} slices", slices.len())
        );
        println!(
            "{:<44} {:>12}",
            format!(
                "  to {} records: p50, p99, longest",
                sim.plane().audit().len()
            ),
            format!("{:.2}, {:.2}, {:.1} ms", at(0.5), at(0.99), at(1.0))
        );
    }

    /// `governance-bench --peer FILE`: the article engine's three policies
    /// (`../shared/peer-bench/`) on one of its stream files, repeated with a
    /// fresh plane for at least a second as its timing script does; prints
    /// decisions per second and how many first verdicts differ from the
    /// article engine's.
    fn peer(path: &str) {
        use agent_governance_console::governance::config::RateScope;
        use agent_governance_console::governance::{ConflictStrategy, PolicyConfig, Verdict};
        let fail = |e: String| -> ! {
            eprintln!("governance-bench: {path}: {e}");
            std::process::exit(1)
        };
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(e.to_string()));
        let stream: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| fail(e.to_string()));
        let c = &stream["config"];
        let names = |key: &str| -> Vec<String> {
            c[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        };
        let policy = |name: &str, priority: i32, rule: PolicyRule| PolicyConfig {
            name: name.into(),
            description: String::new(),
            applies_to: vec!["*".into()],
            priority,
            enabled: true,
            rule,
            risk_levels: Vec::new(),
            on_timeout: Default::default(),
        };
        let mut config = GovernanceConfig {
            conflict_strategy: ConflictStrategy::FirstApplicable,
            ..GovernanceConfig::default()
        };
        config.triggers.repeated_violations.enabled = false;
        config.triggers.credential_leaks.enabled = false;
        config.triggers.spend_anomaly.enabled = false;
        config.policies = vec![
            policy(
                "budget_enforcement",
                100,
                PolicyRule::Budget(BudgetConfig::system(
                    c["budget_limit"].as_f64().unwrap_or(100.0),
                    90.0,
                )),
            ),
            policy(
                "sensitive_actions",
                95,
                PolicyRule::SensitiveActions(SensitiveActionsConfig {
                    blocked: names("blocked_actions"),
                    approval_required: names("requires_approval"),
                }),
            ),
            policy(
                "rate_limiting",
                90,
                PolicyRule::RateLimit(RateLimitConfig {
                    scope: RateScope::System,
                    max_actions: c["rate_limit"].as_u64().unwrap_or(500) as u32,
                    window_secs: 3_600.0,
                }),
            ),
        ];
        let requests: Vec<(Timestamp, RequestInput)> = stream["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, r)| {
                let seconds = r["timestamp"].as_f64().unwrap_or(0.0) - 1_800_000_000.0;
                let input = RequestInput::new(
                    RequestId(uuid::Uuid::from_u128(i as u128 + 1)),
                    r["agent_id"].as_str().unwrap_or_default(),
                    r["action_type"].as_str().unwrap_or_default(),
                    r["estimated_cost"].as_f64().unwrap_or(0.0),
                )
                .with_parameters(r["parameters"].clone());
                (Timestamp((seconds * 1_000.0).max(0.0) as u64), input)
            })
            .collect();
        let expected: Vec<&str> = stream["expected"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        // Like the article's timing script, which builds its request
        // objects once and hands the engine references, the requests of each
        // pass are built before its clock starts and handed over by value
        // (`submit_owned`): the pass times the engine's work, its creation
        // and its teardown included, not copying the stream.
        let run = |requests: Vec<(Timestamp, RequestInput)>| {
            let clock = ManualClock::default();
            let started = Instant::now();
            let mut plane = ControlPlane::new(config.clone(), clock.clone())
                .unwrap_or_else(|e| fail(e.to_string()));
            let verdicts = requests
                .into_iter()
                .map(|(at, input)| {
                    clock.set(at);
                    plane.submit_owned(input).verdict
                })
                .collect::<Vec<Verdict>>();
            drop(plane);
            (verdicts, started.elapsed().as_secs_f64())
        };
        let (verdicts, _) = run(requests.clone());
        let requests_len = requests.len();
        let differ = verdicts
            .iter()
            .zip(&expected)
            .filter(|(v, e)| v.as_str() != **e)
            .count();
        let (mut done, mut elapsed) = (0usize, 0.0);
        while elapsed < 1.0 {
            let (verdicts, seconds) = run(requests.clone());
            black_box(verdicts);
            elapsed += seconds;
            done += requests.len().max(1);
        }
        println!(
            "{:<44} {:>12.0} decisions/s  ({:.0} ns each)",
            format!(
                "submit, the article's 3 policies, {} requests",
                requests.len()
            ),
            done as f64 / elapsed,
            elapsed * 1e9 / done as f64
        );
        println!(
            "{:<44} {:>12}",
            "  first verdicts unlike the article's", differ
        );
        // What taking the requests by value costs before any governance:
        // each pass frees what it was handed (two names and a parameter
        // object a request), which the article's script never does inside
        // its clock (its request objects outlive every pass).
        let (mut freed, mut elapsed) = (0usize, 0.0);
        while elapsed < 0.5 {
            let requests = requests.clone();
            let started = Instant::now();
            drop(black_box(requests));
            elapsed += started.elapsed().as_secs_f64();
            freed += requests_len.max(1);
        }
        println!(
            "{:<44} {:>12.0} ns each",
            "  freeing the requests alone",
            elapsed * 1e9 / freed as f64
        );
    }

    /// `governance-bench --input FILE`: the requests of a replay script,
    /// under its setup configuration, timed without parsing.
    fn from_file(path: &str) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("governance-bench: {path}: {e}");
                std::process::exit(1);
            }
        };
        let (config, requests) = match replay::requests_of(&text) {
            Ok(script) => script,
            Err(e) => {
                eprintln!("governance-bench: {path}: {e}");
                std::process::exit(1);
            }
        };
        println!(
            "governance-bench: {} requests from {path}\n",
            requests.len()
        );
        let plane = timed(config, "submit, the script's requests", requests);
        println!("{:<44} {:>12}", "records in the trail", plane.audit().len());
    }

    /// Parameters as an agent might send them, about 4 KB serialised: ids, a
    /// timestamp, a command line, nested order lines with prose. `dirty`
    /// adds a bearer JWT, an email address, a phone number and a card number.
    fn parameters(dirty: bool) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let lines: Vec<_> = (0..24)
            .map(|i| {
                json!({"sku": format!("SKU-{i:05}"), "qty": i % 5 + 1, "price": 19.99,
                       "note": "Deliver to the loading dock after 10:30; ask for the shift lead."})
            })
            .collect();
        let mut parameters = json!({
            "request_id": "550e8400-e29b-41d4-a716-446655440000",
            "commit": "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "at": "2024-06-01T12:34:56.789Z",
            "command": "curl -s https://api.acme-corp.io/v1/orders/ORD-2024-000123 -H 'Accept: application/json'",
            "order": {"id": "ORD-2024-000123", "lines": lines},
        });
        if dirty {
            parameters["command"] = json!("curl -s https://api.acme-corp.io/v1/orders -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZ2VudC03In0.c48HwuTpEHFTnPmBm4MzsUZzgojOeoHxP7KF4ODx7UI'");
            parameters["order"]["contact"] = json!("jane.doe@acme-corp.io, +44 20 7946 0958");
            parameters["order"]["card"] = json!("4111 1111 1111 1111");
        }
        parameters.as_object().cloned().unwrap_or_default()
    }

    fn time_per_byte<T>(label: &str, bytes: usize, calls: u32, mut f: impl FnMut() -> T) {
        let started = Instant::now();
        for _ in 0..calls {
            black_box(f());
        }
        let each = started.elapsed().as_nanos() as f64 / f64::from(calls);
        println!(
            "{label:<44} {:>12.2} ns per byte ({each:.0} ns per {bytes} bytes)",
            each / bytes as f64
        );
    }

    fn time_per_call<T>(label: &str, calls: u32, mut f: impl FnMut() -> T) {
        let started = Instant::now();
        for _ in 0..calls {
            black_box(f());
        }
        let each = started.elapsed() / calls;
        println!("{label:<44} {:>12.1} µs per call", each.as_secs_f64() * 1e6);
    }

    pub fn main() {
        let args: Vec<String> = std::env::args().collect();
        if args.get(1).map(String::as_str) == Some("--peer") {
            match args.get(2) {
                Some(path) => return peer(path),
                None => {
                    eprintln!("governance-bench: --peer needs a stream file from gen_streams.py");
                    std::process::exit(2);
                }
            }
        }
        if args.get(1).map(String::as_str) == Some("--input") {
            match args.get(2) {
                Some(path) => return from_file(path),
                None => {
                    eprintln!("governance-bench: --input needs a replay script's path");
                    std::process::exit(2);
                }
            }
        }
        println!(
            "governance-bench: {} requests from {AGENTS} agents, release build\n",
            requests()
        );
        // `governance-bench submit N STREAM`: one stream alone, for profiling.
        let only = std::env::args().nth(3);
        let runs = |stream: &str| only.as_deref().is_none_or(|only| only == stream);
        if runs("default") {
            governed(
                GovernanceConfig::default(),
                "submit, default config (budget runs out)",
            );
        }
        if only.is_some() {
            if runs("permissive") {
                governed(permissive(), "submit, permissive config (all policies run)");
            }
            if runs("escalate") {
                escalation_heavy();
            }
            if runs("parameters") {
                realistic_parameters();
            }
            return;
        }
        let plane = governed(permissive(), "submit, permissive config (all policies run)");
        escalation_heavy();
        realistic_parameters();
        // `governance-bench submit`: the decision path only (for profiling).
        if std::env::args().nth(1).as_deref() == Some("submit") {
            return;
        }

        println!();
        println!("{:<44} {:>12}", "records in the trail", plane.audit().len());

        println!();
        time_per_call("spending_report(), 1000 agents, 1M records", 1_000, || {
            plane.spending_report()
        });
        time_per_call("escalation_stats()", 100_000, || plane.escalation_stats());
        time_per_call("refusals(Some(agent)).count()", 100, || {
            plane.refusals(Some("agent-0005")).count()
        });
        time_per_call("refusals(None).count()", 100, || {
            plane.refusals(None).count()
        });

        println!();
        stalls();

        println!();
        for (dirty, label) in [(false, "clean"), (true, "dirty")] {
            let sent = parameters(dirty);
            let bytes = serde_json::to_string(&sent).map_or(1, |s| s.len());
            time_per_byte(
                &format!("detectors::scan, {label} parameters"),
                bytes,
                20_000,
                || detectors::scan(black_box(&sent)),
            );
            time_per_byte(
                &format!("detectors::mask, {label} parameters"),
                bytes,
                20_000,
                || detectors::mask(black_box(&sent)),
            );
        }
    }
}
