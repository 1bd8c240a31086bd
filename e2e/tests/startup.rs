//! Start-up with a configuration that is broken or missing: a clear page, never a blank screen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::{run, testid, ConfigFile, Options, WAIT};

/// A config.json with a misspelt field stops the app before it talks to the API, and the page says
/// which field and where to fix it.
#[tokio::test]
async fn broken_config_shows_what_to_fix() {
    let options = Options::default()
        .with_config(ConfigFile::Text(r#"{ "lab_enabld": true }"#.into()))
        .expect_page_error("lab_enabld");
    run(
        "broken_config_shows_what_to_fix",
        options,
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            b.open("/login").await;
            b.wait_testid("config-error").await;
            let message = b.text("config-error").await;
            assert!(message.contains("Lanyard can't start"), "{message}");
            assert!(
                message.contains("lab_enabld"),
                "the page names the unknown field: {message}"
            );
            assert!(
                !b.is_displayed("#username").await,
                "no login form on a broken configuration"
            );
            let stats = server.stats().await;
            assert_eq!(stats.total(), 0, "the app never reached the API: {stats}");
        },
    )
    .await;
}

/// Without config.json the app runs on its compiled-in defaults: the login page, without the
/// development-only demo accounts.
#[tokio::test]
async fn missing_config_falls_back_to_the_defaults() {
    let options = Options::default()
        .with_config(ConfigFile::Missing)
        .expect_page_error("/config.json");
    run(
        "missing_config_falls_back_to_the_defaults",
        options,
        |ctx| async move {
            let b = &ctx.browser;
            b.open("/login").await;
            b.wait_for("#username", WAIT).await;
            assert!(
                !b.is_displayed(&testid("config-error")).await,
                "a missing file is not an error"
            );
            assert!(
                !b.is_displayed(".demo-credentials").await,
                "the defaults hide the demo accounts"
            );
            b.sign_in("user", "user-pass").await;
            b.wait_path("/", WAIT).await;
            assert_eq!(b.text("user-name").await, "Uma User");
        },
    )
    .await;
}
