//! The auth-aware HTTP client. No Yew in here.
pub mod coordinator;
pub mod error;
