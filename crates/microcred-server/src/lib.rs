//! # microcred-server
//!
//! A W3C VC-API service for student information systems (`POST
//! /credentials/issue`, `/credentials/verify`, `/presentations/verify`) and a
//! self-contained verification page for employers (`GET /`). Configuration,
//! endpoints and security are documented in `docs/server.md`.
//!
//! The library exists so that the binary stays thin and tests can build the
//! router; [`serve`] runs it on a listener.

#![forbid(unsafe_code)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod app;
mod budget;
pub mod config;
mod lists;
pub mod log;
mod state;
mod status;
#[cfg(feature = "tls")]
mod tls;

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;

pub use app::router;
pub use state::AppState;

/// Serves the application on `listener` until ctrl-c or SIGTERM, then lets the
/// open connections finish their requests.
///
/// HTTP/1.1 with the configuration's connection limits: at most
/// `max_connections` open at once (more wait in the kernel's backlog), and a
/// connection that does not send a request's headers within
/// `header_timeout_seconds` (a new one, or an idle kept-alive one) is closed.
/// With `[tls]`, each connection is a TLS one: the handshake must be complete
/// within `handshake_timeout_seconds` (the connection holds its place under
/// `max_connections` meanwhile), then the same limits apply.
///
/// # Errors
/// None today: accept errors (e.g. out of file descriptors) are logged and retried.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let limits = state.limits.clone();
    #[cfg(feature = "tls")]
    let tls = state.tls.clone();
    let app = router(Arc::new(state));
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_timeout_seconds));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        // A permit first: at the cap, connections wait unaccepted.
        if connections.available_permits() == 0 {
            // Said once per wait: an operator sees the cap reached, and a test knows
            // the next connection waits (nothing is accepted until a permit is free).
            tracing::debug!(
                open = limits.max_connections,
                "at the connection cap: the next connection waits until one closes"
            );
        }
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break, // never closed
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // E.g. EMFILE: a pause instead of a busy loop, then go on.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        #[cfg(feature = "tls")]
        if let Some(tls) = &tls {
            let (tls, http, app) = (tls.clone(), http.clone(), app.clone());
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                // A client that never finishes its handshake is closed at the timeout:
                // it must not hold a connection slot for ever.
                let handshake =
                    tokio::time::timeout(tls.handshake_timeout, tls.acceptor.accept(stream)).await;
                let stream = match handshake {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(e)) => {
                        tracing::debug!("TLS handshake failed: {e}");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!("TLS handshake not completed in time: connection closed");
                        return;
                    }
                };
                let connection = watcher.watch(
                    http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app)),
                );
                if let Err(e) = connection.await {
                    tracing::debug!("connection ended: {e}");
                }
                drop(permit);
            });
            continue;
        }
        let connection = graceful.watch(
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone())),
        );
        tokio::spawn(async move {
            // A client's broken connection is its own affair, not the server's.
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
