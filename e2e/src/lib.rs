//! The end-to-end harness: the dev backend and the built app, driven in headless Chromium, Firefox and
//! WebKit (`LANYARD_E2E_BROWSER`, see [`engine`]).
//!
//! Each flow in `tests/` runs through [`harness::run`], which starts a fresh backend (in memory,
//! test hooks on, serving `dist/`), chromedriver and a browser session with an empty profile, and
//! stops them all afterwards. Flows assert what the user sees (through [`browser::Browser`]) and
//! what the server counted (through [`backend::Backend::stats`]).
//!
//! Flows through [`harness::run_flask`] run against the independent Flask-JWT-Extended backend
//! (`backends/flask-jwt/`) instead.
//!
//! Inputs (set by `cargo xtask test`; defaults for running by hand): `LANYARD_E2E_BROWSER` (`chromium`,
//! `firefox` or `webkit`), `LANYARD_SERVER_BIN` (`target/debug/lanyard-server`), `LANYARD_DIST` (`dist/`),
//! `CHROMEDRIVER` (`/usr/bin/chromedriver`), `GECKODRIVER` (`~/.cargo/bin/geckodriver`), `LANYARD_MINIBROWSER`
//! (found under `/usr/lib/*/webkit2gtk-4.1/`), `LANYARD_FLASK_PYTHON` (`target/tools/flask-venv/bin/python`).

pub mod backend;
pub mod browser;
pub mod check;
pub mod chromium;
pub mod console;
pub mod dist;
pub mod driver;
pub mod engine;
pub mod flask;
pub mod harness;
pub mod lab;
pub mod paths;
pub mod process;
pub mod tls;

pub use backend::{Backend, BackendKind, BackendOptions, FailMode, Stats, REFRESH};
pub use browser::{testid, Browser, OrFail, WAIT};
pub use dist::ConfigFile;
pub use engine::Engine;
pub use flask::FLASK_REFRESH;
pub use harness::{run, run_flask, Ctx, Options};
