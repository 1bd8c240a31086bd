//! Load benchmark for the dev backend: `GET /api/me` and `POST /api/auth/refresh`.
//!
//! `cargo run -p lanyard-server --release --example load` starts a server in-process (in memory,
//! port 0); `--url http://127.0.0.1:8081` measures a running one instead. Every worker signs in
//! with its own session; refresh workers follow rotation (each token is used exactly once).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Parser)]
#[command(about = "Load benchmark for lanyard-server (GET /api/me, POST /api/auth/refresh)")]
struct Args {
    /// Benchmark this running server instead of starting one in-process.
    #[arg(long)]
    url: Option<String>,
    /// Concurrent workers; a comma-separated list runs each level in turn.
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    concurrency: Vec<usize>,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 5)]
    duration_secs: u64,
    /// Where to write the results as JSON.
    #[arg(long, default_value = "target/bench/server-load.json")]
    json: PathBuf,
    /// Demo account the workers sign in as.
    #[arg(long, default_value = "user")]
    username: String,
    #[arg(long, default_value = "user-pass")]
    password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Me,
    Refresh,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::Me => "GET /api/me",
            Self::Refresh => "POST /api/auth/refresh",
        }
    }
}

#[derive(Debug, Serialize)]
struct Row {
    endpoint: &'static str,
    concurrency: usize,
    requests: usize,
    requests_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    duration_secs: f64,
}

/// One worker's signed-in session: the cookies the SPA would hold.
struct Session {
    access: String,
    refresh: String,
    csrf: String,
}

impl Session {
    fn absorb(&mut self, headers: &reqwest::header::HeaderMap) {
        for value in headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((name, rest)) = value.split_once('=') else {
                continue;
            };
            let token = rest.split(';').next().unwrap_or_default().to_owned();
            match name {
                "lanyard_access" => self.access = token,
                "lanyard_refresh" => self.refresh = token,
                "lanyard_csrf" => self.csrf = token,
                _ => {}
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Creds {
    username: String,
    password: String,
}

async fn login(client: &Client, base: &str, creds: &Creds) -> Result<Session, String> {
    let resp = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "username": creds.username, "password": creds.password }))
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    if resp.status() != StatusCode::OK {
        return Err(format!("login: HTTP {}", resp.status()));
    }
    let mut session = Session {
        access: String::new(),
        refresh: String::new(),
        csrf: String::new(),
    };
    session.absorb(resp.headers());
    Ok(session)
}

