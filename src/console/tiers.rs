//! Budget tiers as the spending panel shows them: each tier's spend against
//! its limit, in words ("each agent, per hour"), with its threshold, whose
//! spend a per-agent tier shows, and when a windowed tier resets.
//!
//! Invariant: every figure comes from the core's [`TierUsage`]; nothing here
//! sums spend itself.

use super::charts::{spend_chart, BudgetLine, Marker, SpendChart};
use super::Currency;
use crate::governance::{BudgetScope, Millis, TierUsage, Timestamp};
use crate::sim::TimelinePoint;

/// One tier's row.
#[derive(Clone, Debug, PartialEq)]
pub struct TierRow {
    pub policy: String,
    /// Scope and window in words: "each agent, per hour".
    pub scope: String,
    /// "3.20 of 10.00", or "up to $1.00 each" for a per-action cap.
    pub usage: String,
    /// "escalates above $9.00".
    pub threshold: String,
    /// Whose spend a per-agent tier shows (its top spender).
    pub agent: Option<String>,
    /// "resets at 1:00" for a windowed tier.
    pub resets: Option<String>,
    /// Spent as a share of the limit, 0 to 1; `None` for a per-action cap.
    pub share: Option<f64>,
}

/// A window as a period: "per hour", "per day", "per 15 min", "per 90 s".
pub fn per_window(window: Millis) -> String {
    let secs = window.0 / 1_000;
    match secs {
        3_600 => "per hour".to_owned(),
        86_400 => "per day".to_owned(),
        604_800 => "per week".to_owned(),
        s if s % 3_600 == 0 => format!("per {} h", s / 3_600),
        s if s % 60 == 0 => format!("per {} min", s / 60),
        _ if window.0.is_multiple_of(1_000) => format!("per {secs} s"),
        _ => {
            let thousandths = format!("{:03}", window.0 % 1_000);
            format!("per {secs}.{} s", thousandths.trim_end_matches('0'))
        }
    }
}

/// Virtual time as `h:mm` (hours keep counting past 24).
pub fn clock_time(at: Timestamp) -> String {
    let minutes = at.millis() / 60_000;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn scope_words(scope: BudgetScope) -> &'static str {
    match scope {
        BudgetScope::Action => "each action",
        BudgetScope::Agent => "each agent",
        BudgetScope::System => "the whole system",
    }
}

pub fn tier_rows(usage: &[TierUsage], currency: Currency) -> Vec<TierRow> {
    let money = |m| currency.format(m);
    usage
        .iter()
        .map(|tier| {
            let scope = match tier.window {
                Some(window) => format!("{}, {}", scope_words(tier.scope), per_window(window)),
                None => scope_words(tier.scope).to_owned(),
            };
            let capped = tier.scope == BudgetScope::Action;
            let limit = tier.limit.as_f64();
            TierRow {
                policy: tier.policy.to_string(),
                scope,
                usage: if capped {
                    format!("up to {} each", money(tier.limit))
                } else {
                    format!("{} of {}", money(tier.spent), money(tier.limit))
                },
                threshold: format!("escalates above {}", money(tier.threshold)),
                agent: tier.agent.as_ref().map(ToString::to_string),
                resets: tier
                    .resets_at
                    .map(|at| format!("resets at {}", clock_time(at))),
                share: (!capped).then(|| {
                    if limit > 0.0 {
                        (tier.spent.as_f64() / limit).clamp(0.0, 1.0)
                    } else {
                        1.0
                    }
                }),
            }
        })
        .collect()
}

/// The system tier the spend chart is drawn against: the first one, in
/// priority order, as the spending report picks it.
pub fn system_tier(usage: &[TierUsage]) -> Option<&TierUsage> {
    usage.iter().find(|t| t.scope == BudgetScope::System)
}

/// The spending panel: the tiers, and the chart drawn against the system
/// tier with what that tier has spent in its window.
#[derive(Clone, Debug, PartialEq)]
pub struct SpendingView {
    pub tiers: Vec<TierRow>,
    pub chart: SpendChart,
    /// "0.50 of 100.00 per day, resets at 24:00" for a windowed system tier.
    pub window_spend: Option<String>,
}

