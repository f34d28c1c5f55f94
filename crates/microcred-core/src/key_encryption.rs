//! Secret keys encrypted at rest (feature `key-encryption`): Argon2id (RFC 9106) derives
//! a 256-bit key from the passphrase and a random salt; XChaCha20-Poly1305 encrypts the
//! Multikey secret (the multicodec header and the key's bytes, what `secretKeyMultibase`
//! encodes: `0x8026 ‖ seed` for Ed25519, `0x8626 ‖ scalar` for P-256, `0x8726 ‖ scalar`
//! for P-384) under a random 192-bit nonce. The header inside the ciphertext says the
//! key's type, so one scheme serves all three and every Ed25519 file written before
//! ECDSA keys existed opens unchanged.
//!
//! The file stays a Multikey document: `type`, `id`, `controller` and
//! `publicKeyMultibase` are in clear (so tools can show the DID without the
//! passphrase), and `secretKeyMultibase` is replaced by an `encrypted` object holding
//! the scheme, the KDF parameters, the nonce and the ciphertext. The associated data
//! binds the ciphertext to `publicKeyMultibase`, so the public key shown cannot be
//! swapped for another; `id` and `controller` may be edited (e.g. to move a key to
//! did:web) without re-encrypting.
//!
//! This is the one implementation of the format: `microcred-sign` writes and opens key
//! files with it, `microcred-server` opens them. Like the rest of the crate it does no
//! I/O: it turns a key and a passphrase into the file's text and back; reading the file,
//! its permissions and the passphrase's source are the callers' job.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use microcred_core::key_encryption::{self, KdfParams};
//! use microcred_core::keys::{KeyFile, KeyFileError, SecretKey};
//!
//! let key = KeyFile::for_did_key(SecretKey::generate());
//! let text = key_encryption::encrypt(&key, "correct horse battery staple", KdfParams::DEFAULT)?;
//! // `KeyFile::from_json` says a passphrase is needed; `decrypt` opens it.
//! assert_eq!(KeyFile::from_json(text.as_bytes()).unwrap_err(), KeyFileError::Encrypted);
//! let opened = key_encryption::decrypt(text.as_bytes(), "correct horse battery staple")?;
//! assert_eq!(opened.controller(), key.controller());
//! assert!(key_encryption::decrypt(text.as_bytes(), "wrong").is_err());
//! # Ok(())
//! # }
//! ```

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore as _};
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroizing;

use crate::keys::{AnySecretKey, KeyFile, redact_secrets, shown};
use crate::multibase;
use crate::public_key::PublicKey;

/// The `encrypted.scheme` this module writes and reads.
pub const SCHEME: &str = "microcred-encrypted-key-v1";
const KDF: &str = "argon2id";
/// Argon2 version 1.3 (0x13), the only one RFC 9106 specifies.
const KDF_VERSION: u32 = 19;
const AEAD: &str = "xchacha20-poly1305";
const SALT_LEN: usize = 16;
/// The longest salt accepted when reading (longer ones are legal Argon2 input, but no
/// writer of this format makes them and a bound keeps crafted files small).
const MAX_SALT_LEN: usize = 64;
const NONCE_LEN: usize = 24;
/// The plaintext's lengths: the 2-byte multicodec header and 32 bytes (an Ed25519 seed,
/// a P-256 scalar) or 48 (a P-384 scalar).
const PLAINTEXT_LENS: [usize; 2] = [34, 50];
const TAG_LEN: usize = 16;

