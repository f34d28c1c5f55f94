//! # microcred-core
//!
//! The data model and cryptography of microcred: portable, signed
//! micro-credentials on the W3C Verifiable Credentials Data Model 2.0.
//!
//! - [`json`]: strict JSON input (I-JSON, RFC 7493) with errors that name the JSON path;
//! - [`jcs`]: the RFC 8785 JSON Canonicalization Scheme;
//! - [`proof`]: W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite,
//!   proof sets and chains;
//! - [`did_key`]: `did:key` for Ed25519, P-256 and P-384 keys (Multikey), resolved offline;
//! - [`public_key`]: the public keys proofs are checked with (Ed25519, ECDSA P-256 and
//!   P-384) and their signature checks, JWKs;
//! - [`keys`] (feature `signing`): secret keys (Ed25519, ECDSA P-256 and P-384; one of
//!   them in [`keys::AnySecretKey`]) and Multikey key files;
//! - [`key_encryption`] (feature `key-encryption`): key files encrypted with a passphrase
//!   (Argon2id + XChaCha20-Poly1305), the format `microcred-sign` writes;
//! - [`credential`]: typed accessors and a builder for VC 2.0 credentials and the
//!   Open Badges 3.0 `AchievementCredential` micro-credential shape;
//! - [`rdfc`] (feature `rdfc`): the `eddsa-rdfc-2022` cryptosuite — JSON-LD to RDF
//!   with bundled contexts only, RDFC-1.0 canonicalization;
//! - [`status_list`]: W3C Bitstring Status List entries and lists (revocation, suspension);
//! - [`issuance`]: the checks an issuer owes before signing an unsigned credential, and
//!   (feature `signing`) filling `id`, `issuer` and `validFrom`;
//! - [`contexts`]: the JSON-LD contexts the toolkit bundles (never fetched);
//! - [`microcred_context`]: the inline context object that carries the micro-credential
//!   extension's terms in the credential itself;
//! - [`suite`]: which cryptosuite(s) sign a document (`jcs`, `rdfc`, `both`, of the key's
//!   family: `eddsa-*-2022` or `ecdsa-*-2019`) and the default the signer and the server share.
//!
//! This crate does no I/O: it turns bytes into values and values into bytes.
//!
//! ## Example: issue, then verify
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use microcred_core::{json, keys::SecretKey, proof};
//!
//! let key = SecretKey::generate();
//! let did = key.did_key();
//! let unsigned = json::parse(br#"{
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiableCredential"],
//!     "issuer": "ISSUER",
//!     "credentialSubject": {"id": "did:example:learner"}
//! }"#.as_slice())?;
//! let mut unsigned = unsigned;
//! unsigned["issuer"] = did.did().into();
//!
//! let mut options = proof::ProofOptions::new(
//!     did.verification_method(),
//!     proof::ProofPurpose::AssertionMethod,
//! );
//! options.created = Some("2025-03-01T00:00:00Z".into());
//! let signed = proof::add_proof(&unsigned, &key, &options)?;
//!
//! let outcomes = proof::verify_proofs(&signed, &proof::DidKeyResolver);
//! assert_eq!(outcomes.len(), 1);
//! assert_eq!(outcomes[0].result, Ok(did.did()));
//!
//! // Any change to the credential breaks the signature.
//! let mut tampered = signed.clone();
//! tampered["credentialSubject"]["id"] = "did:example:mallory".into();
//! let outcomes = proof::verify_proofs(&tampered, &proof::DidKeyResolver);
//! assert_eq!(outcomes[0].result, Err(proof::ProofFailure::SignatureInvalid));
//! # Ok(())
//! # }
//! ```
//!
//! ## Security
//!
//! - Signatures are checked with Ed25519 `verify_strict`: non-canonical
//!   signatures and small-order public keys are rejected.
//! - Secret keys are zeroized on drop; their `Debug` output shows only the
//!   public key; the raw seed is reached only through `expose_secret_seed`.
//! - Untrusted JSON is bounded in size and depth, and duplicate members, lone
//!   surrogates and non-finite numbers are errors, so that what is signed is
//!   exactly what every conformant reader sees.
//!
//! ## Features
//!
//! - `signing` (default): secret keys and adding proofs. Verifiers build with
//!   `default-features = false` and never compile secret-key code.
//! - `rdfc` (default): the `eddsa-rdfc-2022` cryptosuite ([`rdfc`]); with it,
//!   [`proof::verify_proofs`] verifies `eddsa-rdfc-2022` and `Ed25519Signature2020`
//!   proofs too. Adds one dependency, `foldhash` (the seeded hasher of its internal
//!   maps); `eddsa-jcs-2022` verification never runs JSON-LD code.
//! - `key-encryption` (implies `signing`; not default): [`key_encryption`], secret keys
//!   encrypted at rest with a passphrase. Pulls in `argon2` and `chacha20poly1305`, which
//!   only the programs that open key files need (the signer, the server).

#![forbid(unsafe_code)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod contexts;
pub mod credential;
pub mod datetime;
pub mod did_key;
pub mod issuance;
pub mod jcs;
pub mod json;
#[cfg(feature = "key-encryption")]
pub mod key_encryption;
#[cfg(feature = "signing")]
pub mod keys;
pub mod microcred_context;
pub mod multibase;
pub mod proof;
pub mod public_key;
#[cfg(feature = "rdfc")]
pub mod rdfc;
pub mod status_list;
pub mod suite;
mod tree;
#[cfg(feature = "signing")]
pub mod vc_jwt;

pub use serde_json::Value;
