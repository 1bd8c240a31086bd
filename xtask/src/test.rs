//! `cargo xtask test`: every check the project has, in one run, ending with `N passed, N failed`.
//! Steps keep going after a failure so one run shows everything that is wrong.

mod browsers;

use crate::proc::{self, tool_path};
use crate::{check_backend, dev, disk, python, root, size, target_dir, tools};
use browsers::{end_to_end, wasm_tests, webkit_wasm_tests};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The app and the two crates it is built on.
const BROWSER_SIDE: &[&str] = &["lanyard", "lanyard-client", "lanyard-yew"];

/// `--package a --package b …`
fn packages<'a>(names: &[&'a str]) -> Vec<&'a str> {
    names.iter().flat_map(|name| ["--package", name]).collect()
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    failures: Vec<String>,
    timings: Vec<(String, Duration)>,
}

impl Tally {
    /// A step that is one check (fmt, clippy, a build): counts as one pass or one failure.
    fn check(&mut self, name: &str, result: Result<(), String>, started: Instant) {
        self.timings.push((name.to_string(), started.elapsed()));
        match result {
            Ok(()) => self.passed += 1,
            Err(e) => {
                eprintln!("xtask: FAILED {name}: {e}");
                self.failed += 1;
                self.failures.push(name.to_string());
            }
        }
    }

    /// A step that runs tests: counts each test from the harness's `test result:` lines.
    fn tests(&mut self, name: &str, cmd: &mut Command) {
        let started = Instant::now();
        let (ok, output) = proc::run_captured(cmd);
        self.test_results(name, ok, &output, started);
    }

    /// Counts a finished test step (see [`Tally::tests`]).
    fn test_results(&mut self, name: &str, ok: bool, output: &str, started: Instant) {
        self.timings.push((name.to_string(), started.elapsed()));
        let (passed, failed) = count_results(output);
        self.passed += passed;
        self.failed += failed;
        if !ok {
            if failed == 0 {
                // It failed without reporting a failing test: a build error, a crash, no tests run.
                self.failed += 1;
            }
            self.failures.push(name.to_string());
            eprintln!("xtask: FAILED {name}");
        } else if passed == 0 {
            // A suite that runs nothing is a defect, not a pass.
            self.failed += 1;
            self.failures.push(format!("{name} (ran no tests)"));
            eprintln!("xtask: FAILED {name}: no tests ran");
        }
    }
}

/// Sums the `test result: ok. 3 passed; 1 failed; …` lines of libtest and wasm-bindgen-test.
pub fn count_results(output: &str) -> (usize, usize) {
    let mut passed = 0;
    let mut failed = 0;
    for line in output.lines().filter(|l| l.contains("test result:")) {
        passed += number_before(line, " passed");
        failed += number_before(line, " failed");
    }
    (passed, failed)
}

fn number_before(line: &str, label: &str) -> usize {
    line.find(label)
        .and_then(|end| {
            let start = line[..end]
                .rfind(|c: char| !c.is_ascii_digit())
                .map_or(0, |i| i + 1);
            line[start..end].parse().ok()
        })
        .unwrap_or(0)
}

