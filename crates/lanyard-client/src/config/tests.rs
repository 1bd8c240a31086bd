#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::collections::BTreeMap;

fn field_of(err: ConfigError) -> &'static str {
    match err {
        ConfigError::Invalid { field, .. } => field,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn empty_object_gives_the_defaults() {
    let config = ClientConfig::from_json("{}").unwrap();
    assert_eq!(config, ClientConfig::default());
    assert_eq!(config.login_path, "/api/auth/login");
    assert_eq!(config.refresh_on_status, vec![401]);
    assert_eq!(config.queue_max, 2000);
    assert_eq!(config.proactive_skew_ms, 5000);
    assert_eq!(config.namespace, "lanyard");
    assert_eq!(config.expiry_field.as_deref(), Some("access_expires_at"));
}

#[test]
fn defaults_are_valid() {
    ClientConfig::default().validate().unwrap();
}

#[test]
fn fields_lists_every_serialized_field() {
    let text = serde_json::to_string(&ClientConfig::default()).unwrap();
    let keys: BTreeMap<String, IgnoredAny> = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = keys.keys().map(String::as_str).collect();
    let mut fields = ClientConfig::FIELDS.to_vec();
    fields.sort_unstable();
    assert_eq!(keys, fields);
}

#[test]
fn fields_override_defaults() {
    let config = ClientConfig::from_json(
        r#"{"api_base":"https://api.example.com","refresh_on_status":[401,419],
            "csrf_cookie":"xsrf","proactive_skew_ms":0,"expiry_field":"expires_in",
            "expiry_unit":"seconds_from_now","namespace":"shop"}"#,
    )
    .unwrap();
    assert_eq!(config.url("/api/me"), "https://api.example.com/api/me");
    assert_eq!(config.refresh_on_status, vec![401, 419]);
    assert_eq!(config.proactive_skew_ms, 0);
    assert_eq!(config.expiry_unit, ExpiryUnit::SecondsFromNow);
    assert_eq!(config.namespace, "shop");
    // The refresh call's CSRF cookie follows csrf_cookie unless set.
    assert_eq!(config.refresh_csrf_cookie(), "xsrf");
}

