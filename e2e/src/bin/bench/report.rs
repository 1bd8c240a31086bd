//! The figures against the targets of the issue, as a table for people and JSON for tools.
//! A target is marked met or missed; nothing here fails the run.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::lab::{LabRun, Overhead, Storms, Token, LATENCY_MS, SLOW_REFRESH_MS};
use crate::session::{figure, median, round};
use crate::startup::Startup;

/// A wall-time bound may exceed its ideal by this factor.
const SLACK: f64 = 1.15;
const OVERHEAD_TARGET_PCT: f64 = 5.0;
const STARTUP_TARGET_MS: f64 = 150.0;

pub struct Report {
    pub storms: Storms,
    pub overhead: Option<Overhead>,
    pub startup: Option<Startup>,
    /// The same cold loads of a bare Yew app (`bench/floor`): what the framework alone costs here.
    pub startup_reference: Option<Startup>,
    /// The same cold loads of the minimal example (`examples/minimal`): the crates on a bare Yew app.
    pub startup_example: Option<Startup>,
    pub errors: Vec<String>,
}

pub struct Target {
    pub name: String,
    pub met: bool,
    pub detail: String,
}

impl Target {
    fn new(name: impl Into<String>, met: bool, detail: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            met,
            detail: detail.into(),
        }
    }
    fn json(&self) -> Value {
        json!({ "target": self.name, "met": self.met, "detail": self.detail })
    }
    fn mark(&self) -> &'static str {
        if self.met {
            "met"
        } else {
            "MISSED"
        }
    }
}

impl Report {
    fn rtt(&self) -> (f64, f64) {
        self.storms
            .rtt
            .as_ref()
            .map(|r| (median(&r.normal), median(&r.slow)))
            .unwrap_or((f64::NAN, f64::NAN))
    }

    fn wall(run: &LabRun) -> f64 {
        figure(&run.lab, "ms").unwrap_or(f64::NAN)
    }

    fn baseline_ms(&self, key: Option<&str>) -> Option<f64> {
        let key = key?;
        self.storms.runs.iter().find_map(|r| match r {
            Ok(run) if run.spec.key == key => Some(Self::wall(run)),
            _ => None,
        })
    }

    /// The targets one scenario is judged by.
    fn storm_targets(&self, run: &LabRun) -> Vec<Target> {
        let n = f64::from(run.spec.n);
        let ok = figure(&run.lab, "ok").unwrap_or(0.0);
        let failed = figure(&run.lab, "failed").unwrap_or(f64::NAN);
        let c = &run.counts;
        let mut targets = vec![Target::new(
            "N/N ok",
            ok == n && failed == 0.0,
            format!("{ok}/{n} ok, {failed} failed"),
        )];
        if run.spec.token == Token::Fresh {
            targets.push(Target::new(
                "no refresh",
                c.refresh_calls == 0,
                format!("{} refresh calls", c.refresh_calls),
            ));
            return targets;
        }
        // The server's count, and the client's own: a refresh that timed out before it left the
        // browser never reaches the server, but it is a refresh all the same.
        let started = figure(&run.lab, "refreshes").unwrap_or(f64::NAN);
        targets.push(Target::new(
            "exactly 1 refresh",
            c.refresh_ok == 1 && c.refresh_calls == 1 && started == 1.0,
            format!(
                "server: {} refresh calls, {} answered 200; the client started {started}",
                c.refresh_calls, c.refresh_ok
            ),
        ));
        let wall = Self::wall(run);
        // A run with failures ends early: its time says nothing about the bound.
        let all_ok = ok == n && failed == 0.0;
        let caveat = if all_ok {
            String::new()
        } else {
            format!(" — but {failed} failed, so not comparable")
        };
        let baseline = self.baseline_ms(run.spec.baseline).unwrap_or(f64::NAN);
        let (rtt, slow_rtt) = self.rtt();
        match (run.spec.token, run.spec.mode) {
            (Token::Expired, "storm") => {
                let bound = SLACK * (2.0 * baseline + rtt);
                targets.push(Target::new(
                    "wall ≤ 1.15 × (2 × baseline + refresh RTT)",
                    all_ok && wall <= bound,
                    format!(
                        "{wall:.0} ms ≤ 1.15 × (2 × {baseline:.0} + {rtt:.0}) = {bound:.0} ms{caveat}"
                    ),
                ));
            }
            (Token::Proactive, _) => {
                targets.push(Target::new(
                    "0 responses 401",
                    c.unauthorized == 0,
                    format!("{} responses 401", c.unauthorized),
                ));
                let bound = SLACK * (baseline + slow_rtt);
                targets.push(Target::new(
                    "wall ≤ 1.15 × (baseline + refresh RTT)",
                    wall <= bound,
                    format!(
                        "{wall:.0} ms ≤ 1.15 × ({baseline:.0} + {slow_rtt:.0}) = {bound:.0} ms"
                    ),
                ));
            }
            _ => {}
        }
        targets
    }

