//! The session as the app sees it: state, transitions, the provider and its hook, and drafts.

pub mod draft;
pub mod state;

#[cfg(target_arch = "wasm32")]
mod provider;

#[cfg(target_arch = "wasm32")]
pub use provider::{use_session, SessionHandle, SessionProvider};
pub use state::{EndedReason, SessionEvent, SessionState};
