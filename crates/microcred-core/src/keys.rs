//! Secret keys (Ed25519, and ECDSA on P-256 or P-384) and the Multikey key-file format.
//!
//! A key file is Multikey JSON:
//! `{"type":"Multikey","id":…,"controller":…,"publicKeyMultibase":"z6Mk…","secretKeyMultibase":"z3u2…"}`.
//! The secret is a multicodec header followed by the key's bytes, in base58btc:
//! `ed25519-priv` (0x1300, varint `0x80 0x26`) and the 32-byte seed, `p256-priv`
//! (0x1306, `0x86 0x26`) and the 32-byte scalar, or `p384-priv` (0x1307, `0x87 0x26`)
//! and the 48-byte scalar (as the vc-di-eddsa and vc-di-ecdsa test vectors' key
//! pairs write them). [`AnySecretKey`] is whichever of them a file holds. Loading
//! also accepts `privateKeyMultibase`, the name used by the W3C test vectors'
//! `keyPair.json`.
//!
//! Reading and writing files (and their permissions) is the signer's job: this
//! module only converts between bytes and keys.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::Deserialize;
use serde_json::json;
use zeroize::{Zeroize, Zeroizing};

use crate::did_key::{self, DidKey, DidKeyError};
use crate::multibase;
/// The type of a key ([`AnySecretKey::key_type`]; also at [`crate::public_key`]).
pub use crate::public_key::KeyType;
/// The public key of any type proofs are checked with (also at [`crate::public_key`]).
pub use crate::public_key::PublicKey;

/// Multicodec varint for an Ed25519 secret key (`ed25519-priv`, 0x1300).
pub const ED25519_PRIV_MULTICODEC: [u8; 2] = [0x80, 0x26];

/// An Ed25519 secret key. Zeroized on drop; its `Debug` shows only the public key.
pub struct SecretKey {
    inner: SigningKey,
}

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecretKey")
            .field("public", &did_key::encode_multikey(&self.public_key()))
            .finish_non_exhaustive()
    }
}

impl SecretKey {
    /// Generates a key from the operating system's random source.
    pub fn generate() -> Self {
        use rand_core::RngCore as _;
        let mut seed = Zeroizing::new([0u8; 32]);
        rand_core::OsRng.fill_bytes(&mut seed[..]);
        Self::from_seed(&seed)
    }

    /// The key for a 32-byte seed (RFC 8032 secret key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            inner: SigningKey::from_bytes(seed),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> VerifyingKey {
        self.inner.verifying_key()
    }

    /// The did:key of the public key.
    pub fn did_key(&self) -> DidKey {
        DidKey::from_public_key(self.public_key())
    }

    /// The 32-byte seed. Named so that every use is deliberate.
    pub fn expose_secret_seed(&self) -> &[u8; 32] {
        self.inner.as_bytes()
    }

    /// Signs a message (Ed25519, deterministic).
    pub fn sign(&self, message: &[u8]) -> Signature {
        self.inner.sign(message)
    }

    /// The Multikey `secretKeyMultibase` value (`z3u2…`). Zeroized on drop.
    pub fn to_multibase(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new([0u8; 34]);
        bytes[..2].copy_from_slice(&ED25519_PRIV_MULTICODEC);
        bytes[2..].copy_from_slice(self.inner.as_bytes());
        Zeroizing::new(multibase::encode_base58btc(&bytes[..]))
    }

    /// Decodes a Multikey `secretKeyMultibase` value.
    ///
    /// # Errors
    /// [`KeyFileError`] when it is not base58btc, not `ed25519-priv`, or not 32 bytes.
    /// The error never contains the value.
    pub fn from_multibase(value: &str) -> Result<Self, KeyFileError> {
        let bytes = Zeroizing::new(
            multibase::decode_base58btc(value).map_err(|_| KeyFileError::SecretEncoding)?,
        );
        let (header, seed) = bytes.split_at(bytes.len().min(2));
        if header != ED25519_PRIV_MULTICODEC {
            return Err(KeyFileError::SecretMulticodec {
                found: did_key::hex(header),
            });
        }
        let seed: &[u8; 32] = seed.try_into().map_err(|_| KeyFileError::SecretLength {
            found: seed.len(),
            expected: 32,
            key_type: "Ed25519",
        })?;
        Ok(Self::from_seed(seed))
    }
}

