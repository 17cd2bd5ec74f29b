//! Samples of the control plane's running totals, for the charts.
//!
//! One point per sampling interval of virtual time (the latest observation in
//! that interval). The number of points is bounded: when it passes the limit,
//! the interval doubles and every other point goes, so memory and the cost of
//! drawing stay flat however long the simulation runs.

use crate::governance::{Clock, ControlPlane, Millis, Money, Timestamp, Verdict};

/// The most points a timeline keeps.
pub const MAX_POINTS: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelinePoint {
    pub at: Timestamp,
    pub total_spend: Money,
    /// Cumulative counts of final outcomes (and of escalations raised).
    pub approved: u64,
    pub denied: u64,
    pub escalated: u64,
    pub rate_limited: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    points: Vec<TimelinePoint>,
    interval: Millis,
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline {
            points: Vec::new(),
            interval: Millis::from_secs(1),
        }
    }
}

impl Timeline {
    pub fn points(&self) -> &[TimelinePoint] {
        &self.points
    }

    pub fn interval(&self) -> Millis {
        self.interval
    }

    /// Records the plane's totals at `at` (which never goes backwards).
    pub fn observe<C: Clock>(&mut self, at: Timestamp, plane: &ControlPlane<C>) {
        let counts = plane.verdict_counts();
        let point = TimelinePoint {
            at,
            total_spend: plane.total_spend(),
            approved: counts.get(Verdict::Approved),
            denied: counts.get(Verdict::Denied),
            escalated: counts.get(Verdict::Escalated),
            rate_limited: counts.get(Verdict::RateLimited),
        };
        // The origin stays; after it, one point per bucket, the latest.
        let same_bucket = self.points.len() > 1
            && self
                .points
                .last()
                .is_some_and(|last| self.bucket(last.at) == self.bucket(at));
        if same_bucket {
            *self.points.last_mut().expect("checked above") = point;
        } else {
            self.points.push(point);
        }
        if self.points.len() > MAX_POINTS {
            self.coarsen();
        }
    }

    fn bucket(&self, at: Timestamp) -> u64 {
        at.millis() / self.interval.0.max(1)
    }

    /// Doubles the interval, keeping the first point (the origin) and the
    /// latest point of each new bucket.
    fn coarsen(&mut self) {
        self.interval = Millis(self.interval.0 * 2);
        let mut kept: Vec<TimelinePoint> = Vec::with_capacity(self.points.len() / 2 + 1);
        for (i, point) in self.points.iter().enumerate() {
            let same_bucket = i > 1
                && kept
                    .last()
                    .is_some_and(|last| self.bucket(last.at) == self.bucket(point.at));
            if same_bucket {
                *kept.last_mut().expect("checked above") = *point;
            } else {
                kept.push(*point);
            }
        }
        self.points = kept;
    }
}
