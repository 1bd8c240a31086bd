//! Child processes that never outlive the tests.
//!
//! Each one runs in its own process group under a tiny `sh` watchdog: dropping the handle kills
//! the whole group (chromedriver *and* the Chromium it started, which would otherwise survive its
//! driver), and if the test process itself dies — a panic that aborts, Ctrl-C, a CI timeout — the
//! watchdog notices within half a second and kills the group too. No orphans either way.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// Runs the program (`"$@"`) in the background and waits while both it and the test process
/// (`$PPID`, fixed when `sh` starts) are alive; then kills its own process group (`-$$`).
const WATCHDOG: &str = r#""$@" & child=$!
while kill -0 "$PPID" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
kill -KILL -- -$$"#;

/// A process group led by the watchdog; killed when dropped.
pub struct Guarded {
    child: Child,
}

impl Guarded {
    /// Starts `program args…` under the watchdog, with the given stdout and stderr (stdin is null).
    pub fn spawn<I, S>(
        program: &OsStr,
        args: I,
        stdout: Stdio,
        stderr: Stdio,
    ) -> std::io::Result<Guarded>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let child = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("sh")
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0)
            .spawn()?;
        Ok(Guarded { child })
    }

    /// The watchdog's `Child` (its stdout is the program's).
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Whether the program has ended (the watchdog ends with it).
    pub fn has_exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        }
    }

    /// Kills the whole group and reaps the watchdog.
    pub fn kill(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.kill();
    }
}
