//! The verdict a person reads: valid, genuine but unconfirmed, or not valid,
//! with the reasons in plain words. Computed from a report's checks by one
//! function, `judge`, so that every rendering (terminal, `--json`, `--html`,
//! the server) says the same thing.

use microcred_core::datetime;
use serde::Serialize;

use crate::report::{Check, Kind, Outcome, Report};

/// The verdicts: three for a document that could be checked, and one for a
/// document that could not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Genuine, by an issuer on the verifier's trust list, and its status was
    /// checked (or it has none): every check that decides belief was made.
    Valid,
    /// Nothing failed and the signature is genuine, but a check that decides
    /// whether to believe it was not made: the issuer was not checked against
    /// a trust list, or its revocation or suspension status could not be checked,
    /// or (a presentation) no challenge was given for its proof to answer.
    Unconfirmed,
    /// A check failed.
    Invalid,
    /// Nothing failed, but the document could not be checked: e.g. its only
    /// proofs are of types this verifier does not support. Neither valid nor
    /// forged (`microcred-verify` exits 2).
    Unchecked,
}

impl Verdict {
    /// `valid`, `unconfirmed`, `invalid` or `unchecked` (as in the JSON report).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Unconfirmed => "unconfirmed",
            Self::Invalid => "invalid",
            Self::Unchecked => "unchecked",
        }
    }
}

/// Why a report is not [`Verdict::Valid`]: a code for programs and a sentence
/// for people that leads with the consequence ("REVOKED by …").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Stable code (the list is in `docs/verify-report.md`), e.g. `tampered`,
    /// `wrong-signer`, `revoked`, `expired`, `untrusted-issuer`,
    /// `trust-not-checked`, `status-not-checked`.
    pub code: String,
    /// The reason in plain English.
    pub message: String,
}

