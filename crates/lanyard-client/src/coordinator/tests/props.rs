//! Property test: random interleavings of every event the coordinator can see, checking its invariants.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::super::*;
use super::LIMITS;

#[derive(Clone, Debug)]
enum Op {
    Issue,
    /// Answer one outstanding transmission (picked by index), as an auth failure or not.
    Respond(usize, bool),
    /// One outstanding transmission (picked by index) only now goes on the wire (it waited for a place).
    Transmit(usize),
    /// 0 Refreshed, 1 elsewhere, 2 Refused, 3 Unavailable, 4 Throttled (Retry-After 2 s).
    FinishRefresh(u8),
    /// An outcome for a refresh id that is not (any more) the current one.
    StaleFinish,
    Abort(usize),
    Advance(u64),
    RemoteRefresh,
    Login,
    SignOut,
    EndedElsewhere,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Issue),
        8 => (any::<usize>(), prop::bool::weighted(0.5)).prop_map(|(i, a)| Op::Respond(i, a)),
        2 => any::<usize>().prop_map(Op::Transmit),
        3 => (0u8..5).prop_map(Op::FinishRefresh),
        1 => Just(Op::StaleFinish),
        2 => any::<usize>().prop_map(Op::Abort),
        3 => (1u64..400).prop_map(Op::Advance),
        1 => Just(Op::RemoteRefresh),
        1 => Just(Op::Login),
        1 => Just(Op::SignOut),
        1 => Just(Op::EndedElsewhere),
    ]
}

#[derive(Default)]
struct Harness {
    now: u64,
    next_id: RequestId,
    issued: Vec<RequestId>,
    /// Transmissions at the "transport": (id, epoch sent under).
    outstanding: Vec<(RequestId, u64)>,
    sends: BTreeMap<RequestId, u32>,
    settles: BTreeMap<RequestId, u32>,
    refresh: Option<u64>,
    past_refresh_ids: Vec<u64>,
    /// Per epoch: refreshes started, and refreshes that failed without ending the session or the epoch.
    starts: BTreeMap<u64, u32>,
    failures: BTreeMap<u64, u32>,
    /// Epochs under which a request was accepted (their credentials worked).
    confirmed: Vec<u64>,
    /// After a refresh answered with Retry-After: no refresh in that epoch before this time.
    throttled: Option<(u64, u64)>,
    ended: bool,
}

impl Harness {
    /// Applies the actions of one event, checking the per-action invariants.
    fn apply(&mut self, c: &Coordinator, actions: Vec<Action>, epoch_before: u64) {
        for action in actions {
            match action {
                Action::Send { id, epoch } => {
                    assert!(!self.ended, "Send of {id} after the session ended");
                    assert_eq!(epoch, c.epoch());
                    assert!(
                        self.outstanding.iter().all(|(o, _)| *o != id),
                        "{id} sent twice at once"
                    );
                    let n = self.sends.entry(id).or_default();
                    *n += 1;
                    assert!(*n <= u32::from(MAX_SENDS), "request {id} sent {n} times");
                    self.outstanding.push((id, epoch));
                }
                Action::Settle { id, .. } => {
                    let n = self.settles.entry(id).or_default();
                    *n += 1;
                    assert_eq!(*n, 1, "request {id} settled twice");
                    self.outstanding.retain(|(o, _)| *o != id);
                }
                Action::StartRefresh { refresh_id, .. } => {
                    assert!(self.refresh.is_none(), "two refreshes in flight");
                    if let Some((epoch, until)) = self.throttled {
                        assert!(
                            epoch != c.epoch() || self.now >= until,
                            "a refresh at {} inside the Retry-After window (until {until})",
                            self.now
                        );
                    }
                    assert!(!self.ended);
                    self.refresh = Some(refresh_id);
                    let starts = self.starts.entry(epoch_before).or_default();
                    *starts += 1;
                    let allowed = 1 + self.failures.get(&epoch_before).copied().unwrap_or(0);
                    assert!(
                        *starts <= allowed,
                        "a second refresh in epoch {epoch_before}"
                    );
                }
                Action::AbortRefresh { refresh_id } => {
                    assert_eq!(self.refresh, Some(refresh_id));
                    self.past_refresh_ids.push(refresh_id);
                    self.refresh = None;
                }
                Action::SessionEnded { .. } => self.ended = true,
            }
        }
        // Structural invariants.
        assert!(
            c.queued() == 0 || c.refresh_in_flight().is_some(),
            "a queue with no refresh to wait for"
        );
        assert_eq!(self.refresh, c.refresh_in_flight().map(|r| r.id));
        assert_eq!(self.ended, c.phase() == Phase::Ended);
    }

