//! Property test of the whole client: two tabs over the model backend, every answer held and released in
//! random order, with expiries, refresh faults, timeouts, aborts, logins and logouts interleaved.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use proptest::prelude::*;
use serde_json::Value;

use super::fakes::*;
use crate::config::ClientConfig;
use crate::transport::Protocol;
use crate::*;

#[derive(Clone, Debug)]
enum Op {
    Issue(usize),
    IssueAbortable(usize),
    Release(usize),
    ExpireAccess,
    Advance(u64),
    Abort(usize),
    RefreshFault(bool),
    Login(usize),
    Logout(usize),
    /// The browser goes offline (`false`) or back online.
    Online(bool),
}

fn op(tabs: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..tabs).prop_map(Op::Issue),
        1 => (0..tabs).prop_map(Op::IssueAbortable),
        10 => any::<usize>().prop_map(Op::Release),
        2 => Just(Op::ExpireAccess),
        2 => prop_oneof![1u64..2_000, 2_000u64..40_000].prop_map(Op::Advance),
        1 => any::<usize>().prop_map(Op::Abort),
        1 => any::<bool>().prop_map(Op::RefreshFault),
        1 => (0..tabs).prop_map(Op::Login),
        1 => (0..tabs).prop_map(Op::Logout),
        1 => any::<bool>().prop_map(Op::Online),
    ]
}

type Slot = Rc<RefCell<Option<Result<Value, Error>>>>;

struct World {
    env: Env,
    tabs: Vec<Client>,
    calls: Vec<Slot>,
    aborts: Vec<AbortHandle>,
    other: Vec<Rc<RefCell<Option<()>>>>,
    ended_mark: Vec<Option<usize>>,
    next: usize,
    skew: u64,
    expire_ops: u64,
    logins: u64,
    elapsed: u64,
    /// While offline: how many calls the server had seen when the browser went offline.
    offline_since: Option<usize>,
}

impl World {
    fn new(tabs: usize, skew: u64) -> World {
        let config = ClientConfig {
            proactive_skew_ms: skew,
            queue_max: 50,
            ..config()
        };
        let env = Env::new(config.clone());
        env.server.sign_in();
        env.server.set_hold(Hold::All);
        let hub = Rc::new(Hub::default());
        let tabs = (0..tabs)
            .map(|t| env.tab(config.clone(), &hub, t))
            .collect::<Vec<_>>();
        let ended_mark = vec![None; tabs.len()];
        World {
            env,
            tabs,
            calls: vec![],
            aborts: vec![],
            other: vec![],
            ended_mark,
            next: 0,
            skew,
            expire_ops: 0,
            logins: 0,
            elapsed: 0,
            offline_since: None,
        }
    }

    fn issue(&mut self, tab: usize, abortable: bool) {
        let client = self.tabs[tab].clone();
        let abort = abortable.then(AbortHandle::new);
        if let Some(a) = &abort {
            self.aborts.push(a.clone());
        }
        let mut request = Request::get(format!("/api/notes?t={tab}&i={}", self.next));
        if let Some(abort) = abort {
            request = request.abort_handle(abort);
        }
        self.next += 1;
        self.calls.push(
            self.env
                .spawn(async move { client.send::<Value>(request).await }),
        );
    }

    fn step(&mut self, op: Op) {
        match op {
            Op::Issue(t) => self.issue(t, false),
            Op::IssueAbortable(t) => self.issue(t, true),
            Op::Release(i) => {
                let held = self.env.server.held();
                if held > 0 {
                    self.env.server.release(i % held);
                }
            }
            Op::ExpireAccess => {
                self.expire_ops += 1;
                self.env.server.expire_access();
            }
            Op::Advance(ms) => {
                self.elapsed += ms;
                self.env.advance(ms);
            }
            Op::Abort(i) => {
                if !self.aborts.is_empty() {
                    self.aborts[i % self.aborts.len()].abort();
                }
            }
            Op::RefreshFault(drop) => {
                let fault = if drop {
                    RefreshFault::Drop
                } else {
                    RefreshFault::Status(503)
                };
                self.env
                    .server
                    .state
                    .borrow_mut()
                    .refresh_faults
                    .push_back(fault);
            }
            Op::Login(t) => {
                self.logins += 1;
                let client = self.tabs[t].clone();
                self.other.push(self.env.spawn(async move {
                    let _ = login(&client, "ada", "pw").await;
                }));
            }
            Op::Logout(t) => {
                let client = self.tabs[t].clone();
                self.other.push(self.env.spawn(async move {
                    let _ = client.logout().await;
                }));
            }
            Op::Online(online) => {
                self.env.rt.online.set(online);
                self.offline_since = (!online).then(|| self.env.server.state.borrow().log.len());
                if online {
                    for tab in &self.tabs {
                        tab.inner.back_online(); // the `online` event
                    }
                }
            }
        }
        self.env.run();
        self.check();
    }

