//! VC-JWT: a credential secured as a compact JWS (RFC 7515), in the two
//! encodings Open Badges 3.0 and VC 2.0 use:
//!
//! - Open Badges 3.0's JWT proof format (§8.2): the credential is the payload
//!   itself (a VC 2.0 credential), or the payload's `vc` claim (the VC Data
//!   Model 1.1 encoding), and the registered claims stand for its members
//!   (`iss` the issuer's id, `nbf` `issuanceDate` / `validFrom`, `exp`
//!   `expirationDate` / `validUntil`, `jti` `id`, `sub`
//!   `credentialSubject.id`); a claim filled in where the credential leaves
//!   the member out, and one that disagrees with it an error naming both;
//! - VC-JOSE (VC 2.0, `typ` `vc+jwt`): the payload is the credential.
//!
//! A presentation as a JWT (VP-JWT: a `vp` claim, or `typ` `vp+jwt`) is read
//! when it is the document verified, with the holder checks of a Data
//! Integrity presentation (`verify_presentation`).
//!
//! The signature is checked here, with the key the header names (`kid`,
//! resolved as Data Integrity verification methods are), the key it carries
//! (`jwk`, used only when the trust list binds it to the issuer), or, with
//! neither, the issuer's keys in the trust list. Everything else (validity,
//! status, trust, profiles, data model rules) is the Data Integrity path's
//! own checks on the credential inside: `verify` (through `Verifier::verify_jwt`) hands them the JWS as the
//! credential's one proof.
//!
//! No cryptography here: EdDSA, ES256 and ES384 are `PublicKey::verify`
//! (ed25519-dalek's `verify_strict`, RustCrypto's p256 / p384), RS256 the
//! `rsa` crate's PKCS#1 v1.5 verifier (public keys only).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use microcred_core::credential::{Credential, DataModel};
use microcred_core::proof::{ProofFailure, ProofOutcome, ResolveError};
use microcred_core::public_key::{KeyType, PublicKey};
use microcred_core::{Value, datetime, did_key, json};
use serde::Serialize;
use serde_json::Map;

use crate::report::{Check, Report};
use crate::verifier::{self, Ctx};

/// The smallest RSA modulus accepted (RFC 7518 §3.3 asks 2048 bits).
pub const MIN_RSA_BITS: usize = 2048;

/// The algorithms whose signatures are checked, for messages.
const SUPPORTED_ALGS: &str = "EdDSA (Ed25519), ES256, ES384, RS256";

/// Why a token could not be read as a credential (no verdict: the token is
/// not a VC-JWT this verifier can take apart).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three base64url parts separated by dots.
    #[error("not a compact JWS: {0}")]
    Shape(&'static str),
    /// A part is not base64url without padding.
    #[error("the JWS {part} is not base64url (without padding)")]
    Base64 {
        /// `header`, `payload` or `signature`.
        part: &'static str,
    },
    /// The header or payload is not strict JSON.
    #[error("the JWS {part} is not strict JSON: {source}")]
    Json {
        /// `header` or `payload`.
        part: &'static str,
        /// The parse error.
        #[source]
        source: json::JsonError,
    },
    /// The header or payload is JSON but not an object.
    #[error("the JWS {0} is not a JSON object")]
    NotAnObject(&'static str),
    /// The header has no `alg`, or one that is not a string.
    #[error("the JWS header has no \"alg\" (a string)")]
    NoAlg,
    /// The token holds no credential: no `vc` claim, and not VC-JOSE.
    #[error("{0}")]
    NotACredential(String),
    /// A registered claim has the wrong JSON type.
    #[error("the JWT claim {claim:?} {problem}")]
    Claim {
        /// The claim.
        claim: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// A compact JWS taken apart; nothing verified yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The payload (a JSON object).
    pub payload: Map<String, Value>,
    /// `alg` of the header.
    pub alg: String,
    /// What the signature covers: `BASE64URL(header) "." BASE64URL(payload)`.
    signing_input: Vec<u8>,
    /// The signature bytes.
    signature: Vec<u8>,
}

/// Takes a compact JWS apart: the token (ASCII whitespace around it, or a
/// JSON string holding it, allowed), three base64url parts, a header and a
/// payload that are strict JSON objects (duplicate members refused, as
/// everywhere in this verifier) and an `alg`.
///
/// # Errors
/// [`JwtError`] naming the part that is wrong.
pub fn parse(token: &[u8]) -> Result<Jws, JwtError> {
    let mut text = token.trim_ascii();
    if let Some(inner) = text.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")) {
        text = inner;
    }
    let mut parts = text.split(|b| *b == b'.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Shape(
            "a compact JWS has three parts separated by dots",
        ));
    };
    if h.is_empty() || p.is_empty() {
        return Err(JwtError::Shape("the header or the payload is empty"));
    }
    let decode = |part: &'static str, b: &[u8]| {
        URL_SAFE_NO_PAD
            .decode(b)
            .map_err(|_| JwtError::Base64 { part })
    };
    let object = |part: &'static str, bytes: &[u8]| match json::parse(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(JwtError::NotAnObject(part)),
        Err(source) => Err(JwtError::Json { part, source }),
    };
    let header = object("header", &decode("header", h)?)?;
    let payload = object("payload", &decode("payload", p)?)?;
    let signature = decode("signature", sig)?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(JwtError::NoAlg)?
        .to_owned();
    let mut signing_input = Vec::with_capacity(h.len() + 1 + p.len());
    signing_input.extend_from_slice(h);
    signing_input.push(b'.');
    signing_input.extend_from_slice(p);
    Ok(Jws {
        header,
        payload,
        alg,
        signing_input,
        signature,
    })
}

