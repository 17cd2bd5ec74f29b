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
    use agent_governance_console::governance::detectors;
    use agent_governance_console::governance::ids::BUILT_IN_ACTION_TYPES;
    use agent_governance_console::governance::{
        AuditRecord, BudgetConfig, ControlPlane, GovernanceConfig, ManualClock, Millis, PolicyRule,
        RateLimitConfig, RequestId, RequestInput, SensitiveActionsConfig,
    };
    use std::hint::black_box;
    use std::time::Instant;

    const AGENTS: usize = 1_000;
    /// Requests per stream: 1,000,000, or the number after `submit` (a short
    /// run for `valgrind --tool=callgrind`).
    fn requests() -> usize {
        std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000_000)
    }

    /// A configuration under which most requests run the whole policy chain
    /// and are approved: the expensive path.
    fn permissive() -> GovernanceConfig {
        let mut config = GovernanceConfig::default();
        // Every tier runs, none refuses; no trigger halts anyone.
        config.triggers.repeated_violations.enabled = false;
        for tier in ["action_cap", "agent_budget"] {
            if let PolicyRule::Budget(budget) = &mut config.policy_mut(tier).unwrap().rule {
                budget.limit = 1e9;
                budget.escalate_at_percent = 100.0;
            }
        }
        config.policy_mut("budget").unwrap().rule =
            PolicyRule::Budget(BudgetConfig::system(1e9, 100.0));
        config.policy_mut("rate_limit").unwrap().rule =
            PolicyRule::RateLimit(RateLimitConfig::per_agent(1_000_000, 3_600.0));
        config.policy_mut("sensitive_actions").unwrap().rule =
            PolicyRule::SensitiveActions(SensitiveActionsConfig {
                blocked: vec!["deploy".into()],
                approval_required: vec![],
            });
        config
    }

    fn inputs() -> Vec<RequestInput> {
        (0..requests())
            .map(|i| {
                RequestInput::new(
                    RequestId(uuid::Uuid::from_u128(i as u128 + 1)),
                    format!("agent-{:04}", i % AGENTS),
                    BUILT_IN_ACTION_TYPES[i % BUILT_IN_ACTION_TYPES.len()],
                    0.01 + (i % 7) as f64 * 0.001,
                )
            })
            .collect()
    }

    fn governed(config: GovernanceConfig, label: &str) -> ControlPlane {
        let requests = inputs();
        let clock = ManualClock::default();
        let mut plane = ControlPlane::new(config, clock.clone()).expect("valid");
        let started = Instant::now();
        for (i, input) in requests.iter().enumerate() {
            if i % 1_000 == 0 {
                clock.advance(Millis(1));
            }
            black_box(plane.submit(input));
        }
        let elapsed = started.elapsed();
        println!(
            "{label:<44} {:>12.0} decisions/s  ({:.0} ns each)",
            requests.len() as f64 / elapsed.as_secs_f64(),
            elapsed.as_nanos() as f64 / requests.len() as f64
        );
        plane
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
        println!(
            "governance-bench: {} requests from {AGENTS} agents, release build\n",
            requests()
        );
        governed(
            GovernanceConfig::default(),
            "submit, default config (budget runs out)",
        );
        let plane = governed(permissive(), "submit, permissive config (all policies run)");
        // `governance-bench submit`: the decision path only (for profiling).
        if std::env::args().nth(1).as_deref() == Some("submit") {
            return;
        }

        println!();
        println!(
            "{:<44} {:>12} bytes (+ shared parameters)",
            "audit record, in memory",
            std::mem::size_of::<AuditRecord>()
        );
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
