//! The auth-aware client in a real browser against the real dev backend (`--test-hooks`): single-flight refresh
//! under load, the late-401 race, refused and failing refreshes, CSRF, aborts, timeouts, cookie hygiene and
//! proactive refresh. The backend counts what reached it (`GET /api/_test/stats`), so "exactly one refresh" is
//! checked where it matters: at the server.
//!
//! Run by `cargo xtask test` (see `xtask/src/test.rs`), or by hand with the backend started as
//! `lanyard-server --in-memory --test-hooks --bind 127.0.0.1:18181 --cors-origin http://127.0.0.1:18180` and
//! `WASM_BINDGEN_TEST_ADDRESS=127.0.0.1:18180 CHROMEDRIVER=… cargo test -p lanyard --target wasm32-unknown-unknown --test '*'`.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod utils;

use futures_util::future::join_all;
use gloo_net::http::Request as RawRequest;
use lanyard_client::{AbortHandle, Client, ClientEvent, EndReason, Error, Request};
use serde_json::{json, Value};
use utils::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::RequestCredentials;

wasm_bindgen_test_configure!(run_in_browser);

/// `GET /api/notes?i=<i>` through the client.
async fn get(client: &Client, i: usize) -> Result<Value, Error> {
    client.get(&notes(i)).await
}

fn notes(i: usize) -> String {
    // Distinct URLs: Chromium serialises concurrent GETs of one URL (cache lock).
    format!("/api/notes?i={i}")
}

#[wasm_bindgen_test]
async fn fifty_concurrent_requests_with_an_expired_token_make_exactly_one_refresh() {
    let client = fresh_session().await;
    expire_access().await;

    let results = join_all((0..50).map(|i| get(&client, i))).await;

    for (i, result) in results.iter().enumerate() {
        assert!(
            matches!(result, Ok(Value::Array(_))),
            "request {i}: {result:?}"
        );
    }
    let server = stats().await;
    server.assert_one_refresh();
    // Each request got exactly one success (first send or replay); some saw the expired token first.
    assert_eq!(server.count(NOTES, "200"), 50, "{server:?}");
    let unauthorized = server.count(NOTES, "401");
    assert!((1..=50).contains(&unauthorized), "{server:?}");
    let local = client.stats();
    assert_eq!(local.refreshes, 1, "{local:?}");
    assert_eq!(
        local.replays, unauthorized,
        "every 401 replayed once: {local:?}"
    );
    assert_eq!((local.queued, local.in_flight), (0, 0), "{local:?}");
    reset().await;
}

/// Requests that left before the refresh but whose 401 arrives after it finished are replayed with the new
/// cookies, never starting a second refresh (the auth epoch rule).
#[wasm_bindgen_test]
async fn a_late_401_after_the_refresh_is_replayed_without_a_second_refresh() {
    let client = fresh_session().await;
    let (events, _subscription) = record_events(&client);
    expire_access().await;

    // Slow requests: the backend reads the latency when a request arrives, so these stay slow.
    latency(700, 0).await;
    let mut slow: Vec<_> = (0..3)
        .map(|i| {
            spawn({
                let client = client.clone();
                async move { client.get::<Value>(&notes(i)).await }
            })
        })
        .collect();
    wait_until("the slow requests are at the server", 2_000.0, || {
        client.stats().in_flight == 3
    })
    .await;
    sleep(100).await;

    // A fast request's 401 starts the refresh while the slow ones are still at the server.
    latency(0, 200).await;
    let sent_at = now();
    let first = spawn({
        let client = client.clone();
        async move { client.get::<Value>(&notes(3)).await }
    });
    wait_until("the refresh started", 2_000.0, || {
        client.stats().refreshes == 1
    })
    .await;
    // Issued during the refresh: these wait in the queue.
    let during: Vec<_> = (4..7)
        .map(|i| {
            spawn({
                let client = client.clone();
                async move { client.get::<Value>(&notes(i)).await }
            })
        })
        .collect();
    wait_until("the refresh finished", 3_000.0, || {
        events
            .borrow()
            .iter()
            .any(|e| matches!(e, ClientEvent::Refreshed { .. }))
    })
    .await;
    let refreshed_after = now() - sent_at;
    for rx in &mut slow {
        assert_eq!(
            rx.try_recv(),
            Ok(None),
            "the slow requests are still at the server"
        );
    }

    let mut results = Vec::new();
    for rx in slow.into_iter().chain([first]).chain(during) {
        results.push(rx.await.expect("request task"));
    }
    for (i, result) in results.iter().enumerate() {
        assert!(
            matches!(result, Ok(Value::Array(_))),
            "request {i}: {result:?}"
        );
    }
    let server = stats().await;
    server.assert_one_refresh();
    // The 3 slow ones and the first one saw 401 once each; everything then succeeded once.
    assert_eq!(
        server.statuses(NOTES),
        statuses(&[("200", 7), ("401", 4)]),
        "{server:?}"
    );
    let local = client.stats();
    assert_eq!(
        (local.refreshes, local.replays, local.auth_failures),
        (1, 4, 4),
        "{local:?}"
    );
    assert!(
        refreshed_after < 700.0,
        "the refresh ended before the slow 401s ({refreshed_after} ms)"
    );
    reset().await;
}

