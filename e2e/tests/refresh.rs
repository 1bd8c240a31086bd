//! The access token expires, the refresh token is revoked, the refresh endpoint fails: what the user
//! sees, and what the server counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::harness::DROPPED_CONNECTION;
use lanyard_e2e::lab::figure;
use lanyard_e2e::{run, testid, FailMode, Options, REFRESH, WAIT};

const NOTES: [(&str, &str); 3] = [
    ("Groceries", "milk, eggs"),
    ("Ideas", "a lanyard for every badge"),
    ("Todo", "water the plants"),
];

/// Flow 2: with an expired access token the dashboard loads three resources at once (in-app
/// navigation, no reload); all three fail with 401, ONE refresh runs, and each request is replayed
/// once and shown.
#[tokio::test]
async fn expired_access_token_is_refreshed_once_for_concurrent_requests() {
    run(
        "expired_access_token_is_refreshed_once_for_concurrent_requests",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            server.seed_notes("user", "user-pass", &NOTES).await;
            b.open_and_sign_in("user", "user-pass").await;
            b.wait_testid("dashboard").await;
            b.click_link("Notes").await;
            b.wait_testid("notes-list").await;

            server.reset().await;
            server.expire_access().await;
            // A slow refresh: all three requests are sure to be answered 401 while it runs.
            server.latency(0, 300).await;
            b.click_link("Dashboard").await;
            b.wait_path("/", WAIT).await;
            b.wait_text("notes-count", "3").await;
            b.wait_text("sessions-count", "2").await;
            assert!(b.text("dashboard-me").await.contains("Uma User"));
            assert!(b.text("dashboard-notes").await.contains("Todo"));
            assert_eq!(b.count(&testid("page-error")).await, 0, "no block failed");
            assert_eq!(b.text("user-name").await, "Uma User");

            let stats = server.stats().await;
            assert_eq!(stats.refreshes(), 1, "exactly one refresh call: {stats}");
            assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
            for endpoint in ["GET /api/me", "GET /api/notes", "GET /api/sessions"] {
                assert_eq!(
                    stats.count(endpoint, "401"),
                    1,
                    "{endpoint} met the expired token once: {stats}"
                );
                assert_eq!(
                    stats.count(endpoint, "200"),
                    1,
                    "{endpoint} was replayed once after the refresh: {stats}"
                );
            }
        },
    )
    .await;
}

/// Flow 2, start-up variant: a full page load with an expired access token refreshes once at
/// start-up and shows the page; the user is never sent to the login page.
#[tokio::test]
async fn reload_with_expired_access_token_refreshes_once() {
    run(
        "reload_with_expired_access_token_refreshes_once",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            server.seed_notes("user", "user-pass", &NOTES).await;
            b.open_and_sign_in("user", "user-pass").await;
            b.wait_testid("dashboard").await;

            server.reset().await;
            server.expire_access().await;
            b.open("/notes").await;
            b.wait_testid("notes-list").await;
            assert_eq!(b.count(&testid("note-item")).await, 3);
            assert_eq!(
                b.current_url().await.path(),
                "/notes",
                "never sent to sign in"
            );
            assert_eq!(b.text("user-name").await, "Uma User");
            let stats = server.stats().await;
            assert_eq!(stats.refreshes(), 1, "exactly one refresh call: {stats}");
            assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/notes", "200"), 1, "{stats}");
            assert_eq!(stats.count("POST /api/auth/login", "200"), 0, "{stats}");
        },
    )
    .await;
}

/// The Lab's storm: 50 requests at once through the app's client with an expired access token.
/// One refresh; every request succeeds, each replayed at most once.
#[tokio::test]
async fn lab_storm_is_served_by_one_refresh() {
    run(
        "lab_storm_is_served_by_one_refresh",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            b.open("/lab?n=50&path=/api/notes&mode=storm").await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("user", "user-pass").await;
            b.wait_path("/lab", WAIT).await;
            b.wait_testid("lab").await;

            server.reset().await;
            server.expire_access().await;
            server.latency(0, 200).await;
            b.click_testid("lab-run").await;
            // The run's figures, as the Lab reports them for scripts.
            let figures = b.lab_figures().await;
            let result = figures.to_string();
            let figure = |name: &str| figure(&figures, name);
            assert_eq!(figure("ok"), 50, "{result}");
            assert_eq!(figure("failed"), 0, "{result}");
            assert_eq!(
                figure("refreshes"),
                1,
                "the client counted one refresh: {result}"
            );
            // Same origin, so the browser tells the protocol: HTTP/1.1 here, all six connections in use
            // once the refresh is over (one was kept free only while it might be near).
            assert_eq!(figures["protocol"], "http/1.1", "{result}");
            assert_eq!(figure("in_flight_cap"), 6, "{result}");
            let status = b.text("lab-status").await;
            assert!(
                status.starts_with("Done: 50 succeeded, 0 failed"),
                "the Lab's summary: {status:?}"
            );
            assert_eq!(b.text("user-name").await, "Uma User");
            let stats = server.stats().await;
            assert_eq!(
                stats.refreshes(),
                1,
                "one refresh for the whole storm: {stats}"
            );
            assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/notes", "200"), 50, "{stats}");
            let refused = stats.count("GET /api/notes", "401");
            assert!(
                (1..=50).contains(&refused),
                "the storm met the expired token, and no request was refused twice: {stats}"
            );
            assert_eq!(
                figure("replays"),
                refused,
                "the client replayed exactly the requests the server refused: {result} vs {stats}"
            );
            assert_eq!(stats.calls("GET /api/notes"), 50 + refused, "{stats}");
        },
    )
    .await;
}

