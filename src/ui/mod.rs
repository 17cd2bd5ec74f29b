//! The console: Leptos components that read the control plane's state and send
//! it commands. No policy logic lives here; every decision is the core's, and
//! everything worth computing is in [`crate::console`].

mod audit;
mod charts;
mod fleet;
mod format;
mod inbox;
mod kill_switch;
mod lists;
mod panel;
mod policy_editor;
mod reactive;
mod risk_levels;
mod state;
mod triggers;

use crate::browser;
use crate::console::kill_switches::{scoped_summary, ScopeChoice};
use crate::console::session::SavedKillSwitch;
use crate::console::SavedSession;
use crate::ui::reactive::{effect, memo};
use leptos::prelude::*;

pub use panel::Panel;
pub use state::{ConsoleState, KillForm, AUDIT_RECORD_CEILING};

/// Where the reviewer's setup is kept between visits.
pub const SESSION_KEY: &str = "agent-governance-console/session/v1";

/// What a restore found: the state, what to tell the reviewer, and whether
/// the run must wait for them (fail closed: a saved session that could not
/// be read may have held an active kill switch).
struct Restored {
    state: ConsoleState,
    notice: Option<String>,
    paused: bool,
}

/// The saved session, with its kill switches active again, or the defaults
/// with a note of why it was not used.
fn restore() -> Restored {
    let (session, mut notice, mut paused) = match browser::load(SESSION_KEY) {
        None => (SavedSession::default(), None, false),
        Some(text) => match SavedSession::from_json(&text) {
            Ok(session) => {
                let kept = match session.kill_switches.len() {
                    0 => String::new(),
                    1 => " and the active kill switch".to_owned(),
                    n => format!(" and the {n} active kill switches"),
                };
                let note = format!(
                    "Restored from your last visit: policies, fleet, reviewer, speed{kept}. \
                     The run, the inbox and the audit trail start afresh."
                );
                (session, Some(note), false)
            }
            Err(problem) => (
                SavedSession::default(),
                Some(format!(
                    "{problem}. Starting with the defaults, paused: press Run when ready."
                )),
                true,
            ),
        },
    };
    let state = ConsoleState::new(&session).expect("a validated session builds a simulation");
    let lost = state.command(|sim| session.restore_kill_switches(sim.plane_mut()));
    if !lost.is_empty() {
        notice = Some(format!("{} The run is paused.", lost.join("; ")));
        paused = true;
    }
    Restored {
        state,
        notice,
        paused,
    }
}

/// Saves the reviewer's setup whenever it changes, so a reload keeps it.
fn persist(state: ConsoleState) {
    let setup = memo(move || {
        state.read(|sim| {
            (
                sim.plane().config().clone(),
                *sim.settings(),
                SavedKillSwitch::all_in(sim.plane()),
            )
        })
    });
    effect(move || {
        let (config, fleet, kill_switches) = setup.get();
        let session = SavedSession {
            config,
            fleet,
            reviewer: state.reviewer.get(),
            speed: state.speed.get(),
            kill_switches,
            currency: state.currency(),
        };
        browser::save(SESSION_KEY, &session.to_json());
    });
}

/// The page at `#bench`: the decision-path benchmark of
/// [`crate::benchmark::in_page`] on this build, in this browser, instead of
/// the console. Figures only; `tests/e2e/bench.test.mjs` prints them.
#[component]
pub fn BenchmarkPage() -> impl IntoView {
    let lines = crate::benchmark::in_page(BENCHMARK_REQUESTS, &browser::now_ms);
    view! {
        <main class="benchmark">
            <h1>"Decision-path benchmark"</h1>
            <p>{format!("{BENCHMARK_REQUESTS} requests per stream from 1,000 agents, in this browser.")}</p>
            <pre data-testid="bench-result">{lines.join("\n")}</pre>
        </main>
    }
}

/// Requests per stream in the page's benchmark.
pub const BENCHMARK_REQUESTS: usize = 200_000;