/// Why a key file could not be loaded. Never contains secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// Not JSON of the expected shape.
    #[error("not a Multikey key file: {reason}")]
    Format {
        /// What the JSON parser said (never includes values).
        reason: String,
    },
    /// Neither `secretKeyMultibase` nor `privateKeyMultibase` is present.
    #[error("key file has no secretKeyMultibase (or privateKeyMultibase)")]
    NoSecret,
    /// The key file is encrypted (a passphrase is needed to open it).
    #[error("key file is encrypted: a passphrase is needed")]
    Encrypted,
    /// The secret is not multibase base58btc.
    #[error("secretKeyMultibase is not multibase base58btc (\"z…\")")]
    SecretEncoding,
    /// The secret's multicodec header is none of `ed25519-priv`, `p256-priv`, `p384-priv`
    /// (or not the one a key type's own decoder takes).
    #[error(
        "secretKeyMultibase has multicodec header {found} where 0x8026 (ed25519-priv), 0x8626 (p256-priv) or 0x8726 (p384-priv) is required"
    )]
    SecretMulticodec {
        /// The header found, in hex.
        found: String,
    },
    /// The secret is not as long as its key type's.
    #[error("secretKeyMultibase holds {found} bytes where a {key_type} key has {expected}")]
    SecretLength {
        /// The length found (after the multicodec header).
        found: usize,
        /// The length of a key of that type.
        expected: usize,
        /// The key type its header names (`Ed25519`, `P-256`, `P-384`).
        key_type: &'static str,
    },
    /// `publicKeyMultibase` is malformed.
    #[error("publicKeyMultibase is invalid")]
    Public(#[source] DidKeyError),
    /// `publicKeyMultibase` is not the public half of the secret key.
    #[error(
        "publicKeyMultibase {found} does not match the secret key (whose public key is {expected})"
    )]
    PublicMismatch {
        /// The value in the file.
        found: String,
        /// The public key derived from the secret.
        expected: String,
    },
}

/// Shown in place of a key file's value that an error message must not repeat.
pub(crate) const VALUE_NOT_SHOWN: &str = "(value not shown)";

