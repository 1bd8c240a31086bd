//! What page scripts can see, and signing in with the keyboard alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use lanyard_e2e::{run, testid, Browser, Engine, Options, WAIT};

/// The three session cookies as WebDriver sees them (HttpOnly included). The access and refresh
/// cookies are scoped to `/api` and `/api/auth`, and WebDriver lists the cookies of the current
/// document's URL, so this visits an (unknown, harmless) URL under `/api/auth/` to see them all.
async fn session_cookies(b: &Browser) -> Vec<fantoccini::cookies::Cookie<'static>> {
    b.open("/api/auth/e2e-cookie-probe").await;
    let cookies = b.client.get_all_cookies().await.expect("read the cookies");
    for name in ["lanyard_access", "lanyard_refresh", "lanyard_csrf"] {
        let cookie = cookies
            .iter()
            .find(|c| c.name() == name)
            .unwrap_or_else(|| panic!("no {name} cookie among {cookies:?}"));
        assert!(cookie.value().len() >= 16, "{name} holds a real token");
        assert_eq!(
            cookie.http_only(),
            Some(name != "lanyard_csrf"),
            "{name}: only the CSRF cookie is readable by scripts"
        );
        // The page is on plain-HTTP loopback, where WebKit refuses `Secure` cookies: the backend leaves it
        // off for such pages only (docs/API.md, "Cookies"; production pages get it).
        assert_eq!(
            cookie.secure(),
            Some(false),
            "{name} is not Secure on a plain-HTTP loopback page"
        );
    }
    cookies
}

/// Everything page scripts can read: `document.cookie`, and every key and value of
/// `localStorage` and `sessionStorage`.
async fn script_visible_state(b: &Browser) -> (String, String) {
    let dump = b
        .js(r#"
            const dump = (s) => Array.from({ length: s.length }, (_, i) => s.key(i))
                .map((k) => k + "=" + s.getItem(k)).join("\n");
            return [document.cookie, dump(window.localStorage) + "\n" + dump(window.sessionStorage)];
        "#)
        .await;
    let cookie = dump[0].as_str().unwrap_or_default().to_string();
    let storage = dump[1].as_str().unwrap_or_default().to_string();
    (cookie, storage)
}

/// Flow 9: after signing in (and after a refresh rotated the tokens), no access or refresh token is
/// visible to page scripts: not in `document.cookie` (which holds only the CSRF cookie), not in
/// either storage.
#[tokio::test]
async fn tokens_are_invisible_to_page_scripts() {
    // The cookie probe URL is unknown to the backend: Chrome logs its 404.
    let options = Options::default().expect_console(&[
        "e2e-cookie-probe - Failed to load resource: the server responded with a status of 404",
    ]);
    run(
        "tokens_are_invisible_to_page_scripts",
        options,
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            b.open_and_sign_in("user", "user-pass").await;
            b.wait_testid("dashboard").await;
            let mut secrets: Vec<(String, String)> = Vec::new();
            let mut states = Vec::new();

            // Right after sign-in; then again after a refresh has rotated both tokens.
            for round in ["after sign-in", "after a refresh"] {
                b.click_link("Notes").await;
                b.wait_testid("notes-empty").await;
                b.fill("Title", "a draft, so sessionStorage has something")
                    .await;
                states.push((round, script_visible_state(b).await));
                for cookie in session_cookies(b).await {
                    if cookie.name() != "lanyard_csrf" {
                        secrets.push((cookie.name().to_string(), cookie.value().to_string()));
                    }
                }
                b.open("/").await;
                b.wait_testid("dashboard").await;
                states.push((round, script_visible_state(b).await));
                server.expire_access().await;
            }
            b.wait_testid("user-name").await;
            let stats = server.stats().await;
            assert!(
                stats.count(lanyard_e2e::REFRESH, "200") >= 1,
                "a refresh rotated the tokens during the test: {stats}"
            );
            let distinct: std::collections::BTreeSet<&str> =
                secrets.iter().map(|(_, v)| v.as_str()).collect();
            assert_eq!(distinct.len(), 4, "two access and two refresh tokens seen");

            for (round, (cookie, storage)) in &states {
                let names: Vec<&str> = cookie
                    .split(';')
                    .filter_map(|c| c.split('=').next())
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .collect();
                assert_eq!(
                    names,
                    ["lanyard_csrf"],
                    "{round}: document.cookie holds only the CSRF cookie: {cookie:?}"
                );
                assert!(
                    storage.contains("lanyard.draft"),
                    "{round}: the storage dump works (the draft is there): {storage:?}"
                );
                for (name, value) in &secrets {
                    assert!(
                        !cookie.contains(value.as_str()),
                        "{round}: the {name} token is in document.cookie"
                    );
                    assert!(
                        !storage.contains(value.as_str()),
                        "{round}: the {name} token is in web storage: {storage:?}"
                    );
                }
            }
        },
    )
    .await;
}

