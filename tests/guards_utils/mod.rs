//! Helpers for the route-guard component tests: the scripted fake API behind the real [`Client`] (from
//! `lanyard-yew`'s own tests), a probe that records every render of protected content, and a harness that
//! mounts the real `SessionProvider` + `BrowserRouter` + guards on a fresh `<div>`.
//!
//! No backend is involved: every test scripts its own answers, and answers it can hold back and release later.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

// The fake API and the browser helpers are `lanyard-yew`'s, shared rather than copied.
#[path = "../../crates/lanyard-yew/tests/support/fake_api.rs"]
mod fake_api;
#[path = "../../crates/lanyard-yew/tests/support/mounting.rs"]
mod mounting;
pub use fake_api::*;
pub use mounting::{Mounted, Probe, Secret};

use std::rc::Rc;

use lanyard::app::{fallbacks, use_session};
use lanyard::config::Config;
use lanyard::routes::{switch, Route};
use lanyard::user::User;
use lanyard_client::Client;
use lanyard_yew::{GuestOnly, RequireAuth, RequireRole, SessionProvider};
use serde_json::{json, Value};
use yew::prelude::*;
use yew_router::prelude::*;

pub const NOTES: &str = "GET /api/notes";

/// Same-origin API paths (the fake transport never leaves the page).
/// The defaults, with the Lab enabled: whether a build has it is then up to the build alone.
pub fn config() -> Config {
    Config {
        lab_enabled: true,
        ..Config::default()
    }
}

/// A client of its own over `api`: nothing shared with other tests (not even with other tabs).
pub fn client(api: &Rc<FakeApi>) -> Client {
    Client::builder(config().client)
        .transport(api.clone())
        .cross_tab(false)
        .build()
        .expect("a valid config")
}

/// The body of `GET /api/me` for `username` holding `roles`.
pub fn session(username: &str, roles: &[&str]) -> Value {
    json!({
        "user": { "id": 7, "username": username, "display_name": format!("Test {username}"), "roles": roles },
        "access_expires_at": js_sys::Date::now() as u64 + 600_000,
    })
}

/// Stands in for the login page: a button that signs in as `user` through the session handle, as the real
/// form does.
#[component]
pub fn LoginForm() -> Html {
    let session = use_session();
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Some(session) = session.clone() {
            wasm_bindgen_futures::spawn_local(async move {
                let credentials = json!({ "username": "user", "password": "user-pass" });
                session.login(&credentials).await.expect("login");
            });
        }
    });
    html! {
        <div data-testid="login-form">
            <button type="button" data-testid="sign-in" {onclick}>{ "Sign in" }</button>
        </div>
    }
}

/// The app's routes with the real guards around markers instead of the real pages.
pub fn markers(route: Route) -> Html {
    match route {
        Route::Home => html! { <RequireAuth><Secret name="home" /></RequireAuth> },
        Route::Login => {
            html! { <GuestOnly><LoginForm /></GuestOnly> }
        }
        Route::Notes => html! { <RequireAuth><Secret name="notes" /></RequireAuth> },
        Route::Note { .. } => html! { <RequireAuth><Secret name="note" /></RequireAuth> },
        Route::Profile => html! { <RequireAuth><Secret name="profile" /></RequireAuth> },
        Route::Lab => html! { <RequireAuth><Secret name="lab" /></RequireAuth> },
        Route::Admin => {
            html! {
                <RequireRole role="admin" forbidden={lanyard::pages::forbidden()}>
                    <Secret name="admin" />
                </RequireRole>
            }
        }
        Route::Forbidden | Route::NotFound => html! { <p data-testid="other">{ "other" }</p> },
    }
}

// ---------------------------------------------------------------- harness

#[derive(Properties, PartialEq)]
pub struct HarnessProps {
    pub client: Client,
    pub probe: Probe,
    /// The real `switch` (real pages) instead of [`markers`].
    #[prop_or_default]
    pub real_pages: bool,
}

/// The app's provider stack (as in `App`, without the layout) around the routes.
#[component]
pub fn Harness(props: &HarnessProps) -> Html {
    let render: fn(Route) -> Html = if props.real_pages { switch } else { markers };
    html! {
        <ContextProvider<Rc<Config>> context={Rc::new(config())}>
            <ContextProvider<Probe> context={props.probe.clone()}>
                <SessionProvider<User> client={props.client.clone()} fallbacks={fallbacks()}>
                    <BrowserRouter>
                        <Switch<Route> render={render} />
                    </BrowserRouter>
                </SessionProvider<User>>
            </ContextProvider<Probe>>
        </ContextProvider<Rc<Config>>>
    }
}

/// Mounts the harness at `url` with `client`.
pub fn mount(url: &str, client: Client, real_pages: bool) -> Mounted {
    let probe = Probe::default();
    let props = HarnessProps {
        client,
        probe: probe.clone(),
        real_pages,
    };
    mounting::mount::<Harness>(url, probe, props)
}
