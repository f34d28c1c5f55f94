//! `did:key` and Multikey for Ed25519 (multicodec `ed25519-pub`, `z6Mk…`),
//! P-256 (`p256-pub`, `zDn…`) and P-384 (`p384-pub`, `z82…`) public keys,
//! multibase base58btc, resolved offline.
//!
//! A did:key is its own DID document: `did:key:z6Mk…` resolves to a document
//! whose single verification method `did:key:z6Mk…#z6Mk…` holds the key.
//! ECDSA keys are the compressed SEC1 point, as the Multikey specification
//! (W3C Controlled Identifiers §2.2.2) and the did:key method say.

use ed25519_dalek::VerifyingKey;
use serde_json::{Value, json};

use crate::multibase::{self, MultibaseError};
use crate::public_key::{KeyType, PublicKey};

/// Multicodec varint for an Ed25519 public key (`ed25519-pub`, 0xed).
pub const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];
/// Multicodec varint for a P-256 public key (`p256-pub`, 0x1200).
pub const P256_PUB_MULTICODEC: [u8; 2] = [0x80, 0x24];
/// Multicodec varint for a P-384 public key (`p384-pub`, 0x1201).
pub const P384_PUB_MULTICODEC: [u8; 2] = [0x81, 0x24];

/// What [`decode_public_multikey`] accepts, for messages.
const ANY_KEY: &str = "0xed01 (Ed25519), 0x8024 (P-256) or 0x8124 (P-384) public key";
/// What [`decode_multikey`] accepts, for messages.
const ED25519_KEY: &str = "0xed01 (Ed25519 public key)";

/// The `did:key:` method prefix.
pub const DID_KEY_PREFIX: &str = "did:key:";

/// Why a did:key or Multikey value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DidKeyError {
    /// The string does not start with `did:key:`.
    #[error("{value:?} is not a did:key (it must start with \"did:key:\")")]
    NotDidKey {
        /// The value given.
        value: String,
    },
    /// The multibase value could not be decoded.
    #[error("invalid multibase key {value:?}")]
    Multibase {
        /// The value given.
        value: String,
        /// The decoding error.
        #[source]
        source: MultibaseError,
    },
    /// The multicodec header is not one of a public key type read here.
    #[error("key {value:?} has multicodec header {found} where {expected} is required")]
    WrongMulticodec {
        /// The value given.
        value: String,
        /// The header found, in hex.
        found: String,
        /// The header(s) accepted, for the message.
        expected: &'static str,
    },
    /// The key has the wrong length for its type.
    #[error(
        "key {value:?} holds {found} bytes after the multicodec header where {expected} are required"
    )]
    WrongLength {
        /// The value given.
        value: String,
        /// The number of key bytes found.
        found: usize,
        /// The length required, for the message (`32`, `33 (a compressed P-256 point)`).
        expected: &'static str,
    },
    /// The bytes are not a point on the key type's curve, or not its canonical
    /// encoding (Ed25519, RFC 8032 §5.1.3: decoding fails when y ≥ p).
    #[error("key {value:?} is not a valid {curve} point")]
    NotOnCurve {
        /// The value given.
        value: String,
        /// The key type: `Ed25519`, `P-256`, `P-384`.
        curve: &'static str,
    },
    /// The key is of small order (a weak key that any signature may match).
    #[error("key {value:?} is a weak (small-order) Ed25519 key")]
    WeakKey {
        /// The value given.
        value: String,
    },
    /// A verification-method URL whose fragment is not the key's own multibase value.
    #[error("verification method {value:?}: fragment must equal the did:key's key ({expected})")]
    WrongFragment {
        /// The value given.
        value: String,
        /// The fragment required.
        expected: String,
    },
}

/// A did:key of an Ed25519, P-256 or P-384 key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DidKey {
    key: PublicKey,
}

impl core::fmt::Debug for DidKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DidKey({})", self.did())
    }
}

