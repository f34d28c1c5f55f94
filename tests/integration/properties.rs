//! Property tests: any single-byte change of a signed credential makes
//! verification fail (or the input unreadable); never a pass.

use microcred_core::keys::SecretKey;
use microcred_core::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};
use microcred_core::{jcs, json};
use proptest::prelude::*;

use crate::common::read;

fn signed_example() -> &'static [u8] {
    static SIGNED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SIGNED.get_or_init(sign_example)
}

fn sign_example() -> Vec<u8> {
    let mut unsigned = json::parse(&read("keys-example/micro-credential.unsigned.json")).unwrap();
    let key = SecretKey::from_seed(&[42u8; 32]);
    unsigned["issuer"]["id"] = key.did_key().did().into();
    let mut o = ProofOptions::new(
        key.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    o.created = Some("2025-03-01T00:00:00Z".into());
    serde_json::to_vec_pretty(&proof::add_proof(&unsigned, &key, &o).unwrap()).unwrap()
}

fn verifies(bytes: &[u8]) -> bool {
    match json::parse(bytes) {
        Err(_) => false,
        Ok(doc) => {
            let out = proof::verify_proofs(&doc, &DidKeyResolver);
            !out.is_empty() && out.iter().all(|o| o.result.is_ok())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_single_byte_change_fails(pos in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let original = signed_example();
        prop_assert!(verifies(original));
        let i = pos.index(original.len());
        prop_assume!(original[i] != replacement);
        let mut changed = original.to_vec();
        changed[i] = replacement;
        // A change in insignificant whitespace, or one that leaves the parsed JSON
        // identical, is not a change of the credential.
        let same = match (json::parse(original), json::parse(&changed)) {
            (Ok(a), Ok(b)) => jcs::canonicalize(&a) == jcs::canonicalize(&b),
            _ => false,
        };
        prop_assume!(!same);
        prop_assert!(!verifies(&changed), "byte {} -> {:#04x} still verifies", i, replacement);
    }

    #[test]
    fn sign_then_verify_round_trips(seed in any::<[u8; 32]>(), name in "\\PC{0,40}") {
        let key = SecretKey::from_seed(&seed);
        let doc = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": key.did_key().did(),
            "credentialSubject": {"name": name},
        });
        let o = ProofOptions::new(key.did_key().verification_method(), ProofPurpose::AssertionMethod);
        let signed = proof::add_proof(&doc, &key, &o).unwrap();
        let out = proof::verify_proofs(&signed, &DidKeyResolver);
        prop_assert_eq!(&out[0].result, &Ok(key.did_key().did()));
    }
}
