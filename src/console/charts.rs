//! Chart geometry from the core's numbers: SVG coordinates, computed here so
//! the chart components only draw.
//!
//! The spend chart is drawn against the system budget tier. A tier with a
//! window limits the spend of its current window, so the line then shows
//! spend since the window began (falling to zero at each reset), which is
//! what the budget line is a limit of; without a window it shows all-time
//! spend. The line is drawn from the timeline's samples of total spend; the
//! figure beside it is the tier's own (which counts only the types the tier
//! covers).

use crate::governance::{Millis, Money, SpendingReport, Timestamp, Verdict};
use crate::sim::TimelinePoint;
use std::fmt::Write;
use std::sync::Arc;

/// Drawing area of the time charts, in SVG user units.
pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 180.0;

/// A chart coordinate or percentage with one decimal, rounded half away
/// from zero, in integer arithmetic (core's float formatting stays out of
/// the browser build). Beyond ±10¹⁵, far outside any chart, it clamps.
#[derive(Clone, Copy, Debug)]
pub struct OneDecimal(pub f64);

impl std::fmt::Display for OneDecimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round();
        let tenths = if tenths.is_nan() {
            0
        } else {
            tenths.clamp(-1e16, 1e16) as i64
        };
        let sign = if tenths < 0 { "-" } else { "" };
        let tenths = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", tenths / 10, tenths % 10)
    }
}

/// The budget tier a spend chart is drawn against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetLine {
    pub limit: Money,
    pub threshold: Money,
    /// The tier's window: the line then shows spend within each window.
    pub window: Option<Millis>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpendChart {
    /// `points` attribute of the spend polyline: all-time spend, or spend
    /// within the budget's window.
    pub spend: String,
    /// Height of the budget and threshold lines, when there is a budget.
    pub budget_y: Option<f64>,
    pub threshold_y: Option<f64>,
    pub top: Money,
    /// All-time spend at the latest point.
    pub latest: Money,
    pub end: Timestamp,
    /// The window the line's spend is within, if the budget has one.
    pub window: Option<Millis>,
}

fn x_of(at: Timestamp, end: Timestamp) -> f64 {
    if end.millis() == 0 {
        0.0
    } else {
        at.millis() as f64 / end.millis() as f64 * WIDTH
    }
}

fn y_of(value: f64, top: f64) -> f64 {
    if top <= 0.0 {
        HEIGHT
    } else {
        HEIGHT - (value / top).min(1.0) * HEIGHT
    }
}

fn polyline(points: &[TimelinePoint], top: f64, value: impl Fn(&TimelinePoint) -> f64) -> String {
    let end = points.last().map_or(Timestamp(0), |p| p.at);
    let mut out = String::with_capacity(points.len() * 14);
    for point in points {
        let _ = write!(
            out,
            "{},{} ",
            OneDecimal(x_of(point.at, end)),
            OneDecimal(y_of(value(point), top))
        );
    }
    out.trim_end().to_owned()
}

/// Spend at each point as the budget counts it: all-time, or since the
/// start of the point's window (windows are aligned to multiples of their
/// length from time zero; the spend at a window's start is the latest sample
/// at or before it).
fn windowed_spend(points: &[TimelinePoint], window: Option<Millis>) -> Vec<Money> {
    let Some(size) = window.map(|w| w.0.max(1)) else {
        return points.iter().map(|p| p.total_spend).collect();
    };
    let mut base = Money::ZERO;
    let mut base_period = 0;
    let mut previous: Option<&TimelinePoint> = None;
    points
        .iter()
        .map(|point| {
            let period = point.at.millis() / size;
            if period != base_period {
                base_period = period;
                base = previous.map_or(Money::ZERO, |p| p.total_spend);
            }
            previous = Some(point);
            point.total_spend.saturating_sub(base)
        })
        .collect()
}

