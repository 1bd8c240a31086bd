#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn field_of(err: ConfigError) -> &'static str {
    match err {
        ConfigError::Invalid { field, .. } => field,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn empty_object_gives_the_defaults() {
    let config = Config::from_json("{}").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.login_path, "/api/auth/login");
    assert_eq!(config.refresh_on_status, vec![401]);
    assert_eq!(config.queue_max, 2000);
    assert_eq!(config.proactive_skew_ms, 5000);
    assert!(!config.lab_enabled);
}

#[test]
fn defaults_are_valid() {
    Config::default().validate().unwrap();
}

#[test]
fn fields_override_defaults() {
    let config = Config::from_json(
        r#"{"api_base":"https://api.example.com","refresh_on_status":[401,419],
            "csrf_cookie":"xsrf","log_level":"debug","lab_enabled":true,"proactive_skew_ms":0}"#,
    )
    .unwrap();
    assert_eq!(config.url("/api/me"), "https://api.example.com/api/me");
    assert_eq!(config.refresh_on_status, vec![401, 419]);
    assert_eq!(config.log_level, LogLevel::Debug);
    assert_eq!(config.proactive_skew_ms, 0);
    assert!(config.lab_enabled);
    // The refresh call's CSRF cookie follows csrf_cookie unless set.
    assert_eq!(config.refresh_csrf_cookie(), "xsrf");
}

#[test]
fn refresh_csrf_cookie_can_differ() {
    let config = Config::from_json(r#"{"refresh_csrf_cookie":"refresh_csrf"}"#).unwrap();
    assert_eq!(config.refresh_csrf_cookie(), "refresh_csrf");
    assert_eq!(config.csrf_cookie, "lanyard_csrf");
}

#[test]
fn same_origin_url_is_the_path() {
    assert_eq!(Config::default().url("/api/notes"), "/api/notes");
}

#[test]
fn a_typo_is_an_error_naming_the_field() {
    let err = Config::from_json(r#"{"refesh_path":"/x"}"#).unwrap_err();
    match err {
        ConfigError::Parse(msg) => assert!(msg.contains("refesh_path"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_types_and_bad_json_are_parse_errors() {
    assert!(matches!(
        Config::from_json(r#"{"queue_max":"lots"}"#),
        Err(ConfigError::Parse(_))
    ));
    assert!(matches!(
        Config::from_json(r#"{"log_level":"loud"}"#),
        Err(ConfigError::Parse(_))
    ));
    assert!(matches!(Config::from_json("{"), Err(ConfigError::Parse(_))));
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
        (r#"{"queue_max":0}"#, "queue_max"),
    ];
    for (json, field) in cases {
        let err = Config::from_json(json).unwrap_err();
        let message = err.to_string();
        assert_eq!(field_of(err), field, "{json}");
        assert!(message.contains(field), "{message}");
    }
}

#[test]
fn log_level_maps_to_a_filter() {
    assert_eq!(LogLevel::Off.to_level_filter(), log::LevelFilter::Off);
    assert_eq!(
        LogLevel::default().to_level_filter(),
        log::LevelFilter::Info
    );
}

#[test]
fn config_round_trips_through_json() {
    let config = Config {
        api_base: "http://127.0.0.1:8080".into(),
        refresh_csrf_cookie: Some("other".into()),
        ..Config::default()
    };
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(Config::from_json(&text).unwrap(), config);
}
