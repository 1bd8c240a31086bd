//! The route guards and the session provider, rendered for real in a browser: the real `SessionProvider`,
//! `BrowserRouter`, `RequireAuth` / `RequireRole` / `GuestOnly` (and in two tests the real pages), over a real
//! `Client` whose transport is a scripted fake. No backend: each test scripts its own answers, and can hold
//! `GET /api/me` back to look at the app while the session is still being checked.
//!
//! Protected content is a marker component that records every render in a probe, so "never rendered, not for
//! one frame" is checked directly rather than by sampling the DOM.
//!
//! Run with `cargo test -p lanyard --target wasm32-unknown-unknown --test guards_browser` (and `CHROMEDRIVER`
//! or `GECKODRIVER` set), or as part of `cargo xtask test`.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod guards_utils;

use guards_utils::*;
use lanyard_client::Error;
use serde_json::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// While `GET /api/me` has not answered, a protected route shows the loading state and its content is never
/// rendered; once the answer (a signed-in user) arrives the content appears, on the same URL.
#[wasm_bindgen_test]
async fn checking_the_session_shows_loading_and_never_the_protected_content() {
    let api = FakeApi::new();
    api.on(ME, Answer::Hold);
    let app = mount("/notes?sort=new", client(&api), false);

    settle().await;
    assert_eq!(api.held(ME), 1, "the session check is under way");
    // Many turns of the event loop (and several frames' worth of time) with the answer held.
    for turn in 0..20 {
        assert!(app.has("loading"), "turn {turn}: {}", app.html());
        assert!(!app.has("secret-notes"), "turn {turn}: {}", app.html());
        sleep(5).await;
    }
    assert_eq!(
        app.probe.renders(),
        Vec::<String>::new(),
        "protected content rendered while checking"
    );
    assert_eq!(here(), "/notes?sort=new", "no navigation while checking");

    assert_eq!(api.release(ME, 200, &session("user", &[])), 1);
    wait_until("the protected content shows", 2_000.0, || {
        app.has("secret-notes")
    })
    .await;
    assert!(!app.has("loading"), "{}", app.html());
    assert_eq!(here(), "/notes?sort=new");
    assert_eq!(api.log(), vec![ME.to_owned()]);
    app.unmount().await;
}

/// The same with the real pages: the notes page neither shows nor fetches anything before the session is known.
#[wasm_bindgen_test]
async fn real_pages_wait_for_the_session_before_rendering_or_fetching() {
    let api = FakeApi::new();
    api.on(ME, Answer::Hold);
    let app = mount("/notes", client(&api), true);

    settle().await;
    for turn in 0..10 {
        assert!(app.has("loading"), "turn {turn}: {}", app.html());
        assert!(!app.has("notes"), "turn {turn}: {}", app.html());
        sleep(5).await;
    }
    assert_eq!(api.log(), vec![ME.to_owned()], "only the session check");

    api.release(ME, 200, &session("user", &[]));
    wait_until("the notes page shows", 2_000.0, || app.has("notes")).await;
    wait_until("the notes page loads its notes", 2_000.0, || {
        api.calls(NOTES) == 1
    })
    .await;
    assert_eq!(pathname(), "/notes");
    app.unmount().await;
}

/// Signed out (`/me` 401, refresh 401) on a protected deep link: sent to `/login?next=<path and query>`, and
/// the protected content is never rendered.
#[wasm_bindgen_test]
async fn signed_out_on_a_protected_route_goes_to_login_with_next() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(401, unauthorized()));
    api.on(REFRESH, Answer::Json(401, unauthorized()));
    let app = mount("/notes?sort=new&page=2", client(&api), false);

    wait_until("the login page shows", 2_000.0, || app.has("login-form")).await;
    assert_eq!(pathname(), "/login");
    assert_eq!(
        query_param("next").as_deref(),
        Some("/notes?sort=new&page=2")
    );
    assert_eq!(app.probe.renders(), Vec::<String>::new(), "nothing private");
    assert!(!app.has("secret-notes"));
    assert_eq!(api.calls(ME), 1);
    assert_eq!(
        api.calls(REFRESH),
        1,
        "one refresh attempt, then signed out"
    );

    // And it stays there: no loop between the login page and the protected route.
    settle().await;
    sleep(50).await;
    assert_eq!(pathname(), "/login");
    assert!(app.has("login-form"));
    app.unmount().await;
}

/// The round trip: signed out on a deep link, sent to the login page, signing in there returns the user to
/// exactly where they were (path and query).
#[wasm_bindgen_test]
async fn signing_in_on_the_login_page_returns_to_where_the_user_was() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(401, unauthorized()));
    api.on(REFRESH, Answer::Json(401, unauthorized()));
    api.on(LOGIN, Answer::Json(200, session("user", &[])));
    let app = mount("/notes?sort=new&page=2", client(&api), false);
    wait_until("the login page shows", 2_000.0, || app.has("login-form")).await;
    assert_eq!(pathname(), "/login");

    app.click("sign-in");
    wait_until("the protected content shows", 2_000.0, || {
        app.has("secret-notes")
    })
    .await;
    assert_eq!(here(), "/notes?sort=new&page=2");
    assert_eq!(api.calls(LOGIN), 1);
    assert_eq!(api.calls(ME), 1, "no second check needed after signing in");
    app.unmount().await;
}

