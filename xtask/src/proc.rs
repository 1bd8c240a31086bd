//! Child processes: commands that must succeed, and long-running services that are always stopped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs a command with inherited output; Err names the command when it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = describe(cmd);
    eprintln!("$ {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs a command, echoing its output live while also capturing it (to count test results).
pub fn run_captured(cmd: &mut Command) -> (bool, String) {
    let shown = describe(cmd);
    eprintln!("$ {shown}");
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return (false, format!("could not start `{shown}`: {e}")),
    };
    let (tx, rx) = mpsc::channel::<String>();
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        readers.push(spawn_line_reader(out, tx.clone(), false));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(spawn_line_reader(err, tx.clone(), true));
    }
    drop(tx);
    let captured: String = rx.iter().collect();
    for reader in readers {
        let _ = reader.join();
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, captured)
}

fn spawn_line_reader<R: std::io::Read + Send + 'static>(
    stream: R,
    tx: mpsc::Sender<String>,
    to_stderr: bool,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if to_stderr {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
            let _ = tx.send(line + "\n");
        }
    })
}

pub fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// Whether `program args…` runs and prints something containing `needle`.
pub fn output_contains(program: &str, args: &[&str], needle: &str) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            o.status.success()
                && (String::from_utf8_lossy(&o.stdout).contains(needle)
                    || String::from_utf8_lossy(&o.stderr).contains(needle))
        })
        .unwrap_or(false)
}

/// A background service that is killed when dropped, so a failing step never leaves an orphan behind.
pub struct Service {
    name: String,
    child: Child,
}

impl Service {
    /// Starts `cmd` and waits until a line of its stdout contains `ready` (the rest is echoed to stderr).
    /// Returns the service and that line.
    pub fn start(
        name: &str,
        mut cmd: Command,
        ready: &str,
        within: Duration,
    ) -> Result<(Self, String), String> {
        let shown = describe(&cmd);
        eprintln!("$ {shown} &");
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {name} (`{shown}`): {e}"))?;
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            let ready = ready.to_string();
            let label = name.to_string();
            std::thread::spawn(move || {
                let mut sent = false;
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if !sent && line.contains(&ready) {
                        let _ = tx.send(line.clone());
                        sent = true;
                    }
                    eprintln!("[{label}] {line}");
                }
            });
        }
        let mut service = Service {
            name: name.to_string(),
            child,
        };
        match rx.recv_timeout(within) {
            Ok(line) => Ok((service, line)),
            Err(_) => {
                let status = service.child.try_wait().ok().flatten();
                Err(match status {
                    Some(status) => format!("{name} exited before it was ready ({status})"),
                    None => format!("{name} did not print `{ready}` within {within:?}"),
                })
            }
        }
    }

    /// Starts `cmd` with inherited output, without waiting for readiness.
    pub fn spawn(name: &str, mut cmd: Command) -> Result<Self, String> {
        let shown = describe(&cmd);
        eprintln!("$ {shown} &");
        let child = cmd
            .spawn()
            .map_err(|e| format!("could not start {name} (`{shown}`): {e}"))?;
        Ok(Service {
            name: name.to_string(),
            child,
        })
    }

    /// Whether the process has exited (and with what status).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Asks the process to stop (SIGTERM), then kills it if it has not exited after a grace period.
    pub fn stop(&mut self) {
        if self.exited().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if self.exited().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("xtask: {} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// PATH with the npm tools (wasm-opt) and cargo's bin dir in front, for Trunk.
pub fn tool_path(root: &Path) -> std::ffi::OsString {
    let mut dirs = vec![root.join("node_modules").join(".bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(Path::new(&home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo").join("bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}
