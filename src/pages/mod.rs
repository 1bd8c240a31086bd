//! One file per page. Guards (in `routes`) decide whether a page may render; pages assume they may.

mod admin;
pub(crate) mod api;
mod forbidden;
mod home;
#[cfg(feature = "lab")]
mod lab;
mod login;
mod not_found;
mod note_editor;
mod notes;
mod profile;

pub use admin::Admin;
pub use forbidden::Forbidden;
pub use home::Home;
#[cfg(feature = "lab")]
pub use lab::Lab;
pub use login::Login;
pub use not_found::NotFound;
pub use note_editor::NoteEditor;
pub use notes::Notes;
pub use profile::Profile;
