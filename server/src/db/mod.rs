//! SQLite storage: schema, demo users, and the session/token queries.
//!
//! One connection behind a mutex: every multi-step operation (notably refresh rotation) runs
//! while holding it and inside a transaction, so concurrent requests can never interleave.

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,          -- argon2id PHC string
    roles         TEXT NOT NULL DEFAULT '' -- space separated
);
CREATE TABLE IF NOT EXISTS refresh_families (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,          -- absolute; rotation never moves it
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS refresh_families_user ON refresh_families(user_id);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash       BLOB PRIMARY KEY,          -- sha256 of the token
    family_id  INTEGER NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    rotated    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS access_tokens (
    hash       BLOB PRIMARY KEY,
    family_id  INTEGER NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS access_tokens_expiry ON access_tokens(expires_at);
CREATE TABLE IF NOT EXISTS notes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_user ON notes(user_id, created_at);
";

/// The demo accounts seeded on first start: (username, password, display name, roles).
pub const DEMO_USERS: [(&str, &str, &str, &str); 2] = [
    ("admin", "admin-pass", "Ada Admin", "admin"),
    ("user", "user-pass", "Uma User", ""),
];

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A fresh random token: 32 bytes, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored instead of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
}

impl User {
    fn from_row(id: i64, username: String, display_name: String, roles: &str) -> Self {
        let roles = roles.split_whitespace().map(str::to_owned).collect();
        Self {
            id,
            username,
            display_name,
            roles,
        }
    }
}

/// A signed-in request's identity, resolved from its access token.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub family_id: i64,
    pub access_expires_at: i64,
}

/// Tokens handed out by login or refresh.
#[derive(Debug, Clone)]
pub struct Issued {
    pub session: SessionInfo,
    pub access_token: String,
    pub refresh_token: String,
    pub family_expires_at: i64,
}

pub struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens `<dir>/lanyard.db` (or an in-memory database) and creates the schema.
    pub fn open(dir: Option<&Path>) -> Result<Self, rusqlite::Error> {
        let conn = match dir {
            Some(dir) => {
                let conn = Connection::open(dir.join("lanyard.db"))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `f` with exclusive access to the connection.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| ApiError::Internal("database mutex poisoned".into()))?;
        f(&mut conn)
    }
}

pub fn user_exists(conn: &Connection, username: &str) -> Result<bool, rusqlite::Error> {
    conn.query_row(
        "SELECT 1 FROM users WHERE username = ?1",
        [username],
        |_| Ok(()),
    )
    .optional()
    .map(|row| row.is_some())
}

pub fn insert_user(
    conn: &Connection,
    username: &str,
    display_name: &str,
    password_hash: &str,
    roles: &str,
) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT INTO users (username, display_name, password_hash, roles) VALUES (?1, ?2, ?3, ?4)",
        params![username, display_name, password_hash, roles],
    )
    .map(drop)
}

/// The user and their password hash, for login.
pub fn user_for_login(
    conn: &Connection,
    username: &str,
) -> Result<Option<(User, String)>, rusqlite::Error> {
    conn.query_row(
        "SELECT id, username, display_name, roles, password_hash FROM users WHERE username = ?1",
        [username],
        |r| {
            let user = User::from_row(r.get(0)?, r.get(1)?, r.get(2)?, &r.get::<_, String>(3)?);
            Ok((user, r.get(4)?))
        },
    )
    .optional()
}

fn user_by_id(conn: &Connection, id: i64) -> Result<User, rusqlite::Error> {
    conn.query_row(
        "SELECT id, username, display_name, roles FROM users WHERE id = ?1",
        [id],
        |r| {
            Ok(User::from_row(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                &r.get::<_, String>(3)?,
            ))
        },
    )
}

/// Lifetimes in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Ttls {
    pub access_ms: i64,
    pub refresh_ms: i64,
}

/// Issues a refresh token and an access token in `family_id`. Must run inside a transaction.
fn issue_tokens(
    conn: &Connection,
    user: User,
    family_id: i64,
    family_expires_at: i64,
    now: i64,
    ttls: Ttls,
) -> Result<Issued, rusqlite::Error> {
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
    let family_id = tx.last_insert_rowid();
    let issued = issue_tokens(&tx, user, family_id, expires_at, now, ttls)?;
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
            "SELECT t.family_id, t.rotated, f.revoked, f.expires_at, f.user_id
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.hash = ?1",
            [hash],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((family_id, rotated, revoked, family_expires_at, user_id)) = row else {
        return Err(ApiError::RefreshInvalid);
    };
    if family_expires_at <= now {
        return Err(ApiError::RefreshInvalid);
    }
    if rotated {
        // Reuse: someone holds a copy of an old token. End the whole login.
        tx.execute(
            "UPDATE refresh_families SET revoked = 1 WHERE id = ?1",
            [family_id],
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
    let issued = issue_tokens(&tx, user, family_id, family_expires_at, now, ttls)?;
    tx.commit()?;
    Ok(issued)
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
    let lookup = |sql: &str, hash: Option<&[u8]>| -> Result<Option<i64>, rusqlite::Error> {
        match hash {
            Some(hash) => conn.query_row(sql, [hash], |r| r.get(0)).optional(),
            None => Ok(None),
        }
    };
    let family = match lookup(
        "SELECT family_id FROM refresh_tokens WHERE hash = ?1",
        refresh_hash,
    )? {
        Some(id) => Some(id),
        None => lookup(
            "SELECT family_id FROM access_tokens WHERE hash = ?1",
            access_hash,
        )?,
    };
    if let Some(id) = family {
        conn.execute(
            "UPDATE refresh_families SET revoked = 1 WHERE id = ?1",
            [id],
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
