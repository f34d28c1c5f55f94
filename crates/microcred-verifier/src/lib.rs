//! # microcred-verifier
//!
//! Offline verification of micro-credentials for employers and admissions
//! offices: every check is reported on its own line, so that a person (or a
//! program, through `--json`) can see what was checked, what passed, and what
//! was not checked at all.
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
//! ## Security
//!
//! The verifier builds `microcred-core` without its `signing` feature: it
//! contains no secret-key code. It never goes to the network: DID documents,
//! contexts and status lists are what the caller hands it.

#![forbid(unsafe_code)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod bulk;
mod report;
mod verify;

pub use report::{Check, Outcome, Report};
pub use verify::{Options, Verifier, VerifyError};
