//! Secret keys encrypted at rest: Argon2id (RFC 9106) derives a 256-bit key from the
//! passphrase and a random salt; XChaCha20-Poly1305 encrypts the Multikey secret
//! (`0x8026 ‖ seed`, what `secretKeyMultibase` encodes) under a random 192-bit nonce.
//!
//! The file stays a Multikey document: `type`, `id`, `controller` and
//! `publicKeyMultibase` are in clear (so tools can show the DID without the
//! passphrase), and `secretKeyMultibase` is replaced by an `encrypted` object holding
//! the scheme, the KDF parameters, the nonce and the ciphertext. The associated data
//! binds the ciphertext to `publicKeyMultibase`, so the public key shown cannot be
//! swapped for another; `id` and `controller` may be edited (e.g. to move a key to
//! did:web) without re-encrypting.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use microcred_core::did_key;
use microcred_core::keys::{ED25519_PRIV_MULTICODEC, KeyFile, SecretKey};
use microcred_core::multibase;
use rand_core::{OsRng, RngCore as _};
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroizing;

/// The `encrypted.scheme` this module writes and reads.
pub(crate) const SCHEME: &str = "microcred-encrypted-key-v1";
const KDF: &str = "argon2id";
const AEAD: &str = "xchacha20-poly1305";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const PLAINTEXT_LEN: usize = 34;
const TAG_LEN: usize = 16;

/// Argon2id cost parameters, stored in the file so that they can be raised later
/// without breaking old files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KdfParams {
    /// Memory in KiB.
    pub(crate) memory_kib: u32,
    /// Passes over memory.
    pub(crate) iterations: u32,
    /// Lanes.
    pub(crate) parallelism: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: RFC 9106 §4's second recommended option (its memory
    /// and passes; one lane because the argon2 crate computes lanes sequentially).
    /// About a quarter of a second on a laptop: unnoticeable for one signing run,
    /// ruinous for someone trying passphrases.
    pub(crate) const DEFAULT: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// Bounds accepted when reading a file: a crafted file must not make us allocate
    /// gigabytes or spin for hours, nor open a key with a trivially cheap KDF.
    fn check(self) -> anyhow::Result<Self> {
        let Self {
            memory_kib,
            iterations,
            parallelism,
        } = self;
        if !(8 * 1024..=4 * 1024 * 1024).contains(&memory_kib) {
            anyhow::bail!(
                "encrypted.kdf.memoryKiB is {memory_kib} where 8192 ≤ memoryKiB ≤ 4194304 is required"
            );
        }
        if !(1..=64).contains(&iterations) {
            anyhow::bail!(
                "encrypted.kdf.iterations is {iterations} where 1 ≤ iterations ≤ 64 is required"
            );
        }
        if !(1..=16).contains(&parallelism) {
            anyhow::bail!(
                "encrypted.kdf.parallelism is {parallelism} where 1 ≤ parallelism ≤ 16 is required"
            );
        }
        Ok(self)
    }

    fn derive(self, passphrase: &str, salt: &[u8]) -> anyhow::Result<Zeroizing<[u8; 32]>> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| anyhow::anyhow!("invalid Argon2id parameters: {e}"))?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
            .map_err(|e| anyhow::anyhow!("Argon2id key derivation failed: {e}"))?;
        Ok(out)
    }
}

fn aad(public_key_multibase: &str) -> Vec<u8> {
    format!("{SCHEME}\n{public_key_multibase}").into_bytes()
}

