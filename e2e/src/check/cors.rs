//! Check 8: credentialed CORS, when the app calls the API on another origin (`api_base` set).

use super::attributes::kept;
use super::cookies::SetCookie;
use super::http::{Answer, Api, Csrf};
use super::report::Verdict;

/// Whether `list` (a comma-separated header value) names `item`, case-insensitively.
fn lists(list: &str, item: &str) -> bool {
    list.split(',').any(|x| x.trim().eq_ignore_ascii_case(item))
}

/// The CORS headers of one answer to a credentialed request from `origin`.
pub fn allow_verdict(what: &str, answer: &Answer, origin: &str) -> Verdict {
    let allow_origin = answer.header("access-control-allow-origin");
    let credentials = answer.header("access-control-allow-credentials");
    let mut verdict = Verdict::pass();
    if allow_origin == "*" {
        verdict = verdict.and(Verdict::fail(format!(
            "the {what} has Access-Control-Allow-Origin: *, which browsers refuse with credentials: echo the app's \
             exact origin {origin}"
        )));
    } else if allow_origin.is_empty() {
        verdict = verdict.and(Verdict::fail(format!(
            "the {what} has no Access-Control-Allow-Origin: answer the app's exact origin {origin}"
        )));
    } else if allow_origin != origin {
        verdict = verdict.and(Verdict::fail(format!(
            "the {what} has Access-Control-Allow-Origin {allow_origin:?}: it must be the app's exact origin {origin}"
        )));
    }
    if credentials != "true" {
        verdict = verdict.and(Verdict::fail(format!(
            "the {what} lacks Access-Control-Allow-Credentials: true, so the browser withholds the cookies"
        )));
    }
    verdict
}

/// The preflight of an unsafe call with the CSRF header.
pub fn preflight_verdict(answer: &Answer, origin: &str, csrf_header: &str) -> Verdict {
    if !(200..300).contains(&answer.status) {
        return Verdict::fail(format!(
            "the preflight (OPTIONS) answered {}: answer 2xx with the CORS headers",
            answer.status
        ));
    }
    let mut verdict = allow_verdict("preflight", answer, origin);
    if !lists(&answer.header("access-control-allow-headers"), csrf_header) {
        verdict = verdict.and(Verdict::fail(format!(
            "the preflight does not allow the {csrf_header} header: add it to Access-Control-Allow-Headers"
        )));
    }
    let methods = answer.header("access-control-allow-methods");
    if !methods.is_empty() && !lists(&methods, "POST") {
        verdict = verdict.and(Verdict::fail(
            "the preflight does not allow POST: add it to Access-Control-Allow-Methods",
        ));
    }
    verdict
}

/// Cookies are per host (not port): a page on another host reads the API's CSRF cookie only through a
/// `Domain` that covers both.
pub fn csrf_readable_from(app_host: &str, api_host: &str, csrf: &[&SetCookie]) -> Verdict {
    if app_host.eq_ignore_ascii_case(api_host) {
        return Verdict::pass();
    }
    let mut verdict = Verdict::pass();
    for cookie in csrf {
        let covers = cookie.domain.as_deref().is_some_and(|d| {
            let d = d.trim_start_matches('.').to_ascii_lowercase();
            let host = app_host.to_ascii_lowercase();
            host == d || host.ends_with(&format!(".{d}"))
        });
        if !covers {
            verdict = verdict.and(Verdict::fail(format!(
                "the app on {app_host} cannot read the CSRF cookie {} set by {api_host}: give it a Domain that \
                 covers both (their common parent domain)",
                cookie.name
            )));
        }
    }
    verdict
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// Check 8 against the backend: the preflight of refresh, a credentialed GET, and the CSRF cookie's reach.
pub async fn check(
    api: &Api,
    app_origin: Option<&str>,
    login_cookies: &[SetCookie],
    user: &str,
    pass: &str,
) -> Result<Verdict, String> {
    let config = &api.target.client;
    if config.api_base.is_empty() {
        return Ok(Verdict::Skip(
            "not applicable: api_base is empty, so the app and the API share one origin".into(),
        ));
    }
    let Some(origin) = app_origin else {
        return Ok(Verdict::Skip(format!(
            "api_base is {}: pass --app-origin (where the app will be served) to check CORS",
            config.api_base
        )));
    };
    let requested = format!("content-type, {}", config.csrf_header.to_ascii_lowercase());
    let preflight = api
        .preflight(&config.refresh_path, origin, "POST", &requested)
        .await?;
    let mut verdict = preflight_verdict(&preflight, origin, &config.csrf_header);
    let mut jar = api.session(user, pass).await?;
    let me = config.me_path.clone();
    let get = api
        .call_with(
            reqwest::Method::GET,
            &me,
            &mut jar,
            Csrf::Omit,
            None,
            &[("Origin", origin)],
        )
        .await?;
    verdict = verdict.and(allow_verdict("answer to GET me_path", &get, origin));
    let names = api.target.csrf_cookies();
    let csrf: Vec<&SetCookie> = kept(login_cookies)
        .into_iter()
        .filter(|c| names.contains(&c.name.as_str()))
        .collect();
    Ok(verdict.and(csrf_readable_from(
        &host(origin),
        &host(&api.target.base_url),
        &csrf,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::cookies::parse;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(status: u16, headers: &[(&'static str, &'static str)]) -> Answer {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_static(v));
        }
        Answer {
            status,
            set_cookies: Vec::new(),
            headers: map,
            body: serde_json::Value::Null,
        }
    }

    const APP: &str = "https://app.example.com";

    #[test]
    fn a_right_preflight_passes() {
        let ok = answer(
            204,
            &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-headers", "Content-Type, X-CSRF-Token"),
                ("access-control-allow-methods", "GET, POST"),
            ],
        );
        assert_eq!(preflight_verdict(&ok, APP, "X-CSRF-Token"), Verdict::pass());
    }

    #[test]
    fn star_missing_credentials_and_missing_header_fail() {
        let star = answer(
            200,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-headers", "content-type"),
            ],
        );
        let text = format!("{:?}", preflight_verdict(&star, APP, "X-CSRF-Token"));
        assert!(text.contains("Allow-Origin: *"), "{text}");
        assert!(text.contains("Allow-Credentials"), "{text}");
        assert!(text.contains("X-CSRF-Token header"), "{text}");
        assert!(preflight_verdict(&answer(405, &[]), APP, "X").is_fail());
    }

    #[test]
    fn the_csrf_cookie_must_be_readable_on_the_apps_host() {
        let host_only = parse("csrf=1; Path=/").unwrap_or_else(|| panic!("parsed"));
        let shared =
            parse("csrf=1; Path=/; Domain=example.com").unwrap_or_else(|| panic!("parsed"));
        assert!(csrf_readable_from("app.example.com", "api.example.com", &[&host_only]).is_fail());
        assert_eq!(
            csrf_readable_from("app.example.com", "api.example.com", &[&shared]),
            Verdict::pass()
        );
        assert_eq!(
            csrf_readable_from("127.0.0.1", "127.0.0.1", &[&host_only]),
            Verdict::pass()
        );
    }
}
