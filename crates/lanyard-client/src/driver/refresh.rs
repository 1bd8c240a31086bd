//! The refresh task and other tabs' messages.

use std::rc::Rc;

use futures_util::future::FutureExt;

use super::Inner;
use crate::coordinator::{refresh_decision, RefreshDecision, RefreshOutcome, RefreshRecord};
use crate::cross_tab::shared_backoff_ms;
use crate::expiry::access_expiry;
use crate::request::ClientEvent;
use crate::runtime::{AbortHandle, Method, TabMessage, TabMessageKind};
use crate::transport::HttpRequest;

impl Inner {
    pub(super) fn start_refresh(self: &Rc<Self>, refresh_id: u64, epoch_started_ms: u64) {
        log::debug!("refresh {refresh_id} starting");
        let signal = AbortHandle::new();
        self.state.borrow_mut().refresh = Some((refresh_id, signal.clone()));
        let job = self
            .clone()
            .refresh_job(signal, epoch_started_ms)
            .boxed_local();
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
    async fn refresh_job(
        self: Rc<Self>,
        signal: AbortHandle,
        epoch_started_ms: u64,
    ) -> RefreshOutcome {
        if signal.is_aborted() {
            return RefreshOutcome::Unavailable; // timed out waiting for the lock; ignored by the coordinator
        }
        if !self.runtime.is_online() {
            // Not a refused refresh: the session is fine, the network is not. Tried again once online.
            return RefreshOutcome::Unavailable;
        }
        let now = self.runtime.now_ms();
        if let RefreshDecision::AlreadyDone { expires_at } =
            refresh_decision(self.tabs.last_refresh(), epoch_started_ms, now)
        {
            self.state.borrow_mut().stats.refreshes_skipped += 1;
            return RefreshOutcome::AlreadyRefreshedElsewhere { expires_at };
        }
        // Another tab was told to come back later: that holds for this tab too, so no call of our own.
        if let Some(retry_after_ms) = shared_backoff_ms(self.tabs.backoff_until(), now) {
            return RefreshOutcome::Throttled { retry_after_ms };
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
                let refreshed_at_ms = self.runtime.now_ms();
                let expires_at = access_expiry(&self.config, &r.body, refreshed_at_ms);
                self.tabs.record_refresh(RefreshRecord {
                    refreshed_at_ms,
                    expires_at,
                });
                self.tabs.broadcast(TabMessage {
                    kind: TabMessageKind::Refreshed,
                    expires_at,
                });
                RefreshOutcome::Refreshed { expires_at }
            }
            Ok(r) if r.status == 401 || r.status == 403 => RefreshOutcome::Refused,
            // A struggling auth server that says when to come back is taken at its word (capped).
            Ok(r) if matches!(r.status, 429 | 503) && r.retry_after_secs.is_some() => {
                let retry_after_ms = r.retry_after_secs.unwrap_or(0).saturating_mul(1_000);
                let until = self.runtime.now_ms().saturating_add(retry_after_ms);
                self.tabs.record_backoff(until);
                RefreshOutcome::Throttled { retry_after_ms }
            }
            Ok(_) | Err(_) => RefreshOutcome::Unavailable,
        }
    }

    fn refresh_done(self: &Rc<Self>, refresh_id: u64, outcome: RefreshOutcome) {
        let (actions, current) = {
            let mut st = self.state.borrow_mut();
            let current = st
                .coordinator
                .refresh_in_flight()
                .is_some_and(|r| r.id == refresh_id);
            if current {
                st.refresh = None;
                if matches!(
                    outcome,
                    RefreshOutcome::Unavailable | RefreshOutcome::Throttled { .. }
                ) {
                    st.stats.refresh_failures += 1;
                }
            }
            let now = self.runtime.now_ms();
            log::debug!("refresh {refresh_id} finished: {outcome:?} (current: {current})");
            let actions = match outcome {
                // Superseded (timed out, or a login came first) but the server did rotate the cookies: as
                // far as this tab's requests are concerned that is a new epoch, like another tab's refresh.
                RefreshOutcome::Refreshed { expires_at } if !current => {
                    st.coordinator.remote_refreshed(expires_at, now)
                }
                _ => st.coordinator.refresh_finished(refresh_id, outcome, now),
            };
            (actions, current)
        };
        if let (
            true,
            RefreshOutcome::Refreshed { expires_at }
            | RefreshOutcome::AlreadyRefreshedElsewhere { expires_at },
        ) = (current, outcome)
        {
            self.emit(ClientEvent::Refreshed { expires_at });
        }
        self.perform(actions);
    }

    pub(super) fn on_tab_message(self: &Rc<Self>, message: TabMessage) {
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
}
