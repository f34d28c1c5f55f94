//! W3C vc-di-eddsa (eddsa-jcs-2022) and did:key specification vectors, byte for byte.

use microcred_core::keys::{KeyFile, SecretKey};
use microcred_core::proof::{self, DidKeyResolver, ProofFailure, ProofOptions, ProofPurpose};
use microcred_core::{did_key, jcs, json, multibase};
use sha2::{Digest as _, Sha256};

use crate::common::{hex, read, text, unhex};

const DIR: &str = "tests/vectors/eddsa-jcs-2022";

fn v(name: &str) -> String {
    text(&format!("{DIR}/{name}"))
}

fn spec_key() -> KeyFile {
    KeyFile::from_json(&read(&format!("{DIR}/keyPair.json"))).unwrap()
}

fn spec_options() -> ProofOptions {
    let mut o = ProofOptions::new(
        spec_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    o.created = Some("2023-02-24T23:36:38Z".into());
    o
}

#[test]
fn jcs_intermediates_match_the_specification() {
    let unsigned = json::parse(&read(&format!("{DIR}/unsigned.json"))).unwrap();
    let canon_doc = jcs::canonicalize(&unsigned);
    assert_eq!(
        String::from_utf8(canon_doc.clone()).unwrap(),
        v("canonDocJCS.txt")
    );
    assert_eq!(hex(&Sha256::digest(&canon_doc)), v("docHashJCS.txt"));

    let config = json::parse(&read(&format!("{DIR}/proofConfigJCS.json"))).unwrap();
    let canon_config = jcs::canonicalize(&config);
    assert_eq!(
        String::from_utf8(canon_config.clone()).unwrap(),
        v("proofCanonJCS.txt")
    );
    assert_eq!(hex(&Sha256::digest(&canon_config)), v("proofHashJCS.txt"));

    let hash = proof::hash_data(&config, &unsigned);
    assert_eq!(hex(&hash), v("combinedHashJCS.txt"));
    let sig = spec_key().secret.as_ed25519().unwrap().sign(&hash);
    assert_eq!(hex(&sig.to_bytes()), v("sigHexJCS.txt"));
    assert_eq!(
        multibase::encode_base58btc(&sig.to_bytes()),
        v("sigBTC58JCS.txt")
    );
}

#[test]
fn signing_reproduces_the_signed_vector_byte_for_byte() {
    let unsigned = json::parse(&read(&format!("{DIR}/unsigned.json"))).unwrap();
    let signed = proof::add_proof(
        &unsigned,
        spec_key().secret.as_ed25519().unwrap(),
        &spec_options(),
    )
    .unwrap();
    let expected = v("signedJCS.json");
    assert_eq!(serde_json::to_string_pretty(&signed).unwrap(), expected);
}

#[test]
fn the_signed_vector_verifies_and_any_change_fails() {
    let signed = json::parse(&read(&format!("{DIR}/signedJCS.json"))).unwrap();
    let out = proof::verify_proofs(&signed, &DidKeyResolver);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].result,
        Ok("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".into())
    );

    // A changed member of the document.
    let mut t = signed.clone();
    t["credentialSubject"]["alumniOf"] = "Another School".into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
    // A changed member of the proof.
    let mut t = signed.clone();
    t["proof"]["created"] = "2023-02-24T23:36:39Z".into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
    // Another key.
    let other = SecretKey::from_seed(&[7u8; 32]).did_key();
    let mut t = signed.clone();
    t["proof"]["verificationMethod"] = other.verification_method().into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
    // Every byte of the signature.
    let sig = multibase::decode_base58btc(&v("sigBTC58JCS.txt")).unwrap();
    for i in 0..sig.len() {
        let mut s = sig.clone();
        s[i] ^= 0x01;
        let mut t = signed.clone();
        t["proof"]["proofValue"] = multibase::encode_base58btc(&s).into();
        assert!(
            proof::verify_proofs(&t, &DidKeyResolver)[0].result.is_err(),
            "byte {i}"
        );
    }
    // A proof @context that does not start the document's.
    let mut t = signed.clone();
    t["proof"]["@context"] = serde_json::json!(["https://www.w3.org/ns/credentials/examples/v2"]);
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::ContextMismatch)
    );
    // Wrong multibase prefix, wrong length, unknown cryptosuite.
    let mut t = signed.clone();
    t["proof"]["proofValue"] = format!("u{}", &v("sigBTC58JCS.txt")[1..]).into();
    assert!(matches!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::ProofValueEncoding { .. })
    ));
    let mut t = signed.clone();
    t["proof"]["proofValue"] = multibase::encode_base58btc(&sig[..63]).into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::ProofValueLength)
    );
    let mut t = signed.clone();
    t["proof"]["cryptosuite"] = "eddsa-2022".into();
    assert!(matches!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::UnsupportedCryptosuite { .. })
    ));
}

