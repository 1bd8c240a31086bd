use std::time::Duration;

use reqwest::StatusCode;

use crate::common::Server;

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let first_refresh = c.cookie("lanyard_refresh");
    let first_access = c.cookie("lanyard_access");

    let r1 = c.refresh().await;
    assert_eq!(r1.status, StatusCode::OK, "{}", r1.body);
    assert_eq!(r1.body["user"]["username"], "user");
    assert!(r1.body["access_expires_at"].as_i64().is_some());
    // A rotated refresh token and a new access token; the CSRF cookie stays as it is.
    let second_refresh = c.cookie("lanyard_refresh");
    assert_ne!(second_refresh, first_refresh);
    assert_ne!(c.cookie("lanyard_access"), first_access);
    assert!(r1.cookie("lanyard_csrf").is_none());
    assert_eq!(
        r1.cookie("lanyard_refresh").unwrap().path.as_deref(),
        Some("/api/auth")
    );

    let r2 = c.refresh().await;
    assert_eq!(r2.status, StatusCode::OK);
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);

    // An attacker replays the first (rotated) token: reuse, and the whole family dies.
    let mut thief = c.clone();
    thief.jar.insert("lanyard_refresh".into(), first_refresh);
    thief.refresh().await.assert_error(401, "refresh_reused");

    // The legitimate holder's current tokens are now worthless too.
    c.refresh().await.assert_error(401, "refresh_invalid");
    c.get("/api/me").await.assert_error(401, "unauthenticated");
    // Replaying once more is still a clean 401.
    let mut thief2 = c.clone();
    thief2.jar.insert("lanyard_refresh".into(), second_refresh);
    assert_eq!(thief2.refresh().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_without_or_with_unknown_token_is_refresh_invalid() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let mut no_token = c.clone();
    no_token.jar.remove("lanyard_refresh");
    no_token
        .refresh()
        .await
        .assert_error(401, "refresh_invalid");
    let mut bogus = c.clone();
    bogus.jar.insert("lanyard_refresh".into(), "made-up".into());
    bogus.refresh().await.assert_error(401, "refresh_invalid");
    // The real token is untouched by those attempts.
    assert_eq!(c.refresh().await.status, StatusCode::OK);
}

#[tokio::test]
async fn refresh_cookie_max_age_never_grows_and_family_lifetime_is_absolute() {
    let server = Server::start(&["--refresh-ttl-secs", "4", "--access-ttl-secs", "60"]).await;
    let mut c = server.client();
    let login = c.login("user", "user-pass").await;
    let mut last = login.cookie("lanyard_refresh").unwrap().max_age.unwrap();
    assert!(last <= 4);
    // The access token never outlives the login either.
    assert!(login.cookie("lanyard_access").unwrap().max_age.unwrap() <= 4);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let r = c.refresh().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let max_age = r.cookie("lanyard_refresh").unwrap().max_age.unwrap();
        assert!(max_age <= last, "Max-Age grew from {last} to {max_age}");
        last = max_age;
    }
    assert!(last <= 1, "rotation extended the family: {last}");
    tokio::time::sleep(Duration::from_millis(1700)).await;
    c.refresh().await.assert_error(401, "refresh_invalid");
    c.get("/api/me").await.assert_error(401, "unauthenticated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_with_one_token_have_exactly_one_winner() {
    let server = Server::start(&[]).await;
    let mut c = server.client();
    c.login("user", "user-pass").await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let mut racer = c.clone();
            tokio::spawn(async move { racer.refresh().await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut codes = Vec::new();
    for task in tasks {
        let resp = task.await.unwrap();
        statuses.push(resp.status.as_u16());
        codes.push(resp.code().to_owned());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        19,
        "{statuses:?}"
    );
    assert!(codes.iter().any(|c| c == "refresh_reused"), "{codes:?}");
    assert!(codes
        .iter()
        .all(|c| c.is_empty() || c == "refresh_reused" || c == "refresh_invalid"));
    // The losers were reuse, so the family is revoked: the winner's new tokens are dead too.
    let mut after = c.clone();
    after
        .get("/api/me")
        .await
        .assert_error(401, "unauthenticated");
}
