//! The `trust` check (is the issuer on the verifier's trust list?) and the
//! `accreditation` lines of a trusted issuer. Trust is separate from
//! authenticity: an untrusted issuer with a good signature is reported as
//! untrusted here while its `proof` line passes — unknown, not forged. But
//! trust is only granted to a credential its signature binds to the listed
//! issuer: one that names a trusted issuer and is signed by another key is not
//! that issuer's credential, whatever its `issuer` says.

use microcred_core::credential::Credential;
use time::OffsetDateTime;

use crate::report::Check;
use crate::trust::TrustList;

/// Whether the signature binds a credential to its issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// An issuer proof verifies with a key that issuer controls.
    Yes,
    /// No such proof: none at all, or one that failed.
    No,
    /// No proof failed, but none could be checked (unsupported type or key).
    Unchecked,
}

/// Pushes the trust lines; returns the trusted display name, if any.
/// `bound`: an issuer proof (`assertionMethod`) verifies with a key of the
/// issuer the credential names; without it, a listed issuer fails `trust`.
pub(crate) fn trust(
    cred: &Credential<'_>,
    bound: Binding,
    list: Option<&TrustList>,
    at: OffsetDateTime,
    checks: &mut Vec<Check>,
) -> Option<String> {
    let Some(list) = list else {
        checks.push(Check::skipped(
            "trust",
            "issuer trust not checked (no trust list given)",
        ));
        return None;
    };
    let issuer = cred.issuer();
    let id = issuer.as_ref().and_then(|i| i.id).unwrap_or("");
    let list_name = list
        .name
        .as_deref()
        .map(|n| format!(" {n:?}"))
        .unwrap_or_default();
    let Some(trusted) = list.issuer(id) else {
        let claimed = issuer
            .and_then(|i| i.name)
            .map(|n| format!(" (the credential calls it {n:?})"))
            .unwrap_or_default();
        checks.push(
            Check::fail(
                "trust",
                format!(
                    "untrusted issuer: {id}{claimed} is not on the trust list{list_name}; \
                     this says nothing about the signature, which the proof line reports"
                ),
            )
            .with_value(id)
            .with_reason("untrusted-issuer"),
        );
        return None;
    };
    if bound == Binding::Unchecked {
        // The proofs could not be checked: no verdict on trust either way.
        checks.push(
            Check::unsupported(
                "trust",
                format!(
                    "not established: {id} is {} on the trust list{list_name}, but no proof \
                     could be checked to bind the credential to it (the proof lines say why)",
                    trusted.name
                ),
            )
            .with_value(id),
        );
        return None;
    }
    if bound == Binding::No {
        // Never a pass (nor a trusted name, nor accreditations): anyone can
        // write a trusted issuer's id into a credential they sign themselves.
        checks.push(
            Check::fail(
                "trust",
                format!(
                    "not established: {id} is {} on the trust list{list_name}, but no proof \
                     binds the credential to it (no assertionMethod proof by a key of {id} \
                     verifies; the proof and issuer-key lines say why)",
                    trusted.name
                ),
            )
            .with_value(id)
            .with_reason("issuer-not-bound"),
        );
        return None;
    }
    let mut msg = format!("trusted issuer: {} ({id})", trusted.name);
    if let Some(claimed) = issuer.and_then(|i| i.name) {
        if claimed != trusted.name {
            msg.push_str(&format!(", which the credential calls {claimed:?}"));
        }
    }
    checks.push(Check::pass("trust", msg).with_value(serde_json::json!({
        "id": id,
        "name": trusted.name,
        "country": trusted.country,
    })));
    for a in &trusted.accreditations {
        let by = a
            .body
            .as_deref()
            .map(|b| format!(" ({b})"))
            .unwrap_or_default();
        let value = serde_json::json!({"name": a.name, "id": a.id, "body": a.body,
            "validFrom": a.valid_from, "validUntil": a.valid_until});
        checks.push(
            if a.holds_at(at) {
                Check::pass("accreditation", format!("{}{by}", a.name))
            } else {
                Check::warn(
                    "accreditation",
                    format!("{}{by}: does not hold at the time of verification (lapsed or not yet in force)", a.name),
                )
            }
            .with_value(value),
        );
    }
    Some(trusted.name.clone())
}
