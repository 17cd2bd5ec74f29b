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

use crate::governance::audit::AuditEvent;
use crate::governance::stats::AgentSpend;
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

/// A tick on an axis: where it sits, as a percentage of the axis (from the
/// left for time, from the top for values), and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// One drawn line: its CSS class, test id (empty: none) and the `points` of
/// its polyline in chart units.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub class: &'static str,
    pub testid: &'static str,
    pub points: String,
}

/// One band of a plot with its own value scale: the spend chart has one, the
/// verdict chart one per verdict (small multiples, so a verdict with few
/// requests is not drawn along the baseline of one with many).
#[derive(Clone, Debug, PartialEq)]
pub struct PlotRow {
    /// Test id of the band's SVG; its value axis is `{testid}-axis-y`.
    pub testid: &'static str,
    /// What the band shows, written inside it (empty: nothing).
    pub name: &'static str,
    /// Grid lines first, so the data is drawn over them.
    pub lines: Vec<Line>,
    pub y_ticks: Vec<Tick>,
}

/// A change marked on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Percentage of the time axis from the left.
    pub at: f64,
    /// `policy`, `kill` or `release`: the marker's look.
    pub kind: &'static str,
    /// "Configuration changed by dana at 0:05:12".
    pub label: String,
}

/// A time chart: bands sharing one time axis, and the marked changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub rows: Vec<PlotRow>,
    pub x_ticks: Vec<Tick>,
    pub markers: Vec<Marker>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpendChart {
    pub plot: Plot,
    /// The spend line's values: all-time spend, or spend within the budget's
    /// window, one per timeline point.
    pub values: Vec<Money>,
    pub top: Money,
    /// All-time spend at the latest point.
    pub latest: Money,
    pub end: Timestamp,
    /// The window the line's spend is within, if the budget has one.
    pub window: Option<Millis>,
}

/// Virtual time as `h:mm:ss`.
pub fn clock(at: Timestamp) -> String {
    let secs = at.millis() / 1_000;
    format!("{}:{:02}:{:02}", secs / 3_600, secs / 60 % 60, secs % 60)
}

/// The smallest of 1, 2 and 5 times a power of ten that covers `top` in at
/// most `count` steps.
fn nice_step(top: u64, count: u64) -> u64 {
    let mut base: u64 = 1;
    loop {
        for step in [base, base.saturating_mul(2), base.saturating_mul(5)] {
            if step.saturating_mul(count) >= top || step == u64::MAX {
                return step.max(1);
            }
        }
        base = base.saturating_mul(10);
    }
}

/// Value ticks from 0 to `top` (in whole units of what is drawn: micros of
/// money, requests), at most five, labelled by `label`.
fn value_ticks(top: u64, label: impl Fn(u64) -> String) -> Vec<Tick> {
    let step = nice_step(top, 4);
    (0..=4)
        .map_while(|i: u64| i.checked_mul(step))
        .take_while(|&v| v <= top.max(1))
        .map(|v| Tick {
            at: 100.0 - v as f64 / top.max(1) as f64 * 100.0,
            label: label(v),
        })
        .collect()
}

/// Steps of the time axis, in milliseconds: the first that needs at most six
/// ticks is used.
const TIME_STEPS: [u64; 18] = [
    1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
    1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/// Time ticks from 0 to `end`, labelled `h:mm:ss`.
pub fn time_ticks(end: Timestamp) -> Vec<Tick> {
    let end = end.millis();
    let step = TIME_STEPS
        .into_iter()
        .find(|&step| end / step <= 5)
        .unwrap_or_else(|| end.div_ceil(5).max(1));
    (0..=5)
        .map(|i| i * step)
        .take_while(|&at| at <= end)
        .map(|at| Tick {
            at: x_of(Timestamp(at), Timestamp(end)) / WIDTH * 100.0,
            label: clock(Timestamp(at)),
        })
        .collect()
}

/// Grid lines at the value ticks, in chart units.
fn grid(ticks: &[Tick]) -> impl Iterator<Item = Line> + '_ {
    ticks.iter().map(|tick| {
        let y = OneDecimal(tick.at / 100.0 * HEIGHT);
        Line {
            class: "chart-grid",
            testid: "",
            points: format!("0,{y} {},{y}", OneDecimal(WIDTH)),
        }
    })
}