    fn overhead_targets(o: &Overhead) -> Vec<Target> {
        let pct = o.overhead_pct();
        vec![Target::new(
            "client overhead ≤ 5 %",
            pct <= OVERHEAD_TARGET_PCT,
            format!(
                "{:.3} ms vs {:.3} ms raw: {pct:+.1} % (paired by round: {:+.1} %)",
                o.client_ms(),
                o.raw_ms(),
                o.paired_overhead_pct()
            ),
        )]
    }

    /// The minimal example's median cold start over the bare Yew app's, when both were measured.
    fn example_ratio_to_floor(&self) -> Option<f64> {
        let example = self.startup_example.as_ref()?.median_ms();
        let floor = self.startup_reference.as_ref()?.median_ms();
        let ratio = example / floor;
        ratio.is_finite().then_some(ratio)
    }

    fn startup_targets(s: &Startup) -> Vec<Target> {
        let m = s.median_ms();
        vec![Target::new(
            "login visible ≤ 150 ms (median)",
            m <= STARTUP_TARGET_MS,
            format!("median {m:.0} ms over {} cold loads", s.marks.len()),
        )]
    }

    fn all_targets(&self) -> Vec<(String, Target)> {
        let mut all = Vec::new();
        for run in self.storms.runs.iter().flatten() {
            for t in self.storm_targets(run) {
                all.push((run.spec.label.clone(), t));
            }
        }
        if let Some(o) = &self.overhead {
            all.extend(
                Self::overhead_targets(o)
                    .into_iter()
                    .map(|t| ("overhead".to_string(), t)),
            );
        }
        if let Some(s) = &self.startup {
            all.extend(
                Self::startup_targets(s)
                    .into_iter()
                    .map(|t| ("start-up".to_string(), t)),
            );
        }
        all
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        if !self.storms.runs.is_empty() {
            self.storm_table(&mut out);
        }
        self.other_tables(&mut out);
        out
    }

    fn storm_table(&self, out: &mut String) {
        let (rtt, slow_rtt) = self.rtt();
        let _ = writeln!(
            out,
            "\nrefresh storms (headless Chromium, {LATENCY_MS} ms per API call; refresh RTT {rtt:.1} ms, \
             slow refresh RTT {slow_rtt:.1} ms)"
        );
        let _ = writeln!(
            out,
            "  {:<44} {:>5} {:>10} {:>9} {:>6} {:>8} {:>7}  targets",
            "scenario", "N", "ok/failed", "refresh", "401s", "wall ms", "ratio"
        );
        for run in &self.storms.runs {
            match run {
                Ok(run) => {
                    let wall = Self::wall(run);
                    let ratio = self
                        .baseline_ms(run.spec.baseline)
                        .map(|b| format!("{:.2}×", wall / b))
                        .unwrap_or_else(|| "—".into());
                    let targets = self.storm_targets(run);
                    let missed = targets.iter().filter(|t| !t.met).count();
                    let _ = writeln!(
                        out,
                        "  {:<44} {:>5} {:>10} {:>9} {:>6} {:>8.0} {:>7}  {}",
                        run.spec.label,
                        run.spec.n,
                        format!(
                            "{}/{}",
                            figure(&run.lab, "ok").unwrap_or(f64::NAN),
                            figure(&run.lab, "failed").unwrap_or(f64::NAN)
                        ),
                        format!("{}/{}", run.counts.refresh_ok, run.counts.refresh_calls),
                        run.counts.unauthorized,
                        wall,
                        ratio,
                        if missed == 0 {
                            format!("all {} met", targets.len())
                        } else {
                            format!("{missed} of {} MISSED", targets.len())
                        }
                    );
                }
                Err((spec, e)) => {
                    let first = e.lines().next().unwrap_or_default();
                    let _ = writeln!(out, "  {:<44} could not run: {first}", spec.label);
                }
            }
        }
        let _ = writeln!(
            out,
            "  (refresh = calls answered 200 / all refresh calls, counted by the server; \
             ratio = wall time / the fresh-token run of the same shape)"
        );
    }

