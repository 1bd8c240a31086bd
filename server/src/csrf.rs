//! CSRF: a signed double submit. Unsafe methods must echo the `lanyard_csrf` cookie in `X-CSRF-Token`,
//! and when the request's cookies name a session, that token must be the session's own:
//! base64url (no padding) of HMAC-SHA256(server key, "lanyard-csrf-v1" ‖ family id ‖ family created_at,
//! both big-endian i64). A cookie+header pair planted by someone else (a sibling subdomain, a man in the
//! middle on plain http) was not derived from the victim's session, so it is refused.
//!
//! Installed as a route layer, so it runs before any extractor: a CSRF failure is a 403 even when the
//! access token is also missing or expired (a client must never mistake it for a 401). A request whose
//! cookies name no known session is held to the plain double submit only: it has no session to act for,
//! and its handler answers 401 (or logout's no-op 204).

use std::fmt;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::db::{self, FamilyRef};
use crate::error::ApiError;
use crate::session::{cookie_value, ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE};
use crate::AppState;

pub const CSRF_HEADER: &str = "x-csrf-token";

/// Separates these MACs from any other use of the key.
const CONTEXT: &[u8] = b"lanyard-csrf-v1";

/// The key tokens are signed with (kept in the database: [`db::server_key`]). Keyed once; cloned per token.
#[derive(Clone)]
pub struct Key(Hmac<Sha256>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("csrf::Key(..)")
    }
}

impl Key {
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        Hmac::new_from_slice(secret)
            .map(Self)
            .map_err(|e| format!("CSRF key: {e}"))
    }

    /// The CSRF token of a login: the same for the family's whole life, so rotation never changes it.
    pub fn token(&self, family: FamilyRef) -> String {
        let mut mac = self.0.clone();
        mac.update(CONTEXT);
        mac.update(&family.id.to_be_bytes());
        mac.update(&family.created_at.to_be_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Which of the request's cookies names the session a route acts on (the same one its handler uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCookie {
    /// Refresh: the refresh token's family.
    Refresh,
    /// Logout: the refresh token's family, else the access token's.
    RefreshOrAccess,
    /// Everything else: the access token's family.
    Access,
}

/// The state of the route layer: the app and which cookie names the session.
#[derive(Clone)]
pub struct Check {
    pub state: AppState,
    pub session: SessionCookie,
}

fn is_unsafe(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// The non-empty header, when it equals the cookie (constant time; lengths are not secret).
fn echoed(headers: &HeaderMap) -> Option<&[u8]> {
    let cookie = cookie_value(headers, CSRF_COOKIE)?;
    let header = headers.get(CSRF_HEADER).map(|v| v.as_bytes())?;
    (!header.is_empty() && bool::from(header.ct_eq(cookie.as_bytes()))).then_some(header)
}

/// Whether `token` is `family`'s (any token passes when the cookies name no session).
fn bound_to(key: &Key, token: &[u8], family: Option<FamilyRef>) -> bool {
    family.is_none_or(|f| bool::from(token.ct_eq(key.token(f).as_bytes())))
}

/// The family of the session the request's cookies name, if it is known (in whatever state).
fn family_of(
    state: &AppState,
    headers: &HeaderMap,
    session: SessionCookie,
) -> Result<Option<FamilyRef>, ApiError> {
    let hash = |name| cookie_value(headers, name).map(|t| db::token_hash(&t));
    let (refresh, access) = (hash(REFRESH_COOKIE), hash(ACCESS_COOKIE));
    state.db.with(|c| {
        let found = match session {
            SessionCookie::Refresh => refresh
                .map(|h| db::family_of_refresh(c, &h))
                .transpose()?
                .flatten(),
            SessionCookie::RefreshOrAccess => {
                db::family_for_logout(c, refresh.as_deref(), access.as_deref())?
            }
            SessionCookie::Access => access
                .map(|h| db::family_of_access(c, &h))
                .transpose()?
                .flatten(),
        };
        Ok(found)
    })
}

pub async fn require(
    State(check): State<Check>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if is_unsafe(req.method()) {
        let token = echoed(req.headers()).ok_or(ApiError::Csrf)?;
        let family = family_of(&check.state, req.headers(), check.session)?;
        if !bound_to(&check.state.csrf_key, token, family) {
            return Err(ApiError::Csrf);
        }
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
        let echo = |c, h| echoed(&headers(c, h)).is_some();
        assert!(echo(Some("lanyard_csrf=abc"), Some("abc")));
        assert!(!echo(Some("lanyard_csrf=abc"), Some("abd")));
        assert!(!echo(Some("lanyard_csrf=abc"), Some("abcd")));
        assert!(!echo(Some("lanyard_csrf=abc"), None));
        assert!(!echo(None, Some("abc")));
        assert!(!echo(Some("lanyard_csrf="), Some("")));
        assert!(is_unsafe(&Method::PATCH) && !is_unsafe(&Method::GET));
    }

    #[test]
    fn tokens_are_bound_to_one_family_and_one_key() {
        let key = Key::new(&[7; 32]).map_err(|e| e.to_string());
        let other_key = Key::new(&[8; 32]).map_err(|e| e.to_string());
        let (Ok(key), Ok(other_key)) = (key, other_key) else {
            panic!("keys of any length are valid");
        };
        let a = FamilyRef {
            id: 1,
            created_at: 1_000,
        };
        let token = key.token(a);
        assert_eq!(token, key.token(a), "stable for the family's life");
        assert_eq!(token.len(), 43, "32 bytes, base64url without padding");
        assert!(bound_to(&key, token.as_bytes(), Some(a)));
        // Another family, the same id reused by a later login, another key: all refused.
        assert!(!bound_to(
            &key,
            token.as_bytes(),
            Some(FamilyRef { id: 2, ..a })
        ));
        let reused = FamilyRef {
            created_at: 2_000,
            ..a
        };
        assert!(!bound_to(&key, token.as_bytes(), Some(reused)));
        assert!(!bound_to(&other_key, token.as_bytes(), Some(a)));
        // No session named: nothing to bind to.
        assert!(bound_to(&key, b"anything", None));
    }
}
