//! Check 5: a storm of 50 requests after the access token expired, through the Lab page of the built app in
//! headless Chromium (the same code users run), behind the counting proxy: 50/50 ok and exactly 1 refresh.

use super::proxy::{total, with_status, Counts, Proxy};
use super::report::Verdict;
use super::target::Target;
use crate::browser::{testid, Browser, Driver, Profile};
use crate::engine::Engine;
use crate::paths;
use fantoccini::Locator;
use std::path::Path;
use std::time::{Duration, Instant};

pub const STORM: u32 = 50;
/// How long a page, a sign-in or the storm itself may take.
const PAGE_WAIT: Duration = Duration::from_secs(30);
const RUN_WAIT: Duration = Duration::from_secs(120);

/// What the storm produced: the Lab's figures and what the proxy counted during the run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub ok: u64,
    pub failed: u64,
    /// Refresh calls that reached the backend during the run.
    pub refreshes: u32,
    /// Storm requests answered with a `refresh_on_status` status (they met the expired token).
    pub expired: u32,
    /// Replays the client counted.
    pub replays: u64,
    /// The Lab's list of errors, when some failed.
    pub errors: String,
}

/// The verdict on a storm's outcome.
pub fn verdict(o: &Outcome, refresh_path: &str) -> Verdict {
    let figures = format!(
        "{}/{STORM} ok, {} refresh call(s), {} request(s) met the expired token, {} replayed",
        o.ok, o.refreshes, o.expired, o.replays
    );
    if o.expired == 0 {
        return Verdict::fail(format!(
            "{figures}: no request met an expired token, so the storm tested nothing; the access token outlived \
             the wait (see the expiry check above)"
        ));
    }
    let mut problems = Vec::new();
    if o.ok != u64::from(STORM) || o.failed > 0 {
        problems.push(format!("{} failed ({})", o.failed, o.errors));
    }
    match o.refreshes {
        1 => {}
        0 => problems.push(format!("no call reached {refresh_path}")),
        n => problems.push(format!(
            "{n} refresh calls instead of 1: the replays met the expired token again, so check that the refresh \
             answer sets a new access cookie whose Path covers the storm path"
        )),
    }
    if problems.is_empty() {
        Verdict::pass_with(figures)
    } else {
        Verdict::fail(format!("{figures}: {}", problems.join("; ")))
    }
}

/// Runs the storm; `Err` is a problem of the setup (no browser, no app), which the caller reports as a FAIL.
pub async fn run(
    target: &Target,
    dist: &Path,
    storm_path: &str,
    user: &str,
    pass: &str,
    wait: Duration,
) -> Result<Outcome, String> {
    let config = &target.client;
    let api_paths = [
        config.login_path.as_str(),
        config.refresh_path.as_str(),
        config.logout_path.as_str(),
        config.me_path.as_str(),
        storm_path,
    ];
    let proxy = Proxy::start(dist, target.served_config(), &target.base_url, &api_paths).await?;
    let artifacts = paths::artifacts_dir();
    std::fs::create_dir_all(&artifacts)
        .map_err(|e| format!("cannot create {}: {e}", artifacts.display()))?;
    let driver = Driver::start(
        Engine::Chromium,
        &artifacts.join("check-backend.chromedriver.log"),
    )?;
    let profile = Profile::new("check-backend")?;
    let browser = Browser::connect(&driver, &proxy.origin, &profile).await?;
    let result = drive(&browser, &proxy, target, storm_path, user, pass, wait).await;
    if result.is_err() {
        let shot = artifacts.join("check-backend.png");
        if browser.screenshot(&shot).await.is_ok() {
            eprintln!(
                "check-backend: a screenshot of the page is in {}",
                shot.display()
            );
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), browser.client.clone().close()).await;
    result
}

