//! eddsa-jcs-2022 straight from bytes: the borrowed tree of [`crate::tree`], the
//! canonical forms streamed into SHA-256, no `serde_json::Value`, no clone of the
//! document. Anything unusual (invalid JSON, `previousProof` chains) goes to the
//! `Value` path, so the results are always those of [`super::verify_proofs`].

use std::borrow::Cow;

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;

use super::{
    EDDSA_JCS_2022, KeyResolver, PROOF_TYPE, ProofFailure, ProofOutcome, ResolveError,
    ResolvedMethod, concat_hashes, failed, verify_proofs,
};
use crate::jcs::HashOut;
use crate::json::{self, JsonError, Limits};
use crate::tree::{self, Node, Tree};
use crate::{datetime, multibase};

/// A proof checked up to the signature: what Ed25519 still has to verify.
#[cfg_attr(test, derive(Clone))]
pub(super) struct Prepared {
    pub(super) hash: [u8; 64],
    pub(super) signature: Signature,
    pub(super) key: VerifyingKey,
    pub(super) controller: String,
}

impl Prepared {
    /// The signature's verdict: ed25519-dalek's `verify_strict`.
    pub(super) fn verify_strict(&self) -> Result<String, ProofFailure> {
        if super::verify_signature(&self.key, &self.hash, &self.signature) {
            Ok(self.controller.clone())
        } else {
            Err(ProofFailure::SignatureInvalid)
        }
    }
}

/// A proof of a document, ready for its signature check.
pub(super) struct Pending {
    /// The outcome, with `result` still to be decided when `prepared` is `Ok`.
    pub(super) outcome: ProofOutcome,
    pub(super) prepared: Result<Prepared, ProofFailure>,
}

/// The proofs of one parsed document, or the `Value`-path result when the fast
/// path does not apply.
pub(super) enum Document {
    Fast(Vec<Pending>),
    Done(Vec<ProofOutcome>),
}

/// Resolves each verification method once per call (bulk: the same issuer key
/// for thousands of documents; did:key decoding includes a point decompression).
pub(super) struct CachingResolver<'r> {
    inner: &'r dyn KeyResolver,
    cache: std::cell::RefCell<Vec<(String, Result<ResolvedMethod, ResolveError>)>>,
}

/// Distinct verification methods remembered by [`CachingResolver`]; beyond this
/// (many issuers in one call) new ones are resolved each time.
const CACHE_LIMIT: usize = 64;

impl<'r> CachingResolver<'r> {
    pub(super) fn new(inner: &'r dyn KeyResolver) -> Self {
        Self {
            inner,
            cache: std::cell::RefCell::new(Vec::new()),
        }
    }
}

impl KeyResolver for CachingResolver<'_> {
    fn resolve(&self, verification_method: &str) -> Result<ResolvedMethod, ResolveError> {
        if let Some((_, found)) = self
            .cache
            .borrow()
            .iter()
            .find(|(vm, _)| vm == verification_method)
        {
            return found.clone();
        }
        let resolved = self.inner.resolve(verification_method);
        let mut cache = self.cache.borrow_mut();
        if cache.len() < CACHE_LIMIT {
            cache.push((verification_method.to_owned(), resolved.clone()));
        }
        resolved
    }
}

/// The `Value`-path result for bytes the fast path does not take.
fn slow(bytes: &[u8], resolver: &dyn KeyResolver) -> Result<Vec<ProofOutcome>, JsonError> {
    json::parse(bytes).map(|value| verify_proofs(&value, resolver))
}

/// Parses `bytes` and checks every proof up to its signature.
pub(super) fn prepare_bytes(
    bytes: &[u8],
    resolver: &dyn KeyResolver,
) -> Result<Document, JsonError> {
    // On rejection the strict parser names the error; should it accept what the
    // fast parser refused (a bug the differential tests look for), its verdict stands.
    let Ok(tree) = Tree::parse(bytes, Limits::DEFAULT) else {
        return slow(bytes, resolver).map(Document::Done);
    };
    match prepare_node(&tree, tree.root(), resolver) {
        Some(document) => Ok(document),
        None => slow(bytes, resolver).map(Document::Done),
    }
}

