//! The back/forward cache: a page restored from it heard nothing from the other tabs while it was away.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::{run, testid, Options, WAIT};

/// Signed in on Notes, the user leaves the page (it goes to the back/forward cache), signs out in another
/// tab, and comes back with the Back button: the restored page must not go on showing notes, it re-checks
/// and lands on the login page. The page really is the cached one (a script variable survived), so this
/// also proves the app can enter the cache at all (an open BroadcastChannel would keep it out).
#[tokio::test]
async fn a_page_restored_from_the_cache_rechecks_the_session() {
    run(
        "a_page_restored_from_the_cache_rechecks_the_session",
        Options::default(),
        |ctx| async move {
            let b = &ctx.browser;
            b.open_and_sign_in("user", "user-pass").await;
            b.wait_testid("dashboard").await;
            // Loaded, not reached by a click: in Firefox a document that geckodriver has clicked in never
            // enters the cache (seen with a static page and a plain link; a script's click() does not
            // matter), so the page to be cached is one the driver has only loaded.
            b.open("/notes").await;
            b.wait_testid("notes-empty").await;
            b.js("window.__cachedPage = 42; return true").await;
            let tab_a = b.window().await;
            b.open("/favicon.svg").await; // a real navigation: the app's page goes to the cache

            let tab_b = b.new_tab().await;
            b.open("/").await;
            b.wait_testid("dashboard").await;
            b.click_testid("sign-out").await;
            b.wait_path("/login", WAIT).await;
            b.client.close_window().await.expect("close the second tab");
            b.switch_to(&tab_a).await;
            let _ = tab_b;

            b.client.back().await.expect("go back");
            b.wait_path("/login", WAIT).await;
            let restored = b.js("return window.__cachedPage === 42").await;
            assert_eq!(
                restored,
                serde_json::Value::Bool(true),
                "the page came from the back/forward cache, not a reload"
            );
            assert!(!b.is_displayed(&testid("notes-empty")).await);
            b.wait_for("#username", WAIT).await;
        },
    )
    .await;
}
