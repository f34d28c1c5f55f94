//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite
//! (Data Integrity EdDSA Cryptosuites v1.0, §3.3), including proof sets and
//! proof chains (Data Integrity v1.0, §4.2–4.3).
//!
//! Hash data is `SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document))`; the
//! signature is Ed25519 over those 64 bytes, serialized as multibase
//! base58btc in `proofValue`. Verification uses `verify_strict`.
//!
//! Proof verification answers only "was this document signed by that
//! verification method". Whether the method belongs to the credential's
//! issuer, and whether the purpose is the one expected, are the caller's
//! checks (the verifier reports them on lines of their own).

use crate::did_key::{DidKey, DidKeyError};
use crate::jcs::HashOut;
use crate::public_key::{KeyType, PublicKey};
use crate::{datetime, jcs, multibase};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};

/// The `type` of a Data Integrity proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite identifier implemented here.
pub const EDDSA_JCS_2022: &str = "eddsa-jcs-2022";
/// The ECDSA cryptosuite over JCS (Data Integrity ECDSA Cryptosuites v1.0, §3.3):
/// the eddsa-jcs-2022 transformation, ECDSA with P-256 (SHA-256) or P-384 (SHA-384).
pub const ECDSA_JCS_2019: &str = "ecdsa-jcs-2019";

/// A Data Integrity cryptosuite verified here: its name, its transformation
/// (JCS or RDFC-1.0) and its signature algorithm. The hash function follows
/// from the key ([`Sha::for_key`]). One implementation of each transformation
/// serves the EdDSA and the ECDSA suite built on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cryptosuite {
    /// The `cryptosuite` value (or, for a legacy suite, its proof `type`).
    pub(crate) name: &'static str,
    /// Whether the suite signs with ECDSA (P-256, P-384) rather than Ed25519.
    pub(crate) ecdsa: bool,
}

impl Cryptosuite {
    /// eddsa-jcs-2022.
    pub(crate) const EDDSA_JCS: Self = Self {
        name: EDDSA_JCS_2022,
        ecdsa: false,
    };
    /// ecdsa-jcs-2019.
    pub(crate) const ECDSA_JCS: Self = Self {
        name: ECDSA_JCS_2019,
        ecdsa: true,
    };

    /// The key type(s) the suite signs with, for messages, with an article.
    fn needs(self) -> &'static str {
        if self.ecdsa {
            "a P-256 or P-384"
        } else {
            "an Ed25519"
        }
    }

    /// Whether a key of type `key` can have made this suite's proofs.
    fn fits(self, key: KeyType) -> bool {
        if self.ecdsa {
            key.is_ecdsa()
        } else {
            key == KeyType::Ed25519
        }
    }
}

/// The SHA-2 function of a proof's hashes: SHA-384 for a P-384 key (vc-di-ecdsa
/// §3.2.3, §3.3.3: "for curve P-384 one uses SHA-384"), SHA-256 for every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sha {
    Sha256,
    Sha384,
}

impl Sha {
    /// The hash of proofs made with `key`.
    pub(crate) fn for_key(key: &PublicKey) -> Self {
        if key.key_type() == KeyType::P384 {
            Self::Sha384
        } else {
            Self::Sha256
        }
    }

    /// The hash of `data` (the RDFC suites' canonical N-Quads).
    #[cfg(feature = "rdfc")]
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest as _;
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
        }
    }

    /// The hash of the canonical (JCS) form of an object given by its members.
    fn jcs_members<'a>(self, members: impl Iterator<Item = (&'a str, &'a Value)>) -> Vec<u8> {
        use sha2::Digest as _;
        match self {
            Self::Sha256 => hash_members(members).to_vec(),
            Self::Sha384 => {
                let mut out = jcs::DigestOut(sha2::Sha384::new());
                jcs::write_members(members, &mut out);
                out.0.finalize().to_vec()
            }
        }
    }
}

/// A verification relationship a proof is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofPurpose {
    /// Issuing a credential (`assertionMethod`).
    AssertionMethod,
    /// Proving control, e.g. a learner signing a presentation (`authentication`).
    Authentication,
}

impl ProofPurpose {
    /// The JSON value of the purpose.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AssertionMethod => "assertionMethod",
            Self::Authentication => "authentication",
        }
    }

    /// Parses a JSON purpose value; `None` for purposes this toolkit does not use.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "assertionMethod" => Some(Self::AssertionMethod),
            "authentication" => Some(Self::Authentication),
            _ => None,
        }
    }
}

impl core::fmt::Display for ProofPurpose {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Options of a new proof (Data Integrity §2.1 proof members).
#[derive(Debug, Clone, PartialEq)]
pub struct ProofOptions {
    /// Verification-method URL of the signing key (`did:…#…`).
    pub verification_method: String,
    /// Why the proof is made.
    pub proof_purpose: ProofPurpose,
    /// `created` date-time; [`datetime::format`] of now is typical.
    pub created: Option<String>,
    /// `expires` date-time.
    pub expires: Option<String>,
    /// `challenge` (presentations: the verifier's nonce).
    pub challenge: Option<String>,
    /// `domain` (presentations: the intended verifier).
    pub domain: Option<String>,
    /// `id` of the proof (needed for another proof to chain to it).
    pub id: Option<String>,
    /// `previousProof`: the id (string) or ids (array) of proofs this one chains to.
    pub previous_proof: Option<Value>,
}

impl ProofOptions {
    /// Options with only the verification method and purpose set.
    pub fn new(verification_method: impl Into<String>, proof_purpose: ProofPurpose) -> Self {
        Self {
            verification_method: verification_method.into(),
            proof_purpose,
            created: None,
            expires: None,
            challenge: None,
            domain: None,
            id: None,
            previous_proof: None,
        }
    }

    /// The proof options document (no `@context`, no `proofValue`), members in
    /// the order the specification's examples use.
    #[cfg(feature = "signing")]
    fn to_map(&self) -> Map<String, Value> {
        self.to_map_for(EDDSA_JCS_2022)
    }

    /// [`Self::to_map`] with `cryptosuite` set to `suite`.
    #[cfg(feature = "signing")]
    fn to_map_for(&self, suite: &'static str) -> Map<String, Value> {
        let (members, n) = self.string_members_for(suite);
        let mut m = Map::with_capacity(10);
        for (name, value) in members.iter().take(n) {
            m.insert((*name).into(), (*value).into());
        }
        if let Some(p) = &self.previous_proof {
            m.insert("previousProof".into(), p.clone());
        }
        m
    }

