//! The async driver: performs the coordinator's actions with a transport, a runtime and the tabs.
//!
//! One `RefCell<State>` holds everything mutable. Rule: a borrow never lives across an `.await`, nor across
//! a call out (transport, tabs, subscribers, abort listeners), so nothing can re-enter while it is held.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use futures_util::future::{self, Either, FutureExt};

use super::coordinator::{
    Action, Answer, Coordinator, EndReason, Failure, Limits, Phase, RequestId, Settlement,
};
use super::error::Error;
use super::runtime::{AbortHandle, Runtime, TabMessage, TabMessageKind, Tabs};
use super::transport::{HttpRequest, HttpResponse, Protocol, Transport, TransportError};
use crate::config::ClientConfig;
use crate::id_map::IdMap;
use crate::request::{ClientEvent, ClientStats};

mod cap;
mod gate;
mod refresh;
mod session;

use gate::Gate;

type Outcome = Result<HttpResponse, Error>;
type Listener = Rc<dyn Fn(&ClientEvent)>;

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    pub(crate) transport: Rc<dyn Transport>,
    pub(crate) runtime: Rc<dyn Runtime>,
    tabs: Rc<dyn Tabs>,
    /// Keeps a connection free for the refresh call (see `gate.rs` and `cap.rs`).
    gate: Rc<Gate>,
    /// The protocol the answers come over, once one showed it.
    protocol: Cell<Option<Protocol>>,
    state: RefCell<State>,
    listeners: RefCell<Vec<(u64, Listener)>>,
}

