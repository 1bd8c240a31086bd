//! A cap on how many of this client's requests are on the wire at once.
//!
//! Why: over HTTP/1.1 a browser gives a host about six connections. A storm of a thousand requests that all
//! get a 401 would otherwise hold every connection, and the one refresh call — which everything is waiting
//! for — would queue behind them inside the browser until its own timeout fired. Below the cap a connection
//! stays free for the refresh, which bypasses the gate; and requests still waiting here when it completes
//! leave with the new cookies, so they never see a 401 at all.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;

pub(crate) struct Gate {
    /// 0 = no cap. Changes with the protocol and with whether a refresh may be near (see `cap.rs`).
    limit: Cell<usize>,
    open: Cell<usize>,
    /// First come, first served. A Vec whose front is taken with `remove(0)`: a few thousand waiters at
    /// most, so moving the rest along costs microseconds, and a VecDeque of its own would add its code to
    /// every app.
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

/// A place on the wire; dropping it lets the next waiter through.
pub(crate) struct Pass {
    gate: Rc<Gate>,
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.gate.leave();
    }
}

/// A caller waiting at the gate. If it is dropped (aborted, timed out) after a place was handed to it,
/// the place goes on to the next waiter instead of being lost.
struct Waiter {
    gate: Rc<Gate>,
    handed: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(mut receiver) = self.handed.take() {
            if let Ok(Some(())) = receiver.try_recv() {
                self.gate.leave();
            }
        }
    }
}

impl Gate {
    pub(crate) fn new(limit: usize) -> Rc<Gate> {
        Rc::new(Gate {
            limit: Cell::new(limit),
            open: Cell::new(0),
            waiters: RefCell::new(Vec::new()),
        })
    }

    /// A place now, if one is free and nobody is waiting for it (the common, cost-free path).
    pub(crate) fn try_enter(self: &Rc<Self>) -> Option<Pass> {
        let free = self.has_room();
        if free && self.waiters.borrow().is_empty() {
            self.open.set(self.open.get() + 1);
            return Some(Pass { gate: self.clone() });
        }
        None
    }

    /// Sets the cap. A higher one lets waiters through at once; a lower one takes effect as places are left
    /// (a request already on the wire is never called back).
    pub(crate) fn set_limit(&self, limit: usize) {
        self.limit.set(limit);
        while self.has_room() {
            let Some(sender) = self.next_waiter() else {
                break;
            };
            if sender.send(()).is_ok() {
                self.open.set(self.open.get() + 1);
            }
        }
    }

    /// The cap now (0 = none).
    pub(crate) fn limit(&self) -> usize {
        self.limit.get()
    }

    /// The longest-waiting caller, taken out of the line.
    fn next_waiter(&self) -> Option<oneshot::Sender<()>> {
        let mut waiters = self.waiters.borrow_mut();
        (!waiters.is_empty()).then(|| waiters.remove(0))
    }

    fn has_room(&self) -> bool {
        let limit = self.limit.get();
        limit == 0 || self.open.get() < limit
    }

    /// Waits for a place on the wire (first come, first served).
    pub(crate) async fn enter(self: &Rc<Self>) -> Pass {
        if let Some(pass) = self.try_enter() {
            return pass;
        }
        let (sender, receiver) = oneshot::channel();
        self.waiters.borrow_mut().push(sender);
        let mut waiter = Waiter {
            gate: self.clone(),
            handed: Some(receiver),
        };
        if let Some(receiver) = waiter.handed.as_mut() {
            // The sender lives in `waiters` until it hands us a place, so this only ends with one.
            let _ = receiver.await;
        }
        waiter.handed = None; // the place is ours now: the Pass gives it back
        Pass { gate: self.clone() }
    }

