//! Routes: which page a path names (`path.rs`, pure), and what each renders behind which guard.

mod path;

pub use path::{Route, PATTERNS};

#[cfg(target_arch = "wasm32")]
mod route;

#[cfg(target_arch = "wasm32")]
pub use route::{signed_in, switch, SignedInPage};
