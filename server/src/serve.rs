//! The accept loop. Hand-rolled on hyper (instead of `axum::serve`) for two reasons: the "drop"
//! test fault needs a service error so hyper closes the connection without any response, and
//! connections must be told to close when idle (graceful shutdown, and before a drop fault).
//! Plain HTTP is HTTP/1.1 only; over TLS (see [`crate::tls`]) ALPN picks HTTP/2 or HTTP/1.1. On
//! HTTP/2 a drop fault resets only its stream (the connection carries other requests).
//!
//! Shutdown answers or cleanly refuses everything: in-flight requests finish; an HTTP/1.1 connection is not
//! closed while idle at once (a request may already be on its way, and the client would see it cut off) but
//! answers its next request with `Connection: close`, and only one still idle after `IDLE_LINGER` is closed;
//! HTTP/2 connections get GOAWAY. New TCP handshakes stop at once (see `listener`), handshakes already done
//! are accepted and served the same way, and the listener closes only when every connection has finished (or
//! after `SHUTDOWN_GRACE`), so a client's later attempt is refused, never reset.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, Request, Version};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::tls::{Alpn, Tls};
use crate::AppState;

/// Request extension: the address of the client at the other end of the connection.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Response extension: close the connection instead of sending this response.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// A response that the connection loop turns into an aborted connection.
pub fn drop_connection() -> Response {
    let mut response = ().into_response();
    response.extensions_mut().insert(DropConnection);
    response
}

/// Response extension (with [`DropConnection`]): the browser's resend of a dropped request, dropped
/// as well; not counted, since the page sees it as the same one failure.
#[derive(Debug, Clone, Copy)]
pub struct ResendDropped;

/// Aborts the connection of a resent request without counting it (see [`ResendDropped`]).
pub fn drop_resend() -> Response {
    let mut response = drop_connection();
    response.extensions_mut().insert(ResendDropped);
    response
}

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the fail-refresh test hook")]
struct Dropped;

/// How long in-flight requests get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// After a shutdown signal, how long an idle HTTP/1.1 connection may still bring a request (answered, with
/// `Connection: close`) before it is closed. A client in the middle of a sequence sends within milliseconds.
const IDLE_LINGER: Duration = Duration::from_secs(1);

/// After new handshakes are stopped, how long the listener stays open at least, for handshakes already under
/// way to complete and be accepted (instead of being reset by the close).
const HANDSHAKE_SETTLE: Duration = Duration::from_millis(200);

