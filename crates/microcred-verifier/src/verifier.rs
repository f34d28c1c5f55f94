//! [`Verifier`]: options in, one [`Report`] per document out.

use microcred_core::credential::Credential;
use microcred_core::json::{self, JsonError};
use microcred_core::proof::{self, DidKeyResolver, KeyResolver, ProofOutcome, ProofPurpose};
use microcred_core::{Value, datetime};
use serde_json::Map;
use time::{Duration, OffsetDateTime};

use crate::checks::{issuer, profiles, proofs, structure, validity};
use crate::envelope::Enveloped;
use crate::format::{self, Document, Foreign};
use crate::jwt::{self, JwtError};
use crate::presentation;
use crate::profile::Profile;
use crate::qualification::{Qualification, QualificationReport};
use crate::report::{Check, Kind, Outcome, Report, Summary};
use crate::select;
use crate::status::{self, PreparedLists, StatusLists};
use crate::trust::TrustList;

/// How far in the future a proof's `created` may be before it fails: clocks
/// of issuer and verifier disagree a little.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(5);

/// Verification options. Everything not given is reported as "not checked"
/// (skipped), never as good.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The time to verify at; `None` means now (taken at each verification).
    pub at: Option<OffsetDateTime>,
    /// Tolerance for proofs `created` in the future; `None` means [`DEFAULT_CLOCK_SKEW`].
    pub clock_skew: Option<Duration>,
    /// Trusted issuers, and the DID documents of `did:web` issuers.
    pub trust: Option<TrustList>,
    /// Status list credentials to read revocation and suspension bits from.
    pub status_lists: StatusLists,
    /// Framework profiles every credential must comply with (a failed rule
    /// of severity error fails the credential).
    pub profiles: Vec<Profile>,
    /// Also check each credential against the built-in profiles it claims
    /// (`achievement.microCredential.profile`, e.g. `EMC-CMF`).
    pub claimed_profiles: bool,
    /// The challenge a presentation's proof must carry (the verifier's nonce).
    pub challenge: Option<String>,
    /// The domain a presentation's proof must carry (the intended verifier).
    pub domain: Option<String>,
    /// Holder binding: each credential of a presentation must be the holder's
    /// own (its subject is the presentation's `holder`). VC Data Model 2.0
    /// makes `holder` optional and this a validation the verifier asks for;
    /// without it the `holder-binding` lines say what they found and decide
    /// nothing.
    pub holder_binding: bool,
    /// A qualification the presented credentials should add up to; see
    /// [`Verifier::assess_qualification`].
    pub qualification: Option<Qualification>,
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
    /// The input is a credential format this verifier recognises and does
    /// not read (VC-JWT, SD-JWT, COSE, a European Digital Credential, …).
    #[error("{0}")]
    UnsupportedFormat(Foreign),
    /// The input is a compact JWS that cannot be read as a VC-JWT (malformed,
    /// or holding no credential).
    #[error("{0}")]
    Jwt(#[from] JwtError),
}

/// Verifies credentials and presentations offline.
#[derive(Debug, Clone)]
pub struct Verifier {
    options: Options,
    lists: PreparedLists,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// A verifier with default options (now; no trust list, status lists or profiles).
    pub fn new() -> Self {
        Self::with_options(Options::default())
    }

