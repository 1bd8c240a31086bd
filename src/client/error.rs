//! The one error type every client call returns. `Clone + PartialEq` so it can travel in Yew props and state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The server's error body: `{"error": {"code", "message", "fields"?}}` (see docs/API.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// Per-field messages of a validation error (422).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: ErrorBody,
}

impl ErrorBody {
    /// Reads an error body; anything else (HTML from a proxy, empty) gives `None`.
    pub fn parse(bytes: &[u8]) -> Option<ErrorBody> {
        serde_json::from_slice::<Envelope>(bytes)
            .ok()
            .map(|e| e.error)
    }
}

/// What went wrong with an API call. The `Display` text is written for the person using the app.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, CORS, connection dropped). Detail for logs.
    #[error("Couldn't reach the server. Check your connection and try again.")]
    Network(String),
    #[error("The server took too long to answer. Please try again.")]
    Timeout,
    /// The caller cancelled the request.
    #[error("The request was cancelled.")]
    Aborted,
    /// The server answered with an error status.
    #[error("{}", http_message(*status))]
    Http {
        status: u16,
        body: Option<ErrorBody>,
    },
    /// A success answer whose body was not what the caller expected. Detail for logs.
    #[error("The server sent an answer the app couldn't read. Please try again later.")]
    Decode(String),
    /// The session is over (the refresh was refused, or the user signed out, here or in another tab).
    #[error("Your session has ended. Please sign in again.")]
    SessionEnded,
    /// The session could not be renewed because the server was unreachable; the session itself is intact.
    #[error(
        "Couldn't reach the server to renew your session. Check your connection and try again."
    )]
    RefreshUnavailable,
    #[error("Too many requests are waiting for your session to be renewed. Please try again in a moment.")]
    QueueFull,
    #[error("Renewing your session took too long. Please try again.")]
    QueueTimeout,
    /// The app itself built a request that cannot be sent (a programming error, not the user's).
    #[error("The app couldn't prepare this request: {0}")]
    InvalidRequest(String),
}

fn http_message(status: u16) -> &'static str {
    match status {
        400 => "The server couldn't understand the request.",
        401 => "You need to sign in to do that.",
        403 => "You don't have permission to do that.",
        404 => "We couldn't find what you were looking for.",
        409 => "That conflicts with a change made elsewhere. Reload and try again.",
        413 => "That's too large to send.",
        422 => "Some fields need attention.",
        429 => "Too many requests. Please wait a moment and try again.",
        500..=599 => "The server had a problem. Please try again in a moment.",
        _ => "The request failed.",
    }
}

impl ApiError {
    /// Whether trying the same thing again later may succeed (nothing about the request itself is wrong).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Network(_)
            | ApiError::Timeout
            | ApiError::RefreshUnavailable
            | ApiError::QueueFull
            | ApiError::QueueTimeout => true,
            ApiError::Http { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            ApiError::Aborted
            | ApiError::Decode(_)
            | ApiError::SessionEnded
            | ApiError::InvalidRequest(_) => false,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's error code (`"validation"`, `"invalid_credentials"`…), when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { body: Some(b), .. } => Some(&b.code),
            _ => None,
        }
    }

    /// Per-field validation messages (empty when there are none).
    pub fn field_errors(&self) -> BTreeMap<String, String> {
        match self {
            ApiError::Http { body: Some(b), .. } => b.fields.clone(),
            _ => BTreeMap::new(),
        }
    }

    /// The message for one field, if the server flagged it.
    pub fn field_error(&self, field: &str) -> Option<&str> {
        match self {
            ApiError::Http { body: Some(b), .. } => b.fields.get(field).map(String::as_str),
            _ => None,
        }
    }

    /// What to show the user: the server's own message for an HTTP error when it sent one (it knows best:
    /// "Wrong username or password."), otherwise this error's `Display` text.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Http { body: Some(b), .. } if !b.message.trim().is_empty() => {
                b.message.clone()
            }
            other => other.to_string(),
        }
    }

    /// Whether the caller should send the user to the login page.
    pub fn is_session_ended(&self) -> bool {
        matches!(self, ApiError::SessionEnded)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn validation() -> ApiError {
        ApiError::Http {
            status: 422,
            body: ErrorBody::parse(
                br#"{"error":{"code":"validation","message":"Some fields need attention.","fields":{"title":"Title is required."}}}"#,
            ),
        }
    }

    #[test]
    fn parses_the_server_error_body() {
        let err = validation();
        assert_eq!(err.code(), Some("validation"));
        assert_eq!(err.field_error("title"), Some("Title is required."));
        assert_eq!(err.field_errors().len(), 1);
        assert_eq!(err.status(), Some(422));
        let plain = ErrorBody::parse(br#"{"error":{"code":"csrf","message":"m"}}"#).unwrap();
        assert!(plain.fields.is_empty());
        assert_eq!(ErrorBody::parse(b"<html>bad gateway</html>"), None);
        assert_eq!(ErrorBody::parse(b""), None);
    }

    #[test]
    fn user_message_prefers_the_server() {
        let err = ApiError::Http {
            status: 401,
            body: Some(ErrorBody {
                code: "invalid_credentials".into(),
                message: "Wrong username or password.".into(),
                fields: BTreeMap::new(),
            }),
        };
        assert_eq!(err.user_message(), "Wrong username or password.");
        let bare = ApiError::Http {
            status: 503,
            body: None,
        };
        assert_eq!(
            bare.user_message(),
            "The server had a problem. Please try again in a moment."
        );
        assert_eq!(
            ApiError::SessionEnded.user_message(),
            "Your session has ended. Please sign in again."
        );
    }

    #[test]
    fn retryable_errors() {
        assert!(ApiError::Network("offline".into()).is_retryable());
        assert!(ApiError::RefreshUnavailable.is_retryable());
        assert!(ApiError::QueueTimeout.is_retryable());
        assert!(ApiError::Http {
            status: 503,
            body: None
        }
        .is_retryable());
        assert!(!ApiError::Http {
            status: 404,
            body: None
        }
        .is_retryable());
        assert!(!validation().is_retryable());
        assert!(!ApiError::SessionEnded.is_retryable());
        assert!(!ApiError::Aborted.is_retryable());
    }

    #[test]
    fn network_detail_stays_out_of_the_message() {
        let msg = ApiError::Network("TypeError: Failed to fetch".into()).to_string();
        assert!(!msg.contains("TypeError"));
        assert!(ApiError::Decode("expected `,`".into())
            .to_string()
            .contains("couldn't read"));
    }
}
