//! An HTTP client for browser apps whose backend keeps the session in HttpOnly cookies: a short-lived access
//! token and a rotating refresh token.
//!
//! Every request goes out with credentials and, on unsafe methods, the CSRF header; no token is ever readable
//! by your code. When a request fails with an auth status (401 by default) the client runs **one** refresh,
//! also across the tabs of the origin (Web Locks); every request that fails or is issued meanwhile waits and
//! is **replayed** in order. A late 401 from before the refresh never starts a second one (the auth epoch).
//! A refused refresh **ends** the session ([`Error::SessionEnded`]); a refresh that fails for network or
//! server reasons does not ([`Error::RefreshUnavailable`], retryable).
//!
//! ```no_run
//! use lanyard_client::{Client, ClientConfig, Request};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize)]
//! struct Note { id: u64, title: String }
//! #[derive(Deserialize)]
//! struct Me { username: String }
//! #[derive(Serialize)]
//! struct Credentials<'a> { username: &'a str, password: &'a str }
//!
//! # #[cfg(target_arch = "wasm32")]
//! fn client() -> Result<Client, lanyard_client::ConfigError> {
//!     let mut config = ClientConfig::default();
//!     config.api_base = "https://api.example.com".into();
//!     Client::builder(config).build() // fetch, Web Locks, BroadcastChannel
//! }
//!
//! async fn use_it(client: &Client) -> Result<(), lanyard_client::Error> {
//!     let me: Me = client.login(&Credentials { username: "ada", password: "…" }).await?;
//!     let notes: Vec<Note> = client.get("/api/notes").await?; // a 401 here refreshes, then replays
//!     let note: Note = client
//!         .send(Request::post("/api/notes").json(&serde_json::json!({ "title": "Hi" }))?)
//!         .await?;
//!     client.logout().await
//! }
//! ```
//!
//! The rules the client keeps are listed in the crate README ("Guarantees"). The browser parts (fetch,
//! Web Locks, BroadcastChannel) compile for `wasm32`; the state machine behind them is plain
//! Rust and is property-tested on the host.

#![deny(missing_docs)]
// Off the browser only the tests build a client (the browser runtime is wasm32-only), so on the host the
// machinery looks unused to the compiler.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

pub mod config;
mod coordinator;
mod cross_tab;
mod driver;
pub mod error;
mod expiry;
mod id_map;
mod request;
mod retry;
mod runtime;
pub mod transport;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod tabs;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use std::fmt;
use std::rc::Rc;

use std::future::Future;

use futures_util::future::{FutureExt, LocalBoxFuture};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use config::{ClientConfig, ConfigError, ExpiryUnit, InFlightCap};
pub use coordinator::EndReason;
pub use error::{Error, ErrorBody, FieldErrors};
pub use request::{ClientEvent, ClientStats, Request};
pub use runtime::{AbortHandle, Method};

#[cfg(target_arch = "wasm32")]
pub use browser::ClientBuilder;

use driver::Inner;
use runtime::{Runtime, Tabs};
use transport::{HttpRequest, HttpResponse, Transport};

