//! Command-line flags (each with an environment fallback).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::Parser;

/// Lanyard's dev backend: a cookie-session auth API (login, rotating refresh tokens with reuse
/// detection, signed CSRF double submit) plus a small notes API, backed by SQLite. Optionally serves the
/// SPA's `dist/` directory with a strict Content-Security-Policy.
#[derive(Debug, Clone, Parser)]
#[command(name = "lanyard-server", version, about, long_about = None)]
pub struct Config {
    /// Address to listen on. Use port 0 to pick a free port (the real one is printed).
    #[arg(long, env = "LANYARD_BIND", default_value = "127.0.0.1:8081")]
    pub bind: SocketAddr,

    /// Directory holding `lanyard.db`; created if missing.
    #[arg(long, env = "LANYARD_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Keep everything in memory (nothing is written to disk; `--data-dir` is ignored).
    #[arg(long, env = "LANYARD_IN_MEMORY", value_parser = BoolishValueParser::new())]
    pub in_memory: bool,

    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "LANYARD_ACCESS_TTL_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub access_ttl_secs: u32,

    /// Absolute lifetime of a login (refresh-token family), in seconds. Rotation never extends it.
    #[arg(long, env = "LANYARD_REFRESH_TTL_SECS", default_value_t = 28800,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub refresh_ttl_secs: u32,

    /// Delete dead sessions (revoked or past their lifetime) and expired access tokens every this many
    /// seconds, and once at start-up; 0 = never.
    #[arg(long, env = "LANYARD_HOUSEKEEPING_SECS", default_value_t = 600)]
    pub housekeeping_secs: u64,

    /// Serve the built SPA from this directory (Trunk's `dist/`), with index.html fallback.
    #[arg(long, env = "LANYARD_DIST")]
    pub dist: Option<PathBuf>,

    /// Enable the `/api/_test/*` hooks (stats, fault and latency injection). Never in production.
    #[arg(long, env = "LANYARD_TEST_HOOKS", value_parser = BoolishValueParser::new())]
    pub test_hooks: bool,

    /// Failed logins per account before lock-outs start (then 1 s, 2 s, 4 s … up to 5 min per failure).
    #[arg(long, env = "LANYARD_LOGIN_FREE_FAILURES", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_free_failures: u32,

    /// Failed logins per client address, over all accounts, before lock-outs start.
    #[arg(long, env = "LANYARD_LOGIN_FREE_FAILURES_PER_ADDRESS", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub login_free_failures_per_address: u32,

    /// How long a request body may take to arrive, in seconds; a slower one is answered 408 and its
    /// connection closed (slow headers are cut by the HTTP layer after 30 s).
    #[arg(long, env = "LANYARD_BODY_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub body_timeout_secs: u32,

    /// Artificial latency added to every API call, in milliseconds.
    #[arg(long, env = "LANYARD_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Allow credentialed cross-origin requests from this exact origin (repeatable; needs
    /// `--test-hooks`). Used by the wasm-bindgen-test runner's page.
    #[arg(
        long = "cors-origin",
        env = "LANYARD_CORS_ORIGIN",
        value_delimiter = ',',
        requires = "test_hooks"
    )]
    pub cors_origins: Vec<String>,

    /// Drop the `Secure` cookie attribute everywhere. Only for plain-http deployments on a host other than
    /// localhost/127.0.0.1 (pages served over plain HTTP from loopback already get cookies without it, since
    /// WebKit refuses `Secure` cookies there).
    #[arg(long, env = "LANYARD_INSECURE_COOKIES", value_parser = BoolishValueParser::new())]
    pub insecure_cookies: bool,

    /// Serve HTTPS (HTTP/2 and HTTP/1.1, by ALPN) with a self-signed certificate made at start-up for
    /// localhost, 127.0.0.1 and ::1 (browsers warn about it once; tests accept it).
    #[arg(long, env = "LANYARD_TLS", value_parser = BoolishValueParser::new())]
    pub tls: bool,

    /// Serve HTTPS with this certificate chain (PEM) instead of a generated one; needs `--tls-key`.
    #[arg(
        long,
        env = "LANYARD_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1) of `--tls-cert`.
    #[arg(
        long,
        env = "LANYARD_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
}

impl Config {
    /// Checks rules that span several flags (and their environment variables).
    pub fn validate(&self) -> Result<(), String> {
        if !self.cors_origins.is_empty() && !self.test_hooks {
            return Err(
                "--cors-origin (LANYARD_CORS_ORIGIN) is only accepted together with \
                        --test-hooks: cross-origin access is for the test runner only"
                    .into(),
            );
        }
        Ok(())
    }

    /// Whether the server speaks HTTPS (`--tls`, or a certificate given).
    pub fn serves_tls(&self) -> bool {
        self.tls || self.tls_cert.is_some()
    }

    /// Whether cookies carry the `Secure` attribute (the default).
    pub fn secure_cookies(&self) -> bool {
        !self.insecure_cookies
    }

    /// A config for tests and benchmarks: in memory, ephemeral port, everything else default.
    pub fn for_tests<I, T>(extra_args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut args: Vec<std::ffi::OsString> = vec![
            "lanyard-server".into(),
            "--in-memory".into(),
            "--bind".into(),
            "127.0.0.1:0".into(),
        ];
        args.extend(extra_args.into_iter().map(Into::into));
        let config = Self::try_parse_from(args)?;
        config.validate().map_err(|msg| {
            <Self as clap::CommandFactory>::command()
                .error(clap::error::ErrorKind::ArgumentConflict, msg)
        })?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origin_requires_test_hooks() {
        let alone = Config::try_parse_from(["x", "--cors-origin", "http://127.0.0.1:9000"]);
        assert!(alone
            .map_err(|e| e.to_string())
            .and_then(|c| c.validate())
            .is_err());
        let ok = Config::try_parse_from([
            "x",
            "--test-hooks",
            "--cors-origin",
            "http://a:1",
            "--cors-origin",
            "http://b:2",
        ]);
        assert_eq!(ok.as_ref().map(|c| c.validate().is_ok()).ok(), Some(true));
        assert_eq!(
            ok.map(|c| c.cors_origins).unwrap_or_default(),
            vec!["http://a:1", "http://b:2"]
        );
    }

    #[test]
    fn defaults() {
        let c = Config::try_parse_from(["x"]).map_err(|e| e.to_string());
        let c = c.as_ref().map_err(String::as_str);
        assert_eq!(c.map(|c| c.bind.port()), Ok(8081));
        assert_eq!(c.map(|c| c.access_ttl_secs), Ok(30));
        assert_eq!(c.map(|c| c.refresh_ttl_secs), Ok(28800));
        assert_eq!(c.map(Config::secure_cookies), Ok(true));
    }
}
