use serde::Serialize;
use yew::prelude::*;

/// The figures of one Lab run. Serialised in this field order: tests read it as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LabFigures {
    pub ok: u32,
    pub failed: u32,
    /// Wall time from the first request issued to the last one settled, rounded to whole milliseconds.
    pub ms: u64,
    /// Refresh calls and replays made by the client during the run (the change in its counters).
    pub refreshes: u64,
    pub replays: u64,
    /// The median time of one request (from when it was issued to when it settled), in milliseconds.
    pub median_ms: f64,
    /// The protocol the client saw the answers come over (`"http/1.1"`, `"h2"`, `"h3"`, or `""` when the
    /// browser does not expose it), and the client's cap on calls on the wire at the end of the run.
    pub protocol: &'static str,
    pub in_flight_cap: u64,
}

/// A run's figures and the distinct error messages it met, each with how often.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabOutcome {
    pub figures: LabFigures,
    pub errors: Vec<(String, u32)>,
}

#[derive(Properties, PartialEq)]
pub struct LabReportProps {
    pub outcome: LabOutcome,
}

/// The result of a run: a table for people, the exact JSON for scripts, and what went wrong, if anything.
#[component]
pub fn LabReport(props: &LabReportProps) -> Html {
    let figures = &props.outcome.figures;
    // Serialising six numbers cannot fail; an empty string would only make a waiting test time out.
    let json = serde_json::to_string(figures).unwrap_or_default();
    let row = |label: &'static str, value: String| {
        html! { <tr><th scope="row">{ label }</th><td class="numeric">{ value }</td></tr> }
    };
    html! {
        <section class="card" aria-labelledby="lab-report-heading" data-testid="lab-report">
            <h2 id="lab-report-heading">{ "Result" }</h2>
            <table class="table table-compact">
                <caption class="visually-hidden">{ "Figures of the last run" }</caption>
                <tbody>
                    { row("Succeeded", figures.ok.to_string()) }
                    { row("Failed", figures.failed.to_string()) }
                    { row("Wall time", format!("{} ms", figures.ms)) }
                    { row("Refreshes", figures.refreshes.to_string()) }
                    { row("Replays", figures.replays.to_string()) }
                    { row("Median per request", format!("{:.2} ms", figures.median_ms)) }
                    { row("Protocol · cap on the wire", format!("{} · {}", if figures.protocol.is_empty() { "not exposed" } else { figures.protocol }, figures.in_flight_cap)) }
                </tbody>
            </table>
            if !props.outcome.errors.is_empty() {
                <h3 class="subheading">{ "Errors" }</h3>
                <ul class="error-list" data-testid="lab-errors">
                    { for props.outcome.errors.iter().map(|(message, count)| html! {
                        <li>{ message.clone() }<span class="muted">{ format!(" × {count}") }</span></li>
                    }) }
                </ul>
            }
            <h3 class="subheading">{ "As JSON" }</h3>
            <pre class="code-block" data-testid="lab-result">{ json }</pre>
        </section>
    }
}
