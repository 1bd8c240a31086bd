//! One note: load, edit, save, delete. Unsaved text is kept in sessionStorage until the server has it.

use super::api::{self, Note, NoteInput};
use crate::client::{ApiError, Client};
use crate::components::{
    ConfirmDelete, Loading, MissingProvider, NoteForm, PageError, Remote, SaveErrors, Timestamp,
};
use crate::routes::Route;
use crate::session::draft::{self, draft_key, Draft};
use crate::session::use_session;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoteEditorProps {
    pub id: i64,
}

#[component]
pub fn NoteEditor(props: &NoteEditorProps) -> Html {
    let session = use_session();
    match session
        .as_ref()
        .and_then(|s| Some((s.client.clone(), s.user()?.id)))
    {
        // Keyed by note and user, so moving to another note starts from a clean state.
        Some((client, user_id)) => {
            let key = format!("{user_id}/{}", props.id);
            html! { <Editor {key} {client} {user_id} id={props.id} /> }
        }
        None => html! { <MissingProvider /> },
    }
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    client: Client,
    user_id: i64,
    id: i64,
}

fn saved_draft(note: &Note) -> Draft {
    Draft {
        title: note.title.clone(),
        body: note.body.clone(),
    }
}

#[component]
fn Editor(props: &EditorProps) -> Html {
    let key = draft_key(props.user_id, Some(props.id));
    let note = use_state(Remote::<Note>::default);
    // The text being edited; the RefCell is read after awaits, so keystrokes during a save are not lost.
    let current = use_mut_ref(Draft::default);
    let shown = use_state(Draft::default);
    let restored = use_state(|| false);
    let pending = use_state(|| false);
    let deleting = use_state(|| false);
    let errors = use_state(SaveErrors::default);
    let error_seq = use_state(|| 0_u32);
    let status = use_state(String::new);
    let navigator = use_navigator();

    let load = {
        let (client, id, key) = (props.client.clone(), props.id, key.clone());
        let (note, current, shown, restored) = (
            note.clone(),
            current.clone(),
            shown.clone(),
            restored.clone(),
        );
        Callback::from(move |()| {
            note.set(Remote::Loading);
            let (client, key, note, current, shown, restored) = (
                client.clone(),
                key.clone(),
                note.clone(),
                current.clone(),
                shown.clone(),
                restored.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let result = client.get::<Note>(&api::note_path(id)).await;
                if let Ok(loaded) = &result {
                    // A draft that differs from the server's version is work the user hasn't saved yet.
                    let saved = saved_draft(loaded);
                    let text = match draft::load(&key) {
                        Some(stored) if stored != saved => {
                            restored.set(true);
                            stored
                        }
                        _ => {
                            draft::clear(&key);
                            saved
                        }
                    };
                    *current.borrow_mut() = text.clone();
                    shown.set(text);
                }
                note.set(result.into());
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |_| load.emit(()));
    }

    let saved = match &*note {
        Remote::Ready(n) => Some(n.clone()),
        _ => None,
    };
    let edit = |apply: fn(&mut Draft, String), clear_error: fn(&mut SaveErrors)| {
        let (current, shown, errors, key) =
            (current.clone(), shown.clone(), errors.clone(), key.clone());
        let saved = saved.as_ref().map(saved_draft);
        Callback::from(move |value: String| {
            let next = {
                let mut text = current.borrow_mut();
                apply(&mut text, value);
                text.clone()
            };
            // Back to the saved text means nothing to restore later.
            if saved.as_ref() == Some(&next) {
                draft::clear(&key);
            } else {
                draft::save(&key, &next);
            }
            shown.set(next);
            let mut cleared = (*errors).clone();
            clear_error(&mut cleared);
            errors.set(cleared);
        })
    };
    let on_title = edit(|d, v| d.title = v, |e| e.title = None);
    let on_body = edit(|d, v| d.body = v, |e| e.body = None);

    let on_submit = {
        let (client, id, key) = (props.client.clone(), props.id, key.clone());
        let (note, current, restored, pending, errors, error_seq, status) = (
            note.clone(),
            current.clone(),
            restored.clone(),
            pending.clone(),
            errors.clone(),
            error_seq.clone(),
            status.clone(),
        );
        Callback::from(move |()| {
            let submitted = current.borrow().clone();
            pending.set(true);
            errors.set(SaveErrors::default());
            status.set("Saving…".into());
            let (client, key, note, current, restored, pending, errors, error_seq, status) = (
                client.clone(),
                key.clone(),
                note.clone(),
                current.clone(),
                restored.clone(),
                pending.clone(),
                errors.clone(),
                error_seq.clone(),
                status.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let input = NoteInput {
                    title: &submitted.title,
                    body: &submitted.body,
                };
                let result = client.put::<_, Note>(&api::note_path(id), &input).await;
                pending.set(false);
                match result {
                    Ok(updated) => {
                        let unchanged = *current.borrow() == submitted;
                        if unchanged {
                            draft::clear(&key);
                        }
                        restored.set(false);
                        status.set("Saved.".into());
                        note.set(Remote::Ready(updated));
                    }
                    Err(err) => {
                        status.set(String::new());
                        errors.set(SaveErrors::from_api(&err));
                        error_seq.set(*error_seq + 1);
                    }
                }
            });
        })
    };
    let on_delete = {
        let (client, id, key, navigator) = (
            props.client.clone(),
            props.id,
            key.clone(),
            navigator.clone(),
        );
        let (deleting, errors, error_seq, status) = (
            deleting.clone(),
            errors.clone(),
            error_seq.clone(),
            status.clone(),
        );
        Callback::from(move |()| {
            deleting.set(true);
            status.set("Deleting…".into());
            let (client, key, navigator, deleting, errors, error_seq, status) = (
                client.clone(),
                key.clone(),
                navigator.clone(),
                deleting.clone(),
                errors.clone(),
                error_seq.clone(),
                status.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match client.delete::<()>(&api::note_path(id)).await {
                    // 404: already gone (another tab), which is what the user asked for.
                    Ok(()) | Err(ApiError::Http { status: 404, .. }) => {
                        draft::clear(&key);
                        if let Some(navigator) = navigator {
                            navigator.push(&Route::Notes);
                        }
                    }
                    Err(err) => {
                        deleting.set(false);
                        status.set(String::new());
                        errors.set(SaveErrors {
                            form: Some(err.user_message().into()),
                            ..SaveErrors::default()
                        });
                        error_seq.set(*error_seq + 1);
                    }
                }
            });
        })
    };

    let back = html! {
        <p class="breadcrumb"><Link<Route> to={Route::Notes}>{ "← All notes" }</Link<Route>></p>
    };
    let saved = match &*note {
        Remote::Loading => {
            return html! { <div class="page">{ back }<Loading label="Loading the note…" /></div> }
        }
        Remote::Failed(err) if err.status() == Some(404) => return not_found(),
        Remote::Failed(err) => {
            let retry = (!err.is_session_ended()).then_some(load);
            return html! {
                <div class="page">
                    { back }
                    <h1>{ "Note" }</h1>
                    <PageError title="Couldn't load this note" message={err.user_message()} {retry} />
                </div>
            };
        }
        Remote::Ready(saved) => saved,
    };
    let dirty = *shown != saved_draft(saved);
    let discard = {
        let (current, shown, restored, errors, key) = (
            current.clone(),
            shown.clone(),
            restored.clone(),
            errors.clone(),
            key.clone(),
        );
        let text = saved_draft(saved);
        Callback::from(move |_: MouseEvent| {
            *current.borrow_mut() = text.clone();
            shown.set(text.clone());
            restored.set(false);
            errors.set(SaveErrors::default());
            draft::clear(&key);
        })
    };
    html! {
        <div class="page narrow-page" data-testid="note-editor">
            { back }
            <header class="page-header">
                <h1>{ saved.title.clone() }</h1>
                <p class="muted small">
                    { "Created " }<Timestamp ms={saved.created_at} />
                    { " · last saved " }<Timestamp ms={saved.updated_at} />
                    if dirty { <span class="badge badge-warning" data-testid="note-dirty">{ "Unsaved changes" }</span> }
                </p>
            </header>
            if *restored {
                <div class="notice notice-info draft-notice" data-testid="draft-restored">
                    <span>{ "Unsaved changes restored. They are not saved yet: review them, then save." }</span>
                    <button type="button" class="button button-quiet button-small" onclick={discard}>
                        { "Discard changes" }
                    </button>
                </div>
            }
            <p class={classes!("live-status", (!status.is_empty()).then_some("notice notice-success"))}
                role="status" aria-live="polite" data-testid="note-status">{ (*status).clone() }</p>
            <section class="card">
                <NoteForm id="edit-note" title={shown.title.clone()} body={shown.body.clone()}
                    title_error={errors.title.clone()} body_error={errors.body.clone()}
                    form_error={errors.form.clone()} error_seq={*error_seq} pending={*pending || *deleting}
                    {on_title} {on_body} {on_submit}>
                    <span class="spacer"></span>
                    <ConfirmDelete subject={saved.title.clone()} on_confirm={on_delete} pending={*deleting} />
                </NoteForm>
            </section>
        </div>
    }
}

fn not_found() -> Html {
    html! {
        <section class="status-page" data-testid="note-not-found">
            <p class="status-code" aria-hidden="true">{ "404" }</p>
            <h1>{ "Note not found" }</h1>
            <p>{ "This note doesn't exist, or it was deleted." }</p>
            <Link<Route> to={Route::Notes} classes="button">{ "Back to your notes" }</Link<Route>>
        </section>
    }
}
