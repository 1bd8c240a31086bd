//! The signed-in user: who they are, their roles, where they are signed in, and a way out.

use super::api::{self, SessionSummary};
use crate::components::{
    use_fetch, Loading, MissingProvider, PageError, Remote, Roles, SessionList,
};
use crate::session::{use_session, SessionHandle};
use yew::prelude::*;

#[component]
pub fn Profile() -> Html {
    match use_session() {
        Some(session) if session.user().is_some() => html! { <ProfilePage {session} /> },
        _ => html! { <MissingProvider /> },
    }
}

#[derive(Properties, PartialEq)]
struct ProfilePageProps {
    session: SessionHandle,
}

#[component]
fn ProfilePage(props: &ProfilePageProps) -> Html {
    let (sessions, reload) =
        use_fetch::<Vec<SessionSummary>>(&props.session.client, api::SESSIONS.to_string());
    let signing_out = use_state(|| false);
    let sign_out = {
        let (session, signing_out) = (props.session.clone(), signing_out.clone());
        Callback::from(move |_: MouseEvent| {
            signing_out.set(true);
            session.logout();
        })
    };
    let Some(user) = props.session.user() else {
        return html! { <MissingProvider /> };
    };

    let sessions_view = match &*sessions {
        Remote::Loading => html! { <Loading label="Loading your sessions…" /> },
        Remote::Failed(err) => {
            let retry = (!err.is_session_ended()).then_some(reload);
            html! { <PageError title="Couldn't load your sessions" message={err.user_message()} {retry} /> }
        }
        Remote::Ready(list) => html! { <SessionList sessions={list.clone()} /> },
    };
    html! {
        <div class="page narrow-page" data-testid="profile">
            <header class="page-header">
                <h1>{ "Profile" }</h1>
            </header>
            <section class="card" aria-labelledby="profile-account-heading" data-testid="profile-account">
                <h2 id="profile-account-heading">{ "Account" }</h2>
                <dl class="details">
                    <dt>{ "Display name" }</dt><dd>{ user.display_name.clone() }</dd>
                    <dt>{ "Username" }</dt><dd>{ user.username.clone() }</dd>
                    <dt>{ "Roles" }</dt><dd><Roles roles={user.roles.clone()} /></dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="profile-sessions-heading" data-testid="profile-sessions"
                aria-busy={matches!(*sessions, Remote::Loading).then_some("true")}>
                <h2 id="profile-sessions-heading">{ "Where you're signed in" }</h2>
                <p class="muted">{ "Each sign-in starts a session that lasts until you sign out or it expires." }</p>
                { sessions_view }
            </section>
            <section class="card" aria-labelledby="profile-sign-out-heading">
                <h2 id="profile-sign-out-heading">{ "Sign out" }</h2>
                <p>{ "Ends this session here and in your other open tabs." }</p>
                <button type="button" class="button" onclick={sign_out} disabled={*signing_out}
                    aria-busy={signing_out.then_some("true")} data-testid="profile-sign-out">
                    { if *signing_out { "Signing out…" } else { "Sign out" } }
                </button>
            </section>
        </div>
    }
}
