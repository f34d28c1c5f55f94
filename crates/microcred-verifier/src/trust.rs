//! The offline trust list: which issuers a verifier trusts, under what
//! display names and accreditations, and the DID documents of `did:web`
//! issuers so that their keys resolve with no network. The format is
//! documented in `docs/trust-list.md`.
//!
//! A [`TrustList`] is also a [`KeyResolver`]: `did:key` verification methods
//! resolve from the key itself, `did:web` ones from the DID documents the list
//! carries (and only from those: the verifier never fetches `did.json`).

use ed25519_dalek::VerifyingKey;
use microcred_core::did_key::{self, DidKeyError};
use microcred_core::proof::{DidKeyResolver, KeyResolver, ResolveError, ResolvedMethod};
use microcred_core::{Value, datetime, json};
use serde::Deserialize;
use time::OffsetDateTime;

/// The `type` a trust list file declares.
pub const TRUST_LIST_TYPE: &str = "MicrocredTrustList";

/// The `did:web:` method prefix.
pub const DID_WEB_PREFIX: &str = "did:web:";

/// Verification relationships a DID document may list keys under.
const RELATIONSHIPS: [&str; 5] = [
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
];

/// Why a trust list file is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// Not strict JSON.
    #[error(transparent)]
    Json(#[from] json::JsonError),
    /// A member is missing, unknown, of the wrong type or has a wrong value.
    #[error("{path}: {problem}")]
    Invalid {
        /// JSON path of the member, e.g. `issuers[1].didDocument.id`.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
}

fn invalid(path: impl Into<String>, problem: impl Into<String>) -> TrustListError {
    TrustListError::Invalid {
        path: path.into(),
        problem: problem.into(),
    }
}

/// An accreditation or membership of an issuer (e.g. "member of the European
/// MOOC Consortium"), as the trust list's maintainer recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Accreditation {
    /// What the accreditation is, in words.
    pub name: String,
    /// A URL identifying the accreditation or the body's register entry.
    #[serde(default)]
    pub id: Option<String>,
    /// The accrediting body.
    #[serde(default)]
    pub body: Option<String>,
    /// Since when it holds (RFC 3339).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Until when it holds (RFC 3339); afterwards the report shows it as lapsed.
    #[serde(default)]
    pub valid_until: Option<String>,
}

impl Accreditation {
    /// Whether the accreditation holds at `at` (dates were checked on load).
    pub fn holds_at(&self, at: OffsetDateTime) -> bool {
        let after_start = self
            .valid_from
            .as_deref()
            .and_then(|s| datetime::parse(s).ok())
            .is_none_or(|f| at >= f);
        let before_end = self
            .valid_until
            .as_deref()
            .and_then(|s| datetime::parse(s).ok())
            .is_none_or(|u| at <= u);
        after_start && before_end
    }
}

/// A verification method of a DID document in the trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Method {
    /// Absolute id, `did:web:host#key-1`.
    id: String,
    /// `Ok(key)` for a usable Multikey Ed25519 key, `Err(why)` otherwise.
    key: Result<VerifyingKey, String>,
    /// Relationships it is listed under.
    relationships: Vec<String>,
}

/// A DID document (of a `did:web` issuer) carried in the trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DidDocument {
    id: String,
    methods: Vec<Method>,
}

impl DidDocument {
    /// The DID the document is about.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Ids of the verification methods whose key this verifier can use.
    pub fn usable_methods(&self) -> impl Iterator<Item = &str> {
        self.methods
            .iter()
            .filter(|m| m.key.is_ok())
            .map(|m| m.id.as_str())
    }