/// `value` quoted for an error message, unless it looks like secret key material
/// (multibase base58btc of multicodec `ed25519-priv`): a member of a key file may
/// hold the secret pasted in the wrong place.
pub(crate) fn shown(value: &str) -> String {
    if looks_secret(value) {
        VALUE_NOT_SHOWN.to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Whether `value` is multibase base58btc of multicodec `ed25519-priv`,
/// `p256-priv` or `p384-priv`: a secret key.
pub(crate) fn looks_secret(value: &str) -> bool {
    multibase::decode_base58btc(value)
        .map(|b| {
            let b = Zeroizing::new(b);
            [
                ED25519_PRIV_MULTICODEC,
                P256_PRIV_MULTICODEC,
                P384_PRIV_MULTICODEC,
            ]
            .iter()
            .any(|header| b.starts_with(header))
        })
        .unwrap_or(false)
}

/// `message` with every base58 word that is secret key material (multibase
/// base58btc of multicodec `ed25519-priv`, `p256-priv` or `p384-priv`) replaced by `(value not shown)`;
/// `None` when it holds none. The last line of defence for error messages about
/// key files, whatever member or file a pasted secret came from
/// (`key_encryption` and `microcred-sign` use it).
pub fn redact_secrets(message: &str) -> Option<String> {
    let is_base58 = |c: char| c.is_ascii_alphanumeric() && !matches!(c, '0' | 'O' | 'I' | 'l');
    let mut out = String::with_capacity(message.len());
    let mut hid = false;
    let mut rest = message;
    while let Some(start) = rest.find(is_base58) {
        let (before, word_on) = rest.split_at(start);
        let end = word_on
            .find(|c: char| !is_base58(c))
            .unwrap_or(word_on.len());
        let (word, after) = word_on.split_at(end);
        out.push_str(before);
        if looks_secret(word) {
            out.push_str(VALUE_NOT_SHOWN);
            hid = true;
        } else {
            out.push_str(word);
        }
        rest = after;
    }
    out.push_str(rest);
    hid.then_some(out)
}

/// The same error without the offending value: `publicKeyMultibase` of a key file may
/// hold secret material (a pasted secret key, or part of one), which no error repeats.
fn without_value(e: DidKeyError) -> DidKeyError {
    let value = VALUE_NOT_SHOWN.to_owned();
    match e {
        DidKeyError::NotDidKey { .. } => DidKeyError::NotDidKey { value },
        DidKeyError::Multibase { source, .. } => DidKeyError::Multibase { value, source },
        DidKeyError::WrongMulticodec {
            found, expected, ..
        } => DidKeyError::WrongMulticodec {
            value,
            found,
            expected,
        },
        DidKeyError::WrongLength {
            found, expected, ..
        } => DidKeyError::WrongLength {
            value,
            found,
            expected,
        },
        DidKeyError::NotOnCurve { curve, .. } => DidKeyError::NotOnCurve { value, curve },
        DidKeyError::WeakKey { .. } => DidKeyError::WeakKey { value },
        DidKeyError::WrongFragment { expected, .. } => {
            DidKeyError::WrongFragment { value, expected }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKeyFile {
    id: Option<String>,
    controller: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    public_key_multibase: Option<String>,
    secret_key_multibase: Option<String>,
    private_key_multibase: Option<String>,
    encrypted: Option<serde_json::Value>,
}

impl Drop for RawKeyFile {
    fn drop(&mut self) {
        self.secret_key_multibase.zeroize();
        self.private_key_multibase.zeroize();
    }
}

/// A secret key with the Multikey metadata of its key file.
#[derive(Debug)]
pub struct KeyFile {
    /// The verification-method id (`did:…#…`), when the file names one.
    pub id: Option<String>,
    /// The controller DID, when the file names one.
    pub controller: Option<String>,
    /// The secret key, of whichever type the file holds.
    pub secret: AnySecretKey,
}

impl KeyFile {
    /// A key file for a did:key: `id` is the did:key verification method and
    /// `controller` the did:key.
    pub fn for_did_key(secret: impl Into<AnySecretKey>) -> Self {
        let secret = secret.into();
        let dk = secret.did_key();
        Self {
            id: Some(dk.verification_method()),
            controller: Some(dk.did()),
            secret,
        }
    }

    /// Parses a Multikey key file (or the spec vectors' `keyPair.json`).
    ///
    /// # Errors
    /// [`KeyFileError`], which never includes secret material.
    pub fn from_json(bytes: &[u8]) -> Result<Self, KeyFileError> {
        let raw: RawKeyFile = serde_json::from_slice(bytes).map_err(|e| KeyFileError::Format {
            // serde_json's messages name fields and positions, never values of strings.
            reason: e.to_string(),
        })?;
        if raw.encrypted.is_some() {
            return Err(KeyFileError::Encrypted);
        }
        if let Some(kind) = &raw.kind {
            if kind != "Multikey" {
                return Err(KeyFileError::Format {
                    reason: format!("type is {} where \"Multikey\" is required", shown(kind)),
                });
            }
        }
        let secret_mb = raw
            .secret_key_multibase
            .as_deref()
            .or(raw.private_key_multibase.as_deref())
            .ok_or(KeyFileError::NoSecret)?;
        let secret = AnySecretKey::from_multibase(secret_mb)?;
        if let Some(public) = &raw.public_key_multibase {
            let found = PublicKey::from_multikey(public)
                .map_err(|e| KeyFileError::Public(without_value(e)))?;
            if found != secret.public_key() {
                return Err(KeyFileError::PublicMismatch {
                    found: public.clone(),
                    expected: secret.public_key().to_multikey(),
                });
            }
        }
        Ok(Self {
            id: raw.id.clone(),
            controller: raw.controller.clone(),
            secret,
        })
    }

    /// The verification-method URL proofs made with this key name: the file's
    /// `id`, or the did:key verification method when the file has none.
    pub fn verification_method(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| self.secret.did_key().verification_method())
    }

    /// The DID that controls the key: the file's `controller`, else the DID
    /// part of `id`, else the did:key.
    pub fn controller(&self) -> String {
        if let Some(c) = &self.controller {
            return c.clone();
        }
        if let Some(id) = &self.id {
            if let Some((did, _)) = id.split_once('#') {
                return did.to_owned();
            }
        }
        self.secret.did_key().did()
    }

    /// The Multikey JSON of this key file, secret included. Zeroized on drop.
    pub fn to_json(&self) -> Zeroizing<String> {
        let secret = self.secret.to_multibase();
        let mut value = json!({
            "@context": "https://w3id.org/security/multikey/v1",
            "type": "Multikey",
            "id": self.verification_method(),
            "controller": self.controller(),
            "publicKeyMultibase": self.secret.public_key().to_multikey(),
            "secretKeyMultibase": secret.as_str(),
        });
        // Written into a buffer large enough never to reallocate (a reallocation would
        // leave a copy of the secret in freed memory), then the JSON value's own copy
        // of the secret is wiped.
        let mut text = Zeroizing::new(Vec::with_capacity(
            4096 + self.verification_method().len() * 4,
        ));
        let written = serde_json::to_writer_pretty(&mut *text, &value);
        if let Some(serde_json::Value::String(s)) = value.get_mut("secretKeyMultibase") {
            s.zeroize();
        }
        if written.is_err() {
            return Zeroizing::new(String::new());
        }
        text.push(b'\n');
        // serde_json writes UTF-8; the bytes move into the String without a copy.
        match String::from_utf8(std::mem::take(&mut *text)) {
            Ok(s) => Zeroizing::new(s),
            Err(e) => {
                let mut bytes = e.into_bytes();
                bytes.zeroize();
                Zeroizing::new(String::new())
            }
        }
    }
}

/// Multicodec varint for a P-256 secret key (`p256-priv`, 0x1306).
pub const P256_PRIV_MULTICODEC: [u8; 2] = [0x86, 0x26];
/// Multicodec varint for a P-384 secret key (`p384-priv`, 0x1307).
pub const P384_PRIV_MULTICODEC: [u8; 2] = [0x87, 0x26];

/// An ECDSA secret key on P-256 or P-384 (RustCrypto's `p256` / `p384`, which
/// zeroize it on drop), for the `ecdsa-*-2019` suites. Its `Debug` shows only
/// the public key.
#[non_exhaustive]
pub enum EcdsaSecretKey {
    /// A P-256 key.
    P256(p256::ecdsa::SigningKey),
    /// A P-384 key.
    P384(p384::ecdsa::SigningKey),
}

impl core::fmt::Debug for EcdsaSecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaSecretKey")
            .field("public", &self.public_key().to_multikey())
            .finish_non_exhaustive()
    }
}

impl EcdsaSecretKey {
    /// A P-256 key from the operating system's random source.
    pub fn generate_p256() -> Self {
        Self::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// A P-384 key from the operating system's random source.
    pub fn generate_p384() -> Self {
        Self::P384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::P256(k) => PublicKey::P256(*k.verifying_key()),
            Self::P384(k) => PublicKey::P384(*k.verifying_key()),
        }
    }

    /// The did:key of the public key (`did:key:zDn…`, `did:key:z82…`).
    pub fn did_key(&self) -> DidKey {
        DidKey::from_public_key(self.public_key())
    }

    /// Signs `message` as vc-di-ecdsa's "Proof Serialization" does: ECDSA over
    /// `message` hashed with SHA-256 (P-256) or SHA-384 (P-384), deterministic
    /// nonces (RFC 6979), the fixed-size `r ‖ s` (64 or 96 bytes).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer as _;
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
        }
    }

    /// The Multikey `secretKeyMultibase` value: `p256-priv` or `p384-priv` and
    /// the 32- or 48-byte scalar, base58btc (as the vc-di-ecdsa vectors' key
    /// pairs). Zeroized on drop.
    pub fn to_multibase(&self) -> Zeroizing<String> {
        let (header, scalar) = match self {
            Self::P256(k) => (P256_PRIV_MULTICODEC, Zeroizing::new(k.to_bytes().to_vec())),
            Self::P384(k) => (P384_PRIV_MULTICODEC, Zeroizing::new(k.to_bytes().to_vec())),
        };
        let mut bytes = Zeroizing::new(Vec::with_capacity(2 + scalar.len()));
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&scalar);
        Zeroizing::new(multibase::encode_base58btc(&bytes))
    }

    /// Decodes a Multikey `secretKeyMultibase` value of a P-256 or P-384 key.
    ///
    /// # Errors
    /// [`KeyFileError`] when it is not base58btc, not `p256-priv` / `p384-priv`,
    /// of the wrong length, or not a valid scalar. The error never contains the value.
    pub fn from_multibase(value: &str) -> Result<Self, KeyFileError> {
        let bytes = Zeroizing::new(
            multibase::decode_base58btc(value).map_err(|_| KeyFileError::SecretEncoding)?,
        );
        let (header, scalar) = bytes.split_at(bytes.len().min(2));
        let (expected, p256) = match header {
            h if h == P256_PRIV_MULTICODEC => (32, true),
            h if h == P384_PRIV_MULTICODEC => (48, false),
            _ => {
                return Err(KeyFileError::SecretMulticodec {
                    found: did_key::hex(header),
                });
            }
        };
        if scalar.len() != expected {
            return Err(KeyFileError::SecretLength {
                found: scalar.len(),
                expected,
                key_type: if p256 { "P-256" } else { "P-384" },
            });
        }
        let invalid = || {
            KeyFileError::Format {
            reason: "secretKeyMultibase is not a valid ECDSA secret key (zero, or not below the group order)"
                .into(),
        }
        };
        if p256 {
            p256::ecdsa::SigningKey::from_slice(scalar)
                .map(Self::P256)
                .map_err(|_| invalid())
        } else {
            p384::ecdsa::SigningKey::from_slice(scalar)
                .map(Self::P384)
                .map_err(|_| invalid())
        }
    }
}

