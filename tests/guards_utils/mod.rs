//! Helpers for the route-guard component tests: a scripted fake API behind the real [`Client`], a browser
//! runtime, a probe that records every render of protected content, and a harness that mounts the real
//! `SessionProvider` + `BrowserRouter` + guards on a fresh `<div>`.
//!
//! No backend is involved: every test scripts its own answers, and answers it can hold back and release later.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use futures_util::future::{self, Either, FutureExt, LocalBoxFuture};
use lanyard::app::{fallbacks, use_session};
use lanyard::config::Config;
use lanyard::routes::{switch, Route};
use lanyard::user::User;
use lanyard_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use lanyard_client::{AbortHandle, Client};
use lanyard_yew::{GuestOnly, RequireAuth, RequireRole, SessionProvider};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;
use yew::prelude::*;
use yew::AppHandle;
use yew_router::prelude::*;

// ---------------------------------------------------------------- fake API

/// How the fake API answers one endpoint.
#[derive(Clone, Debug)]
pub enum Answer {
    /// This status and JSON body, in a later task (like a real fetch).
    Json(u16, Value),
    /// Nothing until the test calls [`FakeApi::release`].
    Hold,
}

/// A scripted backend. Endpoints are `"METHOD /path"` (query strings ignored); unscripted ones answer 200 `[]`.
#[derive(Default)]
pub struct FakeApi {
    answers: RefCell<Vec<(String, Answer)>>,
    held: RefCell<Vec<(String, oneshot::Sender<HttpResponse>)>>,
    calls: RefCell<Vec<String>>,
}

impl FakeApi {
    pub fn new() -> Rc<FakeApi> {
        Rc::new(FakeApi::default())
    }

    /// From now on `endpoint` answers `answer` (replacing an earlier script for it).
    pub fn on(&self, endpoint: &str, answer: Answer) {
        let mut answers = self.answers.borrow_mut();
        answers.retain(|(e, _)| e != endpoint);
        answers.push((endpoint.to_owned(), answer));
    }

    /// How many requests reached `endpoint`.
    pub fn calls(&self, endpoint: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|c| *c == endpoint)
            .count()
    }

    /// Every request so far, in order.
    pub fn log(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }

    /// How many requests to `endpoint` are held, waiting for [`FakeApi::release`].
    pub fn held(&self, endpoint: &str) -> usize {
        self.held
            .borrow()
            .iter()
            .filter(|(e, tx)| e == endpoint && !tx.is_canceled())
            .count()
    }

    /// Answers every held request to `endpoint`; returns how many there were.
    pub fn release(&self, endpoint: &str, status: u16, body: &Value) -> usize {
        let senders: Vec<_> = {
            let mut held = self.held.borrow_mut();
            let (mine, rest) = std::mem::take(&mut *held)
                .into_iter()
                .partition(|(e, _)| e == endpoint);
            *held = rest;
            mine
        };
        let mut released = 0;
        for (_, tx) in senders {
            if tx.send(response(status, body)).is_ok() {
                released += 1;
            }
        }
        released
    }

    fn answer_for(&self, endpoint: &str) -> Answer {
        self.answers
            .borrow()
            .iter()
            .find(|(e, _)| e == endpoint)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| Answer::Json(200, json!([])))
    }
}

fn response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse::new(status, serde_json::to_vec(body).expect("a JSON body"))
}

impl Transport for FakeApi {
    fn send(
        &self,
        request: &HttpRequest,
        signal: &AbortHandle,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
        let path = request.url.split('?').next().unwrap_or(&request.url);
        let endpoint = format!("{} {}", request.method.as_str(), path);
        self.calls.borrow_mut().push(endpoint.clone());
        let (abort_tx, abort_rx) = oneshot::channel::<()>();
        signal.on_abort(move || {
            let _ = abort_tx.send(());
        });
        let answer: LocalBoxFuture<'static, Result<HttpResponse, TransportError>> =
            match self.answer_for(&endpoint) {
                Answer::Json(status, body) => async move {
                    gloo_timers::future::TimeoutFuture::new(1).await;
                    Ok(response(status, &body))
                }
                .boxed_local(),
                Answer::Hold => {
                    let (tx, rx) = oneshot::channel();
                    self.held.borrow_mut().push((endpoint, tx));
                    rx.map(|r| r.map_err(|_| TransportError::Network("dropped by the test".into())))
                        .boxed_local()
                }
            };
        async move {
            match future::select(answer, abort_rx).await {
                Either::Left((result, _)) => result,
                Either::Right(_) => Err(TransportError::Aborted),
            }
        }
        .boxed_local()
    }
}

pub const ME: &str = "GET /api/me";
pub const REFRESH: &str = "POST /api/auth/refresh";
pub const NOTES: &str = "GET /api/notes";
pub const LOGIN: &str = "POST /api/auth/login";

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

pub fn unauthorized() -> Value {
    json!({ "error": "unauthorized", "message": "no session" })
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

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// Sets the page's URL (same origin) without reloading, as a deep link would have it.
pub fn set_url(url: &str) {
    window()
        .history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(url))
        .expect("replaceState");
}

pub fn pathname() -> String {
    window().location().pathname().expect("pathname")
}

pub fn search() -> String {
    window().location().search().expect("search")
}

/// `path?query` of the page now.
pub fn here() -> String {
    format!("{}{}", pathname(), search())
}

/// A query parameter of the page's URL, decoded (`+` is a space).
pub fn query_param(name: &str) -> Option<String> {
    let search = search();
    search
        .strip_prefix('?')
        .unwrap_or(&search)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| {
            js_sys::decode_uri_component(&v.replace('+', " "))
                .expect("a well-encoded query")
                .as_string()
                .expect("a string")
        })
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

// ---------------------------------------------------------------- time

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Lets the scheduler, effects and pending answers run: several turns of the event loop.
pub async fn settle() {
    for _ in 0..10 {
        sleep(0).await;
    }
}

/// Waits (polling every 5 ms) until `condition` holds; panics with `what` after `timeout_ms`.
pub async fn wait_until(what: &str, timeout_ms: f64, mut condition: impl FnMut() -> bool) {
    let deadline = js_sys::Date::now() + timeout_ms;
    while !condition() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out after {timeout_ms} ms waiting until {what} (url {})",
            here()
        );
        sleep(5).await;
    }
}
