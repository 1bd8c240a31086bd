//! The pure half of cross-tab coordination (the browser half is `tabs.rs`): what a tab leaves behind after a
//! refresh, and the decision, taken inside the cross-tab lock, whether a refresh is still needed.

use crate::runtime::{decode_number, encode_number};

/// What another tab left behind after refreshing: a timestamp and the new expiry — never a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshRecord {
    pub refreshed_at_ms: u64,
    pub expires_at: Option<u64>,
}

impl RefreshRecord {
    /// `"<refreshed_at_ms> <expires_at or -> <tab>"`, as stored in localStorage by tab `tab` (a tab's own
    /// refreshes are tracked by its epoch, not by the record).
    pub fn encode(&self, tab: u64) -> String {
        format!(
            "{} {} {tab}",
            self.refreshed_at_ms,
            encode_number(self.expires_at)
        )
    }

    /// The record and the tab that wrote it; `None` for anything malformed.
    pub fn decode(text: &str) -> Option<(RefreshRecord, u64)> {
        let mut parts = text.split(' ');
        let refreshed_at_ms = parts.next()?.parse().ok()?;
        let expires_at = decode_number(parts.next()?)?;
        let tab = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        let record = RefreshRecord {
            refreshed_at_ms,
            expires_at,
        };
        Some((record, tab))
    }
}

/// Decided inside the cross-tab lock, just before calling the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshDecision {
    Needed,
    AlreadyDone { expires_at: Option<u64> },
}

/// Is a refresh still needed? `record` is the last refresh made by *another* tab. Not needed if it happened
/// since our epoch began (our cookies are already the new ones) and the token it got is not yet expired.
/// Page load starts an epoch, so a record left by an earlier visit never counts. A tie counts as "already
/// done": skipping wrongly costs one failed request, refreshing wrongly presents a rotated token (reuse →
/// the server ends the session).
pub fn refresh_decision(
    record: Option<RefreshRecord>,
    epoch_started_ms: u64,
    now: u64,
) -> RefreshDecision {
    match record {
        Some(r)
            if r.refreshed_at_ms >= epoch_started_ms && r.expires_at.is_none_or(|e| e > now) =>
        {
            RefreshDecision::AlreadyDone {
                expires_at: r.expires_at,
            }
        }
        _ => RefreshDecision::Needed,
    }
}

/// What the other tabs left behind, read from the names of the locks they hold: `<refresh prefix><record>` after
/// a refresh, `<back-off prefix><until_ms> <tab>` after the auth server asked for a pause (`Retry-After`). Each tab
/// holds one such lock, for its latest event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The latest refresh another tab made.
    pub refresh: Option<RefreshRecord>,
    /// The latest time until which another tab was asked not to refresh.
    pub backoff_until: Option<u64>,
}

/// The two name prefixes of a namespace's record locks.
pub fn record_prefixes(namespace: &str) -> (String, String) {
    (
        format!("{namespace}-refreshed "),
        format!("{namespace}-refresh-backoff "),
    )
}

/// A back-off record's lock name after its prefix: `<until_ms> <tab>`.
pub fn encode_backoff(until_ms: u64, tab: u64) -> String {
    format!("{until_ms} {tab}")
}

impl Seen {
    /// Reads `names` (every held lock of the origin): other tabs' records, anything else ignored.
    pub fn from_lock_names(
        names: impl IntoIterator<Item = String>,
        (refresh_prefix, backoff_prefix): (&str, &str),
        tab: u64,
    ) -> Seen {
        let mut seen = Seen::default();
        for name in names {
            if let Some((record, writer)) = name
                .strip_prefix(refresh_prefix)
                .and_then(RefreshRecord::decode)
            {
                if writer != tab
                    && seen
                        .refresh
                        .is_none_or(|r| r.refreshed_at_ms < record.refreshed_at_ms)
                {
                    seen.refresh = Some(record);
                }
            } else if let Some((until, writer)) = name
                .strip_prefix(backoff_prefix)
                .and_then(|rest| rest.split_once(' '))
                .and_then(|(until, writer)| {
                    Some((until.parse::<u64>().ok()?, writer.parse::<u64>().ok()?))
                })
            {
                if writer != tab && seen.backoff_until.is_none_or(|u| u < until) {
                    seen.backoff_until = Some(until);
                }
            }
        }
        seen
    }
}