    /// Reads a DID document; `path` names it in errors.
    fn from_json(doc: &Value, expected_id: &str, path: &str) -> Result<Self, TrustListError> {
        let obj = doc
            .as_object()
            .ok_or_else(|| invalid(path, "must be a DID document (a JSON object)"))?;
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("{path}.id"), "missing or not a string"))?;
        if id != expected_id {
            return Err(invalid(
                format!("{path}.id"),
                format!("{id:?} is not the issuer's id {expected_id:?}"),
            ));
        }
        let absolute = |r: &str| {
            if r.starts_with('#') {
                format!("{id}{r}")
            } else {
                r.to_owned()
            }
        };
        let mut methods = Vec::new();
        let vms = match obj.get("verificationMethod") {
            None => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => {
                return Err(invalid(
                    format!("{path}.verificationMethod"),
                    "must be an array",
                ));
            }
        };
        for (i, vm) in vms.iter().enumerate() {
            let p = format!("{path}.verificationMethod[{i}]");
            methods.push(method(vm, id, &p, &absolute)?);
        }
        for rel in RELATIONSHIPS {
            let entries = match obj.get(rel) {
                None => continue,
                Some(Value::Array(a)) => a,
                Some(_) => return Err(invalid(format!("{path}.{rel}"), "must be an array")),
            };
            for (i, entry) in entries.iter().enumerate() {
                let p = format!("{path}.{rel}[{i}]");
                match entry {
                    Value::String(r) => {
                        let target = absolute(r);
                        let m = methods.iter_mut().find(|m| m.id == target).ok_or_else(|| {
                            invalid(&p, format!("{r:?} names no verificationMethod"))
                        })?;
                        m.relationships.push(rel.to_owned());
                    }
                    Value::Object(_) => {
                        // An embedded method serves this relationship only.
                        let mut m = method(entry, id, &p, &absolute)?;
                        m.relationships.push(rel.to_owned());
                        methods.push(m);
                    }
                    _ => {
                        return Err(invalid(
                            p,
                            "must be a verification method id or an embedded method",
                        ));
                    }
                }
            }
        }
        Ok(Self {
            id: id.to_owned(),
            methods,
        })
    }

    fn resolve(&self, vm: &str) -> Result<ResolvedMethod, ResolveError> {
        // A method may be listed twice (declared and embedded): gather its relationships.
        let mut found = self.methods.iter().filter(|m| m.id == vm).peekable();
        let first = found.peek().copied().ok_or(ResolveError::NotFound)?;
        let key = first
            .key
            .clone()
            .map_err(|reason| ResolveError::KeyMaterial { reason })?;
        let relationships = found.flat_map(|m| m.relationships.clone()).collect();
        Ok(ResolvedMethod {
            controller: self.id.clone(),
            public_key: key,
            relationships,
        })
    }
}

fn method(
    vm: &Value,
    did: &str,
    path: &str,
    absolute: &dyn Fn(&str) -> String,
) -> Result<Method, TrustListError> {
    let obj = vm
        .as_object()
        .ok_or_else(|| invalid(path, "must be a verification method (a JSON object)"))?;
    let s = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("{path}.{k}"), "missing or not a string"))
    };
    let id = absolute(s("id")?);
    if !id.starts_with(&format!("{did}#")) {
        return Err(invalid(
            format!("{path}.id"),
            format!("{id:?} is not a fragment of {did:?}"),
        ));
    }
    let controller = s("controller")?;
    if controller != did {
        return Err(invalid(
            format!("{path}.controller"),
            format!("{controller:?} is not the document's DID {did:?}"),
        ));
    }
    let ty = s("type")?;
    let key = if ty == "Multikey" {
        let mb = s("publicKeyMultibase")?;
        Ok(did_key::decode_multikey(mb).map_err(|e: DidKeyError| {
            invalid(format!("{path}.publicKeyMultibase"), e.to_string())
        })?)
    } else {
        // Kept (so that relationships naming it resolve) but unusable.
        Err(format!(
            "verification method type {ty:?} is not supported (Multikey Ed25519 keys only)"
        ))
    };
    Ok(Method {
        id,
        key,
        relationships: Vec::new(),
    })
}

/// An issuer the verifier trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// The issuer's DID (or URL), exactly as credentials name it in `issuer`.
    pub id: String,
    /// Display name: the name the trust list's maintainer vouches for.
    pub name: String,
    /// ISO 3166-1 alpha-2 country, if given.
    pub country: Option<String>,
    /// The issuer's web site, if given.
    pub url: Option<String>,
    /// Accreditations and memberships.
    pub accreditations: Vec<Accreditation>,
    /// The DID document of a `did:web` issuer.
    pub did_document: Option<DidDocument>,
}

/// The file format, as deserialized (before checks that need paths of their own).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TrustListFile {
    #[serde(rename = "type")]
    kind: String,
    version: u32,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    issuers: Vec<IssuerFile>,
    #[serde(default)]
    contexts: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct IssuerFile {
    id: String,
    name: String,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    accreditations: Vec<Accreditation>,
    #[serde(default)]
    did_document: Option<Value>,
}

/// An offline trust list (`--trust FILE`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustList {
    /// The list's name (whose list it is).
    pub name: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// When its maintainer last updated it (RFC 3339).
    pub updated: Option<String>,
    /// The trusted issuers.
    pub issuers: Vec<TrustedIssuer>,
    /// JSON-LD contexts the list carries (`contexts`), in file order; the
    /// binaries supply them with [`crate::contexts::supply_listed`].
    pub contexts: Vec<ListedContext>,
}