/// Why a key could not be encrypted, or an encrypted key file could not be opened.
/// Never contains secret material, nor the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyEncryptionError {
    /// Not JSON of the encrypted key file's shape.
    #[error("not an encrypted key file: {reason}")]
    Format {
        /// What the JSON parser said.
        reason: String,
    },
    /// `type` is present and not `Multikey`.
    #[error("type is {found} where \"Multikey\" is required")]
    Type {
        /// The value found, quoted (or a placeholder when it looks like a secret).
        found: String,
    },
    /// Both `secretKeyMultibase` and `encrypted` are present.
    #[error("the key file has both secretKeyMultibase and encrypted; remove one")]
    BothSecrets,
    /// `encrypted.scheme` is not [`SCHEME`].
    #[error(
        "encrypted.scheme is {found} where {SCHEME:?} is required (written by a newer microcred-sign?)"
    )]
    Scheme {
        /// The scheme found, quoted (or a placeholder when it looks like a secret).
        found: String,
    },
    /// `encrypted.kdf` is not Argon2id version 19.
    #[error(
        "encrypted.kdf is {algorithm} version {version} where \"argon2id\" version 19 is required"
    )]
    Kdf {
        /// The algorithm found, quoted (or a placeholder when it looks like a secret).
        algorithm: String,
        /// The version found.
        version: u32,
    },
    /// `encrypted.aead.algorithm` is not XChaCha20-Poly1305.
    #[error("encrypted.aead.algorithm is {found} where \"xchacha20-poly1305\" is required")]
    Aead {
        /// The algorithm found, quoted (or a placeholder when it looks like a secret).
        found: String,
    },
    /// A KDF cost parameter is outside the accepted bounds.
    #[error("encrypted.kdf.{member} is {found} where {min} ≤ {member} ≤ {max} is required")]
    KdfBounds {
        /// `memoryKiB`, `iterations` or `parallelism`.
        member: &'static str,
        /// The value found.
        found: u32,
        /// The least value accepted.
        min: u32,
        /// The greatest value accepted.
        max: u32,
    },
    /// A base64url member does not decode.
    #[error("{member} is not multibase base64url (\"u…\"): {reason}")]
    Encoding {
        /// The member's path, e.g. `encrypted.kdf.salt`.
        member: &'static str,
        /// Why it does not decode.
        reason: String,
    },
    /// A decoded member has the wrong length.
    #[error("{member} holds {found} bytes where {expected} are required")]
    Length {
        /// The member's path, e.g. `encrypted.aead.nonce`.
        member: &'static str,
        /// Its length.
        found: usize,
        /// The length(s) accepted, in words.
        expected: &'static str,
    },
    /// `publicKeyMultibase` is not an Ed25519, P-256 or P-384 Multikey (its value is not
    /// repeated: it may hold secret material pasted there).
    #[error(
        "publicKeyMultibase is not an Ed25519, P-256 or P-384 public key (multibase \"z6Mk…\", \"zDn…\", \"z82…\")"
    )]
    Public,
    /// Argon2id refused its parameters or failed.
    #[error("Argon2id key derivation failed: {reason}")]
    Derivation {
        /// The argon2 crate's message.
        reason: String,
    },
    /// Authentication failed: the passphrase is wrong or the file was altered.
    #[error("wrong passphrase or corrupted key file")]
    WrongPassphraseOrCorrupted,
    /// The decrypted secret is not an `ed25519-priv`, `p256-priv` or `p384-priv`
    /// Multikey secret of the right length.
    #[error(
        "the decrypted secret is not an Ed25519, P-256 or P-384 key (multicodec 0x8026, 0x8626, 0x8726)"
    )]
    SecretType,
    /// The secret decrypts, but `publicKeyMultibase` is not its public key (a file
    /// built by another tool: the associated data covers the member).
    #[error("publicKeyMultibase does not match the decrypted secret key")]
    PublicMismatch,
    /// Encrypting or writing the file's text failed (does not happen with valid
    /// parameters).
    #[error("encryption of the secret key failed")]
    Encryption,
}

