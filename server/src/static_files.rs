//! Serving Trunk's `dist/`: SPA fallback, cache policy, precompressed files, and the CSP hashes
//! of index.html's inline scripts.

use std::path::Path;

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// The Content-Security-Policy for everything we serve. `script_hashes` allow exactly the inline
/// scripts of index.html (Trunk's module loader) without `'unsafe-inline'`.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push_str(&format!(" '{hash}'"));
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// `sha256-<base64>` of the exact content of every `<script>` without a `src` attribute.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut hashes = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("<script") {
        let attrs_start = pos + found + "<script".len();
        // `<scripts>` or `<script-x>` are other elements.
        if !matches!(
            bytes.get(attrs_start),
            Some(b'>' | b'/') | Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
        ) {
            pos = attrs_start;
            continue;
        }
        let Some((tag_len, has_src)) = scan_attributes(&bytes[attrs_start..]) else {
            break; // unterminated tag
        };
        let content_start = attrs_start + tag_len;
        let content_end = lower[content_start..]
            .find("</script")
            .map_or(lower.len(), |i| content_start + i);
        if !has_src {
            let digest = Sha256::digest(&html.as_bytes()[content_start..content_end]);
            hashes.push(format!("sha256-{}", STANDARD.encode(digest)));
        }
        pos = content_end;
    }
    hashes
}

/// Scans a start tag's attributes up to and including its `>`: (bytes consumed, has `src`).
fn scan_attributes(tag: &[u8]) -> Option<(usize, bool)> {
    let mut i = 0;
    let mut has_src = false;
    loop {
        match tag.get(i)? {
            b'>' => return Some((i + 1, has_src)),
            c if c.is_ascii_whitespace() || *c == b'/' => i += 1,
            _ => {
                let name_start = i;
                while !matches!(tag.get(i)?, b'=' | b'>' | b'/') && !tag[i].is_ascii_whitespace() {
                    i += 1;
                }
                has_src |= &tag[name_start..i] == b"src";
                while tag.get(i)?.is_ascii_whitespace() {
                    i += 1;
                }
                if tag[i] != b'=' {
                    continue;
                }
                i += 1;
                while tag.get(i)?.is_ascii_whitespace() {
                    i += 1;
                }
                match tag[i] {
                    quote @ (b'"' | b'\'') => {
                        i += 1;
                        while *tag.get(i)? != quote {
                            i += 1;
                        }
                        i += 1;
                    }
                    _ => {
                        while !matches!(tag.get(i)?, b'>') && !tag[i].is_ascii_whitespace() {
                            i += 1;
                        }
                    }
                }
            }
        }
    }
}

/// Whether the last path segment carries a content hash, as Trunk names its outputs
/// (`lanyard-3f2a9c1b2d4e5f60.js`, `lanyard-3f2a9c1b2d4e5f60_bg.wasm`, `style-<hash>.css`).
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split(['-', '_', '.'])
        .any(|part| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Hashed assets are immutable; index.html (also as the SPA fallback), config.json and anything
/// else must be revalidated so a new deployment is picked up.
async fn cache_policy(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut response = next.run(req).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let is_html = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let policy = if hashed && !is_html {
            IMMUTABLE
        } else {
            NO_CACHE
        };
        response.headers_mut().insert(CACHE_CONTROL, policy);
    }
    response
}

/// The longest path segment a filesystem takes (NAME_MAX); a longer one made the file service answer an
/// empty 500 (ENAMETOOLONG). No route of the app is anywhere near it.
const MAX_SEGMENT: usize = 255;

/// A path no file and no route of the app can have: 404 in the contract's shape, before the file service.
async fn refuse_unservable(req: Request, next: Next) -> Response {
    if req.uri().path().split('/').any(|s| s.len() > MAX_SEGMENT) {
        return ApiError::NotFound.into_response();
    }
    next.run(req).await
}

/// Files from `dir` (preferring `.br`/`.gz` siblings the client accepts); any other path gets
/// index.html so client-side routes survive a reload.
pub fn router(dir: &Path) -> Router {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_policy))
        .layer(middleware::from_fn(refuse_unservable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(s: &str) -> String {
        format!("sha256-{}", STANDARD.encode(Sha256::digest(s.as_bytes())))
    }

    #[test]
    fn hashes_only_inline_scripts_exact_content() {
        let loader = "\nimport init, * as bindings from '/lanyard-3f2a9c1b2d4e5f60.js';\n\
                      const wasm = await init({ module_or_path: '/lanyard-3f2a9c1b2d4e5f60_bg.wasm' });\n";
        let html = format!(
            "<!DOCTYPE html><html><head>\
             <script src=\"/a.js\"></script>\
             <SCRIPT data-src=\"x>y\" type='module'>{loader}</SCRIPT>\
             <scripts>not a script</scripts>\
             <script defer src=/b.js></script>\
             <script>console.log(\"é\")</script>\
             </head><body></body></html>"
        );
        assert_eq!(
            inline_script_hashes(&html),
            vec![hash(loader), hash("console.log(\"é\")")]
        );
    }

    #[test]
    fn no_scripts_no_hashes_and_unterminated_is_safe() {
        assert!(inline_script_hashes("<html><body>hi</body></html>").is_empty());
        assert!(inline_script_hashes("<script type=\"module").is_empty());
        assert_eq!(inline_script_hashes("<script>x"), vec![hash("x")]);
    }

    #[test]
    fn csp_lists_hashes_without_unsafe_inline() {
        let csp = content_security_policy(&["sha256-abc=".into()]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/lanyard-3f2a9c1b2d4e5f60.js"));
        assert!(is_hashed_asset("/lanyard-3f2a9c1b2d4e5f60_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/config.json"));
        assert!(!is_hashed_asset("/notes/12"));
    }
}