/// `markers` are the changes marked on the chart; money is written in
/// `currency`.
pub fn spending_view(
    points: &[TimelinePoint],
    usage: &[TierUsage],
    markers: Vec<Marker>,
    currency: Currency,
) -> SpendingView {
    let system = system_tier(usage);
    let line = system.map(|tier| BudgetLine {
        limit: tier.limit,
        threshold: tier.threshold,
        window: tier.window,
    });
    let window_spend = system.and_then(|tier| {
        let window = tier.window?;
        let resets = tier
            .resets_at
            .map(|at| format!(", resets at {}", clock_time(at)))
            .unwrap_or_default();
        Some(format!(
            "{} of {} {}{resets}",
            currency.format(tier.spent),
            currency.format(tier.limit),
            per_window(window)
        ))
    });
    SpendingView {
        tiers: tier_rows(usage, currency),
        chart: spend_chart(points, line, markers, currency.symbol()),
        window_spend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::{
        ControlPlane, GovernanceConfig, ManualClock, Money, RequestId, RequestInput,
    };

    #[test]
    fn windows_and_times_read_as_people_say_them() {
        assert_eq!(per_window(Millis::from_secs(3_600)), "per hour");
        assert_eq!(per_window(Millis::from_secs(86_400)), "per day");
        assert_eq!(per_window(Millis::from_secs(900)), "per 15 min");
        assert_eq!(per_window(Millis::from_secs(7_200)), "per 2 h");
        assert_eq!(per_window(Millis::from_secs(90)), "per 90 s");
        assert_eq!(per_window(Millis(1_500)), "per 1.5 s");
        assert_eq!(per_window(Millis(90_250)), "per 90.25 s");
        assert_eq!(per_window(Millis(61_001)), "per 61.001 s");
        assert_eq!(clock_time(Timestamp(3_600_000)), "1:00");
        assert_eq!(clock_time(Timestamp(25 * 3_600_000 + 5 * 60_000)), "25:05");
    }

    #[test]
    fn the_default_tiers_read_in_words_with_their_spend() {
        let clock = ManualClock::default();
        let mut plane = ControlPlane::new(GovernanceConfig::default(), clock.clone()).unwrap();
        clock.advance(Millis::from_secs(60));
        for (n, agent) in [(1, "a"), (2, "b"), (3, "b")] {
            plane.submit(&RequestInput::new(
                RequestId(uuid::Uuid::from_u128(n)),
                agent,
                "web_search",
                0.5,
            ));
        }
        let rows = tier_rows(&plane.budget_usage(None), Currency::Usd);
        let described: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.policy.as_str(),
                    r.scope.as_str(),
                    r.usage.as_str(),
                    r.agent.as_deref(),
                    r.resets.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            described,
            [
                ("action_cap", "each action", "up to $1.00 each", None, None),
                (
                    "agent_budget",
                    "each agent, per hour",
                    "$1.00 of $10.00",
                    Some("b"),
                    Some("resets at 1:00")
                ),
                (
                    "budget",
                    "the whole system, per day",
                    "$1.50 of $100.00",
                    None,
                    Some("resets at 24:00")
                ),
            ]
        );
        assert_eq!(rows[1].threshold, "escalates above $9.00");
        assert_eq!(rows[1].share, Some(0.1));
        assert_eq!(rows[0].share, None);
        let usage = plane.budget_usage(None);
        let system = system_tier(&usage).unwrap();
        assert_eq!(system.spent, Money::from_f64(1.5).unwrap());
        let view = spending_view(&[], &usage, Vec::new(), Currency::Usd);
        assert_eq!(
            view.window_spend.as_deref(),
            Some("$1.50 of $100.00 per day, resets at 24:00")
        );
        assert_eq!(view.chart.window, Some(Millis::from_secs(86_400)));
        assert_eq!(view.tiers, rows);
    }
}