/// The verdict on a report and its reasons, most serious first (failures
/// before anything not checked; an unconfirmed verdict lists only what was
/// not checked).
pub(crate) fn judge(report: &Report) -> (Verdict, Vec<Reason>) {
    let mut failed: Vec<(u8, Reason)> = Vec::new();
    let mut cannot: Vec<(u8, Reason)> = Vec::new();
    let mut unchecked: Vec<(u8, Reason)> = Vec::new();
    let issuer = issuer_words(report);
    for c in &report.checks {
        match c.outcome {
            Outcome::Fail => failed.push(failure(c, report, &issuer)),
            Outcome::Skipped => unchecked.extend(not_checked(c, report)),
            // An unsupported line leaves the document unchecked only when no
            // line of the same check passed (a proof set with one verified proof
            // and one of a type we do not read is checked).
            Outcome::Unsupported
                if !report
                    .checks
                    .iter()
                    .any(|o| o.id == c.id && o.outcome == Outcome::Pass) =>
            {
                cannot.push(reason(
                    2,
                    "cannot-check",
                    format!("COULD NOT BE CHECKED — {}", c.message),
                ));
            }
            Outcome::Pass | Outcome::Warn | Outcome::Unsupported => {}
        }
    }
    for (i, nested) in report.credentials.iter().enumerate() {
        let target = match nested.verdict {
            Verdict::Valid => continue,
            Verdict::Invalid => &mut failed,
            Verdict::Unchecked => &mut cannot,
            Verdict::Unconfirmed => &mut unchecked,
        };
        for r in &nested.reasons {
            target.push((
                50,
                Reason {
                    code: r.code.clone(),
                    message: format!("credential {}: {}", i + 1, r.message),
                },
            ));
        }
    }
    let (verdict, mut reasons) = if !failed.is_empty() {
        (Verdict::Invalid, failed)
    } else if !cannot.is_empty() {
        (Verdict::Unchecked, cannot)
    } else if !unchecked.is_empty() {
        (Verdict::Unconfirmed, unchecked)
    } else {
        (Verdict::Valid, Vec::new())
    };
    // Stable: checks of the same rank stay in the order they ran.
    reasons.sort_by_key(|(rank, _)| *rank);
    let mut out: Vec<Reason> = Vec::with_capacity(reasons.len());
    for (_, r) in reasons {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    (verdict, out)
}

/// The issuer as a reader should see it: its name on the trust list, else
/// the name it gives itself (in quotes: self-declared), else its id.
fn issuer_words(report: &Report) -> String {
    let Some(s) = &report.summary else {
        return "its issuer".into();
    };
    match (&s.trusted_name, &s.issuer_name, &s.issuer) {
        (Some(t), _, _) => t.clone(),
        (None, Some(n), _) => format!("\u{201c}{n}\u{201d}"),
        (None, None, Some(id)) => id.clone(),
        (None, None, None) => "its issuer".into(),
    }
}

fn reason(rank: u8, code: &str, message: String) -> (u8, Reason) {
    (
        rank,
        Reason {
            code: code.to_owned(),
            message,
        },
    )
}

/// A failed check as a reason, ranked: what makes the document not what it
/// claims to be first, then what withdrew it, then the rest.
fn failure(c: &Check, report: &Report, issuer: &str) -> (u8, Reason) {
    let doc = match report.kind {
        Kind::Credential => "credential",
        Kind::Presentation => "presentation",
    };
    let code = c.reason.as_deref();
    match (c.id.as_str(), code) {
        ("proof", Some("unsigned")) => reason(
            0,
            "unsigned",
            format!("NOT SIGNED — anyone could have written this {doc}"),
        ),
        ("proof", Some("tampered")) => reason(
            0,
            "tampered",
            format!(
                "CHANGED after it was signed — do not rely on it{}",
                which_proof(c)
            ),
        ),
        ("proof", _) => reason(
            1,
            "signature-not-verified",
            format!("SIGNATURE COULD NOT BE VERIFIED — {}", c.message),
        ),
        ("proof-validity", _) => reason(
            3,
            "proof-validity",
            format!("SIGNATURE NOT VALID AT THIS TIME — {}", c.message),
        ),
        ("proof-purpose", _) => reason(
            3,
            "proof-purpose",
            format!("SIGNED FOR ANOTHER PURPOSE — {}", c.message),
        ),
        ("issuer-key", _) => reason(
            0,
            "wrong-signer",
            format!(
                "SIGNED BY SOMEONE ELSE than the issuer it names ({issuer}){}",
                which_proof(c)
            ),
        ),
        ("holder-key", _) => reason(
            0,
            "wrong-signer",
            "SIGNED BY SOMEONE ELSE than the holder it names".into(),
        ),
        ("status", Some("revoked")) => reason(10, "revoked", format!("REVOKED by {issuer}")),
        ("status", Some("suspended")) => reason(10, "suspended", format!("SUSPENDED by {issuer}")),
        ("status", _) => reason(
            20,
            "status-list-unusable",
            format!("REVOCATION STATUS UNRELIABLE — {}", c.message),
        ),
        ("validity", Some("expired")) => {
            let until = report
                .summary
                .as_ref()
                .and_then(|s| s.valid_until.as_deref());
            reason(
                11,
                "expired",
                format!("EXPIRED on {}", until.map_or_else(String::new, long_date)),
            )
        }
        ("validity", Some("not-yet-valid")) => {
            let from = report
                .summary
                .as_ref()
                .and_then(|s| s.valid_from.as_deref());
            reason(
                11,
                "not-yet-valid",
                format!(
                    "NOT YET VALID — valid from {}",
                    from.map_or_else(String::new, long_date)
                ),
            )
        }
        ("trust", Some("issuer-not-bound")) => reason(
            12,
            "issuer-not-bound",
            format!("NOT CONFIRMED AS FROM {issuer} — no valid signature by its key"),
        ),
        ("trust", _) => reason(
            12,
            code.unwrap_or("untrusted-issuer"),
            format!("ISSUER NOT ON YOUR TRUST LIST — {}", c.message),
        ),
        ("structure", _) => reason(
            2,
            "malformed",
            format!("NOT A WELL-FORMED {} — {}", doc.to_uppercase(), c.message),
        ),
        ("profile", _) => reason(
            30,
            "profile",
            format!("DOES NOT MEET THE FRAMEWORK — {}", c.message),
        ),
        ("challenge" | "domain", _) => reason(
            5,
            "replay",
            format!("NOT AN ANSWER TO YOUR REQUEST — {}", c.message),
        ),
        ("holder-binding", _) => reason(
            5,
            "not-holders",
            format!("NOT THE PRESENTER'S — {}", c.message),
        ),
        (id, _) => reason(
            25,
            code.unwrap_or(id),
            format!("{} failed — {}", id.to_uppercase(), c.message),
        ),
    }
}

/// In a proof set, which proof a check is about (" (proof 2 of 2)"), from the
/// label that leads its message; empty for a single proof.
fn which_proof(c: &Check) -> String {
    let m = c.message.as_str();
    let end = [": ", "'s "]
        .iter()
        .filter_map(|sep| m.find(sep))
        .min()
        .unwrap_or(0);
    let label = &m[..end];
    if label.starts_with("proof ") && label.contains(" of ") {
        format!(" ({label})")
    } else {
        String::new()
    }
}

/// A skipped check that leaves the verdict unconfirmed, as a reason; `None`
/// for one that does not (no `credentialStatus`, a domain not asked for).
fn not_checked(c: &Check, report: &Report) -> Option<(u8, Reason)> {
    if report.kind == Kind::Presentation {
        // Without a challenge of the verifier's, a genuine presentation may be a
        // copy of one its holder made for someone else.
        return (c.id == "challenge").then(|| {
            reason(
                42,
                "not-bound",
                "NOT BOUND TO YOUR REQUEST — no challenge was given, so this may be a \
                 copy of a presentation made for someone else"
                    .into(),
            )
        });
    }
    match c.id.as_str() {
        "trust" => Some(reason(
            40,
            "trust-not-checked",
            match &report.summary.as_ref().and_then(|s| s.issuer_name.clone()) {
                Some(n) => format!(
                    "ISSUER NOT CONFIRMED — not checked against a trust list: \
                     \u{201c}{n}\u{201d} is only what the credential calls its issuer"
                ),
                None => "ISSUER NOT CONFIRMED — not checked against a trust list".into(),
            },
        )),
        "status" if c.reason.as_deref() != Some("no-status") => Some(reason(
            41,
            "status-not-checked",
            format!("STATUS NOT CHECKED — {}", c.message),
        )),
        _ => None,
    }
}

/// A date-time as a person writes a date, e.g. `1 March 2025` (in UTC);
/// anything that is not a date-time is returned as it is.
pub fn long_date(value: &str) -> String {
    match datetime::parse(value) {
        Ok(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!("{} {} {}", t.day(), t.month(), t.year())
        }
        Err(_) => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words() {
        assert_eq!(long_date("2024-12-31T23:59:59Z"), "31 December 2024");
        assert_eq!(long_date("2025-03-01T00:30:00+01:00"), "28 February 2025");
        assert_eq!(long_date("soon"), "soon");
    }
}
