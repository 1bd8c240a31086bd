//! The accept loop. Hand-rolled on hyper (instead of `axum::serve`) for two reasons: the "drop"
//! test fault needs a service error so hyper closes the connection without any response, and
//! connections must be told to close when idle (graceful shutdown, and before a drop fault).

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

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

/// Serves `app` on `listener` until `shutdown` resolves, then drains connections.
pub async fn serve(
    listener: TcpListener,
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
                    connections.spawn(connection(stream, app.clone(), state.clone(), stop_rx.clone()));
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

async fn connection(
    stream: TcpStream,
    app: Router,
    state: AppState,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok().map(|a| ClientAddr(a.ip()));
    let mut close_idle = state.hooks.subscribe_close_idle();
    let service = service_fn(move |mut req: Request<Incoming>| {
        let app = app.clone();
        let state = state.clone();
        if let Some(peer) = peer {
            req.extensions_mut().insert(peer);
        }
        async move {
            let Ok(mut response) = app.oneshot(req.map(Body::new)).await;
            if response.extensions().get::<DropConnection>().is_some() {
                return Err(Dropped);
            }
            if state.hooks.drop_armed() {
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
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
