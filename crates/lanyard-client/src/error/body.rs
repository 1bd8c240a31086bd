//! Reading an error answer's body without requiring any one backend's shape.
//!
//! Recognised: `{"error": {"code", "message", "fields"}}`; `{"error": "…"}` with an optional
//! `error_description` or `message` (OAuth, Express); `{"detail": "…"}` and FastAPI's validation list
//! `{"detail": [{"loc": [.., "field"], "msg": "…"}]}`; `{"message": "…"}` with an optional `code`;
//! `{"msg": "…"}` (Flask-JWT-Extended); and a short plain-text body. Anything else keeps only the text.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::FieldErrors;

/// The longest body text kept (for logs); longer bodies are cut at a character boundary.
const MAX_TEXT: usize = 2_048;
/// The longest plain-text body taken as a message: longer ones are pages, not sentences.
const MAX_PLAIN_MESSAGE: usize = 300;

/// What could be read of an error answer's body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// A machine-readable code, when the server sent one (`"invalid_credentials"`).
    pub code: Option<String>,
    /// A human-readable message, when the server sent one.
    pub message: Option<String>,
    /// Per-field validation messages (field name → message).
    pub fields: FieldErrors,
    /// The body as sent (lossy UTF-8, at most 2 KiB), for logs.
    pub text: String,
}

impl ErrorBody {
    /// Reads an error body. Never fails: an unknown shape keeps only [`ErrorBody::text`].
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        let text = String::from_utf8_lossy(&bytes[..cut(bytes)]).into_owned();
        let mut body = match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => ErrorBody::from_value(&value),
            Err(_) => ErrorBody {
                message: plain_message(&text),
                ..ErrorBody::default()
            },
        };
        body.text = text;
        body
    }
}

/// Where to cut a body to at most [`MAX_TEXT`] bytes without splitting a UTF-8 character.
fn cut(bytes: &[u8]) -> usize {
    let mut end = bytes.len().min(MAX_TEXT);
    while end < bytes.len() && end > 0 && (bytes[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    end
}

/// A short plain-text body is a message; HTML (a proxy's error page), JSON of no known shape and long text
/// are not.
fn plain_message(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let looks_like_markup = trimmed.starts_with('<') || trimmed.starts_with(['{', '[']);
    (!trimmed.is_empty() && !looks_like_markup && trimmed.chars().count() <= MAX_PLAIN_MESSAGE)
        .then(|| trimmed.to_owned())
}

/// A JSON value, as much of it as the shapes above need: one small visitor instead of one per shape.
enum Value {
    Str(String),
    Map(Vec<(String, Value)>),
    Seq(Vec<Value>),
    Other,
}

impl Value {
    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The string entries of a map (field → message).
    fn strings(&self) -> FieldErrors {
        let mut strings = FieldErrors::new();
        if let Value::Map(entries) = self {
            for (key, value) in entries {
                if let Value::Str(text) = value {
                    strings.insert_first(key.clone(), text.clone());
                }
            }
        }
        strings
    }
}

impl ErrorBody {
    fn from_value(value: &Value) -> ErrorBody {
        let mut body = ErrorBody::default();
        if let Value::Str(text) = value {
            body.message = Some(text.clone());
            return body;
        }
        let mut error_text = None;
        match value.get("error") {
            Some(Value::Str(text)) => error_text = Some(text.clone()),
            Some(envelope @ Value::Map(_)) => {
                body.code = envelope.text("code");
                body.message = envelope.text("message");
                body.fields = envelope
                    .get("fields")
                    .map(Value::strings)
                    .unwrap_or_default();
            }
            _ => {}
        }
        let detail_text = match value.get("detail") {
            Some(Value::Str(text)) => Some(text.clone()),
            // FastAPI's validation problems: the field is `loc`'s last element when it is a name.
            Some(Value::Seq(items)) => {
                for item in items {
                    let field = match item.get("loc") {
                        Some(Value::Seq(loc)) => match loc.last() {
                            Some(Value::Str(name)) => Some(name.clone()),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let (Some(field), Some(msg)) = (field, item.text("msg")) {
                        body.fields.insert_first(field, msg);
                    }
                }
                None
            }
            _ => None,
        };
        let message = value.text("message");
        let description = value.text("error_description");
        // `{"error": "invalid_grant", "error_description": "…"}`: the text is a code when a sentence follows.
        if error_text.is_some() && (description.is_some() || message.is_some()) {
            body.code = body.code.or(error_text.take());
        }
        body.code = body.code.or(value.text("code"));
        body.message = body
            .message
            .or(message)
            .or(description)
            .or(detail_text)
            .or(value.text("msg"))
            .or(error_text)
            .filter(|m| !m.trim().is_empty());
        body
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value::<Value>()?));
        }
        Ok(Value::Map(entries))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
}

#[cfg(test)]
mod tests;
