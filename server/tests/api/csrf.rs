//! The CSRF token is bound to its session (signed double submit): a cookie+header pair that matches but was
//! not issued for the session the request acts on is refused with 403 `csrf`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Client, Server};

/// Every unsafe route, with the session cookie its check reads.
const UNSAFE: [(Method, &str); 5] = [
    (Method::POST, "/api/auth/refresh"),
    (Method::POST, "/api/auth/logout"),
    (Method::POST, "/api/notes"),
    (Method::PUT, "/api/notes/{id}"),
    (Method::DELETE, "/api/notes/{id}"),
];

/// Sends `method path` with `c`'s session cookies but `token` as both the CSRF cookie and the header.
async fn with_token(
    c: &mut Client,
    method: &Method,
    path: &str,
    token: &str,
) -> crate::common::Resp {
    let mut forged = c.clone();
    forged.jar.insert("lanyard_csrf".into(), token.into());
    let req = forged
        .request(method.clone(), path)
        .json(&json!({"title": "forged", "body": ""}));
    forged.send(req).await
}

/// A signed-in client with one note; returns the note's path.
async fn signed_in_with_a_note(server: &Server, username: &str) -> (Client, String) {
    let mut c = server.client();
    c.login(username, &format!("{username}-pass")).await;
    let note = c
        .post("/api/notes", Some(json!({"title": "mine", "body": ""})))
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let path = format!("/api/notes/{}", note.body["id"]);
    (c, path)
}

/// Nothing happened to the victim's session or notes.
async fn untouched(c: &mut Client, note: &str) {
    let titles = c.note_titles().await;
    assert_eq!(titles, ["mine"], "no note forged, changed or deleted");
    assert_eq!(c.get(note).await.status, StatusCode::OK);
    // Not rotated and not revoked: the victim's own refresh still works.
    assert_eq!(c.refresh().await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_planted_cookie_and_header_pair_is_refused_with_a_live_session() {
    let server = Server::start(&[]).await;
    let (mut victim, note) = signed_in_with_a_note(&server, "user").await;
    // What an attacker who can set cookies for the site (but cannot read them) would plant: a value of the
    // right shape, echoed in the header by their forged request.
    let planted = "cGxhbnRlZC1ieS1hbi1hdHRhY2tlci0wMTIzNDU2Nzg5";
    for (method, path) in &UNSAFE {
        let path = path.replace("/api/notes/{id}", &note);
        with_token(&mut victim, method, &path, planted)
            .await
            .assert_error(403, "csrf");
    }
    untouched(&mut victim, &note).await;
}

#[tokio::test]
async fn a_token_from_one_session_does_not_work_for_another() {
    let server = Server::start(&[]).await;
    let (mut victim, note) = signed_in_with_a_note(&server, "user").await;
    // The attacker's own genuine token: another login of the same user, and a login of another user.
    let mut same_user = server.client();
    same_user.login("user", "user-pass").await;
    let mut other_user = server.client();
    other_user.login("admin", "admin-pass").await;
    for attacker in [same_user, other_user] {
        let token = attacker.cookie("lanyard_csrf");
        assert_ne!(token, victim.cookie("lanyard_csrf"));
        for (method, path) in &UNSAFE {
            let path = path.replace("/api/notes/{id}", &note);
            with_token(&mut victim, method, &path, &token)
                .await
                .assert_error(403, "csrf");
        }
        // ...while it still works for the session it was issued to.
        let mut attacker = attacker;
        assert_eq!(attacker.refresh().await.status, StatusCode::OK);
    }
    untouched(&mut victim, &note).await;
}

#[tokio::test]
async fn the_genuine_token_works_for_writes_refresh_and_logout_across_rotations() {
    let server = Server::start(&["--test-hooks"]).await;
    let (mut c, note) = signed_in_with_a_note(&server, "user").await;
    let token = c.cookie("lanyard_csrf");
    assert_eq!(token.len(), 43, "an HMAC-SHA256, base64url: {token}");

    let refreshed = c.refresh().await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert!(
        refreshed.cookie("lanyard_csrf").is_none(),
        "the token outlives rotation"
    );
    let updated = c
        .put(&note, json!({"title": "after a refresh", "body": ""}))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);

    // An expired access token still names its session: the genuine token gets the 401 that makes the
    // client refresh, not a 403.
    c.post("/api/_test/expire-access", None).await;
    c.delete(&note).await.assert_error(401, "unauthenticated");
    assert_eq!(c.refresh().await.status, StatusCode::OK);
    assert_eq!(c.delete(&note).await.status, StatusCode::NO_CONTENT);

    // A second login gets a token of its own.
    let mut again = server.client();
    again.login("user", "user-pass").await;
    assert_ne!(again.cookie("lanyard_csrf"), token);

    let before = c.clone();
    assert_eq!(
        c.post("/api/auth/logout", None).await.status,
        StatusCode::NO_CONTENT
    );
    // Logout revoked the family: the old cookies (still carrying the genuine token) get 401, not 403.
    before
        .clone()
        .refresh()
        .await
        .assert_error(401, "refresh_invalid");
    assert_eq!(c.cookie("lanyard_csrf"), "", "logout cleared the cookie");
}
