use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{read, Client, Server};

async fn signed_in() -> (Server, Client) {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    (server, c)
}

#[tokio::test]
async fn malformed_json_is_400_bad_json() {
    let (_server, mut c) = signed_in().await;
    for body in ["{\"title\": ", "not json", "", "{\"title\": \"a\",}"] {
        let req = c
            .request(Method::POST, "/api/notes")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        c.send(req).await.assert_error(400, "bad_json");
    }
    // Valid JSON of the wrong shape is also a 400, not a 500.
    for body in ["[1,2]", "{\"title\": 5}", "null"] {
        let req = c
            .request(Method::POST, "/api/notes")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        c.send(req).await.assert_error(400, "bad_json");
    }
    // Arrays are not objects: `[]` used to be a 422 and `["user", "user-pass"]` a positional login.
    for body in ["{", "[]", "[\"user\", \"user-pass\"]", "\"user\"", "7"] {
        let req = c
            .request(Method::POST, "/api/auth/login")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        let resp = c.send(req).await;
        resp.assert_error(400, "bad_json");
        assert!(resp.set_cookies.is_empty(), "{body}: no session");
    }
    for body in ["[]", " [\"a\", \"b\"]"] {
        let req = c
            .request(Method::POST, "/api/notes")
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(body);
        c.send(req).await.assert_error(400, "bad_json");
    }
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let (_server, mut c) = signed_in().await;
    let body = json!({"title": "a", "body": "b"}).to_string();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut req = c.request(Method::POST, "/api/notes").body(body.clone());
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        c.send(req)
            .await
            .assert_error(415, "unsupported_media_type");
    }
    let req = c
        .request(Method::POST, "/api/auth/login")
        .header(CONTENT_TYPE, "text/plain")
        .body("{}");
    c.send(req)
        .await
        .assert_error(415, "unsupported_media_type");
}

#[tokio::test]
async fn bodies_over_64_kib_are_413() {
    let (_server, mut c) = signed_in().await;
    let huge = json!({"title": "t", "body": "x".repeat(70 * 1024)});
    c.post("/api/notes", Some(huge.clone()))
        .await
        .assert_error(413, "payload_too_large");
    let req = c.request(Method::POST, "/api/auth/login").json(&huge);
    c.send(req).await.assert_error(413, "payload_too_large");
    // Just under the limit is read (and then validated: the body is over 10 000 characters).
    let big = json!({"title": "t", "body": "x".repeat(60 * 1024)});
    let resp = c.post("/api/notes", Some(big)).await;
    resp.assert_error(422, "validation");
    assert!(resp.body["error"]["fields"]["body"].is_string());
}

#[tokio::test]
async fn unknown_api_routes_are_json_404_and_wrong_methods_json_405() {
    let (server, mut c) = signed_in().await;
    for path in [
        "/api/nope",
        "/api",
        "/api/",
        "/api/notes/1/extra",
        "/api/_test/stats",
    ] {
        let resp = c.get(path).await;
        resp.assert_error(404, "not_found");
        assert_eq!(resp.header("cache-control"), "no-store", "{path}");
    }
    let resp = c.post("/api/nope", Some(json!({}))).await;
    resp.assert_error(404, "not_found");
    // Without a --dist, other paths are 404 too (still JSON, never a 500).
    assert_eq!(c.get("/index.html").await.status, StatusCode::NOT_FOUND);

    for (method, path) in [
        (Method::DELETE, "/api/me"),
        (Method::GET, "/api/auth/login"),
        (Method::GET, "/api/auth/refresh"),
        (Method::PATCH, "/api/notes"),
        (Method::POST, "/api/notes/1"),
    ] {
        // Even without a CSRF header: the method is wrong before anything else.
        let resp = read(
            c.http
                .request(method.clone(), format!("{}{path}", server.url))
                .send()
                .await
                .unwrap(),
        )
        .await;
        resp.assert_error(405, "method_not_allowed");
        assert!(
            !resp.header("allow").is_empty(),
            "{method} {path}: no Allow header"
        );
        assert_eq!(resp.header("cache-control"), "no-store");
    }
}

#[tokio::test]
async fn unknown_query_parameters_are_ignored_and_bad_ids_are_404() {
    let (_server, mut c) = signed_in().await;
    assert_eq!(c.get("/api/me?i=3&x").await.status, StatusCode::OK);
    assert_eq!(c.get("/api/notes?i=1").await.status, StatusCode::OK);
    for path in [
        "/api/notes/abc",
        "/api/notes/99999999999999999999999",
        "/api/notes/-1",
        "/api/notes/%FF",
    ] {
        c.get(path).await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn every_response_has_security_headers_and_api_responses_are_no_store() {
    let (_server, mut c) = signed_in().await;
    let responses = [
        c.get("/api/me").await,
        c.get("/api/nope").await,
        c.post("/api/notes", Some(json!({}))).await,
        c.delete("/api/me").await,
        server_error_free_unauth().await,
    ];
    for resp in &responses {
        assert_eq!(resp.header("cache-control"), "no-store");
        assert_eq!(resp.header("x-content-type-options"), "nosniff");
        assert_eq!(resp.header("referrer-policy"), "same-origin");
        assert_eq!(resp.header("x-frame-options"), "DENY");
        assert_eq!(
            resp.header("content-security-policy"),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
             form-action 'self'"
        );
        assert!(resp.header("content-type").starts_with("application/json"));
    }
}

async fn server_error_free_unauth() -> crate::common::Resp {
    let server = Server::start(&[]).await;
    let resp = server.client().get("/api/notes").await;
    resp.assert_error(401, "unauthenticated");
    resp
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests() {
    let server = Server::start(&["--latency-ms", "300"]).await;
    let c = server.client();
    let slow = tokio::spawn(async move { c.clone().get("/api/me").await.status });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let url = server.url.clone();
    server.stop().await;
    assert_eq!(
        slow.await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "the in-flight request completed"
    );
    let after = crate::common::http()
        .get(format!("{url}/api/me"))
        .send()
        .await;
    assert!(after.is_err(), "nothing listens after shutdown");
}

/// A body that stops arriving is answered 408 in the contract's shape once `--body-timeout-secs` passes, and
/// the connection is closed (it used to stay open for ever).
#[tokio::test]
async fn a_body_that_never_finishes_is_a_408_and_the_connection_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = Server::start(&["--body-timeout-secs", "1"]).await;
    let addr = server.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"username\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the connection was closed, not left open");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");
    let took = started.elapsed();
    assert!(
        took >= std::time::Duration::from_millis(900) && took < std::time::Duration::from_secs(5),
        "{took:?}"
    );
    server.stop().await;
}