/// Which encoding a VC-JWT is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Envelope {
    /// The JWT encoding of Open Badges 3.0 and VC Data Model 1.1: the
    /// credential in a `vc` claim, or (Open Badges 3.0 for a VC 2.0 credential)
    /// the payload itself with the registered claims beside its members.
    VcJwt,
    /// VC-JOSE (VC 2.0): `typ` `vc+jwt`, the payload is the credential.
    VcJose,
}

/// The format a report's credential came in (`Report::format`), e.g. VC-JWT
/// signed with ES256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Format {
    /// `vc-jwt` or `vc-jose`.
    pub id: Envelope,
    /// The JWS `alg`.
    pub alg: String,
    /// In words: `VC-JWT (ES256)`, `VC-JOSE (EdDSA)`.
    pub name: String,
}

/// The credential a token carries, as its claims make it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The credential, with the members the registered claims stand for
    /// filled in where it left them out.
    pub credential: Value,
    /// The encoding.
    pub envelope: Envelope,
    /// Each claim that disagrees with the credential, in words naming both values.
    pub mismatches: Vec<String>,
}

/// The credential inside a taken-apart token, with the registered claims
/// mapped onto it (see the module's documentation).
///
/// # Errors
/// [`JwtError::NotACredential`] when the token holds no credential (a
/// presentation, another kind of JWT), [`JwtError::Claim`] for a claim of the
/// wrong type.
pub fn decode(jws: &Jws) -> Result<Decoded, JwtError> {
    if is_presentation(jws) {
        return Err(JwtError::NotACredential(
            "this is a presentation as a JWT (a vp claim), not a credential; a VP-JWT is \
             verified on its own, not inside another presentation"
                .into(),
        ));
    }
    let (mut credential, envelope) = match (typ_of(jws).as_deref(), jws.payload.get("vc")) {
        (Some("vc+jwt" | "vc+ld+jwt"), _) if is_credential(&jws.payload) => {
            (jws.payload.clone(), Envelope::VcJose)
        }
        // Open Badges 3.0 (§8.2.4) for a VC 2.0 credential: the payload is the
        // credential, the registered claims beside its members.
        (_, None) if is_credential(&jws.payload) => {
            let mut credential = jws.payload.clone();
            for claim in ["iss", "jti", "sub", "nbf", "exp", "iat"] {
                credential.remove(claim);
            }
            (credential, Envelope::VcJwt)
        }
        (_, Some(Value::Object(vc))) => (vc.clone(), Envelope::VcJwt),
        (_, Some(_)) => {
            return Err(JwtError::Claim {
                claim: "vc",
                problem: "is not a JSON object (a credential)",
            });
        }
        (_, None) => {
            return Err(JwtError::NotACredential(
                "the JWT holds no credential: no vc claim, and its payload is not a \
                 credential (VC-JOSE)"
                    .into(),
            ));
        }
    };
    let mut mismatches = Vec::new();
    // In VC-JOSE the payload is the credential: its claims, if any, are its own
    // members, still held to agree with the rest.
    let claims = &jws.payload;
    let v2 = Credential::from_map(&credential).data_model() == Some(DataModel::V2);
    if let Some(iss) = string_claim(claims, "iss")? {
        let member = match credential.get_mut("issuer") {
            Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_owned),
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => None,
            None => {
                credential.insert("issuer".into(), iss.into());
                None
            }
        };
        if let Some(id) = member.filter(|id| id != iss) {
            mismatches.push(format!(
                "the JWT claim iss {iss:?} is not the credential's issuer {id:?}"
            ));
        }
    }
    if let Some(jti) = string_claim(claims, "jti")? {
        agree(
            &mut credential,
            "the credential's",
            "jti",
            jti,
            &mut mismatches,
        );
    }
    if let Some(sub) = string_claim(claims, "sub")? {
        match credential.get_mut("credentialSubject") {
            Some(Value::Object(s)) => agree(s, "its subject's", "sub", sub, &mut mismatches),
            Some(Value::Array(a)) if a.len() == 1 => {
                if let Some(Value::Object(s)) = a.first_mut() {
                    agree(s, "its subject's", "sub", sub, &mut mismatches);
                }
            }
            // Several subjects (or none): `sub` names none of them in particular.
            _ => {}
        }
    }
    let (from, until) = if v2 {
        ("validFrom", "validUntil")
    } else {
        ("issuanceDate", "expirationDate")
    };
    for (claim, member) in [("nbf", from), ("exp", until)] {
        let Some(secs) = time_claim(claims, claim)? else {
            continue;
        };
        let at = time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| JwtError::Claim {
            claim,
            problem: "is not a time a date-time can say",
        })?;
        match credential.get(member).and_then(Value::as_str) {
            None if !credential.contains_key(member) => {
                credential.insert(member.into(), datetime::format(at).into());
            }
            // A member of another type is the data model rules' to name.
            None => {}
            Some(written) => {
                // The claim is in whole seconds; the member may have a fraction.
                let same = datetime::parse(written).is_ok_and(|t| t.unix_timestamp() == secs);
                if !same {
                    mismatches.push(format!(
                        "the JWT claim {claim} ({}) is not the credential's {member} {written:?}",
                        datetime::format(at)
                    ));
                }
            }
        }
    }
    Ok(Decoded {
        credential: Value::Object(credential),
        envelope,
        mismatches,
    })
}

