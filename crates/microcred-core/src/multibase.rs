//! Multibase encodings used by the specifications we implement: base58btc
//! (`z…`, for keys and `proofValue`) and base64url without padding (`u…`, for
//! Bitstring Status List `encodedList`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why a multibase string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultibaseError {
    /// The string is empty.
    #[error("empty multibase string")]
    Empty,
    /// The first character names another base than the one required.
    #[error("multibase prefix {found:?} where {expected:?} ({base}) is required")]
    WrongPrefix {
        /// The prefix character found.
        found: char,
        /// The prefix character required.
        expected: char,
        /// The name of the required base.
        base: &'static str,
    },
    /// The characters after the prefix are not valid in the base.
    #[error("invalid {base} character data")]
    InvalidData {
        /// The name of the base.
        base: &'static str,
    },
}

/// Encodes bytes as multibase base58btc: `z` followed by base58 (Bitcoin alphabet).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(1 + bytes.len() * 138 / 100 + 1);
    out.push('z');
    out.push_str(&bs58::encode(bytes).into_string());
    out
}

/// Decodes a multibase base58btc string (`z…`).
///
/// # Errors
/// [`MultibaseError`] when the prefix is not `z` or the data is not base58btc.
pub fn decode_base58btc(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = strip_prefix(s, 'z', "base58btc")?;
    bs58::decode(rest)
        .into_vec()
        .map_err(|_| MultibaseError::InvalidData { base: "base58btc" })
}

/// Decodes a multibase base58btc string into exactly `N` bytes, returning
/// `Ok(None)` when it decodes to another length.
///
/// # Errors
/// As [`decode_base58btc`].
pub fn decode_base58btc_array<const N: usize>(s: &str) -> Result<Option<[u8; N]>, MultibaseError> {
    let rest = strip_prefix(s, 'z', "base58btc")?;
    let mut buf = [0u8; N];
    // Decode into a buffer one byte larger so that an overlong value is seen as such.
    let mut scratch = vec![0u8; N + 1];
    match bs58::decode(rest).onto(&mut scratch[..]) {
        Ok(n) if n == N => {
            buf.copy_from_slice(&scratch[..N]);
            Ok(Some(buf))
        }
        Ok(_) | Err(bs58::decode::Error::BufferTooSmall) => Ok(None),
        Err(_) => Err(MultibaseError::InvalidData { base: "base58btc" }),
    }
}

/// Encodes bytes as multibase base64url without padding: `u` followed by the data.
pub fn encode_base64url(bytes: &[u8]) -> String {
    let mut out = String::from("u");
    URL_SAFE_NO_PAD.encode_string(bytes, &mut out);
    out
}

/// Decodes a multibase base64url (no padding) string (`u…`).
///
/// # Errors
/// [`MultibaseError`] when the prefix is not `u` or the data is not base64url.
pub fn decode_base64url(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = strip_prefix(s, 'u', "base64url")?;
    URL_SAFE_NO_PAD
        .decode(rest)
        .map_err(|_| MultibaseError::InvalidData { base: "base64url" })
}

fn strip_prefix<'a>(
    s: &'a str,
    expected: char,
    base: &'static str,
) -> Result<&'a str, MultibaseError> {
    let mut chars = s.chars();
    match chars.next() {
        None => Err(MultibaseError::Empty),
        Some(c) if c == expected => Ok(chars.as_str()),
        Some(found) => Err(MultibaseError::WrongPrefix {
            found,
            expected,
            base,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58btc_round_trip_and_errors() {
        let s = encode_base58btc(&[0xed, 0x01, 0, 1, 2]);
        assert!(s.starts_with('z'));
        assert_eq!(decode_base58btc(&s).unwrap(), vec![0xed, 0x01, 0, 1, 2]);
        assert!(matches!(
            decode_base58btc("u123"),
            Err(MultibaseError::WrongPrefix { found: 'u', .. })
        ));
        assert_eq!(decode_base58btc(""), Err(MultibaseError::Empty));
        // '0', 'O', 'I', 'l' are not in the Bitcoin alphabet.
        assert!(matches!(
            decode_base58btc("z0OIl"),
            Err(MultibaseError::InvalidData { .. })
        ));
    }

    #[test]
    fn base58btc_array_checks_length() {
        let s = encode_base58btc(&[7u8; 64]);
        assert_eq!(decode_base58btc_array::<64>(&s).unwrap(), Some([7u8; 64]));
        assert_eq!(decode_base58btc_array::<63>(&s).unwrap(), None);
        assert_eq!(decode_base58btc_array::<65>(&s).unwrap(), None);
    }

    #[test]
    fn base64url_round_trip_and_errors() {
        let s = encode_base64url(b"\xff\xfe status");
        assert!(s.starts_with('u'));
        assert_eq!(decode_base64url(&s).unwrap(), b"\xff\xfe status".to_vec());
        assert!(matches!(
            decode_base64url("zabc"),
            Err(MultibaseError::WrongPrefix { .. })
        ));
        assert!(matches!(
            decode_base64url("u+/=="),
            Err(MultibaseError::InvalidData { .. })
        ));
    }
}
