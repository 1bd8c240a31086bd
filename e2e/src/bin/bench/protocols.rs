//! The same bursts and storms over HTTP/1.1 (plain http, as the rest of the bench) and over HTTP/2 (the
//! backend with `--tls`, Chromium accepting its self-signed certificate): each through the client and
//! as plain fetches, alternated in one page, the median of a few runs each. The protocol is read in the
//! page (Resource Timing's `nextHopProtocol` of the API calls), not assumed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use lanyard_e2e::BackendOptions;
use serde_json::{json, Value};

use crate::lab::LATENCY_MS;
use crate::session::{figure, js, median, round, run_lab, Counts, Session};
use crate::{guarded, Env};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
}

impl Protocol {
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Http1 => "HTTP/1.1",
            Protocol::Http2 => "HTTP/2",
        }
    }
}

/// One shape: `n` GETs of `/api/notes` at once, with a fresh or an expired access token.
#[derive(Clone, Copy, Debug)]
struct Shape {
    n: u32,
    expired: bool,
    runs: usize,
}

fn shapes(quick: bool) -> Vec<Shape> {
    let (runs, big) = if quick { (1, 200) } else { (3, 1000) };
    // The fresh-token bursts take 0.2–0.6 s on HTTP/2, where run-to-run noise (±20 ms) is the size of the
    // difference being judged (the ≤ 1.05× target): more runs for their medians.
    let fresh_runs = if quick { 1 } else { 9 };
    vec![
        Shape {
            n: 50,
            expired: false,
            runs: fresh_runs,
        },
        Shape {
            n: 200,
            expired: false,
            runs: fresh_runs,
        },
        Shape {
            n: 50,
            expired: true,
            runs,
        },
        Shape {
            n: big,
            expired: true,
            runs: 1,
        },
    ]
}

/// What one shape measured on one protocol.
#[derive(Clone, Debug)]
pub struct Row {
    pub protocol: Protocol,
    pub label: String,
    pub n: u32,
    pub expired: bool,
    pub client_ms: Vec<f64>,
    pub raw_ms: Vec<f64>,
    /// Runs through the client that did not get N/N (`ok/n`), and refresh calls counted by the server.
    pub client_ok: Vec<String>,
    pub refreshes: Vec<u64>,
    /// API calls of the page by `nextHopProtocol`.
    pub next_hop: BTreeMap<String, u64>,
    /// The Lab's JSON of the last run through the client (the client's own figures).
    pub last_lab: Value,
}

impl Row {
    fn ratio(&self) -> f64 {
        median(&self.client_ms) / median(&self.raw_ms)
    }
    /// The protocol the page's API calls went over (`h2`, `http/1.1`; several when mixed).
    fn seen(&self) -> String {
        let names: Vec<&str> = self.next_hop.keys().map(String::as_str).collect();
        if names.is_empty() {
            "?".into()
        } else {
            names.join("+")
        }
    }
}

