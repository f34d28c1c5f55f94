//! Verification of `Ed25519Signature2020` proofs (W3C CCG Ed25519 Signature
//! 2020, the Linked Data Signature suite of the Digital Credentials
//! Consortium and of most Learner Credential Wallet credentials), as Digital
//! Bazaar's `jsonld-signatures` and `@digitalbazaar/ed25519-signature-2020`
//! verify them:
//!
//! - the proof options are the proof without `proofValue` (nor the legacy
//!   `jws` and `signatureValue`), with the proof's own `@context` or else the
//!   document's;
//! - the document is the secured one without `proof` (every proof of a set
//!   covers the same document; this suite has no proof chains);
//! - hash data is `SHA-256(RDFC(options)) ‖ SHA-256(RDFC(document))`, with
//!   the same JSON-LD (safe mode, `rdfDirection: i18n-datatype`) and RDFC-1.0
//!   as `eddsa-rdfc-2022`;
//! - `proofValue` is multibase base58btc of the 64-byte Ed25519 signature,
//!   checked with `verify_strict`.
//!
//! As `jsonld-signatures` does, the proof applies only to a document whose
//! `@context` includes the suite context
//! (`https://w3id.org/security/suites/ed25519-2020/v1`): it is what defines
//! the proof's terms.

use serde_json::{Map, Value};

use super::{Options, hash_data_patched, unsecured_for};
use crate::contexts::ED25519_2020_V1;
use crate::proof::{Cryptosuite, KeyResolver, ProofFailure, ProofMembers, Sha};

/// The proof `type` of this suite.
pub const ED25519_SIGNATURE_2020: &str = "Ed25519Signature2020";

/// The suite, for the proof reader: Ed25519 keys.
const SUITE: Cryptosuite = Cryptosuite {
    name: ED25519_SIGNATURE_2020,
    ecdsa: false,
};

fn includes_suite_context(ctx: Option<&Value>) -> bool {
    match ctx {
        Some(Value::String(s)) => s == ED25519_2020_V1,
        Some(Value::Array(a)) => a.iter().any(|c| c.as_str() == Some(ED25519_2020_V1)),
        _ => false,
    }
}

/// Verifies one `Ed25519Signature2020` proof of `doc`'s proof set; `Ok` holds
/// the controller of the key.
pub(crate) fn verify_in_set(
    doc: &Map<String, Value>,
    proof: &Map<String, Value>,
    resolver: &dyn KeyResolver,
) -> Result<String, ProofFailure> {
    let members = ProofMembers::read(proof, SUITE)?;
    if !includes_suite_context(doc.get("@context")) {
        return Err(ProofFailure::Transformation {
            reason: format!(
                "an Ed25519Signature2020 proof needs the document's @context to include {ED25519_2020_V1}, which defines its terms"
            ),
        });
    }
    let mut options = proof.clone();
    for legacy in ["proofValue", "jws", "signatureValue"] {
        options.remove(legacy);
    }
    if !options.contains_key("@context") {
        if let Some(ctx) = doc.get("@context") {
            options.insert("@context".into(), ctx.clone());
        }
    }
    let resolved = members.resolve(resolver)?;
    let unsecured = unsecured_for(doc, None);
    let hash = hash_data_patched(
        &Value::Object(options),
        &unsecured,
        &Options::default(),
        Sha::Sha256,
    )
    .map_err(|e| super::transformation_failure(&e))?;
    members.check(resolved, &hash)
}
