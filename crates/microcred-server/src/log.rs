//! The server's log: request lines and events on stderr, as text or JSON, that can
//! never take the service down. A log on a full disk or a closed pipe loses lines
//! (counted, and reported by `GET /healthz` as `logLinesDropped`); requests are
//! answered as before.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

/// Lines that could not be written to the log since the process started.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// How many log lines were lost because the log could not be written.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// The format of log lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

/// The level names a filter may be made of alone (without `target=`).
const LEVELS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];

/// Reads a log filter: a level (`error`, `warn`, `info`, `debug`, `trace`, `off`) or
/// comma-separated `tracing` directives (`microcred_server=debug,warn`).
///
/// Stricter than `tracing`'s own syntax, where a bare word is a module name: a
/// misspelt level (`verbose`, `infos`) would silently log nothing of ours.
///
/// # Errors
/// A message saying what is wrong with `filter`.
pub fn parse_filter(filter: &str) -> Result<tracing_subscriber::EnvFilter, String> {
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !directive.contains('=') && !LEVELS.contains(&directive.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{directive:?} is not a log level (one of {}) nor a module=level filter",
                LEVELS.join(", ")
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(filter).map_err(|e| format!("{filter:?}: {e}"))
}

/// Installs the process's log subscriber: events at `level` and above (a filter
/// read by [`parse_filter`], e.g. `info` or `microcred_server=debug,warn`) written
/// to stderr in `format`.
///
/// # Errors
/// When `level` is not a valid filter.
pub fn init(level: &str, format: LogFormat) -> Result<(), String> {
    let filter = parse_filter(level)?;
    let builder = tracing_subscriber::fmt()
        .with_writer(|| Stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        // Its own failures would be reported on stderr, the stream that just failed.
        .log_internal_errors(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

/// Stderr whose writes never fail: a line that cannot be written is counted in
/// [`dropped_lines`] and dropped.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The formatter writes one event with one `write_all`: a failure drops that line.
        match io::stderr().write(buf) {
            Ok(n) if n > 0 || buf.is_empty() => Ok(n),
            _ => {
                DROPPED.fetch_add(1, Ordering::Relaxed);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}
