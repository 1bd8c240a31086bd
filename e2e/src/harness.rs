//! One end-to-end test: a fresh backend, chromedriver and browser session; the flow; then the
//! console check, and on failure a screenshot, the page's text and the logs in `e2e/artifacts/`.
//! Everything started is stopped afterwards, whether the flow passed, panicked or hung.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::{Backend, BackendKind, BackendOptions};
use crate::browser::{Browser, Driver, OrFail, Profile};
use crate::chromium::LogEntry;
use crate::dist::{copy_app, copy_with_config, ConfigFile, TempDir};
use crate::engine::{Engine, SessionOptions};
use crate::{console, flask, paths};

/// What a flow gets: its own backend and browser session.
#[derive(Clone)]
pub struct Ctx {
    pub backend: Arc<Backend>,
    pub browser: Browser,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub backend: BackendOptions,
    /// Console entries containing one of these are expected for this flow (see [`is_expected`]).
    pub expected_console: Vec<&'static str>,
    /// The whole flow must finish within this.
    pub timeout: Duration,
    /// Serve a copy of the app with this config.json instead of the built one.
    pub config: Option<ConfigFile>,
    /// Errors of any source containing one of these are expected (a flow that breaks the start-up).
    pub expected_page_errors: Vec<&'static str>,
    /// The browser stores no cookies (its "block all cookies" setting).
    pub block_cookies: bool,
    /// The engines this flow runs in, and why not in the others (`None`: all of them).
    pub only_in: Option<(&'static [Engine], &'static str)>,
}

/// Chrome logs every HTTP error answer to a `fetch` as a SEVERE console entry of source `network`
/// (`<url> - Failed to load resource: the server responded with a status of 401 (Unauthorized)`),
/// whether or not the page handles it. These answers are part of the protocol, handled by the app:
/// - a 401 from the API means the access token is missing or expired: the app refreshes (and at
///   start-up, with nobody signed in, that is how it learns there is no session);
/// - a 403 from the refresh endpoint is a refused refresh: at start-up with nobody signed in there is
///   no CSRF cookie to send, so the backend refuses the refresh with 403 `csrf`, which the contract
///   defines as "the session has ended" — the app then shows the login page.
///
/// So those are expected in every flow (as `(URL part, message part)`); other errors only where a
/// flow provokes them (see [`Options::expect_console`]).
pub const EXPECTED_ALWAYS: &[(&str, &str)] = &[
    ("/api/", "the server responded with a status of 401"),
    (
        "/api/auth/refresh ",
        "the server responded with a status of 403",
    ),
];

/// [`EXPECTED_ALWAYS`] for the Flask backend, whose API is under `/api/` and `/auth/`: a 401 from the
/// API as there; and with nobody signed in the refresh call carries no refresh cookie at all, which
/// Flask-JWT-Extended answers with 401 `Missing cookie "refresh_token_cookie"` (its 403, a CSRF
/// failure, is never expected).
pub const FLASK_EXPECTED_ALWAYS: &[(&str, &str)] = &[
    ("/api/", "the server responded with a status of 401"),
    (
        "/auth/refresh ",
        "the server responded with a status of 401",
    ),
];

/// The URL parts of a backend's API calls (what [`Options::expect_console`] patterns apply to).
fn api_prefixes(kind: BackendKind) -> &'static [&'static str] {
    match kind {
        BackendKind::Dev => &["/api/"],
        BackendKind::Flask => &["/api/", "/auth/"],
    }
}

fn expected_always(kind: BackendKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        BackendKind::Dev => EXPECTED_ALWAYS,
        BackendKind::Flask => FLASK_EXPECTED_ALWAYS,
    }
}

/// What Chrome logs for a refresh whose connection the backend drops (`fail-refresh` mode `drop`).
pub const DROPPED_CONNECTION: &[&str] = &[
    "net::ERR_EMPTY_RESPONSE",
    "net::ERR_CONNECTION_CLOSED",
    "net::ERR_CONNECTION_RESET",
];

impl Default for Options {
    fn default() -> Self {
        Self {
            backend: BackendOptions::default(),
            expected_console: Vec::new(),
            timeout: Duration::from_secs(120),
            config: None,
            expected_page_errors: Vec::new(),
            block_cookies: false,
            only_in: None,
        }
    }
}

