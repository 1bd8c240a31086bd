//! The Lab scenarios: refresh storms and bursts (each in a fresh backend and browser session), the
//! refresh round trip, and the client's per-request overhead against a plain fetch.

use std::time::Duration;

use lanyard_e2e::BackendOptions;
use serde_json::{json, Value};

use crate::session::{
    figure, js, lab_errors, median, round, run_lab, wait_result, Counts, Session,
};
use crate::{guarded, Env};

/// Artificial latency of every API call in the storm scenarios.
pub const LATENCY_MS: u64 = 50;
/// Extra latency of a refresh in the slow-refresh scenarios.
pub const SLOW_REFRESH_MS: u64 = 300;
/// The proactive scenario: access tokens live this long…
const PROACTIVE_TTL_SECS: u32 = 15;
/// …and the client refreshes this long before they expire (so 5 s after each refresh).
pub const PROACTIVE_SKEW_MS: u64 = 10_000;
/// The proactive window opens this long after the burst starts (a few requests go out before it).
const PROACTIVE_LEAD_MS: i64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// Valid throughout: no refresh is needed.
    Fresh,
    /// Expired server-side just before the run (`expire-access`): every first attempt gets a 401.
    Expired,
    /// Valid, but the proactive window opens during the run: the client refreshes before any 401.
    Proactive,
}

/// One scenario of the storm table.
#[derive(Clone, Debug)]
pub struct Spec {
    pub key: &'static str,
    pub label: String,
    pub n: u32,
    /// `storm` or `stagger`.
    pub mode: &'static str,
    pub gap_ms: u32,
    pub token: Token,
    pub slow_refresh: bool,
    /// The fresh-token run this one is compared with.
    pub baseline: Option<&'static str>,
}

impl Spec {
    fn query(&self) -> String {
        format!(
            "n={}&path=/api/notes&mode={}&gap_ms={}",
            self.n, self.mode, self.gap_ms
        )
    }
}

/// What one scenario measured.
#[derive(Clone, Debug)]
pub struct LabRun {
    pub spec: Spec,
    /// The Lab's own JSON (`ok`, `failed`, `ms`, `refreshes`, `replays`, `median_ms`).
    pub lab: Value,
    pub counts: Counts,
    /// The Lab's error messages (with counts) when some requests failed.
    pub errors: Vec<String>,
}

/// The refresh round trip, timed in the page (`fetch` of the refresh endpoint), in ms.
#[derive(Clone, Debug, Default)]
pub struct RefreshRtt {
    pub normal: Vec<f64>,
    pub slow: Vec<f64>,
}

pub struct Storms {
    pub runs: Vec<Result<LabRun, (Spec, String)>>,
    pub rtt: Option<RefreshRtt>,
}

pub fn specs(quick: bool) -> Vec<Spec> {
    let big = if quick { 200 } else { 1000 };
    let spec = |key, label: String, n, mode, token, slow_refresh, baseline| Spec {
        key,
        label,
        n,
        mode,
        gap_ms: 10,
        token,
        slow_refresh,
        baseline,
    };
    vec![
        spec(
            "baseline-50",
            "baseline storm, fresh token, N=50".into(),
            50,
            "storm",
            Token::Fresh,
            false,
            None,
        ),
        spec(
            "baseline-big",
            format!("baseline storm, fresh token, N={big}"),
            big,
            "storm",
            Token::Fresh,
            false,
            None,
        ),
        spec(
            "baseline-stagger",
            "baseline burst, fresh token, N=50 every 10 ms".into(),
            50,
            "stagger",
            Token::Fresh,
            true,
            None,
        ),
        spec(
            "storm-50",
            "expired-token storm, N=50".into(),
            50,
            "storm",
            Token::Expired,
            false,
            Some("baseline-50"),
        ),
        spec(
            "storm-big",
            format!("expired-token storm, N={big}"),
            big,
            "storm",
            Token::Expired,
            false,
            Some("baseline-big"),
        ),
        spec(
            "stagger-slow",
            "burst across a slow refresh (expired)".into(),
            50,
            "stagger",
            Token::Expired,
            true,
            Some("baseline-stagger"),
        ),
        spec(
            "stagger-proactive",
            "same burst, proactive refresh".into(),
            50,
            "stagger",
            Token::Proactive,
            true,
            Some("baseline-stagger"),
        ),
    ]
}

