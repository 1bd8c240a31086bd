//! The client's public data types: API shapes (docs/API.md), requests, events, statistics.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::coordinator::EndReason;
use super::error::ApiError;
use super::runtime::{AbortHandle, Method};

/// A signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

impl User {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// The body of login, refresh and `GET /me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: User,
    /// Unix milliseconds; a backend that doesn't tell gets reactive refresh only.
    #[serde(default)]
    pub access_expires_at: Option<u64>,
}

/// Only the expiry, for the refresh answer (whose `user` the client does not need).
#[derive(Deserialize)]
pub(crate) struct ExpiryOnly {
    #[serde(default)]
    pub access_expires_at: Option<u64>,
}

/// One API call. The body is JSON, buffered so it can be replayed byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: Method,
    /// Path (and query) under the configured `api_base`, e.g. `/api/notes?i=3`.
    pub path: String,
    pub body: Option<Rc<[u8]>>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            body: None,
        }
    }

    /// Sets a JSON body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, ApiError> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| ApiError::InvalidRequest(e.to_string()))?;
        self.body = Some(bytes.into());
        Ok(self)
    }
}

/// Per-call options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestOptions {
    /// Bypass the coordinator: never queued, never refreshed for, never replayed (login, logout, probes).
    pub skip_refresh: bool,
    /// Per transmission; defaults to the config's `request_timeout_ms`.
    pub timeout_ms: Option<u64>,
    /// Fire it to cancel: a waiting request leaves the queue at once, a sent one is aborted.
    pub abort: Option<AbortHandle>,
}

/// What subscribers hear about the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// The session is over (refresh refused here or in another tab, or signed out here): go to the login page.
    SessionEnded {
        reason: EndReason,
    },
    SignedInElsewhere,
    SignedOutElsewhere,
    /// New cookies (this tab or another); `expires_at` is the access token's new expiry, when known.
    Refreshed {
        expires_at: Option<u64>,
    },
}

/// Counters for the Lab page and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Calls made through the coordinator (not `skip_refresh` ones).
    pub requests: u64,
    /// Transmissions, first sends and replays, of all calls.
    pub sent: u64,
    pub replays: u64,
    /// Answers with a `refresh_on_status` status.
    pub auth_failures: u64,
    /// Refresh calls that went to the server.
    pub refreshes: u64,
    /// Refreshes skipped because another tab had just done one.
    pub refreshes_skipped: u64,
    /// Refreshes that failed without ending the session (network, timeout, 5xx).
    pub refresh_failures: u64,
    pub sessions_ended: u64,
    pub queue_full: u64,
    pub queue_timeouts: u64,
    pub aborted: u64,
    /// Now: the auth epoch, and the requests waiting / at the server.
    pub epoch: u64,
    pub queued: u64,
    pub in_flight: u64,
}
