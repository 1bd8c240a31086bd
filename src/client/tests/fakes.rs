//! Test doubles: a manual clock, a model backend behind a fake transport (the cookie jar included), and a
//! hub that plays the browser's Web Locks + BroadcastChannel for several clients ("tabs").

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt;
use futures_channel::oneshot;
use futures_util::future::{FutureExt, LocalBoxFuture};
use serde_json::json;

use crate::client::coordinator::{RefreshOutcome, RefreshRecord};
use crate::client::runtime::*;
use crate::client::Client;
use crate::config::Config;

pub const TTL: u64 = 30_000;

// ---------------------------------------------------------------- clock

pub struct ManualRuntime {
    now: Cell<u64>,
    sleepers: RefCell<Vec<(u64, oneshot::Sender<()>)>>,
    spawner: LocalSpawner,
}

impl ManualRuntime {
    pub fn new(spawner: LocalSpawner) -> Rc<Self> {
        Rc::new(ManualRuntime { now: Cell::new(1_000_000), sleepers: RefCell::default(), spawner })
    }
    pub fn next_deadline(&self) -> Option<u64> {
        self.sleepers.borrow().iter().map(|(d, _)| *d).min()
    }
    /// Moves the clock to `t` and wakes the sleepers due by then.
    pub fn set_now(&self, t: u64) {
        self.now.set(t);
        let due: Vec<_> = {
            let mut sleepers = self.sleepers.borrow_mut();
            let (due, rest) = std::mem::take(&mut *sleepers).into_iter().partition(|(d, _)| *d <= t);
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

// ---------------------------------------------------------------- backend + browser cookie jar

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    None,
    All,
    Refresh,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshFault {
    Status(u16),
    Drop,
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: Method,
    pub url: String,
    pub path: String,
    pub body: Option<Vec<u8>>,
    pub status: Option<u16>,
}

struct HeldCall {
    request: HttpRequest,
    /// Cookies are attached when the request leaves the browser.
    access: Option<u64>,
    refresh: Option<u64>,
    csrf: Option<String>,
    reply: oneshot::Sender<Result<HttpResponse, TransportError>>,
    log_index: usize,
}

#[derive(Default)]
pub struct ServerState {
    pub now: u64,
    next_token: u64,
    access: HashMap<u64, u64>,
    refresh_current: Option<u64>,
    refresh_rotated: HashSet<u64>,
    pub family_revoked: bool,
    pub reuse_detected: u32,
    pub jar_access: Option<u64>,
    pub jar_refresh: Option<u64>,
    jar_csrf: Option<String>,
    pub hold: Option<Hold>,
    held: Vec<HeldCall>,
    pub refresh_faults: VecDeque<RefreshFault>,
    pub log: Vec<Logged>,
}

pub struct FakeServer {
    pub state: RefCell<ServerState>,
    runtime: Rc<ManualRuntime>,
    me: std::rc::Weak<FakeServer>,
}

fn response(status: u16, body: serde_json::Value) -> HttpResponse {
    let body = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
    HttpResponse { status, body }
}

fn err(status: u16, code: &str) -> HttpResponse {
    response(status, json!({"error": {"code": code, "message": format!("{code}!")}}))
}

impl FakeServer {
    pub fn new(runtime: Rc<ManualRuntime>) -> Rc<Self> {
        Rc::new_cyclic(|me| FakeServer { state: RefCell::default(), runtime, me: me.clone() })
    }

    /// Starts a signed-in session directly (as if a login had happened before the page loaded).
    pub fn sign_in(&self) -> u64 {
        let now = self.runtime.now_ms();
        let mut s = self.state.borrow_mut();
        s.now = now;
        s.family_revoked = false;
        s.refresh_rotated.clear();
        let access = s.issue_access(now);
        let refresh = s.new_token();
        s.refresh_current = Some(refresh);
        s.jar_refresh = Some(refresh);
        s.jar_access = Some(access);
        s.jar_csrf = Some("csrf-1".into());
        now + TTL
    }

    pub fn expire_access(&self) {
        self.state.borrow_mut().access.clear();
    }
    pub fn set_hold(&self, hold: Hold) {
        self.state.borrow_mut().hold = Some(hold);
    }
    pub fn held(&self) -> usize {
        self.state.borrow().held.len()
    }
    pub fn held_paths(&self) -> Vec<String> {
        let s = self.state.borrow();
        s.held.iter().map(|h| s.log[h.log_index].path.clone()).collect()
    }
    /// Answers held call `index` now (server logic runs now, with the cookies it was sent with).
    pub fn release(&self, index: usize) {
        let (call, result) = {
            let mut s = self.state.borrow_mut();
            if index >= s.held.len() {
                return;
            }
            let call = s.held.remove(index);
            s.now = self.runtime.now_ms();
            let result = s.handle(&call.request, call.access, call.refresh, call.csrf.clone());
            if let Ok(r) = &result {
                s.log[call.log_index].status = Some(r.status);
            }
            (call, result)
        };
        let _ = call.reply.send(result);
    }
    pub fn count(&self, method: Method, path: &str) -> usize {
        self.state.borrow().log.iter().filter(|l| l.method == method && l.path == path).count()
    }
    pub fn refresh_calls(&self) -> usize {
        self.count(Method::Post, "/api/auth/refresh")
    }
}

impl ServerState {
    fn new_token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }
    fn issue_access(&mut self, now: u64) -> u64 {
        let t = self.new_token();
        self.access.insert(t, now + TTL);
        t
    }
    fn session(&self, expires: u64) -> HttpResponse {
        let user = json!({"id": 1, "username": "ada", "display_name": "Ada", "roles": ["admin"]});
        response(200, json!({"user": user, "access_expires_at": expires}))
    }

    fn handle(
        &mut self,
        req: &HttpRequest,
        access: Option<u64>,
        refresh: Option<u64>,
        csrf_header: Option<String>,
    ) -> Result<HttpResponse, TransportError> {
        let path = req.url.split('?').next().unwrap_or_default().to_string();
        let login = path == "/api/auth/login";
        if req.method.is_unsafe() && !login && (csrf_header.is_none() || csrf_header != self.jar_csrf) {
            return Ok(err(403, "csrf"));
        }
        let now = self.now;
        match path.as_str() {
            "/api/auth/login" => {
                let body: serde_json::Value = serde_json::from_slice(req.body.as_deref().unwrap_or(b"{}")).unwrap_or_default();
                if body["password"] != "pw" {
                    return Ok(err(401, "invalid_credentials"));
                }
                self.family_revoked = false;
                self.refresh_rotated.clear();
                let a = self.issue_access(now);
                let r = self.new_token();
                self.refresh_current = Some(r);
                (self.jar_access, self.jar_refresh, self.jar_csrf) = (Some(a), Some(r), Some("csrf-2".into()));
                Ok(self.session(now + TTL))
            }
            "/api/auth/refresh" => {
                match self.refresh_faults.pop_front() {
                    Some(RefreshFault::Status(s)) => return Ok(err(s, "unavailable")),
                    Some(RefreshFault::Drop) => return Err(TransportError::Network("dropped".into())),
                    None => {}
                }
                let Some(token) = refresh else { return Ok(err(401, "refresh_invalid")) };
                if self.refresh_rotated.contains(&token) {
                    self.reuse_detected += 1;
                    self.family_revoked = true;
                    return Ok(err(401, "refresh_reused"));
                }
                if self.family_revoked || self.refresh_current != Some(token) {
                    return Ok(err(401, "refresh_invalid"));
                }
                self.refresh_rotated.insert(token);
                let a = self.issue_access(now);
                let r = self.new_token();
                self.refresh_current = Some(r);
                (self.jar_access, self.jar_refresh) = (Some(a), Some(r));
                Ok(self.session(now + TTL))
            }
            "/api/auth/logout" => {
                self.family_revoked = true;
                (self.jar_access, self.jar_refresh) = (None, None);
                Ok(response(204, serde_json::Value::Null))
            }
            "/api/always401" => Ok(err(401, "unauthenticated")),
            _ => {
                let valid = access.and_then(|a| self.access.get(&a)).is_some_and(|exp| now < *exp);
                if !valid {
                    return Ok(err(401, "unauthenticated"));
                }
                if path == "/api/me" {
                    let exp = access.and_then(|a| self.access.get(&a)).copied().unwrap_or(now);
                    return Ok(self.session(exp));
                }
                if req.method == Method::Delete {
                    return Ok(response(204, serde_json::Value::Null));
                }
                let body: serde_json::Value =
                    req.body.as_deref().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default();
                Ok(response(200, json!({"path": path, "body": body})))
            }
        }
    }
}

impl Transport for FakeServer {
    fn send(&self, request: &HttpRequest, signal: &AbortHandle) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
        let (tx, rx) = oneshot::channel();
        let mut s = self.state.borrow_mut();
        s.now = self.runtime.now_ms();
        // The browser-side transport reads the named cookie into the header; the jar has one, `lanyard_csrf`.
        let csrf = (request.csrf_cookie.as_deref() == Some("lanyard_csrf")).then(|| s.jar_csrf.clone()).flatten();
        let path = request.url.split('?').next().unwrap_or_default().to_string();
        let log_index = s.log.len();
        s.log.push(Logged { method: request.method, url: request.url.clone(), path: path.clone(), body: request.body.as_deref().map(<[u8]>::to_vec), status: None });
        let hold = match s.hold.unwrap_or(Hold::None) {
            Hold::None => false,
            Hold::All => true,
            Hold::Refresh => path == "/api/auth/refresh",
        };
        let (access, refresh) = (s.jar_access, s.jar_refresh);
        if hold {
            s.held.push(HeldCall { request: request.clone(), access, refresh, csrf, reply: tx, log_index });
        } else {
            let result = s.handle(request, access, refresh, csrf);
            if let Ok(r) = &result {
                s.log[log_index].status = Some(r.status);
            }
            let _ = tx.send(result);
        }
        drop(s);
        // An abort answers at once, like fetch; a held call is withdrawn (it never reached the server).
        let (abort_tx, abort_rx) = oneshot::channel::<()>();
        let me = self.me.clone();
        signal.on_abort(move || {
            if let Some(server) = me.upgrade() {
                server.state.borrow_mut().held.retain(|h| h.log_index != log_index);
            }
            let _ = abort_tx.send(());
        });
        async move {
            match futures_util::future::select(rx, abort_rx).await {
                futures_util::future::Either::Left((r, _)) => r.unwrap_or(Err(TransportError::Aborted)),
                futures_util::future::Either::Right(_) => Err(TransportError::Aborted),
            }
        }
        .boxed_local()
    }
}

// ---------------------------------------------------------------- tabs hub

#[derive(Default)]
pub struct Hub {
    locked: Cell<bool>,
    waiters: RefCell<VecDeque<oneshot::Sender<()>>>,
    record: Cell<Option<(usize, RefreshRecord)>>,
    listeners: RefCell<Vec<(usize, Rc<dyn Fn(TabMessage)>)>>,
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
        Rc::new(HubTab { hub: hub.clone(), tab, spawner })
    }
}

