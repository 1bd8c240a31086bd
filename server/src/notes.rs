//! Notes: a small per-user CRUD resource behind the session.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::session::Session;
use crate::AppState;

const TITLE_MAX: usize = 120;
const BODY_MAX: usize = 10_000;

#[derive(Debug, Serialize)]
pub struct Note {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Note {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            title: r.get(1)?,
            body: r.get(2)?,
            created_at: r.get(3)?,
            updated_at: r.get(4)?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)] // a missing title is a validation message, not a 400
pub struct NoteInput {
    title: String,
    body: String,
}

impl NoteInput {
    fn validate(&self) -> Result<(), ApiError> {
        let mut fields = BTreeMap::new();
        let title_len = self.title.chars().count();
        if crate::text::is_blank(&self.title) {
            fields.insert("title", "Title is required.".to_owned());
        } else if title_len > TITLE_MAX {
            fields.insert(
                "title",
                format!("Title must be at most {TITLE_MAX} characters."),
            );
        }
        if self.body.chars().count() > BODY_MAX {
            fields.insert(
                "body",
                format!("Body must be at most {BODY_MAX} characters."),
            );
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(fields))
        }
    }
}

/// A note id from the path; anything unparsable is simply a note that doesn't exist.
pub struct NoteId(i64);

impl<S: Send + Sync> FromRequestParts<S> for NoteId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        raw.parse().map(Self).map_err(|_| ApiError::NotFound)
    }
}

const COLUMNS: &str = "id, title, body, created_at, updated_at";

/// One of the user's notes; another user's note is indistinguishable from a missing one.
fn find(conn: &Connection, user_id: i64, id: i64) -> Result<Note, ApiError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM notes WHERE id = ?1 AND user_id = ?2"),
        params![id, user_id],
        Note::from_row,
    )
    .optional()?
    .ok_or(ApiError::NotFound)
}

pub async fn list(
    State(state): State<AppState>,
    Session(s): Session,
) -> Result<Json<Vec<Note>>, ApiError> {
    let notes = state.db.with(|c| {
        let mut stmt = c.prepare(&format!(
            "SELECT {COLUMNS} FROM notes WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([s.user.id], Note::from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })?;
    Ok(Json(notes))
}

pub async fn create(
    State(state): State<AppState>,
    Session(s): Session,
    ApiJson(input): ApiJson<NoteInput>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    input.validate()?;
    let now = db::now_ms();
    let note = state.db.with(|c| {
        c.execute(
            "INSERT INTO notes (user_id, title, body, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![s.user.id, input.title, input.body, now],
        )?;
        find(c, s.user.id, c.last_insert_rowid())
    })?;
    Ok((StatusCode::CREATED, Json(note)))
}

pub async fn get(
    State(state): State<AppState>,
    Session(s): Session,
    NoteId(id): NoteId,
) -> Result<Json<Note>, ApiError> {
    Ok(Json(state.db.with(|c| find(c, s.user.id, id))?))
}

pub async fn update(
    State(state): State<AppState>,
    Session(s): Session,
    NoteId(id): NoteId,
    ApiJson(input): ApiJson<NoteInput>,
) -> Result<Json<Note>, ApiError> {
    input.validate()?;
    let now = db::now_ms();
    let note = state.db.with(|c| {
        let changed = c.execute(
            "UPDATE notes SET title = ?1, body = ?2, updated_at = ?3 WHERE id = ?4 AND user_id = ?5",
            params![input.title, input.body, now, id, s.user.id],
        )?;
        if changed == 0 {
            return Err(ApiError::NotFound);
        }
        find(c, s.user.id, id)
    })?;
    Ok(Json(note))
}

pub async fn delete(
    State(state): State<AppState>,
    Session(s): Session,
    NoteId(id): NoteId,
) -> Result<StatusCode, ApiError> {
    state.db.with(|c| {
        let deleted = c.execute(
            "DELETE FROM notes WHERE id = ?1 AND user_id = ?2",
            params![id, s.user.id],
        )?;
        if deleted == 0 {
            Err(ApiError::NotFound)
        } else {
            Ok(StatusCode::NO_CONTENT)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, body: &str) -> NoteInput {
        NoteInput {
            title: title.into(),
            body: body.into(),
        }
    }

    #[test]
    fn validation_limits_count_characters() {
        assert!(input("x", "").validate().is_ok());
        assert!(input(&"é".repeat(120), &"ü".repeat(10_000))
            .validate()
            .is_ok());
        assert!(input(&"é".repeat(121), "").validate().is_err());
        assert!(input("   ", "").validate().is_err());
        assert!(input("ok", &"a".repeat(10_001)).validate().is_err());
    }
}
