//! Runtime configuration, read from `/config.json` before the app mounts.
//!
//! Every field is optional: a missing one takes the compiled-in default, so an empty `{}` (or no file at all)
//! gives a working same-origin setup. Unknown fields are rejected so that a typo (`refesh_path`) is reported
//! instead of silently ignored, and [`Config::validate`] names the field at fault and says why.

use serde::{Deserialize, Serialize};

/// How much the app logs to the browser console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// The matching `log` crate filter.
    pub fn to_level_filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Off => log::LevelFilter::Off,
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }
}

/// The SPA's runtime configuration. See `docs/API.md` for what the defaults point at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Origin (and optional path prefix) of the API; `""` means the page's own origin.
    pub api_base: String,
    pub login_path: String,
    pub refresh_path: String,
    pub logout_path: String,
    pub me_path: String,
    /// Statuses that mean "the access token is missing or expired": refresh once, then replay.
    pub refresh_on_status: Vec<u16>,
    /// The readable cookie whose value is echoed in [`Config::csrf_header`] (double submit).
    pub csrf_cookie: String,
    /// The CSRF cookie the refresh call echoes; `None` means the same as `csrf_cookie`.
    pub refresh_csrf_cookie: Option<String>,
    pub csrf_header: String,
    pub request_timeout_ms: u64,
    pub refresh_timeout_ms: u64,
    /// At most this many of the client's requests on the wire at once (0 = no cap). Below the browser's
    /// ~6 HTTP/1.1 connections per host, so the refresh call never queues behind a storm; raise it for an
    /// HTTP/2 backend.
    pub max_in_flight: usize,
    /// How many requests may wait for a refresh at once.
    pub queue_max: usize,
    /// How long a request may wait for a refresh before it fails with a clear error.
    pub queue_max_wait_ms: u64,
    /// Refresh this long before the access token expires; 0 = only after a 401.
    pub proactive_skew_ms: u64,
    pub log_level: LogLevel,
    /// Shows the Lab page (client statistics and fault drills).
    pub lab_enabled: bool,
    /// Shows the dev backend's demo accounts on the login page.
    pub show_demo_credentials: bool,
}

/// Whether this build has the Lab page (the `lab` cargo feature); `lab_enabled` only shows it if so.
pub const LAB_BUILT: bool = cfg!(feature = "lab");

impl Default for Config {
    fn default() -> Self {
        Config {
            api_base: String::new(),
            login_path: "/api/auth/login".into(),
            refresh_path: "/api/auth/refresh".into(),
            logout_path: "/api/auth/logout".into(),
            me_path: "/api/me".into(),
            refresh_on_status: vec![401],
            csrf_cookie: "lanyard_csrf".into(),
            refresh_csrf_cookie: None,
            csrf_header: "X-CSRF-Token".into(),
            request_timeout_ms: 15_000,
            refresh_timeout_ms: 10_000,
            max_in_flight: 5,
            queue_max: 2_000,
            queue_max_wait_ms: 20_000,
            proactive_skew_ms: 5_000,
            log_level: LogLevel::Info,
            lab_enabled: false,
            show_demo_credentials: false,
        }
    }
}

/// Why a configuration could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file is not JSON of the expected shape (serde's message names the field and position).
    #[error("config.json could not be read: {0}")]
    Parse(String),
    /// A field has a value the client cannot work with.
    #[error("config.json: `{field}` {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The file could not be fetched (other than "not found", which means defaults); used by the loader.
    #[error("config.json could not be loaded: {0}")]
    Load(String),
}

/// An hour: no sane timeout, wait or skew is longer, and a bigger value is most likely a unit mistake.
const MAX_MS: u64 = 3_600_000;

fn invalid(field: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field,
        reason: reason.into(),
    }
}

impl Config {
    /// Parses and validates `config.json`'s text.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_json::from_slice(text.as_bytes())
            .map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The CSRF cookie the refresh call reads.
    pub fn refresh_csrf_cookie(&self) -> &str {
        self.refresh_csrf_cookie
            .as_deref()
            .unwrap_or(&self.csrf_cookie)
    }

    /// The absolute (or same-origin) URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.api_base, path)
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let base = &self.api_base;
        if !base.is_empty() {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(invalid(
                    "api_base",
                    "must be empty (same origin) or start with http:// or https://",
                ));
            }
            if base.ends_with('/') {
                return Err(invalid(
                    "api_base",
                    "must not end with '/' (paths start with one)",
                ));
            }
        }
        for (field, path) in [
            ("login_path", &self.login_path),
            ("refresh_path", &self.refresh_path),
            ("logout_path", &self.logout_path),
            ("me_path", &self.me_path),
        ] {
            if !path.starts_with('/') || path.chars().any(char::is_whitespace) {
                return Err(invalid(
                    field,
                    format!("must start with '/' and contain no spaces (got {path:?})"),
                ));
            }
        }
        if self.refresh_path == self.login_path {
            return Err(invalid("refresh_path", "must differ from login_path"));
        }
        if self.refresh_on_status.is_empty() {
            return Err(invalid(
                "refresh_on_status",
                "must list at least one status (usually [401])",
            ));
        }
        if let Some(s) = self
            .refresh_on_status
            .iter()
            .find(|s| !(400..=599).contains(*s))
        {
            return Err(invalid(
                "refresh_on_status",
                format!("{s} is not an HTTP error status (400–599)"),
            ));
        }
        check_token("csrf_cookie", &self.csrf_cookie)?;
        if let Some(name) = &self.refresh_csrf_cookie {
            check_token("refresh_csrf_cookie", name)?;
        }
        check_token("csrf_header", &self.csrf_header)?;
        for (field, ms) in [
            ("request_timeout_ms", self.request_timeout_ms),
            ("refresh_timeout_ms", self.refresh_timeout_ms),
            ("queue_max_wait_ms", self.queue_max_wait_ms),
        ] {
            if ms == 0 || ms > MAX_MS {
                return Err(invalid(
                    field,
                    format!("must be between 1 and {MAX_MS} milliseconds (got {ms})"),
                ));
            }
        }
        if self.proactive_skew_ms > MAX_MS {
            return Err(invalid(
                "proactive_skew_ms",
                format!("must be at most {MAX_MS} milliseconds (0 = only refresh after a 401)"),
            ));
        }
        if self.max_in_flight > 10_000 {
            return Err(invalid(
                "max_in_flight",
                format!(
                    "must be at most 10000, or 0 for no cap (got {})",
                    self.max_in_flight
                ),
            ));
        }
        if self.queue_max == 0 || self.queue_max > 100_000 {
            return Err(invalid(
                "queue_max",
                format!("must be between 1 and 100000 (got {})", self.queue_max),
            ));
        }
        Ok(())
    }
}

/// Cookie names and header names share the HTTP "token" grammar: visible ASCII without separators.
fn check_token(field: &'static str, value: &str) -> Result<(), ConfigError> {
    const SEPARATORS: &str = "()<>@,;:\\\"/[]?={} \t";
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !c.is_ascii_graphic() || SEPARATORS.contains(*c))
    {
        return Err(invalid(
            field,
            format!("contains {c:?}, which is not allowed in a cookie or header name"),
        ));
    }
    Ok(())
}

// proptest is a host-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