struct State {
    coordinator: Coordinator,
    next_id: RequestId,
    pending: IdMap<Pending>,
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
        config: ClientConfig,
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
        let gate = Gate::new(cap::in_flight_limit(config.max_in_flight, None, true));
        let inner = Rc::new(Inner {
            config,
            gate,
            protocol: Cell::new(None),
            transport,
            runtime,
            tabs: tabs.clone(),
            state: RefCell::new(State {
                coordinator: Coordinator::new(limits, now),
                next_id: 0,
                pending: IdMap::default(),
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
    pub(crate) async fn call(
        self: &Rc<Self>,
        request: HttpRequest,
        timeout_ms: u64,
        abort: Option<AbortHandle>,
    ) -> Outcome {
        if abort.as_ref().is_some_and(AbortHandle::is_aborted) {
            return Err(Error::Aborted);
        }
        // Offline nothing can be sent, and a 401 cannot even happen: fail at once, refresh nothing.
        if !self.runtime.is_online() {
            return Err(Error::Offline);
        }
        let (reply, answer) = oneshot::channel();
        let (id, actions) = {
            let mut st = self.state.borrow_mut();
            let id = st.next_id;
            st.next_id += 1;
            st.stats.requests += 1;
            let pending = Pending {
                request,
                timeout_ms,
                reply,
                outcome: None,
                transmission: None,
                sends: 0,
            };
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
        answer.await.unwrap_or(Err(Error::Aborted))
    }

    /// Sends `request` once, past the coordinator (login, logout, `skip_refresh`).
    pub(crate) async fn call_direct(
        &self,
        request: HttpRequest,
        timeout_ms: u64,
        abort: Option<AbortHandle>,
    ) -> Outcome {
        if !self.runtime.is_online() {
            return Err(Error::Offline);
        }
        let signal = AbortHandle::new();
        if let Some(abort) = abort {
            let signal = signal.clone();
            abort.on_abort(move || signal.abort());
        }
        self.state.borrow_mut().stats.sent += 1;
        transmit(
            &*self.transport,
            &*self.runtime,
            &request,
            timeout_ms,
            &signal,
        )
        .await
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
                Action::StartRefresh {
                    refresh_id,
                    epoch_started_ms,
                    ..
                } => self.start_refresh(refresh_id, epoch_started_ms),
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
                    if matches!(
                        reason,
                        EndReason::RefreshRefused | EndReason::CookiesNotKept
                    ) {
                        self.tabs.broadcast(TabMessage {
                            kind: TabMessageKind::Ended,
                            expires_at: None,
                        });
                    }
                    self.emit(ClientEvent::SessionEnded { reason });
                }
            }
        }
        self.fit_cap(false);
        self.arm_timer();
    }

    /// Sets the gate's cap from the protocol and whether a refresh may be near (`auth_failure`: an answer
    /// that will start or join one, not yet told to the coordinator).
    fn fit_cap(&self, auth_failure: bool) {
        let near = auth_failure || {
            let st = self.state.borrow();
            // A request timeout ahead of a proactive refresh, every request sent before it has ended.
            let margin = (self.config.proactive_skew_ms > 0)
                .then(|| self.config.proactive_skew_ms + self.config.request_timeout_ms + 1_000);
            st.coordinator
                .refresh_may_be_near(self.runtime.now_ms(), margin)
        };
        let limit = cap::in_flight_limit(self.config.max_in_flight, self.protocol.get(), near);
        self.gate.set_limit(limit);
    }

    fn send(self: &Rc<Self>, id: RequestId) {
        let signal = AbortHandle::new();
        let Some((request, timeout_ms)) = ({
            let mut st = self.state.borrow_mut();
            let replay = st.pending.get(id).is_some_and(|p| p.sends > 0);
            st.stats.sent += 1;
            if replay {
                st.stats.replays += 1;
            }
            st.pending.get_mut(id).map(|p| {
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
                let outcome = inner
                    .transmit_in_turn(id, &request, timeout_ms, &signal)
                    .await;
                inner.transmitted(id, outcome);
            }
            .boxed_local(),
        );
    }

    /// Waits for a place on the wire (see `gate.rs`), then transmits. The timeout covers the wait too, so
    /// every wait is bounded; with a place free at once this costs nothing extra.
    async fn transmit_in_turn(
        self: &Rc<Self>,
        id: RequestId,
        request: &HttpRequest,
        timeout_ms: u64,
        signal: &AbortHandle,
    ) -> Outcome {
        let started = self.runtime.now_ms();
        let pass = match self.gate.try_enter() {
            Some(pass) => pass,
            None => {
                let waiting = self.gate.enter().boxed_local();
                match future::select(waiting, self.runtime.sleep(timeout_ms)).await {
                    Either::Left((pass, _)) => pass,
                    Either::Right(((), _)) => return Err(Error::Timeout),
                }
            }
        };
        if signal.is_aborted() {
            return Err(Error::Aborted);
        }
        // The session ended while it waited for a place: it must not go out any more.
        if self.session_over() {
            return Err(Error::SessionEnded);
        }
        if !self.runtime.is_online() {
            return Err(Error::Offline);
        }
        self.state.borrow_mut().coordinator.transmitting(id);
        let waited = self.runtime.now_ms().saturating_sub(started);
        let left = timeout_ms.saturating_sub(waited).max(1);
        let outcome = transmit(&*self.transport, &*self.runtime, request, left, signal).await;
        if self.protocol.get().is_none() {
            self.protocol.set(self.transport.protocol(&request.url));
        }
        // Before the place is handed on: an auth failure means a refresh is coming, and it needs this
        // connection more than the next request does.
        let auth_failure =
            matches!(&outcome, Ok(r) if self.config.refresh_on_status.contains(&r.status));
        self.fit_cap(auth_failure);
        drop(pass); // before a replay asks for a place again
        outcome
    }

    fn session_over(&self) -> bool {
        self.state.borrow().coordinator.phase() == Phase::Ended
    }

    fn transmitted(self: &Rc<Self>, id: RequestId, outcome: Outcome) {
        let answer = match &outcome {
            Ok(r) if self.config.refresh_on_status.contains(&r.status) => Answer::AuthFailure,
            Ok(_) => Answer::Accepted,
            Err(_) => Answer::Unreached,
        };
        let actions = {
            let mut st = self.state.borrow_mut();
            let Some(pending) = st.pending.get_mut(id) else {
                return; // settled meanwhile (aborted)
            };
            pending.outcome = Some(outcome);
            pending.transmission = None;
            if answer == Answer::AuthFailure {
                st.stats.auth_failures += 1;
            }
            let now = self.runtime.now_ms();
            st.coordinator.responded(id, answer, now)
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
            st.pending.remove(id)
        }) else {
            return;
        };
        if let Some(transmission) = &pending.transmission {
            transmission.abort(); // aborted while at the server: cancel the fetch too
        }
        let result = match settlement {
            Settlement::Deliver => pending
                .outcome
                .unwrap_or_else(|| Err(Error::Network("no answer recorded".into()))),
            Settlement::Fail(failure) => Err(failure_error(failure)),
        };
        // The caller may have stopped waiting; that is fine.
        let _ = pending.reply.send(result);
    }

    /// Ticks the coordinator now (timer fired, tab became visible).
    pub(crate) fn tick(self: &Rc<Self>) {
        let now = self.runtime.now_ms();
        let actions = {
            let mut st = self.state.borrow_mut();
            let actions = st.coordinator.tick(now);
            // From tick, an AbortRefresh means the refresh timed out.
            if actions
                .iter()
                .any(|a| matches!(a, Action::AbortRefresh { .. }))
            {
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
        Either::Left((Err(TransportError::Network(detail)), _)) => Err(Error::Network(detail)),
        Either::Left((Err(TransportError::Aborted), _)) => Err(Error::Aborted),
        Either::Right(((), _)) => {
            signal.abort();
            Err(Error::Timeout)
        }
    }
}

fn failure_error(failure: Failure) -> Error {
    match failure {
        Failure::SessionEnded => Error::SessionEnded,
        Failure::RefreshUnavailable => Error::RefreshUnavailable,
        Failure::QueueFull => Error::QueueFull,
        Failure::QueueTimeout => Error::QueueTimeout,
        Failure::Aborted => Error::Aborted,
    }
}
