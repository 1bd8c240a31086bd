//! Reusable pieces of UI, one per file: components where there is state, plain functions where there is none.
//!
//! State hooks start from a function (`use_state(bool::default)`), not a closure (`|| false`): Yew's state
//! hook is generic over its initialiser, and each closure is a type of its own, so a copy of the hook each.

mod config_error;
mod confirm_delete;
#[cfg(feature = "lab")]
mod lab_report;
mod layout;
mod loading;
mod missing_provider;
mod new_note;
mod note_form;
mod note_text;
mod offline;
mod on_mount;
mod page_error;
mod remote;
mod roles;
mod route_link;
mod session_list;
mod timestamp;

pub use config_error::config_error_page;
pub use confirm_delete::ConfirmDelete;
#[cfg(feature = "lab")]
pub use lab_report::{LabFigures, LabOutcome, LabReport};
pub use layout::Layout;
pub use loading::loading;
pub use missing_provider::missing_provider;
pub use new_note::NewNote;
pub use note_form::{note_form, use_form_focus, FormFocus, NoteFormProps};
pub use note_text::{field_callbacks, use_note_text, NoteText, SaveErrors, SaveEvent, SaveState};
pub use offline::{offline_notice, use_online};
pub use on_mount::use_on_mount;
pub use page_error::PageError;
pub use remote::{remote_view, use_fetch, Remote};
pub use roles::roles;
pub use route_link::route_link;
pub use session_list::session_list;
pub use timestamp::{format_local, timestamp};
