//! `bench`: the browser figures Lanyard is judged by — refresh storms, the client's per-request
//! overhead and the start-up time — measured in headless Chromium against the dev backend; the bursts
//! and storms also over HTTP/2 (the backend with `--tls`) next to HTTP/1.1, through the client and as
//! plain fetches.
//!
//! Prints a table and writes JSON. Figures, never assertions: a missed target is reported as such and
//! the exit code stays 0; only a scenario that could not run at all makes it non-zero.
//!
//! `cargo run -p lanyard-e2e --release --bin bench -- [--dist DIR] [--server-bin PATH] [--json FILE] [--quick]`
//! (`--floor-dist DIR` and `--example-dist DIR`: also the cold start of the bare Yew app of `bench/floor`
//! and of the minimal example on the crates, `examples/minimal`, for comparison)
//! (`cargo xtask bench` runs it with the release builds).

#[path = "bench/flaky.rs"]
mod flaky;
#[path = "bench/lab.rs"]
mod lab;
#[path = "bench/protocols.rs"]
mod protocols;
#[path = "bench/report.rs"]
mod report;
#[path = "bench/session.rs"]
mod session;
#[path = "bench/startup.rs"]
mod startup;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use lanyard_e2e::dist::{self, TempDir};
use lanyard_e2e::paths;
use serde_json::{json, Value};

const USAGE: &str =
    "usage: bench [--dist DIR] [--startup-dist DIR] [--floor-dist DIR] [--example-dist DIR] [--server-bin PATH] \
                     [--json FILE] [--quick] [--only storms|protocols|flaky|overhead|startup]";

/// What every scenario needs: the binaries, the builds, where logs go, how big to go.
#[derive(Clone, Debug)]
pub struct Env {
    pub server_bin: PathBuf,
    pub dist: PathBuf,
    /// The build whose cold start is measured (the production one, without the Lab; default: `dist`).
    pub startup_dist: PathBuf,
    /// The bare Yew app of `bench/floor`, loaded like Lanyard for reference (when given).
    pub floor_dist: Option<PathBuf>,
    /// The minimal example of `examples/minimal` (the crates on Yew, no more), loaded the same way (when given).
    pub example_dist: Option<PathBuf>,
    /// A copy of `dist` whose `config.json` refreshes long before expiry (the proactive scenario).
    pub proactive_dist: PathBuf,
    pub chromedriver: PathBuf,
    pub logs: PathBuf,
    pub quick: bool,
}

struct Args {
    dist: PathBuf,
    startup_dist: Option<PathBuf>,
    floor_dist: Option<PathBuf>,
    example_dist: Option<PathBuf>,
    server_bin: PathBuf,
    json: PathBuf,
    quick: bool,
    /// Run only this part (for working on one figure).
    only: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let root = paths::workspace_root();
    let mut dist = None;
    let mut startup_dist = None;
    let mut floor_dist = None;
    let mut example_dist = None;
    let mut server_bin = None;
    let mut json = root.join("bench-results").join("browser.json");
    let mut quick = false;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--dist" => dist = Some(value("--dist")?),
            "--startup-dist" => startup_dist = Some(value("--startup-dist")?),
            "--floor-dist" => floor_dist = Some(value("--floor-dist")?),
            "--example-dist" => example_dist = Some(value("--example-dist")?),
            "--server-bin" => server_bin = Some(value("--server-bin")?),
            "--json" => json = value("--json")?,
            "--quick" => quick = true,
            "--only" => {
                let part = args.next().unwrap_or_default();
                if !matches!(
                    part.as_str(),
                    "storms" | "protocols" | "flaky" | "overhead" | "startup"
                ) {
                    return Err(format!(
                        "--only takes storms, protocols, flaky, overhead or startup\n{USAGE}"
                    ));
                }
                only = Some(part);
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let dist = dist.unwrap_or_else(|| root.join("dist"));
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "the built app {} (index.html) does not exist: build it with `cargo xtask dist --lab`",
            dist.display()
        ));
    }
    // The release backend when there is one: a debug server would add its own slowness to every figure.
    let server_bin = server_bin.unwrap_or_else(|| {
        let release = root.join("target").join("release").join("lanyard-server");
        if release.is_file() {
            release
        } else {
            root.join("target").join("debug").join("lanyard-server")
        }
    });
    if !server_bin.is_file() {
        return Err(format!(
            "the backend binary {} does not exist: build it with `cargo build -p lanyard-server --release`",
            server_bin.display()
        ));
    }
    Ok(Args {
        dist,
        startup_dist,
        floor_dist,
        example_dist,
        server_bin,
        json,
        quick,
        only,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench: {message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("bench: some scenarios could not run (see above); their figures are missing");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("bench: {message}");
            ExitCode::from(2)
        }
    }
}

/// The start-up figures of the app, the bare Yew app and the example (the last two when built), their cold
/// loads taken in turns; a failure is recorded in `errors`.
async fn cold_loads(
    env: &Env,
    errors: &mut Vec<String>,
) -> (
    Option<startup::Startup>,
    Option<startup::Startup>,
    Option<startup::Startup>,
) {
    let mut builds = vec![(env.startup_dist.clone(), "startup".to_string())];
    if let Some(floor) = &env.floor_dist {
        builds.push((floor.clone(), "startup-floor".to_string()));
    }
    if let Some(example) = &env.example_dist {
        builds.push((example.clone(), "startup-example".to_string()));
    }
    let run = {
        let (env, builds) = (env.clone(), builds.clone());
        async move { Ok(startup::run(&env, &builds).await) }
    };
    let results = guarded("startup", Duration::from_secs(900), run)
        .await
        .unwrap_or_else(|e| builds.iter().map(|_| Err(e.clone())).collect());
    let (mut app, mut floor, mut example) = (None, None, None);
    for ((_, name), result) in builds.iter().zip(results) {
        let figures = match result {
            Ok(figures) => figures,
            Err(e) => {
                errors.push(format!("{name}: {e}"));
                continue;
            }
        };
        match name.as_str() {
            "startup-floor" => floor = Some(figures),
            "startup-example" => example = Some(figures),
            _ => app = Some(figures),
        }
    }
    (app, floor, example)
}