#[test]
fn non_canonical_signature_scalar_is_rejected() {
    // S + L (the group order) verifies under a lax verifier but not verify_strict.
    let signed = json::parse(&read(&format!("{DIR}/signedJCS.json"))).unwrap();
    let sig = multibase::decode_base58btc(&v("sigBTC58JCS.txt")).unwrap();
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut s = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let x = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        s[i] = x as u8;
        carry = x >> 8;
    }
    let mut forged = sig[..32].to_vec();
    forged.extend_from_slice(&s);
    let mut t = signed.clone();
    t["proof"]["proofValue"] = multibase::encode_base58btc(&forged).into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
}

#[test]
fn proof_sets_verify_each_proof_on_its_own() {
    let unsigned = json::parse(&read(&format!("{DIR}/unsigned.json"))).unwrap();
    let a = SecretKey::from_seed(&[1u8; 32]);
    let b = SecretKey::from_seed(&[2u8; 32]);
    let opts = |k: &SecretKey, id: &str| {
        let mut o = ProofOptions::new(
            k.did_key().verification_method(),
            ProofPurpose::AssertionMethod,
        );
        o.id = Some(id.into());
        o
    };
    let one = proof::add_proof(&unsigned, &a, &opts(&a, "urn:proof:1")).unwrap();
    let two = proof::add_proof(&one, &b, &opts(&b, "urn:proof:2")).unwrap();
    assert_eq!(two["proof"].as_array().unwrap().len(), 2);
    let out = proof::verify_proofs(&two, &DidKeyResolver);
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");

    // A chain: the third proof covers the second.
    let mut o = opts(&a, "urn:proof:3");
    o.previous_proof = Some("urn:proof:2".into());
    let three = proof::add_proof(&two, &a, &o).unwrap();
    assert!(
        proof::verify_proofs(&three, &DidKeyResolver)
            .iter()
            .all(|o| o.result.is_ok())
    );
    // Tampering with the chained-to proof breaks the chain's proof too.
    let mut t = three.clone();
    t["proof"][1]["created"] = "2020-01-01T00:00:00Z".into();
    let out = proof::verify_proofs(&t, &DidKeyResolver);
    assert!(out[0].result.is_ok());
    assert!(out[1].result.is_err());
    assert_eq!(out[2].result, Err(ProofFailure::SignatureInvalid));

    // One forged proof in a set is reported as such; the other still verifies.
    let mut t = two.clone();
    t["proof"][1]["proofValue"] = t["proof"][0]["proofValue"].clone();
    let out = proof::verify_proofs(&t, &DidKeyResolver);
    assert!(out[0].result.is_ok());
    assert_eq!(out[1].result, Err(ProofFailure::SignatureInvalid));

    // previousProof naming an unknown proof.
    let mut o = opts(&a, "urn:proof:4");
    o.previous_proof = Some("urn:proof:missing".into());
    assert!(matches!(
        proof::add_proof(&two, &a, &o),
        Err(proof::ProofError::PreviousProofNotFound { .. })
    ));
}