/// A JSON-LD context a trust list carries, for credentials whose contexts
/// nobody bundles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedContext {
    /// The URL credentials name it by.
    pub url: String,
    /// Where its document is.
    pub source: ContextSource,
}

/// Where a listed context's document is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextSource {
    /// A file, relative to the trust list's directory unless absolute.
    File(String),
    /// The document itself (an object with `@context`), inline.
    Inline(Value),
}

impl TrustList {
    /// Reads a trust list file (strict JSON; format in `docs/trust-list.md`).
    ///
    /// # Errors
    /// [`TrustListError`] naming the JSON path of what is wrong: unknown or
    /// missing members, a duplicate issuer, a malformed date, a DID document
    /// whose id is not the issuer's or whose key does not decode.
    pub fn from_json(bytes: &[u8]) -> Result<Self, TrustListError> {
        let doc = json::parse(bytes)?;
        Self::from_value(&doc)
    }

    /// Reads a parsed trust list.
    ///
    /// # Errors
    /// As [`TrustList::from_json`].
    pub fn from_value(doc: &Value) -> Result<Self, TrustListError> {
        let file: TrustListFile = serde_path_to_error::deserialize(doc).map_err(|e| {
            let path = e.path().to_string();
            invalid(
                if path == "." {
                    "(document)".into()
                } else {
                    path
                },
                e.inner().to_string(),
            )
        })?;
        if file.kind != TRUST_LIST_TYPE {
            return Err(invalid(
                "type",
                format!("{:?} where {TRUST_LIST_TYPE:?} is required", file.kind),
            ));
        }
        if file.version != 1 {
            return Err(invalid(
                "version",
                format!(
                    "{} is not supported (this verifier reads version 1)",
                    file.version
                ),
            ));
        }
        check_date(file.updated.as_deref(), "updated")?;
        let mut issuers: Vec<TrustedIssuer> = Vec::with_capacity(file.issuers.len());
        for (i, f) in file.issuers.into_iter().enumerate() {
            let path = format!("issuers[{i}]");
            if f.id.is_empty() || !f.id.contains(':') {
                return Err(invalid(
                    format!("{path}.id"),
                    format!("{:?} is not a DID or URL", f.id),
                ));
            }
            if issuers.iter().any(|x| x.id == f.id) {
                return Err(invalid(
                    format!("{path}.id"),
                    format!("{:?} is listed twice", f.id),
                ));
            }
            if f.id.starts_with(did_key::DID_KEY_PREFIX) {
                did_key::DidKey::parse(&f.id)
                    .map_err(|e| invalid(format!("{path}.id"), e.to_string()))?;
            }
            for (j, a) in f.accreditations.iter().enumerate() {
                let p = format!("{path}.accreditations[{j}]");
                check_date(a.valid_from.as_deref(), &format!("{p}.validFrom"))?;
                check_date(a.valid_until.as_deref(), &format!("{p}.validUntil"))?;
            }
            let did_document = match &f.did_document {
                None => None,
                Some(d) => {
                    if !f.id.starts_with(DID_WEB_PREFIX) || f.id.len() == DID_WEB_PREFIX.len() {
                        return Err(invalid(
                            format!("{path}.didDocument"),
                            "only did:web issuers carry a DID document (did:key resolves from the key itself)",
                        ));
                    }
                    Some(DidDocument::from_json(
                        d,
                        &f.id,
                        &format!("{path}.didDocument"),
                    )?)
                }
            };
            issuers.push(TrustedIssuer {
                id: f.id,
                name: f.name,
                country: f.country,
                url: f.url,
                accreditations: f.accreditations,
                did_document,
            });
        }
        let mut contexts = Vec::with_capacity(file.contexts.len());
        for (url, v) in file.contexts {
            let path = format!("contexts[{url:?}]");
            if !url.split_once(':').is_some_and(|(scheme, rest)| {
                !scheme.is_empty() && !rest.is_empty() && !url.contains(char::is_whitespace)
            }) {
                return Err(invalid(path, "the key is not an absolute URL"));
            }
            let source = match v {
                Value::String(f) if !f.is_empty() => ContextSource::File(f),
                Value::Object(ref m) if m.contains_key("@context") => ContextSource::Inline(v),
                _ => {
                    return Err(invalid(
                        path,
                        "must be a file name (relative to the trust list) or a context document (an object with @context)",
                    ));
                }
            };
            contexts.push(ListedContext { url, source });
        }
        Ok(Self {
            name: file.name,
            description: file.description,
            updated: file.updated,
            issuers,
            contexts,
        })
    }

