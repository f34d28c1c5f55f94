//! Signing a credential as a VC-JWT (feature `signing`), the JSON Web Token proof
//! format of Open Badges 3.0 (§8.2): a compact JWS (RFC 7515) whose payload
//! carries the credential with the registered claims that stand for its members:
//! `iss` (the issuer's id), `jti` (`id`), `sub` (`credentialSubject.id`, one
//! subject), `nbf` (`validFrom`, or a VC 1.1 `issuanceDate`), `exp` (`validUntil` /
//! `expirationDate`) and `iat` (the signing time). A VC 2.0 credential is the
//! payload itself, its members beside the claims, as Open Badges 3.0 asks of
//! credentials of that data model; a VC 1.1 credential is kept whole in a `vc`
//! claim, the VC Data Model 1.1 encoding (which Open Badges 3.0 verifiers still
//! read). Either way a verifier reading the claims or the members reads the same
//! values.
//!
//! The algorithm is the issuer key's: `EdDSA` for an Ed25519 key (ed25519-dalek),
//! `ES256` for P-256 and `ES384` for P-384 (RustCrypto's `p256` / `p384`, the
//! signature the fixed-size `r ‖ s` RFC 7518 §3.4 asks for), all through
//! [`AnySecretKey::sign`]. The verifier's reader is `microcred_verifier::jwt`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::credential::{Credential, DataModel};
use crate::datetime;
use crate::keys::{AnySecretKey, KeyType};

/// Why a credential could not be signed as a VC-JWT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VcJwtError {
    /// The credential is not a JSON object.
    #[error("the credential is not a JSON object")]
    NotAnObject,
    /// A VC 2.0 credential, which is the token's payload, has a member named as
    /// one of the token's registered claims.
    #[error(
        "the credential has a member {member:?}, which a VC-JWT of a VC 2.0 credential uses for its own claim"
    )]
    ClaimName {
        /// The member (`iss`, `jti`, `sub`, `nbf`, `exp` or `iat`).
        member: &'static str,
    },
    /// A date member is not an RFC 3339 date-time.
    #[error("{member}: {source}")]
    Date {
        /// The member (`validFrom`, `validUntil`, …).
        member: &'static str,
        /// The parse error.
        #[source]
        source: datetime::DateTimeError,
    },
}

/// The JWS `alg` of a key type (RFC 8037 `EdDSA`, RFC 7518 `ES256` / `ES384`).
pub fn alg(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::P256 => "ES256",
        KeyType::P384 => "ES384",
        _ => "EdDSA",
    }
}

/// Signs `credential` as a VC-JWT with `key` (`alg` as [`alg`] says), naming `kid`
/// (the verification method, e.g. `did:key:z6Mk…#z6Mk…`) in the header; `at` is the
/// signing time (`iat`). Returns the compact JWS.
///
/// # Errors
/// [`VcJwtError`] when the credential is not an object or a date member is
/// not a date-time.
pub fn sign(
    credential: &Value,
    key: &AnySecretKey,
    kid: &str,
    at: time::OffsetDateTime,
) -> Result<String, VcJwtError> {
    Ok(compact(&payload(credential, at)?, key, kid))
}

/// The compact JWS of `claims` signed with `key` (`alg` as [`alg`] says), naming
/// `kid` in the header.
fn compact(claims: &Value, key: &AnySecretKey, kid: &str) -> String {
    let header = json!({"alg": alg(key.key_type()), "typ": "JWT", "kid": kid});
    // serde_json writes these values without failing (string keys, finite numbers).
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    let input = format!("{}.{}", encode(&header), encode(claims));
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Signs `presentation` as a VP-JWT, the VC Data Model 1.1 JWT encoding of a
/// presentation: the presentation whole in the `vp` claim, with `iss` (its
/// `holder`), `jti` (its `id`), `iat` and `nbf` (`at`), `nonce` (the verifier's
/// challenge) and `aud` (the verifier's domain) beside it; signed with the
/// holder's `key` (`alg` as [`alg`] says), naming `kid` in the header.
///
/// # Errors
/// [`VcJwtError::NotAnObject`] when the presentation is not an object.
pub fn sign_presentation(
    presentation: &Value,
    key: &AnySecretKey,
    kid: &str,
    at: time::OffsetDateTime,
    nonce: Option<&str>,
    aud: Option<&str>,
) -> Result<String, VcJwtError> {
    let obj = presentation.as_object().ok_or(VcJwtError::NotAnObject)?;
    let mut claims = Map::new();
    let holder = match obj.get("holder") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    };
    if let Some(iss) = holder {
        claims.insert("iss".into(), iss.into());
    }
    if let Some(id) = obj.get("id").and_then(Value::as_str) {
        claims.insert("jti".into(), id.into());
    }
    claims.insert("iat".into(), at.unix_timestamp().into());
    claims.insert("nbf".into(), at.unix_timestamp().into());
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), nonce.into());
    }
    if let Some(aud) = aud {
        claims.insert("aud".into(), aud.into());
    }
    claims.insert("vp".into(), presentation.clone());
    Ok(compact(&Value::Object(claims), key, kid))
}