/// The credential a VC-JWT carries, as [`decode`] makes it (nothing verified):
/// what a rendering of its report shows.
///
/// # Errors
/// [`JwtError`] as [`parse`] and [`decode`] give it.
pub fn credential(token: &[u8]) -> Result<Value, JwtError> {
    Ok(decode(&parse(token)?)?.credential)
}

/// Whether a JSON object is a credential (has a `@context` and a `type`).
fn is_credential(obj: &Map<String, Value>) -> bool {
    obj.contains_key("@context") && obj.contains_key("type")
}

/// A claim that must be a string when present.
fn string_claim<'a>(
    claims: &'a Map<String, Value>,
    claim: &'static str,
) -> Result<Option<&'a str>, JwtError> {
    match claims.get(claim) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JwtError::Claim {
            claim,
            problem: "is not a string",
        }),
    }
}

/// A NumericDate claim (RFC 7519 §2), in whole seconds (a fraction is cut).
fn time_claim(claims: &Map<String, Value>, claim: &'static str) -> Result<Option<i64>, JwtError> {
    match claims.get(claim) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    // Within range (checked above): the cast cannot wrap.
                    .map(|f| f.trunc() as i64)
            })
            .map(Some)
            .ok_or(JwtError::Claim {
                claim,
                problem: "is not a time in seconds",
            }),
        Some(_) => Err(JwtError::Claim {
            claim,
            problem: "is not a number (seconds since 1970)",
        }),
    }
}

/// Fills the `id` of `obj` (`whose` in messages: "the credential's") from a claim, or
/// records that they disagree.
fn agree(
    obj: &mut Map<String, Value>,
    whose: &str,
    claim: &str,
    value: &str,
    mismatches: &mut Vec<String>,
) {
    match obj.get("id") {
        None => {
            obj.insert("id".into(), value.into());
        }
        Some(Value::String(s)) if s == value => {}
        Some(other) => mismatches.push(format!(
            "the JWT claim {claim} {value:?} is not {whose} id {other}"
        )),
    }
}

/// A JWS algorithm this verifier checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    /// A key of this type, through `PublicKey::verify` (EdDSA, ES256, ES384).
    Key(KeyType),
    Rs256,
}

/// A public key a JWS may be checked with: a Data Integrity key, or an RSA
/// key (which only JWTs use).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Public(PublicKey),
    Rsa(rsa::RsaPublicKey),
}

impl Key {
    fn kind(&self) -> &'static str {
        match self {
            Self::Public(k) => k.name(),
            Self::Rsa(_) => "RSA",
        }
    }
}

