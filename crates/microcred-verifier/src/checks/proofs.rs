//! The proofs of a credential or presentation: each proof of a set verified on
//! its own (`proof`), its purpose (`proof-purpose`), that its key belongs to
//! the issuer or holder (`issuer-key` / `holder-key`), and its dates
//! (`proof-validity`). One bad proof in a set fails the document, and the
//! report's `proof` field says which. A proof of a type or cryptosuite this
//! verifier does not implement is `unsupported`, not failed: the proofs pass
//! when at least one verifies and none fails, and a document whose only proofs
//! are unsupported is left unchecked (see `Report::revalidate`).

use microcred_core::Value;
use microcred_core::proof::{self, KeyResolver, ProofFailure, ProofOutcome, ProofPurpose};

use crate::checks::validity;
use crate::report::Check;
use crate::verifier::Ctx;

/// What the proofs of a document must be.
pub(crate) struct Expect<'a> {
    /// The purpose every proof must have.
    pub(crate) purpose: ProofPurpose,
    /// Who must control the keys: the issuer (credentials) or holder (presentations).
    pub(crate) controller: Option<&'a str>,
    /// `issuer` or `holder`, for messages and the check id `{role}-key`.
    pub(crate) role: &'static str,
}

/// Verifies every proof and pushes its lines; returns the outcomes (for
/// presentations' challenge and domain). `verified` are the outcomes of the
/// same document's proofs already verified with the same resolver (by the bulk
/// driver's batch); `None` verifies them here.
pub(crate) fn check(
    doc: &Value,
    expect: &Expect<'_>,
    resolver: &dyn KeyResolver,
    verified: Option<Vec<ProofOutcome>>,
    ctx: &Ctx<'_>,
    checks: &mut Vec<Check>,
) -> Vec<ProofOutcome> {
    let outcomes = verified.unwrap_or_else(|| proof::verify_proofs(doc, resolver));
    if outcomes.is_empty() {
        let what = if expect.role == "holder" {
            "no proof: the presentation is not signed by its holder"
        } else {
            "no proof: the credential is not signed"
        };
        checks.push(Check::fail("proof", what).with_reason("unsigned"));
        return outcomes;
    }
    let total = outcomes.len();
    let key_check = format!("{}-key", expect.role);
    for o in &outcomes {
        let (label, prefix) = if total == 1 {
            ("the proof".to_owned(), String::new())
        } else {
            let id =
                o.id.as_deref()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default();
            let l = format!("proof {} of {total}{id}", o.index + 1);
            (l.clone(), format!("{l}: "))
        };
        let vm = o.verification_method.clone().unwrap_or_default();
        let controller = match &o.result {
            Ok(controller) => controller,
            // Cannot check is not forged: it says nothing about the document.
            Err(e) if e.is_unsupported() => {
                checks.push(
                    Check::unsupported("proof", format!("{prefix}not checked: {e}"))
                        .with_value(vm)
                        .with_proof(o.index),
                );
                continue;
            }
            Err(e) => {
                let by = if vm.is_empty() {
                    String::new()
                } else {
                    format!(" by {vm}")
                };
                // Name the suite as the passing line does: in a JCS+RDFC set, which one failed.
                let suite = o
                    .cryptosuite
                    .as_deref()
                    .map(|s| format!("{s} "))
                    .unwrap_or_default();
                let mut line = Check::fail("proof", format!("{prefix}{suite}signature{by}: {e}"))
                    .with_value(vm)
                    .with_proof(o.index);
                // The one failure that means the signed bytes were changed (or
                // signed by another key than the one named): the verdict says so.
                if matches!(e, ProofFailure::SignatureInvalid) {
                    line = line.with_reason("tampered");
                }
                checks.push(line);
                continue;
            }
        };
        checks.push(
            Check::pass(
                "proof",
                format!(
                    "{prefix}{} signature by {vm} verifies",
                    o.cryptosuite.as_deref().unwrap_or("?")
                ),
            )
            .with_value(vm.clone())
            .with_proof(o.index),
        );
        let purpose = o.proof_purpose.as_deref().unwrap_or("");
        let wanted = expect.purpose.as_str();
        checks.push(
            if purpose == wanted {
                Check::pass("proof-purpose", format!("{prefix}proofPurpose is {wanted}"))
            } else {
                Check::fail(
                    "proof-purpose",
                    format!("{label} has proofPurpose {purpose:?} where {wanted} is required"),
                )
            }
            .with_value(purpose)
            .with_proof(o.index),
        );
        let role = expect.role;
        checks.push(
            match expect.controller {
                Some(c) if c == controller => {
                    Check::pass(&key_check, format!("signed by a key of the {role} {c}"))
                }
                Some(c) => Check::fail(
                    &key_check,
                    format!("{label}'s key is controlled by {controller}, not by the {role} {c}"),
                ),
                // A presentation need not name its holder (VC Data Model 2.0 §4.13):
                // the key is then nobody's in particular, which is said, not failed.
                None if role == "holder" => Check::skipped(
                    &key_check,
                    format!("{label}'s key is controlled by {controller}; the presentation names no holder"),
                ),
                None => Check::fail(
                    &key_check,
                    format!("{label}'s key is controlled by {controller}, but the document names no {role}"),
                ),
            }
            .with_value(controller.clone())
            .with_proof(o.index),
        );
        if let Some(c) = validity::proof_times(o, &label, ctx.at, &ctx.now, ctx.skew) {
            checks.push(c);
        }
    }
    outcomes
}
