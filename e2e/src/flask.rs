//! The independent backend (`backends/flask-jwt/`: Flask + Flask-JWT-Extended, its own cookie, CSRF
//! and user shapes) as a child process, serving the built app with its own `config.json`. Its test
//! hooks (`/_test/…`) answer like the dev backend's, so [`Backend`]'s methods drive both.

use std::ffi::OsString;
use std::path::Path;

use crate::backend::{Backend, BackendOptions, READY_TIMEOUT};
use crate::process::spawn_server;

/// The refresh endpoint as the Flask backend's stats hook names it.
pub const FLASK_REFRESH: &str = "POST /auth/refresh";

/// The demo accounts of the Flask backend (`users.py`).
pub const ALICE: (&str, &str) = ("alice@example.com", "alice-pass");
pub const BOB: (&str, &str) = ("bob@example.com", "bob-pass");

/// Starts `python app.py` on a free port with its test hooks on, serving `dist` and `config` (the
/// backend's own `config.json` when `None`), and waits until it listens. Output goes to `log_path`.
pub fn start(
    python: &Path,
    dist: &Path,
    config: Option<&Path>,
    options: &BackendOptions,
    log_path: &Path,
) -> Result<Backend, String> {
    if options.tls {
        return Err("the Flask backend serves plain HTTP only (BackendOptions::tls)".into());
    }
    let app = crate::paths::flask_app()?;
    let mut args: Vec<OsString> = vec![
        // Unbuffered, so that the ready line and any traceback reach the log at once; no
        // `__pycache__` written into the source tree.
        "-u".into(),
        "-B".into(),
        app.into_os_string(),
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--test-hooks".into(),
        "--dist".into(),
        dist.as_os_str().to_owned(),
        "--access-ttl-secs".into(),
        options.access_ttl_secs.to_string().into(),
    ];
    if let Some(config) = config {
        args.extend(["--config".into(), config.as_os_str().to_owned()]);
    }
    let (process, base_url) = spawn_server(python.as_os_str(), &args, log_path, READY_TIMEOUT)?;
    Backend::started(process, base_url, log_path, "/_test")
}
