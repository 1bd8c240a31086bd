//! The dashboard: who is signed in, their latest notes and their sessions — three requests in flight at once.

use super::api::{self, newest_first, Note, SessionSummary, User};
use crate::client::{ApiError, Client};
use crate::components::{
    Loading, MissingProvider, PageError, Remote, Roles, SessionList, Timestamp,
};
use crate::routes::Route;
use crate::session::use_session;
use futures_util::future::join3;
use serde::de::DeserializeOwned;
use yew::prelude::*;
use yew_router::prelude::*;

/// How many notes the dashboard previews.
const LATEST: usize = 3;

#[component]
pub fn Home() -> Html {
    let session = use_session();
    match session
        .as_ref()
        .and_then(|s| Some((s.client.clone(), s.user()?.clone())))
    {
        Some((client, user)) => html! { <Dashboard {client} {user} /> },
        None => html! { <MissingProvider /> },
    }
}

#[derive(Properties, PartialEq)]
struct DashboardProps {
    client: Client,
    user: User,
}

#[component]
fn Dashboard(props: &DashboardProps) -> Html {
    let me = use_state(Remote::<User>::default);
    let notes = use_state(Remote::<Vec<Note>>::default);
    let sessions = use_state(Remote::<Vec<SessionSummary>>::default);
    {
        let (client, me, notes, sessions) = (
            props.client.clone(),
            me.clone(),
            notes.clone(),
            sessions.clone(),
        );
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                // Concurrent, not one after the other; each block shows its answer as soon as it has it.
                join3(
                    load_me(client.clone(), me),
                    load_notes(client.clone(), notes),
                    load(client, api::SESSIONS, sessions),
                )
                .await;
            });
        });
    }
    let retry_me = retry(&me, {
        let client = props.client.clone();
        move |state| load_me(client.clone(), state)
    });
    let retry_notes = retry(&notes, {
        let client = props.client.clone();
        move |state| load_notes(client.clone(), state)
    });
    let retry_sessions = retry(&sessions, {
        let client = props.client.clone();
        move |state| load(client.clone(), api::SESSIONS, state)
    });

    let user = &props.user;
    html! {
        <div class="page" data-testid="dashboard">
            <header class="page-header">
                <h1>{ format!("Welcome, {}", user.display_name) }</h1>
                <p class="lead">
                    { "Signed in as " }<strong>{ user.username.clone() }</strong>
                    { " · " }<Roles roles={user.roles.clone()} />
                </p>
            </header>
            <div class="grid">
                <section class="card block" aria-labelledby="dashboard-notes-heading" data-testid="dashboard-notes"
                    aria-busy={matches!(*notes, Remote::Loading).then_some("true")}>
                    <h2 id="dashboard-notes-heading">{ "Notes" }</h2>
                    { block(&notes, "your notes", retry_notes, |n: &Vec<Note>| notes_summary(n)) }
                </section>
                <section class="card block" aria-labelledby="dashboard-sessions-heading"
                    data-testid="dashboard-sessions" aria-busy={matches!(*sessions, Remote::Loading).then_some("true")}>
                    <h2 id="dashboard-sessions-heading">{ "Active sessions" }</h2>
                    { block(&sessions, "your sessions", retry_sessions, |s: &Vec<SessionSummary>| sessions_summary(s)) }
                </section>
                <section class="card block" aria-labelledby="dashboard-me-heading" data-testid="dashboard-me"
                    aria-busy={matches!(*me, Remote::Loading).then_some("true")}>
                    <h2 id="dashboard-me-heading">{ "Your account" }</h2>
                    { block(&me, "your account", retry_me, account) }
                </section>
            </div>
        </div>
    }
}

async fn load<T: DeserializeOwned>(
    client: Client,
    path: &'static str,
    state: UseStateHandle<Remote<T>>,
) {
    state.set(client.get::<T>(path).await.into());
}

async fn load_me(client: Client, state: UseStateHandle<Remote<User>>) {
    state.set(client.me().await.map(|info| info.user).into());
}

async fn load_notes(client: Client, state: UseStateHandle<Remote<Vec<Note>>>) {
    let result = client.get::<Vec<Note>>(api::NOTES).await.map(|mut notes| {
        newest_first(&mut notes);
        notes
    });
    state.set(result.into());
}

/// A retry for one block: back to loading, then the same request again.
fn retry<T, F, Fut>(state: &UseStateHandle<Remote<T>>, start: F) -> Callback<()>
where
    T: 'static,
    F: Fn(UseStateHandle<Remote<T>>) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let state = state.clone();
    Callback::from(move |()| {
        state.set(Remote::Loading);
        wasm_bindgen_futures::spawn_local(start(state.clone()));
    })
}

/// One block's content: a spinner, the data, or the error with a way to try again.
fn block<T>(
    remote: &Remote<T>,
    what: &str,
    retry: Callback<()>,
    view: impl Fn(&T) -> Html,
) -> Html {
    match remote {
        Remote::Loading => html! { <Loading label={format!("Loading {what}…")} /> },
        Remote::Ready(value) => view(value),
        Remote::Failed(err) => failure(err, what, retry),
    }
}

fn failure(err: &ApiError, what: &str, retry: Callback<()>) -> Html {
    // Retrying cannot help once the session is over; the guard is already taking the user to sign in.
    let retry = (!err.is_session_ended()).then_some(retry);
    html! { <PageError title={format!("Couldn't load {what}")} message={err.user_message()} {retry} /> }
}

fn notes_summary(notes: &[Note]) -> Html {
    let count = notes.len();
    let noun = if count == 1 { "note" } else { "notes" };
    html! {
        <>
            <p class="stat"><span class="stat-value" data-testid="notes-count">{ count }</span>{ format!(" {noun}") }</p>
            if notes.is_empty() {
                <p class="muted">{ "You haven't written any notes yet." }</p>
            } else {
                <h3 class="subheading">{ "Latest" }</h3>
                <ul class="link-list">
                    { for notes.iter().take(LATEST).map(|note| html! {
                        <li key={note.id}>
                            <Link<Route> to={Route::Note { id: note.id }}>{ note.title.clone() }</Link<Route>>
                            <span class="muted small">{ " · " }<Timestamp ms={note.created_at} /></span>
                        </li>
                    }) }
                </ul>
            }
            <p class="block-footer">
                <Link<Route> to={Route::Notes} classes="button">
                    { if notes.is_empty() { "Write a note" } else { "All notes" } }
                </Link<Route>>
            </p>
        </>
    }
}

fn sessions_summary(sessions: &[SessionSummary]) -> Html {
    let count = sessions.len();
    let noun = if count == 1 { "session" } else { "sessions" };
    html! {
        <>
            <p class="stat"><span class="stat-value" data-testid="sessions-count">{ count }</span>{ format!(" signed-in {noun}") }</p>
            <SessionList sessions={sessions.to_vec()} />
        </>
    }
}

fn account(user: &User) -> Html {
    html! {
        <dl class="details">
            <dt>{ "Display name" }</dt><dd>{ user.display_name.clone() }</dd>
            <dt>{ "Username" }</dt><dd>{ user.username.clone() }</dd>
            <dt>{ "Roles" }</dt><dd><Roles roles={user.roles.clone()} /></dd>
        </dl>
    }
}
