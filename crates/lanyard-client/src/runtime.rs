//! The edges the driver talks through besides the transport: clock/timers/spawning, and other tabs.
//! Browser implementations live in `browser.rs` and `tabs.rs`; tests use fakes.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use futures_util::future::LocalBoxFuture;

use super::coordinator::{RefreshOutcome, RefreshRecord};

/// The HTTP methods a JSON API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `GET` (safe: no CSRF header).
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Unsafe methods carry the CSRF header.
    pub fn is_unsafe(self) -> bool {
        !matches!(self, Method::Get)
    }

    /// Whether sending it twice has the effect of sending it once (GET, PUT, DELETE).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// Time and tasks. The browser uses `Date.now()`, `setTimeout` and `spawn_local`; tests a manual clock.
pub trait Runtime {
    /// Wall-clock milliseconds (shared by all tabs, so records from other tabs compare).
    fn now_ms(&self) -> u64;
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()>;
    fn spawn(&self, task: LocalBoxFuture<'static, ()>);
    /// Whether the browser says it is online (`navigator.onLine`). Offline, calls fail at once with
    /// `Error::Offline` and no refresh is attempted.
    fn is_online(&self) -> bool {
        true
    }
}

/// What tabs tell each other (over BroadcastChannel). Never a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TabMessage {
    pub kind: TabMessageKind,
    pub expires_at: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabMessageKind {
    Refreshed,
    Login,
    Logout,
    Ended,
}

const KINDS: [(TabMessageKind, &str); 4] = [
    (TabMessageKind::Refreshed, "refreshed"),
    (TabMessageKind::Login, "login"),
    (TabMessageKind::Logout, "logout"),
    (TabMessageKind::Ended, "ended"),
];

impl TabMessage {
    /// `"<kind> <expires_at or ->"` (`refreshed 1700000000000`): a few bytes, read without a JSON parser.
    pub fn encode(&self) -> String {
        let kind = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind)
            .map_or("", |(_, name)| name);
        format!("{kind} {}", encode_number(self.expires_at))
    }

    /// Another tab's message; `None` for anything malformed (it is still input).
    pub fn decode(text: &str) -> Option<TabMessage> {
        let (kind, expires_at) = text.split_once(' ')?;
        let kind = KINDS.iter().find(|(_, name)| *name == kind)?.0;
        Some(TabMessage {
            kind,
            expires_at: decode_number(expires_at)?,
        })
    }
}

/// A number, or `-` for none.
pub(crate) fn encode_number(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// The inverse of [`encode_number`]: `Some(None)` for `-`, `None` when malformed.
pub(crate) fn decode_number(text: &str) -> Option<Option<u64>> {
    match text {
        "-" => Some(None),
        digits => digits.parse().ok().map(Some),
    }
}

/// Coordination with other tabs of the same origin.
pub trait Tabs {
    /// Runs `job` while holding the cross-tab refresh lock, or directly where there is no lock.
    fn with_refresh_lock(
        &self,
        job: LocalBoxFuture<'static, RefreshOutcome>,
    ) -> LocalBoxFuture<'static, RefreshOutcome>;
    /// The last refresh recorded, if another tab made it (this tab's own refreshes are tracked by the epoch).
    fn last_refresh(&self) -> Option<RefreshRecord>;
    fn record_refresh(&self, record: RefreshRecord);
    /// Until when (ms since the epoch) another tab was asked by the auth server not to refresh, if it was.
    fn backoff_until(&self) -> Option<u64> {
        None
    }
    /// The auth server asked this tab not to refresh before `until_ms`: tell the other tabs.
    fn record_backoff(&self, until_ms: u64) {
        let _ = until_ms;
    }
    fn broadcast(&self, message: TabMessage);
    /// Delivers other tabs' messages to `listener` from now on.
    fn listen(&self, listener: Box<dyn Fn(TabMessage)>);
    /// The page is being hidden and may go to the back/forward cache: let go of what keeps it out.
    fn suspend(&self) {}
    /// The page came back from the back/forward cache: listen again.
    fn resume(&self) {}
}

/// A single tab: no lock needed (the coordinator is single-flight), no other tab's record to consult.
#[derive(Default)]
pub struct SingleTab;

impl Tabs for SingleTab {
    fn with_refresh_lock(
        &self,
        job: LocalBoxFuture<'static, RefreshOutcome>,
    ) -> LocalBoxFuture<'static, RefreshOutcome> {
        job
    }
    fn last_refresh(&self) -> Option<RefreshRecord> {
        None
    }
    fn record_refresh(&self, _record: RefreshRecord) {}
    fn broadcast(&self, _message: TabMessage) {}
    fn listen(&self, _listener: Box<dyn Fn(TabMessage)>) {}
}

