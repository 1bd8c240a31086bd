//! One measured session: a fresh backend, chromedriver and Chromium profile; the Lab driven through
//! the page; the server's counts read back.

use std::path::Path;
use std::time::{Duration, Instant};

use lanyard_e2e::browser::{Driver, Profile};
use lanyard_e2e::engine::{Engine, SessionOptions};
use lanyard_e2e::{Backend, BackendOptions, Browser, Stats, REFRESH, WAIT};
use serde_json::{json, Value};

use crate::Env;

/// A backend and a browser of its own; all of it stopped when dropped.
pub struct Session {
    // Dropped in this order: the browser session, its driver (and Chromium), the profile, the backend.
    pub browser: Browser,
    _driver: Driver,
    _profile: Profile,
    pub backend: Backend,
}

impl Session {
    pub async fn start(
        env: &Env,
        name: &str,
        options: &BackendOptions,
        dist: &Path,
    ) -> Result<Session, String> {
        let backend = Backend::start(
            &env.server_bin,
            dist,
            options,
            &env.logs.join(format!("{name}.server.log")),
        )?;
        let driver = Driver::start_bin(
            Engine::Chromium,
            &env.chromedriver,
            &env.logs.join(format!("{name}.chromedriver.log")),
        )?;
        let profile = Profile::new(&format!("bench-{name}"))?;
        // The backend's `--tls` certificate is self-signed.
        let session = SessionOptions {
            accept_insecure_certs: options.tls,
            ..SessionOptions::default()
        };
        let browser = Browser::connect_with(&driver, &backend.base_url, &profile, session).await?;
        Ok(Session {
            browser,
            _driver: driver,
            _profile: profile,
            backend,
        })
    }

    /// Ends the browser session politely (dropping would kill it anyway).
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.browser.client.clone().close())
            .await;
    }

    /// Opens the Lab with `query`, signs in as the demo user on the way, and waits for the form.
    pub async fn open_lab(&self, query: &str) {
        let b = &self.browser;
        b.open(&format!("/lab?{query}")).await;
        b.wait_path("/login", WAIT).await;
        b.sign_in("user", "user-pass").await;
        b.wait_path("/lab", WAIT).await;
        b.wait_testid("lab").await;
    }
}

/// Runs a script in the page; a failed script is an error (the harness's `js` would panic).
pub async fn js(browser: &Browser, script: &str) -> Result<Value, String> {
    browser
        .client
        .execute(script, vec![])
        .await
        .map_err(|e| format!("script failed in the page: {e}"))
}

/// Marks the last result as stale, so that waiting for a result waits for the next run's.
pub async fn forget_result(browser: &Browser) -> Result<(), String> {
    js(
        browser,
        "document.querySelectorAll('[data-testid=\"lab-result\"]').forEach(e => e.dataset.stale = '1');",
    )
    .await
    .map(drop)
}

/// Clicks Run and waits for the run's figures.
pub async fn run_lab(browser: &Browser, limit: Duration) -> Result<Value, String> {
    forget_result(browser).await?;
    browser.click_testid("lab-run").await;
    wait_result(browser, limit).await
}

/// Waits for a result that is not marked stale and parses its JSON.
pub async fn wait_result(browser: &Browser, limit: Duration) -> Result<Value, String> {
    let started = Instant::now();
    let script =
        "const e = document.querySelector('[data-testid=\"lab-result\"]:not([data-stale])'); \
                  return e ? e.textContent : null;";
    loop {
        if let Some(text) = js(browser, script).await?.as_str() {
            return serde_json::from_str(text)
                .map_err(|e| format!("lab-result is not JSON ({e}): {text:?}"));
        }
        if started.elapsed() > limit {
            return Err(format!(
                "no Lab result within {limit:?}; {}",
                browser.describe().await
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The Lab's list of distinct errors of the last run (`message × count`), empty when none failed.
pub async fn lab_errors(browser: &Browser) -> Result<Vec<String>, String> {
    let value = js(
        browser,
        "return Array.from(document.querySelectorAll('[data-testid=\"lab-errors\"] li'), li => li.textContent);",
    )
    .await?;
    Ok(value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

/// What the server counted during a run.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Refresh calls answered 200.
    pub refresh_ok: u64,
    /// Refresh calls, whatever the answer.
    pub refresh_calls: u64,
    /// Responses with status 401, all endpoints together.
    pub unauthorized: u64,
    /// Every API call.
    pub total: u64,
}

impl Counts {
    pub fn of(stats: &Stats) -> Counts {
        let unauthorized = stats.0["by_endpoint"]
            .as_object()
            .map(|endpoints| {
                endpoints
                    .values()
                    .filter_map(|by_status| by_status["401"].as_u64())
                    .sum()
            })
            .unwrap_or(0);
        Counts {
            refresh_ok: stats.count(REFRESH, "200"),
            refresh_calls: stats.refreshes(),
            unauthorized,
            total: stats.total(),
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "refresh_200": self.refresh_ok,
            "refresh_calls": self.refresh_calls,
            "responses_401": self.unauthorized,
            "api_calls": self.total,
        })
    }
}

/// A number from the Lab's JSON.
pub fn figure(result: &Value, name: &str) -> Result<f64, String> {
    result[name]
        .as_f64()
        .ok_or_else(|| format!("lab-result has no number `{name}`: {result}"))
}

/// The median of some figures (NaN for none).
pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`th percentile, nearest rank on the sorted values; NaNs (missing figures) are left out.
/// NaN when there is nothing to rank.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    if p == 50.0 && sorted.len() % 2 == 0 {
        let mid = sorted.len() / 2;
        return (sorted[mid - 1] + sorted[mid]) / 2.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Rounds to `digits` decimals (for the JSON).
pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}
