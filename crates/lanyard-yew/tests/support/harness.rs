//! A tiny app of the tests' own around the real `SessionProvider`, `BrowserRouter` and guards: its own routes
//! (the login page is `/sign-in` and home is `/in`, not the crate's defaults, so following them proves the
//! provider's props are used), its own user type, and a probe that records every render of protected content.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;

use lanyard_client::{Client, ClientConfig};
use lanyard_yew::{
    use_session, use_signed_in, Fallbacks, GuestOnly, RequireAuth, RequireRole, RequireUser,
    SessionProvider, SessionUser,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;
use yew::AppHandle;
use yew_router::prelude::*;

use super::fake_api::{set_url, settle, window, FakeApi};

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

/// Mounts the app at `url` with `client` and the default [`fallbacks`].
pub fn mount(url: &str, client: Client) -> Mounted {
    mount_with(url, Some(client), fallbacks())
}

/// Mounts the app at `url`: with a provider over `client` and `fallbacks`, or (`None`) without one.
pub fn mount_with(url: &str, client: Option<Client>, fallbacks: Fallbacks) -> Mounted {
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
        fallbacks,
        probe: probe.clone(),
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
        self.find(&testid_selector(testid)).is_some()
    }

    /// How many elements with `data-testid="<id>"` there are now.
    pub fn count(&self, testid: &str) -> u32 {
        self.root
            .query_selector_all(&testid_selector(testid))
            .expect("a valid selector")
            .length()
    }

    /// The text of the element with `data-testid="<id>"`.
    pub fn text(&self, testid: &str) -> String {
        self.find(&testid_selector(testid))
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    pub fn find(&self, selector: &str) -> Option<Element> {
        self.root
            .query_selector(selector)
            .expect("a valid selector")
    }

    /// Clicks the element with `data-testid="<id>"` (a real, bubbling click event).
    pub fn click(&self, testid: &str) {
        self.click_selector(&testid_selector(testid));
    }

    pub fn click_selector(&self, selector: &str) {
        self.find(selector)
            .unwrap_or_else(|| panic!("no {selector} in {}", self.html()))
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

fn testid_selector(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}
