//! Admin-only endpoints.

use axum::extract::State;
use axum::Json;

use crate::db::{self, UserSummary};
use crate::error::ApiError;
use crate::session::AdminUser;
use crate::AppState;

/// Every user with their number of live logins.
pub async fn users(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<Json<Vec<UserSummary>>, ApiError> {
    let now = db::now_ms();
    Ok(Json(state.db.with(|c| Ok(db::list_users(c, now)?))?))
}
