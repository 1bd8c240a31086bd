//! Installs the pinned tools, idempotently: each step checks what is present first.

use crate::proc::{self, output_contains};
use crate::root;
use std::path::Path;
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const GECKODRIVER_VERSION: &str = "0.37.1";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";

pub fn setup(browsers: bool) -> Result<(), String> {
    wasm_target()?;
    wasm_bindgen_cli()?;
    trunk()?;
    npm_tools()?;
    if browsers {
        chromium()?;
        // Firefox is a bonus: where it cannot be installed, its browser tests are skipped, not failed.
        if let Err(e) = apt_packages(&[(FIREFOX, "firefox-esr")]).and_then(|()| geckodriver()) {
            eprintln!("xtask: Firefox is not available, its browser tests will be skipped: {e}");
        }
        // Where WebKit cannot be installed, its end-to-end flows fail on the missing driver (never skip).
        if let Err(e) = webkit() {
            eprintln!("xtask: WebKit is not available, its end-to-end flows will fail: {e}");
        }
    }
    Ok(())
}

/// WebKitGTK's WebDriver (which brings MiniBrowser) and the virtual display it runs in.
pub fn webkit() -> Result<(), String> {
    apt_packages(&[
        ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver"),
        ("/usr/bin/Xvfb", "xvfb"),
    ])
}

/// Chromium and chromedriver (Debian's), for the end-to-end flows and `check-backend`.
pub fn chromium() -> Result<(), String> {
    apt_packages(&[(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")])
}

fn wasm_target() -> Result<(), String> {
    if output_contains(
        "rustup",
        &["target", "list", "--installed"],
        "wasm32-unknown-unknown",
    ) {
        return Ok(());
    }
    proc::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen CLI must equal the `wasm-bindgen` crate in Cargo.lock, or the generated glue mismatches.
fn wasm_bindgen_cli() -> Result<(), String> {
    let version = locked_version("wasm-bindgen")?;
    if output_contains(
        "wasm-bindgen",
        &["--version"],
        &format!("wasm-bindgen {version}"),
    ) {
        return Ok(());
    }
    // Without --locked: one of its locked dependencies is not on this registry mirror.
    proc::run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))
}

fn trunk() -> Result<(), String> {
    if output_contains("trunk", &["--version"], &format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    proc::run(Command::new("cargo").args([
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
    ]))
}

/// binaryen (wasm-opt) pinned by package-lock.json; Debian's is too old to parse today's wasm.
fn npm_tools() -> Result<(), String> {
    let root = root();
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if output_contains(&wasm_opt.to_string_lossy(), &["--version"], "version 132") {
        return Ok(());
    }
    proc::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root),
    )
}

/// Installs the Debian packages whose file is missing.
fn apt_packages(wanted: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(path, _)| !Path::new(path).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    proc::run(Command::new("apt-get").args(["update", "-qq"]))?;
    proc::run(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn geckodriver() -> Result<(), String> {
    if output_contains(
        "geckodriver",
        &["--version"],
        &format!("geckodriver {GECKODRIVER_VERSION}"),
    ) {
        return Ok(());
    }
    proc::run(Command::new("cargo").args([
        "install",
        "geckodriver",
        "--version",
        GECKODRIVER_VERSION,
        "--locked",
    ]))
}

/// Where `cargo install` put geckodriver (it may not be on PATH in a fresh shell); `None` when Firefox
/// or its driver is missing.
pub fn geckodriver_path() -> Option<String> {
    if !Path::new(FIREFOX).exists() {
        return None;
    }
    let home = std::env::var("CARGO_HOME")
        .ok()
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.cargo")))?;
    let path = format!("{home}/bin/geckodriver");
    Path::new(&path).exists().then_some(path)
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .map(|i| i + needle.len())
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?;
    let end = lock[start..]
        .find('"')
        .ok_or_else(|| format!("Cargo.lock entry for {package} is malformed"))?;
    Ok(lock[start..start + end].to_string())
}
