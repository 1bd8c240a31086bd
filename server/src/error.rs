//! The API's error type and the JSON extractor that maps axum's rejections onto it.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONNECTION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::AppState;
use serde_json::json;

/// Every failure an API call can end in. The `Display` text is the message sent to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Wrong username or password.")]
    InvalidCredentials,
    #[error("Your session has ended. Please sign in again.")]
    RefreshInvalid,
    #[error("This refresh token was already used; the session was revoked for safety.")]
    RefreshReused,
    #[error("You need to sign in.")]
    Unauthenticated,
    #[error("You don't have permission to do that.")]
    Forbidden,
    #[error("Missing or mismatched CSRF token.")]
    Csrf,
    #[error("Not found.")]
    NotFound,
    #[error("This method is not allowed here.")]
    MethodNotAllowed,
    #[error("Some fields need attention.")]
    Validation(BTreeMap<&'static str, String>),
    #[error("{0}")]
    BadJson(String),
    #[error("Expected a body with Content-Type: application/json.")]
    UnsupportedMediaType,
    #[error("The request body is larger than 64 KiB.")]
    PayloadTooLarge,
    #[error("The request body took too long to arrive.")]
    RequestTimeout,
    #[error("The service is temporarily unavailable.")]
    Unavailable,
    /// Too many failed logins for this account or address: locked out for `retry_after_secs`.
    #[error("Too many sign-in attempts. Please try again in {retry_after_secs} s.")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too much work at once (password checks): come back after `retry_after_secs`.
    #[error("The server is busy. Please try again in a moment.")]
    Busy { retry_after_secs: u64 },
    #[error("Something went wrong on the server.")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidCredentials
            | Self::RefreshInvalid
            | Self::RefreshReused
            | Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::RefreshInvalid => "refresh_invalid",
            Self::RefreshReused => "refresh_reused",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::Csrf => "csrf",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Validation(_) => "validation",
            Self::BadJson(_) => "bad_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RequestTimeout => "request_timeout",
            Self::Unavailable => "unavailable",
            Self::Busy { .. } => "busy",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::Internal(_) => "internal",
        }
    }

    /// A 422 with a single field message.
    pub fn field(name: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(BTreeMap::from([(name, message.into())]))
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Internal(format!("database: {err}"))
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::Internal(format!("blocking task: {err}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        match &self {
            Self::Validation(fields) => error["fields"] = json!(fields),
            // Details go to the log, never to the client.
            Self::Internal(detail) => tracing::error!("internal error: {detail}"),
            _ => {}
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        match self {
            Self::Busy { retry_after_secs } | Self::TooManyAttempts { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            // The rest of the body may still come: the connection can't be reused.
            Self::RequestTimeout => {
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            JsonRejection::JsonSyntaxError(e) => {
                Self::BadJson(format!("The body is not valid JSON: {}", e.body_text()))
            }
            JsonRejection::JsonDataError(e) => {
                Self::BadJson(format!("The JSON has the wrong shape: {}", e.body_text()))
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            other => Self::BadJson(format!("Could not read the body: {}", other.body_text())),
        }
    }
}

/// `axum::Json`, but every rejection is an [`ApiError`] (JSON body, right status).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<AppState> for ApiJson<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Self::Rejection::UnsupportedMediaType);
        }
        // A body that never finishes would hold its connection for ever.
        let reading = tokio::time::timeout(state.body_timeout, Bytes::from_request(req, state));
        let bytes = reading
            .await
            .map_err(|_| ApiError::RequestTimeout)?
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadJson(format!("Could not read the body: {}", e.body_text()))
                }
            })?;
        // serde reads a struct from an array positionally (`["user", "pw"]` as a login): only objects count.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::BadJson("The body must be a JSON object.".into()));
        }
        let Json(value) = Json::<T>::from_bytes(&bytes)?;
        Ok(Self(value))
    }
}

/// `Content-Type: application/json` or `application/<something>+json`, parameters ignored.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Fallback for unknown `/api` routes.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
