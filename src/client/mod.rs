//! The auth-aware HTTP client. No Yew in here.
//!
//! [`Client`] sends JSON requests with the session cookies. When one fails with an auth status it runs *one*
//! refresh (across tabs too), queues everything else meanwhile and replays it in order, each request at most
//! once; see `coordinator.rs` for the rules and `driver.rs` for how they are carried out.

pub mod coordinator;
pub mod cross_tab;
mod driver;
pub mod error;
pub mod runtime;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
pub mod tabs;
#[cfg(target_arch = "wasm32")]
pub mod transport;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use std::fmt;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use coordinator::EndReason;
pub use error::{ApiError, ErrorBody};
pub use runtime::{AbortHandle, Method, Runtime, SingleTab, Tabs, Transport};
pub use types::{ApiRequest, ClientEvent, ClientStats, RequestOptions, SessionInfo, User};

/// The browser's clock, timers and task spawner (for building a `Client` over another transport).
#[cfg(target_arch = "wasm32")]
pub use browser::BrowserRuntime;

use crate::config::Config;
use driver::Inner;
use runtime::{HttpRequest, HttpResponse};

/// The API client. Cheap to clone (all clones share one coordinator); `PartialEq` compares identity.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl Client {
    /// A client over any transport, runtime and tab coordination (the browser one is `Client::browser`).
    pub fn new(
        config: Config,
        transport: Rc<dyn Transport>,
        runtime: Rc<dyn Runtime>,
        tabs: Rc<dyn Tabs>,
    ) -> Client {
        Client {
            inner: Inner::new(config, transport, runtime, tabs),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.send(
            ApiRequest::new(Method::Get, path),
            RequestOptions::default(),
        )
        .await
    }

    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(
            ApiRequest::new(Method::Post, path).json(body)?,
            RequestOptions::default(),
        )
        .await
    }

    pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(
            ApiRequest::new(Method::Put, path).json(body)?,
            RequestOptions::default(),
        )
        .await
    }

    pub async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(
            ApiRequest::new(Method::Patch, path).json(body)?,
            RequestOptions::default(),
        )
        .await
    }

    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.send(
            ApiRequest::new(Method::Delete, path),
            RequestOptions::default(),
        )
        .await
    }

    /// The general call: any method, options, a typed answer (`()` for 204 / empty bodies).
    pub async fn send<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        options: RequestOptions,
    ) -> Result<T, ApiError> {
        decode(self.send_raw(request, options).await?)
    }

    async fn send_raw(
        &self,
        request: ApiRequest,
        options: RequestOptions,
    ) -> Result<HttpResponse, ApiError> {
        let config = &self.inner.config;
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
        let timeout_ms = options.timeout_ms.unwrap_or(config.request_timeout_ms);
        if options.skip_refresh {
            self.inner
                .call_direct(http, timeout_ms, options.abort)
                .await
        } else {
            self.inner.call(http, timeout_ms, options.abort).await
        }
    }

    /// Signs in. Never refreshed or replayed; on success this tab and every other one are signed in.
    pub async fn login(&self, username: &str, password: &str) -> Result<SessionInfo, ApiError> {
        #[derive(Serialize)]
        struct Credentials<'a> {
            username: &'a str,
            password: &'a str,
        }
        let config = &self.inner.config;
        let request = ApiRequest::new(Method::Post, config.login_path.clone())
            .json(&Credentials { username, password })?;
        // Login is CSRF-exempt: there is no CSRF cookie before it.
        let http = HttpRequest {
            method: Method::Post,
            url: config.url(&config.login_path),
            body: request.body,
            csrf_cookie: None,
        };
        let response = self
            .inner
            .call_direct(http, config.request_timeout_ms, None)
            .await?;
        let info: SessionInfo = decode(response)?;
        self.inner.signed_in(info.access_expires_at);
        Ok(info)
    }

    /// Signs out here and in every tab. The session ends locally even if the server can't be reached (the
    /// error is still returned, so the UI can say so).
    pub async fn logout(&self) -> Result<(), ApiError> {
        let path = self.inner.config.logout_path.clone();
        let options = RequestOptions {
            skip_refresh: true,
            ..RequestOptions::default()
        };
        let result = self
            .send::<()>(ApiRequest::new(Method::Post, path), options)
            .await;
        self.inner.signed_out();
        result
    }

    /// Who is signed in (`GET /me`, refreshed like any call). Records the access token's expiry.
    pub async fn me(&self) -> Result<SessionInfo, ApiError> {
        let info: SessionInfo = self.get(&self.inner.config.me_path).await?;
        self.inner.observe_expiry(info.access_expires_at);
        Ok(info)
    }

    /// Hears session events until the returned [`Subscription`] is dropped.
    pub fn subscribe(&self, callback: impl Fn(&ClientEvent) + 'static) -> Subscription {
        let id = self.inner.add_listener(Rc::new(callback));
        Subscription {
            inner: Rc::downgrade(&self.inner),
            id,
        }
    }

    pub fn stats(&self) -> ClientStats {
        self.inner.stats()
    }

    /// Whether the session has ended (requests fail fast until a login).
    pub fn is_session_ended(&self) -> bool {
        self.inner.is_session_ended()
    }

    /// Re-checks timers now: call when the tab becomes visible (timers sleep with it), so a token that expired
    /// meanwhile is refreshed before the next request needs it. The browser client does this itself.
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

/// A 2xx answer becomes `T` (an empty body reads as `null`, so `()` and `Option<_>` work); anything else is
/// [`ApiError::Http`] with the server's error body when it sent one.
fn decode<T: DeserializeOwned>(response: HttpResponse) -> Result<T, ApiError> {
    if !(200..300).contains(&response.status) {
        return Err(ApiError::Http {
            status: response.status,
            body: ErrorBody::parse(&response.body),
        });
    }
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &response.body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::Decode(e.to_string()))
}
