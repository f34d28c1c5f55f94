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

use crate::public_key::KeyType;

/// The cryptosuite(s) of the proof. `None` where an `Option<Suite>` is taken means the
/// default: [`Suite::Both`], or [`Suite::Jcs`] with a warning for a document whose
/// contexts are not known (see [`sign`]).
///
/// `jcs`, `rdfc` and `both` take the cryptosuites of the key's family: `eddsa-jcs-2022`
/// and `eddsa-rdfc-2022` for an Ed25519 key, `ecdsa-jcs-2019` and `ecdsa-rdfc-2019` for a
/// P-256 or P-384 key. A cryptosuite named in full (the last four variants) is that one
/// alone, and fits only a key of its family ([`Suite::for_key`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Suite {
    /// The JCS suite only (RFC 8785 JSON canonicalization).
    Jcs,
    /// The RDFC suite only (JSON-LD and RDF Dataset Canonicalization).
    Rdfc,
    /// Both, as a proof set: the JCS proof first, then the RDFC one, each over the
    /// document without the other.
    #[default]
    Both,
    /// `eddsa-jcs-2022`: [`Suite::Jcs`] with an Ed25519 key.
    #[serde(rename = "eddsa-jcs-2022")]
    EddsaJcs2022,
    /// `eddsa-rdfc-2022`: [`Suite::Rdfc`] with an Ed25519 key.
    #[serde(rename = "eddsa-rdfc-2022")]
    EddsaRdfc2022,
    /// `ecdsa-jcs-2019`: [`Suite::Jcs`] with a P-256 or P-384 key.
    #[serde(rename = "ecdsa-jcs-2019")]
    EcdsaJcs2019,
    /// `ecdsa-rdfc-2019`: [`Suite::Rdfc`] with a P-256 or P-384 key.
    #[serde(rename = "ecdsa-rdfc-2019")]
    EcdsaRdfc2019,
}

impl Suite {
    /// The name on the command line and in configuration files: `jcs`, `rdfc`, `both`,
    /// or the cryptosuite's.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jcs => "jcs",
            Self::Rdfc => "rdfc",
            Self::Both => "both",
            Self::EddsaJcs2022 => "eddsa-jcs-2022",
            Self::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Self::EcdsaJcs2019 => "ecdsa-jcs-2019",
            Self::EcdsaRdfc2019 => "ecdsa-rdfc-2019",
        }
    }

    /// This choice for a key of `key_type`: [`Suite::Jcs`], [`Suite::Rdfc`] or
    /// [`Suite::Both`] (a cryptosuite named in full becomes `Jcs` or `Rdfc`).
    ///
    /// # Errors
    /// [`SuiteKeyMismatch`] when a cryptosuite named in full is not of the key's
    /// family (`eddsa-*` with a P-256 key, `ecdsa-*` with an Ed25519 key).
    pub fn for_key(self, key_type: KeyType) -> Result<Self, SuiteKeyMismatch> {
        let (suite, ecdsa) = match self {
            Self::Jcs | Self::Rdfc | Self::Both => return Ok(self),
            Self::EddsaJcs2022 => (Self::Jcs, false),
            Self::EddsaRdfc2022 => (Self::Rdfc, false),
            Self::EcdsaJcs2019 => (Self::Jcs, true),
            Self::EcdsaRdfc2019 => (Self::Rdfc, true),
        };
        if ecdsa == key_type.is_ecdsa() {
            Ok(suite)
        } else {
            Err(SuiteKeyMismatch {
                suite: self.as_str(),
                key_type: key_type.name(),
                fits: names(key_type, suite),
            })
        }
    }
}

/// The cryptosuite names of `suite` (`Jcs`, `Rdfc` or `Both`) for a key of `key_type`.
fn names(key_type: KeyType, suite: Suite) -> &'static str {
    match (key_type.is_ecdsa(), suite) {
        (false, Suite::Jcs) => "eddsa-jcs-2022",
        (false, Suite::Rdfc) => "eddsa-rdfc-2022",
        (true, Suite::Jcs) => "ecdsa-jcs-2019",
        (true, Suite::Rdfc) => "ecdsa-rdfc-2019",
        (false, _) => "eddsa-jcs-2022 and eddsa-rdfc-2022",
        (true, _) => "ecdsa-jcs-2019 and ecdsa-rdfc-2019",
    }
}

