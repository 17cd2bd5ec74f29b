//! How the console spends each frame: how much simulation to run, and when
//! to redraw the panels.
//!
//! The console ticks once per displayed frame (`requestAnimationFrame`, whose
//! callbacks run before the browser's style, layout and paint), and a tick
//! works for only part of a frame, so the rest is left to paint and to handle
//! input. Two costs compete for a frame:
//! simulating (thousands of governed requests a tick with a large fleet) and
//! redrawing (every panel changes when a large fleet is busy). Each tick's
//! simulation is cut off at a work budget, so a tick never freezes the page;
//! at the busy speeds (100× and Max) the panels are redrawn a few times a
//! second, in ticks of their own (two: the panels at the top, then the late
//! ones, [`Pacer::shown_early`]), so no frame pays for both, and at the slow
//! speeds about ten times a second. At the fixed speeds virtual time keeps
//! pace with the real time between ticks, whatever the display's refresh
//! rate: what a tick could not cover is owed to the next ones, up to a limit,
//! beyond which the simulation visibly runs slower than asked.

use super::Speed;
use crate::governance::Millis;

/// The real time a tick stands for when there is no earlier tick to measure
/// from, and the frame length assumed until one is measured.
pub const TICK: Millis = Millis(25);
/// The most simulation work a tick may do (real milliseconds): 60 % of a
/// 60 Hz frame. A shorter frame (a faster display) gets 60 % of its length.
pub const WORK_BUDGET_MS: f64 = 10.0;
/// Requests per slice of a tick's simulation: the tick looks at its clock
/// between slices, so it overshoots its budget by at most one slice. With
/// 1,000 agents natively (`governance-bench`) a slice of 100 takes a median
/// 0.35 ms and 0.7 ms at the 99th percentile, where slices of 400 took 1.6
/// and 5 ms, for the same total; the wasm is a few times slower.
pub const SLICE_REQUESTS: usize = 100;
/// The share of a frame a tick may work for.
const WORK_SHARE: f64 = 0.6;
/// The most real time one tick may stand for: after a pause of the page (a
/// hidden tab gets no frames) the simulation resumes rather than catching up
/// on minutes at once. Longer than the slowest frames the console draws.
const MAX_TICK_GAP_MS: f64 = 1_000.0;
/// At the slow speeds the panels are redrawn once simulated work has waited
/// about this long (real milliseconds): after the tick that would take the
/// wait past it, not after every tick.
const SLOW_REDRAW_INTERVAL_MS: f64 = 100.0;
/// At the busy speeds the panels are redrawn at most this often (real
/// milliseconds).
const BUSY_REDRAW_INTERVAL_MS: f64 = 300.0;
/// How much real time's worth of virtual time may be owed before the rest
/// is dropped (the clock then shows the simulation running slower).
const MAX_OWED_MS: u64 = 1_000;

