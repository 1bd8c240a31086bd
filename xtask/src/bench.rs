//! `cargo xtask bench`: figures, never assertions. Bundle size (the app, and next to it a bare Yew app,
//! `bench/floor`, and the minimal example on the two crates, `examples/minimal`, all built alike), then the
//! browser benchmarks (refresh storms, the bursts and storms over HTTP/1.1 and HTTP/2, client overhead,
//! start-up of the app, the bare app and the example:
//! `e2e/src/bin/bench.rs` in headless Chromium against the release backend), then the backend's load
//! figures (`server/examples/load.rs`). Each part writes its JSON to `bench-results/`; they are merged
//! into `bench-results/latest.json` with a description of the machine, and one summary table is printed.
//!
//! `--quick`: smaller storms and fewer runs, for a smoke test of the benchmarks themselves.

mod json;
mod protocols;

use crate::size::{self, kib, SizeRow};
use crate::{dev, proc, root, target_dir, tools};
use json::Json;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub fn run(flags: &[String]) -> Result<(), String> {
    let quick = flags.iter().any(|f| f == "--quick");
    if let Some(unknown) = flags.iter().find(|f| f.as_str() != "--quick") {
        return Err(format!("bench: unknown option `{unknown}` (only --quick)"));
    }
    let started = Instant::now();
    tools::setup(false)?;
    // Size and start-up are the production build's; the storms and overhead runs need the Lab.
    let production = target_dir().join("bench-dist").join("production");
    let with_lab = target_dir().join("bench-dist").join("lab");
    dev::build_dist(dev::Flavour::Production, &production)?;
    dev::build_dist(dev::Flavour::WithLab, &with_lab)?;
    // The reference point: a bare Yew app built the same way (bench/floor), measured next to Lanyard;
    // and the minimal example (the two crates on Yew, no more), measured next to the bare app.
    let floor = target_dir().join("bench-dist").join("floor");
    let example = target_dir().join("bench-dist").join("example");
    size::build_floor(&floor)?;
    size::build_example(&example)?;
    let sizes = size::figures(&production)?;
    let floor_sizes = size::figures(&floor)?;
    let example_sizes = size::figures(&example)?;
    let mut table = String::from("\nbundle size (production release build, without the Lab)\n");
    let _ = writeln!(
        table,
        "  {:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut json_rows = Vec::new();
    for row in &sizes {
        let _ = writeln!(
            table,
            "  {:<28} {:>8.1}Ki {:>8.1}Ki {:>8.1}Ki",
            row.name,
            kib(row.raw),
            kib(row.gzip),
            kib(row.brotli)
        );
        json_rows.push(row.json());
    }
    for (name, rows) in [
        ("reference: bare Yew app", &floor_sizes),
        ("minimal example (crates)", &example_sizes),
    ] {
        if let Some(total) = size::total(rows) {
            let _ = writeln!(
                table,
                "  {:<28} {:>8.1}Ki {:>8.1}Ki {:>8.1}Ki",
                name,
                kib(total.raw),
                kib(total.gzip),
                kib(total.brotli)
            );
        }
    }
    print!("{table}");
    let floor_json: Vec<String> = floor_sizes.iter().map(SizeRow::json).collect();
    let example_json: Vec<String> = example_sizes.iter().map(SizeRow::json).collect();
    let dir = root().join("bench-results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    // The parts below go on when one fails: whatever was measured is still written and shown.
    let mut failures = Vec::new();
    let browser_json = dir.join("browser.json");
    let load_json = dir.join("server-load.json");
    for stale in [&browser_json, &load_json] {
        let _ = std::fs::remove_file(stale);
    }
    match dev::build_server(true) {
        Ok(server_bin) => {
            // The driver in the debug profile: it only polls (every figure is timed in the page or
            // counted by the server), and the release profile aborts on panic, which would turn one
            // failed scenario into a lost run.
            let mut cmd = Command::new("cargo");
            cmd.args(["run", "--package", "lanyard-e2e", "--bin", "bench", "--"])
                .arg("--dist")
                .arg(&with_lab)
                .arg("--startup-dist")
                .arg(&production)
                .arg("--floor-dist")
                .arg(&floor)
                .arg("--example-dist")
                .arg(&example)
                .arg("--server-bin")
                .arg(&server_bin)
                .arg("--json")
                .arg(&browser_json)
                .current_dir(root());
            if quick {
                cmd.arg("--quick");
            }
            if let Err(e) = proc::run(&mut cmd) {
                failures.push(format!("browser benchmarks: {e}"));
            }
        }
        Err(e) => failures.push(format!("browser benchmarks: {e}")),
    }
    let mut cmd = Command::new("cargo");
    cmd.args([
        "run",
        "--package",
        "lanyard-server",
        "--release",
        "--example",
        "load",
        "--",
    ])
    .arg("--json")
    .arg(&load_json)
    .current_dir(root());
    if quick {
        cmd.args(["--duration-secs", "1"]);
    }
    if let Err(e) = proc::run(&mut cmd) {
        failures.push(format!("backend load: {e}"));
    }

    let browser = read_report(&browser_json, &mut failures);
    let load = read_report(&load_json, &mut failures);
    let seconds = started.elapsed().as_secs();
    let machine = machine();
    let embed = |r: &Option<(String, Json)>| {
        r.as_ref()
            .map(|(text, _)| text.trim().to_string())
            .unwrap_or_else(|| "null".to_string())
    };
    let json = format!(
        "{{\n\"size\":[{}],\n\"size_reference_bare_yew\":[{}],\n\"size_example\":[{}],\n\"browser\":{},\n\"server_load\":{},\n\"machine\":{},\n\"bench_seconds\":{seconds},\n\"quick\":{quick}\n}}\n",
        json_rows.join(","),
        floor_json.join(","),
        example_json.join(","),
        embed(&browser),
        embed(&load),
        machine.json(),
    );
    let out = dir.join("latest.json");
    std::fs::write(&out, json).map_err(|e| format!("cannot write {}: {e}", out.display()))?;

    print!(
        "{}",
        summary(
            &sizes,
            &floor_sizes,
            &example_sizes,
            browser.as_ref().map(|b| &b.1),
            load.as_ref().map(|l| &l.1),
            &machine
        )
    );
    println!(
        "\nwrote {} (cargo xtask bench took {seconds} s)",
        out.display()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "some benchmarks could not run:\n  {}",
            failures.join("\n  ")
        ))
    }
}

