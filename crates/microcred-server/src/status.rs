//! Issuing with status: the signer's ledger (`microcred_signer::ledger`, the SQLite
//! file `microcred-sign` uses), the signed status lists served from it, and the
//! changes `POST /credentials/status` makes.
//!
//! One connection per process, behind a mutex: requests of this process write one
//! at a time. Other processes (`microcred-sign revoke`, a second server) write
//! through SQLite's own locks: the ledger waits for a busy database (5 s) and takes
//! the write lock before it reads the index counter, so an index is never given
//! twice nor lost.
//!
//! A served list is built and signed when it is first asked for, and kept; it is
//! signed again when the ledger's last state change (any process's) or the list's
//! length differs from the kept one's, or once half of its validity has passed.

use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{Context as _, bail};
use microcred_core::keys::KeyFile;
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, MIN_ENTRIES, StatusPurpose};
use microcred_core::suite::Suite;
use microcred_core::{Value, datetime, jcs};
use microcred_signer::ledger::{Action, Change, Ledger, LedgerError, Record, Reservation, State};
use sha2::{Digest as _, Sha256};

use crate::config::StatusConfig;

/// The ledger and the lists served from it.
pub(crate) struct Status {
    inner: Mutex<Inner>,
    /// `<base_url>/<purpose>` is each list's URL (no trailing `/`).
    base_url: String,
    /// The path part of `base_url`: lists are served at `<base_path>/<purpose>`.
    base_path: String,
    /// The purposes credentials get entries for, in the configuration's order.
    pub(crate) purposes: Vec<StatusPurpose>,
    valid_for: time::Duration,
}

struct Inner {
    ledger: Ledger,
    lists: Vec<Served>,
}

/// A signed list as served, and what it was built from.
pub(crate) struct Served {
    purpose: StatusPurpose,
    /// The ledger's last change and the list's length when it was built.
    version: (i64, usize),
    /// When to sign it again even if nothing changed (half its validity).
    refresh_at: time::OffsetDateTime,
    /// The signed list credential (compact JSON).
    pub(crate) body: Vec<u8>,
    /// A strong validator of `body`: its SHA-256, quoted.
    pub(crate) etag: String,
}

impl std::fmt::Debug for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Status")
            .field("base_url", &self.base_url)
            .field("purposes", &self.purposes)
            .finish_non_exhaustive()
    }
}

/// What `POST /credentials/status` asks for.
#[derive(Debug)]
pub(crate) struct Update {
    pub(crate) credential_id: String,
    pub(crate) purpose: StatusPurpose,
    /// The bit's new value: set (revoked, suspended) or clear.
    pub(crate) status: bool,
    /// `statusListIndex`, `statusListCredential` and `id` as the client named them.
    pub(crate) index: Option<String>,
    pub(crate) list: Option<String>,
    pub(crate) entry_id: Option<String>,
}

/// Why an update was refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// No such credential in the ledger (404).
    Unknown(String),
    /// The request cannot be done (400), with the reason.
    Bad(String),
    /// The ledger failed (logged; 503).
    Ledger(LedgerError),
}

