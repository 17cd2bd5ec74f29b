//! Time as the control plane sees it: milliseconds on an injected clock.
//!
//! The core never asks the operating system or the browser for the time. A
//! [`Clock`] is handed in, so the simulation runs on virtual time, the replay
//! command on the times in its file, and tests step the clock exactly.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Milliseconds since the clock's epoch (for the simulation: since it started).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// A span of clock time in milliseconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Timestamp {
    pub const fn millis(self) -> u64 {
        self.0
    }

    pub const fn saturating_add(self, span: Millis) -> Timestamp {
        Timestamp(self.0.saturating_add(span.0))
    }

    pub const fn saturating_sub(self, span: Millis) -> Timestamp {
        Timestamp(self.0.saturating_sub(span.0))
    }

    /// How long until `later`, zero if it has passed.
    pub const fn until(self, later: Timestamp) -> Millis {
        Millis(later.0.saturating_sub(self.0))
    }
}

impl Millis {
    pub const fn from_secs(secs: u64) -> Millis {
        Millis(secs * 1_000)
    }

    /// Seconds as a float; the caller has validated it (finite, non-negative).
    pub fn from_secs_f64(secs: f64) -> Millis {
        Millis((secs * 1_000.0).round() as u64)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }
}

impl fmt::Display for Timestamp {
    /// `h:mm:ss.mmm` since the epoch: readable for simulated runs of hours.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total_secs = self.0 / 1_000;
        write!(
            f,
            "{}:{:02}:{:02}.{:03}",
            total_secs / 3_600,
            total_secs / 60 % 60,
            total_secs % 60,
            self.0 % 1_000
        )
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1_000) {
            write!(f, "{}s", self.0 / 1_000)
        } else {
            write!(f, "{}.{:03}s", self.0 / 1_000, self.0 % 1_000)
        }
    }
}

/// Where the control plane reads the current time.
pub trait Clock {
    fn now(&self) -> Timestamp;
}

/// A clock that moves only when told to. Clones share one time, so the
/// simulation (or a test) holds a handle and the control plane reads it.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    millis: Arc<AtomicU64>,
}

impl ManualClock {
    pub fn starting_at(at: Timestamp) -> ManualClock {
        ManualClock {
            millis: Arc::new(AtomicU64::new(at.0)),
        }
    }

    pub fn set(&self, at: Timestamp) {
        self.millis.store(at.0, Ordering::Relaxed);
    }

    pub fn advance(&self, span: Millis) {
        self.millis.fetch_add(span.0, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.millis.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_a_manual_clock_share_the_time() {
        let clock = ManualClock::default();
        let handle = clock.clone();
        handle.advance(Millis::from_secs(90));
        assert_eq!(clock.now(), Timestamp(90_000));
        handle.set(Timestamp(5));
        assert_eq!(clock.now(), Timestamp(5));
    }

    #[test]
    fn displays_readable_times() {
        assert_eq!(Timestamp(3_723_004).to_string(), "1:02:03.004");
        assert_eq!(Millis(300_000).to_string(), "300s");
        assert_eq!(Millis(1_500).to_string(), "1.500s");
    }
}
