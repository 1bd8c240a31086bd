//! Refresh families, refresh and access tokens: login, rotation, lookup, revocation.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::{new_token, token_hash, user_by_id, Issued, SessionInfo, User};
use crate::error::ApiError;

/// Lifetimes in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Ttls {
    pub access_ms: i64,
    pub refresh_ms: i64,
}

/// A family (one login) as the CSRF token names it: the id alone is not enough, since SQLite may hand a
/// deleted family's id to a new one, and the new login must not inherit the old one's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyRef {
    pub id: i64,
    pub created_at: i64,
}

/// Issues a refresh token and an access token in `family`. Must run inside a transaction.
fn issue_tokens(
    conn: &Connection,
    user: User,
    family: FamilyRef,
    family_expires_at: i64,
    now: i64,
    ttls: Ttls,
) -> Result<Issued, rusqlite::Error> {
    let family_id = family.id;
    let refresh_token = new_token();
    conn.execute(
        "INSERT INTO refresh_tokens (hash, family_id, created_at) VALUES (?1, ?2, ?3)",
        params![token_hash(&refresh_token), family_id, now],
    )?;
    let access_token = new_token();
    // An access token never outlives its login.
    let access_expires_at = (now + ttls.access_ms).min(family_expires_at);
    conn.execute(
        "INSERT INTO access_tokens (hash, family_id, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash(&access_token), family_id, access_expires_at],
    )?;
    Ok(Issued {
        session: SessionInfo {
            user,
            family_id,
            access_expires_at,
        },
        access_token,
        refresh_token,
        family_created_at: family.created_at,
        family_expires_at,
    })
}

/// Starts a new family (a login) for `user`.
pub fn create_session(
    conn: &mut Connection,
    user: User,
    now: i64,
    ttls: Ttls,
) -> Result<Issued, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let expires_at = now + ttls.refresh_ms;
    tx.execute(
        "INSERT INTO refresh_families (user_id, created_at, expires_at) VALUES (?1, ?2, ?3)",
        params![user.id, now, expires_at],
    )?;
    let family = FamilyRef {
        id: tx.last_insert_rowid(),
        created_at: now,
    };
    let issued = issue_tokens(&tx, user, family, expires_at, now, ttls)?;
    tx.commit()?;
    Ok(issued)
}

