//! Test doubles: a manual clock, a model backend behind a fake transport (the cookie jar included), and a
//! hub that plays the browser's Web Locks + BroadcastChannel for several clients ("tabs").

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt;
use futures_channel::oneshot;
use futures_util::future::{FutureExt, LocalBoxFuture};

use crate::config::ClientConfig;
use crate::coordinator::{RefreshOutcome, RefreshRecord};
use crate::runtime::*;
use crate::{Client, Error};

mod server;
pub use server::*;

pub const TTL: u64 = 30_000;

/// The model backend's session answer, decoded the way an app would.
#[derive(Debug, serde::Deserialize)]
pub struct Session {
    pub user: SessionUser,
}

#[derive(Debug, serde::Deserialize)]
pub struct SessionUser {
    pub username: String,
    pub display_name: String,
}

/// Signs in with the model backend's field names.
pub async fn login(client: &Client, username: &str, password: &str) -> Result<Session, Error> {
    client
        .login(&serde_json::json!({ "username": username, "password": password }))
        .await
}

// ---------------------------------------------------------------- clock

pub struct ManualRuntime {
    now: Cell<u64>,
    /// What `navigator.onLine` says.
    pub online: Cell<bool>,
    sleepers: RefCell<Vec<(u64, oneshot::Sender<()>)>>,
    spawner: LocalSpawner,
}

impl ManualRuntime {
    pub fn new(spawner: LocalSpawner) -> Rc<Self> {
        Rc::new(ManualRuntime {
            now: Cell::new(1_000_000),
            online: Cell::new(true),
            sleepers: RefCell::default(),
            spawner,
        })
    }
    pub fn next_deadline(&self) -> Option<u64> {
        self.sleepers.borrow().iter().map(|(d, _)| *d).min()
    }
    /// Moves the clock to `t` and wakes the sleepers due by then.
    pub fn set_now(&self, t: u64) {
        self.now.set(t);
        let due: Vec<_> = {
            let mut sleepers = self.sleepers.borrow_mut();
            let (due, rest) = std::mem::take(&mut *sleepers)
                .into_iter()
                .partition(|(d, _)| *d <= t);
            *sleepers = rest;
            due
        };
        for (_, tx) in due {
            let _ = tx.send(());
        }
    }
}

impl Runtime for ManualRuntime {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }
    fn is_online(&self) -> bool {
        self.online.get()
    }
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        let (tx, rx) = oneshot::channel();
        self.sleepers.borrow_mut().push((self.now.get() + ms, tx));
        rx.map(|_| ()).boxed_local()
    }
    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        // The pool lives as long as the test; a failure here is a test bug.
        self.spawner.spawn_local(task).expect("spawn");
    }
}

// ---------------------------------------------------------------- tabs hub

type TabListener = Rc<dyn Fn(TabMessage)>;

#[derive(Default)]
pub struct Hub {
    locked: Cell<bool>,
    waiters: RefCell<VecDeque<oneshot::Sender<()>>>,
    record: Cell<Option<(usize, RefreshRecord)>>,
    listeners: RefCell<Vec<(usize, TabListener)>>,
    pub broadcasts: RefCell<Vec<(usize, TabMessage)>>,
}

/// One tab's view of the hub.
pub struct HubTab {
    hub: Rc<Hub>,
    tab: usize,
    spawner: LocalSpawner,
}

impl HubTab {
    pub fn new(hub: &Rc<Hub>, tab: usize, spawner: LocalSpawner) -> Rc<Self> {
        Rc::new(HubTab {
            hub: hub.clone(),
            tab,
            spawner,
        })
    }
}

impl Tabs for HubTab {
    fn with_refresh_lock(
        &self,
        job: LocalBoxFuture<'static, RefreshOutcome>,
    ) -> LocalBoxFuture<'static, RefreshOutcome> {
        let hub = self.hub.clone();
        async move {
            if hub.locked.replace(true) {
                let (tx, rx) = oneshot::channel();
                hub.waiters.borrow_mut().push_back(tx);
                let _ = rx.await; // handed the lock by the releaser
            }
            let outcome = job.await;
            // Hand over to the next waiter, or unlock.
            let next = hub.waiters.borrow_mut().pop_front();
            match next {
                Some(tx) => {
                    let _ = tx.send(());
                }
                None => hub.locked.set(false),
            }
            outcome
        }
        .boxed_local()
    }
    fn last_refresh(&self) -> Option<RefreshRecord> {
        self.hub
            .record
            .get()
            .filter(|(tab, _)| *tab != self.tab)
            .map(|(_, r)| r)
    }
    fn record_refresh(&self, record: RefreshRecord) {
        self.hub.record.set(Some((self.tab, record)));
    }
    fn broadcast(&self, message: TabMessage) {
        self.hub.broadcasts.borrow_mut().push((self.tab, message));
        let others: Vec<_> = self
            .hub
            .listeners
            .borrow()
            .iter()
            .filter(|(t, _)| *t != self.tab)
            .map(|(_, l)| l.clone())
            .collect();
        for listener in others {
            // BroadcastChannel delivers in a later task.
            self.spawner
                .spawn_local(async move { listener(message) })
                .expect("spawn");
        }
    }
    fn listen(&self, listener: Box<dyn Fn(TabMessage)>) {
        self.hub
            .listeners
            .borrow_mut()
            .push((self.tab, Rc::from(listener)));
    }
}

// ---------------------------------------------------------------- environment

pub struct Env {
    pub pool: LocalPool,
    pub rt: Rc<ManualRuntime>,
    pub server: Rc<FakeServer>,
    pub client: Client,
}

pub fn config() -> ClientConfig {
    ClientConfig {
        queue_max: 100,
        queue_max_wait_ms: 20_000,
        refresh_timeout_ms: 10_000,
        proactive_skew_ms: 0,
        ..ClientConfig::default()
    }
}

impl Env {
    pub fn new(config: ClientConfig) -> Env {
        let pool = LocalPool::new();
        let rt = ManualRuntime::new(pool.spawner());
        let server = FakeServer::new(rt.clone());
        let client = Client::with_parts(config, server.clone(), rt.clone(), Rc::new(SingleTab));
        Env {
            pool,
            rt,
            server,
            client,
        }
    }

    /// A second tab of the same browser: same server and cookie jar, shared hub.
    pub fn tab(&self, config: ClientConfig, hub: &Rc<Hub>, tab: usize) -> Client {
        Client::with_parts(
            config,
            self.server.clone(),
            self.rt.clone(),
            HubTab::new(hub, tab, self.pool.spawner()),
        )
    }

    pub fn run(&mut self) {
        self.pool.run_until_stalled();
    }

    /// Advances the clock by `ms`, firing timers in order and letting tasks run after each.
    pub fn advance(&mut self, ms: u64) {
        let target = self.rt.now_ms() + ms;
        self.run();
        while let Some(d) = self.rt.next_deadline().filter(|d| *d <= target) {
            self.rt.set_now(d.max(self.rt.now_ms()));
            self.run();
        }
        self.rt.set_now(target);
        self.run();
    }

    /// Spawns a call and returns where its result will land.
    pub fn spawn<T: 'static>(
        &self,
        fut: impl std::future::Future<Output = T> + 'static,
    ) -> Rc<RefCell<Option<T>>> {
        let slot = Rc::new(RefCell::new(None));
        let out = slot.clone();
        self.pool
            .spawner()
            .spawn_local(async move { *out.borrow_mut() = Some(fut.await) })
            .expect("spawn");
        slot
    }
}
