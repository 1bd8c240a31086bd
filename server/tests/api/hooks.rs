use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{read, Server};

const HOOKS: [(&str, &str); 6] = [
    ("GET", "/api/_test/stats"),
    ("POST", "/api/_test/reset"),
    ("POST", "/api/_test/expire-access"),
    ("POST", "/api/_test/revoke-refresh"),
    ("POST", "/api/_test/fail-refresh"),
    ("POST", "/api/_test/latency"),
];

#[tokio::test]
async fn hooks_do_not_exist_without_the_flag() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    for (method, path) in HOOKS {
        let req = c
            .request(method.parse().unwrap(), path)
            .json(&json!({"count": 5, "mode": "503"}));
        c.send(req).await.assert_error(404, "not_found");
    }
    // Nothing was injected.
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn stats_count_route_templates_per_status_but_not_hooks() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.get("/api/notes?i=1").await; // 401
    c.login("user", "user-pass").await;
    let note = c.post("/api/notes", Some(json!({"title": "a"}))).await;
    c.get(&format!("/api/notes/{}?i=2", note.body["id"])).await;
    c.get("/api/notes/424242").await;
    c.get("/api/notes?i=3").await;
    c.post("/api/auth/refresh", None).await;
    c.get("/api/_test/stats").await;
    c.post("/api/_test/expire-access", None).await;

    let stats = c.get("/api/_test/stats").await;
    assert_eq!(stats.header("cache-control"), "no-store");
    assert_eq!(
        stats.body,
        json!({
            "total": 7,
            "by_endpoint": {
                "GET /api/notes": {"200": 1, "401": 1},
                "POST /api/auth/login": {"200": 1},
                "POST /api/notes": {"201": 1},
                "GET /api/notes/{id}": {"200": 1, "404": 1},
                "POST /api/auth/refresh": {"200": 1},
            }
        })
    );
    assert_eq!(
        c.post("/api/_test/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        c.get("/api/_test/stats").await.body,
        json!({"total": 0, "by_endpoint": {}})
    );
}

#[tokio::test]
async fn expire_access_and_revoke_refresh() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let mut admin = server.client();
    admin.login("admin", "admin-pass").await;

    assert_eq!(
        c.post("/api/_test/expire-access", None).await.status,
        StatusCode::NO_CONTENT
    );
    c.get("/api/me").await.assert_error(401, "unauthenticated");
    admin
        .get("/api/me")
        .await
        .assert_error(401, "unauthenticated");
    // Tokens issued afterwards are fine.
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);

    assert_eq!(
        c.post("/api/_test/revoke-refresh", None).await.status,
        StatusCode::NO_CONTENT
    );
    c.refresh().await.assert_error(401, "refresh_invalid");
    admin.refresh().await.assert_error(401, "refresh_invalid");
    // A fresh login works again.
    c.login("user", "user-pass").await;
    assert_eq!(c.refresh().await.status, StatusCode::OK);
}

#[tokio::test]
async fn fail_refresh_503_then_recovers_without_rotating() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let token = c.cookie("lanyard_refresh");
    let armed = c
        .post(
            "/api/_test/fail-refresh",
            Some(json!({"count": 2, "mode": "503"})),
        )
        .await;
    assert_eq!(armed.status, StatusCode::NO_CONTENT);
    c.refresh().await.assert_error(503, "unavailable");
    c.refresh().await.assert_error(503, "unavailable");
    assert_eq!(c.cookie("lanyard_refresh"), token);
    let ok = c.refresh().await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "the same token still works: {}",
        ok.body
    );

    let bad = c
        .post(
            "/api/_test/fail-refresh",
            Some(json!({"count": 1, "mode": "teapot"})),
        )
        .await;
    bad.assert_error(422, "validation");
    assert!(bad.body["error"]["fields"]["mode"].is_string());
    let stats = c.get("/api/_test/stats").await;
    assert_eq!(
        stats.body["by_endpoint"]["POST /api/auth/refresh"],
        json!({"200": 1, "503": 2})
    );
}

#[tokio::test]
async fn fail_refresh_drop_closes_the_connection_without_a_response() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    // Warm a keep-alive connection in c's pool: the drop must still surface as an error.
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
    c.post(
        "/api/_test/fail-refresh",
        Some(json!({"count": 2, "mode": "drop"})),
    )
    .await;

    for _ in 0..2 {
        let err = c.request(Method::POST, "/api/auth/refresh").send().await;
        let err = err.expect_err("the connection is dropped, no HTTP response at all");
        assert!(err.status().is_none() && !err.is_timeout(), "{err:?}");
        // Another call between the refreshes: the second one is not a resend of the first.
        assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
    }
    let ok = c.refresh().await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        ok.header("connection"),
        "",
        "keep-alive is back once no drop is pending"
    );
    let stats = c.get("/api/_test/stats").await;
    assert_eq!(
        stats.body["by_endpoint"]["POST /api/auth/refresh"],
        json!({"200": 1, "dropped": 2})
    );
}

