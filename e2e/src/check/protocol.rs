//! The session protocol over plain HTTP: CSRF on unsafe methods, the expired-token status, single-use
//! rotation, and refresh after logout. Each check signs in afresh, so one's damage (a revoked family)
//! never leaks into the next.

use super::expiry::{self, Wait};
use super::http::{describe, Api, Csrf};
use super::report::Verdict;
use std::time::{SystemTime, UNIX_EPOCH};

/// The statuses by which a refresh says "the session is over" (docs/API.md).
const REFUSED: [u16; 2] = [401, 403];

/// A POST without the CSRF header must get 403: never 401 (a client would refresh, again and again) and
/// never 2xx (then the header guards nothing).
pub fn csrf_verdict(endpoint: &str, status: u16, header: &str) -> Verdict {
    match status {
        403 => Verdict::pass(),
        401 => Verdict::fail(format!(
            "{endpoint} answered 401 without the CSRF header: a client takes 401 for an expired session and \
             refreshes, in a loop; answer 403 when the CSRF token is missing or wrong"
        )),
        200..=299 => Verdict::fail(format!(
            "{endpoint} accepted a POST without the {header} header: require it to equal the CSRF cookie on every \
             unsafe method"
        )),
        other => Verdict::fail(format!(
            "{endpoint} answered {other} without the CSRF header; answer 403 when the CSRF token is missing or wrong"
        )),
    }
}

