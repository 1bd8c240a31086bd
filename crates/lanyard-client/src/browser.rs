//! The browser wiring: `Date.now()` / `setTimeout` / `spawn_local`, and [`ClientBuilder`].

use std::rc::Rc;

use futures_util::future::{FutureExt, LocalBoxFuture};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::VisibilityState;

use crate::config::{ClientConfig, ConfigError};
use crate::request::ClientEvent;
use crate::runtime::{Runtime, SingleTab, Tabs};
use crate::tabs::BrowserTabs;
use crate::transport::{FetchTransport, Transport};
use crate::Client;

struct BrowserRuntime;

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

    fn is_online(&self) -> bool {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(task);
    }
}

/// Builds a [`Client`] for the browser (wasm32 only).
///
/// ```no_run
/// # fn demo() -> Result<(), lanyard_client::ConfigError> {
/// use lanyard_client::{Client, ClientConfig};
///
/// // fetch + Web Locks + BroadcastChannel: what an app wants.
/// let client = Client::builder(ClientConfig::default()).build()?;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    config: ClientConfig,
    transport: Option<Rc<dyn Transport>>,
    cross_tab: bool,
}

impl Client {
    /// A builder with the browser's defaults: `fetch`, and coordination with the origin's other tabs.
    pub fn builder(config: ClientConfig) -> ClientBuilder {
        ClientBuilder {
            config,
            transport: None,
            cross_tab: true,
        }
    }
}

impl ClientBuilder {
    /// Sends through `transport` instead of `fetch` (a scripted fake in component tests, for example).
    pub fn transport(mut self, transport: Rc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Whether to coordinate with the origin's other tabs (Web Locks around the refresh, BroadcastChannel for
    /// sign-in, sign-out and refreshes). On by default; off, the client behaves as if it were the only tab.
    pub fn cross_tab(mut self, enabled: bool) -> Self {
        self.cross_tab = enabled;
        self
    }

    /// Validates the configuration and builds the client. It re-checks the session when the tab becomes
    /// visible again (timers sleep in background tabs).
    pub fn build(self) -> Result<Client, ConfigError> {
        self.config.validate()?;
        let transport = self
            .transport
            .unwrap_or_else(|| Rc::new(FetchTransport::new(&self.config)));
        let tabs: Rc<dyn Tabs> = if self.cross_tab {
            Rc::new(BrowserTabs::new(&self.config.namespace))
        } else {
            Rc::new(SingleTab)
        };
        let client = Client::with_parts(self.config, transport, Rc::new(BrowserRuntime), tabs);
        wake_when_visible(&client);
        follow_connectivity(&client);
        follow_page_cache(&client);
        Ok(client)
    }
}

/// `offline` / `online`: subscribers hear of it, and back online the client wakes (a refresh that fell due
/// while offline runs now).
fn follow_connectivity(client: &Client) {
    let Some(window) = web_sys::window() else {
        return;
    };
    for (event, online) in [("online", true), ("offline", false)] {
        let weak = Rc::downgrade(&client.inner);
        let listener = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.emit(ClientEvent::Connectivity { online });
                if online {
                    inner.back_online();
                }
            }
        });
        if window
            .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
            .is_ok()
        {
            // Lives as long as the page; it holds only a weak reference to the client.
            listener.forget();
        }
    }
}

/// `pagehide` / `pageshow`: let the page into the back/forward cache, and re-check when it comes back.
fn follow_page_cache(client: &Client) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Rc::downgrade(&client.inner);
    let on_hide = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            inner.suspend();
        }
    });
    let weak = Rc::downgrade(&client.inner);
    let on_show = Closure::<dyn FnMut(web_sys::PageTransitionEvent)>::new(
        move |event: web_sys::PageTransitionEvent| {
            if let Some(inner) = weak.upgrade() {
                if event.persisted() {
                    inner.restored();
                }
            }
        },
    );
    for (name, listener) in [
        ("pagehide", on_hide.as_ref()),
        ("pageshow", on_show.as_ref()),
    ] {
        let _ = window.add_event_listener_with_callback(name, listener.unchecked_ref());
    }
    // Live as long as the page; they hold only weak references to the client.
    on_hide.forget();
    on_show.forget();
}

fn wake_when_visible(client: &Client) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let weak = Rc::downgrade(&client.inner);
    let target = document.clone();
    let on_visible = Closure::<dyn FnMut()>::new(move || {
        if target.visibility_state() == VisibilityState::Visible {
            if let Some(inner) = weak.upgrade() {
                inner.tick();
            }
        }
    });
    let added = document
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    if added.is_ok() {
        // Lives as long as the page; it holds only a weak reference to the client.
        on_visible.forget();
    }
}