/// The encrypted Multikey JSON of `key` (no secret in clear).
///
/// # Errors
/// When key derivation or encryption fails (neither happens with valid parameters).
pub(crate) fn encrypt(
    key: &KeyFile,
    passphrase: &str,
    params: KdfParams,
) -> anyhow::Result<String> {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let public = did_key::encode_multikey(&key.secret.public_key());
    let derived = params.derive(passphrase, &salt)?;
    let mut plaintext = Zeroizing::new([0u8; PLAINTEXT_LEN]);
    plaintext[..2].copy_from_slice(&ED25519_PRIV_MULTICODEC);
    plaintext[2..].copy_from_slice(key.secret.expose_secret_seed());
    let cipher = XChaCha20Poly1305::new((&*derived).into());
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plaintext[..],
                aad: &aad(&public),
            },
        )
        .map_err(|_| anyhow::anyhow!("encryption of the secret key failed"))?;
    let value = json!({
        "@context": "https://w3id.org/security/multikey/v1",
        "type": "Multikey",
        "id": key.verification_method(),
        "controller": key.controller(),
        "publicKeyMultibase": public,
        "encrypted": {
            "scheme": SCHEME,
            "kdf": {
                "algorithm": KDF,
                "version": 19,
                "memoryKiB": params.memory_kib,
                "iterations": params.iterations,
                "parallelism": params.parallelism,
                "salt": multibase::encode_base64url(&salt),
            },
            "aead": {
                "algorithm": AEAD,
                "nonce": multibase::encode_base64url(&nonce),
            },
            "ciphertext": multibase::encode_base64url(&ciphertext),
        },
    });
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EncryptedFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<String>,
    controller: Option<String>,
    public_key_multibase: String,
    secret_key_multibase: Option<serde::de::IgnoredAny>,
    encrypted: Encrypted,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Encrypted {
    scheme: String,
    kdf: Kdf,
    aead: Aead,
    ciphertext: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Kdf {
    algorithm: String,
    version: u32,
    #[serde(rename = "memoryKiB")]
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Aead {
    algorithm: String,
    nonce: String,
}

/// Opens an encrypted key file (one that `KeyFile::from_json` answers
/// `KeyFileError::Encrypted` for) with its passphrase.
///
/// # Errors
/// A message naming the malformed member, or "wrong passphrase or corrupted key file"
/// when authentication fails. Never contains secret material.
pub(crate) fn decrypt(bytes: &[u8], passphrase: &str) -> anyhow::Result<KeyFile> {
    let file: EncryptedFile = serde_json::from_slice(bytes)
        .map_err(|e| anyhow::anyhow!("not an encrypted key file: {e}"))?;
    if let Some(kind) = &file.kind {
        if kind != "Multikey" {
            anyhow::bail!("type is {kind:?} where \"Multikey\" is required");
        }
    }
    if file.secret_key_multibase.is_some() {
        anyhow::bail!("the key file has both secretKeyMultibase and encrypted; remove one");
    }
    let enc = &file.encrypted;
    if enc.scheme != SCHEME {
        anyhow::bail!(
            "encrypted.scheme is {:?} where {SCHEME:?} is required (written by a newer microcred-sign?)",
            enc.scheme
        );
    }
    if enc.kdf.algorithm != KDF || enc.kdf.version != 19 {
        anyhow::bail!(
            "encrypted.kdf is {:?} version {} where {KDF:?} version 19 is required",
            enc.kdf.algorithm,
            enc.kdf.version
        );
    }
    if enc.aead.algorithm != AEAD {
        anyhow::bail!(
            "encrypted.aead.algorithm is {:?} where {AEAD:?} is required",
            enc.aead.algorithm
        );
    }
    let params = KdfParams {
        memory_kib: enc.kdf.memory_kib,
        iterations: enc.kdf.iterations,
        parallelism: enc.kdf.parallelism,
    }
    .check()?;
    let salt = decode(&enc.kdf.salt, "encrypted.kdf.salt")?;
    if !(SALT_LEN..=64).contains(&salt.len()) {
        anyhow::bail!(
            "encrypted.kdf.salt holds {} bytes where 16 to 64 are required",
            salt.len()
        );
    }
    let nonce = decode(&enc.aead.nonce, "encrypted.aead.nonce")?;
    if nonce.len() != NONCE_LEN {
        anyhow::bail!(
            "encrypted.aead.nonce holds {} bytes where {NONCE_LEN} are required",
            nonce.len()
        );
    }
    let ciphertext = decode(&enc.ciphertext, "encrypted.ciphertext")?;
    if ciphertext.len() != PLAINTEXT_LEN + TAG_LEN {
        anyhow::bail!(
            "encrypted.ciphertext holds {} bytes where {} are required",
            ciphertext.len(),
            PLAINTEXT_LEN + TAG_LEN
        );
    }
    // The error is not repeated: the member may hold secret material pasted there.
    let public = did_key::decode_multikey(&file.public_key_multibase).map_err(|_| {
        anyhow::anyhow!("publicKeyMultibase is not an Ed25519 public key (multibase \"z6Mk…\")")
    })?;
    let derived = params.derive(passphrase, &salt)?;
    let cipher = XChaCha20Poly1305::new((&*derived).into());
    let plaintext = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad(&file.public_key_multibase),
                },
            )
            .map_err(|_| anyhow::anyhow!("wrong passphrase or corrupted key file"))?,
    );
    let (header, seed) = plaintext.split_at(2);
    let seed: &[u8; 32] = seed
        .try_into()
        .map_err(|_| anyhow::anyhow!("the decrypted secret has the wrong length"))?;
    if header != ED25519_PRIV_MULTICODEC {
        anyhow::bail!("the decrypted secret is not an Ed25519 key (multicodec 0x8026)");
    }
    let secret = SecretKey::from_seed(seed);
    // The AEAD binds publicKeyMultibase, so a mismatch means a file built by another tool.
    if secret.public_key() != public {
        anyhow::bail!("publicKeyMultibase does not match the decrypted secret key");
    }
    Ok(KeyFile {
        id: file.id.clone(),
        controller: file.controller.clone(),
        secret,
    })
}

