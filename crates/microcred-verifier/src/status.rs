//! Status lists handed to the verifier (`--status-list FILE`), and the
//! `status` check (W3C Bitstring Status List v1.0, contract §3 of the project,
//! and its predecessor StatusList2021). Other status types (e.g.
//! `1EdTechRevocationList`, an online service) are "not checked", never failed.
//!
//! A list is itself a credential: before a credential's bit is read, the list's
//! proof is verified (by the list's issuer, for `assertionMethod`), its issuer
//! must be the credential's issuer, it must be valid at the time of
//! verification, and its `statusPurpose` must be the entry's.

use microcred_core::proof::{self, KeyResolver};
use microcred_core::status_list::{
    ListCredential, ListKind, StatusEntry, StatusListError, StatusPurpose,
};
use microcred_core::{Value, credential::Credential};
use time::OffsetDateTime;

use crate::checks::validity;
use crate::report::Check;

/// A status list credential as given, with its decoded list.
#[derive(Debug, Clone, PartialEq)]
struct GivenList {
    doc: Value,
    parsed: ListCredential,
    /// The URL it was fetched from, when the user says so ([`StatusLists::add_fetched`]).
    fetched_from: Option<String>,
}

impl GivenList {
    /// Whether a credential's `statusListCredential` names this list: its `id`, or the
    /// URL it was fetched from.
    fn answers(&self, url: &str) -> bool {
        self.parsed.id == url || self.fetched_from.as_deref() == Some(url)
    }
}

/// The status list credentials a verifier reads bits from, matched to a
/// credential's entries by `statusListCredential` == the list's `id` (or the
/// URL the list was fetched from, when given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusLists {
    lists: Vec<GivenList>,
}

impl StatusLists {
    /// No lists: the `status` check reports "not checked".
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a `BitstringStatusListCredential` or `StatusList2021Credential`
    /// (its proof and validity are checked when a credential refers to it, and
    /// reported there).
    ///
    /// # Errors
    /// [`StatusListError`] when it is not a status list credential (naming the
    /// missing or malformed member), or when a list with the same `id` was
    /// already added.
    pub fn add(&mut self, doc: Value) -> Result<(), StatusListError> {
        let parsed = ListCredential::from_json(&doc)?;
        if self.lists.iter().any(|l| l.answers(&parsed.id)) {
            return Err(StatusListError::ListCredential(format!(
                "a list with id {:?} was already given",
                parsed.id
            )));
        }
        self.lists.push(GivenList {
            doc,
            parsed,
            fetched_from: None,
        });
        Ok(())
    }