impl core::fmt::Display for DidKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(DID_KEY_PREFIX)?;
        f.write_str(&self.multibase())
    }
}

impl DidKey {
    /// The did:key of a public key (an Ed25519 `VerifyingKey` or any [`PublicKey`]).
    pub fn from_public_key(key: impl Into<PublicKey>) -> Self {
        Self { key: key.into() }
    }

    /// Parses `did:key:z6Mk…`, `did:key:zDn…` or `did:key:z82…` (no fragment).
    ///
    /// # Errors
    /// [`DidKeyError`] naming what is wrong: prefix, multibase, multicodec,
    /// length, or a point that is not on the curve or is of small order.
    pub fn parse(did: &str) -> Result<Self, DidKeyError> {
        let Some(mb) = did.strip_prefix(DID_KEY_PREFIX) else {
            return Err(DidKeyError::NotDidKey {
                value: did.to_owned(),
            });
        };
        let key = decode_public_multikey(mb)?;
        Ok(Self { key })
    }

    /// Parses a verification-method URL `did:key:z6Mk…#z6Mk…`, whose fragment
    /// must be the key's own multibase value (did:key spec §"Create"), or a
    /// bare `did:key:z6Mk…`: a did:key has one key, so the DID names it too.
    ///
    /// # Errors
    /// As [`DidKey::parse`], and [`DidKeyError::WrongFragment`].
    pub fn parse_verification_method(url: &str) -> Result<Self, DidKeyError> {
        let Some((did, fragment)) = url.split_once('#') else {
            return Self::parse(url);
        };
        let dk = Self::parse(did)?;
        // base58btc maps byte strings to strings one to one (leading zero bytes to
        // leading '1's), so the key's own multibase value is the DID's own text:
        // comparing with it saves re-encoding the key on every verification.
        let own = did.strip_prefix(DID_KEY_PREFIX).unwrap_or_default();
        if fragment != own {
            return Err(DidKeyError::WrongFragment {
                value: url.to_owned(),
                expected: dk.multibase(),
            });
        }
        Ok(dk)
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The Multikey `publicKeyMultibase` value (`z6Mk…`, `zDn…`, `z82…`).
    pub fn multibase(&self) -> String {
        encode_public_multikey(&self.key)
    }

    /// The DID, `did:key:z6Mk…`.
    pub fn did(&self) -> String {
        self.to_string()
    }

    /// The verification-method URL, `did:key:z6Mk…#z6Mk…`.
    pub fn verification_method(&self) -> String {
        let mb = self.multibase();
        format!("{DID_KEY_PREFIX}{mb}#{mb}")
    }

    /// The DID document, resolved offline per the did:key method: one
    /// Multikey verification method, referenced from every verification
    /// relationship that a signing key may serve.
    pub fn document(&self) -> Value {
        let did = self.did();
        let vm = self.verification_method();
        json!({
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1"
            ],
            "id": did,
            "verificationMethod": [{
                "id": vm,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": self.multibase(),
            }],
            "authentication": [vm],
            "assertionMethod": [vm],
            "capabilityDelegation": [vm],
            "capabilityInvocation": [vm],
        })
    }
}

/// Encodes an Ed25519 public key as Multikey `publicKeyMultibase` (`z6Mk…`).
pub fn encode_multikey(key: &VerifyingKey) -> String {
    let mut bytes = [0u8; 34];
    bytes[..2].copy_from_slice(&ED25519_PUB_MULTICODEC);
    bytes[2..].copy_from_slice(key.as_bytes());
    multibase::encode_base58btc(&bytes)
}

