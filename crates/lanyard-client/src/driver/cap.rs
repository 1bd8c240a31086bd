//! How many requests to keep on the wire, given the protocol and whether a refresh may be near.
//!
//! Over HTTP/1.1 the browser has about six connections per host. A storm that holds all six makes the refresh
//! call queue behind it, so one is kept free — but only while a refresh may be near (an auth failure seen, a
//! refresh running, a known expiry close): otherwise the sixth connection is used, which is most of what a
//! cap costs a burst. A connection frees itself between "a refresh may be near" and the refresh: an auth
//! failure arrives on a connection and lowers the cap before that connection is handed on, and a proactive
//! refresh is announced a request timeout early, by which time every request sent before has ended.
//! HTTP/2 and 3 multiplex one connection: the cap only stays below common stream limits (100–128).

use crate::config::InFlightCap;
use crate::transport::Protocol;

/// Connections a browser opens per host over HTTP/1.1.
pub(crate) const HTTP1_CONNECTIONS: usize = 6;
/// Concurrent streams the client uses over HTTP/2 and 3 (servers allow 100–256).
pub(crate) const MULTIPLEXED_STREAMS: usize = 100;

/// The cap for `cap` over `protocol` (`None`: not known yet).
pub(crate) fn in_flight_limit(
    cap: InFlightCap,
    protocol: Option<Protocol>,
    refresh_may_be_near: bool,
) -> usize {
    let all = match (cap, protocol) {
        (InFlightCap::Fixed(n), _) => return n,
        // Until an answer tells, as over HTTP/1.1 with a refresh near: one connection stays free.
        (_, None) => return HTTP1_CONNECTIONS - 1,
        (_, Some(Protocol::Http1)) => HTTP1_CONNECTIONS,
        (_, Some(_)) => MULTIPLEXED_STREAMS,
    };
    if refresh_may_be_near {
        all - 1
    } else {
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_fits_the_protocol_and_keeps_a_place_while_a_refresh_may_be_near() {
        let auto = InFlightCap::Auto;
        assert_eq!(in_flight_limit(auto, None, false), 5);
        assert_eq!(in_flight_limit(auto, None, true), 5);
        assert_eq!(in_flight_limit(auto, Some(Protocol::Http1), false), 6);
        assert_eq!(in_flight_limit(auto, Some(Protocol::Http1), true), 5);
        assert_eq!(in_flight_limit(auto, Some(Protocol::Http2), false), 100);
        assert_eq!(in_flight_limit(auto, Some(Protocol::Http3), true), 99);
    }

    #[test]
    fn a_fixed_cap_is_kept_as_given() {
        for protocol in [None, Some(Protocol::Http1), Some(Protocol::Http2)] {
            assert_eq!(in_flight_limit(InFlightCap::Fixed(3), protocol, true), 3);
            assert_eq!(in_flight_limit(InFlightCap::Fixed(0), protocol, false), 0);
        }
    }
}
