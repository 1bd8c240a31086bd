//! The signed-in user: who they are, their roles, where they are signed in, and a way out.

use super::api::{self, SessionSummary};
use super::PageProps;
use crate::app::use_session;
use crate::components::{remote_view, roles, session_list, use_fetch};
use yew::prelude::*;

#[component]
pub fn Profile(props: &PageProps) -> Html {
    let session = use_session();
    let (sessions, reload) =
        use_fetch::<Vec<SessionSummary>>(&props.account.client, api::SESSIONS.to_string());
    let signing_out = use_state(bool::default);
    let sign_out = {
        let signing_out = signing_out.clone();
        Callback::from(move |_: MouseEvent| {
            signing_out.set(true);
            if let Some(session) = &session {
                session.logout();
            }
        })
    };
    let user = &props.account.user;

    let sessions_view = remote_view(&sessions, "your sessions", reload, |list| {
        session_list(list)
    });
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
                    <dt>{ "Roles" }</dt><dd>{ roles(&user.roles) }</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="profile-sessions-heading" data-testid="profile-sessions"
                aria-busy={sessions.is_loading().then_some("true")}>
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
