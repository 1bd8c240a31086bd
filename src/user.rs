//! The app's user, read from whatever shape the backend sends, and the one place that knows roles.
//!
//! Backends disagree on the details (docs/API.md, "what may differ"), so the user is read leniently:
//! - the id is any JSON scalar (`7`, `"alice"`, a UUID string); without one, the username stands in;
//! - the username is `username`, else `email`; the display name is `display_name`, else `name`, else
//!   the username;
//! - roles are `roles`, else `groups`, else none; other fields are ignored;
//! - the user is under `"user"` or is the answer itself (`{"user": {...}}` or `{"id": ..., ...}`).
//!
//! An answer with none of id, username or email is not a user: decoding fails with a message naming
//! what was expected, which the client reports to the console with the endpoint.

use lanyard_yew::SessionUser;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The role that opens the Admin page.
pub const ADMIN: &str = "admin";

/// A signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WireUser")]
pub struct User {
    /// The backend's id as text (numbers are written in decimal).
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
}

/// The body of login and "who am I": the user under `user`, or at the top level.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "WireUser")]
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

/// Every field a user may come with, all optional; `user` holds a nested one.
#[derive(Default, Deserialize)]
#[serde(default)]
struct WireUser {
    user: Option<Box<WireUser>>,
    id: Option<Scalar>,
    username: Option<String>,
    email: Option<String>,
    display_name: Option<String>,
    name: Option<String>,
    roles: Option<Vec<String>>,
    groups: Option<Vec<String>>,
}

const NOT_A_USER: &str =
    "a user with an `id`, `username` or `email` (at the top level or under `user`)";

impl TryFrom<WireUser> for User {
    type Error = String;

    fn try_from(wire: WireUser) -> Result<User, String> {
        let WireUser {
            id,
            username,
            email,
            display_name,
            name,
            roles,
            groups,
            ..
        } = wire;
        let id = id.map(|Scalar(id)| id);
        let username = username
            .or(email)
            .or_else(|| id.clone())
            .ok_or_else(|| format!("expected {NOT_A_USER}"))?;
        Ok(User {
            id: id.unwrap_or_else(|| username.clone()),
            display_name: display_name
                .or(name)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| username.clone()),
            username,
            roles: roles.or(groups).unwrap_or_default(),
        })
    }
}

impl TryFrom<WireUser> for SessionAnswer {
    type Error = String;

    fn try_from(mut wire: WireUser) -> Result<SessionAnswer, String> {
        let user = match wire.user.take() {
            Some(nested) => User::try_from(*nested)?,
            None => User::try_from(wire)?,
        };
        Ok(SessionAnswer { user })
    }
}

/// A JSON string, number or boolean, as text.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id that is a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_owned()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
}

#[cfg(test)]
mod tests;
