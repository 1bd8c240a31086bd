//! Runtime configuration, read from `/config.json` before the app mounts.
//!
//! Every field is optional: a missing one takes the compiled-in default, so an empty `{}` (or no file at all)
//! gives a working same-origin setup. Unknown fields are rejected so that a typo (`refesh_path`) is reported
//! instead of silently ignored, and a bad value names the field at fault and says why.

use lanyard_client::ClientConfig;
use serde::{Deserialize, Serialize};

/// How much the app logs to the browser console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
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

/// By hand, from the name: the derive's variant visitor is several times this size. Same names and the
/// same "unknown variant …, expected one of …" error.
impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const VARIANTS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];
        let name = String::deserialize(d)?;
        match name.as_str() {
            "off" => Ok(LogLevel::Off),
            "error" => Ok(LogLevel::Error),
            "warn" => Ok(LogLevel::Warn),
            "info" => Ok(LogLevel::Info),
            "debug" => Ok(LogLevel::Debug),
            "trace" => Ok(LogLevel::Trace),
            other => Err(serde::de::Error::unknown_variant(other, VARIANTS)),
        }
    }
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

/// The SPA's runtime configuration: the client's fields (see `lanyard_client::ClientConfig`) and the app's
/// own, side by side in one flat JSON object. See `docs/API.md` for what the defaults point at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Config {
    /// Endpoints, CSRF names, timeouts and bounds: everything the client needs.
    #[serde(flatten)]
    pub client: ClientConfig,
    /// How much the app logs to the browser console.
    pub log_level: LogLevel,
    /// Shows the Lab page (client statistics and fault drills).
    pub lab_enabled: bool,
    /// Shows the dev backend's demo accounts on the login page.
    pub show_demo_credentials: bool,
    /// The sign-in body's field for what the user types as their name (`username`, `email`, …); the
    /// password always goes in `password`.
    pub login_field: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client: ClientConfig::default(),
            log_level: LogLevel::default(),
            lab_enabled: false,
            show_demo_credentials: false,
            login_field: DEFAULT_LOGIN_FIELD.into(),
        }
    }
}

const DEFAULT_LOGIN_FIELD: &str = "username";

/// The app's own fields of config.json (the client's are read by the client's type).
#[derive(Deserialize)]
#[serde(default)]
struct AppFields {
    log_level: LogLevel,
    lab_enabled: bool,
    show_demo_credentials: bool,
    login_field: String,
}

impl Default for AppFields {
    fn default() -> Self {
        let Config {
            log_level,
            lab_enabled,
            show_demo_credentials,
            login_field,
            ..
        } = Config::default();
        AppFields {
            log_level,
            lab_enabled,
            show_demo_credentials,
            login_field,
        }
    }
}

const APP_FIELDS: &[&str] = &[
    "log_level",
    "lab_enabled",
    "show_demo_credentials",
    "login_field",
];

/// Whether this build has the Lab page (the `lab` cargo feature); `lab_enabled` only shows it if so.
pub const LAB_BUILT: bool = cfg!(feature = "lab");

/// Why a configuration could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file is unusable: not JSON of the expected shape, an unknown field, or a bad value (the message
    /// names the field).
    #[error("config.json: {0}")]
    Invalid(#[from] lanyard_client::ConfigError),
    /// The file could not be fetched (other than "not found", which means defaults); used by the loader.
    #[error("config.json could not be loaded: {0}")]
    Load(String),
}

impl Config {
    /// Parses and validates `config.json`'s text. Unknown fields are rejected, so a typo (`refesh_path`)
    /// is reported instead of silently ignored.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        use lanyard_client::config::unknown_field;
        if let Some(field) = unknown_field(text, &[ClientConfig::FIELDS, APP_FIELDS])? {
            return Err(lanyard_client::ConfigError::UnknownField(field).into());
        }
        let parse = |e: serde_json::Error| lanyard_client::ConfigError::Parse(e.to_string());
        // From bytes, like every other JSON the app reads: `from_str` would ship a second copy of
        // serde_json's parser (its `StrRead` instantiation) for this one file.
        let client: ClientConfig = serde_json::from_slice(text.as_bytes()).map_err(parse)?;
        let app: AppFields = serde_json::from_slice(text.as_bytes()).map_err(parse)?;
        client.validate()?;
        let login_field = app.login_field.trim();
        if login_field.is_empty() || login_field == "password" {
            return Err(lanyard_client::ConfigError::Invalid {
                field: "login_field",
                reason: format!(
                    "must name the sign-in body's user field, such as \"username\" or \"email\" (got {:?})",
                    app.login_field
                ),
            }
            .into());
        }
        Ok(Config {
            client,
            log_level: app.log_level,
            lab_enabled: app.lab_enabled,
            show_demo_credentials: app.show_demo_credentials,
            login_field: login_field.to_owned(),
        })
    }
}

// proptest is a host-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