impl Tabs for HubTab {
    fn with_refresh_lock(&self, job: LocalBoxFuture<'static, RefreshOutcome>) -> LocalBoxFuture<'static, RefreshOutcome> {
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
        self.hub.record.get().filter(|(tab, _)| *tab != self.tab).map(|(_, r)| r)
    }
    fn record_refresh(&self, record: RefreshRecord) {
        self.hub.record.set(Some((self.tab, record)));
    }
    fn broadcast(&self, message: TabMessage) {
        self.hub.broadcasts.borrow_mut().push((self.tab, message));
        let others: Vec<_> = self.hub.listeners.borrow().iter().filter(|(t, _)| *t != self.tab).map(|(_, l)| l.clone()).collect();
        for listener in others {
            // BroadcastChannel delivers in a later task.
            self.spawner.spawn_local(async move { listener(message) }).expect("spawn");
        }
    }
    fn listen(&self, listener: Box<dyn Fn(TabMessage)>) {
        self.hub.listeners.borrow_mut().push((self.tab, Rc::from(listener)));
    }
}

// ---------------------------------------------------------------- environment

pub struct Env {
    pub pool: LocalPool,
    pub rt: Rc<ManualRuntime>,
    pub server: Rc<FakeServer>,
    pub client: Client,
}

pub fn config() -> Config {
    Config { queue_max: 100, queue_max_wait_ms: 20_000, refresh_timeout_ms: 10_000, proactive_skew_ms: 0, ..Config::default() }
}

impl Env {
    pub fn new(config: Config) -> Env {
        let pool = LocalPool::new();
        let rt = ManualRuntime::new(pool.spawner());
        let server = FakeServer::new(rt.clone());
        let client = Client::new(config, server.clone(), rt.clone(), Rc::new(SingleTab::default()));
        Env { pool, rt, server, client }
    }

    /// A second tab of the same browser: same server and cookie jar, shared hub.
    pub fn tab(&self, config: Config, hub: &Rc<Hub>, tab: usize) -> Client {
        Client::new(config, self.server.clone(), self.rt.clone(), HubTab::new(hub, tab, self.pool.spawner()))
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
    pub fn spawn<T: 'static>(&self, fut: impl std::future::Future<Output = T> + 'static) -> Rc<RefCell<Option<T>>> {
        let slot = Rc::new(RefCell::new(None));
        let out = slot.clone();
        self.pool.spawner().spawn_local(async move { *out.borrow_mut() = Some(fut.await) }).expect("spawn");
        slot
    }
}