    /// The string members of the proof options (all but `previousProof`), in the
    /// order of [`Self::to_map`]: the first `n` entries of the array (no allocation,
    /// for [`add_proof_bytes`]).
    #[cfg(feature = "signing")]
    fn string_members(&self) -> ([(&'static str, &str); 9], usize) {
        self.string_members_for(EDDSA_JCS_2022)
    }

    /// [`Self::string_members`] with `cryptosuite` set to `suite`.
    #[cfg(feature = "signing")]
    fn string_members_for(&self, suite: &'static str) -> ([(&'static str, &str); 9], usize) {
        let all = [
            ("id", self.id.as_deref()),
            ("type", Some(PROOF_TYPE)),
            ("cryptosuite", Some(suite)),
            ("created", self.created.as_deref()),
            ("expires", self.expires.as_deref()),
            (
                "verificationMethod",
                Some(self.verification_method.as_str()),
            ),
            ("proofPurpose", Some(self.proof_purpose.as_str())),
            ("challenge", self.challenge.as_deref()),
            ("domain", self.domain.as_deref()),
        ];
        let mut out = [("", ""); 9];
        let mut n = 0;
        for (name, value) in all {
            if let (Some(value), Some(slot)) = (value, out.get_mut(n)) {
                *slot = (name, value);
                n += 1;
            }
        }
        (out, n)
    }
}

/// Why a proof could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The document is not a JSON object.
    #[error("the document to sign is not a JSON object")]
    NotAnObject,
    /// The document's existing `proof` member is neither an object nor an array of objects.
    #[error("the document's existing proof member is not a proof object or an array of them")]
    ExistingProofMalformed,
    /// `created` or `expires` is not a date-time.
    #[error("proof option {member}: {source}")]
    DateTime {
        /// `created` or `expires`.
        member: &'static str,
        /// The parse error.
        #[source]
        source: datetime::DateTimeError,
    },
    /// `previousProof` names a proof id the document does not carry.
    #[error("previousProof {id:?} names no proof of the document")]
    PreviousProofNotFound {
        /// The id.
        id: String,
    },
    /// `previousProof` is neither a string nor an array of strings.
    #[error("previousProof must be a proof id or an array of proof ids")]
    PreviousProofMalformed,
    /// The document to sign is not strict JSON ([`add_proof_bytes`]).
    #[error(transparent)]
    Json(#[from] crate::json::JsonError),
}

/// Why a proof does not verify. Cryptographic failure is deliberately opaque
/// ([`ProofFailure::SignatureInvalid`]); policy and format failures are detailed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofFailure {
    /// The document is not a JSON object.
    #[error("the document is not a JSON object")]
    DocumentNotAnObject,
    /// The proof is not a JSON object.
    #[error("the proof is not a JSON object")]
    NotAnObject,
    /// A required proof member is absent or not a string.
    #[error("proof member {member} is missing or not a string")]
    MissingMember {
        /// The member name.
        member: &'static str,
    },
    /// `type` is not one this toolkit verifies (`DataIntegrityProof`). The
    /// proof may be sound: it cannot be checked here ([`Self::is_unsupported`]).
    #[error(
        "proof type {found:?} is not supported (supported: DataIntegrityProof, Ed25519Signature2020)"
    )]
    UnsupportedType {
        /// The type found.
        found: String,
    },
    /// The cryptosuite is not one this toolkit implements. The proof may be
    /// sound: it cannot be checked here ([`Self::is_unsupported`]).
    #[error("cryptosuite {found:?} is not supported (supported: {SUPPORTED_CRYPTOSUITES})")]
    UnsupportedCryptosuite {
        /// The cryptosuite found.
        found: String,
    },
    /// `proofValue` is not multibase base58btc.
    #[error("proofValue is not multibase base58btc (\"z…\"): {source}")]
    ProofValueEncoding {
        /// The decoding error.
        #[source]
        source: multibase::MultibaseError,
    },
    /// `proofValue` does not decode to a 64-byte Ed25519 signature.
    #[error("proofValue does not decode to a 64-byte Ed25519 signature")]
    ProofValueLength,
    /// `proofValue` does not decode to an ECDSA signature of the key's size.
    #[error("proofValue decodes to {found} bytes where {expected}")]
    SignatureLength {
        /// The number of bytes found.
        found: usize,
        /// What is required: `a P-256 signature has 64`, ….
        expected: &'static str,
    },
    /// `created` or `expires` is malformed.
    #[error("proof member {member}: {source}")]
    DateTime {
        /// `created` or `expires`.
        member: &'static str,
        /// The parse error.
        #[source]
        source: datetime::DateTimeError,
    },
    /// The proof's `@context` is not a prefix of the document's `@context`.
    #[error("the proof's @context is not the start of the document's @context")]
    ContextMismatch,
    /// `previousProof` names a proof the document does not carry.
    #[error("previousProof {id:?} names no proof of the document")]
    PreviousProofNotFound {
        /// The id.
        id: String,
    },
    /// `previousProof` is neither a string nor an array of strings.
    #[error("previousProof must be a proof id or an array of proof ids")]
    PreviousProofMalformed,
    /// The verification method could not be resolved to a key.
    #[error("verification method {verification_method:?}: {source}")]
    Resolve {
        /// The verification-method URL.
        verification_method: String,
        /// Why it could not be resolved.
        #[source]
        source: ResolveError,
    },
    /// The verification method is not authorized for the proof's purpose.
    #[error("verification method {verification_method:?} is not authorized for {purpose}")]
    PurposeNotAuthorized {
        /// The verification-method URL.
        verification_method: String,
        /// The purpose the proof claims.
        purpose: String,
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// The verification method's key is not of the type the cryptosuite signs
    /// with (an Ed25519 suite and a P-256 key, …): no signature can verify.
    #[error("{cryptosuite} needs {needed} key; the method is {found}")]
    WrongKeyType {
        /// The cryptosuite (or legacy suite type) of the proof.
        cryptosuite: &'static str,
        /// The key type(s) the suite needs, with an article: `an Ed25519`.
        needed: &'static str,
        /// The type of the method's key: `P-256`, ….
        found: &'static str,
    },
    /// The document or proof could not be canonicalized for eddsa-rdfc-2022
    /// or Ed25519Signature2020 (a member its contexts do not define, an
    /// unknown context, …).
    #[error("RDFC canonicalization failed: {reason}")]
    Transformation {
        /// What went wrong, naming the context URL or JSON path.
        reason: String,
    },
    /// The document could not be processed here, through no fault of its own:
    /// a context neither bundled nor supplied, or a JSON-LD feature this
    /// processor does not implement. No verdict on the proof.
    #[error("cannot be checked here: {reason}")]
    CannotProcess {
        /// What is missing, naming the context URL or the feature.
        reason: String,
    },
    /// The securing envelope is refused by rule, whatever its signature: a
    /// JWS with `alg` `none`, a shared-secret (HMAC) `alg`, an `alg` that does
    /// not fit its key (the verifier's VC-JWT reader). A verdict on the
    /// document, unlike [`Self::CannotProcess`].
    #[error("{reason}")]
    Refused {
        /// What is refused and why.
        reason: String,
    },
}

impl ProofFailure {
    /// Whether the proof could not be checked here: of a type or cryptosuite
    /// this toolkit does not implement, or by a key that cannot be resolved
    /// offline (no document for it) or is of a type not supported, or of a
    /// document whose contexts are neither bundled nor supplied. That says nothing about whether it is genuine, unlike every
    /// other failure, which is a verdict on the proof.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            Self::UnsupportedType { .. }
                | Self::UnsupportedCryptosuite { .. }
                | Self::CannotProcess { .. }
                | Self::Resolve {
                    source: ResolveError::UnsupportedMethod { .. }
                        | ResolveError::KeyMaterial { .. },
                    ..
                }
        )
    }
}

