//! The verification report: one entry per check, nested reports for the
//! credentials of a presentation. Its JSON form (`--json`) is documented in
//! `docs/verify-report.md`; changes to it are changes to that schema.

use serde::Serialize;
use serde_json::Value;

use crate::verdict::{self, Reason, Verdict};

/// Version of the report's JSON schema (`docs/verify-report.md`). 2: outcome
/// `unsupported` and the report's `verdict` (a version-1 consumer that read
/// validity from the checks' outcomes would take an unchecked document for valid).
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Checked and good.
    Pass,
    /// Checked and bad: the credential is not valid.
    Fail,
    /// Worth a reader's attention; does not make the credential invalid.
    Warn,
    /// Not checked (e.g. no status list was given). Never means "good".
    Skipped,
    /// Could not be checked: of a kind this verifier does not support (a proof
    /// type or cryptosuite). Says nothing about whether it is genuine. A check
    /// id with such lines and no passing line leaves the document unchecked
    /// ([`Verdict::Unchecked`]).
    Unsupported,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Stable identifier of the check, e.g. `proof`, `issuer-key`, `validity`
    /// (the list is in `docs/verify-report.md`).
    pub id: String,
    /// The outcome.
    pub outcome: Outcome,
    /// What was found, in words.
    pub message: String,
    /// The value the check looked at, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// For checks about one proof of a proof set: its position (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<usize>,
    /// For profile rules: the profile id (e.g. `emc-cmf`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// For profile rules: the rule id (e.g. `EMC-01`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What was expected, in words (profile rules, qualification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Where the requirement comes from (profile rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why, as a code, for the outcomes the verdict names (e.g. `tampered`,
    /// `revoked`, `expired`, `no-status`; the list is in `docs/verify-report.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Check {
    pub(crate) fn new(id: &str, outcome: Outcome, message: impl Into<String>) -> Self {
        Self {
            id: id.to_owned(),
            outcome,
            message: message.into(),
            value: None,
            proof: None,
            profile: None,
            rule: None,
            expected: None,
            source: None,
            reason: None,
        }
    }

    pub(crate) fn pass(id: &str, message: impl Into<String>) -> Self {
        Self::new(id, Outcome::Pass, message)
    }

    pub(crate) fn fail(id: &str, message: impl Into<String>) -> Self {
        Self::new(id, Outcome::Fail, message)
    }

    pub(crate) fn warn(id: &str, message: impl Into<String>) -> Self {
        Self::new(id, Outcome::Warn, message)
    }

    pub(crate) fn skipped(id: &str, message: impl Into<String>) -> Self {
        Self::new(id, Outcome::Skipped, message)
    }

    pub(crate) fn unsupported(id: &str, message: impl Into<String>) -> Self {
        Self::new(id, Outcome::Unsupported, message)
    }

    pub(crate) fn with_value(mut self, value: impl Into<Value>) -> Self {
        self.value = Some(value.into());
        self
    }

    pub(crate) fn with_proof(mut self, index: usize) -> Self {
        self.proof = Some(index);
        self
    }

    pub(crate) fn with_reason(mut self, code: &str) -> Self {
        self.reason = Some(code.to_owned());
        self
    }
}

/// What kind of document a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A verifiable credential.
    Credential,
    /// A verifiable presentation (its credentials have reports of their own).
    Presentation,
}

/// The facts of a credential a reader (and the qualification check) needs,
/// read from the credential as it is. Only meaningful when the report is valid.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// `name` of the credential, else of its achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The issuer's id (DID or URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The issuer's name as the credential states it (self-declared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<String>,
    /// The issuer's display name from the trust list, when it is listed there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_name: Option<String>,
    /// `credentialSubject.id` (the learner).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The learner's name: `credentialSubject.name`, else the Open Badges
    /// `identifier` of `identityType` `name` that is not hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learner_name: Option<String>,
    /// The grade: the first `credentialSubject.result` with a `value` (else a
    /// `status`, e.g. `Completed`), as the credential writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// `credentialSubject.achievement.id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
    /// `validFrom` (the date the credential was issued, in practice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// `validUntil`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// ECTS credit points (`achievement.microCredential.workload.creditPoints`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ects: Option<f64>,
    /// EQF level (`achievement.microCredential.level.eqfLevel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eqf_level: Option<u8>,
    /// Total study hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
}

