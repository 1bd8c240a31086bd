//! The Lab page's result, as the flows read it.

use serde_json::Value;

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
