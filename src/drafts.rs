//! Unsaved note drafts, kept in sessionStorage so a session that ends mid-edit loses nothing.
//! Drafts are user content, never tokens. Keyed by user and note so two people on one machine
//! (or one person's two notes) never see each other's text.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub body: String,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.title.trim().is_empty() && self.body.trim().is_empty()
    }
}

/// The storage key of a draft: the user's and the note's identity (`new` for a note not yet created).
pub fn draft_key(user_id: &str, note_id: Option<i64>) -> String {
    match note_id {
        Some(id) => format!("lanyard.draft.{user_id}.{id}"),
        None => format!("lanyard.draft.{user_id}.new"),
    }
}

#[cfg(target_arch = "wasm32")]
mod storage {
    use super::Draft;

    fn session_storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    pub fn load(key: &str) -> Option<Draft> {
        let text = session_storage()?.get_item(key).ok().flatten()?;
        serde_json::from_slice(text.as_bytes()).ok()
    }

    /// Saves the draft, or forgets it when it is empty. Storage full or disabled: the draft simply
    /// lives only in the page, which is all we could do anyway.
    pub fn save(key: &str, draft: &Draft) {
        let Some(storage) = session_storage() else {
            return;
        };
        if draft.is_empty() {
            let _ = storage.remove_item(key);
        } else if let Ok(text) = serde_json::to_string(draft) {
            let _ = storage.set_item(key, &text);
        }
    }

    pub fn clear(key: &str) {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(key);
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use storage::{clear, load, save};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_users_and_notes() {
        assert_ne!(draft_key("1", None), draft_key("2", None));
        assert_ne!(draft_key("1", Some(3)), draft_key("1", None));
        assert_eq!(draft_key("1", Some(3)), "lanyard.draft.1.3");
        // Ids are backend text (emails, UUIDs): the user part is everything before the last dot.
        assert_ne!(draft_key("a.1", None), draft_key("a", Some(1)));
    }

    #[test]
    fn whitespace_only_draft_is_empty() {
        assert!(Draft {
            title: "  ".into(),
            body: "\n".into()
        }
        .is_empty());
        assert!(!Draft {
            title: "".into(),
            body: "x".into()
        }
        .is_empty());
    }
}