impl Status {
    /// Opens the ledger of `[status]` (creating it for `key`'s DID when the file does not
    /// exist) and checks that it belongs to this key and has this base URL.
    pub(crate) fn load(config: &StatusConfig, key: &KeyFile) -> anyhow::Result<Self> {
        let controller = key.controller();
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let ledger = if config.ledger.exists() {
            Ledger::open(&config.ledger)?
        } else {
            Ledger::create(&config.ledger, &controller, &base_url)
                .with_context(|| format!("[status] ledger {}", config.ledger.display()))?
        };
        ledger.check_issuer(&controller)?;
        if ledger.base_url() != base_url {
            bail!(
                "[status] base_url {base_url} is not the ledger's ({}): its credentials name their lists under the ledger's; set base_url to it",
                ledger.base_url()
            );
        }
        let base_path = url_path(&base_url)
            .with_context(|| format!("[status] base_url {base_url:?} is not an http(s) URL"))?
            .to_owned();
        let purposes = config
            .purposes
            .iter()
            .filter_map(|p| StatusPurpose::parse(p))
            .collect();
        Ok(Self {
            inner: Mutex::new(Inner {
                ledger,
                lists: Vec::new(),
            }),
            base_url,
            base_path,
            purposes,
            valid_for: time::Duration::days(i64::from(config.list_valid_days)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under the lock leaves no half-done transaction (SQLite rolls back),
        // so the ledger is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The list URL of `purpose`.
    fn list_url(&self, purpose: StatusPurpose) -> String {
        format!("{}/{}", self.base_url, purpose.as_str())
    }

    /// The purpose whose list is served at `path`, if any.
    pub(crate) fn purpose_at(&self, path: &str) -> Option<StatusPurpose> {
        let rest = path
            .strip_prefix(self.base_path.as_str())?
            .strip_prefix('/')?;
        self.purposes.iter().copied().find(|p| p.as_str() == rest)
    }

    /// Records `doc` (prepared and checked, with an `id`) as pending with a new
    /// status-list index, and adds its `credentialStatus` entries; returns the index.
    ///
    /// # Errors
    /// [`Refusal::Bad`] for a credential that has a `credentialStatus` or an id already
    /// in the ledger; [`Refusal::Ledger`] when the ledger cannot be written.
    pub(crate) fn reserve(&self, doc: &mut Value, issued_at: &str) -> Result<u64, Refusal> {
        let content_sha256 =
            microcred_core::multibase::hex(&Sha256::digest(jcs::canonicalize(doc)));
        let Value::Object(map) = doc else {
            return Err(Refusal::Bad("a credential must be a JSON object".into()));
        };
        if map.contains_key("credentialStatus") {
            return Err(Refusal::Bad(
                "cannot issue: the credential has a credentialStatus; this server adds its own entries ([status] in its configuration)".into(),
            ));
        }
        let Some(Value::String(id)) = map.get("id") else {
            return Err(Refusal::Bad(
                "cannot issue: the credential has no id".into(),
            ));
        };
        let id = id.clone();
        let learner_id = map
            .get("credentialSubject")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut inner = self.lock();
        if inner.ledger.get(&id).map_err(Refusal::Ledger)?.is_some() {
            return Err(Refusal::Bad(format!(
                "cannot issue: credential id {id} was issued already (it is in this server's ledger)"
            )));
        }
        let record = inner
            .ledger
            .reserve(vec![Reservation {
                credential_id: id,
                learner_id,
                source_file: None,
                source_row: None,
                source_line: None,
                out_file: None,
                content_sha256: Some(content_sha256),
                issued_at: issued_at.to_owned(),
            }])
            .map_err(Refusal::Ledger)?
            .pop()
            .ok_or_else(|| {
                Refusal::Ledger(LedgerError::Corrupt("the ledger recorded nothing".into()))
            })?;
        drop(inner);
        let entries = microcred_signer::ledger::status_entries(&self.base_url, record.status_index)
            .map_err(Refusal::Ledger)?;
        // The ledger makes one entry per purpose; the configuration may keep one.
        let entries = match entries {
            Value::Array(all) => Value::Array(
                all.into_iter()
                    .filter(|e| {
                        e.get("statusPurpose")
                            .and_then(Value::as_str)
                            .and_then(StatusPurpose::parse)
                            .is_some_and(|p| self.purposes.contains(&p))
                    })
                    .collect(),
            ),
            other => other,
        };
        map.insert("credentialStatus".into(), entries);
        Ok(record.status_index)
    }

    /// Marks the credential of `index` issued, with the SHA-256 of the signed credential
    /// as `microcred-sign` writes it (`written`: pretty-printed JSON, or the VC-JWT, with
    /// a final newline).
    pub(crate) fn mark_issued(&self, index: u64, written: &[u8]) -> anyhow::Result<()> {
        let sha = microcred_core::multibase::hex(&Sha256::digest(written));
        Ok(self.lock().ledger.mark_issued(&[(index, sha)])?)
    }

    /// Changes a credential's status as `POST /credentials/status` asks; returns its
    /// record after the change, and whether anything changed.
    pub(crate) fn update(&self, update: &Update) -> Result<(Record, bool), Refusal> {
        let Update {
            credential_id: id,
            purpose,
            status,
            ..
        } = update;
        if !self.purposes.contains(purpose) {
            return Err(Refusal::Bad(format!(
                "credentialStatus.statusPurpose {:?}: this server's credentials have no {0} entry (its [status] purposes: {})",
                purpose.as_str(),
                self.purposes
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut inner = self.lock();
        let Some(record) = inner.ledger.get(id).map_err(Refusal::Ledger)? else {
            return Err(Refusal::Unknown(format!(
                "no credential {id} in this server's ledger"
            )));
        };
        let list = self.list_url(*purpose);
        let index = record.status_index.to_string();
        let mismatch = |what: &str, sent: &str, is: &str| {
            Refusal::Bad(format!(
                "credentialStatus.{what} {sent:?} is not credential {id}'s ({is:?})"
            ))
        };
        if let Some(sent) = update.index.as_deref().filter(|s| *s != index) {
            return Err(mismatch("statusListIndex", sent, &index));
        }
        if let Some(sent) = update.list.as_deref().filter(|s| *s != list) {
            return Err(mismatch("statusListCredential", sent, &list));
        }
        let entry_id = format!("{list}#{index}");
        if let Some(sent) = update.entry_id.as_deref().filter(|s| *s != entry_id) {
            return Err(mismatch("id", sent, &entry_id));
        }
        let action = match (purpose, status) {
            (StatusPurpose::Suspension, true) => Action::Suspend,
            (StatusPurpose::Suspension, false) => Action::Unsuspend,
            (_, true) => Action::Revoke,
            // Revocation is permanent: clearing the bit is refused, unless it is clear.
            (_, false) => {
                if record.state == State::Revoked {
                    return Err(Refusal::Bad(format!(
                        "credential {id} is revoked{}; revocation is permanent (Bitstring Status List: a revocation status cannot be reversed)",
                        record
                            .changed_at
                            .as_deref()
                            .map(|at| format!(" (at {at})"))
                            .unwrap_or_default()
                    )));
                }
                return Ok((record, false));
            }
        };
        let change = inner.ledger.change_state(id, action, None);
        match change {
            Ok(Change::Changed { .. }) => {}
            Ok(Change::Unchanged(_)) => return Ok((record, false)),
            // The ledger's refusals (a revoked credential suspended, a batch row still
            // pending) are the client's to fix: 400 with the ledger's words.
            Err(e @ (LedgerError::Revoked { .. } | LedgerError::StillPending { .. })) => {
                return Err(Refusal::Bad(e.to_string()));
            }
            Err(e) => return Err(Refusal::Ledger(e)),
        }
        let after = inner
            .ledger
            .get(id)
            .map_err(Refusal::Ledger)?
            .unwrap_or(record);
        Ok((after, true))
    }

    /// The `credentialStatus` entry of `record` for `purpose`, as issued.
    pub(crate) fn entry(&self, record: &Record, purpose: StatusPurpose) -> Value {
        let list = self.list_url(purpose);
        serde_json::json!({
            "id": format!("{list}#{}", record.status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose.as_str(),
            "statusListIndex": record.status_index.to_string(),
            "statusListCredential": list,
        })
    }

    /// The signed list of `purpose` as it is now in the ledger: the kept one when the
    /// ledger has not changed since it was built and it is not half-way to its end;
    /// else a new one, signed with `key` and kept.
    pub(crate) fn list(
        &self,
        purpose: StatusPurpose,
        key: &KeyFile,
        suite: Option<Suite>,
    ) -> anyhow::Result<(Vec<u8>, String)> {
        let mut inner = self.lock();
        let next = inner.ledger.next_index()?;
        let entries = usize::try_from(next)
            .context("the ledger is too large")?
            .max(1)
            .div_ceil(MIN_ENTRIES)
            * MIN_ENTRIES;
        let version = (inner.ledger.last_change()?, entries);
        let now = datetime::now();
        if let Some(kept) = inner
            .lists
            .iter()
            .find(|s| s.purpose == purpose && s.version == version && now < s.refresh_at)
        {
            return Ok((kept.body.clone(), kept.etag.clone()));
        }
        let list = inner.ledger.status_list(purpose)?;
        let issued = datetime::format(now);
        let until = now
            .checked_add(self.valid_for)
            .map(datetime::format)
            .context("the list's end is out of range")?;
        let id = self.list_url(purpose);
        let mut unsigned =
            status_list::list_credential(&id, inner.ledger.issuer(), purpose, &list, &issued);
        insert_valid_until(&mut unsigned, &until);
        let mut options =
            ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
        options.created = Some(issued);
        let signed = microcred_core::suite::sign(&unsigned, &key.secret, &options, suite)?;
        let body = serde_json::to_vec(&signed.document)?;
        let etag = format!(
            "\"{}\"",
            microcred_core::multibase::hex(&Sha256::digest(&body))
        );
        let served = Served {
            purpose,
            version,
            refresh_at: now.checked_add(self.valid_for / 2).unwrap_or(now),
            body: body.clone(),
            etag: etag.clone(),
        };
        inner.lists.retain(|s| s.purpose != purpose);
        inner.lists.push(served);
        Ok((body, etag))
    }
}

/// Puts `validUntil` right after `validFrom` (where a reader looks for it), as
/// `microcred-sign status-list` does.
fn insert_valid_until(list: &mut Value, until: &str) {
    let Value::Object(map) = list else {
        return;
    };
    let mut out = serde_json::Map::with_capacity(map.len() + 1);
    for (k, v) in std::mem::take(map) {
        let after = k == "validFrom";
        out.insert(k, v);
        if after {
            out.insert("validUntil".into(), until.into());
        }
    }
    *map = out;
}

/// The path of an http(s) URL without query or fragment (`""` for a bare host).
fn url_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    Some(rest.find('/').map_or("", |at| &rest[at..]))
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn list_paths_come_from_the_base_url() {
        assert_eq!(
            url_path("https://uni.example/status/2025"),
            Some("/status/2025")
        );
        assert_eq!(url_path("http://uni.example"), Some(""));
        assert_eq!(url_path("ftp://uni.example/x"), None);
    }
}