/// Argon2id cost parameters, stored in the file so that they can be raised later
/// without breaking old files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: RFC 9106 §4's second recommended option (its memory
    /// and passes; one lane because the argon2 crate computes lanes sequentially).
    /// About a quarter of a second on a laptop: unnoticeable for one signing run,
    /// ruinous for someone trying passphrases.
    pub const DEFAULT: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// Bounds accepted (when reading a file and when writing one): a crafted file must
    /// not make us allocate gigabytes or spin for hours, nor open a key with a
    /// trivially cheap KDF.
    fn check(self) -> Result<Self, KeyEncryptionError> {
        let bounds = |member, found, min, max| {
            if (min..=max).contains(&found) {
                Ok(())
            } else {
                Err(KeyEncryptionError::KdfBounds {
                    member,
                    found,
                    min,
                    max,
                })
            }
        };
        bounds("memoryKiB", self.memory_kib, 8 * 1024, 4 * 1024 * 1024)?;
        bounds("iterations", self.iterations, 1, 64)?;
        bounds("parallelism", self.parallelism, 1, 16)?;
        Ok(self)
    }

    fn derive(
        self,
        passphrase: &str,
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, KeyEncryptionError> {
        let derivation = |e: argon2::Error| KeyEncryptionError::Derivation {
            reason: e.to_string(),
        };
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(derivation)?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
            .map_err(derivation)?;
        Ok(out)
    }
}

/// The associated data: the scheme and the public key in clear, so that neither can be
/// changed without the AEAD noticing.
fn aad(public_key_multibase: &str) -> Vec<u8> {
    format!("{SCHEME}\n{public_key_multibase}").into_bytes()
}

/// The encrypted Multikey JSON of `key` (pretty-printed, ending in a newline; no secret
/// in clear), under a fresh random salt and nonce. `id` and `controller` are written as
/// [`KeyFile::verification_method`] and [`KeyFile::controller`] answer them.
///
/// # Errors
/// [`KeyEncryptionError::KdfBounds`] for parameters [`decrypt`] would refuse; otherwise
/// none with valid parameters.
pub fn encrypt(
    key: &KeyFile,
    passphrase: &str,
    params: KdfParams,
) -> Result<String, KeyEncryptionError> {
    let params = params.check()?;
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let public = key.secret.public_key().to_multikey();
    let derived = params.derive(passphrase, &salt)?;
    let plaintext = key.secret.to_multicodec();
    let cipher = XChaCha20Poly1305::new((&*derived).into());
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plaintext[..],
                aad: &aad(&public),
            },
        )
        .map_err(|_| KeyEncryptionError::Encryption)?;
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
                "version": KDF_VERSION,
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
    let mut text =
        serde_json::to_string_pretty(&value).map_err(|_| KeyEncryptionError::Encryption)?;
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

