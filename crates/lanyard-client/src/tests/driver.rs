//! The client end to end over the model backend: one refresh, queue, replay, bounds, events.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use super::fakes::*;
use crate::config::ClientConfig;
use crate::coordinator::EndReason;
use crate::*;

pub(super) type Slot<T> = Rc<RefCell<Option<Result<T, Error>>>>;

pub(super) fn get(env: &Env, path: &str) -> Slot<Value> {
    let client = env.client.clone();
    let path = path.to_string();
    env.spawn(async move { client.get::<Value>(&path).await })
}

pub(super) fn send(env: &Env, request: Request) -> Slot<Value> {
    let client = env.client.clone();
    env.spawn(async move { client.send::<Value>(request).await })
}

pub(super) fn take<T>(slot: &Slot<T>) -> Result<T, Error> {
    slot.borrow_mut().take().expect("the call has not finished")
}

pub(super) fn signed_in(config: ClientConfig) -> Env {
    let env = Env::new(config);
    env.server.sign_in();
    env
}

pub(super) fn events(client: &Client) -> (Rc<RefCell<Vec<ClientEvent>>>, Subscription) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let sub = client.subscribe(move |e| sink.borrow_mut().push(*e));
    (seen, sub)
}

#[test]
fn concurrent_requests_with_an_expired_token_cost_one_refresh() {
    let mut env = signed_in(config());
    env.server.expire_access();
    let slots: Vec<_> = (0..25)
        .map(|i| get(&env, &format!("/api/notes?i={i}")))
        .collect();
    env.run();
    for slot in &slots {
        assert!(take(slot).is_ok());
    }
    assert_eq!(env.server.refresh_calls(), 1);
    let stats = env.client.stats();
    assert_eq!(
        (
            stats.refreshes,
            stats.replays,
            stats.auth_failures,
            stats.epoch
        ),
        (1, 25, 25, 1)
    );
    assert_eq!((stats.queued, stats.in_flight), (0, 0));
}

#[test]
fn a_late_401_is_replayed_without_a_second_refresh() {
    let mut env = signed_in(config());
    env.server.set_hold(Hold::All);
    let early = get(&env, "/api/notes?i=early");
    let late = get(&env, "/api/notes?i=late");
    env.run();
    env.server.expire_access();
    env.server.release(0); // early: 401 → refresh (held)
    env.run();
    assert_eq!(
        env.server.held_paths(),
        vec!["/api/notes", "/api/auth/refresh"]
    );
    env.server.release(1); // refresh OK → early replayed
    env.run();
    env.server.release(0); // late: sent with the old cookie, 401 after the refresh → replay, no refresh
    env.run();
    assert_eq!(env.server.held(), 2);
    env.server.release(0);
    env.server.release(0);
    env.run();
    assert!(take(&early).is_ok());
    assert!(take(&late).is_ok());
    assert_eq!(env.server.refresh_calls(), 1);
    assert_eq!(env.client.stats().replays, 2);
}

#[test]
fn refused_refresh_ends_the_session_and_new_requests_fail_fast() {
    let mut env = signed_in(config());
    let (seen, _sub) = events(&env.client);
    env.server.expire_access();
    env.server.state.borrow_mut().family_revoked = true;
    let slots: Vec<_> = (0..3)
        .map(|i| get(&env, &format!("/api/notes?i={i}")))
        .collect();
    env.run();
    for slot in &slots {
        assert_eq!(take(slot), Err(Error::SessionEnded));
    }
    assert_eq!(
        *seen.borrow(),
        vec![ClientEvent::SessionEnded {
            reason: EndReason::RefreshRefused
        }]
    );
    assert!(env.client.is_session_ended());
    let before = env.server.state.borrow().log.len();
    let again = get(&env, "/api/notes");
    env.run();
    assert_eq!(take(&again), Err(Error::SessionEnded));
    assert_eq!(
        env.server.state.borrow().log.len(),
        before,
        "no request after the end"
    );
    assert_eq!(env.server.refresh_calls(), 1);
}