/// A secret key of any type microcred signs with: Ed25519 (the `eddsa-*` suites,
/// `EdDSA` JWTs) or ECDSA on P-256 / P-384 (the `ecdsa-*-2019` suites, `ES256` /
/// `ES384` JWTs). What a key file holds ([`KeyFile::secret`]). Zeroized on drop (each
/// variant's own key zeroizes itself); its `Debug` shows only the public key.
#[derive(Debug)]
#[non_exhaustive]
pub enum AnySecretKey {
    /// An Ed25519 key.
    Ed25519(SecretKey),
    /// An ECDSA key on P-256 or P-384.
    Ecdsa(EcdsaSecretKey),
}

impl From<SecretKey> for AnySecretKey {
    fn from(key: SecretKey) -> Self {
        Self::Ed25519(key)
    }
}

impl From<EcdsaSecretKey> for AnySecretKey {
    fn from(key: EcdsaSecretKey) -> Self {
        Self::Ecdsa(key)
    }
}

impl AnySecretKey {
    /// A new key of `key_type` from the operating system's random source.
    pub fn generate(key_type: KeyType) -> Self {
        match key_type {
            KeyType::P256 => Self::Ecdsa(EcdsaSecretKey::generate_p256()),
            KeyType::P384 => Self::Ecdsa(EcdsaSecretKey::generate_p384()),
            _ => Self::Ed25519(SecretKey::generate()),
        }
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.public_key().key_type()
    }