/// Runs every storm scenario, each in its own session; failures are collected, not fatal.
pub async fn run_all(env: &Env, errors: &mut Vec<String>) -> Storms {
    let mut runs = Vec::new();
    let mut rtt = None;
    for spec in specs(env.quick) {
        let measure_rtt = spec.key == "baseline-50";
        let limit = Duration::from_secs(60 + u64::from(spec.n) / 10);
        let result = guarded(&spec.label, limit, {
            let (env, spec) = (env.clone(), spec.clone());
            async move { run_one(&env, spec, measure_rtt).await }
        })
        .await;
        match result {
            Ok((run, measured)) => {
                if measured.is_some() {
                    rtt = measured;
                }
                eprintln!("bench:   {} | server: {}", run.lab, run.counts.json());
                runs.push(Ok(run));
            }
            Err(e) => {
                eprintln!("bench:   failed: {e}");
                errors.push(format!("{}: {e}", spec.label));
                runs.push(Err((spec, e)));
            }
        }
    }
    Storms { runs, rtt }
}

async fn run_one(
    env: &Env,
    spec: Spec,
    measure_rtt: bool,
) -> Result<(LabRun, Option<RefreshRtt>), String> {
    let proactive = spec.token == Token::Proactive;
    let options = BackendOptions {
        access_ttl_secs: if proactive { PROACTIVE_TTL_SECS } else { 3600 },
        latency_ms: LATENCY_MS,
        ..BackendOptions::default()
    };
    let dist = if proactive {
        &env.proactive_dist
    } else {
        &env.dist
    };
    let session = Session::start(env, spec.key, &options, dist).await?;
    session.open_lab(&spec.query()).await;
    let limit = Duration::from_secs(30 + u64::from(spec.n) / 20);
    let lab = if proactive {
        let delay = schedule_in_proactive_window(&session).await?;
        wait_result(
            &session.browser,
            Duration::from_millis(delay as u64) + limit,
        )
        .await?
    } else {
        let backend = &session.backend;
        backend.reset().await;
        if spec.slow_refresh {
            backend.latency(LATENCY_MS, SLOW_REFRESH_MS).await;
        }
        if spec.token == Token::Expired {
            backend.expire_access().await;
        }
        run_lab(&session.browser, limit).await?
    };
    let counts = Counts::of(&session.backend.stats().await);
    let errors = if figure(&lab, "failed")? > 0.0 {
        lab_errors(&session.browser).await?
    } else {
        Vec::new()
    };
    let rtt = if measure_rtt {
        let normal = refresh_rtt(&session).await?;
        session.backend.latency(LATENCY_MS, SLOW_REFRESH_MS).await;
        let slow = refresh_rtt(&session).await?;
        Some(RefreshRtt { normal, slow })
    } else {
        None
    };
    session.close().await;
    Ok((
        LabRun {
            spec,
            lab,
            counts,
            errors,
        },
        rtt,
    ))
}

/// Times five refresh calls made by the page itself (`fetch`, credentials, the CSRF header), one
/// after another. Each rotates the session's refresh token, which the page's cookies follow.
async fn refresh_rtt(session: &Session) -> Result<Vec<f64>, String> {
    let script = r#"return (async () => {
        const times = [];
        for (let i = 0; i < 5; i++) {
            const csrf = (document.cookie.split('; ').find(c => c.startsWith('lanyard_csrf=')) || '=').split('=')[1];
            const t0 = performance.now();
            const r = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'include',
                                                         headers: { 'X-CSRF-Token': csrf } });
            await r.arrayBuffer();
            if (!r.ok) return { error: 'the refresh answered ' + r.status };
            times.push(performance.now() - t0);
        }
        return { times };
    })();"#;
    let value = js(&session.browser, script).await?;
    if let Some(error) = value["error"].as_str() {
        return Err(format!("timing the refresh: {error}"));
    }
    value["times"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_f64).collect())
        .ok_or_else(|| format!("timing the refresh: unexpected answer {value}"))
}

