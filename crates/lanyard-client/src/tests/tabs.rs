//! Two tabs of one browser: shared cookie jar and backend, a shared lock, record and broadcast hub.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use super::fakes::*;
use crate::coordinator::EndReason;
use crate::runtime::TabMessageKind;
use crate::*;

fn two_tabs() -> (Env, Rc<Hub>, Client, Client) {
    let env = Env::new(config());
    env.server.sign_in();
    let hub = Rc::new(Hub::default());
    let a = env.tab(config(), &hub, 0);
    let b = env.tab(config(), &hub, 1);
    (env, hub, a, b)
}

fn get(env: &Env, client: &Client, path: &str) -> Rc<RefCell<Option<Result<Value, Error>>>> {
    let client = client.clone();
    let path = path.to_string();
    env.spawn(async move { client.get::<Value>(&path).await })
}

fn record(client: &Client) -> Rc<RefCell<Vec<ClientEvent>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    // Leaked on purpose: the subscription lives as long as the test.
    std::mem::forget(client.subscribe(move |e| sink.borrow_mut().push(*e)));
    seen
}

#[test]
fn two_tabs_with_an_expired_token_refresh_once() {
    let (mut env, _hub, a, b) = two_tabs();
    env.server.expire_access();
    // Both tabs get their 401 before either refresh answers: the lock serialises the refreshes, and the
    // second finds the first one's record and skips the call (a second call would be reuse → logout).
    env.server.set_hold(Hold::Refresh);
    let ra = get(&env, &a, "/api/notes?tab=a");
    let rb = get(&env, &b, "/api/notes?tab=b");
    env.run();
    assert_eq!(
        env.server.held_paths(),
        vec!["/api/auth/refresh"],
        "tab b waits for the lock"
    );
    env.server.release(0);
    env.run();
    assert!(ra.borrow_mut().take().unwrap().is_ok());
    assert!(rb.borrow_mut().take().unwrap().is_ok());
    assert_eq!(env.server.refresh_calls(), 1);
    assert_eq!(env.server.state.borrow().reuse_detected, 0);
    assert_eq!(a.stats().refreshes + b.stats().refreshes, 1);
    assert_eq!(a.stats().refreshes_skipped + b.stats().refreshes_skipped, 1);
}

#[test]
fn a_broadcast_refresh_makes_the_other_tab_replay_instead_of_refreshing() {
    let (mut env, _hub, a, b) = two_tabs();
    let seen_b = record(&b);
    env.server.set_hold(Hold::All);
    let rb = get(&env, &b, "/api/notes?tab=b"); // leaves with the old cookie
    env.run();
    env.server.expire_access();
    env.server.set_hold(Hold::None);
    let ra = get(&env, &a, "/api/notes?tab=a"); // 401 → refresh → broadcast
    env.run();
    assert!(ra.borrow_mut().take().unwrap().is_ok());
    assert_eq!(
        *seen_b.borrow(),
        vec![ClientEvent::Refreshed {
            expires_at: Some(env.rt.now_ms() + TTL)
        }]
    );
    env.server.release(0); // b's late 401: epoch moved by the broadcast → replay, no refresh
    env.run();
    assert!(rb.borrow_mut().take().unwrap().is_ok());
    assert_eq!(env.server.refresh_calls(), 1);
    assert_eq!(b.stats().refreshes, 0);
    assert_eq!(b.stats().replays, 1);
}

#[test]
fn a_refused_refresh_ends_every_tab() {
    let (mut env, hub, a, b) = two_tabs();
    let seen_b = record(&b);
    env.server.expire_access();
    env.server.state.borrow_mut().family_revoked = true;
    let ra = get(&env, &a, "/api/notes");
    env.run();
    assert_eq!(ra.borrow_mut().take().unwrap(), Err(Error::SessionEnded));
    assert_eq!(
        *seen_b.borrow(),
        vec![ClientEvent::SessionEnded {
            reason: EndReason::EndedElsewhere
        }]
    );
    assert!(b.is_session_ended());
    assert!(hub
        .broadcasts
        .borrow()
        .iter()
        .any(|(tab, m)| *tab == 0 && m.kind == TabMessageKind::Ended));
}

#[test]
fn login_and_logout_follow_across_tabs() {
    let (mut env, _hub, a, b) = two_tabs();
    let seen_b = record(&b);
    let client = a.clone();
    env.spawn(async move { client.logout().await });
    env.run();
    assert_eq!(
        *seen_b.borrow(),
        vec![ClientEvent::SessionEnded {
            reason: EndReason::SignedOutElsewhere
        }]
    );
    let rb = get(&env, &b, "/api/notes");
    env.run();
    assert_eq!(rb.borrow_mut().take().unwrap(), Err(Error::SessionEnded));
    let client = a.clone();
    env.spawn(async move { login(&client, "ada", "pw").await });
    env.run();
    assert_eq!(
        seen_b.borrow().last(),
        Some(&ClientEvent::SignedInElsewhere)
    );
    let rb = get(&env, &b, "/api/notes");
    env.run();
    assert!(rb.borrow_mut().take().unwrap().is_ok());
}
