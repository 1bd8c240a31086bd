//! What the client needs to know about your backend: endpoints, the statuses that mean "expired", the CSRF
//! names, where the access token's expiry is reported, timeouts and bounds.
//!
//! Every field has a default that matches a conventional setup (see the table in the crate README), so you set
//! only what differs. [`ClientConfig::validate`] names the first field at fault and says why; the client
//! refuses nothing at run time that validation would have caught.
//!
//! ```
//! use lanyard_client::ClientConfig;
//!
//! let mut config = ClientConfig::default();
//! config.api_base = "https://api.example.com".into();
//! config.refresh_path = "/auth/token/refresh".into();
//! config.csrf_cookie = "csrf_access_token".into();
//! config.csrf_header = "X-CSRF-TOKEN".into();
//! config.validate()?;
//! assert_eq!(config.url("/me"), "https://api.example.com/me");
//!
//! // Or from JSON, with unknown fields rejected (a typo is an error, not a silent default):
//! let config = ClientConfig::from_json(r#"{"api_base": "https://api.example.com"}"#)?;
//! assert!(ClientConfig::from_json(r#"{"refesh_path": "/x"}"#).is_err());
//! # Ok::<(), lanyard_client::ConfigError>(())
//! ```

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The client's configuration. Construct it with `Default` and set fields, or read it from JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Origin (and optional path prefix) of the API; `""` means the page's own origin.
    pub api_base: String,
    /// Sign-in endpoint (`POST`, never refreshed or replayed).
    pub login_path: String,
    /// Refresh endpoint (`POST`): answers 2xx with rotated cookies, 401/403 when the session is over.
    pub refresh_path: String,
    /// Sign-out endpoint (`POST`).
    pub logout_path: String,
    /// "Who am I" endpoint (`GET`), used at start-up to learn whether a session exists.
    pub me_path: String,
    /// Statuses that mean "the access token is missing or expired": refresh once, then replay.
    pub refresh_on_status: Vec<u16>,
    /// The readable cookie whose value is echoed in [`ClientConfig::csrf_header`] (double submit).
    pub csrf_cookie: String,
    /// The CSRF cookie the refresh call echoes; `None` means the same as `csrf_cookie`.
    pub refresh_csrf_cookie: Option<String>,
    /// The header that carries the CSRF cookie's value on unsafe methods.
    pub csrf_header: String,
    /// The top-level field of the login, refresh and "who am I" answers that tells when the access token
    /// expires; `None` (or a backend that does not send it) means reactive refresh only.
    pub expiry_field: Option<String>,
    /// How [`ClientConfig::expiry_field`] counts.
    pub expiry_unit: ExpiryUnit,
    /// Per transmission of an API call, in milliseconds.
    pub request_timeout_ms: u64,
    /// For the refresh call, including the wait for the cross-tab lock.
    pub refresh_timeout_ms: u64,
    /// How many of the client's requests may be on the wire at once: `"auto"` (the default) fits the protocol
    /// the answers come over, a number fixes it (0 = no cap). See [`InFlightCap`].
    pub max_in_flight: InFlightCap,
    /// How many requests may wait for a refresh at once.
    pub queue_max: usize,
    /// How long a request may wait for a refresh before it fails with a clear error.
    pub queue_max_wait_ms: u64,
    /// Refresh this long before the access token expires; 0 = only after an auth failure.
    pub proactive_skew_ms: u64,
    /// Automatic retries of an idempotent call (GET, PUT, DELETE, or marked) that met a network error,
    /// 502/503/504, or a 429 with `Retry-After`; within the call's timeout. 0 = none. Per call:
    /// [`Request::retries`](crate::Request::retries).
    pub max_retries: u32,
    /// Prefix of the Web Lock and BroadcastChannel names (`<namespace>-refresh`, …), so two
    /// apps on one origin do not share a lock or hear each other's sessions.
    pub namespace: String,
}

