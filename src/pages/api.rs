//! The API shapes the pages read and write (see docs/API.md), and the paths they live at.
//! Times are Unix milliseconds.

use serde::{Deserialize, Serialize};

use crate::user::User;

pub const NOTES: &str = "/api/notes";
pub const SESSIONS: &str = "/api/sessions";
pub const ADMIN_USERS: &str = "/api/admin/users";

pub fn note_path(id: i64) -> String {
    format!("{NOTES}/{id}")
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Note {
    pub id: i64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The body of `POST /api/notes` and `PUT /api/notes/{id}`.
#[derive(Serialize)]
pub struct NoteInput<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

/// One of the user's signed-in sessions (a refresh-token family).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    #[serde(default)]
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct UserSummary {
    pub user: User,
    pub active_sessions: i64,
}

/// Newest first, whatever order the server used (the docs promise it, but the pages should not rely on it).
/// An insertion sort: a list in the promised order passes through in one comparison per note, a user's notes
/// are few, and std's sort would add ~3.5 KB of wasm for this one call. Ids are unique, so no two keys tie.
pub fn newest_first(notes: &mut [Note]) {
    let key = |n: &Note| (n.created_at, n.id);
    for i in 1..notes.len() {
        let mut j = i;
        while j > 0 && key(&notes[j - 1]) < key(&notes[j]) {
            notes.swap(j - 1, j);
            j -= 1;
        }
    }
}
