//! Child processes that never outlive the tests.
//!
//! Each one runs in its own process group under a tiny `sh` watchdog: dropping the handle kills
//! the whole group (chromedriver *and* the Chromium it started, which would otherwise survive its
//! driver), and if the test process itself dies — a panic that aborts, Ctrl-C, a CI timeout — the
//! watchdog notices within half a second and kills the group too. No orphans either way.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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

/// Starts a server (`program args…`) under the watchdog with its stdout and stderr in `log_path`, and
/// waits up to `timeout` for it to print `listening on http://…`. Returns it and that address (no
/// trailing slash); on a timeout it is stopped and the error carries its output.
pub fn spawn_server(
    program: &OsStr,
    args: &[OsString],
    log_path: &Path,
    timeout: Duration,
) -> Result<(Guarded, String), String> {
    if let Some(dir) = log_path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let log =
        File::create(log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let stderr = log
        .try_clone()
        .map_err(|e| format!("cannot share the log file: {e}"))?;
    let name = Path::new(program).display().to_string();
    let mut process = Guarded::spawn(program, args, Stdio::piped(), Stdio::from(stderr))
        .map_err(|e| format!("cannot start {name}: {e}"))?;

    // Read stdout on a thread: report the address once, then keep draining into the log.
    let (tx, rx) = mpsc::channel::<String>();
    if let Some(stdout) = process.child_mut().stdout.take() {
        let mut log = log;
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
                if let Some(url) = listening_url(&line) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url);
                    }
                }
            }
        });
    }
    match rx.recv_timeout(timeout) {
        Ok(url) => Ok((process, url)),
        Err(_) => {
            let status = process
                .has_exited()
                .unwrap_or_else(|| "still running".into());
            process.kill();
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            Err(format!(
                "{name} did not print `listening on http(s)://…` within {timeout:?} (exit: {status}); \
                 its output:\n{log}"
            ))
        }
    }
}

/// `… listening on http://127.0.0.1:PORT` → `http://127.0.0.1:PORT` (or `https://…`).
fn listening_url(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    let url = rest.split_whitespace().next()?;
    (url.starts_with("http://") || url.starts_with("https://"))
        .then(|| url.trim_end_matches('/').to_string())
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

#[cfg(test)]
mod tests {
    use super::listening_url;

    #[test]
    fn finds_the_address_in_the_ready_line() {
        assert_eq!(
            listening_url("lanyard-server listening on http://127.0.0.1:4107").as_deref(),
            Some("http://127.0.0.1:4107")
        );
        assert_eq!(
            listening_url("flask-jwt backend listening on http://127.0.0.1:80/").as_deref(),
            Some("http://127.0.0.1:80")
        );
        assert_eq!(
            listening_url("lanyard-server listening on https://127.0.0.1:4107").as_deref(),
            Some("https://127.0.0.1:4107")
        );
        assert_eq!(listening_url("starting up"), None);
    }
}
