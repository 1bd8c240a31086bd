//! `SessionProvider`: the session state as a context, kept in step with the client's events and
//! with other tabs. `use_session()` is how components read it and sign in or out.

use super::state::{reduce, EndedReason, SessionEvent, SessionState};
use crate::client::{ApiError, Client, ClientEvent, EndReason, User};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
struct Model(SessionState);

impl Reducible for Model {
    type Action = SessionEvent;

    fn reduce(self: Rc<Self>, event: SessionEvent) -> Rc<Self> {
        let next = reduce(&self.0, event);
        if next == self.0 {
            self
        } else {
            Rc::new(Model(next))
        }
    }
}

/// What `use_session()` gives a component.
#[derive(Clone, PartialEq)]
pub struct SessionHandle {
    pub state: SessionState,
    pub client: Client,
    dispatch: Callback<SessionEvent>,
}

impl SessionHandle {
    /// Signs in; on success every tab follows (the client broadcasts it).
    pub async fn login(&self, username: &str, password: &str) -> Result<User, ApiError> {
        let info = self.client.login(username, password).await?;
        self.dispatch
            .emit(SessionEvent::SignedIn(info.user.clone()));
        Ok(info.user)
    }

    /// Signs out here and, through the client's broadcast, in every other tab.
    pub fn logout(&self) {
        let client = self.client.clone();
        let dispatch = self.dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = client.logout().await {
                // The server may still hold the session; the cookies are HttpOnly so we cannot clear them
                // ourselves. Say so in the console; the UI still leaves the signed-in area.
                log::warn!("sign-out request failed: {err}");
            }
            dispatch.emit(SessionEvent::SignedOut);
        });
    }

    /// Asks the server who is signed in (start-up, retry after an error, another tab signed in).
    pub fn recheck(&self) {
        check_session(self.client.clone(), self.dispatch.clone());
    }

    pub fn user(&self) -> Option<&User> {
        self.state.user()
    }
}

fn check_session(client: Client, dispatch: Callback<SessionEvent>) {
    dispatch.emit(SessionEvent::CheckStarted);
    wasm_bindgen_futures::spawn_local(async move {
        let event = match client.me().await {
            Ok(info) => SessionEvent::SignedIn(info.user),
            Err(err) if err.is_session_ended() || err.status() == Some(401) => {
                SessionEvent::NoSession
            }
            Err(err) => SessionEvent::CheckFailed(err.user_message()),
        };
        dispatch.emit(event);
    });
}

fn ended_reason(reason: EndReason) -> Option<EndedReason> {
    match reason {
        EndReason::RefreshRefused | EndReason::EndedElsewhere => Some(EndedReason::Expired),
        EndReason::SignedOutElsewhere => Some(EndedReason::SignedOutElsewhere),
        // Signing out here is already in the state; it is not an "ended" notice.
        EndReason::SignedOut => None,
    }
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    pub client: Client,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let model = use_reducer(|| Model(SessionState::Checking));
    let dispatch = {
        let model = model.clone();
        Callback::from(move |event: SessionEvent| model.dispatch(event))
    };

    {
        let client = props.client.clone();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            check_session(client.clone(), dispatch.clone());
            let subscription = client
                .clone()
                .subscribe(move |event: &ClientEvent| match *event {
                    ClientEvent::SessionEnded { reason } => {
                        if let Some(reason) = ended_reason(reason) {
                            dispatch.emit(SessionEvent::Ended(reason));
                        }
                    }
                    ClientEvent::SignedOutElsewhere => {
                        dispatch.emit(SessionEvent::Ended(EndedReason::SignedOutElsewhere))
                    }
                    ClientEvent::SignedInElsewhere => {
                        check_session(client.clone(), dispatch.clone())
                    }
                    _ => {}
                });
            move || drop(subscription)
        });
    }

    let handle = SessionHandle {
        state: model.0.clone(),
        client: props.client.clone(),
        dispatch,
    };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}

/// The session, or `None` outside a `SessionProvider` (callers render a visible message then).
#[hook]
pub fn use_session() -> Option<SessionHandle> {
    use_context::<SessionHandle>()
}
