//! The coordinator's vocabulary: what happens to it (outcomes), what it asks for (actions), its bounds.

/// Identifies one logical request (stable across its replay).
pub type RequestId = u64;

/// Why a refresh was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A request sent under the current epoch got an auth failure.
    AuthFailure,
    /// The access token is about to expire (or has, e.g. while the tab slept).
    Proactive,
}

/// What the refresh call came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// This tab refreshed: new cookies.
    Refreshed { expires_at: Option<u64> },
    /// Inside the cross-tab lock we saw that another tab had refreshed since our epoch began: no call made.
    AlreadyRefreshedElsewhere { expires_at: Option<u64> },
    /// The server refused (401/403): the session is over.
    Refused,
    /// Network error, timeout or 5xx: the session may well be fine; try again later.
    Unavailable,
    /// Like `Unavailable`, but the server said when to come back (`Retry-After` on a 503 or 429).
    Throttled {
        /// How long to wait before the next refresh, in milliseconds.
        retry_after_ms: u64,
    },
}

/// The longest a refresh back-off lasts, however long `Retry-After` asks for: after it the next auth failure
/// tries again (a user should not be stuck for an hour because a proxy said so).
pub const MAX_REFRESH_BACKOFF_MS: u64 = 60_000;

/// After `failures` unavailable refreshes in a row (without `Retry-After`), how long before the next one:
/// none after the first (the next request simply tries again), then 1, 2, 4 … up to 30 s, spread by
/// `spread` in [0, 1) (±25 %) so that many tabs and clients do not come back at the same instant.
pub fn refresh_backoff_ms(failures: u32, spread: f64) -> u64 {
    if failures <= 1 {
        return 0;
    }
    let base = 1_000u64
        .saturating_mul(1 << (failures - 2).min(5))
        .min(30_000);
    (base as f64 * (0.75 + 0.5 * spread.clamp(0.0, 1.0))) as u64
}

/// What came back for one transmission of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The server answered with anything but an auth failure: the credentials it was sent with work.
    Accepted,
    /// The server answered with one of the refresh statuses (missing or expired access token).
    AuthFailure,
    /// No answer (network error, timeout): says nothing about the credentials.
    Unreached,
}

/// How many times one request may go on the wire: once, then a replay after each refresh that could
/// help it. Bounds a request that keeps meeting a fresh expiry (tokens shorter than its wait).
pub const MAX_SENDS: u8 = 3;

/// Why a request failed without (another) answer from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    SessionEnded,
    RefreshUnavailable,
    QueueFull,
    QueueTimeout,
    Aborted,
}

/// How a request ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Hand the caller the last answer the transport gave (success, error status, or transport error).
    Deliver,
    Fail(Failure),
}

/// Why the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// The refresh token was refused (expired, revoked, reused).
    RefreshRefused,
    /// Right after a sign-in, before any call was accepted, the refresh was refused: the browser did not keep
    /// (or send) the session's cookies — not an expired session.
    CookiesNotKept,
    /// Another tab's refresh was refused (the tabs share the cookies, so ours is gone too).
    EndedElsewhere,
    /// The user signed out in this tab.
    SignedOut,
    /// The user signed out in another tab.
    SignedOutElsewhere,
}

/// What the driver must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Transmit the request (first time, or its one replay).
    Send {
        id: RequestId,
        epoch: u64,
    },
    Settle {
        id: RequestId,
        settlement: Settlement,
    },
    /// Run the refresh (under the cross-tab lock; skip the call if another tab refreshed after
    /// `epoch_started_ms`), then report [`Coordinator::refresh_finished`] with this `refresh_id`.
    StartRefresh {
        refresh_id: u64,
        trigger: Trigger,
        epoch_started_ms: u64,
    },
    /// Cancel that refresh (timed out, or the session ended); its late outcome will be ignored.
    AbortRefresh {
        refresh_id: u64,
    },
    SessionEnded {
        reason: EndReason,
    },
}

/// The bounds the coordinator enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub queue_max: usize,
    pub queue_max_wait_ms: u64,
    pub refresh_timeout_ms: u64,
    /// 0 disables proactive refresh.
    pub proactive_skew_ms: u64,
    /// After a refresh, no proactive refresh for this long (stops a loop when the server's token lifetime is
    /// shorter than the skew, or the refresh endpoint is down). The 401 path is never delayed.
    pub proactive_backoff_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            queue_max: 2_000,
            queue_max_wait_ms: 20_000,
            refresh_timeout_ms: 10_000,
            proactive_skew_ms: 5_000,
            proactive_backoff_ms: 5_000,
        }
    }
}

/// `true` is an auth failure, `false` an accepted answer (the shorthand the tests use).
impl From<bool> for Answer {
    fn from(is_auth_failure: bool) -> Answer {
        if is_auth_failure {
            Answer::AuthFailure
        } else {
            Answer::Accepted
        }
    }
}
