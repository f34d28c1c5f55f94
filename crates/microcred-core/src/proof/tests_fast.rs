//! The fast paths (bytes in, borrowed tree, streamed hashes, batches) answer
//! exactly what the `Value` path answers.

// Test code (`cfg(all(test, …))` is not recognised as a test module by clippy): an
// unwrap or panic that fires is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ed25519_dalek::VerifyingKey;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::json;
use crate::keys::SecretKey;

const VECTOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/eddsa-jcs-2022/signedJCS.json"
);

/// Resolves did:key, plus `did:example:weak#key`: the identity point, a
/// small-order key that did:key decoding refuses but a DID document could hold.
struct TestResolver;

const WEAK_VM: &str = "did:example:weak#key";

impl KeyResolver for TestResolver {
    fn resolve(&self, vm: &str) -> Result<ResolvedMethod, ResolveError> {
        if vm == WEAK_VM {
            let mut identity = [0u8; 32];
            identity[0] = 1;
            return Ok(ResolvedMethod {
                controller: "did:example:weak".into(),
                public_key: VerifyingKey::from_bytes(&identity).unwrap().into(),
                relationships: vec!["assertionMethod".into()],
            });
        }
        DidKeyResolver.resolve(vm)
    }
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn options(key: &SecretKey) -> ProofOptions {
    let mut o = ProofOptions::new(
        key.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    o.created = Some("2025-03-01T00:00:00Z".into());
    o
}

fn credential(name: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://e.example/#"}],
        "type": ["VerifiableCredential"],
        "issuer": key(1).did_key().did(),
        "name": name,
        "credentialSubject": {"id": "did:example:learner", "score": 1.5, "n": -0, "big": 9007199254740991i64}
    })
}

fn signed(name: &str) -> Vec<u8> {
    let k = key(1);
    serde_json::to_vec(&add_proof(&credential(name), &k, &options(&k)).unwrap()).unwrap()
}

/// verify_bytes and the `Value` path agree; returns the outcomes.
fn check_agreement(bytes: &[u8]) -> Result<Vec<ProofOutcome>, json::JsonError> {
    let slow = json::parse(bytes).map(|v| verify_proofs(&v, &TestResolver));
    let fast = verify_bytes(bytes, &TestResolver);
    assert_eq!(fast, slow, "{}", String::from_utf8_lossy(bytes));
    let batch = verify_batch(&[bytes], &TestResolver);
    assert_eq!(batch, vec![slow.clone()]);
    slow
}

fn with_proof_value(doc: &[u8], f: impl Fn(&mut [u8; 64])) -> Vec<u8> {
    let mut v = json::parse(doc).unwrap();
    let pv = v["proof"]["proofValue"].as_str().unwrap();
    let mut sig: [u8; 64] = multibase::decode_base58btc(pv).unwrap().try_into().unwrap();
    f(&mut sig);
    v["proof"]["proofValue"] = multibase::encode_base58btc(&sig).into();
    serde_json::to_vec(&v).unwrap()
}

/// Adds ℓ to s: the same scalar mod ℓ, a non-canonical encoding.
fn add_group_order(sig: &mut [u8; 64]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (s, l) in sig[32..].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
}

/// A document "signed" by the small-order key: R = B, s = 1 satisfies the
/// cofactorless equation R = [s]B − [h]A for A = identity and every message,
/// so a batch alone accepts it; verify_strict rejects the small-order key.
fn weak_key_document() -> Vec<u8> {
    let mut doc = credential("weak");
    doc["issuer"] = "did:example:weak".into();
    let mut sig = [0u8; 64];
    sig[0] = 0x58;
    sig[1..32].fill(0x66);
    sig[32] = 1;
    doc["proof"] = json!({
        "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": WEAK_VM, "proofPurpose": "assertionMethod",
        "proofValue": multibase::encode_base58btc(&sig),
    });
    serde_json::to_vec(&doc).unwrap()
}

