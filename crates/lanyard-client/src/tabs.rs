//! The browser side of cross-tab coordination.
//!
//! Names are the config's `namespace` (default `lanyard`) plus a suffix, so two apps on one origin don't collide.
//!
//! - **Web Locks**: the refresh runs inside `navigator.locks.request("<namespace>-refresh", …)`, so two tabs never
//!   present the same (single-use) refresh token. Inside the lock the driver calls `refresh_decision` with
//!   [`Tabs::last_refresh`] and skips the call if another tab refreshed meanwhile.
//! - **The record** of a refresh, `<refreshed_at_ms> <expires_at> <tab>` (a timestamp, never a token), is the name
//!   of a lock the refreshing tab takes before it lets go of the refresh lock and holds until its next refresh:
//!   `"<namespace>-refreshed <record>"`. The next tab in the refresh lock reads it with `navigator.locks.query()`.
//!   The lock manager is one authority for both locks, so the record is always there when the refresh lock
//!   passes on. (A record in localStorage was not: Firefox hands localStorage writes to other tabs
//!   asynchronously, and a tab granted the lock sometimes read the record from before the refresh and
//!   refreshed a second time.) The record lock is let go on `pagehide`, as it would keep the page out of the
//!   back/forward cache.
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
use web_sys::{BroadcastChannel, MessageEvent};

use super::coordinator::{RefreshOutcome, RefreshRecord};
use super::cross_tab::{encode_backoff, record_prefixes, Seen};
use super::runtime::{TabMessage, Tabs};

type Job = LocalBoxFuture<'static, RefreshOutcome>;
type OnMessage = Closure<dyn FnMut(MessageEvent)>;

pub(crate) struct BrowserTabs {
    tab: u64,
    lock_name: String,
    /// `"<namespace>-refreshed "` and `"<namespace>-refresh-backoff "`: the record locks' names start with them.
    prefixes: Rc<(String, String)>,
    /// The other tabs' latest records, as read inside the refresh lock.
    seen: Rc<RefCell<Seen>>,
    /// Lets go of this tab's record lock (resolves the promise that holds it).
    holding: Rc<RefCell<Option<Function>>>,
    /// Until this tab's new record lock is granted; awaited before the refresh lock is let go.
    granting: Rc<RefCell<Option<oneshot::Receiver<()>>>>,
    channel_name: String,
    /// `None` while suspended (or where BroadcastChannel is missing).
    channel: RefCell<Option<BroadcastChannel>>,
    /// Kept alive as long as the channel listens.
    on_message: RefCell<Option<OnMessage>>,
}

impl Drop for BrowserTabs {
    /// Stop listening before the Rust closure behind `onmessage` is freed, or the next message from another
    /// tab would call into a dropped closure and throw.
    fn drop(&mut self) {
        self.close_channel();
        Self::let_go_of_record(&self.holding);
    }
}

impl BrowserTabs {
    pub(crate) fn new(namespace: &str) -> Self {
        let channel_name = format!("{namespace}-session");
        let channel = BroadcastChannel::new(&channel_name).ok();
        if channel.is_none() {
            log::warn!("BroadcastChannel unavailable: other tabs won't hear of logins, logouts and refreshes");
        }
        // Random, so two tabs opened in the same millisecond still differ.
        let tab = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        BrowserTabs {
            tab,
            lock_name: format!("{namespace}-refresh"),
            prefixes: Rc::new(record_prefixes(namespace)),
            seen: Rc::default(),
            holding: Rc::default(),
            granting: Rc::default(),
            channel_name,
            channel: RefCell::new(channel),
            on_message: RefCell::new(None),
        }
    }

    fn close_channel(&self) {
        if let Some(channel) = self.channel.borrow_mut().take() {
            channel.set_onmessage(None);
            channel.close();
        }
    }

    /// `navigator.locks` and its method `name`, if the browser has Web Locks.
    fn locks(name: &str) -> Option<(JsValue, Function)> {
        let navigator = web_sys::window()?.navigator();
        let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
        if locks.is_undefined() || locks.is_null() {
            return None;
        }
        let method = Reflect::get(&locks, &JsValue::from_str(name))
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        Some((locks, method))
    }