/// Serves `app` on `listener` (over TLS when `tls` is given) until `shutdown` resolves, then
/// drains connections.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Tls>,
    app: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let spawn = |connections: &mut JoinSet<()>, stream| {
        let stop = stop_rx.clone();
        connections.spawn(accepted_connection(
            stream,
            tls.clone(),
            app.clone(),
            state.clone(),
            stop,
        ));
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    spawn(&mut connections, stream);
                    while connections.try_join_next().is_some() {}
                }
                Err(err) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    let _ = stop_tx.send(true);
    listener::refuse_new_handshakes(&listener);
    // Still accepting: a handshake that completed before the filter is served (and told to close), not reset.
    let mut grace = pin!(tokio::time::sleep(SHUTDOWN_GRACE));
    let mut settle = pin!(tokio::time::sleep(HANDSHAKE_SETTLE));
    let mut settled = false;
    while !(settled && connections.is_empty()) {
        tokio::select! {
            () = &mut grace => {
                tracing::warn!(
                    "{} connections did not finish within {SHUTDOWN_GRACE:?}",
                    connections.len()
                );
                break;
            }
            () = &mut settle, if !settled => settled = true,
            _ = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => spawn(&mut connections, stream),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    // Nothing is queued on it now (new handshakes were stopped): later attempts are refused, not reset.
    drop(listener);
}

/// One accepted TCP connection: the TLS handshake first when serving HTTPS.
async fn accepted_connection(
    stream: TcpStream,
    tls: Option<Tls>,
    app: Router,
    state: AppState,
    stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // The TCP peer: TLS does not change who is at the other end.
    let peer = stream.peer_addr().ok().map(|a| ClientAddr(a.ip()));
    match tls {
        None => connection(stream, Alpn::Http1, peer, app, state, stop).await,
        Some(tls) => match tls.accept(stream).await {
            Ok((stream, alpn)) => connection(stream, alpn, peer, app, state, stop).await,
            Err(err) => tracing::debug!("{err}"),
        },
    }
}

async fn connection<I>(
    io: I,
    alpn: Alpn,
    peer: Option<ClientAddr>,
    app: Router,
    state: AppState,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut close_idle = state.hooks.subscribe_close_idle();
    let stopping = stop.clone();
    let service = service_fn(move |mut req: Request<Incoming>| {
        let app = app.clone();
        let state = state.clone();
        let stopping = stopping.clone();
        if let Some(peer) = peer {
            req.extensions_mut().insert(peer);
        }
        let version = req.version();
        async move {
            let Ok(mut response) = app.oneshot(req.map(Body::new)).await;
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(Dropped);
            }
            // `Connection: close` exists in HTTP/1 only (HTTP/2 forbids the header). Once shutdown has
            // started, hyper closes the connection after this answer.
            if version < Version::HTTP_2 && (state.hooks.drop_armed() || *stopping.borrow()) {
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // HTTP/1 needs the timer for its header read timeout (hyper's default, 30 s); HTTP/2 for its own timeouts.
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let builder = match alpn {
        Alpn::Http1 => builder.http1_only(),
        Alpn::H2 => builder.http2_only(),
        Alpn::None => builder,
    };
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut closing = false;
    // Armed when shutdown starts (at once for a connection accepted after that).
    let mut linger = pin!(tokio::time::sleep(Duration::MAX));
    let mut lingering = false;
    loop {
        tokio::select! {
            // The connection first: a request that has arrived is taken in (the connection is then busy, and
            // `graceful_shutdown` lets it finish) before the linger may close the connection as idle.
            biased;
            result = conn.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!("connection ended: {err}");
                }
                return;
            }
            _ = stop.wait_for(|stopping| *stopping), if !lingering && !closing => {
                lingering = true;
                if alpn == Alpn::H2 {
                    // GOAWAY: the client knows which requests were taken and retries the others elsewhere.
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                } else {
                    linger.as_mut().reset(tokio::time::Instant::now() + IDLE_LINGER);
                }
            }
            () = &mut linger, if lingering && !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = close_idle.changed(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// The listening socket at shutdown.
mod listener {
    use tokio::net::TcpListener;

    /// Stops the kernel from completing new handshakes on `listener`, while those already completed stay
    /// queued for `accept`. Closing a listener resets every connection still queued on it, and a handshake
    /// can complete at any instant before the close: without this, a client connecting then would see its
    /// request reset. With it, a new client's SYN is dropped; it retries (after 1 s, then 3 s …) and is
    /// refused once the listener is closed.
    #[cfg(target_os = "linux")]
    pub fn refuse_new_handshakes(listener: &TcpListener) {
        use socket2::{SockFilter, SockRef};
        // Classic BPF on the TCP segment (a TCP socket's filter sees it from the TCP header on): drop it when
        // its flags, masked to SYN|ACK, are SYN alone (a new handshake); keep everything else, such as the
        // ACK that completes a handshake already under way.
        const LD_B_ABS: u16 = 0x30;
        const AND_K: u16 = 0x54;
        const JEQ_K: u16 = 0x15;
        const RET_K: u16 = 0x06;
        const FLAGS_OFFSET: u32 = 13;
        const SYN: u32 = 0x02;
        const SYN_ACK: u32 = 0x12;
        let program = [
            SockFilter::new(LD_B_ABS, 0, 0, FLAGS_OFFSET),
            SockFilter::new(AND_K, 0, 0, SYN_ACK),
            SockFilter::new(JEQ_K, 0, 1, SYN),
            SockFilter::new(RET_K, 0, 0, 0),
            SockFilter::new(RET_K, 0, 0, u32::MAX),
        ];
        if let Err(err) = SockRef::from(listener).attach_filter(&program) {
            tracing::warn!("cannot stop new handshakes before closing the listener: {err}");
        }
    }

    /// Elsewhere nothing stops them: a handshake that completes between the last accept and the close is
    /// reset.
    #[cfg(not(target_os = "linux"))]
    pub fn refuse_new_handshakes(_listener: &TcpListener) {}
}
