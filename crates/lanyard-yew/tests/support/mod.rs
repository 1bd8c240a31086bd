//! What `lanyard-yew`'s browser tests share: the scripted fake API and the mounting of a test app (both also
//! used by the app's guard tests) and this crate's own small app around the guards.

pub mod fake_api;
pub mod harness;
pub mod mounting;

pub use fake_api::*;
pub use harness::*;