/// Configuration changes and the global kill switch going on and off, from
/// the audit trail's events
/// (time and event, oldest first), placed on a time axis ending at `end`;
/// the latest [`MAX_MARKERS`] are kept.
pub fn markers<'a>(
    events: impl Iterator<Item = (Timestamp, &'a AuditEvent)>,
    end: Timestamp,
) -> Vec<Marker> {
    let mut markers: Vec<Marker> = events
        .filter_map(|(at, event)| {
            let (kind, what, actor) = match event {
                AuditEvent::ConfigChanged { actor, .. } => {
                    ("policy", "Configuration changed", actor)
                }
                // Only the switch that stops the whole fleet: scoped switches
                // (many of them automatic, one agent or type each) would
                // bury the chart's changes.
                AuditEvent::KillSwitchActivated {
                    actor,
                    target: None,
                    ..
                } => ("kill", "Kill switch activated", actor),
                AuditEvent::KillSwitchDeactivated {
                    actor,
                    target: None,
                } => ("release", "Kill switch released", actor),
                _ => return None,
            };
            Some(Marker {
                at: x_of(at.min(end), end) / WIDTH * 100.0,
                kind,
                label: format!("{what} by {actor} at {}", clock(at)),
            })
        })
        .collect();
    let excess = markers.len().saturating_sub(MAX_MARKERS);
    markers.drain(..excess);
    markers
}

/// The most changes marked on a chart: the latest are kept.
pub const MAX_MARKERS: usize = 50;

/// The timeline point nearest to `fraction` (0 to 1) of the time axis.
pub fn point_near(points: &[TimelinePoint], fraction: f64) -> Option<usize> {
    let end = points.last()?.at.millis() as f64;
    let target = (fraction.clamp(0.0, 1.0) * end) as u64;
    let after = points.partition_point(|p| p.at.millis() < target);
    let before = after.saturating_sub(1);
    let after = after.min(points.len() - 1);
    let distance = |i: usize| points[i].at.millis().abs_diff(target);
    Some(if distance(before) <= distance(after) {
        before
    } else {
        after
    })
}

/// What a readout adds after a point's figures: the latest marked change at
/// or before it.
fn last_change(markers: &[Marker], at_percent: f64) -> String {
    markers
        .iter()
        .rev()
        .find(|m| m.at <= at_percent + 1e-9)
        .map(|m| format!(". Latest change: {}", m.label))
        .unwrap_or_default()
}

impl SpendChart {
    /// The readout at `fraction` of the time axis: the time, the spend there
    /// and the latest change before it.
    pub fn readout(&self, points: &[TimelinePoint], fraction: f64, symbol: &str) -> String {
        let Some(i) = point_near(points, fraction) else {
            return "No spend yet".into();
        };
        let within = if self.window.is_some() {
            " in the budget's window"
        } else {
            ""
        };
        let value = self.values.get(i).copied().unwrap_or(Money::ZERO);
        format!(
            "{}: spend {symbol}{value}{within}{}",
            clock(points[i].at),
            last_change(
                &self.plot.markers,
                x_of(points[i].at, self.end) / WIDTH * 100.0
            )
        )
    }
}

