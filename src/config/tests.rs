#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// The client's own fields are tested in lanyard-client; these are the app's additions and the seam.
#[test]
fn empty_object_gives_the_defaults() {
    let config = Config::from_json("{}").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.client, ClientConfig::default());
    assert!(!config.lab_enabled);
    assert!(!config.show_demo_credentials);
    assert_eq!(config.log_level, LogLevel::Info);
}

#[test]
fn client_and_app_fields_share_one_flat_object() {
    let config = Config::from_json(
        r#"{"api_base":"https://api.example.com","refresh_on_status":[401,419],
            "csrf_cookie":"xsrf","log_level":"debug","lab_enabled":true,"proactive_skew_ms":0}"#,
    )
    .unwrap();
    assert_eq!(
        config.client.url("/api/me"),
        "https://api.example.com/api/me"
    );
    assert_eq!(config.client.refresh_on_status, vec![401, 419]);
    assert_eq!(config.client.refresh_csrf_cookie(), "xsrf");
    assert_eq!(config.client.proactive_skew_ms, 0);
    assert_eq!(config.log_level, LogLevel::Debug);
    assert!(config.lab_enabled);
}

#[test]
fn a_typo_is_an_error_naming_the_field() {
    for (text, field) in [
        (r#"{"refesh_path":"/x"}"#, "refesh_path"),
        (r#"{"lab_enable":true}"#, "lab_enable"),
    ] {
        let err = Config::from_json(text).unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
        assert!(matches!(err, ConfigError::Invalid(e) if e.field() == Some(field)));
    }
}

#[test]
fn wrong_types_bad_json_and_bad_values_are_errors() {
    for text in [
        r#"{"queue_max":"lots"}"#,
        r#"{"log_level":"loud"}"#,
        r#"{"lab_enabled":"yes"}"#,
        "{",
        "[]",
    ] {
        assert!(
            matches!(
                Config::from_json(text),
                Err(ConfigError::Invalid(lanyard_client::ConfigError::Parse(_)))
            ),
            "{text}"
        );
    }
    let err = Config::from_json(r#"{"queue_max":0}"#).unwrap_err();
    assert!(err.to_string().contains("queue_max"), "{err}");
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
    let mut config = Config {
        lab_enabled: true,
        ..Config::default()
    };
    config.client.api_base = "http://127.0.0.1:8080".into();
    config.client.refresh_csrf_cookie = Some("other".into());
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(Config::from_json(&text).unwrap(), config);
}

#[test]
fn login_field_defaults_to_username_and_names_another_backends_field() {
    assert_eq!(Config::default().login_field, "username");
    let config = Config::from_json(r#"{"login_field":"email"}"#).unwrap();
    assert_eq!(config.login_field, "email");
    for bad in [r#"{"login_field":""}"#, r#"{"login_field":"password"}"#] {
        let err = Config::from_json(bad).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Invalid(e) if e.field() == Some("login_field")),
            "{err}"
        );
    }
}

/// The config.json of the independent Flask-JWT-Extended backend the tests run against: every name differs.
#[test]
fn another_backends_config_reads() {
    let config = Config::from_json(
        r#"{"login_path":"/auth/login","refresh_path":"/auth/refresh","logout_path":"/auth/logout",
            "me_path":"/api/whoami","csrf_cookie":"csrf_access_token","refresh_csrf_cookie":"csrf_refresh_token",
            "csrf_header":"X-CSRF-TOKEN","expiry_field":null,"login_field":"email","lab_enabled":true}"#,
    )
    .unwrap();
    assert_eq!(config.client.expiry_field, None);
    assert_eq!(config.client.refresh_csrf_cookie(), "csrf_refresh_token");
    assert_eq!(config.login_field, "email");
}

#[test]
fn log_levels_read_by_name_and_unknown_ones_are_named() {
    for (name, level) in [
        ("off", LogLevel::Off),
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("debug", LogLevel::Debug),
        ("trace", LogLevel::Trace),
    ] {
        let config = Config::from_json(&format!(r#"{{"log_level":"{name}"}}"#)).unwrap();
        assert_eq!(config.log_level, level);
        assert_eq!(
            serde_json::to_string(&level).unwrap(),
            format!("\"{name}\"")
        );
    }
    let err = Config::from_json(r#"{"log_level":"loud"}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown variant `loud`, expected one of `off`"),
        "{err}"
    );
}
