//! The app's user, as the dev backend (docs/API.md) reports it, and the one place that knows roles.

use lanyard_yew::SessionUser;
use serde::{Deserialize, Serialize};

/// The role that opens the Admin page.
pub const ADMIN: &str = "admin";

/// A signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The body of login and `GET /api/me`: `{"user": {...}, "access_expires_at": …}` (the client reads the
/// expiry itself).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SessionAnswer {
    pub user: User,
}

impl SessionUser for User {
    type Answer = SessionAnswer;

    fn from_answer(answer: SessionAnswer) -> Self {
        answer.user
    }

    fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}
