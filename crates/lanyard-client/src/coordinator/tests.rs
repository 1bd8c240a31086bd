//! One test per transition of the coordinator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

mod props;

const LIMITS: Limits = Limits {
    queue_max: 3,
    queue_max_wait_ms: 1_000,
    refresh_timeout_ms: 500,
    proactive_skew_ms: 100,
    proactive_backoff_ms: 50,
};

fn coord() -> Coordinator {
    Coordinator::new(LIMITS, 0)
}

fn send(id: RequestId, epoch: u64) -> Action {
    Action::Send { id, epoch }
}
fn deliver(id: RequestId) -> Action {
    Action::Settle {
        id,
        settlement: Settlement::Deliver,
    }
}
fn failed(id: RequestId, f: Failure) -> Action {
    Action::Settle {
        id,
        settlement: Settlement::Fail(f),
    }
}
fn start(refresh_id: u64, trigger: Trigger, epoch_started_ms: u64) -> Action {
    Action::StartRefresh {
        refresh_id,
        trigger,
        epoch_started_ms,
    }
}
const REFRESHED: RefreshOutcome = RefreshOutcome::Refreshed { expires_at: None };

#[test]
fn issue_sends_under_the_current_epoch() {
    let mut c = coord();
    assert_eq!(c.issue(1, 0), vec![send(1, 0)]);
    assert_eq!(c.in_flight(), 1);
    assert_eq!(c.responded(1, false, 5), vec![deliver(1)]);
    assert_eq!(c.in_flight(), 0);
}

#[test]
fn auth_failure_queues_and_starts_one_refresh() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0);
    assert_eq!(
        c.responded(1, true, 10),
        vec![start(0, Trigger::AuthFailure, 0)]
    );
    // The second 401 of the same epoch joins the queue: no second refresh.
    assert_eq!(c.responded(2, true, 11), vec![]);
    // Requests issued meanwhile wait too.
    assert_eq!(c.issue(3, 12), vec![]);
    assert_eq!(c.queued(), 3);
    // Success: epoch 1, the queue is replayed in order.
    assert_eq!(
        c.refresh_finished(0, REFRESHED, 20),
        vec![send(1, 1), send(2, 1), send(3, 1)]
    );
    assert_eq!(c.epoch(), 1);
    assert_eq!(c.refresh_in_flight(), None);
}

#[test]
fn a_replayed_request_that_fails_again_is_delivered_not_looped() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 1);
    assert_eq!(c.refresh_finished(0, REFRESHED, 2), vec![send(1, 1)]);
    assert_eq!(c.responded(1, true, 3), vec![deliver(1)]);
    assert_eq!(c.refresh_in_flight(), None);
}

#[test]
fn late_auth_failure_from_an_older_epoch_is_replayed_without_refresh() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0); // sent under epoch 0, its 401 will arrive after the refresh
    c.responded(1, true, 1);
    c.refresh_finished(0, REFRESHED, 2);
    assert_eq!(c.responded(2, true, 3), vec![send(2, 1)]);
    assert_eq!(c.refresh_in_flight(), None);
    // …and only once.
    assert_eq!(c.responded(2, true, 4), vec![deliver(2)]);
}

#[test]
fn late_auth_failure_waits_for_a_refresh_in_flight() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0);
    c.responded(1, true, 1);
    assert_eq!(c.responded(2, true, 2), vec![]);
    assert_eq!(c.queued(), 2);
}

#[test]
fn refused_ends_the_session_and_new_requests_fail_fast() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0);
    c.responded(1, true, 1);
    c.issue(3, 2);
    assert_eq!(
        c.refresh_finished(0, RefreshOutcome::Refused, 3),
        vec![
            failed(1, Failure::SessionEnded),
            failed(3, Failure::SessionEnded),
            Action::SessionEnded {
                reason: EndReason::RefreshRefused
            }
        ]
    );
    assert_eq!(c.phase(), Phase::Ended);
    assert_eq!(c.issue(4, 4), vec![failed(4, Failure::SessionEnded)]);
    // An in-flight request's 401 after the end does not refresh either.
    assert_eq!(
        c.responded(2, true, 5),
        vec![failed(2, Failure::SessionEnded)]
    );
    // A login brings it back.
    assert_eq!(c.session_started(Some(10_000), 6), vec![]);
    assert_eq!(c.issue(5, 7), vec![send(5, 1)]);
}

#[test]
fn unavailable_fails_the_queue_but_keeps_the_session() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 1);
    c.issue(2, 2);
    assert_eq!(
        c.refresh_finished(0, RefreshOutcome::Unavailable, 3),
        vec![
            failed(1, Failure::RefreshUnavailable),
            failed(2, Failure::RefreshUnavailable)
        ]
    );
    assert_eq!(c.phase(), Phase::Active);
    assert_eq!(c.epoch(), 0);
    // The next request goes out, and its 401 tries again.
    assert_eq!(c.issue(3, 4), vec![send(3, 0)]);
    assert_eq!(
        c.responded(3, true, 5),
        vec![start(1, Trigger::AuthFailure, 0)]
    );
}

