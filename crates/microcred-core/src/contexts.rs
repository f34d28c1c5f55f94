//! JSON-LD contexts bundled with the toolkit. They are matched by URL and
//! never fetched: a verifier works offline, and a context fetched at
//! verification time could change what a signed credential means.
//!
//! Contexts nobody bundles can be supplied by the caller ([`supply`]): the
//! binaries read them from files the user names. A supplied document never
//! replaces a bundled one, and a URL once supplied keeps its document for the
//! life of the process (the JSON-LD processor memoizes processed contexts by
//! URL, and one URL meaning two things would make signatures ambiguous).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The W3C Verifiable Credentials Data Model 2.0 base context.
pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The W3C VC 2.0 examples context (for the specification's examples only).
pub const VC_EXAMPLES_V2: &str = "https://www.w3.org/ns/credentials/examples/v2";
/// The 1EdTech Open Badges 3.0 context, version 3.0.3.
pub const OB_V3P0: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// microcred's extension context for `achievement.microCredential`.
pub const MICROCRED_V1: &str = "https://w3id.org/microcred/v1";
/// The W3C CCG Citizenship vocabulary context v4rc1 (used by the vc-di-eddsa
/// `eddsa-rdfc-2022` "Employment Authorization Document" test vector only).
pub const CITIZENSHIP_V4RC1: &str = "https://w3id.org/citizenship/v4rc1";
/// The W3C Verifiable Credentials Data Model 1.1 base context.
pub const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The `Ed25519Signature2020` suite context (Digital Credentials Consortium
/// and Learner Credential Wallet credentials).
pub const ED25519_2020_V1: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
/// The Data Integrity v1 context (VC 1.1 credentials with `DataIntegrityProof`).
pub const DATA_INTEGRITY_V1: &str = "https://w3id.org/security/data-integrity/v1";
/// The Data Integrity v2 context.
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// The W3C DID v1 context.
pub const DID_V1: &str = "https://www.w3.org/ns/did/v1";
/// The StatusList2021 context.
pub const STATUS_LIST_2021_V1: &str = "https://w3id.org/vc/status-list/2021/v1";
/// The Open Badges 3.0 context, version 3.0.0 (published without a version in its URL).
pub const OB_V3P0_3_0_0: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context.json";
/// The Open Badges 3.0 context, version 3.0.1.
pub const OB_V3P0_3_0_1: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json";
/// The Open Badges 3.0 context, version 3.0.2.
pub const OB_V3P0_3_0_2: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json";
/// The Open Badges 3.0 extensions context (the 1EdTech status, refresh and schema types).
pub const OB_V3P0_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
/// The 1EdTech Comprehensive Learner Record 2.0 context, version 2.0.0 (published
/// without a version in its URL).
pub const CLR_V2P0: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context.json";
/// The 1EdTech Comprehensive Learner Record 2.0 context, version 2.0.1.
pub const CLR_V2P0_2_0_1: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";

/// A JSON-LD context document shipped inside the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundledContext {
    /// The URL credentials name it by.
    pub url: &'static str,
    /// The document, byte for byte as published.
    pub body: &'static str,
    /// Whether it is meant for production credentials (the examples context is not).
    pub production: bool,
}

impl BundledContext {
    /// The document, parsed once per process for every reader (the JSON-LD
    /// processor, the issuer's protected-term check); `None` if it is not JSON,
    /// which the tests rule out for every bundled context.
    pub fn document(&self) -> Option<Arc<Value>> {
        static PARSED: OnceLock<Vec<Option<Arc<Value>>>> = OnceLock::new();
        let parsed = PARSED.get_or_init(|| {
            BUNDLED
                .iter()
                .map(|c| serde_json::from_str::<Value>(c.body).ok().map(Arc::new))
                .collect()
        });
        let i = BUNDLED.iter().position(|c| c.url == self.url)?;
        parsed.get(i)?.clone()
    }

    /// SHA-256 of the document, lowercase hex.
    pub fn sha256_hex(&self) -> String {
        Sha256::digest(self.body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

static BUNDLED: [BundledContext; 17] = [
    BundledContext {
        url: VC_V2,
        body: include_str!("../contexts/credentials-v2.jsonld"),
        production: true,
    },
    BundledContext {
        url: OB_V3P0,
        body: include_str!("../contexts/ob-v3p0-context-3.0.3.json"),
        production: true,
    },
    BundledContext {
        url: MICROCRED_V1,
        body: include_str!("../contexts/microcredential-v1.jsonld"),
        production: true,
    },
    BundledContext {
        url: VC_EXAMPLES_V2,
        body: include_str!("../contexts/credentials-examples-v2.jsonld"),
        production: false,
    },
    BundledContext {
        url: CITIZENSHIP_V4RC1,
        body: include_str!("../contexts/citizenship-v4rc1.jsonld"),
        production: false,
    },
    // Published contexts of credentials issued elsewhere (provenance and
    // digests in contexts/README.md).
    BundledContext {
        url: VC_V1,
        body: include_str!("../contexts/credentials-v1.jsonld"),
        production: true,
    },
    BundledContext {
        url: ED25519_2020_V1,
        body: include_str!("../contexts/ed25519-signature-2020-v1.jsonld"),
        production: true,
    },
    BundledContext {
        url: DATA_INTEGRITY_V1,
        body: include_str!("../contexts/data-integrity-v1.jsonld"),
        production: true,
    },
    BundledContext {
        url: DATA_INTEGRITY_V2,
        body: include_str!("../contexts/data-integrity-v2.jsonld"),
        production: true,
    },
    BundledContext {
        url: DID_V1,
        body: include_str!("../contexts/did-v1.jsonld"),
        production: true,
    },
    BundledContext {
        url: STATUS_LIST_2021_V1,
        body: include_str!("../contexts/status-list-2021-v1.jsonld"),
        production: true,
    },
    BundledContext {
        url: OB_V3P0_3_0_0,
        body: include_str!("../contexts/ob-v3p0-context-3.0.0.json"),
        production: true,
    },
    BundledContext {
        url: OB_V3P0_3_0_1,
        body: include_str!("../contexts/ob-v3p0-context-3.0.1.json"),
        production: true,
    },
    BundledContext {
        url: OB_V3P0_3_0_2,
        body: include_str!("../contexts/ob-v3p0-context-3.0.2.json"),
        production: true,
    },
    BundledContext {
        url: OB_V3P0_EXTENSIONS,
        body: include_str!("../contexts/ob-v3p0-extensions.json"),
        production: true,
    },
    BundledContext {
        url: CLR_V2P0,
        body: include_str!("../contexts/clr-v2p0-context.json"),
        production: true,
    },
    BundledContext {
        url: CLR_V2P0_2_0_1,
        body: include_str!("../contexts/clr-v2p0-context-2.0.1.json"),
        production: true,
    },
];

/// Every bundled context.
pub fn bundled() -> &'static [BundledContext] {
    &BUNDLED
}

/// The bundled context for a URL, if there is one.
pub fn get(url: &str) -> Option<&'static BundledContext> {
    BUNDLED.iter().find(|c| c.url == url)
}

/// Why a supplied context document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SupplyError {
    /// The URL is not an absolute IRI (`@context` entries are matched by absolute URL).
    #[error("context URL {url:?} is not an absolute URL")]
    NotAnAbsoluteUrl {
        /// The URL given.
        url: String,
    },
    /// The document is not strict JSON.
    #[error("context {url:?}: {source}")]
    Json {
        /// The URL it was supplied for.
        url: String,
        /// The parse error.
        #[source]
        source: crate::json::JsonError,
    },
    /// The document is not a JSON-LD context document (an object with `@context`).
    #[error(
        "context {url:?}: the document is not a JSON-LD context document (an object with an @context member)"
    )]
    NotAContextDocument {
        /// The URL it was supplied for.
        url: String,
    },
    /// The URL is bundled and the document differs from the bundled one.
    #[error(
        "context {url:?} is bundled with microcred and the supplied document differs from it; a different document under that URL would change what credentials signed with it mean, so it is refused"
    )]
    DiffersFromBundled {
        /// The URL.
        url: String,
    },
    /// The URL was already supplied with a different document.
    #[error("context {url:?} was already supplied with a different document")]
    DiffersFromSupplied {
        /// The URL.
        url: String,
    },
}