/// Spend over time against the budget and its escalation threshold, with
/// money ticks labelled with `symbol` and the `markers` of changes.
pub fn spend_chart(
    points: &[TimelinePoint],
    budget: Option<BudgetLine>,
    markers: Vec<Marker>,
    symbol: &str,
) -> SpendChart {
    let latest = points.last().map_or(Money::ZERO, |p| p.total_spend);
    let window = budget.and_then(|b| b.window);
    let values = windowed_spend(points, window);
    let highest = values.iter().copied().max().unwrap_or(Money::ZERO);
    let limit = budget.map(|b| b.limit);
    // Leave headroom above the budget line so it is visible, not the frame.
    let top = highest.max(limit.map_or(Money::ZERO, |l| l.saturating_add(l.percent_floor(10.0))));
    let top_value = top.as_f64().max(0.01);
    let top = Money::from_f64(top_value).unwrap_or(top);
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
    let y_ticks = value_ticks(top.micros(), |v| {
        format!("{symbol}{}", Money::from_micros(v))
    });
    let rule = |y: f64, class, testid| Line {
        class,
        testid,
        points: format!("0,{y} {},{y}", OneDecimal(WIDTH), y = OneDecimal(y)),
    };
    let mut lines: Vec<Line> = grid(&y_ticks).collect();
    lines.extend(limit.map(|l| {
        rule(
            y_of(l.as_f64(), top_value),
            "chart-budget",
            "chart-budget-line",
        )
    }));
    lines.extend(budget.map(|b| {
        rule(
            y_of(b.threshold.as_f64(), top_value),
            "chart-threshold",
            "chart-threshold-line",
        )
    }));
    lines.push(Line {
        class: "chart-spend-line",
        testid: "chart-spend-line",
        points: spend.trim_end().to_owned(),
    });
    SpendChart {
        plot: Plot {
            rows: vec![PlotRow {
                testid: "chart-spend",
                name: "",
                lines,
                y_ticks,
            }],
            x_ticks: time_ticks(end),
            markers,
        },
        values,
        top,
        latest,
        end,
        window,
    }
}

/// A timeline point's count of `verdict`.
pub fn count(point: &TimelinePoint, verdict: Verdict) -> u64 {
    match verdict {
        Verdict::Approved => point.approved,
        Verdict::Denied => point.denied,
        Verdict::Escalated => point.escalated,
        Verdict::RateLimited => point.rate_limited,
    }
}

/// Cumulative counts of each verdict over time, one band each on its own
/// scale, with the `markers` of changes.
pub fn verdict_chart(points: &[TimelinePoint], markers: Vec<Marker>) -> Plot {
    let end = points.last().map_or(Timestamp(0), |p| p.at);
    let rows = Verdict::ALL
        .iter()
        .map(|&verdict| {
            let top = points
                .iter()
                .map(|p| count(p, verdict))
                .max()
                .unwrap_or(0)
                .max(1);
            let mut y_ticks = value_ticks(top, |v| v.to_string());
            // A band is short: its floor and its highest tick are enough.
            if y_ticks.len() > 2 {
                y_ticks.drain(1..y_ticks.len() - 1);
            }
            let mut lines: Vec<Line> = grid(&y_ticks).collect();
            lines.push(Line {
                class: verdict_class(verdict),
                testid: verdict_class(verdict),
                points: polyline(points, top as f64, |p| count(p, verdict) as f64),
            });
            PlotRow {
                testid: verdict_class(verdict),
                name: crate::console::verdict_label(verdict),
                lines,
                y_ticks,
            }
        })
        .collect();
    Plot {
        rows,
        x_ticks: time_ticks(end),
        markers,
    }
}

/// The class (and test id) of a verdict's line: `chart-verdict-denied`.
fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "chart-verdict-approved",
        Verdict::Denied => "chart-verdict-denied",
        Verdict::Escalated => "chart-verdict-escalated",
        Verdict::RateLimited => "chart-verdict-rate_limited",
    }
}

