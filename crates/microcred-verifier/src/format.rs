//! Credential formats this verifier recognises: VC-JWT (read by
//! [`crate::jwt`]), and those it does not read: SD-JWT, JOSE and COSE envelopes, European Digital Credentials (XML, or
//! sealed with JAdES) and Blockcerts. Each is named, so that a reader learns
//! what the file is and that it cannot be checked here (exit 2), rather than
//! the JSON parser's "unexpected 'e'" or a verdict of "not signed".
//!
//! [`sniff_bytes`] runs before the strict JSON parse and looks only at the
//! first bytes of anything that starts with `{` (so it costs nothing for a
//! credential); [`sniff_json`] looks at the top-level members of a parsed
//! object. [`document`] sends a VC-JWT to its reader; a reader for another of
//! these formats would hook in there too (`Verifier::verify_bytes` and the
//! bulk driver's reading of each file call it).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use microcred_core::Value;
use serde::Serialize;
use serde_json::Map;

/// A format recognised and not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Foreign {
    /// A VC-JWT: a credential as a compact JWS (`eyJ….eyJ….…`). Named by
    /// [`sniff_bytes`]; [`document`] hands it to its reader ([`crate::jwt`])
    /// instead of refusing it.
    VcJwt,
    /// An SD-JWT (selective disclosure): a JWS followed by `~`-separated disclosures.
    SdJwt,
    /// A compact JWE (`eyJ…` in five parts): an encrypted token.
    Jwe,
    /// A JWS in the JOSE JSON serialization (`payload` with `signatures` or `signature`).
    JoseJson,
    /// A JAdES signature (the JOSE JSON serialization with ETSI's JAdES header
    /// members), the e-seal of European Digital Credentials.
    Jades,
    /// CBOR data: a COSE signature (e.g. `COSE_Sign1`) or an ISO mdoc.
    Cose,
    /// A European Digital Credential (Europass EDC) as XML.
    EdcXml,
    /// A European Digital Credential as JSON-LD (its seal is a JAdES signature).
    EdcJson,
    /// An XML document of another kind (e.g. an XAdES-signed credential).
    Xml,
    /// A Blockcerts certificate (MerkleProof2017/2019 anchored on a blockchain).
    Blockcerts,
    /// A PNG or SVG image with no Open Badges 3.0 credential baked in (or one
    /// baked otherwise than Open Badges 3.0 says: compressed, truncated).
    BakedImage,
    /// An Open Badges 2.0 badge (a hosted or signed assertion, not a W3C
    /// Verifiable Credential).
    OpenBadges2,
}

impl Foreign {
    /// Stable identifier, as in the `--json` line's `format.id`.
    pub fn id(self) -> &'static str {
        match self {
            Self::VcJwt => "vc-jwt",
            Self::SdJwt => "sd-jwt",
            Self::Jwe => "jwe",
            Self::JoseJson => "jose-json",
            Self::Jades => "jades",
            Self::Cose => "cose",
            Self::EdcXml => "edc-xml",
            Self::EdcJson => "edc-json",
            Self::Xml => "xml",
            Self::Blockcerts => "blockcerts",
            Self::BakedImage => "image",
            Self::OpenBadges2 => "open-badges-2",
        }
    }

    /// What the file is, in words.
    pub fn name(self) -> &'static str {
        match self {
            Self::VcJwt => "a VC-JWT (a credential as a compact JSON Web Signature, \"eyJ…\")",
            Self::SdJwt => "an SD-JWT (a JSON Web Token with selective disclosures, \"…~…~\")",
            Self::Jwe => "a JWE (an encrypted JSON Web Token)",
            Self::JoseJson => "a JSON Web Signature in the JOSE JSON serialization",
            Self::Jades => "a JAdES-signed document (the e-seal of European Digital Credentials)",
            Self::Cose => "CBOR data: a COSE signature (COSE_Sign1, COSE_Sign) or an ISO mdoc",
            Self::EdcXml => "a European Digital Credential (Europass EDC) in XML",
            Self::EdcJson => "a European Digital Credential (Europass EDC) in JSON-LD",
            Self::Xml => "an XML document",
            Self::Blockcerts => "a Blockcerts certificate (a MerkleProof anchored on a blockchain)",
            Self::BakedImage => {
                "an image (PNG or SVG) with no Open Badges 3.0 credential baked in as Open Badges 3.0 bakes one"
            }
            Self::OpenBadges2 => {
                "an Open Badges 2.0 badge (an assertion, not a W3C Verifiable Credential)"
            }
        }
    }
}

