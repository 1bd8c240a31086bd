//! SIGTERM under load, against the real binary: every request that was sent gets a complete answer, every
//! connection attempt that is not answered is refused (ECONNREFUSED), nothing is reset or cut off, and every
//! note that was acknowledged is in the database after a restart.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::Notify;

use crate::binary::{command, listening_url};

/// Concurrent keep-alive clients.
const WORKERS: usize = 12;
/// Notes acknowledged before the signal: it lands in the middle of the load, whatever the machine's speed.
const ACKED_BEFORE_SIGTERM: usize = 120;

struct Binary {
    child: Child,
    url: String,
}

async fn start(data_dir: &Path) -> Binary {
    let mut child = command()
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--bind", "127.0.0.1:0", "--access-ttl-secs", "3600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = listening_url(&mut child).await;
    Binary { child, url }
}

/// What a browser would send: the session cookies and the CSRF header.
struct Credentials {
    cookie: String,
    csrf: String,
}

async fn sign_in(url: &str) -> (crate::common::Client, Credentials) {
    let mut c = crate::common::Client {
        http: crate::common::http(),
        base: url.to_owned(),
        jar: Default::default(),
    };
    c.login("user", "user-pass").await;
    let cookie = format!(
        "lanyard_access={}; lanyard_csrf={}",
        c.cookie("lanyard_access"),
        c.cookie("lanyard_csrf")
    );
    let csrf = c.cookie("lanyard_csrf");
    (c, Credentials { cookie, csrf })
}

struct Answer {
    status: u16,
    close: bool,
}

/// Reads one complete answer (head and `Content-Length` body); an error for anything less.
async fn read_answer(stream: &mut BufReader<TcpStream>) -> std::io::Result<Answer> {
    let mut status_line = String::new();
    if stream.read_line(&mut status_line).await? == 0 {
        return Err(std::io::Error::other("EOF before any answer"));
    }
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("status line {status_line:?}")))?;
    let (mut length, mut close) = (0, false);
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::other("EOF inside the head"));
        }
        let line = line.trim_end().to_ascii_lowercase();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("content-length:") {
            length = v.trim().parse().map_err(std::io::Error::other)?;
        }
        close |= line == "connection: close";
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(Answer { status, close })
}

/// How a worker ended: only a refused connection attempt is a clean end.
type Ended = Result<(), String>;

/// Creates notes back to back on one keep-alive connection, reconnecting when told to close, until a
/// connection attempt is refused. Titles of acknowledged (201) notes go to `acked`.
async fn worker(
    id: usize,
    addr: String,
    who: Arc<Credentials>,
    acked: Arc<Mutex<Vec<String>>>,
    progress: Arc<(AtomicUsize, Notify)>,
) -> Ended {
    let mut n = 0;
    loop {
        let stream = match TcpStream::connect(&addr).await {
            Ok(stream) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Ok(()),
            Err(e) => return Err(format!("worker {id}: connect: {e}")),
        };
        let mut stream = BufReader::new(stream);
        loop {
            n += 1;
            let title = format!("w{id}-{n}");
            let body = json!({ "title": title, "body": "" }).to_string();
            let request = format!(
                "POST /api/notes HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                who.cookie,
                who.csrf,
                body.len()
            );
            if let Err(e) = stream.get_mut().write_all(request.as_bytes()).await {
                return Err(format!("worker {id}: sending {title}: {e}"));
            }
            let answer = read_answer(&mut stream)
                .await
                .map_err(|e| format!("worker {id}: {title} sent, no complete answer: {e}"))?;
            if answer.status != StatusCode::CREATED.as_u16() {
                return Err(format!("worker {id}: {title}: status {}", answer.status));
            }
            acked.lock().unwrap().push(title);
            let (count, changed) = &*progress;
            count.fetch_add(1, Ordering::SeqCst);
            changed.notify_one();
            if answer.close {
                break;
            }
        }
    }
}

#[tokio::test]
async fn sigterm_under_load_answers_or_refuses_every_request_and_loses_nothing_acknowledged() {
    let dir = std::env::temp_dir().join(format!("lanyard-shutdown-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = start(&dir).await;
    let (_, who) = sign_in(&server.url).await;
    let who = Arc::new(who);
    let addr = server.url.trim_start_matches("http://").to_owned();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let progress = Arc::new((AtomicUsize::new(0), Notify::new()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            tokio::spawn(worker(
                id,
                addr.clone(),
                who.clone(),
                acked.clone(),
                progress.clone(),
            ))
        })
        .collect();

    let (count, changed) = &*progress;
    while count.load(Ordering::SeqCst) < ACKED_BEFORE_SIGTERM {
        changed.notified().await;
    }
    let pid = server.child.id().unwrap().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());

    // Generous bounds that only keep a hang from hanging the suite; nothing here is timed.
    let mut failures = Vec::new();
    for worker in workers {
        match tokio::time::timeout(Duration::from_secs(120), worker).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(failure))) => failures.push(failure),
            Ok(Err(panic)) => failures.push(format!("worker panicked: {panic}")),
            Err(_) => failures.push("a worker never finished".into()),
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(60), server.child.wait())
        .await
        .expect("the server exits")
        .unwrap();
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        failures.is_empty(),
        "{} of {WORKERS} workers saw a request cut off ({} notes acknowledged):\n{}",
        failures.len(),
        acked.len(),
        failures.join("\n")
    );
    assert!(status.success(), "{status:?}");

    // Durability: everything acknowledged is there after a restart.
    let mut again = start(&dir).await;
    let (mut c, _) = sign_in(&again.url).await;
    let stored: BTreeSet<String> = c.note_titles().await.into_iter().collect();
    let lost: Vec<_> = acked.iter().filter(|t| !stored.contains(*t)).collect();
    assert!(
        lost.is_empty(),
        "acknowledged but lost: {lost:?} (of {})",
        acked.len()
    );
    assert!(acked.len() >= ACKED_BEFORE_SIGTERM);
    let _ = again.child.start_kill();
    let _ = again.child.wait().await;
    let _ = std::fs::remove_dir_all(&dir);
}
