use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Client, Server};

const ALL_COOKIES: [&str; 3] = ["lanyard_access", "lanyard_refresh", "lanyard_csrf"];

#[tokio::test]
async fn login_sets_three_cookies_with_the_documented_attributes() {
    let server = Server::start(&["--refresh-ttl-secs", "600", "--access-ttl-secs", "45"]).await;
    let mut c = server.client();
    let resp = c.login("admin", "admin-pass").await;
    assert_eq!(
        resp.body["user"],
        json!({"id": 1, "username": "admin", "display_name": "Ada Admin", "roles": ["admin"]})
    );
    let expires = resp.body["access_expires_at"].as_i64().unwrap();
    let now = lanyard_server::db::now_ms();
    assert!(
        (now + 44_000..=now + 45_000).contains(&expires),
        "{expires} vs {now}"
    );

    let access = resp.cookie("lanyard_access").unwrap();
    let refresh = resp.cookie("lanyard_refresh").unwrap();
    let csrf = resp.cookie("lanyard_csrf").unwrap();
    for (cookie, path, http_only) in [
        (access, "/api", true),
        (refresh, "/api/auth", true),
        (csrf, "/", false),
    ] {
        assert_eq!(cookie.path.as_deref(), Some(path), "{}", cookie.raw);
        assert_eq!(cookie.http_only, http_only, "{}", cookie.raw);
        assert!(cookie.secure, "{}", cookie.raw);
        assert_eq!(
            cookie.same_site.as_deref(),
            Some("Strict"),
            "{}",
            cookie.raw
        );
        assert_eq!(cookie.domain, None, "{}", cookie.raw);
        assert!(
            !cookie.raw.to_ascii_lowercase().contains("domain"),
            "{}",
            cookie.raw
        );
        // 32 random bytes, base64url without padding.
        assert_eq!(cookie.value.len(), 43, "{}", cookie.raw);
    }
    assert_eq!(access.max_age, Some(45));
    assert!(matches!(refresh.max_age, Some(599..=600)));
    assert_eq!(csrf.max_age, Some(600));
    assert_eq!(resp.header("cache-control"), "no-store");

    let me = c.get("/api/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["username"], "admin");
    assert_eq!(me.body["access_expires_at"].as_i64(), Some(expires));
}

#[tokio::test]
async fn insecure_cookies_flag_drops_only_secure() {
    let server = Server::start(&["--insecure-cookies"]).await;
    let resp = server.client().login("user", "user-pass").await;
    assert_eq!(resp.set_cookies.len(), 3);
    for c in &resp.set_cookies {
        assert!(
            !c.secure && c.same_site.as_deref() == Some("Strict"),
            "{}",
            c.raw
        );
    }
}

#[tokio::test]
async fn wrong_credentials_are_one_generic_401_and_missing_fields_422() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    let unknown = c
        .post(
            "/api/auth/login",
            Some(json!({"username": "nobody", "password": "x"})),
        )
        .await;
    let wrong = c
        .post(
            "/api/auth/login",
            Some(json!({"username": "admin", "password": "nope"})),
        )
        .await;
    unknown.assert_error(401, "invalid_credentials");
    wrong.assert_error(401, "invalid_credentials");
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(
        unknown.body["error"]["message"],
        "Wrong username or password."
    );
    assert!(unknown.set_cookies.is_empty() && c.jar.is_empty());

    let missing = c
        .post("/api/auth/login", Some(json!({"username": "admin"})))
        .await;
    missing.assert_error(422, "validation");
    assert!(missing.body["error"]["fields"]["password"].is_string());
    let empty = c.post("/api/auth/login", Some(json!({}))).await;
    empty.assert_error(422, "validation");
    let fields = empty.body["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("username") && fields.contains_key("password"));
}

#[tokio::test]
async fn access_token_expires_after_its_ttl_and_refresh_recovers() {
    let server = Server::start(&["--access-ttl-secs", "1"]).await;
    let mut c = server.client();
    let login = c.login("user", "user-pass").await;
    assert_eq!(login.cookie("lanyard_access").unwrap().max_age, Some(1));
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.get("/api/me").await.assert_error(401, "unauthenticated");
    c.get("/api/notes")
        .await
        .assert_error(401, "unauthenticated");
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_clears_cookies_and_is_idempotent() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let before = c.clone();

    let out = c.post("/api/auth/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(out.header("cache-control"), "no-store");
    for (name, path) in ALL_COOKIES.iter().zip(["/api", "/api/auth", "/"]) {
        let cleared = out
            .cookie(name)
            .unwrap_or_else(|| panic!("{name} not cleared"));
        assert_eq!(cleared.max_age, Some(0), "{}", cleared.raw);
        assert_eq!(cleared.path.as_deref(), Some(path), "{}", cleared.raw);
        assert!(cleared.value.is_empty(), "{}", cleared.raw);
    }
    assert!(c.jar.is_empty());

    // The old tokens no longer work anywhere.
    let mut stale = before.clone();
    stale
        .get("/api/me")
        .await
        .assert_error(401, "unauthenticated");
    stale.refresh().await.assert_error(401, "refresh_invalid");
    // Idempotent: again with the stale cookies, and with no session at all (CSRF still applies).
    assert_eq!(
        stale.post("/api/auth/logout", None).await.status,
        StatusCode::NO_CONTENT
    );
    let mut anonymous = server.client();
    anonymous.jar.insert("lanyard_csrf".into(), "x".into());
    assert_eq!(
        anonymous.post("/api/auth/logout", None).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn logout_with_an_expired_access_token_finds_the_family_through_the_refresh_cookie() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let before = c.clone();
    c.post("/api/_test/expire-access", None).await;
    // Only the refresh cookie identifies the session now.
    c.jar.remove("lanyard_access");
    assert_eq!(
        c.post("/api/auth/logout", None).await.status,
        StatusCode::NO_CONTENT
    );
    before
        .clone()
        .refresh()
        .await
        .assert_error(401, "refresh_invalid");

    // And through the access token alone when the refresh cookie is absent.
    let mut d = server.client();
    d.login("user", "user-pass").await;
    let d_before = d.clone();
    d.jar.remove("lanyard_refresh");
    assert_eq!(
        d.post("/api/auth/logout", None).await.status,
        StatusCode::NO_CONTENT
    );
    d_before
        .clone()
        .refresh()
        .await
        .assert_error(401, "refresh_invalid");
}

#[tokio::test]
async fn csrf_is_required_on_unsafe_methods_and_checked_before_auth() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let csrf = c.cookie("lanyard_csrf");
    let mut cookie_only = c.clone();
    cookie_only.jar.remove("lanyard_csrf");
    let cookie_header = |client: &Client| {
        client
            .jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };

    for (method, path) in [
        (Method::POST, "/api/auth/refresh"),
        (Method::POST, "/api/auth/logout"),
        (Method::POST, "/api/notes"),
        (Method::PUT, "/api/notes/1"),
        (Method::DELETE, "/api/notes/1"),
    ] {
        // Header missing (cookie present).
        let req = c
            .http
            .request(method.clone(), format!("{}{path}", server.url))
            .header("cookie", cookie_header(&c))
            .json(&json!({"title": "t", "body": ""}));
        c.send(req).await.assert_error(403, "csrf");
        // Header present but different.
        let req = c
            .http
            .request(method.clone(), format!("{}{path}", server.url))
            .header("cookie", cookie_header(&c))
            .header("x-csrf-token", format!("{csrf}x"))
            .json(&json!({"title": "t", "body": ""}));
        c.send(req).await.assert_error(403, "csrf");
        // Header present, cookie missing.
        let req = cookie_only
            .request(method.clone(), path)
            .header("x-csrf-token", &csrf)
            .json(&json!({"title": "t", "body": ""}));
        cookie_only.send(req).await.assert_error(403, "csrf");
    }
    // The failed refresh attempts rotated nothing.
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    // Safe methods need no header.
    let req = c
        .http
        .get(format!("{}/api/me", server.url))
        .header("cookie", cookie_header(&c));
    assert_eq!(c.send(req).await.status, StatusCode::OK);

    // With the access token expired, a CSRF failure is still a 403, never a 401.
    c.post("/api/_test/expire-access", None).await;
    let req = c
        .http
        .post(format!("{}/api/notes", server.url))
        .header("cookie", cookie_header(&c))
        .header("x-csrf-token", "wrong")
        .json(&json!({"title": "t"}));
    c.send(req).await.assert_error(403, "csrf");
    // ...and with the right header it is the expected 401.
    c.post("/api/notes", Some(json!({"title": "t"})))
        .await
        .assert_error(401, "unauthenticated");
}

#[tokio::test]
async fn sessions_lists_live_logins_and_marks_the_current_one() {
    let server = Server::start(&[]).await;
    let mut a = server.client();
    let mut b = server.client();
    let mut other = server.client();
    a.login("user", "user-pass").await;
    b.login("user", "user-pass").await;
    other.login("admin", "admin-pass").await;
    let list = a.get("/api/sessions").await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.body.as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", list.body);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    for s in items {
        assert!(s["id"].is_i64() && s["created_at"].is_i64() && s["expires_at"].is_i64());
    }
    b.post("/api/auth/logout", None).await;
    let list = a.get("/api/sessions").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["current"], true);
    server
        .client()
        .get("/api/sessions")
        .await
        .assert_error(401, "unauthenticated");
}

