//! The summary's lines for the bursts and storms over HTTP/1.1 and HTTP/2 (`protocols` in the
//! browser report): client vs plain fetch, the ratio, and the protocol the page saw.

use super::json::Json;
use std::fmt::Write as _;

/// Appends one line per protocol and burst; nothing when the part did not run.
pub fn summary(browser: &Json, out: &mut String) {
    let rows = browser.get("protocols").items();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "protocols   {:<36} {:>10} {:>9} {:>7} {:>8} {:>9}",
        "burst (50 ms per API call)", "client ms", "fetch ms", "ratio", "refresh", "api over"
    );
    for r in rows {
        let over: Vec<&str> = match r.get("next_hop_protocol") {
            Json::Obj(fields) => fields.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        };
        let refresh: Vec<String> = r
            .get("refresh_calls")
            .items()
            .iter()
            .filter_map(Json::num)
            .map(|n| format!("{n}"))
            .collect();
        let _ = writeln!(
            out,
            "            {:<36} {:>10.0} {:>9.0} {:>6.2}× {:>8} {:>9}",
            format!(
                "{} {}",
                r.get("protocol").str().unwrap_or("?"),
                r.get("scenario").str().unwrap_or("?")
            ),
            r.get("client_median_ms").num().unwrap_or(f64::NAN),
            r.get("raw_median_ms").num().unwrap_or(f64::NAN),
            r.get("ratio").num().unwrap_or(f64::NAN),
            if refresh.is_empty() {
                "—".to_string()
            } else {
                refresh.join(",")
            },
            if over.is_empty() {
                "?".to_string()
            } else {
                over.join("+")
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_protocol_and_burst() {
        let report = Json::parse(
            r#"{"protocols":[{"protocol":"HTTP/2","scenario":"50 at once, expired token",
                "client_median_ms":700,"raw_median_ms":200,"ratio":3.5,"refresh_calls":[1,1],
                "next_hop_protocol":{"h2":153}}]}"#,
        );
        let mut out = String::new();
        summary(&report.unwrap_or(Json::Null), &mut out);
        let line = out.lines().nth(1).unwrap_or_default();
        for part in [
            "HTTP/2 50 at once, expired token",
            "700",
            "200",
            "3.50×",
            "1,1",
            "h2",
        ] {
            assert!(line.contains(part), "{part} in {line:?}");
        }
        let mut none = String::new();
        summary(&Json::Null, &mut none);
        assert!(none.is_empty());
    }
}
