//! `microcred-sign issue`: fill what the registrar should not type, check the framework
//! profiles asked for, sign.
//!
//! Filling and the checks an issuer owes its users live in
//! `microcred_core::issuance` (its documentation has the issuer rule), shared with
//! `microcred-server`, so that the CLI and the service agree.

use std::io::Write as _;

use anyhow::{Context as _, bail};
use microcred_core::issuance::{Fill, check_not_expired, prepare};
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::{Value, datetime};

use crate::cli::{Format, IssueArgs};
use crate::files;

pub(crate) fn run(args: &IssueArgs) -> anyhow::Result<()> {
    let (created, at) = match &args.created {
        Some(c) => (c.clone(), datetime::parse(c).context("--created")?),
        None => {
            let now = datetime::now();
            (datetime::format(now), now)
        }
    };
    // Profiles are loaded before the key, so that a typo costs no passphrase.
    let profiles = crate::profiles::load(&args.profile)?;
    let key = files::load_key(&args.key, &args.passphrase.source())?;
    // A cryptosuite named in full must fit the key: refused before a ledger reserves.
    if let Some(suite) = args.suite {
        suite.for_key(key.secret.key_type())?;
    }
    let mut doc = files::read_json(&args.input)?;
    let controller = key.controller();
    let fill = Fill {
        controller: &controller,
        issuer_name: args.issuer_name.as_deref(),
        set_issuer: args.set_issuer,
        valid_from: &created,
    };
    let mut warnings = Vec::new();
    prepare(&mut doc, &fill, &mut warnings)
        .with_context(|| format!("{}: cannot issue", args.input.display()))?;
    let mut err = std::io::stderr();
    if let Err(e) = check_not_expired(doc.get("validUntil"), at) {
        if !args.allow_expired {
            bail!(
                "{}: cannot issue: {e}; pass --allow-expired to sign it anyway",
                args.input.display()
            );
        }
        warnings.push(format!("{e} (signed because of --allow-expired)"));
    }
    for w in &warnings {
        writeln!(err, "microcred-sign: warning: {w}")?;
    }
    crate::profiles::enforce(&profiles, &doc, at, args.allow_noncompliant, &mut err)?;
    if args.format == Format::Jwt {
        return issue_jwt(args, &mut doc, &key, &created, at);
    }
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    options.created = Some(created);
    // With a ledger: recorded as pending (id, status index) before signing,
    // marked issued once written.
    let pending = match &args.ledger {
        Some(path) => Some(super::issue_ledger::reserve(
            path,
            &mut doc,
            &key,
            &args.input,
            options.created.as_deref().unwrap_or_default(),
        )?),
        None => None,
    };
    let signed = crate::suite::sign(&doc, &key.secret, &options, args.suite)?;
    emit(&signed, args.out.as_deref(), args.force)?;
    match pending {
        Some(pending) => pending.finish(&pretty(&signed)?),
        None => Ok(()),
    }
}

/// `--format jwt`: the credential as a VC-JWT signed with the issuer's key,
/// naming its verification method as `kid`; the token and a newline written as
/// a JSON document would be. With `--ledger` the credential gets its id and
/// status entries as a Data Integrity one does (inside the `vc` claim), and the
/// ledger records the SHA-256 of the written token.
fn issue_jwt(
    args: &IssueArgs,
    doc: &mut Value,
    key: &microcred_core::keys::KeyFile,
    created: &str,
    at: time::OffsetDateTime,
) -> anyhow::Result<()> {
    // Options of the Data Integrity path that a JWT has no place for: refused
    // rather than silently ignored.
    if args.suite.is_some() {
        bail!("--suite chooses a Data Integrity cryptosuite; a VC-JWT (--format jwt) has none");
    }
    let pending = match &args.ledger {
        Some(path) => Some(super::issue_ledger::reserve(
            path,
            doc,
            key,
            &args.input,
            created,
        )?),
        None => None,
    };
    let token = microcred_core::vc_jwt::sign(doc, &key.secret, &key.verification_method(), at)
        .with_context(|| format!("{}: cannot issue", args.input.display()))?;
    let text = format!("{token}\n");
    match args.out.as_deref() {
        Some(path) => files::write_atomic(path, text.as_bytes(), args.force, 0o644)?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    match pending {
        Some(pending) => pending.finish(text.as_bytes()),
        None => Ok(()),
    }
}

/// The text [`emit`] writes for `doc`.
fn pretty(doc: &Value) -> anyhow::Result<Vec<u8>> {
    let mut text = serde_json::to_vec_pretty(doc)?;
    text.push(b'\n');
    Ok(text)
}

/// Writes a JSON document, pretty-printed, to `out` (atomically) or stdout.
pub(crate) fn emit(doc: &Value, out: Option<&std::path::Path>, force: bool) -> anyhow::Result<()> {
    let text = pretty(doc)?;
    match out {
        Some(path) => Ok(files::write_atomic(path, &text, force, 0o644)?),
        None => Ok(std::io::stdout().write_all(&text)?),
    }
}
