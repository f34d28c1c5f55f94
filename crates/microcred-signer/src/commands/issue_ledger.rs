//! `microcred-sign issue --ledger`: one credential recorded in a ledger, with
//! the same `credentialStatus` entries and the same pending → issued steps as
//! a batch row.

use std::path::Path;

use anyhow::{Context as _, bail};
use microcred_core::keys::KeyFile;
use microcred_core::{Value, jcs};
use sha2::{Digest as _, Sha256};

use crate::ledger::{Ledger, Reservation, status_entries};
use microcred_core::multibase::hex;

/// A credential recorded as pending, to be marked issued once written.
pub(crate) struct Pending {
    ledger: Ledger,
    status_index: u64,
}

/// Records `unsigned` in the ledger at `path` (a new `urn:uuid:` id when it
/// has none) and adds its `credentialStatus` entries.
pub(crate) fn reserve(
    path: &Path,
    unsigned: &mut Value,
    key: &KeyFile,
    input: &Path,
    issued_at: &str,
) -> anyhow::Result<Pending> {
    let mut ledger = Ledger::open(path)?;
    ledger.check_issuer(&key.controller())?;
    let content_sha256 = hex(&Sha256::digest(jcs::canonicalize(unsigned)));
    let Value::Object(doc) = unsigned else {
        bail!("{}: a credential must be a JSON object", input.display());
    };
    if doc.contains_key("credentialStatus") {
        bail!(
            "{}: it already has a credentialStatus; with --ledger the ledger adds one",
            input.display()
        );
    }
    let credential_id = match doc.get("id") {
        Some(Value::String(id)) => id.clone(),
        Some(_) => bail!("{}: id must be a string", input.display()),
        None => {
            let id = microcred_core::issuance::new_credential_id()?;
            doc.insert("id".into(), id.clone().into());
            id
        }
    };
    if ledger.get(&credential_id)?.is_some() {
        bail!(
            "credential id {credential_id} is already in the ledger {}",
            ledger.path().display()
        );
    }
    let source = std::fs::canonicalize(input).unwrap_or_else(|_| input.to_owned());
    let rec = ledger
        .reserve(vec![Reservation {
            credential_id,
            learner_id: doc
                .get("credentialSubject")
                .and_then(|s| s.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            source_file: Some(source.display().to_string()),
            source_row: None,
            source_line: None,
            out_file: None,
            content_sha256: Some(content_sha256),
            issued_at: issued_at.to_owned(),
        }])?
        .pop()
        .context("the ledger recorded nothing")?;
    doc.insert(
        "credentialStatus".into(),
        status_entries(ledger.base_url(), rec.status_index)?,
    );
    Ok(Pending {
        ledger,
        status_index: rec.status_index,
    })
}

impl Pending {
    /// Marks the credential issued, with the SHA-256 of the bytes written (the
    /// pretty-printed credential, or the VC-JWT and its newline).
    pub(crate) fn finish(mut self, written: &[u8]) -> anyhow::Result<()> {
        let sha = hex(&Sha256::digest(written));
        Ok(self.ledger.mark_issued(&[(self.status_index, sha)])?)
    }
}
