//! The state behind a note form: the text being written (mirrored to sessionStorage on every change) and
//! the outcome of the last save. Shared by the "new note" form and the note editor.

use crate::drafts::{self as draft, Draft};
use crate::messages::user_message;
use lanyard_client::Error;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The text of a note being written, and the version it started from (the server's, or empty for a new note).
#[derive(Clone)]
pub struct NoteText {
    key: Rc<str>,
    /// The text right now. A RefCell, not state: read after an `.await` it is current, so keystrokes made
    /// while a save was in flight are never mistaken for the saved text.
    current: Rc<RefCell<Draft>>,
    base: Rc<RefCell<Draft>>,
    shown: UseStateHandle<Draft>,
    restored: UseStateHandle<bool>,
}

/// Which text wins at the start: a stored draft that differs from the base is unsaved work.
fn resolve(key: &str, base: &Draft) -> (Draft, bool) {
    match draft::load(key) {
        Some(stored) if stored != *base => (stored, true),
        _ => {
            draft::clear(key);
            (base.clone(), false)
        }
    }
}

/// `base` known at mount (a new note) starts the text on the first render; otherwise call
/// [`NoteText::start_from`] once the server's version is in.
#[hook]
pub fn use_note_text(key: String, base: Option<Draft>) -> NoteText {
    let initial = use_memo((), {
        let key = key.clone();
        move |_| base.map(|base| (resolve(&key, &base), base))
    });
    let start = |pick: fn(&((Draft, bool), Draft)) -> Draft| {
        (*initial).as_ref().map(pick).unwrap_or_default()
    };
    let current = use_mut_ref(|| start(|((text, _), _)| text.clone()));
    let base = use_mut_ref(|| start(|(_, base)| base.clone()));
    let shown = use_state(|| start(|((text, _), _)| text.clone()));
    let restored = use_state(|| {
        (*initial)
            .as_ref()
            .is_some_and(|((_, restored), _)| *restored)
    });
    NoteText {
        key: key.into(),
        current,
        base,
        shown,
        restored,
    }
}

impl NoteText {
    /// What the form shows.
    pub fn shown(&self) -> &Draft {
        &self.shown
    }

    /// Whether the text came back from sessionStorage rather than from the base.
    pub fn restored(&self) -> bool {
        *self.restored
    }

    /// Whether the form differs from the base.
    pub fn is_dirty(&self) -> bool {
        *self.shown != *self.base.borrow()
    }

    /// The text at this moment (for a save, and for comparing after one).
    pub fn snapshot(&self) -> Draft {
        self.current.borrow().clone()
    }

    /// Starts from the server's version; a different stored draft wins and is marked restored.
    pub fn start_from(&self, base: Draft) {
        let (text, restored) = resolve(&self.key, &base);
        *self.base.borrow_mut() = base;
        self.show(text);
        self.restored.set(restored);
    }

    /// One edit, stored at once; an edit back to the base forgets the stored draft.
    pub fn edit(&self, apply: impl FnOnce(&mut Draft)) {
        let next = {
            let mut text = self.current.borrow_mut();
            apply(&mut text);
            text.clone()
        };
        if next == *self.base.borrow() {
            draft::clear(&self.key);
        } else {
            draft::save(&self.key, &next);
        }
        self.shown.set(next);
    }

    /// The server has `submitted` and now holds `base`. Unless the user typed meanwhile, the form shows `base`
    /// and the stored draft is forgotten; newer typing stays, and stays stored.
    pub fn saved(&self, submitted: &Draft, base: Draft) {
        let unchanged = *self.current.borrow() == *submitted;
        *self.base.borrow_mut() = base.clone();
        self.restored.set(false);
        if unchanged {
            draft::clear(&self.key);
            self.show(base);
        }
    }

    /// Back to the base, forgetting the stored draft.
    pub fn discard(&self) {
        draft::clear(&self.key);
        self.restored.set(false);
        let base = self.base.borrow().clone();
        self.show(base);
    }

    /// Forgets the stored draft (the note itself is gone).
    pub fn forget(&self) {
        draft::clear(&self.key);
    }

    fn show(&self, text: Draft) {
        *self.current.borrow_mut() = text.clone();
        self.shown.set(text);
    }
}

/// What a failed save shows: per-field messages, or one for the whole form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaveErrors {
    pub title: Option<AttrValue>,
    pub body: Option<AttrValue>,
    pub form: Option<AttrValue>,
}

impl SaveErrors {
    pub fn from_api(err: &Error) -> SaveErrors {
        if err.is_session_ended() {
            return SaveErrors::form(
                "Your session has ended. Your text is kept: sign in again and save it.",
            );
        }
        // Read in place: a copy to take entries out of would ship the map's clone and remove code.
        let fields = err.field_errors();
        let field = |name: &str| fields.get(name).map(|m| AttrValue::from(m.to_owned()));
        let (title, body) = (field("title"), field("body"));
        let others = || {
            fields
                .iter()
                .filter(|(name, _)| !matches!(*name, "title" | "body"))
                .map(|(_, message)| message)
        };
        // The summary only when no field explains the problem (or the server flagged a field we don't show).
        let form = ((title.is_none() && body.is_none()) || others().next().is_some()).then(|| {
            let mut message = user_message(err);
            for extra in others() {
                message.push(' ');
                message.push_str(extra);
            }
            AttrValue::from(message)
        });
        SaveErrors { title, body, form }
    }

    pub fn form(message: impl Into<AttrValue>) -> SaveErrors {
        SaveErrors {
            form: Some(message.into()),
            ..SaveErrors::default()
        }
    }
}

/// A save's progress and outcome. A reducer, so an answer that arrives after an `.await` updates the
/// latest state rather than the one its callback was made with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaveState {
    pub pending: bool,
    pub errors: SaveErrors,
    /// Counts failures, so the form moves focus to the first problem after each one.
    pub failures: u32,
}

pub enum SaveEvent {
    Started,
    Succeeded,
    Failed(SaveErrors),
    /// The user changed a field: its message no longer applies.
    EditedTitle,
    EditedBody,
    /// The text was put back (discarded): no message applies.
    Reset,
}

impl Reducible for SaveState {
    type Action = SaveEvent;

    fn reduce(self: Rc<Self>, event: SaveEvent) -> Rc<Self> {
        let mut next = (*self).clone();
        match event {
            SaveEvent::Started => {
                next.pending = true;
                next.errors = SaveErrors::default();
            }
            SaveEvent::Succeeded => next.pending = false,
            SaveEvent::Failed(errors) => {
                next.pending = false;
                next.errors = errors;
                next.failures += 1;
            }
            SaveEvent::EditedTitle => next.errors.title = None,
            SaveEvent::EditedBody => next.errors.body = None,
            SaveEvent::Reset => next.errors = SaveErrors::default(),
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

/// The title and body `oninput` handlers of a note form: edit the text (and so its draft) and clear that
/// field's error. Shared by the new-note form and the editor.
pub fn field_callbacks(
    text: &NoteText,
    save: &UseReducerDispatcher<SaveState>,
) -> (Callback<String>, Callback<String>) {
    let on_title = {
        let (text, save) = (text.clone(), save.clone());
        Callback::from(move |value: String| {
            text.edit(|d| d.title = value);
            save.dispatch(SaveEvent::EditedTitle);
        })
    };
    let on_body = {
        let (text, save) = (text.clone(), save.clone());
        Callback::from(move |value: String| {
            text.edit(|d| d.body = value);
            save.dispatch(SaveEvent::EditedBody);
        })
    };
    (on_title, on_body)
}
