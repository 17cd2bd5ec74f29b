//! The fleet panel: simulation controls, fleet settings, and every agent with
//! its persona, status (and, when halted, which kill switch stopped it, who
//! activated it and why), spend and latest verdict; each agent can be paused,
//! and halted by its own kill switch or released from it.

use super::format::verdict_badge;
use super::lists::{keyed_list, CollectAny, Row};
use super::{ConsoleState, Panel};
use crate::console::kill_switches::{halt_of, Halt, ScopeChoice};
use crate::console::{parse_fleet_form, Speed};
use crate::governance::KillTarget;
use crate::governance::{Money, Verdict};
use crate::sim::{AgentStatus, Persona, Simulation};
use crate::ui::reactive::memo;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FleetRow {
    index: usize,
    name: String,
    persona: Persona,
    status: AgentStatus,
    spend: Money,
    requests: u64,
    executed: u64,
    last_verdict: Option<Verdict>,
    /// What stops the agent, if anything.
    halt: Option<Halt>,
    /// Its own kill switch is active (the global one may be too).
    own_switch: bool,
}

/// Agents shown per page: a thousand live rows would cost more than a frame.
const PAGE_SIZE: usize = 50;

fn fleet_rows(sim: &Simulation, page: usize) -> Vec<FleetRow> {
    let plane = sim.plane();
    sim.agents()
        .iter()
        .enumerate()
        .skip(page * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|(index, agent)| {
            let id = plane.agent_id(&agent.name);
            let stats = id.map(|id| plane.agent_stats(id)).unwrap_or_default();
            let (halt, own_switch) = halt_of(plane, &agent.name);
            FleetRow {
                index,
                name: agent.name.clone(),
                persona: agent.persona,
                status: sim.agent_status(index),
                spend: id.map_or(Money::ZERO, |id| plane.agent_spend(id)),
                requests: agent.requests,
                executed: stats.executed,
                last_verdict: stats.last_verdict,
                halt,
                own_switch,
            }
        })
        .collect()
}

fn status_label(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Running => "Running",
        AgentStatus::Paused => "Paused",
        AgentStatus::Halted => "Halted",
    }
}

#[component]
pub fn FleetPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let page = RwSignal::new(0usize);
    let size = memo(move || state.read(|sim| sim.agents().len()));
    let pages = move || size.get().div_ceil(PAGE_SIZE).max(1);
    // A smaller fleet can leave the page past the end.
    let current_page = move || page.get().min(pages() - 1);
    let rows = memo(move || {
        let page = current_page();
        state.read(|sim| fleet_rows(sim, page))
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <Panel testid="panel-fleet" title="Fleet">
            <FleetSettingsForm />
            <div class="pager" role="group" aria-label="Fleet pages">
                <button class="button button--small" data-testid="fleet-prev"
                    disabled=move || current_page() == 0
                    on:click=move |_| page.set(current_page().saturating_sub(1))>
                    "Previous"
                </button>
                <span data-testid="fleet-page">
                    {move || {
                        let first = current_page() * PAGE_SIZE;
                        format!("Agents {}–{} of {}", first + 1, (first + PAGE_SIZE).min(size.get()), size.get())
                    }}
                </span>
                <button class="button button--small" data-testid="fleet-next"
                    disabled=move || { current_page() + 1 >= pages() }
                    on:click=move |_| page.set((current_page() + 1).min(pages() - 1))>
                    "Next"
                </button>
            </div>
            {move || error.get().map(|message| view! {
                <p class="field-error" role="alert" data-testid="fleet-halt-error">{message}</p>
            })}
            <div class="table-scroll">
                <table class="fleet-table" data-testid="fleet-table">
                    <caption class="visually-hidden">"Agents in the simulated fleet"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Agent"</th>
                            <th scope="col">"Persona"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col" class="numeric">"Spend"</th>
                            <th scope="col" class="numeric">"Requests"</th>
                            <th scope="col" class="numeric">"Executed"</th>
                            <th scope="col">"Last verdict"</th>
                            <th scope="col">"Control"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {keyed_list(move || rows.get().into_iter().map(|row| {
                            Row::new(format!("{}:{}", row.index, row.name), move || view! { <FleetRowView row=row rows=rows error=error /> }.into_any())
                        }).collect())}
                    </tbody>
                </table>
            </div>
        </Panel>
    }
}

