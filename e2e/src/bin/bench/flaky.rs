//! The "flaky auth server" scenario: a storm after expiry meets a refresh endpoint that answers 503 with
//! `Retry-After: 2` for its first calls. Figures, printed and not asserted: the refresh calls the storm made
//! (one, not one per request), how many requests failed at once instead of waiting or hammering, and the wall
//! time; then the same storm once the window has passed: how many recovered, with how many refresh calls.

use std::time::Duration;

use lanyard_e2e::BackendOptions;
use serde_json::{json, Value};

use crate::session::{figure, run_lab, Counts, Session};
use crate::Env;

/// Seconds the auth server asks the client to wait.
const RETRY_AFTER_SECS: u64 = 2;
const N: u32 = 50;

/// One storm's figures.
#[derive(Debug, Clone)]
pub struct Storm {
    pub ok: f64,
    pub failed: f64,
    pub ms: f64,
    pub refresh_calls: u64,
}

#[derive(Debug, Clone)]
pub struct Flaky {
    /// During the struggle: the refresh answered 503 + Retry-After.
    pub struggling: Storm,
    /// After the window: the same storm again.
    pub recovered: Storm,
}

pub async fn run(env: &Env) -> Result<Flaky, String> {
    let options = BackendOptions {
        latency_ms: 50,
        ..BackendOptions::default()
    };
    let session = Session::start(env, "flaky", &options, &env.dist).await?;
    session
        .open_lab(&format!("n={N}&path=/api/notes&mode=storm&via=client"))
        .await;
    let (b, server) = (&session.browser, &session.backend);
    let limit = Duration::from_secs(60);

    server.reset().await;
    server.expire_access().await;
    // Every refresh during the window is refused with the same wait (a server that stays down a while).
    server.throttle_refresh(N, RETRY_AFTER_SECS).await;
    let during = run_lab(b, limit).await?;
    let struggling = storm(&during, &Counts::of(&server.stats().await))?;

    tokio::time::sleep(Duration::from_millis(RETRY_AFTER_SECS * 1_000 + 200)).await;
    server.reset().await; // clears the fault too: the auth server is back
    let after = run_lab(b, limit).await?;
    let recovered = storm(&after, &Counts::of(&server.stats().await))?;
    session.close().await;
    Ok(Flaky {
        struggling,
        recovered,
    })
}

fn storm(result: &Value, counts: &Counts) -> Result<Storm, String> {
    Ok(Storm {
        ok: figure(result, "ok")?,
        failed: figure(result, "failed")?,
        ms: figure(result, "ms")?,
        refresh_calls: counts.refresh_calls,
    })
}

pub fn table(flaky: &Flaky) -> String {
    let row = |label: &str, s: &Storm| {
        format!(
            "  {label:<44} {:>4.0} ok {:>4.0} failed {:>7.0} ms   refresh calls {}\n",
            s.ok, s.failed, s.ms, s.refresh_calls
        )
    };
    format!(
        "\nflaky auth server: {N} requests after expiry, refresh 503 + Retry-After: {RETRY_AFTER_SECS}\n{}{}",
        row("while the auth server struggles", &flaky.struggling),
        row("the same storm after the wait", &flaky.recovered)
    )
}

pub fn json(flaky: &Flaky) -> Value {
    let storm = |s: &Storm| json!({"ok": s.ok, "failed": s.failed, "ms": s.ms, "refresh_calls": s.refresh_calls});
    json!({
        "n": N,
        "retry_after_secs": RETRY_AFTER_SECS,
        "struggling": storm(&flaky.struggling),
        "recovered": storm(&flaky.recovered),
    })
}
