//! What the HTTP layer (hyper, h2) answers on its own, before a request reaches the app: bare answers without
//! the contract's JSON body, `no-store` or security headers. Neither hyper nor hyper-util lets a server shape
//! them (README.md, "Answers the HTTP layer gives on its own"); these tests pin what is true, so that the
//! README cannot silently go stale when a dependency changes.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::Server;

/// Sends `request` on a fresh connection and reads the whole answer (the server closes after these). The
/// write runs alongside the read: the server may stop reading (and answer) before the request is all sent.
async fn raw(server: &Server, request: Vec<u8>) -> String {
    let addr = server.url.trim_start_matches("http://");
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rx, mut tx) = stream.into_split();
    let write = async move {
        let _ = tx.write_all(&request).await;
        tx
    };
    let read = async {
        let mut answer = Vec::new();
        let mut chunk = [0u8; 8192];
        // Until EOF; a reset after the answer (unread request bytes) ends it too.
        while let Ok(n @ 1..) = rx.read(&mut chunk).await {
            answer.extend_from_slice(&chunk[..n]);
        }
        answer
    };
    // Not a timing assertion: only keeps a hung connection from hanging the suite.
    let (answer, _tx) =
        tokio::time::timeout(Duration::from_secs(60), async { tokio::join!(read, write) })
            .await
            .expect("the server answered and closed the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

fn get_with_headers(target: &str, extra: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n").into_bytes()
}

/// `n` header fields `X-Field-<i>: v`, each line ending in CRLF.
fn fields(n: usize) -> String {
    (0..n).map(|i| format!("X-Field-{i}: v\r\n")).collect()
}

#[tokio::test]
async fn heads_hyper_cannot_take_get_its_bare_answer_and_the_connection_closes() {
    let server = Server::start(&[]).await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a garbage request line",
            b"GARBAGE\r\n\r\n".to_vec(),
            "400 Bad Request",
        ),
        (
            "a method that is not a token",
            b"G@T /api/me HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            "400 Bad Request",
        ),
        (
            "an unknown HTTP version",
            b"GET /api/me HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
            "400 Bad Request",
        ),
        (
            "a control character in a header value",
            get_with_headers("/api/me", "X-A: a\x01b\r\n"),
            "400 Bad Request",
        ),
        (
            "a Content-Length that is not a number",
            get_with_headers("/api/notes", "Content-Length: abc\r\n"),
            "400 Bad Request",
        ),
        (
            "101 header fields",
            get_with_headers("/api/me", &fields(100)),
            "431 Request Header Fields Too Large",
        ),
        (
            "a 500 KB header block",
            get_with_headers("/api/me", &format!("X-Big: {}\r\n", "a".repeat(500_000))),
            "431 Request Header Fields Too Large",
        ),
        (
            "a 70 000-byte request target",
            get_with_headers(&format!("/api/{}", "a".repeat(70_000)), ""),
            "414 URI Too Long",
        ),
    ];
    for (what, request, status) in cases {
        let answer = raw(&server, request).await;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let mut lines = head.lines();
        assert_eq!(
            lines.next(),
            Some(format!("HTTP/1.1 {status}").as_str()),
            "{what}: {answer:?}"
        );
        let mut names: Vec<String> = lines
            .map(|l| l.split(':').next().unwrap_or_default().to_ascii_lowercase())
            .collect();
        names.sort();
        // Exactly this: no content-type (no JSON body), no cache-control, no security headers.
        assert_eq!(
            names,
            ["connection", "content-length", "date"],
            "{what}: {head}"
        );
        assert!(
            head.contains("connection: close") && head.contains("content-length: 0"),
            "{what}: {head}"
        );
        assert_eq!(body, "", "{what}");
    }
    // An HTTP/2 preface on the plain-HTTP (HTTP/1.1 only) port: closed without any answer.
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    assert_eq!(raw(&server, preface).await, "");
    server.stop().await;
}

/// The other side of the limits above: just inside them, the app answers, in the contract's shape.
#[tokio::test]
async fn heads_inside_hypers_limits_reach_the_app() {
    let server = Server::start(&[]).await;
    let long_target = format!("/api/{}", "a".repeat(60_000));
    for (what, target, extra, status) in [
        (
            "100 header fields (Host, Connection and 98)",
            "/api/me",
            fields(98),
            "401 Unauthorized",
        ),
        (
            "a 300 KB header block",
            "/api/me",
            format!("X-Big: {}\r\n", "a".repeat(300_000)),
            "401 Unauthorized",
        ),
        (
            "a 60 000-byte request target",
            long_target.as_str(),
            String::new(),
            "404 Not Found",
        ),
    ] {
        // Asks for the close, so that the answer ends at EOF.
        let extra = format!("{extra}Connection: close\r\n");
        let answer = raw(&server, get_with_headers(target, &extra)).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}\r\n")),
            "{what}: {answer:?}"
        );
        for header in [
            "content-type: application/json",
            "cache-control: no-store",
            "x-content-type-options: nosniff",
            "x-frame-options: DENY",
        ] {
            assert!(answer.contains(header), "{what}: {answer:?}");
        }
        assert!(
            answer.contains(r#"{"error":{"code":"#),
            "{what}: {answer:?}"
        );
    }
    server.stop().await;
}

/// HTTP/2 (over TLS): a header list over 16 KiB (hyper's SETTINGS_MAX_HEADER_LIST_SIZE) gets h2's bare 431, and
/// the stream is reset; under it, the app answers.
#[tokio::test]
async fn http2_header_lists_over_16_kib_get_h2s_bare_431() {
    let server = Server::start(&["--tls"]).await;
    let http = crate::tls::insecure(false);
    for (size, status) in [
        (15_000, StatusCode::UNAUTHORIZED),
        (20_000, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
    ] {
        let resp = http
            .get(format!("{}/api/me", server.url))
            .header("x-big", "a".repeat(size))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.version(), reqwest::Version::HTTP_2);
        assert_eq!(resp.status(), status, "{size}-byte header");
        let headers = resp.headers();
        let bare = status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
        for name in ["content-type", "cache-control", "x-content-type-options"] {
            assert_eq!(!headers.contains_key(name), bare, "{size}: {headers:?}");
        }
    }
    server.stop().await;
}