#[test]
fn unavailable_refresh_fails_retryably_then_the_next_request_works() {
    let mut env = signed_in(config());
    env.server.expire_access();
    env.server
        .state
        .borrow_mut()
        .refresh_faults
        .extend([RefreshFault::Status(503), RefreshFault::Drop]);
    let a = get(&env, "/api/notes?i=a");
    env.run();
    assert_eq!(take(&a), Err(Error::RefreshUnavailable));
    let b = get(&env, "/api/notes?i=b");
    env.run();
    assert_eq!(take(&b), Err(Error::RefreshUnavailable));
    assert!(!env.client.is_session_ended());
    // Two failures in a row: a back-off of about a second, in which a 401 fails at once, no refresh.
    let early = get(&env, "/api/notes?i=early");
    env.run();
    assert_eq!(take(&early), Err(Error::RefreshUnavailable));
    assert_eq!(env.server.refresh_calls(), 2);
    env.advance(1_250);
    let c = get(&env, "/api/notes?i=c");
    env.run();
    assert!(take(&c).is_ok());
    assert_eq!(env.client.stats().refresh_failures, 2);
    assert_eq!(env.server.refresh_calls(), 3);
}

#[test]
fn retry_after_on_a_refresh_is_honoured() {
    let mut env = signed_in(config());
    env.server.expire_access();
    env.server
        .state
        .borrow_mut()
        .refresh_faults
        .push_back(RefreshFault::RetryAfter(503, 30));
    let a = get(&env, "/api/notes?i=a");
    env.run();
    assert_eq!(take(&a), Err(Error::RefreshUnavailable));
    // Inside the 30 s the auth server asked for: 401s fail at once, nothing goes to refresh.
    for k in 0..5 {
        env.advance(5_000);
        let early = get(&env, &format!("/api/notes?i=early{k}"));
        env.run();
        assert_eq!(take(&early), Err(Error::RefreshUnavailable));
    }
    assert_eq!(env.server.refresh_calls(), 1);
    env.advance(5_001);
    let later = get(&env, "/api/notes?i=later");
    env.run();
    assert!(take(&later).is_ok());
    assert_eq!(env.server.refresh_calls(), 2);
    assert!(!env.client.is_session_ended());
}

#[test]
fn one_replay_per_request() {
    let mut env = signed_in(config());
    let a = get(&env, "/api/always401");
    env.run();
    assert!(matches!(take(&a), Err(Error::Http { status: 401, .. })));
    assert_eq!(env.server.count(Method::Get, "/api/always401"), 2);
    assert_eq!(env.server.refresh_calls(), 1);
}

#[test]
fn skip_refresh_requests_are_never_intercepted() {
    let mut env = signed_in(config());
    env.server.expire_access();
    let a = send(&env, Request::get("/api/notes").skip_refresh());
    env.run();
    assert!(matches!(take(&a), Err(Error::Http { status: 401, .. })));
    assert_eq!(env.server.refresh_calls(), 0);
    assert_eq!(env.client.stats().requests, 0);
}

#[test]
fn the_replay_resends_the_same_body() {
    let mut env = signed_in(config());
    env.server.expire_access();
    let client = env.client.clone();
    let body = serde_json::json!({"title": "Groceries", "body": "milk ✓"});
    let sent = body.clone();
    let slot = env.spawn(async move { client.post::<_, Value>("/api/notes", &sent).await });
    env.run();
    assert_eq!(take(&slot).unwrap()["body"], body);
    let state = env.server.state.borrow();
    let posts: Vec<_> = state
        .log
        .iter()
        .filter(|l| l.path == "/api/notes")
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].body, posts[1].body);
    assert_eq!(posts[0].status, Some(401));
    assert_eq!(posts[1].status, Some(200));
}

