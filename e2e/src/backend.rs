//! The dev backend as a child process (in memory, test hooks on, serving the built app), and its
//! test hooks over HTTP.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{spawn_server, Guarded};

/// How long a backend may take to print its `listening on` line.
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The refresh endpoint as the stats hook names it.
pub const REFRESH: &str = "POST /api/auth/refresh";

/// Which backend a flow runs against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendKind {
    /// Our dev backend (`server/`).
    #[default]
    Dev,
    /// The independent Flask-JWT-Extended backend (`backends/flask-jwt/`, see [`crate::flask`]).
    Flask,
}

#[derive(Clone, Debug)]
pub struct BackendOptions {
    /// Which backend; [`BackendOptions::latency_ms`] and [`BackendOptions::login_free_failures`]
    /// are the dev backend's only.
    pub kind: BackendKind,
    /// Long by default, so that no proactive refresh happens during a test: only the
    /// `expire-access` hook ends an access token, and the refresh counts are exact.
    pub access_ttl_secs: u32,
    /// `--latency-ms`, added to every API call.
    pub latency_ms: u64,
    /// `--login-free-failures`: failed logins per account before lock-outs start (the backend's default).
    pub login_free_failures: Option<u32>,
    /// `--tls`: HTTPS with a self-signed certificate, HTTP/2 by ALPN (the dev backend's only; the
    /// browser must then be told to accept the certificate, see [`crate::engine::SessionOptions`]).
    pub tls: bool,
}

impl Default for BackendOptions {
    fn default() -> Self {
        Self {
            kind: BackendKind::Dev,
            access_ttl_secs: 3600,
            latency_ms: 0,
            login_free_failures: None,
            tls: false,
        }
    }
}

/// A running backend; killed when dropped (also when the test panics).
pub struct Backend {
    process: Guarded,
    /// `http://127.0.0.1:PORT` (`https://` with [`BackendOptions::tls`]), no trailing slash.
    pub base_url: String,
    pub log_path: PathBuf,
    /// Where the test hooks are (`/api/_test` on the dev backend).
    hooks_prefix: &'static str,
    http: reqwest::Client,
}

/// How an injected refresh failure looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailMode {
    /// The refresh answers 503.
    Unavailable,
    /// The refresh's connection is closed without an answer.
    Drop,
}

impl FailMode {
    fn as_str(self) -> &'static str {
        match self {
            FailMode::Unavailable => "503",
            FailMode::Drop => "drop",
        }
    }

    /// The status the stats hook records for such a call.
    pub fn recorded_status(self) -> &'static str {
        match self {
            FailMode::Unavailable => "503",
            FailMode::Drop => "dropped",
        }
    }
}

impl Backend {
    /// Starts `server_bin` on a free port, serving `dist`, and waits until it listens.
    /// Its stdout and stderr go to `log_path`.
    pub fn start(
        server_bin: &Path,
        dist: &Path,
        options: &BackendOptions,
        log_path: &Path,
    ) -> Result<Backend, String> {
        let args: Vec<OsString> = [
            "--in-memory",
            "--test-hooks",
            "--bind",
            "127.0.0.1:0",
            "--dist",
        ]
        .iter()
        .map(Into::into)
        .chain([dist.as_os_str().to_owned()])
        .chain(
            [
                "--access-ttl-secs".to_string(),
                options.access_ttl_secs.to_string(),
                "--latency-ms".to_string(),
                options.latency_ms.to_string(),
            ]
            .map(Into::into),
        )
        .chain(options.login_free_failures.into_iter().flat_map(|n| {
            [
                OsString::from("--login-free-failures"),
                n.to_string().into(),
            ]
        }))
        .chain(options.tls.then(|| OsString::from("--tls")))
        .collect();
        let (process, base_url) =
            spawn_server(server_bin.as_os_str(), &args, log_path, READY_TIMEOUT)?;
        Backend::started(process, base_url, log_path, "/api/_test")
    }

