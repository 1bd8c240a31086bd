//! Two tabs of one browser (so one cookie jar): one refresh between them, and signing out or in
//! in one is followed by the other.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use lanyard_e2e::lab::two_tab_storm;
use lanyard_e2e::{run, testid, Options, REFRESH, WAIT};

/// Flow 5: both tabs load the dashboard at once with an expired access token. Exactly one refresh
/// call in total (the other tab waits for the cross-tab lock and uses its result), both show their
/// data, and nobody is signed out by reuse detection.
#[tokio::test]
async fn two_tabs_share_one_refresh() {
    run(
        "two_tabs_share_one_refresh",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            server
                .seed_notes("user", "user-pass", &[("Shared", "seen by both tabs")])
                .await;
            b.open("/notes").await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("user", "user-pass").await;
            b.wait_testid("notes-list").await;
            let tab_a = b.window().await;
            let tab_b = b.new_tab().await;
            b.open("/notes").await;
            b.wait_testid("notes-list").await;
            assert_eq!(
                b.text("user-name").await,
                "Uma User",
                "tab B shares the session"
            );

            server.reset().await;
            server.expire_access().await;
            // A slow refresh, so that the second tab's requests fail while the first tab's refresh runs.
            server.latency(0, 500).await;
            b.switch_to(&tab_a).await;
            b.click_link("Dashboard").await;
            b.switch_to(&tab_b).await;
            b.click_link("Dashboard").await;

            for (name, tab) in [("B", &tab_b), ("A", &tab_a)] {
                b.switch_to(tab).await;
                b.wait_text("notes-count", "1").await;
                b.wait_testid("sessions-count").await;
                assert!(
                    b.text("dashboard-me").await.contains("Uma User"),
                    "tab {name} shows the account"
                );
                assert_eq!(
                    b.count(&testid("page-error")).await,
                    0,
                    "tab {name}: no block failed"
                );
                assert_eq!(
                    b.text("user-name").await,
                    "Uma User",
                    "tab {name} still signed in"
                );
                assert_eq!(b.current_url().await.path(), "/", "tab {name}");
            }
            let stats = server.stats().await;
            assert_eq!(
                stats.refreshes(),
                1,
                "one refresh call for both tabs: {stats}"
            );
            assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
            assert_eq!(
                stats.count(REFRESH, "401"),
                0,
                "no reuse detection: {stats}"
            );
            for endpoint in ["GET /api/me", "GET /api/notes", "GET /api/sessions"] {
                assert_eq!(
                    stats.count(endpoint, "200"),
                    2,
                    "{endpoint} answered once per tab: {stats}"
                );
            }
        },
    )
    .await;
}

/// Flow 5 with more load: a Lab storm of 20 requests in each of two tabs at once, with an expired
/// access token. One refresh call in total; each tab's client reports 20 successes, and between
/// them exactly one refresh.
#[tokio::test]
async fn two_tab_lab_storms_share_one_refresh() {
    run(
        "two_tab_lab_storms_share_one_refresh",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            let lab = "/lab?n=20&path=/api/notes&mode=storm";
            b.open(lab).await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("user", "user-pass").await;
            b.wait_testid("lab").await;
            two_tab_storm(b, server, lab, 20, "Uma User").await;
            let stats = server.stats().await;
            assert_eq!(
                stats.refreshes(),
                1,
                "one refresh call for both tabs: {stats}"
            );
            assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/notes", "200"), 40, "{stats}");
            assert_eq!(
                stats.count("GET /api/notes", "401"),
                40,
                "every request met the expired token once: {stats}"
            );
        },
    )
    .await;
}

/// Flow 6: signing out in tab A takes tab B to the login page within 1.5 s; signing in again in A
/// brings B back to its page, signed in.
#[tokio::test]
async fn sign_out_and_in_follow_across_tabs() {
    run(
        "sign_out_and_in_follow_across_tabs",
        Options::default(),
        |ctx| async move {
            let b = &ctx.browser;
            b.open_and_sign_in("user", "user-pass").await;
            b.wait_testid("dashboard").await;
            let tab_a = b.window().await;
            let tab_b = b.new_tab().await;
            b.open("/notes").await;
            b.wait_testid("notes-empty").await;

            b.switch_to(&tab_a).await;
            b.click_testid("sign-out").await;
            let signed_out_at = Instant::now();
            b.wait_path("/login", WAIT).await;
            b.switch_to(&tab_b).await;
            let limit = Duration::from_millis(1500);
            let url = b
                .wait_path("/login", limit.saturating_sub(signed_out_at.elapsed()))
                .await;
            assert!(
                signed_out_at.elapsed() <= limit,
                "tab B took {:?} to leave the signed-in page",
                signed_out_at.elapsed()
            );
            let next = url
                .query_pairs()
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned());
            assert_eq!(
                next.as_deref(),
                Some("/notes"),
                "tab B can come back: {url}"
            );
            b.wait_gone(&testid("user-name"), WAIT).await;
            let notice = b.text("session-notice").await;
            assert!(
                notice.contains("signed out in another tab"),
                "tab B says why it is on the login page: {notice:?}"
            );
            assert!(!b.is_displayed(&testid("notes-empty")).await);

            b.switch_to(&tab_a).await;
            b.sign_in("user", "user-pass").await;
            b.switch_to(&tab_b).await;
            b.wait_path("/notes", WAIT).await;
            b.wait_testid("notes-empty").await;
            assert_eq!(
                b.text("user-name").await,
                "Uma User",
                "tab B is signed in again"
            );
            let stats = ctx.backend.stats().await;
            assert_eq!(stats.count("POST /api/auth/logout", "204"), 1, "{stats}");
            assert_eq!(stats.count("POST /api/auth/login", "200"), 2, "{stats}");
        },
    )
    .await;
}
