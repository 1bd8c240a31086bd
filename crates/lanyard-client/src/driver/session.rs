//! Session changes made by this tab, subscribers and statistics.

use std::rc::Rc;

use super::{Inner, Listener};
use crate::coordinator::Phase;
use crate::request::{ClientEvent, ClientStats};
use crate::runtime::{TabMessage, TabMessageKind};

impl Inner {
    pub(crate) fn signed_in(self: &Rc<Self>, expires_at: Option<u64>) {
        let now = self.runtime.now_ms();
        let actions = self
            .state
            .borrow_mut()
            .coordinator
            .session_started(expires_at, now);
        self.tabs.broadcast(TabMessage {
            kind: TabMessageKind::Login,
            expires_at,
        });
        self.perform(actions);
    }

    pub(crate) fn signed_out(self: &Rc<Self>) {
        let actions = self.state.borrow_mut().coordinator.signed_out();
        self.tabs.broadcast(TabMessage {
            kind: TabMessageKind::Logout,
            expires_at: None,
        });
        self.perform(actions);
    }

    pub(crate) fn observe_expiry(self: &Rc<Self>, expires_at: Option<u64>) {
        self.state
            .borrow_mut()
            .coordinator
            .observe_expiry(expires_at);
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

    pub(crate) fn emit(&self, event: ClientEvent) {
        // Snapshot first: a listener may subscribe, unsubscribe or call the client.
        let listeners: Vec<Listener> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        for listener in listeners {
            listener(&event);
        }
    }

    /// The `online` event: close the refresh back-off (failures while offline were not the server's), then
    /// run whatever fell due.
    pub(crate) fn back_online(self: &Rc<Self>) {
        self.state.borrow_mut().coordinator.back_online();
        self.tick();
    }

    /// `pagehide`: the page may go to the back/forward cache.
    pub(crate) fn suspend(&self) {
        self.tabs.suspend();
    }

    /// `pageshow` from the back/forward cache: listen to the other tabs again, tell the subscribers (the
    /// session must be checked again), and re-evaluate expiry against the wall clock.
    pub(crate) fn restored(self: &Rc<Self>) {
        self.tabs.resume();
        self.emit(ClientEvent::Restored);
        self.tick();
    }

    pub(crate) fn count_retry(&self) {
        self.state.borrow_mut().stats.retries += 1;
    }

    pub(crate) fn stats(&self) -> ClientStats {
        let st = self.state.borrow();
        ClientStats {
            epoch: st.coordinator.epoch(),
            queued: st.coordinator.queued() as u64,
            in_flight: st.coordinator.in_flight() as u64,
            in_flight_cap: self.gate.limit() as u64,
            protocol: self.protocol.get(),
            ..st.stats
        }
    }

    pub(crate) fn is_session_ended(&self) -> bool {
        self.state.borrow().coordinator.phase() == Phase::Ended
    }
}
