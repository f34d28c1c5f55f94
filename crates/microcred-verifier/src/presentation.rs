//! Verifiable presentations (contract §2 of the project): the holder's proof
//! (purpose `authentication`, key controlled by `holder`), the verifier's
//! challenge and domain, holder binding when asked for (each credential's
//! subject is the holder), and a full nested report for every embedded
//! credential. `holder` is optional (VC Data Model 2.0 §4.13): a presentation
//! that names none is signed by whoever holds its key, and says so.

use microcred_core::Value;
use microcred_core::credential::Credential;
use microcred_core::proof::{ProofOutcome, ProofPurpose};

use crate::checks::{proofs, structure};
use crate::envelope::Enveloped;
use crate::report::{Check, Kind, Report};
use crate::verifier::{Ctx, credential};

/// The holder's id: `holder` as a URL, or the `id` of a holder object.
fn holder<'a>(p: &Credential<'a>) -> Option<&'a str> {
    match p.as_map().get("holder")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn embedded<'a>(p: &Credential<'a>) -> Vec<&'a Value> {
    match p.as_map().get("verifiableCredential") {
        Some(v @ (Value::Object(_) | Value::String(_))) => vec![v],
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

fn proofs_of(doc: &Value) -> Vec<&Value> {
    match doc.get("proof") {
        Some(p @ Value::Object(_)) => vec![p],
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn verify(doc: &Value, p: &Credential<'_>, ctx: &Ctx<'_>) -> Report {
    verify_signed(doc, p, ctx, None)
}

/// [`verify`], with the holder's proof given when the presentation came as a
/// VP-JWT (`crate::jwt`): the JWS's outcome, and an object whose `challenge` and
/// `domain` are the token's `nonce` and `aud`, read as a Data Integrity proof's.
pub(crate) fn verify_signed(
    doc: &Value,
    p: &Credential<'_>,
    ctx: &Ctx<'_>,
    jwt: Option<(ProofOutcome, &Value)>,
) -> Report {
    let mut checks = Vec::new();
    structure::presentation(p, &mut checks);
    let holder = holder(p);
    let (verified, answers) = match jwt {
        Some((outcome, answers)) => (Some(vec![outcome]), vec![answers]),
        None => (None, proofs_of(doc)),
    };
    let outcomes = proofs::check(
        doc,
        &proofs::Expect {
            purpose: ProofPurpose::Authentication,
            controller: holder,
            role: "holder",
        },
        ctx.resolver,
        verified,
        ctx,
        &mut checks,
    );
    // A proof that could not be checked answers no challenge: its `proof` line says so.
    let unchecked: Vec<usize> = outcomes
        .iter()
        .filter(|o| o.result.as_ref().is_err_and(|e| e.is_unsupported()))
        .map(|o| o.index)
        .collect();
    challenge_and_domain(&answers, ctx, &unchecked, &mut checks);

    let creds = embedded(p);
    if creds.is_empty() {
        checks.push(Check::warn(
            "holder-binding",
            "the presentation carries no credential",
        ));
    }
    let mut nested = Vec::with_capacity(creds.len());
    for (i, entry) in creds.into_iter().enumerate() {
        let n = i + 1;
        // A VC-JWT entry (a string, or VC 2.0's EnvelopedVerifiableCredential): the
        // credential inside, and its own report from the JWT reader.
        let token = match entry {
            Value::String(token) => Some(token.as_str()),
            other => match crate::envelope::enveloped(other) {
                Some(Enveloped::Jwt(token)) => Some(token),
                Some(Enveloped::Unsupported(what)) => {
                    nested.push(crate::envelope::unsupported(&what, other));
                    continue;
                }
                None => None,
            },
        };
        let decoded;
        let (vc, jwt_report) = match token {
            Some(token) => match crate::jwt::credential(token.as_bytes()) {
                Ok(doc) => {
                    decoded = doc;
                    (
                        &decoded,
                        Some(crate::jwt::verify(token.as_bytes(), ctx, false)),
                    )
                }
                Err(e) => {
                    checks.push(Check::fail(
                        "structure",
                        format!("credential {n} is a JWT that cannot be read: {e}"),
                    ));
                    continue;
                }
            },
            None => (entry, None),
        };
        let Some(view) = Credential::new(vc) else {
            continue; // structure already failed: verifiableCredential entries must be objects
        };
        let subjects: Vec<Option<&str>> = view
            .subjects()
            .iter()
            .map(|s| s.get("id").and_then(Value::as_str))
            .collect();
        let value = serde_json::json!({"holder": holder, "subjects": subjects});
        let found = subjects
            .iter()
            .map(|s| s.unwrap_or("(no id)"))
            .collect::<Vec<_>>()
            .join(", ");
        checks.push(
            match holder {
                _ if !ctx.options.holder_binding => {
                    let holder = holder.map_or_else(
                        || "the presentation names no holder".to_owned(),
                        |h| format!("the holder is {h}"),
                    );
                    Check::skipped(
                        "holder-binding",
                        format!("credential {n}: not asked for (its subject is {found}; {holder})"),
                    )
                }
                None => Check::fail(
                    "holder-binding",
                    format!("credential {n}: the presentation names no holder to bind it to"),
                ),
                Some(h) if !subjects.is_empty() && subjects.iter().all(|s| *s == Some(h)) => {
                    Check::pass(
                        "holder-binding",
                        format!("credential {n}: its subject is the holder {h}"),
                    )
                }
                Some(h) => Check::fail(
                    "holder-binding",
                    format!("credential {n}: its subject {found} is not the holder {h}"),
                ),
            }
            .with_value(value),
        );
        nested.push(match jwt_report {
            Some(Ok(report)) => report,
            // A token taken apart above that holds no credential (a presentation).
            Some(Err(e)) => Report::new(
                Kind::Credential,
                None,
                None,
                vec![Check::fail("structure", e.to_string())],
                Vec::new(),
            ),
            None => credential(vc, &view, ctx, false, None),
        });
    }
    let mut report = Report::new(
        Kind::Presentation,
        p.id().map(str::to_owned),
        None,
        checks,
        nested,
    );
    report.holder = holder.map(str::to_owned);
    report
}

/// One `challenge` and one `domain` line per proof, but for the proofs at the
/// `unchecked` positions.
fn challenge_and_domain(
    proofs: &[&Value],
    ctx: &Ctx<'_>,
    unchecked: &[usize],
    checks: &mut Vec<Check>,
) {
    for (index, proof) in proofs.iter().enumerate() {
        if unchecked.contains(&index) {
            continue;
        }
        let found = proof.get("challenge").and_then(Value::as_str);
        checks.push(
            match (&ctx.options.challenge, found) {
                (Some(want), Some(got)) if want == got => {
                    Check::pass("challenge", format!("the proof answers the challenge {want:?}"))
                }
                (Some(want), Some(got)) => Check::fail(
                    "challenge",
                    format!("the proof's challenge {got:?} is not the one asked for ({want:?}): it may be replayed"),
                ),
                (Some(want), None) => Check::fail(
                    "challenge",
                    format!("the proof carries no challenge; {want:?} was asked for"),
                ),
                (None, Some(got)) => Check::skipped(
                    "challenge",
                    format!("challenge {got:?} not checked (no challenge given)"),
                ),
                (None, None) => Check::skipped(
                    "challenge",
                    "not checked (no challenge given): the presentation could be a replay",
                ),
            }
            .with_value(found.map_or(Value::Null, Value::from))
            .with_proof(index),
        );
        let domains: Vec<&str> = match proof.get("domain") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let shown = domains.join(", ");
        let check = match &ctx.options.domain {
            Some(want) if domains.contains(&want.as_str()) => Some(Check::pass(
                "domain",
                format!("the proof is for the domain {want:?}"),
            )),
            Some(want) if domains.is_empty() => Some(Check::fail(
                "domain",
                format!("the proof carries no domain; {want:?} was asked for"),
            )),
            Some(want) => Some(Check::fail(
                "domain",
                format!("the proof is for the domain {shown:?}, not {want:?}"),
            )),
            None if !domains.is_empty() => Some(Check::skipped(
                "domain",
                format!("domain {shown:?} not checked (no domain given)"),
            )),
            None => None,
        };
        if let Some(c) = check {
            checks.push(
                c.with_value(proof.get("domain").cloned().unwrap_or(Value::Null))
                    .with_proof(index),
            );
        }
    }
}
