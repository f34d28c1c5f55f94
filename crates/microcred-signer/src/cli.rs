//! Command-line interface: every help text comes from these doc comments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::passphrase::PassphraseSource;

/// Sign portable micro-credentials (W3C VC 2.0; eddsa-jcs-2022 and eddsa-rdfc-2022 with
/// Ed25519 keys, ecdsa-jcs-2019 and ecdsa-rdfc-2019 with P-256 / P-384 keys) with keys you
/// keep safe.
#[derive(Debug, Parser)]
#[command(name = "microcred-sign", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
    /// A JSON-LD context microcred does not bundle, as URL=FILE (repeatable), for
    /// eddsa-rdfc-2022 proofs of credentials that use it; nothing is fetched. A file
    /// that differs from a bundled context of the same URL is refused.
    #[arg(long = "context", value_name = "URL=FILE", global = true)]
    pub(crate) contexts: Vec<String>,
    /// A directory of contexts mirroring their URLs: DIR/host/path is used for
    /// https://host/path.
    #[arg(long, value_name = "DIR", global = true)]
    pub(crate) context_dir: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a key (Ed25519, or P-256 / P-384 with --type): writes DIR/NAME (mode 0600, encrypted with a passphrase flag)
    /// and prints its DID (the did:key, or the did:web with --did-web).
    Keygen(KeygenArgs),
    /// Change the passphrase of a key file (or encrypt an unencrypted one): the key and its
    /// DID stay the same; FILE is rewritten atomically (mode 0600) under a fresh salt and nonce.
    ChangePassphrase(ChangePassphraseArgs),
    /// Sign an unsigned credential: assertionMethod proofs of the key's cryptosuites
    /// (eddsa-*-2022 for Ed25519, ecdsa-*-2019 for P-256 / P-384; --suite), or a VC-JWT.
    Issue(IssueArgs),
    /// Learners: wrap signed credentials in a VerifiablePresentation signed with your key.
    Present(PresentArgs),
    /// Issue one credential per learner from a template and a CSV or JSONL list (parallel, resumable).
    Batch(BatchArgs),
    /// Create or read an issuance ledger (the SQLite database of issued credentials).
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Revoke a credential of a ledger (permanent); then publish the status list again.
    Revoke(RevokeArgs),
    /// Suspend a credential of a ledger (lifted with `unsuspend`); then publish the status list again.
    Suspend(RevokeArgs),
    /// Lift a suspension; then publish the status list again.
    Unsuspend(UnsuspendArgs),
    /// Write the signed BitstringStatusListCredential of a ledger, to publish at its URL.
    StatusList(StatusListArgs),
    /// Print a shell completion script for microcred-sign, e.g.
    /// `microcred-sign completions bash > /etc/bash_completion.d/microcred-sign`.
    Completions(CompletionsArgs),
    /// Write manual pages (roff) for microcred-sign and each subcommand into DIR.
    Man(ManArgs),
}

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum, value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, clap::Args)]
pub(crate) struct ManArgs {
    /// Directory to write microcred-sign.1 and microcred-sign-SUBCOMMAND.1 into
    /// (created if missing; existing pages are replaced).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
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
    /// The key's type: ed25519 (signs eddsa-jcs-2022 / eddsa-rdfc-2022 and EdDSA JWTs), p256
    /// or p384 (ECDSA: signs ecdsa-jcs-2019 / ecdsa-rdfc-2019 and ES256 / ES384 JWTs).
    #[arg(long = "type", value_enum, default_value_t = KeyTypeArg::Ed25519, value_name = "TYPE")]
    pub(crate) key_type: KeyTypeArg,
    /// Encrypt the new key (Argon2id + XChaCha20-Poly1305) with a passphrase from one of
    /// these flags; without one the key is stored unencrypted.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// Overwrite an existing key file (and did.json); the old key is lost.
    #[arg(long)]
    pub(crate) force: bool,
}

/// `keygen --type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KeyTypeArg {
    /// Ed25519.
    Ed25519,
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
}

