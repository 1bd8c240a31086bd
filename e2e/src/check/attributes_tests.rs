use super::*;
use crate::check::cookies::parse;
use serde_json::json;

fn target(config: serde_json::Value) -> Target {
    let serde_json::Value::Object(map) = config else {
        panic!("a config is an object");
    };
    Target::from_map("http://127.0.0.1:8000", map).unwrap_or_else(|e| panic!("{e}"))
}

fn cookies(headers: &[&str]) -> Vec<SetCookie> {
    headers
        .iter()
        .map(|h| parse(h).unwrap_or_else(|| panic!("parse {h}")))
        .collect()
}

/// What our dev backend sets (docs/API.md).
fn ours() -> Vec<SetCookie> {
    cookies(&[
        "lanyard_access=a; HttpOnly; Secure; SameSite=Strict; Path=/api; Max-Age=30",
        "lanyard_refresh=r; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age=28800",
        "lanyard_csrf=c; Secure; SameSite=Strict; Path=/; Max-Age=28800",
    ])
}

fn text(v: &Verdict) -> String {
    format!("{v:?}")
}

#[test]
fn our_backend_passes_every_cookie_check() {
    let t = target(json!({}));
    let loopback = Transport::of("http://127.0.0.1:8081");
    assert!(matches!(readable(&ours(), &t), Verdict::Pass(_)));
    // WebKit refuses Secure cookies on plain-HTTP loopback: the browser would not keep them there.
    assert!(matches!(secure(&ours(), loopback), Verdict::Fail(t) if t.contains("WebKit")));
    assert_eq!(same_site(&ours()), Verdict::pass());
    assert_eq!(paths(&ours(), &t, "/api/me"), Verdict::pass());
}

#[test]
fn a_readable_session_cookie_or_an_httponly_csrf_cookie_fails() {
    let t = target(json!({}));
    let exposed = cookies(&["lanyard_access=a; Path=/api", "lanyard_csrf=c; Path=/"]);
    let v = readable(&exposed, &t);
    assert!(
        v.is_fail() && text(&v).contains("lanyard_access readable by scripts"),
        "{v:?}"
    );
    let hidden_csrf = cookies(&[
        "lanyard_access=a; HttpOnly; Path=/api",
        "lanyard_csrf=c; HttpOnly; Path=/",
    ]);
    assert!(text(&readable(&hidden_csrf, &t)).contains("drop HttpOnly"));
}

#[test]
fn a_csrf_cookie_of_another_name_is_reported_with_the_names_seen() {
    let t = target(json!({}));
    let flask = cookies(&[
        "access_token_cookie=a; HttpOnly; Path=/api",
        "csrf_access_token=c; Path=/",
    ]);
    let v = readable(&flask, &t);
    assert!(v.is_fail());
    assert!(
        text(&v).contains("\\\"lanyard_csrf\\\"") && text(&v).contains("csrf_access_token"),
        "{v:?}"
    );
    let named = target(json!({"csrf_cookie": "csrf_access_token"}));
    assert!(matches!(readable(&flask, &named), Verdict::Pass(_)));
}

#[test]
fn secure_depends_on_how_the_api_is_reached() {
    let plain = cookies(&["s=1; HttpOnly; Path=/"]);
    let https = Transport::of("https://api.example.com");
    assert!(secure(&plain, https).is_fail());
    assert!(
        matches!(secure(&plain, Transport::of("http://localhost:8000")), Verdict::Warn(t) if t.contains("development"))
    );
    assert!(matches!(
        secure(&ours(), Transport::of("http://10.0.0.5:8000")),
        Verdict::Fail(_)
    ));
    assert!(matches!(
        secure(&plain, Transport::of("http://10.0.0.5:8000")),
        Verdict::Warn(_)
    ));
    assert!(Transport::of("http://[::1]:8000").loopback);
    assert!(!Transport::of("http://example.com").loopback);
}

#[test]
fn same_site_none_needs_secure_and_absent_is_a_warning() {
    assert!(same_site(&cookies(&["s=1; SameSite=None"])).is_fail());
    assert!(matches!(
        same_site(&cookies(&["s=1; SameSite=None; Secure"])),
        Verdict::Pass(Some(_))
    ));
    assert!(matches!(same_site(&cookies(&["s=1"])), Verdict::Warn(_)));
    assert!(same_site(&cookies(&["s=1; SameSite=Lax", "t=1; SameSite=sometimes"])).is_fail());
}

#[test]
fn the_refresh_cookie_must_reach_refresh_and_logout() {
    let t = target(json!({}));
    let narrow = cookies(&[
        "lanyard_access=a; HttpOnly; Path=/api/me",
        "lanyard_refresh=r; HttpOnly; Path=/api/auth/refresh",
        "lanyard_csrf=c; Path=/",
    ]);
    let v = paths(&narrow, &t, "/api/me");
    assert!(v.is_fail());
    assert!(
        text(&v).contains("logout_path") && text(&v).contains("/api/auth"),
        "{v:?}"
    );
    let none_to_refresh = cookies(&[
        "lanyard_access=a; HttpOnly; Path=/api/me",
        "lanyard_csrf=c; Path=/",
    ]);
    assert!(text(&paths(&none_to_refresh, &t, "/api/me")).contains("refresh_path"));
    let csrf_hidden = cookies(&[
        "lanyard_access=a; HttpOnly; Path=/api",
        "lanyard_csrf=c; Path=/api",
    ]);
    assert!(text(&paths(&csrf_hidden, &t, "/api/me")).contains("set Path=/"));
    // No Path: the directory of the login path (/api/auth), which misses /api/me.
    let default = cookies(&["lanyard_access=a; HttpOnly", "lanyard_csrf=c; Path=/"]);
    assert!(text(&paths(&default, &t, "/api/me")).contains("me_path"));
}

#[test]
fn common_prefixes_are_whole_segments() {
    assert_eq!(
        common_prefix("/api/auth/refresh", "/api/auth/logout"),
        "/api/auth"
    );
    assert_eq!(common_prefix("/auth/refresh", "/logout"), "/");
}