/// The JWT claims of a credential (see the module's documentation).
fn payload(credential: &Value, at: time::OffsetDateTime) -> Result<Value, VcJwtError> {
    let obj = credential.as_object().ok_or(VcJwtError::NotAnObject)?;
    // VC 2.0: the credential is the payload (Open Badges 3.0 §8.2.4); its members
    // must leave the claims' names free.
    let inline = Credential::from_map(obj).data_model() == Some(DataModel::V2);
    if inline {
        if let Some(member) = CLAIMS.into_iter().find(|c| obj.contains_key(*c)) {
            return Err(VcJwtError::ClaimName { member });
        }
    }
    let mut claims = Map::new();
    let issuer = match obj.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    };
    if let Some(iss) = issuer {
        claims.insert("iss".into(), iss.into());
    }
    if let Some(id) = obj.get("id").and_then(Value::as_str) {
        claims.insert("jti".into(), id.into());
    }
    let subject = match obj.get("credentialSubject") {
        Some(Value::Object(s)) => Some(s),
        Some(Value::Array(a)) if a.len() == 1 => a.first().and_then(Value::as_object),
        _ => None,
    };
    if let Some(sub) = subject.and_then(|s| s.get("id")).and_then(Value::as_str) {
        claims.insert("sub".into(), sub.into());
    }
    for (claim, members) in [
        ("nbf", ["validFrom", "issuanceDate"]),
        ("exp", ["validUntil", "expirationDate"]),
    ] {
        for member in members {
            if let Some(text) = obj.get(member).and_then(Value::as_str) {
                let t =
                    datetime::parse(text).map_err(|source| VcJwtError::Date { member, source })?;
                claims.insert(claim.into(), t.unix_timestamp().into());
                break;
            }
        }
    }
    claims.insert("iat".into(), at.unix_timestamp().into());
    if inline {
        let mut payload = obj.clone();
        payload.extend(claims);
        return Ok(Value::Object(payload));
    }
    claims.insert("vc".into(), credential.clone());
    Ok(Value::Object(claims))
}

/// The registered claims a VC-JWT of this module carries.
const CLAIMS: [&str; 6] = ["iss", "jti", "sub", "nbf", "exp", "iat"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claims_stand_for_the_members_and_the_signature_is_the_keys() {
        let key = AnySecretKey::from(crate::keys::SecretKey::from_seed(&[7; 32]));
        let vc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:1", "type": ["VerifiableCredential"],
            "issuer": {"id": "did:example:i", "name": "I"},
            "validFrom": "2025-03-01T00:00:00Z", "validUntil": "2030-03-01T00:00:00.5Z",
            "credentialSubject": {"id": "did:example:s"}
        });
        let at = datetime::parse("2025-03-02T00:00:00Z").unwrap();
        let token = sign(&vc, &key, "did:example:i#k", at).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(payload["iss"], "did:example:i");
        assert_eq!(payload["jti"], "urn:uuid:1");
        assert_eq!(payload["sub"], "did:example:s");
        assert_eq!(payload["nbf"], 1_740_787_200);
        assert_eq!(payload["exp"], 1_898_553_600);
        assert_eq!(payload["iat"], 1_740_873_600);
        // VC 2.0: the credential is the payload, the claims beside its members.
        let mut members = payload.as_object().unwrap().clone();
        for claim in CLAIMS {
            members.remove(claim);
        }
        assert_eq!(Value::Object(members), vc);
        // VC 1.1: in a vc claim.
        let mut v1 = vc.clone();
        v1["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        let token1 = sign(&v1, &key, "did:example:i#k", at).unwrap();
        let p1: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token1.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(p1["vc"], v1);
        assert_eq!(p1["iss"], "did:example:i");
        // A VC 2.0 member named as a claim would be overwritten: refused.
        let mut clash = vc.clone();
        clash["sub"] = "x".into();
        assert_eq!(
            sign(&clash, &key, "k", at),
            Err(VcJwtError::ClaimName { member: "sub" })
        );
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let sig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        let ed = key.as_ed25519().unwrap().public_key();
        assert!(ed.verify_strict(input.as_bytes(), &sig).is_ok());
        let mut bad = vc.clone();
        bad["validFrom"] = "soon".into();
        assert!(matches!(
            sign(&bad, &key, "k", at),
            Err(VcJwtError::Date {
                member: "validFrom",
                ..
            })
        ));
    }

    /// P-256 signs ES256 and P-384 ES384: the header says so, and the signature is the
    /// fixed-size `r ‖ s` (64 and 96 bytes) over the signing input.
    #[test]
    fn ecdsa_keys_sign_es256_and_es384() {
        let vc = json!({"issuer": "did:example:i", "credentialSubject": {}});
        let at = datetime::parse("2025-03-02T00:00:00Z").unwrap();
        for (key_type, name) in [(KeyType::P256, "ES256"), (KeyType::P384, "ES384")] {
            let key = AnySecretKey::generate(key_type);
            let token = sign(&vc, &key, "did:example:i#k", at).unwrap();
            let parts: Vec<&str> = token.split('.').collect();
            let header: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
            assert_eq!(header["alg"], name);
            let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
            assert_eq!(sig.len(), key_type.signature_len());
            let input = format!("{}.{}", parts[0], parts[1]);
            assert!(key.public_key().verify(input.as_bytes(), &sig));
            assert!(!key.public_key().verify(b"other", &sig));
        }
    }
}
