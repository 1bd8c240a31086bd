//! The Lab: fires many real requests through the app's client, with the user's own session, and reports how
//! the client coped (one refresh for many 401s, each request replayed at most once).
//!
//! Query parameters fill the form: `n`, `path`, `mode=storm|stagger|serial`, `gap_ms`, `via=client|raw`; `run=1`
//! starts at once. `via=raw` sends the same GETs as plain `fetch`es, bypassing the client (the benchmarks compare
//! the two to measure the client's overhead per request).

mod scenario;

use super::not_found;
use super::PageProps;
use crate::app::use_config;
use crate::components::{LabOutcome, LabReport};
use lanyard_client::Client;
use scenario::{run, Form, FormErrors, Mode, Scenario, Via};
use std::collections::HashMap;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

#[component]
pub fn Lab(props: &PageProps) -> Html {
    let config = use_config();
    // A new query string is a new scenario: fresh form, and `run=1` honoured again.
    let query = use_location()
        .map(|l| l.query_str().to_string())
        .unwrap_or_default();
    if !config.lab_enabled {
        return not_found();
    }
    html! { <LabPage key={query} client={props.account.client.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct LabPageProps {
    client: Client,
}

#[component]
fn LabPage(props: &LabPageProps) -> Html {
    let location = use_location();
    let query = location
        .and_then(|l| l.query::<HashMap<String, String>>().ok())
        .unwrap_or_default();
    let autorun = matches!(query.get("run").map(String::as_str), Some("1" | "true"));
    let form = use_state(|| Form::from_query(&query));
    let errors = use_state(FormErrors::default);
    let running = use_state(|| Option::<Scenario>::None);
    let outcome = use_state(|| Option::<LabOutcome>::None);
    let first_error = use_node_ref();

    let start = {
        let (client, form, errors, running, outcome, first_error) = (
            props.client.clone(),
            form.clone(),
            errors.clone(),
            running.clone(),
            outcome.clone(),
            first_error.clone(),
        );
        Callback::from(move |()| {
            if running.is_some() {
                return;
            }
            let scenario = match form.validate() {
                Ok(scenario) => scenario,
                Err(problems) => {
                    errors.set(problems);
                    focus_later(first_error.clone());
                    return;
                }
            };
            errors.set(FormErrors::default());
            outcome.set(None);
            running.set(Some(scenario.clone()));
            let (client, running, outcome) = (client.clone(), running.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = run(client, scenario).await;
                outcome.set(Some(result));
                running.set(None);
            });
        })
    };
    {
        let start = start.clone();
        use_effect_with((), move |_| {
            if autorun {
                start.emit(());
            }
        });
    }

    let onsubmit = {
        let start = start.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            start.emit(());
        })
    };
    let text_input = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*form).clone();
            apply(
                &mut next,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            form.set(next);
        })
    };
    let set_mode = |mode: Mode| {
        let form = form.clone();
        Callback::from(move |_: Event| {
            form.set(Form {
                mode,
                ..(*form).clone()
            })
        })
    };
    let set_via = |via: Via| {
        let form = form.clone();
        Callback::from(move |_: Event| {
            form.set(Form {
                via,
                ..(*form).clone()
            })
        })
    };
    let is_running = running.is_some();
    let status = match (&*running, &*outcome) {
        (Some(s), _) => format!("Running {} requests…", s.n),
        (None, Some(o)) => format!(
            "Done: {} succeeded, {} failed in {} ms.",
            o.figures.ok, o.figures.failed, o.figures.ms
        ),
        (None, None) => String::new(),
    };
    // Focus goes to the first field with a problem; only that one gets the ref.
    let error_ref = |field: u8| {
        let first = if errors.n.is_some() {
            0
        } else if errors.path.is_some() {
            1
        } else {
            2
        };
        if first == field {
            first_error.clone()
        } else {
            NodeRef::default()
        }
    };

    html! {
        <div class="page" data-testid="lab">
            <header class="page-header">
                <h1>{ "Lab" }</h1>
                <p class="lead">
                    { "Sends many real requests through the app's client with your session, to watch it refresh once \
                       and replay every request that was refused meanwhile." }
                </p>
            </header>
            <section class="card" aria-labelledby="lab-form-heading">
                <h2 id="lab-form-heading">{ "Scenario" }</h2>
                <form class="lab-form" {onsubmit} novalidate=true>
                    <div class="field-row">
                        { number_field("lab-n", "Number of requests", &form.n, &errors.n, error_ref(0),
                            text_input(|f, v| f.n = v)) }
                        { number_field("lab-gap", "Gap between requests (ms)", &form.gap_ms, &errors.gap_ms,
                            error_ref(2), text_input(|f, v| f.gap_ms = v)) }
                    </div>
                    <div class="field">
                        <label for="lab-path">{ "Path" }</label>
                        <input id="lab-path" type="text" value={form.path.clone()} oninput={text_input(|f, v| f.path = v)}
                            ref={error_ref(1)} spellcheck="false" autocomplete="off"
                            aria-invalid={errors.path.is_some().then_some("true")} aria-describedby="lab-path-error" />
                        if let Some(message) = &errors.path {
                            <p id="lab-path-error" class="field-error">{ message.clone() }</p>
                        }
                    </div>
                    <fieldset class="field radio-group">
                        <legend>{ "Mode" }</legend>
                        <label class="radio">
                            <input type="radio" name="lab-mode" value="storm" checked={form.mode == Mode::Storm}
                                onchange={set_mode(Mode::Storm)} />
                            { "Storm: all at once" }
                        </label>
                        <label class="radio">
                            <input type="radio" name="lab-mode" value="stagger" checked={form.mode == Mode::Stagger}
                                onchange={set_mode(Mode::Stagger)} />
                            { "Stagger: one every gap" }
                        </label>
                        <label class="radio">
                            <input type="radio" name="lab-mode" value="serial" checked={form.mode == Mode::Serial}
                                onchange={set_mode(Mode::Serial)} />
                            { "Serial: one after another" }
                        </label>
                    </fieldset>
                    <fieldset class="field radio-group">
                        <legend>{ "Send through" }</legend>
                        <label class="radio">
                            <input type="radio" name="lab-via" value="client" checked={form.via == Via::Client}
                                onchange={set_via(Via::Client)} />
                            { "The app's client" }
                        </label>
                        <label class="radio">
                            <input type="radio" name="lab-via" value="raw" checked={form.via == Via::Raw}
                                onchange={set_via(Via::Raw)} />
                            { "Plain fetch (no refresh, no replay)" }
                        </label>
                    </fieldset>
                    <div class="form-actions">
                        <button type="submit" class="button button-primary" disabled={is_running}
                            aria-busy={is_running.then_some("true")} data-testid="lab-run">
                            if is_running { <span class="spinner spinner-small" aria-hidden="true"></span> }
                            { "Run" }
                        </button>
                    </div>
                </form>
            </section>
            <p class={classes!("live-status", (!status.is_empty()).then_some("notice notice-info"))}
                role="status" aria-live="polite" data-testid="lab-status">{ status }</p>
            if let (None, Some(outcome)) = (&*running, &*outcome) {
                <LabReport outcome={outcome.clone()} />
            }
        </div>
    }
}

fn number_field(
    id: &'static str,
    label: &'static str,
    value: &str,
    error: &Option<String>,
    node_ref: NodeRef,
    oninput: Callback<InputEvent>,
) -> Html {
    let error_id = format!("{id}-error");
    html! {
        <div class="field">
            <label for={id}>{ label }</label>
            <input {id} type="number" inputmode="numeric" min="0" step="1" value={value.to_string()} {oninput}
                ref={node_ref} aria-invalid={error.is_some().then_some("true")} aria-describedby={error_id.clone()} />
            if let Some(message) = error {
                <p id={error_id} class="field-error">{ message.clone() }</p>
            }
        </div>
    }
}

/// Focuses an element after the render that shows it.
fn focus_later(node: NodeRef) {
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        if let Some(element) = node.cast::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    });
}
