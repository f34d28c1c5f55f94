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
pub mod config;
// Encrypted key files are opened by the core's implementation, the one
// `microcred-sign` writes them with (one implementation, one format).
use microcred_core::key_encryption;
mod lists;
pub mod log;
mod state;

use std::sync::Arc;

pub use app::router;
pub use state::AppState;

/// Serves the application on `listener` until ctrl-c or SIGTERM.
///
/// # Errors
/// When the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(Arc::new(state)))
        .with_graceful_shutdown(shutdown())
        .await
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