    fn other_tables(&self, out: &mut String) {
        if let Some(o) = &self.overhead {
            let _ = writeln!(
                out,
                "\nclient overhead per request (serial GETs, no latency, median of {} runs of {} each, same page)",
                o.client.len(),
                o.n
            );
            let _ = writeln!(
                out,
                "  through the client {:.3} ms, plain fetch {:.3} ms: overhead {:+.1} % \
                 (median of each round's own ratio: {:+.1} %)",
                o.client_ms(),
                o.raw_ms(),
                o.overhead_pct(),
                o.paired_overhead_pct()
            );
        }
        if let Some(s) = &self.startup {
            let _ = writeln!(
                out,
                "\nstart-up (cold load of the release build, fresh profile, to the login page on screen)"
            );
            let _ = writeln!(
                out,
                "  median {:.0} ms, p90 {:.0} ms over {} loads; median end of each step:",
                s.median_ms(),
                s.p90_ms(),
                s.marks.len(),
            );
            for (step, ms) in s.step_medians() {
                let _ = writeln!(out, "    {step:<24} {ms:>6.0} ms");
            }
        }
        if let Some(r) = &self.startup_reference {
            let _ = writeln!(
                out,
                "  reference, a bare Yew app (bench/floor) loaded the same way: median {:.0} ms, p90 {:.0} ms",
                r.median_ms(),
                r.p90_ms()
            );
        }
        if let Some(e) = &self.startup_example {
            let ratio = self
                .example_ratio_to_floor()
                .map(|r| format!(" ({r:.2}× the bare app)"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  the minimal example (examples/minimal, the crates on Yew) loaded the same way: \
                 median {:.0} ms, p90 {:.0} ms{ratio}",
                e.median_ms(),
                e.p90_ms()
            );
        }
        let _ = writeln!(out, "\ntargets (figures, not assertions)");
        for (scope, t) in self.all_targets() {
            let _ = writeln!(
                out,
                "  {:<6} {:<44} {:<44} {}",
                t.mark(),
                scope,
                t.name,
                t.detail
            );
        }
    }

    pub fn json(&self) -> Value {
        let (rtt, slow_rtt) = self.rtt();
        let scenarios: Vec<Value> = self
            .storms
            .runs
            .iter()
            .map(|run| match run {
                Ok(run) => {
                    let wall = Self::wall(run);
                    json!({
                        "key": run.spec.key,
                        "scenario": run.spec.label,
                        "n": run.spec.n,
                        "mode": run.spec.mode,
                        "gap_ms": run.spec.gap_ms,
                        "token": format!("{:?}", run.spec.token).to_lowercase(),
                        "slow_refresh": run.spec.slow_refresh,
                        "lab": run.lab,
                        "server": run.counts.json(),
                        "wall_ms": wall,
                        "baseline": run.spec.baseline,
                        "ratio_to_baseline": self.baseline_ms(run.spec.baseline).map(|b| round(wall / b, 3)),
                        "targets": self.storm_targets(run).iter().map(Target::json).collect::<Vec<_>>(),
                        "lab_errors": run.errors,
                    })
                }
                Err((spec, e)) => json!({ "key": spec.key, "scenario": spec.label, "error": e }),
            })
            .collect();
        let all = self.all_targets();
        let met = all.iter().filter(|(_, t)| t.met).count();
        let finite = |x: f64| x.is_finite().then(|| round(x, 2));
        let runs = |pick: fn(&crate::lab::RefreshRtt) -> &Vec<f64>| {
            self.storms
                .rtt
                .as_ref()
                .map(|r| pick(r).iter().map(|x| round(*x, 2)).collect::<Vec<_>>())
        };
        json!({
            "latency_ms": LATENCY_MS,
            "slow_refresh_extra_ms": SLOW_REFRESH_MS,
            "refresh_rtt_ms": { "median": finite(rtt), "runs": runs(|r| &r.normal) },
            "slow_refresh_rtt_ms": { "median": finite(slow_rtt), "runs": runs(|r| &r.slow) },
            "scenarios": scenarios,
            "overhead": self.overhead.as_ref().map(|o| {
                let mut v = o.json();
                v["targets"] = json!(Self::overhead_targets(o).iter().map(Target::json).collect::<Vec<_>>());
                v
            }),
            "startup": self.startup.as_ref().map(|s| {
                let mut v = s.json();
                v["targets"] = json!(Self::startup_targets(s).iter().map(Target::json).collect::<Vec<_>>());
                v
            }),
            "startup_reference": self.startup_reference.as_ref().map(Startup::json),
            "startup_example": self.startup_example.as_ref().map(|s| {
                let mut v = s.json();
                v["ratio_to_floor"] = json!(self.example_ratio_to_floor().map(|r| round(r, 3)));
                v
            }),
            "targets_met": met,
            "targets_missed": all.len() - met,
            "errors": self.errors,
        })
    }
}
