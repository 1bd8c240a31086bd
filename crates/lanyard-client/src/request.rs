//! One API call, built like reqwest's or gloo-net's requests, and what the client reports about the session.

use std::rc::Rc;

use serde::Serialize;

use crate::coordinator::EndReason;
use crate::error::Error;
use crate::runtime::{AbortHandle, Method};

/// One API call. Its body is JSON, buffered so that a replay sends exactly the same bytes.
///
/// ```
/// use lanyard_client::{AbortHandle, Method, Request};
///
/// let cancel = AbortHandle::new();
/// let request = Request::post("/api/notes")
///     .json(&serde_json::json!({ "title": "Hello" }))?
///     .timeout_ms(5_000)
///     .abort_handle(cancel.clone());
/// assert_eq!(request.method(), Method::Post);
/// assert_eq!(request.path(), "/api/notes");
/// # Ok::<(), lanyard_client::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Option<Rc<[u8]>>,
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) abort: Option<AbortHandle>,
    pub(crate) skip_refresh: bool,
    /// `None`: the config's `max_retries`.
    pub(crate) retries: Option<u32>,
    /// Marked safe to send twice (a `POST` with an idempotency key, say).
    pub(crate) idempotent: bool,
}

impl Request {
    /// A request of any method for `path` (with its query) under the configured `api_base`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            body: None,
            timeout_ms: None,
            abort: None,
            skip_refresh: false,
            retries: None,
            idempotent: false,
        }
    }

    /// At most this many automatic retries for this request (0 = none); by default the config's
    /// `max_retries`. See the `retry` rules: only idempotent requests, only network errors, 502/503/504, and
    /// 429 with `Retry-After`.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// Marks a `POST` or `PATCH` as safe to send twice (an idempotency key, say), so that it may be retried.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::Post, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::Put, path)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::Patch, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Sets a JSON body (and `Content-Type: application/json`).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.body = Some(bytes.into());
        Ok(self)
    }

    /// The timeout of each transmission, in milliseconds (default: the config's `request_timeout_ms`).
    pub fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// Cancels the call when `handle` fires: a waiting request leaves the queue at once, a sent one is
    /// aborted, and the call fails with [`Error::Aborted`].
    pub fn abort_handle(mut self, handle: AbortHandle) -> Self {
        self.abort = Some(handle);
        self
    }

    /// Sends it past the refresh machinery: never queued, never refreshed for, never replayed (for probes,
    /// or endpoints that must see the current cookies as they are).
    pub fn skip_refresh(mut self) -> Self {
        self.skip_refresh = true;
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path (and query) under `api_base`.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// What subscribers hear about the session ([`Client::subscribe`](crate::Client::subscribe)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The session is over (refresh refused here or in another tab, or signed out here or elsewhere).
    SessionEnded {
        /// Why.
        reason: EndReason,
    },
    /// Another tab signed in: ask the backend who it is.
    SignedInElsewhere,
    /// New cookies (this tab or another).
    Refreshed {
        /// The access token's new expiry (Unix ms), when the backend reports it.
        expires_at: Option<u64>,
    },
    /// The page came back from the back/forward cache. It heard nothing from other tabs while it was away, so
    /// whoever shows protected content must check the session again before trusting what the page shows
    /// (`lanyard-yew`'s provider does).
    Restored,
    /// The browser went offline or came back online (the `offline` / `online` events). Offline, calls fail
    /// at once with [`Error::Offline`](crate::Error::Offline); back online, a refresh that fell due runs.
    Connectivity {
        /// Whether the browser is online now.
        online: bool,
    },
}

/// Counters, for diagnostics pages and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// Calls made through the refresh machinery (not `skip_refresh` ones).
    pub requests: u64,
    /// Transmissions, first sends and replays, of all calls.
    pub sent: u64,
    /// Transmissions that were replays.
    pub replays: u64,
    /// Answers with a `refresh_on_status` status.
    pub auth_failures: u64,
    /// Refresh calls that went to the server.
    pub refreshes: u64,
    /// Refreshes skipped because another tab had just done one.
    pub refreshes_skipped: u64,
    /// Refreshes that failed without ending the session (network, timeout, 5xx).
    pub refresh_failures: u64,
    /// Sessions that ended.
    pub sessions_ended: u64,
    /// Calls refused because the queue was full.
    pub queue_full: u64,
    /// Calls that waited too long for a refresh.
    pub queue_timeouts: u64,
    /// Calls cancelled by their caller.
    pub aborted: u64,
    /// Automatic retries of calls that met a network error, 502/503/504 or a 429 with `Retry-After`.
    pub retries: u64,
    /// Now: the auth epoch (bumped by every refresh and sign-in).
    pub epoch: u64,
    /// Now: calls waiting for a refresh.
    pub queued: u64,
    /// Now: calls at the server.
    pub in_flight: u64,
    /// Now: at most this many calls on the wire (0 = no cap); see [`crate::InFlightCap`].
    pub in_flight_cap: u64,
    /// The protocol the answers come over, once one showed it (see [`crate::transport::Protocol`]).
    pub protocol: Option<crate::transport::Protocol>,
}
