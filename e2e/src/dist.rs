//! Copies of the built app with another `config.json` (the proactive-refresh benchmark, the start-up
//! flows with a broken or missing configuration).

use std::path::{Path, PathBuf};

/// A directory under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Result<TempDir, String> {
        let path = std::env::temp_dir().join(format!("lanyard-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the copy's `config.json` is.
#[derive(Clone, Debug)]
pub enum ConfigFile {
    /// This exact text.
    Text(String),
    /// No config.json at all (the app falls back to its defaults).
    Missing,
}

/// Copies the built app `from` to `to` with `config` as its config.json — without the precompressed
/// siblings of the original, which the backend would otherwise serve instead.
pub fn copy_with_config(from: &Path, to: &Path, config: &ConfigFile) -> Result<(), String> {
    copy_dir(from, to)?;
    for sibling in ["config.json", "config.json.gz", "config.json.br"] {
        let _ = std::fs::remove_file(to.join(sibling));
    }
    if let ConfigFile::Text(text) = config {
        let path = to.join("config.json");
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Copies the built app `from` to `to` as it is.
pub fn copy_app(from: &Path, to: &Path) -> Result<(), String> {
    copy_dir(from, to)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)
                .map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
        }
    }
    Ok(())
}