/// The cryptosuites of `DataIntegrityProof` this build verifies, for messages.
#[cfg(feature = "rdfc")]
const SUPPORTED_CRYPTOSUITES: &str =
    "eddsa-jcs-2022, eddsa-rdfc-2022, ecdsa-jcs-2019, ecdsa-rdfc-2019";
#[cfg(not(feature = "rdfc"))]
const SUPPORTED_CRYPTOSUITES: &str = "eddsa-jcs-2022, ecdsa-jcs-2019";

/// Why a verification method could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The DID method is not one the resolver knows (e.g. did:web without a
    /// trusted document), or the verification method is an https URL (an
    /// Open Badges issuer profile) with no document for it.
    #[error(
        "cannot resolve {method} offline; supply its DID document or issuer profile in the trust list (issuers[].document)"
    )]
    UnsupportedMethod {
        /// The DID method, e.g. `did:web`.
        method: String,
    },
    /// The DID document has no such verification method.
    #[error("no such verification method in the DID document")]
    NotFound,
    /// The did:key is malformed.
    #[error(transparent)]
    DidKey(#[from] DidKeyError),
    /// The verification method's key material is malformed or not Ed25519.
    #[error("unusable key material: {reason}")]
    KeyMaterial {
        /// What is wrong.
        reason: String,
    },
}

/// A resolved verification method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedMethod {
    /// The DID that controls the key.
    pub controller: String,
    /// The public key (Ed25519, P-256 or P-384).
    pub public_key: PublicKey,
    /// The verification relationships the controller authorized the key for
    /// (`assertionMethod`, `authentication`, …).
    pub relationships: Vec<String>,
}

/// Resolves verification-method URLs to keys, offline.
pub trait KeyResolver {
    /// Resolves `verification_method` (e.g. `did:key:z6Mk…#z6Mk…`).
    ///
    /// # Errors
    /// [`ResolveError`] when the method is unknown or its key unusable.
    fn resolve(&self, verification_method: &str) -> Result<ResolvedMethod, ResolveError>;
}

/// Resolves `did:key` verification methods (and only those), offline.
#[derive(Debug, Clone, Copy, Default)]
pub struct DidKeyResolver;

impl KeyResolver for DidKeyResolver {
    fn resolve(&self, verification_method: &str) -> Result<ResolvedMethod, ResolveError> {
        if !verification_method.starts_with(crate::did_key::DID_KEY_PREFIX) {
            return Err(ResolveError::UnsupportedMethod {
                method: method_of(verification_method),
            });
        }
        let dk = DidKey::parse_verification_method(verification_method)?;
        // The DID is the text before '#': equal to `dk.did()` (see
        // `parse_verification_method`), without re-encoding the key.
        let did = verification_method
            .split_once('#')
            .map_or(verification_method, |(did, _)| did);
        Ok(ResolvedMethod {
            controller: did.to_owned(),
            public_key: *dk.public_key(),
            relationships: [
                "assertionMethod",
                "authentication",
                "capabilityInvocation",
                "capabilityDelegation",
            ]
            .map(String::from)
            .to_vec(),
        })
    }
}

/// What a verification method's URL is resolved through, for messages: the
/// DID method (`did:web`) of a DID URL, else the document URL (the part
/// before `#`, e.g. an issuer profile's `https://…`).
pub fn method_of(verification_method: &str) -> String {
    if verification_method.starts_with("did:") {
        verification_method
            .splitn(3, ':')
            .take(2)
            .collect::<Vec<_>>()
            .join(":")
    } else {
        verification_method
            .split_once('#')
            .map_or(verification_method, |(doc, _)| doc)
            .to_owned()
    }
}

/// The hash data of eddsa-jcs-2022: `SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document))`.
pub fn hash_data(proof_config: &Value, document: &Value) -> [u8; 64] {
    // Canonical bytes stream straight into SHA-256: no intermediate vector.
    let mut config = HashOut::new();
    jcs::write_canonical(proof_config, &mut config);
    let mut doc = HashOut::new();
    jcs::write_canonical(document, &mut doc);
    concat_hashes(config.finish(), doc.finish())
}

/// `first ‖ second`.
fn concat_hashes(first: [u8; 32], second: [u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&first);
    out[32..].copy_from_slice(&second);
    out
}

/// SHA-256 of the canonical form of an object given by its members.
fn hash_members<'a>(members: impl Iterator<Item = (&'a str, &'a Value)>) -> [u8; 32] {
    let mut out = HashOut::new();
    jcs::write_members(members, &mut out);
    out.finish()
}

/// The proofs a document carries, as a list (a single `proof` object counts as one).
///
/// # Errors
/// `Err(())` when `proof` is present but neither an object nor an array.
fn existing_proofs(doc: &Map<String, Value>) -> Result<Vec<&Value>, ()> {
    match doc.get("proof") {
        None => Ok(Vec::new()),
        Some(p @ Value::Object(_)) => Ok(vec![p]),
        Some(Value::Array(a)) => Ok(a.iter().collect()),
        Some(_) => Err(()),
    }
}

/// The proofs named by `previousProof` (Data Integrity §4.3, proof chains): the
/// value of `proof` in the document the new proof covers.
fn chained_proofs(all: &[&Value], previous: Option<&Value>) -> Result<Option<Value>, PrevProofErr> {
    match previous {
        None => Ok(None),
        Some(Value::String(id)) => Ok(Some(find_proof(all, id)?.clone())),
        Some(Value::Array(ids)) => {
            let mut chained = Vec::with_capacity(ids.len());
            for id in ids {
                let Value::String(id) = id else {
                    return Err(PrevProofErr::Malformed);
                };
                chained.push(find_proof(all, id)?.clone());
            }
            Ok(Some(Value::Array(chained)))
        }
        Some(_) => Err(PrevProofErr::Malformed),
    }
}

/// SHA-256 of the canonical document a proof was made over: the document
/// without `proof`, plus the `chained` proofs, with `@context` replaced by
/// `context` when given. The document itself is not cloned.
#[cfg(all(test, feature = "signing"))]
fn unsecured_hash(
    doc: &Map<String, Value>,
    chained: Option<&Value>,
    context: Option<&Value>,
) -> [u8; 32] {
    hash_members(unsecured_members(doc, chained, context))
}

/// The members of the document a proof was made over (see [`unsecured_hash`]).
fn unsecured_members<'a>(
    doc: &'a Map<String, Value>,
    chained: Option<&'a Value>,
    context: Option<&'a Value>,
) -> impl Iterator<Item = (&'a str, &'a Value)> {
    doc.iter()
        .filter(|(k, _)| *k != "proof")
        .map(move |(k, v)| match context {
            Some(ctx) if k == "@context" => (k.as_str(), ctx),
            _ => (k.as_str(), v),
        })
        .chain(chained.map(|p| ("proof", p)))
}

enum PrevProofErr {
    NotFound(String),
    Malformed,
}

fn find_proof<'a>(all: &[&'a Value], id: &str) -> Result<&'a Value, PrevProofErr> {
    all.iter()
        .copied()
        .find(|p| p.get("id").and_then(Value::as_str) == Some(id))
        .ok_or_else(|| PrevProofErr::NotFound(id.to_owned()))
}