/// Lets a caller cancel a request (like the browser's `AbortController`, but usable off the browser).
/// Cloning gives another handle to the same signal.
///
/// ```
/// use lanyard_client::AbortHandle;
///
/// let handle = AbortHandle::new();
/// let seen = std::rc::Rc::new(std::cell::Cell::new(false));
/// let flag = seen.clone();
/// handle.on_abort(move || flag.set(true));
/// handle.clone().abort();
/// assert!(handle.is_aborted() && seen.get());
/// ```
#[derive(Clone, Default)]
pub struct AbortHandle(Rc<AbortInner>);

#[derive(Default)]
struct AbortInner {
    aborted: Cell<bool>,
    listeners: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl AbortHandle {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal (once; later calls do nothing).
    pub fn abort(&self) {
        if self.0.aborted.replace(true) {
            return;
        }
        // Take the listeners first: one may register another or drop handles.
        let listeners = std::mem::take(&mut *self.0.listeners.borrow_mut());
        for listener in listeners {
            listener();
        }
    }

    /// Whether the signal has fired.
    pub fn is_aborted(&self) -> bool {
        self.0.aborted.get()
    }

    /// Runs `f` when the signal fires (at once if it already has).
    pub fn on_abort(&self, f: impl FnOnce() + 'static) {
        if self.is_aborted() {
            f();
        } else {
            self.0.listeners.borrow_mut().push(Box::new(f));
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("aborted", &self.is_aborted())
            .finish()
    }
}

impl PartialEq for AbortHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The value of cookie `name` in a `document.cookie` string (`"a=1; b=2"`).
pub fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie() {
        let jar = "theme=dark; lanyard_csrf=abc=def; x_lanyard_csrf=no";
        assert_eq!(
            cookie_value(jar, "lanyard_csrf").as_deref(),
            Some("abc=def")
        );
        assert_eq!(cookie_value(jar, "theme").as_deref(), Some("dark"));
        assert_eq!(cookie_value(jar, "csrf"), None);
        assert_eq!(cookie_value("", "lanyard_csrf"), None);
    }

    #[test]
    fn abort_handle_fires_once_and_late_listeners_run_at_once() {
        let hits = Rc::new(Cell::new(0));
        let handle = AbortHandle::new();
        let h = hits.clone();
        handle.on_abort(move || h.set(h.get() + 1));
        handle.clone().abort();
        handle.abort();
        assert_eq!(hits.get(), 1);
        let h = hits.clone();
        handle.on_abort(move || h.set(h.get() + 10));
        assert_eq!(hits.get(), 11);
        assert!(handle.is_aborted());
    }

    #[test]
    fn tab_messages_are_a_few_bytes_and_round_trip() {
        let msg = TabMessage {
            kind: TabMessageKind::Refreshed,
            expires_at: Some(5),
        };
        assert_eq!(msg.encode(), "refreshed 5");
        assert_eq!(TabMessage::decode("refreshed 5"), Some(msg));
        let logout = TabMessage {
            kind: TabMessageKind::Logout,
            expires_at: None,
        };
        assert_eq!(logout.encode(), "logout -");
        assert_eq!(TabMessage::decode(&logout.encode()), Some(logout));
        for kind in [TabMessageKind::Login, TabMessageKind::Ended] {
            let m = TabMessage {
                kind,
                expires_at: Some(u64::MAX),
            };
            assert_eq!(TabMessage::decode(&m.encode()), Some(m));
        }
        for junk in [
            "",
            "refreshed",
            "refreshed x",
            "refreshed -1",
            "LOGIN -",
            "logout - x",
            "{\"kind\":\"logout\"}",
        ] {
            assert_eq!(TabMessage::decode(junk), None, "{junk:?}");
        }
    }
}