    /// A backend `process` that listens at `base_url`, with its test hooks under `hooks_prefix`.
    pub(crate) fn started(
        process: Guarded,
        base_url: String,
        log_path: &Path,
        hooks_prefix: &'static str,
    ) -> Result<Backend, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(20))
            // Only ever this local test backend, whose `--tls` certificate is self-signed.
            .danger_accept_invalid_certs(true)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Backend {
            process,
            base_url,
            log_path: log_path.to_path_buf(),
            hooks_prefix,
            http,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn hook(&self, path: &str, body: Option<Value>) -> Value {
        let url = self.url(&format!("{}/{path}", self.hooks_prefix));
        let request = match body {
            Some(body) => self.http.post(&url).json(&body),
            None if path == "stats" => self.http.get(&url),
            None => self.http.post(&url),
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => panic!("test hook {url} failed: {e}"),
        };
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "test hook {url} answered {status}: {text}"
        );
        if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("test hook {url} sent bad JSON ({e}): {text}"))
        }
    }

    /// The request counters. Panics (failing the test) if the hook is refused.
    pub async fn stats(&self) -> Stats {
        Stats(self.hook("stats", None).await)
    }

    /// Zeroes the counters, clears injected faults and latency.
    pub async fn reset(&self) {
        self.hook("reset", None).await;
    }

    /// Every access token issued so far is expired now.
    pub async fn expire_access(&self) {
        self.hook("expire-access", None).await;
    }

    /// Every refresh family is revoked now.
    pub async fn revoke_refresh(&self) {
        self.hook("revoke-refresh", None).await;
    }

    /// The next `count` refresh calls fail as `mode` says.
    pub async fn fail_refresh(&self, count: u32, mode: FailMode) {
        self.hook(
            "fail-refresh",
            Some(json!({ "count": count, "mode": mode.as_str() })),
        )
        .await;
    }

    /// The next `count` refresh calls answer 503 with `Retry-After: retry_after_secs` (a struggling auth server).
    pub async fn throttle_refresh(&self, count: u32, retry_after_secs: u64) {
        self.hook(
            "fail-refresh",
            Some(json!({ "count": count, "mode": "503", "retry_after": retry_after_secs })),
        )
        .await;
    }

    /// Latency for every API call, plus `refresh_ms` more for refresh calls.
    pub async fn latency(&self, ms: u64, refresh_ms: u64) {
        self.hook(
            "latency",
            Some(json!({ "ms": ms, "refresh_ms": refresh_ms })),
        )
        .await;
    }

    /// Signs in over HTTP (a separate session from the browser's) and creates notes for that user,
    /// newest last. Counted in the stats: call [`Backend::reset`] afterwards.
    pub async fn seed_notes(&self, username: &str, password: &str, notes: &[(&str, &str)]) {
        let login = self.url("/api/auth/login");
        let response = match self
            .http
            .post(&login)
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => panic!("seeding: login failed: {e}"),
        };
        assert_eq!(response.status().as_u16(), 200, "seeding: login status");
        // The cookies are `Secure`, which a cookie jar would not send over plain http: carry them by hand.
        let cookies: Vec<(String, String)> = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let csrf = cookies
            .iter()
            .find(|(k, _)| k == "lanyard_csrf")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert!(
            !csrf.is_empty(),
            "seeding: login set no lanyard_csrf cookie"
        );
        let cookie_header = cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        for (title, body) in notes {
            let response = match self
                .http
                .post(self.url("/api/notes"))
                .header(reqwest::header::COOKIE, &cookie_header)
                .header("X-CSRF-Token", &csrf)
                .json(&json!({ "title": title, "body": body }))
                .send()
                .await
            {
                Ok(r) => r,
                Err(e) => panic!("seeding: creating a note failed: {e}"),
            };
            assert_eq!(
                response.status().as_u16(),
                201,
                "seeding: creating note {title:?}"
            );
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.process.kill();
    }
}

/// What `GET /api/_test/stats` answered.
#[derive(Clone, Debug)]
pub struct Stats(pub Value);

impl Stats {
    /// Calls of `endpoint` (e.g. `"GET /api/notes"`) answered with `status` (e.g. `"200"`).
    pub fn count(&self, endpoint: &str, status: &str) -> u64 {
        self.0["by_endpoint"][endpoint][status]
            .as_u64()
            .unwrap_or(0)
    }

    /// Calls of `endpoint`, whatever the answer.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.0["by_endpoint"][endpoint]
            .as_object()
            .map(|by_status| by_status.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    }

    /// Refresh calls, whatever the answer.
    pub fn refreshes(&self) -> u64 {
        self.calls(REFRESH)
    }

    /// Every API call counted.
    pub fn total(&self) -> u64 {
        self.0["total"].as_u64().unwrap_or(0)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_endpoint_and_status() {
        let stats = Stats(json!({"total": 4, "by_endpoint": {
            "POST /api/auth/refresh": {"200": 1, "401": 2},
            "GET /api/notes": {"200": 1}
        }}));
        assert_eq!(stats.count(REFRESH, "200"), 1);
        assert_eq!(stats.count(REFRESH, "503"), 0);
        assert_eq!(stats.refreshes(), 3);
        assert_eq!(stats.calls("GET /api/me"), 0);
        assert_eq!(stats.total(), 4);
    }
}
