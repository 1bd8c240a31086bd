//! A browser session (any [`Engine`]) and the waits and actions the flows are written in. Every wait
//! polls with a deadline; none is a fixed sleep.
//!
//! The helpers panic with a message that says what was awaited and what the page showed instead:
//! in a test, a helper that cannot do its job *is* a failed assertion.

use std::fmt::Display;
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;

pub use crate::driver::{Driver, Profile};
use crate::engine::{Engine, SessionOptions, WINDOW};

/// How long a wait lasts unless told otherwise.
pub const WAIT: Duration = Duration::from_secs(10);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// Panics with `what` and the error: for results of calls that must work for the test to go on.
pub trait OrFail<T> {
    fn or_fail(self, what: &str) -> T;
}

impl<T, E: Display> OrFail<T> for Result<T, E> {
    #[track_caller]
    fn or_fail(self, what: &str) -> T {
        match self {
            Ok(value) => value,
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

/// A browser session on the app. Cheap to clone (all clones drive the same session).
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    /// The app's origin, `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    pub engine: Engine,
}

/// `[data-testid="…"]`
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// An XPath string literal for `text` (which may hold either kind of quote).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

impl Browser {
    /// Opens a headless session of the driver's engine with a fresh profile (Chromium records the
    /// console log; see [`crate::console`] for the others).
    pub async fn connect(
        driver: &Driver,
        base: &str,
        profile: &Profile,
    ) -> Result<Browser, String> {
        Self::connect_with(driver, base, profile, SessionOptions::default()).await
    }

    /// [`Browser::connect`] with more asked of the browser (blocked cookies, a self-signed certificate).
    pub async fn connect_with(
        driver: &Driver,
        base: &str,
        profile: &Profile,
        options: SessionOptions,
    ) -> Result<Browser, String> {
        let engine = driver.engine;
        let capabilities = engine.capabilities(&profile.path, options)?;
        crate::tls::install_crypto_provider();
        let builder = ClientBuilder::rustls();
        let mut builder =
            builder.map_err(|e| format!("cannot set up the WebDriver client: {e}"))?;
        let name = engine.name();
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            builder.capabilities(capabilities).connect(&driver.url),
        )
        .await
        .map_err(|_| format!("the {name} driver did not open a session within 60 s"))?
        .map_err(|e| format!("the {name} driver could not open a session: {e}"))?;
        if engine == Engine::WebKit {
            // MiniBrowser opens a small window; the others take the size from their arguments.
            let (width, height) = WINDOW;
            client
                .set_window_size(width, height)
                .await
                .map_err(|e| format!("cannot size the {name} window: {e}"))?;
        }
        Ok(Browser {
            client,
            base: base.trim_end_matches('/').to_string(),
            engine,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Loads `path` of the app (a full page load).
    pub async fn open(&self, path: &str) {
        let url = self.url(path);
        self.client.goto(&url).await.or_fail(&format!("open {url}"));
    }

    pub async fn current_url(&self) -> url::Url {
        self.client
            .current_url()
            .await
            .or_fail("read the current URL")
    }

    /// `path?query` of the current page.
    pub async fn path_and_query(&self) -> String {
        let url = self.current_url().await;
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// A short description of the page for failure messages: URL and the start of the visible text.
    pub async fn describe(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("<no URL: {e}>"));
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text: String = text.chars().take(400).collect();
        format!("at {url}, the page says: {text:?}")
    }

    async fn first_displayed(&self, locator: Locator<'_>) -> Option<Element> {
        let found = self.client.find_all(locator).await.ok()?;
        for element in found {
            if element.is_displayed().await.unwrap_or(false) {
                return Some(element);
            }
        }
        None
    }

    /// Waits until an element matching `css` is displayed.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let started = Instant::now();
        loop {
            if let Some(element) = self.first_displayed(Locator::Css(css)).await {
                return element;
            }
            if started.elapsed() > timeout {
                panic!(
                    "waited {timeout:?} for `{css}` to be displayed; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (up to [`WAIT`]) until the element with `data-testid="id"` is displayed.
    pub async fn wait_testid(&self, id: &str) -> Element {
        self.wait_for(&testid(id), WAIT).await
    }

    /// Whether an element matching `css` is displayed right now.
    pub async fn is_displayed(&self, css: &str) -> bool {
        self.first_displayed(Locator::Css(css)).await.is_some()
    }

    /// Waits until no element matching `css` is displayed.
    pub async fn wait_gone(&self, css: &str, timeout: Duration) {
        let started = Instant::now();
        while self.is_displayed(css).await {
            if started.elapsed() > timeout {
                panic!(
                    "waited {timeout:?} for `{css}` to disappear; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The visible text of the element with `data-testid="id"` (waits for it first).
    pub async fn text(&self, id: &str) -> String {
        self.wait_testid(id)
            .await
            .text()
            .await
            .or_fail(&format!("read the text of {id}"))
    }

    /// Waits (up to [`WAIT`]) until the element with `data-testid="id"` shows exactly `expected`.
    pub async fn wait_text(&self, id: &str, expected: &str) {
        let started = Instant::now();
        let mut last = String::new();
        loop {
            if let Some(element) = self.first_displayed(Locator::Css(&testid(id))).await {
                last = element.text().await.unwrap_or_default();
                if last.trim() == expected {
                    return;
                }
            }
            if started.elapsed() > WAIT {
                panic!(
                    "waited {WAIT:?} for {id} to read {expected:?}, last read {last:?}; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// How many displayed elements match `css` right now.
    pub async fn count(&self, css: &str) -> usize {
        let found = self
            .client
            .find_all(Locator::Css(css))
            .await
            .or_fail(&format!("find `{css}`"));
        let mut n = 0;
        for element in found {
            if element.is_displayed().await.unwrap_or(false) {
                n += 1;
            }
        }
        n
    }

    /// Waits until the current path is `path` (query ignored); returns the URL.
    pub async fn wait_path(&self, path: &str, timeout: Duration) -> url::Url {
        let started = Instant::now();
        loop {
            let url = self.current_url().await;
            if url.path() == path {
                return url;
            }
            if started.elapsed() > timeout {
                panic!(
                    "waited {timeout:?} to be on {path}; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The form control labelled `label` (`<label for=…>` with that text), once displayed.
    pub async fn field(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space(.)={}]", xpath_literal(label));
        let label_element = self.wait_for_xpath(&xpath, WAIT).await;
        let id = label_element
            .attr("for")
            .await
            .or_fail(&format!("read the `for` of the label {label:?}"));
        match id {
            Some(id) if !id.is_empty() => self.wait_for(&format!("[id=\"{id}\"]"), WAIT).await,
            // A label wrapping its control.
            _ => label_element
                .find(Locator::Css("input, textarea, select"))
                .await
                .or_fail(&format!("find the control inside the label {label:?}")),
        }
    }

    /// Replaces the value of the field labelled `label` by typing, as a user would.
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        let current = field.prop("value").await.ok().flatten().unwrap_or_default();
        if !current.is_empty() {
            // Select all and delete with keys, so the app sees input events (Element Clear does not
            // fire `input`, and a controlled input would keep its old state).
            let select_all_delete = format!(
                "{}a{}{}",
                char::from(fantoccini::key::Key::Control),
                char::from(fantoccini::key::Key::Null),
                char::from(fantoccini::key::Key::Backspace)
            );
            field
                .send_keys(&select_all_delete)
                .await
                .or_fail(&format!("clear the field {label:?}"));
        }
        // A line break as the Enter key: WebKitWebDriver drops a "\n" character, where the others type it.
        let enter = char::from(fantoccini::key::Key::Enter).to_string();
        field
            .send_keys(&value.replace('\n', &enter))
            .await
            .or_fail(&format!("type into the field {label:?}"));
    }

    /// The current value of the field labelled `label`.
    pub async fn value(&self, label: &str) -> String {
        self.field(label)
            .await
            .prop("value")
            .await
            .or_fail(&format!("read the value of {label:?}"))
            .unwrap_or_default()
    }

    async fn wait_for_xpath(&self, xpath: &str, timeout: Duration) -> Element {
        let started = Instant::now();
        loop {
            if let Some(element) = self.first_displayed(Locator::XPath(xpath)).await {
                return element;
            }
            if started.elapsed() > timeout {
                panic!(
                    "waited {timeout:?} for `{xpath}` to be displayed; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The displayed button whose text is `text`, once it is there and enabled.
    pub async fn button(&self, text: &str) -> Element {
        let xpath = format!(
            "//button[normalize-space(.)={lit}] | //input[@type='submit' and @value={lit}]",
            lit = xpath_literal(text)
        );
        let started = Instant::now();
        loop {
            if let Some(button) = self.first_displayed(Locator::XPath(&xpath)).await {
                if button.is_enabled().await.unwrap_or(false) {
                    return button;
                }
            }
            if started.elapsed() > WAIT {
                panic!(
                    "waited {WAIT:?} for an enabled button {text:?}; {}",
                    self.describe().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn click_button(&self, text: &str) {
        self.button(text)
            .await
            .click()
            .await
            .or_fail(&format!("click the button {text:?}"));
    }

    /// Clicks the displayed link whose text is `text` (an in-app navigation: no page load).
    pub async fn click_link(&self, text: &str) {
        let xpath = format!("//a[normalize-space(.)={}]", xpath_literal(text));
        self.wait_for_xpath(&xpath, WAIT)
            .await
            .click()
            .await
            .or_fail(&format!("click the link {text:?}"));
    }

    /// Clicks the element with `data-testid="id"`.
    pub async fn click_testid(&self, id: &str) {
        self.wait_testid(id)
            .await
            .click()
            .await
            .or_fail(&format!("click {id}"));
    }

    /// On the login page: fills in the form, submits it, and waits until the user is shown.
    pub async fn sign_in(&self, username: &str, password: &str) {
        self.sign_in_as("Username", username, password).await;
    }

    /// [`Browser::sign_in`] where the first field is labelled `login_label` (`"Email"` when the
    /// config's `login_field` is `email`).
    pub async fn sign_in_as(&self, login_label: &str, login: &str, password: &str) {
        self.wait_for("#username", WAIT).await;
        self.fill(login_label, login).await;
        self.fill("Password", password).await;
        self.click_button("Sign in").await;
        self.wait_testid("user-name").await;
    }

    /// Opens the login page and signs in; ends on the page the app goes to (home).
    pub async fn open_and_sign_in(&self, username: &str, password: &str) {
        self.open("/login").await;
        self.sign_in(username, password).await;
    }

    /// Runs `script` in the page and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .or_fail(&format!("run script {script:?}"))
    }
    pub async fn screenshot(&self, path: &Path) -> Result<(), String> {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot failed: {e}"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The current window.
    pub async fn window(&self) -> WindowHandle {
        self.client
            .window()
            .await
            .or_fail("read the current window")
    }

    /// Opens a new tab (same browser session, so same cookies) and switches to it.
    pub async fn new_tab(&self) -> WindowHandle {
        let created = self.client.new_window(true).await.or_fail("open a new tab");
        self.client
            .switch_to_window(created.handle.clone())
            .await
            .or_fail("switch to the new tab");
        created.handle
    }

    pub async fn switch_to(&self, window: &WindowHandle) {
        self.client
            .switch_to_window(window.clone())
            .await
            .or_fail("switch tabs");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_literals_survive_quotes() {
        assert_eq!(xpath_literal("Sign in"), "'Sign in'");
        assert_eq!(xpath_literal("Don't"), "\"Don't\"");
        assert_eq!(xpath_literal("a'b\"c"), "concat('a', \"'\", 'b\"c')");
    }
}
