//! Spending charts, drawn as SVG from the core's numbers: cumulative spend
//! against the budget and escalation threshold, the biggest spenders, and
//! verdict counts over time.

use super::format::verdict_label;
use super::{ConsoleState, Panel};
use crate::console::charts::{agent_bars, spend_chart, verdict_chart, HEIGHT, WIDTH};
use leptos::prelude::*;

const TOP_SPENDERS: usize = 10;

#[component]
pub fn ChartsPanel() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let spend = Memo::new(move |_| {
        state.read(|sim| {
            let report = sim.plane().spending_report();
            spend_chart(sim.timeline().points(), report.limit, report.threshold)
        })
    });
    let verdicts = Memo::new(move |_| state.read(|sim| verdict_chart(sim.timeline().points())));
    let bars = Memo::new(move |_| {
        state.read(|sim| agent_bars(&sim.plane().spending_report(), TOP_SPENDERS))
    });
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");

    view! {
        <Panel testid="panel-charts" title="Spending">
            <figure class="chart">
                <figcaption>
                    "Cumulative spend "
                    <strong data-testid="chart-spend-total">{move || spend.get().latest.to_string()}</strong>
                    " by " {move || spend.get().end.to_string()}
                    " (scale to " {move || spend.get().top.to_string()} ")"
                </figcaption>
                <svg class="chart-svg" viewBox=view_box.clone() preserveAspectRatio="none" role="img"
                    aria-label="Cumulative spend over time, with the budget and the escalation threshold"
                    data-testid="chart-spend">
                    {move || spend.get().budget_y.map(|y| view! {
                        <line class="chart-budget" data-testid="chart-budget-line" x1="0" x2=WIDTH y1=y y2=y />
                    })}
                    {move || spend.get().threshold_y.map(|y| view! {
                        <line class="chart-threshold" data-testid="chart-threshold-line" x1="0" x2=WIDTH y1=y y2=y />
                    })}
                    <polyline class="chart-spend-line" data-testid="chart-spend-line" points=move || spend.get().spend />
                </svg>
                <p class="chart-legend">
                    <span class="legend legend--spend">"— spend"</span>
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
                                let width = format!("width: {:.1}%", bar.share * 100.0);
                                view! {
                                    <li class="bar" data-testid="chart-agent-bar"
                                        data-agent=bar.agent.to_string() data-spent=bar.spent.to_string()>
                                        <span class="bar-label mono">{bar.agent.to_string()}</span>
                                        <span class="bar-track"><span class="bar-fill" style=width></span></span>
                                        <span class="bar-value">{bar.spent.to_string()}</span>
                                    </li>
                                }
                            })
                            .collect_view();
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
                    }).collect_view()}
                </svg>
                <ul class="chart-legend" data-testid="chart-verdict-legend">
                    {move || verdicts.get().into_iter().map(|series| view! {
                        <li class=format!("legend legend--{}", series.verdict.as_str())
                            data-testid=format!("chart-verdict-count-{}", series.verdict.as_str())>
                            {verdict_label(series.verdict)} ": " {series.latest}
                        </li>
                    }).collect_view()}
                </ul>
            </figure>
        </Panel>
    }
}