/// Adds an `eddsa-jcs-2022` proof to `document` and returns the secured document.
///
/// A document that already carries proofs gets a proof set: the new proof
/// covers the document without them (or with those named by
/// `previousProof`), and `proof` becomes an array of all of them.
///
/// # Errors
/// [`ProofError`] when the document is not an object, an option is malformed,
/// or `previousProof` names no existing proof.
#[cfg(feature = "signing")]
pub fn add_proof(
    document: &Value,
    key: &crate::keys::SecretKey,
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    add_jcs_proof(document, options, EDDSA_JCS_2022, Sha::Sha256, &|hash| {
        key.sign(hash).to_bytes().to_vec()
    })
}

/// Adds an `ecdsa-jcs-2019` proof (vc-di-ecdsa §3.3) made with a P-256 or P-384
/// key to `document`, as [`add_proof`] adds an `eddsa-jcs-2022` one: the same
/// transformation and proof configuration, hashed with the key's SHA-2 (SHA-384
/// for P-384) and signed with ECDSA.
///
/// # Errors
/// As [`add_proof`].
#[cfg(feature = "signing")]
pub fn add_ecdsa_jcs_proof(
    document: &Value,
    key: &crate::keys::EcdsaSecretKey,
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    let sha = Sha::for_key(&key.public_key());
    add_jcs_proof(document, options, ECDSA_JCS_2019, sha, &|hash| {
        key.sign(hash)
    })
}

/// "Add Proof" of the JCS suites: `suite` names the cryptosuite, `sha` hashes
/// the canonical proof configuration and document, `sign` signs their concatenation.
#[cfg(feature = "signing")]
fn add_jcs_proof(
    document: &Value,
    options: &ProofOptions,
    suite: &'static str,
    sha: Sha,
    sign: &dyn Fn(&[u8]) -> Vec<u8>,
) -> Result<Value, ProofError> {
    let Value::Object(doc) = document else {
        return Err(ProofError::NotAnObject);
    };
    for (member, v) in [("created", &options.created), ("expires", &options.expires)] {
        if let Some(v) = v {
            datetime::parse(v).map_err(|source| ProofError::DateTime { member, source })?;
        }
    }
    let all = existing_proofs(doc).map_err(|()| ProofError::ExistingProofMalformed)?;
    if all.iter().any(|p| !p.is_object()) {
        return Err(ProofError::ExistingProofMalformed);
    }
    let chained = chained_proofs(&all, options.previous_proof.as_ref()).map_err(|e| match e {
        PrevProofErr::NotFound(id) => ProofError::PreviousProofNotFound { id },
        PrevProofErr::Malformed => ProofError::PreviousProofMalformed,
    })?;
    let doc_hash = sha.jcs_members(unsecured_members(doc, chained.as_ref(), None));
    // Proof configuration (§3.3.5): the options, with the document's @context.
    let mut proof = options.to_map_for(suite);
    if let Some(ctx) = doc.get("@context") {
        proof.insert("@context".into(), ctx.clone());
    }
    let mut hash = sha.jcs_members(proof.iter().map(|(k, v)| (k.as_str(), v)));
    hash.extend(doc_hash);
    let signature = sign(&hash);
    proof.insert(
        "proofValue".into(),
        multibase::encode_base58btc(&signature).into(),
    );
    let mut secured = doc.clone();
    let proof = Value::Object(proof);
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

/// The `eddsa-jcs-2022` proof object that [`add_proof`] adds to a document
/// without proofs, made from the document's `@context` and the SHA-256 of the
/// document's RFC 8785 canonical form, which the caller computed: for issuers
/// that write the canonical form of many similar documents from a compiled
/// template straight into SHA-256 instead of parsing each document. The caller
/// adds the returned object as the document's last member, `proof`.
///
/// # Errors
/// [`ProofError::DateTime`] for a malformed `created` or `expires`;
/// [`ProofError::PreviousProofNotFound`] when `previousProof` is set (a
/// document without proofs has none to chain to).
#[cfg(feature = "signing")]
pub fn jcs_proof_for_hash(
    context: Option<&Value>,
    document_sha256: [u8; 32],
    key: &crate::keys::SecretKey,
    options: &ProofOptions,
) -> Result<Map<String, Value>, ProofError> {
    let (mut proof, config_sha256) = jcs_proof_config(context, options)?;
    let signature = key.sign(&concat_hashes(config_sha256, document_sha256));
    proof.insert(
        "proofValue".into(),
        multibase::encode_base58btc(&signature.to_bytes()).into(),
    );
    Ok(proof)
}

/// The `eddsa-jcs-2022` proof configuration of [`jcs_proof_for_hash`] — the
/// proof object without its `proofValue` — and the SHA-256 of its RFC 8785
/// canonical form, the first half of what the signature covers: for issuers
/// that sign many documents with the same options and render the proof around
/// each signature themselves. Nothing is signed.
///
/// # Errors
/// As [`jcs_proof_for_hash`].
#[cfg(feature = "signing")]
pub fn jcs_proof_config(
    context: Option<&Value>,
    options: &ProofOptions,
) -> Result<(Map<String, Value>, [u8; 32]), ProofError> {
    for (member, v) in [("created", &options.created), ("expires", &options.expires)] {
        if let Some(v) = v {
            datetime::parse(v).map_err(|source| ProofError::DateTime { member, source })?;
        }
    }
    if let Some(previous) = &options.previous_proof {
        return Err(ProofError::PreviousProofNotFound {
            id: previous
                .as_str()
                .map_or_else(|| previous.to_string(), str::to_owned),
        });
    }
    // As in add_proof: the configuration is the options with the @context.
    let mut proof = options.to_map();
    if let Some(ctx) = context {
        proof.insert("@context".into(), ctx.clone());
    }
    let mut config_hash = HashOut::new();
    jcs::write_members(proof.iter().map(|(k, v)| (k.as_str(), v)), &mut config_hash);
    Ok((proof, config_hash.finish()))
}

/// The outcome of verifying one proof of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOutcome {
    /// Position of the proof in the document's proof set (0 for a single proof).
    pub index: usize,
    /// `id` of the proof, if any.
    pub id: Option<String>,
    /// `cryptosuite` of the proof, if a string; for an `Ed25519Signature2020`
    /// proof (whose `type` names its suite), `Ed25519Signature2020`.
    pub cryptosuite: Option<String>,
    /// `verificationMethod` of the proof, if a string.
    pub verification_method: Option<String>,
    /// `proofPurpose` of the proof, if a string.
    pub proof_purpose: Option<String>,
    /// `created`, if a string.
    pub created: Option<String>,
    /// `expires`, if a string.
    pub expires: Option<String>,
    /// `challenge`, if a string.
    pub challenge: Option<String>,
    /// `domain`, if a string.
    pub domain: Option<String>,
    /// The verdict: the controller of the key on success.
    pub result: Result<String, ProofFailure>,
}

