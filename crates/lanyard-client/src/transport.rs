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
    /// The `Retry-After` header, in seconds from now, when the server sent one (429, 503).
    pub retry_after_secs: Option<u64>,
}

impl HttpResponse {
    /// An answer with `status` and `body`.
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        HttpResponse {
            status,
            body,
            retry_after_secs: None,
        }
    }

    /// With a `Retry-After` of `secs` seconds.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

/// A `Retry-After` value in seconds from `now_ms`: delta-seconds (`"30"`) or an HTTP date parsed by `parse_date`
/// (Unix ms); a date in the past is 0.
pub fn retry_after_secs(
    value: &str,
    now_ms: u64,
    parse_date: impl FnOnce(&str) -> Option<u64>,
) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = parse_date(value)?;
    Some(at.saturating_sub(now_ms).div_ceil(1000))
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

/// The HTTP version an answer came over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protocol {
    /// HTTP/1.0 or 1.1: about six connections per host, one request each at a time.
    Http1,
    /// HTTP/2: one connection, many concurrent streams.
    Http2,
    /// HTTP/3 (QUIC): like HTTP/2.
    Http3,
}

impl Protocol {
    /// Reads an ALPN identifier as Resource Timing's `nextHopProtocol` gives it (`"http/1.1"`, `"h2"`,
    /// `"h3"`); `None` for `""` (not exposed, e.g. cross-origin without `Timing-Allow-Origin`) and others.
    pub fn from_alpn(id: &str) -> Option<Protocol> {
        match id {
            "http/1.1" | "http/1.0" => Some(Protocol::Http1),
            "h2" | "h2c" => Some(Protocol::Http2),
            h3 if h3.starts_with("h3") => Some(Protocol::Http3),
            _ => None,
        }
    }
}

/// Sends one request.
pub trait Transport {
    /// Sends `request`. Must resolve soon after `signal` fires, with [`TransportError::Aborted`].
    fn send(
        &self,
        request: &HttpRequest,
        signal: &AbortHandle,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>>;

    /// Whether the page can read the cookie `name` now; `None` when this transport cannot tell (the default).
    /// Used right after a sign-in to notice a browser that did not keep the session's cookies.
    fn has_cookie(&self, name: &str) -> Option<bool> {
        let _ = name;
        None
    }

    /// The protocol the latest answer from `url` came over, if this transport can tell (the default: no).
    /// Lets the client fit how many requests it keeps on the wire (see [`crate::InFlightCap`]).
    fn protocol(&self, url: &str) -> Option<Protocol> {
        let _ = url;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::retry_after_secs;

    #[test]
    fn alpn_ids_name_the_protocol() {
        use super::Protocol;
        assert_eq!(Protocol::from_alpn("http/1.1"), Some(Protocol::Http1));
        assert_eq!(Protocol::from_alpn("h2"), Some(Protocol::Http2));
        assert_eq!(Protocol::from_alpn("h3-29"), Some(Protocol::Http3));
        assert_eq!(Protocol::from_alpn(""), None, "not exposed cross-origin");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let never = |_: &str| None;
        assert_eq!(retry_after_secs("30", 0, never), Some(30));
        assert_eq!(retry_after_secs(" 0 ", 0, never), Some(0));
        assert_eq!(retry_after_secs("soon", 0, never), None);
        assert_eq!(retry_after_secs("-5", 0, never), None);
        let date = |_: &str| Some(10_500);
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2015 07:28:00 GMT", 1_000, date),
            Some(10)
        );
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2015 07:28:00 GMT", 20_000, date),
            Some(0)
        );
    }
}
