//! `cargo xtask dev`: the dev backend plus `trunk serve` (or the release dist served by the backend).
//!
//! `--https`: the backend serves the built app and the API on one origin over TLS (`--tls`, a
//! self-signed certificate), so the browser speaks HTTP/2 as it does to a production backend. `trunk
//! serve` is not in that picture: it would terminate TLS itself and proxy `/api` to the backend over
//! HTTP/1.1, which hides exactly the protocol this mode is for (and it would need certificate files).

use crate::proc::{self, tool_path, Service};
use crate::{compress, root, target_dir, tools};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const APP_ADDR: &str = "127.0.0.1:8080";
pub const API_ADDR: &str = "127.0.0.1:8081";

/// `cargo xtask dev [--release] [--https]`
pub fn command(flags: &[String]) -> Result<(), String> {
    let mut release = false;
    let mut https = false;
    for flag in flags {
        match flag.as_str() {
            "--release" => release = true,
            "--https" => https = true,
            other => {
                return Err(format!(
                    "dev: unknown option `{other}` (only --release, --https)"
                ))
            }
        }
    }
    run(release, https)
}

fn run(release: bool, https: bool) -> Result<(), String> {
    tools::setup(false)?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Ctrl-C reaches our children too (same process group); we only need to stop waiting.
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    }
    let server_bin = build_server(release)?;
    let data_dir = root().join("data");
    // Trunk refuses to start when a `[watch] ignore` path is missing; these two are made at run time.
    for dir in [data_dir.clone(), root().join("bench-results")] {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut services = Vec::new();
    let scheme = if https { "https" } else { "http" };
    if https {
        // The release build when asked; else a debug build (quicker, no wasm-opt), with the Lab either way.
        let dist = if release {
            build_dist(Flavour::WithLab, &root().join("dist"))?;
            root().join("dist")
        } else {
            let dist = target_dir().join("https-dist");
            trunk_debug(&["lab"], &dist)?;
            dist
        };
        let mut cmd = Command::new(&server_bin);
        cmd.args(["--bind", APP_ADDR, "--tls", "--dist"])
            .arg(&dist)
            .arg("--data-dir")
            .arg(&data_dir);
        services.push(start_server(cmd)?);
    } else if release {
        build_dist(Flavour::WithLab, &root().join("dist"))?;
        let mut cmd = Command::new(&server_bin);
        cmd.args(["--bind", APP_ADDR, "--dist"])
            .arg(root().join("dist"))
            .arg("--data-dir")
            .arg(&data_dir);
        services.push(start_server(cmd)?);
    } else {
        let mut cmd = Command::new(&server_bin);
        cmd.args(["--bind", API_ADDR, "--data-dir"]).arg(&data_dir);
        services.push(start_server(cmd)?);
        let mut trunk = Command::new("trunk");
        trunk
            .args(["serve", "--features", "lab"])
            .env("PATH", tool_path(&root()))
            .current_dir(root());
        services.push(Service::spawn("trunk", trunk)?);
    }
    println!();
    println!("  Lanyard is running at {scheme}://{APP_ADDR}/  (Ctrl-C stops everything)");
    if https {
        println!(
            "  HTTPS + HTTP/2 with a self-signed certificate: accept the browser's warning once per run."
        );
        println!("  No live reload: run the command again after a change.");
    }
    println!("  Demo users:  admin / admin-pass  (role admin)     user / user-pass");
    println!("  Data: {}", data_dir.display());
    if !release && !https {
        println!("  The first build takes a minute; trunk rebuilds and reloads on every change.");
    }
    println!();
    while !stop.load(Ordering::SeqCst) {
        if let Some(i) = services.iter_mut().position(|s| s.exited().is_some()) {
            eprintln!("xtask: a service exited; stopping the others");
            services.remove(i);
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for service in services.iter_mut().rev() {
        service.stop();
    }
    Ok(())
}

fn start_server(cmd: Command) -> Result<Service, String> {
    Service::start("server", cmd, "listening on", Duration::from_secs(60)).map(|(s, _)| s)
}

/// Builds the dev backend and returns its binary.
pub fn build_server(release: bool) -> Result<PathBuf, String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "--package", "lanyard-server"])
        .current_dir(root());
    if release {
        cmd.arg("--release");
    }
    proc::run(&mut cmd)?;
    let profile = if release { "release" } else { "debug" };
    Ok(target_dir().join(profile).join("lanyard-server"))
}

/// What goes into a release build: the production app, or the app with the Lab (the `lab` feature) for
/// developers, the end-to-end tests and the benchmarks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavour {
    Production,
    WithLab,
}

/// The app's release build into `out`.
pub fn build_dist(flavour: Flavour, out: &Path) -> Result<(), String> {
    let features: &[&str] = match flavour {
        Flavour::Production => &[],
        Flavour::WithLab => &["lab"],
    };
    trunk_release(&root(), features, out)
}

/// `trunk build` (debug) of the app into `out`.
fn trunk_debug(features: &[&str], out: &Path) -> Result<(), String> {
    let mut cmd = Command::new("trunk");
    cmd.args(["build", "--dist"])
        .arg(out)
        .env("PATH", tool_path(&root()))
        .current_dir(root());
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    proc::run(&mut cmd)
}

/// `trunk build --release` of the Trunk project in `project` into `out`, then writes .gz and .br siblings
/// for the backend to serve.
pub fn trunk_release(project: &Path, features: &[&str], out: &Path) -> Result<(), String> {
    let mut cmd = Command::new("trunk");
    cmd.args(["build", "--release", "--dist"])
        .arg(out)
        .env("PATH", tool_path(&root()))
        .current_dir(project);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    proc::run(&mut cmd)?;
    compress::precompress_dir(out)
}

/// `cargo xtask dist [--lab]`: the release build into dist/.
pub fn dist_command(flags: &[String]) -> Result<(), String> {
    let flavour = match flags {
        [] => Flavour::Production,
        [flag] if flag == "--lab" => Flavour::WithLab,
        _ => return Err(format!("dist: unknown options {flags:?} (only --lab)")),
    };
    tools::setup(false)?;
    build_dist(flavour, &root().join("dist"))
}
