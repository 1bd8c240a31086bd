use reqwest::StatusCode;
use serde_json::json;

use crate::common::Server;

#[tokio::test]
async fn notes_crud_round_trip_newest_first() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    assert_eq!(c.get("/api/notes").await.body, json!([]));

    let first = c
        .post(
            "/api/notes",
            Some(json!({"title": "Groceries", "body": "milk"})),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["id"].as_i64().unwrap();
    assert_eq!(first.body["title"], "Groceries");
    assert_eq!(first.body["body"], "milk");
    let created = first.body["created_at"].as_i64().unwrap();
    assert_eq!(first.body["updated_at"].as_i64(), Some(created));
    assert!(
        (created - lanyard_server::db::now_ms()).abs() < 10_000,
        "times are Unix ms"
    );

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = c.post("/api/notes", Some(json!({"title": "Second"}))).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body["body"], "");
    let list = c.get("/api/notes").await;
    let titles: Vec<_> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].clone())
        .collect();
    assert_eq!(titles, [json!("Second"), json!("Groceries")]);

    let got = c.get(&format!("/api/notes/{id}")).await;
    assert_eq!(got.body, first.body);

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let updated = c
        .put(
            &format!("/api/notes/{id}"),
            json!({"title": "Shopping", "body": "eggs"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["title"], "Shopping");
    assert_eq!(updated.body["created_at"].as_i64(), Some(created));
    assert!(updated.body["updated_at"].as_i64().unwrap() > created);

    assert_eq!(
        c.delete(&format!("/api/notes/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    c.get(&format!("/api/notes/{id}"))
        .await
        .assert_error(404, "not_found");
    c.delete(&format!("/api/notes/{id}"))
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        c.get("/api/notes").await.body.as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn note_validation_is_422_with_per_field_messages() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let cases = [
        (json!({"body": "x"}), vec!["title"]),
        (json!({"title": "   "}), vec!["title"]),
        (json!({"title": "t".repeat(121)}), vec!["title"]),
        (
            json!({"title": "ok", "body": "b".repeat(10_001)}),
            vec!["body"],
        ),
        (
            json!({"title": "", "body": "b".repeat(10_001)}),
            vec!["body", "title"],
        ),
    ];
    for (input, fields) in cases {
        let resp = c.post("/api/notes", Some(input.clone())).await;
        resp.assert_error(422, "validation");
        assert_eq!(resp.body["error"]["message"], "Some fields need attention.");
        let got: Vec<_> = resp.body["error"]["fields"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(got, fields, "{input}");
    }
    // Limits are characters, not bytes; exact limits are fine.
    let ok = c
        .post(
            "/api/notes",
            Some(json!({"title": "é".repeat(120), "body": "ü".repeat(10_000)})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let id = ok.body["id"].as_i64().unwrap();
    let resp = c
        .put(&format!("/api/notes/{id}"), json!({"title": ""}))
        .await;
    resp.assert_error(422, "validation");
    assert_eq!(resp.body["error"]["fields"]["title"], "Title is required.");
    // Invisible characters are blank too: a zero-width space, a byte-order mark, a word joiner.
    for invisible in ["\u{200B}", "\u{FEFF}", " \u{2060}\u{200D} "] {
        let resp = c
            .post("/api/notes", Some(json!({ "title": invisible })))
            .await;
        resp.assert_error(422, "validation");
        assert_eq!(resp.body["error"]["fields"]["title"], "Title is required.");
    }
    assert_eq!(
        c.get("/api/notes").await.body.as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn another_users_note_is_404_and_unauthenticated_is_401() {
    let server = Server::start(&[]).await;
    let mut owner = server.client();
    let mut other = server.client();
    owner.login("user", "user-pass").await;
    other.login("admin", "admin-pass").await;
    let note = owner
        .post("/api/notes", Some(json!({"title": "mine"})))
        .await;
    let path = format!("/api/notes/{}", note.body["id"]);

    other.get(&path).await.assert_error(404, "not_found");
    other
        .put(&path, json!({"title": "hijacked"}))
        .await
        .assert_error(404, "not_found");
    other.delete(&path).await.assert_error(404, "not_found");
    assert_eq!(other.get("/api/notes").await.body, json!([]));
    assert_eq!(owner.get(&path).await.body["title"], "mine");

    let mut anon = server.client();
    anon.get("/api/notes")
        .await
        .assert_error(401, "unauthenticated");
    anon.get(&path).await.assert_error(401, "unauthenticated");
}

#[tokio::test]
async fn admin_users_is_admin_only() {
    let server = Server::start(&[]).await;
    let mut admin = server.client();
    let mut user = server.client();
    admin.login("admin", "admin-pass").await;
    admin.login("admin", "admin-pass").await; // a second live login
    user.login("user", "user-pass").await;

    user.get("/api/admin/users")
        .await
        .assert_error(403, "forbidden");
    server
        .client()
        .get("/api/admin/users")
        .await
        .assert_error(401, "unauthenticated");
    let list = admin.get("/api/admin/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.body,
        json!([
            {"user": {"id": 1, "username": "admin", "display_name": "Ada Admin", "roles": ["admin"]}, "active_sessions": 2},
            {"user": {"id": 2, "username": "user", "display_name": "Uma User", "roles": []}, "active_sessions": 1},
        ])
    );
}