/// A staggered burst: requests start before, during and after a slow refresh; all succeed, one refresh.
#[wasm_bindgen_test]
async fn a_staggered_burst_across_a_slow_refresh_makes_exactly_one_refresh() {
    let client = fresh_session().await;
    latency(0, 300).await;
    expire_access().await;

    let mut tasks = Vec::new();
    for wave in 0..8 {
        for k in 0..5 {
            let client = client.clone();
            let path = notes(wave * 5 + k);
            tasks.push(spawn(async move { client.get::<Value>(&path).await }));
        }
        sleep(60).await;
    }
    for (i, rx) in tasks.into_iter().enumerate() {
        let result = rx.await.expect("request task");
        assert!(
            matches!(result, Ok(Value::Array(_))),
            "request {i}: {result:?}"
        );
    }
    let server = stats().await;
    server.assert_one_refresh();
    assert_eq!(server.count(NOTES, "200"), 40, "{server:?}");
    assert_eq!(client.stats().refreshes, 1, "{:?}", client.stats());
    reset().await;
}

#[wasm_bindgen_test]
async fn a_refused_refresh_ends_the_session_until_the_next_login() {
    let client = fresh_session().await;
    // The cookies have worked since the sign-in: what follows is an ended session, not cookies the browser
    // dropped (a refresh refused right after a sign-in, before any call worked, means that instead).
    let _: Value = get(&client, 100)
        .await
        .expect("a call with the new session");
    let (events, _subscription) = record_events(&client);
    latency(0, 100).await;
    revoke_refresh().await;
    expire_access().await;

    let results = join_all((0..10).map(|i| get(&client, i))).await;

    for (i, result) in results.iter().enumerate() {
        assert_eq!(result, &Err(Error::SessionEnded), "request {i}");
    }
    assert_eq!(
        *events.borrow(),
        vec![ClientEvent::SessionEnded {
            reason: EndReason::RefreshRefused
        }],
        "one session-ended event"
    );
    assert!(client.is_session_ended());
    let before = stats().await;
    assert_eq!(
        before.statuses(REFRESH),
        statuses(&[("401", 1)]),
        "{before:?}"
    );

    // Fails fast, without a word to the server.
    let started = now();
    assert_eq!(
        client.get::<Value>(&notes(10)).await,
        Err(Error::SessionEnded)
    );
    assert!(now() - started < 100.0, "fail fast");
    assert_eq!(stats().await, before, "nothing reached the server");
    assert_eq!(
        events.borrow().len(),
        1,
        "no second event: {:?}",
        events.borrow()
    );

    let info: Value = login(&client).await.expect("login again");
    assert_eq!(info["user"]["username"], USER.0);
    assert!(!client.is_session_ended());
    let again: Result<Value, _> = client.get(&notes(11)).await;
    assert!(matches!(again, Ok(Value::Array(_))), "{again:?}");
    reset().await;
}

