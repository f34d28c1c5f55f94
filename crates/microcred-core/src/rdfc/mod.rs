//! The `eddsa-rdfc-2022` cryptosuite (W3C Data Integrity EdDSA Cryptosuites
//! v1.0, §3.2), the one wallets and validators built on JSON-LD verify.
//!
//! Hash data is `SHA-256(RDFC(proofConfig)) ‖ SHA-256(RDFC(document))`, where
//! `RDFC(x)` is the RDFC-1.0 canonical N-Quads of the JSON-LD document `x`
//! turned into RDF. The signature is Ed25519 over those 64 bytes, multibase
//! base58btc in `proofValue`; verification uses `verify_strict`.
//!
//! The JSON-LD step ([`jsonld`], [`to_rdf`](fn@to_rdf)) works offline with the
//! contexts bundled in [`crate::contexts`] and in safe mode: a member the
//! contexts do not define, a relative IRI or an unknown context URL is an
//! error naming it, never silently dropped from what is signed.
//!
//! Proofs made here sit beside `eddsa-jcs-2022` ones in a proof set:
//! [`add_proof`] on a document that already carries proofs appends one, and
//! [`crate::proof::verify_proofs`] verifies both kinds (with this feature on),
//! each on its own. The JCS path never reaches this module.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use microcred_core::{json, keys::SecretKey, proof, rdfc};
//!
//! let key = SecretKey::generate();
//! let did = key.did_key();
//! let mut unsigned = json::parse(br#"{
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiableCredential"],
//!     "issuer": "did:example:issuer",
//!     "credentialSubject": {"id": "did:example:learner"}
//! }"#.as_slice())?;
//! unsigned["issuer"] = did.did().into();
//! let options = proof::ProofOptions::new(did.verification_method(), proof::ProofPurpose::AssertionMethod);
//!
//! // Both suites: a proof set of two independent proofs by the same key.
//! let jcs = proof::add_proof(&unsigned, &key, &options)?;
//! let both = rdfc::add_proof(&jcs, &key, &options)?;
//! let outcomes = proof::verify_proofs(&both, &proof::DidKeyResolver);
//! assert_eq!(outcomes.len(), 2);
//! assert_eq!(outcomes[1].cryptosuite.as_deref(), Some(rdfc::EDDSA_RDFC_2022));
//! assert!(outcomes.iter().all(|o| o.result == Ok(did.did())));
//! # Ok(())
//! # }
//! ```

pub mod canon;
pub mod ed25519_2020;
pub mod jsonld;
pub mod nquads;
mod to_rdf;

/// The maps and sets of this pipeline (term definitions, blank node labels,
/// quads) hash with foldhash rather than SipHash, which was ~9% of the CPU
/// of signing. Their keys come from the document, which a verifier does not
/// choose (terms, blank node labels), so the hasher stays seeded at random
/// per process and per map (`foldhash::fast::RandomState`): an attacker cannot
/// precompute colliding labels offline.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`FastMap`].
type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::proof::{
    Cryptosuite, KeyResolver, PROOF_TYPE, ProofFailure, ProofMembers, ProofOptions, Sha,
};
#[cfg(feature = "signing")]
use crate::{datetime, multibase};
pub use canon::{CanonError, Canonicalized, HashAlgorithm, Options};
pub use ed25519_2020::ED25519_SIGNATURE_2020;
pub use jsonld::JsonLdError;
pub use nquads::{Literal, Quad, Term};

/// The cryptosuite identifier implemented here.
pub const EDDSA_RDFC_2022: &str = "eddsa-rdfc-2022";
/// The ECDSA cryptosuite over RDFC-1.0 (Data Integrity ECDSA Cryptosuites
/// v1.0, §3.2): the eddsa-rdfc-2022 transformation, ECDSA with P-256 (SHA-256)
/// or P-384 (SHA-384, in RDFC-1.0 too).
pub const ECDSA_RDFC_2019: &str = "ecdsa-rdfc-2019";

