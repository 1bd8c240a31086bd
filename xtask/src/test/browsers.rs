//! The steps that drive browsers: the browser tests (wasm-bindgen-test) in Chromium, Firefox and WebKit,
//! and the end-to-end flows in the three engines.

use super::Tally;
use crate::proc::{self, Service};
use crate::{python, target_dir, tools};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Fixed ports for the browser tests: the test page's origin must be known to the backend (CORS).
const WASM_PAGE_ADDR: &str = "127.0.0.1:18180";
const WASM_API_ADDR: &str = "127.0.0.1:18181";

/// wasm-bindgen-test in a headless browser against a fresh dev backend with its test hooks on.
pub(super) fn wasm_tests(
    tally: &mut Tally,
    name: &str,
    server_bin: &PathBuf,
    var: &str,
    driver: &str,
    mut cargo: Command,
) {
    let mut cmd = Command::new(server_bin);
    cmd.args(["--in-memory", "--test-hooks", "--bind", WASM_API_ADDR])
        .args(["--cors-origin", &format!("http://{WASM_PAGE_ADDR}")]);
    let service = Service::start("backend", cmd, "listening on", Duration::from_secs(60));
    let Ok((_server, _)) = service else {
        let err = service.err().unwrap_or_default();
        tally.check(name, Err(err), Instant::now());
        return;
    };
    // chromedriver makes each session a profile directory in TMPDIR (~40 MB) and the runner never ends its
    // sessions, so they would stay behind in /tmp after every run: they go in a directory removed afterwards.
    let scratch = target_dir().join("tmp").join(slug(name));
    let _ = std::fs::remove_dir_all(&scratch);
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        tally.check(
            name,
            Err(format!("cannot create {}: {e}", scratch.display())),
            Instant::now(),
        );
        return;
    }
    // Only one of the driver variables may be set, or the runner picks the first it knows silently.
    cargo
        .env("TMPDIR", &scratch)
        .env_remove("CHROMEDRIVER")
        .env_remove("GECKODRIVER")
        .env_remove("SAFARIDRIVER")
        .env(var, driver)
        .env("WASM_BINDGEN_TEST_ADDRESS", WASM_PAGE_ADDR)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("LANYARD_TEST_API", format!("http://{WASM_API_ADDR}"))
        .args([
            "test",
            "--no-fail-fast",
            "--package",
            "lanyard",
            "--package",
            "lanyard-client",
            "--package",
            "lanyard-yew",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "*",
        ]);
    tally.tests(name, &mut cargo);
    let _ = std::fs::remove_dir_all(&scratch);
}

/// `browser tests (WebKit)` → `browser-tests-webkit`
fn slug(name: &str) -> String {
    let words = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    words.collect::<Vec<_>>().join("-").to_ascii_lowercase()
}

/// The browser tests in WebKit: the runner has no WebKitGTK driver of its own, but its Safari mode asks for a
/// session with no capabilities, which WebKitWebDriver opens in MiniBrowser. It needs a display: Xvfb picks a
/// free one and prints its number (`-displayfd 1`).
pub(super) fn webkit_wasm_tests(tally: &mut Tally, server_bin: &PathBuf, mut cargo: Command) {
    let name = "browser tests (WebKit)";
    let mut xvfb = Command::new("Xvfb");
    xvfb.args([
        "-displayfd",
        "1",
        "-screen",
        "0",
        "1280x900x24",
        "-nolisten",
        "tcp",
    ]);
    let display = Service::start("Xvfb", xvfb, "", Duration::from_secs(30));
    let Ok((_display, number)) = display else {
        let err = display.err().unwrap_or_default();
        tally.check(name, Err(err), Instant::now());
        return;
    };
    cargo.env("DISPLAY", format!(":{}", number.trim()));
    wasm_tests(
        tally,
        name,
        server_bin,
        "SAFARIDRIVER",
        "/usr/bin/WebKitWebDriver",
        cargo,
    );
}