#[test]
fn abort_while_queued_leaves_at_once() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 1);
    c.issue(2, 2);
    assert_eq!(c.abort(2), vec![failed(2, Failure::Aborted)]);
    assert_eq!(c.queued(), 1);
    assert_eq!(c.refresh_finished(0, REFRESHED, 3), vec![send(1, 1)]);
    assert_eq!(c.abort(2), vec![]);
}

#[test]
fn abort_in_flight_ignores_the_late_answer() {
    let mut c = coord();
    c.issue(1, 0);
    assert_eq!(c.abort(1), vec![failed(1, Failure::Aborted)]);
    assert_eq!(c.responded(1, false, 1), vec![]);
    assert_eq!(c.responded(1, true, 1), vec![]);
    assert_eq!(c.refresh_in_flight(), None);
}

#[test]
fn queue_cap_rejects_with_queue_full() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 0);
    c.issue(2, 0);
    c.issue(3, 0);
    assert_eq!(c.issue(4, 0), vec![failed(4, Failure::QueueFull)]);
    assert_eq!(c.queued(), 3);
}

#[test]
fn queued_requests_time_out() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 0); // refresh starts at 0, times out at 500
    c.issue(2, 100);
    assert_eq!(c.next_wakeup(100), Some(500));
    // Make the refresh outlive the queue wait for this test.
    let mut c2 = Coordinator::new(
        Limits {
            refresh_timeout_ms: 5_000,
            ..LIMITS
        },
        0,
    );
    c2.issue(1, 0);
    c2.responded(1, true, 0);
    c2.issue(2, 100);
    assert_eq!(c2.next_wakeup(100), Some(1_000));
    assert_eq!(c2.tick(999), vec![]);
    assert_eq!(c2.tick(1_000), vec![failed(1, Failure::QueueTimeout)]);
    assert_eq!(c2.next_wakeup(1_000), Some(1_100));
    assert_eq!(c2.tick(1_100), vec![failed(2, Failure::QueueTimeout)]);
}

#[test]
fn refresh_timeout_is_treated_as_unavailable() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 0);
    assert_eq!(
        c.tick(500),
        vec![
            Action::AbortRefresh { refresh_id: 0 },
            failed(1, Failure::RefreshUnavailable)
        ]
    );
    // The aborted refresh's late outcome is ignored.
    assert_eq!(c.refresh_finished(0, REFRESHED, 600), vec![]);
    assert_eq!(c.epoch(), 0);
}

#[test]
fn proactive_window_holds_requests_and_refreshes_once() {
    let mut c = coord();
    c.session_started(Some(1_000), 0);
    assert_eq!(c.next_wakeup(0), Some(900));
    assert_eq!(c.issue(1, 850), vec![send(1, 1)]);
    // Inside the skew window: held, one refresh.
    assert_eq!(c.issue(2, 900), vec![start(0, Trigger::Proactive, 0)]);
    assert_eq!(c.issue(3, 901), vec![]);
    assert_eq!(
        c.refresh_finished(
            0,
            RefreshOutcome::Refreshed {
                expires_at: Some(2_000)
            },
            950
        ),
        vec![send(2, 2), send(3, 2)]
    );
    assert_eq!(c.access_expires_at(), Some(2_000));
}

#[test]
fn failed_early_refresh_sends_what_never_went_out() {
    let mut c = coord();
    c.session_started(Some(1_000), 0);
    c.issue(1, 850);
    assert_eq!(c.issue(2, 900), vec![start(0, Trigger::Proactive, 0)]);
    // Request 1 (sent before the window) meets an auth failure while the early refresh runs: it waits.
    assert_eq!(c.responded(1, true, 910), vec![]);
    assert_eq!(
        c.refresh_finished(0, RefreshOutcome::Unavailable, 950),
        vec![send(2, 1), failed(1, Failure::RefreshUnavailable)]
    );
    assert_eq!(c.phase(), Phase::Active);
}

#[test]
fn tick_refreshes_proactively_with_backoff() {
    let mut c = coord();
    c.session_started(Some(1_000), 0);
    assert_eq!(c.tick(899), vec![]);
    assert_eq!(c.tick(900), vec![start(0, Trigger::Proactive, 0)]);
    assert_eq!(c.tick(901), vec![]); // one in flight
    assert_eq!(
        c.refresh_finished(0, RefreshOutcome::Unavailable, 910),
        vec![]
    );
    // Backoff: no hot loop against a down server.
    assert_eq!(c.next_wakeup(910), Some(960));
    assert_eq!(c.tick(959), vec![]);
    assert_eq!(c.tick(960), vec![start(1, Trigger::Proactive, 0)]);
}

