//! Public keys of every signature algorithm a proof can be checked with:
//! Ed25519 (the `eddsa-*` suites, `Ed25519Signature2020`) and ECDSA with P-256
//! or P-384 (the `ecdsa-*-2019` suites, and the `ES256` / `ES384` algorithms of
//! JOSE). The curve arithmetic and the signature checks are those of
//! ed25519-dalek and RustCrypto's `p256` / `p384`; this module only chooses
//! which one a key needs and reads the encodings keys come in (Multikey through
//! [`crate::did_key`], JWK here).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::did_key::{self, DidKeyError};

/// A public key a proof or a signature is checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An Ed25519 key (RFC 8032).
    Ed25519(ed25519_dalek::VerifyingKey),
    /// An ECDSA key on NIST P-256 (secp256r1); signatures hash with SHA-256.
    P256(p256::ecdsa::VerifyingKey),
    /// An ECDSA key on NIST P-384 (secp384r1); signatures hash with SHA-384.
    P384(p384::ecdsa::VerifyingKey),
}

/// The type of a [`PublicKey`], for messages and for choosing parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// Ed25519.
    Ed25519,
    /// ECDSA on P-256.
    P256,
    /// ECDSA on P-384.
    P384,
}

impl KeyType {
    /// The name messages use: `Ed25519`, `P-256`, `P-384`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "Ed25519",
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }

    /// The length of a signature by a key of this type: 64 bytes for Ed25519,
    /// and the fixed-size `r ‖ s` of ECDSA, 64 bytes on P-256, 96 on P-384.
    pub fn signature_len(self) -> usize {
        match self {
            Self::Ed25519 | Self::P256 => 64,
            Self::P384 => 96,
        }
    }

    /// Whether this is an ECDSA key type (P-256 or P-384).
    pub fn is_ecdsa(self) -> bool {
        matches!(self, Self::P256 | Self::P384)
    }
}

impl core::fmt::Display for KeyType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<ed25519_dalek::VerifyingKey> for PublicKey {
    fn from(key: ed25519_dalek::VerifyingKey) -> Self {
        Self::Ed25519(key)
    }
}

impl From<p256::ecdsa::VerifyingKey> for PublicKey {
    fn from(key: p256::ecdsa::VerifyingKey) -> Self {
        Self::P256(key)
    }
}

impl From<p384::ecdsa::VerifyingKey> for PublicKey {
    fn from(key: p384::ecdsa::VerifyingKey) -> Self {
        Self::P384(key)
    }
}

