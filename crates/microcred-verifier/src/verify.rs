//! The checks.

use microcred_core::credential::Credential;
use microcred_core::json::{self, JsonError};
use microcred_core::proof::{self, DidKeyResolver, KeyResolver};
use microcred_core::{Value, contexts, datetime};
use time::OffsetDateTime;

use crate::report::{Check, Outcome, Report};

/// Verification options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The time to verify at; `None` means now.
    pub at: Option<OffsetDateTime>,
}

/// Why no verdict could be reached (as opposed to a verdict of "invalid",
/// which is a [`Report`] with failing checks).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The input is not strict JSON.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// The input is JSON but not an object.
    #[error("the document is not a JSON object")]
    NotAnObject,
}

/// Verifies credentials offline.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    options: Options,
}

impl Verifier {
    /// A verifier with default options (now; no trust list, status lists or profiles).
    pub fn new() -> Self {
        Self::default()
    }

    /// A verifier with the given options.
    pub fn with_options(options: Options) -> Self {
        Self { options }
    }

    /// Parses (strict JSON) and verifies a document.
    ///
    /// # Errors
    /// [`VerifyError`] when the bytes are not a JSON object.
    pub fn verify_bytes(&self, bytes: &[u8]) -> Result<Report, VerifyError> {
        let doc = json::parse(bytes)?;
        self.verify(&doc)
    }

    /// Verifies a parsed document.
    ///
    /// # Errors
    /// [`VerifyError::NotAnObject`] when it is not a JSON object.
    pub fn verify(&self, doc: &Value) -> Result<Report, VerifyError> {
        let cred = Credential::new(doc).ok_or(VerifyError::NotAnObject)?;
        let at = self.options.at.unwrap_or_else(datetime::now);
        let mut checks = Vec::new();
        structure(&cred, &mut checks);
        proofs(doc, &cred, &DidKeyResolver, &mut checks);
        validity(&cred, at, &mut checks);
        checks.push(Check::new(
            "status",
            Outcome::Skipped,
            "revocation status not checked (no status list given)",
        ));
        Ok(Report::new(
            "credential",
            cred.id().map(str::to_owned),
            checks,
        ))
    }
}

fn structure(cred: &Credential<'_>, checks: &mut Vec<Check>) {
    let ctx = cred.contexts();
    let mut problems = Vec::new();
    if ctx.first() != Some(&contexts::VC_V2) {
        problems.push(format!("@context must start with {}", contexts::VC_V2));
    }
    if !cred.has_type("VerifiableCredential") {
        problems.push("type must include VerifiableCredential".to_owned());
    }
    if cred.issuer().and_then(|i| i.id).is_none() {
        problems.push("issuer (a URL, or an object with an id) is required".to_owned());
    }
    if cred.subjects().is_empty() {
        problems.push("credentialSubject is required".to_owned());
    }
    checks.push(if problems.is_empty() {
        Check::new("structure", Outcome::Pass, "VC 2.0 structure")
    } else {
        Check::new("structure", Outcome::Fail, problems.join("; "))
    });
    for url in ctx.iter().skip(1) {
        if contexts::get(url).is_none() {
            checks.push(
                Check::new(
                    "context",
                    Outcome::Warn,
                    "context not bundled with the verifier: JSON-LD processors may drop its terms",
                )
                .with_value(*url),
            );
        }
    }
}

fn proofs(doc: &Value, cred: &Credential<'_>, resolver: &dyn KeyResolver, checks: &mut Vec<Check>) {
    let outcomes = proof::verify_proofs(doc, resolver);
    if outcomes.is_empty() {
        checks.push(Check::new(
            "proof",
            Outcome::Fail,
            "no proof: the credential is not signed",
        ));
        return;
    }
    let issuer = cred.issuer().and_then(|i| i.id);
    for o in outcomes {
        let vm = o.verification_method.clone().unwrap_or_default();
        match &o.result {
            Ok(controller) => {
                checks.push(
                    Check::new(
                        "proof",
                        Outcome::Pass,
                        format!("{} proof by {vm}", o.cryptosuite.as_deref().unwrap_or("?")),
                    )
                    .with_value(vm.clone()),
                );
                let purpose = o.proof_purpose.as_deref().unwrap_or("");
                if purpose != "assertionMethod" {
                    checks.push(Check::new(
                        "proof-purpose",
                        Outcome::Fail,
                        format!("proofPurpose is {purpose:?} where assertionMethod is required"),
                    ));
                }
                checks.push(if Some(controller.as_str()) == issuer {
                    Check::new("issuer-key", Outcome::Pass, "signed by a key of the issuer")
                        .with_value(controller.clone())
                } else {
                    Check::new(
                        "issuer-key",
                        Outcome::Fail,
                        format!(
                            "signing key is controlled by {controller}, not by the issuer {}",
                            issuer.unwrap_or("(none)")
                        ),
                    )
                    .with_value(controller.clone())
                });
            }
            Err(e) => checks.push(Check::new("proof", Outcome::Fail, e.to_string()).with_value(vm)),
        }
    }
}

fn validity(cred: &Credential<'_>, at: OffsetDateTime, checks: &mut Vec<Check>) {
    let mut push = |outcome, msg: String, v: Option<&str>| {
        let c = Check::new("validity", outcome, msg);
        checks.push(match v {
            Some(v) => c.with_value(v),
            None => c,
        });
    };
    let from = cred.valid_from();
    let until = cred.valid_until();
    for (name, v) in [("validFrom", from), ("validUntil", until)] {
        if let Some(v) = v {
            if datetime::parse(v).is_err() {
                push(
                    Outcome::Fail,
                    format!("{name} {v:?} is not a date-time"),
                    Some(v),
                );
                return;
            }
        }
    }
    let now = datetime::format(at);
    match (from.map(datetime::parse), until.map(datetime::parse)) {
        (Some(Ok(f)), _) if at < f => push(
            Outcome::Fail,
            format!(
                "not yet valid: validFrom {} is after {now}",
                from.unwrap_or("")
            ),
            from,
        ),
        (_, Some(Ok(u))) if at > u => push(
            Outcome::Fail,
            format!(
                "expired: validUntil {} is before {now}",
                until.unwrap_or("")
            ),
            until,
        ),
        _ => push(Outcome::Pass, format!("valid at {now}"), None),
    }
}