#[test]
fn proactive_refresh_holds_requests_and_costs_no_auth_failure() {
    let mut env = Env::new(ClientConfig {
        proactive_skew_ms: 5_000,
        ..config()
    });
    let client = env.client.clone();
    let login = env.spawn(async move { login(&client, "ada", "pw").await });
    env.run();
    assert_eq!(take(&login).unwrap().user.username, "ada");
    env.server.set_hold(Hold::Refresh);
    env.advance(TTL - 5_000); // the proactive timer fires: refresh (held)
    assert_eq!(env.server.held_paths(), vec!["/api/auth/refresh"]);
    let slots: Vec<_> = (0..3)
        .map(|i| get(&env, &format!("/api/notes?i={i}")))
        .collect();
    env.run();
    assert_eq!(
        env.server.count(Method::Get, "/api/notes"),
        0,
        "held in the window"
    );
    env.server.release(0);
    env.run();
    for slot in &slots {
        assert!(take(slot).is_ok());
    }
    let stats = env.client.stats();
    assert_eq!(
        (stats.auth_failures, stats.refreshes, stats.replays),
        (0, 1, 0)
    );
    // And the next window is scheduled from the new expiry.
    env.server.set_hold(Hold::None);
    env.advance(TTL - 5_000);
    assert_eq!(env.client.stats().refreshes, 2);
    assert_eq!(env.client.stats().auth_failures, 0);
}

#[test]
fn me_records_the_expiry_for_proactive_refresh() {
    let mut env = signed_in(ClientConfig {
        proactive_skew_ms: 5_000,
        ..config()
    });
    let client = env.client.clone();
    let me = env.spawn(async move { client.me::<Session>().await });
    env.run();
    assert_eq!(take(&me).unwrap().user.display_name, "Ada");
    env.advance(TTL - 5_000);
    assert_eq!(env.server.refresh_calls(), 1);
}

#[test]
fn login_logout_and_events() {
    let mut env = Env::new(config());
    let (seen, sub) = events(&env.client);
    let client = env.client.clone();
    let bad = env.spawn(async move { login(&client, "ada", "nope").await });
    env.run();
    let err = take(&bad).unwrap_err();
    assert_eq!(err.code(), Some("invalid_credentials"));
    assert_eq!(err.server_message(), Some("invalid_credentials!"));
    assert_eq!(
        env.server.refresh_calls(),
        0,
        "a failed login is not refreshed"
    );
    let client = env.client.clone();
    let ok = env.spawn(async move { login(&client, "ada", "pw").await });
    env.run();
    assert!(take(&ok).is_ok());
    let client = env.client.clone();
    let out = env.spawn(async move { client.logout().await });
    env.run();
    assert_eq!(take(&out), Ok(()));
    assert_eq!(
        *seen.borrow(),
        vec![ClientEvent::SessionEnded {
            reason: EndReason::SignedOut
        }]
    );
    let after = get(&env, "/api/notes");
    env.run();
    assert_eq!(take(&after), Err(Error::SessionEnded));
    drop(sub);
    let client = env.client.clone();
    env.spawn(async move { login(&client, "ada", "pw").await });
    env.run();
    let again = get(&env, "/api/notes");
    env.run();
    assert!(take(&again).is_ok());
    assert_eq!(seen.borrow().len(), 1, "dropped subscription hears nothing");
}

#[test]
fn empty_bodies_and_error_bodies_decode() {
    let mut env = signed_in(config());
    let client = env.client.clone();
    let deleted = env.spawn(async move { client.delete::<()>("/api/notes/1").await });
    let client = env.client.clone();
    let wrong = env.spawn(async move { client.get::<Vec<u32>>("/api/notes").await });
    env.run();
    assert_eq!(take(&deleted), Ok(()));
    assert!(matches!(take(&wrong), Err(Error::Decode { .. })));
}

#[test]
fn unsafe_methods_carry_the_csrf_cookie_and_gets_do_not() {
    let mut env = signed_in(config());
    let client = env.client.clone();
    let put = env.spawn(async move {
        client
            .put::<_, Value>("/api/notes/1", &serde_json::json!({"title": "t"}))
            .await
    });
    env.run();
    assert!(take(&put).is_ok());
    // Pointing at a cookie that doesn't exist: no header, so the backend refuses unsafe methods (403, never
    // a refresh) while GETs, which need no header, still work.
    let mut env = signed_in(ClientConfig {
        csrf_cookie: "missing".into(),
        ..config()
    });
    let client = env.client.clone();
    let post = env.spawn(async move {
        client
            .post::<_, Value>("/api/notes", &serde_json::json!({}))
            .await
    });
    let fine = get(&env, "/api/notes");
    env.run();
    assert!(matches!(take(&post), Err(Error::Http { status: 403, .. })));
    assert!(take(&fine).is_ok());
    assert_eq!(env.server.refresh_calls(), 0);
}