#[test]
fn did_key_vectors() {
    let file: serde_json::Value =
        serde_json::from_slice(&read("tests/vectors/did-key/ed25519-x25519.json")).unwrap();
    let entries = file.as_object().unwrap();
    assert_eq!(entries.len(), 5);
    for (did, entry) in entries {
        let seed: [u8; 32] = unhex(entry["seed"].as_str().unwrap()).try_into().unwrap();
        let key = SecretKey::from_seed(&seed);
        assert_eq!(&key.did_key().did(), did);
        let parsed = did_key::DidKey::parse(did).unwrap();
        assert_eq!(parsed.public_key(), &key.public_key().into());
        let doc = parsed.document();
        assert_eq!(doc["id"], did.as_str());
        assert_eq!(
            doc["verificationMethod"][0]["publicKeyMultibase"],
            parsed.multibase()
        );
    }
    // The other known-good values from the README.
    for (mb, key_hex) in [
        (
            "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6",
        ),
        (
            "z6Mkf5rGMoatrSj1f4CyvuHBeXJELe9RPdzo2PKGNCKVtZxP",
            "095f9a1a595dde755d82786864ad03dfa5a4fbd68832566364e2b65e13cc9e44",
        ),
    ] {
        assert_eq!(
            hex(did_key::decode_multikey(mb).unwrap().as_bytes()),
            key_hex
        );
    }
    // An X25519 key is not an Ed25519 did:key.
    assert!(
        did_key::DidKey::parse("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc").is_err()
    );
}

/// Digital Bazaar's `Ed25519Signature2020` credentials (`tests/vectors/ed25519-signature-2020/`):
/// a single proof and a proof set beside `eddsa-rdfc-2022`, both VC 1.1.
#[test]
fn ed25519_signature_2020_vectors_verify_and_any_change_fails() {
    const DID: &str = "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG";
    let dir = "tests/vectors/ed25519-signature-2020";
    let single = json::parse(&read(&format!("{dir}/vc11-open-badge.signed.json"))).unwrap();
    let set = json::parse(&read(&format!("{dir}/vc11-proof-set.signed.json"))).unwrap();
    let out = proof::verify_proofs(&single, &DidKeyResolver);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].result, Ok(DID.to_owned()));
    assert_eq!(out[0].cryptosuite.as_deref(), Some("Ed25519Signature2020"));
    let out = proof::verify_proofs(&set, &DidKeyResolver);
    assert_eq!(out.len(), 2);
    assert!(
        out.iter().all(|o| o.result == Ok(DID.to_owned())),
        "{out:?}"
    );

    // A changed claim, date or proof option: the signature no longer verifies.
    for (pointer, value) in [
        ("/name", serde_json::json!("Data Analysis Mastery")),
        ("/issuanceDate", serde_json::json!("2025-01-16T10:00:00Z")),
        (
            "/credentialSubject/id",
            serde_json::json!("did:example:someone-else"),
        ),
        ("/proof/created", serde_json::json!("2025-03-02T00:00:00Z")),
        ("/proof/proofPurpose", serde_json::json!("authentication")),
    ] {
        let mut t = single.clone();
        *t.pointer_mut(pointer).unwrap() = value;
        assert_eq!(
            proof::verify_proofs(&t, &DidKeyResolver)[0].result,
            Err(ProofFailure::SignatureInvalid),
            "{pointer}"
        );
    }
    // In the set, tampering with one proof leaves the other verifying.
    let mut t = set.clone();
    t["proof"][1]["created"] = "2025-03-02T00:00:00Z".into();
    let out = proof::verify_proofs(&t, &DidKeyResolver);
    assert!(out[0].result.is_ok());
    assert_eq!(out[1].result, Err(ProofFailure::SignatureInvalid));
    // Without the suite context the proof's terms are undefined: it cannot be checked,
    // which is never reported as a valid signature.
    let mut t = single.clone();
    t["@context"].as_array_mut().unwrap().pop();
    assert!(matches!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::Transformation { .. })
    ));
    // A proofValue that is not base58btc multibase.
    let mut t = single.clone();
    t["proof"]["proofValue"] = "uAAAA".into();
    assert!(matches!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::ProofValueEncoding { .. })
    ));
}