/// eddsa-rdfc-2022.
pub(crate) const EDDSA_RDFC: Cryptosuite = Cryptosuite {
    name: EDDSA_RDFC_2022,
    ecdsa: false,
};
/// ecdsa-rdfc-2019.
pub(crate) const ECDSA_RDFC: Cryptosuite = Cryptosuite {
    name: ECDSA_RDFC_2019,
    ecdsa: true,
};

/// Why a document could not be turned into canonical N-Quads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RdfcError {
    /// JSON-LD expansion failed (unknown context, undefined member, …).
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    /// RDFC-1.0 canonicalization gave up (poisoned dataset).
    #[error(transparent)]
    Canon(#[from] CanonError),
}

/// Why an `eddsa-rdfc-2022` proof could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddProofError {
    /// The document or options are malformed (as for `eddsa-jcs-2022`).
    #[error(transparent)]
    Proof(#[from] crate::proof::ProofError),
    /// The document or the proof configuration cannot be canonicalized.
    #[error("eddsa-rdfc-2022 cannot canonicalize the document")]
    Transform(#[from] RdfcError),
}

/// JSON-LD to RDF (expansion in safe mode with bundled contexts, then
/// Deserialize JSON-LD to RDF). Blank nodes are labelled `b0`, `b1`, ….
///
/// # Errors
/// [`JsonLdError`] naming the context URL or JSON path at fault.
pub fn to_rdf(document: &Value) -> Result<Vec<Quad>, JsonLdError> {
    let expanded = jsonld::Expander::new().expand_document(document)?;
    let mut writer = to_rdf::RdfWriter::new();
    writer.document(&expanded)?;
    Ok(writer.quads)
}

/// The canonicalization limits used when signing: those of `rdf-canonize`'s
/// defaults, so that JSON-LD verifiers built on it accept what we sign.
pub const SIGNING_LIMITS: Options = Options {
    hash: HashAlgorithm::Sha256,
    max_work: 20_000,
    deep_iteration_factor: Some(1),
};

/// The RDFC-1.0 canonical N-Quads of a JSON-LD document (SHA-256, default
/// work limit): the bytes `eddsa-rdfc-2022` hashes.
///
/// # Errors
/// [`RdfcError`] when expansion or canonicalization fails.
pub fn canonicalize(document: &Value) -> Result<String, RdfcError> {
    canonicalize_with(document, &Options::default())
}

/// [`canonicalize`] with explicit limits (e.g. [`SIGNING_LIMITS`]).
///
/// # Errors
/// [`RdfcError`] when expansion or canonicalization fails.
pub fn canonicalize_with(document: &Value, options: &Options) -> Result<String, RdfcError> {
    let quads = to_rdf(document)?;
    Ok(canon::canonicalize(&quads, options)?.nquads)
}

/// The hash data of eddsa-rdfc-2022:
/// `SHA-256(RDFC(proofConfig)) ‖ SHA-256(RDFC(document))`.
///
/// # Errors
/// [`RdfcError`] when either document cannot be canonicalized.
pub fn hash_data(proof_config: &Value, document: &Value) -> Result<[u8; 64], RdfcError> {
    hash_data_with(proof_config, document, &Options::default())
}

fn hash_data_with(
    proof_config: &Value,
    document: &Value,
    options: &Options,
) -> Result<[u8; 64], RdfcError> {
    let mut out = [0u8; 64];
    let config = canonicalize_with(proof_config, options)?;
    out[..32].copy_from_slice(&Sha256::digest(config.as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(
        canonicalize_with(document, options)?.as_bytes(),
    ));
    Ok(out)
}

/// [`hash_data_with`] for an unsecured document given as the secured
/// document's patched top level (see [`jsonld::Patched`]): the same bytes as
/// on the `Map` those members make, without copying the document.
/// A canonicalization error as a proof failure: a context we do not have, or a
/// feature we do not implement, is "cannot check"; anything else (a member no
/// context defines, a relative IRI, invalid JSON-LD) is the document's fault.
pub(crate) fn transformation_failure(e: &RdfcError) -> ProofFailure {
    match e {
        RdfcError::JsonLd(JsonLdError::UnknownContext { .. } | JsonLdError::Unsupported { .. }) => {
            ProofFailure::CannotProcess {
                reason: e.to_string(),
            }
        }
        _ => ProofFailure::Transformation {
            reason: e.to_string(),
        },
    }
}

/// `options` with the hash function `sha`: RDFC-1.0's own hash is the
/// suite's (vc-di-ecdsa §3.2: SHA-384 for P-384 keys, "specified via the
/// RDFC-1.0 implementation-specific parameter").
fn with_sha(options: &Options, sha: Sha) -> Options {
    Options {
        hash: match sha {
            Sha::Sha256 => HashAlgorithm::Sha256,
            Sha::Sha384 => HashAlgorithm::Sha384,
        },
        ..*options
    }
}

/// `sha(RDFC(proofConfig)) ‖ sha(RDFC(document))`, RDFC-1.0 itself hashing with `sha`.
fn hash_data_patched(
    proof_config: &Value,
    document: &jsonld::Patched<'_>,
    options: &Options,
    sha: Sha,
) -> Result<Vec<u8>, RdfcError> {
    let options = &with_sha(options, sha);
    let config = canonicalize_with(proof_config, options)?;
    let mut out = sha.digest(config.as_bytes());
    let expanded = jsonld::Expander::new().expand_patched(document)?;
    let mut writer = to_rdf::RdfWriter::new();
    writer.document(&expanded)?;
    let canonical = canon::canonicalize(&writer.quads, options)?.nquads;
    out.extend(sha.digest(canonical.as_bytes()));
    Ok(out)
}

/// The proof options as a proof object (no `@context`, no `proofValue`),
/// members in the order the specification's examples use.
fn options_map(options: &ProofOptions, suite: &'static str) -> Map<String, Value> {
    let mut m = Map::with_capacity(10);
    if let Some(id) = &options.id {
        m.insert("id".into(), id.clone().into());
    }
    m.insert("type".into(), PROOF_TYPE.into());
    m.insert("cryptosuite".into(), suite.into());
    if let Some(c) = &options.created {
        m.insert("created".into(), c.clone().into());
    }
    if let Some(e) = &options.expires {
        m.insert("expires".into(), e.clone().into());
    }
    m.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    m.insert("proofPurpose".into(), options.proof_purpose.as_str().into());
    if let Some(c) = &options.challenge {
        m.insert("challenge".into(), c.clone().into());
    }
    if let Some(d) = &options.domain {
        m.insert("domain".into(), d.clone().into());
    }
    if let Some(p) = &options.previous_proof {
        m.insert("previousProof".into(), p.clone());
    }
    m
}

/// The proof configuration (§3.2.5): the proof options with the unsecured
/// document's `@context`.
pub fn proof_config(options: &ProofOptions, context: Option<&Value>) -> Value {
    let mut m = options_map(options, EDDSA_RDFC_2022);
    if let Some(ctx) = context {
        m.insert("@context".into(), ctx.clone());
    }
    Value::Object(m)
}

/// The proofs a document carries (a single `proof` object counts as one).
#[cfg(feature = "signing")]
fn existing_proofs(doc: &Map<String, Value>) -> Option<Vec<&Value>> {
    match doc.get("proof") {
        None => Some(Vec::new()),
        Some(p @ Value::Object(_)) => Some(vec![p]),
        Some(Value::Array(a)) if a.iter().all(Value::is_object) => Some(a.iter().collect()),
        Some(_) => None,
    }
}

enum PrevErr {
    NotFound(String),
    Malformed,
}

/// The `proof` member of the document a proof covers: the proofs named by
/// `previousProof` (Data Integrity §4.3, proof chains), `None` without it.
/// The rest of that document is the secured one without `proof`
/// ([`unsecured_for`]).
fn previous_proofs(all: &[&Value], previous: Option<&Value>) -> Result<Option<Value>, PrevErr> {
    let find = |id: &str| {
        all.iter()
            .copied()
            .find(|p| p.get("id").and_then(Value::as_str) == Some(id))
            .cloned()
            .ok_or_else(|| PrevErr::NotFound(id.to_owned()))
    };
    match previous {
        None => Ok(None),
        Some(Value::String(id)) => find(id).map(Some),
        Some(Value::Array(ids)) => {
            let chained = ids
                .iter()
                .map(|id| id.as_str().ok_or(PrevErr::Malformed).and_then(find))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(Value::Array(chained)))
        }
        Some(_) => Err(PrevErr::Malformed),
    }
}

/// The document a proof covers, as the secured document's top level without
/// `proof`, plus `chain` (the proofs named by `previousProof`) as `proof`.
fn unsecured_for<'d>(doc: &'d Map<String, Value>, chain: Option<&'d Value>) -> jsonld::Patched<'d> {
    jsonld::Patched {
        base: doc,
        without: "proof",
        append: chain.map(|c| ("proof", c)),
        replace: None,
    }
}

/// Adds an `eddsa-rdfc-2022` proof to `document` and returns the secured
/// document.
///
/// The proof stored in the document is the options plus `proofValue` (no
/// `@context`, as in the specification's vectors). A document that already
/// carries proofs (for example an `eddsa-jcs-2022` one) gets a proof set: the
/// new proof covers the document without them (or with those named by
/// `previousProof`), and `proof` becomes an array of all of them.
///
/// # Errors
/// [`AddProofError`] when the document or an option is malformed, or the
/// document cannot be canonicalized (a member its contexts do not define, an
/// unknown context URL, a relative IRI, …, or blank nodes too alike for
/// [`SIGNING_LIMITS`]).
#[cfg(feature = "signing")]
pub fn add_proof(
    document: &Value,
    key: &crate::keys::SecretKey,
    options: &ProofOptions,
) -> Result<Value, AddProofError> {
    add_rdfc_proof(document, options, EDDSA_RDFC_2022, Sha::Sha256, &|hash| {
        key.sign(hash).to_bytes().to_vec()
    })
}

/// Adds an `ecdsa-rdfc-2019` proof (vc-di-ecdsa §3.2) made with a P-256 or P-384
/// key, as [`add_proof`] adds an `eddsa-rdfc-2022` one: the same transformation
/// and proof configuration, hashed (RDFC-1.0 included) with the key's SHA-2
/// (SHA-384 for P-384) and signed with ECDSA.
///
/// # Errors
/// As [`add_proof`].
#[cfg(feature = "signing")]
pub fn add_ecdsa_proof(
    document: &Value,
    key: &crate::keys::EcdsaSecretKey,
    options: &ProofOptions,
) -> Result<Value, AddProofError> {
    let sha = Sha::for_key(&key.public_key());
    add_rdfc_proof(document, options, ECDSA_RDFC_2019, sha, &|hash| {
        key.sign(hash)
    })
}

/// "Add Proof" of the RDFC suites: `suite` names the cryptosuite, `sha` hashes
/// (and parameterizes RDFC-1.0), `sign` signs the hash data.
#[cfg(feature = "signing")]
fn add_rdfc_proof(
    document: &Value,
    options: &ProofOptions,
    suite: &'static str,
    sha: Sha,
    sign: &dyn Fn(&[u8]) -> Vec<u8>,
) -> Result<Value, AddProofError> {
    use crate::proof::ProofError;
    let Value::Object(doc) = document else {
        return Err(ProofError::NotAnObject.into());
    };
    for (member, v) in [("created", &options.created), ("expires", &options.expires)] {
        if let Some(v) = v {
            datetime::parse(v).map_err(|source| ProofError::DateTime { member, source })?;
        }
    }
    let all = existing_proofs(doc).ok_or(ProofError::ExistingProofMalformed)?;
    let chain = previous_proofs(&all, options.previous_proof.as_ref()).map_err(|e| match e {
        PrevErr::NotFound(id) => ProofError::PreviousProofNotFound { id },
        PrevErr::Malformed => ProofError::PreviousProofMalformed,
    })?;
    let unsecured = unsecured_for(doc, chain.as_ref());
    let mut config = options_map(options, suite);
    if let Some(ctx) = doc.get("@context") {
        config.insert("@context".into(), ctx.clone());
    }
    let hash = hash_data_patched(&Value::Object(config), &unsecured, &SIGNING_LIMITS, sha)?;
    let signature = sign(&hash);
    let mut proof = options_map(options, suite);
    proof.insert(
        "proofValue".into(),
        multibase::encode_base58btc(&signature).into(),
    );
    let proof = Value::Object(proof);
    let mut secured = doc.clone();
    let new_proof = if all.is_empty() {
        proof
    } else {
        let mut set: Vec<Value> = all.into_iter().cloned().collect();
        set.push(proof);
        Value::Array(set)
    };
    secured.insert("proof".into(), new_proof);
    Ok(Value::Object(secured))
}

fn as_list(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => core::slice::from_ref(other),
    }
}

