//! The app's routes as plain data: which page a path names, and the path of each page.
//!
//! Written by hand rather than with yew-router's derive: the derive builds a general route recogniser
//! at run time (~12 KB of wasm for nine fixed paths), and this way the mapping is tested natively.

/// A page of the app. `route.rs` makes it yew-router's `Routable`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Login,
    Notes,
    Note { id: i64 },
    Profile,
    Admin,
    Lab,
    Forbidden,
    NotFound,
}

/// The patterns, in the form yew-router lists them (`:id` is a parameter).
pub const PATTERNS: [&str; 9] = [
    "/",
    "/login",
    "/notes",
    "/notes/:id",
    "/profile",
    "/admin",
    "/lab",
    "/403",
    "/404",
];

impl Route {
    /// The page a pathname names; anything else is `NotFound`. One trailing slash is ignored, like
    /// yew-router does (`/notes/` is the notes list).
    pub fn from_pathname(pathname: &str) -> Route {
        let path = pathname.strip_suffix('/').unwrap_or(pathname);
        match path {
            "" => Route::Home,
            "/login" => Route::Login,
            "/notes" => Route::Notes,
            "/profile" => Route::Profile,
            "/admin" => Route::Admin,
            "/lab" => Route::Lab,
            "/403" => Route::Forbidden,
            "/404" => Route::NotFound,
            _ => path
                .strip_prefix("/notes/")
                .and_then(note_id)
                .map_or(Route::NotFound, |id| Route::Note { id }),
        }
    }

    /// The route for one of [`PATTERNS`] with its parameter (`id` for `/notes/:id`).
    pub fn from_pattern(pattern: &str, id: Option<&str>) -> Option<Route> {
        match (pattern, id) {
            ("/notes/:id", Some(id)) => note_id(id).map(|id| Route::Note { id }),
            (_, Some(_)) => None,
            (pattern, None) => {
                let route = Route::from_pathname(pattern);
                (route != Route::NotFound || pattern == "/404").then_some(route)
            }
        }
    }

    pub fn to_path(&self) -> String {
        match self {
            Route::Note { id } => format!("/notes/{id}"),
            other => other.static_path().to_string(),
        }
    }

    fn static_path(&self) -> &'static str {
        match self {
            Route::Home => "/",
            Route::Login => "/login",
            Route::Notes | Route::Note { .. } => "/notes",
            Route::Profile => "/profile",
            Route::Admin => "/admin",
            Route::Lab => "/lab",
            Route::Forbidden => "/403",
            Route::NotFound => "/404",
        }
    }
}

/// A note id segment: digits only (no sign, no slash), as the backend issues them.
fn note_id(segment: &str) -> Option<i64> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_round_trips_through_its_path() {
        let pages = [
            Route::Home,
            Route::Login,
            Route::Notes,
            Route::Note { id: 42 },
            Route::Profile,
            Route::Admin,
            Route::Lab,
            Route::Forbidden,
            Route::NotFound,
        ];
        for page in pages {
            assert_eq!(Route::from_pathname(&page.to_path()), page, "{page:?}");
        }
    }

    #[test]
    fn one_trailing_slash_is_ignored() {
        assert_eq!(Route::from_pathname("/notes/"), Route::Notes);
        assert_eq!(Route::from_pathname("/notes/7/"), Route::Note { id: 7 });
        assert_eq!(Route::from_pathname(""), Route::Home);
        assert_eq!(Route::from_pathname("/login//"), Route::NotFound);
    }

    #[test]
    fn unknown_paths_and_bad_ids_are_not_found() {
        for path in [
            "/nope",
            "/notes/abc",
            "/notes/-1",
            "/notes/+1",
            "/notes/1/2",
            "/notes/99999999999999999999",
            "/Login",
            "//login",
            "/login/extra",
        ] {
            assert_eq!(Route::from_pathname(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn patterns_name_their_routes() {
        assert_eq!(PATTERNS.len(), 9);
        assert_eq!(
            Route::from_pattern("/notes/:id", Some("5")),
            Some(Route::Note { id: 5 })
        );
        assert_eq!(Route::from_pattern("/notes/:id", Some("x")), None);
        assert_eq!(Route::from_pattern("/login", None), Some(Route::Login));
        assert_eq!(Route::from_pattern("/404", None), Some(Route::NotFound));
        assert_eq!(Route::from_pattern("/elsewhere", None), None);
        assert_eq!(Route::from_pattern("/login", Some("1")), None);
        for pattern in PATTERNS.iter().filter(|p| !p.contains(':')) {
            assert!(Route::from_pattern(pattern, None).is_some(), "{pattern}");
        }
    }
}
