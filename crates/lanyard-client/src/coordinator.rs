//! The refresh coordinator: a sans-IO state machine (no async, no browser, no clock — time comes in as `now`).
//!
//! The driver (`driver.rs`) feeds it events (a request is issued, a response arrived, a refresh finished, the
//! clock ticked, another tab did something) and performs the [`Action`]s it returns. Everything that decides
//! *whether* to send, queue, replay, refresh or fail lives here, so it can be tested exhaustively on the host.
//!
//! The rules, in one place:
//! - At most one refresh is in flight. Requests issued while it runs, and requests that fail with an auth
//!   status while it runs, wait in a FIFO queue and are sent (each once) when it ends.
//! - **Epoch.** Every successful refresh (here or in another tab) and every login bumps `epoch`. A request
//!   remembers the epoch it was sent under; an auth failure for an older epoch means fresh credentials
//!   already exist, so it is replayed at once and never starts a refresh.
//! - **Short-lived tokens.** An auth failure for a request sent under the *current* epoch is a new expiry:
//!   refresh again (one at a time, as above) and replay. A request's epoch is the one it went on the wire
//!   under (not when it was queued for a place), so a wait for the in-flight cap is never mistaken for staleness.
//! - **No loops.** A replay that meets an auth failure under the epoch it was replayed into, before any
//!   request under that epoch was accepted, is handed back to the caller as is: the refresh did not help
//!   (the backend refuses the new token), and refreshing again would loop. And a request goes on the wire at
//!   most [`MAX_SENDS`] times. So every refresh beyond the first needs a request accepted in between:
//!   refreshes are bounded by the token lifetimes the backend actually granted, never by the storm's size.
//! - A refused refresh ends the session: queued requests fail `SessionEnded`, and so does every new request
//!   until a login. An unavailable refresh (network, timeout, 5xx) ends nothing: queued requests fail with a
//!   retryable error and the next request tries again.
//! - **Cookies not kept.** A refresh refused within [`COOKIE_CHECK_MS`] of a sign-in in this epoch, before any
//!   request under it was accepted, means the browser never kept (or never sends) the session's cookies: the
//!   session ends with [`EndReason::CookiesNotKept`], not as an expired one.
//! - **Back-off.** An unavailable refresh opens a window in which no refresh starts: `Retry-After` when the
//!   server sent one (capped at [`MAX_REFRESH_BACKOFF_MS`]), else [`refresh_backoff_ms`] of the failures in a
//!   row (none after the first, then 1, 2, 4 … 30 s). An auth failure inside the window fails at once with
//!   the retryable `RefreshUnavailable` instead of starting refresh after refresh against a struggling auth
//!   server. A success, a login or another tab's refresh closes it.
//! - Bounds: a queue cap, a maximum wait in the queue, a timeout on the refresh itself.

use crate::id_map::IdMap;

pub use super::cross_tab::{refresh_decision, RefreshDecision, RefreshRecord};