#[test]
fn w3c_vector_and_signed_documents_agree() {
    let vector = std::fs::read(VECTOR).unwrap();
    let outcomes = check_agreement(&vector).unwrap();
    assert!(outcomes[0].result.is_ok());
    let good = signed("a");
    assert_eq!(
        check_agreement(&good).unwrap()[0].result,
        Ok(key(1).did_key().did())
    );
    // Pretty-printed, with escapes: same verdict.
    let pretty = serde_json::to_vec_pretty(&json::parse(&good).unwrap()).unwrap();
    assert!(check_agreement(&pretty).unwrap()[0].result.is_ok());
    let escaped = String::from_utf8(good.clone())
        .unwrap()
        .replace("VerifiableCredential", "Verifiable\\u0043redential")
        .replace("https://", "https:\\/\\/");
    assert!(
        check_agreement(escaped.as_bytes()).unwrap()[0]
            .result
            .is_ok()
    );
}

#[test]
fn failures_agree() {
    let good = String::from_utf8(signed("a")).unwrap();
    let cases = [
        good.replace("\"name\":\"a\"", "\"name\":\"b\""),
        good.replace("DataIntegrityProof", "Ed25519Signature2020"),
        good.replace("eddsa-jcs-2022", "eddsa-rdfc-2022"),
        good.replace(
            "\"proofPurpose\":\"assertionMethod\"",
            "\"proofPurpose\":\"keyAgreement\"",
        ),
        good.replace("\"proofPurpose\":\"assertionMethod\"", "\"proofPurpose\":7"),
        good.replace("2025-03-01T00:00:00Z", "yesterday"),
        good.replace("\"proofValue\":\"z", "\"proofValue\":\"u"),
        good.replace("\"proofValue\":\"z", "\"proofValue\":\"z2"),
        good.replace("did:key:z6Mk", "did:web:z6Mk"),
        good.replace(
            "\"proof\":{",
            "\"proof\":{\"@context\":[\"https://other.example\"],",
        ),
        good.replace(
            "\"proof\":{",
            "\"proof\":{\"@context\":\"https://www.w3.org/ns/credentials/v2\",",
        ),
        good.replace("\"proof\":{", "\"proof\":{\"previousProof\":\"urn:x\","),
        good.replace("\"proof\":{", "\"proof\":[1,{"),
        good.replace("\"proof\":{", "\"proof\":\"x\",\"p\":{"),
        good.replace("\"name\":\"a\"", "\"name\":\"a\",\"name\":\"a\""),
        good.replace("\"score\":1.5", "\"score\":1.50"),
        good.replace("\"score\":1.5", "\"score\":15e-1"),
        "[1,2]".to_owned(),
        "{}".to_owned(),
        "{\"proof\":{}}".to_owned(),
        "not json".to_owned(),
    ];
    for case in &cases {
        let case = if case.contains("\"proof\":[1,{") {
            format!("{}]}}", case.strip_suffix('}').unwrap())
        } else {
            case.clone()
        };
        let _ = check_agreement(case.as_bytes());
    }
}

#[test]
fn proof_sets_and_chains_agree() {
    let (k1, k2) = (key(1), key(2));
    let one = add_proof(&credential("set"), &k1, &options(&k1)).unwrap();
    let two = add_proof(&one, &k2, &options(&k2)).unwrap();
    let outcomes = check_agreement(&serde_json::to_vec(&two).unwrap()).unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
    let mut o1 = options(&k1);
    o1.id = Some("urn:proof:1".into());
    let first = add_proof(&credential("chain"), &k1, &o1).unwrap();
    let mut o2 = options(&k2);
    o2.previous_proof = Some("urn:proof:1".into());
    let chain = add_proof(&first, &k2, &o2).unwrap();
    let outcomes = check_agreement(&serde_json::to_vec(&chain).unwrap()).unwrap();
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
}

