//! Automatic retries of ordinary calls against a struggling server: which answers are worth another try, and
//! after how long.
//!
//! Only requests that are safe to send twice are retried: `GET`, `PUT` and `DELETE` (idempotent by HTTP's
//! definition), and any request the caller marks with [`Request::idempotent`](crate::Request::idempotent). A
//! `POST` or `PATCH` is never sent twice unless marked. Worth a retry: a network error, and 502/503/504
//! (after the server's `Retry-After` if it sent one, else a short exponential back-off); a 429 only with a
//! `Retry-After`. Never: timeouts (the request's time is spent), auth failures (the refresh machinery owns
//! them), or anything else. Every retry counts against the request's own timeout.

use crate::error::Error;
use crate::transport::HttpResponse;

/// The first back-off, doubled on each further attempt.
const FIRST_BACKOFF_MS: u64 = 250;
/// No single wait is longer than this (a `Retry-After` beyond it ends the retries: the caller decides).
pub(crate) const MAX_RETRY_WAIT_MS: u64 = 10_000;

/// How long to wait before retry number `attempt` (1 = the first retry), or `None` when the outcome is not
/// worth one. `spread` in [0, 1) spreads waits by ±25 % so that clients do not come back in step.
pub(crate) fn retry_delay(
    idempotent: bool,
    outcome: &Result<HttpResponse, Error>,
    attempt: u32,
    spread: f64,
) -> Option<u64> {
    if !idempotent {
        return None;
    }
    let backoff = || {
        let base = FIRST_BACKOFF_MS.saturating_mul(1 << attempt.saturating_sub(1).min(6));
        (base as f64 * (0.75 + 0.5 * spread.clamp(0.0, 1.0))) as u64
    };
    let wait = match outcome {
        Err(Error::Network(_)) => backoff(),
        Ok(r) => match (r.status, r.retry_after_secs) {
            (502..=504, None) => backoff(),
            (429 | 502..=504, Some(secs)) => secs.saturating_mul(1_000),
            _ => return None,
        },
        Err(_) => return None,
    };
    (wait <= MAX_RETRY_WAIT_MS).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Result<HttpResponse, Error> {
        Ok(HttpResponse::new(code, Vec::new()))
    }

    #[test]
    fn network_errors_and_gateway_trouble_back_off_exponentially() {
        let network = Err(Error::Network("reset".into()));
        assert_eq!(retry_delay(true, &network, 1, 0.5), Some(250));
        assert_eq!(retry_delay(true, &network, 2, 0.5), Some(500));
        assert_eq!(retry_delay(true, &status(503), 3, 0.5), Some(1_000));
        assert_eq!(retry_delay(true, &status(502), 1, 0.0), Some(187));
    }

    #[test]
    fn retry_after_is_taken_at_its_word_up_to_a_limit() {
        let throttled = Ok(HttpResponse::new(429, Vec::new()).with_retry_after(2));
        assert_eq!(retry_delay(true, &throttled, 1, 0.5), Some(2_000));
        let long = Ok(HttpResponse::new(503, Vec::new()).with_retry_after(3_600));
        assert_eq!(
            retry_delay(true, &long, 1, 0.5),
            None,
            "an hour is the caller's call"
        );
        assert_eq!(
            retry_delay(true, &status(429), 1, 0.5),
            None,
            "429 without a wait"
        );
    }

    #[test]
    fn nothing_else_and_nothing_unsafe_is_retried() {
        for outcome in [
            status(200),
            status(401),
            status(404),
            status(500),
            Err(Error::Timeout),
            Err(Error::Offline),
            Err(Error::SessionEnded),
        ] {
            assert_eq!(retry_delay(true, &outcome, 1, 0.5), None, "{outcome:?}");
        }
        let network = Err(Error::Network("reset".into()));
        assert_eq!(
            retry_delay(false, &network, 1, 0.5),
            None,
            "a POST is never sent twice"
        );
    }
}