/// Encodes a public key of any type as Multikey `publicKeyMultibase`: the
/// multicodec header, then the 32 bytes of an Ed25519 key or the compressed
/// SEC1 point of an ECDSA key.
pub fn encode_public_multikey(key: &PublicKey) -> String {
    let header = match key.key_type() {
        KeyType::Ed25519 => ED25519_PUB_MULTICODEC,
        KeyType::P256 => P256_PUB_MULTICODEC,
        KeyType::P384 => P384_PUB_MULTICODEC,
    };
    let mut bytes = header.to_vec();
    bytes.extend_from_slice(&key.to_bytes());
    multibase::encode_base58btc(&bytes)
}

/// Decodes a Multikey `publicKeyMultibase` value (`z6Mk…`) into an Ed25519
/// public key, rejecting points off the curve and small-order (weak) keys.
/// A key of another type (P-256, P-384) is [`DidKeyError::WrongMulticodec`].
///
/// # Errors
/// [`DidKeyError`] naming what is wrong.
pub fn decode_multikey(mb: &str) -> Result<VerifyingKey, DidKeyError> {
    let header = || {
        multibase::decode_base58btc(mb)
            .map(|bytes| bytes.get(..2).unwrap_or(&bytes).to_vec())
            .unwrap_or_default()
    };
    match decode_public_multikey(mb) {
        Ok(PublicKey::Ed25519(key)) => return Ok(key),
        Err(e @ DidKeyError::Multibase { .. }) => return Err(e),
        Err(e) if header() == ED25519_PUB_MULTICODEC => return Err(e),
        // A key of another type, well-formed or not: the type is what is wrong.
        _ => {}
    }
    Err(DidKeyError::WrongMulticodec {
        value: mb.to_owned(),
        found: hex(&header()),
        expected: ED25519_KEY,
    })
}

/// Decodes a Multikey `publicKeyMultibase` value of any type read here:
/// Ed25519 (`z6Mk…`, rejecting points off the curve, non-canonical encodings
/// and small-order keys), P-256 (`zDn…`) or P-384 (`z82…`), whose point must
/// be compressed (33 or 49 bytes) and on the curve.
///
/// # Errors
/// [`DidKeyError`] naming what is wrong.
pub fn decode_public_multikey(mb: &str) -> Result<PublicKey, DidKeyError> {
    if let Some(key) = KEY_CACHE.with(|cache| cache.borrow().get(mb)) {
        return Ok(key);
    }
    let key = decode_multikey_uncached(mb)?;
    KEY_CACHE.with(|cache| cache.borrow_mut().put(mb, key));
    Ok(key)
}

/// Recently decoded keys, per thread. Decoding a key decompresses a point (a
/// field exponentiation, about a tenth of an Ed25519 signature check), and a
/// verifier sees the same few issuer keys over and over. Only keys that decoded
/// successfully are remembered, by their exact multibase text.
struct KeyCache {
    entries: Vec<(String, PublicKey)>,
    next: usize,
}

/// Keys remembered per thread.
const KEY_CACHE_SIZE: usize = 16;

impl KeyCache {
    fn get(&self, mb: &str) -> Option<PublicKey> {
        self.entries
            .iter()
            .find(|(text, _)| text == mb)
            .map(|(_, key)| *key)
    }

    fn put(&mut self, mb: &str, key: PublicKey) {
        let entry = (mb.to_owned(), key);
        if self.entries.len() < KEY_CACHE_SIZE {
            self.entries.push(entry);
        } else if let Some(slot) = self.entries.get_mut(self.next % KEY_CACHE_SIZE) {
            *slot = entry;
            self.next = self.next.wrapping_add(1);
        }
    }
}

thread_local! {
    static KEY_CACHE: std::cell::RefCell<KeyCache> = const {
        std::cell::RefCell::new(KeyCache { entries: Vec::new(), next: 0 })
    };
}