/// A cryptosuite named in full that does not fit the key (e.g. `eddsa-jcs-2022` with
/// a P-256 key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "suite {suite} needs a key of its own family, and the key is a {key_type} key: use {fits} (or jcs, rdfc or both, which follow the key)"
)]
pub struct SuiteKeyMismatch {
    /// The suite asked for.
    pub suite: &'static str,
    /// The key's type (`Ed25519`, `P-256`, `P-384`).
    pub key_type: &'static str,
    /// The cryptosuite of the same canonicalization that fits the key.
    pub fits: &'static str,
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A suite name that is none of the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown suite {0:?}: expected jcs, rdfc or both (or eddsa-jcs-2022, eddsa-rdfc-2022, ecdsa-jcs-2019, ecdsa-rdfc-2019)"
)]
pub struct UnknownSuite(pub String);

impl FromStr for Suite {
    type Err = UnknownSuite;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jcs" => Ok(Self::Jcs),
            "rdfc" => Ok(Self::Rdfc),
            "both" => Ok(Self::Both),
            "eddsa-jcs-2022" => Ok(Self::EddsaJcs2022),
            "eddsa-rdfc-2022" => Ok(Self::EddsaRdfc2022),
            "ecdsa-jcs-2019" => Ok(Self::EcdsaJcs2019),
            "ecdsa-rdfc-2019" => Ok(Self::EcdsaRdfc2019),
            _ => Err(UnknownSuite(s.to_owned())),
        }
    }
}

/// Why a document could not be signed.
#[cfg(all(feature = "signing", feature = "rdfc"))]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The `eddsa-jcs-2022` proof could not be added.
    #[error("cannot sign with eddsa-jcs-2022: {0}")]
    Jcs(crate::proof::ProofError),
    /// The `eddsa-rdfc-2022` proof could not be added.
    #[error("cannot sign with eddsa-rdfc-2022: {}", rdfc_cause(.0))]
    Rdfc(crate::rdfc::AddProofError),
    /// The `ecdsa-jcs-2019` proof could not be added.
    #[error("cannot sign with ecdsa-jcs-2019: {0}")]
    EcdsaJcs(crate::proof::ProofError),
    /// The `ecdsa-rdfc-2019` proof could not be added.
    #[error("cannot sign with ecdsa-rdfc-2019: {}", rdfc_cause(.0))]
    EcdsaRdfc(crate::rdfc::AddProofError),
    /// The suite asked for does not fit the key.
    #[error(transparent)]
    WrongKey(SuiteKeyMismatch),
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
    /// The suite(s) it was signed with: [`Suite::Jcs`], [`Suite::Rdfc`] or [`Suite::Both`].
    pub suite: Suite,
    /// Set when the default fell back to the JCS suite alone: why, and what it means.
    pub warning: Option<String>,
}

/// The warning for a document signed with the JCS suite alone (for a key of
/// `key_type`) because `@context` names `url`, a context the signer does not know.
pub fn jcs_only_warning(url: &str, key_type: KeyType) -> String {
    if key_type.is_ecdsa() {
        format!(
            "@context {url:?} is not a context the signer knows, so the document is signed with ecdsa-jcs-2019 only; verifiers that check only ecdsa-rdfc-2019 will refuse it until that context is supplied (or pass --suite jcs to say this is intended)"
        )
    } else {
        format!(
            "@context {url:?} is not a context the signer knows, so the document is signed with eddsa-jcs-2022 only; verifiers that check only eddsa-rdfc-2022 (the DCC Learner Credential Wallet and VerifierPlus, SpruceID's ssi, the 1EdTech validator) will refuse it until that context is supplied (or pass --suite jcs to say this is intended)"
        )
    }
}

/// The suite the default gives `doc` (a whole document, or a template whose
/// placeholders do not touch `@context`) signed with a key of `key_type`:
/// [`Suite::Both`], or [`Suite::Jcs`] and the warning of [`jcs_only_warning`] when its
/// `@context` names a context not known here.
#[cfg(feature = "rdfc")]
pub fn default_for(doc: &crate::Value, key_type: KeyType) -> (Suite, Option<String>) {
    match crate::rdfc::to_rdf(doc) {
        Err(crate::rdfc::JsonLdError::UnknownContext { url, .. }) => {
            (Suite::Jcs, Some(jcs_only_warning(&url, key_type)))
        }
        // Any other failure is the signing's to report, with its own words.
        _ => (Suite::Both, None),
    }
}