impl From<KeyTypeArg> for microcred_core::keys::KeyType {
    fn from(t: KeyTypeArg) -> Self {
        match t {
            KeyTypeArg::Ed25519 => Self::Ed25519,
            KeyTypeArg::P256 => Self::P256,
            KeyTypeArg::P384 => Self::P384,
        }
    }
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

/// Arguments of `change-passphrase`.
#[derive(Debug, clap::Args)]
pub(crate) struct ChangePassphraseArgs {
    /// The secret key file to re-encrypt in place (Multikey JSON, mode 0600). A symbolic
    /// link is followed: the file it points to is rewritten.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// The key's current passphrase (an unencrypted key needs none).
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// The new passphrase, or --remove-passphrase.
    #[command(flatten)]
    pub(crate) new_passphrase: NewPassphraseArgs,
}

/// Where the new passphrase of `change-passphrase` comes from: exactly one is required,
/// never a command-line argument (other users can read those in the process list).
#[derive(Debug, Clone, Default, clap::Args)]
#[group(id = "new_passphrase", required = true, multiple = false)]
pub(crate) struct NewPassphraseArgs {
    /// Read the new passphrase from the first line of FILE (keep FILE mode 0600).
    #[arg(long, value_name = "FILE")]
    pub(crate) new_passphrase_file: Option<PathBuf>,
    /// Read the new passphrase from the environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub(crate) new_passphrase_env: Option<String>,
    /// Ask for the new passphrase on the terminal, twice (no echo).
    #[arg(long)]
    pub(crate) new_passphrase_prompt: bool,
    /// Store the key unencrypted instead (mode 0600), e.g. on a hardware-protected
    /// signing machine: anyone who can read the file can then sign as you.
    #[arg(long)]
    pub(crate) remove_passphrase: bool,
}

impl NewPassphraseArgs {
    /// The source these flags name; `None` for --remove-passphrase.
    pub(crate) fn source(&self) -> Option<PassphraseSource> {
        if let Some(f) = &self.new_passphrase_file {
            Some(PassphraseSource::File(f.clone()))
        } else if let Some(v) = &self.new_passphrase_env {
            Some(PassphraseSource::Env(v.clone()))
        } else if self.new_passphrase_prompt {
            Some(PassphraseSource::Prompt)
        } else {
            None
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
    /// Cryptosuite(s) of the proof: jcs, rdfc or both. Default both (a proof set accepted
    /// by JCS-only and RDFC-only verifiers alike), or jcs with a warning when @context
    /// names a context the signer does not know.
    #[arg(long, value_parser = crate::suite::parse, value_name = "SUITE")]
    pub(crate) suite: Option<crate::suite::Suite>,
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
    /// Sign a credential whose validUntil is before the issue time (a record of one
    /// that has already lapsed); without it such a credential is refused.
    #[arg(long)]
    pub(crate) allow_expired: bool,
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
    /// Record the credential in this ledger and add its credentialStatus entries.
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: Option<PathBuf>,
    /// How the credential is secured: di (JSON with a Data Integrity proof, the
    /// default) or jwt (a VC-JWT: a compact JWS in Open Badges 3.0's JWT proof format,
    /// EdDSA, ES256 or ES384 by the key's type).
    #[arg(long, visible_alias = "credential-format", value_enum, default_value_t = Format::Di, value_name = "FORMAT")]
    pub(crate) format: Format,
}

/// How an issued credential is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// JSON with a Data Integrity proof (`--suite`).
    Di,
    /// A VC-JWT (compact JWS, EdDSA).
    Jwt,
}

pub(crate) use crate::batch::OnError;

/// Arguments of `batch`.
#[derive(Debug, clap::Args)]
pub(crate) struct BatchArgs {
    /// The issuer's secret key file (Multikey JSON, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Cryptosuite(s) of the proof: jcs, rdfc or both. Default both (a proof set accepted
    /// by JCS-only and RDFC-only verifiers alike), or jcs with a warning when @context
    /// names a context the signer does not know.
    #[arg(long, value_parser = crate::suite::parse, value_name = "SUITE")]
    pub(crate) suite: Option<crate::suite::Suite>,
    /// How each credential is secured: di (JSON with a Data Integrity proof, DIR/NAME.json,
    /// the default) or jwt (a VC-JWT in Open Badges 3.0's JWT proof format, EdDSA, ES256 or
    /// ES384 by the key's type: DIR/NAME.jwt holding the token, or with --out-jsonl the
    /// token as a JSON string per line).
    #[arg(long, value_enum, default_value_t = crate::batch::CredentialFormat::Di, value_name = "FORMAT")]
    pub(crate) credential_format: crate::batch::CredentialFormat,
    /// Passphrase of an encrypted key.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// The unsigned credential whose string values may hold {{column}} placeholders.
    #[arg(long, value_name = "COURSE.json")]
    pub(crate) template: PathBuf,
    /// The learners: CSV with a header row, or JSON Lines (one object per line).
    #[arg(long, value_name = "LEARNERS.csv|.jsonl")]
    pub(crate) learners: PathBuf,
    /// The format of --learners; by default from its extension (.csv, .jsonl, .ndjson).
    #[arg(long, value_enum)]
    pub(crate) format: Option<crate::learners::Format>,
    /// The CSV field delimiter (e.g. ';' for spreadsheets in many European locales).
    #[arg(long, default_value_t = ',', value_name = "CHAR")]
    pub(crate) delimiter: char,
    /// Directory for the signed credentials, one file per learner (created if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "out_jsonl")]
    pub(crate) out: Option<PathBuf>,
    /// Instead of one file per learner: write the whole batch into this ONE file, JSON
    /// Lines (one signed credential per line, compact, in the order of the learner list),
    /// for uploading a cohort to a wallet service, LMS or archive. The file appears
    /// atomically and complete, is never overwritten, and a rerun of an interrupted batch
    /// writes it byte for byte as the first run would have.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "out")]
    pub(crate) out_jsonl: Option<PathBuf>,
    /// Column with each learner's identifier: names the files DIR/VALUE.json and is
    /// recorded in the ledger. Without it, files are DIR/row-NNNNNN.json (data row number).
    /// With --out-jsonl it names the credential's line in the ledger (FILE#VALUE).
    #[arg(long, value_name = "COLUMN")]
    pub(crate) id_column: Option<String>,
    /// Ledger to record the credentials in; adds credentialStatus entries and makes
    /// interrupted batches resumable with the same ids.
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: Option<PathBuf>,
    /// What to do with rows that have a missing or bad value (or, with --profile,
    /// whose credential does not comply).
    #[arg(long, value_enum, default_value_t = OnError::Abort)]
    pub(crate) on_error: OnError,
    /// Check every row's credential against this framework profile before anything
    /// is signed: a built-in name (e.g. emc-cmf, eu-2022) or a profile JSON file.
    /// Repeatable. A row that fails a rule of severity error is a bad row (see
    /// --on-error).
    #[arg(long, value_name = "NAME|FILE")]
    pub(crate) profile: Vec<String>,
    /// Sign rows that fail a --profile rule anyway (each failure is still printed).
    #[arg(long, requires = "profile")]
    pub(crate) allow_noncompliant: bool,
    /// Sign credentials whose validUntil is before the issue time (records of ones
    /// that have already lapsed); without it such a row is a bad row (see --on-error).
    #[arg(long)]
    pub(crate) allow_expired: bool,
    /// Issue even when the ledger already holds a credential with the same content
    /// written to another file (a deliberate re-issue).
    #[arg(long)]
    pub(crate) allow_reissue: bool,
    /// Signing threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// Print a JSON summary on stdout at the end.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum LedgerCommand {
    /// Create a new, empty ledger for an issuer key and a status base URL.
    Init(LedgerInitArgs),
    /// List the credentials of a ledger (tab-separated, or JSON Lines with --json).
    List(LedgerListArgs),
}

/// Arguments of `ledger init`.
#[derive(Debug, clap::Args)]
pub(crate) struct LedgerInitArgs {
    /// The ledger file to create (refused if it exists).
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: PathBuf,
    /// Where the status lists will be published: URL/revocation and URL/suspension.
    #[arg(long, value_name = "URL")]
    pub(crate) status_base_url: String,
    /// The issuer's key file; its DID becomes the ledger's issuer.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Passphrase of an encrypted key.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
}

/// Arguments of `ledger list`.
#[derive(Debug, clap::Args)]
pub(crate) struct LedgerListArgs {
    /// The ledger file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: PathBuf,
    /// Only credentials of this learner id.
    #[arg(long, value_name = "ID")]
    pub(crate) learner: Option<String>,
    /// One JSON object per credential (JSON Lines).
    #[arg(long)]
    pub(crate) json: bool,
}

/// Arguments of `revoke` and `suspend`.
#[derive(Debug, clap::Args)]
pub(crate) struct RevokeArgs {
    /// The ledger file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: PathBuf,
    /// Why (recorded in the ledger).
    #[arg(long, value_name = "TEXT")]
    pub(crate) reason: String,
    /// The credential's id (e.g. urn:uuid:…).
    #[arg(value_name = "ID")]
    pub(crate) id: String,
}

/// Arguments of `unsuspend`.
#[derive(Debug, clap::Args)]
pub(crate) struct UnsuspendArgs {
    /// The ledger file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: PathBuf,
    /// Why (recorded in the ledger).
    #[arg(long, value_name = "TEXT")]
    pub(crate) reason: Option<String>,
    /// The credential's id (e.g. urn:uuid:…).
    #[arg(value_name = "ID")]
    pub(crate) id: String,
}

/// The purpose of a status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Purpose {
    /// Bit set = revoked.
    Revocation,
    /// Bit set = suspended.
    Suspension,
}

/// Arguments of `status-list`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusListArgs {
    /// The ledger file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: PathBuf,
    /// The issuer's key file (the ledger's issuer).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Passphrase of an encrypted key.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArgs,
    /// Cryptosuite(s) of the proof: jcs, rdfc or both. Default both (a proof set accepted
    /// by JCS-only and RDFC-only verifiers alike), or jcs with a warning when @context
    /// names a context the signer does not know.
    #[arg(long, value_parser = crate::suite::parse, value_name = "SUITE")]
    pub(crate) suite: Option<crate::suite::Suite>,
    /// Which list.
    #[arg(long, value_enum)]
    pub(crate) purpose: Purpose,
    /// Where to write the signed list credential (atomically).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Replace FILE if it exists (the usual case when publishing an update).
    #[arg(long)]
    pub(crate) force: bool,
    /// How long the list is valid: it gets validFrom now and validUntil now plus
    /// DURATION (a number and a unit: h hours, d days, w weeks; at most 366d).
    /// Verifiers fail the status check with a list past its validUntil, so publish
    /// the list again before then, e.g. daily or weekly from cron.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_valid_for)]
    pub(crate) valid_for: time::Duration,
}