impl core::fmt::Display for Foreign {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "this is {}: the format is not supported (this verifier reads W3C Verifiable \
             Credentials in JSON with Data Integrity proofs), so it could not be checked",
            self.name()
        )
    }
}

/// The `format` member of a `--json` error line: `{"id": …, "name": …}`.
impl Serialize for Foreign {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("Foreign", 2)?;
        st.serialize_field("id", self.id())?;
        st.serialize_field("name", self.name())?;
        st.end()
    }
}

/// What a file holds, for the reader that verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document<'a> {
    /// JSON for the strict JSON parse: the bytes themselves, or the credential
    /// taken out of a baked badge image.
    Json(std::borrow::Cow<'a, [u8]>),
    /// A VC-JWT (compact JWS) for [`crate::jwt`]: the token as it was given
    /// (possibly as a JSON string, possibly baked in an image).
    Jwt(std::borrow::Cow<'a, [u8]>),
}

/// What the bytes hold: the credential taken out of a baked badge image
/// ([`crate::baked`]), else the bytes themselves, as JSON or as a VC-JWT; a
/// format this verifier does not read (an image without a credential, then
/// anything else [`sniff_bytes`] names) is the error. Every entry point goes
/// through it (`Verifier::verify_bytes`, the bulk driver).
///
/// # Errors
/// The [`Foreign`] format the bytes, or the badge's baked content, are in.
pub fn document(bytes: &[u8]) -> Result<Document<'_>, Foreign> {
    use crate::baked::{Unbaked, unbake};
    use std::borrow::Cow;
    let doc = match unbake(bytes) {
        Unbaked::NotAnImage => Cow::Borrowed(bytes),
        Unbaked::Credential(credential) => Cow::Owned(credential),
        Unbaked::Foreign(format) => return Err(format),
    };
    match sniff_bytes(&doc) {
        Some(Foreign::VcJwt) => Ok(Document::Jwt(doc)),
        Some(format) => Err(format),
        None => Ok(Document::Json(doc)),
    }
}

/// Recognises a format from its first bytes, before the JSON parse. `None`
/// for anything that may be a JSON credential (a document starting with `{`
/// is left to [`sniff_json`]) and for what it does not know (the JSON parser
/// then names the problem).
pub fn sniff_bytes(bytes: &[u8]) -> Option<Foreign> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let text = bytes.get(start..).unwrap_or_default();
    match text.first()? {
        b'{' | b'[' => None,
        b'<' => Some(xml(text)),
        // XML with a byte order mark.
        0xEF if text.get(3) == Some(&b'<') && text.starts_with(&[0xEF, 0xBB, 0xBF]) => {
            Some(xml(text))
        }
        b'e' => token(text),
        // A token given as a JSON string.
        b'"' => {
            let inner = text.trim_ascii_end();
            token(inner.strip_prefix(b"\"")?.strip_suffix(b"\"")?)
        }
        _ => cbor(text),
    }
}

/// XML: a European Digital Credential when its namespaces say so.
fn xml(text: &[u8]) -> Foreign {
    // The root element and its namespaces come first.
    let head = String::from_utf8_lossy(text.get(..text.len().min(8192)).unwrap_or_default())
        .to_ascii_lowercase();
    if [
        "europass",
        "europeandigitalcredential",
        "data.europa.eu/snb",
    ]
    .iter()
    .any(|m| head.contains(m))
    {
        Foreign::EdcXml
    } else {
        Foreign::Xml
    }
}