/// Verifies every proof of a secured document, each on its own.
///
/// Returns one outcome per proof, in document order; an empty list when the
/// document carries no `proof` (the caller decides that an unsigned document
/// is not valid).
pub fn verify_proofs(document: &Value, resolver: &dyn KeyResolver) -> Vec<ProofOutcome> {
    let Value::Object(doc) = document else {
        return vec![failed(0, ProofFailure::DocumentNotAnObject)];
    };
    let all = match existing_proofs(doc) {
        Ok(all) => all,
        Err(()) => return vec![failed(0, ProofFailure::NotAnObject)],
    };
    all.iter()
        .enumerate()
        .map(|(index, proof)| {
            let s = |k: &str| proof.get(k).and_then(Value::as_str).map(str::to_owned);
            ProofOutcome {
                index,
                id: s("id"),
                cryptosuite: s("cryptosuite").or_else(|| legacy_suite(proof)),
                verification_method: s("verificationMethod"),
                proof_purpose: s("proofPurpose"),
                created: s("created"),
                expires: s("expires"),
                challenge: s("challenge"),
                domain: s("domain"),
                result: verify_one(doc, &all, proof, resolver),
            }
        })
        .collect()
}

/// A Linked Data Signature suite (no `cryptosuite`: the `type` names the
/// suite) that [`verify_proofs`] verifies, so that reports can name it.
fn legacy_suite(proof: &Value) -> Option<String> {
    #[cfg(feature = "rdfc")]
    if proof.get("type").and_then(Value::as_str) == Some(crate::rdfc::ED25519_SIGNATURE_2020) {
        return Some(crate::rdfc::ED25519_SIGNATURE_2020.to_owned());
    }
    let _ = proof;
    None
}

fn failed(index: usize, f: ProofFailure) -> ProofOutcome {
    ProofOutcome {
        index,
        id: None,
        cryptosuite: None,
        verification_method: None,
        proof_purpose: None,
        created: None,
        expires: None,
        challenge: None,
        domain: None,
        result: Err(f),
    }
}

pub(crate) fn str_member<'a>(
    proof: &'a Map<String, Value>,
    member: &'static str,
) -> Result<&'a str, ProofFailure> {
    proof
        .get(member)
        .and_then(Value::as_str)
        .ok_or(ProofFailure::MissingMember { member })
}

/// One proof of the set: its type and cryptosuite choose the algorithm.
fn verify_one(
    doc: &Map<String, Value>,
    all: &[&Value],
    proof: &Value,
    resolver: &dyn KeyResolver,
) -> Result<String, ProofFailure> {
    let Value::Object(proof) = proof else {
        return Err(ProofFailure::NotAnObject);
    };
    let kind = str_member(proof, "type")?;
    #[cfg(feature = "rdfc")]
    if kind == crate::rdfc::ED25519_SIGNATURE_2020 {
        return crate::rdfc::ed25519_2020::verify_in_set(doc, proof, resolver);
    }
    if kind != PROOF_TYPE {
        return Err(ProofFailure::UnsupportedType {
            found: kind.to_owned(),
        });
    }
    let suite = str_member(proof, "cryptosuite")?;
    match suite {
        EDDSA_JCS_2022 => verify_jcs(doc, all, proof, resolver, Cryptosuite::EDDSA_JCS),
        ECDSA_JCS_2019 => verify_jcs(doc, all, proof, resolver, Cryptosuite::ECDSA_JCS),
        #[cfg(feature = "rdfc")]
        crate::rdfc::EDDSA_RDFC_2022 => {
            crate::rdfc::verify_in_set(doc, all, proof, resolver, crate::rdfc::EDDSA_RDFC)
        }
        #[cfg(feature = "rdfc")]
        crate::rdfc::ECDSA_RDFC_2019 => {
            crate::rdfc::verify_in_set(doc, all, proof, resolver, crate::rdfc::ECDSA_RDFC)
        }
        _ => Err(ProofFailure::UnsupportedCryptosuite {
            found: suite.to_owned(),
        }),
    }
}

/// "Verify Proof" of the JCS suites, eddsa-jcs-2022 (vc-di-eddsa §3.3.2) and
/// ecdsa-jcs-2019 (vc-di-ecdsa §3.3.2): the same transformation and proof
/// configuration; the key gives the hash (SHA-384 for P-384) and the check.
fn verify_jcs(
    doc: &Map<String, Value>,
    all: &[&Value],
    proof: &Map<String, Value>,
    resolver: &dyn KeyResolver,
    suite: Cryptosuite,
) -> Result<String, ProofFailure> {
    let members = ProofMembers::read(proof, suite)?;

    let chained = chained_proofs(all, proof.get("previousProof")).map_err(|e| match e {
        PrevProofErr::NotFound(id) => ProofFailure::PreviousProofNotFound { id },
        PrevProofErr::Malformed => ProofFailure::PreviousProofMalformed,
    })?;
    // §3.3.2 step 4: the proof's @context must start the document's, and is
    // then the context the document was signed with.
    let context = proof.get("@context");
    if let Some(pctx) = context {
        if !context_starts_with(doc.get("@context"), pctx) {
            return Err(ProofFailure::ContextMismatch);
        }
    }
    // The key comes first: it chooses the hash.
    let resolved = members.resolve(resolver)?;
    let sha = Sha::for_key(&resolved.public_key);
    // The proof options: the proof without its value.
    let mut hash = sha.jcs_members(
        proof
            .iter()
            .filter(|(k, _)| *k != "proofValue")
            .map(|(k, v)| (k.as_str(), v)),
    );
    hash.extend(sha.jcs_members(unsecured_members(doc, chained.as_ref(), context)));
    members.check(resolved, &hash)
}

/// The members of a proof (every suite verified here: eddsa-jcs-2022,
/// eddsa-rdfc-2022, Ed25519Signature2020, ecdsa-jcs-2019, ecdsa-rdfc-2019)
/// that its verification reads, checked once for all: the verification
/// method, the purpose, well-formed `created` and `expires`, and the
/// signature bytes of `proofValue` (64 for Ed25519; 64 or 96 for ECDSA, which
/// the key decides).
pub(crate) struct ProofMembers<'a> {
    suite: Cryptosuite,
    verification_method: &'a str,
    purpose: &'a str,
    signature: Vec<u8>,
}

impl<'a> ProofMembers<'a> {
    /// Reads and checks the members of a proof of `suite`.
    pub(crate) fn read(
        proof: &'a Map<String, Value>,
        suite: Cryptosuite,
    ) -> Result<Self, ProofFailure> {
        let verification_method = str_member(proof, "verificationMethod")?;
        let purpose = str_member(proof, "proofPurpose")?;
        let proof_value = str_member(proof, "proofValue")?;
        for member in ["created", "expires"] {
            if let Some(v) = proof.get(member) {
                let s = v.as_str().ok_or(ProofFailure::MissingMember { member })?;
                datetime::parse(s).map_err(|source| ProofFailure::DateTime { member, source })?;
            }
        }
        let signature = if suite.ecdsa {
            let bytes = multibase::decode_base58btc(proof_value)
                .map_err(|source| ProofFailure::ProofValueEncoding { source })?;
            if !matches!(bytes.len(), 64 | 96) {
                return Err(ProofFailure::SignatureLength {
                    found: bytes.len(),
                    expected: "an ECDSA signature has 64 (P-256) or 96 (P-384)",
                });
            }
            bytes
        } else {
            multibase::decode_base58btc_array::<64>(proof_value)
                .map_err(|source| ProofFailure::ProofValueEncoding { source })?
                .ok_or(ProofFailure::ProofValueLength)?
                .to_vec()
        };
        Ok(Self {
            suite,
            verification_method,
            purpose,
            signature,
        })
    }