impl PublicKey {
    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        match self {
            Self::Ed25519(_) => KeyType::Ed25519,
            Self::P256(_) => KeyType::P256,
            Self::P384(_) => KeyType::P384,
        }
    }

    /// The name of the key's type for messages: `Ed25519`, `P-256`, `P-384`.
    pub fn name(&self) -> &'static str {
        self.key_type().name()
    }

    /// The Ed25519 key, if this is one.
    pub fn as_ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match self {
            Self::Ed25519(key) => Some(key),
            _ => None,
        }
    }

    /// Whether `signature` is a valid signature of `message` by this key, as the
    /// Data Integrity suites and JOSE define it:
    ///
    /// - Ed25519: the 64-byte signature, checked with ed25519-dalek's
    ///   `verify_strict` (canonical `s`, no small-order `R` or key);
    /// - P-256 / P-384: ECDSA (FIPS 186-5) over `message` hashed with SHA-256 /
    ///   SHA-384, the signature the fixed-size `r ‖ s` (64 / 96 bytes, as
    ///   vc-di-ecdsa's "Proof Serialization" and JWS's ES256 / ES384 write it),
    ///   `r` and `s` in `[1, n − 1]`. A high `s` is accepted: neither
    ///   vc-di-ecdsa nor JWS asks for low-`s`, and WebCrypto (which Digital
    ///   Bazaar's implementations sign with) does not normalize it.
    ///
    /// A signature of another length is invalid.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        match self {
            Self::Ed25519(key) => {
                let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
                    return false;
                };
                key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes))
                    .is_ok()
            }
            Self::P256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(message, &sig).is_ok()),
            Self::P384(key) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(message, &sig).is_ok()),
        }
    }

    /// The key's bytes as its Multikey carries them after the multicodec
    /// header: the 32 bytes of an Ed25519 key, the compressed SEC1 point of an
    /// ECDSA key (33 bytes on P-256, 49 on P-384).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Ed25519(key) => key.as_bytes().to_vec(),
            Self::P256(key) => key.to_encoded_point(true).as_bytes().to_vec(),
            Self::P384(key) => key.to_encoded_point(true).as_bytes().to_vec(),
        }
    }

    /// Decodes a Multikey `publicKeyMultibase` value of any supported type
    /// (`z6Mk…` Ed25519, `zDn…` P-256, `z82…` P-384): see
    /// [`did_key::decode_public_multikey`].
    ///
    /// # Errors
    /// [`DidKeyError`] naming what is wrong.
    pub fn from_multikey(mb: &str) -> Result<Self, DidKeyError> {
        did_key::decode_public_multikey(mb)
    }

    /// The Multikey `publicKeyMultibase` value of the key.
    pub fn to_multikey(&self) -> String {
        did_key::encode_public_multikey(self)
    }

    /// Reads a public JWK (RFC 7517): `kty` `OKP` with `crv` `Ed25519` (RFC
    /// 8037, `x`), or `kty` `EC` with `crv` `P-256` or `P-384` (RFC 7518 §6.2,
    /// `x` and `y`, base64url without padding, each exactly the curve's size).
    /// The key is held to the rules of a Multikey of the same type (an Ed25519
    /// point canonical and not of small order, an ECDSA point on the curve).
    ///
    /// # Errors
    /// [`JwkError::Unsupported`] for another key type or curve,
    /// [`JwkError::PrivatePart`] for a JWK that carries `d`,
    /// [`JwkError::Member`] for a malformed member.
    pub fn from_jwk(jwk: &Map<String, Value>) -> Result<Self, JwkError> {
        if jwk.contains_key("d") {
            return Err(JwkError::PrivatePart);
        }
        let member = |k: &str| jwk.get(k).and_then(Value::as_str);
        let (kty, crv) = (member("kty"), member("crv"));
        let key_type = match (kty, crv) {
            (Some("OKP"), Some("Ed25519")) => KeyType::Ed25519,
            (Some("EC"), Some("P-256")) => KeyType::P256,
            (Some("EC"), Some("P-384")) => KeyType::P384,
            _ => {
                return Err(JwkError::Unsupported {
                    kty: kty.unwrap_or_default().to_owned(),
                    crv: crv.unwrap_or_default().to_owned(),
                });
            }
        };
        let coordinate = |name: &'static str, len: usize| -> Result<Vec<u8>, JwkError> {
            let text = member(name).ok_or(JwkError::Member {
                member: name,
                reason: "missing or not a string".into(),
            })?;
            let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| JwkError::Member {
                member: name,
                reason: "is not base64url (no padding)".into(),
            })?;
            if bytes.len() != len {
                return Err(JwkError::Member {
                    member: name,
                    reason: format!(
                        "decodes to {} bytes where a {} key has {len}",
                        bytes.len(),
                        key_type.name()
                    ),
                });
            }
            Ok(bytes)
        };
        match key_type {
            KeyType::Ed25519 => {
                let x = coordinate("x", 32)?;
                // Through the Multikey decoder, so that a JWK key is held to the same
                // rules (canonical, on the curve, not of small order) as every other key.
                let mut multicodec = did_key::ED25519_PUB_MULTICODEC.to_vec();
                multicodec.extend_from_slice(&x);
                did_key::decode_public_multikey(&crate::multibase::encode_base58btc(&multicodec))
                    .map_err(|e| JwkError::Member {
                        member: "x",
                        reason: e.to_string(),
                    })
            }
            KeyType::P256 | KeyType::P384 => {
                let size = if key_type == KeyType::P256 { 32 } else { 48 };
                let (x, y) = (coordinate("x", size)?, coordinate("y", size)?);
                // The uncompressed SEC1 point: 0x04 ‖ x ‖ y.
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let not_on_curve = || JwkError::Member {
                    member: "x",
                    reason: format!("x and y are not a point of {}", key_type.name()),
                };
                if key_type == KeyType::P256 {
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                        .map(Self::P256)
                        .map_err(|_| not_on_curve())
                } else {
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                        .map(Self::P384)
                        .map_err(|_| not_on_curve())
                }
            }
        }
    }
}

