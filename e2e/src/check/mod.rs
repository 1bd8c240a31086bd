//! `check-backend`: points Lanyard at someone's own backend and reports, one line per check, whether it
//! speaks the session protocol the app needs (cookies, CSRF, expiry, one refresh for a storm, rotation,
//! logout, CORS), and what to change when it does not. The binary is `src/bin/check_backend.rs`;
//! `cargo xtask check-backend` builds what it needs and runs it.

pub mod args;
pub mod attributes;
pub mod cookies;
pub mod cors;
pub mod expiry;
pub mod http;
pub mod protocol;
pub mod proxy;
pub mod report;
pub mod run;
pub mod storm;
pub mod target;
