//! One note: load, edit, save, delete. Unsaved text is kept in sessionStorage until the server has it.

use super::api::{self, Note, NoteInput};
use crate::app::Account;
use crate::components::{
    field_callbacks, loading, note_form, route_link, timestamp, use_form_focus, use_note_text,
    use_on_mount, ConfirmDelete, NoteFormProps, PageError, Remote, SaveErrors, SaveEvent,
    SaveState,
};
use crate::drafts::{draft_key, Draft};
use crate::messages::user_message;
use crate::routes::Route;
use lanyard_client::{Client, Error};
use yew::prelude::*;
use yew_router::prelude::*;

/// The editor of note `id`, keyed by user and note, so moving to another note starts from a clean state.
pub fn note_editor(account: Account, id: i64) -> Html {
    let user_id = AttrValue::from(account.user.id);
    let key = format!("{user_id}/{id}");
    html! { <Editor {key} client={account.client} {user_id} {id} /> }
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    client: Client,
    user_id: AttrValue,
    id: i64,
}

fn text_of(note: &Note) -> Draft {
    Draft {
        title: note.title.clone(),
        body: note.body.clone(),
    }
}

#[component]
fn Editor(props: &EditorProps) -> Html {
    let note = use_state(Remote::<Note>::default);
    let text = use_note_text(draft_key(&props.user_id, Some(props.id)), None);
    let save = use_reducer(SaveState::default);
    let focus = use_form_focus(&save);
    let deleting = use_state(bool::default);
    let status = use_state(String::new);
    let navigator = use_navigator();

    let load = {
        let (client, id, note, text) = (props.client.clone(), props.id, note.clone(), text.clone());
        Callback::from(move |()| {
            note.set(Remote::Loading);
            let (client, note, text) = (client.clone(), note.clone(), text.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = client.get::<Note>(&api::note_path(id)).await;
                if let Ok(loaded) = &result {
                    text.start_from(text_of(loaded));
                }
                note.set(result.into());
            });
        })
    };
    use_on_mount(load.clone());

    let (on_title, on_body) = field_callbacks(&text, &save.dispatcher());
    let on_submit = {
        let (client, id, note, text) = (props.client.clone(), props.id, note.clone(), text.clone());
        let (save, status) = (save.dispatcher(), status.clone());
        Callback::from(move |()| {
            let submitted = text.snapshot();
            save.dispatch(SaveEvent::Started);
            status.set("Saving…".into());
            let (client, note, text, save, status) = (
                client.clone(),
                note.clone(),
                text.clone(),
                save.clone(),
                status.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let input = NoteInput {
                    title: &submitted.title,
                    body: &submitted.body,
                };
                match client.put::<_, Note>(&api::note_path(id), &input).await {
                    Ok(updated) => {
                        save.dispatch(SaveEvent::Succeeded);
                        text.saved(&submitted, text_of(&updated));
                        status.set("Saved.".into());
                        note.set(Remote::Ready(updated));
                    }
                    Err(err) => {
                        status.set(String::new());
                        save.dispatch(SaveEvent::Failed(SaveErrors::from_api(&err)));
                    }
                }
            });
        })
    };
    let on_delete = {
        let (client, id, text, navigator) = (
            props.client.clone(),
            props.id,
            text.clone(),
            navigator.clone(),
        );
        let (save, deleting, status) = (save.dispatcher(), deleting.clone(), status.clone());
        Callback::from(move |()| {
            deleting.set(true);
            status.set("Deleting…".into());
            let (client, text, navigator) = (client.clone(), text.clone(), navigator.clone());
            let (save, deleting, status) = (save.clone(), deleting.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client.delete::<()>(&api::note_path(id)).await {
                    // 404: already gone (another tab), which is what the user asked for.
                    Ok(()) | Err(Error::Http { status: 404, .. }) => {
                        text.forget();
                        if let Some(navigator) = navigator {
                            navigator.push(&Route::Notes);
                        }
                    }
                    Err(err) => {
                        deleting.set(false);
                        status.set(String::new());
                        save.dispatch(SaveEvent::Failed(SaveErrors::form(user_message(&err))));
                    }
                }
            });
        })
    };
    let discard = {
        let (text, save) = (text.clone(), save.dispatcher());
        Callback::from(move |_: MouseEvent| {
            text.discard();
            save.dispatch(SaveEvent::Reset);
        })
    };

    let back = html! {
        <p class="breadcrumb">{ route_link(Route::Notes, Classes::new(), html! { "← All notes" }) }</p>
    };
    let saved = match &*note {
        Remote::Loading => {
            return html! { <div class="page">{ back }{ loading("Loading the note…") }</div> };
        }
        Remote::Failed(err) if err.status() == Some(404) => return not_found(),
        Remote::Failed(err) => {
            let retry = (!err.is_session_ended()).then_some(load);
            return html! {
                <div class="page">
                    { back }
                    <h1>{ "Note" }</h1>
                    <PageError title="Couldn't load this note" message={user_message(err)} {retry} />
                </div>
            };
        }
        Remote::Ready(saved) => saved,
    };
    let shown = text.shown();
    html! {
        <div class="page narrow-page" data-testid="note-editor">
            { back }
            <header class="page-header">
                <h1>{ saved.title.clone() }</h1>
                <p class="muted small">
                    { "Created " }{ timestamp(saved.created_at) }
                    { " · last saved " }{ timestamp(saved.updated_at) }
                    if text.is_dirty() {
                        <span class="badge badge-warning" data-testid="note-dirty">{ "Unsaved changes" }</span>
                    }
                </p>
            </header>
            if text.restored() {
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
                { note_form(NoteFormProps {
                    id: "edit-note",
                    title: shown.title.clone(),
                    body: shown.body.clone(),
                    title_error: save.errors.title.clone(),
                    body_error: save.errors.body.clone(),
                    form_error: save.errors.form.clone(),
                    pending: save.pending || *deleting,
                    on_title,
                    on_body,
                    on_submit,
                    children: html! {
                        <>
                            <span class="spacer"></span>
                            <ConfirmDelete subject={saved.title.clone()} on_confirm={on_delete} pending={*deleting} />
                        </>
                    },
                }, &focus) }
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
            { route_link(Route::Notes, "button".into(), html! { "Back to your notes" }) }
        </section>
    }
}
