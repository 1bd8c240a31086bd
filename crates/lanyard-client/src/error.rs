//! The one error every client call returns, and the server's error body as far as it could be read.
//!
//! `Display` is written for developers (logs, the console). The sentences a user reads belong to the app:
//! match on the variant or ask the predicates.
//!
//! ```
//! use lanyard_client::Error;
//!
//! fn advice(err: &Error) -> &'static str {
//!     if err.is_session_ended() {
//!         "sign in again"
//!     } else if err.is_retryable() {
//!         "try again in a moment"
//!     } else if err.status() == Some(404) {
//!         "it is gone"
//!     } else {
//!         "something is wrong"
//!     }
//! }
//! assert_eq!(advice(&Error::SessionEnded), "sign in again");
//! assert_eq!(advice(&Error::RefreshUnavailable), "try again in a moment");
//! ```

use std::fmt;

mod body;
mod fields;

pub use body::ErrorBody;
pub use fields::FieldErrors;

/// What went wrong with a call. `Clone + PartialEq`, so it can live in UI state and props.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request never got an answer (offline, DNS, CORS, connection dropped); the detail is the
    /// browser's.
    #[error("network error: {0}")]
    Network(String),
    /// No answer within the request's timeout (the request was cancelled).
    #[error("no answer within the timeout")]
    Timeout,
    /// The caller cancelled the request.
    #[error("the request was aborted")]
    Aborted,
    /// The browser is offline (`navigator.onLine` is false): the call was not sent. Retryable; the session
    /// is untouched, and [`ClientEvent::Connectivity`](crate::ClientEvent::Connectivity) says when the
    /// browser is back online.
    #[error("the browser is offline")]
    Offline,
    /// The server answered with an error status.
    #[error("HTTP {status}{}", DisplayServerMessage(body))]
    Http {
        /// The status code.
        status: u16,
        /// What could be read of the answer's body.
        body: ErrorBody,
        /// The `Retry-After` header in seconds, when the server sent one (429, 503).
        retry_after_secs: Option<u64>,
    },
    /// A success answer whose body was not what the caller asked for.
    #[error("the answer of {endpoint} could not be read: {message}")]
    Decode {
        /// Method and URL of the call, e.g. `GET /api/me`.
        endpoint: String,
        /// What did not fit (serde's message: the field, what was expected, where).
        message: String,
    },
    /// The session is over: the refresh was refused, or the user signed out (here or in another tab).
    /// Requests fail with this at once until the next sign-in.
    #[error("the session has ended")]
    SessionEnded,
    /// The session could not be renewed because the refresh call failed (network, timeout, 5xx). The
    /// session itself may well be intact; the next request tries again.
    #[error("the session could not be refreshed (network error, timeout or server error)")]
    RefreshUnavailable,
    /// Too many requests were already waiting for a refresh (`queue_max`).
    #[error("too many requests waiting for the refresh")]
    QueueFull,
    /// The request waited longer than `queue_max_wait_ms` for a refresh.
    #[error("waited too long for the refresh")]
    QueueTimeout,
    /// The sign-in succeeded, but the browser did not keep its cookies: the readable CSRF cookie is missing
    /// right after it. Typical causes: `Secure` cookies on a plain-HTTP page (WebKit refuses them even on
    /// localhost), third-party cookie blocking when the API is on another site, a `Path` or `Domain` that does not
    /// cover the page, or an `HttpOnly` CSRF cookie. The specifics go to the console.
    #[error("the sign-in succeeded, but the browser did not keep its cookies (no readable `{cookie}` cookie)")]
    CookiesNotKept {
        /// The CSRF cookie that was expected.
        cookie: String,
    },
    /// The request could not be built (its body did not serialise): a bug in the caller, not the user.
    #[error("the request could not be prepared: {0}")]
    InvalidRequest(String),
}

struct DisplayServerMessage<'a>(&'a ErrorBody);

impl fmt::Display for DisplayServerMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.message.as_deref() {
            Some(message) => write!(f, ": {message}"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// Whether the session is over and the user must sign in again.
    pub fn is_session_ended(&self) -> bool {
        matches!(self, Error::SessionEnded)
    }

    /// Whether the same call may succeed later, unchanged: nothing about the request itself is wrong.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network(_)
            | Error::Offline
            | Error::Timeout
            | Error::RefreshUnavailable
            | Error::QueueFull
            | Error::QueueTimeout => true,
            Error::Http { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            Error::Aborted
            | Error::Decode { .. }
            | Error::SessionEnded
            | Error::CookiesNotKept { .. }
            | Error::InvalidRequest(_) => false,
        }
    }

