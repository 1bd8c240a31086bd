//! The three browser engines the flows run in, and what each needs: its driver, its binary, the W3C
//! capabilities of a headless session.
//!
//! The engine of a run is `LANYARD_E2E_BROWSER` (`chromium`, the default; `firefox`; `webkit`), so one
//! test binary serves all three and `cargo xtask test` runs it once per engine.

use std::path::PathBuf;

use fantoccini::wd::Capabilities;
use serde_json::json;

use crate::paths;

/// A browser engine and the browser that ships it here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Debian's Chromium through chromedriver.
    Chromium,
    /// Firefox ESR through geckodriver.
    Firefox,
    /// WebKitGTK's MiniBrowser through WebKitWebDriver, in a virtual display (Xvfb).
    WebKit,
}

/// What a session asks of the browser beyond the defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionOptions {
    /// The browser stores no cookies (its own "block all cookies" setting).
    pub block_cookies: bool,
    /// Accept a self-signed certificate (the dev backend's `--tls`).
    pub accept_insecure_certs: bool,
}

/// The window every engine gets, so layouts (and screenshots) match.
pub const WINDOW: (u32, u32) = (1280, 900);

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    /// `LANYARD_E2E_BROWSER`, Chromium when unset.
    pub fn current() -> Result<Engine, String> {
        match std::env::var("LANYARD_E2E_BROWSER") {
            Err(_) => Ok(Engine::Chromium),
            Ok(name) => Engine::parse(&name),
        }
    }

    pub fn parse(name: &str) -> Result<Engine, String> {
        Engine::ALL
            .into_iter()
            .find(|engine| engine.name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("LANYARD_E2E_BROWSER={name:?}: expected chromium, firefox or webkit")
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    /// Whether the driver has an endpoint for the browser's console log (only chromedriver does; in
    /// the others the harness records the console from inside the page, see [`crate::console`]).
    pub fn has_console_log_endpoint(self) -> bool {
        self == Engine::Chromium
    }

    /// The capabilities of a new session. `profile` is a fresh directory (Chromium keeps its profile
    /// there; geckodriver and WebKitWebDriver make a fresh one per session themselves).
    pub fn capabilities(
        self,
        profile: &std::path::Path,
        options: SessionOptions,
    ) -> Result<Capabilities, String> {
        let mut capabilities = Capabilities::new();
        if options.accept_insecure_certs {
            capabilities.insert("acceptInsecureCerts".into(), json!(true));
        }
        match self {
            Engine::Chromium => {
                let mut args: Vec<String> = [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-breakpad",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-sync",
                    "--no-proxy-server",
                ]
                .map(String::from)
                .to_vec();
                args.push(format!("--window-size={},{}", WINDOW.0, WINDOW.1));
                args.push(format!("--user-data-dir={}", profile.display()));
                let prefs = if options.block_cookies {
                    json!({ "profile.default_content_setting_values.cookies": 2 })
                } else {
                    json!({})
                };
                capabilities.insert("browserName".into(), json!("chrome"));
                capabilities.insert(
                    "goog:chromeOptions".into(),
                    json!({ "binary": paths::chromium()?, "args": args, "prefs": prefs }),
                );
                capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
            }
            Engine::Firefox => {
                let mut prefs = serde_json::Map::new();
                if options.block_cookies {
                    // 2 = block all cookies (and with them the site's storage).
                    prefs.insert("network.cookie.cookieBehavior".into(), json!(2));
                }
                capabilities.insert("browserName".into(), json!("firefox"));
                capabilities.insert(
                    "moz:firefoxOptions".into(),
                    json!({
                        "binary": paths::firefox()?,
                        "args": ["-headless", format!("-width={}", WINDOW.0), format!("-height={}", WINDOW.1)],
                        "prefs": prefs,
                    }),
                );
            }
            Engine::WebKit => {
                if options.block_cookies {
                    return Err(
                        "WebKitWebDriver has no setting to block cookies: run this flow in Chromium or Firefox"
                            .into(),
                    );
                }
                capabilities.insert("browserName".into(), json!("MiniBrowser"));
                capabilities.insert(
                    "webkitgtk:browserOptions".into(),
                    json!({ "binary": paths::minibrowser()?, "args": ["--automation"] }),
                );
            }
        }
        Ok(capabilities)
    }

    /// The driver binary.
    pub fn driver_bin(self) -> Result<PathBuf, String> {
        match self {
            Engine::Chromium => paths::chromedriver(),
            Engine::Firefox => paths::geckodriver(),
            Engine::WebKit => paths::webkit_webdriver(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_say_what_is_expected() {
        for engine in Engine::ALL {
            assert_eq!(Engine::parse(engine.name()), Ok(engine));
        }
        assert_eq!(Engine::parse(" WebKit "), Ok(Engine::WebKit));
        match Engine::parse("safari") {
            Err(error) => assert!(error.contains("chromium, firefox or webkit"), "{error}"),
            Ok(engine) => panic!("safari parsed as {engine:?}"),
        }
    }
}
