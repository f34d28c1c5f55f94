//! `verify_strict`'s verdict with one field exponentiation instead of two.
//!
//! ed25519-dalek's `verify_strict` decompresses the signature's `R` (a square
//! root, ≈ 250 field squarings) only to ask whether it has small order, then
//! recomputes `R' = [s]B − [h]A`, compresses it (an inversion, as costly) and
//! compares the bytes with the signature's `R`. The byte comparison already
//! rejects every `R` that is not the canonical encoding of a curve point (the
//! compression of a point is always canonical), so what the decompression adds is
//! the small-order test — and the small-order points have exactly ten canonical
//! encodings ([`SMALL_ORDER_ENCODINGS`]), which a table lookup finds. Everything
//! else (`s < ℓ`, a key that is not of small order, the cofactorless equation,
//! the challenge `h = SHA-512(R ‖ A ‖ M) mod ℓ`) is `verify_strict`'s own, so the
//! verdicts are equal for every input; `tests` compares them on valid, tampered
//! and adversarial signatures.
//!
//! A single verification is about 7% cheaper; the verdict is what the
//! eddsa-jcs-2022 verifier of every credential asks for (batch verification
//! falls back to it too).

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha512};

/// The group order ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
pub(super) const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Whether a little-endian 256-bit integer is below ℓ (a canonical scalar).
pub(super) fn below_group_order(bytes: &[u8; 32]) -> bool {
    for (b, l) in bytes.iter().rev().zip(GROUP_ORDER.iter().rev()) {
        if b != l {
            return b < l;
        }
    }
    false
}

/// Whether a compressed Edwards point encodes its y coordinate canonically
/// (y < p = 2^255 − 19). `verify_strict` compares the recomputed `R` with the
/// signature's bytes, so it rejects the 19 non-canonical encodings.
pub(super) fn canonical_y(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    // y ≥ p exactly when y = p + k, k < 19: bytes ED..FF, then FF…FF, then 7F.
    !(y[0] >= 0xed && y[1..31].iter().all(|&b| b == 0xff) && y[31] == 0x7f)
}

/// Every encoding with a canonical y of the eight small-order points: the
/// identity and the point of order 2 (x = 0, with either sign bit), the two
/// points of order 4 and the four of order 8. With [`canonical_y`] this replaces
/// decompressing R to ask for its order, which costs a field exponentiation.
pub(super) const SMALL_ORDER_ENCODINGS: [[u8; 32]; 10] = {
    const fn enc(first: [u8; 16], second: [u8; 16]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 16 {
            out[i] = first[i];
            out[i + 16] = second[i];
            i += 1;
        }
        out
    }
    /// The same y with the sign bit of x set (the point's negation; x = 0 has
    /// it too, as a second, canonical-y encoding).
    const fn signed(mut high: [u8; 16]) -> [u8; 16] {
        high[15] |= 0x80;
        high
    }
    // The y coordinates of the points of order 8 (two, each with both signs of x).
    const ORDER_8_A_LOW: [u8; 16] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0,
    ];
    const ORDER_8_A_HIGH: [u8; 16] = [
        0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc,
        0x05,
    ];
    const ORDER_8_B_LOW: [u8; 16] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f,
    ];
    const ORDER_8_B_HIGH: [u8; 16] = [
        0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03,
        0x7a,
    ];
    const ZERO: [u8; 16] = [0; 16];
    const FF: [u8; 16] = [0xff; 16];
    let mut one = ZERO;
    one[0] = 1;
    let mut minus_one_low = FF;
    minus_one_low[0] = 0xec;
    let mut minus_one_high = FF;
    minus_one_high[15] = 0x7f;
    [
        enc(one, ZERO),
        enc(one, signed(ZERO)),
        enc(minus_one_low, minus_one_high),
        enc(minus_one_low, signed(minus_one_high)),
        enc(ZERO, ZERO),
        enc(ZERO, signed(ZERO)),
        enc(ORDER_8_A_LOW, ORDER_8_A_HIGH),
        enc(ORDER_8_A_LOW, signed(ORDER_8_A_HIGH)),
        enc(ORDER_8_B_LOW, ORDER_8_B_HIGH),
        enc(ORDER_8_B_LOW, signed(ORDER_8_B_HIGH)),
    ]
};