impl Options {
    /// Also accept network errors whose message contains `pattern` (e.g. `"status of 503"`).
    pub fn expect_console(mut self, patterns: &[&'static str]) -> Self {
        self.expected_console.extend_from_slice(patterns);
        self
    }

    /// Serve the app with this `config.json`.
    pub fn with_config(mut self, config: ConfigFile) -> Self {
        self.config = Some(config);
        self
    }

    /// Run the flow in a browser that keeps no cookies.
    pub fn blocking_cookies(mut self) -> Self {
        self.block_cookies = true;
        self
    }

    /// Run this flow only in `engines`; in the others it is not run, for the reason `why` (printed).
    pub fn only_in(mut self, engines: &'static [Engine], why: &'static str) -> Self {
        self.only_in = Some((engines, why));
        self
    }

    /// Also accept console errors of any source (the app's own, a missing file) containing `pattern`.
    pub fn expect_page_error(mut self, pattern: &'static str) -> Self {
        self.expected_page_errors.push(pattern);
        self
    }
}

/// Whether a console entry is fine: anything below SEVERE, or a network entry for an API call of
/// the `kind` of backend answered with an expected error (see [`EXPECTED_ALWAYS`]).
pub fn is_expected(entry: &LogEntry, kind: BackendKind, extra: &[&str]) -> bool {
    if entry.level != "SEVERE" {
        return true;
    }
    let has = |part: &str| entry.message.contains(part);
    entry.source == "network"
        && (expected_always(kind)
            .iter()
            .any(|(url, pattern)| has(url) && has(pattern))
            || (api_prefixes(kind).iter().any(|prefix| has(prefix))
                && extra.iter().any(|pattern| has(pattern))))
}

enum Outcome {
    Passed,
    Panicked(Box<dyn std::any::Any + Send>),
    TimedOut(Duration),
    Cancelled(String),
}

/// [`run`] against the Flask backend (`backends/flask-jwt/`), which serves the app with its own
/// `config.json` unless `options` give one.
pub async fn run_flask<F, Fut>(name: &str, mut options: Options, flow: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    options.backend.kind = BackendKind::Flask;
    run(name, options, flow).await;
}

/// Runs `flow` against a fresh backend and browser. Panics (fails the test) when the flow fails,
/// when the console shows an unexpected error, or when the setup is missing something.
pub async fn run<F, Fut>(name: &str, options: Options, flow: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let setup = "e2e setup";
    let engine = Engine::current().or_fail(setup);
    if let Some((engines, why)) = options.only_in {
        if !engines.contains(&engine) {
            eprintln!("e2e: {name} is not run in {}: {why}", engine.name());
            return;
        }
    }
    let stem = paths::file_stem(name);
    let artifacts = paths::artifacts_dir();
    let built = paths::dist_dir().or_fail(setup);
    // A copy of the app when the flow needs another config.json, or when the engine's console is
    // recorded from inside the page. Kept until the flow ends: the backend serves from it.
    let capture = !engine.has_console_log_endpoint();
    let copy = (options.config.is_some() || capture).then(|| {
        let copy = TempDir::new(&format!("dist-{stem}")).or_fail(setup);
        match &options.config {
            Some(config) => copy_with_config(&built, &copy.0, config),
            None => copy_app(&built, &copy.0),
        }
        .or_fail(setup);
        if capture {
            console::inject_capture(&copy.0).or_fail(setup);
        }
        copy
    });
    let dist = copy.as_ref().map_or(built.clone(), |c| c.0.clone());
    std::fs::create_dir_all(&artifacts).or_fail(&format!("create {}", artifacts.display()));
    for stale in ["png", "page.txt", "console.log"] {
        let _ = std::fs::remove_file(artifacts.join(format!("{stem}.{stale}")));
    }

    let log = artifacts.join(format!("{stem}.server.log"));
    let backend = match options.backend.kind {
        BackendKind::Dev => {
            let server_bin = paths::server_bin().or_fail(setup);
            Backend::start(&server_bin, &dist, &options.backend, &log)
        }
        BackendKind::Flask => {
            let python = paths::flask_python().or_fail(setup);
            // It serves config.json from its own file, not from the dist directory.
            let config = options
                .config
                .as_ref()
                .and(copy.as_ref())
                .map(|c| c.0.join("config.json"));
            flask::start(&python, &dist, config.as_deref(), &options.backend, &log)
        }
    }
    .or_fail("start the backend");
    let backend = Arc::new(backend);
    let driver = Driver::start(
        engine,
        &artifacts.join(format!("{stem}.{}-driver.log", engine.name())),
    )
    .or_fail("start the browser's driver");
    let profile = Profile::new(name).or_fail("create a browser profile");
    let session = SessionOptions {
        block_cookies: options.block_cookies,
        accept_insecure_certs: options.backend.tls,
    };
    let browser = Browser::connect_with(&driver, &backend.base_url, &profile, session)
        .await
        .or_fail(&format!("start {}", engine.name()));

    let ctx = Ctx {
        backend: Arc::clone(&backend),
        browser: browser.clone(),
        name: name.to_string(),
    };
    let timeout = options.timeout;
    let task = tokio::spawn(tokio::time::timeout(timeout, flow(ctx)));
    let outcome = match task.await {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(_)) => Outcome::TimedOut(timeout),
        Err(e) if e.is_panic() => Outcome::Panicked(e.into_panic()),
        Err(e) => Outcome::Cancelled(e.to_string()),
    };
    let failed = !matches!(outcome, Outcome::Passed);

