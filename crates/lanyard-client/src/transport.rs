//! The edge where requests leave: the browser's `fetch` by default, or your own implementation — a scripted
//! fake for component tests, or another HTTP stack.
//!
//! A transport sends one request and reports what came back. It attaches credentials (the cookies) and, when
//! [`HttpRequest::csrf_cookie`] names one, echoes that cookie's value in the configured CSRF header. It never
//! sees a token, never retries and never times out by itself: queueing, refresh, replay and timeouts are the
//! client's.
//!
//! ```
//! use futures_util::future::{FutureExt, LocalBoxFuture};
//! use lanyard_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
//! use lanyard_client::AbortHandle;
//!
//! /// Answers every request with 200 `[]`.
//! struct Empty;
//!
//! impl Transport for Empty {
//!     fn send(
//!         &self,
//!         _request: &HttpRequest,
//!         _signal: &AbortHandle,
//!     ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
//!         async { Ok(HttpResponse::new(200, b"[]".to_vec())) }.boxed_local()
//!     }
//! }
//! ```

use std::rc::Rc;

use futures_util::future::LocalBoxFuture;

use crate::runtime::{AbortHandle, Method};

#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
pub use fetch::FetchTransport;

/// A fully buffered request, so that a replay resends exactly the same bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute (or same-origin) URL.
    pub url: String,
    /// The JSON body, if any (`Rc`, so a replay shares it instead of copying).
    pub body: Option<Rc<[u8]>>,
    /// The readable cookie whose value goes into the CSRF header; `None`: no header (safe methods, login).
    pub csrf_cookie: Option<String>,
}

/// What the server answered: any status, and the whole body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// An answer with `status` and `body`.
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        HttpResponse { status, body }
    }
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// No answer (offline, DNS, CORS, a dropped connection); the detail is for logs.
    Network(String),
    /// The signal passed to [`Transport::send`] fired.
    Aborted,
}

/// Sends one request.
pub trait Transport {
    /// Sends `request`. Must resolve soon after `signal` fires, with [`TransportError::Aborted`].
    fn send(
        &self,
        request: &HttpRequest,
        signal: &AbortHandle,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>>;
}