/// The report on one credential or presentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[must_use]
pub struct Report {
    /// Credential or presentation.
    pub kind: Kind,
    /// The document's `id`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The format the credential came in when it is not a JSON document with
    /// a Data Integrity proof: a VC-JWT (`crate::jwt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<crate::jwt::Format>,
    /// True when the verdict is [`Verdict::Valid`] or [`Verdict::Unconfirmed`]:
    /// no check failed and none was left unchecked, here and in every nested
    /// credential report (trust and status may not have been asked for).
    pub valid: bool,
    /// What a person should conclude: valid, genuine but unconfirmed (nothing
    /// failed but the issuer's trust or the status was not checked), invalid, or
    /// unchecked (nothing failed, but the document could not be checked).
    pub verdict: Verdict,
    /// Why the verdict is not [`Verdict::Valid`], most serious first, in plain words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// For presentations: the `holder` (its id), when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// For credentials: what the credential says (name, issuer, learner, credits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Every check, in the order they ran.
    pub checks: Vec<Check>,
    /// For presentations: one report per embedded credential, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Report>,
}

impl Report {
    pub(crate) fn new(
        kind: Kind,
        id: Option<String>,
        summary: Option<Summary>,
        checks: Vec<Check>,
        credentials: Vec<Report>,
    ) -> Self {
        let mut report = Self {
            kind,
            id,
            format: None,
            valid: false,
            verdict: Verdict::Invalid,
            reasons: Vec::new(),
            holder: None,
            summary,
            checks,
            credentials,
        };
        report.revalidate();
        report
    }

    /// Sets [`verdict`](Self::verdict), [`reasons`](Self::reasons) and
    /// [`valid`](Self::valid) from the checks (one function, `verdict::judge`): invalid when a
    /// check failed here or an embedded credential's report is invalid; else
    /// unchecked when a check id has `unsupported` lines and no passing one (a
    /// proof set with one verified proof and one of an unsupported type is
    /// checked) or an embedded report is unchecked; else unconfirmed when trust or
    /// status was not checked; else valid. `valid` is true for valid and
    /// unconfirmed (nothing failed, everything needed was checkable). For a caller
    /// that changed outcomes after the report was made (the server's
    /// `options.checks`).
    pub fn revalidate(&mut self) {
        (self.verdict, self.reasons) = verdict::judge(self);
        self.valid = matches!(self.verdict, Verdict::Valid | Verdict::Unconfirmed);
    }

    /// Whether the document is what its signer signed, by the key of the
    /// issuer (or holder) it names: it has a proof, every proof verifies,
    /// and no key belongs to someone else. When false, what it says is
    /// anyone's word.
    pub fn signature_holds(&self) -> bool {
        crate::verifier::genuine(&self.checks)
            && self
                .checks_with_id("holder-key")
                .all(|c| c.outcome == Outcome::Pass)
    }

    /// The checks with the given id.
    pub fn checks_with_id<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Check> + 'a {
        self.checks.iter().filter(move |c| c.id == id)
    }

    /// The first check with the given id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The checks that failed (this report's own; see [`Report::credentials`] for nested ones).
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }

    /// This report (if it is about a credential) or the credentials of the
    /// presentation it is about: the credentials it presents.
    pub fn credential_reports(&self) -> Vec<&Report> {
        match self.kind {
            Kind::Credential => vec![self],
            Kind::Presentation => self.credentials.iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(checks: Vec<Check>) -> Report {
        Report::new(Kind::Credential, None, None, checks, Vec::new())
    }

    #[test]
    fn unsupported_lines_leave_a_document_unchecked_only_when_nothing_of_their_id_passed() {
        let pass = || Check::pass("proof", "verifies");
        let unsupported = || Check::unsupported("proof", "not supported");
        let r = report(vec![pass(), unsupported()]);
        assert_eq!((r.verdict, r.valid), (Verdict::Valid, true));
        let r = report(vec![unsupported(), Check::pass("validity", "valid")]);
        assert_eq!((r.verdict, r.valid), (Verdict::Unchecked, false));
        let r = report(vec![unsupported(), Check::fail("validity", "expired")]);
        assert_eq!(r.verdict, Verdict::Invalid);
        let nested = report(vec![unsupported()]);
        let p = Report::new(Kind::Presentation, None, None, vec![pass()], vec![nested]);
        assert_eq!((p.verdict, p.valid), (Verdict::Unchecked, false));
    }
}