#[test]
fn zero_skew_is_purely_reactive() {
    let mut c = Coordinator::new(
        Limits {
            proactive_skew_ms: 0,
            ..LIMITS
        },
        0,
    );
    c.session_started(Some(1_000), 0);
    assert_eq!(c.next_wakeup(0), None);
    assert_eq!(c.tick(5_000), vec![]);
    assert_eq!(c.issue(1, 5_000), vec![send(1, 1)]);
}

#[test]
fn remote_refresh_bumps_the_epoch_so_late_failures_replay() {
    let mut c = coord();
    c.issue(1, 0);
    assert_eq!(c.remote_refreshed(Some(5_000), 10), vec![]);
    assert_eq!(c.epoch(), 1);
    assert_eq!(c.access_expires_at(), Some(5_000));
    assert_eq!(c.responded(1, true, 11), vec![send(1, 1)]);
}

#[test]
fn already_refreshed_elsewhere_replays_without_double_bump() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 5);
    // The other tab's broadcast arrives while our refresh waits for the lock…
    c.remote_refreshed(Some(3_000), 6);
    // …then our refresh finds its record and skips the call.
    let out = RefreshOutcome::AlreadyRefreshedElsewhere {
        expires_at: Some(3_000),
    };
    assert_eq!(c.refresh_finished(0, out, 7), vec![send(1, 1)]);
    assert_eq!(c.epoch(), 1);
    // Without the broadcast the outcome itself bumps the epoch.
    let mut d = coord();
    d.issue(1, 0);
    d.responded(1, true, 5);
    assert_eq!(d.refresh_finished(0, out, 7), vec![send(1, 1)]);
    assert_eq!(d.epoch(), 1);
}

#[test]
fn refused_after_the_epoch_moved_is_moot() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 5);
    c.remote_refreshed(None, 6);
    assert_eq!(
        c.refresh_finished(0, RefreshOutcome::Refused, 7),
        vec![send(1, 1)]
    );
    assert_eq!(c.phase(), Phase::Active);
}

#[test]
fn sign_out_fails_the_queue_and_aborts_the_refresh() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 5);
    assert_eq!(
        c.signed_out(),
        vec![
            Action::AbortRefresh { refresh_id: 0 },
            failed(1, Failure::SessionEnded),
            Action::SessionEnded {
                reason: EndReason::SignedOut
            }
        ]
    );
    // Already ended: no second event.
    assert_eq!(c.signed_out_elsewhere(), vec![]);
    assert_eq!(c.session_ended_elsewhere(), vec![]);
    assert_eq!(c.next_wakeup(10), None);
}

#[test]
fn sign_in_elsewhere_reactivates() {
    let mut c = coord();
    c.session_ended_elsewhere();
    assert_eq!(c.issue(1, 1), vec![failed(1, Failure::SessionEnded)]);
    c.signed_in_elsewhere(Some(9_000), 2);
    assert_eq!(c.phase(), Phase::Active);
    assert_eq!(c.issue(2, 3), vec![send(2, 1)]);
}

#[test]
fn login_during_a_refresh_aborts_it_and_releases_the_queue() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 5);
    assert_eq!(
        c.session_started(None, 6),
        vec![Action::AbortRefresh { refresh_id: 0 }, send(1, 1)]
    );
    assert_eq!(c.refresh_finished(0, RefreshOutcome::Refused, 7), vec![]);
    assert_eq!(c.phase(), Phase::Active);
}

#[test]
fn observe_expiry_only_while_active() {
    let mut c = coord();
    c.observe_expiry(Some(100));
    assert_eq!(c.access_expires_at(), Some(100));
    c.signed_out();
    c.observe_expiry(Some(200));
    assert_eq!(c.access_expires_at(), None);
}

#[test]
fn an_auth_failure_under_working_credentials_is_a_new_expiry_refreshed_again() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0);
    c.responded(1, true, 1);
    c.responded(2, true, 1);
    assert_eq!(
        c.refresh_finished(0, REFRESHED, 2),
        vec![send(1, 1), send(2, 1)]
    );
    // Request 1's replay works: the epoch's credentials are good…
    assert_eq!(c.responded(1, false, 3), vec![deliver(1)]);
    // …so request 2's replay meeting a 401 under them means the short-lived token expired again.
    assert_eq!(
        c.responded(2, true, 1_003),
        vec![start(1, Trigger::AuthFailure, 2)]
    );
    assert_eq!(c.refresh_finished(1, REFRESHED, 1_004), vec![send(2, 2)]);
    assert_eq!(c.responded(2, false, 1_005), vec![deliver(2)]);
}