    /// A verifier with the given options. The status lists' own proofs are
    /// verified here, once.
    pub fn with_options(options: Options) -> Self {
        let lists = PreparedLists::new(&options.status_lists, resolver(&options));
        Self { options, lists }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// This verifier with another presentation challenge and domain (see
    /// [`Options::challenge`], [`Options::domain`]). The status lists' proofs,
    /// verified when this verifier was made, are not verified again: a service
    /// keeps one verifier and derives one per request from it.
    pub fn with_challenge(&self, challenge: Option<String>, domain: Option<String>) -> Self {
        let mut v = self.clone();
        v.options.challenge = challenge;
        v.options.domain = domain;
        v
    }

    /// This verifier, asking for holder binding or not ([`Options::holder_binding`]).
    pub fn with_holder_binding(mut self, on: bool) -> Self {
        self.options.holder_binding = on;
        self
    }

    /// Parses (strict JSON) and verifies a credential or presentation.
    ///
    /// The proofs are checked from the bytes (`proof::verify_bytes`: a borrowed
    /// tree, canonical forms streamed into SHA-256, one `verify_strict` per
    /// signature), and the other checks read only the members they need.
    ///
    /// # Errors
    /// [`VerifyError`] when the bytes are not a JSON object, or are in a
    /// format this verifier does not read.
    pub fn verify_bytes(&self, bytes: &[u8]) -> Result<Report, VerifyError> {
        // A badge image carries its credential inside (Open Badges baking); a
        // VC-JWT has its own reader; other formats are named before the JSON
        // parser calls them malformed.
        let document = format::document(bytes).map_err(VerifyError::UnsupportedFormat)?;
        self.verify_document(&document)
    }

    /// [`Verifier::verify_bytes`] for what [`format::document`] found in a file
    /// (the bulk driver hands each report's caller the same bytes).
    pub(crate) fn verify_document(&self, document: &Document<'_>) -> Result<Report, VerifyError> {
        match document {
            Document::Json(bytes) => self.verify_json(bytes),
            Document::Jwt(token) => self.verify_jwt(token),
        }
    }

    /// Verifies a VC-JWT (a compact JWS, or a JSON string holding one): the
    /// signature, the claims against the credential, then every check a Data
    /// Integrity credential gets ([`crate::jwt`]); or a VP-JWT, with the checks
    /// of a Data Integrity presentation.
    ///
    /// # Errors
    /// [`VerifyError::Jwt`] when the token cannot be taken apart or holds no
    /// credential.
    pub fn verify_jwt(&self, token: &[u8]) -> Result<Report, VerifyError> {
        Ok(jwt::verify(token, &self.context(), true)?)
    }

    /// Verifies a parsed credential or presentation (a document whose `type`
    /// includes `VerifiablePresentation` is verified as a presentation).
    ///
    /// # Errors
    /// [`VerifyError::NotAnObject`] when it is not a JSON object;
    /// [`VerifyError::UnsupportedFormat`] when it is a JSON format this
    /// verifier does not read (JOSE, JAdES, Blockcerts, …).
    pub fn verify(&self, doc: &Value) -> Result<Report, VerifyError> {
        self.verify_with(doc, None)
    }

    /// A JSON credential or presentation: its proofs decided here, from the
    /// bytes, then the report. A presentation's embedded credentials are
    /// verified by the presentation's own checks.
    fn verify_json(&self, bytes: &[u8]) -> Result<Report, VerifyError> {
        let verified = proof::verify_bytes(bytes, self.resolver())?;
        // The bytes are strict JSON (the proofs' parse accepted them): a
        // credential's checks need only a few of its members, not a second
        // parse of it all.
        // Presentations and profiles read the whole document.
        // A document none of whose proofs verified may be in another format
        // (`format::sniff_json` never refuses one whose proof verified): it
        // takes the whole-document path, which looks.
        let whole_needed = !self.options.profiles.is_empty()
            || self.options.claimed_profiles
            || verified.iter().all(|o| o.result.is_err());
        if !whole_needed {
            if let Some(doc) = select::credential(bytes) {
                if let Some(view) = Credential::new(&doc) {
                    if !view.has_type("VerifiablePresentation") {
                        let ctx = self.context();
                        #[cfg(debug_assertions)]
                        let shadow = verified.clone();
                        let report = credential(&doc, &view, &ctx, true, Some(verified));
                        // Debug builds (every test run) check the selection against
                        // the whole document: a check that reads a member
                        // select.rs leaves out fails here, not silently in a report.
                        #[cfg(debug_assertions)]
                        if let Ok(whole) = json::parse(bytes) {
                            if let Some(whole_view) = Credential::new(&whole) {
                                let full =
                                    credential(&whole, &whole_view, &ctx, true, Some(shadow));
                                assert_eq!(
                                    full, report,
                                    "select.rs left out a member the report reads"
                                );
                            }
                        }
                        return Ok(report);
                    }
                }
            }
        }
        let doc = json::parse(bytes)?;
        self.verify_with(&doc, Some(verified))
    }

    fn verify_with(
        &self,
        doc: &Value,
        verified: Option<Vec<ProofOutcome>>,
    ) -> Result<Report, VerifyError> {
        let view = Credential::new(doc).ok_or(VerifyError::NotAnObject)?;
        // VC 2.0's envelope: the credential inside is read as it would be on its own.
        if let Some(enveloped) = crate::envelope::enveloped(doc) {
            return match enveloped {
                Enveloped::Jwt(token) => self.verify_jwt(token.as_bytes()),
                Enveloped::Unsupported(what) => Ok(crate::envelope::unsupported(&what, doc)),
            };
        }
        if let Some(foreign) = format::sniff_json(doc) {
            return Err(VerifyError::UnsupportedFormat(foreign));
        }
        let ctx = self.context();
        Ok(if view.has_type("VerifiablePresentation") {
            presentation::verify(doc, &view, &ctx)
        } else {
            credential(doc, &view, &ctx, true, verified)
        })
    }

    /// The key resolver proofs are verified with: the trust list's (which
    /// also knows `did:web` issuers) when one is given, else did:key only.
    pub(crate) fn resolver(&self) -> &(dyn KeyResolver + Sync) {
        resolver(&self.options)
    }

    /// Whether the presented documents (with a label each, e.g. the file
    /// name) add up to the qualification of [`Options::qualification`];
    /// `None` when none was given.
    pub fn assess_qualification(&self, reports: &[(&str, &Report)]) -> Option<QualificationReport> {
        let q = self.options.qualification.as_ref()?;
        Some(q.assess(reports, self.options.trust.as_ref(), self.now()))
    }

    fn now(&self) -> OffsetDateTime {
        self.options.at.unwrap_or_else(datetime::now)
    }

    fn context(&self) -> Ctx<'_> {
        let at = self.now();
        Ctx {
            options: &self.options,
            lists: &self.lists,
            resolver: resolver(&self.options),
            at,
            now: datetime::format(at),
            skew: self.options.clock_skew.unwrap_or(DEFAULT_CLOCK_SKEW),
        }
    }
}