/// A compact JWS or JWE (`eyJ…`, base64url parts separated by dots), or an
/// SD-JWT (a JWS followed by `~`-separated disclosures).
fn token(text: &[u8]) -> Option<Foreign> {
    let text = text.trim_ascii_end();
    if !text.starts_with(b"eyJ")
        || !text
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    {
        return None;
    }
    let (jwt, disclosures) = match text.iter().position(|b| *b == b'~') {
        Some(i) => (text.get(..i).unwrap_or_default(), true),
        None => (text, false),
    };
    match (jwt.iter().filter(|b| **b == b'.').count(), disclosures) {
        (2, true) => Some(Foreign::SdJwt),
        (2, false) => Some(Foreign::VcJwt),
        (4, false) => Some(Foreign::Jwe),
        _ => None,
    }
}

/// CBOR that starts as COSE and mdoc data does: a COSE tag (18 `COSE_Sign1`,
/// 98 `COSE_Sign`, 17 `COSE_Mac0`), the self-described CBOR tag 55799, tag 24
/// (encoded CBOR, as mdocs carry), or an untagged `COSE_Sign1` (an array of
/// four whose first item is a byte string).
fn cbor(text: &[u8]) -> Option<Foreign> {
    let cose = matches!(
        text,
        [0xD1 | 0xD2, ..]
            | [0xD8, 0x11 | 0x12 | 0x18 | 0x62, ..]
            | [0xD9, 0xD9, 0xF7, ..]
            | [0x84, 0x40..=0x5B, ..]
    );
    cose.then_some(Foreign::Cose)
}

/// JAdES header members (ETSI TS 119 182-1): present in a JAdES signature's
/// protected or unprotected header, absent from plain JWS.
const JADES_MEMBERS: [&str; 8] = [
    "sigT", "sigD", "sigX5ts", "srCms", "sigPl", "srAts", "sigPId", "etsiU",
];

/// Recognises a parsed JSON object that is not a Data Integrity credential:
/// a JOSE JSON serialization (JAdES when its headers say so), a European
/// Digital Credential in JSON-LD without a proof, a Blockcerts certificate.
/// `None` for anything else, credentials included, and for any document with
/// a proof of another type than Blockcerts' (so that a document one of whose
/// proofs verifies is never refused here).
pub fn sniff_json(doc: &Value) -> Option<Foreign> {
    let obj = doc.as_object()?;
    let merkle = |t: &str| t.starts_with("MerkleProof") || t.starts_with("Chainpoint");
    let proof = obj.get("proof");
    if proof_types(proof).any(|t| !merkle(t)) {
        return None;
    }
    let signatures: Vec<&Map<String, Value>> = match obj.get("signatures") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        _ if obj.get("signature").is_some_and(Value::is_string) => vec![obj],
        _ => Vec::new(),
    };
    if !signatures.is_empty()
        && proof.is_none()
        && !obj.contains_key("@context")
        && (obj.contains_key("payload") || signatures.iter().any(|s| s.contains_key("protected")))
    {
        return Some(if signatures.iter().any(|s| jades_header(s)) {
            Foreign::Jades
        } else {
            Foreign::JoseJson
        });
    }
    if contexts(obj).any(|c| c.contains("w3id.org/blockcerts"))
        || proof_types(obj.get("signature")).any(|t| t.starts_with("MerkleProof"))
        || proof_types(proof).any(merkle)
    {
        return Some(Foreign::Blockcerts);
    }
    if proof.is_none() && contexts(obj).any(|c| c.contains("data.europa.eu/snb")) {
        return Some(Foreign::EdcJson);
    }
    None
}

/// Whether a JWS signature object's headers carry JAdES members.
fn jades_header(signature: &Map<String, Value>) -> bool {
    let unprotected = signature
        .get("header")
        .and_then(Value::as_object)
        .is_some_and(|h| JADES_MEMBERS.iter().any(|m| h.contains_key(*m)));
    let protected = signature
        .get("protected")
        .and_then(Value::as_str)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
        .is_some_and(|h| JADES_MEMBERS.iter().any(|m| h.contains_key(*m)));
    unprotected || protected
}

/// The strings of `@context`.
fn contexts(obj: &Map<String, Value>) -> impl Iterator<Item = &str> {
    let list: &[Value] = match obj.get("@context") {
        Some(Value::Array(a)) => a,
        Some(v @ Value::String(_)) => core::slice::from_ref(v),
        _ => &[],
    };
    list.iter().filter_map(Value::as_str)
}

