//! The offline trust list: which issuers a verifier trusts, under what
//! display names and accreditations, and the documents their ids resolve to
//! (the DID documents of `did:web` issuers, the profiles of `https` issuers)
//! so that their keys resolve with no network. The format is documented in
//! `docs/trust-list.md`.
//!
//! A [`TrustList`] is also a [`KeyResolver`]: `did:key` verification methods
//! resolve from the key itself, others from the documents the list carries
//! (and only from those: the verifier never fetches `did.json` or a profile).

use microcred_core::did_key::{self, DidKeyError};
use microcred_core::proof::{self, DidKeyResolver, KeyResolver, ResolveError, ResolvedMethod};
use microcred_core::public_key::{JwkError, PublicKey};
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

/// A verification method of a document in the trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Method {
    /// Absolute id, `did:web:host#key-1` or `https://host/profile#key-1`.
    id: String,
    /// `Ok(key)` for a usable key, `Err(why)` otherwise.
    key: Result<PublicKey, String>,
    /// Relationships it is listed under.
    relationships: Vec<String>,
    /// Its `publicKeyJwk` as written, for the keys only a VC-JWT reads
    /// (RSA): `crate::jwt` makes its own key of it.
    jwk: Option<serde_json::Map<String, Value>>,
}

/// The document an issuer's id resolves to, carried in the trust list: the
/// DID document of a `did:web` issuer, or the profile of an issuer whose id is
/// an `https` URL (Open Badges 3.0), with its `verificationMethod` and
/// `assertionMethod`.
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

    /// Reads a DID document, or an issuer profile when `profile`; `path`
    /// names it in errors.
    fn from_json(
        doc: &Value,
        expected_id: &str,
        path: &str,
        profile: bool,
    ) -> Result<Self, TrustListError> {
        let what = if profile {
            "an issuer profile"
        } else {
            "a DID document"
        };
        let obj = doc
            .as_object()
            .ok_or_else(|| invalid(path, format!("must be {what} (a JSON object)")))?;
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
            methods.push(method(vm, id, &p, &absolute, profile)?);
        }
        // An Open Badges profile often lists its keys only under
        // verificationMethod: they are then its keys for issuing. One that names
        // any relationship is read as a DID document is.
        if profile && RELATIONSHIPS.iter().all(|r| !obj.contains_key(*r)) {
            for m in &mut methods {
                m.relationships.push("assertionMethod".to_owned());
            }
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
                        let mut m = method(entry, id, &p, &absolute, profile)?;
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

/// Verification method types whose keys are read.
const METHOD_TYPES: &str = "Multikey (Ed25519, P-256, P-384), Ed25519VerificationKey2020 \
     (publicKeyMultibase), JsonWebKey2020 and JsonWebKey (OKP Ed25519, EC P-256 and EC P-384 \
     publicKeyJwk)";

/// Reads a verification method of the document `did`; `profile`: an issuer
/// profile's methods may leave out `controller` (it is then the profile).
fn method(
    vm: &Value,
    did: &str,
    path: &str,
    absolute: &dyn Fn(&str) -> String,
    profile: bool,
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
    let controller = match obj.get("controller") {
        None if profile => did,
        _ => s("controller")?,
    };
    if controller != did {
        return Err(invalid(
            format!("{path}.controller"),
            format!("{controller:?} is not the document's DID {did:?}"),
        ));
    }
    let ty = s("type")?;
    let mut raw_jwk = None;
    let key = match ty {
        // A Multikey of any type read here: `z6Mk…`, `zDn…` (P-256), `z82…` (P-384).
        "Multikey" => {
            let mb = s("publicKeyMultibase")?;
            Ok(
                did_key::decode_public_multikey(mb).map_err(|e: DidKeyError| {
                    invalid(format!("{path}.publicKeyMultibase"), e.to_string())
                })?,
            )
        }
        // The multicodec-prefixed Ed25519 key, `z6Mk…`, and only that.
        "Ed25519VerificationKey2020" => {
            let mb = s("publicKeyMultibase")?;
            Ok(PublicKey::Ed25519(did_key::decode_multikey(mb).map_err(
                |e: DidKeyError| invalid(format!("{path}.publicKeyMultibase"), e.to_string()),
            )?))
        }
        "JsonWebKey2020" | "JsonWebKey" => {
            let jwk_path = format!("{path}.publicKeyJwk");
            let jwk = obj
                .get("publicKeyJwk")
                .and_then(Value::as_object)
                .ok_or_else(|| invalid(&jwk_path, "missing or not an object"))?;
            raw_jwk = Some(jwk.clone());
            jwk_key(jwk, &jwk_path)?
        }
        // Kept (so that relationships naming it resolve) but unusable.
        _ => Err(format!(
            "verification method type {ty:?} is not supported (supported: {METHOD_TYPES})"
        )),
    };
    Ok(Method {
        id,
        key,
        relationships: Vec::new(),
        jwk: raw_jwk,
    })
}

/// The key of a public JWK (OKP Ed25519, EC P-256, EC P-384, read by
/// [`PublicKey::from_jwk`]): `Ok(Err(why))` for a key of another type or curve
/// (kept, unusable), an error for a malformed key or one that carries its
/// private part.
fn jwk_key(
    jwk: &serde_json::Map<String, Value>,
    path: &str,
) -> Result<Result<PublicKey, String>, TrustListError> {
    match PublicKey::from_jwk(jwk) {
        Ok(key) => Ok(Ok(key)),
        Err(e @ JwkError::Unsupported { .. }) => Ok(Err(e.to_string())),
        Err(JwkError::PrivatePart) => Err(invalid(
            format!("{path}.d"),
            "a public document carries the private key: remove \"d\", and treat the key as \
             compromised (anyone who saw the document can sign with it)",
        )),
        Err(JwkError::Member { member, reason }) => {
            Err(invalid(format!("{path}.{member}"), reason))
        }
        Err(e) => Err(invalid(path, e.to_string())),
    }
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
    /// The document the issuer's id resolves to: the DID document of a
    /// `did:web` issuer, or the profile of an `https` issuer.
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
    #[serde(default)]
    document: Option<Value>,
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
            let (member, given) = match (&f.did_document, &f.document) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        format!("{path}.document"),
                        "give the document once: as document or as didDocument, not both",
                    ));
                }
                (Some(d), None) => ("didDocument", Some(d)),
                (None, d) => ("document", d.as_ref()),
            };
            let did_web = f.id.starts_with(DID_WEB_PREFIX) && f.id.len() > DID_WEB_PREFIX.len();
            let did_document = match given {
                None => None,
                Some(_) if f.id.starts_with(did_key::DID_KEY_PREFIX) => {
                    return Err(invalid(
                        format!("{path}.{member}"),
                        "a did:key issuer carries no document (did:key resolves from the key itself)",
                    ));
                }
                Some(_) if member == "didDocument" && !did_web => {
                    return Err(invalid(
                        format!("{path}.didDocument"),
                        "only did:web issuers carry a DID document; give an issuer profile as document",
                    ));
                }
                Some(d) => Some(DidDocument::from_json(
                    d,
                    &f.id,
                    &format!("{path}.{member}"),
                    // Another DID method's document is a DID document too.
                    !f.id.starts_with("did:"),
                )?),
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

    /// The ids of the verification methods the document of `did` (a DID or an
    /// `https` issuer) lists for `assertionMethod`, in document order: the keys
    /// a VC-JWT naming no key of its own may be signed with.
    pub(crate) fn assertion_methods(&self, did: &str) -> Vec<&str> {
        let Some(doc) = self.did_document(did) else {
            return Vec::new();
        };
        let mut ids: Vec<&str> = Vec::new();
        for m in &doc.methods {
            if m.relationships.iter().any(|r| r == "assertionMethod")
                && !ids.contains(&m.id.as_str())
            {
                ids.push(&m.id);
            }
        }
        ids
    }

    /// A verification method of a document in the list by its `publicKeyJwk`
    /// as written (see `Method::jwk`): the document's id (the key's
    /// controller), the JWK, and the relationships the method is listed under.
    pub(crate) fn method_jwk(
        &self,
        vm: &str,
    ) -> Option<(&str, &serde_json::Map<String, Value>, Vec<String>)> {
        let did = vm.split_once('#').map_or(vm, |(d, _)| d);
        let doc = self.did_document(did)?;
        let mut found = doc.methods.iter().filter(|m| m.id == vm).peekable();
        let jwk = found.peek()?.jwk.as_ref()?;
        let relationships = found.flat_map(|m| m.relationships.clone()).collect();
        Some((doc.id.as_str(), jwk, relationships))
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
        if verification_method.starts_with(did_key::DID_KEY_PREFIX) {
            return DidKeyResolver.resolve(verification_method);
        }
        let id = verification_method
            .split_once('#')
            .map_or(verification_method, |(d, _)| d);
        let doc = self
            .did_document(id)
            .ok_or_else(|| ResolveError::UnsupportedMethod {
                method: proof::method_of(verification_method),
            })?;
        doc.resolve(verification_method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const KEY: &str = "z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7";
    /// The P-256 key of the W3C vc-di-ecdsa test vectors.
    const P256_KEY: &str = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP";

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
    fn multikeys_of_every_type_resolve_and_ed25519_2020_methods_hold_ed25519_only() {
        const P384_KEY: &str =
            "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ";
        for (mb, name) in [(KEY, "Ed25519"), (P256_KEY, "P-256"), (P384_KEY, "P-384")] {
            let mut d = doc();
            d["verificationMethod"][0]["publicKeyMultibase"] = mb.into();
            let r = list(d)
                .unwrap()
                .resolve("did:web:uni.example#key-1")
                .unwrap();
            assert_eq!(r.public_key.name(), name);
            assert_eq!(r.public_key.to_multikey(), mb);
        }
        let mut d = doc();
        d["verificationMethod"][0]["type"] = "Ed25519VerificationKey2020".into();
        d["verificationMethod"][0]["publicKeyMultibase"] = P256_KEY.into();
        let e = list(d).unwrap_err().to_string();
        assert!(e.contains("0x8024") && e.contains("Ed25519"), "{e}");
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
    fn jwk_keys_are_read_and_private_or_malformed_ones_refused() {
        let key = did_key::decode_multikey(KEY).unwrap();
        let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
        let with_jwk = |jwk: Value| {
            let mut d = doc();
            d["verificationMethod"][0] = serde_json::json!({
                "id": "#key-1", "type": "JsonWebKey2020",
                "controller": "did:web:uni.example", "publicKeyJwk": jwk
            });
            list(d)
        };
        let l = with_jwk(serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x})).unwrap();
        assert_eq!(
            l.resolve("did:web:uni.example#key-1").unwrap().public_key,
            PublicKey::Ed25519(key)
        );
        // EC keys (ES256 / ecdsa-*-2019): P-256 and P-384, x and y of the curve's size.
        let p256 = PublicKey::from_multikey(P256_KEY).unwrap();
        let PublicKey::P256(vk) = p256 else {
            unreachable!("not P-256")
        };
        let point = vk.to_encoded_point(false);
        let (px, py) = (
            URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        );
        let l =
            with_jwk(serde_json::json!({"kty": "EC", "crv": "P-256", "x": px, "y": py})).unwrap();
        assert_eq!(
            l.resolve("did:web:uni.example#key-1").unwrap().public_key,
            p256
        );
        let path = "issuers[0].didDocument.verificationMethod[0].publicKeyJwk";
        for (jwk, at) in [
            (
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x, "d": x}),
                "d",
            ),
            (
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}),
                "x",
            ),
            (
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": "not base64!"}),
                "x",
            ),
            (serde_json::json!({"kty": "OKP", "crv": "Ed25519"}), "x"),
            (
                serde_json::json!({"kty": "EC", "crv": "P-256", "x": px}),
                "y",
            ),
            (
                serde_json::json!({"kty": "EC", "crv": "P-384", "x": px, "y": py}),
                "x",
            ),
            // y of another point: not on the curve.
            (
                serde_json::json!({"kty": "EC", "crv": "P-256", "x": px, "y": px}),
                "x",
            ),
        ] {
            let e = with_jwk(jwk).unwrap_err().to_string();
            assert!(e.starts_with(&format!("{path}.{at}:")), "{e}");
        }
        // Another curve: kept, and unusable with the reason.
        let l =
            with_jwk(serde_json::json!({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}))
                .unwrap();
        assert!(matches!(
            l.resolve("did:web:uni.example#key-1"),
            Err(ResolveError::KeyMaterial { reason }) if reason.contains("not supported")
        ));
    }

    #[test]
    fn an_https_profile_authorizes_its_keys_for_issuing_unless_it_says_otherwise() {
        let profile = "https://badges.example/issuers/1";
        let read = |doc: Value| {
            TrustList::from_value(&serde_json::json!({
                "type": "MicrocredTrustList", "version": 1,
                "issuers": [{"id": profile, "name": "Badges", "document": doc}]
            }))
        };
        let vm = serde_json::json!({"id": "#key-0", "type": "Ed25519VerificationKey2020", "publicKeyMultibase": KEY});
        let l = read(serde_json::json!({"id": profile, "verificationMethod": [vm]})).unwrap();
        let r = l.resolve(&format!("{profile}#key-0")).unwrap();
        assert_eq!(r.controller, profile);
        assert_eq!(r.relationships, ["assertionMethod"]);
        let l = read(serde_json::json!({"id": profile, "verificationMethod": [vm], "authentication": ["#key-0"]}))
            .unwrap();
        let r = l.resolve(&format!("{profile}#key-0")).unwrap();
        assert_eq!(r.relationships, ["authentication"]);
        assert_eq!(
            l.resolve("https://other.example/issuers/2#key-0"),
            Err(ResolveError::UnsupportedMethod {
                method: "https://other.example/issuers/2".into()
            })
        );
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