/// Waits for `css` on the page; the error says what the page showed instead.
async fn wait_for(
    browser: &Browser,
    css: &str,
    within: Duration,
    what: &str,
) -> Result<(), String> {
    let started = Instant::now();
    loop {
        if let Ok(found) = browser.client.find_all(Locator::Css(css)).await {
            for element in found {
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(());
                }
            }
        }
        if started.elapsed() > within {
            return Err(format!(
                "{what} within {within:?}; {}",
                browser.describe().await
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for the Lab's result; a session that ends meanwhile sends the app to its login page, which is an
/// answer too (no need to wait out the timeout).
async fn wait_for_result(browser: &Browser) -> Result<(), String> {
    let started = Instant::now();
    loop {
        if browser.is_displayed(&testid("lab-result")).await {
            return Ok(());
        }
        let path = browser
            .client
            .current_url()
            .await
            .map(|u| u.path().to_string());
        if path.is_ok_and(|p| p == "/login") {
            return Err(format!(
                "the session ended during the storm and the app went to its login page; {}",
                browser.describe().await
            ));
        }
        if started.elapsed() > RUN_WAIT {
            return Err(format!(
                "the storm did not finish within {RUN_WAIT:?}; {}",
                browser.describe().await
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn type_into(browser: &Browser, css: &str, text: &str) -> Result<(), String> {
    let field = browser
        .client
        .find(Locator::Css(css))
        .await
        .map_err(|e| format!("the login page has no {css}: {e}"))?;
    field
        .send_keys(text)
        .await
        .map_err(|e| format!("cannot type into {css}: {e}"))
}

async fn drive(
    browser: &Browser,
    proxy: &Proxy,
    target: &Target,
    storm_path: &str,
    user: &str,
    pass: &str,
    wait: Duration,
) -> Result<Outcome, String> {
    browser
        .client
        .goto(&browser.url("/login"))
        .await
        .map_err(|e| format!("cannot open the app's login page: {e}"))?;
    wait_for(
        browser,
        "#username",
        PAGE_WAIT,
        "the app's login page did not appear",
    )
    .await?;
    type_into(browser, "#username", user).await?;
    type_into(browser, "#password", pass).await?;
    browser
        .client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .map_err(|e| format!("the login page has no submit button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("cannot click Sign in: {e}"))?;
    wait_for(
        browser,
        &testid("user-name"),
        PAGE_WAIT,
        "signing in through the app's login page did not finish",
    )
    .await?;
    // Opened while the token is fresh and run after it expired: loading the page after the expiry would
    // refresh at start-up (the app asks me_path who is signed in), and the storm would meet a fresh token.
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("n", &STORM.to_string())
        .append_pair("path", storm_path)
        .append_pair("mode", "storm")
        .append_pair("via", "client")
        .finish();
    browser
        .client
        .goto(&browser.url(&format!("/lab?{query}")))
        .await
        .map_err(|e| format!("cannot open the Lab: {e}"))?;
    wait_for(
        browser,
        &testid("lab"),
        PAGE_WAIT,
        "the Lab did not appear (build the app with it: `cargo xtask dist --lab`)",
    )
    .await?;
    tokio::time::sleep(wait).await;
    proxy.reset();
    browser
        .client
        .find(Locator::Css(&testid("lab-run")))
        .await
        .map_err(|e| format!("the Lab has no Run button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("cannot click Run: {e}"))?;
    wait_for_result(browser).await?;
    let text = browser
        .client
        .find(Locator::Css(&testid("lab-result")))
        .await
        .map_err(|e| format!("cannot find the Lab's result: {e}"))?
        .text()
        .await
        .map_err(|e| format!("cannot read the Lab's result: {e}"))?;
    let figures: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("the Lab's result is not JSON ({e}): {text:?}"))?;
    let errors = match browser
        .client
        .find(Locator::Css(&testid("lab-errors")))
        .await
    {
        Ok(list) => list.text().await.unwrap_or_default().replace('\n', "; "),
        Err(_) => String::new(),
    };
    let counts: Counts = proxy.counts();
    let path_only = storm_path.split('?').next().unwrap_or(storm_path);
    Ok(Outcome {
        ok: figures["ok"].as_u64().unwrap_or(0),
        failed: figures["failed"].as_u64().unwrap_or(0),
        refreshes: total(&counts, &format!("POST {}", target.client.refresh_path)),
        expired: with_status(
            &counts,
            &format!("GET {path_only}"),
            &target.client.refresh_on_status,
        ),
        replays: figures["replays"].as_u64().unwrap_or(0),
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(ok: u64, refreshes: u32, expired: u32) -> Outcome {
        Outcome {
            ok,
            failed: u64::from(STORM) - ok,
            refreshes,
            expired,
            replays: u64::from(expired),
            errors: String::new(),
        }
    }

    #[test]
    fn one_refresh_and_every_request_ok_passes() {
        assert!(
            matches!(verdict(&outcome(50, 1, 5), "/r"), Verdict::Pass(Some(t)) if t.starts_with("50/50 ok, 1 refresh"))
        );
    }

    #[test]
    fn more_refreshes_failures_or_no_expiry_fail() {
        assert!(
            matches!(verdict(&outcome(50, 2, 5), "/r"), Verdict::Fail(t) if t.contains("2 refresh calls instead of 1"))
        );
        assert!(
            matches!(verdict(&outcome(45, 1, 5), "/r"), Verdict::Fail(t) if t.contains("5 failed"))
        );
        assert!(
            matches!(verdict(&outcome(50, 0, 0), "/r"), Verdict::Fail(t) if t.contains("tested nothing"))
        );
        assert!(
            matches!(verdict(&outcome(50, 0, 3), "/r"), Verdict::Fail(t) if t.contains("no call reached /r"))
        );
    }
}