/// The header's algorithm, or why it is refused (`Refused`) or cannot be
/// checked (`CannotProcess`).
fn alg(jws: &Jws) -> Result<Alg, ProofFailure> {
    let refused = |reason: String| ProofFailure::Refused { reason };
    // RFC 7515 §4.1.11: a critical extension not understood makes the JWS
    // unusable; none is understood here. Whether it would verify is unknown.
    if let Some(crit) = jws.header.get("crit") {
        let names: Vec<&str> = match crit {
            Value::Array(a) if !a.is_empty() => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if names.is_empty() {
            return Err(refused(
                "the JWS header's crit is not a non-empty array of header names".into(),
            ));
        }
        return Err(ProofFailure::CannotProcess {
            reason: format!(
                "the JWS header marks {} as critical, an extension this verifier does not \
                 understand",
                names.join(", ")
            ),
        });
    }
    match jws.alg.as_str() {
        "EdDSA" | "Ed25519" => Ok(Alg::Key(KeyType::Ed25519)),
        "ES256" => Ok(Alg::Key(KeyType::P256)),
        "ES384" => Ok(Alg::Key(KeyType::P384)),
        "RS256" => Ok(Alg::Rs256),
        "none" => Err(refused(
            "the JWS has alg \"none\": it is not signed, anyone could have written it".into(),
        )),
        a if a.starts_with("HS") => Err(refused(format!(
            "the JWS has alg {a:?}, a shared-secret code and not a signature: an issuer's \
             public key is no secret, so anyone could make one (algorithm confusion)"
        ))),
        a => Err(ProofFailure::CannotProcess {
            reason: format!("JWS algorithm {a:?} is not supported (supported: {SUPPORTED_ALGS})"),
        }),
    }
}

/// A key as a public JWK: OKP Ed25519, EC P-256 / P-384 (read by
/// `PublicKey::from_jwk`) or RSA (at least [`MIN_RSA_BITS`]).
fn jwk_key(jwk: &Map<String, Value>) -> Result<Key, String> {
    if jwk.get("kty").and_then(Value::as_str) != Some("RSA") {
        return PublicKey::from_jwk(jwk)
            .map(Key::Public)
            .map_err(|e| e.to_string());
    }
    if jwk.contains_key("d") {
        return Err("the JWK carries the private key (\"d\")".into());
    }
    let bytes = |k: &str| {
        jwk.get(k)
            .and_then(Value::as_str)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .ok_or_else(|| format!("the RSA JWK's {k:?} is missing or not base64url"))
    };
    let n = rsa::BigUint::from_bytes_be(&bytes("n")?);
    let e = rsa::BigUint::from_bytes_be(&bytes("e")?);
    let key = rsa::RsaPublicKey::new(n, e).map_err(|e| format!("unusable RSA key: {e}"))?;
    let bits = rsa::traits::PublicKeyParts::n(&key).bits();
    if bits < MIN_RSA_BITS {
        return Err(format!(
            "an RSA key of {bits} bits; at least {MIN_RSA_BITS} are required"
        ));
    }
    Ok(Key::Rsa(key))
}

/// A verification method's key, its controller and relationships: through
/// the verifier's resolver (did:key, the trust list's documents), and for a
/// key only JWTs use (RSA) from the trust list's `publicKeyJwk`.
fn method_key(vm: &str, ctx: &Ctx<'_>) -> Result<(Key, String, Vec<String>), ProofFailure> {
    let resolve = |source| ProofFailure::Resolve {
        verification_method: vm.to_owned(),
        source,
    };
    match ctx.resolver.resolve(vm) {
        Ok(m) => Ok((Key::Public(m.public_key), m.controller, m.relationships)),
        Err(e @ ResolveError::KeyMaterial { .. }) => {
            let Some((controller, jwk, relationships)) =
                ctx.options.trust.as_ref().and_then(|t| t.method_jwk(vm))
            else {
                return Err(resolve(e));
            };
            let key =
                jwk_key(jwk).map_err(|reason| resolve(ResolveError::KeyMaterial { reason }))?;
            Ok((key, controller.to_owned(), relationships))
        }
        Err(e) => Err(resolve(e)),
    }
}

/// Checks the signature with `key` for `alg`.
fn check_signature(jws: &Jws, alg: Alg, key: &Key, vm: &str) -> Result<(), ProofFailure> {
    use rsa::signature::Verifier as _;
    let bad = || ProofFailure::SignatureInvalid;
    match (alg, key) {
        (Alg::Key(wanted), Key::Public(k)) if k.key_type() == wanted => k
            .verify(&jws.signing_input, &jws.signature)
            .then_some(())
            .ok_or_else(bad),
        (Alg::Rs256, Key::Rsa(k)) => {
            let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone());
            let sig =
                rsa::pkcs1v15::Signature::try_from(jws.signature.as_slice()).map_err(|_| bad())?;
            verifier.verify(&jws.signing_input, &sig).map_err(|_| bad())
        }
        (_, key) => Err(ProofFailure::Refused {
            reason: format!(
                "the JWS has alg {:?}, which does not fit the key {vm} (a {} key)",
                jws.alg,
                key.kind()
            ),
        }),
    }
}

/// The verification method of a `kid`: as written when absolute; a fragment
/// (`#key-1`) of the issuer; a bare did:key with its one key's fragment.
fn kid_method(kid: &str, issuer: Option<&str>) -> String {
    if kid.starts_with('#') {
        return format!("{}{kid}", issuer.unwrap_or_default());
    }
    if let Some(key) = kid.strip_prefix(did_key::DID_KEY_PREFIX) {
        if !kid.contains('#') {
            return format!("{kid}#{key}");
        }
    }
    kid.to_owned()
}