/// Signs `doc` with `key` and `suite`, or with the default when `suite` is `None`:
/// both suites of the key's family (`eddsa-*` for an Ed25519 key, `ecdsa-*-2019` for a
/// P-256 or P-384 one), except that a document the RDFC suite cannot take (its
/// `@context` names a context not known here, a member no context defines, blank nodes
/// too alike for RDFC-1.0 within [`crate::rdfc::SIGNING_LIMITS`], …) is signed with the
/// JCS suite alone and [`Signed::warning`] says why. With both, the JCS proof comes
/// first.
///
/// # Errors
/// [`SignError`] when a proof cannot be added: a malformed document or option, (for a
/// suite that includes RDFC) a document JSON-LD cannot canonicalize (under the default,
/// only a malformed document or option), or a cryptosuite named in full that does not
/// fit the key ([`SignError::WrongKey`]).
#[cfg(all(feature = "signing", feature = "rdfc"))]
pub fn sign(
    doc: &crate::Value,
    key: &crate::keys::AnySecretKey,
    options: &crate::proof::ProofOptions,
    suite: Option<Suite>,
) -> Result<Signed, SignError> {
    use crate::keys::AnySecretKey;
    use crate::rdfc::{AddProofError, JsonLdError, RdfcError};
    let key_type = key.key_type();
    let suite = suite
        .map(|s| s.for_key(key_type))
        .transpose()
        .map_err(SignError::WrongKey)?;
    // The messages carry their causes' words, so the causes are not chained again.
    let jcs = |d: &crate::Value| match key {
        AnySecretKey::Ed25519(k) => crate::proof::add_proof(d, k, options).map_err(SignError::Jcs),
        AnySecretKey::Ecdsa(k) => {
            crate::proof::add_ecdsa_jcs_proof(d, k, options).map_err(SignError::EcdsaJcs)
        }
    };
    let rdfc = |d: &crate::Value| match key {
        AnySecretKey::Ed25519(k) => crate::rdfc::add_proof(d, k, options),
        AnySecretKey::Ecdsa(k) => crate::rdfc::add_ecdsa_proof(d, k, options),
    };
    let rdfc_err = |e| match key {
        AnySecretKey::Ed25519(_) => SignError::Rdfc(e),
        AnySecretKey::Ecdsa(_) => SignError::EcdsaRdfc(e),
    };
    let signed = |document, suite| Signed {
        document,
        suite,
        warning: None,
    };
    match suite {
        Some(Suite::Jcs) => Ok(signed(jcs(doc)?, Suite::Jcs)),
        Some(Suite::Rdfc) => Ok(signed(rdfc(doc).map_err(rdfc_err)?, Suite::Rdfc)),
        Some(_) => Ok(signed(rdfc(&jcs(doc)?).map_err(rdfc_err)?, Suite::Both)),
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
                    warning: Some(jcs_only_warning(&url, key_type)),
                }),
                // Anything else JSON-LD or RDFC-1.0 cannot take (a member no context
                // defines, a relative type, blank nodes too alike for the work limit JSON-LD
                // verifiers apply): an RDFC proof would leave it unsigned or fail in them.
                Err(AddProofError::Transform(e)) => {
                    let (jcs_name, rdfc_name) = if key_type.is_ecdsa() {
                        ("ecdsa-jcs-2019", "ecdsa-rdfc-2019")
                    } else {
                        ("eddsa-jcs-2022", "eddsa-rdfc-2022")
                    };
                    Ok(Signed {
                        document: with_jcs,
                        suite: Suite::Jcs,
                        warning: Some(format!(
                            "cannot sign with {rdfc_name}: {e}; signed with {jcs_name} only, so verifiers that check only {rdfc_name} will refuse it (pass --suite jcs to say this is intended, --suite both to refuse to sign it)"
                        )),
                    })
                }
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
        for s in [
            Suite::EddsaJcs2022,
            Suite::EddsaRdfc2022,
            Suite::EcdsaJcs2019,
            Suite::EcdsaRdfc2019,
        ] {
            assert_eq!(s.as_str().parse::<Suite>(), Ok(s));
            let from_toml: Suite = serde_json::from_value(s.as_str().into()).unwrap();
            assert_eq!(from_toml, s);
        }
        // A cryptosuite named in full is that canonicalization with a key of its family.
        let ed = KeyType::Ed25519;
        assert_eq!(Suite::EddsaJcs2022.for_key(ed), Ok(Suite::Jcs));
        assert_eq!(Suite::EddsaRdfc2022.for_key(ed), Ok(Suite::Rdfc));
        assert_eq!(Suite::EcdsaJcs2019.for_key(KeyType::P256), Ok(Suite::Jcs));
        assert_eq!(Suite::EcdsaRdfc2019.for_key(KeyType::P384), Ok(Suite::Rdfc));
        assert_eq!(Suite::Both.for_key(KeyType::P384), Ok(Suite::Both));
        let e = Suite::EddsaJcs2022
            .for_key(KeyType::P256)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "suite eddsa-jcs-2022 needs a key of its own family, and the key is a P-256 key: use ecdsa-jcs-2019 (or jcs, rdfc or both, which follow the key)"
        );
        assert!(Suite::EcdsaRdfc2019.for_key(ed).is_err());
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
        let key = crate::keys::AnySecretKey::generate(KeyType::Ed25519);
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
        assert_eq!(default_for(&doc, KeyType::Ed25519), (Suite::Both, None));

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
        assert_eq!(default_for(&doc, KeyType::Ed25519).0, Suite::Jcs);
        // Chosen explicitly, rdfc refuses and names the context.
        let e = sign(&doc, &key, &options, Some(Suite::Both))
            .unwrap_err()
            .to_string();
        assert!(e.contains("https://example.org/unknown/v1"), "{e}");
        let plain = sign(&doc, &key, &options, Some(Suite::Jcs)).unwrap();
        assert_eq!(plain.warning, None);
    }

    /// With a P-256 or P-384 key: the ecdsa suites, alone, as a proof set, and the
    /// default's JCS-only fallback; an eddsa name is refused.
    #[cfg(all(feature = "signing", feature = "rdfc"))]
    #[test]
    fn ecdsa_keys_sign_with_the_ecdsa_suites() {
        use crate::keys::AnySecretKey;
        use crate::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};
        for key_type in [KeyType::P256, KeyType::P384] {
            let key = AnySecretKey::generate(key_type);
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
            let cryptosuites = |v: &crate::Value| -> Vec<String> {
                match &v["proof"] {
                    crate::Value::Array(a) => a
                        .iter()
                        .map(|p| p["cryptosuite"].as_str().unwrap().to_owned())
                        .collect(),
                    p => vec![p["cryptosuite"].as_str().unwrap().to_owned()],
                }
            };
            for (suite, expected) in [
                (None, vec!["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]),
                (Some(Suite::Both), vec!["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]),
                (Some(Suite::Jcs), vec!["ecdsa-jcs-2019"]),
                (Some(Suite::EcdsaRdfc2019), vec!["ecdsa-rdfc-2019"]),
            ] {
                let signed = sign(&doc, &key, &options, suite).unwrap();
                assert_eq!(cryptosuites(&signed.document), expected);
                assert!(
                    proof::verify_proofs(&signed.document, &DidKeyResolver)
                        .iter()
                        .all(|o| o.result.is_ok())
                );
            }
            let e = sign(&doc, &key, &options, Some(Suite::EddsaRdfc2022)).unwrap_err();
            assert!(matches!(e, SignError::WrongKey(_)), "{e}");

            doc["@context"]
                .as_array_mut()
                .unwrap()
                .push("https://example.org/unknown/v1".into());
            let jcs = sign(&doc, &key, &options, None).unwrap();
            assert_eq!(jcs.suite, Suite::Jcs);
            assert_eq!(cryptosuites(&jcs.document), ["ecdsa-jcs-2019"]);
            let warning = jcs.warning.unwrap();
            assert!(warning.contains("ecdsa-rdfc-2019"), "{warning}");
            assert_eq!(default_for(&doc, key_type), (Suite::Jcs, Some(warning)));
            let e = sign(&doc, &key, &options, Some(Suite::Rdfc))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("cannot sign with ecdsa-rdfc-2019"), "{e}");
        }
    }
}
