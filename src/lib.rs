//! Lanyard: a Yew SPA with cookie-session auth done right — one refresh, a queue, an in-order replay —
//! built on the `lanyard-client` and `lanyard-yew` crates.
//!
//! The browser-free parts (configuration, routes, drafts, messages) compile and are tested on the host; the
//! UI compiles only for wasm32.

pub mod config;
pub mod drafts;
pub mod messages;
pub mod routes;
pub mod sign_in;
pub mod user;

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
