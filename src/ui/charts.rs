//! The spending panel: every budget tier's usage against its limit, spend
//! drawn against the system tier's limit and escalation threshold (within
//! its window, when it has one), the biggest spenders, and verdict counts
//! over time. Both time charts have a money or count axis and a virtual-time
//! axis with tick labels, the policy changes and kill switches marked on the
//! time axis, and a readout under the pointer or the keyboard. What they
//! show is computed in [`crate::console::charts`]; this file draws it.

use super::format::verdict_label;
use super::lists::CollectAny;
use super::{ConsoleState, Panel};
use crate::console::charts::{
    agent_bars, clock, count, markers, verdict_chart, verdict_readout, Marker, OneDecimal, Plot,
    HEIGHT, WIDTH,
};
use crate::console::tiers::{spending_view, TierRow};
use crate::console::Currency;
use crate::governance::Verdict;
use crate::sim::Simulation;
use crate::ui::reactive::memo;
use leptos::prelude::*;
use std::sync::Arc;

const TOP_SPENDERS: usize = 10;

/// The changes marked on the time charts, on the timeline's time axis.
fn marks(sim: &Simulation) -> Vec<Marker> {
    let audit = sim.plane().audit();
    let end = sim.timeline().points().last().map_or(sim.now(), |p| p.at);
    markers(
        audit.events_from(audit.first()).map(|(_, at, e)| (at, e)),
        end,
    )
}

#[component]
pub fn ChartsPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let spending = memo(move || {
        state.read_late(|sim| {
            let usage = sim.plane().budget_usage(None);
            spending_view(
                sim.timeline().points(),
                &usage,
                marks(sim),
                state.currency(),
            )
        })
    });
    let bars = memo(move || {
        state.read_late(|sim| agent_bars(&sim.plane().spending_report(), TOP_SPENDERS))
    });
    let spend_readout: Readout = Arc::new(move |at| {
        // Read when the pointer or a key moves it, not on every tick: the
        // readout is announced (aria-live), and a moving one would never stop.
        let symbol = state.currency_untracked().symbol();
        state.peek(|sim| {
            spending.with_untracked(|s| s.chart.readout(sim.timeline().points(), at, symbol))
        })
    });
    let verdict_readout: Readout = Arc::new(move |at| {
        state.peek(|sim| verdict_readout(sim.timeline().points(), &marks(sim), at))
    });

    view! {
        <Panel testid="panel-charts" title="Spending">
            // One choice for every amount in the console; saved with the setup.
            <label class="field field--inline">
                <span>"Show amounts in"</span>
                <select data-testid="currency" on:change=move |ev| {
                    state.set_currency(Currency::from_code(&event_target_value(&ev)));
                }>
                    {Currency::ALL.into_iter().map(|c| view! {
                        <option value=c.code() selected=state.currency_untracked() == c>{c.label()}</option>
                    }).collect_any()}
                </select>
            </label>
            <table class="tier-table" data-testid="budget-tiers">
                <caption>"Budget tiers"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Policy"</th>
                        <th scope="col">"Limits"</th>
                        <th scope="col">"Spent"</th>
                        <th scope="col">"Threshold"</th>
                        <th scope="col">"Window"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || spending.with(|s| s.tiers.clone()).into_iter().map(tier_row).collect_any()}
                </tbody>
            </table>
            <figure class="chart">
                <figcaption>
                    // The caption's figures, redrawn together.
                    {move || spending.with(|s| view! {
                        {s.window_spend.clone().map(|text| view! {
                            "Spend in the system budget's window "
                            <strong data-testid="chart-window-spend">{text}</strong>
                            "; "
                        })}
                        "All-time spend "
                        <strong data-testid="chart-spend-total">{state.currency().format(s.chart.latest)}</strong>
                        " by " {clock(s.chart.end)}
                    })}
                </figcaption>
                {time_chart("chart-spend", "plot--spend",
                    "Spend over time as the system budget counts it (within its window, if it has one), with its limit, escalation threshold and marked changes",
                    Arc::new(move || spending.with(|s| s.chart.plot.clone())), spend_readout)}
                <ul class="chart-legend">
                    <li class="legend legend--spend">"Spend the budget counts"</li>
                    <li class="legend legend--budget">"Budget limit"</li>
                    <li class="legend legend--threshold">"Escalation threshold"</li>
                    <li class="legend legend--policy">"Configuration change"</li>
                    <li class="legend legend--kill">"Kill switch on"</li>
                    <li class="legend legend--release">"Kill switch off"</li>
                </ul>
            </figure>
            <figure class="chart">
                <figcaption>"Spend per agent (top " {TOP_SPENDERS} ")"</figcaption>
                <ul class="bars" data-testid="chart-agents">
                    {move || {
                        let (bars, rest) = bars.get();
                        let items = bars
                            .into_iter()
                            .map(|bar| {
                                let width = format!("width: {}%", OneDecimal(bar.share * 100.0));
                                view! {
                                    <li class="bar" data-testid="chart-agent-bar"
                                        data-agent=bar.agent.to_string() data-spent=bar.spent.to_string()>
                                        <span class="bar-label mono">{bar.agent.to_string()}</span>
                                        <span class="bar-track"><span class="bar-fill" style=width></span></span>
                                        <span class="bar-value">{state.currency().format(bar.spent)}</span>
                                    </li>
                                }
                            })
                            .collect_any();
                        let others = (rest.micros() > 0).then(|| view! {
                            <li class="bar bar--rest">"All other agents: " {state.currency().format(rest)}</li>
                        });
                        (items, others)
                    }}
                </ul>
            </figure>
            <figure class="chart">
                <figcaption>"Verdicts over time (cumulative, each on its own scale)"</figcaption>
                {time_chart("chart-verdicts", "plot--verdicts",
                    "Cumulative count of each verdict over time, each on its own scale, with marked changes",
                    Arc::new(move || state.read_late(|sim| verdict_chart(sim.timeline().points(), marks(sim)))), verdict_readout)}
                <ul class="chart-legend" data-testid="chart-verdict-legend">
                    {move || state.read_late(|sim| {
                        let last = sim.timeline().points().last().copied();
                        Verdict::ALL.into_iter().map(|verdict| {
                            let count = last.map_or(0, |p| count(&p, verdict));
                            view! {
                                <li class=format!("legend legend--{}", verdict.as_str())
                                    data-testid=format!("chart-verdict-count-{}", verdict.as_str())>
                                    {verdict_label(verdict)} ": " {count}
                                </li>
                            }
                        }).collect_any()
                    })}
                </ul>
            </figure>
        </Panel>
    }
}

