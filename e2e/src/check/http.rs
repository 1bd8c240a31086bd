//! Plain HTTP to the backend, with the checks' own cookie jar: sign in as the app does, refresh, sign out,
//! and any call with or without the CSRF header.

use super::cookies::{self, Jar, SetCookie};
use super::target::Target;
use serde_json::Value;
use std::time::Duration;

/// A call's outcome, as much as the checks look at.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub set_cookies: Vec<SetCookie>,
    pub headers: reqwest::header::HeaderMap,
    /// The JSON body, or `Null` when there is none or it is not JSON.
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header's value as text (empty when absent or not text).
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// Whether to echo the CSRF cookie in the CSRF header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Csrf {
    /// Echo the cookie the client would (`refresh_csrf_cookie` for refresh, else `csrf_cookie`).
    Send,
    Omit,
}

pub struct Api {
    http: reqwest::Client,
    pub target: Target,
    /// The `Origin` a browser page on the API's origin sends (backends may decide cookie attributes by it).
    origin: Option<String>,
}

impl Api {
    pub fn new(target: Target) -> Result<Api, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let origin = url::Url::parse(&target.url("/"))
            .ok()
            .map(|u| u.origin().ascii_serialization())
            .filter(|o| o != "null");
        Ok(Api {
            http,
            target,
            origin,
        })
    }

    /// `method path` with the jar's cookies; stores what the answer sets. A network failure is an
    /// error sentence naming the URL.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        jar: &mut Jar,
        csrf: Csrf,
        body: Option<Value>,
    ) -> Result<Answer, String> {
        self.call_with(method, path, jar, csrf, body, &[]).await
    }

    /// [`Api::call`] with extra request headers (an `Origin`, for CORS).
    pub async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        jar: &mut Jar,
        csrf: Csrf,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let url = self.target.url(path);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .header("Accept", "application/json");
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let has_origin = extra.iter().any(|(n, _)| n.eq_ignore_ascii_case("origin"));
        if let (false, Some(origin)) = (has_origin, &self.origin) {
            request = request.header("Origin", origin);
        }
        if let Some(cookie) = jar.header_for(path) {
            request = request.header("Cookie", cookie);
        }
        if csrf == Csrf::Send {
            let config = &self.target.client;
            let name = if path == config.refresh_path {
                config.refresh_csrf_cookie()
            } else {
                config.csrf_cookie.as_str()
            };
            if let Some(value) = jar.value(name) {
                request = request.header(config.csrf_header.as_str(), value);
            }
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("{method} {url} got no answer: {}", error_chain(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let set_cookies: Vec<SetCookie> = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(cookies::parse)
            .collect();
        jar.store(&set_cookies, path);
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            set_cookies,
            headers,
            body,
        })
    }

    /// Signs in as the app does: `POST login_path {<login_field>: username, "password": password}`.
    pub async fn login(&self, username: &str, password: &str) -> Result<(Jar, Answer), String> {
        let mut jar = Jar::default();
        // The app's own sign-in body.
        let credentials = lanyard::sign_in::Credentials {
            field: &self.target.login_field,
            name: username,
            password,
        };
        let body = serde_json::to_value(&credentials)
            .map_err(|e| format!("cannot write the sign-in body: {e}"))?;
        let path = self.target.client.login_path.clone();
        let answer = self
            .call(
                reqwest::Method::POST,
                &path,
                &mut jar,
                Csrf::Omit,
                Some(body),
            )
            .await?;
        Ok((jar, answer))
    }

    /// Signs in and insists it worked (the checks after the first sign-in need a session).
    pub async fn session(&self, username: &str, password: &str) -> Result<Jar, String> {
        let (jar, answer) = self.login(username, password).await?;
        if answer.ok() {
            Ok(jar)
        } else {
            Err(format!("signing in again answered {}", answer.status))
        }
    }

    pub async fn refresh(&self, jar: &mut Jar, csrf: Csrf) -> Result<Answer, String> {
        let path = self.target.client.refresh_path.clone();
        self.call(reqwest::Method::POST, &path, jar, csrf, None)
            .await
    }

    pub async fn logout(&self, jar: &mut Jar, csrf: Csrf) -> Result<Answer, String> {
        let path = self.target.client.logout_path.clone();
        self.call(reqwest::Method::POST, &path, jar, csrf, None)
            .await
    }

    pub async fn get(&self, path: &str, jar: &mut Jar) -> Result<Answer, String> {
        self.call(reqwest::Method::GET, path, jar, Csrf::Omit, None)
            .await
    }

    /// A CORS preflight for `method path` from `origin`, asking for `headers`.
    pub async fn preflight(
        &self,
        path: &str,
        origin: &str,
        method: &str,
        headers: &str,
    ) -> Result<Answer, String> {
        let url = self.target.url(path);
        let response = self
            .http
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
            .send()
            .await
            .map_err(|e| format!("OPTIONS {url} got no answer: {}", error_chain(&e)))?;
        Ok(Answer {
            status: response.status().as_u16(),
            set_cookies: Vec::new(),
            headers: response.headers().clone(),
            body: Value::Null,
        })
    }
}

/// An error and its causes in one line (reqwest's top-level message alone says little).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A short description of an answer for a report line: the status and the start of its body.
pub fn describe(answer: &Answer) -> String {
    let body = match &answer.body {
        Value::Null => String::new(),
        body => {
            let text = body.to_string();
            let short: String = text.chars().take(120).collect();
            format!(" {short}")
        }
    };
    format!("{}{body}", answer.status)
}