/// Runs everything; `Ok(false)` when some scenario could not run.
async fn run(args: Args) -> Result<bool, String> {
    let started = Instant::now();
    let chromedriver = paths::chromedriver()?;
    paths::chromium()?;
    let logs = paths::artifacts_dir().join("bench");
    std::fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    let proactive = TempDir::new("proactive-dist")?;
    copy_dist_with_skew(&args.dist, &proactive.0, lab::PROACTIVE_SKEW_MS)?;
    let env = Env {
        server_bin: args.server_bin.clone(),
        dist: args.dist.clone(),
        startup_dist: args
            .startup_dist
            .clone()
            .unwrap_or_else(|| args.dist.clone()),
        floor_dist: args.floor_dist.clone(),
        example_dist: args.example_dist.clone(),
        proactive_dist: proactive.0.clone(),
        chromedriver,
        logs,
        quick: args.quick,
    };
    eprintln!(
        "bench: backend {}, app {} (start-up: {}){}",
        env.server_bin.display(),
        env.dist.display(),
        env.startup_dist.display(),
        if env.quick { " (quick run)" } else { "" }
    );

    let wanted = |part: &str| args.only.as_deref().is_none_or(|only| only == part);
    let mut errors = Vec::new();
    let storms = if wanted("storms") {
        lab::run_all(&env, &mut errors).await
    } else {
        lab::Storms {
            runs: Vec::new(),
            rtt: None,
        }
    };
    let protocols = if wanted("protocols") {
        protocols::run_all(&env, &mut errors).await
    } else {
        Vec::new()
    };
    let flaky = if wanted("flaky") {
        match guarded("flaky", Duration::from_secs(120), {
            let env = env.clone();
            async move { flaky::run(&env).await }
        })
        .await
        {
            Ok(f) => Some(f),
            Err(e) => {
                errors.push(format!("flaky auth server: {e}"));
                None
            }
        }
    } else {
        None
    };
    let overhead = if !wanted("overhead") {
        None
    } else {
        match guarded("overhead", Duration::from_secs(180), {
            let env = env.clone();
            async move { lab::overhead(&env).await }
        })
        .await
        {
            Ok(o) => Some(o),
            Err(e) => {
                errors.push(format!("overhead: {e}"));
                None
            }
        }
    };
    let (startup, startup_reference, startup_example) = if wanted("startup") {
        cold_loads(&env, &mut errors).await
    } else {
        (None, None, None)
    };

    let report = report::Report {
        storms,
        overhead,
        startup,
        startup_reference,
        startup_example,
        errors: errors.clone(),
    };
    print!("{}", report.table());
    if !protocols.is_empty() {
        print!("{}", protocols::table(&protocols));
    }
    if let Some(flaky) = &flaky {
        print!("{}", flaky::table(flaky));
    }
    let mut value = report.json();
    value["protocols"] = protocols::json(&protocols);
    value["flaky_auth_server"] = flaky.as_ref().map_or(Value::Null, flaky::json);
    value["server_bin"] = json!(env.server_bin.display().to_string());
    value["driver_profile"] = json!(if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    });
    value["quick"] = json!(env.quick);
    value["seconds"] = json!((started.elapsed().as_secs_f64() * 10.0).round() / 10.0);
    if let Some(dir) = args.json.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    std::fs::write(&args.json, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", args.json.display()))?;
    println!(
        "\nwrote {} ({:.0} s)",
        args.json.display(),
        started.elapsed().as_secs_f64()
    );
    for e in &errors {
        eprintln!("bench: could not run {e}");
    }
    Ok(errors.is_empty())
}

/// Runs one part of the bench as its own task. The harness panics with a message saying what it
/// waited for; here that message, or the time limit running out, becomes an error for the report.
/// Everything the part started (backend, chromedriver, Chromium) is dropped — and so killed — with it.
pub async fn guarded<T, F>(name: &str, limit: Duration, part: F) -> Result<T, String>
where
    T: Send + 'static,
    F: Future<Output = Result<T, String>> + Send + 'static,
{
    eprintln!("bench: {name}");
    let task = tokio::spawn(tokio::time::timeout(limit, part));
    match task.await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(format!("did not finish within {limit:?}")),
        Err(e) if e.is_panic() => {
            let payload = e.into_panic();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "it panicked".to_string());
            Err(message)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Copies the built app to `to`, with `proactive_skew_ms` set in its `config.json`.
fn copy_dist_with_skew(from: &Path, to: &Path, skew_ms: u64) -> Result<(), String> {
    let config_path = from.join("config.json");
    let mut config = match std::fs::read_to_string(&config_path) {
        Ok(text) => serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| format!("{} is not JSON: {e}", config_path.display()))?,
        Err(_) => json!({}),
    };
    if !config.is_object() {
        return Err(format!("{} is not a JSON object", config_path.display()));
    }
    config["proactive_skew_ms"] = json!(skew_ms);
    config["lab_enabled"] = json!(true);
    dist::copy_with_config(from, to, &dist::ConfigFile::Text(config.to_string()))
}