#[test]
fn batch_pins_down_failures_and_matches_verify_strict() {
    let good = signed("a");
    let tampered = String::from_utf8(good.clone())
        .unwrap()
        .replace("\"a\"", "\"b\"");
    let non_canonical_s = with_proof_value(&good, add_group_order);
    let weak = weak_key_document();
    let docs: Vec<&[u8]> = vec![
        &good,
        tampered.as_bytes(),
        &non_canonical_s,
        &weak,
        b"{\"a\":",
        &good,
    ];
    let batch = verify_batch(&docs, &TestResolver);
    for (doc, result) in docs.iter().zip(&batch) {
        assert_eq!(result, &verify_bytes(doc, &TestResolver));
        assert_eq!(
            result,
            &json::parse(doc).map(|v| verify_proofs(&v, &TestResolver))
        );
    }
    let verdicts: Vec<bool> = batch
        .iter()
        .map(|r| r.as_ref().is_ok_and(|o| o[0].result.is_ok()))
        .collect();
    assert_eq!(verdicts, [true, false, false, false, false, true]);

    // The non-canonical s and the small-order key alone, in batches that would
    // otherwise succeed: the verdict is still verify_strict's.
    for doc in [&non_canonical_s, &weak] {
        let batch = verify_batch(&[&good, doc, &good], &TestResolver);
        assert!(batch[0].as_ref().unwrap()[0].result.is_ok());
        assert_eq!(
            batch[1].as_ref().unwrap()[0].result,
            Err(ProofFailure::SignatureInvalid)
        );
        assert!(batch[2].as_ref().unwrap()[0].result.is_ok());
    }
    // The weak-key signature does satisfy a plain batch equation: the explicit
    // strict checks are what reject it.
    let weak_value = json::parse(&weak).unwrap();
    let Value::Object(map) = &weak_value else {
        panic!()
    };
    let proof = map["proof"].as_object().unwrap();
    let config = hash_members(
        proof
            .iter()
            .filter(|(k, _)| *k != "proofValue")
            .map(|(k, v)| (k.as_str(), v)),
    );
    let hash = concat_hashes(config, unsecured_hash(map, None, None));
    let key = *TestResolver
        .resolve(WEAK_VM)
        .unwrap()
        .public_key
        .as_ed25519()
        .unwrap();
    let sig = Signature::from_bytes(
        &multibase::decode_base58btc(proof["proofValue"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap(),
    );
    assert!(ed25519_dalek::verify_batch(&[&hash[..]], &[sig], &[key]).is_ok());
    assert!(key.verify_strict(&hash, &sig).is_err());
}

/// The batch merges the terms of signatures by the same key; every signature
/// must still count on its own: several issuers interleaved, and two genuine
/// signatures of one key with their `s` halves swapped (each invalid, though
/// their plain sum would balance) are rejected while their neighbours verify.
#[test]
fn merged_key_terms_keep_every_signature_accountable() {
    let signed_by = |seed: u8, name: &str| {
        let k = key(seed);
        let mut c = credential(name);
        c["issuer"] = k.did_key().did().into();
        serde_json::to_vec(&add_proof(&c, &k, &options(&k)).unwrap()).unwrap()
    };
    let docs: Vec<Vec<u8>> = (0..12u8)
        .map(|i| signed_by(1 + i % 3, &format!("c{i}")))
        .collect();
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let batch = verify_batch(&refs, &TestResolver);
    assert!(batch.iter().all(|r| r.as_ref().unwrap()[0].result.is_ok()));

    // Swap s between documents 0 and 3 (both by key 1).
    let s_of = |doc: &[u8]| {
        let v = json::parse(doc).unwrap();
        let sig: [u8; 64] = multibase::decode_base58btc(v["proof"]["proofValue"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        sig
    };
    let (s0, s3) = (s_of(&docs[0]), s_of(&docs[3]));
    let mut docs = docs.clone();
    docs[0] = with_proof_value(&docs[0], |sig| sig[32..].copy_from_slice(&s3[32..]));
    docs[3] = with_proof_value(&docs[3], |sig| sig[32..].copy_from_slice(&s0[32..]));
    // And a signature of key 2 presented under key 3's verification method.
    let mut moved = json::parse(&docs[4]).unwrap();
    moved["proof"]["verificationMethod"] = key(3).did_key().verification_method().into();
    moved["issuer"] = key(3).did_key().did().into();
    docs[4] = serde_json::to_vec(&moved).unwrap();
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let batch = verify_batch(&refs, &TestResolver);
    let verdicts: Vec<bool> = batch
        .iter()
        .map(|r| r.as_ref().unwrap()[0].result.is_ok())
        .collect();
    let expected: Vec<bool> = (0..12).map(|i| ![0, 3, 4].contains(&i)).collect();
    assert_eq!(verdicts, expected);
    for (doc, result) in refs.iter().zip(&batch) {
        assert_eq!(result, &verify_bytes(doc, &TestResolver));
    }
}

#[test]
fn presentation_outcomes_agree() {
    let learner = key(3);
    let creds: Vec<Value> = (0..5)
        .map(|i| json::parse(&signed(&format!("c{i}"))).unwrap())
        .collect();
    let mut vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": learner.did_key().did(),
        "verifiableCredential": creds,
    });
    let mut o = ProofOptions::new(
        learner.did_key().verification_method(),
        ProofPurpose::Authentication,
    );
    o.challenge = Some("c-123".into());
    vp = add_proof(&vp, &learner, &o).unwrap();
    let bytes = serde_json::to_vec(&vp).unwrap();
    let fast = verify_presentation_bytes(&bytes, &TestResolver).unwrap();
    let slow = fast::presentation_slow(&vp, &TestResolver);
    assert_eq!(fast, slow);
    assert_eq!(fast.credentials.len(), 5);
    assert!(fast.presentation[0].result.is_ok());
    assert!(fast.credentials.iter().all(|c| c[0].result.is_ok()));
    // A tampered embedded credential: only it fails.
    let tampered = String::from_utf8(bytes)
        .unwrap()
        .replacen("\"c2\"", "\"cX\"", 1);
    let fast = verify_presentation_bytes(tampered.as_bytes(), &TestResolver).unwrap();
    let slow = fast::presentation_slow(&json::parse(tampered.as_bytes()).unwrap(), &TestResolver);
    assert_eq!(fast, slow);
    assert!(fast.credentials[2][0].result.is_err());
    assert!(fast.credentials[1][0].result.is_ok());
    assert!(fast.presentation[0].result.is_err());
    // One credential, not in an array; and not JSON.
    let single = json!({"verifiableCredential": creds_first(), "proof": 1});
    let bytes = serde_json::to_vec(&single).unwrap();
    assert_eq!(
        verify_presentation_bytes(&bytes, &TestResolver).unwrap(),
        fast::presentation_slow(&single, &TestResolver)
    );
    assert!(verify_presentation_bytes(b"{", &TestResolver).is_err());
}

fn creds_first() -> Value {
    json::parse(&signed("one")).unwrap()
}

#[test]
fn add_proof_bytes_signs_what_add_proof_signs() {
    let k = key(1);
    let o = options(&k);
    let value = credential("bytes");
    let expected = add_proof(&value, &k, &o).unwrap();
    for input in [
        serde_json::to_vec(&value).unwrap(),
        serde_json::to_vec_pretty(&value).unwrap(),
    ] {
        let out = add_proof_bytes(&input, &k, &o).unwrap();
        let parsed = json::parse(&out).unwrap();
        assert_eq!(parsed, expected, "{}", String::from_utf8_lossy(&out));
        assert!(out.starts_with(&input[..input.len() - 2]));
        assert!(verify_bytes(&out, &TestResolver).unwrap()[0].result.is_ok());
    }
    // Already signed: a proof set through add_proof.
    let signed = serde_json::to_vec(&expected).unwrap();
    let k2 = key(2);
    let set = add_proof_bytes(&signed, &k2, &options(&k2)).unwrap();
    assert_eq!(
        json::parse(&set).unwrap(),
        add_proof(&expected, &k2, &options(&k2)).unwrap()
    );
    // Without @context, and empty.
    for doc in [json!({"a": 1}), json!({})] {
        let out = add_proof_bytes(&serde_json::to_vec(&doc).unwrap(), &k, &o).unwrap();
        assert_eq!(json::parse(&out).unwrap(), add_proof(&doc, &k, &o).unwrap());
    }
    assert!(matches!(
        add_proof_bytes(b"{\"a\":1,\"a\":2}", &k, &o),
        Err(ProofError::Json(_))
    ));
    assert_eq!(
        add_proof_bytes(b"[1]", &k, &o),
        Err(ProofError::NotAnObject)
    );
    let mut bad = o.clone();
    bad.created = Some("soon".into());
    assert!(matches!(
        add_proof_bytes(b"{}", &k, &bad),
        Err(ProofError::DateTime { .. })
    ));
}

#[test]
fn streamed_hash_equals_hash_of_canonical_bytes() {
    use sha2::{Digest, Sha256};
    let doc = credential("h");
    let config = json!({"type": "DataIntegrityProof", "z": "x".repeat(9000)});
    let hash = hash_data(&config, &doc);
    assert_eq!(hash[..32], Sha256::digest(jcs::canonicalize(&config))[..]);
    assert_eq!(hash[32..], Sha256::digest(jcs::canonicalize(&doc))[..]);
}

/// Strings that exercise escapes, non-ASCII and member order.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,8}",
        "\\PC{0,6}",
        Just("\u{10000}\u{e000}".to_owned())
    ]
}

