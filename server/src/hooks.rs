//! Test hooks (`/api/_test/*`, only with `--test-hooks`): request statistics, fault and latency
//! injection, and forced expiry. Plus the latency and counting middleware they drive.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::serve::{DropConnection, ResendDropped};
use crate::AppState;

const HOOK_PREFIX: &str = "/api/_test/";
const REFRESH_ROUTE: &str = "/api/auth/refresh";
/// How long after a drop a refresh can still be the browser's automatic resend of it.
const RESEND_WINDOW: Duration = Duration::from_secs(2);

/// An injected refresh failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer 503.
    Unavailable,
    /// Answer 503 with `Retry-After: <secs>`.
    Throttled(u64),
    /// Close the connection without any response.
    Drop,
}

#[derive(Debug, Default, Clone, Copy)]
struct Latency {
    ms: u64,
    refresh_ms: u64,
}

#[derive(Debug, Default, Serialize)]
struct Stats {
    total: u64,
    by_endpoint: BTreeMap<String, BTreeMap<String, u64>>,
}

pub struct Hooks {
    enabled: bool,
    base_latency_ms: u64,
    injected_latency: Mutex<Option<Latency>>,
    faults: Mutex<Option<(u32, Fault)>>,
    /// Mirrors "a drop fault is pending", read on every response by the connection loop.
    drop_armed: AtomicBool,
    stats: Mutex<Stats>,
    /// Bumped to make every connection close once idle (see [`Hooks::drop_armed`]).
    close_idle: watch::Sender<u64>,
    /// When the last injected drop happened, until another API call shows the page has moved on.
    last_drop: Mutex<Option<Instant>>,
    /// Access-token lifetime for new tokens set by `/api/_test/access-ttl` (0 = the configured one).
    access_ttl_ms: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Counters and settings stay usable even if a holder panicked.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hooks {
    pub fn new(enabled: bool, base_latency_ms: u64) -> Self {
        Self {
            enabled,
            base_latency_ms,
            injected_latency: Mutex::new(None),
            faults: Mutex::new(None),
            drop_armed: AtomicBool::new(false),
            stats: Mutex::new(Stats::default()),
            close_idle: watch::Sender::new(0),
            last_drop: Mutex::new(None),
            access_ttl_ms: AtomicU64::new(0),
        }
    }

    /// The token lifetimes to use now: the configured ones, with a test's access-token override.
    pub fn ttls(&self, configured: db::Ttls) -> db::Ttls {
        match self.access_ttl_ms.load(Ordering::Relaxed) {
            0 => configured,
            ms => db::Ttls {
                access_ms: i64::try_from(ms).unwrap_or(i64::MAX),
                ..configured
            },
        }
    }

    /// Consumes one injected refresh fault, if any is pending.
    pub fn take_refresh_fault(&self) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let (count, fault) = faults.as_mut()?;
        let fault = *fault;
        *count = count.saturating_sub(1);
        if *count == 0 {
            *faults = None;
            self.drop_armed.store(false, Ordering::SeqCst);
        }
        if fault == Fault::Drop {
            *lock(&self.last_drop) = Some(Instant::now());
        }
        Some(fault)
    }

    /// Whether this refresh is the browser's resend of the one just dropped. Chromium resends a request,
    /// at once and once, when its connection closes without an answer and it considers the connection
    /// proven — including a socket it opened earlier and left idle, which `Connection: close` cannot
    /// rule out. The resend would succeed and hide the drop from the page, so a refresh that comes soon
    /// after a drop, before any other API call, is dropped too (and not counted).
    pub fn is_resend_of_drop(&self) -> bool {
        lock(&self.last_drop).is_some_and(|at| at.elapsed() < RESEND_WINDOW)
    }

    /// Another API call: the page has moved on from the last drop.
    fn page_moved_on(&self) {
        *lock(&self.last_drop) = None;
    }

    /// While a drop is pending, responses carry `Connection: close` so that the dropped request
    /// always arrives on a fresh connection: browsers silently resend a request that failed on a
    /// reused keep-alive connection, which would hide the failure from the page.
    pub fn drop_armed(&self) -> bool {
        self.drop_armed.load(Ordering::SeqCst)
    }

    pub fn subscribe_close_idle(&self) -> watch::Receiver<u64> {
        self.close_idle.subscribe()
    }

    fn set_faults(&self, faults: Option<(u32, Fault)>) {
        let armed = matches!(faults, Some((n, Fault::Drop)) if n > 0);
        *lock(&self.faults) = faults.filter(|(n, _)| *n > 0);
        *lock(&self.last_drop) = None;
        self.drop_armed.store(armed, Ordering::SeqCst);
        if armed {
            self.close_idle
                .send_modify(|generation| *generation = generation.wrapping_add(1));
        }
    }

    fn latency_for(&self, route: &str) -> Duration {
        let injected = *lock(&self.injected_latency);
        let ms = match injected {
            Some(l) if route == REFRESH_ROUTE => l.ms.saturating_add(l.refresh_ms),
            Some(l) => l.ms,
            None => self.base_latency_ms,
        };
        Duration::from_millis(ms)
    }

    fn record(&self, key: String, status: String) {
        let mut stats = lock(&self.stats);
        stats.total += 1;
        *stats
            .by_endpoint
            .entry(key)
            .or_default()
            .entry(status)
            .or_default() += 1;
    }
}

