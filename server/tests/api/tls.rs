//! HTTPS: `--tls` (a certificate made at start-up) and `--tls-cert`/`--tls-key`, HTTP/2 and
//! HTTP/1.1 on the same port by ALPN, and the session cookies over it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use reqwest::{Method, StatusCode, Version};
use serde_json::json;

use crate::binary::{command, listening_url};
use crate::common::{Client, Server};

/// A client that trusts any certificate (the generated one is self-signed); ALPN offers h2 and
/// http/1.1 unless `http1_only`.
pub(crate) fn insecure(http1_only: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .no_proxy()
        .danger_accept_invalid_certs(true);
    let builder = if http1_only {
        builder.http1_only()
    } else {
        builder
    };
    builder.build().expect("reqwest client")
}

fn client_of(server: &Server, http: reqwest::Client) -> Client {
    Client {
        http,
        base: server.url.clone(),
        jar: BTreeMap::new(),
    }
}

#[tokio::test]
async fn https_speaks_http2_by_alpn_and_http1_still_works() {
    let server = Server::start(&["--tls"]).await;
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    for (http1_only, version) in [(false, Version::HTTP_2), (true, Version::HTTP_11)] {
        let resp = insecure(http1_only)
            .get(format!("{}/api/me", server.url))
            .send()
            .await
            .expect("request over TLS");
        assert_eq!(resp.version(), version, "http1_only = {http1_only}");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    // Plain HTTP on the TLS port gets no answer.
    let plain = crate::common::http()
        .get(server.url.replacen("https://", "http://", 1) + "/api/me")
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_session_over_http2_gets_secure_cookies_and_refreshes() {
    let server = Server::start(&["--tls"]).await;
    let mut c = client_of(&server, insecure(false));
    let origin = server.url.clone();
    let login = c
        .request(Method::POST, "/api/auth/login")
        .header("origin", &origin)
        .json(&json!({ "username": "user", "password": "user-pass" }));
    let login = c.send(login).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    for name in ["lanyard_access", "lanyard_refresh", "lanyard_csrf"] {
        let cookie = login.cookie(name).unwrap_or_else(|| panic!("no {name}"));
        assert!(cookie.secure, "{name} over https: {}", cookie.raw);
    }
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);
    let refreshed = c.refresh().await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert!(refreshed.cookie("lanyard_access").is_some_and(|c| c.secure));
    server.stop().await;
}

#[tokio::test]
async fn the_drop_fault_resets_only_its_stream_on_http2() {
    let server = Server::start(&["--tls", "--test-hooks"]).await;
    let mut c = client_of(&server, insecure(false));
    c.login("user", "user-pass").await;
    let armed = c
        .post(
            "/api/_test/fail-refresh",
            Some(json!({"count": 1, "mode": "drop"})),
        )
        .await;
    assert_eq!(armed.status, StatusCode::NO_CONTENT);
    // HTTP/2 has no `Connection` header: the armed fault must not send one.
    assert_eq!(armed.header("connection"), "");
    let dropped = c.request(Method::POST, "/api/auth/refresh").send().await;
    let err = dropped.expect_err("the refresh gets no answer");
    assert!(err.status().is_none() && !err.is_timeout(), "{err:?}");
    let me = c.get("/api/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let stats = c.get("/api/_test/stats").await;
    assert_eq!(
        stats.body["by_endpoint"]["POST /api/auth/refresh"],
        json!({"dropped": 1})
    );
    server.stop().await;
}

/// A fresh directory under the system's temporary one.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lanyard-tls-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn given_pem_files_are_what_it_serves() {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let made = rcgen::generate_simple_self_signed(names).expect("a certificate");
    let dir = temp_dir("given");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).expect("write cert");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("write key");
    let server = Server::start(&[
        "--tls-cert",
        cert.to_str().expect("utf-8 path"),
        "--tls-key",
        key.to_str().expect("utf-8 path"),
    ])
    .await;
    // Trusting only that certificate (no `danger_accept_invalid_certs`): the handshake proves it is
    // the one served.
    let root = reqwest::Certificate::from_pem(made.cert.pem().as_bytes()).expect("PEM");
    let strict = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(root)
        .build()
        .expect("reqwest client");
    let resp = strict
        .get(format!("{}/api/me", server.url))
        .send()
        .await
        .expect("the given certificate verifies");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.version(), Version::HTTP_2);
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_pem_files_stop_start_up_naming_the_file() {
    let dir = temp_dir("bad");
    let (garbage, missing) = (dir.join("garbage.pem"), dir.join("missing.pem"));
    std::fs::write(&garbage, "not a certificate\n").expect("write");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let good_cert = dir.join("cert.pem");
    std::fs::write(&good_cert, made.cert.pem()).expect("write");
    for (cert, key, named) in [
        (&missing, &garbage, &missing),
        (&garbage, &garbage, &garbage),
        (&good_cert, &garbage, &garbage),
    ] {
        let out = command()
            .args(["--in-memory", "--bind", "127.0.0.1:0", "--tls-cert"])
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .output()
            .await
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started with {cert:?} {key:?}");
        assert!(
            stderr.contains(&named.display().to_string()),
            "names {named:?}: {stderr}"
        );
    }
    let alone = command()
        .args(["--in-memory", "--tls-cert"])
        .arg(&good_cert)
        .output()
        .await
        .expect("runs");
    assert!(!alone.status.success());
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--tls-key"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn says_https_when_serving_tls() {
    let mut child = command()
        .args(["--in-memory", "--bind", "127.0.0.1:0", "--tls"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let url = listening_url(&mut child).await;
    assert!(url.starts_with("https://127.0.0.1:"), "{url:?}");
    let _ = child.kill().await;
    let help = command().arg("--help").output().await.expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in ["--tls", "--tls-cert <FILE>", "--tls-key <FILE>"] {
        assert!(
            help.lines().any(|l| l.trim() == flag),
            "--help lists {flag}: {help}"
        );
    }
}
