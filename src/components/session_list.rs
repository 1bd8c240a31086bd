use super::timestamp;
use crate::pages::api::SessionSummary;
use yew::prelude::*;

/// The user's signed-in sessions, the one in this browser marked.
pub fn session_list(sessions: &[SessionSummary]) -> Html {
    if sessions.is_empty() {
        return html! { <p class="muted">{ "No active sessions." }</p> };
    }
    html! {
        <ul class="session-list">
            { for sessions.iter().map(|s| html! {
                <li key={s.id} class={classes!("session-item", s.current.then_some("current"))}
                    data-testid="session-item" data-current={s.current.then_some("true")}>
                    <span class="session-name">
                        { format!("Session #{}", s.id) }
                        if s.current { <span class="badge badge-accent">{ "This browser" }</span> }
                    </span>
                    <span class="session-times muted">
                        { "Signed in " }{ timestamp(s.created_at) }
                        { " · ends by " }{ timestamp(s.expires_at) }
                    </span>
                </li>
            }) }
        </ul>
    }
}
