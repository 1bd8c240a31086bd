//! Route guards: signed-out visits, the admin role, and `next` that tries to leave the app.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::{run, testid, Options, WAIT};

/// The value of the query parameter `name`, decoded.
fn query_param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Flow 1: a signed-out visit to a protected page goes to the login page with `next`; signing in
/// comes back to that page, and nothing private was fetched before.
#[tokio::test]
async fn protected_page_sends_to_login_and_back() {
    run(
        "protected_page_sends_to_login_and_back",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            server
                .seed_notes("user", "user-pass", &[("Groceries", "milk, eggs")])
                .await;
            server.reset().await;

            b.open("/notes").await;
            let url = b.wait_path("/login", WAIT).await;
            assert_eq!(
                query_param(&url, "next").as_deref(),
                Some("/notes"),
                "the login URL keeps where the user was going: {url}"
            );
            b.wait_for("#username", WAIT).await;
            assert!(
                !b.is_displayed(&testid("user-name")).await,
                "nobody is shown as signed in"
            );
            assert!(
                !b.is_displayed(&testid("notes")).await,
                "the notes page is not rendered while signed out"
            );
            assert!(
                !b.is_displayed(&testid("session-notice")).await,
                "a first visit is not an ended session"
            );
            let stats = server.stats().await;
            assert_eq!(
                stats.calls("GET /api/notes"),
                0,
                "no private data is requested while signed out: {stats}"
            );

            b.sign_in("user", "user-pass").await;
            b.wait_path("/notes", WAIT).await;
            b.wait_testid("notes-list").await;
            assert_eq!(b.text("user-name").await, "Uma User");
            assert_eq!(b.count(&testid("note-item")).await, 1, "the seeded note");
            assert!(
                b.text("notes-list").await.contains("Groceries"),
                "the seeded note's title is listed"
            );
            let stats = server.stats().await;
            assert_eq!(stats.count("POST /api/auth/login", "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/notes", "200"), 1, "{stats}");
        },
    )
    .await;
}

/// Flow 7: the admin page needs the admin role. A plain user gets the 403 page (and the admin API
/// is not even called); an admin gets the users table.
#[tokio::test]
async fn admin_page_needs_the_admin_role() {
    run(
        "admin_page_needs_the_admin_role",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            b.open("/admin").await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("user", "user-pass").await;
            b.wait_path("/admin", WAIT).await;
            b.wait_testid("forbidden").await;
            assert!(
                !b.is_displayed(&testid("admin-users")).await,
                "no users table for a plain user"
            );
            assert_eq!(b.text("user-name").await, "Uma User", "still signed in");
            let stats = server.stats().await;
            assert_eq!(
                stats.calls("GET /api/admin/users"),
                0,
                "the page does not ask for what the role guard refuses: {stats}"
            );

            b.click_testid("sign-out").await;
            b.wait_path("/login", WAIT).await;
            b.open("/admin").await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("admin", "admin-pass").await;
            b.wait_path("/admin", WAIT).await;
            let table = b.text("admin-users").await;
            assert!(
                table.contains("admin") && table.contains("user"),
                "both demo users listed: {table:?}"
            );
            assert_eq!(b.count("[data-testid=\"admin-user-row\"]").await, 2);
            assert!(!b.is_displayed(&testid("forbidden")).await);
            assert_eq!(b.text("user-name").await, "Ada Admin");
            let stats = server.stats().await;
            assert_eq!(stats.count("GET /api/admin/users", "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/admin/users", "403"), 0, "{stats}");
        },
    )
    .await;
}

/// Flow 8: `next` values that would leave the app are ignored: after signing in the browser is on
/// the app's own origin, at `/`.
#[tokio::test]
async fn next_never_leaves_the_app() {
    run(
        "next_never_leaves_the_app",
        Options::default(),
        |ctx| async move {
            let b = &ctx.browser;
            let app = url::Url::parse(&b.base).expect("the app's URL");
            let attacks = [
                "//evil.example",
                "https://evil.example",
                "/\\evil.example",
                "javascript:alert(1)",
                "%2F%2Fevil.example",
                "/%5Cevil.example",
            ];
            for attack in attacks {
                let next: String =
                    url::form_urlencoded::byte_serialize(attack.as_bytes()).collect();
                b.open(&format!("/login?next={next}")).await;
                let url = b.wait_path("/login", WAIT).await;
                assert_eq!(
                    query_param(&url, "next").as_deref(),
                    Some(attack),
                    "the test put {attack:?} in the URL: {url}"
                );
                b.sign_in("user", "user-pass").await;
                b.wait_testid("dashboard").await;
                let url = b.current_url().await;
                assert!(
                    b.client.get_alert_text().await.is_err(),
                    "next={attack:?} opened a dialog (a script ran)"
                );
                assert_eq!(url.scheme(), app.scheme(), "next={attack:?} → {url}");
                assert_eq!(url.host_str(), app.host_str(), "next={attack:?} → {url}");
                assert_eq!(url.port(), app.port(), "next={attack:?} → {url}");
                assert_eq!(url.path(), "/", "next={attack:?} → {url}");
                assert_eq!(b.text("user-name").await, "Uma User");

                b.click_testid("sign-out").await;
                b.wait_path("/login", WAIT).await;
                b.wait_for("#username", WAIT).await;
            }
        },
    )
    .await;
}
