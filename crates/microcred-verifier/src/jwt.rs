//! VC-JWT: a credential secured as a compact JWS (RFC 7515), in the two
//! encodings Open Badges 3.0 and VC 2.0 use:
//!
//! - the VC Data Model 1.1 JWT encoding Open Badges 3.0 names: the payload's
//!   `vc` claim is the credential, and the registered claims stand for its
//!   members (`iss` the issuer's id, `nbf` `issuanceDate` / `validFrom`, `exp`
//!   `expirationDate` / `validUntil`, `jti` `id`, `sub`
//!   `credentialSubject.id`); a claim filled in where the credential leaves
//!   the member out, and one that disagrees with it an error naming both;
//! - VC-JOSE (VC 2.0, `typ` `vc+jwt`): the payload is the credential.
//!
//! The signature is checked here, with the key the header names (`kid`,
//! resolved as Data Integrity verification methods are), the key it carries
//! (`jwk`, used only when the trust list binds it to the issuer), or, with
//! neither, the issuer's keys in the trust list. Everything else (validity,
//! status, trust, profiles, data model rules) is the Data Integrity path's
//! own checks on the credential inside: [`verify`] hands them the JWS as the
//! credential's one proof.
//!
//! No cryptography here: Ed25519 is ed25519-dalek's `verify_strict`, RS256
//! the `rsa` crate's PKCS#1 v1.5 verifier (public keys only).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use microcred_core::credential::Credential;
use microcred_core::proof::{ProofFailure, ProofOutcome, ResolveError};
use microcred_core::{Value, datetime, did_key, json, multibase};
use serde::Serialize;
use serde_json::Map;

use crate::report::{Check, Report};
use crate::verifier::{self, Ctx};

/// The smallest RSA modulus accepted (RFC 7518 §3.3 asks 2048 bits).
pub const MIN_RSA_BITS: usize = 2048;

