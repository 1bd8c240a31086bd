//! `lanyard-yew`'s guards and provider, rendered for real in a browser with an app of the tests' own (its
//! routes, its user type, its login page at `/sign-in`): the real `SessionProvider`, `BrowserRouter` and
//! guards over a real `Client` whose transport is a scripted fake. No backend; each test scripts its answers.
//!
//! Protected content is a marker that records every render in a probe, so "never rendered, not for one frame"
//! is checked directly rather than by sampling the DOM.
//!
//! Run with `cargo test -p lanyard-yew --target wasm32-unknown-unknown --test guards` (with `CHROMEDRIVER`,
//! `GECKODRIVER` or `SAFARIDRIVER` set), or as part of `cargo xtask test`.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use lanyard_yew::{Fallbacks, Unreachable};
use serde_json::json;
use support::*;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// While `GET me` is held, `RequireAuth` shows the provider's `checking` fallback and never its content;
/// once the answer says who is signed in, the content shows, on the same URL.
#[wasm_bindgen_test]
async fn checking_shows_the_providers_fallback_and_never_the_content() {
    let api = FakeApi::new();
    api.on(ME, Answer::Hold);
    let app = mount("/in?tab=a", client(&api));

    settle().await;
    assert_eq!(api.held(ME), 1, "the session check is under way");
    // Many turns of the event loop with the answer held.
    for turn in 0..20 {
        assert!(app.has("checking"), "turn {turn}: {}", app.html());
        assert!(!app.has("secret-in"), "turn {turn}: {}", app.html());
        sleep(5).await;
    }
    assert_eq!(
        app.probe.renders(),
        Vec::<String>::new(),
        "rendered while checking"
    );
    assert_eq!(here(), "/in?tab=a", "no navigation while checking");

    assert_eq!(api.release(ME, 200, &session("ada", &[], false)), 1);
    wait_until("the content shows", 2_000.0, || app.has("secret-in")).await;
    assert!(!app.has("checking"), "{}", app.html());
    assert_eq!(app.text("who"), "ada", "use_signed_in gives the user");
    assert_eq!(here(), "/in?tab=a");
    assert_eq!(api.log(), vec![ME.to_owned()]);
    app.unmount().await;
}

/// Signed out (me 401, then the refresh refused with 401 or 403) on a protected route: sent to the provider's
/// `login_path` with `?next=` the original path and query, encoded; the content never rendered.
#[wasm_bindgen_test]
async fn signed_out_goes_to_the_apps_login_path_with_next() {
    for refused in [401, 403] {
        let api = FakeApi::new();
        api.on(ME, Answer::Json(401, unauthorized()));
        api.on(REFRESH, Answer::Json(refused, unauthorized()));
        let app = mount("/in?sort=new&page=2", client(&api));

        wait_until("the sign-in page shows", 2_000.0, || {
            app.has("sign-in-page")
        })
        .await;
        assert_eq!(pathname(), LOGIN_PATH, "refresh {refused}");
        assert_eq!(search(), "?next=%2Fin%3Fsort%3Dnew%26page%3D2");
        assert_eq!(query_param("next").as_deref(), Some("/in?sort=new&page=2"));
        assert_eq!(app.probe.renders(), Vec::<String>::new(), "nothing private");
        assert_eq!((api.calls(ME), api.calls(REFRESH)), (1, 1));

        // And it stays there: `GuestOnly` lets a signed-out visitor be.
        settle().await;
        sleep(50).await;
        assert_eq!(pathname(), LOGIN_PATH);
        assert!(app.has("sign-in-page"), "{}", app.html());
        app.unmount().await;
    }
}