/// The proofs of the document at `doc`; `None` when the `Value` path must decide
/// (proof chains), `Some(Done(vec![]))` for a document without proofs.
pub(super) fn prepare_node<'a>(
    tree: &Tree<'a>,
    doc: Node<'a>,
    resolver: &dyn KeyResolver,
) -> Option<Document> {
    if !matches!(doc, Node::Object { .. }) {
        return Some(Document::Done(vec![failed(
            0,
            ProofFailure::DocumentNotAnObject,
        )]));
    }
    let one;
    let proofs: &[Node<'a>] = match tree.get(doc, "proof") {
        None => return Some(Document::Done(Vec::new())),
        Some(p @ Node::Object { .. }) => {
            one = [p];
            &one
        }
        Some(p @ Node::Array { .. }) => tree.items(p),
        Some(_) => return Some(Document::Done(vec![failed(0, ProofFailure::NotAnObject)])),
    };
    let members: Vec<ProofMembers<'a>> =
        proofs.iter().map(|&p| ProofMembers::of(tree, p)).collect();
    // Proof chains hash other proofs into the document, and other cryptosuites
    // (eddsa-rdfc-2022 works on the JSON-LD of a `Value`, and that work dwarfs the
    // parse it repeats) have their own code, as has Ed25519Signature2020: all are
    // left to the Value path, which also reports unsupported suites.
    if members.iter().any(|m| {
        m.previous_proof.is_some()
            || m.cryptosuite
                .is_some_and(|suite| !tree::str_eq(suite, EDDSA_JCS_2022))
            || m.kind
                .is_some_and(|kind| tree::str_eq(kind, "Ed25519Signature2020"))
    }) {
        return None;
    }
    let pending = proofs
        .iter()
        .zip(&members)
        .enumerate()
        .map(|(index, (&proof, m))| {
            let s = |node: Option<Node<'a>>| node.and_then(tree::as_str).map(Cow::into_owned);
            Pending {
                outcome: ProofOutcome {
                    index,
                    id: s(m.id),
                    cryptosuite: s(m.cryptosuite),
                    verification_method: s(m.verification_method),
                    proof_purpose: s(m.proof_purpose),
                    created: s(m.created),
                    expires: s(m.expires),
                    challenge: s(m.challenge),
                    domain: s(m.domain),
                    result: Err(ProofFailure::SignatureInvalid),
                },
                prepared: prepare_proof(tree, doc, proof, m, resolver),
            }
        })
        .collect();
    Some(Document::Fast(pending))
}

/// The members of a proof that verification reads, found in one pass over its
/// members (names compared after unescaping, as [`Tree::get`] does; names are
/// unique, so the first match is the only one).
#[derive(Default)]
struct ProofMembers<'a> {
    id: Option<Node<'a>>,
    kind: Option<Node<'a>>,
    cryptosuite: Option<Node<'a>>,
    verification_method: Option<Node<'a>>,
    proof_purpose: Option<Node<'a>>,
    proof_value: Option<Node<'a>>,
    created: Option<Node<'a>>,
    expires: Option<Node<'a>>,
    challenge: Option<Node<'a>>,
    domain: Option<Node<'a>>,
    context: Option<Node<'a>>,
    previous_proof: Option<Node<'a>>,
}

impl<'a> ProofMembers<'a> {
    fn of(tree: &Tree<'a>, proof: Node<'a>) -> Self {
        let mut m = Self::default();
        for (name, value) in tree.members(proof) {
            let slot = match &*tree::unescape(name) {
                "id" => &mut m.id,
                "type" => &mut m.kind,
                "cryptosuite" => &mut m.cryptosuite,
                "verificationMethod" => &mut m.verification_method,
                "proofPurpose" => &mut m.proof_purpose,
                "proofValue" => &mut m.proof_value,
                "created" => &mut m.created,
                "expires" => &mut m.expires,
                "challenge" => &mut m.challenge,
                "domain" => &mut m.domain,
                "@context" => &mut m.context,
                "previousProof" => &mut m.previous_proof,
                _ => continue,
            };
            *slot = Some(value);
        }
        m
    }
}

fn str_member<'a>(
    node: Option<Node<'a>>,
    member: &'static str,
) -> Result<Cow<'a, str>, ProofFailure> {
    node.and_then(tree::as_str)
        .ok_or(ProofFailure::MissingMember { member })
}