/// Spend over time against the budget and its escalation threshold.
pub fn spend_chart(points: &[TimelinePoint], budget: Option<BudgetLine>) -> SpendChart {
    let latest = points.last().map_or(Money::ZERO, |p| p.total_spend);
    let window = budget.and_then(|b| b.window);
    let values = windowed_spend(points, window);
    let highest = values.iter().copied().max().unwrap_or(Money::ZERO);
    let limit = budget.map(|b| b.limit);
    // Leave headroom above the budget line so it is visible, not the frame.
    let top = highest.max(limit.map_or(Money::ZERO, |l| l.saturating_add(l.percent_floor(10.0))));
    let top_value = top.as_f64().max(0.01);
    let end = points.last().map_or(Timestamp(0), |p| p.at);
    let mut spend = String::with_capacity(points.len() * 14);
    for (point, value) in points.iter().zip(&values) {
        let _ = write!(
            spend,
            "{},{} ",
            OneDecimal(x_of(point.at, end)),
            OneDecimal(y_of(value.as_f64(), top_value))
        );
    }
    SpendChart {
        spend: spend.trim_end().to_owned(),
        budget_y: limit.map(|l| y_of(l.as_f64(), top_value)),
        threshold_y: budget.map(|b| y_of(b.threshold.as_f64(), top_value)),
        top: Money::from_f64(top_value).unwrap_or(top),
        latest,
        end,
        window,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct VerdictSeries {
    pub verdict: Verdict,
    pub points: String,
    pub latest: u64,
}

/// Cumulative counts of each verdict over time, on one shared scale.
pub fn verdict_chart(points: &[TimelinePoint]) -> Vec<VerdictSeries> {
    let count = |p: &TimelinePoint, v: Verdict| match v {
        Verdict::Approved => p.approved,
        Verdict::Denied => p.denied,
        Verdict::Escalated => p.escalated,
        Verdict::RateLimited => p.rate_limited,
    };
    let top = points
        .iter()
        .flat_map(|p| Verdict::ALL.map(|v| count(p, v)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    Verdict::ALL
        .iter()
        .map(|&verdict| VerdictSeries {
            verdict,
            points: polyline(points, top, |p| count(p, verdict) as f64),
            latest: points.last().map_or(0, |p| count(p, verdict)),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentBar {
    pub agent: Arc<str>,
    pub spent: Money,
    /// Bar length as a share of the largest spender's, 0 to 1.
    pub share: f64,
}

/// The biggest spenders, largest first (ties by name), and the spend of the rest.
pub fn agent_bars(report: &SpendingReport, top: usize) -> (Vec<AgentBar>, Money) {
    let mut spenders: Vec<_> = report.per_agent.iter().collect();
    spenders.sort_by(|a, b| b.spent.cmp(&a.spent).then_with(|| a.agent.cmp(&b.agent)));
    let largest = spenders.first().map_or(0.0, |s| s.spent.as_f64());
    let bars = spenders
        .iter()
        .take(top)
        .map(|s| AgentBar {
            agent: s.agent.clone(),
            spent: s.spent,
            share: if largest > 0.0 {
                s.spent.as_f64() / largest
            } else {
                0.0
            },
        })
        .collect();
    let rest = spenders.iter().skip(top).map(|s| s.spent).sum();
    (bars, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::stats::AgentSpend;

    #[test]
    fn coordinates_have_one_decimal_rounded_half_away_from_zero() {
        let text = |x: f64| OneDecimal(x).to_string();
        assert_eq!(text(0.0), "0.0");
        assert_eq!(text(180.0), "180.0");
        assert_eq!(text(12.34), "12.3");
        assert_eq!(text(12.36), "12.4");
        assert_eq!(text(0.25), "0.3");
        assert_eq!(text(-0.25), "-0.3");
        assert_eq!(text(-3.04), "-3.0");
        assert_eq!(text(-0.04), "0.0", "no negative zero");
        assert_eq!(text(99.96), "100.0");
        assert_eq!(text(f64::NAN), "0.0");
        // Agrees with the standard formatter wherever no tie is involved.
        for i in 0..20_000 {
            let x = i as f64 * 0.0137 - 100.0;
            if ((x * 10.0).fract().abs() - 0.5).abs() > 1e-6 {
                let standard = format!("{x:.1}");
                let standard = if standard == "-0.0" {
                    "0.0".to_owned()
                } else {
                    standard
                };
                assert_eq!(text(x), standard, "{x}");
            }
        }
    }

    fn point(at: u64, spend: u64) -> TimelinePoint {
        TimelinePoint {
            at: Timestamp(at),
            total_spend: Money::from_units(spend),
            approved: spend,
            denied: 0,
            escalated: 0,
            rate_limited: 0,
        }
    }

    #[test]
    fn spend_is_scaled_to_leave_the_budget_line_in_view() {
        let chart = spend_chart(
            &[point(0, 0), point(500, 50), point(1_000, 100)],
            Some(BudgetLine {
                limit: Money::from_units(100),
                threshold: Money::from_units(90),
                window: None,
            }),
        );
        assert_eq!(chart.top, Money::from_units(110));
        assert_eq!(chart.spend.split(' ').count(), 3);
        assert!(chart.spend.starts_with("0.0,180.0 300.0,"));
        let budget_y = chart.budget_y.unwrap();
        assert!((budget_y - (HEIGHT - 100.0 / 110.0 * HEIGHT)).abs() < 1e-9);
        assert!(chart.threshold_y.unwrap() > budget_y);
        assert_eq!(chart.latest, Money::from_units(100));
    }

    #[test]
    fn a_windowed_budget_is_drawn_against_the_spend_of_each_window() {
        // A 1 s window: 30 spent in the first, then 20 and 45 in the second.
        let points = [
            point(0, 0),
            point(600, 30),
            point(1_200, 50),
            point(1_800, 75),
        ];
        let chart = spend_chart(
            &points,
            Some(BudgetLine {
                limit: Money::from_units(40),
                threshold: Money::from_units(36),
                window: Some(Millis(1_000)),
            }),
        );
        // The highest window spend is 45, over the 44 of limit plus headroom.
        assert_eq!(chart.top, Money::from_units(45));
        let heights: Vec<&str> = chart
            .spend
            .split(' ')
            .map(|xy| xy.split(',').nth(1).unwrap())
            .collect();
        let y = |v: f64| OneDecimal(HEIGHT - v / 45.0 * HEIGHT).to_string();
        assert_eq!(heights, [y(0.0), y(30.0), y(20.0), y(45.0)]);
        assert_eq!(chart.latest, Money::from_units(75), "all-time spend");
        assert_eq!(chart.window, Some(Millis(1_000)));
        // Without a window the same points are all-time spend.
        let all_time = spend_chart(&points, None);
        assert_eq!(all_time.top, Money::from_units(75));
        assert_eq!(all_time.budget_y, None);
    }

    #[test]
    fn bars_rank_the_biggest_spenders_and_sum_the_rest() {
        let spend = |agent: &str, units| AgentSpend {
            agent: agent.into(),
            spent: Money::from_units(units),
            executed: 1,
        };
        let report = SpendingReport {
            total: Money::from_units(16),
            limit: None,
            threshold: None,
            remaining: None,
            per_agent: vec![spend("a", 2), spend("b", 8), spend("c", 4), spend("d", 2)],
        };
        let (bars, rest) = agent_bars(&report, 2);
        let names: Vec<_> = bars.iter().map(|b| &*b.agent).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(bars[1].share, 0.5);
        assert_eq!(rest, Money::from_units(4));
    }
}
