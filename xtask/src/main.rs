//! `cargo xtask …` — the project's one entry point for installing tools, running the app, testing and
//! benchmarking. Plain std + a few small crates, so it builds in seconds on a fresh machine.

mod bench;
mod breakdown;
mod check_backend;
mod compress;
mod dev;
mod disk;
mod proc;
mod python;
mod size;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup [--browsers] [--flask]
                       install what is missing: wasm32 target, trunk, wasm-bindgen-cli, npm tools
                       (--browsers: also Chromium, chromedriver, Firefox ESR and geckodriver;
                       --flask: the Flask backend's virtualenv in target/tools/flask-venv)
  dev [--release] [--https]
                       run the app: dev backend + `trunk serve` on http://127.0.0.1:8080
                       (--release: build the optimised dist/ and serve it from the backend itself;
                       --https: build the app and serve it and the API from the backend over HTTPS and
                       HTTP/2 on https://127.0.0.1:8080, self-signed certificate, no live reload)
  test                 fmt, clippy (native + wasm32), unit/property tests, backend tests,
                       browser tests (Chromium, Firefox), end-to-end flows, size budgets, the crates'
                       docs and packages; ends with `N passed, N failed`
  size                 only the size budgets of `test`: release builds of the production app, the minimal
                       example and bench/floor (in target/size-dist), their gzip sizes; fails when the app
                       or what the crates add exceeds its budget (xtask/src/size.rs); then where the app's
                       bytes go, by crate, next to the bare Yew app's (before wasm-bindgen and wasm-opt)
  bench                benchmarks: size, start-up, refresh storms, client overhead, backend load
  dist [--lab]         build the optimised dist/ (trunk build --release) and precompress it
                       (--lab: with the Lab page, which the production build leaves out)
  check-backend --base-url URL --username NAME --password PASS [--config FILE] [--access-ttl SECS]
                [--storm-path PATH] [--app-origin ORIGIN] [--dist DIR]
                       check your own backend against what Lanyard needs, one line per check
                       (exit 1 on any FAIL); `cargo xtask check-backend --help` for the flags
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let flags = &args[1..];
    let result = match command.as_str() {
        "setup" => tools::setup(flags.iter().any(|f| f == "--browsers")).and_then(|()| {
            if flags.iter().any(|f| f == "--flask") {
                python::flask_venv_setup().map(|_| ())
            } else {
                Ok(())
            }
        }),
        "dev" => dev::command(flags),
        "test" => return test::run(),
        "check-backend" => return check_backend::command(flags),
        "size" => size::run(flags),
        "bench" => bench::run(flags),
        "dist" => dev::dist_command(flags),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The shared cargo target directory (honours CARGO_TARGET_DIR, like cargo itself).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}
