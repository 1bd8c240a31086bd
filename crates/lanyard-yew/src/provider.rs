//! [`SessionProvider`]: the session as a context, kept in step with the client's events and with other
//! tabs; [`use_session`] and [`use_signed_in`] are how components read it and sign in or out.

use std::rc::Rc;

use lanyard_client::{Client, ClientEvent, Error};
use serde::Serialize;
use yew::prelude::*;

use crate::guards::{AnySession, Fallbacks, GuardContext, RoleCheck, Status};
use crate::state::{reduce, SessionEvent, SessionState};
use crate::user::SessionUser;

struct Model<U>(SessionState<U>);

impl<U: SessionUser> Reducible for Model<U> {
    type Action = SessionEvent<U>;

    fn reduce(self: Rc<Self>, event: SessionEvent<U>) -> Rc<Self> {
        let next = reduce(&self.0, event);
        if next == self.0 {
            self
        } else {
            Rc::new(Model(next))
        }
    }
}

/// What [`use_session`] gives a component: the state, the client, and sign-in / sign-out.
#[derive(Clone, PartialEq)]
pub struct Session<U> {
    state: SessionState<U>,
    client: Client,
    dispatch: Callback<SessionEvent<U>>,
}

impl<U: SessionUser> Session<U> {
    /// Where the session stands.
    pub fn state(&self) -> &SessionState<U> {
        &self.state
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&U> {
        self.state.user()
    }

    /// The client behind the session.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Signs in with `credentials` (the JSON body of the login call); on success every tab follows.
    pub async fn login<B: Serialize + ?Sized>(&self, credentials: &B) -> Result<U, Error> {
        let answer: U::Answer = self.client.login(credentials).await?;
        let user = U::from_answer(answer);
        self.dispatch.emit(SessionEvent::SignedIn(user.clone()));
        Ok(user)
    }

    /// Signs out here and, through the client's broadcast, in every other tab. The session ends here even
    /// if the server cannot be reached (logged as a warning: the cookies are HttpOnly, so only the server
    /// can clear them).
    pub fn logout(&self) {
        let client = self.client.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = client.logout().await {
                log::warn!("sign-out request failed: {err}");
            }
        });
    }

    /// Asks the backend again who is signed in (after [`SessionState::Unreachable`], for instance).
    pub fn recheck(&self) {
        check_session(self.client.clone(), self.dispatch.clone());
    }
}

fn check_session<U: SessionUser>(client: Client, dispatch: Callback<SessionEvent<U>>) {
    dispatch.emit(SessionEvent::CheckStarted);
    wasm_bindgen_futures::spawn_local(async move {
        let event = match client.me::<U::Answer>().await {
            Ok(answer) => SessionEvent::SignedIn(U::from_answer(answer)),
            Err(err) if err.is_session_ended() || err.status() == Some(401) => {
                SessionEvent::NoSession
            }
            Err(err) => {
                log::warn!("could not learn who is signed in: {err}");
                SessionEvent::CheckFailed(err)
            }
        };
        dispatch.emit(event);
    });
}

/// The [`SessionProvider`]'s properties.
#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    /// The client every request of the app goes through.
    pub client: Client,
    /// The app's sign-in page, where guards send whoever is not signed in (with `?next=`).
    #[prop_or(AttrValue::Static("/login"))]
    pub login_path: AttrValue,
    /// Where [`GuestOnly`](crate::GuestOnly) sends a signed-in user when `next` is absent or unsafe.
    #[prop_or(AttrValue::Static("/"))]
    pub home_path: AttrValue,
    /// What guards show while they cannot show their content (each guard may override them).
    #[prop_or_default]
    pub fallbacks: Fallbacks,
    /// The app.
    #[prop_or_default]
    pub children: Html,
}