/// Types `text` into whatever has the focus, one key at a time.
fn typing(text: &str) -> Vec<KeyAction> {
    text.chars()
        .flat_map(|c| [KeyAction::Down { value: c }, KeyAction::Up { value: c }])
        .collect()
}

fn press(key: Key) -> Vec<KeyAction> {
    let c = char::from(key);
    vec![KeyAction::Down { value: c }, KeyAction::Up { value: c }]
}

/// Flow 10: signing in with the keyboard alone. The username field has the focus on load; type,
/// Tab, type, Enter. (The console check after every flow covers "no console errors".)
#[tokio::test]
async fn keyboard_only_sign_in() {
    run(
        "keyboard_only_sign_in",
        Options::default(),
        |ctx| async move {
            let b = &ctx.browser;
            b.open("/login").await;
            b.wait_for("#username", WAIT).await;
            let focused = b
                .client
                .active_element()
                .await
                .expect("the focused element");
            assert_eq!(
                focused.attr("id").await.expect("its id").as_deref(),
                Some("username"),
                "the username field has the focus on load"
            );

            let mut keys = typing("user");
            keys.extend(press(Key::Tab));
            keys.extend(typing("user-pass"));
            keys.extend(press(Key::Enter));
            let keyboard = keys
                .into_iter()
                .fold(KeyActions::new("keyboard".to_string()), InputSource::then);
            b.client
                .perform_actions(keyboard)
                .await
                .expect("type on the keyboard");
            b.wait_testid("user-name").await;
            b.wait_testid("dashboard").await;
            assert_eq!(b.current_url().await.path(), "/");
            assert_eq!(b.text("user-name").await, "Uma User");
            let stats = ctx.backend.stats().await;
            assert_eq!(stats.count("POST /api/auth/login", "200"), 1, "{stats}");
        },
    )
    .await;
}

/// A wrong password: the form says so (one generic message), the message gets the focus, and
/// nobody is signed in; the right password then works.
#[tokio::test]
async fn wrong_password_is_refused_with_a_message() {
    run(
        "wrong_password_is_refused_with_a_message",
        Options::default(),
        |ctx| async move {
            let b = &ctx.browser;
            b.open("/login").await;
            b.fill("Username", "user").await;
            b.fill("Password", "not-the-password").await;
            b.click_button("Sign in").await;
            b.wait_text("login-error", "Wrong username or password.")
                .await;
            let focused = b
                .client
                .active_element()
                .await
                .expect("the focused element");
            assert_eq!(
                focused
                    .attr("data-testid")
                    .await
                    .expect("its test id")
                    .as_deref(),
                Some("login-error"),
                "the error has the focus, so it is announced"
            );
            assert_eq!(b.current_url().await.path(), "/login");
            assert!(!b.is_displayed("[data-testid=\"user-name\"]").await);
            let stats = ctx.backend.stats().await;
            assert_eq!(stats.count("POST /api/auth/login", "401"), 1, "{stats}");

            b.fill("Password", "user-pass").await;
            b.click_button("Sign in").await;
            b.wait_testid("dashboard").await;
            assert_eq!(b.text("user-name").await, "Uma User");
        },
    )
    .await;
}