/// Runs requests until `deadline`; returns (latencies in µs, errors).
async fn worker(
    client: Client,
    base: String,
    scenario: Scenario,
    mut session: Session,
    deadline: Instant,
    creds: &Creds,
) -> (Vec<u32>, usize) {
    let mut latencies = Vec::with_capacity(16 * 1024);
    let mut errors = 0;
    while Instant::now() < deadline {
        let start = Instant::now();
        let request = match scenario {
            Scenario::Me => client
                .get(format!("{base}/api/me"))
                .header(COOKIE, format!("lanyard_access={}", session.access)),
            Scenario::Refresh => client
                .post(format!("{base}/api/auth/refresh"))
                .header(
                    COOKIE,
                    format!(
                        "lanyard_refresh={}; lanyard_csrf={}",
                        session.refresh, session.csrf
                    ),
                )
                .header("x-csrf-token", &session.csrf),
        };
        let ok = match request.send().await {
            Ok(resp) if resp.status() == StatusCode::OK => {
                session.absorb(resp.headers());
                resp.bytes().await.is_ok()
            }
            Ok(_) | Err(_) => false,
        };
        latencies.push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
        if !ok {
            errors += 1;
            // Start a fresh family rather than fail every following request.
            match login(&client, &base, creds).await {
                Ok(fresh) => session = fresh,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
    (latencies, errors)
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

async fn run(
    client: &Client,
    base: &str,
    scenario: Scenario,
    concurrency: usize,
    args: &Args,
) -> Result<Row, String> {
    let creds = Creds {
        username: args.username.clone(),
        password: args.password.clone(),
    };
    // Sign everyone in first: argon2 is deliberately slow and is not what is measured here.
    let mut sessions = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        sessions.push(login(client, base, &creds).await?);
    }
    let duration = Duration::from_secs(args.duration_secs);
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for session in sessions {
        let (client, base) = (client.clone(), base.to_owned());
        let creds = creds.clone();
        tasks.spawn(async move { worker(client, base, scenario, session, deadline, &creds).await });
    }
    let mut all = Vec::new();
    let mut errors = 0;
    while let Some(joined) = tasks.join_next().await {
        let (latencies, errs) = joined.map_err(|e| format!("worker: {e}"))?;
        all.extend(latencies);
        errors += errs;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    Ok(Row {
        endpoint: scenario.name(),
        concurrency,
        requests: all.len(),
        requests_per_sec: all.len() as f64 / elapsed,
        p50_ms: percentile_ms(&all, 50.0),
        p99_ms: percentile_ms(&all, 99.0),
        errors,
        duration_secs: elapsed,
    })
}

/// What 128 simultaneous wrong-password logins did, and the process's resident memory around them (the server
/// runs in this process unless `--url` is given). Password checks are bounded to one per core, so memory stays
/// flat instead of growing by ~19 MiB per concurrent check.
#[derive(Serialize)]
struct Flood {
    logins: usize,
    unauthorized: usize,
    throttled: usize,
    busy: usize,
    other: usize,
    ms: u128,
    rss_before: Option<u64>,
    rss_after: Option<u64>,
}

const FLOOD: usize = 128;

async fn login_flood(client: &Client, base: &str) -> Flood {
    let rss_before = resident_bytes();
    let started = Instant::now();
    let tasks: Vec<_> = (0..FLOOD)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{base}/api/auth/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({ "username": "admin", "password": "wrong" }))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut flood = Flood {
        logins: FLOOD,
        unauthorized: 0,
        throttled: 0,
        busy: 0,
        other: 0,
        ms: 0,
        rss_before,
        rss_after: None,
    };
    for task in tasks {
        match task.await.unwrap_or(0) {
            401 => flood.unauthorized += 1,
            429 => flood.throttled += 1,
            503 => flood.busy += 1,
            _ => flood.other += 1,
        }
    }
    flood.ms = started.elapsed().as_millis();
    flood.rss_after = resident_bytes();
    flood
}

/// This process's resident set size, from `/proc/self/statm` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "?".to_owned(),
        |b| format!("{:.0}", b as f64 / 1_048_576.0),
    )
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let (base, server) = match &args.url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None),
        None => {
            let config = lanyard_server::Config::for_tests(std::iter::empty::<String>())
                .map_err(|e| e.to_string())?;
            let server = lanyard_server::start(&config)
                .await
                .map_err(|e| e.to_string())?;
            (server.url(), Some(server))
        }
    };
    let client = Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    println!(
        "lanyard-server load benchmark against {base} ({}s per scenario)",
        args.duration_secs
    );
    println!();
    println!(
        "{:<24} {:>6} {:>10} {:>10} {:>9} {:>9} {:>7}",
        "endpoint", "conc", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );
    let mut rows = Vec::new();
    for scenario in [Scenario::Me, Scenario::Refresh] {
        for &concurrency in &args.concurrency {
            let row = run(&client, &base, scenario, concurrency.max(1), &args).await?;
            println!(
                "{:<24} {:>6} {:>10} {:>10.0} {:>9.2} {:>9.2} {:>7}",
                row.endpoint,
                row.concurrency,
                row.requests,
                row.requests_per_sec,
                row.p50_ms,
                row.p99_ms,
                row.errors
            );
            rows.push(row);
        }
    }
    let flood = login_flood(&client, &base).await;
    println!();
    println!(
        "login flood: {} wrong-password logins at once → {} × 401, {} × 429 throttled, {} × 503 busy, \
         {} other, in {} ms; resident memory {} → {} MiB{}",
        flood.logins,
        flood.unauthorized,
        flood.throttled,
        flood.busy,
        flood.other,
        flood.ms,
        mib(flood.rss_before),
        mib(flood.rss_after),
        if server.is_some() { "" } else { " (this process, not the remote server)" }
    );
    let report = json!({
        "target": base,
        "in_process": server.is_some(),
        "login_flood": flood,
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "duration_secs_per_scenario": args.duration_secs,
        "results": rows,
    });
    if let Some(dir) = args.json.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&args.json, text + "\n").map_err(|e| format!("{}: {e}", args.json.display()))?;
    println!();
    println!("wrote {}", args.json.display());
    if let Some(server) = server {
        server.shutdown().await;
    }
    Ok(())
}
