//! Lanyard: a Yew SPA with cookie-session auth done right.
pub mod client;

#[cfg(target_arch = "wasm32")]
pub fn start() {}
