//! The loop that serves connections, plain or TLS.
//!
//! `axum::serve` gives hyper no timer, so hyper's header timeout never runs: a client that
//! opens a connection and trickles its headers (or sends nothing after a first request) holds
//! it, and a few thousand such clients hold every file descriptor. Here each HTTP/1 connection
//! must send the whole head of its next request within `Timeouts::header` of the server waiting
//! for it — also between keep-alive requests, so an idle connection is closed too. A client
//! that stops reading its answers is closed once a write has made no progress for
//! `Timeouts::write`. Bodies and handlers are bounded by the request timeout layer in `router`.

use axum::serve::Listener;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::pin;
use std::time::Duration;
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a client may be slow, and how long a stop waits.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To send a request's head, or to stay idle between requests.
    pub header: Duration,
    /// For a write to a client to make progress (the client taking some of the answer).
    pub write: Duration,
    /// After a stop is asked for, for requests in flight to finish (systemd waits 90 s before
    /// it kills the service).
    pub grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { header: Duration::from_secs(30), write: Duration::from_secs(30), grace: Duration::from_secs(20) }
    }
}

/// Serve `app` on `listener` until `shutdown` resolves, then let the requests in flight finish
/// (connections between requests, or that never sent one, are closed at once; one whose answer
/// is still being sent has `Timeouts::grace` at most) and return.
pub async fn serve_connections<L>(mut listener: L, app: Router, timeouts: Timeouts, shutdown: impl Future<Output = ()>)
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
            builder.timer(TokioTimer::new()).header_read_timeout(timeouts.header);
            let mut io = tokio_io_timeout::TimeoutStream::new(io);
            io.set_write_timeout(Some(timeouts.write));
            let mut conn = pin!(builder.serve_connection(TokioIo::new(Box::pin(io)), service));
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::trace!(error = %e, "connection ended");
                    }
                }
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    if tokio::time::timeout(timeouts.grace, conn).await.is_err() {
                        tracing::debug!("connection closed at shutdown");
                    }
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