fn decode_multikey_uncached(mb: &str) -> Result<PublicKey, DidKeyError> {
    let bytes = multibase::decode_base58btc(mb).map_err(|source| DidKeyError::Multibase {
        value: mb.to_owned(),
        source,
    })?;
    let (header, key) = bytes.split_at(bytes.len().min(2));
    let header: [u8; 2] = header.try_into().unwrap_or_default();
    match header {
        ED25519_PUB_MULTICODEC => decode_ed25519(mb, key).map(PublicKey::Ed25519),
        P256_PUB_MULTICODEC | P384_PUB_MULTICODEC => decode_ecdsa(mb, header, key),
        _ => Err(DidKeyError::WrongMulticodec {
            value: mb.to_owned(),
            found: hex(bytes.get(..2).unwrap_or(&bytes)),
            expected: ANY_KEY,
        }),
    }
}

/// A P-256 or P-384 key: its compressed SEC1 point (`0x02`/`0x03` ‖ x), which
/// RustCrypto decompresses and checks to be on the curve and not the identity.
fn decode_ecdsa(mb: &str, header: [u8; 2], key: &[u8]) -> Result<PublicKey, DidKeyError> {
    let (kind, expected) = if header == P256_PUB_MULTICODEC {
        (KeyType::P256, "33 (a compressed P-256 point)")
    } else {
        (KeyType::P384, "49 (a compressed P-384 point)")
    };
    // Compressed only: the Multikey specification's encoding, so one key has one name.
    let compressed_len = if kind == KeyType::P256 { 33 } else { 49 };
    if key.len() != compressed_len || !matches!(key.first(), Some(0x02 | 0x03)) {
        return Err(DidKeyError::WrongLength {
            value: mb.to_owned(),
            found: key.len(),
            expected,
        });
    }
    let not_on_curve = || DidKeyError::NotOnCurve {
        value: mb.to_owned(),
        curve: kind.name(),
    };
    if kind == KeyType::P256 {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
            .map(PublicKey::P256)
            .map_err(|_| not_on_curve())
    } else {
        p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
            .map(PublicKey::P384)
            .map_err(|_| not_on_curve())
    }
}

/// An Ed25519 key: 32 bytes, canonical, on the curve, not of small order.
fn decode_ed25519(mb: &str, key: &[u8]) -> Result<VerifyingKey, DidKeyError> {
    let key: [u8; 32] = key.try_into().map_err(|_| DidKeyError::WrongLength {
        value: mb.to_owned(),
        found: key.len(),
        expected: "32",
    })?;
    // A y coordinate at or above p = 2^255 − 19 is another encoding of the point
    // y − p: accepting it would give one key two did:key names (RFC 8032 §5.1.3 says
    // decoding fails; the decompression below would reduce y silently).
    if !canonical_y(&key) {
        return Err(DidKeyError::NotOnCurve {
            value: mb.to_owned(),
            curve: "Ed25519",
        });
    }
    let vk = VerifyingKey::from_bytes(&key).map_err(|_| DidKeyError::NotOnCurve {
        value: mb.to_owned(),
        curve: "Ed25519",
    })?;
    if vk.is_weak() {
        return Err(DidKeyError::WeakKey {
            value: mb.to_owned(),
        });
    }
    Ok(vk)
}

/// Whether a compressed Edwards point encodes y canonically (y < p = 2^255 − 19).
/// y ≥ p exactly when y = p + k with k < 19: bytes ED..FF, then FF…FF, then 7F
/// (little-endian, the sign bit cleared).
fn canonical_y(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    !(y[0] >= 0xed && y[1..31].iter().all(|&b| b == 0xff) && y[31] == 0x7f)
}