    /// The verification method's key, which must be authorized for the purpose.
    pub(crate) fn resolve(
        &self,
        resolver: &dyn KeyResolver,
    ) -> Result<ResolvedMethod, ProofFailure> {
        let vm = self.verification_method;
        let resolved = resolver
            .resolve(vm)
            .map_err(|source| ProofFailure::Resolve {
                verification_method: vm.to_owned(),
                source,
            })?;
        if !resolved.relationships.iter().any(|r| r == self.purpose) {
            return Err(ProofFailure::PurposeNotAuthorized {
                verification_method: vm.to_owned(),
                purpose: self.purpose.to_owned(),
            });
        }
        let key = resolved.public_key.key_type();
        if !self.suite.fits(key) {
            return Err(ProofFailure::WrongKeyType {
                cryptosuite: self.suite.name,
                needed: self.suite.needs(),
                found: key.name(),
            });
        }
        if self.signature.len() != key.signature_len() {
            return Err(ProofFailure::SignatureLength {
                found: self.signature.len(),
                expected: if key == KeyType::P384 {
                    "a P-384 signature has 96"
                } else {
                    "a P-256 signature has 64"
                },
            });
        }
        Ok(resolved)
    }

    /// The signature over `hash` by the resolved key ([`PublicKey::verify`]:
    /// Ed25519 `verify_strict`, or ECDSA with the key's hash); `Ok` holds the
    /// key's controller.
    pub(crate) fn check(
        &self,
        resolved: ResolvedMethod,
        hash: &[u8],
    ) -> Result<String, ProofFailure> {
        if resolved.public_key.verify(hash, &self.signature) {
            Ok(resolved.controller)
        } else {
            Err(ProofFailure::SignatureInvalid)
        }
    }
}

/// The Ed25519 key an Ed25519 suite (`suite`) verifies with, or why there is none.
pub(crate) fn ed25519_key<'k>(
    suite: &'static str,
    key: &'k PublicKey,
) -> Result<&'k VerifyingKey, ProofFailure> {
    key.as_ed25519().ok_or(ProofFailure::WrongKeyType {
        cryptosuite: suite,
        needed: "an Ed25519",
        found: key.name(),
    })
}

fn as_list(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => core::slice::from_ref(other),
    }
}

fn context_starts_with(doc_ctx: Option<&Value>, proof_ctx: &Value) -> bool {
    let Some(doc_ctx) = doc_ctx else {
        return false;
    };
    let (d, p) = (as_list(doc_ctx), as_list(proof_ctx));
    p.len() <= d.len() && d.iter().zip(p).all(|(a, b)| a == b)
}

mod batch;
mod fast;

/// Whether `signature` is a valid Ed25519 signature of `message` by `key`:
/// ed25519-dalek's `VerifyingKey::verify_strict` (canonical `s`, no small-order
/// `R` or key, the cofactorless equation). Every Ed25519 proof is checked with it.
///
/// ```
/// use ed25519_dalek::{Signer as _, SigningKey};
/// let signer = SigningKey::from_bytes(&[7; 32]);
/// let signature = signer.sign(b"hash data");
/// assert!(microcred_core::proof::verify_signature(&signer.verifying_key(), b"hash data", &signature));
/// assert!(!microcred_core::proof::verify_signature(&signer.verifying_key(), b"other data", &signature));
/// ```
pub fn verify_signature(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    key.verify_strict(message, signature).is_ok()
}
#[cfg(all(test, feature = "signing"))]
mod tests_fast;

/// Verifies every proof of a document given as bytes: the strict JSON rules of
/// [`json::parse`](crate::json::parse), then exactly the outcomes of
/// [`verify_proofs`], without building a `serde_json::Value`.
///
/// This is the fast path for verifiers: the document is read into a borrowed
/// tree (strings are slices of `bytes`), the canonical forms of the proof
/// options and of the document without its proof are streamed into SHA-256, and
/// nothing is cloned. Proof chains (`previousProof`) take the `Value` path.
///
/// # Errors
/// The [`JsonError`](crate::json::JsonError) of [`json::parse`](crate::json::parse)
/// when `bytes` is not strict JSON.
pub fn verify_bytes(
    bytes: &[u8],
    resolver: &dyn KeyResolver,
) -> Result<Vec<ProofOutcome>, crate::json::JsonError> {
    batch::verify_one_document(bytes, resolver)
}

/// Verifies many documents' proofs: one result per document, in order, each
/// equal to what [`verify_bytes`] answers. Verification methods are resolved once
/// per call (a chunk of one issuer's credentials resolves its key once); every
/// signature is checked with `verify_strict`. About 64 to 1024 documents per call
/// is a good size.
pub fn verify_batch(
    documents: &[&[u8]],
    resolver: &dyn KeyResolver,
) -> Vec<Result<Vec<ProofOutcome>, crate::json::JsonError>> {
    batch::verify_batch(documents, resolver)
}

/// The proof outcomes of a verifiable presentation and of each credential it
/// embeds (`verifiableCredential`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationOutcomes {
    /// The presentation's own proofs, as [`verify_proofs`] reports them.
    pub presentation: Vec<ProofOutcome>,
    /// For each embedded credential, in order, its proofs' outcomes (a single
    /// credential that is not in an array counts as a list of one).
    pub credentials: Vec<Vec<ProofOutcome>>,
}

/// Verifies a presentation given as bytes and every credential it embeds, keys
/// resolved once for all. Only the proofs: holder binding, purposes,
/// challenge and domain are the caller's checks.
///
/// # Errors
/// The [`JsonError`](crate::json::JsonError) of [`json::parse`](crate::json::parse)
/// when `bytes` is not strict JSON.
pub fn verify_presentation_bytes(
    bytes: &[u8],
    resolver: &dyn KeyResolver,
) -> Result<PresentationOutcomes, crate::json::JsonError> {
    use crate::tree::{Node, Tree};
    let slow = || crate::json::parse(bytes).map(|value| fast::presentation_slow(&value, resolver));
    let Ok(tree) = Tree::parse(bytes, crate::json::Limits::DEFAULT) else {
        return slow();
    };
    let resolver = fast::CachingResolver::new(resolver);
    let root = tree.root();
    let credentials: Vec<Node<'_>> = match tree.get(root, "verifiableCredential") {
        None => Vec::new(),
        Some(list @ Node::Array { .. }) => tree.items(list).to_vec(),
        Some(one) => vec![one],
    };
    let mut documents = Vec::with_capacity(credentials.len() + 1);
    for node in std::iter::once(root).chain(credentials) {
        match fast::prepare_node(&tree, node, &resolver) {
            Some(document) => documents.push(document),
            None => return slow(),
        }
    }
    let mut decided = batch::decide_documents(documents).into_iter();
    let presentation = decided.next().unwrap_or_default();
    Ok(PresentationOutcomes {
        presentation,
        credentials: decided.collect(),
    })
}