    /// How many requests hold a place now.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub(crate) fn in_use(&self) -> usize {
        self.open.get()
    }

    fn leave(&self) {
        // Hand the place straight to the next live waiter; only when nobody waits, or the cap was lowered
        // below what is open, does it become free.
        let limit = self.limit.get();
        while limit == 0 || self.open.get() <= limit {
            let next = self.next_waiter();
            match next {
                Some(sender) => {
                    if sender.send(()).is_ok() {
                        return;
                    }
                }
                None => break,
            }
        }
        self.open.set(self.open.get().saturating_sub(1));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;
    use std::future::Future;

    #[test]
    fn lets_through_up_to_the_limit_then_in_order() {
        let mut pool = LocalPool::new();
        let gate = Gate::new(2);
        let order = Rc::new(RefCell::new(Vec::new()));
        let passes = Rc::new(RefCell::new(Vec::new()));
        for k in 0..5 {
            let (gate, order, passes) = (gate.clone(), order.clone(), passes.clone());
            pool.spawner()
                .spawn_local(async move {
                    let pass = gate.enter().await;
                    order.borrow_mut().push(k);
                    passes.borrow_mut().push(pass);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(*order.borrow(), vec![0, 1]);
        assert_eq!(gate.in_use(), 2);
        let first = passes.borrow_mut().remove(0);
        drop(first);
        pool.run_until_stalled();
        assert_eq!(*order.borrow(), vec![0, 1, 2]);
        assert_eq!(gate.in_use(), 2);
        passes.borrow_mut().clear();
        pool.run_until_stalled();
        passes.borrow_mut().clear();
        pool.run_until_stalled();
        assert_eq!(*order.borrow(), vec![0, 1, 2, 3, 4]);
        passes.borrow_mut().clear();
        assert_eq!(gate.in_use(), 0);
    }

    #[test]
    fn a_waiter_that_gives_up_does_not_keep_a_place() {
        let mut pool = LocalPool::new();
        let gate = Gate::new(1);
        let held = pool.run_until(gate.enter());
        // Two waiters; the first is dropped before and the second after a place is handed on.
        let mut first = Box::pin(gate.enter());
        let mut second = Box::pin(gate.enter());
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(first.as_mut().poll(&mut cx).is_pending());
        assert!(second.as_mut().poll(&mut cx).is_pending());
        drop(first);
        drop(held); // the place skips the dropped waiter and goes to the second
        let pass = pool.run_until(second);
        assert_eq!(gate.in_use(), 1);
        drop(pass);
        assert_eq!(gate.in_use(), 0);
    }

    #[test]
    fn a_place_handed_to_a_waiter_that_is_then_dropped_is_passed_on() {
        let mut pool = LocalPool::new();
        let gate = Gate::new(1);
        let held = pool.run_until(gate.enter());
        let mut waiting = Box::pin(gate.enter());
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        drop(held); // handed to `waiting`, which never runs again
        drop(waiting);
        assert_eq!(gate.in_use(), 0, "the place must not leak");
        let again = pool.run_until(gate.enter());
        assert_eq!(gate.in_use(), 1);
        drop(again);
    }

    #[test]
    fn a_lowered_cap_frees_places_as_they_are_left_and_a_raised_one_lets_waiters_in() {
        let mut pool = LocalPool::new();
        let gate = Gate::new(3);
        let mut held: Vec<Pass> = (0..3).map(|_| pool.run_until(gate.enter())).collect();
        let waiting = Rc::new(RefCell::new(Vec::new()));
        for _ in 0..3 {
            let (gate, waiting) = (gate.clone(), waiting.clone());
            pool.spawner()
                .spawn_local(async move {
                    let pass = gate.enter().await;
                    waiting.borrow_mut().push(pass);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        gate.set_limit(2);
        held.pop(); // left while over the new cap: the place is not handed on
        pool.run_until_stalled();
        assert_eq!((gate.in_use(), waiting.borrow().len()), (2, 0));
        held.pop(); // at the cap again: handed on
        pool.run_until_stalled();
        assert_eq!((gate.in_use(), waiting.borrow().len()), (2, 1));
        gate.set_limit(4);
        pool.run_until_stalled();
        assert_eq!((gate.in_use(), waiting.borrow().len()), (4, 3));
        drop(held);
        waiting.borrow_mut().clear();
        assert_eq!(gate.in_use(), 0);
    }

    #[test]
    fn zero_means_no_cap() {
        let mut pool = LocalPool::new();
        let gate = Gate::new(0);
        let passes: Vec<Pass> = (0..100).map(|_| pool.run_until(gate.enter())).collect();
        assert_eq!(gate.in_use(), 100);
        drop(passes);
        assert_eq!(gate.in_use(), 0);
    }
}
