//! `microcred-verify`: verify credential and presentation files offline.
//!
//! Exit status: 0 when every file verifies, 1 when any does not (or the
//! qualification asked for is not met), 2 when an input cannot be read or
//! parsed or the arguments are wrong. Reports go to stdout, diagnostics to
//! stderr. The report's JSON form is documented in `docs/verify-report.md`.

#![forbid(unsafe_code)]

mod output;

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use microcred_core::{datetime, json};
use microcred_verifier::profile::Profile;
use microcred_verifier::{Options, Qualification, Report, StatusLists, TrustList, Verifier};
use rayon::prelude::*;

/// Largest file read (credentials, presentations, lists, trust and qualification files):
/// the strict JSON parser's own limit, checked before a file is read whole.
const MAX_FILE_BYTES: usize = json::Limits::DEFAULT.max_bytes;

/// Verify micro-credentials and presentations offline: signature, issuer and
/// its trust, validity, revocation, framework profiles, and whether several
/// credentials add up to a qualification.
#[derive(Debug, Parser)]
#[command(name = "microcred-verify", version, about, long_about = None)]
struct Cli {
    /// Print one JSON report per file (JSON Lines; schema in docs/verify-report.md).
    #[arg(long)]
    json: bool,
    /// Trust list of issuers (JSON; format in docs/trust-list.md). Without it, issuer
    /// trust is "not checked".
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// A signed BitstringStatusListCredential to read revocation/suspension bits from
    /// (repeatable). Without one, status is "not checked".
    #[arg(long = "status-list", value_name = "FILE")]
    status_lists: Vec<PathBuf>,
    /// Check every credential against a framework profile (repeatable): a built-in
    /// name (see --list-profiles), `claimed` (the built-in profiles each credential
    /// claims), or the path of a profile file of your own.
    #[arg(long, value_name = "NAME|FILE")]
    profile: Vec<String>,
    /// List the built-in profiles and exit.
    #[arg(long, exclusive = true)]
    list_profiles: bool,
    /// Verify as of this time (RFC 3339, e.g. 2026-01-31T12:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The challenge (nonce) a presentation's proof must carry.
    #[arg(long, value_name = "C")]
    challenge: Option<String>,
    /// The domain a presentation's proof must carry.
    #[arg(long, value_name = "D")]
    domain: Option<String>,
    /// A qualification (JSON; format in docs/qualifications.md) the valid credentials
    /// of all FILEs should add up to.
    #[arg(long, value_name = "FILE")]
    qualification: Option<PathBuf>,
    /// Credential or presentation files to verify.
    #[arg(required_unless_present = "list_profiles", value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list_profiles {
        return list_profiles();
    }
    let verifier = match build(&cli) {
        Ok(v) => v,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
            return ExitCode::from(2);
        }
    };
    // Each file is read and verified on the thread pool; results keep argument order.
    let results: Vec<Result<Report, String>> = cli
        .files
        .par_iter()
        .map(|path| verify_file(&verifier, path))
        .collect();

    let mut status = 0u8;
    let style = output::Style::detect(std::io::stdout().is_terminal());
    let mut out = std::io::stdout().lock();
    let mut written = Ok(());
    for (path, result) in cli.files.iter().zip(&results) {
        let file = path.display().to_string();
        match result {
            Ok(report) => {
                if !report.valid && status == 0 {
                    status = 1;
                }
            }
            Err(msg) => {
                let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
                status = 2;
            }
        }
        if written.is_ok() {
            written = if cli.json {
                output::json_line(&mut out, &file, result)
            } else {
                output::human(&mut out, &file, result, style)
            };
        }
    }
    if let Some(q) = {
        let labelled: Vec<(String, &Report)> = cli
            .files
            .iter()
            .zip(&results)
            .filter_map(|(p, r)| r.as_ref().ok().map(|r| (p.display().to_string(), r)))
            .collect();
        let refs: Vec<(&str, &Report)> = labelled.iter().map(|(l, r)| (l.as_str(), *r)).collect();
        verifier.assess_qualification(&refs)
    } {
        if !q.met && status == 0 {
            status = 1;
        }
        if written.is_ok() {
            written = if cli.json {
                output::qualification_json(&mut out, &q)
            } else {
                output::qualification_human(&mut out, &q, style)
            };
        }
    }
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    let _ = written.and_then(|()| out.flush());
    ExitCode::from(status)
}

/// Reads every option file; any problem is a usage error (exit 2).
fn build(cli: &Cli) -> Result<Verifier, String> {
    let mut options = Options::default();
    // One instant for every file, so that a batch is judged consistently.
    options.at = Some(match &cli.at {
        Some(s) => datetime::parse(s).map_err(|e| format!("--at: {e}"))?,
        None => datetime::now(),
    });
    if let Some(path) = &cli.trust {
        let bytes = read_bounded(path)?;
        options.trust =
            Some(TrustList::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let mut lists = StatusLists::new();
    for path in &cli.status_lists {
        let bytes = read_bounded(path)?;
        let doc = json::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        lists
            .add(doc)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    options.status_lists = lists;
    for name in &cli.profile {
        if name == "claimed" {
            options.claimed_profiles = true;
        } else if let Some(p) = Profile::builtin(name) {
            options.profiles.push(p);
        } else if Path::new(name).exists() {
            let bytes = read_bounded(Path::new(name))?;
            options
                .profiles
                .push(Profile::from_json(&bytes).map_err(|e| format!("{name}: {e}"))?);
        } else {
            return Err(format!(
                "--profile {name}: no built-in profile of that name ({}, or claimed) and no such file",
                Profile::builtin_names().join(", ")
            ));
        }
    }
    options.challenge.clone_from(&cli.challenge);
    options.domain.clone_from(&cli.domain);
    if let Some(path) = &cli.qualification {
        let bytes = read_bounded(path)?;
        let q = Qualification::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if q.needs_trust_list() && options.trust.is_none() {
            return Err(format!(
                "{}: acceptedIssuers is \"any-trusted\": give the trust list with --trust",
                path.display()
            ));
        }
        options.qualification = Some(q);
    }
    Ok(Verifier::with_options(options))
}

fn list_profiles() -> ExitCode {
    let mut out = std::io::stdout().lock();
    for name in Profile::builtin_names() {
        let title = Profile::builtin(name).map(|p| p.title).unwrap_or_default();
        if writeln!(out, "{name}\t{title}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

fn verify_file(verifier: &Verifier, path: &Path) -> Result<Report, String> {
    let bytes = read_bounded(path)?;
    verifier
        .verify_bytes(&bytes)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a file of at most [`MAX_FILE_BYTES`], refusing larger ones before reading them.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let err = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(err)?;
    let meta = file.metadata().map_err(err)?;
    if meta.is_dir() {
        return Err(format!("cannot read {}: it is a directory", path.display()));
    }
    let too_large = |size: String| {
        format!(
            "{}: file is {size} bytes, larger than the limit of {MAX_FILE_BYTES} bytes",
            path.display()
        )
    };
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX);
    if meta.len() > limit {
        return Err(too_large(meta.len().to_string()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between metadata and read (or be a pipe): bound the read too.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(err)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    Ok(bytes)
}
