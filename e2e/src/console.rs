//! The page's console errors in every engine.
//!
//! chromedriver reads the browser's log (see [`crate::chromium`]); geckodriver and WebKitWebDriver have no
//! such endpoint (only WebDriver BiDi has, which the client here does not speak). For those, the harness
//! serves a copy of the app whose `index.html` loads [`CAPTURE_FILE`] first: it records `console.error`,
//! uncaught errors and unhandled rejections — what the app logs when something is wrong, and what a wasm
//! panic prints — and keeps them in localStorage (one key per page load, so reloads and other tabs lose
//! nothing). The browser's own network messages ("Failed to load resource…") are not seen this way; they
//! are in Chromium's log, which is checked as before.

use std::path::Path;

use serde_json::Value;

use crate::browser::Browser;
use crate::chromium::LogEntry;
use crate::engine::Engine;

/// The file the copy of the app loads before anything else.
pub const CAPTURE_FILE: &str = "e2e-console.js";

const STORAGE_PREFIX: &str = "lanyard-e2e-console:";

/// Records what the page logs as errors (see the module docs). When storage is blocked (a browser that
/// keeps no cookies keeps no storage either), the entries stay in `window.__lanyardE2eConsole`.
const CAPTURE_SCRIPT: &str = r#"(() => {
  const key = "lanyard-e2e-console:" + Date.now() + ":" + Math.random().toString(36).slice(2);
  const entries = [];
  entries.stored = false;
  const text = (value) => {
    if (value instanceof Error) return value.name + ": " + value.message;
    if (typeof value === "string") return value;
    try { return JSON.stringify(value); } catch (_) { return String(value); }
  };
  const record = (source, parts) => {
    entries.push({ level: "SEVERE", source, message: parts.map(text).join(" ") });
    try { localStorage.setItem(key, JSON.stringify(entries)); entries.stored = true; }
    catch (_) { entries.stored = false; }
  };
  const error = console.error;
  console.error = function (...args) { record("console-api", args); return error.apply(this, args); };
  addEventListener("error", (e) => record("javascript", ["Uncaught", e.error || e.message]));
  addEventListener("unhandledrejection", (e) => record("javascript", ["Uncaught (in promise)", e.reason]));
  window.__lanyardE2eConsole = entries;
})();
"#;

/// Reads and empties what the capture script recorded, in every page load of this origin.
const TAKE_SCRIPT: &str = r#"const prefix = arguments[0];
const all = [];
const mine = window.__lanyardE2eConsole;
let storage = null;
try { storage = window.localStorage; } catch (_) {}
if (storage) {
  const keys = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key && key.startsWith(prefix)) keys.push(key);
  }
  for (const key of keys) {
    try { all.push(...JSON.parse(storage.getItem(key) || "[]")); } catch (_) {}
    storage.removeItem(key);
  }
}
if (mine) {
  if (!mine.stored) all.push(...mine);
  mine.length = 0;
}
return all;"#;

/// Adds the capture script to the app in `dist` (a copy: the harness's own), ahead of every other script.
/// The backend's Content-Security-Policy allows it as a script of the page's own origin.
pub fn inject_capture(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let tag = format!("<script src=\"/{CAPTURE_FILE}\"></script>");
    let Some(head) = html.find("<head>") else {
        return Err(format!("{} has no <head>", index.display()));
    };
    let at = head + "<head>".len();
    let html = format!("{}{tag}{}", &html[..at], &html[at..]);
    std::fs::write(&index, html).map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    // The backend would serve these instead of the changed file.
    for sibling in ["index.html.gz", "index.html.br"] {
        let _ = std::fs::remove_file(dist.join(sibling));
    }
    let script = dist.join(CAPTURE_FILE);
    std::fs::write(&script, CAPTURE_SCRIPT)
        .map_err(|e| format!("cannot write {}: {e}", script.display()))
}

impl Browser {
    /// The console errors since the last call, in whichever way the engine allows.
    pub async fn take_log(&self) -> Result<Vec<LogEntry>, String> {
        if self.engine == Engine::Chromium {
            return self.take_chromedriver_log().await;
        }
        let value = self
            .client
            .execute(TAKE_SCRIPT, vec![Value::from(STORAGE_PREFIX)])
            .await
            .map_err(|e| format!("cannot read the recorded console: {e}"))?;
        let entries = value
            .as_array()
            .ok_or_else(|| format!("the recorded console is not a list: {value}"))?;
        Ok(entries.iter().map(LogEntry::from_json).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::OrFail;

    #[test]
    fn the_capture_script_goes_first_and_replaces_the_compressed_page() {
        let dir = crate::dist::TempDir::new("console-injection").or_fail("a temp dir");
        let dir = &dir.0;
        let page = "<html><head><script>inline()</script></head></html>";
        std::fs::write(dir.join("index.html"), page).or_fail("write index.html");
        std::fs::write(dir.join("index.html.gz"), "stale").or_fail("write index.html.gz");
        inject_capture(dir).or_fail("inject");
        let html = std::fs::read_to_string(dir.join("index.html")).or_fail("read index.html");
        assert_eq!(
            html,
            "<html><head><script src=\"/e2e-console.js\"></script><script>inline()</script></head></html>"
        );
        assert!(!dir.join("index.html.gz").exists());
        assert!(dir.join(CAPTURE_FILE).is_file());
        assert!(CAPTURE_SCRIPT.contains(STORAGE_PREFIX));
    }
}