    /// Adds a list as the document `url` served (`--status-list URL=FILE`): it
    /// answers credentials whose `statusListCredential` is `url`, whatever its own
    /// `id` says — as Digital Bazaar's status-list library uses what the URL
    /// returns. Its proof and issuer are checked as any list's.
    ///
    /// # Errors
    /// As [`StatusLists::add`], and when a list was already given for `url`.
    pub fn add_fetched(&mut self, url: &str, doc: Value) -> Result<(), StatusListError> {
        if self.lists.iter().any(|l| l.answers(url)) {
            return Err(StatusListError::ListCredential(format!(
                "a list for {url:?} was already given"
            )));
        }
        self.add(doc)?;
        if let Some(last) = self.lists.last_mut() {
            last.fetched_from = Some(url.to_owned());
        }
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
    proofs: Vec<Result<(), ListProofError>>,
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

/// Why a list's proofs do not make it authentic.
#[derive(Debug, Clone, PartialEq)]
enum ListProofError {
    /// A proof fails, or there is none: the list is not authentic.
    Fails(String),
    /// No proof fails, but none could be checked (unsupported types): the
    /// status is then not checked, never read as failed.
    Unchecked(String),
}

/// At least one proof of the list verifies, and every proof that can be
/// checked verifies, for `assertionMethod`, by a key of the list's issuer.
fn list_proof(doc: &Value, issuer: &str, resolver: &dyn KeyResolver) -> Result<(), ListProofError> {
    let outcomes = proof::verify_proofs(doc, resolver);
    if outcomes.is_empty() {
        return Err(ListProofError::Fails(
            "the status list is not signed".into(),
        ));
    }
    let mut unsupported = Vec::new();
    let mut verified = 0;
    for o in outcomes {
        let n = o.index + 1;
        let fails = |m: String| Err(ListProofError::Fails(m));
        match o.result {
            Err(e) if e.is_unsupported() => {
                unsupported.push(format!("its proof {n}: {e}"));
                continue;
            }
            Err(e) => return fails(format!("its proof {n} does not verify: {e}")),
            Ok(controller) if controller != issuer => {
                return fails(format!(
                    "its proof {n} is by {controller}, not by the list's issuer {issuer}"
                ));
            }
            Ok(_) => verified += 1,
        }
        if o.proof_purpose.as_deref() != Some("assertionMethod") {
            return fails(format!(
                "its proof {n} has proofPurpose {:?} where assertionMethod is required",
                o.proof_purpose.unwrap_or_default()
            ));
        }
    }
    if verified == 0 {
        return Err(ListProofError::Unchecked(unsupported.join("; ")));
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
        let Some(kind) = ListKind::of_entry(raw) else {
            // A type with no type is malformed (the structure check says so too);
            // a type of its own is one this verifier cannot check, not a failure.
            if let Some(ty) = raw.get("type") {
                let ty = match ty {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                checks.push(
                    Check::skipped(
                        "status",
                        format!(
                            "not checked: status type {ty} is not supported (supported: \
                             BitstringStatusListEntry, StatusList2021Entry)"
                        ),
                    )
                    .with_value(Value::Object(raw.clone())),
                );
                continue;
            }
            checks.push(Check::fail(
                "status",
                format!("credentialStatus[{i}]: credentialStatus type: missing"),
            ));
            continue;
        };
        let entry = match StatusEntry::from_json_of(raw, kind) {
            Ok(e) => e,
            Err(e) => {
                checks.push(Check::fail("status", format!("credentialStatus[{i}]: {e}")));
                continue;
            }
        };
        let mut value = entry.to_json();
        if let Some(ty) = value.get_mut("type") {
            *ty = kind.entry_type().into();
        }
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
            .position(|l| l.answers(&entry.list_credential))
        else {
            checks.push(
                Check::skipped(
                    "status",
                    format!(
                        "{purpose} not checked: status list {} was not given \
                         (a list is matched by its id; the lists given are {})",
                        entry.list_credential,
                        lists
                            .lists
                            .iter()
                            .map(|l| l.parsed.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with_value(value),
            );
            continue;
        };
        let list = &lists.lists[pos];
        if list.parsed.kind != kind {
            checks.push(
                Check::fail(
                    "status",
                    format!(
                        "the entry is a {} but status list {} is a {}",
                        kind.entry_type(),
                        entry.list_credential,
                        list.parsed.kind.credential_type()
                    ),
                )
                .with_value(value),
            );
            continue;
        }
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
    proof: Option<&Result<(), ListProofError>>,
    issuer: &str,
    at: OffsetDateTime,
) -> Check {
    let id = &list.parsed.id;
    match proof {
        Some(Err(ListProofError::Fails(why))) => {
            return Check::fail(
                "status",
                format!("status list {id} is not authentic: {why}"),
            );
        }
        Some(Err(ListProofError::Unchecked(why))) => {
            return Check::skipped(
                "status",
                format!(
                    "{purpose} not checked: the proofs of status list {id} could not be checked ({why})"
                ),
            );
        }
        _ => {}
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
    // How old the list is, said with the verdict: an employer can tell a list
    // published this morning from one a month old.
    let mut issued = String::new();
    if let Some(list_cred) = Credential::new(&list.doc) {
        if let Err(why) = validity::window(&list_cred, at) {
            return Check::fail("status", format!("status list {id}: {why}"));
        }
        if let Some(from) = list_cred.valid_from() {
            issued = age(from, at);
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
                StatusPurpose::Revocation => format!("not revoked (status list {id}{issued})"),
                _ => format!("not suspended (status list {id}{issued})"),
            },
        ),
    }
}

/// `, issued FROM, N days old` for a list valid from `from` (the validity window
/// has checked that it is a date-time, not after `at`) read at `at`.
fn age(from: &str, at: OffsetDateTime) -> String {
    let Ok(start) = microcred_core::datetime::parse(from) else {
        return String::new();
    };
    let elapsed = at - start;
    let (n, unit) = if elapsed.whole_days() >= 1 {
        (elapsed.whole_days(), "day")
    } else if elapsed.whole_hours() >= 1 {
        (elapsed.whole_hours(), "hour")
    } else {
        return format!(", issued {from}, less than an hour old");
    };
    let s = if n == 1 { "" } else { "s" };
    format!(", issued {from}, {n} {unit}{s} old")
}

#[cfg(test)]
mod tests {
    use super::*;
    use microcred_core::status_list::{StatusList, StatusPurpose, list_credential};

    fn list(id: &str) -> Value {
        list_credential(
            id,
            "did:example:issuer",
            StatusPurpose::Revocation,
            &StatusList::new(0),
            "2025-01-01T00:00:00Z",
        )
    }

    #[test]
    fn a_fetched_list_answers_its_url_and_its_id_and_is_given_once() {
        let url = "https://uni.example/status/1";
        let mut lists = StatusLists::new();
        assert!(
            lists
                .add_fetched(url, list("https://elsewhere.example/3"))
                .is_ok()
        );
        assert!(lists.lists[0].answers(url));
        assert!(lists.lists[0].answers("https://elsewhere.example/3"));
        assert!(!lists.lists[0].answers("https://uni.example/status/2"));
        // The same URL again, or a list whose id is that URL: refused.
        assert!(
            lists
                .add_fetched(url, list("https://other.example/4"))
                .is_err()
        );
        assert!(
            lists
                .add_fetched("https://elsewhere.example/3", list("https://x.example/5"))
                .is_err()
        );
        assert!(lists.add(list("https://elsewhere.example/3")).is_err());
        assert!(lists.add(list(url)).is_err());
        assert_eq!(lists.len(), 1);
    }
}
