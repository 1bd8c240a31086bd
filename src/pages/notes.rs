//! The notes list with a "new note" form; each note links to its editor and can be deleted in place.

use super::api::{self, newest_first, Note};
use crate::app::Account;
use crate::components::{
    remote_view, route_link, timestamp, use_on_mount, ConfirmDelete, NewNote, Remote,
};
use crate::drafts::{self as draft, draft_key};
use crate::messages::user_message;
use crate::routes::Route;
use crate::user::User;
use lanyard_client::Client;
use std::rc::Rc;
use yew::prelude::*;

/// Longest body excerpt shown in the list, in characters.
const EXCERPT: usize = 160;

/// The page, keyed by user: another account's drafts and notes never linger in its state.
pub fn notes(account: Account) -> Html {
    let key = account.user.id.clone();
    html! { <NotesPage {key} client={account.client} user={account.user} /> }
}

/// The list and the deletions under way. A reducer, because several requests may finish in any order.
#[derive(Clone, Debug, Default, PartialEq)]
struct NotesList {
    notes: Remote<Vec<Note>>,
    /// The notes being deleted: a few at most, so a Vec (a BTreeSet would add its own code to the bundle).
    deleting: Vec<i64>,
}

enum ListAction {
    Loading,
    Loaded(Result<Vec<Note>, lanyard_client::Error>),
    Added(Note),
    DeleteStarted(i64),
    Deleted(i64),
    DeleteFailed(i64),
}

impl Reducible for NotesList {
    type Action = ListAction;

    fn reduce(self: Rc<Self>, action: ListAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ListAction::Loading => next.notes = Remote::Loading,
            ListAction::Loaded(result) => {
                next.notes = result
                    .map(|mut notes| {
                        newest_first(&mut notes);
                        notes
                    })
                    .into()
            }
            ListAction::Added(note) => {
                // While the list is still loading, the load itself will include the new note.
                if let Remote::Ready(notes) = &mut next.notes {
                    notes.retain(|n| n.id != note.id);
                    notes.insert(0, note);
                }
            }
            ListAction::DeleteStarted(id) => {
                if !next.deleting.contains(&id) {
                    next.deleting.push(id);
                }
            }
            ListAction::Deleted(id) => {
                next.deleting.retain(|d| *d != id);
                if let Remote::Ready(notes) = &mut next.notes {
                    notes.retain(|n| n.id != id);
                }
            }
            ListAction::DeleteFailed(id) => {
                next.deleting.retain(|d| *d != id);
            }
        }
        Rc::new(next)
    }
}

#[derive(Properties, PartialEq)]
struct NotesPageProps {
    client: Client,
    user: User,
}

