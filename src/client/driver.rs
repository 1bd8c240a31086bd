//! The async driver: performs the coordinator's actions with a transport, a runtime and the tabs.
//!
//! One `RefCell<State>` holds everything mutable. Rule: a borrow never lives across an `.await`, nor across
//! a call out (transport, tabs, subscribers, abort listeners), so nothing can re-enter while it is held.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use futures_util::future::{self, Either, FutureExt};

use super::coordinator::{
    refresh_decision, Action, Coordinator, EndReason, Failure, Limits, RefreshDecision, RefreshOutcome,
    RefreshRecord, RequestId, Settlement,
};
use super::error::ApiError;
use super::runtime::{
    AbortHandle, HttpRequest, HttpResponse, Method, Runtime, TabMessage, TabMessageKind, Tabs, Transport,
    TransportError,
};
use super::types::{ClientEvent, ClientStats, ExpiryOnly};
use crate::config::Config;

type Outcome = Result<HttpResponse, ApiError>;
type Listener = Rc<dyn Fn(&ClientEvent)>;

pub(crate) struct Inner {
    pub(crate) config: Config,
    transport: Rc<dyn Transport>,
    pub(crate) runtime: Rc<dyn Runtime>,
    tabs: Rc<dyn Tabs>,
    state: RefCell<State>,
    listeners: RefCell<Vec<(u64, Listener)>>,
}

struct State {
    coordinator: Coordinator,
    next_id: RequestId,
    pending: HashMap<RequestId, Pending>,
    /// The running refresh's id and cancel signal.
    refresh: Option<(u64, AbortHandle)>,
    /// The armed timer: (deadline, generation). A timer whose generation is stale does nothing.
    timer: Option<(u64, u64)>,
    timer_generation: u64,
    next_listener: u64,
    stats: ClientStats,
}

struct Pending {
    request: HttpRequest,
    timeout_ms: u64,
    reply: oneshot::Sender<Outcome>,
    /// The last transmission's result, handed over on `Settlement::Deliver`.
    outcome: Option<Outcome>,
    /// Cancels the transmission on the wire (abort, timeout).
    transmission: Option<AbortHandle>,
    sends: u32,
}

impl Inner {
    pub(crate) fn new(
        config: Config,
        transport: Rc<dyn Transport>,
        runtime: Rc<dyn Runtime>,
        tabs: Rc<dyn Tabs>,
    ) -> Rc<Inner> {
        let limits = Limits {
            queue_max: config.queue_max,
            queue_max_wait_ms: config.queue_max_wait_ms,
            refresh_timeout_ms: config.refresh_timeout_ms,
            proactive_skew_ms: config.proactive_skew_ms,
            proactive_backoff_ms: config.proactive_skew_ms.clamp(1_000, 30_000),
        };
        let now = runtime.now_ms();
        let inner = Rc::new(Inner {
            config,
            transport,
            runtime,
            tabs: tabs.clone(),
            state: RefCell::new(State {
                coordinator: Coordinator::new(limits, now),
                next_id: 0,
                pending: HashMap::new(),
                refresh: None,
                timer: None,
                timer_generation: 0,
                next_listener: 0,
                stats: ClientStats::default(),
            }),
            listeners: RefCell::new(Vec::new()),
        });
        let weak = Rc::downgrade(&inner);
        tabs.listen(Box::new(move |message| {
            if let Some(inner) = weak.upgrade() {
                inner.on_tab_message(message);
            }
        }));
        inner
    }

