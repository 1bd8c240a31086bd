//! The model backend (docs/API.md's auth endpoints plus a notes-like resource) with the browser's cookie jar
//! in front of it: tokens rotate, rotated refresh tokens are reuse, CSRF is double-submit. Answers can be held
//! and released one by one, in any order.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use futures_util::future::{FutureExt, LocalBoxFuture};

use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use serde_json::json;

use super::{ManualRuntime, TTL};
use crate::runtime::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    None,
    All,
    Refresh,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshFault {
    Status(u16),
    /// A status with `Retry-After: secs`.
    RetryAfter(u16, u64),
    Drop,
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: Method,
    pub url: String,
    pub path: String,
    pub body: Option<Vec<u8>>,
    pub status: Option<u16>,
}

struct HeldCall {
    request: HttpRequest,
    /// Cookies are attached when the request leaves the browser.
    access: Option<u64>,
    refresh: Option<u64>,
    csrf: Option<String>,
    reply: oneshot::Sender<Result<HttpResponse, TransportError>>,
    log_index: usize,
}

#[derive(Default)]
pub struct ServerState {
    pub now: u64,
    next_token: u64,
    access: HashMap<u64, u64>,
    refresh_current: Option<u64>,
    refresh_rotated: HashSet<u64>,
    pub family_revoked: bool,
    pub reuse_detected: u32,
    pub jar_access: Option<u64>,
    pub jar_refresh: Option<u64>,
    jar_csrf: Option<String>,
    pub hold: Option<Hold>,
    held: Vec<HeldCall>,
    pub refresh_faults: VecDeque<RefreshFault>,
    pub log: Vec<Logged>,
    /// A browser that stores none of the cookies the server sets (WebKit and `Secure` on plain HTTP).
    pub refuses_cookies: bool,
    /// The next answers of `/api/notes` calls: a status and maybe `Retry-After`, before the real handling.
    pub notes_faults: VecDeque<(u16, Option<u64>)>,
    /// What `Transport::protocol` reports.
    pub protocol: Option<crate::transport::Protocol>,
    /// For each refresh call: how many API calls were on the wire when it left (held, unanswered).
    pub busy_at_refresh: Vec<usize>,
}

pub struct FakeServer {
    pub state: RefCell<ServerState>,
    runtime: Rc<ManualRuntime>,
    me: Weak<FakeServer>,
}

fn response(status: u16, body: serde_json::Value) -> HttpResponse {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    HttpResponse::new(status, body)
}

fn err(status: u16, code: &str) -> HttpResponse {
    response(
        status,
        json!({"error": {"code": code, "message": format!("{code}!")}}),
    )
}

impl FakeServer {
    pub fn new(runtime: Rc<ManualRuntime>) -> Rc<Self> {
        Rc::new_cyclic(|me| FakeServer {
            state: RefCell::default(),
            runtime,
            me: me.clone(),
        })
    }

    /// Starts a signed-in session directly (as if a login had happened before the page loaded).
    pub fn sign_in(&self) -> u64 {
        let now = self.runtime.now_ms();
        let mut s = self.state.borrow_mut();
        s.now = now;
        s.family_revoked = false;
        s.refresh_rotated.clear();
        let access = s.issue_access(now);
        let refresh = s.new_token();
        s.refresh_current = Some(refresh);
        s.jar_refresh = Some(refresh);
        s.jar_access = Some(access);
        s.jar_csrf = Some("csrf-1".into());
        now + TTL
    }