/// A sub-report as written (to embed) and as read (for the summary); `None` when missing or not JSON.
fn read_report(path: &Path, failures: &mut Vec<String>) -> Option<(String, Json)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            failures.push(format!("{} was not written: {e}", path.display()));
            return None;
        }
    };
    match Json::parse(&text) {
        Ok(value) => Some((text, value)),
        Err(e) => {
            failures.push(format!("{} is not JSON: {e}", path.display()));
            None
        }
    }
}

struct Machine {
    cores: usize,
    cpu: String,
    date: String,
}

impl Machine {
    fn json(&self) -> String {
        format!(
            "{{\"cores\":{},\"cpu\":\"{}\",\"date\":\"{}\",\"os\":\"{}\",\"arch\":\"{}\"}}",
            self.cores,
            escape(&self.cpu),
            self.date,
            std::env::consts::OS,
            std::env::consts::ARCH
        )
    }
}

fn machine() -> Machine {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Machine {
        cores,
        cpu,
        date: utc_date_time(secs),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (the civil-from-days algorithm; no date crate needed).
fn utc_date_time(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Counts the targets of one part as met, or lists them as missed.
fn tally(scope: &str, targets: &Json, met: &mut usize, missed: &mut Vec<String>) {
    for t in targets.items() {
        if t.get("met").bool() == Some(true) {
            *met += 1;
        } else {
            missed.push(format!(
                "{scope}: {} ({})",
                t.get("target").str().unwrap_or("?"),
                t.get("detail").str().unwrap_or("")
            ));
        }
    }
}

/// The bundle-size target of the benchmark issue: the release wasm + JS glue, gzip.
const SIZE_TARGET_KIB_GZIP: f64 = 130.0;

/// One table with the figures that matter, and which targets were met.
fn summary(
    sizes: &[SizeRow],
    floor_sizes: &[SizeRow],
    example_sizes: &[SizeRow],
    browser: Option<&Json>,
    load: Option<&Json>,
    machine: &Machine,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n== summary ({} cores, {}, {}) ==",
        machine.cores, machine.cpu, machine.date
    );
    if let Some(total) = sizes.iter().find(|r| r.name == "total") {
        let _ = writeln!(
            out,
            "bundle      {:.1} KiB brotli ({:.1} KiB gzip, {:.1} KiB raw): wasm + JS glue",
            kib(total.brotli),
            kib(total.gzip),
            kib(total.raw)
        );
    }
    if let Some(total) = size::total(floor_sizes) {
        let _ = writeln!(
            out,
            "            reference, a bare Yew + yew-router + gloo-net + serde app: {:.1} KiB gzip",
            kib(total.gzip)
        );
        if let Some(example) = size::total(example_sizes) {
            let _ = writeln!(
                out,
                "            the minimal example (lanyard-client + lanyard-yew on Yew): {:.1} KiB gzip, \
                 {:+.1} KiB over the bare app",
                kib(example.gzip),
                kib(example.gzip) - kib(total.gzip)
            );
        }
    }
    let mut met = 0;
    let mut missed = Vec::new();
    if let Some(total) = sizes.iter().find(|r| r.name == "total") {
        if kib(total.gzip) <= SIZE_TARGET_KIB_GZIP {
            met += 1;
        } else {
            missed.push(format!(
                "size: wasm + JS glue ≤ {SIZE_TARGET_KIB_GZIP} KiB gzip ({:.1} KiB)",
                kib(total.gzip)
            ));
        }
    }
    match browser {
        Some(b) => {
            let _ = writeln!(
                out,
                "browser     {:<44} {:>9} {:>8} {:>5} {:>8} {:>6}",
                "scenario (50 ms per API call)", "ok", "refresh", "401s", "wall ms", "ratio"
            );
            for s in b.get("scenarios").items() {
                let name = s.get("scenario").str().unwrap_or("?");
                if let Some(error) = s.get("error").str() {
                    let first = error.lines().next().unwrap_or_default();
                    let _ = writeln!(out, "            {name:<44} could not run: {first}");
                    continue;
                }
                let num = |v: &Json| v.num().map(|n| format!("{n}")).unwrap_or("?".into());
                let lab = s.get("lab");
                let server = s.get("server");
                let ratio = s
                    .get("ratio_to_baseline")
                    .num()
                    .map(|r| format!("{r:.2}×"))
                    .unwrap_or_else(|| "—".into());
                let _ = writeln!(
                    out,
                    "            {name:<44} {:>9} {:>8} {:>5} {:>8} {:>6}",
                    format!("{}/{}", num(lab.get("ok")), num(s.get("n"))),
                    num(server.get("refresh_200")),
                    num(server.get("responses_401")),
                    num(s.get("wall_ms")),
                    ratio
                );
                for e in s.get("lab_errors").items() {
                    let _ = writeln!(out, "              failed: {}", e.str().unwrap_or("?"));
                }
                tally(name, s.get("targets"), &mut met, &mut missed);
            }
            protocols::summary(b, &mut out);
            let o = b.get("overhead");
            if let (Some(client), Some(raw), Some(pct)) = (
                o.get("client_median_ms").num(),
                o.get("raw_median_ms").num(),
                o.get("overhead_pct").num(),
            ) {
                let _ = writeln!(
                    out,
                    "overhead    {client:.3} ms per request through the client vs {raw:.3} ms plain fetch: {pct:+.1} %"
                );
                tally("overhead", o.get("targets"), &mut met, &mut missed);
            }
            let st = b.get("startup");
            if let (Some(median), Some(p90)) = (st.get("median_ms").num(), st.get("p90_ms").num()) {
                let _ = writeln!(
                    out,
                    "start-up    login page visible: median {median:.0} ms, p90 {p90:.0} ms ({} cold loads)",
                    st.get("runs").num().unwrap_or(0.0)
                );
                if let Some(reference) = b.get("startup_reference").get("median_ms").num() {
                    let _ = writeln!(
                        out,
                        "            reference, a bare Yew app loaded the same way: median {reference:.0} ms"
                    );
                }
                let example = b.get("startup_example");
                if let Some(median) = example.get("median_ms").num() {
                    let ratio = example
                        .get("ratio_to_floor")
                        .num()
                        .map(|r| format!(" ({r:.2}× the bare app)"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "            the minimal example (examples/minimal): median {median:.0} ms{ratio}"
                    );
                }
                tally("start-up", st.get("targets"), &mut met, &mut missed);
            }
            for e in b.get("errors").items() {
                missed.push(format!("could not run: {}", e.str().unwrap_or("?")));
            }
        }
        None => {
            let _ = writeln!(
                out,
                "browser     (no figures: the browser benchmarks did not run)"
            );
        }
    }
    match load {
        Some(l) => {
            for r in l.get("results").items() {
                let _ = writeln!(
                    out,
                    "backend     {:<24} ×{:<3} {:>8.0} req/s  p50 {:.2} ms  p99 {:.2} ms  errors {}",
                    r.get("endpoint").str().unwrap_or("?"),
                    r.get("concurrency").num().unwrap_or(0.0),
                    r.get("requests_per_sec").num().unwrap_or(0.0),
                    r.get("p50_ms").num().unwrap_or(f64::NAN),
                    r.get("p99_ms").num().unwrap_or(f64::NAN),
                    r.get("errors").num().unwrap_or(f64::NAN)
                );
            }
        }
        None => {
            let _ = writeln!(
                out,
                "backend     (no figures: the load benchmark did not run)"
            );
        }
    }
    let _ = writeln!(out, "targets     {met} met, {} missed", missed.len());
    for m in &missed {
        let _ = writeln!(out, "  missed    {m}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(utc_date_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_date_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_date_time(1_790_000_000), "2026-09-21T14:13:20Z");
    }

    #[test]
    fn escapes_strings_for_json() {
        assert_eq!(escape("a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
    }
}
