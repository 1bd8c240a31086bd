//! Going offline: calls fail at once with a plain sentence, one quiet notice says so, nothing is refreshed
//! and nobody is signed out; back online the notice goes and the page's retry works.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use lanyard_e2e::{run, testid, Options, REFRESH, WAIT};

#[tokio::test]
async fn offline_fails_fast_says_so_and_signs_nobody_out() {
    run(
        "offline_fails_fast_says_so_and_signs_nobody_out",
        // Chrome logs the calls it could not make while offline.
        Options::default().expect_console(&["net::ERR_INTERNET_DISCONNECTED"]),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            b.open_and_sign_in("user", "user-pass").await;
            b.wait_testid("dashboard").await;
            assert!(!b.is_displayed(&testid("offline-notice")).await);

            server.reset().await;
            server.expire_access().await;
            b.set_offline(true).await.expect("go offline");
            b.wait_testid("offline-notice").await;

            let started = Instant::now();
            b.click_link("Notes").await;
            b.wait_testid("page-error").await;
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "offline is told at once, not after a timeout: {:?}",
                started.elapsed()
            );
            let message = b.text("page-error").await;
            assert!(message.contains("You're offline"), "{message}");
            assert_eq!(b.path_and_query().await, "/notes", "nobody was signed out");
            assert_eq!(b.text("user-name").await, "Uma User");

            b.set_offline(false).await.expect("back online");
            b.wait_gone(&testid("offline-notice"), WAIT).await;
            b.click_button("Try again").await;
            b.wait_testid("notes-empty").await; // the list loaded (this user has no notes)
            let stats = server.stats().await;
            assert_eq!(
                stats.count(REFRESH, "200"),
                1,
                "one refresh, once back online (the token had expired meanwhile): {stats}"
            );
        },
    )
    .await;
}