/// Check 3: refresh and logout without the CSRF header.
pub async fn csrf(api: &Api, user: &str, pass: &str) -> Result<(Verdict, Verdict), String> {
    let mut jar = api.session(user, pass).await?;
    let header = api.target.client.csrf_header.clone();
    let refresh = api.refresh(&mut jar, Csrf::Omit).await?;
    let logout = api.logout(&mut jar, Csrf::Omit).await?;
    Ok((
        csrf_verdict("refresh", refresh.status, &header),
        csrf_verdict("logout", logout.status, &header),
    ))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// How long to wait for the access token of a sign-in answer to expire (see [`expiry::plan`]); a reported
/// expiry that cannot be read is a FAIL of its own, unless `--access-ttl` says how long to wait anyway.
pub fn plan_wait(
    api: &Api,
    login_body: &serde_json::Value,
    ttl_flag: Option<u64>,
) -> Result<Wait, Verdict> {
    let config = &api.target.client;
    let reported = expiry::reported_ttl(
        login_body,
        config.expiry_field.as_deref(),
        config.expiry_unit,
        now_ms(),
    );
    match (reported, ttl_flag) {
        (Err(e), None) => Err(Verdict::fail(e)),
        (Err(_), Some(_)) => Ok(expiry::plan(ttl_flag, None)),
        (Ok(reported), _) => Ok(expiry::plan(ttl_flag, reported)),
    }
}

/// Check 4: once the access token has expired, a protected GET gets a status of `refresh_on_status`.
pub async fn expired(api: &Api, user: &str, pass: &str, wait: &Wait) -> Result<Verdict, String> {
    let pause = match wait {
        Wait::For(pause) => *pause,
        Wait::TooLong(why) | Wait::Unknown(why) => return Ok(Verdict::Skip(why.clone())),
    };
    let config = &api.target.client;
    let mut jar = api.session(user, pass).await?;
    let fresh = api.get(&config.me_path, &mut jar).await?;
    if !fresh.ok() {
        return Ok(Verdict::fail(format!(
            "me_path {} answered {} right after signing in: it must answer 2xx with a session",
            config.me_path,
            describe(&fresh)
        )));
    }
    tokio::time::sleep(pause).await;
    let stale = api.get(&config.me_path, &mut jar).await?;
    let statuses = &config.refresh_on_status;
    let seconds = pause.as_secs_f64();
    Ok(if statuses.contains(&stale.status) {
        Verdict::pass_with(format!("{} after {seconds:.1} s", stale.status))
    } else if stale.ok() {
        Verdict::fail(format!(
            "me_path still answered {} {seconds:.1} s after signing in: the access token outlives the expiry \
             the backend reports (or --access-ttl is too short)",
            stale.status
        ))
    } else {
        Verdict::fail(format!(
            "an expired access token got {}; the app refreshes only on {statuses:?} (refresh_on_status): answer \
             401 for an expired token, or add {} to refresh_on_status",
            describe(&stale),
            stale.status
        ))
    })
}

/// How the CSRF header went out: with the cookie's value, or not at all because the cookie is missing.
fn csrf_sent(api: &Api, jar: &super::cookies::Jar, cookie: &str) -> String {
    let header = &api.target.client.csrf_header;
    match jar.value(cookie) {
        Some(_) => format!("with the {header} header"),
        None => format!("without the {header} header, as there is no {cookie:?} cookie to echo (see the cookie check)"),
    }
}

/// Check 6: after one refresh, the old refresh cookie is refused; informs whether the family was revoked.
pub async fn rotation(api: &Api, user: &str, pass: &str) -> Result<Verdict, String> {
    let mut jar = api.session(user, pass).await?;
    let before = jar.clone();
    let sent = csrf_sent(api, &jar, api.target.client.refresh_csrf_cookie());
    let first = api.refresh(&mut jar, Csrf::Send).await?;
    if !first.ok() {
        return Ok(Verdict::fail(format!(
            "refresh answered {} for a fresh session {sent}: it must answer 2xx with new cookies",
            describe(&first)
        )));
    }
    let mut old = before;
    let replay = api.refresh(&mut old, Csrf::Send).await?;
    if replay.ok() {
        return Ok(Verdict::fail(
            "the refresh token already used once still works: make refresh tokens single-use (rotate on every \
             refresh and refuse a token that was rotated away, with 401)",
        ));
    }
    if !REFUSED.contains(&replay.status) {
        return Ok(Verdict::fail(format!(
            "replaying a rotated refresh token got {}: refuse it with 401 (or 403)",
            describe(&replay)
        )));
    }
    let current = api.refresh(&mut jar, Csrf::Send).await?;
    Ok(if current.ok() {
        Verdict::pass_with(
            "the token family was not revoked on reuse (recommended: revoke it, as a reuse means a token leaked)",
        )
    } else {
        Verdict::pass_with(format!(
            "refused with {}; the token family was revoked on reuse",
            replay.status
        ))
    })
}

/// Check 7: the refresh token of a signed-out session is refused, even when presented again.
pub async fn after_logout(api: &Api, user: &str, pass: &str) -> Result<Verdict, String> {
    let mut jar = api.session(user, pass).await?;
    let before = jar.clone();
    let sent = csrf_sent(api, &jar, &api.target.client.csrf_cookie);
    let logout = api.logout(&mut jar, Csrf::Send).await?;
    if !logout.ok() {
        return Ok(Verdict::fail(format!(
            "logout answered {} {sent}: it must answer 2xx and clear the cookies",
            describe(&logout)
        )));
    }
    let mut kept = before;
    let refresh = api.refresh(&mut kept, Csrf::Send).await?;
    Ok(if REFUSED.contains(&refresh.status) {
        Verdict::pass_with(format!("refused with {}", refresh.status))
    } else if refresh.ok() {
        Verdict::fail(
            "the refresh cookie from before the logout still works: revoke the refresh token on logout, not only \
             the cookie in the browser",
        )
    } else {
        Verdict::fail(format!(
            "refresh after logout got {}: refuse it with 401 (or 403)",
            describe(&refresh)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_failures_must_be_403() {
        assert_eq!(
            csrf_verdict("refresh", 403, "X-CSRF-Token"),
            Verdict::pass()
        );
        let loop_risk = csrf_verdict("refresh", 401, "X-CSRF-Token");
        assert!(matches!(&loop_risk, Verdict::Fail(t) if t.contains("in a loop")));
        let open = csrf_verdict("logout", 204, "X-CSRF-Token");
        assert!(matches!(&open, Verdict::Fail(t) if t.contains("without the X-CSRF-Token header")));
        assert!(csrf_verdict("refresh", 400, "X").is_fail());
    }
}