/// How long to hold back a refresh because another tab was asked to pause until `backoff_until` (none when
/// that time has passed). The server's `Retry-After` is about the server, not the tab: it holds for every tab.
pub fn shared_backoff_ms(backoff_until: Option<u64>, now: u64) -> Option<u64> {
    backoff_until
        .filter(|until| *until > now)
        .map(|until| until - now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_tabs_records_are_read_from_lock_names() {
        let (refresh, backoff) = record_prefixes("app");
        let prefixes = (refresh.as_str(), backoff.as_str());
        let names = [
            "app-refresh".to_owned(), // the refresh lock itself
            format!("{refresh}100 - 1"),
            format!("{refresh}300 900 2"),
            format!("{refresh}500 900 7"), // our own
            format!("{backoff}{}", encode_backoff(2_000, 3)),
            format!("{backoff}{}", encode_backoff(1_500, 4)),
            format!("{backoff}{}", encode_backoff(9_000, 7)), // our own
            format!("{backoff}junk 3"),
            "other-refreshed 999 - 1".to_owned(),
        ];
        let seen = Seen::from_lock_names(names, prefixes, 7);
        assert_eq!(
            seen.refresh,
            Some(RefreshRecord {
                refreshed_at_ms: 300,
                expires_at: Some(900)
            })
        );
        assert_eq!(seen.backoff_until, Some(2_000));
        assert_eq!(
            Seen::from_lock_names(Vec::new(), prefixes, 7),
            Seen::default()
        );
    }

    #[test]
    fn a_shared_backoff_holds_until_its_time() {
        assert_eq!(shared_backoff_ms(None, 100), None);
        assert_eq!(shared_backoff_ms(Some(1_000), 400), Some(600));
        assert_eq!(shared_backoff_ms(Some(1_000), 1_000), None);
        assert_eq!(shared_backoff_ms(Some(1_000), 2_000), None);
    }

    #[test]
    fn records_round_trip_and_junk_is_no_record() {
        let record = RefreshRecord {
            refreshed_at_ms: 1_700,
            expires_at: Some(1_800),
        };
        assert_eq!(record.encode(42), "1700 1800 42");
        assert_eq!(RefreshRecord::decode("1700 1800 42"), Some((record, 42)));
        let open = RefreshRecord {
            refreshed_at_ms: 5,
            expires_at: None,
        };
        assert_eq!(RefreshRecord::decode(&open.encode(7)), Some((open, 7)));
        for junk in [
            "",
            "1700",
            "1700 1800",
            "a b c",
            "1 2 3 4",
            "{\"refreshed_at_ms\":1}",
        ] {
            assert_eq!(RefreshRecord::decode(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn refresh_decision_skips_only_for_a_newer_valid_record() {
        let rec = |at, exp| {
            Some(RefreshRecord {
                refreshed_at_ms: at,
                expires_at: exp,
            })
        };
        assert_eq!(refresh_decision(None, 100, 200), RefreshDecision::Needed);
        // Refreshed before our epoch began: our cookies are that refresh's; they failed, so refresh.
        assert_eq!(
            refresh_decision(rec(90, Some(1_000)), 100, 200),
            RefreshDecision::Needed
        );
        // A tie is "already done" (see the doc comment).
        assert_eq!(
            refresh_decision(rec(100, Some(1_000)), 100, 200),
            RefreshDecision::AlreadyDone {
                expires_at: Some(1_000)
            }
        );
        // Refreshed after: skip and adopt its expiry.
        assert_eq!(
            refresh_decision(rec(150, Some(1_000)), 100, 200),
            RefreshDecision::AlreadyDone {
                expires_at: Some(1_000)
            }
        );
        assert_eq!(
            refresh_decision(rec(150, None), 100, 200),
            RefreshDecision::AlreadyDone { expires_at: None }
        );
        // …unless what it got has expired too.
        assert_eq!(
            refresh_decision(rec(150, Some(180)), 100, 200),
            RefreshDecision::Needed
        );
    }
}