#[component]
fn NotesPage(props: &NotesPageProps) -> Html {
    let list = use_reducer(NotesList::default);
    let status = use_state(String::new);
    let error = use_state(Option::<String>::default);

    let load = {
        let (client, list) = (props.client.clone(), list.dispatcher());
        Callback::from(move |()| {
            list.dispatch(ListAction::Loading);
            let (client, list) = (client.clone(), list.clone());
            wasm_bindgen_futures::spawn_local(async move {
                list.dispatch(ListAction::Loaded(
                    client.get::<Vec<Note>>(api::NOTES).await,
                ));
            });
        })
    };
    use_on_mount(load.clone());

    let on_created = {
        let (list, status, error) = (list.dispatcher(), status.clone(), error.clone());
        Callback::from(move |note: Note| {
            status.set(format!("Note “{}” saved.", note.title));
            error.set(None);
            list.dispatch(ListAction::Added(note));
        })
    };
    let on_delete = {
        let (client, list, status, error) = (
            props.client.clone(),
            list.dispatcher(),
            status.clone(),
            error.clone(),
        );
        let user_id = props.user.id.clone();
        Callback::from(move |note: Note| {
            list.dispatch(ListAction::DeleteStarted(note.id));
            status.set(format!("Deleting “{}”…", note.title));
            let (client, list, status, error) =
                (client.clone(), list.clone(), status.clone(), error.clone());
            let draft = draft_key(&user_id, Some(note.id));
            wasm_bindgen_futures::spawn_local(async move {
                match client.delete::<()>(&api::note_path(note.id)).await {
                    // 404: someone (another tab) deleted it first; the outcome the user wanted.
                    Ok(()) | Err(lanyard_client::Error::Http { status: 404, .. }) => {
                        draft::clear(&draft);
                        list.dispatch(ListAction::Deleted(note.id));
                        status.set(format!("Note “{}” deleted.", note.title));
                        error.set(None);
                    }
                    Err(err) => {
                        list.dispatch(ListAction::DeleteFailed(note.id));
                        status.set(String::new());
                        error.set(Some(format!(
                            "Couldn't delete “{}”. {}",
                            note.title,
                            user_message(&err)
                        )));
                    }
                }
            });
        })
    };

    let content = remote_view(&list.notes, "your notes", load.clone(), |notes| {
        html! {
                <>
                    if notes.is_empty() {
                        <p class="muted" data-testid="notes-empty">{ "No notes yet. Write your first one with the form." }</p>
                    }
                    <ul class="note-list" data-testid="notes-list">
                        { for notes.iter().map(|note| note_item(note, list.deleting.contains(&note.id), &on_delete)) }
                    </ul>
                </>
        }
    });
    let count = match &list.notes {
        Remote::Ready(notes) => Some(notes.len()),
        _ => None,
    };

    html! {
        <div class="page" data-testid="notes">
            <header class="page-header">
                <h1>{ "Notes" }</h1>
                <p class="lead">{ "Private to you. Unsaved text is kept in this tab until you save it." }</p>
            </header>
            <p class={classes!("live-status", (!status.is_empty()).then_some("notice notice-success"))}
                role="status" aria-live="polite" data-testid="notes-status">{ (*status).clone() }</p>
            if let Some(message) = (*error).clone() {
                <p class="notice notice-error" role="alert" data-testid="notes-error">{ message }</p>
            }
            <div class="split">
                <NewNote client={props.client.clone()} user_id={props.user.id.clone()} {on_created} />
                <section class="notes-section" aria-labelledby="notes-list-heading"
                    aria-busy={list.notes.is_loading().then_some("true")}>
                    <h2 id="notes-list-heading">
                        { "Your notes" }
                        if let Some(count) = count { <span class="count">{ format!(" ({count})") }</span> }
                    </h2>
                    { content }
                </section>
            </div>
        </div>
    }
}

fn note_item(note: &Note, deleting: bool, on_delete: &Callback<Note>) -> Html {
    let on_confirm = {
        let (note, on_delete) = (note.clone(), on_delete.clone());
        Callback::from(move |()| on_delete.emit(note.clone()))
    };
    let route = Route::Note { id: note.id };
    html! {
        <li key={note.id} class="note-item card" data-testid="note-item" data-note-id={note.id.to_string()}>
            <h3 class="note-title">{ route_link(route.clone(), Classes::new(), html! { { note.title.clone() } }) }</h3>
            if !note.body.trim().is_empty() {
                <p class="note-excerpt">{ excerpt(&note.body) }</p>
            }
            <p class="note-meta muted small">
                { "Updated " }{ timestamp(note.updated_at) }
            </p>
            <div class="note-actions">
                { route_link(route, "button button-quiet button-small".into(), html! {
                    <>{ "Edit" }<span class="visually-hidden">{ format!(" “{}”", note.title) }</span></>
                }) }
                <ConfirmDelete subject={note.title.clone()} {on_confirm} pending={deleting} />
            </div>
        </li>
    }
}

/// The start of a body, cut at a character boundary.
fn excerpt(body: &str) -> String {
    let trimmed = body.trim();
    match trimmed.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}…", trimmed[..cut].trim_end()),
        None => trimmed.to_string(),
    }
}
