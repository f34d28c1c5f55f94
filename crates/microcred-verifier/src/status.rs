//! Status lists handed to the verifier (`--status-list FILE`), and the
//! `status` check (W3C Bitstring Status List v1.0, contract §3 of the project).
//!
//! A list is itself a credential: before a credential's bit is read, the list's
//! proof is verified (by the list's issuer, for `assertionMethod`), its issuer
//! must be the credential's issuer, it must be valid at the time of
//! verification, and its `statusPurpose` must be the entry's.

use microcred_core::proof::{self, KeyResolver};
use microcred_core::status_list::{ListCredential, StatusEntry, StatusListError, StatusPurpose};
use microcred_core::{Value, credential::Credential};
use time::OffsetDateTime;

use crate::checks::validity;
use crate::report::Check;

/// A status list credential as given, with its decoded list.
#[derive(Debug, Clone, PartialEq)]
struct GivenList {
    doc: Value,
    parsed: ListCredential,
}

/// The status list credentials a verifier reads bits from, matched to a
/// credential's entries by `statusListCredential` == the list's `id`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusLists {
    lists: Vec<GivenList>,
}

impl StatusLists {
    /// No lists: the `status` check reports "not checked".
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a `BitstringStatusListCredential` (its proof and validity are
    /// checked when a credential refers to it, and reported there).
    ///
    /// # Errors
    /// [`StatusListError`] when it is not a status list credential (naming the
    /// missing or malformed member), or when a list with the same `id` was
    /// already added.
    pub fn add(&mut self, doc: Value) -> Result<(), StatusListError> {
        let parsed = ListCredential::from_json(&doc)?;
        if self.lists.iter().any(|l| l.parsed.id == parsed.id) {
            return Err(StatusListError::ListCredential(format!(
                "a list with id {:?} was already given",
                parsed.id
            )));
        }
        self.lists.push(GivenList { doc, parsed });
        Ok(())
    }

    /// Number of lists.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no list was given.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Ids of the lists, in the order given.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.lists.iter().map(|l| l.parsed.id.as_str())
    }
}

/// The outcome of verifying a list's own proofs, computed once per verifier.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PreparedLists {
    /// Per list (same order as [`StatusLists`]): `Ok` or why its proof fails.
    proofs: Vec<Result<(), String>>,
}

impl PreparedLists {
    pub(crate) fn new(lists: &StatusLists, resolver: &dyn KeyResolver) -> Self {
        let proofs = lists
            .lists
            .iter()
            .map(|l| list_proof(&l.doc, &l.parsed.issuer, resolver))
            .collect();
        Self { proofs }
    }
}

/// Every proof of the list verifies, for `assertionMethod`, by a key of the list's issuer.
fn list_proof(doc: &Value, issuer: &str, resolver: &dyn KeyResolver) -> Result<(), String> {
    let outcomes = proof::verify_proofs(doc, resolver);
    if outcomes.is_empty() {
        return Err("the status list is not signed".into());
    }
    for o in outcomes {
        let n = o.index + 1;
        match o.result {
            Err(e) => return Err(format!("its proof {n} does not verify: {e}")),
            Ok(controller) if controller != issuer => {
                return Err(format!(
                    "its proof {n} is by {controller}, not by the list's issuer {issuer}"
                ));
            }
            Ok(_) => {}
        }
        if o.proof_purpose.as_deref() != Some("assertionMethod") {
            return Err(format!(
                "its proof {n} has proofPurpose {:?} where assertionMethod is required",
                o.proof_purpose.unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The `status` check: one line per status entry of the credential.
pub(crate) fn check(
    cred: &Credential<'_>,
    lists: &StatusLists,
    prepared: &PreparedLists,
    at: OffsetDateTime,
    checks: &mut Vec<Check>,
) {
    let entries = cred.status_entries();
    let raw_status = cred.as_map().get("credentialStatus");
    if raw_status.is_none() {
        checks.push(
            Check::skipped(
                "status",
                "not checked: the credential has no credentialStatus (its issuer cannot revoke it)",
            )
            .with_reason("no-status"),
        );
        return;
    }
    if entries.is_empty() {
        checks.push(Check::fail(
            "status",
            "credentialStatus is neither an object nor an array of objects",
        ));
        return;
    }
    let issuer = cred.issuer().and_then(|i| i.id).unwrap_or("");
    for (i, raw) in entries.into_iter().enumerate() {
        let entry = match StatusEntry::from_json(raw) {
            Ok(e) => e,
            Err(e) => {
                checks.push(Check::fail("status", format!("credentialStatus[{i}]: {e}")));
                continue;
            }
        };
        let value = entry.to_json();
        let purpose = entry.purpose.as_str();
        let Some(purpose_known) = StatusPurpose::parse(purpose) else {
            checks.push(
                Check::skipped(
                    "status",
                    format!(
                        "not checked: status purpose {purpose:?} is not revocation or suspension"
                    ),
                )
                .with_value(value),
            );
            continue;
        };
        if lists.is_empty() {
            checks.push(
                Check::skipped(
                    "status",
                    format!("{purpose} not checked (no status list given)"),
                )
                .with_value(value),
            );
            continue;
        }
        let Some(pos) = lists
            .lists
            .iter()
            .position(|l| l.parsed.id == entry.list_credential)
        else {
            checks.push(
                Check::skipped(
                    "status",
                    format!(
                        "{purpose} not checked: status list {} was not given",
                        entry.list_credential
                    ),
                )
                .with_value(value),
            );
            continue;
        };
        let list = &lists.lists[pos];
        let verdict = read_bit(
            &entry,
            purpose_known,
            list,
            prepared.proofs.get(pos),
            issuer,
            at,
        );
        checks.push(verdict.with_value(value));
    }
}

fn read_bit(
    entry: &StatusEntry,
    purpose: StatusPurpose,
    list: &GivenList,
    proof: Option<&Result<(), String>>,
    issuer: &str,
    at: OffsetDateTime,
) -> Check {
    let id = &list.parsed.id;
    if let Some(Err(why)) = proof {
        return Check::fail(
            "status",
            format!("status list {id} is not authentic: {why}"),
        );
    }
    if list.parsed.issuer != issuer {
        return Check::fail(
            "status",
            format!(
                "status list {id} is issued by {}, not by the credential's issuer {issuer}",
                list.parsed.issuer
            ),
        );
    }
    if let Some(list_cred) = Credential::new(&list.doc) {
        if let Err(why) = validity::window(&list_cred, at) {
            return Check::fail("status", format!("status list {id}: {why}"));
        }
    }
    if !list.parsed.purposes.iter().any(|p| p == purpose.as_str()) {
        return Check::fail(
            "status",
            format!(
                "status list {id} has statusPurpose {} where the entry's is {purpose}",
                list.parsed.purposes.join(", ")
            ),
        );
    }
    match list.parsed.list.get(entry.index) {
        Err(e) => Check::fail("status", format!("status list {id}: {e}")),
        Ok(true) => match purpose {
            StatusPurpose::Revocation => Check::fail(
                "status",
                format!("revoked (bit {} of {id} is set)", entry.index),
            )
            .with_reason("revoked"),
            _ => Check::fail(
                "status",
                format!("suspended (bit {} of {id} is set)", entry.index),
            )
            .with_reason("suspended"),
        },
        Ok(false) => Check::pass(
            "status",
            match purpose {
                StatusPurpose::Revocation => format!("not revoked (status list {id})"),
                _ => format!("not suspended (status list {id})"),
            },
        ),
    }
}
