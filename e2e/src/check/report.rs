//! The report: one line per check in plain words, a summary line, and the exit code.

use std::fmt;

/// How one check came out. The text says what was seen and, on FAIL, what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passed; the note adds something worth knowing (informational findings).
    Pass(Option<String>),
    /// Acceptable here but not everywhere (plain HTTP on loopback, a missing attribute browsers default).
    Warn(String),
    Fail(String),
    /// Could not be checked; says why and what would make it checkable.
    Skip(String),
}

impl Verdict {
    pub fn pass() -> Verdict {
        Verdict::Pass(None)
    }

    pub fn pass_with(note: impl Into<String>) -> Verdict {
        Verdict::Pass(Some(note.into()))
    }

    pub fn fail(what: impl Into<String>) -> Verdict {
        Verdict::Fail(what.into())
    }

    pub fn is_fail(&self) -> bool {
        matches!(self, Verdict::Fail(_))
    }

    /// The worse of two verdicts (FAIL > WARN > SKIP > PASS), texts joined when both are of that rank.
    pub fn and(self, other: Verdict) -> Verdict {
        fn rank(v: &Verdict) -> u8 {
            match v {
                Verdict::Pass(_) => 0,
                Verdict::Skip(_) => 1,
                Verdict::Warn(_) => 2,
                Verdict::Fail(_) => 3,
            }
        }
        fn text(v: &Verdict) -> Option<&str> {
            match v {
                Verdict::Pass(note) => note.as_deref(),
                Verdict::Warn(t) | Verdict::Fail(t) | Verdict::Skip(t) => Some(t),
            }
        }
        let (worse, better) = if rank(&other) > rank(&self) {
            (other, self)
        } else {
            (self, other)
        };
        if rank(&worse) != rank(&better) {
            return worse;
        }
        let joined = match (text(&worse), text(&better)) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b).map(str::to_string),
        };
        match worse {
            Verdict::Pass(_) => Verdict::Pass(joined),
            Verdict::Warn(_) => Verdict::Warn(joined.unwrap_or_default()),
            Verdict::Fail(_) => Verdict::Fail(joined.unwrap_or_default()),
            Verdict::Skip(_) => Verdict::Skip(joined.unwrap_or_default()),
        }
    }
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub check: String,
    pub verdict: Verdict,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (label, text) = match &self.verdict {
            Verdict::Pass(note) => ("PASS", note.as_deref()),
            Verdict::Warn(t) => ("WARN", Some(t.as_str())),
            Verdict::Fail(t) => ("FAIL", Some(t.as_str())),
            Verdict::Skip(t) => ("SKIP", Some(t.as_str())),
        };
        match text {
            Some(text) if !text.is_empty() => write!(f, "{label}  {} — {text}", self.check),
            _ => write!(f, "{label}  {}", self.check),
        }
    }
}

/// The lines so far; each is printed as soon as it is known (some checks wait for a token to expire).
#[derive(Default)]
pub struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    pub fn add(&mut self, check: impl Into<String>, verdict: Verdict) {
        let line = Line {
            check: check.into(),
            verdict,
        };
        println!("{line}");
        self.lines.push(line);
    }

    /// `N passed, N failed, N warnings, N skipped`.
    pub fn summary(&self) -> String {
        let count = |f: fn(&Verdict) -> bool| self.lines.iter().filter(|l| f(&l.verdict)).count();
        let passed = count(|v| matches!(v, Verdict::Pass(_)));
        let failed = count(Verdict::is_fail);
        let warned = count(|v| matches!(v, Verdict::Warn(_)));
        let skipped = count(|v| matches!(v, Verdict::Skip(_)));
        let verdict = if failed > 0 {
            "your backend needs the changes above"
        } else {
            "your backend works with Lanyard"
        };
        format!("{passed} passed, {failed} failed, {warned} warnings, {skipped} skipped: {verdict}")
    }

    /// 1 when any check failed, else 0.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.lines.iter().any(|l| l.verdict.is_fail()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_documented() {
        let line = |verdict| Line {
            check: "cookies: Secure".into(),
            verdict,
        };
        assert_eq!(line(Verdict::pass()).to_string(), "PASS  cookies: Secure");
        assert_eq!(
            line(Verdict::fail("add Secure")).to_string(),
            "FAIL  cookies: Secure — add Secure"
        );
        assert_eq!(
            line(Verdict::Skip("why".into())).to_string(),
            "SKIP  cookies: Secure — why"
        );
    }

    #[test]
    fn and_keeps_the_worst_and_joins_equals() {
        assert_eq!(Verdict::pass().and(Verdict::fail("a")), Verdict::fail("a"));
        assert_eq!(
            Verdict::fail("a").and(Verdict::fail("b")),
            Verdict::fail("a; b")
        );
        assert_eq!(
            Verdict::Warn("w".into()).and(Verdict::pass_with("n")),
            Verdict::Warn("w".into())
        );
        assert_eq!(Verdict::pass().and(Verdict::pass()), Verdict::pass());
    }

    #[test]
    fn any_fail_makes_the_exit_code_1() {
        let mut report = Report::default();
        report.add("a", Verdict::pass());
        report.add("b", Verdict::Warn("w".into()));
        assert_eq!(report.exit_code(), 0);
        report.add("c", Verdict::fail("x"));
        assert_eq!(report.exit_code(), 1);
        assert!(report
            .summary()
            .starts_with("1 passed, 1 failed, 1 warnings, 0 skipped"));
    }
}
