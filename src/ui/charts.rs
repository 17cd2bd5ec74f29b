//! The spending panel: every budget tier's usage against its limit, spend
//! drawn as SVG against the system tier's limit and escalation threshold
//! (within its window, when it has one), the biggest spenders, and verdict
//! counts over time.

use super::format::verdict_label;
use super::lists::CollectAny;
use super::{ConsoleState, Panel};
use crate::console::charts::{agent_bars, verdict_chart, OneDecimal, HEIGHT, WIDTH};
use crate::console::tiers::{spending_view, TierRow};
use crate::ui::reactive::memo;
use leptos::prelude::*;

const TOP_SPENDERS: usize = 10;

#[component]
pub fn ChartsPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let spending = memo(move || {
        state.read(|sim| spending_view(sim.timeline().points(), &sim.plane().budget_usage(None)))
    });
    let verdicts = memo(move || state.read(|sim| verdict_chart(sim.timeline().points())));
    let bars =
        memo(move || state.read(|sim| agent_bars(&sim.plane().spending_report(), TOP_SPENDERS)));
    // Whole numbers: the chart's size in its own units.
    let view_box = format!("0 0 {} {}", WIDTH as u32, HEIGHT as u32);

    view! {
        <Panel testid="panel-charts" title="Spending">
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
                        <strong data-testid="chart-spend-total">{s.chart.latest.to_string()}</strong>
                        " by " {s.chart.end.to_string()}
                        " (scale to " {s.chart.top.to_string()} ")"
                    })}
                </figcaption>
                <svg class="chart-svg" viewBox=view_box.clone() preserveAspectRatio="none" role="img"
                    aria-label="Spend over time as the system budget counts it (within its window, if it has one), with its limit and escalation threshold"
                    data-testid="chart-spend">
                    // The limit, the threshold and the spend line, redrawn together.
                    {move || spending.with(|s| {
                        let rule = |y: Option<f64>, class: &'static str, testid: &'static str| y.map(|y| {
                            let y = OneDecimal(y).to_string();
                            view! { <line class=class data-testid=testid x1="0" x2=OneDecimal(WIDTH).to_string() y1=y.clone() y2=y /> }
                        });
                        view! {
                            {rule(s.chart.budget_y, "chart-budget", "chart-budget-line")}
                            {rule(s.chart.threshold_y, "chart-threshold", "chart-threshold-line")}
                            <polyline class="chart-spend-line" data-testid="chart-spend-line" points=s.chart.spend.clone() />
                        }
                    })}
                </svg>
                <p class="chart-legend">
                    <span class="legend legend--spend">"— spend the budget counts"</span>
                    <span class="legend legend--budget">"— budget limit"</span>
                    <span class="legend legend--threshold">"- - escalation threshold"</span>
                </p>
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
                                        <span class="bar-value">{bar.spent.to_string()}</span>
                                    </li>
                                }
                            })
                            .collect_any();
                        let others = (rest.micros() > 0).then(|| view! {
                            <li class="bar bar--rest">"All other agents: " {rest.to_string()}</li>
                        });
                        (items, others)
                    }}
                </ul>
            </figure>
            <figure class="chart">
                <figcaption>"Verdicts over time (cumulative)"</figcaption>
                <svg class="chart-svg" viewBox=view_box preserveAspectRatio="none" role="img"
                    aria-label="Cumulative count of each verdict over time" data-testid="chart-verdicts">
                    {move || verdicts.get().into_iter().map(|series| view! {
                        <polyline class=format!("chart-verdict chart-verdict--{}", series.verdict.as_str())
                            data-testid=format!("chart-verdict-{}", series.verdict.as_str())
                            points=series.points />
                    }).collect_any()}
                </svg>
                <ul class="chart-legend" data-testid="chart-verdict-legend">
                    {move || verdicts.get().into_iter().map(|series| view! {
                        <li class=format!("legend legend--{}", series.verdict.as_str())
                            data-testid=format!("chart-verdict-count-{}", series.verdict.as_str())>
                            {verdict_label(series.verdict)} ": " {series.latest}
                        </li>
                    }).collect_any()}
                </ul>
            </figure>
        </Panel>
    }
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