/// The algorithms whose signatures are checked, for messages.
const SUPPORTED_ALGS: &str = "EdDSA (Ed25519), RS256";

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
    /// The VC Data Model 1.1 JWT encoding (Open Badges 3.0): a `vc` claim.
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
    let typ = jws
        .header
        .get("typ")
        .and_then(Value::as_str)
        .map(|t| t.to_ascii_lowercase());
    let typ = typ
        .as_deref()
        .map(|t| t.strip_prefix("application/").unwrap_or(t));
    if matches!(typ, Some("vp+jwt" | "vp+ld+jwt")) || jws.payload.contains_key("vp") {
        return Err(JwtError::NotACredential(
            "this is a presentation as a JWT (a vp claim), which this verifier does not read; \
             verify the credentials inside it on their own"
                .into(),
        ));
    }
    let (mut credential, envelope) = match (typ, jws.payload.get("vc")) {
        (Some("vc+jwt" | "vc+ld+jwt"), _) | (_, None) if is_credential(&jws.payload) => {
            (jws.payload.clone(), Envelope::VcJose)
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
    let v2 = is_v2(&credential);
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
        agree(&mut credential, "id", "jti", jti, &mut mismatches);
    }
    if let Some(sub) = string_claim(claims, "sub")? {
        match credential.get_mut("credentialSubject") {
            Some(Value::Object(s)) => agree(s, "id", "sub", sub, &mut mismatches),
            Some(Value::Array(a)) if a.len() == 1 => {
                if let Some(Value::Object(s)) = a.first_mut() {
                    agree(s, "id", "sub", sub, &mut mismatches);
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

/// Whether the credential is VC 2.0 (its first context), whose dates are
/// `validFrom` / `validUntil`.
fn is_v2(credential: &Map<String, Value>) -> bool {
    let first = match credential.get("@context") {
        Some(Value::Array(a)) => a.first(),
        other => other,
    };
    first.and_then(Value::as_str) == Some("https://www.w3.org/ns/credentials/v2")
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

/// Fills `member` of `obj` from a claim, or records that they disagree.
fn agree(
    obj: &mut Map<String, Value>,
    member: &str,
    claim: &str,
    value: &str,
    mismatches: &mut Vec<String>,
) {
    match obj.get(member) {
        None => {
            obj.insert(member.into(), value.into());
        }
        Some(Value::String(s)) if s == value => {}
        Some(other) => mismatches.push(format!(
            "the JWT claim {claim} {value:?} is not the credential's {member} {other}"
        )),
    }
}

/// A JWS algorithm this verifier checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    EdDsa,
    Rs256,
}

/// A public key a JWS may be checked with.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
    /// A key of another type the resolver knows (P-256, P-384): no `alg` read
    /// here fits it yet.
    Other(microcred_core::public_key::PublicKey),
}

impl Key {
    fn kind(&self) -> &'static str {
        match self {
            Self::Ed25519(_) => "an Ed25519 key",
            Self::Rsa(_) => "an RSA key",
            Self::Other(key) => match key.key_type() {
                microcred_core::public_key::KeyType::P256 => "a P-256 key",
                microcred_core::public_key::KeyType::P384 => "a P-384 key",
                _ => "a key of another type",
            },
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
        "EdDSA" | "Ed25519" => Ok(Alg::EdDsa),
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

/// A key as a public JWK: OKP Ed25519 or RSA (at least [`MIN_RSA_BITS`]).
fn jwk_key(jwk: &Map<String, Value>) -> Result<Key, String> {
    if jwk.contains_key("d") {
        return Err("the JWK carries a private key (\"d\")".into());
    }
    let member = |k: &str| jwk.get(k).and_then(Value::as_str);
    let bytes = |k: &str| {
        member(k)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .ok_or_else(|| format!("the JWK's {k:?} is missing or not base64url"))
    };
    match (member("kty"), member("crv")) {
        (Some("OKP"), Some("Ed25519")) => {
            let x = bytes("x")?;
            if x.len() != 32 {
                return Err(format!(
                    "the JWK's \"x\" has {} bytes where an Ed25519 key has 32",
                    x.len()
                ));
            }
            // Through the Multikey decoder, as the trust list does: the same
            // rules (on the curve, not of small order) for every Ed25519 key.
            let mut multicodec = did_key::ED25519_PUB_MULTICODEC.to_vec();
            multicodec.extend_from_slice(&x);
            did_key::decode_multikey(&multibase::encode_base58btc(&multicodec))
                .map(Key::Ed25519)
                .map_err(|e| e.to_string())
        }
        (Some("RSA"), _) => {
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
        (kty, crv) => Err(format!(
            "a JWK with kty {:?} and crv {:?} is not supported (OKP Ed25519, RSA)",
            kty.unwrap_or(""),
            crv.unwrap_or("")
        )),
    }
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
        Ok(m) => {
            let key = match m.public_key {
                microcred_core::public_key::PublicKey::Ed25519(k) => Key::Ed25519(k),
                other => Key::Other(other),
            };
            Ok((key, m.controller, m.relationships))
        }
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
        (Alg::EdDsa, Key::Ed25519(k)) => {
            let sig = ed25519_dalek::Signature::from_slice(&jws.signature).map_err(|_| bad())?;
            k.verify_strict(&jws.signing_input, &sig).map_err(|_| bad())
        }
        (Alg::Rs256, Key::Rsa(k)) => {
            let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone());
            let sig =
                rsa::pkcs1v15::Signature::try_from(jws.signature.as_slice()).map_err(|_| bad())?;
            verifier.verify(&jws.signing_input, &sig).map_err(|_| bad())
        }
        (_, key) => Err(ProofFailure::Refused {
            reason: format!(
                "the JWS has alg {:?}, which does not fit the key {vm}, {}",
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
fn outcome(jws: &Jws, issuer: Option<&str>, name: &str, ctx: &Ctx<'_>) -> ProofOutcome {
    let mut vm = None;
    let result = signature_outcome(jws, issuer, ctx, &mut vm);
    ProofOutcome {
        index: 0,
        id: None,
        cryptosuite: Some(name.to_owned()),
        verification_method: vm,
        // A JWS has no purpose of its own: an issuer's key signing a
        // credential is an assertion, and the key must be listed for one.
        proof_purpose: Some("assertionMethod".into()),
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
) -> Result<String, ProofFailure> {
    let alg = alg(jws)?;
    let authorized = |vm: &str, relationships: &[String]| {
        if relationships.iter().any(|r| r == "assertionMethod") {
            Ok(())
        } else {
            Err(ProofFailure::PurposeNotAuthorized {
                verification_method: vm.to_owned(),
                purpose: "assertionMethod".into(),
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
    let proof = outcome(&jws, issuer, &name, ctx);
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
