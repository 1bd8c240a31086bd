//! Routes and guards. `next.rs` (safe post-login redirects) is pure; the rest needs the browser.

pub mod next;
mod path;

pub use path::{Route, PATTERNS};

#[cfg(target_arch = "wasm32")]
mod guards;
#[cfg(target_arch = "wasm32")]
mod route;

#[cfg(target_arch = "wasm32")]
pub use guards::{GuestOnly, RequireAuth, RequireRole};
#[cfg(target_arch = "wasm32")]
pub use route::{switch, LoginQuery};
