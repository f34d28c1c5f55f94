//! # microcred-verifier
//!
//! Offline verification of micro-credentials for employers and admissions
//! offices: every check is reported on its own line, so that a person (or a
//! program, through `--json`) can see what was checked, what passed, and what
//! was not checked at all.
//!
//! A [`Verifier`] is made from [`Options`]: the time of verification, a
//! [`TrustList`] (trusted issuers, accreditations, did:web DID documents),
//! [`StatusLists`], framework [`profile::Profile`]s, a presentation's expected
//! challenge and domain, and a [`Qualification`]. [`Verifier::verify`] gives a
//! [`Report`] per credential or presentation (presentations nest one report
//! per credential); [`Verifier::assess_qualification`] says whether the
//! presented credentials add up. The check ids and the JSON form are
//! documented in `docs/verify-report.md`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use microcred_verifier::{Outcome, Verifier};
//!
//! let signed = std::fs::read(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../tests/vectors/eddsa-jcs-2022/signedJCS.json"
//! ))?;
//! let report = Verifier::new().verify_bytes(&signed)?;
//! let proof = report.checks.iter().find(|c| c.id == "proof").ok_or("no proof check")?;
//! assert_eq!(proof.outcome, Outcome::Pass);
//! // The spec's example issuer is a URL unrelated to its did:key: reported on its own line.
//! let issuer = report.checks.iter().find(|c| c.id == "issuer-key").ok_or("no issuer check")?;
//! assert_eq!(issuer.outcome, Outcome::Fail);
//! # Ok(())
//! # }
//! ```
//!
//! With a trust list and a qualification:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use microcred_verifier::{Options, Outcome, Qualification, TrustList, Verifier};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../keys-example/");
//! let mut options = Options::default();
//! options.trust = Some(TrustList::from_json(&std::fs::read(format!("{dir}trust-list.json"))?)?);
//! options.qualification = Some(Qualification::from_json(&std::fs::read(format!(
//!     "{dir}pgcert-data-science.qualification.json"
//! ))?)?);
//! let verifier = Verifier::with_options(options);
//! // The unsigned example names a trusted issuer, but no proof binds it to that
//! // issuer: trust is not granted.
//! let report = verifier.verify_bytes(&std::fs::read(format!("{dir}micro-credential.unsigned.json"))?)?;
//! assert!(!report.valid);
//! assert_eq!(report.check("trust").map(|c| c.outcome), Some(Outcome::Fail));
//! assert_eq!(report.check("proof").map(|c| c.outcome), Some(Outcome::Fail));
//! let q = verifier.assess_qualification(&[("example", &report)]).ok_or("no qualification")?;
//! assert!(!q.met);
//! assert_eq!(q.missing_ects, 30.0);
//! # Ok(())
//! # }
//! ```
//!
//! ## Security
//!
//! The verifier builds `microcred-core` without its `signing` feature: it
//! contains no secret-key code. It never goes to the network: DID documents,
//! contexts and status lists are what the caller hands it.

#![forbid(unsafe_code)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod baked;
pub mod bulk;
mod checks;
pub mod contexts;
mod envelope;
pub mod format;
pub mod html;
pub mod i18n;
pub mod jwt;
mod presentation;
pub mod profile;
pub mod qualification;
mod report;
mod select;
pub mod status;
pub mod trust;
pub mod verdict;
mod verifier;

pub use qualification::{Qualification, QualificationReport};
pub use report::{Check, Kind, Outcome, REPORT_SCHEMA_VERSION, Report, Summary};
pub use status::StatusLists;
pub use trust::TrustList;
pub use verdict::{Reason, Verdict};
pub use verifier::{DEFAULT_CLOCK_SKEW, Options, Verifier, VerifyError};