/// Flow 3: the refresh token is revoked while the user writes a note. Saving ends on the login page
/// with the "session ended" notice; signing in again goes back to the notes page with the draft
/// still in the form (and nothing was saved in between).
#[tokio::test]
async fn revoked_session_goes_to_login_and_keeps_the_draft() {
    run(
        "revoked_session_goes_to_login_and_keeps_the_draft",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            b.open("/notes").await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("user", "user-pass").await;
            b.wait_path("/notes", WAIT).await;
            b.wait_testid("notes-empty").await;
            let title = "Draft that must survive";
            let body = "Typed before the session ended.\nSecond line.";
            b.fill("Title", title).await;
            b.fill("Body", body).await;

            server.reset().await;
            server.revoke_refresh().await;
            server.expire_access().await;
            b.click_button("Save note").await;

            let url = b.wait_path("/login", WAIT).await;
            let next = url
                .query_pairs()
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned());
            assert_eq!(next.as_deref(), Some("/notes"), "{url}");
            let notice = b.text("session-notice").await;
            assert!(
                notice.to_lowercase().contains("session has ended"),
                "the notice says the session ended: {notice:?}"
            );
            assert!(!b.is_displayed(&testid("user-name")).await);
            let stats = server.stats().await;
            assert_eq!(stats.count("POST /api/notes", "401"), 1, "{stats}");
            assert_eq!(stats.count("POST /api/notes", "201"), 0, "{stats}");
            assert_eq!(stats.refreshes(), 1, "one refused refresh: {stats}");
            assert_eq!(stats.count(REFRESH, "401"), 1, "{stats}");

            b.sign_in("user", "user-pass").await;
            b.wait_path("/notes", WAIT).await;
            b.wait_testid("notes-empty").await;
            b.wait_testid("draft-restored").await;
            assert_eq!(b.value("Title").await, title, "the draft's title is back");
            assert_eq!(b.value("Body").await, body, "the draft's body is back");
            assert_eq!(
                b.count(&testid("note-item")).await,
                0,
                "the draft was not saved behind the user's back"
            );
        },
    )
    .await;
}

/// Flow 4: the refresh endpoint is down. The user sees a retryable error, stays signed in on the
/// page, and "Try again" works once the failures are used up.
async fn refresh_failure_is_retryable(name: &'static str, mode: FailMode) {
    let options = Options::default().expect_console(match mode {
        // Chrome logs the failed refresh: a 503 answer, or a connection closed without one.
        FailMode::Unavailable => &["the server responded with a status of 503"],
        FailMode::Drop => DROPPED_CONNECTION,
    });
    run(name, options, move |ctx| async move {
        let (b, server) = (&ctx.browser, &ctx.backend);
        server.seed_notes("user", "user-pass", &NOTES).await;
        b.open_and_sign_in("user", "user-pass").await;
        b.wait_testid("dashboard").await;

        server.reset().await;
        server.expire_access().await;
        server.fail_refresh(1, mode).await;
        b.click_link("Notes").await;
        b.wait_path("/notes", WAIT).await;
        let error = b.text("page-error").await;
        assert!(
            error.contains("Try again"),
            "the error offers a retry: {error:?}"
        );
        assert_eq!(b.text("user-name").await, "Uma User", "still signed in");
        assert_eq!(b.current_url().await.path(), "/notes", "still on the page");
        assert!(!b.is_displayed(&testid("notes-list")).await);
        let stats = server.stats().await;
        assert_eq!(stats.refreshes(), 1, "{stats}");
        assert_eq!(
            stats.count(REFRESH, mode.recorded_status()),
            1,
            "the injected failure happened: {stats}"
        );
        assert_eq!(stats.count("POST /api/auth/logout", "204"), 0, "{stats}");

        b.click_button("Try again").await;
        b.wait_testid("notes-list").await;
        assert_eq!(b.count(&testid("note-item")).await, 3);
        assert!(!b.is_displayed(&testid("page-error")).await);
        assert_eq!(b.text("user-name").await, "Uma User");
        let stats = server.stats().await;
        assert_eq!(stats.refreshes(), 2, "{stats}");
        assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
        assert_eq!(stats.count("GET /api/notes", "200"), 1, "{stats}");
    })
    .await;
}

#[tokio::test]
async fn refresh_503_is_retryable() {
    refresh_failure_is_retryable("refresh_503_is_retryable", FailMode::Unavailable).await;
}

#[tokio::test]
async fn refresh_dropped_connection_is_retryable() {
    refresh_failure_is_retryable("refresh_dropped_connection_is_retryable", FailMode::Drop).await;
}
