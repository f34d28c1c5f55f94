//! The library of `microcred-sign`: what the registrar's tool does, without its
//! command line.
//!
//! - [`files`]: bounded reads, atomic writes, secret key files (owner-only
//!   permissions, secrets redacted from errors);
//! - [`template`]: credential templates with `{{column}}` placeholders;
//! - [`profiles`]: framework profiles checked before signing;
//! - [`did_web`]: did:web identifiers and DID documents;
//! - [`suite`]: signing with the chosen cryptosuite(s), fallback warnings on stderr;
//! - feature `learners`: [`learners`] (learner lists);
//! - feature `ledger` (with `learners`): [`ledger`] (the issuance ledger),
//!   [`compiled`] (templates compiled for batch signing);
//! - feature `cli` (the default, which the `microcred-sign` binary needs):
//!   [`passphrase`] (passphrase sources, terminal prompts), [`interrupt`]
//!   (Ctrl-C and SIGTERM during a batch) and [`batch`] (batch issuance: one
//!   [`batch::Request`] with the key and the Ctrl-C flag given by the caller;
//!   progress, warnings and the summary through [`batch::Progress`], nothing
//!   written to stderr or stdout).
//!
//! Errors are typed where a library user meets them: [`files::FileError`],
//! [`learners::LearnersError`], [`did_web::DidWebError`],
//! [`profiles::ProfilesError`], [`ledger::LedgerError`]; the batch, which meets all
//! of them and the caller's own, answers `anyhow::Error`.
//!
//! The binary's `main.rs` and `commands/*` parse arguments and render (its
//! `commands/batch.rs` turns the arguments into a [`batch::Request`] and draws the
//! progress).
//!
//! # Example
//!
//! Write a key file, open it again and sign a credential filled from a template:
//!
//! ```
//! use microcred_core::issuance::{Fill, prepare};
//! use microcred_core::keys::{KeyFile, SecretKey};
//! use microcred_core::proof::{ProofOptions, ProofPurpose};
//! use microcred_core::suite::{self, Suite};
//! use microcred_signer::{files, template::Template};
//!
//! # fn main() -> anyhow::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("issuer.key.json");
//! let key = KeyFile::for_did_key(SecretKey::generate());
//! // Owner-only permissions: the key loader refuses a key file others can read.
//! files::write_atomic(&path, key.to_json().as_bytes(), false, 0o600)?;
//!
//! // Not encrypted: the passphrase is not asked for.
//! let (key, passphrase) = files::open_key(&path, || anyhow::bail!("no passphrase here"))?;
//! assert!(passphrase.is_none());
//!
//! let template = Template::parse(serde_json::json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiableCredential"],
//!     "credentialSubject": { "id": "{{learner}}", "name": "{{name}}" }
//! }))?;
//! let row = serde_json::json!({ "learner": "did:example:ada", "name": "Ada" });
//! let mut doc = template
//!     .fill(row.as_object().expect("an object"))
//!     .map_err(|e| anyhow::anyhow!("{e:?}"))?;
//! let controller = key.controller();
//! let fill = Fill {
//!     controller: &controller,
//!     issuer_name: None,
//!     set_issuer: true,
//!     valid_from: "2026-01-01T00:00:00Z",
//! };
//! prepare(&mut doc, &fill, &mut Vec::new())?;
//! let options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
//! let signed = suite::sign(&doc, &key.secret, &options, Some(Suite::Jcs))?.document;
//! assert_eq!(signed["credentialSubject"]["name"], "Ada");
//! assert!(signed.get("proof").is_some());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

#[cfg(feature = "cli")]
pub mod batch;
#[cfg(feature = "ledger")]
pub mod compiled;
pub mod did_web;
pub mod files;
#[cfg(feature = "cli")]
pub mod interrupt;
#[cfg(feature = "learners")]
pub mod learners;
#[cfg(feature = "ledger")]
pub mod ledger;
#[cfg(feature = "cli")]
pub mod passphrase;
pub mod profiles;
pub mod suite;
pub mod template;
pub mod test_hook;
