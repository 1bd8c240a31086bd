//! Helpers for the route-guard component tests: the scripted fake API behind the real [`Client`] (from
//! `lanyard-yew`'s own tests), a probe that records every render of protected content, and a harness that
//! mounts the real `SessionProvider` + `BrowserRouter` + guards on a fresh `<div>`.
//!
//! No backend is involved: every test scripts its own answers, and answers it can hold back and release later.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

// The fake API and the browser helpers are `lanyard-yew`'s, shared rather than copied.
#[path = "../../crates/lanyard-yew/tests/support/fake_api.rs"]
mod fake_api;
pub use fake_api::*;

use std::cell::RefCell;
use std::rc::Rc;

use lanyard::app::{fallbacks, use_session};
use lanyard::config::Config;
use lanyard::routes::{switch, Route};
use lanyard::user::User;
use lanyard_client::Client;
use lanyard_yew::{GuestOnly, RequireAuth, RequireRole, SessionProvider};
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;
use yew::AppHandle;
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

// ---------------------------------------------------------------- probe and markers

/// Records every render of a [`Secret`] (by name). A render at all — even one replaced in the same frame —
/// would show up here, which a look at the DOM afterwards could miss.
#[derive(Clone, Default)]
pub struct Probe(Rc<RefCell<Vec<String>>>);

impl Probe {
    pub fn renders(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
    pub fn rendered(&self, name: &str) -> bool {
        self.0.borrow().iter().any(|n| n == name)
    }
}

impl PartialEq for Probe {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct SecretProps {
    pub name: AttrValue,
}

/// Protected content: `<p data-testid="secret-<name>">`, and a record in the [`Probe`] each time it renders.
#[component]
pub fn Secret(props: &SecretProps) -> Html {
    if let Some(probe) = use_context::<Probe>() {
        probe.0.borrow_mut().push(props.name.to_string());
    }
    html! { <p data-testid={format!("secret-{}", props.name)}>{ "private content" }</p> }
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

/// The harness mounted on its own `<div>`; [`Mounted::unmount`] puts the page back as it was.
pub struct Mounted {
    pub root: Element,
    pub probe: Probe,
    start_href: String,
}

thread_local! {
    /// The app now mounted. A test that fails never unmounts; the next [`mount`] tears its app down first, so
    /// it cannot keep reacting to URL changes (all routers share the page's history) and fail later tests.
    static CURRENT: RefCell<Option<(AppHandle<Harness>, Element)>> = const { RefCell::new(None) };
    static START_HREF: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn tear_down_current() {
    if let Some((app, root)) = CURRENT.with(|c| c.borrow_mut().take()) {
        app.destroy();
        root.remove();
    }
}

/// Mounts the harness at `url` with `client`.
pub fn mount(url: &str, client: Client, real_pages: bool) -> Mounted {
    tear_down_current();
    // The test page's own URL, taken before any test changed it.
    let start_href = START_HREF.with(|start| {
        start
            .borrow_mut()
            .get_or_insert_with(|| window().location().href().expect("href"))
            .clone()
    });
    set_url(url);
    let document = window().document().expect("a document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("append the root");
    let probe = Probe::default();
    let props = HarnessProps {
        client,
        probe: probe.clone(),
        real_pages,
    };
    let app = yew::Renderer::<Harness>::with_root_and_props(root.clone(), props).render();
    CURRENT.with(|c| *c.borrow_mut() = Some((app, root.clone())));
    Mounted {
        root,
        probe,
        start_href,
    }
}

impl Mounted {
    /// Whether an element with `data-testid="<id>"` is in this harness's DOM now.
    pub fn has(&self, testid: &str) -> bool {
        self.has_selector(&format!("[data-testid=\"{testid}\"]"))
    }

    pub fn has_selector(&self, selector: &str) -> bool {
        self.root
            .query_selector(selector)
            .expect("a valid selector")
            .is_some()
    }

    /// Clicks the element with `data-testid="<id>"` (a real, bubbling click event).
    pub fn click(&self, testid: &str) {
        self.root
            .query_selector(&format!("[data-testid=\"{testid}\"]"))
            .expect("a valid selector")
            .unwrap_or_else(|| panic!("no {testid} in {}", self.html()))
            .dyn_into::<web_sys::HtmlElement>()
            .expect("an HTML element")
            .click();
    }

    pub fn html(&self) -> String {
        self.root.inner_html()
    }

    /// Destroys the app, removes its `<div>` and restores the URL the page had before [`mount`].
    pub async fn unmount(self) {
        tear_down_current();
        settle().await;
        set_url(&self.start_href);
    }
}