pub fn run() -> ExitCode {
    let all = Instant::now();
    let mut tally = Tally::default();
    let _ = std::fs::create_dir_all(target_dir());
    disk::warn_if_short(disk::report(&target_dir(), "before"));
    let started = Instant::now();
    let setup = tools::setup(true);
    let setup_failed = setup.is_err();
    tally.check("setup", setup, started);
    if setup_failed {
        return finish(tally, all);
    }
    let root = root();
    let cargo = || {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root).env("PATH", tool_path(&root));
        cmd
    };

    let started = Instant::now();
    tally.check(
        "fmt",
        proc::run(cargo().args(["fmt", "--all", "--", "--check"])),
        started,
    );
    // The browser side (the backend is never built for wasm32). The Lab's code is compiled only with the
    // `lab` feature: lint the wasm32 build with it too.
    let wasm = [
        &packages(&[BROWSER_SIDE, &["lanyard-example"]].concat())[..],
        &["--target", "wasm32-unknown-unknown"],
    ]
    .concat();
    let with_lab = [&wasm[..], &["--features", "lanyard/lab"]].concat();
    let clippy_runs: [(&str, &[&str]); 3] = [
        ("clippy (native)", &["--workspace"]),
        ("clippy (wasm32)", &wasm),
        ("clippy (wasm32, with the Lab)", &with_lab),
    ];
    for (name, args) in clippy_runs {
        let started = Instant::now();
        let clippy = proc::run(cargo().arg("clippy").args(args).args([
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]));
        tally.check(name, clippy, started);
    }
    crate_checks(&mut tally, &cargo);

    tally.tests(
        "unit + property tests",
        cargo()
            .args(["test", "--no-fail-fast"])
            .args(packages(&[BROWSER_SIDE, &["xtask"]].concat())),
    );
    tally.tests(
        "backend tests",
        cargo().args(["test", "--no-fail-fast", "--package", "lanyard-server"]),
    );

    let started = Instant::now();
    let server = dev::build_server(false);
    let server_ok = server.is_ok();
    tally.check(
        "build backend",
        server.as_ref().map(|_| ()).map_err(Clone::clone),
        started,
    );
    if let Ok(server_bin) = &server {
        let chromium = "browser tests (Chromium)";
        wasm_tests(
            &mut tally,
            chromium,
            server_bin,
            "CHROMEDRIVER",
            tools::CHROMEDRIVER,
            cargo(),
        );
        match tools::geckodriver_path() {
            Some(gecko) => {
                let firefox = "browser tests (Firefox)";
                wasm_tests(
                    &mut tally,
                    firefox,
                    server_bin,
                    "GECKODRIVER",
                    &gecko,
                    cargo(),
                );
            }
            None => eprintln!(
                "xtask: skipping the Firefox browser tests: Firefox or geckodriver is missing"
            ),
        }
        webkit_wasm_tests(&mut tally, server_bin, cargo());
    }

    let started = Instant::now();
    // With the Lab: the end-to-end flows drive storms through it.
    let dist = dev::build_dist(dev::Flavour::WithLab, &root.join("dist"));
    let dist_ok = dist.is_ok();
    tally.check("release build (dist, with the Lab)", dist, started);
    // The independent backend some flows run against. If it cannot be installed, those flows fail on
    // the missing Python (never skip).
    let started = Instant::now();
    let venv = python::flask_venv_setup();
    let flask_python = venv.as_ref().ok().cloned();
    tally.check("Flask backend (virtualenv)", venv.map(|_| ()), started);
    if let Some(flask_python) = flask_python {
        let started = Instant::now();
        let tests = python::flask_tests(&flask_python);
        tally.check("Flask backend tests", tests, started);
    }
    if dist_ok && server_ok {
        if let Ok(server_bin) = &server {
            end_to_end(&mut tally, &cargo, server_bin, &root.join("dist"));
            // What users run against their own backend, against both of ours: every check must pass.
            let dist = root.join("dist");
            let started = Instant::now();
            let ours = check_backend::against_dev_backend(server_bin, &dist);
            tally.check("check-backend (dev backend)", ours, started);
            let started = Instant::now();
            let flask = check_backend::against_flask(&python::flask_python(), &dist);
            tally.check("check-backend (Flask backend)", flask, started);
        }
    }

    // Three release builds of their own (production app, example, floor): the budgets in size.rs.
    let started = Instant::now();
    tally.check(
        "size budgets",
        size::check(&target_dir().join("size-dist")),
        started,
    );
    finish(tally, all)
}

