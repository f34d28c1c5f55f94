//! Many documents' eddsa-jcs-2022 proofs in one call: each document is parsed and
//! hashed on the fast path ([`super::fast`]), its verification methods resolved
//! once per call, and every signature decided by ed25519-dalek's `verify_strict`.
//!
//! No batch equation: a random-linear-combination check is not `verify_strict`
//! (it must be paired with strict preconditions that need curve constants or
//! extra point operations, and still differs on mixed-order `R`), and the
//! verifier's signature verdict is the one thing it must not compute by hand.
//! Bulk speed comes from parsing without copies and from spreading chunks over
//! all cores (`microcred-verifier`'s `bulk`).

use super::fast::{CachingResolver, Document, finish_strict, prepare_bytes};
use super::{KeyResolver, ProofOutcome};
use crate::json::JsonError;

/// The outcomes of one prepared document, each signature by `verify_strict`.
fn decide(document: Document) -> Vec<ProofOutcome> {
    match document {
        Document::Done(outcomes) => outcomes,
        Document::Fast(pending) => finish_strict(pending),
    }
}

/// Decides every pending proof of `documents`.
pub(super) fn decide_documents(documents: Vec<Document>) -> Vec<Vec<ProofOutcome>> {
    documents.into_iter().map(decide).collect()
}

/// See [`super::verify_batch`].
pub(super) fn verify_batch(
    documents: &[&[u8]],
    resolver: &dyn KeyResolver,
) -> Vec<Result<Vec<ProofOutcome>, JsonError>> {
    let resolver = CachingResolver::new(resolver);
    documents
        .iter()
        .map(|bytes| prepare_bytes(bytes, &resolver).map(decide))
        .collect()
}

/// One document (used by [`super::verify_bytes`]).
pub(super) fn verify_one_document(
    bytes: &[u8],
    resolver: &dyn KeyResolver,
) -> Result<Vec<ProofOutcome>, JsonError> {
    prepare_bytes(bytes, resolver).map(decide)
}
