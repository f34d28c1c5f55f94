//! did:web identifiers for issuers (W3C CCG did:web method): the DID, the URL its DID
//! document is published at, and the document for one Multikey key.

use serde_json::{Value, json};

/// The fragment of the (single) key keygen writes.
pub const KEY_FRAGMENT: &str = "key-1";

/// A did:web DID and where its document lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DidWeb {
    /// `did:web:HOST[:PATH…]`.
    pub did: String,
    /// `https://HOST/.well-known/did.json` or `https://HOST/PATH…/did.json`.
    pub document_url: String,
}

/// Why a did:web identifier (as `--did-web` takes it) is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--did-web {input:?}: {problem}")]
pub struct DidWebError {
    /// What was given.
    pub input: String,
    /// The part that is not valid, and why.
    pub problem: String,
}

impl DidWeb {
    /// Parses the method-specific id `HOST[:PATH…]` (a leading `did:web:` is accepted):
    /// HOST a lower-case DNS name, optionally followed by a port written `%3A8443`;
    /// each colon-separated PATH segment non-empty, of URL-unreserved or %-encoded
    /// characters.
    ///
    /// # Errors
    /// A message naming the part that is not valid.
    pub fn parse(input: &str) -> Result<Self, DidWebError> {
        let bad = |problem: String| DidWebError {
            input: input.to_owned(),
            problem,
        };
        let id = input.strip_prefix("did:web:").unwrap_or(input);
        if id.contains("://") || id.contains('/') {
            return Err(bad(
                "give HOST[:PATH] with colons between path segments (e.g. uni.example or uni.example:registrar), not a URL".to_owned(),
            ));
        }
        let mut parts = id.split(':');
        let host_port = parts.next().unwrap_or_default();
        let (host, port) = match host_port.split_once("%3A") {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        };
        check_host(host).map_err(|why| bad(format!("host {why}")))?;
        if let Some(p) = port {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!("port {p:?} is not a number")));
            }
        }
        let segments: Vec<&str> = parts.collect();
        for seg in &segments {
            check_segment(seg).map_err(|why| bad(format!("path segment {why}")))?;
        }
        let authority = match port {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let document_url = if segments.is_empty() {
            format!("https://{authority}/.well-known/did.json")
        } else {
            format!("https://{authority}/{}/did.json", segments.join("/"))
        };
        Ok(Self {
            did: format!("did:web:{id}"),
            document_url,
        })
    }

    /// The verification-method id of the key keygen writes.
    pub fn key_id(&self) -> String {
        format!("{}#{KEY_FRAGMENT}", self.did)
    }

    /// The DID document: one Multikey verification method, usable to issue
    /// (`assertionMethod`) and to authenticate (`authentication`).
    pub fn document(&self, public_key_multibase: &str) -> Value {
        let vm = self.key_id();
        json!({
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1"
            ],
            "id": self.did,
            "verificationMethod": [{
                "id": vm,
                "type": "Multikey",
                "controller": self.did,
                "publicKeyMultibase": public_key_multibase,
            }],
            "assertionMethod": [vm],
            "authentication": [vm],
        })
    }
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("is empty".into());
    }
    if host.len() > 253 {
        return Err(format!("{host:?} is longer than 253 characters"));
    }
    for label in host.split('.') {
        let ok_chars = label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if label.is_empty()
            || label.len() > 63
            || !ok_chars
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(format!(
                "{host:?} is not a lower-case DNS name (labels of a-z, 0-9 and inner '-', separated by '.')"
            ));
        }
    }
    Ok(())
}

fn check_segment(seg: &str) -> Result<(), String> {
    if seg.is_empty() {
        return Err("is empty (two colons in a row, or a trailing colon)".into());
    }
    let b = seg.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Err(format!("{seg:?} has a '%' not followed by two hex digits"));
                }
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || b"-._~".contains(&c) => i += 1,
            _ => {
                return Err(format!(
                    "{seg:?} may hold only letters, digits, '-', '.', '_', '~' and %-escapes"
                ));
            }
        }
    }
    if seg == "." || seg == ".." {
        return Err(format!("{seg:?} is not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_did_web_spec() {
        let d = DidWeb::parse("uni.example").unwrap();
        assert_eq!(d.did, "did:web:uni.example");
        assert_eq!(d.document_url, "https://uni.example/.well-known/did.json");
        assert_eq!(d.key_id(), "did:web:uni.example#key-1");
        // The spec's examples.
        let d = DidWeb::parse("did:web:w3c-ccg.github.io:user:alice").unwrap();
        assert_eq!(
            d.document_url,
            "https://w3c-ccg.github.io/user/alice/did.json"
        );
        let d = DidWeb::parse("example.com%3A3000:user:alice").unwrap();
        assert_eq!(d.did, "did:web:example.com%3A3000:user:alice");
        assert_eq!(
            d.document_url,
            "https://example.com:3000/user/alice/did.json"
        );
    }

    #[test]
    fn bad_ids_are_named() {
        for (bad, says) in [
            ("https://uni.example", "not a URL"),
            ("uni.example/registrar", "not a URL"),
            ("", "host is empty"),
            ("Uni.Example", "lower-case DNS name"),
            ("uni..example", "lower-case DNS name"),
            ("-uni.example", "lower-case DNS name"),
            ("uni.example%3Ahttp", "port"),
            ("uni.example::x", "is empty"),
            ("uni.example:", "is empty"),
            ("uni.example:a b", "may hold only"),
            ("uni.example:%zz", "hex digits"),
            ("uni.example:..", "not allowed"),
        ] {
            let err = DidWeb::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }

    #[test]
    fn document_lists_the_key_for_both_relationships() {
        let d = DidWeb::parse("uni.example").unwrap();
        let doc = d.document("z6MkTest");
        assert_eq!(
            doc["verificationMethod"][0]["publicKeyMultibase"],
            "z6MkTest"
        );
        assert_eq!(doc["assertionMethod"][0], "did:web:uni.example#key-1");
        assert_eq!(doc["authentication"][0], "did:web:uni.example#key-1");
    }
}