/// Chromium resends a request whose connection it considered proven (even a socket it opened early and
/// left idle) when it closes without an answer; the resend must not hide the drop from the page.
#[tokio::test]
async fn fail_refresh_drop_also_drops_the_browsers_resend() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    c.post(
        "/api/_test/fail-refresh",
        Some(json!({"count": 1, "mode": "drop"})),
    )
    .await;
    for attempt in ["the refresh", "its immediate resend"] {
        let err = c.request(Method::POST, "/api/auth/refresh").send().await;
        assert!(err.is_err(), "{attempt} is dropped: {err:?}");
    }
    // The page moves on (another API call), then retries: that refresh is a new one.
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
    let ok = c.refresh().await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let stats = c.get("/api/_test/stats").await;
    assert_eq!(
        stats.body["by_endpoint"]["POST /api/auth/refresh"],
        json!({"200": 1, "dropped": 1}),
        "the resend is part of the one failure the page saw"
    );
}

#[tokio::test]
async fn drop_mode_sends_connection_close_while_armed() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let armed = c
        .post(
            "/api/_test/fail-refresh",
            Some(json!({"count": 1, "mode": "drop"})),
        )
        .await;
    assert_eq!(armed.header("connection"), "close");
    assert_eq!(c.get("/api/me").await.header("connection"), "close");
    c.post("/api/_test/reset", None).await;
    assert_eq!(c.get("/api/me").await.header("connection"), "");
    assert_eq!(c.refresh().await.status, StatusCode::OK);
}

#[tokio::test]
async fn latency_hook_delays_api_calls_and_refresh_more() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let set = c
        .post(
            "/api/_test/latency",
            Some(json!({"ms": 400, "refresh_ms": 300})),
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);

    let t = Instant::now();
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
    let me = t.elapsed();
    let t = Instant::now();
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    let refresh = t.elapsed();
    let t = Instant::now();
    c.get("/api/_test/stats").await;
    let hook = t.elapsed();
    assert!(me >= Duration::from_millis(400), "{me:?}");
    assert!(refresh >= Duration::from_millis(700), "{refresh:?}");
    assert!(
        hook < Duration::from_millis(150),
        "hooks are not delayed: {hook:?}"
    );

    c.post("/api/_test/reset", None).await;
    let t = Instant::now();
    c.get("/api/me").await;
    assert!(
        t.elapsed() < Duration::from_millis(150),
        "reset clears latency"
    );
}

/// Latencies that would overflow when added (or just wait for ever) are refused with a field message, and the
/// server keeps answering: `{"ms": u64::MAX, "refresh_ms": 1}` used to make the next refresh panic.
#[tokio::test]
async fn an_absurd_latency_is_refused_and_nothing_overflows() {
    let server = Server::start(&["--test-hooks"]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    for (body, field) in [
        (json!({"ms": u64::MAX, "refresh_ms": 1}), "ms"),
        (json!({"ms": 1, "refresh_ms": 600_001}), "refresh_ms"),
    ] {
        let set = c.post("/api/_test/latency", Some(body)).await;
        set.assert_error(422, "validation");
        assert!(
            set.body["error"]["fields"][field].is_string(),
            "{}",
            set.body
        );
    }
    let t = Instant::now();
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "nothing was injected"
    );
}

#[tokio::test]
async fn latency_flag_applies_without_hooks() {
    let server = Server::start(&["--latency-ms", "120"]).await;
    let mut c = server.client();
    let t = Instant::now();
    c.get("/api/me").await.assert_error(401, "unauthenticated");
    assert!(t.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn cors_echoes_only_the_allowed_origin_with_credentials() {
    let origin = "http://127.0.0.1:18099";
    let server = Server::start(&["--test-hooks", "--cors-origin", origin]).await;
    let http = crate::common::http();

    let preflight = read(
        http.request(Method::OPTIONS, format!("{}/api/notes/3", server.url))
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .header(
                "access-control-request-headers",
                "content-type,x-csrf-token",
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(preflight.status.is_success(), "{:?}", preflight.status);
    assert_eq!(preflight.header("access-control-allow-origin"), origin);
    assert_eq!(preflight.header("access-control-allow-credentials"), "true");
    let methods = preflight
        .header("access-control-allow-methods")
        .to_ascii_uppercase();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let headers = preflight
        .header("access-control-allow-headers")
        .to_ascii_lowercase();
    assert!(
        headers.contains("content-type") && headers.contains("x-csrf-token"),
        "{headers}"
    );

    let mut c = server.client();
    let req = c
        .request(Method::POST, "/api/auth/login")
        .header("origin", origin)
        .json(&json!({"username": "user", "password": "user-pass"}));
    let login = c.send(req).await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.header("access-control-allow-origin"), origin);
    assert_eq!(login.header("access-control-allow-credentials"), "true");

    let other = read(
        http.get(format!("{}/api/me", server.url))
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(other.header("access-control-allow-origin"), "");
}

#[tokio::test]
async fn no_cors_headers_without_cors_origin() {
    let server = Server::start(&["--test-hooks"]).await;
    let resp = read(
        crate::common::http()
            .get(format!("{}/api/me", server.url))
            .header("origin", "http://127.0.0.1:18099")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(resp.header("access-control-allow-origin"), "");
}