/// Counts every routed API call as "METHOD /route/{template}" → status.
pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.hooks.enabled {
        return next.run(req).await;
    }
    let key = req
        .extensions()
        .get::<MatchedPath>()
        .filter(|p| !p.as_str().starts_with(HOOK_PREFIX))
        .map(|p| format!("{} {}", req.method(), p.as_str()));
    if key.as_ref().is_some_and(|k| !k.ends_with(REFRESH_ROUTE)) {
        state.hooks.page_moved_on();
    }
    let response = next.run(req).await;
    if response.extensions().get::<ResendDropped>().is_some() {
        return response;
    }
    if let Some(key) = key {
        let status = if response.extensions().get::<DropConnection>().is_some() {
            "dropped".to_owned()
        } else {
            response.status().as_u16().to_string()
        };
        state.hooks.record(key, status);
    }
    response
}

/// Sleeps before handling each API call (`--latency-ms`, or what `/api/_test/latency` set).
pub async fn latency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    if let Some(route) = route.filter(|r| !r.starts_with(HOOK_PREFIX)) {
        let delay = state.hooks.latency_for(&route);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
    next.run(req).await
}

async fn stats(State(state): State<AppState>) -> Json<serde_json::Value> {
    let stats = lock(&state.hooks.stats);
    Json(serde_json::json!(*stats))
}

async fn reset(State(state): State<AppState>) -> StatusCode {
    *lock(&state.hooks.stats) = Stats::default();
    *lock(&state.hooks.injected_latency) = None;
    state.hooks.set_faults(None);
    state.login_throttle.reset();
    state.hooks.access_ttl_ms.store(0, Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct AccessTtlBody {
    ms: u64,
}

/// Short-lived tokens on demand (e.g. 1 s), so a test can make a token expire while a queue drains.
async fn set_access_ttl(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AccessTtlBody>,
) -> Result<StatusCode, ApiError> {
    if !(100..=MAX_INJECTED_MS).contains(&body.ms) {
        return Err(ApiError::field(
            "ms",
            format!("Between 100 and {MAX_INJECTED_MS} milliseconds."),
        ));
    }
    state.hooks.access_ttl_ms.store(body.ms, Ordering::Relaxed);
    Ok(StatusCode::NO_CONTENT)
}

async fn expire_access(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    state.db.with(|c| Ok(db::expire_all_access(c)?))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_refresh(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    state.db.with(|c| Ok(db::revoke_all_families(c)?))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct FailRefresh {
    #[serde(default = "one")]
    count: u32,
    #[serde(default = "mode_503")]
    mode: String,
    /// With mode "503": also send `Retry-After` with this many seconds.
    #[serde(default)]
    retry_after: Option<u64>,
}

fn one() -> u32 {
    1
}

fn mode_503() -> String {
    "503".into()
}

async fn fail_refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<FailRefresh>,
) -> Result<StatusCode, ApiError> {
    let fault = match (body.mode.as_str(), body.retry_after) {
        ("503", Some(secs @ 0..=3600)) => Fault::Throttled(secs),
        ("503", Some(_)) => return Err(ApiError::field("retry_after", "At most 3600 seconds.")),
        ("503", None) => Fault::Unavailable,
        ("drop", None) => Fault::Drop,
        ("drop", Some(_)) => {
            return Err(ApiError::field(
                "retry_after",
                "Only a 503 carries Retry-After.",
            ))
        }
        _ => return Err(ApiError::field("mode", "Mode must be \"503\" or \"drop\".")),
    };
    state.hooks.set_faults(Some((body.count, fault)));
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LatencyBody {
    ms: u64,
    refresh_ms: u64,
}

/// The longest latency a test may inject: anything longer is a mistake (and would overflow when added up).
const MAX_INJECTED_MS: u64 = 600_000;

async fn set_latency(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LatencyBody>,
) -> Result<StatusCode, ApiError> {
    for (field, ms) in [("ms", body.ms), ("refresh_ms", body.refresh_ms)] {
        if ms > MAX_INJECTED_MS {
            return Err(ApiError::field(
                field,
                format!("At most {MAX_INJECTED_MS} milliseconds."),
            ));
        }
    }
    *lock(&state.hooks.injected_latency) = Some(Latency {
        ms: body.ms,
        refresh_ms: body.refresh_ms,
    });
    Ok(StatusCode::NO_CONTENT)
}

/// The hook routes, relative to `/api`. No CSRF: they are merged after the CSRF route layer.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_test/stats", get(stats))
        .route("/_test/reset", post(reset))
        .route("/_test/expire-access", post(expire_access))
        .route("/_test/revoke-refresh", post(revoke_refresh))
        .route("/_test/fail-refresh", post(fail_refresh))
        .route("/_test/latency", post(set_latency))
        .route("/_test/access-ttl", post(set_access_ttl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_and_disarm() {
        let hooks = Hooks::new(true, 0);
        let idle = hooks.subscribe_close_idle();
        hooks.set_faults(Some((2, Fault::Drop)));
        assert!(hooks.drop_armed());
        assert!(idle.has_changed().unwrap_or(false));
        assert_eq!(hooks.take_refresh_fault(), Some(Fault::Drop));
        assert!(hooks.drop_armed());
        assert_eq!(hooks.take_refresh_fault(), Some(Fault::Drop));
        assert!(!hooks.drop_armed());
        assert_eq!(hooks.take_refresh_fault(), None);
        hooks.set_faults(Some((1, Fault::Unavailable)));
        assert!(!hooks.drop_armed());
        hooks.set_faults(Some((0, Fault::Drop)));
        assert_eq!(hooks.take_refresh_fault(), None);
    }

    #[test]
    fn latency_uses_base_until_injected() {
        let hooks = Hooks::new(true, 7);
        assert_eq!(hooks.latency_for("/api/me"), Duration::from_millis(7));
        *lock(&hooks.injected_latency) = Some(Latency {
            ms: 50,
            refresh_ms: 300,
        });
        assert_eq!(hooks.latency_for("/api/me"), Duration::from_millis(50));
        assert_eq!(hooks.latency_for(REFRESH_ROUTE), Duration::from_millis(350));
    }
}
