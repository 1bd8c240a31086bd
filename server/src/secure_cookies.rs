//! When the session cookies carry `Secure`.
//!
//! Always, except for a page served over plain HTTP from this machine (`http://localhost:…` or `*.localhost`,
//! any of `127.0.0.0/8` such as `http://127.0.0.1:…`, `http://[::1]:…`), as the request's `Origin` header says. Chromium and Firefox accept
//! `Secure` cookies from such pages, but WebKit (Safari, every iOS browser) refuses them, so a developer on
//! `cargo xtask dev` could not sign in there. The `Origin` header is used, not the `Host` or the socket:
//! behind a TLS-terminating proxy the backend itself sees plain HTTP on loopback (nginx's default `Host` is the
//! upstream's), and that must still give `Secure`; a browser page on a real host can never send a loopback
//! origin. A forged loopback `Origin` (a script, not a browser) only weakens that client's own cookies.
//! Requests without an `Origin` (curl, server-to-server) get `Secure`. `--insecure-cookies` drops it everywhere.

use axum::http::header::ORIGIN;
use axum::http::HeaderMap;

/// Whether cookies set in answer to a request with these headers get `Secure`.
pub fn secure_for(configured_secure: bool, headers: &HeaderMap) -> bool {
    configured_secure
        && !headers
            .get(ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_plain_http_loopback)
}

fn is_plain_http_loopback(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://") else {
        return false;
    };
    // An origin is scheme://host[:port], nothing after.
    let host = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, port)) if port.is_empty() || is_port(port) => host,
            _ => return false,
        },
        None => match rest.split_once(':') {
            Some((host, port)) if is_port(port) => host,
            Some(_) => return false,
            None => rest,
        },
    };
    let host = host.to_ascii_lowercase();
    // What browsers treat as loopback: `localhost` and its subdomains, all of 127.0.0.0/8, and ::1.
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_port(text: &str) -> bool {
    text.strip_prefix(':')
        .unwrap_or(text)
        .parse::<u16>()
        .is_ok()
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_origin(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            ORIGIN,
            HeaderValue::from_str(origin).expect("a header value"),
        );
        headers
    }

    #[test]
    fn plain_http_loopback_pages_get_cookies_webkit_keeps() {
        for origin in [
            "http://localhost:8080",
            "http://127.0.0.1:18180",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "http://127.0.0.1",
            "http://127.0.0.2:8080",
            "http://127.255.255.254",
            "http://app.localhost:8080",
        ] {
            assert!(!secure_for(true, &with_origin(origin)), "{origin}");
        }
    }

    #[test]
    fn everything_else_stays_secure() {
        for origin in [
            "https://localhost:8080",
            "https://app.example.com",
            "http://example.com",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "http://128.0.0.1",
            "http://localhost.",
            "http://0x7f.0.0.1",
            "http://localhost:8080/path",
            "http://localhost:99999",
            "http://[::1]x",
            "null",
        ] {
            assert!(secure_for(true, &with_origin(origin)), "{origin}");
        }
        assert!(secure_for(true, &HeaderMap::new()), "no Origin: curl");
        assert!(!secure_for(false, &HeaderMap::new()), "--insecure-cookies");
    }
}
