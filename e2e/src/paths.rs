//! Where the things under test are: the backends, the built app, the browser and its driver.
//!
//! `cargo xtask test` passes them in the environment; run by hand, the defaults are the workspace's
//! build outputs. A missing file is a loud failure that says how to build it — never a skipped test.

use std::path::{Path, PathBuf};

/// The Chromium binary (Debian's package). Never a browser a tool downloads for itself.
pub const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER_DEFAULT: &str = "/usr/bin/chromedriver";
const FIREFOX: &str = "/usr/bin/firefox-esr";
const WEBKIT_WEBDRIVER: &str = "/usr/bin/WebKitWebDriver";
const XVFB: &str = "/usr/bin/Xvfb";

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where failure screenshots and logs go (`e2e/artifacts`, git-ignored).
pub fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts")
}

/// Where the README's screenshots go.
/// Where the page screenshots go: the README's `docs/screenshots/` when `LANYARD_UPDATE_SCREENSHOTS=1`,
/// else the (ignored) artifacts dir, so an ordinary test run leaves the tracked images alone (the pages
/// show timestamps, so every run would change them).
pub fn screenshots_dir() -> PathBuf {
    if std::env::var("LANYARD_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        workspace_root().join("docs").join("screenshots")
    } else {
        artifacts_dir().join("screenshots")
    }
}

fn from_env_or(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or(default)
}

/// The dev backend binary (`LANYARD_SERVER_BIN`, else `target/debug/lanyard-server`).
pub fn server_bin() -> Result<PathBuf, String> {
    let path = from_env_or(
        "LANYARD_SERVER_BIN",
        workspace_root()
            .join("target")
            .join("debug")
            .join("lanyard-server"),
    );
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "the backend binary {} does not exist: build it with `cargo build -p lanyard-server` \
             (or run the whole suite with `cargo xtask test`), or point LANYARD_SERVER_BIN at it",
            path.display()
        ))
    }
}

/// The release build of the app (`LANYARD_DIST`, else `dist/`), which must hold `index.html`.
pub fn dist_dir() -> Result<PathBuf, String> {
    let path = from_env_or("LANYARD_DIST", workspace_root().join("dist"));
    if path.join("index.html").is_file() {
        Ok(path)
    } else {
        Err(format!(
            "the built app {} (index.html) does not exist: build it with `cargo xtask dist --lab` \
             (or run the whole suite with `cargo xtask test`), or point LANYARD_DIST at it",
            path.display()
        ))
    }
}

/// The Python of the Flask backend's virtualenv (`LANYARD_FLASK_PYTHON`, else
/// `target/tools/flask-venv/bin/python`, where `cargo xtask test` installs it).
pub fn flask_python() -> Result<PathBuf, String> {
    let path = from_env_or(
        "LANYARD_FLASK_PYTHON",
        workspace_root()
            .join("target")
            .join("tools")
            .join("flask-venv")
            .join("bin")
            .join("python"),
    );
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "the Flask backend's Python {} does not exist: install it with `cargo xtask setup --flask` \
             (or run the whole suite with `cargo xtask test`), or point LANYARD_FLASK_PYTHON at a \
             Python that has backends/flask-jwt/requirements.txt installed",
            path.display()
        ))
    }
}

/// The Flask backend's `app.py`.
pub fn flask_app() -> Result<PathBuf, String> {
    let path = workspace_root()
        .join("backends")
        .join("flask-jwt")
        .join("app.py");
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} does not exist", path.display()))
    }
}

/// chromedriver (`CHROMEDRIVER`, else `/usr/bin/chromedriver`).
pub fn chromedriver() -> Result<PathBuf, String> {
    let path = from_env_or("CHROMEDRIVER", PathBuf::from(CHROMEDRIVER_DEFAULT));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "chromedriver {} does not exist: install Debian's chromium-driver (`cargo xtask setup`), \
             or point CHROMEDRIVER at it",
            path.display()
        ))
    }
}

/// A file that must exist, or an error that says how to install it.
fn installed(path: PathBuf, what: &str, how: &str) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{what} {} does not exist: {how}", path.display()))
    }
}

/// geckodriver (`GECKODRIVER`, else where `cargo install` puts it).
pub fn geckodriver() -> Result<PathBuf, String> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
        .join("geckodriver");
    installed(
        from_env_or("GECKODRIVER", cargo_bin),
        "geckodriver",
        "install it with `cargo xtask setup`, or point GECKODRIVER at it",
    )
}

/// Firefox ESR (Debian's package).
pub fn firefox() -> Result<PathBuf, String> {
    installed(
        PathBuf::from(FIREFOX),
        "Firefox",
        "install Debian's firefox-esr (`cargo xtask setup`)",
    )
}

/// WebKitGTK's WebDriver (Debian's webkit2gtk-driver).
pub fn webkit_webdriver() -> Result<PathBuf, String> {
    installed(
        PathBuf::from(WEBKIT_WEBDRIVER),
        "WebKitWebDriver",
        "install Debian's webkit2gtk-driver (`cargo xtask setup`)",
    )
}

/// The virtual display WebKit runs in (Debian's xvfb).
pub fn xvfb() -> Result<PathBuf, String> {
    installed(
        PathBuf::from(XVFB),
        "Xvfb",
        "install Debian's xvfb (`cargo xtask setup`)",
    )
}

/// WebKitGTK's MiniBrowser (`LANYARD_MINIBROWSER`, else where libwebkit2gtk-4.1-0 installs it, under the
/// machine's multiarch directory).
pub fn minibrowser() -> Result<PathBuf, String> {
    let how = "install Debian's webkit2gtk-driver (`cargo xtask setup`), or point LANYARD_MINIBROWSER at it";
    if let Some(path) = std::env::var_os("LANYARD_MINIBROWSER").filter(|v| !v.is_empty()) {
        return installed(PathBuf::from(path), "MiniBrowser", how);
    }
    let lib = Path::new("/usr/lib");
    let found = std::fs::read_dir(lib).ok().and_then(|dirs| {
        dirs.flatten()
            .map(|dir| dir.path().join("webkit2gtk-4.1").join("MiniBrowser"))
            .find(|path| path.is_file())
    });
    found.ok_or_else(|| {
        format!(
            "no MiniBrowser under {}/*/webkit2gtk-4.1/: {how}",
            lib.display()
        )
    })
}

/// The Chromium binary, checked.
pub fn chromium() -> Result<PathBuf, String> {
    let path = PathBuf::from(CHROMIUM);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "Chromium {} does not exist: install Debian's chromium (`cargo xtask setup`)",
            path.display()
        ))
    }
}

/// A file name made of the characters of `name` that are safe everywhere.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