/// A refresh that fails with 503 or a dropped connection is not a logout: a retryable error, no event, and
/// the next request refreshes again and succeeds.
#[wasm_bindgen_test]
async fn an_unavailable_refresh_is_retryable_and_does_not_end_the_session() {
    for mode in ["503", "drop"] {
        let client = fresh_session().await;
        let (events, _subscription) = record_events(&client);
        // Slow refresh: every request's 401 is back before the refresh fails, so all of them are queued.
        latency(0, 150).await;
        fail_refresh(1, mode).await;
        expire_access().await;

        let results = join_all((0..5).map(|i| get(&client, i))).await;

        for (i, result) in results.iter().enumerate() {
            assert_eq!(
                result,
                &Err(Error::RefreshUnavailable),
                "{mode}: request {i}"
            );
            assert!(result.as_ref().unwrap_err().is_retryable());
        }
        assert!(
            !events
                .borrow()
                .iter()
                .any(|e| matches!(e, ClientEvent::SessionEnded { .. })),
            "{mode}: no session end: {:?}",
            events.borrow()
        );
        assert!(!client.is_session_ended(), "{mode}");

        let next: Result<Value, _> = client.get(&notes(5)).await;
        assert!(
            matches!(next, Ok(Value::Array(_))),
            "{mode}: the next request: {next:?}"
        );
        let server = stats().await;
        let failed = if mode == "503" { "503" } else { "dropped" };
        assert_eq!(
            server.statuses(REFRESH),
            statuses(&[("200", 1), (failed, 1)]),
            "{mode}: {server:?}"
        );
        let local = client.stats();
        assert_eq!(
            (local.refreshes, local.refresh_failures),
            (2, 1),
            "{mode}: {local:?}"
        );
        reset().await;
    }
}

#[wasm_bindgen_test]
async fn unsafe_requests_carry_the_csrf_header() {
    let client = fresh_session().await;
    let csrf = cookie("lanyard_csrf").expect("the readable CSRF cookie after login");
    assert!(!csrf.is_empty());

    let note: Value = client
        .post(
            "/api/notes",
            &json!({ "title": "From the browser test", "body": "csrf" }),
        )
        .await
        .expect("POST through the client");
    assert_eq!(note["title"], "From the browser test");

    // The same request without the header, and with a wrong one: 403 csrf, never 401.
    let body = json!({ "title": "No header", "body": "" });
    let url = format!("{API}/api/notes");
    let bare = RawRequest::post(&url)
        .credentials(RequestCredentials::Include)
        .json(&body)
        .expect("body")
        .send()
        .await
        .expect("raw POST");
    assert_eq!(bare.status(), 403);
    let error: Value = bare.json().await.expect("error body");
    assert_eq!(error["error"]["code"], "csrf");
    let wrong = RawRequest::post(&url)
        .credentials(RequestCredentials::Include)
        .header("X-CSRF-Token", "not-the-cookie")
        .json(&body)
        .expect("body")
        .send()
        .await
        .expect("raw POST");
    assert_eq!(wrong.status(), 403);

    let server = stats().await;
    assert_eq!(
        server.statuses("POST /api/notes"),
        statuses(&[("201", 1), ("403", 2)]),
        "{server:?}"
    );

    // Delete through the client too (an unsafe method with no body).
    let id = note["id"].as_i64().expect("note id");
    let deleted: Result<(), _> = client.delete(&format!("/api/notes/{id}")).await;
    assert_eq!(deleted, Ok(()));
    reset().await;
}