fn document() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-9_007_199_254_740_991i64..=9_007_199_254_740_991).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::vec((text(), value), 0..6).prop_map(|members| {
        let mut doc = credential("generated");
        for (k, v) in members {
            if k != "proof" {
                doc[k] = v;
            }
        }
        doc
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Differential: the fast path's hashes (through its verdicts and signatures)
    /// equal the Value path's on generated documents, before and after tampering.
    #[test]
    fn fast_and_value_paths_agree(doc in document(), flip in any::<prop::sample::Index>(), pretty in any::<bool>()) {
        let k = key(1);
        let signed = add_proof(&doc, &k, &options(&k)).unwrap();
        let bytes = if pretty {
            serde_json::to_vec_pretty(&signed).unwrap()
        } else {
            serde_json::to_vec(&signed).unwrap()
        };
        let outcomes = check_agreement(&bytes).unwrap();
        prop_assert!(outcomes[0].result.is_ok());
        // add_proof_bytes makes the same signature as add_proof.
        let unsigned = serde_json::to_vec(&doc).unwrap();
        let from_bytes = add_proof_bytes(&unsigned, &k, &options(&k)).unwrap();
        prop_assert_eq!(json::parse(&from_bytes).unwrap(), signed);
        // Any single-byte change: both paths give the same answer.
        let mut changed = bytes.clone();
        let i = flip.index(changed.len());
        changed[i] ^= 0x01;
        let _ = check_agreement(&changed);
    }
}

/// A micro-credential signed with both suites (what `microcred-sign` does by default
/// for Open Badges): the eddsa-rdfc-2022 proof sends the document to the Value path,
/// and every entry point still answers what `verify_proofs` answers.
#[cfg(feature = "rdfc")]
#[test]
fn both_suites_agree() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../keys-example/micro-credential.unsigned.json"
    );
    let k = key(1);
    let mut doc = json::parse(&std::fs::read(example).unwrap()).unwrap();
    doc["issuer"]["id"] = k.did_key().did().into();
    let jcs = add_proof(&doc, &k, &options(&k)).unwrap();
    let both = crate::rdfc::add_proof(&jcs, &k, &options(&k)).unwrap();
    let bytes = serde_json::to_vec(&both).unwrap();
    let outcomes = check_agreement(&bytes).unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:?}");
    let tampered = String::from_utf8(bytes).unwrap().replacen("B+", "A+", 1);
    let outcomes = check_agreement(tampered.as_bytes()).unwrap();
    assert!(outcomes.iter().all(|o| o.result.is_err()), "{outcomes:?}");
}

