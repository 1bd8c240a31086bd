//! Reusable pieces of UI. One component per file.

mod config_error;
mod layout;
mod loading;
mod missing_provider;
mod page_error;

pub use config_error::{ConfigErrorPage, ConfigErrorProps};
pub use layout::Layout;
pub use loading::Loading;
pub use missing_provider::MissingProvider;
pub use page_error::PageError;
