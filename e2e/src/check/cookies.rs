//! `Set-Cookie` as the browser reads it, and a small cookie jar that sends what a browser would send.
//!
//! The checks keep their own jar instead of reqwest's: they must see every attribute, replay an old
//! cookie on purpose (rotation, logout), and drop a cookie exactly when its `Max-Age` runs out, as the
//! browser does once the access token expires.

use std::time::{Duration, Instant};

/// One `Set-Cookie` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub http_only: bool,
    pub secure: bool,
    /// As written (`Strict`, `lax`, `None`…); `None` when the attribute is absent.
    pub same_site: Option<String>,
    pub path: Option<String>,
    pub domain: Option<String>,
    pub max_age: Option<i64>,
    pub expires: Option<String>,
}

/// Parses one `Set-Cookie` header value; `None` when it has no `name=` (browsers ignore such headers).
pub fn parse(header: &str) -> Option<SetCookie> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut cookie = SetCookie {
        name: name.to_string(),
        value: value.trim().trim_matches('"').to_string(),
        http_only: false,
        secure: false,
        same_site: None,
        path: None,
        domain: None,
        max_age: None,
        expires: None,
    };
    for attribute in parts {
        let (key, value) = match attribute.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (attribute.trim(), None),
        };
        let value = value.map(str::to_string);
        match key.to_ascii_lowercase().as_str() {
            "httponly" => cookie.http_only = true,
            "secure" => cookie.secure = true,
            "samesite" => cookie.same_site = value,
            // A path that does not start with `/` is ignored (RFC 6265 §5.2.4): the default applies.
            "path" => cookie.path = value.filter(|p| p.starts_with('/')),
            "domain" => cookie.domain = value.filter(|d| !d.is_empty()),
            "max-age" => cookie.max_age = value.and_then(|v| v.parse().ok()),
            "expires" => cookie.expires = value,
            _ => {}
        }
    }
    Some(cookie)
}

impl SetCookie {
    /// Whether this header deletes the cookie (how logout clears it).
    pub fn is_removal(&self) -> bool {
        self.max_age.is_some_and(|age| age <= 0)
            || (self.max_age.is_none()
                && self
                    .expires
                    .as_deref()
                    .is_some_and(|e| e.contains("1970") || e.contains(" 1969 ")))
    }

    /// The path the browser stores it under, given the path of the request that set it.
    pub fn effective_path(&self, request_path: &str) -> String {
        self.path
            .clone()
            .unwrap_or_else(|| default_path(request_path))
    }

    /// `SameSite` normalised (`strict`, `lax`, `none`), or `None` when absent.
    pub fn same_site_lower(&self) -> Option<String> {
        self.same_site.as_deref().map(str::to_ascii_lowercase)
    }
}

/// RFC 6265 §5.1.4: the directory of the request path.
pub fn default_path(request_path: &str) -> String {
    let path = request_path.split('?').next().unwrap_or("");
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    }
}

/// RFC 6265 §5.1.4: whether a cookie stored under `cookie_path` is sent with a request for `request_path`.
pub fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    let request_path = request_path.split('?').next().unwrap_or("");
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

#[derive(Clone, Debug)]
struct Stored {
    name: String,
    value: String,
    path: String,
    expires_at: Option<Instant>,
}

/// The cookies of one API origin, as a browser keeps them (name + path identify a cookie).
#[derive(Clone, Debug, Default)]
pub struct Jar {
    cookies: Vec<Stored>,
}

impl Jar {
    /// Stores (or deletes) what a response to `request_path` set.
    pub fn store(&mut self, set: &[SetCookie], request_path: &str) {
        for cookie in set {
            let path = cookie.effective_path(request_path);
            self.cookies
                .retain(|c| !(c.name == cookie.name && c.path == path));
            if cookie.is_removal() {
                continue;
            }
            let expires_at = cookie
                .max_age
                .map(|age| Instant::now() + Duration::from_secs(age.unsigned_abs()));
            self.cookies.push(Stored {
                name: cookie.name.clone(),
                value: cookie.value.clone(),
                path,
                expires_at,
            });
        }
    }

