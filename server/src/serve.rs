//! The accept loop. Hand-rolled on hyper (instead of `axum::serve`) for two reasons: the "drop"
//! test fault needs a service error so hyper closes the connection without any response, and
//! connections must be told to close when idle (graceful shutdown, and before a drop fault).
//! Plain HTTP is HTTP/1.1 only; over TLS (see [`crate::tls`]) ALPN picks HTTP/2 or HTTP/1.1. On
//! HTTP/2 a drop fault resets only its stream (the connection carries other requests).

use std::future::Future;
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
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(accepted_connection(
                        stream,
                        tls.clone(),
                        app.clone(),
                        state.clone(),
                        stop_rx.clone(),
                    ));
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
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!("some connections did not finish within {SHUTDOWN_GRACE:?}");
    }
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
    let service = service_fn(move |mut req: Request<Incoming>| {
        let app = app.clone();
        let state = state.clone();
        if let Some(peer) = peer {
            req.extensions_mut().insert(peer);
        }
        let version = req.version();
        async move {
            let Ok(mut response) = app.oneshot(req.map(Body::new)).await;
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(Dropped);
            }
            // `Connection: close` exists in HTTP/1 only (HTTP/2 forbids the header).
            if state.hooks.drop_armed() && version < Version::HTTP_2 {
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
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!("connection ended: {err}");
                }
                return;
            }
            _ = stop.changed(), if !closing => {
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
