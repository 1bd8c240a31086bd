use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lanyard-server");

fn command() -> Command {
    let mut cmd = Command::new(BIN);
    // The test environment must not leak into the flags under test.
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("LANYARD_")) {
        cmd.env_remove(key);
    }
    cmd.kill_on_drop(true);
    cmd
}

#[tokio::test]
async fn prints_the_real_address_and_stops_gracefully_on_sigterm() {
    let mut child = command()
        .args(["--in-memory", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    let read = reader.read_line(&mut line);
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .unwrap()
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("lanyard-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
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
