//! Request extractors for the signed-in user, and cookie reading.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use cookie::Cookie;

use crate::db::{self, SessionInfo};
use crate::error::ApiError;
use crate::AppState;

pub const ACCESS_COOKIE: &str = "lanyard_access";
pub const REFRESH_COOKIE: &str = "lanyard_refresh";
pub const CSRF_COOKIE: &str = "lanyard_csrf";

/// The first non-empty value of cookie `name` (browsers send the most specific path first).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// A request carrying a live access token: 401 `unauthenticated` otherwise.
#[derive(Debug, Clone)]
pub struct Session(pub SessionInfo);

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = cookie_value(&parts.headers, ACCESS_COOKIE).ok_or(ApiError::Unauthenticated)?;
        let hash = db::token_hash(&token);
        let now = db::now_ms();
        state
            .db
            .with(|conn| Ok(db::session_by_access(conn, &hash, now)?))?
            .map(Session)
            .ok_or(ApiError::Unauthenticated)
    }
}

/// A signed-in user with the `admin` role: 403 `forbidden` for everyone else.
#[derive(Debug, Clone)]
pub struct AdminUser(pub SessionInfo);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Session(session) = Session::from_request_parts(parts, state).await?;
        if session.user.roles.iter().any(|r| r == "admin") {
            Ok(Self(session))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_cookies_from_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; lanyard_csrf=; b=2"));
        headers.append(
            COOKIE,
            HeaderValue::from_static("lanyard_csrf=tok; lanyard_csrf=other"),
        );
        assert_eq!(cookie_value(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie_value(&headers, CSRF_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie_value(&headers, "missing"), None);
    }
}
