//! Command-line interface: every help text comes from these doc comments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::passphrase::PassphraseSource;

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
    /// Generate an Ed25519 key: writes DIR/NAME (mode 0600, encrypted with a passphrase flag)
    /// and prints its DID (the did:key, or the did:web with --did-web).
    Keygen(KeygenArgs),
    /// Add an eddsa-jcs-2022 assertionMethod proof to an unsigned credential.
    Issue(IssueArgs),
    /// Learners: wrap signed credentials in a VerifiablePresentation signed with your key.
    Present(PresentArgs),
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
    /// Make the key a did:web key (id did:web:HOST#key-1) and write DIR/did.json, the DID
    /// document to publish at https://HOST/.well-known/did.json (or https://HOST/PATH/did.json
    /// when a colon-separated PATH follows, e.g. uni.example:registrar; a port is written %3A).
    #[arg(long, value_name = "HOST[:PATH]")]
    pub(crate) did_web: Option<String>,
    /// Encrypt the new key (Argon2id + XChaCha20-Poly1305) with a passphrase from one of
    /// these flags; without one the key is stored unencrypted.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// Overwrite an existing key file (and did.json); the old key is lost.
    #[arg(long)]
    pub(crate) force: bool,
}

/// Where the passphrase of an encrypted key comes from. Never a command-line argument:
/// other users can read those in the process list.
#[derive(Debug, Clone, Default, clap::Args)]
#[group(id = "passphrase", multiple = false)]
pub(crate) struct PassphraseArgs {
    /// Read the key's passphrase from the first line of FILE (keep FILE mode 0600).
    #[arg(long, value_name = "FILE")]
    pub(crate) passphrase_file: Option<PathBuf>,
    /// Read the key's passphrase from the environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,
    /// Ask for the key's passphrase on the terminal (no echo). This is also what happens
    /// when an encrypted key is used with none of these flags and a terminal is attached.
    #[arg(long)]
    pub(crate) passphrase_prompt: bool,
}

impl PassphraseArgs {
    /// The source these flags name.
    pub(crate) fn source(&self) -> PassphraseSource {
        if let Some(f) = &self.passphrase_file {
            PassphraseSource::File(f.clone())
        } else if let Some(v) = &self.passphrase_env {
            PassphraseSource::Env(v.clone())
        } else if self.passphrase_prompt {
            PassphraseSource::Prompt
        } else {
            PassphraseSource::Unspecified
        }
    }
}

/// Arguments of `issue`.
#[derive(Debug, clap::Args)]
pub(crate) struct IssueArgs {
    /// The issuer's secret key file (Multikey JSON, mode 0600); its controller DID becomes
    /// the credential's issuer.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Passphrase of an encrypted key.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// Set `issuer.name` (turning a string issuer into an object).
    #[arg(long, value_name = "NAME")]
    pub(crate) issuer_name: Option<String>,
    /// Replace an issuer id that differs from the key's controller DID (by default such a
    /// credential is signed as it is, with a warning, and verifiers reject its issuer).
    #[arg(long)]
    pub(crate) set_issuer: bool,
    /// Refuse to sign unless the credential complies with this framework profile: a
    /// built-in name (e.g. emc-cmf, eu-2022) or a profile JSON file. Repeatable.
    #[arg(long, value_name = "NAME|FILE")]
    pub(crate) profile: Vec<String>,
    /// Sign even when a --profile rule fails (each failure is still printed, loudly).
    #[arg(long)]
    pub(crate) allow_noncompliant: bool,
    /// The proof's `created` time (RFC 3339), also used for a missing `validFrom`;
    /// default now. Fix it for reproducible output.
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

/// Arguments of `present`.
#[derive(Debug, clap::Args)]
pub(crate) struct PresentArgs {
    /// The learner's (holder's) secret key file; its DID becomes the presentation's holder.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Passphrase of an encrypted key.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// The verifier's challenge (a nonce they gave you), bound into the proof.
    #[arg(long, value_name = "C")]
    pub(crate) challenge: Option<String>,
    /// The verifier's domain (who the presentation is for), bound into the proof.
    #[arg(long, value_name = "D")]
    pub(crate) domain: Option<String>,
    /// The proof's `created` time (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) created: Option<String>,
    /// Present credentials whose credentialSubject.id is not the key's DID (verifiers
    /// checking holder binding will reject them).
    #[arg(long)]
    pub(crate) allow_other_subject: bool,
    /// Write the presentation here (atomically) instead of to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Overwrite FILE given with --out if it exists.
    #[arg(long)]
    pub(crate) force: bool,
    /// Signed credential files to embed, in order; `-` reads one from stdin.
    #[arg(required = true, value_name = "CRED")]
    pub(crate) credentials: Vec<PathBuf>,
}