#[wasm_bindgen_test]
async fn aborting_a_queued_request_settles_it_at_once() {
    let client = fresh_session().await;
    latency(0, 500).await;
    expire_access().await;

    let first = spawn({
        let client = client.clone();
        async move { client.get::<Value>(&notes(0)).await }
    });
    wait_until("the refresh started", 2_000.0, || {
        client.stats().refreshes == 1
    })
    .await;
    let abort = AbortHandle::new();
    let aborted = spawn({
        let client = client.clone();
        let abort = abort.clone();
        async move {
            client
                .send::<Value>(Request::get(notes(1)).abort_handle(abort))
                .await
        }
    });
    let other = spawn({
        let client = client.clone();
        async move { client.get::<Value>(&notes(2)).await }
    });
    wait_until("three requests wait for the refresh", 1_000.0, || {
        client.stats().queued == 3
    })
    .await;

    let started = now();
    abort.abort();
    assert_eq!(aborted.await.expect("task"), Err(Error::Aborted));
    let took = now() - started;
    assert!(
        took < 250.0,
        "aborted at once, not after the refresh ({took} ms)"
    );
    assert_eq!(
        client.stats().queued,
        2,
        "the others still wait: {:?}",
        client.stats()
    );

    for (name, rx) in [("first", first), ("other", other)] {
        let result = rx.await.expect("task");
        assert!(matches!(result, Ok(Value::Array(_))), "{name}: {result:?}");
    }
    let server = stats().await;
    server.assert_one_refresh();
    // The aborted request never reached the server.
    assert_eq!(
        server.statuses(NOTES),
        statuses(&[("200", 2), ("401", 1)]),
        "{server:?}"
    );
    assert_eq!(client.stats().aborted, 1);
    reset().await;
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out() {
    let client = fresh_session().await;
    latency(400, 0).await;

    let started = now();
    let result = client
        .send::<Value>(Request::get(notes(0)).timeout_ms(100))
        .await;
    let took = now() - started;
    assert_eq!(result, Err(Error::Timeout));
    assert!(result.unwrap_err().is_retryable());
    assert!((90.0..390.0).contains(&took), "timed out after {took} ms");

    // Without the short timeout the same call succeeds.
    let slow: Result<Value, _> = client.get(&notes(1)).await;
    assert!(matches!(slow, Ok(Value::Array(_))), "{slow:?}");
    // Let the backend finish the abandoned request before the next test resets the counters.
    sleep(400).await;
    reset().await;
}

/// The session cookies are HttpOnly (only the CSRF one is readable) and the client stores no token.
#[wasm_bindgen_test]
async fn tokens_stay_out_of_the_pages_reach() {
    let client = fresh_session().await;
    // A request and a refresh, so whatever the client records after them is in storage too.
    expire_access().await;
    let _: Value = client.get(&notes(0)).await.expect("request with a refresh");
    assert_eq!(client.stats().refreshes, 1);

    let cookies = document_cookie();
    let csrf = cookie("lanyard_csrf").expect("lanyard_csrf is readable");
    assert!(!cookies.contains("lanyard_access"), "{cookies}");
    assert!(!cookies.contains("lanyard_refresh"), "{cookies}");
    // The access cookie has Path=/api and the refresh cookie Path=/api/auth, which document.cookie at "/"
    // would hide even if they were readable. A same-origin frame under /api/auth sees both paths.
    let framed = cookies_seen_under("/api/auth/cookie-probe").await;
    assert!(
        framed.contains("lanyard_csrf="),
        "the frame sees cookies: {framed}"
    );
    assert!(
        !framed.contains("lanyard_access"),
        "access cookie readable: {framed}"
    );
    assert!(
        !framed.contains("lanyard_refresh"),
        "refresh cookie readable: {framed}"
    );

    let window = web_sys::window().expect("window");
    let areas = [
        ("localStorage", window.local_storage().ok().flatten()),
        ("sessionStorage", window.session_storage().ok().flatten()),
    ];
    for (area, storage) in areas {
        let Some(storage) = storage else { continue };
        for (key, value) in storage_entries(&storage) {
            for text in [&key, &value] {
                assert!(
                    !text.contains(&csrf),
                    "{area} holds the CSRF token: {key} = {value}"
                );
                assert!(
                    !looks_like_token(text),
                    "{area} holds a token-like value: {key} = {value}"
                );
            }
        }
    }
    reset().await;
}

/// `document.cookie` as seen by a same-origin frame at `path` (cookies are per host, paths filter them).
async fn cookies_seen_under(path: &str) -> String {
    use js_sys::Reflect;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let frame = document.create_element("iframe").expect("iframe");
    frame.set_attribute("src", path).expect("src");
    document
        .body()
        .expect("body")
        .append_child(&frame)
        .expect("append the frame");
    let get = |target: &JsValue, key: &str| {
        Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    };
    let mut seen = None;
    let deadline = now() + 5_000.0;
    while seen.is_none() {
        assert!(now() < deadline, "the probe frame did not load");
        sleep(20).await;
        let inner = get(&frame, "contentDocument");
        if inner.is_null() || inner.is_undefined() {
            continue;
        }
        let location = get(&inner, "location");
        let loaded = get(&location, "pathname").as_string().as_deref() == Some(path)
            && get(&inner, "readyState").as_string().as_deref() == Some("complete");
        if loaded {
            seen = get(&inner, "cookie").as_string();
        }
    }
    frame.remove();
    seen.expect("frame cookies")
}

/// With a skew close to the access token's lifetime (30 s on the dev backend) the client refreshes before
/// the token expires, so the request costs no 401 at all — although the server expired the token.
#[wasm_bindgen_test]
async fn a_proactive_refresh_saves_the_401_round_trip() {
    let mut config = config();
    config.proactive_skew_ms = 29_500;
    let client = fresh_session_with(config).await;
    expire_access().await;
    // Past `expires_at - skew`: the timer (or this request) refreshes first.
    sleep(700).await;

    let result: Result<Value, _> = client.get(&notes(0)).await;
    assert!(matches!(result, Ok(Value::Array(_))), "{result:?}");
    let server = stats().await;
    server.assert_one_refresh();
    assert_eq!(
        server.statuses(NOTES),
        statuses(&[("200", 1)]),
        "no 401: {server:?}"
    );
    let local = client.stats();
    assert_eq!(
        (local.refreshes, local.auth_failures, local.replays),
        (1, 0, 0),
        "{local:?}"
    );
    reset().await;
}

/// A request that waits longer than `queue_max_wait_ms` for the refresh fails with a clear, retryable error.
#[wasm_bindgen_test]
async fn waiting_too_long_for_the_refresh_is_a_queue_timeout() {
    let mut config = config();
    config.queue_max_wait_ms = 150;
    let client = fresh_session_with(config).await;
    let (events, _subscription) = record_events(&client);
    latency(0, 600).await;
    expire_access().await;

    let started = now();
    let results = join_all((0..3).map(|i| get(&client, i))).await;
    let took = now() - started;
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result, &Err(Error::QueueTimeout), "request {i}");
    }
    assert!(took < 590.0, "failed before the refresh ended ({took} ms)");
    assert_eq!(client.stats().queue_timeouts, 3);
    // The refresh itself goes on and succeeds; the session is intact.
    wait_until("the refresh finished", 3_000.0, || {
        events
            .borrow()
            .iter()
            .any(|e| matches!(e, ClientEvent::Refreshed { .. }))
    })
    .await;
    let next: Result<Value, _> = client.get(&notes(3)).await;
    assert!(matches!(next, Ok(Value::Array(_))), "{next:?}");
    let server = stats().await;
    server.assert_one_refresh();
    reset().await;
}

