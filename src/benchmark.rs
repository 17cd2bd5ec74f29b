//! The decision-path benchmark's configurations and streams, shared by
//! `governance-bench` (native) and the page's `#bench` (the release wasm in a
//! browser), so both time the same work. Figures, never pass marks: see
//! `BENCHMARKS.md`.

use crate::governance::ids::BUILT_IN_ACTION_TYPES;
use crate::governance::{
    BudgetConfig, ControlPlane, GovernanceConfig, ManualClock, PolicyRule, RateLimitConfig,
    RequestId, RequestInput, SensitiveActionsConfig, Timestamp,
};

/// Agents in every stream.
pub const AGENTS: usize = 1_000;

/// A configuration under which most requests run the whole policy chain and
/// are approved: every default policy, with limits no stream reaches.
pub fn permissive() -> GovernanceConfig {
    let mut config = GovernanceConfig::default();
    // Every tier runs, none refuses; no trigger halts anyone.
    config.triggers.repeated_violations.enabled = false;
    for tier in ["action_cap", "agent_budget"] {
        if let Some(PolicyRule::Budget(budget)) = config.policy_mut(tier).map(|p| &mut p.rule) {
            budget.limit = 1e9;
            budget.escalate_at_percent = 100.0;
        }
    }
    if let Some(policy) = config.policy_mut("budget") {
        policy.rule = PolicyRule::Budget(BudgetConfig::system(1e9, 100.0));
    }
    if let Some(policy) = config.policy_mut("rate_limit") {
        policy.rule = PolicyRule::RateLimit(RateLimitConfig::per_agent(1_000_000, 3_600.0));
    }
    if let Some(policy) = config.policy_mut("sensitive_actions") {
        policy.rule = PolicyRule::SensitiveActions(SensitiveActionsConfig {
            blocked: vec!["deploy".into()],
            approval_required: vec![],
        });
    }
    config
}

/// `count` requests from [`AGENTS`] agents cycling through `types`, each
/// with `parameters(i)`, one virtual millisecond per thousand.
pub fn stream(
    count: usize,
    types: &[&str],
    parameters: impl Fn(usize) -> Option<serde_json::Value>,
) -> Vec<(Timestamp, RequestInput)> {
    (0..count)
        .map(|i| {
            let input = RequestInput::new(
                RequestId(uuid::Uuid::from_u128(i as u128 + 1)),
                format!("agent-{:04}", i % AGENTS),
                types[i % types.len()],
                // 0.010 to 0.016, exact: `0.01 + 6 * 0.001` is
                // 0.013000000000000001, refused for its decimals.
                (10_000 + (i % 7) * 1_000) as f64 / 1e6,
            );
            let input = match parameters(i) {
                Some(parameters) => input.with_parameters(parameters),
                None => input,
            };
            (Timestamp((i / 1_000) as u64 + 1), input)
        })
        .collect()
}

/// The built-in action types in turn, without parameters.
pub fn built_in_stream(count: usize) -> Vec<(Timestamp, RequestInput)> {
    stream(count, &BUILT_IN_ACTION_TYPES, |_| None)
}

/// Submits `requests` (each at its time) to a fresh plane under `config`;
/// returns the plane and the milliseconds `now_ms` measured around the loop.
pub fn time(
    config: GovernanceConfig,
    requests: Vec<(Timestamp, RequestInput)>,
    now_ms: &dyn Fn() -> f64,
) -> (ControlPlane, f64) {
    let clock = ManualClock::default();
    let mut plane = ControlPlane::new(config, clock.clone()).expect("a valid configuration");
    let started = now_ms();
    for (at, input) in requests {
        clock.set(at);
        std::hint::black_box(plane.submit_owned(input));
    }
    (plane, now_ms() - started)
}

/// One line of figures: `label`, decisions per second and nanoseconds each.
pub fn figures(label: &str, decisions: usize, millis: f64) -> String {
    let seconds = (millis / 1_000.0).max(1e-9);
    let count = decisions.max(1) as f64;
    // Whole numbers by integer formatting: the page's build then needs no
    // float formatting.
    format!(
        "{label:<44} {:>12} decisions/s  ({} ns each)",
        (count / seconds).round() as u64,
        (seconds * 1e9 / count).round() as u64
    )
}

/// The page's benchmark: the default and the permissive stream of `count`
/// requests each, one line of figures per stream.
pub fn in_page(count: usize, now_ms: &dyn Fn() -> f64) -> Vec<String> {
    [
        ("default config", GovernanceConfig::default()),
        ("permissive config (all policies run)", permissive()),
    ]
    .into_iter()
    .map(|(label, config)| {
        let (_, millis) = time(config, built_in_stream(count), now_ms);
        figures(&format!("submit, {label}"), count, millis)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_benchmark_times_both_streams() {
        let ticks = std::cell::Cell::new(0.0);
        let now = || {
            ticks.set(ticks.get() + 5.0);
            ticks.get()
        };
        let lines = in_page(2_000, &now);
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with("submit, default config"),
            "{}",
            lines[0]
        );
        // 2,000 decisions in the 5 ms between the two readings.
        assert!(
            lines[1].contains("400000 decisions/s  (2500 ns each)"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn the_permissive_configuration_approves_what_it_does_not_block() {
        let (plane, _) = time(permissive(), built_in_stream(800), &|| 0.0);
        let approved = plane
            .audit()
            .records()
            .filter(|r| {
                r.decision()
                    .is_some_and(|d| d.verdict.as_str() == "approved")
            })
            .count();
        // Of the six built-in types in turn, `deploy` is blocked and the
        // three high-risk ones are escalated by the default high-risk review:
        // only `api_call` and `db_read` run, 134 of 800 each. No cost is
        // refused for its decimals.
        assert_eq!(approved, 268);
    }
}
