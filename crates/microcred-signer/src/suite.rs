//! The `--suite` option: the choice and the default are microcred-core's
//! ([`microcred_core::suite`], shared with `microcred-server`); here they meet the
//! command line and stderr.

use std::io::Write as _;

use microcred_core::Value;
use microcred_core::keys::AnySecretKey;
use microcred_core::proof::ProofOptions;
use microcred_core::suite;
pub use microcred_core::suite::Suite;

/// The `--suite` value parser (`jcs`, `rdfc`, `both`; the cryptosuite names too, whose
/// fit with the key is checked when signing).
///
/// # Errors
/// An unknown name, with the accepted ones.
pub fn parse(s: &str) -> Result<Suite, String> {
    s.parse().map_err(|e: suite::UnknownSuite| e.to_string())
}

/// Signs `doc` with `suite`, or the default when it is `None`; a fallback of the
/// default to eddsa-jcs-2022 alone is printed as a warning.
///
/// # Errors
/// When the document cannot be signed with that suite (for an RDFC suite, with a
/// hint to sign with `--suite jcs`), or the suite named does not fit the key.
pub fn sign(
    doc: &Value,
    key: &AnySecretKey,
    options: &ProofOptions,
    suite: Option<Suite>,
) -> anyhow::Result<Value> {
    let signed = suite::sign(doc, key, options, suite).map_err(|e| match e {
        suite::SignError::Rdfc(_) | suite::SignError::EcdsaRdfc(_) => {
            anyhow::anyhow!("{e} (pass --suite jcs to sign the JSON as it is)")
        }
        _ => anyhow::Error::new(e),
    })?;
    // Once per distinct warning: a batch signs many rows of one template.
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    if let Some(w) = signed.warning {
        let mut said = SAID
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !said.contains(&w) {
            writeln!(std::io::stderr(), "microcred-sign: warning: {w}")?;
            said.push(w);
        }
    }
    Ok(signed.document)
}