/// The verdict chart's readout at `fraction` of the time axis.
pub fn verdict_readout(points: &[TimelinePoint], markers: &[Marker], fraction: f64) -> String {
    let Some(i) = point_near(points, fraction) else {
        return "No requests yet".into();
    };
    let point = &points[i];
    let end = points[points.len() - 1].at;
    let counts: Vec<String> = Verdict::ALL
        .iter()
        .map(|&v| format!("{} {}", crate::console::verdict_label(v), count(point, v)))
        .collect();
    format!(
        "{}: {}{}",
        clock(point.at),
        counts.join(", "),
        last_change(markers, x_of(point.at, end) / WIDTH * 100.0)
    )
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
    // The `top` largest, kept in order as the report is read once; whatever
    // leaves them or never enters counts as the rest. No general sort: its
    // code would be compiled into the browser build for this one list.
    // Whether `a` is listed before `b`: more spent, or as much and an
    // earlier name.
    let before = |a: &AgentSpend, b: &AgentSpend| {
        b.spent.cmp(&a.spent).then_with(|| a.agent.cmp(&b.agent)) == std::cmp::Ordering::Less
    };
    let mut best: Vec<&AgentSpend> = Vec::with_capacity(top + 1);
    let mut rest = Money::ZERO;
    for spender in &report.per_agent {
        let at = best.partition_point(|b| before(b, spender));
        best.insert(at, spender);
        if best.len() > top {
            rest = rest.saturating_add(best.pop().map_or(Money::ZERO, |s| s.spent));
        }
    }
    let largest = best.first().map_or(0.0, |s| s.spent.as_f64());
    let bars = best
        .iter()
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

    /// The `points` of the line with test id `testid` in the chart's band.
    fn line<'a>(chart: &'a SpendChart, testid: &str) -> &'a str {
        let row = &chart.plot.rows[0];
        &row.lines
            .iter()
            .find(|l| l.testid == testid)
            .unwrap()
            .points
    }

    /// The y of a horizontal line.
    fn height(points: &str) -> f64 {
        points
            .split(' ')
            .next()
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    }

    fn budget(limit: u64, threshold: u64, window: Option<Millis>) -> Option<BudgetLine> {
        Some(BudgetLine {
            limit: Money::from_units(limit),
            threshold: Money::from_units(threshold),
            window,
        })
    }

    #[test]
    fn spend_is_scaled_to_leave_the_budget_line_in_view() {
        let chart = spend_chart(
            &[point(0, 0), point(500, 50), point(1_000, 100)],
            budget(100, 90, None),
            Vec::new(),
            "$",
        );
        assert_eq!(chart.top, Money::from_units(110));
        let spend = line(&chart, "chart-spend-line");
        assert_eq!(spend.split(' ').count(), 3);
        assert!(spend.starts_with("0.0,180.0 300.0,"));
        let budget_y = height(line(&chart, "chart-budget-line"));
        assert_eq!(budget_y, 16.4, "180 - 100/110 of 180, to one decimal");
        assert!(height(line(&chart, "chart-threshold-line")) > budget_y);
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
            budget(40, 36, Some(Millis(1_000))),
            Vec::new(),
            "$",
        );
        // The highest window spend is 45, over the 44 of limit plus headroom.
        assert_eq!(chart.top, Money::from_units(45));
        let heights: Vec<&str> = line(&chart, "chart-spend-line")
            .split(' ')
            .map(|xy| xy.split(',').nth(1).unwrap())
            .collect();
        let y = |v: f64| OneDecimal(HEIGHT - v / 45.0 * HEIGHT).to_string();
        assert_eq!(heights, [y(0.0), y(30.0), y(20.0), y(45.0)]);
        assert_eq!(chart.latest, Money::from_units(75), "all-time spend");
        assert_eq!(chart.window, Some(Millis(1_000)));
        // Without a window the same points are all-time spend.
        let all_time = spend_chart(&points, None, Vec::new(), "$");
        assert_eq!(all_time.top, Money::from_units(75));
        assert!(all_time.plot.rows[0]
            .lines
            .iter()
            .all(|l| l.testid != "chart-budget-line"));
    }

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn the_axes_have_round_ticks_in_money_and_virtual_time() {
        let chart = spend_chart(
            &[point(0, 0), point(150_000, 50), point(300_000, 100)],
            budget(100, 90, None),
            Vec::new(),
            "€",
        );
        let row = &chart.plot.rows[0];
        // A scale to 110: steps of 50, from the bottom up.
        assert_eq!(labels(&row.y_ticks), ["€0.00", "€50.00", "€100.00"]);
        let at: Vec<String> = row
            .y_ticks
            .iter()
            .map(|t| OneDecimal(t.at).to_string())
            .collect();
        assert_eq!(at, ["100.0", "54.5", "9.1"]);
        // A grid line at each tick.
        assert_eq!(
            row.lines.iter().filter(|l| l.class == "chart-grid").count(),
            3
        );
        // Five minutes: a tick a minute, at the right places.
        let x = &chart.plot.x_ticks;
        assert_eq!(
            labels(x),
            ["0:00:00", "0:01:00", "0:02:00", "0:03:00", "0:04:00", "0:05:00"]
        );
        assert_eq!((x[1].at, x[5].at), (20.0, 100.0));
        // Small amounts keep their digits; long runs get hours.
        let small: Vec<String> = value_ticks(30, |v| Money::from_micros(v).to_string())
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(small, ["0.00", "0.00001", "0.00002", "0.00003"]);
        assert_eq!(
            labels(&time_ticks(Timestamp(26 * 3_600_000))),
            ["0:00:00", "6:00:00", "12:00:00", "18:00:00", "24:00:00"]
        );
        assert_eq!(labels(&time_ticks(Timestamp(0))), ["0:00:00"]);
        assert_eq!(
            labels(&time_ticks(Timestamp(3_500))),
            ["0:00:00", "0:00:01", "0:00:02", "0:00:03"]
        );
    }

    #[test]
    fn policy_changes_and_kill_switches_are_marked_and_named_in_the_readout() {
        let config = Arc::new(crate::governance::GovernanceConfig::default());
        let change = AuditEvent::ConfigChanged {
            actor: "dana".into(),
            before: config.clone(),
            after: config,
        };
        let kill = AuditEvent::KillSwitchActivated {
            actor: "sam".into(),
            reason: "runaway".into(),
            target: None,
        };
        let released = AuditEvent::KillSwitchDeactivated {
            actor: "sam".into(),
            target: None,
        };
        let scoped = AuditEvent::KillSwitchActivated {
            actor: "trigger:repeated_violations".into(),
            reason: "20 refusals".into(),
            target: Some(crate::governance::KillTarget::Agent("looper".into())),
        };
        let end = Timestamp(300_000);
        let events = [
            (Timestamp(60_000), &change),
            (Timestamp(150_000), &kill),
            (Timestamp(200_000), &released),
            (Timestamp(210_000), &scoped),
        ];
        let marks = markers(events.into_iter(), end);
        assert_eq!(marks.len(), 3, "a scoped switch is not marked");
        assert_eq!((marks[0].at, marks[0].kind), (20.0, "policy"));
        assert_eq!(marks[0].label, "Configuration changed by dana at 0:01:00");
        assert_eq!((marks[1].at, marks[1].kind), (50.0, "kill"));
        assert_eq!(marks[1].label, "Kill switch activated by sam at 0:02:30");
        assert_eq!((marks[2].at.round(), marks[2].kind), (67.0, "release"));
        assert_eq!(marks[2].label, "Kill switch released by sam at 0:03:20");

        let points = [
            point(0, 0),
            point(100_000, 4),
            point(200_000, 9),
            point(300_000, 12),
        ];
        let chart = spend_chart(&points, None, marks.clone(), "$");
        assert_eq!(chart.readout(&points, 0.0, "$"), "0:00:00: spend $0.00");
        assert_eq!(
            chart.readout(&points, 0.35, "$"),
            "0:01:40: spend $4.00. Latest change: Configuration changed by dana at 0:01:00"
        );
        assert_eq!(
            chart.readout(&points, 1.0, "$"),
            "0:05:00: spend $12.00. Latest change: Kill switch released by sam at 0:03:20"
        );
        assert_eq!(
            verdict_readout(&points, &marks, 0.6),
            "0:03:20: Approved 9, Denied 0, Escalated 0, Rate limited 0. \
             Latest change: Kill switch released by sam at 0:03:20"
        );
        assert_eq!(chart.readout(&[], 0.5, "$"), "No spend yet");

        // Only the latest changes are kept.
        let many: Vec<(Timestamp, &AuditEvent)> = (0..MAX_MARKERS as u64 + 5)
            .map(|i| (Timestamp(i * 1_000), &change))
            .collect();
        let kept = markers(many.into_iter(), Timestamp(100_000));
        assert_eq!(kept.len(), MAX_MARKERS);
        assert_eq!(kept[0].label, "Configuration changed by dana at 0:00:05");
    }

    #[test]
    fn the_nearest_point_is_read() {
        let points = [point(0, 0), point(100, 1), point(1_000, 2)];
        assert_eq!(point_near(&points, 0.0), Some(0));
        assert_eq!(point_near(&points, 0.04), Some(0));
        assert_eq!(point_near(&points, 0.06), Some(1));
        assert_eq!(point_near(&points, 0.56), Some(2));
        assert_eq!(point_near(&points, 7.0), Some(2));
        assert_eq!(point_near(&points, f64::NAN), Some(0));
        assert_eq!(point_near(&[], 0.5), None);
    }

    #[test]
    fn each_verdict_is_drawn_on_its_own_scale() {
        let mut points = [point(0, 0), point(1_000, 1_000)];
        points[1].denied = 4;
        let plot = verdict_chart(&points, Vec::new());
        assert_eq!(plot.rows.len(), 4);
        let row = |testid| plot.rows.iter().find(|r| r.testid == testid).unwrap();
        let last_y = |testid| {
            let line = row(testid).lines.last().unwrap();
            height(line.points.split(' ').next_back().unwrap())
        };
        // Four denials reach the top of their band as 1,000 approvals do.
        assert_eq!(last_y("chart-verdict-denied"), 0.0);
        assert_eq!(last_y("chart-verdict-approved"), 0.0);
        assert_eq!(labels(&row("chart-verdict-denied").y_ticks), ["0", "4"]);
        assert_eq!(
            labels(&row("chart-verdict-approved").y_ticks),
            ["0", "1000"]
        );
        assert_eq!(row("chart-verdict-rate_limited").name, "Rate limited");
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0, 4), 1);
        assert_eq!(nice_step(4, 4), 1);
        assert_eq!(nice_step(5, 4), 2);
        assert_eq!(nice_step(110, 4), 50);
        assert_eq!(nice_step(200, 4), 50);
        assert_eq!(nice_step(201, 4), 100);
        assert!(nice_step(u64::MAX, 4) >= u64::MAX / 4);
        // A saturated amount still gets ticks, and none overflows.
        let ticks = value_ticks(u64::MAX, |v| v.to_string());
        assert_eq!(ticks[0].label, "0");
        assert!(ticks.len() >= 2);
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

    #[test]
    fn bars_agree_with_a_full_sort_on_ties_and_every_cut() {
        // A fixed generator: many ties in spend, names out of order.
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for round in 0..50 {
            let per_agent: Vec<AgentSpend> = (0..round % 17)
                .map(|_| AgentSpend {
                    agent: format!("agent-{}", next() % 40).into(),
                    spent: Money::from_units(next() % 4),
                    executed: 1,
                })
                .collect();
            let mut sorted: Vec<&AgentSpend> = per_agent.iter().collect();
            sorted.sort_by(|a, b| b.spent.cmp(&a.spent).then_with(|| a.agent.cmp(&b.agent)));
            let report = SpendingReport {
                total: Money::ZERO,
                limit: None,
                threshold: None,
                remaining: None,
                per_agent: per_agent.clone(),
            };
            for top in 0..6 {
                let (bars, rest) = agent_bars(&report, top);
                let expected: Vec<(&str, Money)> = sorted
                    .iter()
                    .take(top)
                    .map(|s| (&*s.agent, s.spent))
                    .collect();
                let got: Vec<(&str, Money)> = bars.iter().map(|b| (&*b.agent, b.spent)).collect();
                assert_eq!(got, expected, "round {round}, top {top}");
                let others: Money = sorted.iter().skip(top).map(|s| s.spent).sum();
                assert_eq!(rest, others, "round {round}, top {top}");
            }
        }
    }
}
