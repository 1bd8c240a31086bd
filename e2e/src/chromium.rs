//! chromedriver's own endpoints (not in the W3C protocol): the browser's console log, and network emulation —
//! taking the page offline and back (emulated offline sets `navigator.onLine` and fires the `offline` /
//! `online` events, as a real loss of connection does).

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::json;

use crate::browser::Browser;

/// One entry of the browser's console log, as chromedriver reports it (and [`crate::console`] records it
/// in the other engines).
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub level: String,
    pub source: String,
    pub message: String,
}

impl LogEntry {
    pub(crate) fn from_json(entry: &serde_json::Value) -> LogEntry {
        let field = |name: &str| entry[name].as_str().unwrap_or_default().to_string();
        LogEntry {
            level: field("level"),
            source: field("source"),
            message: field("message"),
        }
    }
}

/// `session/<id>/<path>` under the driver's URL.
fn session_endpoint(
    base_url: &url::Url,
    session_id: Option<&str>,
    path: &str,
) -> Result<url::Url, url::ParseError> {
    base_url.join(&format!(
        "session/{}/{path}",
        session_id.unwrap_or_default()
    ))
}

/// chromedriver's log endpoint (not in the W3C protocol; reading it empties it).
#[derive(Debug)]
struct GetBrowserLog;

impl WebDriverCompatibleCommand for GetBrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        session_endpoint(base_url, session_id, "se/log")
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// chromedriver's network conditions endpoint.
#[derive(Debug)]
struct SetNetworkConditions {
    offline: bool,
}

impl WebDriverCompatibleCommand for SetNetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        session_endpoint(base_url, session_id, "chromium/network_conditions")
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let conditions = json!({
            "offline": self.offline,
            "latency": 0,
            // Unthrottled: only the offline switch matters here.
            "download_throughput": 1_000_000_000,
            "upload_throughput": 1_000_000_000,
        });
        (
            http::Method::POST,
            Some(json!({ "network_conditions": conditions }).to_string()),
        )
    }
}

impl Browser {
    /// The console entries since the last call (chromedriver empties its buffer when read).
    pub(crate) async fn take_chromedriver_log(&self) -> Result<Vec<LogEntry>, String> {
        let value = self
            .client
            .issue_cmd(GetBrowserLog)
            .await
            .map_err(|e| format!("cannot read the browser log: {e}"))?;
        let entries = value
            .as_array()
            .ok_or_else(|| format!("the browser log is not a list: {value}"))?;
        Ok(entries.iter().map(LogEntry::from_json).collect())
    }

    /// Takes the page offline (`true`) or back online (Chromium only).
    pub async fn set_offline(&self, offline: bool) -> Result<(), String> {
        if self.engine != crate::engine::Engine::Chromium {
            return Err(format!(
                "network emulation is chromedriver's; {} has none",
                self.engine.name()
            ));
        }
        self.client
            .issue_cmd(SetNetworkConditions { offline })
            .await
            .map(drop)
            .map_err(|e| format!("cannot set the network conditions: {e}"))
    }
}