/// The two library crates as their users get them: documentation that builds without a warning (broken
/// links, missing docs) for the targets docs.rs builds, and packages that build from their tarballs.
fn crate_checks(tally: &mut Tally, cargo: &dyn Fn() -> Command) {
    let crates = ["-p", "lanyard-client", "-p", "lanyard-yew"];
    // lanyard-yew is browser-only (its components are wasm32), so natively only lanyard-client is documented.
    let doc_runs: [(&str, &[&str]); 2] = [
        ("docs (wasm32)", &["--target", "wasm32-unknown-unknown"]),
        ("docs (native, lanyard-client)", &[]),
    ];
    for (name, target) in doc_runs {
        let packages: &[&str] = if target.is_empty() {
            &crates[..2]
        } else {
            &crates
        };
        let started = Instant::now();
        let doc = proc::run(
            cargo()
                .args(["doc", "--no-deps"])
                .args(packages)
                .args(target)
                .env("RUSTDOCFLAGS", "-D warnings"),
        );
        tally.check(name, doc, started);
    }
    // Both in one call: cargo (1.90+, checked with 1.95) then verifies lanyard-yew against the
    // lanyard-client it just packaged (an overlay registry in target/package/tmp-registry), so nothing has
    // to be published first; lanyard-yew's `version = "0.1.0", path = …` dependency is rewritten to the
    // version alone, as it would be on crates.io. The other dependencies resolve from the crates.io index
    // (the network, like any fresh build). Verification builds the tarballs for wasm32: that is where the
    // crates' code is (on the host lanyard-yew is little more than its state machine). `--allow-dirty`: the
    // check is about the manifests and the files they take, not about what is committed.
    let started = Instant::now();
    forget_packaged_sources(&["lanyard-client", "lanyard-yew"]);
    // A target directory of its own, emptied first: cargo takes a registry crate's build as final, so a
    // lanyard-client built from an earlier tarball would be linked again without a rebuild.
    let verify_dir = target_dir().join("package-verify");
    let _ = std::fs::remove_dir_all(&verify_dir);
    let package = proc::run(
        cargo()
            .args([
                "package",
                "--allow-dirty",
                "--target",
                "wasm32-unknown-unknown",
                "--target-dir",
            ])
            .arg(&verify_dir)
            .args(crates),
    );
    tally.check("package (lanyard-client, lanyard-yew)", package, started);
    // ~0.7 GB that nothing later reads.
    let _ = std::fs::remove_dir_all(&verify_dir);
}

/// Cargo unpacks the overlay registry's tarballs into `$CARGO_HOME/registry/src/<hash of the overlay's
/// path>/<name>-<version>` and never unpacks the same name and version there again, so a second `cargo
/// package` from the same checkout path would verify lanyard-yew against the *previous* run's
/// lanyard-client (CI failed that way: a variant added since was "not found"). Those copies are ours alone
/// (the crates are not on crates.io), so they are removed first.
fn forget_packaged_sources(names: &[&str]) {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(Ok(registries)) = home.map(|h| std::fs::read_dir(h.join("registry").join("src")))
    else {
        return;
    };
    for registry in registries.flatten() {
        let Ok(unpacked) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for dir in unpacked.flatten() {
            let file_name = dir.file_name();
            let name = file_name.to_string_lossy();
            let ours = names.iter().any(|crate_name| {
                name.strip_prefix(crate_name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
            });
            if ours {
                if let Err(e) = std::fs::remove_dir_all(dir.path()) {
                    eprintln!("could not remove the stale {}: {e}", dir.path().display());
                }
            }
        }
    }
}

fn finish(tally: Tally, all: Instant) -> ExitCode {
    eprintln!();
    disk::report(&target_dir(), "after");
    eprintln!("step timings:");
    for (name, took) in &tally.timings {
        eprintln!("  {name:<28} {:>7.1} s", took.as_secs_f64());
    }
    eprintln!("  {:<28} {:>7.1} s", "total", all.elapsed().as_secs_f64());
    if !tally.failures.is_empty() {
        eprintln!("failed steps: {}", tally.failures.join(", "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::count_results;

    #[test]
    fn counts_libtest_and_wasm_bindgen_test_summaries() {
        let output = "running 3 tests\n\
            test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
            test result: FAILED. 10 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(count_results(output), (13, 2));
    }

    #[test]
    fn output_without_summaries_counts_nothing() {
        assert_eq!(
            count_results("error[E0425]: cannot find value `x`\n"),
            (0, 0)
        );
    }
}
