//! did:key and Multikey decoding: never panics, and whatever decodes encodes back to
//! exactly the same text (so two different strings never name the same key).

#![no_main]

use libfuzzer_sys::fuzz_target;
use microcred_core::did_key::{self, DidKey};
use microcred_core::multibase;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(dk) = DidKey::parse(text) {
        assert_eq!(dk.did(), text, "did:key does not round-trip");
        assert_eq!(DidKey::parse(&dk.did()).ok(), Some(dk.clone()));
        let vm = dk.verification_method();
        assert_eq!(DidKey::parse_verification_method(&vm).ok(), Some(dk));
    }
    if let Ok(dk) = DidKey::parse_verification_method(text) {
        // A bare DID names its one key too (some issuers write no fragment).
        let expected = if text.contains('#') {
            dk.verification_method()
        } else {
            dk.did()
        };
        assert_eq!(expected, text, "verification method does not round-trip");
    }
    if let Ok(key) = did_key::decode_multikey(text) {
        assert_eq!(
            did_key::encode_multikey(&key),
            text,
            "Multikey does not round-trip"
        );
        assert!(!key.is_weak());
    }
    if let Ok(bytes) = multibase::decode_base58btc(text) {
        assert_eq!(
            multibase::encode_base58btc(&bytes),
            text,
            "base58btc does not round-trip"
        );
    }
    if let Ok(bytes) = multibase::decode_base64url(text) {
        assert_eq!(
            multibase::encode_base64url(&bytes),
            text,
            "base64url does not round-trip"
        );
    }
});
