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
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

mod sessions;
pub use sessions::*;

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
CREATE TABLE IF NOT EXISTS server_keys (
    name TEXT PRIMARY KEY,
    key  BLOB NOT NULL                    -- random, made on first start
);
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
    pub family_created_at: i64,
    pub family_expires_at: i64,
}

impl Issued {
    pub fn family(&self) -> FamilyRef {
        FamilyRef {
            id: self.session.family_id,
            created_at: self.family_created_at,
        }
    }
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

/// The server's secret key `name`: 32 random bytes made the first time it is asked for, then kept in the
/// database, so it lives exactly as long as the sessions it signs for (per process when in memory).
pub fn server_key(conn: &Connection, name: &str) -> Result<Vec<u8>, rusqlite::Error> {
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    conn.execute(
        "INSERT OR IGNORE INTO server_keys (name, key) VALUES (?1, ?2)",
        params![name, fresh.as_slice()],
    )?;
    conn.query_row("SELECT key FROM server_keys WHERE name = ?1", [name], |r| {
        r.get(0)
    })
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

pub(crate) fn user_by_id(conn: &Connection, id: i64) -> Result<User, rusqlite::Error> {
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
