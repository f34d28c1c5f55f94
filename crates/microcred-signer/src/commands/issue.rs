//! `microcred-sign issue`.

use std::io::Write as _;

use anyhow::Context as _;
use microcred_core::credential::Credential;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use microcred_core::{Value, datetime};

use crate::cli::IssueArgs;
use crate::files;

pub(crate) fn run(args: &IssueArgs) -> anyhow::Result<()> {
    let key = files::load_key(&args.key)?;
    let mut unsigned = files::read_json(&args.input)?;
    let cred = Credential::new(&unsigned).with_context(|| {
        format!(
            "{}: a credential must be a JSON object",
            args.input.display()
        )
    })?;
    let controller = key.controller();
    if cred.issuer().and_then(|i| i.id) != Some(controller.as_str()) {
        // The verifier flags this; signing anyway lets registrars test with spec examples.
        let found = cred.issuer().and_then(|i| i.id).unwrap_or("(none)");
        writeln!(
            std::io::stderr(),
            "microcred-sign: warning: issuer {found} is not the key's controller {controller}; verifiers will report the issuer as not matching the signing key"
        )?;
    }
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    options.created = Some(match &args.created {
        Some(c) => {
            datetime::parse(c).context("--created")?;
            c.clone()
        }
        None => datetime::format(datetime::now()),
    });
    // With a ledger: recorded as pending (id, status index) before signing,
    // marked issued once written.
    let pending = match &args.ledger {
        Some(path) => Some(super::issue_ledger::reserve(
            path,
            &mut unsigned,
            &key,
            &args.input,
            options.created.as_deref().unwrap_or_default(),
        )?),
        None => None,
    };
    let signed = proof::add_proof(&unsigned, &key.secret, &options)?;
    emit(&signed, args.out.as_deref(), args.force)?;
    match pending {
        Some(pending) => pending.finish(&signed),
        None => Ok(()),
    }
}

/// Writes a JSON document, pretty-printed, to `out` (atomically) or stdout.
pub(crate) fn emit(doc: &Value, out: Option<&std::path::Path>, force: bool) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(doc)?;
    text.push('\n');
    match out {
        Some(path) => files::write_atomic(path, text.as_bytes(), force, 0o644),
        None => Ok(std::io::stdout().write_all(text.as_bytes())?),
    }
}