/// How many requests may be on the wire at once.
///
/// The cap exists for the refresh call: over HTTP/1.1 a browser opens about six connections per host, and a
/// storm holding all six would make the refresh — which everything waits for — queue behind it. `Auto` starts
/// at 5 (one connection kept free) until an answer shows the protocol (Resource Timing's `nextHopProtocol`).
/// Over HTTP/1.1 it then uses all 6 and keeps one free only while a refresh may be near (an auth failure seen,
/// a refresh running, or a known expiry within the proactive skew plus a request timeout); over HTTP/2 or 3,
/// which multiplex one connection, 100 (99 while a refresh may be near). A cross-origin API exposes the
/// protocol only with a `Timing-Allow-Origin` header; without one `Auto` stays at 5: send that header, or fix
/// the number here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum InFlightCap {
    /// Fit the protocol (see the type's docs).
    #[default]
    Auto,
    /// Exactly this many (0 = no cap).
    Fixed(usize),
}

impl Serialize for InFlightCap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            InFlightCap::Auto => s.serialize_str("auto"),
            InFlightCap::Fixed(n) => s.serialize_u64(*n as u64),
        }
    }
}

impl<'de> Deserialize<'de> for InFlightCap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CapVisitor;
        impl serde::de::Visitor<'_> for CapVisitor {
            type Value = InFlightCap;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"auto\" or a number of requests")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<InFlightCap, E> {
                match v {
                    "auto" => Ok(InFlightCap::Auto),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<InFlightCap, E> {
                Ok(InFlightCap::Fixed(usize::try_from(v).unwrap_or(usize::MAX)))
            }
        }
        d.deserialize_any(CapVisitor)
    }
}

/// The unit of the expiry field in the backend's answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExpiryUnit {
    /// Unix time in milliseconds (`"access_expires_at": 1767225600000`).
    #[default]
    UnixMs,
    /// Unix time in seconds (`"exp": 1767225600`).
    UnixSeconds,
    /// Seconds from when the answer arrived (`"expires_in": 900`).
    SecondsFromNow,
}

/// By hand, from the name: the derive's variant visitor is several times this size in every app that
/// reads a configuration. Same names and the same "unknown variant …, expected one of …" error.
impl<'de> Deserialize<'de> for ExpiryUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const VARIANTS: &[&str] = &["unix_ms", "unix_seconds", "seconds_from_now"];
        let name = String::deserialize(d)?;
        match name.as_str() {
            "unix_ms" => Ok(ExpiryUnit::UnixMs),
            "unix_seconds" => Ok(ExpiryUnit::UnixSeconds),
            "seconds_from_now" => Ok(ExpiryUnit::SecondsFromNow),
            other => Err(serde::de::Error::unknown_variant(other, VARIANTS)),
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_base: String::new(),
            login_path: "/api/auth/login".into(),
            refresh_path: "/api/auth/refresh".into(),
            logout_path: "/api/auth/logout".into(),
            me_path: "/api/me".into(),
            refresh_on_status: vec![401],
            csrf_cookie: "lanyard_csrf".into(),
            refresh_csrf_cookie: None,
            csrf_header: "X-CSRF-Token".into(),
            expiry_field: Some("access_expires_at".into()),
            expiry_unit: ExpiryUnit::UnixMs,
            request_timeout_ms: 15_000,
            refresh_timeout_ms: 10_000,
            max_in_flight: InFlightCap::Auto,
            queue_max: 2_000,
            queue_max_wait_ms: 20_000,
            proactive_skew_ms: 5_000,
            max_retries: 2,
            namespace: "lanyard".into(),
        }
    }
}

/// Why a configuration could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON of the expected shape (serde's message names the field and position).
    #[error("the configuration could not be read: {0}")]
    Parse(String),
    /// A field the configuration does not have (most likely a typo).
    #[error("unknown configuration field `{0}`")]
    UnknownField(String),
    /// A field has a value the client cannot work with.
    #[error("`{field}` {reason}")]
    Invalid {
        /// The field's name, as in JSON.
        field: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

impl ConfigError {
    /// The field at fault, when the error is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { field, .. } => Some(field),
            ConfigError::UnknownField(name) => Some(name),
            ConfigError::Parse(_) => None,
        }
    }
}