/// Opens an encrypted key file (one that [`KeyFile::from_json`] answers
/// [`KeyFileError::Encrypted`](crate::keys::KeyFileError::Encrypted) for) with its
/// passphrase. Everything that can be checked without the passphrase is checked before
/// the (deliberately slow) key derivation runs.
///
/// # Errors
/// A [`KeyEncryptionError`] naming the malformed member, or
/// [`KeyEncryptionError::WrongPassphraseOrCorrupted`] when authentication fails.
pub fn decrypt(bytes: &[u8], passphrase: &str) -> Result<KeyFile, KeyEncryptionError> {
    // serde_json's type errors quote the string they met ("invalid type: string \"…\",
    // expected u32"), and any member may hold a secret pasted in the wrong place.
    let file: EncryptedFile =
        serde_json::from_slice(bytes).map_err(|e| KeyEncryptionError::Format {
            reason: without_secrets(&Zeroizing::new(e.to_string())),
        })?;
    if let Some(kind) = &file.kind {
        if kind != "Multikey" {
            return Err(KeyEncryptionError::Type { found: shown(kind) });
        }
    }
    if file.secret_key_multibase.is_some() {
        return Err(KeyEncryptionError::BothSecrets);
    }
    let enc = &file.encrypted;
    if enc.scheme != SCHEME {
        return Err(KeyEncryptionError::Scheme {
            found: shown(&enc.scheme),
        });
    }
    if enc.kdf.algorithm != KDF || enc.kdf.version != KDF_VERSION {
        return Err(KeyEncryptionError::Kdf {
            algorithm: shown(&enc.kdf.algorithm),
            version: enc.kdf.version,
        });
    }
    if enc.aead.algorithm != AEAD {
        return Err(KeyEncryptionError::Aead {
            found: shown(&enc.aead.algorithm),
        });
    }
    let params = KdfParams {
        memory_kib: enc.kdf.memory_kib,
        iterations: enc.kdf.iterations,
        parallelism: enc.kdf.parallelism,
    }
    .check()?;
    let salt = decode(&enc.kdf.salt, "encrypted.kdf.salt")?;
    if !(SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
        return Err(KeyEncryptionError::Length {
            member: "encrypted.kdf.salt",
            found: salt.len(),
            expected: "16 to 64",
        });
    }
    let nonce = decode(&enc.aead.nonce, "encrypted.aead.nonce")?;
    if nonce.len() != NONCE_LEN {
        return Err(KeyEncryptionError::Length {
            member: "encrypted.aead.nonce",
            found: nonce.len(),
            expected: "24",
        });
    }
    let ciphertext = decode(&enc.ciphertext, "encrypted.ciphertext")?;
    if !PLAINTEXT_LENS.contains(&ciphertext.len().saturating_sub(TAG_LEN)) {
        return Err(KeyEncryptionError::Length {
            member: "encrypted.ciphertext",
            found: ciphertext.len(),
            expected: "50 (Ed25519, P-256) or 66 (P-384)",
        });
    }
    let public = PublicKey::from_multikey(&file.public_key_multibase)
        .map_err(|_| KeyEncryptionError::Public)?;
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
            .map_err(|_| KeyEncryptionError::WrongPassphraseOrCorrupted)?,
    );
    let secret =
        AnySecretKey::from_multicodec(&plaintext).map_err(|_| KeyEncryptionError::SecretType)?;
    // The AEAD binds publicKeyMultibase, so a mismatch means a file built by another tool.
    if secret.public_key() != public {
        return Err(KeyEncryptionError::PublicMismatch);
    }
    Ok(KeyFile {
        id: file.id.clone(),
        controller: file.controller.clone(),
        secret,
    })
}

/// `message` with every secret word replaced ([`redact_secrets`]).
fn without_secrets(message: &str) -> String {
    redact_secrets(message).unwrap_or_else(|| message.to_owned())
}