/// eddsa-jcs-2022 "Verify Proof" (§3.3.2) up to the signature check, in the
/// order of `verify_one`, so that failures are reported identically.
fn prepare_proof<'a>(
    tree: &Tree<'a>,
    doc: Node<'a>,
    proof: Node<'a>,
    m: &ProofMembers<'a>,
    resolver: &dyn KeyResolver,
) -> Result<Prepared, ProofFailure> {
    if !matches!(proof, Node::Object { .. }) {
        return Err(ProofFailure::NotAnObject);
    }
    let kind = str_member(m.kind, "type")?;
    if kind != PROOF_TYPE {
        return Err(ProofFailure::UnsupportedType {
            found: kind.into_owned(),
        });
    }
    let suite = str_member(m.cryptosuite, "cryptosuite")?;
    if suite != EDDSA_JCS_2022 {
        return Err(ProofFailure::UnsupportedCryptosuite {
            found: suite.into_owned(),
        });
    }
    let vm = str_member(m.verification_method, "verificationMethod")?;
    let purpose = str_member(m.proof_purpose, "proofPurpose")?;
    let proof_value = str_member(m.proof_value, "proofValue")?;
    for (member, node) in [("created", m.created), ("expires", m.expires)] {
        if let Some(v) = node {
            let s = tree::as_str(v).ok_or(ProofFailure::MissingMember { member })?;
            datetime::parse(&s).map_err(|source| ProofFailure::DateTime { member, source })?;
        }
    }
    let sig_bytes: [u8; 64] = multibase::decode_base58btc_array::<64>(&proof_value)
        .map_err(|source| ProofFailure::ProofValueEncoding { source })?
        .ok_or(ProofFailure::ProofValueLength)?;

    let context = m.context;
    if let Some(pctx) = context {
        if !context_starts_with(tree, tree.get(doc, "@context"), pctx) {
            return Err(ProofFailure::ContextMismatch);
        }
    }
    let mut config = HashOut::new();
    tree.write_object(
        proof,
        |name, _| (name == "proofValue").then_some(None),
        &mut config,
    );
    let mut unsecured = HashOut::new();
    tree.write_object(
        doc,
        |name, _| match name {
            "proof" => Some(None),
            "@context" => context.map(Some),
            _ => None,
        },
        &mut unsecured,
    );
    let hash = concat_hashes(config.finish(), unsecured.finish());

    let resolved = resolver
        .resolve(&vm)
        .map_err(|source| ProofFailure::Resolve {
            verification_method: vm.clone().into_owned(),
            source,
        })?;
    if !resolved.relationships.iter().any(|r| *r == purpose) {
        return Err(ProofFailure::PurposeNotAuthorized {
            verification_method: vm.into_owned(),
            purpose: purpose.into_owned(),
        });
    }
    Ok(Prepared {
        hash,
        signature: Signature::from_bytes(&sig_bytes),
        key: *super::ed25519_key(EDDSA_JCS_2022, &resolved.public_key)?,
        controller: resolved.controller,
    })
}

/// As `super::context_starts_with`, on tree nodes.
fn context_starts_with<'a>(
    tree: &Tree<'a>,
    doc_ctx: Option<Node<'a>>,
    proof_ctx: Node<'a>,
) -> bool {
    let Some(doc_ctx) = doc_ctx else {
        return false;
    };
    let (d_one, p_one) = ([doc_ctx], [proof_ctx]);
    let d: &[Node<'a>] = match doc_ctx {
        Node::Array { .. } => tree.items(doc_ctx),
        _ => &d_one,
    };
    let p: &[Node<'a>] = match proof_ctx {
        Node::Array { .. } => tree.items(proof_ctx),
        _ => &p_one,
    };
    p.len() <= d.len() && d.iter().zip(p).all(|(a, b)| tree.equal(*a, *b))
}

/// Decides pending proofs one by one with `verify_strict`.
pub(super) fn finish_strict(pending: Vec<Pending>) -> Vec<ProofOutcome> {
    pending
        .into_iter()
        .map(|p| {
            let mut outcome = p.outcome;
            outcome.result = p.prepared.and_then(|prepared| prepared.verify_strict());
            outcome
        })
        .collect()
}

/// The `Value`-path reference for [`super::verify_presentation_bytes`].
pub(super) fn presentation_slow(
    value: &Value,
    resolver: &dyn KeyResolver,
) -> super::PresentationOutcomes {
    let credentials = match value.get("verifiableCredential") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(|c| verify_proofs(c, resolver)).collect(),
        Some(other) => vec![verify_proofs(other, resolver)],
    };
    super::PresentationOutcomes {
        presentation: verify_proofs(value, resolver),
        credentials,
    }
}
