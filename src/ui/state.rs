//! The console's shared state: one simulation (which owns the control plane)
//! behind a revision counter. Components read through [`ConsoleState::read`],
//! which subscribes them to the revision, and change things only through
//! [`ConsoleState::command`], which bumps it.

use crate::console::{AuditView, SavedSession, Speed};
use crate::governance::{Millis, Timestamp};
use crate::sim::{SimError, Simulation};
use leptos::prelude::*;

/// Real time between simulation ticks.
pub const TICK: Millis = Millis(100);
/// Work allowed per tick at maximum speed, so the page keeps painting.
const MAX_SPEED_FRAME_BUDGET_MS: f64 = 30.0;
/// Requests per slice of work at maximum speed.
const MAX_SPEED_SLICE: usize = 400;
/// The simulation pauses itself at this many audit records: the trail is kept
/// whole, and a browser tab's memory is finite.
pub const AUDIT_RECORD_CEILING: usize = 500_000;

#[derive(Clone, Copy)]
pub struct ConsoleState {
    sim: StoredValue<Simulation>,
    audit_view: StoredValue<AuditView>,
    revision: RwSignal<u64>,
    pub running: RwSignal<bool>,
    pub speed: RwSignal<Speed>,
    pub reviewer: RwSignal<String>,
    /// A message for the whole console (for example why the simulation paused).
    pub notice: RwSignal<Option<String>>,
}

impl ConsoleState {
    pub fn new(session: &SavedSession) -> Result<ConsoleState, SimError> {
        let simulation = Simulation::new(session.fleet, session.config.clone())?;
        Ok(ConsoleState {
            sim: StoredValue::new(simulation),
            audit_view: StoredValue::new(AuditView::default()),
            revision: RwSignal::new(0),
            running: RwSignal::new(false),
            speed: RwSignal::new(session.speed),
            reviewer: RwSignal::new(session.reviewer.clone()),
            notice: RwSignal::new(None),
        })
    }

    /// Reads the simulation, re-running the caller whenever it changes.
    pub fn read<R>(&self, f: impl FnOnce(&Simulation) -> R) -> R {
        self.revision.track();
        self.sim.with_value(f)
    }

    /// Reads the simulation without subscribing: for event handlers, set-up
    /// code and tests.
    pub fn peek<R>(&self, f: impl FnOnce(&Simulation) -> R) -> R {
        self.sim.with_value(f)
    }

    /// Changes the simulation, then lets every reader know.
    pub fn command<R>(&self, f: impl FnOnce(&mut Simulation) -> R) -> R {
        let result = self
            .sim
            .try_update_value(|sim| {
                let result = f(sim);
                sim.observe();
                result
            })
            .expect("the console state lives as long as the console");
        self.revision.update(|r| *r += 1);
        result
    }

    /// The audit view, brought up to date and read in one go.
    pub fn audit_view<R>(&self, f: impl FnOnce(&AuditView, &Simulation) -> R) -> R {
        self.revision.track();
        self.sim.with_value(|sim| {
            self.audit_view
                .try_update_value(|view| {
                    view.refresh(sim.plane());
                    f(view, sim)
                })
                .expect("the console state lives as long as the console")
        })
    }

    pub fn set_audit_filter(&self, filter: crate::console::AuditFilter) {
        self.audit_view.update_value(|view| view.set_filter(filter));
        self.revision.update(|r| *r += 1);
    }

    pub fn now(&self) -> Timestamp {
        self.read(|sim| sim.now())
    }

    /// The reviewer's name as typed, trimmed.
    pub fn reviewer_name(&self) -> String {
        self.reviewer.get_untracked().trim().to_owned()
    }

    /// One tick of the running simulation. `elapsed_ms` reads a real clock, for
    /// the frame budget at maximum speed.
    pub fn tick(&self, elapsed_ms: impl Fn() -> f64) {
        if !self.running.get_untracked() {
            return;
        }
        let records = self.sim.with_value(|sim| sim.plane().audit().len());
        if records >= AUDIT_RECORD_CEILING {
            self.running.set(false);
            self.notice.set(Some(format!(
                "Paused: the audit trail holds {records} records, the most this page keeps. Reset to start again."
            )));
            return;
        }
        match self.speed.get_untracked().span_per_tick(TICK) {
            Some(span) => {
                self.command(|sim| sim.advance(span));
            }
            None => {
                let started = elapsed_ms();
                self.command(|sim| {
                    while elapsed_ms() - started < MAX_SPEED_FRAME_BUDGET_MS {
                        let target = sim.now().saturating_add(Millis::from_secs(3_600));
                        if sim.run_until(target, MAX_SPEED_SLICE).submitted == 0 {
                            break;
                        }
                    }
                });
            }
        }
    }
}
