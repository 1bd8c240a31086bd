//! The bounds: aborts, the queue cap, the queue wait, the refresh timeout, the request timeout, the cap on
//! requests on the wire.

use super::driver::{get, send, signed_in, take};
use super::fakes::*;
use crate::config::ClientConfig;
use crate::*;

#[test]
fn abort_while_queued_leaves_at_once() {
    let mut env = signed_in(config());
    env.server.set_hold(Hold::Refresh);
    env.server.expire_access();
    let a = get(&env, "/api/notes?i=a");
    env.run();
    let abort = AbortHandle::new();
    let b = send(
        &env,
        Request::get("/api/notes?i=b").abort_handle(abort.clone()),
    );
    env.run();
    assert!(b.borrow().is_none(), "b waits for the refresh");
    abort.abort();
    env.run();
    assert_eq!(take(&b), Err(Error::Aborted));
    assert!(a.borrow().is_none());
    env.server.release(0);
    env.run();
    assert!(take(&a).is_ok());
    assert_eq!(
        env.server.count(Method::Get, "/api/notes"),
        2,
        "b never reached the server"
    );
}

#[test]
fn abort_in_flight_cancels_the_transmission() {
    let mut env = signed_in(config());
    env.server.set_hold(Hold::All);
    let abort = AbortHandle::new();
    let a = send(&env, Request::get("/api/notes").abort_handle(abort.clone()));
    env.run();
    assert_eq!(env.server.held(), 1);
    abort.abort();
    env.run();
    assert_eq!(take(&a), Err(Error::Aborted));
    assert_eq!(env.server.held(), 0);
    // Already aborted: fails without a transmission.
    let b = send(&env, Request::get("/api/notes").abort_handle(abort));
    env.run();
    assert_eq!(take(&b), Err(Error::Aborted));
    assert_eq!(env.client.stats().aborted, 1);
}

#[test]
fn queue_cap_gives_queue_full() {
    let mut env = signed_in(ClientConfig {
        queue_max: 3,
        ..config()
    });
    env.server.set_hold(Hold::Refresh);
    env.server.expire_access();
    let slots: Vec<_> = (0..5)
        .map(|i| get(&env, &format!("/api/notes?i={i}")))
        .collect();
    env.run();
    let full = slots
        .iter()
        .filter(|s| *s.borrow() == Some(Err(Error::QueueFull)))
        .count();
    assert_eq!(full, 2);
    env.server.release(0);
    env.run();
    assert_eq!(
        slots
            .iter()
            .filter(|s| matches!(*s.borrow(), Some(Ok(_))))
            .count(),
        3
    );
    assert_eq!(env.client.stats().queue_full, 2);
}

#[test]
fn queued_requests_time_out() {
    let mut env = signed_in(ClientConfig {
        queue_max_wait_ms: 5_000,
        refresh_timeout_ms: 30_000,
        ..config()
    });
    env.server.set_hold(Hold::Refresh);
    env.server.expire_access();
    let a = get(&env, "/api/notes");
    env.advance(4_999);
    assert!(a.borrow().is_none());
    env.advance(1);
    assert_eq!(take(&a), Err(Error::QueueTimeout));
    env.advance(25_000); // the refresh itself times out and is withdrawn
    assert_eq!(env.server.held(), 0);
    assert_eq!(env.client.stats().refresh_failures, 1);
}

#[test]
fn a_hanging_refresh_times_out_as_unavailable() {
    let mut env = signed_in(config());
    env.server.set_hold(Hold::Refresh);
    env.server.expire_access();
    let a = get(&env, "/api/notes");
    env.advance(10_000);
    assert_eq!(take(&a), Err(Error::RefreshUnavailable));
    assert_eq!(env.server.held(), 0, "the refresh call was aborted");
}

#[test]
fn request_timeout() {
    let mut env = signed_in(config());
    env.server.set_hold(Hold::All);
    let a = send(&env, Request::get("/api/notes").timeout_ms(1_000));
    env.advance(1_000);
    assert_eq!(take(&a), Err(Error::Timeout));
    assert_eq!(env.server.held(), 0);
}

#[test]
fn requests_waiting_for_a_place_on_the_wire_leave_after_the_refresh_and_never_see_a_401() {
    let mut env = signed_in(ClientConfig {
        max_in_flight: crate::InFlightCap::Fixed(2),
        ..config()
    });
    env.server.expire_access();
    env.server.set_hold(Hold::All);
    let slots: Vec<_> = (0..6)
        .map(|i| get(&env, &format!("/api/notes?i={i}")))
        .collect();
    env.run();
    assert_eq!(
        env.server.held(),
        2,
        "only max_in_flight requests are on the wire"
    );
    env.server.release(0); // a 401: the refresh starts, past the gate; request 2 takes the freed place
    env.run();
    let held = env.server.held_paths();
    assert_eq!(held.len(), 3, "{held:?}");
    let refresh = held
        .iter()
        .position(|p| p == "/api/auth/refresh")
        .expect("the refresh went out although every place was taken");
    env.server.set_hold(Hold::None);
    env.server.release(refresh);
    env.run();
    while env.server.held() > 0 {
        env.server.release(0);
        env.run();
    }
    for slot in &slots {
        assert!(take(slot).is_ok());
    }
    assert_eq!(env.server.refresh_calls(), 1);
    // Only the three sent before the new cookies existed met a 401; the other three left afterwards.
    assert_eq!(env.client.stats().auth_failures, 3);
}