/// Arranges for the Lab's run to start [`PROACTIVE_LEAD_MS`] before the client's proactive window
/// opens (the access token is valid server-side all along). Resets the counters and sets the slow
/// refresh first. Returns in how many ms the run starts.
///
/// The client's own timer refreshes when the window opens; if it is about to, this waits for that
/// refresh and aims at the next window instead.
async fn schedule_in_proactive_window(session: &Session) -> Result<f64, String> {
    let browser = &session.browser;
    let expiry = r#"return (async () => {
        const r = await fetch('/api/me', { credentials: 'include' });
        const body = await r.json();
        return { expires: body.access_expires_at, now: Date.now(), status: r.status };
    })();"#;
    for _ in 0..4 {
        let value = js(browser, expiry).await?;
        let (Some(expires), Some(now)) = (value["expires"].as_i64(), value["now"].as_f64()) else {
            return Err(format!("GET /api/me gave no expiry: {value}"));
        };
        let opens = expires - PROACTIVE_SKEW_MS as i64;
        let wait = opens as f64 - now;
        if wait > 1500.0 {
            session.backend.reset().await;
            session.backend.latency(LATENCY_MS, SLOW_REFRESH_MS).await;
            let start_at = opens - PROACTIVE_LEAD_MS;
            let schedule = format!(
                "document.querySelectorAll('[data-testid=\"lab-result\"]').forEach(e => e.dataset.stale = '1'); \
                 const delay = {start_at} - Date.now(); \
                 if (delay < 100) return null; \
                 setTimeout(() => document.querySelector('[data-testid=\"lab-run\"]').click(), delay); \
                 return delay;"
            );
            if let Some(delay) = js(browser, &schedule).await?.as_f64() {
                return Ok(delay);
            }
        }
        // The window opens too soon to aim at: let the client's timer refresh, then look again.
        tokio::time::sleep(Duration::from_millis((wait.max(0.0) + 1500.0) as u64)).await;
    }
    Err("could not aim the run at the proactive window (the client kept refreshing first)".into())
}

/// The client's cost per request: serial GETs through the client and as plain fetches of the same
/// URL, alternated in one page (no latency), each run's median per request.
pub struct Overhead {
    pub n: u32,
    pub client: Vec<f64>,
    pub raw: Vec<f64>,
}

impl Overhead {
    pub fn client_ms(&self) -> f64 {
        median(&self.client)
    }
    pub fn raw_ms(&self) -> f64 {
        median(&self.raw)
    }
    /// The median over rounds of each round's own client/raw ratio: the same comparison, with the
    /// machine's drift between rounds taken out.
    pub fn paired_overhead_pct(&self) -> f64 {
        let ratios: Vec<f64> = self
            .client
            .iter()
            .zip(&self.raw)
            .filter(|(_, raw)| **raw > 0.0)
            .map(|(client, raw)| (client / raw - 1.0) * 100.0)
            .collect();
        median(&ratios)
    }
    pub fn overhead_pct(&self) -> f64 {
        let raw = self.raw_ms();
        if raw > 0.0 {
            (self.client_ms() - raw) / raw * 100.0
        } else {
            0.0
        }
    }
    pub fn json(&self) -> Value {
        let r = |v: &[f64]| v.iter().map(|x| round(*x, 3)).collect::<Vec<_>>();
        json!({
            "n": self.n,
            "runs": self.client.len(),
            "client_median_ms": round(self.client_ms(), 3),
            "raw_median_ms": round(self.raw_ms(), 3),
            "overhead_pct": round(self.overhead_pct(), 1),
            "paired_overhead_pct": round(self.paired_overhead_pct(), 1),
            "client_runs_ms": r(&self.client),
            "raw_runs_ms": r(&self.raw),
        })
    }
}

pub async fn overhead(env: &Env) -> Result<Overhead, String> {
    let (n, rounds) = if env.quick { (50, 2) } else { (200, 8) };
    let options = BackendOptions::default();
    let session = Session::start(env, "overhead", &options, &env.dist).await?;
    session
        .open_lab(&format!("n={n}&path=/api/notes&mode=serial&via=client"))
        .await;
    let browser = &session.browser;
    let limit = Duration::from_secs(60);
    let mut result = Overhead {
        n,
        client: Vec::new(),
        raw: Vec::new(),
    };
    // Round 0 warms both paths up (JIT, connections) and is not counted; then they alternate, each
    // going first every other round.
    for round in 0..=rounds {
        let order = if round % 2 == 0 {
            ["client", "raw"]
        } else {
            ["raw", "client"]
        };
        for via in order {
            let select = format!(
                "const r = document.querySelector('input[name=\"lab-via\"][value=\"{via}\"]'); \
                 if (!r) return false; r.click(); return r.checked;"
            );
            if js(browser, &select).await? != Value::Bool(true) {
                return Err(format!("the Lab has no `{via}` choice to send through"));
            }
            // Let the form's state follow the click before Run reads it.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let lab = run_lab(browser, limit).await?;
            let ok = figure(&lab, "ok")?;
            if ok < f64::from(n) {
                return Err(format!(
                    "only {ok} of {n} requests succeeded via {via}: {lab}"
                ));
            }
            let per_request = figure(&lab, "median_ms")?;
            if round > 0 {
                match via {
                    "client" => result.client.push(per_request),
                    _ => result.raw.push(per_request),
                }
            }
        }
    }
    session.close().await;
    Ok(result)
}