#[wasm_bindgen_test]
async fn logout_ends_the_session_here() {
    let client = fresh_session().await;
    let (events, _subscription) = record_events(&client);
    client.logout().await.expect("logout");
    assert_eq!(
        *events.borrow(),
        vec![ClientEvent::SessionEnded {
            reason: EndReason::SignedOut
        }]
    );
    assert_eq!(
        client.get::<Value>(&notes(0)).await,
        Err(Error::SessionEnded)
    );
    assert!(
        cookie("lanyard_csrf").is_none(),
        "the CSRF cookie is cleared: {}",
        document_cookie()
    );
    let server = stats().await;
    assert_eq!(
        server.statuses("POST /api/auth/logout"),
        statuses(&[("204", 1)]),
        "{server:?}"
    );
    assert_eq!(server.all(NOTES), 0);
    reset().await;
}

/// A client that is dropped must stop listening to other tabs. Otherwise its BroadcastChannel outlives it
/// with a handler pointing at a freed closure, and the next message from any tab (here: another client's
/// login) throws "closure invoked recursively or after being dropped" out of the event loop.
#[wasm_bindgen_test]
async fn a_dropped_client_leaves_no_listener_behind() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let window = web_sys::window().expect("window");
    let errors = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = errors.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let message = js_sys::Reflect::get(&event, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string());
        sink.borrow_mut()
            .push(message.unwrap_or_else(|| event.type_()));
    });
    window
        .add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
        .expect("listen for uncaught errors");

    drop(Client::builder(config()).build().expect("a valid config"));
    // Another client signs in, which it tells the other tabs (and the page's other clients) about.
    let client = fresh_session().await;
    let _: Value = client.get(&notes(0)).await.expect("a request");
    sleep(100).await;

    window
        .remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
        .expect("stop listening");
    assert!(
        errors.borrow().is_empty(),
        "uncaught errors: {:?}",
        errors.borrow()
    );
    reset().await;
}

