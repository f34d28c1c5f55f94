//! Batch verification of many documents' eddsa-jcs-2022 proofs, with verdicts
//! equal to `verify_strict`'s.
//!
//! The batch equation is `ed25519_dalek::verify_batch`'s — with random 128-bit
//! `z_i`, `[8]( −[Σ z_i s_i]B + Σ [z_i]R_i + Σ [z_i h_i]A_i ) = 0` — except that
//! the terms of signatures by the same key are merged: `Σ_i [z_i h_i]A` is
//! `[Σ_i z_i h_i]A`, one point instead of one per signature. A chunk of
//! credentials from one issuer (the usual case) then costs a multiscalar
//! multiplication over n + 2 points instead of 2n + 1, about half.
//!
//! Batch verification checks one random linear combination of all signature
//! equations, which is cheaper than checking each, but it is not the strict
//! check: `verify_strict` also rejects small-order keys, small-order `R`, and
//! non-canonical encodings of `R`, and (being cofactorless and exact) any
//! signature whose equation is off by a small-order point, which a random
//! combination cancels with probability ≥ 1/8. So after a batch succeeds, each
//! signature must still pass the strict preconditions below; one that does not
//! is decided by `verify_strict` itself. When a batch fails, every signature is
//! decided by `verify_strict`, which pins down the documents that failed.
//!
//! Residual difference, documented in `docs/performance.md`: a signature whose
//! `R` has a small-order component while not being of small order itself
//! (a "mixed-order" `R`) can pass the batch although `verify_strict` rejects it.
//! Only the holder of the secret key can make one (a third party who alters a
//! valid signature changes the hash and fails the batch); detecting it would
//! cost a full scalar multiplication per signature, i.e. the price of
//! `verify_strict`. Keys, by contrast, are checked to be torsion-free (once per
//! key), so a mixed-order key never gets a batch verdict.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity as _, VartimeMultiscalarMul as _};
use ed25519_dalek::VerifyingKey;
use rand_core::RngCore as _;

use super::fast::{CachingResolver, Document, Pending, Prepared, finish_strict, prepare_bytes};
use super::strict::{SMALL_ORDER_ENCODINGS, below_group_order, canonical_y, challenge};
use super::{KeyResolver, ProofFailure, ProofOutcome};
use crate::json::JsonError;

/// Per-call memo of "this key is torsion-free" (a scalar multiplication each).
struct KeyChecks(Vec<([u8; 32], bool)>);

impl KeyChecks {
    fn usable(&mut self, key: &VerifyingKey) -> bool {
        let bytes = key.to_bytes();
        if let Some((_, ok)) = self.0.iter().find(|(k, _)| *k == bytes) {
            return *ok;
        }
        let ok = !key.is_weak() && key.to_edwards().is_torsion_free();
        if self.0.len() < 64 {
            self.0.push((bytes, ok));
        }
        ok
    }
}

/// The checks `verify_strict` makes beyond the signature equation: when all hold
/// and the batch equation holds, `verify_strict` accepts (see the module docs
/// for the one residual case).
fn strict_preconditions(p: &Prepared, keys: &mut KeyChecks) -> bool {
    let r = p.signature.r_bytes();
    // R off the curve makes the batch itself fail (it decompresses every R).
    below_group_order(p.signature.s_bytes())
        && canonical_y(r)
        && !SMALL_ORDER_ENCODINGS.contains(r)
        && keys.usable(&p.key)
}

/// Verdicts for prepared signatures. A signature that fails a strict
/// precondition is decided by `verify_strict` on its own; the others are
/// checked together with one batch equation, and only when that fails is each
/// of them decided by `verify_strict` (which pins down the bad ones).
fn decide(prepared: &[&Prepared]) -> Vec<bool> {
    let mut checks = KeyChecks(Vec::new());
    let mut verdicts = vec![false; prepared.len()];
    let mut batch = Vec::with_capacity(prepared.len());
    for (i, p) in prepared.iter().enumerate() {
        if strict_preconditions(p, &mut checks) {
            batch.push(i);
        } else {
            verdicts[i] = p.verify_strict().is_ok();
        }
    }
    let members: Vec<&Prepared> = batch.iter().map(|&i| prepared[i]).collect();
    let all_hold = !members.is_empty() && batch_equation_holds(&members);
    for (&i, p) in batch.iter().zip(&members) {
        verdicts[i] = all_hold || p.verify_strict().is_ok();
    }
    verdicts
}

