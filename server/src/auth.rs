//! Login, refresh (rotation with reuse detection), logout, and who-am-I.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

use crate::db::{self, Issued, SessionInfo, SessionSummary, User};
use crate::error::{ApiError, ApiJson};
use crate::hooks::Fault;
use crate::secure_cookies::secure_for;
use crate::serve::ClientAddr;
use crate::session::{cookie_value, Session, ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE};
use crate::AppState;

/// The refresh cookie only travels to refresh and logout.
pub const REFRESH_PATH: &str = "/api/auth";
pub const ACCESS_PATH: &str = "/api";
pub const CSRF_PATH: &str = "/";

/// The body of login, refresh and me.
#[derive(Debug, Serialize)]
pub struct SessionBody {
    pub user: User,
    pub access_expires_at: i64,
}

impl From<SessionInfo> for SessionBody {
    fn from(s: SessionInfo) -> Self {
        Self {
            user: s.user,
            access_expires_at: s.access_expires_at,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)] // missing fields become a 422 from validation, not a 400
pub struct LoginBody {
    username: String,
    password: String,
}

/// A `Set-Cookie` value with the attributes from docs/API.md (never a `Domain`).
fn cookie(
    secure: bool,
    name: &'static str,
    value: &str,
    path: &'static str,
    max_age_secs: i64,
    http_only: bool,
) -> Result<HeaderValue, ApiError> {
    let c = Cookie::build((name, value))
        .path(path)
        .max_age(cookie::time::Duration::seconds(max_age_secs.max(0)))
        .same_site(SameSite::Strict)
        .secure(secure)
        .http_only(http_only)
        .build();
    HeaderValue::from_str(&c.to_string()).map_err(|e| ApiError::Internal(format!("cookie: {e}")))
}

/// 200 with the session body, the new access and refresh cookies, and optionally a CSRF cookie.
fn session_response(
    state: &AppState,
    secure: bool,
    issued: Issued,
    now: i64,
    csrf: Option<&str>,
) -> Result<Response, ApiError> {
    let mut headers = HeaderMap::new();
    let access_secs = (issued.session.access_expires_at - now) / 1000;
    // Time left in the family's absolute lifetime: rotation can never push it out.
    let refresh_secs = (issued.family_expires_at - now) / 1000;
    headers.append(
        SET_COOKIE,
        cookie(
            secure,
            ACCESS_COOKIE,
            &issued.access_token,
            ACCESS_PATH,
            access_secs,
            true,
        )?,
    );
    headers.append(
        SET_COOKIE,
        cookie(
            secure,
            REFRESH_COOKIE,
            &issued.refresh_token,
            REFRESH_PATH,
            refresh_secs,
            true,
        )?,
    );
    if let Some(csrf) = csrf {
        let secs = state.ttls.refresh_ms / 1000;
        // Not HttpOnly: the page reads it to echo it in X-CSRF-Token.
        headers.append(
            SET_COOKIE,
            cookie(secure, CSRF_COOKIE, csrf, CSRF_PATH, secs, false)?,
        );
    }
    Ok((headers, Json(SessionBody::from(issued.session))).into_response())
}

pub async fn login(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let address = client.map(|Extension(ClientAddr(ip))| ip);
    let mut fields = BTreeMap::new();
    if crate::text::is_blank(&body.username) {
        fields.insert("username", "Username is required.".to_owned());
    }
    if body.password.is_empty() {
        fields.insert("password", "Password is required.".to_owned());
    }
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    // Locked out: answered before any password check, so a flood costs no CPU.
    // Held until the answer: attempts under way count against the free failures (a burst is no loophole).
    let _attempt = state
        .login_throttle
        .admit(&body.username, address, Instant::now())
        .map_err(|retry_after_secs| ApiError::TooManyAttempts { retry_after_secs })?;
    let found = state
        .db
        .with(|c| Ok(db::user_for_login(c, &body.username)?))?;
    // Unknown users still cost one verification, so timing doesn't reveal which usernames exist.
    let (user, phc) = match found {
        Some((user, phc)) => (Some(user), phc),
        None => (None, state.dummy_hash.clone()),
    };
    let verified = state.password_checks.verify(body.password, phc).await?;
    let Some(user) = user.filter(|_| verified) else {
        state
            .login_throttle
            .failed(&body.username, address, Instant::now());
        return Err(ApiError::InvalidCredentials);
    };
    state.login_throttle.succeeded(&body.username, address);
    let now = db::now_ms();
    let issued = state.db.with(|c| {
        Ok(db::create_session(
            c,
            user,
            now,
            state.hooks.ttls(state.ttls),
        )?)
    })?;
    // Bound to this login: see crate::csrf. Refresh keeps it (the family does not change).
    let csrf = state.csrf_key.token(issued.family());
    let secure = secure_for(state.secure_cookies, &headers);
    session_response(&state, secure, issued, now, Some(&csrf))
}

pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // Injected faults happen before anything is rotated: the client's token stays valid.
    if state.hooks.is_resend_of_drop() {
        return Ok(crate::serve::drop_resend());
    }
    match state.hooks.take_refresh_fault() {
        Some(Fault::Unavailable) => return Err(ApiError::Unavailable),
        Some(Fault::Throttled(retry_after_secs)) => {
            return Err(ApiError::Busy { retry_after_secs })
        }
        Some(Fault::Drop) => return Ok(crate::serve::drop_connection()),
        None => {}
    }
    let token = cookie_value(&headers, REFRESH_COOKIE).ok_or(ApiError::RefreshInvalid)?;
    let hash = db::token_hash(&token);
    let now = db::now_ms();
    let issued = state
        .db
        .with(|c| db::rotate_refresh(c, &hash, now, state.hooks.ttls(state.ttls)))?;
    let secure = secure_for(state.secure_cookies, &headers);
    session_response(&state, secure, issued, now, None)
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // The refresh cookie finds the family even when the access token has expired.
    let refresh = cookie_value(&headers, REFRESH_COOKIE).map(|t| db::token_hash(&t));
    let access = cookie_value(&headers, ACCESS_COOKIE).map(|t| db::token_hash(&t));
    state.db.with(|c| {
        Ok(db::revoke_family_of(
            c,
            refresh.as_deref(),
            access.as_deref(),
        )?)
    })?;
    let secure = secure_for(state.secure_cookies, &headers);
    let mut out = HeaderMap::new();
    out.append(
        SET_COOKIE,
        cookie(secure, ACCESS_COOKIE, "", ACCESS_PATH, 0, true)?,
    );
    out.append(
        SET_COOKIE,
        cookie(secure, REFRESH_COOKIE, "", REFRESH_PATH, 0, true)?,
    );
    out.append(
        SET_COOKIE,
        cookie(secure, CSRF_COOKIE, "", CSRF_PATH, 0, false)?,
    );
    Ok((StatusCode::NO_CONTENT, out).into_response())
}

pub async fn me(Session(session): Session) -> Json<SessionBody> {
    Json(session.into())
}

pub async fn sessions(
    State(state): State<AppState>,
    Session(session): Session,
) -> Result<Json<Vec<SessionSummary>>, ApiError> {
    let now = db::now_ms();
    let list = state.db.with(|c| {
        Ok(db::list_sessions(
            c,
            session.user.id,
            session.family_id,
            now,
        )?)
    })?;
    Ok(Json(list))
}