/// Holds the session state for everything below it: asks "who am I" on mount, follows the client's events
/// (refused refresh, sign-in and sign-out in other tabs), and gives the guards what they need. Put it
/// outside the router.
///
/// ```no_run
/// use lanyard_client::Client;
/// use lanyard_yew::{use_session, SessionProvider, SessionUser};
/// use serde::Deserialize;
/// use yew::prelude::*;
///
/// #[derive(Clone, PartialEq, Deserialize)]
/// struct User { username: String }
///
/// /// The backend answers `{"user": {...}}` to sign-in and "who am I".
/// #[derive(Deserialize)]
/// struct Answer { user: User }
///
/// impl SessionUser for User {
///     type Answer = Answer;
///     fn from_answer(answer: Answer) -> Self { answer.user }
/// }
///
/// #[component]
/// fn Greeting() -> Html {
///     match use_session::<User>().and_then(|s| s.user().cloned()) {
///         Some(user) => html! { <p>{ format!("Hello, {}", user.username) }</p> },
///         None => html! {},
///     }
/// }
///
/// #[derive(Properties, PartialEq)]
/// struct AppProps { client: Client }
///
/// #[component]
/// fn App(props: &AppProps) -> Html {
///     html! {
///         <SessionProvider<User> client={props.client.clone()} login_path="/sign-in">
///             <Greeting />
///         </SessionProvider<User>>
///     }
/// }
/// ```
#[component]
pub fn SessionProvider<U: SessionUser>(props: &SessionProviderProps) -> Html {
    let model = use_reducer(|| Model::<U>(SessionState::Checking));
    let dispatch = {
        let model = model.clone();
        Callback::from(move |event: SessionEvent<U>| model.dispatch(event))
    };

    {
        let client = props.client.clone();
        let dispatch = dispatch.clone();
        use_effect_with(props.client.clone(), move |_| {
            check_session(client.clone(), dispatch.clone());
            let subscription = client.clone().subscribe(move |event| match *event {
                ClientEvent::SessionEnded { reason } => dispatch.emit(SessionEvent::Ended(reason)),
                ClientEvent::SignedInElsewhere => check_session(client.clone(), dispatch.clone()),
                // Back from the back/forward cache: it missed every other tab's news. Hide what it showed
                // until the backend says who is signed in (a sign-out or sign-in elsewhere is picked up).
                ClientEvent::Restored => {
                    dispatch.emit(SessionEvent::CheckStarted);
                    check_session(client.clone(), dispatch.clone());
                }
                _ => {}
            });
            move || drop(subscription)
        });
    }

    let session = Session {
        state: model.0.clone(),
        client: props.client.clone(),
        dispatch,
    };
    let guard = GuardContext {
        session: AnySession(Rc::new(session.clone())),
        status: status(&session.state),
        roles: RoleCheck::of(session.state.user()),
        recheck: {
            let session = session.clone();
            Callback::from(move |()| session.recheck())
        },
        login_path: props.login_path.clone(),
        home_path: props.home_path.clone(),
        fallbacks: props.fallbacks.clone(),
    };
    html! {
        <ContextProvider<GuardContext> context={guard}>
            { props.children.clone() }
        </ContextProvider<GuardContext>>
    }
}

fn status<U>(state: &SessionState<U>) -> Status {
    match state {
        SessionState::Checking => Status::Checking,
        SessionState::SignedIn(_) => Status::SignedIn,
        SessionState::SignedOut | SessionState::Ended(_) => Status::MustSignIn,
        SessionState::Unreachable(error) => Status::Unreachable(error.clone()),
    }
}

/// The session, or `None` outside a [`SessionProvider`] of the same user type.
#[hook]
pub fn use_session<U: SessionUser>() -> Option<Session<U>> {
    let guard = use_context::<GuardContext>()?;
    guard.session.0.downcast_ref::<Session<U>>().cloned()
}

/// The signed-in user and the client: what a page behind [`RequireAuth`](crate::RequireAuth) needs. `None`
/// when nobody is signed in (which a guard already rules out) or outside the provider.
#[hook]
pub fn use_signed_in<U: SessionUser>() -> Option<SignedIn<U>> {
    let session = use_session::<U>()?;
    let user = session.user()?.clone();
    Some(SignedIn {
        user,
        client: session.client,
    })
}

/// A signed-in user and the client to act as them.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedIn<U> {
    /// Who is signed in.
    pub user: U,
    /// The client.
    pub client: Client,
}