    /// Sends `request` through the coordinator (queue, refresh, replay) and waits for its final answer.
    pub(crate) async fn call(self: &Rc<Self>, request: HttpRequest, timeout_ms: u64, abort: Option<AbortHandle>) -> Outcome {
        if abort.as_ref().is_some_and(AbortHandle::is_aborted) {
            return Err(ApiError::Aborted);
        }
        let (reply, answer) = oneshot::channel();
        let (id, actions) = {
            let mut st = self.state.borrow_mut();
            let id = st.next_id;
            st.next_id += 1;
            st.stats.requests += 1;
            let pending = Pending { request, timeout_ms, reply, outcome: None, transmission: None, sends: 0 };
            st.pending.insert(id, pending);
            let now = self.runtime.now_ms();
            (id, st.coordinator.issue(id, now))
        };
        self.perform(actions);
        if let Some(abort) = abort {
            let weak = Rc::downgrade(self);
            abort.on_abort(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.abort(id);
                }
            });
        }
        // A dropped sender (client torn down) reads as a cancellation.
        answer.await.unwrap_or(Err(ApiError::Aborted))
    }

    /// Sends `request` once, past the coordinator (login, logout, `skip_refresh`).
    pub(crate) async fn call_direct(&self, request: HttpRequest, timeout_ms: u64, abort: Option<AbortHandle>) -> Outcome {
        let signal = AbortHandle::new();
        if let Some(abort) = abort {
            let signal = signal.clone();
            abort.on_abort(move || signal.abort());
        }
        self.state.borrow_mut().stats.sent += 1;
        transmit(&*self.transport, &*self.runtime, &request, timeout_ms, &signal).await
    }

    fn abort(self: &Rc<Self>, id: RequestId) {
        let actions = self.state.borrow_mut().coordinator.abort(id);
        self.perform(actions);
    }

    /// Performs actions in order, then re-arms the timer. Each action borrows the state only briefly.
    pub(crate) fn perform(self: &Rc<Self>, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Send { id, .. } => self.send(id),
                Action::Settle { id, settlement } => self.settle(id, settlement),
                Action::StartRefresh { refresh_id, epoch_started_ms, .. } => {
                    self.start_refresh(refresh_id, epoch_started_ms)
                }
                Action::AbortRefresh { refresh_id } => {
                    let handle = {
                        let mut st = self.state.borrow_mut();
                        match st.refresh.take() {
                            Some((id, handle)) if id == refresh_id => Some(handle),
                            other => {
                                st.refresh = other;
                                None
                            }
                        }
                    };
                    if let Some(handle) = handle {
                        handle.abort();
                    }
                }
                Action::SessionEnded { reason } => {
                    self.state.borrow_mut().stats.sessions_ended += 1;
                    if reason == EndReason::RefreshRefused {
                        self.tabs.broadcast(TabMessage { kind: TabMessageKind::Ended, expires_at: None });
                    }
                    self.emit(match reason {
                        EndReason::SignedOutElsewhere => ClientEvent::SignedOutElsewhere,
                        reason => ClientEvent::SessionEnded { reason },
                    });
                }
            }
        }
        self.arm_timer();
    }

    fn send(self: &Rc<Self>, id: RequestId) {
        let signal = AbortHandle::new();
        let Some((request, timeout_ms)) = ({
            let mut st = self.state.borrow_mut();
            let replay = st.pending.get(&id).is_some_and(|p| p.sends > 0);
            st.stats.sent += 1;
            if replay {
                st.stats.replays += 1;
            }
            st.pending.get_mut(&id).map(|p| {
                p.sends += 1;
                p.transmission = Some(signal.clone());
                (p.request.clone(), p.timeout_ms)
            })
        }) else {
            return;
        };
        let inner = self.clone();
        self.runtime.spawn(
            async move {
                let outcome = transmit(&*inner.transport, &*inner.runtime, &request, timeout_ms, &signal).await;
                inner.transmitted(id, outcome);
            }
            .boxed_local(),
        );
    }

    fn transmitted(self: &Rc<Self>, id: RequestId, outcome: Outcome) {
        let auth = matches!(&outcome, Ok(r) if self.config.refresh_on_status.contains(&r.status));
        let actions = {
            let mut st = self.state.borrow_mut();
            let Some(pending) = st.pending.get_mut(&id) else {
                return; // settled meanwhile (aborted)
            };
            pending.outcome = Some(outcome);
            pending.transmission = None;
            if auth {
                st.stats.auth_failures += 1;
            }
            let now = self.runtime.now_ms();
            st.coordinator.responded(id, auth, now)
        };
        self.perform(actions);
    }

    fn settle(&self, id: RequestId, settlement: Settlement) {
        let Some(pending) = ({
            let mut st = self.state.borrow_mut();
            match settlement {
                Settlement::Fail(Failure::QueueFull) => st.stats.queue_full += 1,
                Settlement::Fail(Failure::QueueTimeout) => st.stats.queue_timeouts += 1,
                Settlement::Fail(Failure::Aborted) => st.stats.aborted += 1,
                _ => {}
            }
            st.pending.remove(&id)
        }) else {
            return;
        };
        if let Some(transmission) = &pending.transmission {
            transmission.abort(); // aborted while at the server: cancel the fetch too
        }
        let result = match settlement {
            Settlement::Deliver => pending
                .outcome
                .unwrap_or_else(|| Err(ApiError::Network("no answer recorded".into()))),
            Settlement::Fail(failure) => Err(failure_error(failure)),
        };
        // The caller may have stopped waiting; that is fine.
        let _ = pending.reply.send(result);
    }

    fn start_refresh(self: &Rc<Self>, refresh_id: u64, epoch_started_ms: u64) {
        let signal = AbortHandle::new();
        self.state.borrow_mut().refresh = Some((refresh_id, signal.clone()));
        let job = self.clone().refresh_job(signal, epoch_started_ms).boxed_local();
        let locked = self.tabs.with_refresh_lock(job);
        let inner = self.clone();
        self.runtime.spawn(
            async move {
                let outcome = locked.await;
                inner.refresh_done(refresh_id, outcome);
            }
            .boxed_local(),
        );
    }

    /// Runs inside the cross-tab lock: skip if another tab already refreshed, else call the server.
    async fn refresh_job(self: Rc<Self>, signal: AbortHandle, epoch_started_ms: u64) -> RefreshOutcome {
        if signal.is_aborted() {
            return RefreshOutcome::Unavailable; // timed out waiting for the lock; ignored by the coordinator
        }
        let now = self.runtime.now_ms();
        if let RefreshDecision::AlreadyDone { expires_at } =
            refresh_decision(self.tabs.last_refresh(), epoch_started_ms, now)
        {
            self.state.borrow_mut().stats.refreshes_skipped += 1;
            return RefreshOutcome::AlreadyRefreshedElsewhere { expires_at };
        }
        self.state.borrow_mut().stats.refreshes += 1;
        let request = HttpRequest {
            method: Method::Post,
            url: self.config.url(&self.config.refresh_path),
            body: None,
            csrf_cookie: Some(self.config.refresh_csrf_cookie().to_owned()),
        };
        // No timer of its own: the coordinator's refresh timeout fires `signal`.
        match self.transport.send(&request, &signal).await {
            Ok(r) if (200..300).contains(&r.status) => {
                // A body we cannot read still means rotated cookies; we just don't learn the expiry.
                let expires_at = serde_json::from_slice::<ExpiryOnly>(&r.body)
                    .ok()
                    .and_then(|e| e.access_expires_at);
                let refreshed_at_ms = self.runtime.now_ms();
                self.tabs.record_refresh(RefreshRecord { refreshed_at_ms, expires_at });
                self.tabs.broadcast(TabMessage { kind: TabMessageKind::Refreshed, expires_at });
                RefreshOutcome::Refreshed { expires_at }
            }
            Ok(r) if r.status == 401 || r.status == 403 => RefreshOutcome::Refused,
            Ok(_) | Err(_) => RefreshOutcome::Unavailable,
        }
    }

    fn refresh_done(self: &Rc<Self>, refresh_id: u64, outcome: RefreshOutcome) {
        let (actions, current) = {
            let mut st = self.state.borrow_mut();
            let current = st.coordinator.refresh_in_flight().is_some_and(|r| r.id == refresh_id);
            if current {
                st.refresh = None;
                if outcome == RefreshOutcome::Unavailable {
                    st.stats.refresh_failures += 1;
                }
            }
            let now = self.runtime.now_ms();
            (st.coordinator.refresh_finished(refresh_id, outcome, now), current)
        };
        if let (true, RefreshOutcome::Refreshed { expires_at } | RefreshOutcome::AlreadyRefreshedElsewhere { expires_at }) =
            (current, outcome)
        {
            self.emit(ClientEvent::Refreshed { expires_at });
        }
        self.perform(actions);
    }

    fn on_tab_message(self: &Rc<Self>, message: TabMessage) {
        let now = self.runtime.now_ms();
        let expires_at = message.expires_at;
        let actions = {
            let mut st = self.state.borrow_mut();
            let c = &mut st.coordinator;
            match message.kind {
                TabMessageKind::Refreshed => c.remote_refreshed(expires_at, now),
                TabMessageKind::Login => c.signed_in_elsewhere(expires_at, now),
                TabMessageKind::Logout => c.signed_out_elsewhere(),
                TabMessageKind::Ended => c.session_ended_elsewhere(),
            }
        };
        match message.kind {
            TabMessageKind::Refreshed => self.emit(ClientEvent::Refreshed { expires_at }),
            TabMessageKind::Login => self.emit(ClientEvent::SignedInElsewhere),
            _ => {} // ends are announced by the coordinator's SessionEnded action
        }
        self.perform(actions);
    }

    /// Ticks the coordinator now (timer fired, tab became visible).
    pub(crate) fn tick(self: &Rc<Self>) {
        let now = self.runtime.now_ms();
        let actions = {
            let mut st = self.state.borrow_mut();
            let actions = st.coordinator.tick(now);
            // From tick, an AbortRefresh means the refresh timed out.
            if actions.iter().any(|a| matches!(a, Action::AbortRefresh { .. })) {
                st.stats.refresh_failures += 1;
            }
            actions
        };
        self.perform(actions);
    }

    fn arm_timer(self: &Rc<Self>) {
        let now = self.runtime.now_ms();
        let (delay, generation) = {
            let mut st = self.state.borrow_mut();
            let Some(next) = st.coordinator.next_wakeup(now) else {
                return; // an armed timer may still fire; its tick is harmless
            };
            if st.timer.is_some_and(|(deadline, _)| deadline <= next) {
                return;
            }
            st.timer_generation += 1;
            let generation = st.timer_generation;
            st.timer = Some((next, generation));
            (next.saturating_sub(now), generation)
        };
        let weak: Weak<Inner> = Rc::downgrade(self);
        let sleep = self.runtime.sleep(delay);
        self.runtime.spawn(
            async move {
                sleep.await;
                let Some(inner) = weak.upgrade() else { return };
                let fire = {
                    let mut st = inner.state.borrow_mut();
                    let fire = st.timer.is_some_and(|(_, g)| g == generation);
                    if fire {
                        st.timer = None;
                    }
                    fire
                };
                if fire {
                    inner.tick();
                }
            }
            .boxed_local(),
        );
    }

    // ---- session changes made by this tab ----

    pub(crate) fn signed_in(self: &Rc<Self>, expires_at: Option<u64>) {
        let now = self.runtime.now_ms();
        let actions = self.state.borrow_mut().coordinator.session_started(expires_at, now);
        self.tabs.broadcast(TabMessage { kind: TabMessageKind::Login, expires_at });
        self.perform(actions);
    }

    pub(crate) fn signed_out(self: &Rc<Self>) {
        let actions = self.state.borrow_mut().coordinator.signed_out();
        self.tabs.broadcast(TabMessage { kind: TabMessageKind::Logout, expires_at: None });
        self.perform(actions);
    }

    pub(crate) fn observe_expiry(self: &Rc<Self>, expires_at: Option<u64>) {
        self.state.borrow_mut().coordinator.observe_expiry(expires_at);
        self.arm_timer();
    }

    // ---- subscribers and stats ----

    pub(crate) fn add_listener(&self, listener: Listener) -> u64 {
        let id = {
            let mut st = self.state.borrow_mut();
            st.next_listener += 1;
            st.next_listener
        };
        self.listeners.borrow_mut().push((id, listener));
        id
    }

    pub(crate) fn remove_listener(&self, id: u64) {
        self.listeners.borrow_mut().retain(|(l, _)| *l != id);
    }

    fn emit(&self, event: ClientEvent) {
        // Snapshot first: a listener may subscribe, unsubscribe or call the client.
        let listeners: Vec<Listener> = self.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener(&event);
        }
    }

    pub(crate) fn stats(&self) -> ClientStats {
        let st = self.state.borrow();
        ClientStats {
            epoch: st.coordinator.epoch(),
            queued: st.coordinator.queued() as u64,
            in_flight: st.coordinator.in_flight() as u64,
            ..st.stats
        }
    }

    pub(crate) fn is_session_ended(&self) -> bool {
        self.state.borrow().coordinator.phase() == super::coordinator::Phase::Ended
    }
}

/// One transmission with a timeout; on timeout the signal fires so the transport cancels the fetch.
async fn transmit(
    transport: &dyn Transport,
    runtime: &dyn Runtime,
    request: &HttpRequest,
    timeout_ms: u64,
    signal: &AbortHandle,
) -> Outcome {
    let sent = transport.send(request, signal);
    let timer = runtime.sleep(timeout_ms);
    match future::select(sent, timer).await {
        Either::Left((Ok(response), _)) => Ok(response),
        Either::Left((Err(TransportError::Network(detail)), _)) => Err(ApiError::Network(detail)),
        Either::Left((Err(TransportError::Aborted), _)) => Err(ApiError::Aborted),
        Either::Right(((), _)) => {
            signal.abort();
            Err(ApiError::Timeout)
        }
    }
}

fn failure_error(failure: Failure) -> ApiError {
    match failure {
        Failure::SessionEnded => ApiError::SessionEnded,
        Failure::RefreshUnavailable => ApiError::RefreshUnavailable,
        Failure::QueueFull => ApiError::QueueFull,
        Failure::QueueTimeout => ApiError::QueueTimeout,
        Failure::Aborted => ApiError::Aborted,
    }
}
