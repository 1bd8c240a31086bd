//! Start-up: load `/config.json`, then mount the app — or a clear error page, never a blank screen.

use crate::app::{App, AppProps, Start};
use crate::config::{Config, ConfigError};
use lanyard_client::Client;
use std::rc::Rc;

pub fn start() {
    mark("lanyard:wasm-started");
    console_error_panic_hook::set_once();
    crate::logging::init(log::LevelFilter::Info);
    wasm_bindgen_futures::spawn_local(async {
        let loaded = load_config().await;
        mark("lanyard:config-ready");
        match loaded {
            Ok(config) => {
                crate::logging::init(config.log_level.to_level_filter());
                if config.lab_enabled && !crate::config::LAB_BUILT {
                    log::warn!("config.json enables the Lab, but this build leaves it out: build with `--features lab` (cargo xtask dist --lab)");
                }
                match Client::builder(config.client.clone()).build() {
                    Ok(client) => {
                        render(Start::Ready {
                            config: Rc::new(config),
                            client,
                        });
                    }
                    Err(err) => config_error(&ConfigError::from(err)),
                }
            }
            Err(err) => config_error(&err),
        }
    });
}

fn config_error(err: &ConfigError) {
    log::error!("{err}");
    render(Start::ConfigError(err.to_string().into()));
}

fn render(start: Start) {
    yew::Renderer::<App>::with_props(AppProps { start }).render();
}

/// A performance mark for the start-up benchmark's breakdown (where a cold start spends its time).
pub(crate) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// `/config.json` next to index.html; a missing file means the compiled-in defaults.
async fn load_config() -> Result<Config, ConfigError> {
    let answer = match started_by_the_page() {
        Some(loading) => loading.await?,
        None => fetch_config().await?,
    };
    // Static hosts that send index.html for every unknown path answer a missing file with a page.
    let is_page = answer.content_type.starts_with("text/html");
    match answer.status {
        404 => {
            log::warn!("no /config.json: using the built-in defaults");
            Ok(Config::default())
        }
        200..=299 if is_page => {
            log::warn!("/config.json is a web page (the server's fallback for a missing file?): using the built-in defaults");
            Ok(Config::default())
        }
        200..=299 => Config::from_json(&answer.text),
        0 => Err(ConfigError::Load(answer.text)),
        status => Err(ConfigError::Load(format!("the server answered {status}"))),
    }
}

/// What the server answered for config.json.
struct Answer {
    /// 0 when the request failed (`text` then says why).
    status: u16,
    content_type: String,
    text: String,
}

/// The fetch index.html started (`window.lanyardConfig`, a promise of `{status, type, text}`): by the
/// time the wasm runs, it has usually finished.
fn started_by_the_page() -> Option<impl std::future::Future<Output = Result<Answer, ConfigError>>> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let promise = js_sys::Reflect::get(&window, &"lanyardConfig".into())
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    Some(async move {
        let value = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|_| ConfigError::Load("the page could not load it".into()))?;
        let field = |name: &str| js_sys::Reflect::get(&value, &name.into()).ok();
        let text = |name: &str| field(name).and_then(|v| v.as_string()).unwrap_or_default();
        Ok(Answer {
            status: field("status").and_then(|v| v.as_f64()).unwrap_or(0.0) as u16,
            content_type: text("type"),
            text: text("text"),
        })
    })
}

/// Fetches config.json from here (an index.html without the early fetch).
async fn fetch_config() -> Result<Answer, ConfigError> {
    let response = gloo_net::http::Request::get("/config.json")
        .send()
        .await
        .map_err(|e| ConfigError::Load(e.to_string()))?;
    let text = response
        .text()
        .await
        .map_err(|e| ConfigError::Load(e.to_string()))?;
    Ok(Answer {
        status: response.status(),
        content_type: response.headers().get("content-type").unwrap_or_default(),
        text,
    })
}
