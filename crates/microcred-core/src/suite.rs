//! Which cryptosuite(s) sign a document: the one choice `microcred-sign` (`--suite`)
//! and `microcred-server` (`[issuer] suite`) share, and its default.
//!
//! Verifiers in use check one suite each: Digital Bazaar's stack and our own check both,
//! but the DCC's verifier-core (Learner Credential Wallet, VerifierPlus), SpruceID's ssi
//! and the 1EdTech validator check only `eddsa-rdfc-2022`, and JCS-only verifiers exist
//! too. So the default is a proof set of both (two independent proofs by the same key),
//! which each kind accepts. A document whose `@context` names a context this crate does
//! not know cannot be canonicalized for `eddsa-rdfc-2022`; by default it is still signed,
//! with `eddsa-jcs-2022` alone and a warning, rather than refused.

use std::fmt;
use std::str::FromStr;

/// The cryptosuite(s) of the proof. `None` where an `Option<Suite>` is taken means the
/// default: [`Suite::Both`], or [`Suite::Jcs`] with a warning for a document whose
/// contexts are not known (see [`sign`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suite {
    /// `eddsa-jcs-2022` only (RFC 8785 JSON canonicalization).
    #[serde(alias = "eddsa-jcs-2022")]
    Jcs,
    /// `eddsa-rdfc-2022` only (JSON-LD and RDF Dataset Canonicalization).
    #[serde(alias = "eddsa-rdfc-2022")]
    Rdfc,
    /// Both, as a proof set: the `eddsa-jcs-2022` proof first, then the
    /// `eddsa-rdfc-2022` one, each over the document without the other.
    #[default]
    Both,
}

impl Suite {
    /// The name on the command line and in configuration files: `jcs`, `rdfc`, `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jcs => "jcs",
            Self::Rdfc => "rdfc",
            Self::Both => "both",
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A suite name that is none of the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown suite {0:?}: expected jcs, rdfc or both (or eddsa-jcs-2022, eddsa-rdfc-2022)")]
pub struct UnknownSuite(pub String);

impl FromStr for Suite {
    type Err = UnknownSuite;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jcs" | "eddsa-jcs-2022" => Ok(Self::Jcs),
            "rdfc" | "eddsa-rdfc-2022" => Ok(Self::Rdfc),
            "both" => Ok(Self::Both),
            _ => Err(UnknownSuite(s.to_owned())),
        }
    }
}

/// Why a document could not be signed.
#[cfg(all(feature = "signing", feature = "rdfc"))]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The `eddsa-jcs-2022` proof could not be added.
    #[error("cannot sign with eddsa-jcs-2022: {0}")]
    Jcs(crate::proof::ProofError),
    /// The `eddsa-rdfc-2022` proof could not be added.
    #[error("cannot sign with eddsa-rdfc-2022: {}", rdfc_cause(.0))]
    Rdfc(crate::rdfc::AddProofError),
}

#[cfg(all(feature = "signing", feature = "rdfc"))]
fn rdfc_cause(e: &crate::rdfc::AddProofError) -> String {
    match e {
        crate::rdfc::AddProofError::Transform(t) => t.to_string(),
        other => other.to_string(),
    }
}

/// A signed document, and what the signer should tell its user about it.
#[cfg(all(feature = "signing", feature = "rdfc"))]
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    /// The document with its proof (or proof set).
    pub document: crate::Value,
    /// The suite(s) it was signed with.
    pub suite: Suite,
    /// Set when the default fell back to `eddsa-jcs-2022` alone: why, and what it means.
    pub warning: Option<String>,
}

/// The warning for a document signed with `eddsa-jcs-2022` alone because `@context`
/// names `url`, a context the signer does not know.
pub fn jcs_only_warning(url: &str) -> String {
    format!(
        "@context {url:?} is not a context the signer knows, so the document is signed with eddsa-jcs-2022 only; verifiers that check only eddsa-rdfc-2022 (the DCC Learner Credential Wallet and VerifierPlus, SpruceID's ssi, the 1EdTech validator) will refuse it until that context is supplied (or pass --suite jcs to say this is intended)"
    )
}

/// The suite the default gives `doc` (a whole document, or a template whose
/// placeholders do not touch `@context`): [`Suite::Both`], or [`Suite::Jcs`] and the
/// warning of [`jcs_only_warning`] when its `@context` names a context not known here.
#[cfg(feature = "rdfc")]
pub fn default_for(doc: &crate::Value) -> (Suite, Option<String>) {
    match crate::rdfc::to_rdf(doc) {
        Err(crate::rdfc::JsonLdError::UnknownContext { url, .. }) => {
            (Suite::Jcs, Some(jcs_only_warning(&url)))
        }
        // Any other failure is the signing's to report, with its own words.
        _ => (Suite::Both, None),
    }
}