type Supplied = RwLock<HashMap<String, Arc<Value>>>;

fn supplied_map() -> &'static Supplied {
    static SUPPLIED: OnceLock<Supplied> = OnceLock::new();
    SUPPLIED.get_or_init(Supplied::default)
}

/// Makes `body` the context document served for `url` to the JSON-LD
/// processor (`eddsa-rdfc-2022`, `Ed25519Signature2020`), for the rest of the
/// process. Nothing is fetched: the caller read `body` from a file the user
/// named.
///
/// A document equal (as JSON) to the bundled or already supplied one for the
/// same URL is accepted and changes nothing; a different one is refused.
///
/// # Errors
/// [`SupplyError`] naming the URL and what is wrong.
pub fn supply(url: &str, body: &[u8]) -> Result<(), SupplyError> {
    if !crate::issuance::is_url(url) {
        return Err(SupplyError::NotAnAbsoluteUrl {
            url: url.to_owned(),
        });
    }
    let doc = crate::json::parse(body).map_err(|source| SupplyError::Json {
        url: url.to_owned(),
        source,
    })?;
    if !doc.as_object().is_some_and(|m| m.contains_key("@context")) {
        return Err(SupplyError::NotAContextDocument {
            url: url.to_owned(),
        });
    }
    if let Some(bundled) = get(url) {
        let same = bundled.document().is_some_and(|b| *b == doc);
        return if same {
            Ok(())
        } else {
            Err(SupplyError::DiffersFromBundled {
                url: url.to_owned(),
            })
        };
    }
    // A poisoned lock (a panic elsewhere while holding it) is recovered: the
    // map is only ever inserted into, so it is never half-updated.
    let mut map = supplied_map()
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match map.get(url) {
        Some(existing) if **existing == doc => Ok(()),
        Some(_) => Err(SupplyError::DiffersFromSupplied {
            url: url.to_owned(),
        }),
        None => {
            map.insert(url.to_owned(), Arc::new(doc));
            Ok(())
        }
    }
}

