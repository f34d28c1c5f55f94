//! `microcred-server`: the W3C VC-API service and the verification page.
//!
//! Usage: `microcred-server --config server.toml`. Prints `listening on ADDR` on
//! stdout once it accepts connections; request logs go to stderr.

#![forbid(unsafe_code)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use microcred_server::AppState;
use microcred_server::config::{Config, DEFAULT_BIND};
use microcred_server::log::LogFormat;

/// A W3C VC-API service (issue, verify) and a verification page for employers.
#[derive(Debug, Parser)]
#[command(name = "microcred-server", version, about, long_about = None)]
struct Cli {
    /// Configuration file (TOML; see docs/server.md).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Listen on this address instead of the configuration's `bind`
    /// (e.g. 127.0.0.1:0 for any free port).
    #[arg(long, value_name = "ADDR")]
    bind: Option<std::net::SocketAddr>,
    /// Log lines as text or as one JSON object per line.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    log_format: LogFormat,
    /// What to log: a level (`error`, `warn`, `info`, `debug`, `trace`) or
    /// per-module filters; default: the `MICROCRED_LOG` environment variable, else `info`.
    #[arg(long, value_name = "FILTER")]
    log_level: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = cli
        .log_level
        .clone()
        .or_else(|| std::env::var("MICROCRED_LOG").ok())
        .unwrap_or_else(|| "info".to_owned());
    if let Err(e) = microcred_server::log::init(&level, cli.log_format) {
        let _ = writeln!(std::io::stderr(), "microcred-server: error: {e}");
        return ExitCode::from(2);
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "microcred-server: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&cli.config)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", cli.config.display()))?;
    let config = Config::from_toml(&text, &cli.config)?;
    let state = AppState::load(&config)?;
    let bind = match (cli.bind, config.bind) {
        (Some(b), _) | (None, Some(b)) => b,
        (None, None) => DEFAULT_BIND.parse()?,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "listening beyond loopback: put TLS in front (see docs/server.md)");
        }
        let mut out = std::io::stdout();
        writeln!(out, "listening on {addr}")?;
        out.flush()?;
        tracing::info!(%addr, issuing = state.issuer.is_some(), "microcred-server started");
        microcred_server::serve(listener, state).await?;
        Ok(())
    })
}