/// An integer beyond ±(2^53−1) written as RFC 8785 writes a double (what another
/// JCS implementation emits for 1e20 or 2^60) is read, signed and verified by both
/// paths alike; one that is no double's form is refused by both, not verified.
#[test]
fn large_integers_in_their_rfc8785_form_verify_on_both_paths() {
    let k = key(1);
    let text = |big: &str| {
        let mut doc = serde_json::to_string(&credential("big")).unwrap();
        doc.insert_str(
            doc.len() - 1,
            &format!(",\"figures\":[{big},-9007199254740992]"),
        );
        doc.into_bytes()
    };
    for big in ["100000000000000000000", "1152921504606847000"] {
        let signed = add_proof_bytes(&text(big), &k, &options(&k)).unwrap();
        let needle = format!("[{big},");
        assert!(
            String::from_utf8_lossy(&signed).contains(&needle),
            "the literal is kept as written"
        );
        let outcomes = check_agreement(&signed).unwrap();
        assert!(
            outcomes.iter().all(|o| o.result.is_ok()),
            "{big}: {outcomes:?}"
        );
        assert!(
            crate::tree::Tree::parse(&signed, json::Limits::DEFAULT).is_ok(),
            "the fast path reads it too"
        );
    }
    for not_a_double in ["9007199254740993", "1152921504606846976"] {
        assert!(add_proof_bytes(&text(not_a_double), &k, &options(&k)).is_err());
        let mut signed = add_proof_bytes(&text("100000000000000000000"), &k, &options(&k)).unwrap();
        let at = signed
            .windows(21)
            .position(|w| w == b"100000000000000000000")
            .unwrap();
        signed.splice(at..at + 21, not_a_double.bytes());
        assert!(check_agreement(&signed).is_err(), "{not_a_double}");
    }
}