/// `0x` and the lower-case hexadecimal of `bytes` (multicodec headers in errors).
pub(crate) fn hex(bytes: &[u8]) -> String {
    format!("0x{}", multibase::hex(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 38 encodings with y ≥ p (19 values, either sign bit) are refused, though
    /// several of them decompress to a point of large order: one key, one did:key.
    #[test]
    fn non_canonical_encodings_are_refused() {
        let mut refused = 0;
        for k in 0u8..19 {
            for sign in [0u8, 0x80] {
                let mut y = [0xffu8; 32];
                y[0] = 0xed + k;
                y[31] = 0x7f | sign;
                let mb = multibase::encode_base58btc(&[&ED25519_PUB_MULTICODEC[..], &y].concat());
                let err = decode_multikey(&mb).unwrap_err();
                assert!(
                    matches!(
                        err,
                        DidKeyError::NotOnCurve { .. } | DidKeyError::WeakKey { .. }
                    ),
                    "{err}"
                );
                refused += 1;
                // The canonical encoding of y − p = k decodes (when it is on the curve),
                // to the point the non-canonical one would have named.
                let mut canonical = [0u8; 32];
                canonical[0] = k;
                canonical[31] = sign;
                if let Ok(vk) = VerifyingKey::from_bytes(&canonical) {
                    if !vk.is_weak() {
                        let mb = multibase::encode_base58btc(
                            &[&ED25519_PUB_MULTICODEC[..], &canonical].concat(),
                        );
                        assert_eq!(decode_multikey(&mb).unwrap(), vk);
                    }
                }
            }
        }
        assert_eq!(refused, 38);
        // The largest canonical y (p − 1) is not refused for its encoding.
        let mut y = [0xffu8; 32];
        y[0] = 0xec;
        y[31] = 0x7f;
        assert!(canonical_y(&y));
    }

    #[test]
    fn key_cache_answers_as_decoding_does_and_forgets_the_oldest() {
        let key = |i: u8| {
            let mut bytes = [0u8; 34];
            bytes[..2].copy_from_slice(&ED25519_PUB_MULTICODEC);
            bytes[2..].copy_from_slice(
                ed25519_dalek::SigningKey::from_bytes(&[i; 32])
                    .verifying_key()
                    .as_bytes(),
            );
            multibase::encode_base58btc(&bytes)
        };
        // More keys than the cache holds, twice: every answer equals a fresh decode.
        for _ in 0..2 {
            for i in 0..(KEY_CACHE_SIZE as u8 + 5) {
                let mb = key(i);
                assert_eq!(decode_public_multikey(&mb), decode_multikey_uncached(&mb));
            }
        }
        KEY_CACHE.with(|c| assert_eq!(c.borrow().entries.len(), KEY_CACHE_SIZE));
        // Errors are not cached: a bad value fails every time.
        for _ in 0..2 {
            assert!(decode_multikey("z6MkBAD").is_err());
        }
        assert!(KEY_CACHE.with(|c| c.borrow().get("z6MkBAD").is_none()));
    }

    #[test]
    fn spec_keypair_vector() {
        let vk = decode_multikey("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2").unwrap();
        assert_eq!(
            hex(vk.as_bytes()),
            "0xb00d8d938e7f773d51565aad36a623f5344f7f5d1960f9cf3e8e12620ea2810f"
        );
        let dk = DidKey::from_public_key(vk);
        assert_eq!(
            dk.verification_method(),
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        );
    }

    /// The P-256 and P-384 keys of the W3C vc-di-ecdsa test vectors
    /// (`TestVectors/p256KeyPair.json`, `p384KeyPair.json`).
    const P256: &str = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP";
    const P384: &str = "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ";

    #[test]
    fn ecdsa_multikeys_and_did_keys() {
        for (mb, name, len) in [(P256, "P-256", 33), (P384, "P-384", 49)] {
            let key = decode_public_multikey(mb).unwrap();
            assert_eq!(key.name(), name);
            assert_eq!(key.to_bytes().len(), len);
            assert_eq!(encode_public_multikey(&key), mb);
            let did = format!("did:key:{mb}");
            let dk = DidKey::parse(&did).unwrap();
            assert_eq!(dk.public_key(), &key);
            assert_eq!(dk.verification_method(), format!("{did}#{mb}"));
            assert_eq!(
                dk.document()["verificationMethod"][0]["publicKeyMultibase"],
                mb
            );
            // The Ed25519-only decoder names the type as what is wrong.
            let err = decode_multikey(mb).unwrap_err();
            assert!(
                matches!(&err, DidKeyError::WrongMulticodec { expected, .. } if *expected == ED25519_KEY),
                "{err}"
            );
        }
        let p256 = decode_public_multikey(P256).unwrap();
        let PublicKey::P256(vk) = p256 else {
            unreachable!("not P-256")
        };
        // The uncompressed point (65 bytes) is not the Multikey encoding.
        let uncompressed = vk.to_encoded_point(false);
        let mb = multibase::encode_base58btc(
            &[&P256_PUB_MULTICODEC[..], uncompressed.as_bytes()].concat(),
        );
        let err = decode_public_multikey(&mb).unwrap_err();
        assert!(
            err.to_string().contains(
                "holds 65 bytes after the multicodec header where 33 (a compressed P-256 point)"
            ),
            "{err}"
        );
        // An x with no point on the curve (about half of them): refused.
        let off = (0u8..=255)
            .map(|b| {
                let mut point = [0u8; 33];
                point[0] = 0x02;
                point[32] = b;
                multibase::encode_base58btc(&[&P256_PUB_MULTICODEC[..], &point].concat())
            })
            .find(|mb| decode_public_multikey(mb).is_err())
            .unwrap();
        assert!(matches!(
            decode_public_multikey(&off),
            Err(DidKeyError::NotOnCurve { curve: "P-256", .. })
        ));
        // A P-256 header with a P-384 point's length.
        let p384 = decode_public_multikey(P384).unwrap().to_bytes();
        let mb = multibase::encode_base58btc(&[&P256_PUB_MULTICODEC[..], &p384].concat());
        assert!(matches!(
            decode_public_multikey(&mb),
            Err(DidKeyError::WrongLength { found: 49, .. })
        ));
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(matches!(
            DidKey::parse("did:web:uni.example"),
            Err(DidKeyError::NotDidKey { .. })
        ));
        // X25519 key (0xec01) is not an Ed25519 key.
        let x = multibase::encode_base58btc(&[&[0xec, 0x01][..], &[9u8; 32]].concat());
        assert!(matches!(
            DidKey::parse(&format!("did:key:{x}")),
            Err(DidKeyError::WrongMulticodec { found, .. }) if found == "0xec01"
        ));
        let short = multibase::encode_base58btc(&[&[0xed, 0x01][..], &[9u8; 31]].concat());
        assert!(matches!(
            decode_multikey(&short),
            Err(DidKeyError::WrongLength { found: 31, .. })
        ));
        // The identity point (y = 1) has small order.
        let mut ident = [0u8; 32];
        ident[0] = 1;
        let weak = multibase::encode_base58btc(&[&[0xed, 0x01][..], &ident[..]].concat());
        assert!(matches!(
            decode_multikey(&weak),
            Err(DidKeyError::WeakKey { .. })
        ));
        assert!(matches!(
            decode_multikey("u6Mk"),
            Err(DidKeyError::Multibase { .. })
        ));
        let vm = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1";
        assert!(matches!(
            DidKey::parse_verification_method(vm),
            Err(DidKeyError::WrongFragment { .. })
        ));
    }

    #[test]
    fn not_on_curve_is_rejected() {
        // Find a y coordinate that does not decompress (about half do not).
        let bad = (2u8..=255)
            .map(|b| {
                let mut k = [0u8; 32];
                k[0] = b;
                k
            })
            .find(|k| VerifyingKey::from_bytes(k).is_err())
            .unwrap();
        let mb = multibase::encode_base58btc(&[&[0xed, 0x01][..], &bad[..]].concat());
        assert!(matches!(
            decode_multikey(&mb),
            Err(DidKeyError::NotOnCurve { .. })
        ));
    }
}
