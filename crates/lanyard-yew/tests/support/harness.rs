//! A tiny app of the tests' own around the real `SessionProvider`, `BrowserRouter` and guards: its own routes
//! (the login page is `/sign-in` and home is `/in`, not the crate's defaults, so following them proves the
//! provider's props are used), its own user type, and a probe that records every render of protected content.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use lanyard_client::{Client, ClientConfig};
use lanyard_yew::{
    use_session, use_signed_in, Fallbacks, GuestOnly, RequireAuth, RequireRole, RequireUser,
    SessionProvider, SessionUser,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

use super::fake_api::FakeApi;
use super::mounting::{self, Mounted, Probe, Secret};

pub const LOGIN_PATH: &str = "/sign-in";
pub const HOME_PATH: &str = "/in";

// ---------------------------------------------------------------- the app's user and routes

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct User {
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub staff: bool,
}

/// The "who am I" answer: `{"user": {...}}`.
#[derive(Deserialize)]
pub struct Me {
    user: User,
}

impl SessionUser for User {
    type Answer = Me;

    fn from_answer(answer: Me) -> Self {
        answer.user
    }

    fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// The body of `GET /api/me` for `name` holding `roles`.
pub fn session(name: &str, roles: &[&str], staff: bool) -> Value {
    json!({ "user": { "name": name, "roles": roles, "staff": staff } })
}

/// A client of its own over `api`: nothing shared with other tests (not even with other tabs).
pub fn client(api: &Rc<FakeApi>) -> Client {
    let mut config = ClientConfig::default();
    // A 503 or a dropped connection reaches the provider at once, not after the client's backoff retries.
    config.max_retries = 0;
    Client::builder(config)
        .transport(api.clone())
        .cross_tab(false)
        .build()
        .expect("a valid config")
}

#[derive(Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Landing,
    #[at("/in")]
    In,
    #[at("/admin")]
    Admin,
    #[at("/staff")]
    Staff,
    #[at("/sign-in")]
    SignIn,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Landing => html! { <p data-testid="landing">{ "public" }</p> },
        Route::In => html! {
            <RequireAuth><Secret name="in" /><WhoAmI /></RequireAuth>
        },
        Route::Admin => html! {
            <RequireRole role="admin" forbidden={html! { <p data-testid="forbidden">{ "no" }</p> }}>
                <Secret name="admin" />
            </RequireRole>
        },
        Route::Staff => html! {
            <RequireUser<User>
                allow={Callback::from(|user: User| user.staff)}
                forbidden={html! { <p data-testid="not-staff">{ "staff only" }</p> }}
            >
                <Secret name="staff" />
            </RequireUser<User>>
        },
        Route::SignIn => html! {
            <GuestOnly><p data-testid="sign-in-page">{ "the sign-in form" }</p></GuestOnly>
        },
        Route::NotFound => html! { <p data-testid="not-found">{ "404" }</p> },
    }
}

/// The signed-in user's name (`use_signed_in`) and a sign-out button (`use_session().logout()`).
#[component]
fn WhoAmI() -> Html {
    let name = use_signed_in::<User>().map(|s| s.user.name);
    let session = use_session::<User>();
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Some(session) = &session {
            session.logout();
        }
    });
    html! {
        <>
            <p data-testid="who">{ name.unwrap_or_default() }</p>
            <button type="button" data-testid="sign-out" {onclick}>{ "Sign out" }</button>
        </>
    }
}

/// The provider's fallbacks: markers for "checking" and "redirecting", the crate's default unreachable view.
pub fn fallbacks() -> Fallbacks {
    Fallbacks {
        checking: html! { <p data-testid="checking">{ "Checking…" }</p> },
        redirecting: Some(html! { <p data-testid="redirecting">{ "Redirecting…" }</p> }),
        unreachable: None,
    }
}

// ---------------------------------------------------------------- harness

#[derive(Properties, PartialEq)]
pub struct HarnessProps {
    /// `None`: the guards without a `SessionProvider` around them.
    pub client: Option<Client>,
    pub fallbacks: Fallbacks,
    pub probe: Probe,
}

#[component]
pub fn Harness(props: &HarnessProps) -> Html {
    let routes = html! {
        <BrowserRouter><Switch<Route> render={switch} /></BrowserRouter>
    };
    let app = match &props.client {
        Some(client) => html! {
            <SessionProvider<User>
                client={client.clone()}
                login_path={LOGIN_PATH}
                home_path={HOME_PATH}
                fallbacks={props.fallbacks.clone()}
            >
                { routes }
            </SessionProvider<User>>
        },
        None => routes,
    };
    html! {
        <ContextProvider<Probe> context={props.probe.clone()}>{ app }</ContextProvider<Probe>>
    }
}

/// Mounts the app at `url` with `client` and the default [`fallbacks`].
pub fn mount(url: &str, client: Client) -> Mounted {
    mount_with(url, Some(client), fallbacks())
}

/// Mounts the app at `url`: with a provider over `client` and `fallbacks`, or (`None`) without one.
pub fn mount_with(url: &str, client: Option<Client>, fallbacks: Fallbacks) -> Mounted {
    let probe = Probe::default();
    let props = HarnessProps {
        client,
        fallbacks,
        probe: probe.clone(),
    };
    mounting::mount::<Harness>(url, probe, props)
}
