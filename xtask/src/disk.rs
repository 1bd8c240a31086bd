//! Free disk space, reported by the test command: a full disk fails a build with an error far from its cause
//! ("No space left on device" while linking), so the run says up front how much room it has.

use std::path::Path;
use std::process::Command;

/// What one run of `cargo xtask test` writes on a clean clone (target dir, tools, browser profiles), with a
/// margin; measured in the README's "Test command" section.
pub const TEST_COMMAND_NEEDS_GIB: f64 = 6.0;

/// Bytes free on the file system holding `path` (`df -Pk`), if `df` can tell.
pub fn free_bytes(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// `12.3 GiB`
pub fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Prints the free space at `path`, `when` being "before" or "after" the run.
pub fn report(path: &Path, when: &str) -> Option<u64> {
    let free = free_bytes(path)?;
    eprintln!(
        "xtask: {} free on the disk of {} ({when})",
        gib(free),
        path.display()
    );
    Some(free)
}

/// Warns when less is free than a run needs: the run goes on (it may still fit, e.g. with a warm target dir).
pub fn warn_if_short(free: Option<u64>) {
    let needed = TEST_COMMAND_NEEDS_GIB * (1u64 << 30) as f64;
    if free.is_some_and(|free| (free as f64) < needed) {
        eprintln!(
            "xtask: WARNING: a run on a clean clone needs about {TEST_COMMAND_NEEDS_GIB} GiB; builds may \
             fail with \"No space left on device\""
        );
    }
}