/// The supplied context document for `url`, if one was supplied.
pub fn supplied(url: &str) -> Option<Arc<Value>> {
    supplied_map()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(url)
        .cloned()
}

/// The URLs of the supplied contexts, sorted.
pub fn supplied_urls() -> Vec<String> {
    let mut urls: Vec<String> = supplied_map()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .keys()
        .cloned()
        .collect();
    urls.sort();
    urls
}

/// Whether `url` is bundled or supplied (a JSON-LD processor here can read it).
pub fn is_known(url: &str) -> bool {
    get(url).is_some() || supplied(url).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_hashes_of_published_contexts() {
        // Values from tests/vectors/contexts/README.md (the published files' digests).
        assert_eq!(
            get(VC_V2).unwrap().sha256_hex(),
            "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
        );
        assert_eq!(
            get(OB_V3P0).unwrap().sha256_hex(),
            "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
        );
        assert_eq!(
            get(CITIZENSHIP_V4RC1).unwrap().sha256_hex(),
            "5038c7383afd7ab2158f1b997913a8f60978a0abcf96e0b0d08e29f146d2db1e"
        );
        // Published documents bundled byte for byte (contexts/README.md says from where).
        for (url, sha256) in [
            (
                VC_V1,
                "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc",
            ),
            (
                ED25519_2020_V1,
                "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
            ),
            (
                DATA_INTEGRITY_V1,
                "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
            ),
            (
                DATA_INTEGRITY_V2,
                "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
            ),
            (
                DID_V1,
                "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
            ),
            (
                STATUS_LIST_2021_V1,
                "634d71c159289f068c96012e4511c657fdf82ac4231900081bda3ba24e2e1160",
            ),
            (
                OB_V3P0_3_0_0,
                "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
            ),
            (
                OB_V3P0_3_0_1,
                "d582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355",
            ),
            (
                OB_V3P0_3_0_2,
                "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53",
            ),
            (
                OB_V3P0_EXTENSIONS,
                "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
            ),
            (
                CLR_V2P0,
                "e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167",
            ),
            (
                CLR_V2P0_2_0_1,
                "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6",
            ),
        ] {
            assert_eq!(get(url).unwrap().sha256_hex(), sha256, "{url}");
        }
        assert!(get("https://example.org/unknown").is_none());
        for c in bundled() {
            assert!(crate::json::parse(c.body.as_bytes()).is_ok(), "{}", c.url);
        }
    }

    #[test]
    fn supplied_contexts_never_replace_bundled_ones() {
        // The bundled document itself (as JSON: whitespace aside) is accepted.
        let v1 = get(VC_V1).unwrap().body;
        let compact = serde_json::to_vec(&serde_json::from_str::<Value>(v1).unwrap()).unwrap();
        assert_eq!(supply(VC_V1, &compact), Ok(()));
        assert!(supplied(VC_V1).is_none());
        // Another document under a bundled URL is refused.
        let fake = br#"{"@context": {"issuanceDate": "https://evil.example/date"}}"#;
        assert!(matches!(
            supply(VC_V1, fake),
            Err(SupplyError::DiffersFromBundled { .. })
        ));
        // A new URL: supplied once; again with the same document, fine; with another, refused.
        let url = "https://example.org/contexts/supply-test-v1";
        let doc = br#"{"@context": {"supplyTerm": "https://example.org/vocab#supplyTerm"}}"#;
        assert_eq!(supply(url, doc), Ok(()));
        assert!(is_known(url) && supplied_urls().contains(&url.to_owned()));
        assert_eq!(supply(url, doc), Ok(()));
        assert!(matches!(
            supply(url, fake),
            Err(SupplyError::DiffersFromSupplied { .. })
        ));
        assert!(matches!(
            supply("not a url", doc),
            Err(SupplyError::NotAnAbsoluteUrl { .. })
        ));
        assert!(matches!(
            supply("https://example.org/x", b"[1]"),
            Err(SupplyError::NotAContextDocument { .. })
        ));
        assert!(matches!(
            supply("https://example.org/x", b"{\"a\": 1, \"a\": 2}"),
            Err(SupplyError::Json { .. })
        ));
    }
}
