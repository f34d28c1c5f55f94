//! Multibase encodings used by the specifications we implement: base58btc
//! (`z…`, for keys and `proofValue`) and base64url without padding (`u…`, for
//! Bitstring Status List `encodedList`); and plain lower-case hexadecimal
//! ([`hex`]: digests in RDFC-1.0 and the signer's ledger, credential ids).

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
    base58_encode_into(bytes, &mut out);
    out
}

/// Decodes a multibase base58btc string (`z…`).
///
/// # Errors
/// [`MultibaseError`] when the prefix is not `z` or the data is not base58btc.
pub fn decode_base58btc(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = strip_prefix(s, 'z', "base58btc")?;
    base58_decode(rest).ok_or(MultibaseError::InvalidData { base: "base58btc" })
}

/// Decodes a multibase base58btc string into exactly `N` bytes, returning
/// `Ok(None)` when it decodes to another length.
///
/// # Errors
/// As [`decode_base58btc`].
pub fn decode_base58btc_array<const N: usize>(s: &str) -> Result<Option<[u8; N]>, MultibaseError> {
    let rest = strip_prefix(s, 'z', "base58btc")?;
    if let Some(bytes) = base58_decode(rest) {
        return Ok(<[u8; N]>::try_from(bytes.as_slice()).ok());
    }
    // Invalid characters: let bs58 classify the input exactly as before (an
    // overlong value may be reported as too long before its bad character).
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

/// Lower-case hexadecimal of `bytes`, two digits per byte, without a multibase
/// prefix (a table lookup: the signer writes three digests per credential).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
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

/// The Bitcoin base58 alphabet.
const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// 58^5, the largest power of 58 below 2^30: base58 digits are handled five at a time.
const BASE58_POW5: u64 = 58 * 58 * 58 * 58 * 58;

/// Character → digit value (0xff: not in the alphabet).
static BASE58_DIGITS: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 58 {
        table[BASE58_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Base58 (Bitcoin alphabet) of `bytes`, appended to `out`.
///
/// Same output as the `bs58` crate, computed on 32-bit words and base-58^5 limbs
/// instead of byte by byte: the `proofValue` of every signature is encoded here.
fn base58_encode_into(bytes: &[u8], out: &mut String) {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    let rest = bytes.get(zeros..).unwrap_or_default();
    // Little-endian limbs in base 58^5.
    let mut limbs: Vec<u64> = Vec::with_capacity(rest.len() / 3 + 2);
    let head = rest.len() % 4;
    let (first, words) = rest.split_at(head);
    let mut push = |chunk: &[u8]| {
        let mut carry = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let multiplier = 1u64 << (8 * chunk.len());
        for limb in limbs.iter_mut() {
            // limb < 2^30 and multiplier ≤ 2^32: no overflow.
            let v = *limb * multiplier + carry;
            *limb = v % BASE58_POW5;
            carry = v / BASE58_POW5;
        }
        while carry > 0 {
            limbs.push(carry % BASE58_POW5);
            carry /= BASE58_POW5;
        }
    };
    if !first.is_empty() {
        push(first);
    }
    for word in words.chunks_exact(4) {
        push(word);
    }
    for _ in 0..zeros {
        out.push('1');
    }
    let mut leading = true;
    for limb in limbs.iter().rev() {
        let mut digits = [0u8; 5];
        let mut v = *limb;
        for d in digits.iter_mut().rev() {
            *d = (v % 58) as u8;
            v /= 58;
        }
        for d in digits {
            if leading && d == 0 {
                continue;
            }
            leading = false;
            out.push(char::from(BASE58_ALPHABET[usize::from(d)]));
        }
    }
}

/// Decodes base58 (Bitcoin alphabet); `None` when a character is not in it.
fn base58_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let ones = bytes.iter().take_while(|&&b| b == b'1').count();
    let rest = bytes.get(ones..).unwrap_or_default();
    // Little-endian 32-bit limbs.
    let mut limbs: Vec<u64> = Vec::with_capacity(rest.len() / 5 + 2);
    let head = rest.len() % 5;
    let (first, groups) = rest.split_at(head);
    let mut push = |group: &[u8]| -> Option<()> {
        let mut carry = 0u64;
        let mut multiplier = 1u64;
        for &c in group {
            let digit = BASE58_DIGITS[usize::from(c)];
            if digit == 0xff {
                return None;
            }
            carry = carry * 58 + u64::from(digit);
            multiplier *= 58;
        }
        for limb in limbs.iter_mut() {
            // limb < 2^32 and multiplier ≤ 58^5 < 2^30: no overflow.
            let v = *limb * multiplier + carry;
            *limb = v & 0xffff_ffff;
            carry = v >> 32;
        }
        while carry > 0 {
            limbs.push(carry & 0xffff_ffff);
            carry >>= 32;
        }
        Some(())
    };
    if !first.is_empty() {
        push(first)?;
    }
    for group in groups.chunks_exact(5) {
        push(group)?;
    }
    let mut out = vec![0u8; ones];
    let mut significant = false;
    for limb in limbs.iter().rev() {
        for b in (*limb as u32).to_be_bytes() {
            if significant || b != 0 {
                significant = true;
                out.push(b);
            }
        }
    }
    Some(out)
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

    proptest::proptest! {
        #[test]
        fn base58_matches_bs58(
            zeros in 0usize..4,
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
        ) {
            let mut input = vec![0u8; zeros];
            input.extend(bytes);
            let mut ours = String::new();
            base58_encode_into(&input, &mut ours);
            let theirs = bs58::encode(&input).into_string();
            proptest::prop_assert_eq!(&ours, &theirs);
            proptest::prop_assert_eq!(base58_decode(&ours), Some(input));
        }

        #[test]
        fn base58_decoding_matches_bs58(text in "[1-9A-Za-z0+/]{0,100}") {
            proptest::prop_assert_eq!(base58_decode(&text), bs58::decode(&text).into_vec().ok());
            let z = format!("z{text}");
            let theirs = {
                let mut scratch = [0u8; 65];
                match bs58::decode(&text).onto(&mut scratch[..]) {
                    Ok(64) => Ok(Some(scratch[..64].to_vec())),
                    Ok(_) | Err(bs58::decode::Error::BufferTooSmall) => Ok(None),
                    Err(_) => Err(()),
                }
            };
            let ours = decode_base58btc_array::<64>(&z).map(|o| o.map(|a| a.to_vec())).map_err(|_| ());
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn base58_edge_cases() {
        for input in [
            &[][..],
            &[0],
            &[0, 0, 0],
            &[0, 1],
            &[255; 64],
            &[1, 0, 0, 0, 0],
        ] {
            let mut ours = String::new();
            base58_encode_into(input, &mut ours);
            assert_eq!(ours, bs58::encode(input).into_string(), "{input:?}");
            assert_eq!(base58_decode(&ours).as_deref(), Some(input));
        }
        assert_eq!(base58_decode("1z1"), bs58::decode("1z1").into_vec().ok());
        assert_eq!(base58_decode("é"), None);
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