/// The whole console. Without a `state` it restores the saved session; with
/// `live` (the default) the simulation runs frame by frame from the start;
/// with `progressive` (the page's choice) the policy editor's lists are drawn
/// in the frame after the console first appears.
#[component]
pub fn Console(
    #[prop(optional)] state: Option<ConsoleState>,
    #[prop(default = true)] live: bool,
    #[prop(optional)] progressive: bool,
) -> impl IntoView {
    let (state, paused) = match state {
        Some(state) => (state, false),
        None => {
            let restored = restore();
            let state = restored.state;
            state.notice.set(restored.notice);
            persist(state);
            (state, restored.paused)
        }
    };
    provide_context(state);
    if live {
        state.running.set(!paused);
        // Frames are asked for while the simulation runs, and for one tick
        // after it stops (which shows what it did last); none while paused.
        let frames = browser::Timer::new();
        effect(move || {
            if state.running.get() {
                frames.start(move || state.tick(browser::now_ms));
            }
        });
        on_cleanup(move || frames.cancel());
    }
    if progressive {
        // The policy editor's lists (each policy's form, the risk verbs, the
        // order table: 55 % of the console's elements, below the first
        // screen on a desktop as on a phone) wait for the frame after the
        // one that first shows the console, which is then shown, and
        // answers input, that much sooner. In a hidden tab (no frames) they
        // wait until it is shown.
        state.forms_shown.set(false);
        let mut frames = 0;
        browser::Timer::new().start(move || {
            frames += 1;
            if frames == 2 {
                state.forms_shown.set(true);
            }
            frames < 2
        });
    }
    let halted = memo(move || state.read(|sim| sim.plane().kill_switch().is_some()));
    // Switches for some agents or types: a count, not the global banner.
    let scoped = move || state.read(|sim| scoped_summary(sim.plane()));
    view! {
        <div class="console" class:console--halted=move || halted.get() data-testid="console">
            // Always in view: what runs, the simulation's controls, the kill
            // switch and its banner.
            <div class="console-top">
            <header class="console-header">
                <div>
                    <h1 class="console-title">"Agent Governance Console"</h1>
                    <p class="console-tagline">
                        "A control plane between what autonomous agents ask to do and what they may do."
                    </p>
                </div>
                <div class="console-meta">
                    <fleet::SimulationControls />
                    <span class="console-clock" data-testid="sim-clock" aria-live="off">
                        "Virtual time " {move || state.now().to_string()}
                    </span>
                    <label class="field field--inline">
                        <span>"Your name (reviewer)"</span>
                        <input
                            type="text"
                            data-testid="reviewer-name"
                            maxlength="64"
                            prop:value=move || state.reviewer.get()
                            on:input=move |ev| state.reviewer.set(event_target_value(&ev))
                        />
                    </label>
                    <button class="button button--danger" data-testid="kill-switch-quick"
                        title="Opens the kill switch form: what to stop and why"
                        on:click=move |_| state.kill_form.open_for(ScopeChoice::Global, "")>
                        "Kill switch…"
                    </button>
                </div>
            </header>
            {move || halted.get().then(|| view! {
                <div class="kill-switch-banner" role="alert" data-testid="kill-switch-banner">
                    "KILL SWITCH ACTIVE: every request is denied and nothing executes."
                </div>
            })}
            {move || scoped().map(|summary| view! {
                <p class="kill-switch-count" role="status" data-testid="kill-switch-scoped">
                    "Kill switches: " {summary}
                </p>
            })}
            </div>
            {move || {
                state
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <div class="console-notice" role="status" data-testid="console-notice">
                                {text}
                                <button
                                    class="button button--quiet"
                                    on:click=move |_| state.notice.set(None)
                                >
                                    "Dismiss"
                                </button>
                            </div>
                        }
                    })
            }}
            <main class="console-panels">
                <inbox::InboxPanel />
                <kill_switch::KillSwitchPanel />
                <fleet::FleetPanel />
                <triggers::TriggersPanel />
                <policy_editor::PolicyEditorPanel />
                <risk_levels::RiskLevelsPanel />
                <charts::ChartsPanel />
                <audit::AuditPanel />
            </main>
        </div>
    }
}