fn decode(value: &str, member: &'static str) -> Result<Vec<u8>, KeyEncryptionError> {
    multibase::decode_base64url(value).map_err(|e| KeyEncryptionError::Encoding {
        member,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did_key;
    use crate::keys::{KeyFileError, KeyType, SecretKey};

    /// Cheap parameters so that the unit tests run fast; the bounds still apply.
    const FAST: KdfParams = KdfParams {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    };

    /// Written by `microcred-sign`'s own `key_encryption.rs` (commit e18187f, before the
    /// module moved here) for the seed [7; 32] with [`FAST`] and this passphrase: the
    /// format must keep opening what earlier versions wrote.
    const WRITTEN_BEFORE_THE_MOVE: &str = r#"{
  "@context": "https://w3id.org/security/multikey/v1",
  "type": "Multikey",
  "id": "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z#z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z",
  "controller": "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z",
  "publicKeyMultibase": "z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z",
  "encrypted": {
    "scheme": "microcred-encrypted-key-v1",
    "kdf": {
      "algorithm": "argon2id",
      "version": 19,
      "memoryKiB": 8192,
      "iterations": 1,
      "parallelism": 1,
      "salt": "ucwlD4JG3BPn4GFT_XohCtw"
    },
    "aead": {
      "algorithm": "xchacha20-poly1305",
      "nonce": "uOL9N2fNmMj83s8CPzzREeGXIb3JAVUOU"
    },
    "ciphertext": "u8ktpu1oDAUniszxsI2GIC0zfSVRxnIYKkH3n-r4qGOj_gSa1rrye1d-dY9A4nba8hGw"
  }
}"#;
    const PASS: &str = "correct horse battery staple";

    #[test]
    fn opens_a_file_written_before_the_move() {
        let key = decrypt(WRITTEN_BEFORE_THE_MOVE.as_bytes(), PASS).unwrap();
        assert_eq!(
            key.secret.as_ed25519().unwrap().expose_secret_seed(),
            &[7; 32]
        );
        assert_eq!(
            key.controller(),
            "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z"
        );
        assert_eq!(
            decrypt(WRITTEN_BEFORE_THE_MOVE.as_bytes(), "correct horse").unwrap_err(),
            KeyEncryptionError::WrongPassphraseOrCorrupted
        );
    }

    /// What is written now has the layout of what was written before: the same members
    /// in the same order, differing only in the random salt, nonce and ciphertext.
    #[test]
    fn writes_the_same_layout_as_before_the_move() {
        let key = KeyFile::for_did_key(SecretKey::from_seed(&[7; 32]));
        let text = encrypt(&key, PASS, FAST).unwrap();
        let random = |t: &str| {
            t.lines()
                .filter(|l| {
                    !["\"salt\"", "\"nonce\"", "\"ciphertext\""]
                        .iter()
                        .any(|m| l.contains(m))
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(random(&text), random(WRITTEN_BEFORE_THE_MOVE));
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn round_trip_keeps_public_parts_in_clear() {
        let key = KeyFile::for_did_key(SecretKey::generate());
        let text = encrypt(&key, PASS, FAST).unwrap();
        let secret = key.secret.to_multibase();
        assert!(!text.contains(secret.as_str()));
        assert!(text.contains(&key.controller()));
        // The core's plain loader refuses it as encrypted; this module opens it.
        assert_eq!(
            KeyFile::from_json(text.as_bytes()).unwrap_err(),
            KeyFileError::Encrypted
        );
        let back = decrypt(text.as_bytes(), PASS).unwrap();
        assert_eq!(back.secret.public_key(), key.secret.public_key());
        assert_eq!(back.controller(), key.controller());
        assert_eq!(back.verification_method(), key.verification_method());
        // Fresh salt and nonce each time.
        let again = encrypt(&key, PASS, FAST).unwrap();
        assert_ne!(again, text);
    }

    /// P-256 and P-384 keys encrypt and open under the same scheme; the public key is
    /// bound, a wrong passphrase refused, and the secret never in clear.
    #[test]
    fn ecdsa_keys_round_trip() {
        for (key_type, ciphertext_len) in [(KeyType::P256, 50), (KeyType::P384, 66)] {
            let key = KeyFile::for_did_key(AnySecretKey::generate(key_type));
            let text = encrypt(&key, PASS, FAST).unwrap();
            assert!(!text.contains(key.secret.to_multibase().as_str()));
            let public = key.secret.public_key().to_multikey();
            assert!(text.contains(&public));
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            let ct = value["encrypted"]["ciphertext"].as_str().unwrap();
            assert_eq!(
                multibase::decode_base64url(ct).unwrap().len(),
                ciphertext_len
            );
            let back = decrypt(text.as_bytes(), PASS).unwrap();
            assert_eq!(back.secret.key_type(), key_type);
            assert_eq!(back.secret.public_key(), key.secret.public_key());
            assert_eq!(back.verification_method(), key.verification_method());
            assert_eq!(
                decrypt(text.as_bytes(), "wrong horse").unwrap_err(),
                KeyEncryptionError::WrongPassphraseOrCorrupted
            );
            // Another key of the same type in clear: the associated data no longer matches.
            let other = AnySecretKey::generate(key_type).public_key().to_multikey();
            let swapped = text.replace(&public, &other);
            assert_eq!(
                decrypt(swapped.as_bytes(), PASS).unwrap_err(),
                KeyEncryptionError::WrongPassphraseOrCorrupted
            );
        }
        // A ciphertext of no key's length is refused before the derivation.
        let key = KeyFile::for_did_key(AnySecretKey::generate(KeyType::P256));
        let text = encrypt(&key, PASS, FAST).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ct = value["encrypted"]["ciphertext"].as_str().unwrap();
        let short = text.replace(ct, &multibase::encode_base64url(&[0; 40]));
        let err = decrypt(short.as_bytes(), PASS).unwrap_err();
        assert!(
            err.to_string()
                .contains("50 (Ed25519, P-256) or 66 (P-384)"),
            "{err}"
        );
    }

    #[test]
    fn wrong_passphrase_and_tampering_fail_cleanly() {
        let key = KeyFile::for_did_key(SecretKey::generate());
        let text = encrypt(&key, PASS, FAST).unwrap();
        let err = decrypt(text.as_bytes(), "wrong horse").unwrap_err();
        assert_eq!(err.to_string(), "wrong passphrase or corrupted key file");

        // Another public key in clear: the associated data no longer matches.
        let other = did_key::encode_multikey(&SecretKey::generate().public_key());
        let swapped = text.replace(&key.secret.public_key().to_multikey(), &other);
        let err = decrypt(swapped.as_bytes(), PASS).unwrap_err();
        assert_eq!(err, KeyEncryptionError::WrongPassphraseOrCorrupted);

        // A lighter KDF than allowed is refused before any work is done.
        let weak = text.replace("\"memoryKiB\": 8192", "\"memoryKiB\": 8");
        let err = decrypt(weak.as_bytes(), PASS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "encrypted.kdf.memoryKiB is 8 where 8192 ≤ memoryKiB ≤ 4194304 is required"
        );
        let huge = text.replace("\"memoryKiB\": 8192", "\"memoryKiB\": 4294967295");
        let err = decrypt(huge.as_bytes(), PASS).unwrap_err();
        assert!(err.to_string().contains("memoryKiB"), "{err}");
        // … and is not written either.
        let cheap = KdfParams {
            memory_kib: 8,
            ..FAST
        };
        assert!(matches!(
            encrypt(&key, PASS, cheap),
            Err(KeyEncryptionError::KdfBounds { .. })
        ));

        let unknown = text.replace(SCHEME, "microcred-encrypted-key-v9");
        let err = decrypt(unknown.as_bytes(), PASS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "encrypted.scheme is \"microcred-encrypted-key-v9\" where \"microcred-encrypted-key-v1\" is required (written by a newer microcred-sign?)"
        );

        let err = decrypt(b"{", PASS).unwrap_err();
        assert!(matches!(err, KeyEncryptionError::Format { .. }), "{err}");
        let err = decrypt(br#"{"publicKeyMultibase":"z6Mk"}"#, PASS).unwrap_err();
        assert!(err.to_string().contains("encrypted"), "{err}");
    }

    /// A secret pasted where the type, a number or the encrypted object goes is not
    /// repeated by the error.
    #[test]
    fn misplaced_secrets_are_not_repeated() {
        let key = KeyFile::for_did_key(SecretKey::generate());
        let text = encrypt(&key, PASS, FAST).unwrap();
        let secret = key.secret.to_multibase();
        let quoted = format!("{:?}", secret.as_str());
        for (member, value) in [
            ("type", "\"Multikey\""),
            ("scheme", "\"microcred-encrypted-key-v1\""),
            ("kdf", "\"argon2id\""),
            ("aead", "\"xchacha20-poly1305\""),
        ] {
            let bad = text.replace(value, &quoted);
            let err = decrypt(bad.as_bytes(), PASS).unwrap_err();
            let message = err.to_string();
            assert!(message.contains(member), "{message}");
            assert!(!message.contains(&secret[..12]), "{message}");
            assert!(message.contains("(value not shown)"), "{message}");
        }

        for bad in [
            text.replace("\"memoryKiB\": 8192", &format!("\"memoryKiB\": {quoted}")),
            format!(
                r#"{{"publicKeyMultibase":"{}","encrypted":{quoted}}}"#,
                key.secret.public_key().to_multikey()
            ),
        ] {
            let err = decrypt(bad.as_bytes(), PASS).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, KeyEncryptionError::Format { .. }), "{err}");
            assert!(!message.contains(&secret[..12]), "{message}");
            assert!(message.contains("(value not shown)"), "{message}");
        }
    }
}