    pub fn expire_access(&self) {
        self.state.borrow_mut().access.clear();
    }
    pub fn set_hold(&self, hold: Hold) {
        self.state.borrow_mut().hold = Some(hold);
    }
    pub fn held(&self) -> usize {
        self.state.borrow().held.len()
    }
    pub fn held_paths(&self) -> Vec<String> {
        let s = self.state.borrow();
        s.held
            .iter()
            .map(|h| s.log[h.log_index].path.clone())
            .collect()
    }
    /// Answers held call `index` now (server logic runs now, with the cookies it was sent with).
    pub fn release(&self, index: usize) {
        let (call, result) = {
            let mut s = self.state.borrow_mut();
            if index >= s.held.len() {
                return;
            }
            let call = s.held.remove(index);
            s.now = self.runtime.now_ms();
            let result = s.handle(&call.request, call.access, call.refresh, call.csrf.clone());
            if let Ok(r) = &result {
                s.log[call.log_index].status = Some(r.status);
            }
            (call, result)
        };
        let _ = call.reply.send(result);
    }
    pub fn count(&self, method: Method, path: &str) -> usize {
        self.state
            .borrow()
            .log
            .iter()
            .filter(|l| l.method == method && l.path == path)
            .count()
    }
    pub fn refresh_calls(&self) -> usize {
        self.count(Method::Post, "/api/auth/refresh")
    }
}

impl ServerState {
    fn new_token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }
    fn issue_access(&mut self, now: u64) -> u64 {
        let t = self.new_token();
        self.access.insert(t, now + TTL);
        t
    }
    fn session(&self, expires: u64) -> HttpResponse {
        let user = json!({"id": 1, "username": "ada", "display_name": "Ada", "roles": ["admin"]});
        response(200, json!({"user": user, "access_expires_at": expires}))
    }

    fn handle(
        &mut self,
        req: &HttpRequest,
        access: Option<u64>,
        refresh: Option<u64>,
        csrf_header: Option<String>,
    ) -> Result<HttpResponse, TransportError> {
        let path = req.url.split('?').next().unwrap_or_default().to_string();
        let login = path == "/api/auth/login";
        if req.method.is_unsafe()
            && !login
            && (csrf_header.is_none() || csrf_header != self.jar_csrf)
        {
            return Ok(err(403, "csrf"));
        }
        let now = self.now;
        if path == "/api/notes" {
            if let Some((status, retry_after)) = self.notes_faults.pop_front() {
                let answer = err(status, "unavailable");
                return Ok(match retry_after {
                    Some(secs) => answer.with_retry_after(secs),
                    None => answer,
                });
            }
        }
        match path.as_str() {
            "/api/auth/login" => {
                let body: serde_json::Value =
                    serde_json::from_slice(req.body.as_deref().unwrap_or(b"{}"))
                        .unwrap_or_default();
                if body["password"] != "pw" {
                    return Ok(err(401, "invalid_credentials"));
                }
                self.family_revoked = false;
                self.refresh_rotated.clear();
                let a = self.issue_access(now);
                let r = self.new_token();
                self.refresh_current = Some(r);
                (self.jar_access, self.jar_refresh, self.jar_csrf) =
                    (Some(a), Some(r), Some("csrf-2".into()));
                Ok(self.session(now + TTL))
            }
            "/api/auth/refresh" => {
                match self.refresh_faults.pop_front() {
                    Some(RefreshFault::Status(s)) => return Ok(err(s, "unavailable")),
                    Some(RefreshFault::RetryAfter(s, secs)) => {
                        return Ok(err(s, "unavailable").with_retry_after(secs))
                    }
                    Some(RefreshFault::Drop) => {
                        return Err(TransportError::Network("dropped".into()))
                    }
                    None => {}
                }
                let Some(token) = refresh else {
                    return Ok(err(401, "refresh_invalid"));
                };
                if self.refresh_rotated.contains(&token) {
                    self.reuse_detected += 1;
                    self.family_revoked = true;
                    return Ok(err(401, "refresh_reused"));
                }
                if self.family_revoked || self.refresh_current != Some(token) {
                    return Ok(err(401, "refresh_invalid"));
                }
                self.refresh_rotated.insert(token);
                let a = self.issue_access(now);
                let r = self.new_token();
                self.refresh_current = Some(r);
                (self.jar_access, self.jar_refresh) = (Some(a), Some(r));
                Ok(self.session(now + TTL))
            }
            "/api/auth/logout" => {
                self.family_revoked = true;
                (self.jar_access, self.jar_refresh) = (None, None);
                Ok(response(204, serde_json::Value::Null))
            }
            "/api/always401" => Ok(err(401, "unauthenticated")),
            _ => {
                let valid = access
                    .and_then(|a| self.access.get(&a))
                    .is_some_and(|exp| now < *exp);
                if !valid {
                    return Ok(err(401, "unauthenticated"));
                }
                if path == "/api/me" {
                    let exp = access
                        .and_then(|a| self.access.get(&a))
                        .copied()
                        .unwrap_or(now);
                    return Ok(self.session(exp));
                }
                if req.method == Method::Delete {
                    return Ok(response(204, serde_json::Value::Null));
                }
                let body: serde_json::Value = req
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or_default();
                Ok(response(200, json!({"path": path, "body": body})))
            }
        }
    }
}

