//! Session state and route guards for [Yew](https://yew.rs) apps on
//! [`lanyard-client`](lanyard_client): cookie sessions with one refresh for many 401s, queued and replayed
//! requests, and tabs that follow each other.
//!
//! - [`SessionProvider`] holds the session (checking → signed in / signed out / ended / unreachable), asks
//!   the backend "who am I" on start, and follows the client's events and other tabs.
//! - [`use_session`] gives a component the state, the client, `login()` and `logout()`;
//!   [`use_signed_in`] the user and the client behind a guard.
//! - [`RequireAuth`], [`RequireRole`], [`RequireUser`] and [`GuestOnly`] guard routes: protected content
//!   never renders, not for a frame, unless someone is signed in; whoever is not is sent to *your* login
//!   route with a `?next=` that is checked ([`next::safe_next`]) before it is followed.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # mod app {
//! use lanyard_client::{Client, ClientConfig};
//! use lanyard_yew::{RequireAuth, SessionProvider, SessionUser};
//! use serde::Deserialize;
//! use yew::prelude::*;
//! use yew_router::prelude::*;
//!
//! #[derive(Clone, PartialEq, Deserialize)]
//! struct User { username: String }
//!
//! #[derive(Deserialize)]
//! struct Answer { user: User }
//!
//! impl SessionUser for User {
//!     type Answer = Answer;
//!     fn from_answer(answer: Answer) -> Self { answer.user }
//! }
//!
//! #[derive(Clone, PartialEq, Routable)]
//! enum Route {
//!     #[at("/")]
//!     Home,
//!     #[at("/login")]
//!     Login,
//! }
//!
//! fn switch(route: Route) -> Html {
//!     match route {
//!         Route::Home => html! { <RequireAuth><p>{ "Private" }</p></RequireAuth> },
//!         Route::Login => html! { <p>{ "The sign-in form" }</p> },
//!     }
//! }
//!
//! #[component]
//! fn App() -> Html {
//!     let client = use_memo((), |_| Client::builder(ClientConfig::default()).build());
//!     match &*client {
//!         Ok(client) => html! {
//!             <SessionProvider<User> client={client.clone()}>
//!                 <BrowserRouter><Switch<Route> render={switch} /></BrowserRouter>
//!             </SessionProvider<User>>
//!         },
//!         Err(err) => html! { <p>{ err.to_string() }</p> },
//!     }
//! }
//! # }
//! ```
//!
//! The components need a browser (`wasm32`); the state machine and [`next`] are plain Rust.

#![deny(missing_docs)]
// The reducer's only caller off the tests is the provider, which needs a browser.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

pub mod next;
mod state;
mod user;

#[cfg(target_arch = "wasm32")]
mod guards;
#[cfg(target_arch = "wasm32")]
mod provider;

pub use lanyard_client;
pub use state::SessionState;
pub use user::SessionUser;

#[cfg(target_arch = "wasm32")]
pub use guards::{
    Fallbacks, GuardProps, GuestOnly, RequireAuth, RequireRole, RequireUser, RoleProps,
    Unreachable, UserProps,
};
#[cfg(target_arch = "wasm32")]
pub use provider::{
    use_session, use_signed_in, Session, SessionProvider, SessionProviderProps, SignedIn,
};