    /// The name of the key's type for messages: `Ed25519`, `P-256`, `P-384`.
    pub fn name(&self) -> &'static str {
        self.key_type().name()
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::Ed25519(k) => PublicKey::Ed25519(k.public_key()),
            Self::Ecdsa(k) => k.public_key(),
        }
    }

    /// The did:key of the public key (`did:key:z6Mk…`, `zDn…`, `z82…`).
    pub fn did_key(&self) -> DidKey {
        DidKey::from_public_key(self.public_key())
    }

    /// The Ed25519 key, if this is one.
    pub fn as_ed25519(&self) -> Option<&SecretKey> {
        match self {
            Self::Ed25519(k) => Some(k),
            Self::Ecdsa(_) => None,
        }
    }

    /// The Ed25519 key, if this is one (taken out of the enum).
    pub fn into_ed25519(self) -> Option<SecretKey> {
        match self {
            Self::Ed25519(k) => Some(k),
            Self::Ecdsa(_) => None,
        }
    }

    /// The ECDSA key, if this is one.
    pub fn as_ecdsa(&self) -> Option<&EcdsaSecretKey> {
        match self {
            Self::Ecdsa(k) => Some(k),
            Self::Ed25519(_) => None,
        }
    }

    /// Signs `message`: Ed25519's 64 bytes, or ECDSA's fixed-size `r ‖ s` over
    /// SHA-256 (P-256) / SHA-384 (P-384) of it ([`EcdsaSecretKey::sign`]), which is
    /// also what JWS's `EdDSA`, `ES256` and `ES384` signatures are (RFC 7518 §3.4).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            Self::Ecdsa(k) => k.sign(message),
        }
    }

    /// The Multikey `secretKeyMultibase` value (`z3u2…`, `z42t…`, `z2fa…`). Zeroized on drop.
    pub fn to_multibase(&self) -> Zeroizing<String> {
        match self {
            Self::Ed25519(k) => k.to_multibase(),
            Self::Ecdsa(k) => k.to_multibase(),
        }
    }

    /// Decodes a Multikey `secretKeyMultibase` value of any supported type, by its
    /// multicodec header (`ed25519-priv`, `p256-priv`, `p384-priv`).
    ///
    /// # Errors
    /// [`KeyFileError`] when it is not base58btc, has another header, the wrong
    /// length for its type, or (ECDSA) is not a valid scalar. Never contains the value.
    pub fn from_multibase(value: &str) -> Result<Self, KeyFileError> {
        let bytes = Zeroizing::new(
            multibase::decode_base58btc(value).map_err(|_| KeyFileError::SecretEncoding)?,
        );
        Self::from_multicodec(&bytes)
    }

    /// The multicodec header and the key's bytes (what `secretKeyMultibase` encodes,
    /// and what `key_encryption` encrypts). Zeroized on drop.
    #[cfg(feature = "key-encryption")]
    pub(crate) fn to_multicodec(&self) -> Zeroizing<Vec<u8>> {
        let (header, bytes) = match self {
            Self::Ed25519(k) => (
                ED25519_PRIV_MULTICODEC,
                Zeroizing::new(k.expose_secret_seed().to_vec()),
            ),
            Self::Ecdsa(EcdsaSecretKey::P256(k)) => {
                (P256_PRIV_MULTICODEC, Zeroizing::new(k.to_bytes().to_vec()))
            }
            Self::Ecdsa(EcdsaSecretKey::P384(k)) => {
                (P384_PRIV_MULTICODEC, Zeroizing::new(k.to_bytes().to_vec()))
            }
        };
        // Sized once so that no reallocation leaves a copy behind.
        let mut out = Zeroizing::new(Vec::with_capacity(2 + bytes.len()));
        out.extend_from_slice(&header);
        out.extend_from_slice(&bytes);
        out
    }

    /// The key whose multicodec header and bytes are `bytes`.
    pub(crate) fn from_multicodec(bytes: &[u8]) -> Result<Self, KeyFileError> {
        let header = &bytes[..bytes.len().min(2)];
        // The per-type decoders check the length and the scalar; they take base58btc
        // text, so the bytes go through it once more (zeroized like the rest).
        let text = Zeroizing::new(multibase::encode_base58btc(bytes));
        if header == ED25519_PRIV_MULTICODEC {
            SecretKey::from_multibase(&text).map(Self::Ed25519)
        } else {
            EcdsaSecretKey::from_multibase(&text).map(Self::Ecdsa)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_KEYPAIR: &str = r#"{
    "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "privateKeyMultibase": "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
}"#;

    #[test]
    fn loads_spec_keypair() {
        let kf = KeyFile::from_json(SPEC_KEYPAIR.as_bytes()).unwrap();
        assert_eq!(
            did_key::hex(kf.secret.as_ed25519().unwrap().expose_secret_seed()),
            "0xc96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
        );
        assert_eq!(
            kf.verification_method(),
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        );
        assert_eq!(
            kf.secret.to_multibase().as_str(),
            "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
        );
    }

    /// The vc-di-ecdsa vectors' key pairs: the secret decodes, its public key is
    /// the pair's, it encodes back to the same text, and it signs what its
    /// public key verifies.
    #[test]
    fn ecdsa_key_pairs_of_the_specification() {
        for (secret, public, name) in [
            (
                "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN",
                "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
                "P-256",
            ),
            (
                "z2fanyY7zgwNpZGxX5fXXibvScNaUWNprHU9dKx7qpVj7mws9J8LLt4mDB5TyH2GLHWkUc",
                "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ",
                "P-384",
            ),
        ] {
            let key = EcdsaSecretKey::from_multibase(secret).unwrap();
            assert_eq!(key.public_key().to_multikey(), public);
            assert_eq!(key.public_key().name(), name);
            assert_eq!(key.to_multibase().as_str(), secret);
            assert_eq!(key.did_key().did(), format!("did:key:{public}"));
            let sig = key.sign(b"hash data");
            assert!(key.public_key().verify(b"hash data", &sig));
            assert!(!format!("{key:?}").contains(secret));
        }
        // An Ed25519 secret is not an ECDSA one, and the reverse.
        let ed = SecretKey::from_seed(&[7; 32]).to_multibase();
        assert!(matches!(
            EcdsaSecretKey::from_multibase(&ed),
            Err(KeyFileError::SecretMulticodec { .. })
        ));
        let p256 = EcdsaSecretKey::generate_p256().to_multibase();
        assert!(matches!(
            SecretKey::from_multibase(&p256),
            Err(KeyFileError::SecretMulticodec { .. })
        ));
        assert_eq!(EcdsaSecretKey::generate_p384().public_key().name(), "P-384");
    }

    /// Key files of each type: written, read back, the public key checked against
    /// the secret, and the secret's type named in errors.
    #[test]
    fn key_files_of_each_type() {
        for key_type in [KeyType::Ed25519, KeyType::P256, KeyType::P384] {
            let kf = KeyFile::for_did_key(AnySecretKey::generate(key_type));
            assert_eq!(kf.secret.key_type(), key_type);
            assert_eq!(kf.secret.name(), key_type.name());
            assert_eq!(kf.controller(), kf.secret.did_key().did());
            let text = kf.to_json();
            let back = KeyFile::from_json(text.as_bytes()).unwrap();
            assert_eq!(back.secret.public_key(), kf.secret.public_key());
            assert_eq!(back.verification_method(), kf.verification_method());
            let secret = kf.secret.to_multibase();
            assert_eq!(
                AnySecretKey::from_multibase(&secret)
                    .unwrap()
                    .to_multibase()
                    .as_str(),
                secret.as_str()
            );
            assert!(!format!("{kf:?}").contains(secret.as_str()));
            let sig = kf.secret.sign(b"message");
            assert_eq!(sig.len(), key_type.signature_len());
            assert!(kf.secret.public_key().verify(b"message", &sig));
            assert_eq!(
                kf.secret.as_ed25519().is_some(),
                key_type == KeyType::Ed25519
            );
            assert_eq!(kf.secret.as_ecdsa().is_some(), key_type.is_ecdsa());

            // Another key's public key in the file is refused.
            let other = AnySecretKey::generate(key_type).public_key().to_multikey();
            let swapped = text.replace(&kf.secret.public_key().to_multikey(), &other);
            assert!(matches!(
                KeyFile::from_json(swapped.as_bytes()),
                Err(KeyFileError::PublicMismatch { .. })
            ));
        }
        // A P-256 header with P-384's length, and an unknown header.
        let mut bytes = P256_PRIV_MULTICODEC.to_vec();
        bytes.extend_from_slice(&[1; 48]);
        let err = AnySecretKey::from_multibase(&multibase::encode_base58btc(&bytes)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "secretKeyMultibase holds 48 bytes where a P-256 key has 32"
        );
        let err = AnySecretKey::from_multibase(&multibase::encode_base58btc(&[0x81, 0x26, 1]))
            .unwrap_err();
        assert!(
            matches!(err, KeyFileError::SecretMulticodec { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("p384-priv"), "{err}");
        // A zero scalar is no ECDSA key.
        let mut zero = P384_PRIV_MULTICODEC.to_vec();
        zero.extend_from_slice(&[0; 48]);
        assert!(AnySecretKey::from_multibase(&multibase::encode_base58btc(&zero)).is_err());
    }

    #[test]
    fn redact_secrets_hides_ecdsa_secrets_too() {
        for key_type in [KeyType::P256, KeyType::P384] {
            let key = AnySecretKey::generate(key_type);
            let secret = key.to_multibase();
            let public = key.public_key().to_multikey();
            let message = format!("bad member {} in k.json ({public})", secret.as_str());
            assert_eq!(
                redact_secrets(&message).unwrap(),
                format!("bad member {VALUE_NOT_SHOWN} in k.json ({public})")
            );
            assert_eq!(redact_secrets(&format!("k.json ({public})")), None);
        }
    }

    #[test]
    fn round_trip_and_debug_hides_secret() {
        let kf = KeyFile::for_did_key(SecretKey::generate());
        let text = kf.to_json();
        let back = KeyFile::from_json(text.as_bytes()).unwrap();
        assert_eq!(back.secret.public_key(), kf.secret.public_key());
        assert_eq!(back.controller(), kf.secret.did_key().did());
        let secret_mb = kf.secret.to_multibase();
        let dbg = format!("{kf:?}");
        assert!(!dbg.contains(secret_mb.as_str()));
        assert!(dbg.contains("z6Mk"));
    }

    #[test]
    fn redact_secrets_replaces_secret_words_only() {
        let key = SecretKey::from_seed(&[7; 32]);
        let secret = key.to_multibase();
        let secret = secret.as_str();
        let public = did_key::encode_multikey(&key.public_key());
        let message = format!("member \"{secret}\" of k.json ({public}) is bad");
        let hidden = redact_secrets(&message).unwrap();
        assert_eq!(
            hidden,
            format!("member \"{VALUE_NOT_SHOWN}\" of k.json ({public}) is bad")
        );
        assert_eq!(
            redact_secrets(&format!("k.json ({public}): no secret here")),
            None
        );
    }

    #[test]
    fn mismatched_or_bad_keys_are_errors_without_secrets() {
        let other = SecretKey::generate();
        let text = SPEC_KEYPAIR.replace(
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            &did_key::encode_multikey(&other.public_key()),
        );
        let err = KeyFile::from_json(text.as_bytes()).unwrap_err();
        assert!(matches!(err, KeyFileError::PublicMismatch { .. }));
        assert!(!err.to_string().contains("z3u2en7t"));
        let err = KeyFile::from_json(br#"{"publicKeyMultibase":"z6Mk"}"#).unwrap_err();
        assert_eq!(err, KeyFileError::NoSecret);
        let err = KeyFile::from_json(
            br#"{"secretKeyMultibase":"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}"#,
        )
        .unwrap_err();
        assert!(matches!(err, KeyFileError::SecretMulticodec { .. }));
        let err = KeyFile::from_json(b"{").unwrap_err();
        assert!(matches!(err, KeyFileError::Format { .. }));
    }

    /// A secret pasted into publicKeyMultibase or type is never repeated by an error,
    /// nor is any part of it.
    #[test]
    fn misplaced_secrets_are_not_repeated_in_errors() {
        let secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
        let chain = |e: &KeyFileError| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        };
        for (public, kind) in [
            (secret, "Multikey"),
            (&secret[..30], "Multikey"),
            ("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", secret),
        ] {
            let text = format!(
                r#"{{"type":"{kind}","publicKeyMultibase":"{public}","secretKeyMultibase":"{secret}"}}"#
            );
            let err = KeyFile::from_json(text.as_bytes()).unwrap_err();
            let message = chain(&err);
            assert!(!message.contains(&secret[..12]), "{message}");
            assert!(message.contains(VALUE_NOT_SHOWN), "{message}");
        }
        // Ordinary values are still named.
        let err = KeyFile::from_json(br#"{"type":"JsonWebKey2020"}"#).unwrap_err();
        assert!(err.to_string().contains("\"JsonWebKey2020\""), "{err}");
    }

    #[test]
    fn to_json_is_the_same_text_as_pretty_printing() {
        let kf = KeyFile::for_did_key(SecretKey::from_seed(&[7; 32]));
        let value: serde_json::Value = serde_json::from_str(&kf.to_json()).unwrap();
        let mut expected = serde_json::to_string_pretty(&value).unwrap();
        expected.push('\n');
        assert_eq!(kf.to_json().as_str(), expected);
        assert_eq!(
            value["secretKeyMultibase"],
            kf.secret.to_multibase().as_str()
        );
    }
}
