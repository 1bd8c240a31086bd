//! One file per page. Guards (in `routes`) decide whether a page may render; pages assume they may, and
//! protected pages get the signed-in account as a prop.

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

use crate::app::Account;
pub use admin::Admin;
use yew::Properties;

/// What a protected page gets from its guard.
#[derive(Properties, PartialEq)]
pub struct PageProps {
    pub account: Account,
}

pub use forbidden::forbidden;
pub use home::Home;
#[cfg(feature = "lab")]
pub use lab::Lab;
pub use login::Login;
pub use not_found::not_found;
pub use note_editor::note_editor;
pub use notes::notes;
pub use profile::Profile;
