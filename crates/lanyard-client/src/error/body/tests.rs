#![allow(clippy::unwrap_used)]

use super::*;

fn parse(text: &str) -> ErrorBody {
    ErrorBody::parse(text.as_bytes())
}

#[test]
fn our_envelope() {
    let body = parse(
        r#"{"error":{"code":"validation","message":"Some fields need attention.","fields":{"title":"Title is required.","n":3}}}"#,
    );
    assert_eq!(body.code.as_deref(), Some("validation"));
    assert_eq!(body.message.as_deref(), Some("Some fields need attention."));
    assert_eq!(body.fields.len(), 1);
    assert_eq!(
        body.fields.get("title").unwrap_or_default(),
        "Title is required."
    );
}

#[test]
fn common_shapes_of_other_backends() {
    let cases: [(&str, Option<&str>, Option<&str>); 9] = [
        (
            r#"{"detail":"Incorrect username or password"}"#,
            None,
            Some("Incorrect username or password"),
        ),
        (
            r#"{"message":"Invalid credentials","code":"E_AUTH"}"#,
            Some("E_AUTH"),
            Some("Invalid credentials"),
        ),
        (
            r#"{"msg":"Token has expired"}"#,
            None,
            Some("Token has expired"),
        ),
        (r#"{"error":"Unauthorized"}"#, None, Some("Unauthorized")),
        (
            r#"{"error":"invalid_grant","error_description":"Refresh token revoked"}"#,
            Some("invalid_grant"),
            Some("Refresh token revoked"),
        ),
        (
            r#"{"statusCode":401,"error":"Unauthorized","message":"Bad login"}"#,
            Some("Unauthorized"),
            Some("Bad login"),
        ),
        ("Wrong password", None, Some("Wrong password")),
        ("<html><body>502 Bad Gateway</body></html>", None, None),
        (r#"{"error":{"nested":true},"message":5}"#, None, None),
    ];
    for (text, code, message) in cases {
        let body = parse(text);
        assert_eq!(body.code.as_deref(), code, "{text}");
        assert_eq!(body.message.as_deref(), message, "{text}");
        assert_eq!(body.text, text);
    }
}

#[test]
fn fastapi_validation_lists_become_field_messages() {
    let body = parse(
        r#"{"detail":[{"loc":["body","title"],"msg":"field required","type":"missing"},
                      {"loc":["body",0],"msg":"no field"},{"msg":"no loc"},"junk"]}"#,
    );
    assert_eq!(body.fields.len(), 1, "{:?}", body.fields);
    assert_eq!(
        body.fields.get("title").unwrap_or_default(),
        "field required"
    );
    assert_eq!(body.message, None);
}

#[test]
fn empty_odd_and_long_bodies() {
    assert_eq!(parse(""), ErrorBody::default());
    assert_eq!(parse("   ").message, None);
    assert_eq!(parse("[1,2]").message, None);
    assert_eq!(parse(r#"{"message":"  "}"#).message, None);
    let long = "é".repeat(3_000);
    let body = parse(&long);
    assert!(body.text.len() <= MAX_TEXT, "{}", body.text.len());
    assert!(body.text.chars().all(|c| c == 'é'));
    assert_eq!(body.message, None, "a long text is a page, not a message");
    // Invalid UTF-8 is kept lossily, never an error.
    assert_eq!(ErrorBody::parse(&[0xff, b'a']).text, "\u{fffd}a");
}
