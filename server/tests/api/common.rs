//! A real server on 127.0.0.1:0 and a tiny HTTP client with a hand-rolled cookie jar (so tests
//! can see every Set-Cookie attribute and replay old tokens on purpose).

use std::collections::BTreeMap;

use lanyard_server::{Config, RunningServer};
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct Server {
    pub running: RunningServer,
    pub url: String,
}

impl Server {
    pub async fn start(args: &[&str]) -> Self {
        let config = Config::for_tests(args.iter().copied()).expect("valid test flags");
        let running = lanyard_server::start(&config).await.expect("server starts");
        Self {
            url: running.url(),
            running,
        }
    }

    /// Graceful shutdown; afterwards nothing listens on the port.
    pub async fn stop(self) {
        self.running.shutdown().await;
    }

    pub fn client(&self) -> Client {
        Client {
            http: http(),
            base: self.url.clone(),
            jar: BTreeMap::new(),
        }
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

#[derive(Debug, Clone)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub raw: String,
    pub path: Option<String>,
    pub domain: Option<String>,
    pub max_age: Option<i64>,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: Option<String>,
}

fn parse_set_cookie(raw: &str) -> SetCookie {
    let c = cookie::Cookie::parse(raw.to_owned()).expect("well-formed Set-Cookie");
    SetCookie {
        name: c.name().to_owned(),
        value: c.value().to_owned(),
        raw: raw.to_owned(),
        path: c.path().map(str::to_owned),
        domain: c.domain().map(str::to_owned),
        max_age: c.max_age().map(|d| d.whole_seconds()),
        http_only: c.http_only().unwrap_or(false),
        secure: c.secure().unwrap_or(false),
        same_site: c.same_site().map(|s| s.to_string()),
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub set_cookies: Vec<SetCookie>,
}

impl Resp {
    /// `error.code` of an error body ("" otherwise).
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn cookie(&self, name: &str) -> Option<&SetCookie> {
        self.set_cookies.iter().find(|c| c.name == name)
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts status and error code together, with the body in the failure message.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "body: {}",
            self.body
        );
        assert!(self.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

pub async fn read(resp: reqwest::Response) -> Resp {
    let status = resp.status();
    let headers = resp.headers().clone();
    let set_cookies = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| parse_set_cookie(v.to_str().expect("ascii Set-Cookie")))
        .collect();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Resp {
        status,
        headers,
        body,
        set_cookies,
    }
}

/// A browser-ish client: keeps cookies (ignoring Path, which tests check separately) and echoes
/// the CSRF cookie in `X-CSRF-Token` like the SPA does.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub jar: BTreeMap<String, String>,
}

impl Client {
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header(COOKIE, cookies.join("; "));
        }
        if let Some(csrf) = self.jar.get("lanyard_csrf") {
            req = req.header("x-csrf-token", csrf);
        }
        req
    }

    /// Sends, then stores cookies from the response (Max-Age=0 deletes).
    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Resp {
        let resp = read(req.send().await.expect("request succeeds")).await;
        for c in &resp.set_cookies {
            if c.max_age == Some(0) {
                self.jar.remove(&c.name);
            } else {
                self.jar.insert(c.name.clone(), c.value.clone());
            }
        }
        resp
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.request(Method::GET, path);
        self.send(req).await
    }

    /// The titles of `GET /api/notes`, in the answer's order (which must be 200).
    pub async fn note_titles(&mut self) -> Vec<String> {
        let notes = self.get("/api/notes").await;
        assert_eq!(notes.status, StatusCode::OK, "{}", notes.body);
        let list = notes.body.as_array().expect("a list of notes");
        list.iter()
            .map(|n| n["title"].as_str().expect("a title").to_owned())
            .collect()
    }

    pub async fn post(&mut self, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.request(Method::POST, path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        self.send(req).await
    }

    pub async fn put(&mut self, path: &str, body: Value) -> Resp {
        let req = self.request(Method::PUT, path).json(&body);
        self.send(req).await
    }

    pub async fn delete(&mut self, path: &str) -> Resp {
        let req = self.request(Method::DELETE, path);
        self.send(req).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        let body = json!({ "username": username, "password": password });
        let resp = self.post("/api/auth/login", Some(body)).await;
        assert_eq!(resp.status, StatusCode::OK, "login failed: {}", resp.body);
        resp
    }

    pub async fn refresh(&mut self) -> Resp {
        self.post("/api/auth/refresh", None).await
    }

    pub fn cookie(&self, name: &str) -> String {
        self.jar.get(name).cloned().unwrap_or_default()
    }
}