/// The flows in the three engines, one after another. Chromium runs them all; Firefox and WebKit run
/// [`EVERY_ENGINE`] — the flows of the session itself (guards, sign-in, storms, replays, refused and
/// failing refreshes, two tabs, tokens out of scripts' reach, the back/forward cache, HTTP/2, a broken
/// config, the Flask backend). What stays Chromium's own drives a chromedriver-only endpoint (network
/// emulation: offline) or takes the README's screenshots.
pub(super) fn end_to_end(
    tally: &mut Tally,
    cargo: &dyn Fn() -> Command,
    server_bin: &Path,
    dist: &Path,
) {
    let engines: [(&str, &str, &[&str]); 3] = [
        ("Chromium", "chromium", &[]),
        ("Firefox", "firefox", EVERY_ENGINE),
        ("WebKit", "webkit", EVERY_ENGINE),
    ];
    for (name, engine, only) in engines {
        let mut cmd = cargo();
        cmd.args(["test", "--no-fail-fast", "--package", "lanyard-e2e"]);
        for test in only {
            cmd.args(["--test", test]);
        }
        cmd.args(["--", "--test-threads", "1"])
            .env("LANYARD_E2E_BROWSER", engine)
            .env("LANYARD_SERVER_BIN", server_bin)
            .env("LANYARD_DIST", dist)
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("LANYARD_FLASK_PYTHON", python::flask_python());
        if let Some(gecko) = tools::geckodriver_path() {
            cmd.env("GECKODRIVER", gecko);
        }
        let step = format!("end-to-end flows ({name})");
        let started = Instant::now();
        let (mut ok, mut output) = proc::run_captured(&mut cmd);
        if engine_fault_only(engine, ok, &output) {
            eprintln!(
                "xtask: WebKit stopped the app's wasm with \"{JSC_WASM_FAULT}\", JavaScriptCore's known \
                 fault on Linux (README, \"WebKit's wasm fault\"); the WebKit flows run once more and that run counts"
            );
            (ok, output) = proc::run_captured(&mut cmd);
        }
        tally.test_results(&step, ok, &output, started);
    }
}

/// Whether a failed run of `engine`'s flows should run once more: WebKit, and its output shows JavaScriptCore's
/// wasm fault. Only the second run counts, so a failure that happens again is not hidden.
fn engine_fault_only(engine: &str, ok: bool, output: &str) -> bool {
    !ok && engine == "webkit" && output.contains(JSC_WASM_FAULT)
}

/// How JavaScriptCore on Linux reports its intermittent WebAssembly fault (WebKit bug 259441,
/// tauri-apps/tauri#7154: the same Yew code runs in Chromium and Firefox, and again in WebKit). Safe Rust
/// cannot access memory out of bounds, so a run that fails with it is an engine fault, not ours; any other
/// failure counts at once.
const JSC_WASM_FAULT: &str = "Out of bounds memory access";

/// The e2e test files every engine runs.
const EVERY_ENGINE: &[&str] = &[
    "guards",
    "refresh",
    "tabs",
    "security",
    "page_cache",
    "http2",
    "startup",
    "flask_backend",
];

#[cfg(test)]
mod tests {
    use super::engine_fault_only;

    #[test]
    fn only_webkit_runs_failed_by_the_jsc_wasm_fault_run_again() {
        let fault =
            "e2e: the browser console when it failed:\n  SEVERE [javascript] RuntimeError: \
                     Out of bounds memory access (evaluating 'wasm.closure123(a, b)')";
        assert!(engine_fault_only("webkit", false, fault));
        assert!(
            !engine_fault_only("webkit", true, fault),
            "a passing run is not run again"
        );
        assert!(
            !engine_fault_only("chromium", false, fault),
            "only WebKit has this fault"
        );
        assert!(!engine_fault_only("firefox", false, fault));
        let other = "thread 'guards' panicked at e2e/tests/guards.rs:40: assertion failed";
        assert!(
            !engine_fault_only("webkit", false, other),
            "any other failure counts at once"
        );
    }
}