/// The cofactored batch equation over `prepared` (whose `s` are canonical, see
/// [`strict_preconditions`]), with the terms of each distinct key merged.
fn batch_equation_holds(prepared: &[&Prepared]) -> bool {
    // Random coefficients, unknown to whoever made the signatures: one read of
    // the OS generator for the whole batch.
    let mut random = vec![0u8; 16 * prepared.len()];
    rand_core::OsRng.fill_bytes(&mut random);
    let mut b_coefficient = Scalar::ZERO;
    let mut scalars = Vec::with_capacity(prepared.len() + 4);
    let mut points = Vec::with_capacity(prepared.len() + 4);
    // (key bytes, Σ z_i h_i, the key's point) for each distinct key.
    let mut keys: Vec<([u8; 32], Scalar, EdwardsPoint)> = Vec::new();
    for (p, z) in prepared.iter().zip(random.chunks_exact(16)) {
        let mut z_bytes = [0u8; 32];
        z_bytes[..16].copy_from_slice(z);
        let z = Scalar::from_bytes_mod_order(z_bytes);
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*p.signature.s_bytes()))
        else {
            return false;
        };
        let Some(r) = CompressedEdwardsY(*p.signature.r_bytes()).decompress() else {
            return false;
        };
        let key = p.key.to_bytes();
        let h = challenge(p.signature.r_bytes(), &p.key, &p.hash);
        b_coefficient -= z * s;
        scalars.push(z);
        points.push(r);
        match keys.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, sum, _)) => *sum += z * h,
            None => keys.push((key, z * h, p.key.to_edwards())),
        }
    }
    scalars.push(b_coefficient);
    points.push(ED25519_BASEPOINT_POINT);
    for (_, sum, point) in keys {
        scalars.push(sum);
        points.push(point);
    }
    EdwardsPoint::vartime_multiscalar_mul(scalars, points)
        .mul_by_cofactor()
        .is_identity()
}

/// Decides every pending proof of `documents` with one batch.
pub(super) fn decide_documents(documents: Vec<Document>) -> Vec<Vec<ProofOutcome>> {
    let ready: Vec<&Prepared> = documents
        .iter()
        .filter_map(|d| match d {
            Document::Fast(pending) => Some(pending),
            Document::Done(_) => None,
        })
        .flatten()
        .filter_map(|p| p.prepared.as_ref().ok())
        .collect();
    let mut verdicts = decide(&ready).into_iter();
    documents
        .into_iter()
        .map(|document| match document {
            Document::Done(outcomes) => outcomes,
            Document::Fast(pending) => pending
                .into_iter()
                .map(
                    |Pending {
                         mut outcome,
                         prepared,
                     }| {
                        outcome.result = prepared.and_then(|p| {
                            if verdicts.next().unwrap_or(false) {
                                Ok(p.controller)
                            } else {
                                Err(ProofFailure::SignatureInvalid)
                            }
                        });
                        outcome
                    },
                )
                .collect(),
        })
        .collect()
}

/// See [`super::verify_batch`].
pub(super) fn verify_batch(
    documents: &[&[u8]],
    resolver: &dyn KeyResolver,
) -> Vec<Result<Vec<ProofOutcome>, JsonError>> {
    let resolver = CachingResolver::new(resolver);
    let prepared: Vec<Result<Document, JsonError>> = documents
        .iter()
        .map(|bytes| prepare_bytes(bytes, &resolver))
        .collect();
    let mut errors = Vec::new();
    let mut ok = Vec::new();
    for (i, d) in prepared.into_iter().enumerate() {
        match d {
            Ok(document) => ok.push(document),
            Err(e) => errors.push((i, e)),
        }
    }
    let mut decided = decide_documents(ok).into_iter();
    let mut errors = errors.into_iter().peekable();
    (0..documents.len())
        .map(|i| match errors.next_if(|(at, _)| *at == i) {
            Some((_, e)) => Err(e),
            None => Ok(decided.next().unwrap_or_default()),
        })
        .collect()
}

/// One document with `verify_strict` (used by [`super::verify_bytes`]).
pub(super) fn verify_one_document(
    bytes: &[u8],
    resolver: &dyn KeyResolver,
) -> Result<Vec<ProofOutcome>, JsonError> {
    prepare_bytes(bytes, resolver).map(|document| match document {
        Document::Done(outcomes) => outcomes,
        Document::Fast(pending) => finish_strict(pending),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merged-key equation holds for genuine signatures of several keys in
    /// any order, and not when two signatures of one key swap their `s` (a plain
    /// sum without random coefficients would balance) or a message changes.
    #[test]
    fn merged_batch_equation() {
        use ed25519_dalek::{Signer as _, SigningKey};
        let keys: Vec<SigningKey> = (1..=3u8)
            .map(|i| SigningKey::from_bytes(&[i; 32]))
            .collect();
        let mut prepared: Vec<Prepared> = (0..12u8)
            .map(|i| {
                let k = &keys[usize::from(i % 3)];
                let hash = [i; 64];
                Prepared {
                    hash,
                    signature: k.sign(&hash),
                    key: k.verifying_key(),
                    controller: String::new(),
                }
            })
            .collect();
        let holds = |p: &[Prepared]| batch_equation_holds(&p.iter().collect::<Vec<_>>());
        assert!(holds(&prepared));
        assert!(holds(&prepared[..1]));
        let (a, b) = (
            prepared[0].signature.to_bytes(),
            prepared[3].signature.to_bytes(),
        );
        let swap = |sig: [u8; 64], s: &[u8]| {
            let mut out = sig;
            out[32..].copy_from_slice(s);
            ed25519_dalek::Signature::from_bytes(&out)
        };
        let mut swapped = prepared.clone();
        swapped[0].signature = swap(a, &b[32..]);
        swapped[3].signature = swap(b, &a[32..]);
        assert!(!holds(&swapped));
        prepared[7].hash[0] ^= 1;
        assert!(!holds(&prepared));
    }
}
