//! The console's shared state: one simulation (which owns the control plane)
//! behind a revision counter. Components read through [`ConsoleState::read`],
//! which subscribes them to the revision, and change things only through
//! [`ConsoleState::command`], which bumps it. The charts and the audit trail
//! read through [`ConsoleState::read_late`], a second counter: a command
//! bumps both, but a redraw at the busy speeds bumps the second one at the
//! next tick, which does nothing else, so no one frame redraws every panel
//! and every panel shows the same state.
//!
//! The kill-switch form's fields live here too, so the fleet's "Halt…" can
//! open the one confirmation form for its agent.

use crate::console::kill_switches::ScopeChoice;
use crate::console::{AuditView, Currency, Pacer, SavedSession, Speed, TickPlan, SLICE_REQUESTS};
use crate::governance::{Millis, Timestamp};
use crate::sim::{SimError, Simulation};
use leptos::prelude::*;

/// The simulation pauses itself at this many audit records: the trail is kept
/// whole, and a browser tab's memory is finite.
pub const AUDIT_RECORD_CEILING: usize = 5_000_000;

/// The kill-switch form: open or not, what it stops, and why.
#[derive(Clone, Copy)]
pub struct KillForm {
    pub open: RwSignal<bool>,
    pub scope: RwSignal<ScopeChoice>,
    pub name: RwSignal<String>,
    pub reason: RwSignal<String>,
    /// Asks the form to take the focus (it may already be open).
    pub summon: Trigger,
}

impl KillForm {
    fn new() -> KillForm {
        KillForm {
            open: RwSignal::new(false),
            scope: RwSignal::new(ScopeChoice::Global),
            name: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            summon: Trigger::new(),
        }
    }

    /// Opens the form for `scope` and `name`, and brings it into view.
    pub fn open_for(&self, scope: ScopeChoice, name: &str) {
        self.scope.set(scope);
        self.name.set(name.to_owned());
        self.open.set(true);
        self.summon.notify();
    }

    /// Closes the form and forgets what was typed.
    pub fn close(&self) {
        self.open.set(false);
        self.scope.set(ScopeChoice::Global);
        self.name.set(String::new());
        self.reason.set(String::new());
    }
}

#[derive(Clone, Copy)]
pub struct ConsoleState {
    sim: StoredValue<Simulation>,
    audit_view: StoredValue<AuditView>,
    revision: RwSignal<u64>,
    /// The revision of the panels that follow a busy redraw one frame late
    /// (the charts and the audit trail), so no one frame redraws everything.
    late: RwSignal<u64>,
    pacer: StoredValue<Pacer>,
    pub running: RwSignal<bool>,
    pub speed: RwSignal<Speed>,
    pub reviewer: RwSignal<String>,
    /// The code of the currency amounts are shown in (a string signal, as
    /// the reviewer's name is, so no signal type is compiled for it alone).
    currency: RwSignal<String>,
    /// A message for the whole console (for example why the simulation paused).
    pub notice: RwSignal<Option<String>>,
    pub kill_form: KillForm,
    /// Whether the policy editor's lists (each policy's form, the order
    /// table, the risk verbs: 90 % of its elements) are drawn: at once, or in
    /// the page in the frame after the console first appears
    /// ([`super::Console`]'s `progressive`).
    pub forms_shown: RwSignal<bool>,
}

impl ConsoleState {
    pub fn new(session: &SavedSession) -> Result<ConsoleState, SimError> {
        let simulation = Simulation::new(session.fleet, session.config.clone())?;
        Ok(ConsoleState {
            sim: StoredValue::new(simulation),
            audit_view: StoredValue::new(AuditView::default()),
            revision: RwSignal::new(0),
            late: RwSignal::new(0),
            pacer: StoredValue::new(Pacer::default()),
            running: RwSignal::new(false),
            speed: RwSignal::new(session.speed),
            reviewer: RwSignal::new(session.reviewer.clone()),
            currency: RwSignal::new(session.currency.code().to_owned()),
            notice: RwSignal::new(None),
            kill_form: KillForm::new(),
            forms_shown: RwSignal::new(true),
        })
    }

