//! Shared helpers for the browser tests: the dev backend's test hooks, its request statistics, timing and
//! task helpers.
//!
//! The backend is shared by every test of a run, and wasm-bindgen-test runs the tests of one binary one at a
//! time, so each test starts from [`fresh_session`]: hooks reset, a new client, a fresh login, counters zeroed.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_net::http::{Request, RequestBuilder};
use lanyard_client::{Client, ClientConfig, ClientEvent, Error, Subscription};
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use web_sys::RequestCredentials;

/// The dev backend under test (`LANYARD_TEST_API` at compile time, as `cargo xtask test` sets it).
pub const API: &str = match option_env!("LANYARD_TEST_API") {
    Some(api) => api,
    None => "http://127.0.0.1:18181",
};

pub const USER: (&str, &str) = ("user", "user-pass");

/// The client configuration the tests use, pointing at [`API`].
pub fn config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.api_base = API.into();
    config
}

/// Signs in as the demo user with the dev backend's field names.
pub async fn login(client: &Client) -> Result<Value, Error> {
    client
        .login(&json!({ "username": USER.0, "password": USER.1 }))
        .await
}

fn raw(builder: RequestBuilder) -> RequestBuilder {
    builder.credentials(RequestCredentials::Include)
}

/// Calls a test hook (`POST /api/_test/<name>`), past the client, and checks it answered 204.
pub async fn hook(name: &str, body: Option<Value>) {
    let builder = raw(Request::post(&format!("{API}/api/_test/{name}")));
    let response = match body {
        Some(body) => builder.json(&body).expect("hook body").send().await,
        None => builder.send().await,
    }
    .unwrap_or_else(|e| {
        panic!("hook {name} unreachable (is the backend running with --test-hooks?): {e}")
    });
    assert_eq!(
        response.status(),
        204,
        "hook {name}: {:?}",
        response.text().await
    );
}

/// Zeroes the counters and clears injected faults and latency.
pub async fn reset() {
    hook("reset", None).await;
}

/// Every access token issued so far is expired now.
pub async fn expire_access() {
    hook("expire-access", None).await;
}

/// Every refresh family is revoked now.
pub async fn revoke_refresh() {
    hook("revoke-refresh", None).await;
}

/// The next `count` refresh calls answer 503 (`"503"`) or have their connection dropped (`"drop"`).
pub async fn fail_refresh(count: u32, mode: &str) {
    hook(
        "fail-refresh",
        Some(json!({ "count": count, "mode": mode })),
    )
    .await;
}

/// Artificial latency for every API call, plus `refresh_ms` for refresh calls.
pub async fn latency(ms: u64, refresh_ms: u64) {
    hook(
        "latency",
        Some(json!({ "ms": ms, "refresh_ms": refresh_ms })),
    )
    .await;
}

/// The backend's request counters (`GET /api/_test/stats`); hook calls are not counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Stats {
    pub total: u64,
    pub by_endpoint: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Stats {
    /// Answers with `status` (`"200"`, `"401"`, `"dropped"`) counted for `endpoint` (`"GET /api/notes"`).
    pub fn count(&self, endpoint: &str, status: &str) -> u64 {
        self.by_endpoint
            .get(endpoint)
            .and_then(|s| s.get(status))
            .copied()
            .unwrap_or(0)
    }

    /// Every answer counted for `endpoint`, whatever its status.
    pub fn all(&self, endpoint: &str) -> u64 {
        self.by_endpoint
            .get(endpoint)
            .map_or(0, |s| s.values().sum())
    }

    /// The statuses counted for `endpoint`, e.g. `{"200": 1}`.
    pub fn statuses(&self, endpoint: &str) -> BTreeMap<String, u64> {
        self.by_endpoint.get(endpoint).cloned().unwrap_or_default()
    }

    /// The server saw exactly one refresh call, and it succeeded.
    #[track_caller]
    pub fn assert_one_refresh(&self) {
        assert_eq!(
            self.statuses(REFRESH),
            statuses(&[("200", 1)]),
            "refreshes at the server: {self:?}"
        );
    }
}

pub const REFRESH: &str = "POST /api/auth/refresh";
pub const NOTES: &str = "GET /api/notes";

pub async fn stats() -> Stats {
    let response = raw(Request::get(&format!("{API}/api/_test/stats")))
        .send()
        .await
        .expect("stats hook unreachable");
    assert_eq!(response.status(), 200, "stats hook");
    response.json().await.expect("stats body")
}

/// `{"200": n}`-style expectations, for comparing with [`Stats::statuses`].
pub fn statuses(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
}

/// A browser client over `config`, signed in as the demo user, with hooks cleared and counters at zero.
pub async fn fresh_session_with(config: ClientConfig) -> Client {
    // A previous test may have failed half-way and left latency or faults behind.
    reset().await;
    let client = Client::builder(config).build().expect("a valid config");
    login(&client).await.expect("login as the demo user");
    reset().await;
    client
}

pub async fn fresh_session() -> Client {
    fresh_session_with(config()).await
}

/// Milliseconds since the epoch (`Date.now()`).
pub fn now() -> f64 {
    js_sys::Date::now()
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Waits (polling every 5 ms) until `condition` holds; panics with `what` after `timeout_ms`.
pub async fn wait_until(what: &str, timeout_ms: f64, mut condition: impl FnMut() -> bool) {
    let deadline = now() + timeout_ms;
    while !condition() {
        assert!(
            now() < deadline,
            "timed out after {timeout_ms} ms waiting until {what}"
        );
        sleep(5).await;
    }
}

/// Runs `future` as its own task (so it makes progress while the test does other things); await the
/// returned receiver for its output.
pub fn spawn<T: 'static>(future: impl Future<Output = T> + 'static) -> oneshot::Receiver<T> {
    let (tx, rx) = oneshot::channel();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = tx.send(future.await);
    });
    rx
}

/// Records every event the client emits.
pub fn record_events(client: &Client) -> (Rc<RefCell<Vec<ClientEvent>>>, Subscription) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let subscription = client.subscribe(move |event| sink.borrow_mut().push(*event));
    (events, subscription)
}

/// `document.cookie` of the test page.
pub fn document_cookie() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .expect("an HTML document")
        .cookie()
        .expect("document.cookie")
}

/// The value of the readable cookie `name`, if the page has it.
pub fn cookie(name: &str) -> Option<String> {
    document_cookie()
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Every `(key, value)` of a Web Storage area.
pub fn storage_entries(storage: &web_sys::Storage) -> Vec<(String, String)> {
    let len = storage.length().expect("storage length");
    (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .map(|key| {
            let value = storage.get_item(&key).ok().flatten().unwrap_or_default();
            (key, value)
        })
        .collect()
}

/// Whether `text` holds something shaped like one of the backend's tokens: 32 random bytes in base64url
/// (43 characters of `[A-Za-z0-9_-]`).
pub fn looks_like_token(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            run += 1;
            if run >= 43 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}
