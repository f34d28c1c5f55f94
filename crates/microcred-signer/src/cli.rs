//! Command-line interface: every help text comes from these doc comments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Sign portable micro-credentials (W3C VC 2.0, eddsa-jcs-2022) with keys you keep safe.
#[derive(Debug, Parser)]
#[command(name = "microcred-sign", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate an Ed25519 issuer key: writes DIR/issuer.key.json (mode 0600) and prints the did:key.
    Keygen(KeygenArgs),
    /// Add an eddsa-jcs-2022 assertionMethod proof to an unsigned credential.
    Issue(IssueArgs),
}

/// Arguments of `keygen`.
#[derive(Debug, clap::Args)]
pub(crate) struct KeygenArgs {
    /// Directory to write the key into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// File name of the secret key inside DIR.
    #[arg(long, default_value = "issuer.key.json", value_name = "NAME")]
    pub(crate) name: String,
    /// Overwrite an existing key file (the old key is lost).
    #[arg(long)]
    pub(crate) force: bool,
}

/// Arguments of `issue`.
#[derive(Debug, clap::Args)]
pub(crate) struct IssueArgs {
    /// The issuer's secret key file (Multikey JSON, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// The proof's `created` time (RFC 3339); default now. Fix it for reproducible output.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) created: Option<String>,
    /// Write the signed credential here (atomically) instead of to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Overwrite FILE given with --out if it exists.
    #[arg(long)]
    pub(crate) force: bool,
    /// The unsigned credential (JSON); `-` reads stdin.
    #[arg(value_name = "UNSIGNED.json")]
    pub(crate) input: PathBuf,
}