/// What a tick should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickPlan {
    /// Show what has been simulated since the last redraw, and nothing else.
    Redraw,
    /// Simulate within [`WORK_BUDGET_MS`]: up to `span` of virtual time, or
    /// as much as fits when `span` is `None` (Max). Redraw afterwards when
    /// `redraw_after`, otherwise leave the result to a later redraw.
    Simulate {
        span: Option<Millis>,
        redraw_after: bool,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Pacer {
    /// Virtual time the fixed speeds have yet to simulate.
    owed: Millis,
    /// Since when (real milliseconds) simulated work has waited to be shown.
    unshown_since: Option<f64>,
    /// When (real milliseconds) the last tick was planned.
    last_tick: Option<f64>,
    /// Real time between ticks not yet turned into whole milliseconds of
    /// virtual time (frames are not whole milliseconds long).
    fraction: f64,
    /// The real time between the last two ticks: the frame's length.
    frame_ms: Option<f64>,
    /// A busy redraw left the late panels (charts, audit trail) to the next
    /// tick, so no one frame redraws every panel.
    late_due: bool,
}

impl Pacer {
    /// Decides the tick starting at `now_ms` (real milliseconds).
    pub fn plan(&mut self, speed: Speed, now_ms: f64) -> TickPlan {
        let gap = self.last_tick.map(|last| (now_ms - last).max(0.0));
        self.frame_ms = gap;
        let real = gap.map_or(TICK.0 as f64, |gap| gap.min(MAX_TICK_GAP_MS)) + self.fraction;
        self.last_tick = Some(now_ms);
        self.fraction = real.fract();
        let span = speed.span_per_tick(Millis(real as u64)).map(|span| {
            let limit = speed.span_per_tick(Millis(MAX_OWED_MS)).map_or(0, |t| t.0);
            self.owed = Millis((self.owed.0 + span.0).min(limit));
            self.owed
        });
        let busy = matches!(speed, Speed::X100 | Speed::Max);
        let redraw_due = self
            .unshown_since
            .is_some_and(|since| now_ms - since >= BUSY_REDRAW_INTERVAL_MS);
        if busy && redraw_due {
            return TickPlan::Redraw;
        }
        // What this tick simulates is shown with what waits since
        // `unshown_since`: the slow speeds redraw about every 100 ms.
        let waiting_since = self.unshown_since.unwrap_or(now_ms);
        let slow_redraw_due = now_ms - waiting_since + TICK.0 as f64 >= SLOW_REDRAW_INTERVAL_MS;
        TickPlan::Simulate {
            span,
            redraw_after: !busy && slow_redraw_due,
        }
    }

    /// Reports what a [`TickPlan::Simulate`] tick covered. The work waits to
    /// be shown until [`Pacer::shown`].
    pub fn simulated(&mut self, covered: Millis, now_ms: f64) {
        self.owed = Millis(self.owed.0.saturating_sub(covered.0));
        self.unshown_since.get_or_insert(now_ms);
    }

    /// The panels show everything now (after a redraw, however caused).
    pub fn shown(&mut self) {
        self.unshown_since = None;
        self.late_due = false;
    }

    /// The panels but the late ones show everything now; the late ones are
    /// due at the next tick ([`Pacer::take_late`]).
    pub fn shown_early(&mut self) {
        self.unshown_since = None;
        self.late_due = true;
    }

    /// Whether the late panels are due now; they are due once.
    pub fn take_late(&mut self) -> bool {
        std::mem::take(&mut self.late_due)
    }

    /// How long (real milliseconds) this tick may simulate: [`WORK_SHARE`]
    /// of the last frame's length, at most [`WORK_BUDGET_MS`], at least a
    /// millisecond (two ticks close together still make progress).
    pub fn work_budget_ms(&self) -> f64 {
        let frame = self.frame_ms.unwrap_or(TICK.0 as f64);
        (frame * WORK_SHARE).clamp(1.0, WORK_BUDGET_MS)
    }

    /// Whether simulated work is waiting to be shown.
    pub fn has_unshown(&self) -> bool {
        self.unshown_since.is_some()
    }

    /// Paused: virtual time stops, so nothing is owed any more, and the next
    /// tick does not stand for the time spent paused.
    pub fn pause(&mut self) {
        self.owed = Millis(0);
        self.last_tick = None;
        self.fraction = 0.0;
        self.frame_ms = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real time of tick `n`.
    fn at(n: usize) -> f64 {
        (n as u64 * TICK.0) as f64
    }

    #[test]
    fn slow_speeds_simulate_their_span_and_redraw_about_every_100_ms() {
        let mut pacer = Pacer::default();
        let mut redraws = Vec::new();
        for tick in 0..12 {
            let plan = pacer.plan(Speed::X10, at(tick));
            let TickPlan::Simulate { span, redraw_after } = plan else {
                panic!("a slow speed always simulates: {plan:?}");
            };
            // 10× covers ten times the tick's real time.
            assert_eq!(span, Some(Millis(TICK.0 * 10)));
            pacer.simulated(Millis(TICK.0 * 10), at(tick));
            if redraw_after {
                redraws.push(tick);
                pacer.shown();
                assert!(!pacer.has_unshown());
            }
        }
        // Four ticks of 25 ms make the 100 ms between redraws.
        assert_eq!(redraws, [3, 7, 11]);
    }

    #[test]
    fn busy_speeds_redraw_in_a_tick_of_their_own_a_few_times_a_second() {
        let mut pacer = Pacer::default();
        let mut redraws = Vec::new();
        for tick in 0..40 {
            match pacer.plan(Speed::Max, at(tick)) {
                TickPlan::Simulate { redraw_after, .. } => {
                    assert!(!redraw_after);
                    pacer.simulated(Millis(5_000), at(tick));
                    // Shown at the next redraw, or when the run pauses.
                    assert!(pacer.has_unshown());
                }
                TickPlan::Redraw => {
                    redraws.push(tick);
                    pacer.shown();
                }
            }
        }
        // Simulation starts waiting at 0 ms, 325 ms and 650 ms; each wait
        // ends with a redraw 300 ms later.
        assert_eq!(redraws, [12, 25, 38]);
    }

    #[test]
    fn a_busy_redraw_leaves_the_late_panels_to_the_next_tick_once() {
        let mut pacer = Pacer::default();
        assert!(!pacer.take_late(), "nothing is due before any redraw");
        pacer.simulated(Millis(5_000), at(0));
        pacer.shown_early();
        assert!(!pacer.has_unshown(), "the early panels show everything");
        assert!(
            pacer.take_late(),
            "the late panels are due at the next tick"
        );
        assert!(!pacer.take_late(), "and only at that one");
        // A full redraw (a command, a pause) shows the late panels too.
        pacer.shown_early();
        pacer.shown();
        assert!(!pacer.take_late());
    }

    #[test]
    fn virtual_time_skipped_by_a_redraw_tick_is_owed_to_the_next() {
        let mut pacer = Pacer::default();
        // 100×: each tick owes a hundred times the real time since the last.
        for tick in 0..12 {
            let plan = pacer.plan(Speed::X100, at(tick));
            assert_eq!(
                plan,
                TickPlan::Simulate {
                    span: Some(Millis(TICK.0 * 100)),
                    redraw_after: false
                }
            );
            pacer.simulated(Millis(TICK.0 * 100), at(tick));
        }
        assert_eq!(pacer.plan(Speed::X100, at(12)), TickPlan::Redraw);
        pacer.shown();
        assert_eq!(
            pacer.plan(Speed::X100, at(13)),
            TickPlan::Simulate {
                span: Some(Millis(TICK.0 * 100 * 2)),
                redraw_after: false
            }
        );
    }

    #[test]
    fn virtual_time_keeps_pace_with_frames_of_any_length() {
        let mut pacer = Pacer::default();
        let mut covered = 0;
        // Two seconds at 60 Hz: frames of 16⅔ ms, never whole milliseconds.
        for frame in 1..=120 {
            let now = frame as f64 * 1_000.0 / 60.0;
            let TickPlan::Simulate {
                span: Some(span), ..
            } = pacer.plan(Speed::X1, now)
            else {
                panic!("1× always simulates a span");
            };
            pacer.simulated(span, now);
            pacer.shown();
            covered += span.0;
        }
        // The first tick stands for one nominal tick; then real time.
        let expected = TICK.0 + 119 * 1_000 / 60;
        assert!(
            covered.abs_diff(expected) <= 1,
            "{covered} ms, not {expected}"
        );
    }

    #[test]
    fn work_that_cannot_keep_up_is_owed_only_up_to_a_limit() {
        let mut pacer = Pacer::default();
        let mut last = None;
        for tick in 0..100 {
            last = Some(pacer.plan(Speed::X10, at(tick)));
            // The budget ran out before covering anything.
            pacer.simulated(Millis(0), at(tick));
            pacer.shown();
        }
        // One second of real time at 10×.
        assert!(matches!(
            last,
            Some(TickPlan::Simulate { span: Some(span), .. }) if span == Millis(MAX_OWED_MS * 10)
        ));
    }

    #[test]
    fn a_long_gap_between_frames_counts_as_at_most_a_second() {
        let mut pacer = Pacer::default();
        pacer.plan(Speed::X10, 0.0);
        pacer.simulated(Millis(TICK.0 * 10), 0.0);
        pacer.shown();
        // A slow frame (a redraw) is owed in full.
        assert!(matches!(
            pacer.plan(Speed::X10, 200.0),
            TickPlan::Simulate {
                span: Some(Millis(2_000)),
                ..
            }
        ));
        pacer.simulated(Millis(2_000), 200.0);
        // A hidden tab gets no frames for a minute.
        assert!(matches!(
            pacer.plan(Speed::X10, 60_200.0),
            TickPlan::Simulate {
                span: Some(Millis(10_000)),
                ..
            }
        ));
    }

    #[test]
    fn a_tick_works_for_part_of_the_frame_it_is_in() {
        let mut pacer = Pacer::default();
        // Before a frame is measured: 60 % of the assumed 25 ms, at most 10.
        assert_eq!(pacer.work_budget_ms(), WORK_BUDGET_MS);
        let mut now = 0.0;
        let frames = [
            (1_000.0 / 60.0, 10.0),
            (1_000.0 / 144.0, 1_000.0 * 0.6 / 144.0),
            (0.0, 1.0),
        ];
        for (frame, budget) in frames {
            pacer.plan(Speed::Max, now);
            now += frame;
            pacer.plan(Speed::Max, now);
            let got = pacer.work_budget_ms();
            assert!((got - budget).abs() < 1e-9, "{frame} ms: {got}");
        }
    }

    #[test]
    fn a_pause_forgives_what_was_owed() {
        let mut pacer = Pacer::default();
        pacer.plan(Speed::X1, 0.0);
        pacer.simulated(Millis(10), 0.0);
        pacer.shown();
        pacer.pause();
        assert!(matches!(
            pacer.plan(Speed::X1, at(1)),
            TickPlan::Simulate { span: Some(span), .. } if span == TICK
        ));
    }
}