#[test]
fn a_browser_that_keeps_no_cookies_is_told_so_at_sign_in() {
    let mut env = Env::new(config());
    env.server.state.borrow_mut().refuses_cookies = true;
    let client = env.client.clone();
    let attempt = env.spawn(async move { login(&client, "ada", "pw").await });
    env.run();
    let err = take(&attempt).unwrap_err();
    assert_eq!(
        err,
        Error::CookiesNotKept {
            cookie: "lanyard_csrf".into()
        }
    );
    assert!(!err.is_retryable() && !err.is_session_ended());
    assert!(
        err.to_string().contains("did not keep its cookies"),
        "{err}"
    );
}

#[test]
fn offline_calls_fail_at_once_refresh_nothing_and_end_nothing() {
    let mut env = signed_in(ClientConfig {
        proactive_skew_ms: 5_000,
        ..config()
    });
    let client = env.client.clone();
    let me = env.spawn(async move { client.me::<Session>().await });
    env.run();
    assert!(
        take(&me).is_ok(),
        "the expiry is known: a proactive refresh will fall due"
    );
    let calls_before = env.server.state.borrow().log.len();

    env.rt.online.set(false);
    let offline = get(&env, "/api/notes");
    env.run();
    assert_eq!(take(&offline), Err(Error::Offline));
    assert!(Error::Offline.is_retryable() && Error::Offline.is_offline());
    // The proactive refresh falls due while offline: nothing goes out, nothing ends.
    env.advance(TTL);
    assert_eq!(
        env.server.state.borrow().log.len(),
        calls_before,
        "nothing was sent"
    );
    assert!(!env.client.is_session_ended());

    env.rt.online.set(true);
    env.client.inner.back_online(); // the `online` event
    env.server.expire_access();
    let back = get(&env, "/api/notes");
    env.run();
    assert!(take(&back).is_ok(), "back online, the session carries on");
    assert_eq!(env.server.refresh_calls(), 1);
}

#[test]
fn idempotent_calls_are_retried_after_a_struggling_servers_wait_and_posts_are_not() {
    let mut env = signed_in(config());
    env.server
        .state
        .borrow_mut()
        .notes_faults
        .extend([(503, Some(1)), (502, None)]);
    let started = env.rt.now_ms();
    let slot = get(&env, "/api/notes");
    env.run();
    assert!(slot.borrow().is_none(), "waiting out Retry-After");
    env.advance(1_000);
    env.advance(400); // the back-off after the 502
    assert!(take(&slot).is_ok());
    assert!(env.rt.now_ms() - started >= 1_000);
    assert_eq!(env.client.stats().retries, 2);
    assert_eq!(env.server.count(Method::Get, "/api/notes"), 3);

    // A POST is not sent twice: the 503 goes to the caller.
    env.server
        .state
        .borrow_mut()
        .notes_faults
        .push_back((503, Some(1)));
    let post = send(&env, Request::post("/api/notes"));
    env.run();
    assert!(matches!(take(&post), Err(Error::Http { status: 503, .. })));
    // …unless the caller marks it idempotent.
    env.server
        .state
        .borrow_mut()
        .notes_faults
        .push_back((503, Some(1)));
    let marked = send(&env, Request::post("/api/notes").idempotent());
    env.run();
    env.advance(1_000);
    assert!(take(&marked).is_ok());
    // And one request can switch retries off.
    env.server
        .state
        .borrow_mut()
        .notes_faults
        .push_back((503, None));
    let once = send(&env, Request::get("/api/notes").retries(0));
    env.run();
    assert!(matches!(take(&once), Err(Error::Http { status: 503, .. })));
}