/// What a time chart says at a fraction (0 to 1) of its time axis.
type Readout = Arc<dyn Fn(f64) -> String + Send + Sync>;

/// A time chart: its bands with their value axes, the shared time axis, the
/// marked changes, and a readout of the values under the pointer or, with
/// the focus on the chart, at a point moved by the arrow keys (Home and End
/// jump to the ends). The focusable area stays while the drawing inside it
/// is redrawn, so the focus and the readout survive new data.
///
/// Size matters here (see "Release size" in the README): every label, tick,
/// marker and the cursor is one [`placed`] span, and the cursor is a plain
/// number (negative: none), so the chart adds few view types.
fn time_chart(
    testid: &'static str,
    class: &'static str,
    label: &'static str,
    plot: Arc<dyn Fn() -> Plot + Send + Sync>,
    readout: Readout,
) -> AnyView {
    // Where the readout is, as a fraction of the time axis; negative: nowhere.
    let cursor = RwSignal::new(-1.0f64);
    let view_box = format!("0 0 {} {}", WIDTH as u32, HEIGHT as u32);
    let draw = move || {
        let plot = plot();
        let mut parts = Vec::new();
        for row in plot.rows {
            let ticks = row
                .y_ticks
                .into_iter()
                .map(|t| placed("", "top", t.at, t.label))
                .collect_any();
            let lines = row
                .lines
                .into_iter()
                .map(|line| {
                    view! {
                        <polyline class=line.class data-testid=line.testid points=line.points />
                    }
                })
                .collect_any();
            parts.push(view! {
                <div class="plot-row">
                    <svg class="chart-svg" viewBox=view_box.clone() preserveAspectRatio="none" aria-hidden="true"
                        data-testid=row.testid>{lines}</svg>
                    <div class="plot-y" data-testid=format!("{}-axis-y", row.testid)>{ticks}</div>
                    {placed("plot-row-name", "left", 0.0, row.name.to_owned())}
                </div>
            }.into_any());
        }
        for m in plot.markers {
            parts.push(placed(m.kind, "left", m.at, String::new()));
        }
        let x_ticks = plot
            .x_ticks
            .into_iter()
            .map(|t| placed("", "left", t.at, t.label))
            .collect_any();
        parts.push(
            view! { <div class="plot-x" data-testid=format!("{testid}-axis-x")>{x_ticks}</div> }
                .into_any(),
        );
        parts
    };
    let step = move |ev: leptos::ev::KeyboardEvent| {
        // Alt+← is the browser's Back, Ctrl and Cmd its own shortcuts.
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let at = cursor.get_untracked();
        let at = if at < 0.0 { 1.0 } else { at };
        let moved = match ev.key().as_str() {
            "ArrowLeft" => at - 0.02,
            "ArrowRight" => at + 0.02,
            "Home" => 0.0,
            "End" => 1.0,
            _ => return,
        };
        ev.prevent_default();
        cursor.set(moved.clamp(0.0, 1.0));
    };
    // The drawing ignores the pointer (style), so the event's target is the
    // chart itself and its offset is along the time axis.
    let point = move |ev: leptos::ev::PointerEvent| {
        let width = event_target::<web_sys::Element>(&ev).client_width().max(1);
        cursor.set((ev.offset_x() as f64 / width as f64).clamp(0.0, 1.0));
    };
    view! {
        <div class=format!("plot {class}") tabindex="0" role="group" data-testid=format!("{testid}-plot")
            aria-label=format!("{label}. Arrow keys read the values along the time axis.")
            on:keydown=step
            on:focus=move |_| if cursor.get_untracked() < 0.0 { cursor.set(1.0) }
            on:blur=move |_| cursor.set(-1.0)
            on:pointermove=point
            on:pointerleave=move |_| cursor.set(-1.0)>
            {draw}
            // Its own closure: moving the pointer redraws the line, not the chart.
            {move || {
                let at = cursor.get();
                (at >= 0.0).then(|| placed("chart-cursor", "left", at * 100.0, String::new()))
            }}
        </div>
        <p class="chart-readout" aria-live="polite" data-testid=format!("{testid}-readout")>
            {move || {
                let at = cursor.get();
                if at < 0.0 { String::new() } else { readout(at) }
            }}
        </p>
    }
    .into_any()
}

