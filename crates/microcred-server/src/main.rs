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
    #[arg(long, value_name = "FILE", required_unless_present_any = ["completions", "man"])]
    config: Option<PathBuf>,
    /// Print a shell completion script for microcred-server and exit, e.g.
    /// `microcred-server --completions bash > /etc/bash_completion.d/microcred-server`.
    #[arg(long, exclusive = true, value_name = "SHELL")]
    completions: Option<clap_complete::Shell>,
    /// Write the manual page microcred-server.1 (roff) into DIR and exit.
    #[arg(long, exclusive = true, value_name = "DIR")]
    man: Option<PathBuf>,
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

/// Writes `microcred-server.1` into `dir` (created if missing), through a temporary
/// file renamed into place.
fn man(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let mut roff = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut roff)
        .map_err(|e| anyhow::anyhow!("cannot render the manual page: {e}"))?;
    let path = dir.join("microcred-server.1");
    let temp = dir.join(".microcred-server.1.tmp");
    std::fs::write(&temp, &roff)
        .and_then(|()| std::fs::rename(&temp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            anyhow::anyhow!("cannot write {}: {e}", path.display())
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(shell) = cli.completions {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        // Into memory first: clap_complete panics when its writer fails (`| head`).
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut cmd, "microcred-server", &mut script);
        return match std::io::stdout().write_all(&script) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                let _ = writeln!(
                    std::io::stderr(),
                    "microcred-server: error: cannot write the completion script: {e}"
                );
                ExitCode::from(2)
            }
            _ => ExitCode::SUCCESS,
        };
    }
    let result = match &cli.man {
        Some(dir) => man(dir),
        None => run(&cli),
    };
    match result {
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
    let Some(path) = &cli.config else {
        anyhow::bail!("--config FILE is required");
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let config = Config::from_toml(&text, path)?;
    // After the configuration (it may set the level), before the files it names are
    // read (what is found there is logged).
    init_log(cli, &config)?;
    let bind = match (cli.bind, config.bind) {
        (Some(b), _) | (None, Some(b)) => b,
        (None, None) => DEFAULT_BIND.parse()?,
    };
    // Plain HTTP beyond loopback would carry the bearer token and personal data in
    // clear: HTTPS ([tls]), or a reverse proxy that says so (allow_plain_http).
    if !bind.ip().is_loopback() && config.tls.is_none() && !config.allow_plain_http {
        anyhow::bail!(
            "bind {bind} is not a loopback address and [tls] is not configured: serve HTTPS ([tls] cert and key), or set allow_plain_http = true when a reverse proxy in front terminates TLS"
        );
    }
    let state = AppState::load(&config)?;
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
        if !addr.ip().is_loopback() && config.tls.is_none() {
            tracing::warn!(%addr, "plain HTTP beyond loopback (allow_plain_http): keep a TLS-terminating reverse proxy in front (see docs/server.md)");
        }
        let mut out = std::io::stdout();
        writeln!(out, "listening on {addr}")?;
        out.flush()?;
        tracing::info!(%addr, issuing = state.issuer.is_some(), https = config.tls.is_some(), "microcred-server started");
        microcred_server::serve(listener, state).await?;
        Ok(())
    })
}