    fn step(&mut self, c: &mut Coordinator, op: Op) {
        let epoch = c.epoch();
        let actions = match op {
            Op::Issue => {
                let id = self.next_id;
                self.next_id += 1;
                self.issued.push(id);
                c.issue(id, self.now)
            }
            Op::Respond(i, auth) => {
                if self.outstanding.is_empty() {
                    return;
                }
                let (id, sent_epoch) = self.outstanding.remove(i % self.outstanding.len());
                let replay = self.sends.get(&id).copied().unwrap_or(0) >= 2;
                let confirmed = self.confirmed.contains(&epoch);
                let actions = c.responded(id, auth, self.now);
                if !auth && sent_epoch == epoch {
                    self.confirmed.push(epoch);
                }
                if auth && replay && sent_epoch == epoch && !confirmed {
                    // The loop guard: fresh credentials were refused before any worked; no new refresh.
                    assert_eq!(
                        actions,
                        vec![Action::Settle {
                            id,
                            settlement: Settlement::Deliver
                        }],
                        "a refresh that did not help was followed by another"
                    );
                }
                if auth && sent_epoch < epoch {
                    let started = actions
                        .iter()
                        .any(|a| matches!(a, Action::StartRefresh { .. }));
                    assert!(!started, "a 401 from an older epoch started a refresh");
                }
                if !auth {
                    assert_eq!(
                        actions,
                        vec![Action::Settle {
                            id,
                            settlement: Settlement::Deliver
                        }]
                    );
                }
                actions
            }
            Op::Transmit(i) => {
                if self.outstanding.is_empty() {
                    return;
                }
                let at = i % self.outstanding.len();
                c.transmitting(self.outstanding[at].0);
                self.outstanding[at].1 = epoch;
                Vec::new()
            }
            Op::FinishRefresh(kind) => {
                let Some(id) = self.refresh else { return };
                let expires_at = Some(self.now + 1_000);
                let outcome = match kind {
                    0 => RefreshOutcome::Refreshed { expires_at },
                    1 => RefreshOutcome::AlreadyRefreshedElsewhere { expires_at },
                    2 => RefreshOutcome::Refused,
                    3 => RefreshOutcome::Unavailable,
                    _ => RefreshOutcome::Throttled {
                        retry_after_ms: 2_000,
                    },
                };
                if kind >= 2 {
                    *self.failures.entry(epoch).or_default() += 1;
                }
                let current = c.refresh_in_flight().is_some_and(|r| r.epoch == epoch);
                if matches!(outcome, RefreshOutcome::Throttled { .. }) && current {
                    self.throttled = Some((epoch, self.now + 2_000));
                }
                self.refresh = None;
                self.past_refresh_ids.push(id);
                c.refresh_finished(id, outcome, self.now)
            }
            Op::StaleFinish => {
                let Some(&id) = self.past_refresh_ids.last() else {
                    return;
                };
                let actions = c.refresh_finished(id, RefreshOutcome::Refused, self.now);
                assert_eq!(actions, vec![], "a stale refresh outcome was acted on");
                actions
            }
            Op::Abort(i) => {
                if self.issued.is_empty() {
                    return;
                }
                c.abort(self.issued[i % self.issued.len()])
            }
            Op::Advance(ms) => {
                self.now += ms;
                if c.refresh_in_flight()
                    .is_some_and(|r| self.now >= r.started_ms + LIMITS.refresh_timeout_ms)
                {
                    *self.failures.entry(epoch).or_default() += 1;
                }
                c.tick(self.now)
            }
            Op::RemoteRefresh => c.remote_refreshed(Some(self.now + 1_000), self.now),
            Op::Login => {
                self.ended = false;
                c.session_started(Some(self.now + 1_000), self.now)
            }
            Op::SignOut => c.signed_out(),
            Op::EndedElsewhere => c.session_ended_elsewhere(),
        };
        self.apply(c, actions, epoch);
    }

    /// Lets everything finish: answer all transmissions, complete refreshes, let the clock run out.
    fn drain(&mut self, c: &mut Coordinator) {
        for _ in 0..100 {
            if !self.outstanding.is_empty() {
                self.step(c, Op::Respond(0, false));
            } else if self.refresh.is_some() {
                self.step(c, Op::FinishRefresh(0));
            } else {
                break;
            }
        }
        self.step(
            c,
            Op::Advance(LIMITS.queue_max_wait_ms + LIMITS.refresh_timeout_ms),
        );
        assert_eq!(c.queued() + c.in_flight(), 0, "requests left behind");
        for id in &self.issued {
            assert_eq!(self.settles.get(id), Some(&1), "request {id} never settled");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, ..ProptestConfig::default() })]

    #[test]
    fn coordinator_invariants_hold(ops in prop::collection::vec(op(), 1..80)) {
        let mut c = Coordinator::new(LIMITS, 0);
        let mut h = Harness::default();
        for op in ops {
            h.step(&mut c, op);
        }
        h.drain(&mut c);
    }
}