/// `RequireRole role="admin"` with a plain user: the 403 page, on the same URL, with no redirect loop.
#[wasm_bindgen_test]
async fn admin_route_for_a_plain_user_is_forbidden_without_a_redirect() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("user", &["editor"])));
    let app = mount("/admin", client(&api), false);

    wait_until("the 403 page shows", 2_000.0, || app.has("forbidden")).await;
    for turn in 0..10 {
        assert_eq!(here(), "/admin", "turn {turn}: the URL stays");
        assert!(app.has("forbidden"), "turn {turn}: {}", app.html());
        sleep(10).await;
    }
    assert!(!app.probe.rendered("admin"), "{:?}", app.probe.renders());
    assert!(!app.has("secret-admin"));
    assert_eq!(api.log(), vec![ME.to_owned()], "no re-checks, no loop");
    app.unmount().await;
}

/// `RequireRole role="admin"` with an admin: the content.
#[wasm_bindgen_test]
async fn admin_route_for_an_admin_renders_the_content() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("admin", &["admin"])));
    let app = mount("/admin", client(&api), false);

    wait_until("the admin content shows", 2_000.0, || {
        app.has("secret-admin")
    })
    .await;
    assert!(!app.has("forbidden"));
    assert_eq!(here(), "/admin");
    app.unmount().await;
}

/// `GuestOnly` (the login page) with a signed-in user goes on to a safe `next`, query included, and home for
/// anything that is not a path of this app.
#[wasm_bindgen_test]
async fn signed_in_user_on_the_login_page_goes_to_a_safe_next() {
    let cases = [
        ("/login?next=/notes", "/notes", "secret-notes"),
        (
            "/login?next=%2Fnotes%3Fsort%3Dnew",
            "/notes?sort=new",
            "secret-notes",
        ),
        ("/login?next=//evil.example", "/", "secret-home"),
        ("/login?next=https://evil.example/notes", "/", "secret-home"),
        ("/login?next=/%5Cevil.example", "/", "secret-home"),
        ("/login?next=/login", "/", "secret-home"),
        ("/login", "/", "secret-home"),
    ];
    for (start, expected, marker) in cases {
        let api = FakeApi::new();
        api.on(ME, Answer::Json(200, session("user", &[])));
        let app = mount(start, client(&api), false);

        wait_until(&format!("{start} leads to {expected}"), 2_000.0, || {
            app.has(marker)
        })
        .await;
        assert_eq!(here(), expected, "from {start}");
        let host = web_sys::window().unwrap().location().host().unwrap();
        assert!(
            host.starts_with("127.0.0.1") || host.starts_with("localhost"),
            "{host}"
        );
        app.unmount().await;
    }
}

/// The session ends while on a protected page (a data call gets 401 and the refresh is refused): the user is
/// sent to the login page with `next`, and the protected content goes away.
#[wasm_bindgen_test]
async fn a_session_ending_on_a_protected_page_sends_the_user_to_login() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("user", &[])));
    let client = client(&api);
    let app = mount("/notes?sort=new", client.clone(), false);
    wait_until("the protected content shows", 2_000.0, || {
        app.has("secret-notes")
    })
    .await;

    api.on(NOTES, Answer::Json(401, unauthorized()));
    api.on(REFRESH, Answer::Json(401, unauthorized()));
    let result = client.get::<Value>("/api/notes").await;
    assert!(
        matches!(result, Err(Error::SessionEnded)),
        "the call fails because the session ended: {result:?}"
    );

    wait_until("the login page shows", 2_000.0, || app.has("login-form")).await;
    assert_eq!(pathname(), "/login");
    assert_eq!(query_param("next").as_deref(), Some("/notes?sort=new"));
    assert!(!app.has("secret-notes"));
    assert_eq!(api.calls(REFRESH), 1);
    app.unmount().await;
}

/// The same with the real pages: the notes page's own request meets the end of the session, and the real login
/// page says why.
#[wasm_bindgen_test]
async fn real_pages_a_refused_refresh_on_the_notes_page_leads_to_login_with_a_notice() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("user", &[])));
    api.on(NOTES, Answer::Json(401, unauthorized()));
    api.on(REFRESH, Answer::Json(401, unauthorized()));
    let app = mount("/notes", client(&api), true);

    wait_until("the login page shows", 2_000.0, || {
        pathname() == "/login" && app.has_selector("input#username")
    })
    .await;
    assert_eq!(query_param("next").as_deref(), Some("/notes"));
    assert!(app.has("session-notice"), "{}", app.html());
    assert!(!app.has("notes"));
    assert_eq!(api.calls(REFRESH), 1);
    app.unmount().await;
}

/// The production build (no `lab` feature) leaves the Lab out: `/lab` is the 404 page, even for a signed-in
/// user whose config enables the Lab.
#[cfg(not(feature = "lab"))]
#[wasm_bindgen_test]
async fn the_production_build_has_no_lab_page() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("user", &[])));
    let app = mount("/lab", client(&api), true);

    wait_until("the 404 page shows", 2_000.0, || app.has("not-found")).await;
    assert!(!app.has("lab"), "{}", app.html());
    assert_eq!(here(), "/lab");
    app.unmount().await;
}