/// The client. Cheap to clone (all clones share one session and one refresh); `PartialEq` compares identity.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl Client {
    /// A client over explicit parts: the tests' manual clock and fake backend, or the browser's.
    pub(crate) fn with_parts(
        config: ClientConfig,
        transport: Rc<dyn Transport>,
        runtime: Rc<dyn Runtime>,
        tabs: Rc<dyn Tabs>,
    ) -> Client {
        Client {
            inner: Inner::new(config, transport, runtime, tabs),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// `GET path`, decoded from JSON.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> impl Future<Output = Result<T, Error>> {
        self.send(Request::get(path))
    }

    /// `POST path` with a JSON body.
    pub fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> impl Future<Output = Result<T, Error>> {
        self.send_json(Request::post(path).json(body))
    }

    /// `PUT path` with a JSON body.
    pub fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> impl Future<Output = Result<T, Error>> {
        self.send_json(Request::put(path).json(body))
    }

    /// `PATCH path` with a JSON body.
    pub fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> impl Future<Output = Result<T, Error>> {
        self.send_json(Request::patch(path).json(body))
    }

    /// `DELETE path`.
    pub fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> impl Future<Output = Result<T, Error>> {
        self.send(Request::delete(path))
    }

    /// The general call: any method and options, a typed answer (`()` for 204 and empty bodies).
    ///
    /// The future owns what it needs (it does not borrow the client). Only the decoding is generic: the call
    /// itself is one shared future, so each answer type costs the bundle little.
    pub fn send<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<T, Error>> {
        let endpoint = endpoint(&request);
        let call = self.send_raw(request);
        async move { decode(&endpoint, call.await?) }
    }

    /// [`Client::send`] of a request whose body may have failed to serialise.
    fn send_json<T: DeserializeOwned>(
        &self,
        request: Result<Request, Error>,
    ) -> impl Future<Output = Result<T, Error>> {
        let call = request.map(|request| (endpoint(&request), self.send_raw(request)));
        async move {
            let (endpoint, call) = call?;
            decode(&endpoint, call.await?)
        }
    }

    fn send_raw(&self, request: Request) -> LocalBoxFuture<'static, Result<HttpResponse, Error>> {
        let inner = self.inner.clone();
        async move {
            let config = &inner.config;
            let csrf_cookie = request
                .method
                .is_unsafe()
                .then(|| config.csrf_cookie.clone());
            let http = HttpRequest {
                method: request.method,
                url: config.url(&request.path),
                body: request.body,
                csrf_cookie,
            };
            let timeout_ms = request.timeout_ms.unwrap_or(config.request_timeout_ms);
            let max_retries = request.retries.unwrap_or(config.max_retries);
            let idempotent = request.idempotent || request.method.is_idempotent();
            // Retries spend the request's own time: the timeout bounds the whole call.
            let deadline = inner.runtime.now_ms().saturating_add(timeout_ms);
            let mut attempt = 0;
            loop {
                let left = deadline.saturating_sub(inner.runtime.now_ms()).max(1);
                let outcome = if request.skip_refresh {
                    inner
                        .call_direct(http.clone(), left, request.abort.clone())
                        .await
                } else {
                    inner.call(http.clone(), left, request.abort.clone()).await
                };
                attempt += 1;
                let spread = (inner.runtime.now_ms() % 1_000) as f64 / 1_000.0;
                let wait = (attempt <= max_retries)
                    .then(|| retry::retry_delay(idempotent, &outcome, attempt, spread))
                    .flatten()
                    .filter(|wait| inner.runtime.now_ms().saturating_add(*wait) < deadline);
                let (Some(wait), false) = (
                    wait,
                    request.abort.as_ref().is_some_and(AbortHandle::is_aborted),
                ) else {
                    return outcome;
                };
                log::debug!("retrying {} in {wait} ms (attempt {attempt})", http.url);
                inner.count_retry();
                inner.runtime.sleep(wait).await;
                if request.abort.as_ref().is_some_and(AbortHandle::is_aborted) {
                    return Err(Error::Aborted);
                }
            }
        }
        .boxed_local()
    }

    /// Signs in with `credentials` (serialised as the JSON body, so the field names are yours) and decodes the
    /// answer into `T`. Never refreshed or replayed; login is CSRF-exempt. On success this tab and every
    /// other one are signed in, and the access token's expiry is taken from the answer (`expiry_field`).
    pub async fn login<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        credentials: &B,
    ) -> Result<T, Error> {
        let config = &self.inner.config;
        let request = Request::post(config.login_path.clone()).json(credentials)?;
        let endpoint = endpoint(&request);
        let http = HttpRequest {
            method: request.method,
            url: config.url(&request.path),
            body: request.body,
            csrf_cookie: None,
        };
        let response = self
            .inner
            .call_direct(http, config.request_timeout_ms, None)
            .await?;
        let expires_at = self.expiry_of(&response);
        let answer = decode(&endpoint, response)?;
        let csrf = &config.csrf_cookie;
        if self.inner.transport.has_cookie(csrf) == Some(false) {
            log::error!(
                "{endpoint} succeeded, but the browser did not keep its cookies: there is no readable `{csrf}` \
                 cookie now. Look at the Set-Cookie headers of that answer: `Secure` cookies on a plain-HTTP page \
                 (WebKit refuses them even on localhost), third-party cookie blocking when the API ({}) is on \
                 another site than this page, a `Path` or `Domain` that does not cover this page, or an \
                 HttpOnly CSRF cookie (the page must read it; set `csrf_cookie` to the readable one).",
                if config.api_base.is_empty() { "this origin" } else { &config.api_base }
            );
            return Err(Error::CookiesNotKept {
                cookie: csrf.clone(),
            });
        }
        self.inner.signed_in(expires_at);
        Ok(answer)
    }

    /// Signs out here and in every tab. The session ends locally even if the server cannot be reached (the
    /// error is still returned, so the app can say so).
    pub async fn logout(&self) -> Result<(), Error> {
        let path = self.inner.config.logout_path.clone();
        // Whatever the backend answers with (204, `{"msg": "Logged out"}`, …) is a success.
        let result = self
            .send::<serde::de::IgnoredAny>(Request::post(path).skip_refresh())
            .await;
        self.inner.signed_out();
        result.map(drop)
    }

    /// Who is signed in: `GET me_path`, refreshed like any call, decoded into `T`. Records the access token's
    /// expiry from the answer.
    pub async fn me<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let request = Request::get(self.inner.config.me_path.clone());
        let endpoint = endpoint(&request);
        let response = self.send_raw(request).await?;
        if (200..300).contains(&response.status) {
            self.inner.observe_expiry(self.expiry_of(&response));
        }
        decode(&endpoint, response)
    }

    fn expiry_of(&self, response: &HttpResponse) -> Option<u64> {
        let now = self.inner.runtime.now_ms();
        expiry::access_expiry(&self.inner.config, &response.body, now)
    }

    /// Hears session events until the returned [`Subscription`] is dropped.
    pub fn subscribe(&self, callback: impl Fn(&ClientEvent) + 'static) -> Subscription {
        let id = self.inner.add_listener(Rc::new(callback));
        Subscription {
            inner: Rc::downgrade(&self.inner),
            id,
        }
    }

    /// Counters since the client was built, and the queue now.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats()
    }

    /// Whether the session has ended (requests fail fast with [`Error::SessionEnded`] until a login).
    pub fn is_session_ended(&self) -> bool {
        self.inner.is_session_ended()
    }

    /// Re-checks the timers now, so a token that expired while timers slept (a background tab, a laptop lid)
    /// is refreshed before the next request needs it. The browser client does this itself when the tab
    /// becomes visible.
    pub fn wake(&self) {
        self.inner.tick();
    }
}

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Unsubscribes when dropped.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    inner: std::rc::Weak<Inner>,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            inner.remove_listener(self.id);
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}

/// `METHOD path`, how errors name a call.
fn endpoint(request: &Request) -> String {
    format!("{} {}", request.method.as_str(), request.path)
}

/// A 2xx answer becomes `T` (an empty body reads as `null`, so `()` and `Option<_>` work); anything else is
/// [`Error::Http`] with what could be read of the server's error body.
fn decode<T: DeserializeOwned>(endpoint: &str, response: HttpResponse) -> Result<T, Error> {
    if !(200..300).contains(&response.status) {
        return Err(Error::Http {
            status: response.status,
            body: ErrorBody::parse(&response.body),
            retry_after_secs: response.retry_after_secs,
        });
    }
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &response.body
    };
    serde_json::from_slice(body).map_err(|e| {
        // The one report a developer gets of a backend whose answer does not match the app's type: the
        // user only sees a sentence, so the endpoint and serde's "missing field `id`" / "expected struct
        // User" go to the console.
        log::error!("could not read the answer of {endpoint}: {e}");
        Error::Decode {
            endpoint: endpoint.to_owned(),
            message: e.to_string(),
        }
    })
}
