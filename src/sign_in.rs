//! The sign-in form's words and body: the field the backend wants the name in, and what to say (and which
//! inputs to mark) when it refuses. Browser-free, so it is tested on the host.

use crate::messages::user_message;
use lanyard_client::Error;

/// The sign-in body: `{<login_field>: name, "password": password}`.
pub struct Credentials<'a> {
    pub field: &'a str,
    pub name: &'a str,
    pub password: &'a str,
}

impl serde::Serialize for Credentials<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.field, self.name)?;
        map.serialize_entry("password", self.password)?;
        map.end()
    }
}

/// Which inputs to mark invalid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Invalid {
    pub name: bool,
    pub password: bool,
}

/// How the form names what goes in the first field.
pub fn name_noun(login_field: &str) -> &'static str {
    if login_field.eq_ignore_ascii_case("email") {
        "email"
    } else {
        "username"
    }
}

pub fn name_label(login_field: &str) -> &'static str {
    if login_field.eq_ignore_ascii_case("email") {
        "Email"
    } else {
        "Username"
    }
}

/// The form-level message and the inputs the server blamed. Backends refuse credentials with 400, 401 or
/// 422: a 401 blames both inputs (which one is wrong is deliberately not said); a 400/422 blames only the
/// fields it names. The server's own message wins when it sent one.
pub fn login_failure(err: &Error, login_field: &str) -> (String, Invalid) {
    match err.status() {
        Some(401) => (
            err.server_message()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("Wrong {} or password.", name_noun(login_field))),
            Invalid {
                name: true,
                password: true,
            },
        ),
        Some(400 | 422) => {
            let name = err.field_error(login_field).is_some();
            let password = err.field_error("password").is_some();
            let message = err
                .server_message()
                .or_else(|| err.field_error(login_field))
                .or_else(|| err.field_error("password"))
                .map(str::to_owned)
                .unwrap_or_else(|| format!("Check your {} and password.", name_noun(login_field)));
            (message, Invalid { name, password })
        }
        _ => (user_message(err), Invalid::default()),
    }
}

#[cfg(test)]
mod tests;
