//! The README's screenshots of the main pages, written to `docs/screenshots/`. Also a flow: each
//! shot is taken only once its page shows its data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::paths::screenshots_dir;
use lanyard_e2e::{run, Browser, Options, WAIT};

async fn shoot(b: &Browser, name: &str) {
    // Wait for fonts and layout, so the picture shows the page as a user sees it.
    b.js("return document.fonts ? document.fonts.ready.then(() => true) : true")
        .await;
    let path = screenshots_dir().join(format!("{name}.png"));
    b.screenshot(&path)
        .await
        .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 1000,
        "{} is a real picture ({size} bytes)",
        path.display()
    );
}

#[tokio::test]
async fn screenshots_of_the_main_pages() {
    run(
        "screenshots_of_the_main_pages",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            server
                .seed_notes(
                    "admin",
                    "admin-pass",
                    &[
                        ("Release checklist", "Tag, build the dist, run the end-to-end flows, ship."),
                        ("Refresh tokens", "Single use, rotated on every refresh; a reused one revokes the family."),
                        ("Groceries", "Milk, eggs, coffee beans."),
                    ],
                )
                .await;

            b.open("/login").await;
            b.wait_for("#username", WAIT).await;
            shoot(b, "login").await;

            b.sign_in("admin", "admin-pass").await;
            b.wait_testid("dashboard").await;
            b.wait_text("notes-count", "3").await;
            b.wait_testid("sessions-count").await;
            b.wait_testid("dashboard-me").await;
            shoot(b, "dashboard").await;

            b.click_link("Notes").await;
            b.wait_testid("notes-list").await;
            assert_eq!(b.count("[data-testid=\"note-item\"]").await, 3);
            shoot(b, "notes").await;

            b.click_link("Admin").await;
            b.wait_testid("admin-users").await;
            shoot(b, "admin").await;
        },
    )
    .await;
}
