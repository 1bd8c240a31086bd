//! The dashboard: who is signed in, their latest notes and their sessions — three requests in flight at once.

use super::api::{self, newest_first, Note, SessionSummary};
use super::PageProps;
use crate::components::{remote_view, roles, route_link, session_list, timestamp, use_fetch};
use crate::routes::Route;
use crate::user::{SessionAnswer, User};
use yew::prelude::*;

/// How many notes the dashboard previews.
const LATEST: usize = 3;

#[component]
pub fn Home(props: &PageProps) -> Html {
    let client = &props.account.client;
    // Concurrent, not one after the other; each block shows its answer as soon as it has it.
    let (notes, retry_notes) = use_fetch::<Vec<Note>>(client, api::NOTES.to_string());
    let (sessions, retry_sessions) =
        use_fetch::<Vec<SessionSummary>>(client, api::SESSIONS.to_string());
    let (me, retry_me) = use_fetch::<SessionAnswer>(client, client.config().me_path.clone());

    let user = &props.account.user;
    html! {
        <div class="page" data-testid="dashboard">
            <header class="page-header">
                <h1>{ format!("Welcome, {}", user.display_name) }</h1>
                <p class="lead">
                    { "Signed in as " }<strong>{ user.username.clone() }</strong>
                    { " · " }{ roles(&user.roles) }
                </p>
            </header>
            <div class="grid">
                <section class="card block" aria-labelledby="dashboard-notes-heading" data-testid="dashboard-notes"
                    aria-busy={notes.is_loading().then_some("true")}>
                    <h2 id="dashboard-notes-heading">{ "Notes" }</h2>
                    { remote_view(&notes, "your notes", retry_notes, |n| notes_summary(n)) }
                </section>
                <section class="card block" aria-labelledby="dashboard-sessions-heading"
                    data-testid="dashboard-sessions" aria-busy={sessions.is_loading().then_some("true")}>
                    <h2 id="dashboard-sessions-heading">{ "Active sessions" }</h2>
                    { remote_view(&sessions, "your sessions", retry_sessions, |s| sessions_summary(s)) }
                </section>
                <section class="card block" aria-labelledby="dashboard-me-heading" data-testid="dashboard-me"
                    aria-busy={me.is_loading().then_some("true")}>
                    <h2 id="dashboard-me-heading">{ "Your account" }</h2>
                    { remote_view(&me, "your account", retry_me, |me| account(&me.user)) }
                </section>
            </div>
        </div>
    }
}

fn notes_summary(notes: &[Note]) -> Html {
    let count = notes.len();
    let noun = if count == 1 { "note" } else { "notes" };
    let mut latest = notes.to_vec();
    newest_first(&mut latest);
    html! {
        <>
            <p class="stat"><span class="stat-value" data-testid="notes-count">{ count }</span>{ format!(" {noun}") }</p>
            if notes.is_empty() {
                <p class="muted">{ "You haven't written any notes yet." }</p>
            } else {
                <h3 class="subheading">{ "Latest" }</h3>
                <ul class="link-list">
                    { for latest.iter().take(LATEST).map(|note| html! {
                        <li key={note.id}>
                            { route_link(Route::Note { id: note.id }, Classes::new(), html! { { note.title.clone() } }) }
                            <span class="muted small">{ " · " }{ timestamp(note.created_at) }</span>
                        </li>
                    }) }
                </ul>
            }
            <p class="block-footer">
                { route_link(Route::Notes, "button".into(),
                    html! { { if notes.is_empty() { "Write a note" } else { "All notes" } } }) }
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
            { session_list(sessions) }
        </>
    }
}

fn account(user: &User) -> Html {
    html! {
        <dl class="details">
            <dt>{ "Display name" }</dt><dd>{ user.display_name.clone() }</dd>
            <dt>{ "Username" }</dt><dd>{ user.username.clone() }</dd>
            <dt>{ "Roles" }</dt><dd>{ roles(&user.roles) }</dd>
        </dl>
    }
}
