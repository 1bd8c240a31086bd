//! Verdicts on the cookies a sign-in sets: which are readable by scripts, and their Secure, SameSite and
//! Path attributes. Pure functions of the `Set-Cookie` headers and the config, so they are unit-tested.

use super::cookies::{path_matches, SetCookie};
use super::report::Verdict;
use super::target::Target;

/// How the API is reached, for the Secure verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transport {
    pub https: bool,
    /// `localhost`, `127.0.0.0/8` or `::1`: where browsers accept Secure cookies over plain HTTP.
    pub loopback: bool,
}

impl Transport {
    pub fn of(url: &str) -> Transport {
        let parsed = url::Url::parse(url).ok();
        let https = parsed.as_ref().is_some_and(|u| u.scheme() == "https");
        let loopback = parsed
            .as_ref()
            .and_then(|u| u.host())
            .is_some_and(|host| match host {
                url::Host::Domain(d) => d == "localhost" || d.ends_with(".localhost"),
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.is_loopback(),
            });
        Transport { https, loopback }
    }
}

fn names(cookies: &[&SetCookie]) -> String {
    cookies
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cookies a sign-in leaves in the browser (not the ones it deletes).
pub fn kept(set: &[SetCookie]) -> Vec<&SetCookie> {
    set.iter().filter(|c| !c.is_removal()).collect()
}

/// Check 1: the session is in HttpOnly cookies; the only readable cookies are the configured CSRF ones.
pub fn readable(set: &[SetCookie], target: &Target) -> Verdict {
    let cookies = kept(set);
    if cookies.is_empty() {
        return Verdict::fail(
            "the sign-in set no cookies: Lanyard needs the session in HttpOnly cookies set by the login answer",
        );
    }
    let csrf_names = target.csrf_cookies();
    let session: Vec<&SetCookie> = cookies
        .iter()
        .copied()
        .filter(|c| !csrf_names.contains(&c.name.as_str()))
        .collect();
    let exposed: Vec<&SetCookie> = session.iter().copied().filter(|c| !c.http_only).collect();
    let mut verdict = Verdict::pass();
    let mut named_wrong = false;
    for name in &csrf_names {
        match cookies.iter().find(|c| c.name == *name) {
            None => {
                named_wrong = true;
                let readable = if exposed.is_empty() {
                    "none".to_string()
                } else {
                    names(&exposed)
                };
                verdict = verdict.and(Verdict::fail(format!(
                    "the sign-in did not set the CSRF cookie {name:?} named in config.json (it set: {}; readable: \
                     {readable}); set csrf_cookie / refresh_csrf_cookie to the readable cookie your backend sets",
                    names(&cookies)
                )))
            }
            Some(c) if c.http_only => {
                verdict = verdict.and(Verdict::fail(format!(
                    "the CSRF cookie {name:?} is HttpOnly, so the app cannot read it to send it back in {}; \
                     drop HttpOnly from it (and only from it)",
                    target.client.csrf_header
                )))
            }
            Some(_) => {}
        }
    }
    // With a CSRF cookie misnamed, the readable cookie is most likely that one: said above, not twice.
    if !exposed.is_empty() && !named_wrong {
        verdict = verdict.and(Verdict::fail(format!(
            "{} readable by scripts: add HttpOnly (only the CSRF cookie may be readable)",
            names(&exposed)
        )));
    }
    if session.is_empty() {
        verdict = verdict.and(Verdict::fail(
            "the sign-in set no session cookie besides the CSRF cookie: keep the access and refresh tokens in HttpOnly cookies",
        ));
    }
    match verdict {
        Verdict::Pass(_) => Verdict::pass_with(format!(
            "HttpOnly: {}; readable: {}",
            names(&session),
            csrf_names.join(", ")
        )),
        other => other,
    }
}

/// Check 2a: Secure, judged by how the API is reached.
pub fn secure(set: &[SetCookie], transport: Transport) -> Verdict {
    let cookies = kept(set);
    let insecure: Vec<&SetCookie> = cookies.iter().copied().filter(|c| !c.secure).collect();
    let secured: Vec<&SetCookie> = cookies.iter().copied().filter(|c| c.secure).collect();
    match (transport.https, transport.loopback) {
        (true, _) if insecure.is_empty() => Verdict::pass(),
        (true, _) => Verdict::fail(format!(
            "{} lack Secure: add Secure so they never travel over plain HTTP",
            names(&insecure)
        )),
        (false, true) if insecure.is_empty() => Verdict::fail(
            "the browser will not keep these cookies in WebKit (Safari, every iOS browser): it refuses Secure \
             cookies over plain HTTP, even on localhost, so signing in fails there; serve over https, or leave \
             Secure off for plain-HTTP loopback pages (Lanyard's dev backend decides by the request's Origin)",
        ),
        (false, true) => Verdict::Warn(format!(
            "{} lack Secure: fine for development over plain HTTP on loopback only; add Secure in production (https)",
            names(&insecure)
        )),
        (false, false) if !secured.is_empty() => Verdict::fail(format!(
            "{} are Secure but the API is plain HTTP on a host that is not loopback, so browsers drop them: \
             serve the API over https",
            names(&secured)
        )),
        (false, false) => Verdict::Warn(
            "the API is plain HTTP: the cookies travel unencrypted; serve it over https with Secure cookies in production"
                .into(),
        ),
    }
}

/// Check 2b: SameSite is Lax or Strict, or None with Secure.
pub fn same_site(set: &[SetCookie]) -> Verdict {
    let mut verdict = Verdict::pass();
    for cookie in kept(set) {
        let name = &cookie.name;
        verdict = verdict.and(match cookie.same_site_lower().as_deref() {
            Some("lax" | "strict") => Verdict::pass(),
            Some("none") if cookie.secure => Verdict::pass_with(format!(
                "{name} is SameSite=None: sent on cross-site requests too, so the CSRF header is its only guard"
            )),
            Some("none") => Verdict::fail(format!(
                "{name} is SameSite=None without Secure, which browsers reject: use SameSite=Lax or Strict, or add Secure"
            )),
            Some(other) => Verdict::fail(format!(
                "{name} has SameSite={other}, which browsers do not know: use Lax or Strict"
            )),
            None => Verdict::Warn(format!(
                "{name} has no SameSite attribute and browsers differ on the default: set SameSite=Lax or Strict"
            )),
        });
    }
    verdict
}

/// Check 2c: the session cookies reach every endpoint that needs them, and the page can read the CSRF cookie.
pub fn paths(set: &[SetCookie], target: &Target, storm_path: &str) -> Verdict {
    let config = &target.client;
    let login = config.login_path.as_str();
    let csrf_names = target.csrf_cookies();
    let cookies = kept(set);
    let session: Vec<&SetCookie> = cookies
        .iter()
        .copied()
        .filter(|c| !csrf_names.contains(&c.name.as_str()))
        .collect();
    let shown = |cs: &[&SetCookie]| {
        cs.iter()
            .map(|c| format!("{} Path={}", c.name, c.effective_path(login)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sent_to = |path: &str| -> Vec<&SetCookie> {
        session
            .iter()
            .copied()
            .filter(|c| path_matches(&c.effective_path(login), path))
            .collect()
    };
    let mut verdict = Verdict::pass();
    let to_refresh = sent_to(&config.refresh_path);
    if to_refresh.is_empty() {
        verdict = verdict.and(Verdict::fail(format!(
            "no session cookie is sent to refresh_path {} ({}): give the refresh cookie a Path that covers it",
            config.refresh_path,
            shown(&session)
        )));
    }
    let missing_logout: Vec<&SetCookie> = to_refresh
        .iter()
        .copied()
        .filter(|c| !path_matches(&c.effective_path(login), &config.logout_path))
        .collect();
    if !missing_logout.is_empty() {
        verdict = verdict.and(Verdict::fail(format!(
            "{} reaches refresh_path but not logout_path {}, so signing out cannot revoke the session once the \
             access token has expired: use a Path that covers both (e.g. {})",
            shown(&missing_logout),
            config.logout_path,
            common_prefix(&config.refresh_path, &config.logout_path)
        )));
    }
    for (what, path) in [
        ("me_path", config.me_path.as_str()),
        ("the storm path", storm_path),
    ] {
        if sent_to(path).is_empty() {
            verdict = verdict.and(Verdict::fail(format!(
                "no session cookie is sent to {what} {path} ({}): give the access cookie a Path that covers the API",
                shown(&session)
            )));
        }
    }
    for cookie in cookies
        .iter()
        .filter(|c| csrf_names.contains(&c.name.as_str()))
    {
        let path = cookie.effective_path(login);
        if path != "/" {
            verdict = verdict.and(Verdict::fail(format!(
                "the CSRF cookie {} has Path={path}, so the app's pages cannot read it: set Path=/",
                cookie.name
            )));
        }
    }
    verdict
}

/// The longest common `/`-segment prefix of two paths (`/api/auth/refresh`, `/api/auth/logout` → `/api/auth`).
pub fn common_prefix(a: &str, b: &str) -> String {
    let common: Vec<&str> = a
        .split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    let joined = common.join("/");
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

#[cfg(test)]
#[path = "attributes_tests.rs"]
mod tests;
