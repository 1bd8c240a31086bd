//! Start-up: cold loads of the release build, each in a fresh Chromium profile (nothing cached), to
//! the login page on screen — the `lanyard:login-visible` performance mark the login page sets on its
//! first render, in ms since navigation start.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lanyard_e2e::browser::{Driver, Profile};
use lanyard_e2e::engine::Engine;
use lanyard_e2e::{Backend, BackendOptions, Browser};
use serde_json::{json, Value};

use crate::session::{js, median, percentile, round};
use crate::Env;

pub struct Startup {
    /// The mark's time of each load.
    pub marks: Vec<f64>,
    /// Where the time goes, per load: when each step ended (ms since navigation start).
    pub steps: Vec<Vec<f64>>,
}

/// The steps of a cold start (when each ended, or for requests when they were sent): the page, the
/// app's code, its configuration, the app's first render — which starts the session check — and the
/// login page on screen. The session check (`GET /me` → 401 → refresh → 403: nobody is signed in)
/// runs alongside: the login page does not wait for it; its answers are listed last.
const STEPS: [&str; 11] = [
    "index.html received",
    "DOMContentLoaded",
    "config.json requested",
    "config.json loaded",
    "wasm downloaded",
    "wasm started",
    "config ready",
    "GET /api/me sent",
    "login visible",
    "GET /api/me answered",
    "refresh answered",
];

impl Startup {
    pub fn median_ms(&self) -> f64 {
        median(&self.marks)
    }
    pub fn p90_ms(&self) -> f64 {
        percentile(&self.marks, 90.0)
    }
    /// The median time of each step.
    pub fn step_medians(&self) -> Vec<(&'static str, f64)> {
        STEPS
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let times: Vec<f64> = self
                    .steps
                    .iter()
                    .filter_map(|s| s.get(i).copied())
                    .collect();
                (*name, median(&times))
            })
            .collect()
    }
    pub fn json(&self) -> Value {
        let steps: serde_json::Map<String, Value> = self
            .step_medians()
            .into_iter()
            .map(|(name, ms)| (name.to_string(), json!(round(ms, 1))))
            .collect();
        json!({
            "runs": self.marks.len(),
            "median_ms": round(self.median_ms(), 1),
            "p90_ms": round(self.p90_ms(), 1),
            "min_ms": round(self.marks.iter().copied().fold(f64::INFINITY, f64::min), 1),
            "runs_ms": self.marks.iter().map(|m| round(*m, 1)).collect::<Vec<_>>(),
            "step_end_median_ms": steps,
            "runs_steps_ms": self.steps.iter().map(|run| {
                STEPS.iter().zip(run).map(|(name, ms)| (name.to_string(), json!(round(*ms, 1))))
                    .collect::<serde_json::Map<String, Value>>()
            }).collect::<Vec<_>>(),
        })
    }
}

const MARK: &str = "lanyard:login-visible";
/// Where the mark is in [`STEPS`].
const LOGIN_VISIBLE: usize = 8;

/// Cold loads of each build (`dist`, a name that labels its logs), taken in turns — one load of each build,
/// then the next round — so that whatever else the machine does meanwhile weighs on every build alike and
/// their ratios compare like with like. A build whose load fails gets that error and is left out of later
/// rounds; the others go on.
pub async fn run(env: &Env, builds: &[(PathBuf, String)]) -> Vec<Result<Startup, String>> {
    let runs = if env.quick { 3 } else { 12 };
    // One backend per build, as it is on localhost: no artificial latency.
    let mut states: Vec<Result<(Backend, Startup), String>> = builds
        .iter()
        .map(|(dist, name)| {
            let log = env.logs.join(format!("{name}.server.log"));
            let backend = Backend::start(&env.server_bin, dist, &BackendOptions::default(), &log)?;
            let startup = Startup {
                marks: Vec::new(),
                steps: Vec::new(),
            };
            Ok((backend, startup))
        })
        .collect();
    for k in 0..runs {
        for ((_, name), state) in builds.iter().zip(states.iter_mut()) {
            let Ok((backend, startup)) = state else {
                continue;
            };
            match cold_load(env, backend, name, k).await {
                Ok(steps) => {
                    let mark = steps.get(LOGIN_VISIBLE).copied().unwrap_or(f64::NAN);
                    eprintln!(
                        "bench:   {name} cold load {}: login visible at {mark:.1} ms",
                        k + 1
                    );
                    startup.marks.push(mark);
                    startup.steps.push(steps);
                }
                Err(e) => *state = Err(e),
            }
        }
    }
    states
        .into_iter()
        .map(|state| state.map(|(_, startup)| startup))
        .collect()
}

/// One cold load in a new browser (own driver, empty profile): the end of each of [`STEPS`].
async fn cold_load(env: &Env, backend: &Backend, name: &str, k: usize) -> Result<Vec<f64>, String> {
    let driver = Driver::start_bin(
        Engine::Chromium,
        &env.chromedriver,
        &env.logs.join(format!("{name}-{k}.chromedriver.log")),
    )?;
    let profile = Profile::new(&format!("bench-{name}-{k}"))?;
    let browser = Browser::connect(&driver, &backend.base_url, &profile).await?;
    let measured = measure(&browser).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), browser.client.clone().close()).await;
    measured
}

async fn measure(browser: &Browser) -> Result<Vec<f64>, String> {
    let url = browser.url("/login");
    browser
        .client
        .goto(&url)
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))?;
    let mark = format!("return performance.getEntriesByName('{MARK}').length > 0;");
    let steps = "const m = performance.getEntriesByName('lanyard:login-visible')[0]; \
         const nav = performance.getEntriesByType('navigation')[0]; \
         const res = performance.getEntriesByType('resource'); \
         const find = (path) => res.find(e => { const p = new URL(e.name).pathname; \
                                                 return path.startsWith('.') ? p.endsWith(path) : p === path; }); \
         const end = (path) => { const r = find(path); return r ? r.responseEnd : null; }; \
         const sent = (path) => { const r = find(path); return r ? r.startTime : null; }; \
         const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? e.startTime : null; }; \
         return [nav ? nav.responseEnd : null, nav ? nav.domContentLoadedEventEnd : null, \
                 sent('/config.json'), end('/config.json'), end('.wasm'), at('lanyard:wasm-started'), \
                 at('lanyard:config-ready'), sent('/api/me'), m.startTime, \
                 end('/api/me'), end('/api/auth/refresh')];";
    let started = Instant::now();
    loop {
        if js(browser, &mark).await? == Value::Bool(true) {
            // Let the session check finish, so that its requests are in the timeline too.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let value = js(browser, steps).await?;
            // A step the page did not take (no such request) reads as NaN, and is left out of medians.
            return Ok(value
                .as_array()
                .map(|steps| {
                    steps
                        .iter()
                        .map(|s| s.as_f64().unwrap_or(f64::NAN))
                        .collect()
                })
                .unwrap_or_default());
        }
        if started.elapsed() > Duration::from_secs(15) {
            return Err(format!(
                "the login page never set the `{MARK}` mark; {}",
                browser.describe().await
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
