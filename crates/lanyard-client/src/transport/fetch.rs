//! The browser transport: `fetch` through gloo-net 0.5.
//!
//! Every request goes with `credentials: include` (the session lives in HttpOnly cookies the page never sees).
//! Unsafe methods echo the readable CSRF cookie in the CSRF header (double submit). Cancellation — by the
//! caller or by the driver's timeout — goes through an `AbortController`. Tokens are never read or stored.

use futures_util::future::{FutureExt, LocalBoxFuture};
use gloo_net::http::{Method as HttpMethod, RequestBuilder};
use wasm_bindgen::JsCast;
use web_sys::{AbortController, HtmlDocument, RequestCredentials};

use super::{retry_after_secs, HttpRequest, HttpResponse, Protocol, Transport, TransportError};
use crate::config::ClientConfig;
use crate::runtime::{cookie_value, AbortHandle, Method};

/// `fetch` with `credentials: include`, the CSRF header from the readable cookie, and cancellation through an
/// `AbortController`. What [`ClientBuilder`](crate::ClientBuilder) uses unless told otherwise.
pub struct FetchTransport {
    csrf_header: String,
}

impl FetchTransport {
    /// A transport that echoes the CSRF cookie in `config.csrf_header`.
    pub fn new(config: &ClientConfig) -> Self {
        FetchTransport {
            csrf_header: config.csrf_header.clone(),
        }
    }
}

/// The readable cookie `name` (the CSRF cookie), if the page has it.
fn read_cookie(name: &str) -> Option<String> {
    let document = web_sys::window()?
        .document()?
        .dyn_into::<HtmlDocument>()
        .ok()?;
    cookie_value(&document.cookie().ok()?, name)
}

fn method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
        Method::Put => HttpMethod::PUT,
        Method::Patch => HttpMethod::PATCH,
        Method::Delete => HttpMethod::DELETE,
    }
}

impl Transport for FetchTransport {
    fn protocol(&self, url: &str) -> Option<Protocol> {
        let window = web_sys::window()?;
        // Resource Timing names entries by absolute URL; same-origin calls are made with a path.
        let base = window.location().href().ok()?;
        let absolute = web_sys::Url::new_with_base(url, &base).ok()?.href();
        let entries = window
            .performance()?
            .get_entries_by_name_with_entry_type(&absolute, "resource");
        let last = entries.get(entries.length().checked_sub(1)?);
        let timing = last.dyn_into::<web_sys::PerformanceResourceTiming>().ok()?;
        Protocol::from_alpn(&timing.next_hop_protocol())
    }

    fn has_cookie(&self, name: &str) -> Option<bool> {
        Some(read_cookie(name).is_some())
    }

    fn send(
        &self,
        request: &HttpRequest,
        signal: &AbortHandle,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
        let request = request.clone();
        let signal = signal.clone();
        let csrf_header = self.csrf_header.clone();
        async move {
            let controller =
                AbortController::new().map_err(|e| TransportError::Network(format!("{e:?}")))?;
            {
                let controller = controller.clone();
                signal.on_abort(move || controller.abort());
            }
            let failed = |e: gloo_net::Error| {
                if signal.is_aborted() {
                    TransportError::Aborted
                } else {
                    TransportError::Network(e.to_string())
                }
            };
            let mut builder = RequestBuilder::new(&request.url)
                .method(method(request.method))
                .credentials(RequestCredentials::Include)
                .abort_signal(Some(&controller.signal()))
                .header("Accept", "application/json");
            if let Some(value) = request.csrf_cookie.as_deref().and_then(read_cookie) {
                builder = builder.header(&csrf_header, &value);
            }
            let built = match &request.body {
                // The buffered bytes, so a replay sends exactly what the first attempt did.
                Some(bytes) => builder
                    .header("Content-Type", "application/json")
                    .body(js_sys::Uint8Array::from(&bytes[..])),
                None => builder.build(),
            }
            .map_err(failed)?;
            let response = built.send().await.map_err(failed)?;
            let status = response.status();
            let body = response.binary().await.map_err(failed)?;
            let retry_after_secs = response.headers().get("retry-after").and_then(|value| {
                retry_after_secs(&value, js_sys::Date::now() as u64, |date| {
                    let ms = js_sys::Date::parse(date);
                    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
                })
            });
            Ok(HttpResponse {
                status,
                body,
                retry_after_secs,
            })
        }
        .boxed_local()
    }
}
