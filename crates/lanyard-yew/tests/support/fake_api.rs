//! A scripted fake API behind the real `lanyard_client::Client`, and the browser helpers its tests share
//! (time, the page's URL). One copy in the repository: `lanyard-yew`'s own tests use it, and the app's guard
//! tests include this file by path.
//!
//! No backend is involved: every test scripts its own answers, and answers it can hold back and release later.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use futures_util::future::{self, Either, FutureExt, LocalBoxFuture};
use lanyard_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use lanyard_client::AbortHandle;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;

// ---------------------------------------------------------------- fake API

/// How the fake API answers one endpoint.
#[derive(Clone, Debug)]
pub enum Answer {
    /// This status and JSON body, in a later task (like a real fetch).
    Json(u16, Value),
    /// No answer at all (a dropped connection), in a later task.
    Fail,
    /// Nothing until the test calls [`FakeApi::release`].
    Hold,
}

/// A scripted backend. Endpoints are `"METHOD /path"` (query strings ignored); unscripted ones answer 200 `[]`.
#[derive(Default)]
pub struct FakeApi {
    answers: RefCell<Vec<(String, Answer)>>,
    held: RefCell<Vec<(String, oneshot::Sender<HttpResponse>)>>,
    calls: RefCell<Vec<String>>,
}

impl FakeApi {
    pub fn new() -> Rc<FakeApi> {
        Rc::new(FakeApi::default())
    }

    /// From now on `endpoint` answers `answer` (replacing an earlier script for it).
    pub fn on(&self, endpoint: &str, answer: Answer) {
        let mut answers = self.answers.borrow_mut();
        answers.retain(|(e, _)| e != endpoint);
        answers.push((endpoint.to_owned(), answer));
    }

    /// How many requests reached `endpoint`.
    pub fn calls(&self, endpoint: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|c| *c == endpoint)
            .count()
    }

    /// Every request so far, in order.
    pub fn log(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }

    /// How many requests to `endpoint` are held, waiting for [`FakeApi::release`].
    pub fn held(&self, endpoint: &str) -> usize {
        self.held
            .borrow()
            .iter()
            .filter(|(e, tx)| e == endpoint && !tx.is_canceled())
            .count()
    }

    /// Answers every held request to `endpoint`; returns how many there were.
    pub fn release(&self, endpoint: &str, status: u16, body: &Value) -> usize {
        let senders: Vec<_> = {
            let mut held = self.held.borrow_mut();
            let (mine, rest) = std::mem::take(&mut *held)
                .into_iter()
                .partition(|(e, _)| e == endpoint);
            *held = rest;
            mine
        };
        let mut released = 0;
        for (_, tx) in senders {
            if tx.send(response(status, body)).is_ok() {
                released += 1;
            }
        }
        released
    }

    fn answer_for(&self, endpoint: &str) -> Answer {
        self.answers
            .borrow()
            .iter()
            .find(|(e, _)| e == endpoint)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| Answer::Json(200, json!([])))
    }
}

fn response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse::new(status, serde_json::to_vec(body).expect("a JSON body"))
}

impl Transport for FakeApi {
    fn send(
        &self,
        request: &HttpRequest,
        signal: &AbortHandle,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
        let path = request.url.split('?').next().unwrap_or(&request.url);
        let endpoint = format!("{} {}", request.method.as_str(), path);
        self.calls.borrow_mut().push(endpoint.clone());
        let (abort_tx, abort_rx) = oneshot::channel::<()>();
        signal.on_abort(move || {
            let _ = abort_tx.send(());
        });
        let answer: LocalBoxFuture<'static, Result<HttpResponse, TransportError>> =
            match self.answer_for(&endpoint) {
                Answer::Json(status, body) => async move {
                    gloo_timers::future::TimeoutFuture::new(1).await;
                    Ok(response(status, &body))
                }
                .boxed_local(),
                Answer::Fail => async move {
                    gloo_timers::future::TimeoutFuture::new(1).await;
                    Err(TransportError::Network("dropped by the fake API".into()))
                }
                .boxed_local(),
                Answer::Hold => {
                    let (tx, rx) = oneshot::channel();
                    self.held.borrow_mut().push((endpoint, tx));
                    rx.map(|r| r.map_err(|_| TransportError::Network("dropped by the test".into())))
                        .boxed_local()
                }
            };
        async move {
            match future::select(answer, abort_rx).await {
                Either::Left((result, _)) => result,
                Either::Right(_) => Err(TransportError::Aborted),
            }
        }
        .boxed_local()
    }
}

/// The endpoints of `ClientConfig::default()`.
pub const ME: &str = "GET /api/me";
pub const REFRESH: &str = "POST /api/auth/refresh";
pub const LOGIN: &str = "POST /api/auth/login";
pub const LOGOUT: &str = "POST /api/auth/logout";

pub fn unauthorized() -> Value {
    json!({ "error": "unauthorized", "message": "no session" })
}

// ---------------------------------------------------------------- the page's URL

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// Sets the page's URL (same origin) without reloading, as a deep link would have it.
pub fn set_url(url: &str) {
    window()
        .history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(url))
        .expect("replaceState");
}

pub fn pathname() -> String {
    window().location().pathname().expect("pathname")
}

pub fn search() -> String {
    window().location().search().expect("search")
}

/// `path?query` of the page now.
pub fn here() -> String {
    format!("{}{}", pathname(), search())
}

/// A query parameter of the page's URL, decoded (`+` is a space).
pub fn query_param(name: &str) -> Option<String> {
    let search = search();
    search
        .strip_prefix('?')
        .unwrap_or(&search)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| {
            js_sys::decode_uri_component(&v.replace('+', " "))
                .expect("a well-encoded query")
                .as_string()
                .expect("a string")
        })
}

// ---------------------------------------------------------------- time

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Lets the scheduler, effects and pending answers run: several turns of the event loop.
pub async fn settle() {
    for _ in 0..10 {
        sleep(0).await;
    }
}

/// Waits (polling every 5 ms) until `condition` holds; panics with `what` after `timeout_ms`.
pub async fn wait_until(what: &str, timeout_ms: f64, mut condition: impl FnMut() -> bool) {
    let deadline = js_sys::Date::now() + timeout_ms;
    while !condition() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out after {timeout_ms} ms waiting until {what} (url {})",
            here()
        );
        sleep(5).await;
    }
}
