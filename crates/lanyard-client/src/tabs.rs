//! The browser side of cross-tab coordination.
//!
//! Names are the config's `namespace` (default `lanyard`) plus a suffix, so two apps on one origin don't collide.
//!
//! - **Web Locks**: the refresh runs inside `navigator.locks.request("<namespace>-refresh", …)`, so two tabs never
//!   present the same (single-use) refresh token. Inside the lock the driver calls `refresh_decision` with
//!   [`Tabs::last_refresh`] and skips the call if another tab refreshed meanwhile.
//! - **The record**: after a refresh, `<refreshed_at_ms> <expires_at> <tab>` goes to localStorage
//!   (`<namespace>-refresh-record`) — a timestamp,
//!   never a token. It is read inside the lock, so it is current even if a broadcast is still in flight.
//! - **BroadcastChannel** `"<namespace>-session"`: refreshed / login / logout / ended, so every tab follows.
//!   It is closed on `pagehide` and reopened on `pageshow`: an open channel keeps a page out of the
//!   back/forward cache (or gets it evicted when a message arrives), and a restored page re-checks the session
//!   anyway, since it heard nothing while it was away.
//!
//! Where an API is missing (old browsers, some privacy modes) each part falls back to single-tab behaviour.
//! `LockManager` is an unstable web-sys API, so it is reached through `js_sys::Reflect`.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use futures_util::future::{FutureExt, LocalBoxFuture};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{BroadcastChannel, MessageEvent, Storage};

use super::coordinator::{RefreshOutcome, RefreshRecord};
use super::runtime::{TabMessage, Tabs};

type Job = LocalBoxFuture<'static, RefreshOutcome>;
type OnMessage = Closure<dyn FnMut(MessageEvent)>;

pub(crate) struct BrowserTabs {
    tab: u64,
    lock_name: String,
    record_key: String,
    channel_name: String,
    /// `None` while suspended (or where BroadcastChannel is missing).
    channel: RefCell<Option<BroadcastChannel>>,
    storage: Option<Storage>,
    /// Kept alive as long as the channel listens.
    on_message: RefCell<Option<OnMessage>>,
}

impl Drop for BrowserTabs {
    /// Stop listening before the Rust closure behind `onmessage` is freed, or the next message from another
    /// tab would call into a dropped closure and throw.
    fn drop(&mut self) {
        self.close_channel();
    }
}

impl BrowserTabs {
    pub(crate) fn new(namespace: &str) -> Self {
        let window = web_sys::window();
        let channel_name = format!("{namespace}-session");
        let channel = BroadcastChannel::new(&channel_name).ok();
        if channel.is_none() {
            log::warn!("BroadcastChannel unavailable: other tabs won't hear of logins, logouts and refreshes");
        }
        // localStorage access can throw (storage disabled); then there is simply no record.
        let storage = window.and_then(|w| w.local_storage().ok().flatten());
        // Random, so two tabs opened in the same millisecond still differ.
        let tab = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        BrowserTabs {
            tab,
            lock_name: format!("{namespace}-refresh"),
            record_key: format!("{namespace}-refresh-record"),
            channel_name,
            channel: RefCell::new(channel),
            storage,
            on_message: RefCell::new(None),
        }
    }

    fn close_channel(&self) {
        if let Some(channel) = self.channel.borrow_mut().take() {
            channel.set_onmessage(None);
            channel.close();
        }
    }

    /// `navigator.locks.request` bound to `navigator.locks`, if the browser has Web Locks.
    fn lock_request() -> Option<(JsValue, Function)> {
        let navigator = web_sys::window()?.navigator();
        let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
        if locks.is_undefined() || locks.is_null() {
            return None;
        }
        let request = Reflect::get(&locks, &JsValue::from_str("request"))
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        Some((locks, request))
    }
}

impl Tabs for BrowserTabs {
    fn with_refresh_lock(&self, job: Job) -> Job {
        let Some((locks, request)) = Self::lock_request() else {
            log::debug!("no Web Locks: refreshing without a cross-tab lock");
            return job;
        };
        // The job runs inside the lock callback; if the callback never runs (the request failed), run it here.
        let slot: Rc<RefCell<Option<Job>>> = Rc::new(RefCell::new(Some(job)));
        let (done, outcome) = oneshot::channel::<RefreshOutcome>();
        let in_lock = slot.clone();
        let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
            let job = in_lock.borrow_mut().take();
            future_to_promise(async move {
                if let Some(job) = job {
                    let _ = done.send(job.await);
                }
                // Resolving releases the lock.
                Ok(JsValue::UNDEFINED)
            })
        });
        let name = JsValue::from_str(&self.lock_name);
        async move {
            match request.call2(&locks, &name, &callback) {
                Ok(promise) => {
                    if let Err(e) = JsFuture::from(Promise::from(promise)).await {
                        log::warn!("Web Lock request failed: {e:?}");
                    }
                }
                Err(e) => log::warn!("Web Lock request threw: {e:?}"),
            }
            if let Ok(outcome) = outcome.await {
                return outcome;
            }
            let job = slot.borrow_mut().take();
            match job {
                Some(job) => job.await,
                None => RefreshOutcome::Unavailable,
            }
        }
        .boxed_local()
    }

    fn last_refresh(&self) -> Option<RefreshRecord> {
        let text = self.storage.as_ref()?.get_item(&self.record_key).ok()??;
        let (record, tab) = RefreshRecord::decode(&text)?;
        (tab != self.tab).then_some(record)
    }

    fn record_refresh(&self, record: RefreshRecord) {
        if let Some(storage) = &self.storage {
            // Quota or privacy-mode failures only cost the cross-tab shortcut.
            let _ = storage.set_item(&self.record_key, &record.encode(self.tab));
        }
    }

    fn broadcast(&self, message: TabMessage) {
        let channel = self.channel.borrow();
        let Some(channel) = channel.as_ref() else {
            return;
        };
        if let Err(e) = channel.post_message(&JsValue::from_str(&message.encode())) {
            log::warn!("broadcast failed: {e:?}");
        }
    }

    fn listen(&self, listener: Box<dyn Fn(TabMessage)>) {
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // Another tab of this origin, but still input: ignore anything malformed.
            match event
                .data()
                .as_string()
                .and_then(|text| TabMessage::decode(&text))
            {
                Some(message) => listener(message),
                None => log::debug!("ignored a malformed tab message"),
            }
        });
        if let Some(channel) = self.channel.borrow().as_ref() {
            channel.set_onmessage(Some(closure.as_ref().unchecked_ref()));
        }
        *self.on_message.borrow_mut() = Some(closure);
    }

    fn suspend(&self) {
        self.close_channel();
    }

    fn resume(&self) {
        if self.channel.borrow().is_some() {
            return;
        }
        let Ok(channel) = BroadcastChannel::new(&self.channel_name) else {
            return;
        };
        if let Some(closure) = self.on_message.borrow().as_ref() {
            channel.set_onmessage(Some(closure.as_ref().unchecked_ref()));
        }
        *self.channel.borrow_mut() = Some(channel);
    }
}