#[component]
fn FleetRowView(
    row: FleetRow,
    rows: Memo<Vec<FleetRow>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let index = row.index;
    let name = row.name.clone();
    // The row element stays while its agent is on the page and only changed
    // text is redrawn: with a busy fleet every row changes at every redraw.
    let current = memo(move || {
        rows.with(|rows| rows.iter().find(|r| r.index == index).cloned())
            .unwrap_or_else(|| row.clone())
    });
    let paused = move || current.with(|r| r.status == AgentStatus::Paused);
    let toggle = move |_| {
        let resume = paused();
        state.command(|sim| {
            let _ = sim.set_paused(index, !resume);
        });
    };
    let button_label = move || if paused() { "Resume" } else { "Pause" };
    let aria_label = {
        let name = name.clone();
        move || format!("{} {name}", button_label())
    };
    let own_switch = move || current.with(|r| r.own_switch);
    // Halting asks for a reason in the kill-switch form; releasing is direct.
    let halt_or_release = {
        let name = name.clone();
        move |_| {
            if own_switch() {
                let actor = state.reviewer_name();
                let target = KillTarget::Agent(name.clone());
                let result = state.command(|sim| {
                    sim.plane_mut()
                        .deactivate_kill_switch_for(Some(&target), &actor)
                });
                error.set(result.err().map(|e| e.to_string()));
            } else {
                state.kill_form.open_for(ScopeChoice::Agent, &name);
            }
        }
    };
    let halt_label = move || if own_switch() { "Lift halt" } else { "Halt…" };
    let halt_aria = {
        let name = name.clone();
        move || {
            if own_switch() {
                format!("Lift the halt on {name}")
            } else {
                format!("Halt {name}…")
            }
        }
    };
    let persona = current.with_untracked(|r| r.persona);
    view! {
        <tr class="fleet-row" data-testid="fleet-row" data-agent=name.clone()>
            <th scope="row" class="agent-name">{name.clone()}</th>
            <td title=persona.description()>{persona.label()}</td>
            <td>
                // The status and what halted it, redrawn together.
                {move || current.with(|r| {
                    let status = status_label(r.status);
                    view! {
                        <span class=format!("status status--{}", status.to_ascii_lowercase()) data-testid="agent-status">
                            {status}
                        </span>
                        {r.halt.as_ref().map(|halt| view! {
                            <span class="halted-by" data-testid="agent-halted-by">{halt.describe()}</span>
                        })}
                    }
                })}
            </td>
            // One redraw for the figures that change together.
            {move || current.with(|r| view! {
                <td class="numeric" data-label="Spend" data-testid="agent-spend">{state.currency().format(r.spend)}</td>
                <td class="numeric" data-label="Requests">{r.requests}</td>
                <td class="numeric" data-label="Executed">{r.executed}</td>
                <td>{r.last_verdict.map(verdict_badge)}</td>
            })}
            <td>
                <button class="button button--small" data-testid="agent-pause"
                    aria-label=aria_label on:click=toggle>
                    {button_label}
                </button>
                " "
                <button class="button button--small" data-testid="agent-halt"
                    aria-label=halt_aria on:click=halt_or_release>
                    {halt_label}
                </button>
            </td>
        </tr>
    }
}

/// Play or pause, step, speed and reset: in the console's sticky header, so
/// they stay in reach wherever the page is scrolled.
#[component]
pub fn SimulationControls() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let running = state.running;
    view! {
        <div class="sim-controls" role="group" aria-label="Simulation controls">
            // The label names what a press does ("Pause" while running), so
            // it is not also a pressed toggle: that read "Pause, pressed".
            <button
                class="button"
                data-testid="sim-play"
                on:click=move |_| running.update(|r| *r = !*r)
            >
                {move || if running.get() { "Pause" } else { "Play" }}
            </button>
            <button
                class="button"
                data-testid="sim-step"
                on:click=move |_| {
                    state.command(|sim| sim.step());
                }
            >
                "Step"
            </button>
            <label class="field field--inline">
                <span>"Speed"</span>
                <select
                    data-testid="sim-speed"
                    on:change=move |ev| {
                        if let Some(speed) = Speed::from_key(&event_target_value(&ev)) {
                            state.speed.set(speed);
                        }
                    }
                >
                    {Speed::ALL
                        .into_iter()
                        .map(|speed| {
                            view! {
                                <option value=speed.key() selected=move || state.speed.get() == speed>
                                    {speed.label()}
                                </option>
                            }
                        })
                        .collect_any()}
                </select>
            </label>
            <button
                class="button"
                data-testid="sim-reset"
                title="Start the same fleet again from time zero, keeping the policies"
                on:click=move |_| state.command(Simulation::reset)
            >
                "Reset"
            </button>
        </div>
    }
}

#[component]
fn FleetSettingsForm() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let current = state.peek(|sim| *sim.settings());
    let size = RwSignal::new(current.size.to_string());
    let seed = RwSignal::new(current.seed.to_string());
    let weights: [RwSignal<String>; 5] = current.mix.weights.map(|w| RwSignal::new(w.to_string()));
    let error = RwSignal::new(None::<String>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = weights.map(|w| w.get_untracked());
        match parse_fleet_form(&size.get_untracked(), &seed.get_untracked(), &typed) {
            Ok(settings) => {
                let result = state.command(|sim| {
                    Simulation::new(settings, sim.plane().config().clone())
                        .map(|fresh| *sim = fresh)
                });
                error.set(result.err().map(|e| e.to_string()));
            }
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <details class="fleet-settings">
            <summary>"Fleet settings"</summary>
            <form class="form-grid" on:submit=apply data-testid="fleet-settings">
                <label class="field">
                    <span>"Agents (1 to 1000)"</span>
                    <input type="text" inputmode="numeric" data-testid="fleet-size"
                        prop:value=move || size.get() on:input=move |ev| size.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"Seed"</span>
                    <input type="text" inputmode="numeric" data-testid="fleet-seed"
                        prop:value=move || seed.get() on:input=move |ev| seed.set(event_target_value(&ev)) />
                </label>
                {Persona::ALL
                    .into_iter()
                    .zip(weights)
                    .map(|(persona, weight)| {
                        view! {
                            <label class="field">
                                <span>{format!("{} weight", persona.label())}</span>
                                <input type="text" inputmode="numeric"
                                    data-testid=format!("fleet-mix-{}", persona.slug())
                                    prop:value=move || weight.get()
                                    on:input=move |ev| weight.set(event_target_value(&ev)) />
                            </label>
                        }
                    })
                    .collect_any()}
                <div class="form-actions">
                    <button type="submit" class="button" data-testid="fleet-apply">
                        "Start this fleet"
                    </button>
                </div>
                {move || error.get().map(|message| view! {
                    <p class="field-error" role="alert" data-testid="fleet-error">{message}</p>
                })}
            </form>
        </details>
    }
}
