//! `microcred-verify`: verify credential files offline.
//!
//! Exit status: 0 when every file verifies, 1 when any does not, 2 when an
//! input cannot be read or parsed or the arguments are wrong.

#![forbid(unsafe_code)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use microcred_verifier::{Outcome, Report, Verifier};

/// Verify micro-credentials offline: signature, issuer, validity.
#[derive(Debug, Parser)]
#[command(name = "microcred-verify", version, about, long_about = None)]
struct Cli {
    /// Print one JSON report per file (JSON Lines) instead of the human report.
    #[arg(long)]
    json: bool,
    /// Credential files to verify.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verifier = Verifier::new();
    let mut status = 0u8;
    let mut out = std::io::stdout().lock();
    for path in &cli.files {
        let result = std::fs::read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|bytes| {
                verifier
                    .verify_bytes(&bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))
            });
        let report = match result {
            Ok(r) => r,
            Err(msg) => {
                let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
                status = 2;
                continue;
            }
        };
        if !report.valid && status == 0 {
            status = 1;
        }
        let written = if cli.json {
            let mut v = serde_json::to_value(&report).unwrap_or_default();
            v["file"] = path.display().to_string().into();
            writeln!(out, "{v}")
        } else {
            human(&mut out, path, &report)
        };
        if written.is_err() {
            // Broken pipe: stop quietly.
            break;
        }
    }
    ExitCode::from(status)
}

fn human(
    out: &mut impl std::io::Write,
    path: &std::path::Path,
    report: &Report,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {}",
        path.display(),
        if report.valid { "VALID" } else { "INVALID" }
    )?;
    for c in &report.checks {
        let mark = match c.outcome {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::Warn => "!",
            Outcome::Skipped => "-",
        };
        writeln!(out, "  {mark} {:<13} {}", c.id, c.message)?;
    }
    Ok(())
}