/// A span placed along an axis: `side` (`left` or `top`) at `at` percent.
/// Markers (class `policy`, `kill` or `release`) carry the test id
/// `chart-marker`.
fn placed(class: &'static str, side: &'static str, at: f64, text: String) -> AnyView {
    let marker = matches!(class, "policy" | "kill" | "release");
    let class = if marker {
        format!("chart-marker chart-marker--{class}")
    } else {
        class.to_owned()
    };
    view! {
        <span class=class data-testid=if marker { "chart-marker" } else { "" }
            style=format!("{side}: {}%", OneDecimal(at))>{text}</span>
    }
    .into_any()
}

/// One tier: its scope and limits in words, spend as a bar with the figure
/// beside it, and when its window resets.
fn tier_row(row: TierRow) -> impl IntoView {
    let bar = row.share.map(|share| {
        let width = format!("width: {}%", OneDecimal(share * 100.0));
        view! { <span class="bar-track tier-bar" aria-hidden="true"><span class="bar-fill" style=width></span></span> }
    });
    let policy = row.policy.clone();
    view! {
        <tr data-testid="budget-tier" data-policy=policy>
            <th scope="row" class="mono">{row.policy}</th>
            <td>{row.scope}</td>
            <td data-testid="budget-tier-usage">
                {bar}
                {row.usage}
                {row.agent.map(|agent| view! { " (" <span class="mono" data-testid="budget-tier-agent">{agent}</span> ")" })}
            </td>
            <td>{row.threshold}</td>
            <td data-testid="budget-tier-resets">{row.resets.unwrap_or_else(|| "—".to_owned())}</td>
        </tr>
    }
}
