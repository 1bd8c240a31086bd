//! The access token's expiry, read from a login, refresh or "who am I" answer where the config says it is.
//!
//! Only the one top-level field is looked at; the rest of the body is skipped without being built, so this
//! works whatever else the backend sends (and whatever type the app decodes the same body into).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::config::{ClientConfig, ExpiryUnit};

/// The expiry in Unix milliseconds, if `body` is a JSON object with the configured field holding a
/// non-negative number. `now` is when the answer arrived (for relative expiries).
pub(crate) fn access_expiry(config: &ClientConfig, body: &[u8], now: u64) -> Option<u64> {
    let field = config.expiry_field.as_deref()?;
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = FieldSeed(field).deserialize(&mut de).ok()??;
    if !(value.is_finite() && value >= 0.0) {
        return None;
    }
    let ms = match config.expiry_unit {
        ExpiryUnit::UnixMs => value,
        ExpiryUnit::UnixSeconds => value * 1_000.0,
        ExpiryUnit::SecondsFromNow => now as f64 + value * 1_000.0,
    };
    // Saturating: a huge value means "far away", not an overflow.
    Some(ms.min(u64::MAX as f64) as u64)
}

/// Deserializes a map, keeping the number under one key.
struct FieldSeed<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Option<f64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<f64>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.0 {
                // A field of another type (a string date, null) is no hint; the body is still fine.
                found = map.next_value::<Option<f64>>().unwrap_or(None);
                if found.is_none() {
                    return Ok(None);
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(field: Option<&str>, unit: ExpiryUnit) -> ClientConfig {
        ClientConfig {
            expiry_field: field.map(str::to_owned),
            expiry_unit: unit,
            ..ClientConfig::default()
        }
    }

    #[test]
    fn reads_the_configured_field_in_its_unit() {
        let ms = config(Some("access_expires_at"), ExpiryUnit::UnixMs);
        let body =
            br#"{"user":{"id":"alice","access_expires_at":1},"access_expires_at":1700000000000}"#;
        assert_eq!(access_expiry(&ms, body, 5), Some(1_700_000_000_000));
        let secs = config(Some("exp"), ExpiryUnit::UnixSeconds);
        assert_eq!(
            access_expiry(&secs, br#"{"exp":1700000000}"#, 5),
            Some(1_700_000_000_000)
        );
        let relative = config(Some("expires_in"), ExpiryUnit::SecondsFromNow);
        assert_eq!(
            access_expiry(
                &relative,
                br#"{"token_type":"cookie","expires_in":900}"#,
                1_000
            ),
            Some(901_000)
        );
        assert_eq!(
            access_expiry(&relative, br#"{"expires_in":1.5}"#, 0),
            Some(1_500)
        );
    }

    #[test]
    fn anything_else_is_no_hint() {
        let ms = ClientConfig::default();
        for body in [
            &b""[..],
            b"null",
            b"[1,2]",
            b"{}",
            br#"{"access_expires_at":null}"#,
            br#"{"access_expires_at":"2025-01-01T00:00:00Z"}"#,
            br#"{"access_expires_at":-5}"#,
            br#"{"user":{"access_expires_at":5}}"#,
            b"<html>",
        ] {
            assert_eq!(
                access_expiry(&ms, body, 0),
                None,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let off = config(None, ExpiryUnit::UnixMs);
        assert_eq!(access_expiry(&off, br#"{"access_expires_at":5}"#, 0), None);
    }

    #[test]
    fn huge_values_saturate() {
        let secs = config(Some("exp"), ExpiryUnit::UnixSeconds);
        assert_eq!(access_expiry(&secs, br#"{"exp":1e300}"#, 0), Some(u64::MAX));
    }
}
