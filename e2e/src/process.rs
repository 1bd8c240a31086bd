//! Child processes that never outlive the tests.
//!
//! Each one runs in its own process group under a tiny `sh` watchdog: dropping the handle kills
//! the whole group (chromedriver *and* the Chromium it started, which would otherwise survive its
//! driver), and if the test process itself dies — a panic that aborts, Ctrl-C, a CI timeout — the
//! watchdog notices within half a second and kills the group too. No orphans either way.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The watchdog (`dash`-compatible). Runs the program (`"$@"`) in the background and naps while
/// both it and the test process (`$PPID`, fixed when `sh` starts) are alive. Then, or on SIGTERM
/// (how [`Guarded::kill`] asks), it kills the program, reaps it (so no zombie is left to an init
/// that does not reap), and kills what remains of its process group (`-$$`), itself included.
const WATCHDOG: &str = r#""$@" &
child=$!
nap=
stop() { kill -KILL "$child" $nap 2>/dev/null; wait; kill -KILL -$$; }
trap stop TERM
while kill -0 "$PPID" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
  sleep 0.5 &
  nap=$!
  wait "$nap"
  nap=
done
stop"#;

/// How long [`Guarded::kill`] waits for the watchdog before killing the group outright.
const STOP_TIMEOUT: Duration = Duration::from_secs(3);

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

    /// Stops the program and its group, and reaps the watchdog.
    pub fn kill(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = signal(&self.child.id().to_string(), "-TERM");
            let started = Instant::now();
            while matches!(self.child.try_wait(), Ok(None)) && started.elapsed() < STOP_TIMEOUT {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Whatever is left (the watchdog did not answer, or it is gone and left strays).
        let _ = signal(&format!("-{}", self.child.id()), "-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kill SIGNAL -- TARGET` (a pid, or `-pgid` for a process group).
fn signal(target: &str, signal: &str) -> std::io::Result<std::process::ExitStatus> {
    Command::new("kill")
        .args([signal, "--", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.kill();
    }
}
