//! The WebDriver process of an engine (chromedriver, geckodriver, WebKitWebDriver) on a free port, and
//! for WebKit the virtual display its browser draws in. Everything runs in its own process group and is
//! killed when dropped, with the browsers the driver started.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::engine::Engine;
use crate::paths;
use crate::process::Guarded;

const POLL: Duration = Duration::from_millis(50);

/// A WebDriver server for one engine.
pub struct Driver {
    pub engine: Engine,
    process: Guarded,
    /// Dropped after the driver (fields drop in order): the browser must not outlive its display.
    _display: Option<VirtualDisplay>,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
}

impl Driver {
    /// Starts the driver of `engine` (the one [`Engine::driver_bin`] finds), logging to `log_path`.
    pub fn start(engine: Engine, log_path: &Path) -> Result<Driver, String> {
        Driver::start_bin(engine, &engine.driver_bin()?, log_path)
    }

    /// [`Driver::start`] with the driver binary `bin`.
    pub fn start_bin(engine: Engine, bin: &Path, log_path: &Path) -> Result<Driver, String> {
        let port = free_port()?;
        let log = || {
            std::fs::File::create(log_path)
                .map(Stdio::from)
                .map_err(|e| format!("cannot create {}: {e}", log_path.display()))
        };
        let (display, process) = match engine {
            Engine::Chromium => {
                let args = [
                    format!("--port={port}"),
                    format!("--log-path={}", log_path.display()),
                ];
                let process = Guarded::spawn(bin.as_os_str(), args, Stdio::null(), Stdio::null());
                (None, process)
            }
            Engine::Firefox => {
                let args = [
                    "--port".to_string(),
                    port.to_string(),
                    "--host".to_string(),
                    "127.0.0.1".to_string(),
                ];
                (None, Guarded::spawn(bin.as_os_str(), args, log()?, log()?))
            }
            Engine::WebKit => {
                let display = VirtualDisplay::start()?;
                // `env` sets DISPLAY for the driver and the MiniBrowser it starts.
                let args = [
                    format!("DISPLAY=:{}", display.number),
                    bin.display().to_string(),
                    format!("--port={port}"),
                ];
                let process = Guarded::spawn("env".as_ref(), args, log()?, log()?);
                (Some(display), process)
            }
        };
        let mut process = process.map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        wait_for_port(port, &mut process, engine, log_path)?;
        Ok(Driver {
            engine,
            process,
            _display: display,
            url: format!("http://127.0.0.1:{port}/"),
        })
    }
}

fn wait_for_port(
    port: u16,
    process: &mut Guarded,
    engine: Engine,
    log_path: &Path,
) -> Result<(), String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = process.has_exited() {
            return Err(format!(
                "the {} driver exited at start ({status}); see {}",
                engine.name(),
                log_path.display()
            ));
        }
        if Instant::now() > deadline {
            process.kill();
            return Err(format!(
                "the {} driver did not listen on port {port} within 15 s; see {}",
                engine.name(),
                log_path.display()
            ));
        }
        std::thread::sleep(POLL);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The browser processes the driver started share its process group.
        self.process.kill();
    }
}

/// An X server without a screen (Xvfb) on a display number nobody uses.
struct VirtualDisplay {
    process: Guarded,
    number: u32,
}

impl VirtualDisplay {
    /// Xvfb picks a free display itself and prints its number once it accepts clients (`-displayfd 1`), as
    /// `cargo xtask test` starts it for the WebKit browser tests.
    fn start() -> Result<VirtualDisplay, String> {
        let xvfb = paths::xvfb()?;
        let (width, height) = crate::engine::WINDOW;
        let args = [
            "-displayfd".to_string(),
            "1".into(),
            "-screen".into(),
            "0".into(),
            format!("{width}x{height}x24"),
            "-nolisten".into(),
            "tcp".into(),
        ];
        let mut process = Guarded::spawn(xvfb.as_os_str(), args, Stdio::piped(), Stdio::null())
            .map_err(|e| format!("cannot start {}: {e}", xvfb.display()))?;
        let stdout = process.child_mut().stdout.take();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            if let Some(stdout) = stdout {
                let _ =
                    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
            }
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(15)).unwrap_or_default();
        match line.trim().parse() {
            Ok(number) => Ok(VirtualDisplay { process, number }),
            Err(_) => {
                process.kill();
                Err(format!(
                    "Xvfb did not report a display within 15 s (it printed {line:?})"
                ))
            }
        }
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        self.process.kill();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("no free port for the WebDriver server: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port for the WebDriver server: {e}"))
}

/// A fresh, empty profile directory, removed when dropped.
pub struct Profile {
    pub path: PathBuf,
}

impl Profile {
    pub fn new(name: &str) -> Result<Profile, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "lanyard-e2e-{}-{}-{nanos}",
            std::process::id(),
            paths::file_stem(name)
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Profile { path })
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