/// Why a JWK could not be read as a public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwkError {
    /// A key type or curve this toolkit does not verify with.
    #[error(
        "JWK with kty {kty:?} and crv {crv:?} is not supported (OKP Ed25519, EC P-256 and EC P-384 keys only)"
    )]
    Unsupported {
        /// The `kty` found (empty when absent).
        kty: String,
        /// The `crv` found (empty when absent).
        crv: String,
    },
    /// The JWK carries its private part, `d`.
    #[error("the JWK carries the private key (\"d\")")]
    PrivatePart,
    /// A member is missing or malformed.
    #[error("{member} {reason}")]
    Member {
        /// The member at fault (`x`, `y`).
        member: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer as _;

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn jwk(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn ecdsa_signatures_verify_and_tampering_fails() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let key = PublicKey::from(*sk.verifying_key());
        let sig: p256::ecdsa::Signature = sk.sign(b"hash data");
        assert!(key.verify(b"hash data", &sig.to_bytes()));
        assert!(!key.verify(b"other data", &sig.to_bytes()));
        assert!(!key.verify(b"hash data", &sig.to_bytes()[..63]));
        // The high-s twin of a signature verifies too (no low-s rule; WebCrypto
        // signs either).
        let low = sig.normalize_s().unwrap_or(sig);
        let (r, s) = low.split_scalars();
        let twin = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        assert!(key.verify(b"hash data", &twin.to_bytes()));

        let sk = p384::ecdsa::SigningKey::from_slice(&[7; 48]).unwrap();
        let key = PublicKey::from(*sk.verifying_key());
        let sig: p384::ecdsa::Signature = sk.sign(b"hash data");
        assert_eq!(sig.to_bytes().len(), KeyType::P384.signature_len());
        assert!(key.verify(b"hash data", &sig.to_bytes()));
        assert!(!key.verify(b"hash dat", &sig.to_bytes()));
        assert_eq!(key.name(), "P-384");
    }

    #[test]
    fn jwk_keys_of_each_type() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let point = sk.verifying_key().to_encoded_point(false);
        let ec = serde_json::json!({
            "kty": "EC", "crv": "P-256",
            "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
        });
        assert_eq!(
            PublicKey::from_jwk(&jwk(ec.clone())).unwrap(),
            PublicKey::P256(*sk.verifying_key())
        );
        let mut off = ec.clone();
        let mut y = point.y().unwrap().to_vec();
        y[31] ^= 1;
        off["y"] = b64(&y).into();
        assert!(matches!(
            PublicKey::from_jwk(&jwk(off)),
            Err(JwkError::Member { member: "x", .. })
        ));
        let mut short = ec.clone();
        short["x"] = b64(&[1; 31]).into();
        assert!(matches!(
            PublicKey::from_jwk(&jwk(short)),
            Err(JwkError::Member { member: "x", .. })
        ));
        let mut private = ec;
        private["d"] = "AA".into();
        assert_eq!(
            PublicKey::from_jwk(&jwk(private)),
            Err(JwkError::PrivatePart)
        );
        let other = serde_json::json!({"kty": "EC", "crv": "secp256k1", "x": "", "y": ""});
        assert!(matches!(
            PublicKey::from_jwk(&jwk(other)),
            Err(JwkError::Unsupported { .. })
        ));
        let ed = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let okp = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": b64(ed.as_bytes())});
        assert_eq!(
            PublicKey::from_jwk(&jwk(okp)).unwrap(),
            PublicKey::Ed25519(ed)
        );
    }
}
