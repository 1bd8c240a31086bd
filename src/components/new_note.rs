use super::NoteForm;
use crate::client::{ApiError, Client};
use crate::pages::api::{self, Note, NoteInput};
use crate::session::draft::{self, draft_key, Draft};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NewNoteProps {
    pub client: Client,
    pub user_id: i64,
    pub on_created: Callback<Note>,
}

/// What a failed save shows: per-field messages, or one for the whole form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaveErrors {
    pub title: Option<AttrValue>,
    pub body: Option<AttrValue>,
    pub form: Option<AttrValue>,
}

impl SaveErrors {
    pub fn from_api(err: &ApiError) -> SaveErrors {
        if err.is_session_ended() {
            return SaveErrors {
                form: Some(
                    "Your session has ended. Your text is kept: sign in again and save it.".into(),
                ),
                ..SaveErrors::default()
            };
        }
        let mut fields = err.field_errors();
        let title = fields.remove("title").map(AttrValue::from);
        let body = fields.remove("body").map(AttrValue::from);
        // The summary only when no field explains the problem (or the server flagged a field we don't show).
        let form = ((title.is_none() && body.is_none()) || !fields.is_empty()).then(|| {
            let mut message = err.user_message();
            for extra in fields.values() {
                message.push(' ');
                message.push_str(extra);
            }
            AttrValue::from(message)
        });
        SaveErrors { title, body, form }
    }
}

/// The "new note" form. Its text is saved to sessionStorage on every keystroke and restored on mount, and
/// forgotten only after the server has the note — so an ended session or a closed tab loses nothing.
#[component]
pub fn NewNote(props: &NewNoteProps) -> Html {
    let key = draft_key(props.user_id, None);
    // The mirror is the source of truth between renders: two quick keystrokes never read a stale state.
    let current = use_mut_ref({
        let key = key.clone();
        move || draft::load(&key).unwrap_or_default()
    });
    let shown = use_state({
        let current = current.clone();
        move || current.borrow().clone()
    });
    let restored = use_state(|| !shown.is_empty());
    let pending = use_state(|| false);
    let errors = use_state(SaveErrors::default);
    let error_seq = use_state(|| 0_u32);
    let title_ref = use_node_ref();

    let edit = |apply: fn(&mut Draft, String), clear_error: fn(&mut SaveErrors)| {
        let (current, shown, errors, key) =
            (current.clone(), shown.clone(), errors.clone(), key.clone());
        Callback::from(move |value: String| {
            let next = {
                let mut draft = current.borrow_mut();
                apply(&mut draft, value);
                draft.clone()
            };
            draft::save(&key, &next);
            shown.set(next);
            let mut cleared = (*errors).clone();
            clear_error(&mut cleared);
            errors.set(cleared);
        })
    };
    let on_title = edit(|d, v| d.title = v, |e| e.title = None);
    let on_body = edit(|d, v| d.body = v, |e| e.body = None);

    let on_submit = {
        let (client, on_created, key) =
            (props.client.clone(), props.on_created.clone(), key.clone());
        let (current, shown, restored, pending, errors, error_seq, title_ref) = (
            current.clone(),
            shown.clone(),
            restored.clone(),
            pending.clone(),
            errors.clone(),
            error_seq.clone(),
            title_ref.clone(),
        );
        Callback::from(move |()| {
            let submitted = current.borrow().clone();
            pending.set(true);
            errors.set(SaveErrors::default());
            let (
                client,
                on_created,
                key,
                current,
                shown,
                restored,
                pending,
                errors,
                error_seq,
                title_ref,
            ) = (
                client.clone(),
                on_created.clone(),
                key.clone(),
                current.clone(),
                shown.clone(),
                restored.clone(),
                pending.clone(),
                errors.clone(),
                error_seq.clone(),
                title_ref.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let input = NoteInput {
                    title: &submitted.title,
                    body: &submitted.body,
                };
                let result = client.post::<_, Note>(api::NOTES, &input).await;
                pending.set(false);
                match result {
                    Ok(note) => {
                        // Typing that happened while the save was in flight is newer than the note: keep it.
                        let unchanged = *current.borrow() == submitted;
                        if unchanged {
                            *current.borrow_mut() = Draft::default();
                            shown.set(Draft::default());
                            draft::clear(&key);
                        }
                        restored.set(false);
                        on_created.emit(note);
                        if let Some(input) = title_ref.cast::<web_sys::HtmlElement>() {
                            let _ = input.focus();
                        }
                    }
                    Err(err) => {
                        // The draft is already in storage (saved on input); nothing to undo.
                        errors.set(SaveErrors::from_api(&err));
                        error_seq.set(*error_seq + 1);
                    }
                }
            });
        })
    };
    let discard = {
        let (current, shown, restored, errors, key) = (
            current.clone(),
            shown.clone(),
            restored.clone(),
            errors.clone(),
            key.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            *current.borrow_mut() = Draft::default();
            shown.set(Draft::default());
            restored.set(false);
            errors.set(SaveErrors::default());
            draft::clear(&key);
        })
    };

    html! {
        <section class="card" aria-labelledby="new-note-heading">
            <h2 id="new-note-heading">{ "New note" }</h2>
            if *restored {
                <div class="notice notice-info draft-notice" data-testid="draft-restored">
                    <span>{ "We restored your unsaved draft." }</span>
                    <button type="button" class="button button-quiet button-small" onclick={discard}>
                        { "Discard draft" }
                    </button>
                </div>
            }
            <NoteForm id="new-note" title={shown.title.clone()} body={shown.body.clone()}
                title_error={errors.title.clone()} body_error={errors.body.clone()} form_error={errors.form.clone()}
                error_seq={*error_seq} pending={*pending} {on_title} {on_body} {on_submit} {title_ref} />
        </section>
    }
}