/// Adds an `eddsa-jcs-2022` proof to a document given as bytes and returns the
/// secured document's bytes: the input, byte for byte, with a `proof` member
/// added before its closing brace (indented like the input when the input is
/// multi-line). The signature is the one [`add_proof`] makes.
///
/// Without a `serde_json::Value`: the canonical form is streamed from a
/// borrowed tree into SHA-256. A document that already carries proofs, or
/// options naming a `previousProof`, takes the [`add_proof`] path and is
/// re-serialized.
///
/// # Errors
/// [`ProofError::Json`] when `document` is not strict JSON; otherwise as
/// [`add_proof`].
#[cfg(feature = "signing")]
pub fn add_proof_bytes(
    document: &[u8],
    key: &crate::keys::SecretKey,
    options: &ProofOptions,
) -> Result<Vec<u8>, ProofError> {
    use crate::tree::{Node, Tree};
    let slow = || -> Result<Vec<u8>, ProofError> {
        let pretty = document.contains(&b'\n');
        let value = crate::json::parse(document)?;
        let secured = add_proof(&value, key, options)?;
        let written = if pretty {
            serde_json::to_vec_pretty(&secured)
        } else {
            serde_json::to_vec(&secured)
        };
        Ok(written.unwrap_or_default())
    };
    let Ok(tree) = Tree::parse(document, crate::json::Limits::DEFAULT) else {
        return slow();
    };
    // Same as `document.contains(&b'\n')`, without a pass over the document.
    let pretty = tree.multi_line();
    let root = tree.root();
    if !matches!(root, Node::Object { .. }) {
        return Err(ProofError::NotAnObject);
    }
    if tree.get(root, "proof").is_some() || options.previous_proof.is_some() {
        return slow();
    }
    for (member, v) in [("created", &options.created), ("expires", &options.expires)] {
        if let Some(v) = v {
            datetime::parse(v).map_err(|source| ProofError::DateTime { member, source })?;
        }
    }
    // Proof configuration (§3.3.5): the options with the document's @context,
    // written in canonical form straight into the hash. `@context` sorts before
    // every option name ('@' < 'a'); the option names are ASCII, so byte order is
    // UTF-16 order.
    let (members, n) = options.string_members();
    let members = members.get(..n).unwrap_or_default();
    let mut sorted = [("", ""); 9];
    let sorted = sorted.get_mut(..n).unwrap_or_default();
    sorted.copy_from_slice(members);
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let context = tree.get(root, "@context");
    let mut config = HashOut::new();
    jcs::Out::byte(&mut config, b'{');
    if let Some(ctx) = context {
        jcs::Out::put(&mut config, b"\"@context\":");
        tree.write(ctx, &mut config);
        jcs::Out::byte(&mut config, b',');
    }
    for (i, (name, value)) in sorted.iter().enumerate() {
        if i > 0 {
            jcs::Out::byte(&mut config, b',');
        }
        jcs::write_string(name, &mut config);
        jcs::Out::byte(&mut config, b':');
        jcs::write_string(value, &mut config);
    }
    jcs::Out::byte(&mut config, b'}');
    let mut unsecured = HashOut::new();
    tree.write(root, &mut unsecured);
    let hash = concat_hashes(config.finish(), unsecured.finish());
    let signature = key.sign(&hash);
    let proof_value = multibase::encode_base58btc(&signature.to_bytes());

    // The proof as add_proof writes it (serde_json, compact or pretty): options,
    // @context, proofValue. serde_json escapes strings exactly as RFC 8785 does, so
    // string members are written here directly; a @context other than a string or
    // an array of strings goes through serde_json as before.
    let simple_context = context.is_none_or(|ctx| match ctx {
        Node::Str(..) => true,
        Node::Array { .. } => tree
            .items(ctx)
            .iter()
            .all(|item| matches!(item, Node::Str(..))),
        _ => false,
    });
    if simple_context {
        let proof = ProofText {
            members,
            context: context.map(|ctx| (&tree, ctx)),
            proof_value: &proof_value,
        };
        return Ok(splice_proof(document, pretty, |out| {
            proof.write(out, pretty)
        }));
    }
    let mut proof = options.to_map();
    if let Some(ctx) = context {
        let mut context_json = Vec::new();
        tree.write(ctx, &mut context_json);
        proof.insert("@context".into(), crate::json::parse(&context_json)?);
    }
    proof.insert("proofValue".into(), proof_value.into());
    let proof = Value::Object(proof);
    Ok(splice_proof(document, pretty, |out| {
        if pretty {
            let text = serde_json::to_string_pretty(&proof).unwrap_or_default();
            out.extend_from_slice(text.replace('\n', "\n  ").as_bytes());
        } else {
            out.extend_from_slice(&serde_json::to_vec(&proof).unwrap_or_default());
        }
    }))
}

/// A new proof whose members are all strings, or arrays of strings for
/// `@context`: written as serde_json writes the proof `add_proof` builds, without
/// building it.
#[cfg(feature = "signing")]
struct ProofText<'t, 'a> {
    /// Option members, in output order.
    members: &'t [(&'static str, &'t str)],
    /// The document's `@context`: a string, or an array of strings.
    context: Option<(&'t crate::tree::Tree<'a>, crate::tree::Node<'a>)>,
    proof_value: &'t str,
}

#[cfg(feature = "signing")]
impl ProofText<'_, '_> {
    /// Compact, or pretty as the member of a top-level object: serde_json's
    /// two-space indentation, every line after the first indented two more.
    fn write(&self, out: &mut Vec<u8>, pretty: bool) {
        use crate::tree::{self, Node};
        let (member_sep, first_sep, colon, close): (&[u8], &[u8], &[u8], &[u8]) = if pretty {
            (b",\n    ", b"\n    ", b": ", b"\n  }")
        } else {
            (b",", b"", b":", b"}")
        };
        let mut first = true;
        let mut member = |out: &mut Vec<u8>, name: &str| {
            out.extend_from_slice(if std::mem::take(&mut first) {
                first_sep
            } else {
                member_sep
            });
            jcs::write_string(name, out);
            out.extend_from_slice(colon);
        };
        out.push(b'{');
        for (name, value) in self.members {
            member(out, name);
            jcs::write_string(value, out);
        }
        if let Some((tree, ctx)) = self.context {
            member(out, "@context");
            let string = |out: &mut Vec<u8>, node: Node<'_>| {
                jcs::write_string(&tree::as_str(node).unwrap_or_default(), out);
            };
            match ctx {
                Node::Array { .. } => {
                    let items = tree.items(ctx);
                    out.push(b'[');
                    for (i, item) in items.iter().enumerate() {
                        match (pretty, i) {
                            (true, 0) => out.extend_from_slice(b"\n      "),
                            (true, _) => out.extend_from_slice(b",\n      "),
                            (false, 0) => {}
                            (false, _) => out.push(b','),
                        }
                        string(out, *item);
                    }
                    if pretty && !items.is_empty() {
                        out.extend_from_slice(b"\n    ");
                    }
                    out.push(b']');
                }
                _ => string(out, ctx),
            }
        }
        member(out, "proofValue");
        jcs::write_string(self.proof_value, out);
        out.extend_from_slice(close);
    }
}