/// Every shape over both protocols; a protocol that could not run is an error, not fatal.
pub async fn run_all(env: &Env, errors: &mut Vec<String>) -> Vec<Row> {
    let mut rows = Vec::new();
    for protocol in [Protocol::Http1, Protocol::Http2] {
        let name = format!("protocols, {}", protocol.label());
        let env = env.clone();
        match guarded(&name, Duration::from_secs(600), async move {
            run_protocol(&env, protocol).await
        })
        .await
        {
            Ok(mut measured) => rows.append(&mut measured),
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    rows
}

async fn run_protocol(env: &Env, protocol: Protocol) -> Result<Vec<Row>, String> {
    let options = BackendOptions {
        latency_ms: LATENCY_MS,
        tls: protocol == Protocol::Http2,
        ..BackendOptions::default()
    };
    let key = match protocol {
        Protocol::Http1 => "protocols-http1",
        Protocol::Http2 => "protocols-http2",
    };
    let session = Session::start(env, key, &options, &env.dist).await?;
    let mut rows = Vec::new();
    for (i, shape) in shapes(env.quick).into_iter().enumerate() {
        let query = format!("n={}&path=/api/notes&mode=storm&via=client", shape.n);
        if i == 0 {
            session.open_lab(&query).await;
        } else {
            session.browser.open(&format!("/lab?{query}")).await;
            session.browser.wait_testid("lab").await;
        }
        // Room for every timing entry of the runs (the default buffer holds 250).
        js(
            &session.browser,
            "performance.setResourceTimingBufferSize(100000);",
        )
        .await?;
        rows.push(measure(&session, protocol, shape).await?);
        let row = rows.last().map(|r| (r.label.clone(), r.ratio(), r.seen()));
        if let Some((label, ratio, seen)) = row {
            eprintln!(
                "bench:   {} {label}: client/raw {ratio:.2}×, over {seen}",
                protocol.label()
            );
        }
    }
    session.close().await;
    Ok(rows)
}

async fn measure(session: &Session, protocol: Protocol, shape: Shape) -> Result<Row, String> {
    let browser = &session.browser;
    let backend = &session.backend;
    let limit = Duration::from_secs(30 + u64::from(shape.n) / 20);
    let token = if shape.expired { "expired" } else { "fresh" };
    let mut row = Row {
        protocol,
        label: format!("{} at once, {token} token", shape.n),
        n: shape.n,
        expired: shape.expired,
        client_ms: Vec::new(),
        raw_ms: Vec::new(),
        client_ok: Vec::new(),
        refreshes: Vec::new(),
        next_hop: BTreeMap::new(),
        last_lab: Value::Null,
    };
    // A first round of each (not counted) warms up the connection(s) and the JIT; then they alternate,
    // each going first every other round.
    for round in 0..=shape.runs {
        let order = if round % 2 == 0 {
            ["client", "raw"]
        } else {
            ["raw", "client"]
        };
        for via in order {
            select_via(session, via).await?;
            // Plain fetches meet no refresh: they are timed with a valid token (the client's runs
            // leave one), as what the same burst costs without the client.
            let expire = via == "client" && shape.expired;
            if expire {
                backend.reset().await;
                backend.expire_access().await;
            }
            let lab = run_lab(browser, limit).await?;
            let ms = figure(&lab, "ms")?;
            let ok = figure(&lab, "ok")?;
            if via == "raw" && ok < f64::from(shape.n) {
                return Err(format!("plain fetches: only {ok} of {} ok: {lab}", shape.n));
            }
            if round == 0 {
                continue;
            }
            if via == "raw" {
                row.raw_ms.push(ms);
                continue;
            }
            row.client_ms.push(ms);
            if ok < f64::from(shape.n) {
                row.client_ok.push(format!("{ok}/{}", shape.n));
            }
            if expire {
                row.refreshes
                    .push(Counts::of(&backend.stats().await).refresh_calls);
            }
            row.last_lab = lab;
        }
    }
    let seen = js(
        browser,
        "const by = {}; \
         for (const e of performance.getEntriesByType('resource')) { \
             if (new URL(e.name).pathname.startsWith('/api/')) { \
                 by[e.nextHopProtocol || 'unknown'] = (by[e.nextHopProtocol || 'unknown'] || 0) + 1; } } \
         return by;",
    )
    .await?;
    if let Some(by) = seen.as_object() {
        row.next_hop = by
            .iter()
            .filter_map(|(k, v)| v.as_u64().map(|n| (k.clone(), n)))
            .collect();
    }
    Ok(row)
}

async fn select_via(session: &Session, via: &str) -> Result<(), String> {
    let select = format!(
        "const r = document.querySelector('input[name=\"lab-via\"][value=\"{via}\"]'); \
         if (!r) return false; r.click(); return r.checked;"
    );
    if js(&session.browser, &select).await? != Value::Bool(true) {
        return Err(format!("the Lab has no `{via}` choice to send through"));
    }
    // Let the form's state follow the click before Run reads it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}

/// The table: for each protocol and shape, client vs plain fetch (medians) and their ratio.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nHTTP/1.1 vs HTTP/2 (headless Chromium, {LATENCY_MS} ms per API call; medians; plain fetches with a \
         valid token)"
    );
    let _ = writeln!(
        out,
        "  {:<9} {:<26} {:>10} {:>10} {:>7} {:>9} {:>9}  not N/N",
        "protocol", "burst", "client ms", "fetch ms", "ratio", "refresh", "api over"
    );
    for r in rows {
        let refresh = if r.expired {
            r.refreshes
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        } else {
            "—".into()
        };
        let _ = writeln!(
            out,
            "  {:<9} {:<26} {:>10.0} {:>10.0} {:>6.2}× {:>9} {:>9}  {}",
            r.protocol.label(),
            r.label,
            median(&r.client_ms),
            median(&r.raw_ms),
            r.ratio(),
            refresh,
            r.seen(),
            if r.client_ok.is_empty() {
                "—".to_string()
            } else {
                r.client_ok.join(" ")
            }
        );
    }
    let _ = writeln!(
        out,
        "  (refresh = refresh calls counted by the server in each expired-token run; api over = the \
         API calls' nextHopProtocol in the page)"
    );
    out
}

pub fn json(rows: &[Row]) -> Value {
    let runs = |v: &[f64]| v.iter().map(|x| round(*x, 1)).collect::<Vec<_>>();
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "protocol": r.protocol.label(),
                    "scenario": r.label,
                    "n": r.n,
                    "token": if r.expired { "expired" } else { "fresh" },
                    "client_median_ms": round(median(&r.client_ms), 1),
                    "raw_median_ms": round(median(&r.raw_ms), 1),
                    "ratio": round(r.ratio(), 3),
                    "client_runs_ms": runs(&r.client_ms),
                    "raw_runs_ms": runs(&r.raw_ms),
                    "client_not_all_ok": r.client_ok,
                    "refresh_calls": r.refreshes,
                    "next_hop_protocol": r.next_hop,
                    "lab_last_client_run": r.last_lab,
                })
            })
            .collect(),
    )
}
