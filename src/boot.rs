//! Start-up: load `/config.json`, then mount the app — or a clear error page, never a blank screen.

use crate::app::{App, AppProps};
use crate::client::Client;
use crate::components::ConfigErrorPage;
use crate::config::{Config, ConfigError};
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
                let client = Client::browser(&config);
                let props = AppProps {
                    config: Rc::new(config),
                    client,
                };
                yew::Renderer::<App>::with_props(props).render();
            }
            Err(err) => {
                log::error!("{err}");
                let props = crate::components::ConfigErrorProps {
                    message: err.to_string().into(),
                };
                yew::Renderer::<ConfigErrorPage>::with_props(props).render();
            }
        }
    });
}

/// A performance mark for the start-up benchmark's breakdown (where a cold start spends its time).
pub(crate) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// `/config.json` next to index.html; a missing file means the compiled-in defaults.
async fn load_config() -> Result<Config, ConfigError> {
    // No cache override: the preload in index.html must match this request to be used, and the server
    // already sends config.json with `Cache-Control: no-cache`.
    let response = gloo_net::http::Request::get("/config.json")
        .send()
        .await
        .map_err(|e| ConfigError::Load(e.to_string()))?;
    if response.status() == 404 {
        log::warn!("no /config.json: using the built-in defaults");
        return Ok(Config::default());
    }
    if !response.ok() {
        return Err(ConfigError::Load(format!(
            "the server answered {}",
            response.status()
        )));
    }
    let text = response
        .text()
        .await
        .map_err(|e| ConfigError::Load(e.to_string()))?;
    Config::from_json(&text)
}
