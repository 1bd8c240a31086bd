use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::process::Command;

use crate::binary::{command, listening_url};

#[tokio::test]
async fn prints_the_real_address_and_stops_gracefully_on_sigterm() {
    let mut child = command()
        .args(["--in-memory", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = listening_url(&mut child).await;
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && port != 0, "{url}");

    let resp = crate::common::http()
        .get(format!("{url}/api/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let pid = child.id().unwrap().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn cors_origin_without_test_hooks_is_refused() {
    let out = command()
        .args([
            "--in-memory",
            "--bind",
            "127.0.0.1:0",
            "--cors-origin",
            "http://127.0.0.1:9",
        ])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--test-hooks"), "{stderr}");
    assert!(out.stdout.is_empty(), "must not start listening");
}

#[tokio::test]
async fn help_documents_every_flag_and_env_var() {
    let out = command().arg("--help").output().await.unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bind",
        "--data-dir",
        "--in-memory",
        "--access-ttl-secs",
        "--refresh-ttl-secs",
        "--dist",
        "--test-hooks",
        "--latency-ms",
        "--cors-origin",
        "--insecure-cookies",
        "LANYARD_BIND",
        "LANYARD_DATA_DIR",
        "127.0.0.1:8081",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}
