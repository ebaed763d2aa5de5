//! The loop that serves connections, plain or TLS.
//!
//! `axum::serve` gives hyper no timer, so hyper's header timeout never runs: a client that
//! opens a connection and trickles its headers (or sends nothing after a first request) holds
//! it, and a few thousand such clients hold every file descriptor. Here each HTTP/1 connection
//! must send the whole head of its next request within `header_timeout` of the server waiting
//! for it — also between keep-alive requests, so an idle connection is closed too. Bodies and
//! handlers are bounded by the request timeout layer in `router`.

use axum::serve::Listener;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::pin;
use std::time::Duration;
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a client may take to send a request's head, or stay idle between requests.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Serve `app` on `listener` until `shutdown` resolves, then finish the requests in flight
/// (idle connections are closed at once) and return.
pub async fn serve_connections<L>(mut listener: L, app: Router, header_timeout: Duration, shutdown: impl Future<Output = ()>)
where
    L: Listener,
    L::Addr: std::fmt::Debug,
{
    // Dropping `stop` tells every connection to finish; `done` closes when the last one has.
    let (stop, stopping) = watch::channel(());
    let (done, finished) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        tracing::trace!(?peer, "connection accepted");
        let (app, mut stopping, finished) = (app.clone(), stopping.clone(), finished.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| app.clone().oneshot(req));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let mut conn = pin!(builder.serve_connection(TokioIo::new(io), service));
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::trace!(error = %e, "connection ended");
                    }
                }
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(finished);
        });
    }
    drop(listener);
    drop(stop);
    drop(finished);
    done.closed().await;
}
