//! The pure half of cross-tab coordination (the browser half is `tabs.rs`): what a tab leaves behind after a
//! refresh, and the decision, taken inside the cross-tab lock, whether a refresh is still needed.

/// What another tab left behind after refreshing: a timestamp and the new expiry — never a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefreshRecord {
    pub refreshed_at_ms: u64,
    pub expires_at: Option<u64>,
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
        Some(r) if r.refreshed_at_ms >= epoch_started_ms && r.expires_at.is_none_or(|e| e > now) => {
            RefreshDecision::AlreadyDone {
                expires_at: r.expires_at,
            }
        }
        _ => RefreshDecision::Needed,
    }
}