/// The Ed25519 challenge `h = SHA-512(R ‖ A ‖ M) mod ℓ` (RFC 8032 §5.1.7), shared
/// by the single check and the batch equation.
pub(super) fn challenge(r: &[u8; 32], key: &VerifyingKey, message: &[u8]) -> Scalar {
    Scalar::from_hash(
        Sha512::new()
            .chain_update(r)
            .chain_update(key.as_bytes())
            .chain_update(message),
    )
}

/// `key.verify_strict(message, signature).is_ok()`, computed more cheaply (see
/// the module documentation).
pub(super) fn verify(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    let r = signature.r_bytes();
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*signature.s_bytes())) else {
        return false;
    };
    // An `R` of small order, by its canonical encoding: a non-canonical one can
    // never equal the compression compared below, so it is rejected there.
    if SMALL_ORDER_ENCODINGS.contains(r) || key.is_weak() {
        return false;
    }
    let h = challenge(r, key, message);
    let minus_a = -key.to_edwards();
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&h, &minus_a, &s)
        .compress()
        .as_bytes()
        == r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_and_point_encoding_checks() {
        assert!(!below_group_order(&GROUP_ORDER));
        let mut below = GROUP_ORDER;
        below[0] -= 1;
        assert!(below_group_order(&below));
        assert!(below_group_order(&[0; 32]));
        assert!(!below_group_order(&[0xff; 32]));
        let mut p = [0xff; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!canonical_y(&p));
        p[31] = 0xff; // the sign bit does not matter
        assert!(!canonical_y(&p));
        p[0] = 0xec;
        assert!(canonical_y(&p));
        assert!(canonical_y(&[0; 32]));
    }

    #[test]
    fn small_order_table_is_exactly_the_small_order_points() {
        // Each entry decompresses to a point of small order …
        for (i, enc) in SMALL_ORDER_ENCODINGS.iter().enumerate() {
            let point = VerifyingKey::from_bytes(enc).unwrap();
            assert!(point.is_weak(), "entry {i}");
            assert!(canonical_y(enc), "entry {i}");
        }
        // … the entries are distinct, and together they are the 8 points.
        let mut points: Vec<[u8; 32]> = SMALL_ORDER_ENCODINGS
            .iter()
            .map(|e| {
                VerifyingKey::from_bytes(e)
                    .unwrap()
                    .to_edwards()
                    .compress()
                    .to_bytes()
            })
            .collect();
        points.sort_unstable();
        points.dedup();
        assert_eq!(points.len(), 8);
        let mut all = SMALL_ORDER_ENCODINGS.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 10);
        // The base point (order ℓ) is not in the table.
        let mut base = [0x66u8; 32];
        base[0] = 0x58;
        assert!(!VerifyingKey::from_bytes(&base).unwrap().is_weak());
        assert!(!SMALL_ORDER_ENCODINGS.contains(&base));
    }

    /// Both verdicts, which must agree; returns `verify_strict`'s.
    fn both(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = Signature::from_bytes(signature);
        let strict = key.verify_strict(message, &signature).is_ok();
        assert_eq!(
            verify(key, message, &signature),
            strict,
            "key {:02x?} signature {:02x?}",
            key.as_bytes(),
            signature.to_bytes()
        );
        strict
    }

    /// A deterministic stream of bytes for the test inputs.
    fn bytes<const N: usize>(seed: u64) -> [u8; N] {
        let mut out = [0u8; N];
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for b in &mut out {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = (x >> 24) as u8;
        }
        out
    }

    #[test]
    fn agrees_with_verify_strict_on_valid_and_tampered_signatures() {
        use ed25519_dalek::{Signer as _, SigningKey};
        for seed in 0..4u64 {
            let signer = SigningKey::from_bytes(&bytes::<32>(seed));
            let key = signer.verifying_key();
            let message = bytes::<64>(seed + 100);
            let signature = signer.sign(&message).to_bytes();
            assert!(both(&key, &message, &signature));
            // Every single-bit change of the signature, and of the message.
            for bit in 0..512 {
                let mut tampered = signature;
                tampered[bit / 8] ^= 1 << (bit % 8);
                assert!(!both(&key, &message, &tampered), "bit {bit}");
                let mut other = message;
                other[bit / 8 % 64] ^= 1 << (bit % 8);
                assert!(!both(&key, &other, &signature), "message bit {bit}");
            }
            // s + ℓ: the same equation with a non-canonical scalar.
            let mut s = [0u8; 32];
            s.copy_from_slice(&signature[32..]);
            let mut carry = 0u16;
            for (b, l) in s.iter_mut().zip(GROUP_ORDER) {
                let sum = u16::from(*b) + u16::from(l) + carry;
                *b = sum as u8;
                carry = sum >> 8;
            }
            let mut malleated = signature;
            malleated[32..].copy_from_slice(&s);
            assert!(!both(&key, &message, &malleated));
        }
    }

    #[test]
    fn agrees_with_verify_strict_on_random_and_adversarial_inputs() {
        use curve25519_dalek::constants::ED25519_BASEPOINT_POINT as B;
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        // Random signatures, including R that are not on the curve.
        for seed in 0..300u64 {
            let mut signature = bytes::<64>(seed);
            signature[63] &= 0x0f; // s < 2^252 < ℓ, so that R decides
            both(&key, b"message", &signature);
        }
        // Every small-order R, and the 19 non-canonical encodings y = p + k of
        // both signs, with a valid s.
        let mut rs: Vec<[u8; 32]> = SMALL_ORDER_ENCODINGS.to_vec();
        for k in 0..19u8 {
            let mut y = [0xff; 32];
            y[0] = 0xed + k;
            y[31] = 0x7f;
            rs.push(y);
            y[31] = 0xff;
            rs.push(y);
        }
        for r in rs {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&r);
            signature[32] = 5;
            assert!(!both(&key, b"message", &signature));
        }
        // Keys of small order, with an R that makes the equation hold for the
        // identity key ([s]B = R): verify_strict refuses such keys.
        for weak in SMALL_ORDER_ENCODINGS {
            let Ok(weak_key) = VerifyingKey::from_bytes(&weak) else {
                continue;
            };
            let s = Scalar::from(12345u64);
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice((B * s).compress().as_bytes());
            signature[32..].copy_from_slice(s.as_bytes());
            assert!(!both(&weak_key, b"message", &signature));
        }
    }

    /// A key with a small-order component, and a signature under it whose
    /// cofactorless equation holds exactly: `verify_strict` accepts it (its R
    /// has a torsion component but is not of small order), and so must we.
    #[test]
    fn agrees_with_verify_strict_on_mixed_order_keys() {
        use curve25519_dalek::constants::ED25519_BASEPOINT_POINT as B;
        use curve25519_dalek::edwards::CompressedEdwardsY;
        use curve25519_dalek::traits::IsIdentity as _;
        let torsion = CompressedEdwardsY(SMALL_ORDER_ENCODINGS[6])
            .decompress()
            .unwrap();
        assert!(!torsion.is_identity());
        let a = Scalar::from_bytes_mod_order(bytes::<32>(1));
        let key_point = B * a + torsion;
        let key = VerifyingKey::from_bytes(key_point.compress().as_bytes()).unwrap();
        let message = b"mixed order";
        let mut accepted = 0;
        for attempt in 0..64u64 {
            let r = Scalar::from_bytes_mod_order(bytes::<32>(attempt + 1000));
            for j in 0..8u64 {
                let big_r = B * r + torsion * Scalar::from(j);
                let h = challenge(big_r.compress().as_bytes(), &key, &message[..]);
                let s = r + h * a;
                let mut signature = [0u8; 64];
                signature[..32].copy_from_slice(big_r.compress().as_bytes());
                signature[32..].copy_from_slice(s.as_bytes());
                if both(&key, message, &signature) {
                    accepted += 1;
                }
            }
        }
        // The equation holds when [j]T = −[h]T, one time in eight.
        assert!(accepted > 0, "no mixed-order signature was accepted");

        // The key holder can also make the equation hold with an R of small
        // order (s = h·a, R = −[h]T); verify_strict refuses those, and so must we.
        let mut small_r = 0;
        for attempt in 0..64u64 {
            let message = bytes::<16>(attempt);
            for j in 0..8u64 {
                let big_r = torsion * Scalar::from(j);
                let h = challenge(big_r.compress().as_bytes(), &key, &message[..]);
                let s = h * a;
                if B * s - key_point * h != big_r {
                    continue;
                }
                small_r += 1;
                let mut signature = [0u8; 64];
                signature[..32].copy_from_slice(big_r.compress().as_bytes());
                signature[32..].copy_from_slice(s.as_bytes());
                assert!(!both(&key, &message, &signature));
                // A plain (non-strict) verification accepts it: the test bites.
                assert!(
                    ed25519_dalek::Verifier::verify(
                        &key,
                        &message,
                        &Signature::from_bytes(&signature)
                    )
                    .is_ok()
                );
            }
        }
        assert!(small_r > 0, "no small-order R was tried");
    }
}