mod steps;
mod vocabulary;
pub use vocabulary::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Active,
    Ended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlightRefresh {
    pub id: u64,
    pub started_ms: u64,
    pub trigger: Trigger,
    /// The epoch it was started under: if the epoch moves meanwhile (login, another tab), its outcome is moot.
    pub epoch: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReqState {
    InFlight { sent_epoch: u64 },
    Queued { enqueued_ms: u64 },
}

#[derive(Clone, Copy, Debug)]
struct Req {
    state: ReqState,
    /// Transmissions so far: 1 = sent once, 2 = replayed once, … up to [`MAX_SENDS`].
    sends: u8,
}

/// The state machine. See the module docs for the rules.
#[derive(Debug)]
pub struct Coordinator {
    limits: Limits,
    epoch: u64,
    epoch_started_ms: u64,
    phase: Phase,
    refresh: Option<InFlightRefresh>,
    next_refresh_id: u64,
    // A Vec, not a VecDeque: the queue is only appended to, searched and drained whole, and a deque of its
    // own would add its code to every app.
    queue: Vec<RequestId>,
    requests: IdMap<Req>,
    access_expires_at_ms: Option<u64>,
    proactive_not_before_ms: u64,
    /// A request sent under the current epoch was accepted: its credentials work (so a later auth failure
    /// under it is a new expiry, not a refresh that did not help).
    epoch_confirmed: bool,
    /// The epoch a sign-in started, and when: see [`COOKIE_CHECK_MS`].
    signed_in: Option<(u64, u64)>,
    /// An auth failure was answered under the current epoch (a refresh is running or about to).
    auth_failure_seen: bool,
    /// Unavailable refreshes in a row, and until when no refresh may start (see "Back-off").
    refresh_failures_in_row: u32,
    refresh_not_before_ms: u64,
}

/// How soon after a sign-in a refused refresh (with nothing accepted since) means "cookies not kept".
pub const COOKIE_CHECK_MS: u64 = 60_000;

impl Coordinator {
    /// A coordinator for a page loaded at `now`. The session starts Active: whether it really exists is
    /// found out by the first request (a 401 → refresh → refused ends it).
    pub fn new(limits: Limits, now: u64) -> Self {
        Coordinator {
            limits,
            epoch: 0,
            epoch_started_ms: now,
            phase: Phase::Active,
            refresh: None,
            next_refresh_id: 0,
            queue: Vec::new(),
            requests: IdMap::default(),
            access_expires_at_ms: None,
            proactive_not_before_ms: 0,
            epoch_confirmed: false,
            signed_in: None,
            auth_failure_seen: false,
            refresh_failures_in_row: 0,
            refresh_not_before_ms: 0,
        }
    }

    /// Whether a refresh may start soon: one is running, an auth failure was seen under the current
    /// credentials, or (with `margin`) the known expiry is less than `margin` away. The driver keeps a
    /// connection free for it meanwhile.
    pub fn refresh_may_be_near(&self, now: u64, margin: Option<u64>) -> bool {
        self.phase == Phase::Active
            && (self.refresh.is_some()
                || self.auth_failure_seen
                || margin.is_some_and(|m| {
                    self.access_expires_at_ms
                        .is_some_and(|e| now.saturating_add(m) >= e)
                }))
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    pub fn phase(&self) -> Phase {
        self.phase
    }
    pub fn refresh_in_flight(&self) -> Option<InFlightRefresh> {
        self.refresh
    }
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
    pub fn in_flight(&self) -> usize {
        self.requests.len() - self.queue.len()
    }
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub fn access_expires_at(&self) -> Option<u64> {
        self.access_expires_at_ms
    }

    /// A new request wants to go out.
    pub fn issue(&mut self, id: RequestId, now: u64) -> Vec<Action> {
        if self.phase == Phase::Ended {
            return vec![fail(id, Failure::SessionEnded)];
        }
        self.requests.insert(
            id,
            Req {
                state: ReqState::InFlight {
                    sent_epoch: self.epoch,
                },
                sends: 0,
            },
        );
        if self.refresh.is_some() {
            return self.enqueue(id, now);
        }
        if self.proactive_due(now) {
            let mut actions = self.enqueue(id, now);
            if self.queue.contains(&id) {
                actions.push(self.start_refresh(Trigger::Proactive, now));
            }
            return actions;
        }
        vec![self.send(id)]
    }

    /// Request `id` is going on the wire now (it may have waited for a place since [`Action::Send`]): it
    /// carries the credentials of the current epoch.
    pub fn transmitting(&mut self, id: RequestId) {
        let epoch = self.epoch;
        if let Some(Req {
            state: ReqState::InFlight { sent_epoch },
            ..
        }) = self.requests.get_mut(id)
        {
            *sent_epoch = epoch;
        }
    }

    /// The transport answered request `id`, or could not reach the server.
    pub fn responded(&mut self, id: RequestId, answer: impl Into<Answer>, now: u64) -> Vec<Action> {
        let Some(req) = self.requests.get(id).copied() else {
            return Vec::new(); // aborted meanwhile: the answer is no one's business any more
        };
        let ReqState::InFlight { sent_epoch } = req.state else {
            return Vec::new();
        };
        let answer = answer.into();
        if answer == Answer::Accepted && sent_epoch == self.epoch {
            self.epoch_confirmed = true;
        }
        let current = sent_epoch == self.epoch;
        if answer == Answer::AuthFailure && current {
            self.auth_failure_seen = true;
        }
        let refresh_did_not_help = current && req.sends >= 2 && !self.epoch_confirmed;
        if answer != Answer::AuthFailure || req.sends >= MAX_SENDS || refresh_did_not_help {
            // Success, a non-auth error, or an auth failure that another refresh would not cure: the
            // caller gets the answer as is.
            self.requests.remove(id);
            return vec![Action::Settle {
                id,
                settlement: Settlement::Deliver,
            }];
        }
        if self.phase == Phase::Ended {
            self.requests.remove(id);
            return vec![fail(id, Failure::SessionEnded)];
        }
        if self.refresh.is_some() {
            return self.enqueue(id, now);
        }
        if !current {
            // THE epoch rule: credentials changed after it left, so they are fresh: replay, don't refresh.
            return vec![self.send(id)];
        }
        if now < self.refresh_not_before_ms {
            // Backing off: the auth server asked for (or needs) a pause; this request fails retryably.
            self.requests.remove(id);
            return vec![fail(id, Failure::RefreshUnavailable)];
        }
        let mut actions = self.enqueue(id, now);
        if self.queue.contains(&id) {
            actions.push(self.start_refresh(Trigger::AuthFailure, now));
        }
        actions
    }

    /// The refresh `refresh_id` ended. Outcomes of an aborted or superseded refresh are ignored.
    pub fn refresh_finished(
        &mut self,
        refresh_id: u64,
        outcome: RefreshOutcome,
        now: u64,
    ) -> Vec<Action> {
        let Some(refresh) = self.refresh.filter(|r| r.id == refresh_id) else {
            return Vec::new();
        };
        self.refresh = None;
        self.proactive_not_before_ms = now + self.limits.proactive_backoff_ms;
        if self.phase == Phase::Ended {
            return Vec::new(); // signed out meanwhile; the queue was already failed
        }
        let moved = refresh.epoch != self.epoch;
        let outcome = match outcome {
            RefreshOutcome::Throttled { retry_after_ms } => {
                self.back_off(now, Some(retry_after_ms));
                RefreshOutcome::Unavailable
            }
            RefreshOutcome::Unavailable => {
                self.back_off(now, None);
                RefreshOutcome::Unavailable
            }
            other => other,
        };
        match outcome {
            RefreshOutcome::Refreshed { expires_at } => {
                self.new_epoch(now, expires_at);
                self.drain_send()
            }
            RefreshOutcome::AlreadyRefreshedElsewhere { expires_at } => {
                // If we already heard the other tab's broadcast the epoch moved; don't bump twice, or a
                // request sent with the new cookies would be "replayed" instead of refreshed.
                if !moved {
                    self.new_epoch(now, expires_at);
                } else if expires_at.is_some() {
                    self.access_expires_at_ms = expires_at;
                }
                self.drain_send()
            }
            // The epoch moved (a login, another tab's refresh): the queue can go with the new cookies.
            RefreshOutcome::Refused | RefreshOutcome::Unavailable if moved => self.drain_send(),
            // The token may well still be valid (the refresh was early): don't fail what never went out.
            RefreshOutcome::Unavailable if refresh.trigger == Trigger::Proactive => {
                self.drain_after_early_refresh_failed()
            }
            RefreshOutcome::Refused => {
                let fresh_sign_in = self.signed_in.is_some_and(|(epoch, at)| {
                    epoch == self.epoch && now.saturating_sub(at) < COOKIE_CHECK_MS
                });
                self.end(if fresh_sign_in && !self.epoch_confirmed {
                    EndReason::CookiesNotKept
                } else {
                    EndReason::RefreshRefused
                })
            }
            RefreshOutcome::Unavailable | RefreshOutcome::Throttled { .. } => {
                self.drain_fail(Failure::RefreshUnavailable)
            }
        }
    }

    /// The caller gave up on `id`. A queued request leaves at once; a late answer to an in-flight one is ignored.
    pub fn abort(&mut self, id: RequestId) -> Vec<Action> {
        if self.requests.remove(id).is_none() {
            return Vec::new();
        }
        self.queue.retain(|q| *q != id);
        vec![fail(id, Failure::Aborted)]
    }

    /// Time passed: enforce the refresh timeout and the queue wait, and start a proactive refresh when due.
    pub fn tick(&mut self, now: u64) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(r) = self.refresh {
            if now >= r.started_ms + self.limits.refresh_timeout_ms {
                actions.push(Action::AbortRefresh { refresh_id: r.id });
                actions.extend(self.refresh_finished(r.id, RefreshOutcome::Unavailable, now));
            }
        }
        let max_wait = self.limits.queue_max_wait_ms;
        let expired: Vec<RequestId> = self
            .queue
            .iter()
            .copied()
            .filter(|id| {
                matches!(self.requests.get(*id), Some(Req { state: ReqState::Queued { enqueued_ms }, .. })
                    if now >= enqueued_ms + max_wait)
            })
            .collect();
        for id in expired {
            self.queue.retain(|q| *q != id);
            self.requests.remove(id);
            actions.push(fail(id, Failure::QueueTimeout));
        }
        if self.refresh.is_none() && self.proactive_due(now) {
            actions.push(self.start_refresh(Trigger::Proactive, now));
        }
        actions
    }

    /// When the driver should call [`Coordinator::tick`] next (may be ≤ `now`: tick at once).
    pub fn next_wakeup(&self, _now: u64) -> Option<u64> {
        let refresh_deadline = self
            .refresh
            .map(|r| r.started_ms + self.limits.refresh_timeout_ms);
        let queue_deadline = self
            .queue
            .iter()
            .find_map(|id| match self.requests.get(*id) {
                // FIFO: the first queued request is the one that waited longest.
                Some(Req {
                    state: ReqState::Queued { enqueued_ms },
                    ..
                }) => Some(enqueued_ms + self.limits.queue_max_wait_ms),
                _ => None,
            });
        let proactive = match (self.phase, self.refresh, self.access_expires_at_ms) {
            (Phase::Active, None, Some(expires)) if self.limits.proactive_skew_ms > 0 => Some(
                expires
                    .saturating_sub(self.limits.proactive_skew_ms)
                    .max(self.proactive_not_before_ms),
            ),
            _ => None,
        };
        [refresh_deadline, queue_deadline, proactive]
            .into_iter()
            .flatten()
            .min()
    }

    /// A login succeeded in this tab.
    pub fn session_started(&mut self, expires_at: Option<u64>, now: u64) -> Vec<Action> {
        self.phase = Phase::Active;
        self.proactive_not_before_ms = 0;
        self.new_epoch(now, expires_at);
        self.signed_in = Some((self.epoch, now));
        let mut actions = Vec::new();
        // A refresh of the old session is moot now; the queue can go with the new cookies.
        if let Some(r) = self.refresh.take() {
            actions.push(Action::AbortRefresh { refresh_id: r.id });
        }
        actions.extend(self.drain_send());
        actions
    }

    /// Another tab signed in (same cookies, so this tab is signed in too).
    pub fn signed_in_elsewhere(&mut self, expires_at: Option<u64>, now: u64) -> Vec<Action> {
        self.session_started(expires_at, now)
    }

    /// Another tab refreshed: the cookies are new.
    pub fn remote_refreshed(&mut self, expires_at: Option<u64>, now: u64) -> Vec<Action> {
        if self.phase == Phase::Active {
            self.new_epoch(now, expires_at);
        }
        Vec::new() // a queue, if any, waits for our own refresh, which will find the other tab's and skip
    }

    /// The browser is back online: refreshes that failed while it was not say nothing about the auth server,
    /// so the back-off window closes and a refresh that fell due may run now.
    pub fn back_online(&mut self) {
        self.refresh_failures_in_row = 0;
        self.refresh_not_before_ms = 0;
        self.proactive_not_before_ms = 0;
    }

    /// The server told us when the access token expires (e.g. `GET /me`).
    pub fn observe_expiry(&mut self, expires_at: Option<u64>) {
        if self.phase == Phase::Active && expires_at.is_some() {
            self.access_expires_at_ms = expires_at;
        }
    }

    pub fn signed_out(&mut self) -> Vec<Action> {
        self.end(EndReason::SignedOut)
    }
    pub fn signed_out_elsewhere(&mut self) -> Vec<Action> {
        self.end(EndReason::SignedOutElsewhere)
    }
    pub fn session_ended_elsewhere(&mut self) -> Vec<Action> {
        self.end(EndReason::EndedElsewhere)
    }
}

fn fail(id: RequestId, failure: Failure) -> Action {
    Action::Settle {
        id,
        settlement: Settlement::Fail(failure),
    }
}

// proptest is a host-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