#[test]
fn a_request_goes_on_the_wire_at_most_max_sends_times() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0);
    let mut now = 0;
    for refresh_id in 0..u64::from(MAX_SENDS) - 1 {
        now += 10;
        c.responded(1, true, now);
        c.refresh_finished(refresh_id, REFRESHED, now);
        // Another request confirms each new epoch, so the next 401 is a genuine new expiry.
        c.transmitting(2);
        c.responded(2, false, now);
        c.issue(2, now);
    }
    assert_eq!(c.responded(1, true, now + 1), vec![deliver(1)]);
    assert_eq!(c.refresh_in_flight(), None);
}

#[test]
fn the_epoch_is_the_one_a_request_went_on_the_wire_under() {
    let mut c = coord();
    c.issue(1, 0);
    c.issue(2, 0); // waits for a place on the wire
    c.responded(1, true, 1);
    c.refresh_finished(0, REFRESHED, 2);
    c.transmitting(2); // it leaves only now, with the new cookies
                       // Its 401 is about the new cookies: a refresh, not a replay that assumes fresh credentials.
    assert_eq!(
        c.responded(2, true, 3),
        vec![start(1, Trigger::AuthFailure, 2)]
    );
}

#[test]
fn a_refused_refresh_right_after_sign_in_means_the_cookies_were_not_kept() {
    let ended = |reason| Action::SessionEnded { reason };
    // Signed in, the first call is refused, and so is the refresh: the browser never kept the cookies.
    let mut c = coord();
    c.session_started(None, 0);
    c.issue(1, 10);
    c.responded(1, true, 20);
    let actions = c.refresh_finished(0, RefreshOutcome::Refused, 30);
    assert_eq!(actions.last(), Some(&ended(EndReason::CookiesNotKept)));

    // A call accepted since the sign-in proves the cookies work: an ordinary end.
    let mut c = coord();
    c.session_started(None, 0);
    c.issue(1, 10);
    c.responded(1, false, 20);
    c.issue(2, 30);
    c.responded(2, true, 40);
    let actions = c.refresh_finished(0, RefreshOutcome::Refused, 50);
    assert_eq!(actions.last(), Some(&ended(EndReason::RefreshRefused)));

    // Long after the sign-in, or with no sign-in in this tab (a page load): an ordinary end.
    for signed_in_at in [None, Some(0)] {
        let mut c = coord();
        if let Some(at) = signed_in_at {
            c.session_started(None, at);
        }
        let now = COOKIE_CHECK_MS + 10;
        c.issue(1, now);
        c.responded(1, true, now);
        let actions = c.refresh_finished(0, RefreshOutcome::Refused, now);
        assert_eq!(actions.last(), Some(&ended(EndReason::RefreshRefused)));
    }
}

#[test]
fn the_back_off_grows_from_nothing_to_half_a_minute() {
    assert_eq!(
        refresh_backoff_ms(1, 0.5),
        0,
        "after one failure the next request just tries"
    );
    assert_eq!(refresh_backoff_ms(2, 0.5), 1_000);
    assert_eq!(refresh_backoff_ms(3, 0.5), 2_000);
    assert_eq!(refresh_backoff_ms(7, 0.5), 30_000);
    assert_eq!(refresh_backoff_ms(60, 0.5), 30_000);
    assert_eq!(refresh_backoff_ms(2, 0.0), 750);
    assert_eq!(refresh_backoff_ms(2, 0.999), 1_249);
}

#[test]
fn retry_after_closes_the_refresh_for_its_time_and_a_login_reopens_it() {
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 1);
    let throttled = RefreshOutcome::Throttled {
        retry_after_ms: 120_000,
    };
    assert_eq!(
        c.refresh_finished(0, throttled, 2),
        vec![failed(1, Failure::RefreshUnavailable)]
    );
    c.issue(2, 10);
    // Capped at a minute, however long the server asked for.
    assert_eq!(
        c.responded(2, true, 2 + MAX_REFRESH_BACKOFF_MS - 1),
        vec![failed(2, Failure::RefreshUnavailable)]
    );
    c.issue(3, 20);
    assert_eq!(
        c.responded(3, true, 2 + MAX_REFRESH_BACKOFF_MS),
        vec![start(1, Trigger::AuthFailure, 0)]
    );
    // A login closes the window at once.
    let mut c = coord();
    c.issue(1, 0);
    c.responded(1, true, 1);
    c.refresh_finished(0, throttled, 2);
    c.session_started(None, 3);
    c.issue(2, 4);
    assert_eq!(
        c.responded(2, true, 5),
        vec![start(1, Trigger::AuthFailure, 3)]
    );
}
