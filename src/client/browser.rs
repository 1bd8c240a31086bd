//! The browser wiring: `Date.now()` / `setTimeout` / `spawn_local`, and `Client::browser`.

use std::rc::Rc;

use futures_util::future::{FutureExt, LocalBoxFuture};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::VisibilityState;

use super::runtime::Runtime;
use super::tabs::BrowserTabs;
use super::transport::FetchTransport;
use super::Client;
use crate::config::Config;

pub struct BrowserRuntime;

impl Runtime for BrowserRuntime {
    fn now_ms(&self) -> u64 {
        // Wall clock, not performance.now(): records written by other tabs must compare.
        js_sys::Date::now() as u64
    }

    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        // setTimeout fires at once past 2^31-1 ms; a long sleep just wakes early and re-arms.
        let ms = ms.min(i32::MAX as u64) as u32;
        gloo_timers::future::TimeoutFuture::new(ms).boxed_local()
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(task);
    }
}

impl Client {
    /// The client the app uses: fetch, Web Locks + BroadcastChannel, browser timers. Also re-checks the
    /// session when the tab becomes visible again (timers sleep in background tabs).
    pub fn browser(config: &Config) -> Client {
        let client = Client::new(
            config.clone(),
            Rc::new(FetchTransport::new(config)),
            Rc::new(BrowserRuntime),
            Rc::new(BrowserTabs::new()),
        );
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let weak = Rc::downgrade(&client.inner);
            let target = document.clone();
            let on_visible = Closure::<dyn FnMut()>::new(move || {
                if target.visibility_state() == VisibilityState::Visible {
                    if let Some(inner) = weak.upgrade() {
                        inner.tick();
                    }
                }
            });
            let added = document.add_event_listener_with_callback(
                "visibilitychange",
                on_visible.as_ref().unchecked_ref(),
            );
            if added.is_ok() {
                // Lives as long as the page; it holds only a weak reference to the client.
                on_visible.forget();
            }
        }
        client
    }
}
