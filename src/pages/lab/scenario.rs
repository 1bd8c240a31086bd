//! A Lab scenario: the form as typed, its validation, and the run itself.

use crate::components::{LabFigures, LabOutcome};
use crate::messages::user_message;
use futures_util::future::join_all;
use lanyard_client::Client;
use serde::de::IgnoredAny;
use std::collections::HashMap;

const MAX_REQUESTS: u32 = 1000;
const MAX_GAP_MS: u32 = 60_000;
/// How many distinct error messages the report lists.
const MAX_ERRORS: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every request at once.
    Storm,
    /// Request k at k × gap.
    Stagger,
    /// One after another: each request starts when the previous one has settled.
    Serial,
}

/// What sends the requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The app's client: coordination, refresh, replay.
    Client,
    /// A plain credentialed `fetch` of the same URL, bypassing the client (the overhead baseline).
    Raw,
}

/// The form, as typed (numbers stay text until the run, so a half-typed value is never rejected mid-edit).
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub n: String,
    pub path: String,
    pub mode: Mode,
    pub via: Via,
    pub gap_ms: String,
}

impl Form {
    pub fn from_query(query: &HashMap<String, String>) -> Form {
        let get = |key: &str, default: &str| {
            query
                .get(key)
                .cloned()
                .unwrap_or_else(|| default.to_string())
        };
        Form {
            n: get("n", "50"),
            path: get("path", "/api/notes"),
            mode: match query.get("mode").map(String::as_str) {
                Some("stagger") => Mode::Stagger,
                Some("serial") => Mode::Serial,
                _ => Mode::Storm,
            },
            via: match query.get("via").map(String::as_str) {
                Some("raw") => Via::Raw,
                _ => Via::Client,
            },
            gap_ms: get("gap_ms", "10"),
        }
    }

    pub fn validate(&self) -> Result<Scenario, FormErrors> {
        let n = self
            .n
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_REQUESTS).contains(n));
        let gap_ms = self
            .gap_ms
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|g| *g <= MAX_GAP_MS);
        let path = self.path.trim();
        // A path of this API, not a URL: the client adds the configured origin.
        let path_ok = path.starts_with('/')
            && !path.starts_with("//")
            && !path.chars().any(char::is_whitespace);
        match (n, gap_ms, path_ok) {
            (Some(n), Some(gap_ms), true) => Ok(Scenario {
                n,
                path: path.to_string(),
                mode: self.mode,
                via: self.via,
                gap_ms,
            }),
            _ => Err(FormErrors {
                n: n.is_none()
                    .then(|| format!("Enter a whole number from 1 to {MAX_REQUESTS}.")),
                path: (!path_ok)
                    .then(|| "Enter an API path starting with /, such as /api/notes.".to_string()),
                gap_ms: gap_ms
                    .is_none()
                    .then(|| format!("Enter a whole number of milliseconds up to {MAX_GAP_MS}.")),
            }),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormErrors {
    pub n: Option<String>,
    pub path: Option<String>,
    pub gap_ms: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub n: u32,
    pub path: String,
    pub mode: Mode,
    pub via: Via,
    pub gap_ms: u32,
}

impl Scenario {
    /// Request k's path: a distinct URL each, so the browser never merges or serialises them.
    fn path_for(&self, k: u32) -> String {
        let separator = if self.path.contains('?') { '&' } else { '?' };
        format!("{}{separator}i={k}", self.path)
    }

    fn delay_for(&self, k: u32) -> u32 {
        match self.mode {
            Mode::Storm | Mode::Serial => 0,
            Mode::Stagger => k.saturating_mul(self.gap_ms),
        }
    }
}

/// Milliseconds on the page's monotonic clock (`Date.now()` only where `performance` is missing).
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// One GET of `path`, through the client or as a plain credentialed fetch of the same URL. Both read and parse
/// the body, so the difference between them is what the client adds.
async fn get(client: &Client, via: Via, path: &str) -> Result<(), String> {
    match via {
        Via::Client => client
            .get::<IgnoredAny>(path)
            .await
            .map(drop)
            .map_err(|e| user_message(&e)),
        Via::Raw => {
            let response = gloo_net::http::Request::get(&client.config().url(path))
                .credentials(web_sys::RequestCredentials::Include)
                .send()
                .await
                .map_err(|e| format!("The request failed: {e}"))?;
            if !response.ok() {
                return Err(format!("The server answered {}.", response.status()));
            }
            let body = response
                .binary()
                .await
                .map_err(|e| format!("The answer could not be read: {e}"))?;
            serde_json::from_slice::<IgnoredAny>(&body)
                .map(drop)
                .map_err(|e| format!("The answer is not JSON: {e}"))
        }
    }
}

/// One request of the run: waits its turn (stagger), sends, and says how long the request itself took.
async fn timed(client: Client, via: Via, path: String, delay: u32) -> (Result<(), String>, f64) {
    if delay > 0 {
        gloo_timers::future::TimeoutFuture::new(delay).await;
    }
    let started = now_ms();
    let result = get(&client, via, &path).await;
    (result, (now_ms() - started).max(0.0))
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

pub async fn run(client: Client, scenario: Scenario) -> LabOutcome {
    let before = client.stats();
    let started = now_ms();
    let results = if scenario.mode == Mode::Serial {
        let mut results = Vec::with_capacity(scenario.n as usize);
        for k in 0..scenario.n {
            results.push(timed(client.clone(), scenario.via, scenario.path_for(k), 0).await);
        }
        results
    } else {
        let requests = (0..scenario.n).map(|k| {
            timed(
                client.clone(),
                scenario.via,
                scenario.path_for(k),
                scenario.delay_for(k),
            )
        });
        // join_all polls every request on its first poll, so a storm really is issued all at once.
        join_all(requests).await
    };
    let ms = (now_ms() - started).max(0.0).round() as u64;
    let after = client.stats();

    let mut outcome = LabOutcome {
        figures: LabFigures {
            ms,
            refreshes: after.refreshes.saturating_sub(before.refreshes),
            replays: after.replays.saturating_sub(before.replays),
            protocol: match after.protocol {
                Some(lanyard_client::transport::Protocol::Http1) => "http/1.1",
                Some(lanyard_client::transport::Protocol::Http2) => "h2",
                Some(_) => "h3",
                None => "",
            },
            in_flight_cap: after.in_flight_cap,
            median_ms: (median(results.iter().map(|(_, t)| *t).collect()) * 1000.0).round()
                / 1000.0,
            ..LabFigures::default()
        },
        errors: Vec::new(),
    };
    for (result, _) in results {
        match result {
            Ok(()) => outcome.figures.ok += 1,
            Err(message) => {
                outcome.figures.failed += 1;
                if let Some(entry) = outcome.errors.iter_mut().find(|(m, _)| *m == message) {
                    entry.1 += 1;
                } else if outcome.errors.len() < MAX_ERRORS {
                    outcome.errors.push((message, 1));
                }
            }
        }
    }
    outcome
}
