//! Reading an error answer's body without requiring any one backend's shape.
//!
//! Recognised: `{"error": {"code", "message", "fields"}}`; `{"error": "…"}` with an optional
//! `error_description` or `message` (OAuth, Express); `{"detail": "…"}` and FastAPI's validation list
//! `{"detail": [{"loc": [.., "field"], "msg": "…"}]}`; `{"message": "…"}` with an optional `code`;
//! `{"msg": "…"}` (Flask-JWT-Extended); and a short plain-text body. Anything else keeps only the text.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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
    pub fields: BTreeMap<String, String>,
    /// The body as sent (lossy UTF-8, at most 2 KiB), for logs.
    pub text: String,
}

impl ErrorBody {
    /// Reads an error body. Never fails: an unknown shape keeps only [`ErrorBody::text`].
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        let text = String::from_utf8_lossy(&bytes[..cut(bytes)]).into_owned();
        let mut body = match serde_json::from_slice::<Shapes>(bytes) {
            Ok(shapes) => shapes.into_body(),
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

/// The union of the shapes above; every field is optional and of any JSON type.
#[derive(Deserialize)]
struct Shapes {
    #[serde(default)]
    error: Option<ErrorField>,
    #[serde(default)]
    error_description: Text,
    #[serde(default)]
    detail: Option<Detail>,
    #[serde(default)]
    message: Text,
    #[serde(default)]
    msg: Text,
    #[serde(default)]
    code: Text,
}

impl Shapes {
    fn into_body(self) -> ErrorBody {
        let mut body = ErrorBody::default();
        let mut error_text = None;
        match self.error {
            Some(ErrorField::Envelope(envelope)) => {
                body.code = envelope.code.0;
                body.message = envelope.message.0;
                body.fields = envelope.fields.0;
            }
            Some(ErrorField::Text(text)) => error_text = Some(text),
            None => {}
        }
        let detail_text = match self.detail {
            Some(Detail::Text(text)) => Some(text),
            Some(Detail::Items(items)) => {
                for item in items {
                    if let (Some(field), Some(msg)) = (item.field, item.msg) {
                        body.fields.entry(field).or_insert(msg);
                    }
                }
                None
            }
            None => None,
        };
        // `{"error": "invalid_grant", "error_description": "…"}`: the text is a code when a sentence follows.
        if error_text.is_some() && (self.error_description.0.is_some() || self.message.0.is_some())
        {
            body.code = body.code.or(error_text.take());
        }
        body.code = body.code.or(self.code.0);
        body.message = body
            .message
            .or(self.message.0)
            .or(self.error_description.0)
            .or(detail_text)
            .or(self.msg.0)
            .or(error_text)
            .filter(|m| !m.trim().is_empty());
        body
    }
}

/// `"error"`: our envelope object, or a plain string; anything else is ignored.
enum ErrorField {
    Envelope(Envelope),
    Text(String),
}

#[derive(Deserialize, Default)]
struct Envelope {
    #[serde(default)]
    code: Text,
    #[serde(default)]
    message: Text,
    #[serde(default)]
    fields: Fields,
}

/// `"detail"`: a sentence, or FastAPI's list of validation problems.
enum Detail {
    Text(String),
    Items(Vec<DetailItem>),
}

/// One FastAPI validation problem: the field is the last string of `loc`.
#[derive(Default)]
struct DetailItem {
    field: Option<String>,
    msg: Option<String>,
}

/// A string, or nothing when the value is of another type (the body is still read).
#[derive(Default)]
struct Text(Option<String>);

/// A map of field → message; entries whose message is not a string are skipped.
#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor(|value| match value {
            Value::Str(s) => Text(Some(s)),
            _ => Text(None),
        }))
    }
}

impl<'de> Deserialize<'de> for ErrorField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor(|value| match value {
            Value::Str(s) => Some(ErrorField::Text(s)),
            Value::Map(m) => Some(ErrorField::Envelope(m.envelope())),
            _ => None,
        }))
        .map(|field| field.unwrap_or(ErrorField::Text(String::new())))
    }
}

impl<'de> Deserialize<'de> for Detail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor(|value| match value {
            Value::Str(s) => Detail::Text(s),
            Value::Seq(items) => Detail::Items(items),
            _ => Detail::Items(Vec::new()),
        }))
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor(|value| match value {
            Value::Map(m) => Fields(m.strings),
            _ => Fields::default(),
        }))
    }
}

/// What the shapes above need to know of a JSON value, read in one pass without a generic value tree.
enum Value {
    Str(String),
    Map(MapSummary),
    Seq(Vec<DetailItem>),
    Other,
}

/// A map's string entries, and its `code` / `message` / `fields` / `loc` / `msg` when of the right type.
#[derive(Default)]
struct MapSummary {
    strings: BTreeMap<String, String>,
    fields: BTreeMap<String, String>,
    loc_last: Option<String>,
}

impl MapSummary {
    fn envelope(mut self) -> Envelope {
        Envelope {
            code: Text(self.strings.remove("code")),
            message: Text(self.strings.remove("message")),
            fields: Fields(std::mem::take(&mut self.fields)),
        }
    }
}

struct AnyVisitor<F>(F);

impl<'de, T, F: FnOnce(Value) -> T> Visitor<'de> for AnyVisitor<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(Value::Str(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        Ok((self.0)(Value::Str(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
        Ok((self.0)(Value::Other))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
        Ok((self.0)(Value::Other))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
        Ok((self.0)(Value::Other))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
        Ok((self.0)(Value::Other))
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok((self.0)(Value::Other))
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok((self.0)(Value::Other))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut summary = MapSummary::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "fields" => summary.fields = map.next_value::<Fields>()?.0,
                "loc" => summary.loc_last = map.next_value::<LastString>()?.0,
                _ => {
                    if let Text(Some(s)) = map.next_value::<Text>()? {
                        summary.strings.insert(key, s);
                    }
                }
            }
        }
        Ok((self.0)(Value::Map(summary)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Item>()? {
            items.extend(item.0);
        }
        Ok((self.0)(Value::Seq(items)))
    }
}

/// One element of a `detail` list: an object with `loc` and `msg`, or anything (skipped).
struct Item(Option<DetailItem>);

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor(|value| match value {
            Value::Map(mut m) => Item(Some(DetailItem {
                field: m.loc_last.take(),
                msg: m.strings.remove("msg"),
            })),
            _ => Item(None),
        }))
    }
}

/// The last element of a list when it is a string (`["body", "title"]` → `title`).
struct LastString(Option<String>);

impl<'de> Deserialize<'de> for LastString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Last;
        impl<'de> Visitor<'de> for Last {
            type Value = LastString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LastString, A::Error> {
                let mut last = None;
                while let Some(part) = seq.next_element::<Text>()? {
                    last = part.0; // an index last (`["body", 0]`) names no field
                }
                Ok(LastString(last))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LastString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LastString(None))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LastString, E> {
                Ok(LastString(Some(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LastString, E> {
                Ok(LastString(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<LastString, E> {
                Ok(LastString(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<LastString, E> {
                Ok(LastString(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LastString, E> {
                Ok(LastString(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LastString, E> {
                Ok(LastString(None))
            }
        }
        d.deserialize_any(Last)
    }
}

#[cfg(test)]
mod tests;
