//! CSRF double submit: unsafe methods must echo the `lanyard_csrf` cookie in `X-CSRF-Token`.
//!
//! Installed as a route layer, so it runs before any extractor: a CSRF failure is a 403 even
//! when the access token is also missing or expired (a client must never mistake it for a 401).

use axum::extract::Request;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::session::{cookie_value, CSRF_COOKIE};

pub const CSRF_HEADER: &str = "x-csrf-token";

fn is_unsafe(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Whether the header matches the cookie (both present and non-empty), in constant time.
pub fn tokens_match(headers: &HeaderMap) -> bool {
    let Some(cookie) = cookie_value(headers, CSRF_COOKIE) else {
        return false;
    };
    let Some(header) = headers.get(CSRF_HEADER).map(|v| v.as_bytes()) else {
        return false;
    };
    // `ct_eq` on slices of different lengths is false; the length itself is not secret.
    !header.is_empty() && bool::from(header.ct_eq(cookie.as_bytes()))
}

pub async fn require(req: Request, next: Next) -> Result<Response, ApiError> {
    if is_unsafe(req.method()) && !tokens_match(req.headers()) {
        return Err(ApiError::Csrf);
    }
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;
    use axum::http::HeaderValue;

    fn headers(cookie: Option<&'static str>, header: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = cookie {
            h.insert(COOKIE, HeaderValue::from_static(c));
        }
        if let Some(v) = header {
            h.insert(CSRF_HEADER, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn double_submit() {
        assert!(tokens_match(&headers(
            Some("lanyard_csrf=abc"),
            Some("abc")
        )));
        assert!(!tokens_match(&headers(
            Some("lanyard_csrf=abc"),
            Some("abd")
        )));
        assert!(!tokens_match(&headers(
            Some("lanyard_csrf=abc"),
            Some("abcd")
        )));
        assert!(!tokens_match(&headers(Some("lanyard_csrf=abc"), None)));
        assert!(!tokens_match(&headers(None, Some("abc"))));
        assert!(!tokens_match(&headers(Some("lanyard_csrf="), Some(""))));
        assert!(is_unsafe(&Method::PATCH) && !is_unsafe(&Method::GET));
    }
}
