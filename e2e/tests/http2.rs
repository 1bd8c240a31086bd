//! The refresh storm over HTTPS and HTTP/2 (the dev backend with `--tls`): one connection carries
//! every request, the browser multiplexes them, and the client still sends exactly one refresh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lanyard_e2e::lab::figure;
use lanyard_e2e::{run, BackendOptions, Options, REFRESH, WAIT};
use serde_json::Value;

/// How many of the page's API calls went over each protocol (Resource Timing's `nextHopProtocol`).
const PROTOCOLS: &str = "const by = {}; \
    for (const e of performance.getEntriesByType('resource')) { \
        if (new URL(e.name).pathname.startsWith('/api/')) { \
            by[e.nextHopProtocol] = (by[e.nextHopProtocol] || 0) + 1; } } \
    return by;";

#[tokio::test]
async fn lab_storm_over_http2_is_served_by_one_refresh() {
    let options = Options {
        backend: BackendOptions {
            tls: true,
            ..BackendOptions::default()
        },
        ..Options::default()
    };
    run(
        "lab_storm_over_http2_is_served_by_one_refresh",
        options,
        |ctx| async move {
            let (b, server) = (&ctx.browser, &ctx.backend);
            assert!(server.base_url.starts_with("https://"), "{}", server.base_url);
            b.open("/lab?n=50&path=/api/notes&mode=storm&via=client").await;
            b.wait_path("/login", WAIT).await;
            b.sign_in("user", "user-pass").await;
            b.wait_path("/lab", WAIT).await;
            b.wait_testid("lab").await;
            // Secure cookies over https, none readable but the CSRF one.
            let readable = b.js("return document.cookie").await;
            let readable = readable.as_str().unwrap_or_default();
            assert!(readable.starts_with("lanyard_csrf="), "{readable:?}");
            // Room for every entry of the storm (the default buffer holds 250).
            b.js("performance.setResourceTimingBufferSize(5000); performance.clearResourceTimings();")
                .await;

            server.reset().await;
            server.expire_access().await;
            server.latency(0, 200).await;
            b.click_testid("lab-run").await;
            let figures = b.lab_figures().await;
            assert_eq!(figure(&figures, "ok"), 50, "{figures}");
            assert_eq!(figure(&figures, "failed"), 0, "{figures}");
            assert_eq!(figure(&figures, "refreshes"), 1, "{figures}");

            let stats = server.stats().await;
            assert_eq!(stats.refreshes(), 1, "one refresh for the storm: {stats}");
            assert_eq!(stats.count(REFRESH, "200"), 1, "{stats}");
            assert_eq!(stats.count("GET /api/notes", "200"), 50, "{stats}");

            let protocols = b.js(PROTOCOLS).await;
            let by = protocols.as_object().expect("an object of counts");
            let total: u64 = by.values().filter_map(Value::as_u64).sum();
            // The 50 answers, the 401s that met the expired token, and the refresh.
            assert!(total >= 51, "every API call has a timing entry: {protocols}");
            assert_eq!(
                by.get("h2").and_then(Value::as_u64),
                Some(total),
                "every API call went over HTTP/2: {protocols}"
            );
        },
    )
    .await;
}
