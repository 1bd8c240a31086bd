//! Mounting a test app on a `<div>` of its own, and the probe that records every render of protected content.
//! Shared by this crate's tests and the app's guard tests (included by path), like the fake API.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::fake_api::{set_url, settle, window};

// ---------------------------------------------------------------- probe and markers

/// Records every render of a [`Secret`] (by name). A render at all — even one replaced in the same frame —
/// would show up here, which a look at the DOM afterwards could miss.
#[derive(Clone, Default)]
pub struct Probe(Rc<RefCell<Vec<String>>>);

impl Probe {
    pub fn renders(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
    pub fn rendered(&self, name: &str) -> bool {
        self.0.borrow().iter().any(|n| n == name)
    }
}

impl PartialEq for Probe {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct SecretProps {
    pub name: AttrValue,
}

/// Protected content: `<p data-testid="secret-<name>">`, and a record in the [`Probe`] (taken from the context)
/// each time it renders.
#[component]
pub fn Secret(props: &SecretProps) -> Html {
    if let Some(probe) = use_context::<Probe>() {
        probe.0.borrow_mut().push(props.name.to_string());
    }
    html! { <p data-testid={format!("secret-{}", props.name)}>{ "private content" }</p> }
}

// ---------------------------------------------------------------- mounting

/// A test app mounted on its own `<div>`; [`Mounted::unmount`] puts the page back as it was.
pub struct Mounted {
    pub root: Element,
    pub probe: Probe,
    start_href: String,
}

thread_local! {
    /// How to tear down the app now mounted. A test that fails never unmounts; the next [`mount`] tears its app
    /// down first, so it cannot keep reacting to URL changes (all routers share the page's history) and fail
    /// later tests.
    static CURRENT: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
    static START_HREF: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn tear_down_current() {
    if let Some(tear_down) = CURRENT.with(|c| c.borrow_mut().take()) {
        tear_down();
    }
}

/// Mounts the component `C` with `props` at `url` (same origin, without a reload); `probe` is the one the
/// props hand to their [`Secret`]s.
pub fn mount<C: BaseComponent>(url: &str, probe: Probe, props: C::Properties) -> Mounted {
    tear_down_current();
    // The test page's own URL, taken before any test changed it.
    let start_href = START_HREF.with(|start| {
        start
            .borrow_mut()
            .get_or_insert_with(|| window().location().href().expect("href"))
            .clone()
    });
    set_url(url);
    let document = window().document().expect("a document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("append the root");
    let app = yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    let mounted_root = root.clone();
    CURRENT.with(|c| {
        *c.borrow_mut() = Some(Box::new(move || {
            app.destroy();
            mounted_root.remove();
        }))
    });
    Mounted {
        root,
        probe,
        start_href,
    }
}

impl Mounted {
    /// Whether an element with `data-testid="<id>"` is in this app's DOM now.
    pub fn has(&self, testid: &str) -> bool {
        self.has_selector(&testid_selector(testid))
    }

    pub fn has_selector(&self, selector: &str) -> bool {
        self.find(selector).is_some()
    }

    /// How many elements with `data-testid="<id>"` there are now.
    pub fn count(&self, testid: &str) -> u32 {
        self.root
            .query_selector_all(&testid_selector(testid))
            .expect("a valid selector")
            .length()
    }

    /// The text of the element with `data-testid="<id>"`.
    pub fn text(&self, testid: &str) -> String {
        self.find(&testid_selector(testid))
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    pub fn find(&self, selector: &str) -> Option<Element> {
        self.root
            .query_selector(selector)
            .expect("a valid selector")
    }

    /// Clicks the element with `data-testid="<id>"` (a real, bubbling click event).
    pub fn click(&self, testid: &str) {
        self.click_selector(&testid_selector(testid));
    }

    pub fn click_selector(&self, selector: &str) {
        self.find(selector)
            .unwrap_or_else(|| panic!("no {selector} in {}", self.html()))
            .dyn_into::<web_sys::HtmlElement>()
            .expect("an HTML element")
            .click();
    }

    pub fn html(&self) -> String {
        self.root.inner_html()
    }

    /// Destroys the app, removes its `<div>` and restores the URL the page had before [`mount`].
    pub async fn unmount(self) {
        tear_down_current();
        settle().await;
        set_url(&self.start_href);
    }
}

fn testid_selector(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}