#[tokio::test]
async fn file_database_persists_users_and_sessions_across_restarts() {
    let dir = std::env::temp_dir().join(format!("lanyard-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data_dir = dir.join("nested").to_string_lossy().into_owned();
    let args = ["--data-dir", data_dir.as_str()];
    let config = lanyard_server::Config::for_tests(args.iter().copied()).unwrap();
    let config = lanyard_server::Config {
        in_memory: false,
        ..config
    };

    let first = lanyard_server::start(&config).await.unwrap();
    let mut c = crate::common::Client {
        http: crate::common::http(),
        base: first.url(),
        jar: Default::default(),
    };
    c.login("admin", "admin-pass").await;
    first.shutdown().await;
    assert!(dir.join("nested/lanyard.db").exists());

    let second = lanyard_server::start(&config).await.unwrap();
    c.base = second.url();
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    let users = c.get("/api/admin/users").await;
    // Seeded once: still exactly the two demo users.
    assert_eq!(
        users.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        users.body
    );
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A login flood never runs more password checks at once than the machine has cores (each holds ~19 MiB of
/// memory for tens of milliseconds; unbounded, 128 parallel logins grew the process to 2.8 GB), and every login
/// is still answered: 401, or 503 `busy` with `Retry-After` if it could not get a check in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_flood_runs_at_most_one_password_check_per_core() {
    let server = Server::start(&[]).await;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    // Distinct (unknown) accounts: one account would be locked out after a few failures.
    let flood = (0..32).map(|i| {
        let mut client = server.client();
        tokio::spawn(async move {
            client
                .post(
                    "/api/auth/login",
                    Some(json!({ "username": format!("nobody-{i}"), "password": "wrong" })),
                )
                .await
        })
    });
    let mut tasks = Vec::new();
    for task in flood {
        tasks.push(task);
    }
    for task in tasks {
        let answer = task.await.expect("login task");
        match answer.status.as_u16() {
            401 => answer.assert_error(401, "invalid_credentials"),
            503 => {
                answer.assert_error(503, "busy");
                assert_eq!(answer.header("retry-after"), "1");
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    let peak = server.running.state.password_checks.peak();
    assert!(
        (1..=cores).contains(&peak),
        "{peak} password checks ran at once on {cores} cores"
    );
    server.stop().await;
}

async fn try_login(c: &mut Client, username: &str, password: &str) -> crate::common::Resp {
    c.post(
        "/api/auth/login",
        Some(json!({ "username": username, "password": password })),
    )
    .await
}

/// After the free failures each further one locks the account out for twice as long: 429
/// `too_many_attempts` with `Retry-After`, even for the right password; when it passes, the right password
/// works and clears the count.
#[tokio::test]
async fn repeated_failures_lock_the_account_out_then_a_success_clears_it() {
    let server = Server::start(&["--login-free-failures", "2"]).await;
    let mut c = server.client();
    for _ in 0..3 {
        try_login(&mut c, "admin", "wrong")
            .await
            .assert_error(401, "invalid_credentials");
    }
    let locked = try_login(&mut c, "Admin", "admin-pass").await;
    locked.assert_error(429, "too_many_attempts");
    assert_eq!(locked.header("retry-after"), "1");
    assert!(locked.set_cookies.is_empty(), "no session while locked out");
    // Another account from the same address is not affected.
    let other = try_login(&mut c, "user", "user-pass").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let ok = try_login(&mut c, "admin", "admin-pass").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // The success cleared the count: the free failures are free again.
    try_login(&mut c, "admin", "wrong")
        .await
        .assert_error(401, "invalid_credentials");
    server.stop().await;
}

/// One address trying many accounts is locked out too (password spraying), and the test hooks' reset
/// forgets every lock-out.
#[tokio::test]
async fn an_address_spraying_accounts_is_locked_out_until_reset() {
    let server = Server::start(&["--test-hooks", "--login-free-failures-per-address", "3"]).await;
    let mut c = server.client();
    for i in 0..4 {
        try_login(&mut c, &format!("guess-{i}"), "wrong")
            .await
            .assert_error(401, "invalid_credentials");
    }
    let locked = try_login(&mut c, "user", "user-pass").await;
    locked.assert_error(429, "too_many_attempts");
    assert!(!locked.header("retry-after").is_empty());
    let reset = c.post("/api/_test/reset", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let ok = try_login(&mut c, "user", "user-pass").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    server.stop().await;
}

/// WebKit refuses `Secure` cookies on plain-HTTP loopback pages (what `cargo xtask dev` serves): for those, and
/// only those, the cookies come without `Secure`. A page on a real host, or no `Origin` at all, keeps it.
#[tokio::test]
async fn secure_is_dropped_only_for_plain_http_loopback_pages() {
    let server = Server::start(&[]).await;
    for (origin, secure) in [
        (Some("http://127.0.0.1:8080"), false),
        (Some("http://localhost:8080"), false),
        (Some("https://app.example.com"), true),
        (Some("http://app.example.com"), true),
        (None, true),
    ] {
        let mut c = server.client();
        let mut req = c
            .request(Method::POST, "/api/auth/login")
            .json(&json!({"username": "admin", "password": "admin-pass"}));
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        let login = c.send(req).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        let mut refresh = c.request(Method::POST, "/api/auth/refresh");
        let mut logout = c.request(Method::POST, "/api/auth/logout");
        if let Some(origin) = origin {
            refresh = refresh.header("origin", origin);
            logout = logout.header("origin", origin);
        }
        let refreshed = c.send(refresh).await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
        let out = c.send(logout).await;
        for resp in [&login, &refreshed, &out] {
            assert!(!resp.set_cookies.is_empty());
            for cookie in &resp.set_cookies {
                assert_eq!(cookie.secure, secure, "{origin:?}: {}", cookie.raw);
            }
        }
    }
    server.stop().await;
}
