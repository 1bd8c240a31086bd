//! Lanyard: a Yew SPA with cookie-session auth done right — one refresh, a queue, an in-order replay.
//!
//! The browser-free parts (the refresh coordinator, configuration, session state, safe redirects) compile
//! and are tested on the host; the UI and the browser transport compile only for wasm32.

pub mod client;
pub mod config;
pub mod routes;
pub mod session;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
mod boot;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
mod logging;
#[cfg(target_arch = "wasm32")]
pub mod pages;

#[cfg(target_arch = "wasm32")]
pub use boot::start;