/// `document` (a JSON object) with `"proof": ` and what `write_proof` writes
/// added as its last member, indented as serde_json would when `pretty`.
#[cfg(feature = "signing")]
fn splice_proof(document: &[u8], pretty: bool, write_proof: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    // The closing brace of the top-level object, then the end of its last member.
    let close = document.iter().rposition(|b| !is_ws(b)).unwrap_or(0);
    let head = document.get(..close).unwrap_or_default();
    let insert_at = head.iter().rposition(|b| !is_ws(b)).map_or(0, |i| i + 1);
    let empty = head.get(..insert_at).and_then(|h| h.last()) == Some(&b'{');
    let mut out = Vec::with_capacity(document.len() + 512);
    out.extend_from_slice(document.get(..insert_at).unwrap_or_default());
    if !empty {
        out.push(b',');
    }
    if pretty {
        out.extend_from_slice(b"\n  \"proof\": ");
    } else {
        out.extend_from_slice(b"\"proof\":");
    }
    write_proof(&mut out);
    out.extend_from_slice(document.get(insert_at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_prefix_rule() {
        let d = serde_json::json!(["a", "b", "c"]);
        assert!(context_starts_with(
            Some(&d),
            &serde_json::json!(["a", "b"])
        ));
        assert!(context_starts_with(Some(&d), &serde_json::json!("a")));
        assert!(!context_starts_with(Some(&d), &serde_json::json!(["b"])));
        assert!(!context_starts_with(None, &serde_json::json!(["a"])));
    }

    /// The bytes `add_proof_bytes` wrote before it rendered proofs itself: the
    /// document with `proof` (as `add_proof` makes it, written by serde_json)
    /// spliced in before the closing brace.
    #[cfg(feature = "signing")]
    fn spliced_by_serde(document: &[u8], proof: &Value) -> Vec<u8> {
        let pretty = document.contains(&b'\n');
        splice_proof(document, pretty, |out| {
            if pretty {
                let text = serde_json::to_string_pretty(proof).unwrap();
                out.extend_from_slice(text.replace('\n', "\n  ").as_bytes());
            } else {
                out.extend_from_slice(&serde_json::to_vec(proof).unwrap());
            }
        })
    }

    #[cfg(feature = "signing")]
    fn assert_same_bytes_as_serde(doc: &Value, options: &ProofOptions) {
        let key = crate::keys::SecretKey::from_seed(&[7; 32]);
        let signed = add_proof(doc, &key, options).unwrap();
        // add_proof_bytes always wrote the @context read back from its canonical form.
        let mut proof = signed["proof"].clone();
        if let Some(context) = proof.get_mut("@context") {
            *context = crate::json::parse(&jcs::canonicalize(context)).unwrap();
        }
        for document in [
            serde_json::to_vec(doc).unwrap(),
            serde_json::to_vec_pretty(doc).unwrap(),
        ] {
            let expected = spliced_by_serde(&document, &proof);
            let actual = add_proof_bytes(&document, &key, options).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&actual),
                String::from_utf8_lossy(&expected)
            );
        }
    }

    /// The proof written without serde_json is byte for byte what serde_json
    /// wrote: every option, every kind of @context (strings, arrays of strings,
    /// and the serde_json fallback for anything else), escapes and non-ASCII.
    #[cfg(feature = "signing")]
    #[test]
    fn add_proof_bytes_writes_the_proof_as_serde_json_did() {
        use serde_json::json;
        let mut full = ProofOptions::new(
            "did:key:z6Mk\u{7f}\"\\\n\u{1}é😂#x",
            ProofPurpose::Authentication,
        );
        full.created = Some("2025-03-01T00:00:00Z".into());
        full.expires = Some("2026-03-01T00:00:00Z".into());
        full.challenge = Some("c\t\u{e000}\u{10000}".into());
        full.domain = Some("https://employer.example/\u{8}\u{c}\r".into());
        full.id = Some("urn:uuid:1".into());
        let minimal = ProofOptions::new("did:key:z6Mk#z6Mk", ProofPurpose::AssertionMethod);
        let contexts = [
            None,
            Some(json!("https://www.w3.org/ns/credentials/v2")),
            Some(json!([])),
            Some(json!(["https://www.w3.org/ns/credentials/v2"])),
            Some(json!(["a", "b\"\\/\u{1f}\u{7f}", "é\u{ffff}😂"])),
            // serde_json's path: objects, numbers (1.0 prints as 1.0, not JCS's 1).
            Some(json!(["a", {"@vocab": "https://example.org/", "n": 1.5, "m": [true, null, {}]}])),
            Some(json!({"@version": 1.1})),
            Some(json!(5)),
        ];
        for options in [&full, &minimal] {
            for context in &contexts {
                let mut doc =
                    json!({"id": "urn:x", "type": ["VerifiableCredential"], "n": [1, 2.5]});
                if let Some(context) = context {
                    doc["@context"] = context.clone();
                }
                assert_same_bytes_as_serde(&doc, options);
            }
            assert_same_bytes_as_serde(&json!({}), options);
        }
    }

    /// An Ed25519 suite's proof by a P-256 or P-384 key fails, naming both,
    /// on the `Value` path and on the fast path alike.
    #[test]
    fn ed25519_suites_refuse_ecdsa_keys() {
        let p256 = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP";
        let suites = [
            EDDSA_JCS_2022,
            #[cfg(feature = "rdfc")]
            crate::rdfc::EDDSA_RDFC_2022,
        ];
        for suite in suites {
            let doc = serde_json::json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": format!("did:key:{p256}"),
                "credentialSubject": {"id": "did:example:learner"},
                "proof": {
                    "type": PROOF_TYPE,
                    "cryptosuite": suite,
                    "verificationMethod": format!("did:key:{p256}#{p256}"),
                    "proofPurpose": "assertionMethod",
                    "proofValue": multibase::encode_base58btc(&[1; 64]),
                }
            });
            let expected = Err(ProofFailure::WrongKeyType {
                cryptosuite: suite,
                needed: "an Ed25519",
                found: "P-256",
            });
            let outcomes = verify_proofs(&doc, &DidKeyResolver);
            assert_eq!(outcomes[0].result, expected);
            assert_eq!(
                outcomes[0].result.as_ref().unwrap_err().to_string(),
                format!("{suite} needs an Ed25519 key; the method is P-256")
            );
            let bytes = serde_json::to_vec(&doc).unwrap();
            assert_eq!(
                verify_bytes(&bytes, &DidKeyResolver).unwrap()[0].result,
                expected
            );
        }
    }

    #[test]
    fn did_key_resolver_rejects_other_methods() {
        let err = DidKeyResolver
            .resolve("did:web:uni.example#key-1")
            .unwrap_err();
        assert_eq!(
            err,
            ResolveError::UnsupportedMethod {
                method: "did:web".into()
            }
        );
    }
}
