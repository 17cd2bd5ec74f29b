//! `governance-bench`: figures for the decision path and the reports.
//!
//! Prints throughput and costs; asserts nothing. Run it in release mode:
//! `cargo run --release --bin governance-bench`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use agent_governance_console::governance::ids::BUILT_IN_ACTION_TYPES;
    use agent_governance_console::governance::{
        AuditRecord, BudgetConfig, ControlPlane, GovernanceConfig, ManualClock, Millis, PolicyRule,
        RateLimitConfig, RequestId, RequestInput, SensitiveActionsConfig,
    };
    use std::hint::black_box;
    use std::time::Instant;

    const AGENTS: usize = 1_000;
    const REQUESTS: usize = 1_000_000;

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
        (0..REQUESTS)
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
            REQUESTS as f64 / elapsed.as_secs_f64(),
            elapsed.as_nanos() as f64 / REQUESTS as f64
        );
        plane
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
        println!("governance-bench: {REQUESTS} requests from {AGENTS} agents, release build\n");
        governed(
            GovernanceConfig::default(),
            "submit, default config (budget runs out)",
        );
        let plane = governed(permissive(), "submit, permissive config (all policies run)");

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
    }
}