/// The JWS as a proof: its outcome (the key's controller when the signature
/// verifies) for the Data Integrity path's proof lines.
/// The JWS as a proof: its signature checked with the key of `issuer` (or, for
/// a VP-JWT, of the holder) that the header names, which must be listed for
/// `purpose` (`assertionMethod`, or `authentication` for a presentation).
fn outcome(
    jws: &Jws,
    issuer: Option<&str>,
    name: &str,
    ctx: &Ctx<'_>,
    purpose: &'static str,
) -> ProofOutcome {
    let mut vm = None;
    let result = signature_outcome(jws, issuer, ctx, &mut vm, purpose);
    ProofOutcome {
        index: 0,
        id: None,
        cryptosuite: Some(name.to_owned()),
        verification_method: vm,
        // A JWS has no purpose of its own: an issuer's key signing a
        // credential is an assertion, a holder's signing a presentation an
        // authentication, and the key must be listed for it.
        proof_purpose: Some(purpose.into()),
        created: time_claim(&jws.payload, "iat")
            .ok()
            .flatten()
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .map(datetime::format),
        expires: None,
        challenge: None,
        domain: None,
        result,
    }
}

fn signature_outcome(
    jws: &Jws,
    issuer: Option<&str>,
    ctx: &Ctx<'_>,
    vm_out: &mut Option<String>,
    purpose: &'static str,
) -> Result<String, ProofFailure> {
    let alg = alg(jws)?;
    let authorized = |vm: &str, relationships: &[String]| {
        if relationships.iter().any(|r| r == purpose) {
            Ok(())
        } else {
            Err(ProofFailure::PurposeNotAuthorized {
                verification_method: vm.to_owned(),
                purpose: purpose.into(),
            })
        }
    };
    if let Some(kid) = jws.header.get("kid") {
        let kid = kid.as_str().ok_or_else(|| ProofFailure::Refused {
            reason: "the JWS header's kid is not a string".into(),
        })?;
        let vm = kid_method(kid, issuer);
        *vm_out = Some(vm.clone());
        let (key, controller, relationships) = method_key(&vm, ctx)?;
        authorized(&vm, &relationships)?;
        check_signature(jws, alg, &key, &vm)?;
        return Ok(controller);
    }
    // Without a kid, the keys the trust list holds for the issuer (a did:key
    // issuer's own key) are the candidates.
    let candidates: Vec<String> = match issuer {
        Some(did) if did.starts_with(did_key::DID_KEY_PREFIX) => {
            vec![kid_method(did, None)]
        }
        Some(id) => ctx
            .options
            .trust
            .as_ref()
            .map(|t| {
                t.assertion_methods(id)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let who = issuer.unwrap_or("(none named)");
    if let Some(jwk) = jws.header.get("jwk") {
        let jwk = jwk.as_object().ok_or_else(|| ProofFailure::Refused {
            reason: "the JWS header's jwk is not a JSON object (a key)".into(),
        })?;
        let embedded = jwk_key(jwk).map_err(|reason| {
            if jwk.contains_key("d") {
                ProofFailure::Refused { reason }
            } else {
                ProofFailure::CannotProcess {
                    reason: format!("the JWS header's jwk: {reason}"),
                }
            }
        })?;
        // The token's own key says nothing of who made it: only a trust list
        // entry listing the same key for the issuer binds it.
        for vm in &candidates {
            if let Ok((key, controller, _)) = method_key(vm, ctx) {
                if key == embedded {
                    *vm_out = Some(vm.clone());
                    check_signature(jws, alg, &key, vm)?;
                    return Ok(controller);
                }
            }
        }
        return Err(ProofFailure::CannotProcess {
            reason: format!(
                "the token carries its own key (a jwk header), and no trust list binds that \
                 key to the issuer {who}"
            ),
        });
    }
    let mut tried = Vec::new();
    for vm in &candidates {
        let Ok((key, controller, _)) = method_key(vm, ctx) else {
            continue;
        };
        match check_signature(jws, alg, &key, vm) {
            Ok(()) => {
                *vm_out = Some(vm.clone());
                return Ok(controller);
            }
            // A key of another type is not a candidate for this alg.
            Err(ProofFailure::Refused { .. }) => {}
            Err(_) => tried.push(vm.as_str()),
        }
    }
    match tried.as_slice() {
        // The issuer's one key for this alg: as if the token had named it.
        [vm] => {
            *vm_out = Some((*vm).to_owned());
            Err(ProofFailure::SignatureInvalid)
        }
        [_, ..] => Err(ProofFailure::Refused {
            reason: format!(
                "the signature verifies with none of the issuer's {} keys the trust list                  holds for {} ({})",
                tried.len(),
                jws.alg,
                tried.join(", ")
            ),
        }),
        [] => Err(ProofFailure::CannotProcess {
            reason: format!(
                "the JWS names no key (no kid or jwk header), and the trust list holds no {} key \
                 of the issuer {who}",
                jws.alg
            ),
        }),
    }
}

/// Verifies a VC-JWT: the credential inside gets every check a Data
/// Integrity credential gets, with the JWS as its proof, and its report says
/// the format. `top_level` is false for a presentation's credentials.
///
/// # Errors
/// [`JwtError`] when the token cannot be taken apart or holds no credential.
pub(crate) fn verify(token: &[u8], ctx: &Ctx<'_>, top_level: bool) -> Result<Report, JwtError> {
    let jws = parse(token)?;
    // A presentation inside a presentation stays refused (`decode` says so).
    if top_level && is_presentation(&jws) {
        return verify_presentation(&jws, ctx);
    }
    let decoded = decode(&jws)?;
    let envelope_name = match decoded.envelope {
        Envelope::VcJwt => "VC-JWT",
        Envelope::VcJose => "VC-JOSE",
    };
    let name = format!("{envelope_name} ({})", jws.alg);
    let doc = decoded.credential;
    let Some(view) = Credential::new(&doc) else {
        return Err(JwtError::NotACredential(
            "the credential is not a JSON object".into(),
        ));
    };
    if view.has_type("VerifiablePresentation") {
        return Err(JwtError::NotACredential(
            "this is a presentation as a JWT, which this verifier does not read; verify the \
             credentials inside it on their own"
                .into(),
        ));
    }
    let issuer = view.issuer().and_then(|i| i.id);
    let proof = outcome(&jws, issuer, &name, ctx, "assertionMethod");
    let mut report = verifier::credential(&doc, &view, ctx, top_level, Some(vec![proof]));
    // After the structure line(s): what the token says of itself disagrees.
    let at = report
        .checks
        .iter()
        .position(|c| c.id != "structure")
        .unwrap_or(report.checks.len());
    for (i, m) in decoded.mismatches.into_iter().enumerate() {
        report.checks.insert(
            at + i,
            Check::fail("structure", m).with_reason("jwt-claims"),
        );
    }
    report.format = Some(Format {
        id: decoded.envelope,
        alg: jws.alg,
        name,
    });
    report.revalidate();
    Ok(report)
}

/// Whether a token is a presentation: `typ` `vp+jwt`, or a `vp` claim.
fn is_presentation(jws: &Jws) -> bool {
    matches!(typ_of(jws).as_deref(), Some("vp+jwt" | "vp+ld+jwt")) || jws.payload.contains_key("vp")
}

/// The header's `typ`, lower case, without an `application/` prefix.
fn typ_of(jws: &Jws) -> Option<String> {
    let typ = jws
        .header
        .get("typ")
        .and_then(Value::as_str)?
        .to_ascii_lowercase();
    Some(match typ.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => typ,
    })
}

/// Verifies a VP-JWT: the presentation in its `vp` claim (VC 1.1 encoding; with
/// `typ` `vp+jwt` and no `vp` claim, the payload itself), `iss` standing for its
/// `holder` and `jti` for its `id`. The JWS is the holder's proof (purpose
/// `authentication`, a key of the holder), its `nonce` claim answers the
/// challenge and its `aud` the domain; the credentials inside get the checks of
/// a Data Integrity presentation's, holder binding included.
fn verify_presentation(jws: &Jws, ctx: &Ctx<'_>) -> Result<Report, JwtError> {
    let (doc, envelope, mismatches) = presentation_of(jws)?;
    let claims = &jws.payload;
    let nonce = string_claim(claims, "nonce")?.map(str::to_owned);
    let aud = match claims.get("aud") {
        None => Value::Null,
        Some(a @ Value::String(_)) => a.clone(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Value::Array(a.clone()),
        Some(_) => {
            return Err(JwtError::Claim {
                claim: "aud",
                problem: "is neither a string nor an array of strings",
            });
        }
    };
    let when = |secs: Option<i64>| {
        secs.and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .map(datetime::format)
    };
    let expires = when(time_claim(claims, "exp")?);
    // `nbf` (else `iat`) plays the part of a Data Integrity proof's `created`: a
    // presentation that is not valid yet fails `proof-validity` as one made in
    // the future does.
    let not_before = match time_claim(claims, "nbf")? {
        Some(nbf) => Some(nbf),
        None => time_claim(claims, "iat")?,
    };
    let not_before = when(not_before);
    let Some(view) = Credential::new(&doc) else {
        return Err(JwtError::NotACredential(
            "the presentation is not a JSON object".into(),
        ));
    };
    let holder = match doc.get("holder") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    };
    let envelope_name = match envelope {
        Envelope::VcJwt => "VP-JWT",
        Envelope::VcJose => "VP-JOSE",
    };
    let name = format!("{envelope_name} ({})", jws.alg);
    let mut proof = outcome(jws, holder, &name, ctx, "authentication");
    proof.challenge.clone_from(&nonce);
    proof.domain = aud.as_str().map(str::to_owned);
    proof.expires = expires;
    proof.created = not_before;
    let answers = serde_json::json!({"challenge": nonce, "domain": aud});
    let mut report = crate::presentation::verify_signed(&doc, &view, ctx, Some((proof, &answers)));
    let at = report
        .checks
        .iter()
        .position(|c| c.id != "structure")
        .unwrap_or(report.checks.len());
    for (i, m) in mismatches.into_iter().enumerate() {
        report.checks.insert(
            at + i,
            Check::fail("structure", m).with_reason("jwt-claims"),
        );
    }
    report.format = Some(Format {
        id: envelope,
        alg: jws.alg.clone(),
        name,
    });
    report.revalidate();
    Ok(report)
}

/// The presentation a VP-JWT carries, with `iss` and `jti` mapped onto it
/// (`holder`, `id`), its encoding, and each claim that disagrees with it.
fn presentation_of(jws: &Jws) -> Result<(Value, Envelope, Vec<String>), JwtError> {
    let (mut vp, envelope) = match jws.payload.get("vp") {
        Some(Value::Object(vp)) => (vp.clone(), Envelope::VcJwt),
        Some(_) => {
            return Err(JwtError::Claim {
                claim: "vp",
                problem: "is not a JSON object (a presentation)",
            });
        }
        None => (jws.payload.clone(), Envelope::VcJose),
    };
    let claims = &jws.payload;
    let mut mismatches = Vec::new();
    if let Some(iss) = string_claim(claims, "iss")? {
        let holder = match vp.get("holder") {
            None => {
                vp.insert("holder".into(), iss.into());
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_owned),
            Some(_) => None,
        };
        if let Some(h) = holder.filter(|h| h != iss) {
            mismatches.push(format!(
                "the JWT claim iss {iss:?} is not the presentation's holder {h:?}"
            ));
        }
    }
    if let Some(jti) = string_claim(claims, "jti")? {
        match vp.get("id") {
            None => {
                vp.insert("id".into(), jti.into());
            }
            Some(Value::String(id)) if id == jti => {}
            Some(other) => mismatches.push(format!(
                "the JWT claim jti {jti:?} is not the presentation's id {other}"
            )),
        }
    }
    Ok((Value::Object(vp), envelope, mismatches))
}

/// The document a VC-JWT's or VP-JWT's report was made from, as a rendering of
/// the report shows it (nothing verified): the credential or the presentation
/// inside the token. `bytes` is the token (or a JSON string holding it), or the
/// JSON of an `EnvelopedVerifiableCredential` holding one.
///
/// # Errors
/// [`JwtError`] as [`parse`] and [`decode`] give it.
pub fn document(bytes: &[u8]) -> Result<Value, JwtError> {
    if let Ok(doc) = json::parse(bytes) {
        if let Some(crate::envelope::Enveloped::Jwt(token)) = crate::envelope::enveloped(&doc) {
            return document(token.as_bytes());
        }
    }
    let jws = parse(bytes)?;
    if is_presentation(&jws) {
        return Ok(presentation_of(&jws)?.0);
    }
    Ok(decode(&jws)?.credential)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(header: &Value, payload: &Value) -> String {
        let e = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!("{}.{}.c2ln", e(header), e(payload))
    }

    fn decoded(payload: Value) -> Decoded {
        decode(&parse(token(&json!({"alg": "EdDSA"}), &payload).as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn a_vp_jwts_claims_stand_for_the_holder_and_id_or_are_named_when_they_disagree() {
        let vp = json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
                        "type": ["VerifiablePresentation"]});
        let t = token(
            &json!({"alg": "EdDSA"}),
            &json!({"iss": "did:example:h", "jti": "urn:x", "vp": vp}),
        );
        let jws = parse(t.as_bytes()).unwrap();
        assert!(is_presentation(&jws));
        let (doc, envelope, mismatches) = presentation_of(&jws).unwrap();
        assert_eq!(
            (&doc["holder"], &doc["id"]),
            (&json!("did:example:h"), &json!("urn:x"))
        );
        assert_eq!(envelope, Envelope::VcJwt);
        assert!(mismatches.is_empty());
        assert_eq!(document(t.as_bytes()).unwrap(), doc);
        let mut other = vp.clone();
        other["holder"] = "did:example:other".into();
        other["id"] = "urn:y".into();
        let t = token(
            &json!({"alg": "EdDSA"}),
            &json!({"iss": "did:example:h", "jti": "urn:x", "vp": other}),
        );
        let (_, _, mismatches) = presentation_of(&parse(t.as_bytes()).unwrap()).unwrap();
        assert_eq!(mismatches.len(), 2, "{mismatches:?}");
        assert!(mismatches[0].contains("holder") && mismatches[1].contains("presentation's id"));
    }

    #[test]
    fn malformed_tokens_are_named_by_their_part() {
        type Expect = fn(&JwtError) -> bool;
        let cases: [(&str, Expect); 5] = [
            ("eyJhbGciOiJFZERTQSJ9.e30", |e| {
                matches!(e, JwtError::Shape(_))
            }),
            ("eyJhbGciOiJFZERTQSJ9..c2ln", |e| {
                matches!(e, JwtError::Shape(_))
            }),
            ("eyJhbGciOiJFZERTQSJ9.e30=.c2ln", |e| {
                matches!(e, JwtError::Base64 { part: "payload" })
            }),
            ("e30.e30.c2ln", |e| matches!(e, JwtError::NoAlg)),
            // {"alg":"EdDSA","alg":"none"}: duplicate members are refused.
            ("eyJhbGciOiJFZERTQSIsImFsZyI6Im5vbmUifQ.e30.c2ln", |e| {
                matches!(e, JwtError::Json { part: "header", .. })
            }),
        ];
        for (t, want) in cases {
            let e = parse(t.as_bytes()).unwrap_err();
            assert!(want(&e), "{t}: {e}");
        }
        // A JSON string holding the token, with whitespace around it.
        assert!(
            parse(format!(" \"{}\"\n", token(&json!({"alg": "EdDSA"}), &json!({}))).as_bytes())
                .is_ok()
        );
    }

    #[test]
    fn claims_fill_the_members_of_the_credentials_data_model() {
        let v1 = decoded(
            json!({"iss": "did:example:i", "nbf": 1_740_787_200, "exp": 1_898_553_600,
            "vc": {"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiableCredential"],
                   "credentialSubject": {}}, "sub": "did:example:s", "jti": "urn:uuid:1"}),
        );
        assert_eq!(v1.envelope, Envelope::VcJwt);
        assert!(v1.mismatches.is_empty());
        let c = &v1.credential;
        assert_eq!(c["issuer"], "did:example:i");
        assert_eq!(c["issuanceDate"], "2025-03-01T00:00:00Z");
        assert_eq!(c["expirationDate"], "2030-03-01T00:00:00Z");
        assert_eq!(c["credentialSubject"]["id"], "did:example:s");
        assert_eq!(c["id"], "urn:uuid:1");
        // VC 2.0: validFrom; a member with a fraction of a second agrees with its claim.
        let v2 = decoded(json!({"nbf": 1_740_787_200, "vc": {
            "@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
            "validFrom": "2025-03-01T00:00:00.250Z", "issuer": {"id": "did:example:i"}}, "iss": "did:example:other"}));
        assert_eq!(v2.mismatches.len(), 1, "{:?}", v2.mismatches);
        assert!(
            v2.mismatches[0].contains("did:example:other")
                && v2.mismatches[0].contains("did:example:i")
        );
        // A payload that is a credential, without typ: Open Badges 3.0's VC-JWT of
        // a VC 2.0 credential; the claims are not members, and still agree with them.
        let inline = decoded(
            json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                   "issuer": "did:example:i", "iss": "did:example:i", "nbf": 1_740_787_200}),
        );
        assert_eq!(inline.envelope, Envelope::VcJwt);
        assert!(inline.mismatches.is_empty(), "{:?}", inline.mismatches);
        assert_eq!(inline.credential.get("iss"), None);
        assert_eq!(inline.credential["validFrom"], "2025-03-01T00:00:00Z");
        // Neither: not a credential; a claim of the wrong type is named.
        let p = |payload: Value| {
            decode(&parse(token(&json!({"alg": "EdDSA"}), &payload).as_bytes()).unwrap())
        };
        assert!(matches!(
            p(json!({"sub": "x"})),
            Err(JwtError::NotACredential(_))
        ));
        assert!(matches!(
            p(json!({"vp": {}})),
            Err(JwtError::NotACredential(_))
        ));
        assert!(matches!(
            p(json!({"vc": {}, "nbf": "soon"})),
            Err(JwtError::Claim { claim: "nbf", .. })
        ));
        assert!(matches!(
            p(json!({"vc": []})),
            Err(JwtError::Claim { claim: "vc", .. })
        ));
    }

    #[test]
    fn rsa_keys_under_2048_bits_and_private_keys_are_refused() {
        // e = 65537, n of 1024 bits.
        let n = URL_SAFE_NO_PAD.encode([0xC1; 128]);
        let small = json!({"kty": "RSA", "n": n, "e": "AQAB"});
        let e = jwk_key(small.as_object().unwrap()).unwrap_err();
        assert!(e.contains("1024 bits"), "{e}");
        let private = json!({"kty": "RSA", "n": n, "e": "AQAB", "d": "AQAB"});
        assert!(
            jwk_key(private.as_object().unwrap())
                .unwrap_err()
                .contains("private")
        );
    }
}
