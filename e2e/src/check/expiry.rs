//! How long to wait for an access token to expire: from what the backend reports at sign-in (the config's
//! `expiry_field` and `expiry_unit`, at the answer's top level, as the client reads it) or from
//! `--access-ttl`; bounded, so a backend with 15-minute tokens gets a clear SKIP instead of a hung run.

use lanyard_client::config::ExpiryUnit;
use serde_json::Value;
use std::time::Duration;

/// The longest this tool waits for a token to expire.
pub const MAX_WAIT: Duration = Duration::from_secs(600);
/// Added to the lifetime: clocks differ, and JWT `exp` counts whole seconds.
pub const MARGIN: Duration = Duration::from_millis(1500);

/// The access token's lifetime as reported in a sign-in answer; `Ok(None)` when the answer has no such
/// field (the client then refreshes only after a 401). `now_ms` is Unix time in milliseconds.
pub fn reported_ttl(
    body: &Value,
    field: Option<&str>,
    unit: ExpiryUnit,
    now_ms: u64,
) -> Result<Option<Duration>, String> {
    let Some(field) = field else {
        return Ok(None);
    };
    let value = match body.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(value) => value,
    };
    let number = value
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| format!("the sign-in answer's {field:?} is {value}, not a number"))?;
    let ms_left = match unit {
        ExpiryUnit::UnixMs => number - now_ms as f64,
        ExpiryUnit::UnixSeconds => number * 1000.0 - now_ms as f64,
        ExpiryUnit::SecondsFromNow => number * 1000.0,
        // A unit added to the client after this tool was written.
        _ => return Err(format!("expiry_unit {unit:?} is not known to this tool")),
    };
    if ms_left <= 0.0 {
        return Err(format!(
            "the sign-in answer's {field:?} ({value}) is already in the past with expiry_unit {unit:?}: \
             check expiry_unit (unix_ms, unix_seconds or seconds_from_now)"
        ));
    }
    Ok(Some(Duration::from_millis(ms_left.round() as u64)))
}

/// What the checks that need an expired token do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Wait this long (lifetime + margin) after signing in.
    For(Duration),
    /// Longer than [`MAX_WAIT`]: do not wait; the text says so.
    TooLong(String),
    /// Neither reported nor given.
    Unknown(String),
}

/// `--access-ttl` wins over what the backend reports (a user may know better, e.g. a skewed clock).
pub fn plan(flag_secs: Option<u64>, reported: Option<Duration>) -> Wait {
    let (ttl, source) = match (flag_secs, reported) {
        (Some(secs), _) => (Duration::from_secs(secs), "--access-ttl"),
        (None, Some(ttl)) => (ttl, "the expiry the backend reports at sign-in"),
        (None, None) => {
            return Wait::Unknown(
                "the backend reports no expiry at sign-in (config expiry_field) and no --access-ttl was given: \
                 pass --access-ttl SECS"
                    .into(),
            )
        }
    };
    if ttl > MAX_WAIT {
        return Wait::TooLong(format!(
            "the access token lives {} s ({source}), longer than the {} s this check waits: run the backend \
             with short-lived access tokens for the check",
            ttl.as_secs(),
            MAX_WAIT.as_secs()
        ));
    }
    Wait::For(ttl + MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_767_225_600_000;

    #[test]
    fn reads_each_unit() {
        let ttl = |body: Value, unit| reported_ttl(&body, Some("exp"), unit, NOW);
        assert_eq!(
            ttl(json!({"exp": NOW + 3000}), ExpiryUnit::UnixMs),
            Ok(Some(Duration::from_secs(3)))
        );
        assert_eq!(
            ttl(json!({"exp": NOW / 1000 + 30}), ExpiryUnit::UnixSeconds),
            Ok(Some(Duration::from_secs(30)))
        );
        assert_eq!(
            ttl(json!({"exp": 900}), ExpiryUnit::SecondsFromNow),
            Ok(Some(Duration::from_secs(900)))
        );
    }

    #[test]
    fn absent_means_unknown_and_nonsense_is_explained() {
        assert_eq!(
            reported_ttl(&json!({}), Some("exp"), ExpiryUnit::UnixMs, NOW),
            Ok(None)
        );
        assert_eq!(
            reported_ttl(&json!({"exp": 5}), None, ExpiryUnit::UnixMs, NOW),
            Ok(None)
        );
        let text = reported_ttl(
            &json!({"exp": "soon"}),
            Some("exp"),
            ExpiryUnit::UnixMs,
            NOW,
        );
        assert!(text.err().unwrap_or_default().contains("not a number"));
        // Seconds read as milliseconds: decades in the past.
        let unit = reported_ttl(
            &json!({"exp": NOW / 1000 + 30}),
            Some("exp"),
            ExpiryUnit::UnixMs,
            NOW,
        );
        assert!(unit.err().unwrap_or_default().contains("check expiry_unit"));
    }

    #[test]
    fn the_flag_wins_and_the_wait_is_bounded() {
        let ten = Some(Duration::from_secs(10));
        assert_eq!(
            plan(Some(3), ten),
            Wait::For(Duration::from_secs(3) + MARGIN)
        );
        assert_eq!(plan(None, ten), Wait::For(Duration::from_secs(10) + MARGIN));
        assert!(matches!(plan(None, None), Wait::Unknown(t) if t.contains("--access-ttl")));
        assert!(
            matches!(plan(None, Some(Duration::from_secs(900))), Wait::TooLong(t) if t.contains("900 s"))
        );
        assert!(matches!(plan(Some(600), None), Wait::For(_)));
    }
}
