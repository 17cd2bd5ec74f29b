//! How the console spends each timer tick: how much simulation to run, and
//! when to redraw the panels.
//!
//! Two costs compete for a frame: simulating (thousands of governed requests a
//! tick with a large fleet) and redrawing (every panel changes when a large
//! fleet is busy). Each tick's simulation is cut off at a work budget, so a
//! tick never freezes the page; at the busy speeds (100× and Max) the panels
//! are redrawn a few times a second, in a tick of their own, so no frame pays
//! for both. At the fixed speeds virtual time keeps pace with real time
//! across those ticks: what a tick could not cover is owed to the next ones,
//! up to a limit, beyond which the simulation visibly runs slower than asked.

use super::Speed;
use crate::governance::Millis;

/// Real time between timer ticks.
pub const TICK: Millis = Millis(100);
/// Simulation work allowed per tick (real milliseconds), so the page paints.
pub const WORK_BUDGET_MS: f64 = 30.0;
/// At the busy speeds the panels are redrawn at most this often (real
/// milliseconds).
const BUSY_REDRAW_INTERVAL_MS: f64 = 300.0;
/// How many ticks' worth of virtual time may be owed before the rest is
/// dropped (the clock then shows the simulation running slower).
const MAX_OWED_TICKS: u64 = 10;

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
}

impl Pacer {
    /// Decides the tick starting at `now_ms` (real milliseconds).
    pub fn plan(&mut self, speed: Speed, now_ms: f64) -> TickPlan {
        let span = speed.span_per_tick(TICK).map(|span| {
            self.owed = Millis((self.owed.0 + span.0).min(span.0 * MAX_OWED_TICKS));
            self.owed
        });
        let busy = matches!(speed, Speed::X100 | Speed::Max);
        let redraw_due = self
            .unshown_since
            .is_some_and(|since| now_ms - since >= BUSY_REDRAW_INTERVAL_MS);
        if busy && redraw_due {
            return TickPlan::Redraw;
        }
        TickPlan::Simulate {
            span,
            redraw_after: !busy,
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
    }

    /// Whether simulated work is waiting to be shown.
    pub fn has_unshown(&self) -> bool {
        self.unshown_since.is_some()
    }

    /// Paused: virtual time stops, so nothing is owed any more.
    pub fn pause(&mut self) {
        self.owed = Millis(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_speeds_simulate_their_span_and_redraw_every_tick() {
        let mut pacer = Pacer::default();
        for tick in 0..5 {
            let now = tick as f64 * 100.0;
            assert_eq!(
                pacer.plan(Speed::X10, now),
                TickPlan::Simulate {
                    span: Some(Millis(1_000)),
                    redraw_after: true
                }
            );
            pacer.simulated(Millis(1_000), now);
            pacer.shown();
            assert!(!pacer.has_unshown());
        }
    }

    #[test]
    fn busy_speeds_redraw_in_a_tick_of_their_own_a_few_times_a_second() {
        let mut pacer = Pacer::default();
        let mut plans = Vec::new();
        for tick in 0..10 {
            let now = tick as f64 * 100.0;
            let plan = pacer.plan(Speed::Max, now);
            match plan {
                TickPlan::Simulate { redraw_after, .. } => {
                    assert!(!redraw_after);
                    pacer.simulated(Millis(5_000), now);
                }
                TickPlan::Redraw => pacer.shown(),
            }
            plans.push(plan == TickPlan::Redraw);
        }
        // Simulation starts waiting at 0 ms, 400 ms and 800 ms; each wait ends
        // with a redraw 300 ms later.
        assert_eq!(
            plans,
            [false, false, false, true, false, false, false, true, false, false]
        );
    }

    #[test]
    fn virtual_time_skipped_by_a_redraw_tick_is_owed_to_the_next() {
        let mut pacer = Pacer::default();
        // 100×: each tick owes 10 s of virtual time.
        assert!(matches!(
            pacer.plan(Speed::X100, 0.0),
            TickPlan::Simulate {
                span: Some(Millis(10_000)),
                ..
            }
        ));
        pacer.simulated(Millis(10_000), 0.0);
        assert_eq!(pacer.plan(Speed::X100, 300.0), TickPlan::Redraw);
        pacer.shown();
        assert_eq!(
            pacer.plan(Speed::X100, 400.0),
            TickPlan::Simulate {
                span: Some(Millis(20_000)),
                redraw_after: false
            }
        );
    }

    #[test]
    fn work_that_cannot_keep_up_is_owed_only_up_to_a_limit() {
        let mut pacer = Pacer::default();
        let mut last = None;
        for tick in 0..50 {
            last = Some(pacer.plan(Speed::X10, tick as f64 * 100.0));
            // The budget ran out before covering anything.
            pacer.simulated(Millis(0), tick as f64 * 100.0);
            pacer.shown();
        }
        assert_eq!(
            last,
            Some(TickPlan::Simulate {
                span: Some(Millis(10_000)),
                redraw_after: true
            })
        );
    }

    #[test]
    fn a_pause_forgives_what_was_owed() {
        let mut pacer = Pacer::default();
        pacer.plan(Speed::X1, 0.0);
        pacer.simulated(Millis(40), 0.0);
        pacer.shown();
        pacer.pause();
        assert_eq!(
            pacer.plan(Speed::X1, 100.0),
            TickPlan::Simulate {
                span: Some(Millis(100)),
                redraw_after: true
            }
        );
    }
}