    /// Whether the call was not sent because the browser is offline.
    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Offline)
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout)
    }

    /// Whether the call was cancelled by its caller.
    pub fn is_aborted(&self) -> bool {
        matches!(self, Error::Aborted)
    }

    /// Whether the answer arrived but its body was not what the caller asked for.
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode { .. })
    }

    /// The HTTP status, when the server answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked the caller to wait before trying again (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Http {
                retry_after_secs: Some(secs),
                ..
            } => Some(std::time::Duration::from_secs(*secs)),
            _ => None,
        }
    }

    /// The server's error body, when it answered with an error status.
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            Error::Http { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The server's error code (`"validation"`, `"invalid_credentials"`…), when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.body()?.code.as_deref()
    }

    /// The server's own message, when it sent one (it is often worth showing: "Wrong username or password.").
    pub fn server_message(&self) -> Option<&str> {
        self.body()?.message.as_deref()
    }

    /// Per-field validation messages (empty when there are none).
    pub fn field_errors(&self) -> &FieldErrors {
        static NONE: FieldErrors = FieldErrors::new();
        self.body().map_or(&NONE, |b| &b.fields)
    }

    /// The message for one field, if the server flagged it.
    pub fn field_error(&self, field: &str) -> Option<&str> {
        self.field_errors().get(field)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn http(status: u16, body: &str) -> Error {
        Error::Http {
            status,
            body: ErrorBody::parse(body.as_bytes()),
            retry_after_secs: None,
        }
    }

    #[test]
    fn retry_after_comes_from_the_header() {
        let busy = Error::Http {
            status: 429,
            body: ErrorBody::default(),
            retry_after_secs: Some(30),
        };
        assert_eq!(busy.retry_after(), Some(std::time::Duration::from_secs(30)));
        assert_eq!(http(429, "").retry_after(), None);
        assert_eq!(Error::Timeout.retry_after(), None);
    }

    #[test]
    fn reads_the_server_error_body() {
        let err = http(
            422,
            r#"{"error":{"code":"validation","message":"Some fields need attention.","fields":{"title":"Title is required."}}}"#,
        );
        assert_eq!(err.code(), Some("validation"));
        assert_eq!(err.field_error("title"), Some("Title is required."));
        assert_eq!(err.field_errors().len(), 1);
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.server_message(), Some("Some fields need attention."));
        assert_eq!(err.to_string(), "HTTP 422: Some fields need attention.");
    }

    #[test]
    fn retryable_errors() {
        assert!(Error::Network("offline".into()).is_retryable());
        assert!(Error::RefreshUnavailable.is_retryable());
        assert!(Error::QueueTimeout.is_retryable());
        assert!(Error::Timeout.is_retryable() && Error::Timeout.is_timeout());
        assert!(http(503, "").is_retryable());
        assert!(http(429, "").is_retryable());
        assert!(!http(404, "").is_retryable());
        assert!(!http(422, "{}").is_retryable());
        assert!(!Error::SessionEnded.is_retryable());
        assert!(Error::SessionEnded.is_session_ended());
        assert!(!Error::Aborted.is_retryable() && Error::Aborted.is_aborted());
    }

    #[test]
    fn display_is_for_developers() {
        assert_eq!(
            Error::Network("TypeError: Failed to fetch".into()).to_string(),
            "network error: TypeError: Failed to fetch"
        );
        let decode = Error::Decode {
            endpoint: "GET /api/me".into(),
            message: "missing field `id` at line 1 column 20".into(),
        };
        assert!(decode.is_decode());
        assert_eq!(
            decode.to_string(),
            "the answer of GET /api/me could not be read: missing field `id` at line 1 column 20"
        );
        assert_eq!(
            http(502, "<html>bad gateway</html>").to_string(),
            "HTTP 502"
        );
        assert_eq!(Error::Timeout.field_errors().len(), 0);
        assert_eq!(Error::Timeout.body(), None);
    }
}
