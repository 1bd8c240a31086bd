//! The building blocks the coordinator's event handlers share: sending, queueing, starting a refresh,
//! draining or failing the queue, ending the session, opening the back-off window, starting an epoch.

use super::*;

impl Coordinator {
    pub(super) fn proactive_due(&self, now: u64) -> bool {
        let skew = self.limits.proactive_skew_ms;
        self.phase == Phase::Active
            && skew > 0
            && now >= self.proactive_not_before_ms
            && self.access_expires_at_ms.is_some_and(|e| now + skew >= e)
    }

    /// Opens the back-off window after an unavailable refresh (see "Back-off" in the module docs).
    pub(super) fn back_off(&mut self, now: u64, retry_after_ms: Option<u64>) {
        self.refresh_failures_in_row = self.refresh_failures_in_row.saturating_add(1);
        // A spread that differs between tabs and clients without a random source: the clock's low bits.
        let spread = (now % 1_000) as f64 / 1_000.0;
        let wait = retry_after_ms
            .unwrap_or_else(|| refresh_backoff_ms(self.refresh_failures_in_row, spread))
            .min(MAX_REFRESH_BACKOFF_MS);
        self.refresh_not_before_ms = now.saturating_add(wait);
        self.proactive_not_before_ms = self.proactive_not_before_ms.max(self.refresh_not_before_ms);
    }

    pub(super) fn new_epoch(&mut self, now: u64, expires_at: Option<u64>) {
        self.refresh_failures_in_row = 0;
        self.refresh_not_before_ms = 0;
        self.epoch += 1;
        self.epoch_confirmed = false;
        self.auth_failure_seen = false;
        self.epoch_started_ms = now;
        self.access_expires_at_ms = expires_at;
    }

    pub(super) fn send(&mut self, id: RequestId) -> Action {
        let epoch = self.epoch;
        if let Some(req) = self.requests.get_mut(id) {
            req.state = ReqState::InFlight { sent_epoch: epoch };
            req.sends += 1;
        }
        Action::Send { id, epoch }
    }

    pub(super) fn enqueue(&mut self, id: RequestId, now: u64) -> Vec<Action> {
        if self.queue.len() >= self.limits.queue_max {
            self.requests.remove(id);
            return vec![fail(id, Failure::QueueFull)];
        }
        if let Some(req) = self.requests.get_mut(id) {
            req.state = ReqState::Queued { enqueued_ms: now };
        }
        self.queue.push(id);
        Vec::new()
    }

    pub(super) fn start_refresh(&mut self, trigger: Trigger, now: u64) -> Action {
        let refresh_id = self.next_refresh_id;
        self.next_refresh_id += 1;
        self.refresh = Some(InFlightRefresh {
            id: refresh_id,
            started_ms: now,
            trigger,
            epoch: self.epoch,
        });
        Action::StartRefresh {
            refresh_id,
            trigger,
            epoch_started_ms: self.epoch_started_ms,
        }
    }

    pub(super) fn drain_send(&mut self) -> Vec<Action> {
        let queue = std::mem::take(&mut self.queue);
        queue.into_iter().map(|id| self.send(id)).collect()
    }

    /// Requests held only because a refresh was due go out now; those that already met an auth failure
    /// fail as unavailable (their replay would meet it again).
    pub(super) fn drain_after_early_refresh_failed(&mut self) -> Vec<Action> {
        let queue = std::mem::take(&mut self.queue);
        queue
            .into_iter()
            .map(|id| {
                if self.requests.get(id).is_some_and(|r| r.sends == 0) {
                    self.send(id)
                } else {
                    self.requests.remove(id);
                    fail(id, Failure::RefreshUnavailable)
                }
            })
            .collect()
    }

    pub(super) fn drain_fail(&mut self, failure: Failure) -> Vec<Action> {
        let queue = std::mem::take(&mut self.queue);
        queue
            .into_iter()
            .map(|id| {
                self.requests.remove(id);
                fail(id, failure)
            })
            .collect()
    }

    pub(super) fn end(&mut self, reason: EndReason) -> Vec<Action> {
        let was_active = self.phase == Phase::Active;
        self.phase = Phase::Ended;
        self.access_expires_at_ms = None;
        let mut actions = Vec::new();
        if let Some(r) = self.refresh.take() {
            actions.push(Action::AbortRefresh { refresh_id: r.id });
        }
        actions.extend(self.drain_fail(Failure::SessionEnded));
        if was_active {
            actions.push(Action::SessionEnded { reason });
        }
        actions
    }
}