    /// The trusted issuer with this id, if listed.
    pub fn issuer(&self, id: &str) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| i.id == id)
    }

    fn did_document(&self, did: &str) -> Option<&DidDocument> {
        self.issuers
            .iter()
            .filter_map(|i| i.did_document.as_ref())
            .find(|d| d.id == did)
    }
}

fn check_date(v: Option<&str>, path: &str) -> Result<(), TrustListError> {
    if let Some(v) = v {
        datetime::parse(v).map_err(|e| invalid(path, e.to_string()))?;
    }
    Ok(())
}

impl KeyResolver for TrustList {
    fn resolve(&self, verification_method: &str) -> Result<ResolvedMethod, ResolveError> {
        if !verification_method.starts_with(DID_WEB_PREFIX) {
            return DidKeyResolver.resolve(verification_method);
        }
        let did = verification_method
            .split_once('#')
            .map_or(verification_method, |(d, _)| d);
        let doc = self
            .did_document(did)
            .ok_or_else(|| ResolveError::UnsupportedMethod {
                method: "did:web".into(),
            })?;
        doc.resolve(verification_method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7";

    fn list(doc: Value) -> Result<TrustList, TrustListError> {
        TrustList::from_value(&serde_json::json!({
            "type": "MicrocredTrustList",
            "version": 1,
            "issuers": [{"id": "did:web:uni.example", "name": "Uni", "didDocument": doc}]
        }))
    }

    fn doc() -> Value {
        serde_json::json!({
            "id": "did:web:uni.example",
            "verificationMethod": [{
                "id": "#key-1", "type": "Multikey",
                "controller": "did:web:uni.example", "publicKeyMultibase": KEY
            }],
            "assertionMethod": ["#key-1"],
            "authentication": ["did:web:uni.example#key-1"]
        })
    }

    #[test]
    fn resolves_did_web_from_the_document() {
        let l = list(doc()).unwrap();
        let r = l.resolve("did:web:uni.example#key-1").unwrap();
        assert_eq!(r.controller, "did:web:uni.example");
        assert_eq!(r.relationships, ["assertionMethod", "authentication"]);
        assert_eq!(
            l.resolve("did:web:uni.example#key-2"),
            Err(ResolveError::NotFound)
        );
        assert!(matches!(
            l.resolve("did:web:other.example#key-1"),
            Err(ResolveError::UnsupportedMethod { .. })
        ));
        // did:key still resolves.
        assert!(l.resolve(&format!("did:key:{KEY}#{KEY}")).is_ok());
    }

    #[test]
    fn a_method_in_no_relationship_is_authorized_for_nothing() {
        let mut d = doc();
        d.as_object_mut().unwrap().remove("assertionMethod");
        d.as_object_mut().unwrap().remove("authentication");
        let r = list(d)
            .unwrap()
            .resolve("did:web:uni.example#key-1")
            .unwrap();
        assert!(r.relationships.is_empty());
    }

    #[test]
    fn errors_name_the_path() {
        let mut d = doc();
        d["verificationMethod"][0]["publicKeyMultibase"] = "zBAD".into();
        let e = list(d).unwrap_err().to_string();
        assert!(
            e.starts_with("issuers[0].didDocument.verificationMethod[0].publicKeyMultibase:"),
            "{e}"
        );
        let mut d = doc();
        d["id"] = "did:web:evil.example".into();
        assert!(
            list(d)
                .unwrap_err()
                .to_string()
                .contains("is not the issuer's id")
        );
        let mut d = doc();
        d["assertionMethod"] = serde_json::json!(["#nope"]);
        assert!(list(d).unwrap_err().to_string().contains("names no"));
        let e = TrustList::from_value(&serde_json::json!({
            "type": "MicrocredTrustList", "version": 1,
            "issuers": [{"id": "did:web:a", "nmae": "x"}]
        }))
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("issuers[0]"), "{e}");
        assert!(e.contains("nmae"), "{e}");
    }

    #[test]
    fn accreditations_lapse() {
        let a = Accreditation {
            name: "member".into(),
            id: None,
            body: None,
            valid_from: None,
            valid_until: Some("2025-01-01T00:00:00Z".into()),
        };
        assert!(a.holds_at(datetime::parse("2024-06-01T00:00:00Z").unwrap()));
        assert!(!a.holds_at(datetime::parse("2025-06-01T00:00:00Z").unwrap()));
    }
}