/// Short-lived tokens: with 1-second access tokens and a queue that takes seconds to drain, the token
/// expires again mid-storm. Each new expiry costs one refresh (not a loop, not a failure): every request
/// succeeds, and the refreshes stay within one per token lifetime.
#[wasm_bindgen_test]
async fn one_second_tokens_expiring_mid_storm_are_refreshed_once_per_expiry() {
    let mut config = config();
    config.proactive_skew_ms = 0; // only 401s reveal an expiry: the path under test
    config.expiry_field = None;
    let client = fresh_session_with(config).await;
    hook("access-ttl", Some(json!({ "ms": 1000 }))).await;
    latency(40, 0).await;
    expire_access().await;

    let started = now();
    let results = join_all((0..200).map(|i| get(&client, i))).await;
    let wall_ms = now() - started;

    let failed: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        failed.first()
    );
    let server = stats().await;
    assert_eq!(server.count(NOTES, "200"), 200, "{server:?}");
    // The storm must outlive a token, or this tests nothing.
    assert!(wall_ms > 1_500.0, "the storm took only {wall_ms} ms");
    let refreshes = server.all(REFRESH);
    let bound = (wall_ms / 1_000.0).ceil() as u64 + 1;
    assert!(
        (2..=bound).contains(&refreshes),
        "{refreshes} refreshes in {wall_ms} ms of 1-second tokens (at most {bound}): {server:?}"
    );
    assert_eq!(server.count(REFRESH, "200"), refreshes, "{server:?}");
    let local = client.stats();
    assert_eq!(local.refreshes, refreshes, "{local:?}");
    assert_eq!(
        local.replays,
        server.count(NOTES, "401"),
        "every 401 replayed: {local:?}"
    );
    reset().await;
}

/// A struggling auth server: a refresh answered 503 with `Retry-After: 2` is not tried again for 2 s; the
/// 401s meanwhile fail at once with the retryable error (counted at the server: one refresh call, not six).
/// After the window, the next request refreshes and succeeds; nobody was signed out.
#[wasm_bindgen_test]
async fn retry_after_on_the_refresh_is_honoured() {
    let client = fresh_session().await;
    hook(
        "fail-refresh",
        Some(json!({ "count": 1, "mode": "503", "retry_after": 2 })),
    )
    .await;
    expire_access().await;

    assert_eq!(get(&client, 0).await, Err(Error::RefreshUnavailable));
    let started = now();
    for i in 1..=5 {
        let result = get(&client, i).await;
        assert_eq!(result, Err(Error::RefreshUnavailable), "request {i}");
        assert!(result.unwrap_err().is_retryable());
    }
    assert!(now() - started < 1_500.0, "inside the window, at once");
    assert_eq!(stats().await.all(REFRESH), 1, "one refresh call, not six");

    sleep(2_100).await;
    let after = get(&client, 6).await;
    assert!(matches!(after, Ok(Value::Array(_))), "{after:?}");
    let server = stats().await;
    assert_eq!(
        server.statuses(REFRESH),
        statuses(&[("503", 1), ("200", 1)]),
        "{server:?}"
    );
    assert!(!client.is_session_ended());
    reset().await;
}

