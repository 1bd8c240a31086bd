//! Chromium's network emulation through chromedriver (not in the W3C protocol): take the page offline and
//! back. Emulated offline sets `navigator.onLine` and fires the `offline` / `online` events, as a real loss
//! of connection does.

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::json;

use crate::browser::Browser;

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
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
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
    /// Takes the page offline (`true`) or back online.
    pub async fn set_offline(&self, offline: bool) -> Result<(), String> {
        self.client
            .issue_cmd(SetNetworkConditions { offline })
            .await
            .map(drop)
            .map_err(|e| format!("cannot set the network conditions: {e}"))
    }
}