/// "Verify Proof" of the RDFC suites, eddsa-rdfc-2022 (vc-di-eddsa §3.2.2)
/// and ecdsa-rdfc-2019 (vc-di-ecdsa §3.2.2), for one proof of a document's
/// proof set: the same transformation and proof configuration; the key gives
/// the hash (SHA-384 for P-384) and the check. The caller
/// ([`crate::proof::verify_proofs`]) has checked that `type` is
/// `DataIntegrityProof` and `cryptosuite` is `suite`.
pub(crate) fn verify_in_set(
    doc: &Map<String, Value>,
    all: &[&Value],
    proof: &Map<String, Value>,
    resolver: &dyn KeyResolver,
    suite: Cryptosuite,
) -> Result<String, ProofFailure> {
    let members = ProofMembers::read(proof, suite)?;
    let chain = previous_proofs(all, proof.get("previousProof")).map_err(|e| match e {
        PrevErr::NotFound(id) => ProofFailure::PreviousProofNotFound { id },
        PrevErr::Malformed => ProofFailure::PreviousProofMalformed,
    })?;
    let mut unsecured = unsecured_for(doc, chain.as_ref());
    let mut config = proof.clone();
    config.remove("proofValue");
    // §3.2.2 step 4: a proof @context must start the document's, and is then
    // the context the document was signed with.
    if let Some(pctx) = proof.get("@context") {
        let (d, p) = match doc.get("@context") {
            Some(d) => (as_list(d), as_list(pctx)),
            None => return Err(ProofFailure::ContextMismatch),
        };
        if p.len() > d.len() || !d.iter().zip(p).all(|(a, b)| a == b) {
            return Err(ProofFailure::ContextMismatch);
        }
        unsecured.replace = Some(("@context", pctx));
    }
    // §3.2.5: the proof configuration carries the unsecured document's @context.
    match unsecured.get("@context") {
        Some(ctx) => {
            config.insert("@context".into(), ctx.clone());
        }
        None => {
            config.remove("@context");
        }
    }
    let resolved = members.resolve(resolver)?;
    let sha = Sha::for_key(&resolved.public_key);
    let hash = hash_data_patched(&Value::Object(config), &unsecured, &Options::default(), sha)
        .map_err(|e| transformation_failure(&e))?;
    members.check(resolved, &hash)
}