    fn check(&mut self) {
        let server = self.env.server.state.borrow();
        // Offline, nothing new goes out (calls already on the wire may still be answered).
        if let Some(seen) = self.offline_since {
            assert_eq!(server.log.len(), seen, "a call went out while offline");
        }
        assert_eq!(
            server.reuse_detected, 0,
            "a rotated refresh token was presented again"
        );
        // Each request reaches the server at most MAX_SENDS times (a replay per refresh that could help).
        let mut sends: HashMap<&str, u32> = HashMap::new();
        for entry in server.log.iter().filter(|l| l.path == "/api/notes") {
            let n = sends.entry(&entry.url).or_default();
            *n += 1;
            assert!(
                *n <= u32::from(crate::coordinator::MAX_SENDS),
                "{} sent {n} times",
                entry.url
            );
        }
        // An ended tab sends nothing until it is signed in again.
        for (t, client) in self.tabs.iter().enumerate() {
            if !client.is_session_ended() {
                self.ended_mark[t] = None;
                continue;
            }
            let mark = *self.ended_mark[t].get_or_insert(server.log.len());
            let tag = format!("t={t}&");
            assert!(
                server.log[mark..].iter().all(|l| !l.url.contains(&tag)),
                "tab {t} sent a request after its session ended"
            );
        }
        // One refresh per expiry: every successful refresh needs a new invalidation of the access token.
        let ok_refreshes = server
            .log
            .iter()
            .filter(|l| l.path == "/api/auth/refresh" && l.status == Some(200))
            .count() as u64;
        let bound = 2 + self.expire_ops + self.logins + self.elapsed / (TTL - self.skew);
        assert!(
            ok_refreshes <= bound,
            "{ok_refreshes} refreshes for at most {bound} expiries"
        );
    }

    /// Answers everything and lets every timer run out: then every call must have settled exactly once.
    fn drain(&mut self) {
        self.env.server.set_hold(Hold::None);
        for _ in 0..20 {
            while self.env.server.held() > 0 {
                self.env.server.release(0);
                self.env.run();
                self.check();
            }
            self.elapsed += 5_000;
            self.env.advance(5_000);
        }
        self.check();
        for (i, slot) in self.calls.iter().enumerate() {
            assert!(slot.borrow().is_some(), "call {i} never settled");
        }
        assert!(
            self.other.iter().all(|s| s.borrow().is_some()),
            "a login/logout never finished"
        );
        for client in &self.tabs {
            let stats = client.stats();
            assert_eq!((stats.queued, stats.in_flight), (0, 0), "{stats:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_500, ..ProptestConfig::default() })]

    #[test]
    fn client_invariants_hold_across_tabs(
        tabs in 1usize..=2,
        proactive in any::<bool>(),
        protocol in prop_oneof![Just(None), Just(Some(Protocol::Http1)), Just(Some(Protocol::Http2))],
        ops in prop::collection::vec(op(2), 1..60),
    ) {
        let mut world = World::new(tabs, if proactive { 5_000 } else { 0 });
        world.env.server.state.borrow_mut().protocol = protocol;
        for op in ops {
            let op = match op {
                Op::Issue(t) => Op::Issue(t % tabs),
                Op::IssueAbortable(t) => Op::IssueAbortable(t % tabs),
                Op::Login(t) => Op::Login(t % tabs),
                Op::Logout(t) => Op::Logout(t % tabs),
                other => other,
            };
            world.step(op);
        }
        world.drain();
        if tabs == 1 {
            // The refresh never found every connection taken (one tab: tabs share the browser's pool).
            let connections = match protocol {
                Some(Protocol::Http2) => 100,
                _ => 6,
            };
            let server = world.env.server.state.borrow();
            let busiest = server.busy_at_refresh.iter().max().copied().unwrap_or(0);
            prop_assert!(
                busiest < connections,
                "a refresh left with {busiest} calls on {connections} connections"
            );
        }
    }
}