/// An hour: no sane timeout, wait or skew is longer, and a bigger value is most likely a unit mistake.
const MAX_MS: u64 = 3_600_000;

fn invalid(field: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field,
        reason: reason.into(),
    }
}

impl ClientConfig {
    /// Every field's JSON name, for callers that embed this configuration in a larger JSON object and
    /// must tell its fields from unknown ones (see [`unknown_field`]).
    pub const FIELDS: &'static [&'static str] = &[
        "api_base",
        "login_path",
        "refresh_path",
        "logout_path",
        "me_path",
        "refresh_on_status",
        "csrf_cookie",
        "refresh_csrf_cookie",
        "csrf_header",
        "expiry_field",
        "expiry_unit",
        "request_timeout_ms",
        "refresh_timeout_ms",
        "max_in_flight",
        "queue_max",
        "queue_max_wait_ms",
        "proactive_skew_ms",
        "max_retries",
        "namespace",
    ];

    /// Parses and validates a JSON object of these fields; any other field is an error.
    pub fn from_json(text: &str) -> Result<ClientConfig, ConfigError> {
        if let Some(field) = unknown_field(text, &[Self::FIELDS])? {
            return Err(ConfigError::UnknownField(field));
        }
        let config: ClientConfig = serde_json::from_slice(text.as_bytes())
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
        if let Some(field) = &self.expiry_field {
            if field.trim().is_empty() {
                return Err(invalid(
                    "expiry_field",
                    "must not be empty (use null when the backend reports no expiry)",
                ));
            }
        }
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
        if let InFlightCap::Fixed(n @ 10_001..) = self.max_in_flight {
            return Err(invalid(
                "max_in_flight",
                format!("must be \"auto\", at most 10000, or 0 for no cap (got {n})"),
            ));
        }
        if self.queue_max == 0 || self.queue_max > 100_000 {
            return Err(invalid(
                "queue_max",
                format!("must be between 1 and 100000 (got {})", self.queue_max),
            ));
        }
        if self.max_retries > 10 {
            return Err(invalid(
                "max_retries",
                format!("must be at most 10 (got {})", self.max_retries),
            ));
        }
        check_token("namespace", &self.namespace)?;
        Ok(())
    }
}

/// The first field (in sorted order) of the JSON object `text` that none of `known` lists, if any. For
/// configurations that embed [`ClientConfig`] beside fields of their own: serde's `deny_unknown_fields` cannot
/// be combined with `flatten`, so the check is done on the keys first.
pub fn unknown_field(text: &str, known: &[&[&str]]) -> Result<Option<String>, ConfigError> {
    // The keys are checked as they are read rather than collected into a map: a map type of its own
    // would add its code to every app that reads a configuration.
    struct FirstUnknown<'k>(&'k [&'k [&'k str]]);
    impl<'de> Visitor<'de> for FirstUnknown<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut first: Option<String> = None;
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                let known = self.0.iter().any(|list| list.contains(&key.as_str()));
                if !known && first.as_ref().is_none_or(|first| key < *first) {
                    first = Some(key);
                }
            }
            Ok(first)
        }
    }
    let parse = |e: serde_json::Error| ConfigError::Parse(e.to_string());
    // From bytes, as the client reads every answer: `from_str` would add a second copy of serde_json's
    // parser (its `StrRead` instantiation) to an app.
    let mut de = serde_json::Deserializer::from_slice(text.as_bytes());
    let first =
        serde::Deserializer::deserialize_map(&mut de, FirstUnknown(known)).map_err(parse)?;
    de.end().map_err(parse)?;
    Ok(first)
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

#[cfg(test)]
mod tests;