#[test]
fn no_expiry_field_means_reactive_refresh_only() {
    let config = ClientConfig::from_json(r#"{"expiry_field":null}"#).unwrap();
    assert_eq!(config.expiry_field, None);
    let err = ClientConfig::from_json(r#"{"expiry_field":" "}"#).unwrap_err();
    assert_eq!(field_of(err), "expiry_field");
}

#[test]
fn refresh_csrf_cookie_can_differ() {
    let config = ClientConfig::from_json(r#"{"refresh_csrf_cookie":"refresh_csrf"}"#).unwrap();
    assert_eq!(config.refresh_csrf_cookie(), "refresh_csrf");
    assert_eq!(config.csrf_cookie, "lanyard_csrf");
}

#[test]
fn same_origin_url_is_the_path() {
    assert_eq!(ClientConfig::default().url("/api/notes"), "/api/notes");
}

#[test]
fn a_typo_is_an_error_naming_the_field() {
    let err = ClientConfig::from_json(r#"{"refesh_path":"/x"}"#).unwrap_err();
    assert_eq!(err, ConfigError::UnknownField("refesh_path".into()));
    assert_eq!(err.field(), Some("refesh_path"));
    assert!(err.to_string().contains("refesh_path"), "{err}");
}

#[test]
fn unknown_field_accepts_the_fields_of_every_list() {
    let text = r#"{"api_base":"","log_level":"debug"}"#;
    assert_eq!(
        unknown_field(text, &[ClientConfig::FIELDS])
            .unwrap()
            .as_deref(),
        Some("log_level")
    );
    assert_eq!(
        unknown_field(text, &[ClientConfig::FIELDS, &["log_level"]]).unwrap(),
        None
    );
    assert!(matches!(
        unknown_field("[1]", &[ClientConfig::FIELDS]),
        Err(ConfigError::Parse(_))
    ));
}

#[test]
fn unknown_field_names_the_first_in_sorted_order_and_reads_the_whole_text() {
    let text = r#"{"zeta":1,"api_base":"","beta":{"nested":[1,2]},"beta":2}"#;
    assert_eq!(
        unknown_field(text, &[ClientConfig::FIELDS])
            .unwrap()
            .as_deref(),
        Some("beta")
    );
    let err = unknown_field(r#"{"api_base":""} trailing"#, &[ClientConfig::FIELDS]).unwrap_err();
    assert!(matches!(err, ConfigError::Parse(_)), "{err:?}");
    let err = unknown_field(r#""text""#, &[ClientConfig::FIELDS]).unwrap_err();
    assert!(err.to_string().contains("expected a map"), "{err}");
}

#[test]
fn wrong_types_and_bad_json_are_parse_errors() {
    for text in [
        r#"{"queue_max":"lots"}"#,
        r#"{"expiry_unit":"fortnights"}"#,
        "{",
        "[]",
        "null",
    ] {
        assert!(
            matches!(ClientConfig::from_json(text), Err(ConfigError::Parse(_))),
            "{text}"
        );
    }
}

#[test]
fn invalid_values_name_their_field() {
    let cases = [
        (r#"{"api_base":"api.example.com"}"#, "api_base"),
        (r#"{"api_base":"https://api.example.com/"}"#, "api_base"),
        (r#"{"login_path":"api/auth/login"}"#, "login_path"),
        (r#"{"me_path":"/api/ me"}"#, "me_path"),
        (r#"{"refresh_path":"/api/auth/login"}"#, "refresh_path"),
        (r#"{"refresh_on_status":[]}"#, "refresh_on_status"),
        (r#"{"refresh_on_status":[200]}"#, "refresh_on_status"),
        (r#"{"csrf_cookie":""}"#, "csrf_cookie"),
        (r#"{"csrf_cookie":"a;b"}"#, "csrf_cookie"),
        (r#"{"refresh_csrf_cookie":"a b"}"#, "refresh_csrf_cookie"),
        (r#"{"csrf_header":"X:CSRF"}"#, "csrf_header"),
        (r#"{"request_timeout_ms":0}"#, "request_timeout_ms"),
        (r#"{"refresh_timeout_ms":99999999}"#, "refresh_timeout_ms"),
        (r#"{"queue_max_wait_ms":0}"#, "queue_max_wait_ms"),
        (r#"{"proactive_skew_ms":99999999}"#, "proactive_skew_ms"),
        (r#"{"max_in_flight":10001}"#, "max_in_flight"),
        (r#"{"queue_max":0}"#, "queue_max"),
        (r#"{"max_retries":11}"#, "max_retries"),
        (r#"{"namespace":""}"#, "namespace"),
        (r#"{"namespace":"my app"}"#, "namespace"),
    ];
    for (json, field) in cases {
        let err = ClientConfig::from_json(json).unwrap_err();
        let message = err.to_string();
        assert_eq!(err.field(), Some(field), "{json}");
        assert_eq!(field_of(err), field, "{json}");
        assert!(message.contains(field), "{message}");
    }
}

#[test]
fn config_round_trips_through_json() {
    let config = ClientConfig {
        api_base: "http://127.0.0.1:8080".into(),
        refresh_csrf_cookie: Some("other".into()),
        expiry_field: None,
        ..ClientConfig::default()
    };
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(ClientConfig::from_json(&text).unwrap(), config);
}

#[test]
fn max_in_flight_is_auto_by_default_or_a_number() {
    assert_eq!(ClientConfig::default().max_in_flight, InFlightCap::Auto);
    for (json, cap) in [
        (r#"{"max_in_flight":"auto"}"#, InFlightCap::Auto),
        (r#"{"max_in_flight":8}"#, InFlightCap::Fixed(8)),
        (r#"{"max_in_flight":0}"#, InFlightCap::Fixed(0)),
    ] {
        let config = ClientConfig::from_json(json).unwrap();
        assert_eq!(config.max_in_flight, cap, "{json}");
        let again = serde_json::to_string(&config).unwrap();
        assert_eq!(ClientConfig::from_json(&again).unwrap(), config);
    }
    for json in [r#"{"max_in_flight":"fast"}"#, r#"{"max_in_flight":-1}"#] {
        let err = ClientConfig::from_json(json).unwrap_err();
        assert!(err.to_string().contains("auto"), "{err}");
    }
}

#[test]
fn expiry_units_read_by_name_and_unknown_ones_are_named() {
    for (name, unit) in [
        ("unix_ms", ExpiryUnit::UnixMs),
        ("unix_seconds", ExpiryUnit::UnixSeconds),
        ("seconds_from_now", ExpiryUnit::SecondsFromNow),
    ] {
        let config = ClientConfig::from_json(&format!(r#"{{"expiry_unit":"{name}"}}"#)).unwrap();
        assert_eq!(config.expiry_unit, unit);
        // Written as it is read.
        let json = serde_json::to_string(&config).unwrap();
        assert!(
            json.contains(&format!(r#""expiry_unit":"{name}""#)),
            "{json}"
        );
    }
    let err = ClientConfig::from_json(r#"{"expiry_unit":"fortnights"}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown variant `fortnights`, expected one of `unix_ms`"),
        "{err}"
    );
}
