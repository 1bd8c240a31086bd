//! The backend under test as the app will see it: the user's `config.json`, read and validated by the app's
//! own code (`lanyard::config`), and the base URL.

use lanyard_client::ClientConfig;
use serde_json::{Map, Value};
use std::path::Path;

#[derive(Clone, Debug)]
pub struct Target {
    /// Where requests go: `base_url + path`.
    pub base_url: String,
    pub client: ClientConfig,
    /// The login body's name for the account (`{<login_field>: …, "password": …}`).
    pub login_field: String,
    /// The file as written, served to the browser (with the changes of [`Target::served_config`]).
    raw: Map<String, Value>,
}

impl Target {
    /// Reads `path` (or the defaults when `None`). The error is one sentence naming the file.
    pub fn load(base_url: &str, path: Option<&Path>) -> Result<Target, String> {
        let raw = match path {
            None => Map::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
                match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(map)) => map,
                    Ok(_) => return Err(format!("{} must hold a JSON object", path.display())),
                    Err(e) => return Err(format!("{} is not valid JSON: {e}", path.display())),
                }
            }
        };
        let shown = path.map_or("the default config".to_string(), |p| {
            p.display().to_string()
        });
        Target::from_map(base_url, raw).map_err(|e| format!("{shown}: {e}"))
    }

    pub(crate) fn from_map(base_url: &str, raw: Map<String, Value>) -> Result<Target, String> {
        // Read exactly as the app reads it at start-up (unknown fields and bad values are refused there too).
        let config = lanyard::config::Config::from_json(&Value::Object(raw.clone()).to_string())
            .map_err(|e| e.to_string())?;
        Ok(Target {
            base_url: base_url.trim_end_matches('/').to_string(),
            client: config.client,
            login_field: config.login_field,
            raw,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Whether the app would call the API on another origin (`api_base` set).
    pub fn cross_origin(&self) -> bool {
        !self.client.api_base.is_empty()
    }

    /// The CSRF cookie names the page reads (the one for refresh may differ).
    pub fn csrf_cookies(&self) -> Vec<&str> {
        let mut names = vec![self.client.csrf_cookie.as_str()];
        if self.client.refresh_csrf_cookie() != self.client.csrf_cookie {
            names.push(self.client.refresh_csrf_cookie());
        }
        names
    }

    /// The config the storm's browser gets: the user's, served on the proxy's origin (`api_base` empty), with
    /// the Lab on, and without proactive refresh so that the storm meets the expired token instead of a
    /// token refreshed just before it expired.
    pub fn served_config(&self) -> String {
        let mut served = self.raw.clone();
        served.insert("api_base".into(), Value::String(String::new()));
        served.insert("lab_enabled".into(), Value::Bool(true));
        served.insert("show_demo_credentials".into(), Value::Bool(false));
        served.insert("proactive_skew_ms".into(), Value::from(0));
        Value::Object(served).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(config: Value) -> Result<Target, String> {
        match config {
            Value::Object(map) => Target::from_map("http://127.0.0.1:8000/", map),
            _ => Err("not an object".into()),
        }
    }

    #[test]
    fn defaults_are_the_apps() {
        let t = target(json!({})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.login_field, "username");
        assert_eq!(
            t.url(&t.client.login_path),
            "http://127.0.0.1:8000/api/auth/login"
        );
        assert_eq!(t.csrf_cookies(), vec!["lanyard_csrf"]);
        assert!(!t.cross_origin());
    }

    #[test]
    fn reads_the_apps_fields_and_the_clients() {
        let t = target(json!({
            "login_field": "email", "log_level": "warn", "csrf_cookie": "csrf_access_token",
            "refresh_csrf_cookie": "csrf_refresh_token", "api_base": "https://api.example.com"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.login_field, "email");
        assert_eq!(
            t.csrf_cookies(),
            vec!["csrf_access_token", "csrf_refresh_token"]
        );
        assert!(t.cross_origin());
        let served: Value = serde_json::from_str(&t.served_config()).unwrap_or_default();
        assert_eq!(served["api_base"], "");
        assert_eq!(served["lab_enabled"], true);
        assert_eq!(served["proactive_skew_ms"], 0);
        assert_eq!(served["login_field"], "email");
    }

    #[test]
    fn bad_values_are_named() {
        let err = |v| target(v).err().unwrap_or_default();
        assert!(err(json!({"api_base": "ftp://x"})).contains("api_base"));
        assert!(err(json!({"login_field": " "})).contains("login_field"));
        assert!(err(json!({"refesh_path": "/r"})).contains("refesh_path"));
        assert!(!err(json!({"refresh_on_status": "401"})).is_empty());
    }
}