/// `GuestOnly` with a signed-in user: on to a safe `next` (query kept), and to the provider's `home_path` for
/// a `next` that is absent, another origin, or the login page itself.
#[wasm_bindgen_test]
async fn guest_only_sends_a_signed_in_user_to_a_safe_next_or_home() {
    let cases = [
        (
            "/sign-in?next=%2Fadmin%3Ftab%3Dusers",
            "/admin?tab=users",
            "secret-admin",
        ),
        ("/sign-in?next=/admin", "/admin", "secret-admin"),
        ("/sign-in?next=//evil.example", HOME_PATH, "secret-in"),
        (
            "/sign-in?next=https://evil.example/",
            HOME_PATH,
            "secret-in",
        ),
        ("/sign-in?next=%2F%2Fevil.example", HOME_PATH, "secret-in"),
        ("/sign-in?next=/sign-in", HOME_PATH, "secret-in"),
        (
            "/sign-in?next=%2Fsign-in%3Fnext%3D%2Fadmin",
            HOME_PATH,
            "secret-in",
        ),
        ("/sign-in", HOME_PATH, "secret-in"),
    ];
    for (start, expected, marker) in cases {
        let api = FakeApi::new();
        api.on(ME, Answer::Json(200, session("ada", &["admin"], false)));
        let app = mount(start, client(&api));

        wait_until(&format!("{start} leads to {expected}"), 2_000.0, || {
            app.has(marker)
        })
        .await;
        assert_eq!(here(), expected, "from {start}");
        app.unmount().await;
    }
}

/// `RequireRole role="admin"`: a user without the role sees `forbidden`, on the same URL, with no redirect
/// and no re-check; a user with it sees the content.
#[wasm_bindgen_test]
async fn require_role_forbids_without_the_role_and_shows_the_content_with_it() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("bob", &["editor"], true)));
    let app = mount("/admin", client(&api));

    wait_until("forbidden shows", 2_000.0, || app.has("forbidden")).await;
    for turn in 0..10 {
        assert_eq!(here(), "/admin", "turn {turn}: the URL stays");
        assert!(app.has("forbidden"), "turn {turn}: {}", app.html());
        sleep(10).await;
    }
    assert!(!app.probe.rendered("admin"), "{:?}", app.probe.renders());
    assert_eq!(api.log(), vec![ME.to_owned()], "no re-checks, no loop");
    app.unmount().await;

    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("ada", &["admin"], false)));
    let app = mount("/admin", client(&api));
    wait_until("the content shows", 2_000.0, || app.has("secret-admin")).await;
    assert!(!app.has("forbidden"), "{}", app.html());
    assert_eq!(here(), "/admin");
    app.unmount().await;
}

/// `RequireUser<U> allow=...`: the predicate on the signed-in user decides.
#[wasm_bindgen_test]
async fn require_user_follows_its_predicate() {
    for staff in [false, true] {
        let api = FakeApi::new();
        api.on(ME, Answer::Json(200, session("cy", &[], staff)));
        let app = mount("/staff", client(&api));

        let shown = if staff { "secret-staff" } else { "not-staff" };
        wait_until(shown, 2_000.0, || app.has(shown)).await;
        settle().await;
        assert_eq!(
            app.probe.rendered("staff"),
            staff,
            "{:?}",
            app.probe.renders()
        );
        assert_eq!(app.has("not-staff"), !staff, "{}", app.html());
        assert_eq!(here(), "/staff");
        app.unmount().await;
    }
}

