//! The real `lanyard-server` binary, for the tests of its flags, its start-up line and its signals.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The binary, killed when dropped, without the test environment's `LANYARD_*` variables (they must not leak
/// into the flags under test).
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanyard-server"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("LANYARD_")) {
        cmd.env_remove(key);
    }
    cmd.kill_on_drop(true);
    cmd
}

/// The URL in the first line the server prints (`lanyard-server listening on <url>`), read from its piped
/// stdout within 20 s.
pub async fn listening_url(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    let read = reader.read_line(&mut line);
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("a line within 20 s")
        .expect("readable");
    line.trim_end()
        .strip_prefix("lanyard-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned()
}