/// The `type` strings of a proof (or signature) member: an object or an array
/// of objects, whose `type` is a string or an array of strings.
fn proof_types(member: Option<&Value>) -> impl Iterator<Item = &str> {
    let proofs: &[Value] = match member {
        Some(Value::Array(a)) => a,
        Some(v @ Value::Object(_)) => core::slice::from_ref(v),
        _ => &[],
    };
    proofs
        .iter()
        .filter_map(|p| p.get("type"))
        .flat_map(|t| match t {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .filter_map(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JWS: &str = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl";

    #[test]
    fn tokens_xml_and_cbor_are_named_before_the_json_parse() {
        assert_eq!(sniff_bytes(JWS.as_bytes()), Some(Foreign::VcJwt));
        assert_eq!(
            sniff_bytes(format!("  {JWS}\n").as_bytes()),
            Some(Foreign::VcJwt)
        );
        assert_eq!(
            sniff_bytes(format!("\"{JWS}\"").as_bytes()),
            Some(Foreign::VcJwt)
        );
        assert_eq!(
            sniff_bytes(format!("{JWS}~WyJzYWx0IiwibmFtZSIsIkFkYSJd~").as_bytes()),
            Some(Foreign::SdJwt)
        );
        assert_eq!(
            sniff_bytes(b"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"),
            Some(Foreign::Jwe)
        );
        assert_eq!(
            sniff_bytes(
                b"<?xml version=\"1.0\"?><europassCredential xmlns=\"http://data.europa.eu/snb\"/>"
            ),
            Some(Foreign::EdcXml)
        );
        assert_eq!(sniff_bytes(b"<html></html>"), Some(Foreign::Xml));
        assert_eq!(sniff_bytes(&[0xD2, 0x84, 0x43]), Some(Foreign::Cose));
        assert_eq!(sniff_bytes(&[0xD9, 0xD9, 0xF7, 0xA1]), Some(Foreign::Cose));
        // JSON, and what the JSON parser should name itself.
        for json_like in [
            &b"{\"a\":1}"[..],
            b" [1]",
            b"",
            b"eyJ not a token",
            b"\xEF\xBB\xBF{}",
            b"nan",
        ] {
            assert_eq!(sniff_bytes(json_like), None, "{json_like:?}");
        }
    }

    #[test]
    fn json_envelopes_and_blockcerts_are_named_after_the_parse() {
        let protected = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA"}"#);
        let jades = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","sigT":"2025-03-01T00:00:00Z"}"#);
        let jose = json!({"payload": "eyJ9", "signatures": [{"protected": protected, "signature": "c2ln"}]});
        assert_eq!(sniff_json(&jose), Some(Foreign::JoseJson));
        let flat = json!({"payload": "eyJ9", "protected": protected, "signature": "c2ln"});
        assert_eq!(sniff_json(&flat), Some(Foreign::JoseJson));
        let sealed =
            json!({"payload": "eyJ9", "signatures": [{"protected": jades, "signature": "c2ln"}]});
        assert_eq!(sniff_json(&sealed), Some(Foreign::Jades));
        let v2 = json!({
            "@context": ["https://w3id.org/openbadges/v2", "https://w3id.org/blockcerts/v2"],
            "type": "Assertion",
            "signature": {"type": ["MerkleProof2017", "Extension"], "merkleRoot": "ab"}
        });
        assert_eq!(sniff_json(&v2), Some(Foreign::Blockcerts));
        let v3 = json!({
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "proof": {"type": "MerkleProof2019", "proofValue": "z"}
        });
        assert_eq!(sniff_json(&v3), Some(Foreign::Blockcerts));
        let edc = json!({"@context": "http://data.europa.eu/snb/model/context/edc-ap", "type": "VerifiableCredential"});
        assert_eq!(sniff_json(&edc), Some(Foreign::EdcJson));
        let credential = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022"}
        });
        assert_eq!(sniff_json(&credential), None);
        assert_eq!(sniff_json(&json!({})), None);
    }
}