fn resolver(options: &Options) -> &(dyn KeyResolver + Sync) {
    match &options.trust {
        Some(t) => t,
        None => &DidKeyResolver,
    }
}

/// What every check of one verification shares.
pub(crate) struct Ctx<'a> {
    pub(crate) options: &'a Options,
    pub(crate) lists: &'a PreparedLists,
    pub(crate) resolver: &'a dyn KeyResolver,
    pub(crate) at: OffsetDateTime,
    /// `at` in RFC 3339, as the reports show it (formatted once per document).
    pub(crate) now: String,
    pub(crate) skew: Duration,
}

/// Verifies a credential. `top_level` is false for the credentials of a
/// presentation (a challenge is then the presentation's business).
pub(crate) fn credential(
    doc: &Value,
    cred: &Credential<'_>,
    ctx: &Ctx<'_>,
    top_level: bool,
    verified: Option<Vec<ProofOutcome>>,
) -> Report {
    // Room for the lines of a credential with one proof.
    let mut checks = Vec::with_capacity(12);
    structure::credential(cred, &mut checks);
    let issuer_id = cred.issuer().and_then(|i| i.id);
    let outcomes = proofs::check(
        doc,
        &proofs::Expect {
            purpose: ProofPurpose::AssertionMethod,
            controller: issuer_id,
            role: "issuer",
        },
        ctx.resolver,
        verified,
        ctx,
        &mut checks,
    );
    validity::check(cred, ctx.at, &ctx.now, &mut checks);
    // The signature binds the credential to its issuer when an issuer proof
    // verifies with a key that issuer controls (what `issuer-key` passes on).
    let bound = if issuer_id.is_some_and(|id| {
        outcomes.iter().any(|o| {
            o.result.as_deref() == Ok(id)
                && o.proof_purpose.as_deref() == Some(ProofPurpose::AssertionMethod.as_str())
        })
    }) {
        issuer::Binding::Yes
    } else if !outcomes.is_empty()
        && outcomes
            .iter()
            .all(|o| o.result.as_ref().is_err_and(|e| e.is_unsupported()))
    {
        issuer::Binding::Unchecked
    } else {
        issuer::Binding::No
    };
    let trusted_name = issuer::trust(cred, bound, ctx.options.trust.as_ref(), ctx.at, &mut checks);
    status::check(
        cred,
        &ctx.options.status_lists,
        ctx.lists,
        ctx.at,
        &mut checks,
    );
    if (!ctx.options.profiles.is_empty() || ctx.options.claimed_profiles) && !genuine(&checks) {
        // Compliance of claims nobody vouches for would read as a pass.
        checks.push(Check::skipped(
            "profile",
            "not evaluated: the signature does not hold, so what the file claims is not confirmed",
        ));
    } else if !ctx.options.profiles.is_empty() || ctx.options.claimed_profiles {
        profiles::check(
            doc,
            &ctx.options.profiles,
            ctx.options.claimed_profiles,
            ctx.at,
            &mut checks,
        );
    }
    if top_level && (ctx.options.challenge.is_some() || ctx.options.domain.is_some()) {
        checks.push(Check::fail(
            "challenge",
            "a challenge or domain was asked for, but this is a bare credential: only a \
             presentation signed by the learner answers one",
        ));
    }
    let mut summary = summary(cred);
    summary.trusted_name = trusted_name;
    Report::new(
        Kind::Credential,
        cred.id().map(str::to_owned),
        Some(summary),
        checks,
        Vec::new(),
    )
}