/// Check-and-rotate in one transaction: exactly one caller can rotate a given token.
pub fn rotate_refresh(
    conn: &mut Connection,
    hash: &[u8],
    now: i64,
    ttls: Ttls,
) -> Result<Issued, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = tx
        .query_row(
            "SELECT t.family_id, f.created_at, t.rotated, f.revoked, f.expires_at, f.user_id
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.hash = ?1",
            [hash],
            |r| {
                let family = FamilyRef {
                    id: r.get(0)?,
                    created_at: r.get(1)?,
                };
                Ok((
                    family,
                    r.get::<_, bool>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((family, rotated, revoked, family_expires_at, user_id)) = row else {
        return Err(ApiError::RefreshInvalid);
    };
    if family_expires_at <= now {
        return Err(ApiError::RefreshInvalid);
    }
    if rotated {
        // Reuse: someone holds a copy of an old token. End the whole login.
        tx.execute(
            "UPDATE refresh_families SET revoked = 1 WHERE id = ?1",
            [family.id],
        )?;
        tx.commit()?;
        return Err(ApiError::RefreshReused);
    }
    if revoked {
        return Err(ApiError::RefreshInvalid);
    }
    tx.execute(
        "UPDATE refresh_tokens SET rotated = 1 WHERE hash = ?1",
        [hash],
    )?;
    // Housekeeping: expired access tokens are useless.
    tx.execute(
        "DELETE FROM access_tokens WHERE expires_at <= ?1",
        [now - 60_000],
    )?;
    let user = user_by_id(&tx, user_id)?;
    let issued = issue_tokens(&tx, user, family, family_expires_at, now, ttls)?;
    tx.commit()?;
    Ok(issued)
}

/// The family a refresh token belongs to, whatever its state (rotated, revoked, expired).
pub fn family_of_refresh(
    conn: &Connection,
    hash: &[u8],
) -> Result<Option<FamilyRef>, rusqlite::Error> {
    family_of(
        conn,
        "SELECT f.id, f.created_at FROM refresh_tokens t
         JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?1",
        hash,
    )
}

/// The family an access token belongs to, whatever its state (expired, revoked).
pub fn family_of_access(
    conn: &Connection,
    hash: &[u8],
) -> Result<Option<FamilyRef>, rusqlite::Error> {
    family_of(
        conn,
        "SELECT f.id, f.created_at FROM access_tokens a
         JOIN refresh_families f ON f.id = a.family_id WHERE a.hash = ?1",
        hash,
    )
}

fn family_of(
    conn: &Connection,
    sql: &str,
    hash: &[u8],
) -> Result<Option<FamilyRef>, rusqlite::Error> {
    conn.query_row(sql, [hash], |r| {
        Ok(FamilyRef {
            id: r.get(0)?,
            created_at: r.get(1)?,
        })
    })
    .optional()
}

/// The family logout ends: the refresh token's, or else the access token's (the same rule for its CSRF check).
pub fn family_for_logout(
    conn: &Connection,
    refresh_hash: Option<&[u8]>,
    access_hash: Option<&[u8]>,
) -> Result<Option<FamilyRef>, rusqlite::Error> {
    if let Some(found) = refresh_hash
        .map(|h| family_of_refresh(conn, h))
        .transpose()?
        .flatten()
    {
        return Ok(Some(found));
    }
    access_hash
        .map(|h| family_of_access(conn, h))
        .transpose()
        .map(Option::flatten)
}

/// The session behind a live access token of a live family.
pub fn session_by_access(
    conn: &Connection,
    hash: &[u8],
    now: i64,
) -> Result<Option<SessionInfo>, rusqlite::Error> {
    conn.query_row(
        "SELECT u.id, u.username, u.display_name, u.roles, f.id, a.expires_at
         FROM access_tokens a
         JOIN refresh_families f ON f.id = a.family_id
         JOIN users u ON u.id = f.user_id
         WHERE a.hash = ?1 AND a.expires_at > ?2 AND f.revoked = 0 AND f.expires_at > ?2",
        params![hash, now],
        |r| {
            let user = User::from_row(r.get(0)?, r.get(1)?, r.get(2)?, &r.get::<_, String>(3)?);
            Ok(SessionInfo {
                user,
                family_id: r.get(4)?,
                access_expires_at: r.get(5)?,
            })
        },
    )
    .optional()
}

/// Revokes the family a refresh token (or else an access token) belongs to, whatever its state.
pub fn revoke_family_of(
    conn: &Connection,
    refresh_hash: Option<&[u8]>,
    access_hash: Option<&[u8]>,
) -> Result<(), rusqlite::Error> {
    if let Some(family) = family_for_logout(conn, refresh_hash, access_hash)? {
        conn.execute(
            "UPDATE refresh_families SET revoked = 1 WHERE id = ?1",
            [family.id],
        )?;
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct SessionSummary {
    pub id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub current: bool,
}

/// The user's live logins, newest first.
pub fn list_sessions(
    conn: &Connection,
    user_id: i64,
    current_family: i64,
    now: i64,
) -> Result<Vec<SessionSummary>, rusqlite::Error> {
    let mut stmt = conn.prepare(
        "SELECT id, created_at, expires_at FROM refresh_families
         WHERE user_id = ?1 AND revoked = 0 AND expires_at > ?2
         ORDER BY created_at DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![user_id, now], |r| {
        let id: i64 = r.get(0)?;
        Ok(SessionSummary {
            id,
            created_at: r.get(1)?,
            expires_at: r.get(2)?,
            current: id == current_family,
        })
    })?;
    rows.collect()
}

#[derive(Debug, Serialize)]
pub struct UserSummary {
    pub user: User,
    pub active_sessions: i64,
}

pub fn list_users(conn: &Connection, now: i64) -> Result<Vec<UserSummary>, rusqlite::Error> {
    let mut stmt = conn.prepare(
        "SELECT u.id, u.username, u.display_name, u.roles,
                (SELECT COUNT(*) FROM refresh_families f
                 WHERE f.user_id = u.id AND f.revoked = 0 AND f.expires_at > ?1)
         FROM users u ORDER BY u.id",
    )?;
    let rows = stmt.query_map([now], |r| {
        Ok(UserSummary {
            user: User::from_row(r.get(0)?, r.get(1)?, r.get(2)?, &r.get::<_, String>(3)?),
            active_sessions: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Test hook: every access token issued so far is expired.
pub fn expire_all_access(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute("UPDATE access_tokens SET expires_at = 0", [])
        .map(drop)
}

/// Test hook: every family is revoked.
pub fn revoke_all_families(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute("UPDATE refresh_families SET revoked = 1", [])
        .map(drop)
}
