//! A local reverse proxy for the storm: the built app and the user's config.json on one loopback origin, every
//! API path forwarded to the user's backend, and each call counted (`METHOD path` → status → count), so the
//! refreshes are counted where they happen whatever the backend is.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Calls seen: `"POST /api/auth/refresh"` → status → count.
pub type Counts = BTreeMap<String, BTreeMap<u16, u32>>;

struct Shared {
    dist: PathBuf,
    config_json: String,
    backend: String,
    /// The backend's origin, sent as `Origin` (as a same-origin deployment's front server would).
    backend_origin: String,
    /// First path segments that belong to the API (`/api`, `/auth`).
    prefixes: Vec<String>,
    http: reqwest::Client,
    counts: Mutex<Counts>,
}

pub struct Proxy {
    shared: Arc<Shared>,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    task: tokio::task::JoinHandle<()>,
}

/// `/api/auth/login` → `/api`.
pub fn first_segment(path: &str) -> String {
    let rest = path.trim_start_matches('/');
    format!("/{}", rest.split(['/', '?']).next().unwrap_or(""))
}

impl Proxy {
    /// Serves `dist` with `config_json` as its config.json, forwarding requests whose path starts with one of
    /// the API's first segments (taken from `api_paths`) to `backend`.
    pub async fn start(
        dist: &Path,
        config_json: String,
        backend: &str,
        api_paths: &[&str],
    ) -> Result<Proxy, String> {
        let mut prefixes: Vec<String> = api_paths.iter().map(|p| first_segment(p)).collect();
        prefixes.sort();
        prefixes.dedup();
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot set up the proxy's HTTP client: {e}"))?;
        let backend_origin = url::Url::parse(backend)
            .map(|u| u.origin().ascii_serialization())
            .map_err(|e| format!("{backend} is not a URL: {e}"))?;
        let shared = Arc::new(Shared {
            dist: dist.to_path_buf(),
            config_json,
            backend: backend.trim_end_matches('/').to_string(),
            backend_origin,
            prefixes,
            http,
            counts: Mutex::new(Counts::new()),
        });
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| format!("the proxy cannot listen on loopback: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("the proxy has no address: {e}"))?;
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Proxy {
            shared,
            origin: format!("http://{address}"),
            task,
        })
    }

    pub fn counts(&self) -> Counts {
        self.shared
            .counts
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    pub fn reset(&self) {
        if let Ok(mut counts) = self.shared.counts.lock() {
            counts.clear();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How many calls of `endpoint` (`"POST /path"`) were seen, whatever their status.
pub fn total(counts: &Counts, endpoint: &str) -> u32 {
    counts
        .get(endpoint)
        .map_or(0, |by_status| by_status.values().sum())
}

/// How many calls of `endpoint` got one of `statuses`.
pub fn with_status(counts: &Counts, endpoint: &str, statuses: &[u16]) -> u32 {
    counts.get(endpoint).map_or(0, |by_status| {
        by_status
            .iter()
            .filter(|(s, _)| statuses.contains(s))
            .map(|(_, n)| n)
            .sum()
    })
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    // A navigation (a page load of /login, /lab…) is the app's even when its path looks like the API's.
    let navigation = request.method() == Method::GET
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if path == "/config.json" {
        return respond(
            StatusCode::OK,
            "application/json",
            shared.config_json.clone().into_bytes(),
        );
    }
    if !navigation && shared.prefixes.contains(&first_segment(&path)) {
        return forward(&shared, request).await;
    }
    serve_file(&shared.dist, &path).await
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn serve_file(dist: &Path, path: &str) -> Response {
    let relative: PathBuf = Path::new(path.trim_start_matches('/'))
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    let file = dist.join(&relative);
    let file = if relative.as_os_str().is_empty() || !file.is_file() {
        dist.join("index.html")
    } else {
        file
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => respond(StatusCode::OK, content_type, bytes),
        Err(e) => respond(
            StatusCode::NOT_FOUND,
            "text/plain",
            format!("{}: {e}", file.display()).into_bytes(),
        ),
    }
}

/// Headers that describe one connection, not the message.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "host",
    "content-length",
    "proxy-connection",
];

async fn forward(shared: &Shared, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or(path.clone(), |p| p.as_str().to_string());
    let mut headers = HeaderMap::new();
    for (name, value) in request.headers() {
        let name_text = name.as_str();
        if HOP_BY_HOP.contains(&name_text) || name_text == "referer" {
            continue;
        }
        if name_text == "origin" {
            if let Ok(origin) = HeaderValue::from_str(&shared.backend_origin) {
                headers.insert(header::ORIGIN, origin);
            }
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    let body = match to_bytes(request.into_body(), 16 * 1024 * 1024).await {
        Ok(body) => body,
        Err(e) => {
            return respond(
                StatusCode::BAD_REQUEST,
                "text/plain",
                e.to_string().into_bytes(),
            )
        }
    };
    let url = format!("{}{path_and_query}", shared.backend);
    let sent = shared
        .http
        .request(method.clone(), &url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let key = format!("{method} {path}");
    let response = match sent {
        Ok(response) => response,
        Err(e) => {
            record(shared, key, 502);
            return respond(
                StatusCode::BAD_GATEWAY,
                "text/plain",
                format!(
                    "the backend did not answer: {}",
                    super::http::error_chain(&e)
                )
                .into_bytes(),
            );
        }
    };
    let status = response.status();
    record(shared, key, status.as_u16());
    let mut out_headers = HeaderMap::new();
    for (name, value) in response.headers() {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        if name == header::SET_COOKIE {
            // The cookie must land on the proxy's host, as it would on the one origin of a real deployment.
            if let Some(value) = value
                .to_str()
                .ok()
                .map(without_domain)
                .and_then(|v| HeaderValue::from_str(&v).ok())
            {
                out_headers.append(name.clone(), value);
            }
            continue;
        }
        out_headers.append(name.clone(), value.clone());
    }
    let bytes = response.bytes().await.unwrap_or_default();
    let mut out = Response::new(Body::from(bytes));
    *out.status_mut() = status;
    *out.headers_mut() = out_headers;
    out
}

fn record(shared: &Shared, key: String, status: u16) {
    if let Ok(mut counts) = shared.counts.lock() {
        *counts.entry(key).or_default().entry(status).or_default() += 1;
    }
}

/// A `Set-Cookie` value without its `Domain` attribute.
pub fn without_domain(value: &str) -> String {
    value
        .split(';')
        .filter(|part| !part.trim().to_ascii_lowercase().starts_with("domain="))
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_prefixes_are_first_segments() {
        assert_eq!(first_segment("/api/auth/login"), "/api");
        assert_eq!(first_segment("/auth/refresh"), "/auth");
        assert_eq!(first_segment("/whoami?i=1"), "/whoami");
    }

    #[test]
    fn domains_are_dropped_and_the_rest_kept() {
        assert_eq!(
            without_domain("a=1; Domain=example.com; Path=/; HttpOnly"),
            "a=1; Path=/; HttpOnly"
        );
    }

    #[test]
    fn counts_add_up_by_status() {
        let mut counts = Counts::new();
        counts.entry("POST /r".into()).or_default().insert(200, 1);
        counts.entry("POST /r".into()).or_default().insert(401, 2);
        assert_eq!(total(&counts, "POST /r"), 3);
        assert_eq!(with_status(&counts, "POST /r", &[401, 403]), 2);
        assert_eq!(total(&counts, "GET /x"), 0);
    }
}
