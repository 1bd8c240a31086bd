//! The Flask backend's Python environment (`backends/flask-jwt/`): a virtualenv under `target/tools/`
//! holding exactly the pinned, hashed `requirements.txt`, reinstalled only when that file changes.

use crate::proc;
use crate::{root, target_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The virtualenv's Python; the end-to-end tests get it as `LANYARD_FLASK_PYTHON`.
pub fn flask_python() -> PathBuf {
    flask_venv().join("bin").join("python")
}

fn flask_venv() -> PathBuf {
    target_dir().join("tools").join("flask-venv")
}

/// Creates or updates the virtualenv, idempotently: nothing runs when the stamp matches the requirements
/// and the packages import.
pub fn flask_venv_setup() -> Result<PathBuf, String> {
    let requirements = root()
        .join("backends")
        .join("flask-jwt")
        .join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let venv = flask_venv();
    let python = flask_python();
    // The stamp is a copy of the requirements it was installed from: comparing it is exact, and needs no
    // hash function (the requirements already hold the packages' hashes).
    let stamp = venv.join("lanyard-requirements.txt");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && imports(&python) {
        return Ok(python);
    }
    system_python()?;
    let _ = std::fs::remove_file(&stamp);
    // --clear: a virtualenv of an older Python, or from an interrupted install, starts over.
    proc::run(
        Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg("--clear")
            .arg(&venv),
    )?;
    proc::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--no-input"])
            .args(["--disable-pip-version-check", "--require-hashes", "-r"])
            .arg(&requirements),
    )?;
    if !imports(&python) {
        return Err(format!(
            "{} cannot import flask_jwt_extended and waitress after installing {}",
            python.display(),
            requirements.display()
        ));
    }
    std::fs::write(&stamp, &wanted)
        .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(python)
}

/// The backend's own tests (`backends/flask-jwt/test_app.py`, unittest through Flask's test client).
pub fn flask_tests(python: &Path) -> Result<(), String> {
    proc::run(
        Command::new(python)
            .args(["-B", "-m", "unittest", "--verbose"])
            .current_dir(root().join("backends").join("flask-jwt")),
    )
}

fn imports(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import flask, flask_jwt_extended, waitress"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A `python3` that can create virtualenvs (Debian ships `venv` in a package of its own).
fn system_python() -> Result<(), String> {
    let has_venv = || {
        Command::new("python3")
            .args(["-c", "import venv, ensurepip"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has_venv() {
        return Ok(());
    }
    proc::run(Command::new("apt-get").args(["update", "-qq"]))?;
    proc::run(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(["python3", "python3-venv"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    if has_venv() {
        Ok(())
    } else {
        Err("python3 with the venv module is still missing after installing python3-venv".into())
    }
}