/// A cross-tab lock that never comes (a tab frozen while holding it, a lock lost in sleep): waiting for it is
/// bounded by the refresh timeout, and it means "refresh unavailable" (retryable), never "session ended".
/// Once the lock is free again, the next request refreshes and succeeds.
#[wasm_bindgen_test]
async fn a_refresh_lock_that_never_comes_is_retryable_not_a_logout() {
    let mut config = config();
    config.refresh_timeout_ms = 1_000;
    let client = fresh_session_with(config).await;
    // Another holder of the refresh lock (here the page itself) that does not let go until told.
    let held = js_sys::eval(
        "new Promise(held => navigator.locks.request('lanyard-refresh', () => \
             new Promise(release => { window.__releaseRefreshLock = release; held(); })))",
    )
    .expect("hold the lock");
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(held))
        .await
        .expect("the lock is held");
    expire_access().await;

    let started = now();
    assert_eq!(get(&client, 0).await, Err(Error::RefreshUnavailable));
    let waited = now() - started;
    assert!(
        (900.0..3_000.0).contains(&waited),
        "bounded by the refresh timeout: {waited} ms"
    );
    assert!(!client.is_session_ended());
    assert_eq!(stats().await.all(REFRESH), 0, "no refresh without the lock");

    js_sys::eval("window.__releaseRefreshLock()").expect("let go of the lock");
    let after = get(&client, 1).await;
    assert!(matches!(after, Ok(Value::Array(_))), "{after:?}");
    assert_eq!(stats().await.count(REFRESH, "200"), 1);
    reset().await;
}

/// Two clients of one page stand for two tabs (each has its own tab id; they share the locks). Both meet the
/// expired token while the first one's refresh is slow; the second is granted the refresh lock after it and
/// finds its record (a lock the first holds, read with `navigator.locks.query()`), so it makes no refresh of
/// its own. Firefox hands localStorage to other tabs late, which is why the record is a lock (see `tabs.rs`).
#[wasm_bindgen_test]
async fn a_tab_granted_the_refresh_lock_after_another_tabs_refresh_skips_its_own() {
    let first = fresh_session().await;
    let second = Client::builder(config()).build().expect("a valid config");
    expire_access().await;
    latency(0, 800).await;

    let (a, b) = futures_util::future::join(get(&first, 0), async {
        // Leaves while the first client's refresh is under way, so it meets the expired token too.
        sleep(200).await;
        get(&second, 1).await
    })
    .await;

    assert!(matches!(a, Ok(Value::Array(_))), "first: {a:?}");
    assert!(matches!(b, Ok(Value::Array(_))), "second: {b:?}");
    let server = stats().await;
    server.assert_one_refresh();
    assert_eq!(
        server.count(NOTES, "401"),
        2,
        "both met the expired token: {server:?}"
    );
    let (one, two) = (first.stats(), second.stats());
    assert_eq!(one.refreshes + two.refreshes, 1, "{one:?} {two:?}");
    reset().await;
}

/// Two clients of one page stand for two tabs. The auth server answers the first one's refresh with 503 and
/// `Retry-After: 2`; the second, meeting the expired token inside that window, holds back too (the first
/// tab's back-off is a lock it holds, read inside the refresh lock) instead of asking the struggling server
/// again. After the window, one refresh serves both.
#[wasm_bindgen_test]
async fn a_retry_after_one_tab_was_given_holds_for_the_other_tabs() {
    let first = fresh_session().await;
    let second = Client::builder(config()).build().expect("a valid config");
    hook(
        "fail-refresh",
        Some(json!({ "count": 1, "mode": "503", "retry_after": 2 })),
    )
    .await;
    expire_access().await;

    assert_eq!(get(&first, 0).await, Err(Error::RefreshUnavailable));
    let other_tab = get(&second, 1).await;
    assert_eq!(other_tab, Err(Error::RefreshUnavailable), "held back too");
    assert_eq!(
        stats().await.all(REFRESH),
        1,
        "one refresh call for both tabs"
    );

    sleep(2_100).await;
    let (a, b) = futures_util::future::join(get(&first, 2), get(&second, 3)).await;
    assert!(matches!(a, Ok(Value::Array(_))), "first: {a:?}");
    assert!(matches!(b, Ok(Value::Array(_))), "second: {b:?}");
    let server = stats().await;
    assert_eq!(
        server.statuses(REFRESH),
        statuses(&[("503", 1), ("200", 1)]),
        "{server:?}"
    );
    reset().await;
}
