//! Housekeeping: dead refresh families (revoked, or past their absolute lifetime) and expired access tokens
//! are deleted, so the database does not grow with every sign-in for ever.
//!
//! What stays: every token of a live family, rotated ones included — a rotated refresh token presented again
//! is how reuse (theft) is detected, and it can only happen while its family lives. A deleted family's tokens
//! are simply unknown, which is refused the same way (401).

use std::time::Duration;

use rusqlite::{params, Connection};

use crate::AppState;

/// What one pass deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub families: usize,
    pub refresh_tokens: usize,
    pub access_tokens: usize,
}

/// Deletes what is dead at `now` (Unix ms). One transaction: a concurrent rotation sees all or nothing.
pub fn sweep(conn: &mut Connection, now: i64) -> Result<Removed, rusqlite::Error> {
    let tx = conn.transaction()?;
    let dead = "SELECT id FROM refresh_families WHERE revoked = 1 OR expires_at <= ?1";
    // Counted before the cascade removes them with their families.
    let refresh_tokens = tx.execute(
        &format!("DELETE FROM refresh_tokens WHERE family_id IN ({dead})"),
        params![now],
    )?;
    let access_tokens = tx.execute(
        &format!("DELETE FROM access_tokens WHERE expires_at <= ?1 OR family_id IN ({dead})"),
        params![now],
    )?;
    let families = tx.execute(
        "DELETE FROM refresh_families WHERE revoked = 1 OR expires_at <= ?1",
        params![now],
    )?;
    tx.commit()?;
    Ok(Removed {
        families,
        refresh_tokens,
        access_tokens,
    })
}

/// Sweeps now and then every `every` until the server stops (the task is aborted with it).
pub async fn run(state: AppState, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        let result = state.db.with(|conn| Ok(sweep(conn, crate::db::now_ms())?));
        match result {
            Ok(removed) if removed != Removed::default() => {
                tracing::info!(?removed, "housekeeping")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("housekeeping failed: {e:?}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::db::{self, Ttls};

    const TTLS: Ttls = Ttls {
        access_ms: 1_000,
        refresh_ms: 10_000,
    };

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn dead_families_and_expired_access_tokens_go_live_families_keep_their_rotated_tokens() {
        let db = db::Db::open(None).unwrap();
        db.with(|conn| {
            db::insert_user(conn, "ada", "Ada", "x", "").unwrap();
            let (user, _) = db::user_for_login(conn, "ada").unwrap().unwrap();
            // Live: signed in at 0, rotated once at 1 500 (its first refresh token stays, for reuse detection).
            let live = db::create_session(conn, user.clone(), 0, TTLS).unwrap();
            let rotated =
                db::rotate_refresh(conn, &db::token_hash(&live.refresh_token), 1_500, TTLS)
                    .unwrap();
            // Revoked: signed out.
            let out = db::create_session(conn, user.clone(), 0, TTLS).unwrap();
            db::revoke_family_of(conn, Some(&db::token_hash(&out.refresh_token)), None).unwrap();
            // Expired: signed in long ago.
            db::create_session(conn, user, -20_000, TTLS).unwrap();
            assert_eq!(count(conn, "refresh_families"), 3);
            assert_eq!(count(conn, "refresh_tokens"), 4);

            let removed = sweep(conn, 2_000).unwrap();
            assert_eq!(
                removed,
                Removed {
                    families: 2,
                    refresh_tokens: 2,
                    // The revoked and expired families' tokens, and the live family's first one (expired at 1 000).
                    access_tokens: 3,
                }
            );
            assert_eq!(count(conn, "refresh_families"), 1);
            assert_eq!(
                count(conn, "refresh_tokens"),
                2,
                "the live family keeps its rotated token"
            );
            assert_eq!(count(conn, "access_tokens"), 1);
            // Reuse of the rotated token is still detected: refused, and the family revoked.
            let reuse = db::rotate_refresh(conn, &db::token_hash(&live.refresh_token), 2_100, TTLS);
            assert!(reuse.is_err());
            let after =
                db::rotate_refresh(conn, &db::token_hash(&rotated.refresh_token), 2_200, TTLS);
            assert!(after.is_err(), "the family was revoked by the reuse");
            assert_eq!(sweep(conn, 2_300).unwrap().families, 1);
            assert_eq!(sweep(conn, 2_300).unwrap(), Removed::default());
            Ok(())
        })
        .unwrap();
    }
}
