//! The Lab page's result, as the flows read it.

use serde_json::Value;

use crate::backend::Backend;
use crate::browser::Browser;

impl Browser {
    /// The figures of the Lab's last run (`ok`, `failed`, `ms`, `refreshes`, `replays`, `protocol`,
    /// `in_flight_cap`, …), as the page reports them for scripts; waits for the run to finish.
    pub async fn lab_figures(&self) -> Value {
        let result = self.text("lab-result").await;
        serde_json::from_str(&result)
            .unwrap_or_else(|e| panic!("lab-result is not JSON ({e}): {result:?}"))
    }
}

/// A whole-number figure of a Lab run; a missing one fails the flow, naming it.
pub fn figure(figures: &Value, name: &str) -> u64 {
    figures[name]
        .as_u64()
        .unwrap_or_else(|| panic!("lab-result has no {name}: {figures}"))
}

/// Two tabs storm at once after the access token expired, the refresh made slow (1.5 s) so that the
/// second tab's requests fail while the first tab's refresh runs. The current tab is signed in and on
/// `lab` (a Lab URL with `n` requests); a second tab opens it too. Each tab must report `n` successes,
/// no failure, and still show `user_name`; the two clients must make exactly one refresh between them.
/// The caller checks the backend's own figures, which differ by backend.
pub async fn two_tab_storm(b: &Browser, server: &Backend, lab: &str, n: u64, user_name: &str) {
    let tab_a = b.window().await;
    let tab_b = b.new_tab().await;
    b.open(lab).await;
    b.wait_testid("lab").await;

    server.reset().await;
    server.expire_access().await;
    server.latency(0, 1500).await;
    b.switch_to(&tab_a).await;
    b.click_testid("lab-run").await;
    b.switch_to(&tab_b).await;
    b.click_testid("lab-run").await;

    let mut client_refreshes = 0;
    for (name, tab) in [("B", &tab_b), ("A", &tab_a)] {
        b.switch_to(tab).await;
        let figures = b.lab_figures().await;
        assert_eq!(figure(&figures, "ok"), n, "tab {name}: {figures}");
        assert_eq!(figure(&figures, "failed"), 0, "tab {name}: {figures}");
        client_refreshes += figure(&figures, "refreshes");
        assert_eq!(
            b.text("user-name").await,
            user_name,
            "tab {name} still signed in"
        );
    }
    assert_eq!(
        client_refreshes, 1,
        "the two clients made one refresh between them"
    );
}