/// Whether the document is what its issuer signed: a proof, every proof
/// verifies, and each key is the issuer's.
pub(crate) fn genuine(checks: &[Check]) -> bool {
    let mut proofs = checks.iter().filter(|c| c.id == "proof").peekable();
    proofs.peek().is_some()
        && proofs.all(|c| c.outcome == Outcome::Pass)
        && checks
            .iter()
            .filter(|c| c.id == "issuer-key")
            .all(|c| c.outcome == Outcome::Pass)
}

fn summary(cred: &Credential<'_>) -> Summary {
    let achievement = cred.achievement();
    // The figures only: the full decode of the block is not needed here, and a
    // malformed block gives none of them (as its decode would fail).
    let mc = cred.micro_credential_figures();
    let issuer = cred.issuer();
    Summary {
        name: cred
            .name()
            .or_else(|| {
                achievement
                    .and_then(|a| a.get("name"))
                    .and_then(Value::as_str)
            })
            .map(str::to_owned),
        issuer: issuer.as_ref().and_then(|i| i.id).map(str::to_owned),
        issuer_name: issuer.as_ref().and_then(|i| i.name).map(str::to_owned),
        trusted_name: None,
        subject: cred
            .subjects()
            .first()
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        learner_name: cred
            .subjects()
            .first()
            .and_then(|s| learner_name(s))
            .map(str::to_owned),
        grade: cred
            .subjects()
            .first()
            .and_then(|s| grade(s))
            .map(str::to_owned),
        achievement: achievement
            .and_then(|a| a.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        // A VC 1.1 credential's issuanceDate / expirationDate stand in.
        valid_from: cred.validity_starts().first().map(|s| s.1.to_owned()),
        valid_until: cred.validity_ends().first().map(|e| e.1.to_owned()),
        ects: mc.and_then(|m| m.ects),
        eqf_level: mc.and_then(|m| m.eqf_level),
        hours: mc.and_then(|m| m.hours),
    }
}

/// The learner's name in a credential subject: its `name`, else an Open Badges
/// `identifier` of `identityType` `name` that is not hashed (a hashed one is
/// for matching, not for reading).
pub(crate) fn learner_name(subject: &Map<String, Value>) -> Option<&str> {
    subject.get("name").and_then(Value::as_str).or_else(|| {
        subject
            .get("identifier")?
            .as_array()?
            .iter()
            .find(|i| {
                i.get("identityType").and_then(Value::as_str) == Some("name")
                    && i.get("hashed").and_then(Value::as_bool) == Some(false)
            })?
            .get("identityHash")?
            .as_str()
    })
}

/// The results (Open Badges `result`, one object or an array) of a credential subject.
pub(crate) fn results(subject: &Map<String, Value>) -> Vec<&Value> {
    match subject.get("result") {
        Some(Value::Array(a)) => a.iter().filter(|r| r.is_object()).collect(),
        Some(r @ Value::Object(_)) => vec![r],
        _ => Vec::new(),
    }
}

/// The grade in a credential subject: the first result's `value`, else the
/// first `status` (a result of type `Status`, e.g. `Completed`).
pub(crate) fn grade(subject: &Map<String, Value>) -> Option<&str> {
    let results = results(subject);
    let text = |member: &str| {
        results
            .iter()
            .find_map(|r| r.get(member).and_then(Value::as_str))
    };
    text("value").or_else(|| text("status"))
}