impl Transport for FakeServer {
    fn protocol(&self, _url: &str) -> Option<crate::transport::Protocol> {
        self.state.borrow().protocol
    }

    fn has_cookie(&self, name: &str) -> Option<bool> {
        Some(name == "lanyard_csrf" && self.state.borrow().jar_csrf.is_some())
    }

    fn send(
        &self,
        request: &HttpRequest,
        signal: &AbortHandle,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
        let (tx, rx) = oneshot::channel();
        let mut s = self.state.borrow_mut();
        s.now = self.runtime.now_ms();
        // The browser-side transport reads the named cookie into the header; the jar has one, `lanyard_csrf`.
        let csrf = (request.csrf_cookie.as_deref() == Some("lanyard_csrf"))
            .then(|| s.jar_csrf.clone())
            .flatten();
        let path = request
            .url
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        if path.ends_with("/auth/refresh") {
            let busy = s
                .held
                .iter()
                // The calls the client's cap governs (login and logout go past it, as rare one-offs).
                .filter(|h| h.request.url.contains("/api/notes"))
                .count();
            s.busy_at_refresh.push(busy);
        }
        let log_index = s.log.len();
        s.log.push(Logged {
            method: request.method,
            url: request.url.clone(),
            path: path.clone(),
            body: request.body.as_deref().map(<[u8]>::to_vec),
            status: None,
        });
        let hold = match s.hold.unwrap_or(Hold::None) {
            Hold::None => false,
            Hold::All => true,
            Hold::Refresh => path == "/api/auth/refresh",
        };
        let (access, refresh) = (s.jar_access, s.jar_refresh);
        if hold {
            s.held.push(HeldCall {
                request: request.clone(),
                access,
                refresh,
                csrf,
                reply: tx,
                log_index,
            });
        } else {
            let result = s.handle(request, access, refresh, csrf);
            if let Ok(r) = &result {
                s.log[log_index].status = Some(r.status);
            }
            if s.refuses_cookies {
                (s.jar_access, s.jar_refresh, s.jar_csrf) = (None, None, None);
            }
            let _ = tx.send(result);
        }
        drop(s);
        // An abort answers at once, like fetch; a held call is withdrawn (it never reached the server).
        let (abort_tx, abort_rx) = oneshot::channel::<()>();
        let me = self.me.clone();
        signal.on_abort(move || {
            if let Some(server) = me.upgrade() {
                server
                    .state
                    .borrow_mut()
                    .held
                    .retain(|h| h.log_index != log_index);
            }
            let _ = abort_tx.send(());
        });
        async move {
            match futures_util::future::select(rx, abort_rx).await {
                futures_util::future::Either::Left((r, _)) => {
                    r.unwrap_or(Err(TransportError::Aborted))
                }
                futures_util::future::Either::Right(_) => Err(TransportError::Aborted),
            }
        }
        .boxed_local()
    }
}
