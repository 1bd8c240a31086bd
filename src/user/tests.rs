#![allow(clippy::unwrap_used)]

use super::*;

fn answer(json: &str) -> Result<User, String> {
    serde_json::from_str::<SessionAnswer>(json)
        .map(|a| a.user)
        .map_err(|e| e.to_string())
}

#[test]
fn reads_the_dev_backends_shape() {
    let user = answer(
        r#"{"user":{"id":7,"username":"admin","display_name":"Ada Admin","roles":["admin"]},
            "access_expires_at":1767225600000}"#,
    )
    .unwrap();
    assert_eq!(
        user,
        User {
            id: "7".into(),
            username: "admin".into(),
            display_name: "Ada Admin".into(),
            roles: vec!["admin".into()],
        }
    );
    assert!(user.has_role(ADMIN));
}

#[test]
fn reads_a_top_level_user_with_string_id_name_and_groups() {
    let user = answer(
        r#"{"id":"alice","email":"alice@example.com","name":"Alice Liddell","groups":["admin"],
            "extra":{"nested":[1,2]}}"#,
    )
    .unwrap();
    assert_eq!(user.id, "alice");
    assert_eq!(user.username, "alice@example.com");
    assert_eq!(user.display_name, "Alice Liddell");
    assert!(user.has_role("admin"));
}

#[test]
fn missing_names_and_roles_fall_back() {
    let user = answer(r#"{"id":"u-1","username":"bob"}"#).unwrap();
    assert_eq!(user.display_name, "bob");
    assert!(user.roles.is_empty());
    let blank_name = answer(r#"{"username":"bob","display_name":"  ","roles":null}"#).unwrap();
    assert_eq!(blank_name.display_name, "bob");
    assert_eq!(blank_name.id, "bob", "without an id the username stands in");
    let only_id = answer(r#"{"user":{"id":12345678901234}}"#).unwrap();
    assert_eq!(only_id.username, "12345678901234");
}

#[test]
fn roles_win_over_groups() {
    let user = answer(r#"{"id":1,"username":"x","roles":["a"],"groups":["b"]}"#).unwrap();
    assert_eq!(user.roles, ["a"]);
}

#[test]
fn an_answer_without_a_user_says_what_was_expected() {
    for body in [r#"{"ok":true}"#, r#"{"user":{"display_name":"x"}}"#] {
        let err = answer(body).unwrap_err();
        assert!(err.contains("`id`, `username` or `email`"), "{err}");
    }
    let err = answer(r#"{"id":[1]}"#).unwrap_err();
    assert!(err.contains("string or a number"), "{err}");
    let err = answer(r#"{"id":1,"username":"x","roles":"admin"}"#).unwrap_err();
    assert!(err.contains("sequence"), "{err}");
}

#[test]
fn serializing_and_reading_back_keeps_the_user() {
    let user = User {
        id: "9".into(),
        username: "u".into(),
        display_name: "U".into(),
        roles: vec!["r".into()],
    };
    let json = serde_json::to_string(&user).unwrap();
    assert_eq!(serde_json::from_str::<User>(&json).unwrap(), user);
}