    let short = Duration::from_secs(10);
    if failed {
        // What the user saw when it went wrong.
        let shot = artifacts.join(format!("{stem}.png"));
        match tokio::time::timeout(short, browser.screenshot(&shot)).await {
            Ok(Ok(())) => eprintln!("e2e: screenshot of the failure: {}", shot.display()),
            Ok(Err(e)) => eprintln!("e2e: {e}"),
            Err(_) => eprintln!("e2e: the screenshot timed out"),
        }
        if let Ok(page) = tokio::time::timeout(short, browser.describe()).await {
            let _ = std::fs::write(artifacts.join(format!("{stem}.page.txt")), &page);
            eprintln!("e2e: when it failed, {page}");
        }
        eprintln!(
            "e2e: backend log: {}",
            artifacts.join(format!("{stem}.server.log")).display()
        );
    }
    let console = match tokio::time::timeout(short, browser.take_log()).await {
        Ok(result) => result,
        Err(_) => Err("reading the browser log timed out".to_string()),
    };
    if let Ok(entries) = &console {
        let text: Vec<String> = entries
            .iter()
            .map(|e| format!("{} {} {}", e.level, e.source, e.message))
            .collect();
        let _ = std::fs::write(
            artifacts.join(format!("{stem}.console.log")),
            text.join("\n"),
        );
    }
    let _ = tokio::time::timeout(short, browser.client.clone().close()).await;
    drop(browser);
    drop(driver);
    drop(profile);
    drop(backend);

    let unexpected = |entries: &[LogEntry]| -> Vec<String> {
        entries
            .iter()
            .filter(|e| !is_expected(e, options.backend.kind, &options.expected_console))
            .filter(|e| {
                !options
                    .expected_page_errors
                    .iter()
                    .any(|pattern| e.message.contains(pattern))
            })
            .map(|e| format!("  {} [{}] {}", e.level, e.source, e.message))
            .collect()
    };
    if !matches!(outcome, Outcome::Passed) {
        // What the page said is often the cause (a wasm fault, a panic in the app): shown with the failure.
        if let Ok(entries) = &console {
            let errors = unexpected(entries);
            if !errors.is_empty() {
                eprintln!(
                    "e2e: the browser console when it failed:\n{}",
                    errors.join("\n")
                );
            }
        }
    }
    match outcome {
        Outcome::Passed => {}
        Outcome::Panicked(payload) => std::panic::resume_unwind(payload),
        Outcome::TimedOut(t) => panic!("{name}: the flow did not finish within {t:?}"),
        Outcome::Cancelled(e) => panic!("{name}: the flow was cancelled: {e}"),
    }
    let entries = console.or_fail("the console check");
    let unexpected = unexpected(&entries);
    assert!(
        unexpected.is_empty(),
        "{name}: the browser console shows errors:\n{}",
        unexpected.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: &str, source: &str, message: &str) -> LogEntry {
        LogEntry {
            level: level.into(),
            source: source.into(),
            message: message.into(),
        }
    }

    #[test]
    fn api_401s_are_expected_other_errors_are_not() {
        let unauthorized = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:1/api/notes?i=3 - Failed to load resource: the server responded with a status of 401 (Unauthorized)",
        );
        let dev = BackendKind::Dev;
        assert!(is_expected(&unauthorized, dev, &[]));
        let unavailable = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:1/api/auth/refresh - Failed to load resource: the server responded with a status of 503 (Service Unavailable)",
        );
        assert!(!is_expected(&unavailable, dev, &[]));
        assert!(is_expected(&unavailable, dev, &["status of 503"]));
        let panic = entry(
            "SEVERE",
            "console-api",
            "panicked at src/app.rs: status of 401",
        );
        assert!(!is_expected(&panic, dev, &[]));
        let asset = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:1/app.wasm - Failed to load resource: the server responded with a status of 401",
        );
        assert!(!is_expected(&asset, dev, &[]));
        assert!(is_expected(
            &entry("WARNING", "console-api", "careful"),
            dev,
            &[]
        ));
    }

    #[test]
    fn each_backend_has_its_own_expected_answers() {
        let flask = BackendKind::Flask;
        let no_refresh_cookie = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:1/auth/refresh - Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)",
        );
        assert!(is_expected(&no_refresh_cookie, flask, &[]));
        assert!(!is_expected(&no_refresh_cookie, BackendKind::Dev, &[]));
        let csrf_refused = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:1/auth/refresh - Failed to load resource: the server responded with a status of 403 (FORBIDDEN)",
        );
        assert!(!is_expected(&csrf_refused, flask, &[]));
        let bad_login = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:1/auth/login - Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)",
        );
        assert!(!is_expected(&bad_login, flask, &[]));
        assert!(is_expected(&bad_login, flask, &["/auth/login"]));
    }
}
