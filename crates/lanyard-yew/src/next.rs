//! The `next` parameter of the login page: where to send the user after they sign in.
//!
//! It comes from the URL, so anyone can craft it. It is honoured only when it is a path of this app;
//! everything else — other origins, protocol-relative and backslash tricks, scripts, encoded forms of
//! those, the login page itself — falls back to the home page. Pure and browser-free, so it is tested hard
//! on the host. [`GuestOnly`](crate::GuestOnly) applies it; call it yourself for redirects of your own.
//!
//! ```
//! use lanyard_yew::next::safe_next;
//!
//! assert_eq!(safe_next(Some("/notes?sort=new"), "/login", "/"), "/notes?sort=new");
//! assert_eq!(safe_next(Some("//evil.example"), "/login", "/"), "/");
//! assert_eq!(safe_next(Some("/%2F%2Fevil.example"), "/login", "/"), "/");
//! assert_eq!(safe_next(Some("/login?next=/x"), "/login", "/"), "/");
//! assert_eq!(safe_next(None, "/sign-in", "/home"), "/home");
//! ```

/// Longest `next` we accept; real app paths are far shorter.
const MAX_LEN: usize = 2048;

/// How many rounds of percent-decoding we inspect (`%252F` → `%2F` → `/`).
const DECODE_ROUNDS: usize = 4;

/// Returns `next` if it is a safe same-origin path of this app other than `login_path`, else `home`.
pub fn safe_next(next: Option<&str>, login_path: &str, home: &str) -> String {
    match next {
        Some(candidate) if is_safe_app_path(candidate) && !is_login_path(candidate, login_path) => {
            candidate.to_string()
        }
        _ => home.to_string(),
    }
}

/// Whether `candidate` (already decoded once, as from a query string) is a path on this origin.
pub fn is_safe_app_path(candidate: &str) -> bool {
    if candidate.is_empty() || candidate.len() > MAX_LEN {
        return false;
    }
    let mut form = candidate.to_string();
    let mut rounds = 0;
    loop {
        if !is_plain_local_path(&form) {
            return false;
        }
        match percent_decode(&form) {
            Some(decoded) if decoded == form => break,
            // Encoded deeper than any honest link: refuse rather than guess how a server decodes it.
            Some(_) if rounds == DECODE_ROUNDS => return false,
            Some(decoded) => form = decoded,
            // Malformed escapes or bytes that are not UTF-8: nothing an honest app link contains.
            None => return false,
        }
        rounds += 1;
    }
    true
}

/// One form of the path: starts with exactly one `/`, no backslash, no whitespace or control characters
/// (browsers strip tabs and newlines from URLs, so `/\t/evil` would become `//evil`).
fn is_plain_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    if chars.next() != Some('/') {
        return false;
    }
    if matches!(chars.next(), Some('/') | Some('\\')) {
        return false;
    }
    path.chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\')
}

/// Sending the user back to the login page after login would loop.
fn is_login_path(path: &str, login_path: &str) -> bool {
    let route = path.split(['?', '#']).next().unwrap_or(path);
    route.trim_end_matches('/') == login_path.trim_end_matches('/')
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the bytes are not UTF-8.
fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: &str = "/";

    /// With the usual login page and home.
    fn safe_next(next: Option<&str>) -> String {
        super::safe_next(next, "/login", HOME)
    }

    #[test]
    fn keeps_app_paths_with_query_and_fragment() {
        for path in [
            "/",
            "/notes",
            "/notes/42",
            "/notes?draft=1&sort=new",
            "/profile#sessions",
            "/admin",
            "/lab?n=50&mode=storm",
            "/notes/caf%C3%A9",
            "/javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(path)), path, "{path} should be kept");
        }
    }

    #[test]
    fn rejects_other_origins_and_schemes() {
        for attack in [
            "https://evil.example",
            "http://evil.example/notes",
            "//evil.example",
            "//evil.example/path",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "evil.example",
            "notes",
            "",
            " /notes",
            "/\t/evil.example",
            "/\n/evil.example",
            "/notes\r\n",
        ] {
            assert_eq!(
                safe_next(Some(attack)),
                HOME,
                "{attack:?} must fall back to home"
            );
        }
    }

    #[test]
    fn rejects_percent_encoded_attacks_at_any_depth() {
        for attack in [
            "%2F%2Fevil.example",
            "/%2Fevil.example",
            "/%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%252Fevil.example",
            "/%25252Fevil.example",
            "%2F%5Cevil.example",
            "/%09/evil.example",
            "/%0A/evil.example",
            "https%3A%2F%2Fevil.example",
            "javascript%3Aalert(1)",
            "/notes%",
            "/notes%zz",
            "/%C3%28",
        ] {
            assert_eq!(
                safe_next(Some(attack)),
                HOME,
                "{attack:?} must fall back to home"
            );
        }
    }

    #[test]
    fn never_sends_the_user_back_to_login() {
        for path in ["/login", "/login/", "/login?next=/notes", "/login#x"] {
            assert_eq!(safe_next(Some(path)), HOME, "{path}");
        }
        assert_eq!(safe_next(Some("/loginhelp")), "/loginhelp");
    }

    #[test]
    fn the_apps_own_login_route_and_home_are_used() {
        assert_eq!(
            super::safe_next(Some("/sign-in/"), "/sign-in", "/app"),
            "/app"
        );
        assert_eq!(
            super::safe_next(Some("/login"), "/sign-in", "/app"),
            "/login"
        );
        assert_eq!(super::safe_next(Some("//x"), "/sign-in", "/app"), "/app");
    }

    #[test]
    fn missing_or_overlong_next_goes_home() {
        assert_eq!(safe_next(None), HOME);
        let long = format!("/{}", "a".repeat(MAX_LEN));
        assert_eq!(safe_next(Some(&long)), HOME);
    }

    #[test]
    fn result_is_always_a_single_slash_path() {
        // A cheap exhaustive-ish sweep: every two-character suffix after a slash.
        let alphabet = [
            '/', '\\', '%', '2', 'F', 'f', '5', 'C', 'a', ':', '.', '\t', '@', '?', '#',
        ];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let candidate: String = ['/', a, b, c].iter().collect();
                    let result = safe_next(Some(&candidate));
                    assert!(result.starts_with('/'), "{candidate:?} → {result:?}");
                    assert!(!result.starts_with("//"), "{candidate:?} → {result:?}");
                    assert!(!result.contains('\\'), "{candidate:?} → {result:?}");
                    assert!(
                        !result.to_ascii_lowercase().starts_with("/%2f"),
                        "{candidate:?}"
                    );
                    assert!(
                        !result.to_ascii_lowercase().starts_with("/%5c"),
                        "{candidate:?}"
                    );
                }
            }
        }
    }
}
