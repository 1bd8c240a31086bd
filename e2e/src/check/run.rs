//! The checks in order, each printed as it is known. The two that wait for a token to expire (the expired
//! status over HTTP, the storm in the browser) run side by side, so the run waits once, not twice.

use super::args::Args;
use super::attributes::{self, Transport};
use super::expiry::Wait;
use super::http::{describe, Api};
use super::report::{Report, Verdict};
use super::target::Target;
use super::{cors, protocol, storm};
use std::path::PathBuf;

/// Problems that stop the run before any check: one sentence, exit code 2.
pub struct Setup(pub String);

const CHECKS_AFTER_LOGIN: &[&str] = &[
    "session cookies are HttpOnly; only the CSRF cookie is readable",
    "cookies: Secure",
    "cookies: SameSite",
    "cookies: Path",
    "CSRF: refresh without the header is refused with 403",
    "CSRF: logout without the header is refused with 403",
    "an expired access token gets a refresh_on_status status",
    "a storm of 50 after expiry: 1 refresh, every request replayed",
    "a rotated refresh token is single-use",
    "refresh after logout is refused",
    "CORS for an API on another origin",
];

fn dist(args: &Args) -> Result<PathBuf, Setup> {
    match &args.dist {
        Some(dir) if dir.join("index.html").is_file() => Ok(dir.clone()),
        Some(dir) => Err(Setup(format!(
            "{} holds no built app (index.html): build it with `cargo xtask dist --lab`",
            dir.display()
        ))),
        None => crate::paths::dist_dir().map_err(Setup),
    }
}

/// Turns a check's network failure into its FAIL line.
fn verdict(result: Result<Verdict, String>) -> Verdict {
    result.unwrap_or_else(|e| Verdict::fail(format!("the check could not finish: {e}")))
}

pub async fn run(args: &Args) -> Result<Report, Setup> {
    let target = Target::load(&args.base_url, args.config.as_deref()).map_err(Setup)?;
    if args.base_url.starts_with("https://") {
        return Err(Setup(
            "this version checks backends over plain HTTP only: point --base-url at the backend's http:// address \
             (its development server on loopback, for example)"
                .into(),
        ));
    }
    let dist = dist(args)?;
    let storm_path = args
        .storm_path
        .clone()
        .unwrap_or_else(|| target.client.me_path.clone());
    let api = Api::new(target).map_err(Setup)?;
    let (user, pass) = (args.username.as_str(), args.password.as_str());
    let config = api.target.client.clone();
    let mut report = Report::default();
    println!("Checking {} with Lanyard's client…", args.base_url);

    let (_, login) = api.login(user, pass).await.map_err(|e| {
        Setup(format!(
            "the backend at {} cannot be reached: {e}",
            args.base_url
        ))
    })?;
    let shape = format!(
        "sign in: POST {} {{\"{}\": …, \"password\": …}}",
        config.login_path, api.target.login_field
    );
    if !login.ok() {
        report.add(
            shape,
            Verdict::fail(format!(
                "answered {}: check the test account, login_path and login_field in config.json",
                describe(&login)
            )),
        );
        for check in CHECKS_AFTER_LOGIN {
            report.add(*check, Verdict::Skip("needs a sign-in".into()));
        }
        return Ok(report);
    }
    report.add(shape, Verdict::pass());
    let set = &login.set_cookies;
    let [readable, secure, same_site, path, csrf_refresh, csrf_logout, expired, storm_check, rotation, logout, cors_check] =
        CHECKS_AFTER_LOGIN
    else {
        return Err(Setup("internal: the list of checks changed".into()));
    };
    report.add(*readable, attributes::readable(set, &api.target));
    report.add(
        *secure,
        attributes::secure(set, Transport::of(&args.base_url)),
    );
    report.add(*same_site, attributes::same_site(set));
    report.add(*path, attributes::paths(set, &api.target, &storm_path));

    match protocol::csrf(&api, user, pass).await {
        Ok((on_refresh, on_logout)) => {
            report.add(*csrf_refresh, on_refresh);
            report.add(*csrf_logout, on_logout);
        }
        Err(e) => {
            report.add(*csrf_refresh, verdict(Err(e.clone())));
            report.add(*csrf_logout, verdict(Err(e)));
        }
    }

    let wait = protocol::plan_wait(&api, &login.body, args.access_ttl_secs);
    if let Ok(Wait::For(pause)) = &wait {
        eprintln!(
            "check-backend: waiting {:.1} s for access tokens to expire (twice at once: over HTTP and in the browser)",
            pause.as_secs_f64()
        );
    }
    let (expired_verdict, storm_verdict) = match wait {
        Err(unreadable) => (
            unreadable,
            Verdict::Skip("the access token's lifetime is unknown (see above)".into()),
        ),
        Ok(wait) => {
            let storm = async {
                match &wait {
                    Wait::For(pause) => {
                        match storm::run(&api.target, &dist, &storm_path, user, pass, *pause).await
                        {
                            Ok(outcome) => storm::verdict(&outcome, &config.refresh_path),
                            Err(e) => Verdict::fail(format!("the storm could not run: {e}")),
                        }
                    }
                    Wait::TooLong(why) | Wait::Unknown(why) => Verdict::Skip(why.clone()),
                }
            };
            let (expired, storm) = tokio::join!(protocol::expired(&api, user, pass, &wait), storm);
            (verdict(expired), storm)
        }
    };
    report.add(*expired, expired_verdict);
    report.add(*storm_check, storm_verdict);
    report.add(
        *rotation,
        verdict(protocol::rotation(&api, user, pass).await),
    );
    report.add(
        *logout,
        verdict(protocol::after_logout(&api, user, pass).await),
    );
    report.add(
        *cors_check,
        verdict(cors::check(&api, args.app_origin.as_deref(), set, user, pass).await),
    );
    Ok(report)
}
