//! The app against an independent backend: Flask + Flask-JWT-Extended (`backends/flask-jwt/`), with
//! its own cookie and CSRF names, string user ids at the top level, no expiry hint, `{"msg": …}`
//! error bodies and sign-in by email — configured only through its `config.json`. Only the Lab page
//! is used behind sign-in: the other pages call the dev backend's own API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::flask::{ALICE, BOB};
use lanyard_e2e::lab::two_tab_storm;
use lanyard_e2e::{run_flask, testid, Browser, Options, FLASK_REFRESH, WAIT};
use serde_json::Value;

/// What the Lab runs in these flows; `/api/items` accepts the Lab's `?i=N`.
const STORM: &str = "/lab?n=50&path=/api/items&mode=storm&via=client";

/// Opens `path` (a page behind sign-in), is sent to the login page, signs in with `account` (by
/// email) and is brought back to `path`.
async fn sign_in_at(b: &Browser, path: &str, account: (&str, &str)) {
    b.open(path).await;
    b.wait_path("/login", WAIT).await;
    b.sign_in_as("Email", account.0, account.1).await;
    b.wait_path("/lab", WAIT).await;
    b.wait_testid("lab").await;
}

/// Runs the Lab's scenario and returns its figures (`ok`, `failed`, `refreshes`, …).
async fn run_lab(b: &Browser) -> Value {
    b.click_testid("lab-run").await;
    b.lab_figures().await
}

/// Cookie names in `document.cookie`.
async fn script_cookie_names(b: &Browser) -> (Vec<String>, String) {
    let cookie = b.js("return document.cookie").await;
    let cookie = cookie.as_str().unwrap_or_default().to_string();
    let mut names: Vec<String> = cookie
        .split(';')
        .filter_map(|c| c.split('=').next())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    (names, cookie)
}

/// Guard → login (the field says "Email"; a wrong password shows the server's message) → back to
/// the page the user asked for, signed in as the user the backend describes in its own shape.
#[tokio::test]
async fn guard_sends_to_login_and_back() {
    // The wrong password is answered 401, which Chrome logs.
    let options = Options::default().expect_console(&["/auth/login - Failed to load resource"]);
    run_flask(
        "flask_guard_sends_to_login_and_back",
        options,
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            let wanted = "/lab?n=3&path=/api/items";
            b.open(wanted).await;
            let url = b.wait_path("/login", WAIT).await;
            let next = url
                .query_pairs()
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned());
            assert_eq!(
                next.as_deref(),
                Some(wanted),
                "the login page knows where to return: {url}"
            );
            assert_eq!(
                b.count(&testid("lab")).await,
                0,
                "the guarded page is not shown"
            );

            b.fill("Email", ALICE.0).await;
            b.fill("Password", "not-her-password").await;
            b.click_button("Sign in").await;
            // The server's own message, whatever punctuation the page adds.
            let started = std::time::Instant::now();
            loop {
                let shown = b.text("login-error").await;
                if shown.contains("Bad email or password") {
                    break;
                }
                assert!(started.elapsed() < WAIT, "the login error reads {shown:?}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }

            b.fill("Password", ALICE.1).await;
            b.click_button("Sign in").await;
            b.wait_testid("user-name").await;
            b.wait_path("/lab", WAIT).await;
            assert_eq!(b.path_and_query().await, wanted, "back where the user was");
            assert_eq!(b.text("user-name").await, "Alice Liddell");
            let figures = run_lab(b).await;
            assert_eq!(figures["ok"], 3, "{figures}");

            let stats = server.stats().await;
            assert_eq!(stats.count("POST /auth/login", "401"), 1, "{stats}");
            assert_eq!(stats.count("POST /auth/login", "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/items", "200"), 3, "{stats}");
        },
    )
    .await;
}