    fn live(&self) -> impl Iterator<Item = &Stored> {
        let now = Instant::now();
        self.cookies
            .iter()
            .filter(move |c| c.expires_at.is_none_or(|at| at > now))
    }

    /// The `Cookie` header for a request to `request_path`, if any cookie goes with it.
    pub fn header_for(&self, request_path: &str) -> Option<String> {
        let pairs: Vec<String> = self
            .live()
            .filter(|c| path_matches(&c.path, request_path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The value of the live cookie `name` (what the page reads from `document.cookie`).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.live()
            .find(|c| c.name == name)
            .map(|c| c.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_attribute() {
        let c = parse(
            "lanyard_refresh=abc; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age=60",
        )
        .unwrap_or_else(|| panic!("parsed"));
        assert_eq!(
            (c.name.as_str(), c.value.as_str()),
            ("lanyard_refresh", "abc")
        );
        assert!(c.http_only && c.secure);
        assert_eq!(c.same_site.as_deref(), Some("Strict"));
        assert_eq!(c.path.as_deref(), Some("/api/auth"));
        assert_eq!(c.max_age, Some(60));
        assert!(!c.is_removal());
    }

    #[test]
    fn attributes_are_case_insensitive_and_optional() {
        let c = parse("csrf_access_token=x-y; path=/; samesite=lax")
            .unwrap_or_else(|| panic!("parsed"));
        assert!(!c.http_only && !c.secure);
        assert_eq!(c.same_site_lower().as_deref(), Some("lax"));
        assert_eq!(parse("no-equals-sign; Path=/"), None);
        let bare = parse("a=1").unwrap_or_else(|| panic!("parsed"));
        assert_eq!(bare.same_site, None);
        assert_eq!(bare.effective_path("/auth/login"), "/auth");
    }

    #[test]
    fn removals_are_recognised() {
        let by_age = parse("a=; Max-Age=0; Path=/").unwrap_or_else(|| panic!("parsed"));
        assert!(by_age.is_removal());
        let by_date = parse("a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/")
            .unwrap_or_else(|| panic!("parsed"));
        assert!(by_date.is_removal());
    }

    #[test]
    fn paths_match_as_in_rfc_6265() {
        assert!(path_matches("/api/auth", "/api/auth/refresh"));
        assert!(path_matches("/api/auth", "/api/auth"));
        assert!(path_matches("/", "/anything"));
        assert!(path_matches("/api/", "/api/me?i=3"));
        assert!(!path_matches("/api/auth", "/api/authority"));
        assert!(!path_matches("/auth/refresh", "/auth/logout"));
        assert_eq!(default_path("/api/auth/login"), "/api/auth");
        assert_eq!(default_path("/login"), "/");
    }

    #[test]
    fn the_jar_sends_by_path_replaces_and_deletes() {
        let mut jar = Jar::default();
        let set = |h: &str| parse(h).unwrap_or_else(|| panic!("parsed {h}"));
        jar.store(
            &[
                set("acc=1; Path=/api"),
                set("ref=2; Path=/api/auth"),
                set("csrf=3; Path=/"),
            ],
            "/api/auth/login",
        );
        assert_eq!(jar.header_for("/api/me").as_deref(), Some("acc=1; csrf=3"));
        assert_eq!(
            jar.header_for("/api/auth/refresh").as_deref(),
            Some("acc=1; ref=2; csrf=3")
        );
        jar.store(&[set("ref=9; Path=/api/auth")], "/api/auth/refresh");
        assert_eq!(jar.value("ref"), Some("9"));
        jar.store(
            &[set("ref=; Path=/api/auth; Max-Age=0")],
            "/api/auth/logout",
        );
        assert_eq!(jar.value("ref"), None);
        assert_eq!(jar.header_for("/elsewhere").as_deref(), Some("csrf=3"));
    }

    #[test]
    fn an_expired_cookie_is_no_longer_sent() {
        let mut jar = Jar::default();
        let gone = parse("acc=1; Path=/; Max-Age=0").unwrap_or_else(|| panic!("parsed"));
        jar.store(&[gone], "/login");
        assert_eq!(jar.header_for("/api/me"), None);
    }
}
