//! JSON-LD contexts bundled with the toolkit. They are matched by URL and
//! never fetched: a verifier works offline, and a context fetched at
//! verification time could change what a signed credential means.

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
    /// SHA-256 of the document, lowercase hex.
    pub fn sha256_hex(&self) -> String {
        Sha256::digest(self.body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

static BUNDLED: [BundledContext; 5] = [
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
];

/// Every bundled context.
pub fn bundled() -> &'static [BundledContext] {
    &BUNDLED
}

/// The bundled context for a URL, if there is one.
pub fn get(url: &str) -> Option<&'static BundledContext> {
    BUNDLED.iter().find(|c| c.url == url)
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
        assert!(get("https://example.org/unknown").is_none());
        for c in bundled() {
            assert!(crate::json::parse(c.body.as_bytes()).is_ok(), "{}", c.url);
        }
    }
}