fn decode(value: &str, member: &str) -> anyhow::Result<Vec<u8>> {
    multibase::decode_base64url(value)
        .map_err(|e| anyhow::anyhow!("{member} is not multibase base64url (\"u…\"): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters so that the unit tests run fast; the bounds still apply.
    const FAST: KdfParams = KdfParams {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn round_trip_keeps_public_parts_in_clear() {
        let key = KeyFile::for_did_key(SecretKey::generate());
        let text = encrypt(&key, "correct horse", FAST).unwrap();
        let secret = key.secret.to_multibase();
        assert!(!text.contains(secret.as_str()));
        assert!(text.contains(&key.controller()));
        // The core refuses it as encrypted, we open it.
        assert_eq!(
            KeyFile::from_json(text.as_bytes()).unwrap_err(),
            microcred_core::keys::KeyFileError::Encrypted
        );
        let back = decrypt(text.as_bytes(), "correct horse").unwrap();
        assert_eq!(back.secret.public_key(), key.secret.public_key());
        assert_eq!(back.controller(), key.controller());
        assert_eq!(back.verification_method(), key.verification_method());
    }

    #[test]
    fn wrong_passphrase_and_tampering_fail_cleanly() {
        let key = KeyFile::for_did_key(SecretKey::generate());
        let text = encrypt(&key, "correct horse", FAST).unwrap();
        let err = decrypt(text.as_bytes(), "wrong horse").unwrap_err();
        assert_eq!(err.to_string(), "wrong passphrase or corrupted key file");

        // Another public key in clear: the associated data no longer matches.
        let other = did_key::encode_multikey(&SecretKey::generate().public_key());
        let swapped = text.replace(&did_key::encode_multikey(&key.secret.public_key()), &other);
        let err = decrypt(swapped.as_bytes(), "correct horse").unwrap_err();
        assert_eq!(err.to_string(), "wrong passphrase or corrupted key file");

        // A lighter KDF than allowed is refused before any work is done.
        let weak = text.replace("\"memoryKiB\": 8192", "\"memoryKiB\": 8");
        let err = decrypt(weak.as_bytes(), "correct horse").unwrap_err();
        assert!(err.to_string().contains("memoryKiB is 8"), "{err}");
        let huge = text.replace("\"memoryKiB\": 8192", "\"memoryKiB\": 4294967295");
        let err = decrypt(huge.as_bytes(), "correct horse").unwrap_err();
        assert!(err.to_string().contains("memoryKiB"), "{err}");

        let unknown = text.replace(SCHEME, "microcred-encrypted-key-v9");
        let err = decrypt(unknown.as_bytes(), "correct horse").unwrap_err();
        assert!(err.to_string().contains("encrypted.scheme"), "{err}");
    }
}