/// Too many wrong passwords: the backend locks the account out (429 + `Retry-After`); the form says how long
/// in plain words, keeps the button off meanwhile, and turns it back on when the wait is over — then the right
/// password works.
#[tokio::test]
async fn too_many_attempts_show_the_wait_and_the_button_comes_back() {
    let mut options = Options::default().expect_console(&["status of 429"]);
    options.backend.login_free_failures = Some(1);
    run(
        "too_many_attempts_show_the_wait_and_the_button_comes_back",
        options,
        |ctx| async move {
            let b = &ctx.browser;
            b.open("/login").await;
            b.fill("Username", "user").await;
            b.fill("Password", "not-the-password").await;
            // Wrong passwords until one lands inside a lock-out (the first is free; later ones lock for
            // 1, 2, 4 s, so a slow machine still gets there).
            let mut message = String::new();
            for _ in 0..6 {
                b.button("Sign in")
                    .await
                    .click()
                    .await
                    .expect("click Sign in");
                message = settled_login_message(b).await;
                if message.starts_with("Too many attempts") {
                    break;
                }
                assert_eq!(message, "Wrong username or password.");
            }
            let secs: u64 = message
                .trim_start_matches("Too many attempts — try again in ")
                .trim_end_matches(" s.")
                .parse()
                .unwrap_or_else(|_| panic!("the wait in plain words: {message:?}"));
            assert!(submit_disabled(b).await, "off while locked out");
            tokio::time::sleep(std::time::Duration::from_millis(secs * 1_000 + 500)).await;
            assert!(!submit_disabled(b).await, "back on after the wait");
            b.fill("Password", "user-pass").await;
            b.click_button("Sign in").await;
            b.wait_testid("dashboard").await;
        },
    )
    .await;
}

/// The login form's message once a submission has been answered (the button no longer busy).
async fn settled_login_message(b: &Browser) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let state = b
            .js(
                "const e = document.querySelector('[data-testid=login-error]'); \
                 const s = document.querySelector('button[type=submit]'); \
                 return [e.hidden ? '' : e.textContent, s.getAttribute('aria-busy') === 'true'];",
            )
            .await;
        let text = state[0].as_str().unwrap_or_default().to_owned();
        if state[1] == serde_json::Value::Bool(false) && !text.is_empty() {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sign-in was never answered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn submit_disabled(b: &Browser) -> bool {
    b.js("return document.querySelector('button[type=submit]').disabled")
        .await
        == serde_json::Value::Bool(true)
}

/// A browser that keeps no cookies (blocked by its settings; WebKit with `Secure` cookies on plain HTTP is
/// the same case): the sign-in "succeeds" at the server, but the app must not claim anything about an ended
/// session. It says the browser did not keep the cookies, marks no input, and tells the developer why on
/// the console.
#[tokio::test]
async fn a_browser_that_keeps_no_cookies_is_told_so() {
    run(
        "a_browser_that_keeps_no_cookies_is_told_so",
        Options::default()
            .blocking_cookies()
            .only_in(
                &[Engine::Chromium, Engine::Firefox],
                "WebKitWebDriver has no setting to block cookies",
            )
            .expect_page_error("did not keep its cookies"),
        |ctx| async move {
            let b = &ctx.browser;
            b.open("/login").await;
            b.fill("Username", "user").await;
            b.fill("Password", "user-pass").await;
            b.click_button("Sign in").await;
            b.wait_for(&testid("login-error"), WAIT).await;
            let message = b.text("login-error").await;
            assert!(
                message.contains("didn't keep the sign-in cookies"),
                "{message}"
            );
            assert!(!message.contains("ended"), "{message}");
            for field in ["#username", "#password"] {
                let invalid = b
                    .client
                    .find(fantoccini::Locator::Css(field))
                    .await
                    .expect("the input")
                    .attr("aria-invalid")
                    .await
                    .expect("its attribute");
                assert_eq!(invalid, None, "{field} is not to blame");
            }
            assert_eq!(b.path_and_query().await, "/login");
            let log = b.take_log().await.expect("the console");
            assert!(
                log.iter()
                    .any(|e| e.message.contains("did not keep its cookies")
                        && e.message.contains("Set-Cookie")),
                "one console error for the developer: {log:?}"
            );
        },
    )
    .await;
}
