#![allow(clippy::unwrap_used)]

use super::*;
use lanyard_client::ErrorBody;

fn http(status: u16, body: &str) -> Error {
    Error::Http {
        status,
        body: ErrorBody::parse(body.as_bytes()),
        retry_after_secs: None,
    }
}

#[test]
fn the_body_uses_the_configured_field() {
    let body = |field| {
        serde_json::to_string(&Credentials {
            field,
            name: "alice@example.com",
            password: "p\"w",
        })
        .unwrap()
    };
    assert_eq!(
        body("email"),
        r#"{"email":"alice@example.com","password":"p\"w"}"#
    );
    assert_eq!(
        body("username"),
        r#"{"username":"alice@example.com","password":"p\"w"}"#
    );
    assert_eq!(name_label("email"), "Email");
    assert_eq!(name_label("login"), "Username");
}

#[test]
fn a_401_shows_the_servers_message_and_blames_both_inputs() {
    let both = Invalid {
        name: true,
        password: true,
    };
    assert_eq!(
        login_failure(&http(401, r#"{"msg":"Bad email or password"}"#), "email"),
        ("Bad email or password".to_string(), both)
    );
    assert_eq!(
        login_failure(&http(401, ""), "email"),
        ("Wrong email or password.".to_string(), both)
    );
}

#[test]
fn a_400_or_422_blames_only_the_fields_it_names() {
    let (message, marked) = login_failure(
        &http(
            422,
            r#"{"detail":[{"loc":["body","email"],"msg":"value is not a valid email address","type":"value_error"}]}"#,
        ),
        "email",
    );
    assert!(message.contains("valid email"), "{message}");
    assert_eq!(
        marked,
        Invalid {
            name: true,
            password: false
        }
    );
    let (message, marked) = login_failure(&http(400, r#"{"error":"invalid_grant"}"#), "username");
    assert_eq!(message, "invalid_grant");
    assert_eq!(marked, Invalid::default(), "the server named no field");
    let (message, _) = login_failure(&http(400, "<html>"), "username");
    assert_eq!(message, "Check your username and password.");
}

#[test]
fn unreadable_answers_and_outages_mark_no_input() {
    let decode = Error::Decode {
        endpoint: "POST /auth/login".into(),
        message: "missing field `id`".into(),
    };
    let (message, marked) = login_failure(&decode, "email");
    assert!(message.contains("couldn't read"), "{message}");
    assert_eq!(marked, Invalid::default());
    for err in [http(503, ""), Error::Timeout, Error::Network("x".into())] {
        assert_eq!(login_failure(&err, "username").1, Invalid::default());
    }
}
