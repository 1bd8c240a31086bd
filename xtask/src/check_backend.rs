//! `cargo xtask check-backend …`: builds what the check needs (the app with the Lab, the `check_backend`
//! binary of the e2e crate), makes sure Chromium and chromedriver are there, and runs the check with the
//! user's arguments. Also the test command's runs against our dev backend and the Flask backend.

use crate::dev::{self, Flavour};
use crate::proc::{self, Service};
use crate::{root, target_dir, tools};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

/// Short-lived access tokens for the test command's runs: the check waits for them to expire.
const TEST_ACCESS_TTL_SECS: &str = "3";

/// `cargo xtask check-backend ARGS`: exit code 0 (all passed), 1 (a check failed) or 2 (could not run).
pub fn command(flags: &[String]) -> ExitCode {
    let wants_help = flags.iter().any(|f| f == "-h" || f == "--help");
    let given = flags
        .iter()
        .any(|f| f == "--dist" || f.starts_with("--dist="));
    let dist = if given || wants_help {
        None
    } else {
        match lab_dist() {
            Ok(dist) => Some(dist),
            Err(e) => return failed(&e),
        }
    };
    if let Err(e) = tools::chromium() {
        return failed(&e);
    }
    let mut args = flags.to_vec();
    if let Some(dist) = dist {
        args.push("--dist".into());
        args.push(dist.display().to_string());
    }
    match check(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => failed(&e),
    }
}

fn failed(message: &str) -> ExitCode {
    eprintln!("xtask: {message}");
    ExitCode::from(2)
}

/// Builds `check_backend` and runs it with `args`; its exit code.
fn check(args: &[String]) -> Result<u8, String> {
    proc::run(
        Command::new("cargo")
            .args([
                "build",
                "--quiet",
                "--package",
                "lanyard-e2e",
                "--bin",
                "check_backend",
            ])
            .current_dir(root()),
    )?;
    let bin = target_dir().join("debug").join("check_backend");
    let status = Command::new(&bin)
        .args(args)
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .status()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    // A signal has no code: "could not run".
    Ok(status.code().map_or(2, |c| u8::try_from(c).unwrap_or(2)))
}

/// The app with the Lab in `target/check-backend-dist`, rebuilt only when a source is newer than it.
fn lab_dist() -> Result<PathBuf, String> {
    let out = target_dir().join("check-backend-dist");
    let built = modified(&out.join("index.html"));
    let root = root();
    let sources = [
        "src",
        "crates/lanyard-client/src",
        "crates/lanyard-yew/src",
        "static",
        "index.html",
        "Cargo.toml",
        "Cargo.lock",
        "Trunk.toml",
    ];
    let newest = sources
        .iter()
        .filter_map(|s| newest_in(&root.join(s)))
        .max();
    if built.is_some() && newest <= built {
        return Ok(out);
    }
    tools::setup(false)?;
    dev::build_dist(Flavour::WithLab, &out)?;
    Ok(out)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `path` or anything under it.
fn newest_in(path: &Path) -> Option<SystemTime> {
    let own = modified(path);
    let Ok(entries) = std::fs::read_dir(path) else {
        return own;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| newest_in(&e.path()))
        .chain(own)
        .max()
}

/// The base URL in a server's ready line (`… listening on http://127.0.0.1:PORT`).
fn listening_url(line: &str) -> Result<String, String> {
    line.find("http://")
        .map(|i| line[i..].trim().to_string())
        .ok_or_else(|| format!("no URL in the backend's ready line {line:?}"))
}

/// Runs the check with `args` against a backend started by `cmd`; Err unless every check passed.
fn against(name: &str, cmd: Command, args: &[&str], dist: &Path) -> Result<(), String> {
    let (_backend, line) = Service::start(name, cmd, "listening on", Duration::from_secs(60))?;
    let mut full: Vec<String> = vec!["--base-url".into(), listening_url(&line)?];
    full.extend(args.iter().map(|a| a.to_string()));
    full.extend(["--dist".into(), dist.display().to_string()]);
    match check(&full)? {
        0 => Ok(()),
        code => Err(format!("check-backend against {name} exited with {code}")),
    }
}

/// The test command's run against our dev backend (in memory, 3-second access tokens).
pub fn against_dev_backend(server_bin: &Path, dist: &Path) -> Result<(), String> {
    let mut cmd = Command::new(server_bin);
    cmd.args([
        "--in-memory",
        "--bind",
        "127.0.0.1:0",
        "--access-ttl-secs",
        TEST_ACCESS_TTL_SECS,
    ]);
    let config = root().join("static").join("config.json");
    let config = config.display().to_string();
    let args = [
        "--username",
        "user",
        "--password",
        "user-pass",
        "--config",
        &config,
    ];
    against("the dev backend", cmd, &args, dist)
}

/// The test command's run against the Flask-JWT-Extended backend (`backends/flask-jwt/`), which reports no
/// expiry: the lifetime is passed as `--access-ttl`.
pub fn against_flask(python: &Path, dist: &Path) -> Result<(), String> {
    let backend = root().join("backends").join("flask-jwt");
    let mut cmd = Command::new(python);
    cmd.arg("-u").arg(backend.join("app.py")).args([
        "--bind",
        "127.0.0.1:0",
        "--access-ttl-secs",
        TEST_ACCESS_TTL_SECS,
    ]);
    let config = backend.join("config.json").display().to_string();
    let args = [
        "--username",
        "alice@example.com",
        "--password",
        "alice-pass",
        "--config",
        &config,
        "--access-ttl",
        TEST_ACCESS_TTL_SECS,
    ];
    against("the Flask backend", cmd, &args, dist)
}

#[cfg(test)]
mod tests {
    use super::listening_url;

    #[test]
    fn reads_the_url_of_either_backends_ready_line() {
        assert_eq!(
            listening_url("lanyard-server listening on http://127.0.0.1:4242"),
            Ok("http://127.0.0.1:4242".to_string())
        );
        assert_eq!(
            listening_url("flask-jwt backend listening on http://127.0.0.1:5151\n"),
            Ok("http://127.0.0.1:5151".to_string())
        );
        assert!(listening_url("listening on a socket").is_err());
    }
}
