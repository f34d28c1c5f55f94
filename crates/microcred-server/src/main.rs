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
    /// Log lines as text or as one JSON object per line; default: the configuration's
    /// `[log] format`, else `text`.
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    /// What to log: a level (`error`, `warn`, `info`, `debug`, `trace`, `off`) or
    /// per-module filters (`microcred_server=debug,warn`); default: the `MICROCRED_LOG`
    /// environment variable, else the configuration's `[log] level`, else `info`.
    #[arg(long, value_name = "FILTER")]
    log_level: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "microcred-server: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Installs the log: the command line first, then `MICROCRED_LOG` (the level), then
/// the configuration's `[log]`; the error names where a bad level came from.
fn init_log(cli: &Cli, config: &Config) -> anyhow::Result<()> {
    let env = std::env::var("MICROCRED_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let (level, from) = match (&cli.log_level, env, &config.log.level) {
        (Some(l), _, _) => (l.clone(), "--log-level"),
        (None, Some(l), _) => (l, "MICROCRED_LOG"),
        (None, None, Some(l)) => (l.clone(), "[log] level"),
        (None, None, None) => ("info".to_owned(), "the default"),
    };
    let format = cli.log_format.or(config.log.format).unwrap_or_default();
    microcred_server::log::init(&level, format).map_err(|e| anyhow::anyhow!("{from}: {e}"))
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&cli.config)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", cli.config.display()))?;
    let config = Config::from_toml(&text, &cli.config)?;
    // After the configuration (it may set the level), before the files it names are
    // read (what is found there is logged).
    init_log(cli, &config)?;
    let state = AppState::load(&config)?;
    let bind = match (cli.bind, config.bind) {
        (Some(b), _) | (None, Some(b)) => b,
        (None, None) => DEFAULT_BIND.parse()?,
    };
    // Verification and signing are CPU work: blocking threads beyond the cores add no
    // throughput, and each thread's allocator arena (glibc) keeps the memory it once
    // held, so that 64 threads would multiply the peak the JSON budget bounds.
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores)
        .build()?;
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
