//! The console: Leptos components that read the control plane's state and send
//! it commands. No policy logic lives here; every decision is the core's, and
//! everything worth computing is in [`crate::console`].

mod audit;
mod charts;
mod fleet;
mod format;
mod inbox;
mod kill_switch;
mod panel;
mod policy_editor;
mod risk_levels;
mod state;
mod triggers;

use crate::browser;
use crate::console::kill_switches::scoped_summary;
use crate::console::pacing::TICK;
use crate::console::SavedSession;
use leptos::prelude::*;

pub use panel::Panel;
pub use state::{ConsoleState, KillForm, AUDIT_RECORD_CEILING};

/// Where the reviewer's setup is kept between visits.
pub const SESSION_KEY: &str = "agent-governance-console/session/v1";

/// The saved session, or the defaults with a note of why it was not used.
fn restore() -> (ConsoleState, Option<String>) {
    let (session, problem) = match browser::load(SESSION_KEY) {
        None => (SavedSession::default(), None),
        Some(text) => match SavedSession::from_json(&text) {
            Ok(session) => (session, None),
            Err(problem) => (
                SavedSession::default(),
                Some(format!("{problem}. Starting with the defaults.")),
            ),
        },
    };
    let state = ConsoleState::new(&session).expect("a validated session builds a simulation");
    (state, problem)
}

/// Saves the reviewer's setup whenever it changes, so a reload keeps it.
fn persist(state: ConsoleState) {
    let setup =
        Memo::new(move |_| state.read(|sim| (sim.plane().config().clone(), *sim.settings())));
    Effect::new(move |_| {
        let (config, fleet) = setup.get();
        let session = SavedSession {
            config,
            fleet,
            reviewer: state.reviewer.get(),
            speed: state.speed.get(),
        };
        browser::save(SESSION_KEY, &session.to_json());
    });
}

/// The whole console. Without a `state` it restores the saved session; with
/// `live` (the default) the simulation runs on a timer from the start.
#[component]
pub fn Console(
    #[prop(optional)] state: Option<ConsoleState>,
    #[prop(default = true)] live: bool,
) -> impl IntoView {
    let state = match state {
        Some(state) => state,
        None => {
            let (state, problem) = restore();
            state.notice.set(problem);
            persist(state);
            state
        }
    };
    provide_context(state);
    if live {
        state.running.set(true);
        let timer = browser::every(TICK.0 as u32, move || state.tick(browser::now_ms));
        on_cleanup(move || timer.cancel());
    }
    let halted = move || state.read(|sim| sim.plane().kill_switch().is_some());
    // Switches for some agents or types: a count, not the global banner.
    let scoped = move || state.read(|sim| scoped_summary(sim.plane()));
    view! {
        <div class="console" class:console--halted=halted data-testid="console">
            <header class="console-header">
                <div>
                    <h1 class="console-title">"Agent Governance Console"</h1>
                    <p class="console-tagline">
                        "A control plane between what autonomous agents ask to do and what they may do."
                    </p>
                </div>
                <div class="console-meta">
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
                </div>
            </header>
            <Show when=halted>
                <div class="kill-switch-banner" role="alert" data-testid="kill-switch-banner">
                    "KILL SWITCH ACTIVE: every request is denied and nothing executes."
                </div>
            </Show>
            {move || scoped().map(|summary| view! {
                <p class="kill-switch-count" role="status" data-testid="kill-switch-scoped">
                    "Kill switches: " {summary}
                </p>
            })}
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
                <kill_switch::KillSwitchPanel />
                <inbox::InboxPanel />
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