    /// The currency amounts are shown in, re-running the caller when it
    /// changes.
    pub fn currency(&self) -> Currency {
        self.currency.with(|code| Currency::from_code(code))
    }

    /// [`ConsoleState::currency`] without subscribing.
    pub fn currency_untracked(&self) -> Currency {
        self.currency
            .with_untracked(|code| Currency::from_code(code))
    }

    pub fn set_currency(&self, currency: Currency) {
        self.currency.set(currency.code().to_owned());
    }

    /// Reads the simulation, re-running the caller whenever it changes.
    pub fn read<R>(&self, f: impl FnOnce(&Simulation) -> R) -> R {
        self.revision.track();
        self.sim.with_value(f)
    }

    /// [`ConsoleState::read`] for the panels redrawn a frame late at the
    /// busy speeds: the charts and the audit trail.
    pub fn read_late<R>(&self, f: impl FnOnce(&Simulation) -> R) -> R {
        self.late.track();
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
        self.redraw();
        result
    }

    fn redraw(&self) {
        self.pacer.update_value(Pacer::shown);
        self.late.update(|r| *r += 1);
        self.revision.update(|r| *r += 1);
    }

    /// The audit view, brought up to date and read in one go.
    pub fn audit_view<R>(&self, f: impl FnOnce(&AuditView, &Simulation) -> R) -> R {
        self.late.track();
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
        self.late.update(|r| *r += 1);
    }

    pub fn now(&self) -> Timestamp {
        self.read(|sim| sim.now())
    }

    /// The reviewer's name as typed, trimmed.
    pub fn reviewer_name(&self) -> String {
        self.reviewer.get_untracked().trim().to_owned()
    }

    /// One tick of the frame loop: simulation and redrawing as the [`Pacer`]
    /// plans them. `elapsed_ms` reads a real clock, for the work budget.
    /// False when no more ticks are needed: paused, with everything shown.
    pub fn tick(&self, elapsed_ms: impl Fn() -> f64) -> bool {
        if self.pacer.try_update_value(Pacer::take_late) == Some(true) {
            // The late half of a busy redraw is this tick's only work, so
            // it shows the state the other panels show, in a frame of its
            // own.
            self.late.update(|r| *r += 1);
            return true;
        }
        if !self.running.get_untracked() {
            self.pacer.update_value(Pacer::pause);
            if self.pacer.with_value(Pacer::has_unshown) {
                self.redraw();
            }
            return false;
        }
        let records = self.sim.with_value(|sim| sim.plane().audit().len());
        if records >= AUDIT_RECORD_CEILING {
            self.running.set(false);
            self.notice.set(Some(format!(
                "Paused: the audit trail holds {records} records, the most this page keeps. Reset to start again."
            )));
            // The next tick shows what was simulated since the last redraw.
            return true;
        }
        let started = elapsed_ms();
        let plan = self
            .pacer
            .try_update_value(|pacer| pacer.plan(self.speed.get_untracked(), started))
            .expect("the console state lives as long as the console");
        let TickPlan::Simulate { span, redraw_after } = plan else {
            // A busy redraw, in two frames: the late panels at the next tick.
            self.pacer.update_value(Pacer::shown_early);
            self.revision.update(|r| *r += 1);
            return true;
        };
        let budget = self.pacer.with_value(Pacer::work_budget_ms);
        let covered = self
            .sim
            .try_update_value(|sim| {
                let from = sim.now();
                // Max has no target: an hour ahead is more than a budget covers.
                let target = from.saturating_add(span.unwrap_or(Millis::from_secs(3_600)));
                while elapsed_ms() - started < budget {
                    let progress = sim.run_until(target, SLICE_REQUESTS);
                    if progress.reached >= target || (span.is_none() && progress.submitted == 0) {
                        break;
                    }
                }
                from.until(sim.now())
            })
            .expect("the console state lives as long as the console");
        self.pacer
            .update_value(|pacer| pacer.simulated(covered, started));
        if redraw_after {
            self.redraw();
        }
        true
    }
}
