use super::Timestamp;
use crate::pages::api::SessionSummary;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SessionListProps {
    pub sessions: Vec<SessionSummary>,
}

/// The user's signed-in sessions, the one in this browser marked.
#[component]
pub fn SessionList(props: &SessionListProps) -> Html {
    if props.sessions.is_empty() {
        return html! { <p class="muted">{ "No active sessions." }</p> };
    }
    html! {
        <ul class="session-list">
            { for props.sessions.iter().map(|s| html! {
                <li key={s.id} class={classes!("session-item", s.current.then_some("current"))}
                    data-testid="session-item" data-current={s.current.then_some("true")}>
                    <span class="session-name">
                        { format!("Session #{}", s.id) }
                        if s.current { <span class="badge badge-accent">{ "This browser" }</span> }
                    </span>
                    <span class="session-times muted">
                        { "Signed in " }<Timestamp ms={s.created_at} />
                        { " · ends by " }<Timestamp ms={s.expires_at} />
                    </span>
                </li>
            }) }
        </ul>
    }
}
