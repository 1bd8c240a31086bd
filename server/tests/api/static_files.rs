use std::path::PathBuf;

use base64::Engine;
use reqwest::header::ACCEPT_ENCODING;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::common::{read, Resp, Server};

const LOADER: &str = "\nimport init from '/lanyard-0123456789abcdef.js';\nawait init();\n";
const JS: &str = "lanyard-0123456789abcdef.js";
const WASM: &str = "lanyard-0123456789abcdef_bg.wasm";

/// A fake Trunk dist/ with an inline loader, hashed assets and a precompressed sibling.
fn dist(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lanyard-dist-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let index = format!(
        "<!DOCTYPE html><html><head><link rel=\"modulepreload\" href=\"/{JS}\">\
         <script type=\"module\">{LOADER}</script></head><body></body></html>"
    );
    for (name, content) in [
        ("index.html", index.as_bytes()),
        (JS, b"export default function init() {}".as_slice()),
        (
            "lanyard-0123456789abcdef.js.br",
            b"pretend-brotli".as_slice(),
        ),
        (WASM, b"\0asm\x01\0\0\0".as_slice()),
        ("style-0123456789abcdef.css", b"body{}".as_slice()),
        ("config.json", b"{\"api_base\":\"\"}".as_slice()),
    ] {
        std::fs::write(dir.join(name), content).unwrap();
    }
    dir
}

async fn get(server: &Server, path: &str, encoding: Option<&str>) -> Resp {
    let mut req = crate::common::http().get(format!("{}{path}", server.url));
    if let Some(e) = encoding {
        req = req.header(ACCEPT_ENCODING, e);
    }
    read(req.send().await.unwrap()).await
}

fn body_text(resp: &Resp) -> String {
    match &resp.body {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn serves_dist_with_spa_fallback_cache_policy_and_csp_hashes() {
    let dir = dist("serve");
    let dir_arg = dir.to_string_lossy().into_owned();
    let server = Server::start(&["--dist", &dir_arg]).await;

    let digest = Sha256::digest(LOADER.as_bytes());
    let hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    );

    for path in [
        "/",
        "/index.html",
        "/notes/7",
        "/login?next=%2Fnotes",
        "/lanyard-ffffffffffffffff.js",
    ] {
        let resp = get(&server, path, None).await;
        assert_eq!(resp.status, StatusCode::OK, "{path}");
        assert!(
            resp.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(resp.header("cache-control"), "no-cache", "{path}");
        assert!(
            body_text(&resp).contains("<script type=\"module\">"),
            "{path}"
        );
        let csp = resp.header("content-security-policy");
        assert!(
            csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {hash};")),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(resp.header("x-frame-options"), "DENY");
        assert_eq!(resp.header("x-content-type-options"), "nosniff");
        assert_eq!(resp.header("referrer-policy"), "same-origin");
    }

    let js = get(&server, &format!("/{JS}"), None).await;
    assert_eq!(
        js.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(
        js.header("content-type").contains("javascript"),
        "{}",
        js.header("content-type")
    );
    assert_eq!(js.header("content-encoding"), "");
    assert_eq!(body_text(&js), "export default function init() {}");

    let br = get(&server, &format!("/{JS}"), Some("gzip, br")).await;
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(body_text(&br), "pretend-brotli");
    assert!(br.header("content-type").contains("javascript"));
    assert_eq!(
        br.header("cache-control"),
        "public, max-age=31536000, immutable"
    );

    let wasm = get(&server, &format!("/{WASM}"), None).await;
    assert_eq!(wasm.header("content-type"), "application/wasm");
    assert_eq!(
        wasm.header("cache-control"),
        "public, max-age=31536000, immutable"
    );

    let css = get(&server, "/style-0123456789abcdef.css", None).await;
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );

    let config = get(&server, "/config.json", None).await;
    assert_eq!(config.header("cache-control"), "no-cache");
    assert_eq!(config.body["api_base"], "");

    // The API keeps its own JSON 404 and no-store; it never falls back to index.html.
    for path in ["/api/nope", "/api/", "/api", "/api/notes/1/x"] {
        let api = get(&server, path, None).await;
        api.assert_error(404, "not_found");
        assert_eq!(api.header("cache-control"), "no-store", "{path}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A path segment longer than a filesystem allows used to be an empty 500; now it is the contract's 404, with
/// the security headers. Long but legal segments still reach the SPA.
#[tokio::test]
async fn overlong_path_segments_are_a_json_404() {
    let dir = dist("long");
    let dir_arg = dir.to_string_lossy().into_owned();
    let server = Server::start(&["--dist", &dir_arg]).await;
    for path in [
        format!("/{}", "a".repeat(256)),
        format!("/notes/{}", "b".repeat(4_000)),
        format!("/{}.js", "%61".repeat(100)),
    ] {
        let resp = get(&server, &path, None).await;
        resp.assert_error(404, "not_found");
        assert!(!resp.header("x-content-type-options").is_empty(), "{path}");
    }
    let legal = get(&server, &format!("/{}", "a".repeat(255)), None).await;
    assert_eq!(legal.status, StatusCode::OK, "the SPA fallback");
    server.stop().await;
}

#[tokio::test]
async fn dist_without_index_html_fails_to_start() {
    let dir = dist("noindex");
    std::fs::remove_file(dir.join("index.html")).unwrap();
    let args = ["--dist".to_owned(), dir.to_string_lossy().into_owned()];
    let config = lanyard_server::Config::for_tests(args.iter()).unwrap();
    let err = lanyard_server::start(&config)
        .await
        .err()
        .expect("must not start");
    assert!(err.to_string().contains("index.html"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