/// Signs `doc` with `suite`, or with the default when `suite` is `None`: both suites,
/// except that a document `eddsa-rdfc-2022` cannot take (its `@context` names a context
/// not known here, a member no context defines, blank nodes too alike for RDFC-1.0
/// within [`crate::rdfc::SIGNING_LIMITS`], …) is signed with `eddsa-jcs-2022` alone and
/// [`Signed::warning`] says why. With both, the
/// `eddsa-jcs-2022` proof comes first.
///
/// # Errors
/// [`SignError`] when a proof cannot be added: a malformed document or option, or
/// (for a suite that includes `eddsa-rdfc-2022`) a document JSON-LD cannot
/// canonicalize (under the default, only a malformed document or option).
#[cfg(all(feature = "signing", feature = "rdfc"))]
pub fn sign(
    doc: &crate::Value,
    key: &crate::keys::SecretKey,
    options: &crate::proof::ProofOptions,
    suite: Option<Suite>,
) -> Result<Signed, SignError> {
    use crate::rdfc::{AddProofError, JsonLdError, RdfcError};
    // The messages carry their causes' words, so the causes are not chained again.
    let jcs = |d: &crate::Value| crate::proof::add_proof(d, key, options).map_err(SignError::Jcs);
    let rdfc = |d: &crate::Value| crate::rdfc::add_proof(d, key, options);
    let rdfc_err = SignError::Rdfc;
    let signed = |document, suite| Signed {
        document,
        suite,
        warning: None,
    };
    match suite {
        Some(Suite::Jcs) => Ok(signed(jcs(doc)?, Suite::Jcs)),
        Some(Suite::Rdfc) => Ok(signed(rdfc(doc).map_err(rdfc_err)?, Suite::Rdfc)),
        Some(Suite::Both) => Ok(signed(rdfc(&jcs(doc)?).map_err(rdfc_err)?, Suite::Both)),
        None => {
            let with_jcs = jcs(doc)?;
            match rdfc(&with_jcs) {
                Ok(both) => Ok(signed(both, Suite::Both)),
                Err(AddProofError::Transform(RdfcError::JsonLd(JsonLdError::UnknownContext {
                    url,
                    ..
                }))) => Ok(Signed {
                    document: with_jcs,
                    suite: Suite::Jcs,
                    warning: Some(jcs_only_warning(&url)),
                }),
                // Anything else JSON-LD or RDFC-1.0 cannot take (a member no context
                // defines, a relative type, blank nodes too alike for the work limit JSON-LD
                // verifiers apply): an RDFC proof would leave it unsigned or fail in them.
                Err(AddProofError::Transform(e)) => Ok(Signed {
                    document: with_jcs,
                    suite: Suite::Jcs,
                    warning: Some(format!(
                        "cannot sign with eddsa-rdfc-2022: {e}; signed with eddsa-jcs-2022 only, so verifiers that check only eddsa-rdfc-2022 will refuse it (pass --suite jcs to say this is intended, --suite both to refuse to sign it)"
                    )),
                }),
                Err(e) => Err(rdfc_err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_aliases() {
        for s in [Suite::Jcs, Suite::Rdfc, Suite::Both] {
            assert_eq!(s.as_str().parse::<Suite>(), Ok(s));
            let from_toml: Suite = serde_json::from_value(s.as_str().into()).unwrap();
            assert_eq!(from_toml, s);
        }
        assert_eq!("eddsa-jcs-2022".parse::<Suite>(), Ok(Suite::Jcs));
        assert_eq!("eddsa-rdfc-2022".parse::<Suite>(), Ok(Suite::Rdfc));
        let old: Suite = serde_json::from_value("eddsa-rdfc-2022".into()).unwrap();
        assert_eq!(old, Suite::Rdfc);
        let e = "JCS".parse::<Suite>().unwrap_err().to_string();
        assert!(
            e.contains("\"JCS\"") && e.contains("jcs, rdfc or both"),
            "{e}"
        );
        assert_eq!(Suite::default(), Suite::Both);
    }

    #[cfg(all(feature = "signing", feature = "rdfc"))]
    #[test]
    fn the_default_signs_both_and_falls_back_to_jcs_for_an_unknown_context() {
        use crate::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};
        let key = crate::keys::SecretKey::generate();
        let did = key.did_key();
        let mut options =
            ProofOptions::new(did.verification_method(), ProofPurpose::AssertionMethod);
        options.created = Some("2025-03-01T00:00:00Z".into());
        let mut doc = serde_json::json!({
            "@context": [crate::contexts::VC_V2],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential"],
            "issuer": did.did(),
            "credentialSubject": {"id": "did:example:learner"}
        });
        let both = sign(&doc, &key, &options, None).unwrap();
        assert_eq!((both.suite, both.warning), (Suite::Both, None));
        let cryptosuites: Vec<_> = both.document["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["cryptosuite"].as_str().unwrap())
            .collect();
        assert_eq!(cryptosuites, ["eddsa-jcs-2022", "eddsa-rdfc-2022"]);
        assert!(
            proof::verify_proofs(&both.document, &DidKeyResolver)
                .iter()
                .all(|o| o.result.is_ok())
        );
        assert_eq!(default_for(&doc), (Suite::Both, None));

        doc["@context"]
            .as_array_mut()
            .unwrap()
            .push("https://example.org/unknown/v1".into());
        let jcs = sign(&doc, &key, &options, None).unwrap();
        assert_eq!(jcs.suite, Suite::Jcs);
        let warning = jcs.warning.unwrap();
        assert!(
            warning.contains("https://example.org/unknown/v1"),
            "{warning}"
        );
        assert_eq!(jcs.document["proof"]["cryptosuite"], "eddsa-jcs-2022");
        assert_eq!(default_for(&doc).0, Suite::Jcs);
        // Chosen explicitly, rdfc refuses and names the context.
        let e = sign(&doc, &key, &options, Some(Suite::Both))
            .unwrap_err()
            .to_string();
        assert!(e.contains("https://example.org/unknown/v1"), "{e}");
        let plain = sign(&doc, &key, &options, Some(Suite::Jcs)).unwrap();
        assert_eq!(plain.warning, None);
    }
}