/// The longest `--valid-for`: a list valid for years would say "not revoked" for
/// years after the registrar stopped publishing it.
const MAX_VALID_FOR_DAYS: i64 = 366;

/// Parses `--valid-for`: a positive whole number and a unit, `h`, `d` or `w`.
fn parse_valid_for(text: &str) -> Result<time::Duration, String> {
    let bad = || format!("{text:?} is not a duration such as 12h, 30d or 2w");
    let unit_at = text.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = (text.get(..unit_at).ok_or_else(bad)?, text.get(unit_at..));
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = number.parse().map_err(|_| bad())?;
    let duration = match unit {
        Some("h") => time::Duration::hours(n.min(i64::from(u32::MAX))),
        Some("d") => time::Duration::days(n.min(i64::from(u32::MAX))),
        Some("w") => time::Duration::weeks(n.min(i64::from(u32::MAX))),
        _ => return Err(bad()),
    };
    if duration <= time::Duration::ZERO {
        return Err(format!(
            "{text:?}: a status list must be valid for some time"
        ));
    }
    if duration > time::Duration::days(MAX_VALID_FOR_DAYS) {
        return Err(format!(
            "{text:?} is longer than {MAX_VALID_FOR_DAYS}d: publish the list again more often than that"
        ));
    }
    Ok(duration)
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
    /// Cryptosuite(s) of the proof: jcs, rdfc or both. Default both (a proof set accepted
    /// by JCS-only and RDFC-only verifiers alike), or jcs with a warning when @context
    /// names a context the signer does not know.
    #[arg(long, value_parser = crate::suite::parse, value_name = "SUITE")]
    pub(crate) suite: Option<crate::suite::Suite>,
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
    /// How the presentation is secured: di (JSON with a Data Integrity proof, the default) or
    /// jwt (a VP-JWT: the VC 1.1 JWT encoding, EdDSA, ES256 or ES384 by the key's type, the
    /// presentation in its vp claim, the challenge as nonce and the domain as aud).
    #[arg(long, value_enum, default_value_t = Format::Di, value_name = "FORMAT")]
    pub(crate) format: Format,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_for_takes_hours_days_and_weeks_within_a_year() {
        assert_eq!(parse_valid_for("12h"), Ok(time::Duration::hours(12)));
        assert_eq!(parse_valid_for("30d"), Ok(time::Duration::days(30)));
        assert_eq!(parse_valid_for("2w"), Ok(time::Duration::days(14)));
        assert_eq!(parse_valid_for("366d"), Ok(time::Duration::days(366)));
        for bad in [
            "", "d", "30", "30 d", "-1d", "+1d", "1.5d", "30m", "3y", "1dd", "é",
        ] {
            let e = parse_valid_for(bad).unwrap_err();
            assert!(e.contains("is not a duration"), "{bad:?}: {e}");
        }
        assert!(
            parse_valid_for("0h")
                .unwrap_err()
                .contains("valid for some time")
        );
        assert!(
            parse_valid_for("367d")
                .unwrap_err()
                .contains("longer than 366d")
        );
        assert!(
            parse_valid_for("99999999999999999999w")
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(
            parse_valid_for("9999999999w")
                .unwrap_err()
                .contains("longer than")
        );
    }
}