/// `GET me` answers 503, or gets no answer at all: the default unreachable view with "Try again", no redirect;
/// the button asks the backend again and, now answered with a user, the content shows.
#[wasm_bindgen_test]
async fn unreachable_backend_shows_a_retry_that_asks_again() {
    for answer in [
        Answer::Json(503, json!({ "error": "unavailable" })),
        Answer::Fail,
    ] {
        let api = FakeApi::new();
        api.on(ME, answer.clone());
        let app = mount("/in", client(&api));

        wait_until("the unreachable view shows", 2_000.0, || {
            app.has("session-unreachable")
        })
        .await;
        let button = "[data-testid=\"session-unreachable\"] button";
        let label = app.find(button).and_then(|b| b.text_content());
        assert_eq!(label.as_deref(), Some("Try again"), "{answer:?}");
        assert_eq!(api.calls(ME), 1, "{answer:?}");
        assert_eq!(here(), "/in", "unreachable is not signed out");
        assert!(app.probe.renders().is_empty(), "{:?}", app.probe.renders());

        api.on(ME, Answer::Json(200, session("ada", &[], false)));
        app.click_selector(button);
        wait_until("the content shows", 2_000.0, || app.has("secret-in")).await;
        assert_eq!(api.calls(ME), 2, "{answer:?}");
        assert!(!app.has("session-unreachable"));
        app.unmount().await;
    }
}

/// A `Fallbacks::unreachable` of the app's own replaces the default view, and its `retry` works.
#[wasm_bindgen_test]
async fn a_custom_unreachable_view_is_used_when_given() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(503, json!({ "error": "unavailable" })));
    let custom = Fallbacks {
        unreachable: Some(Callback::from(|unreachable: Unreachable| {
            let retry = unreachable.retry.reform(|_: MouseEvent| ());
            html! {
                <div data-testid="custom-unreachable">
                    <span data-testid="status">{ unreachable.error.status().unwrap_or(0) }</span>
                    <button type="button" data-testid="custom-retry" onclick={retry}>{ "Again" }</button>
                </div>
            }
        })),
        ..fallbacks()
    };
    let app = mount_with("/in", Some(client(&api)), custom);

    wait_until("the custom view shows", 2_000.0, || {
        app.has("custom-unreachable")
    })
    .await;
    assert!(!app.has("session-unreachable"), "{}", app.html());
    assert_eq!(app.text("status"), "503", "the error is passed on");
    assert!(app.probe.renders().is_empty(), "{:?}", app.probe.renders());

    api.on(ME, Answer::Json(200, session("ada", &[], false)));
    app.click("custom-retry");
    wait_until("the content shows", 2_000.0, || app.has("secret-in")).await;
    assert_eq!(api.calls(ME), 2);
    app.unmount().await;
}

/// Every guard outside a `SessionProvider` renders the "missing provider" alert instead of panicking, and
/// neither shows its content nor navigates.
#[wasm_bindgen_test]
async fn guards_outside_a_provider_render_an_alert() {
    for path in ["/in", "/admin", "/staff", LOGIN_PATH] {
        let app = mount_with(path, None, fallbacks());
        settle().await;
        assert_eq!(app.count("missing-provider"), 1, "{path}: {}", app.html());
        assert!(!app.has("sign-in-page"), "{path}: {}", app.html());
        assert!(
            app.probe.renders().is_empty(),
            "{path}: {:?}",
            app.probe.renders()
        );
        assert_eq!(here(), path);
        app.unmount().await;
    }
}

/// `use_session::<U>().logout()` on a protected page: the session ends, and the guard sends the user to the
/// login path with `next` back to where they were.
#[wasm_bindgen_test]
async fn logging_out_on_a_protected_page_leads_to_the_login_path() {
    let api = FakeApi::new();
    api.on(ME, Answer::Json(200, session("ada", &[], false)));
    api.on(LOGOUT, Answer::Json(200, json!({})));
    let app = mount("/in?tab=notes", client(&api));
    wait_until("the content shows", 2_000.0, || app.has("secret-in")).await;

    app.click("sign-out");
    wait_until("the sign-in page shows", 2_000.0, || {
        pathname() == LOGIN_PATH && app.has("sign-in-page")
    })
    .await;
    assert_eq!(query_param("next").as_deref(), Some("/in?tab=notes"));
    assert!(!app.has("secret-in"), "{}", app.html());
    assert_eq!(api.calls(LOGOUT), 1);
    assert_eq!(api.calls(ME), 1, "signing out needs no re-check");
    app.unmount().await;
}