    /// Holds a lock named `name` (this tab's latest record) until the next record or `pagehide`, letting go of
    /// the previous one once it is granted; the refresh lock waits for the grant (`granting`).
    fn hold_record(&self, name: String) {
        let Some((locks, request)) = Self::locks("request") else {
            return;
        };
        let (granted, grant) = oneshot::channel::<()>();
        let holding = self.holding.clone();
        let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
            // Held until the promise resolves: at this tab's next record, or when the page is hidden.
            let held = Promise::new(&mut |resolve, _reject| {
                BrowserTabs::let_go_of_record(&holding);
                *holding.borrow_mut() = Some(resolve);
            });
            let _ = granted.send(());
            held
        });
        let name = JsValue::from_str(&name);
        match request.call2(&locks, &name, &callback) {
            Ok(_) => *self.granting.borrow_mut() = Some(grant),
            // Only the cross-tab shortcut is lost: another tab would call the server once more.
            Err(e) => log::warn!("Web Lock request for a record threw: {e:?}"),
        }
    }

    /// Lets go of this tab's record lock, if it holds one.
    fn let_go_of_record(holding: &RefCell<Option<Function>>) {
        if let Some(resolve) = holding.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The other tabs' records, from the names of the locks held on this origin.
async fn read_records(prefixes: Rc<(String, String)>, tab: u64) -> Seen {
    let names = async {
        let (locks, query) = BrowserTabs::locks("query")?;
        let promise = query.call0(&locks).ok()?.dyn_into::<Promise>().ok()?;
        let snapshot = JsFuture::from(promise).await.ok()?;
        let held = Reflect::get(&snapshot, &JsValue::from_str("held")).ok()?;
        let name = JsValue::from_str("name");
        let names: Vec<String> = js_sys::Array::from(&held)
            .iter()
            .filter_map(|lock| Reflect::get(&lock, &name).ok()?.as_string())
            .collect();
        Some(names)
    };
    let (refresh, backoff) = &*prefixes;
    Seen::from_lock_names(names.await.unwrap_or_default(), (refresh, backoff), tab)
}

impl Tabs for BrowserTabs {
    fn with_refresh_lock(&self, job: Job) -> Job {
        let Some((locks, request)) = Self::locks("request") else {
            log::debug!("no Web Locks: refreshing without a cross-tab lock");
            return job;
        };
        // The job runs inside the lock callback; if the callback never runs (the request failed), run it here.
        let slot: Rc<RefCell<Option<Job>>> = Rc::new(RefCell::new(Some(job)));
        let (done, outcome) = oneshot::channel::<RefreshOutcome>();
        let in_lock = slot.clone();
        let (seen, granting) = (self.seen.clone(), self.granting.clone());
        let (prefixes, tab) = (self.prefixes.clone(), self.tab);
        let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
            let job = in_lock.borrow_mut().take();
            future_to_promise(async move {
                let latest = read_records(prefixes, tab).await;
                *seen.borrow_mut() = latest;
                if let Some(job) = job {
                    let outcome = job.await;
                    // Our record must be held before the next tab gets the refresh lock and looks for it.
                    let grant = granting.borrow_mut().take();
                    if let Some(grant) = grant {
                        let _ = grant.await;
                    }
                    let _ = done.send(outcome);
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
        self.seen.borrow().refresh
    }

    fn backoff_until(&self) -> Option<u64> {
        self.seen.borrow().backoff_until
    }

    fn record_refresh(&self, record: RefreshRecord) {
        self.hold_record(format!("{}{}", self.prefixes.0, record.encode(self.tab)));
    }

    fn record_backoff(&self, until_ms: u64) {
        self.hold_record(format!(
            "{}{}",
            self.prefixes.1,
            encode_backoff(until_ms, self.tab)
        ));
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
        Self::let_go_of_record(&self.holding);
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