/// 50 requests at once through the client after the access token expired: 50/50 ok, and the
/// Flask backend counts exactly one refresh call.
#[tokio::test]
async fn storm_after_expiry_is_served_by_one_refresh() {
    run_flask(
        "flask_storm_after_expiry",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            sign_in_at(b, STORM, ALICE).await;
            server.reset().await;
            server.expire_access().await;
            server.latency(0, 200).await;
            let figures = run_lab(b).await;
            assert_eq!(figures["ok"], 50, "{figures}");
            assert_eq!(figures["failed"], 0, "{figures}");
            assert_eq!(
                figures["refreshes"], 1,
                "the client counted one refresh: {figures}"
            );
            assert_eq!(
                b.text("user-name").await,
                "Alice Liddell",
                "still signed in"
            );
            let stats = server.stats().await;
            assert_eq!(
                stats.calls(FLASK_REFRESH),
                1,
                "one refresh for the storm: {stats}"
            );
            assert_eq!(stats.count(FLASK_REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/items", "200"), 50, "{stats}");
            assert!(
                stats.count("GET /api/items", "401") >= 1,
                "the storm met the expired token: {stats}"
            );
        },
    )
    .await;
}

/// Requests one every 15 ms while the refresh takes 300 ms: those issued meanwhile wait for it;
/// one refresh in all. Signed in as Bob, whose account has no `groups` field.
#[tokio::test]
async fn staggered_burst_is_served_by_one_refresh() {
    run_flask(
        "flask_staggered_burst",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            sign_in_at(b, "/lab?n=40&path=/api/items&mode=stagger&gap_ms=15", BOB).await;
            assert_eq!(b.text("user-name").await, "Bob Cratchit");
            server.reset().await;
            server.expire_access().await;
            server.latency(0, 300).await;
            let figures = run_lab(b).await;
            assert_eq!(figures["ok"], 40, "{figures}");
            assert_eq!(figures["failed"], 0, "{figures}");
            assert_eq!(figures["refreshes"], 1, "{figures}");
            let stats = server.stats().await;
            assert_eq!(stats.calls(FLASK_REFRESH), 1, "{stats}");
            assert_eq!(stats.count(FLASK_REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/items", "200"), 40, "{stats}");
        },
    )
    .await;
}

/// Two tabs (one cookie jar) storm at once with an expired access token: one refresh call between
/// them. A second refresh with the rotated-away token would be reuse, which this backend answers by
/// revoking the whole family — so this also proves no tab replays an old refresh token.
#[tokio::test]
async fn two_tabs_share_one_refresh() {
    run_flask(
        "flask_two_tabs_share_one_refresh",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            let lab = "/lab?n=20&path=/api/items&mode=storm";
            sign_in_at(b, lab, ALICE).await;
            two_tab_storm(b, server, lab, 20, "Alice Liddell").await;
            let stats = server.stats().await;
            assert_eq!(
                stats.calls(FLASK_REFRESH),
                1,
                "one refresh for both tabs: {stats}"
            );
            assert_eq!(stats.count(FLASK_REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/items", "200"), 40, "{stats}");
        },
    )
    .await;
}

/// The refresh token is revoked and the access token expired: the refresh is refused (401), the
/// session ends, and the user lands on the login page, able to come back to the Lab.
#[tokio::test]
async fn refused_refresh_lands_on_login() {
    run_flask(
        "flask_refused_refresh_lands_on_login",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            let lab = "/lab?n=10&path=/api/items&mode=storm";
            sign_in_at(b, lab, ALICE).await;
            server.reset().await;
            server.revoke_refresh().await;
            server.expire_access().await;
            b.click_testid("lab-run").await;
            let url = b.wait_path("/login", WAIT).await;
            let next = url
                .query_pairs()
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned());
            assert_eq!(next.as_deref(), Some(lab), "the user can come back: {url}");
            b.wait_gone(&testid("user-name"), WAIT).await;
            let stats = server.stats().await;
            assert_eq!(
                stats.calls(FLASK_REFRESH),
                1,
                "one refused refresh, no retry loop: {stats}"
            );
            assert_eq!(stats.count(FLASK_REFRESH, "401"), 1, "{stats}");

            b.sign_in_as("Email", ALICE.0, ALICE.1).await;
            b.wait_path("/lab", WAIT).await;
            assert_eq!(b.path_and_query().await, lab, "back after signing in again");
        },
    )
    .await;
}

/// The tokens are HttpOnly cookies (WebDriver sees them); page scripts see only the two CSRF
/// cookies — after sign-in, and after a refresh rotated both tokens.
#[tokio::test]
async fn no_token_is_readable_by_scripts() {
    // The cookie probe (below /auth/, where the refresh cookie is scoped) is a 404 that Chrome logs.
    let options =
        Options::default().expect_console(&["e2e-cookie-probe - Failed to load resource"]);
    run_flask(
        "flask_no_token_is_readable_by_scripts",
        options,
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            let lab = "/lab?n=5&path=/api/items&mode=storm";
            sign_in_at(b, lab, ALICE).await;
            let mut tokens = Vec::new();
            for round in ["after sign-in", "after a refresh"] {
                let (names, cookie) = script_cookie_names(b).await;
                assert_eq!(
                    names,
                    ["csrf_access_token", "csrf_refresh_token"],
                    "{round}: document.cookie holds only the CSRF cookies: {cookie:?}"
                );
                b.open("/auth/e2e-cookie-probe").await;
                let cookies = b.client.get_all_cookies().await.expect("read the cookies");
                for name in ["access_token_cookie", "refresh_token_cookie"] {
                    let token = cookies
                        .iter()
                        .find(|c| c.name() == name)
                        .unwrap_or_else(|| panic!("{round}: no {name} among {cookies:?}"));
                    assert_eq!(token.http_only(), Some(true), "{round}: {name} is HttpOnly");
                    assert!(
                        token.value().starts_with("eyJ"),
                        "{round}: {name} holds a JWT"
                    );
                    assert!(
                        !cookie.contains(token.value()),
                        "{round}: {name} is not in document.cookie"
                    );
                    tokens.push(token.value().to_string());
                }
                b.open(lab).await;
                b.wait_testid("lab").await;
                server.expire_access().await;
                let figures = run_lab(b).await;
                assert_eq!(figures["ok"], 5, "{round}: {figures}");
            }
            tokens.sort();
            tokens.dedup();
            assert_eq!(tokens.len(), 4, "the refresh rotated both tokens");
        },
    )
    .await;
}

/// Signing out: the backend answers 200 with a `{"msg": …}` body (not our 204) and clears every
/// cookie; the app shows the login page; the Lab is guarded again.
#[tokio::test]
async fn sign_out_clears_the_session() {
    run_flask(
        "flask_sign_out_clears_the_session",
        Options::default(),
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            let lab = "/lab?n=5&path=/api/items&mode=storm";
            sign_in_at(b, lab, ALICE).await;
            b.click_testid("sign-out").await;
            b.wait_path("/login", WAIT).await;
            b.wait_gone(&testid("user-name"), WAIT).await;
            let (names, cookie) = script_cookie_names(b).await;
            assert!(
                names.is_empty(),
                "signing out cleared the CSRF cookies too: {cookie:?}"
            );
            b.open(lab).await;
            b.wait_path("/login", WAIT).await;
            let stats = server.stats().await;
            assert_eq!(stats.count("POST /auth/logout", "200"), 1, "{stats}");
            assert_eq!(
                stats.count(FLASK_REFRESH, "200"),
                0,
                "no refresh brought the session back: {stats}"
            );
        },
    )
    .await;
}
