//! eddsa-rdfc-2022: the W3C vc-di-eddsa vectors byte for byte, the W3C
//! RDFC-1.0 test suite, and proof sets mixing both cryptosuites.

use microcred_core::keys::{KeyFile, SecretKey};
use microcred_core::proof::{self, DidKeyResolver, ProofFailure, ProofOptions, ProofPurpose};
use microcred_core::rdfc::{self, canon, nquads};
use microcred_core::{json, multibase};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::common::{hex, read, text, unhex};

const DIR: &str = "tests/vectors/eddsa-rdfc-2022";
const SUITE: &str = "tests/vectors/rdfc-1.0";

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

/// Every intermediate of one vc-di-eddsa example (`sub` is "" or "employ/").
fn check_example(input: &str, sub: &str) {
    let v = |name: &str| text(&format!("{DIR}/{sub}{name}"));
    let unsigned = json::parse(&read(&format!("{DIR}/{input}"))).unwrap();

    let canon_doc = rdfc::canonicalize(&unsigned).unwrap();
    assert_eq!(
        canon_doc,
        v("canonDocDataInt.txt"),
        "{sub}canonical document"
    );
    assert_eq!(
        hex(&Sha256::digest(canon_doc.as_bytes())),
        v("docHashDataInt.txt")
    );

    // The proof configuration we build equals the specification's, member for member.
    let config = rdfc::proof_config(&spec_options(), unsigned.get("@context"));
    let spec_config = json::parse(v("proofConfigDataInt.json").as_bytes()).unwrap();
    assert_eq!(config, spec_config);
    let canon_config = rdfc::canonicalize(&config).unwrap();
    assert_eq!(
        canon_config,
        v("proofCanonDataInt.txt"),
        "{sub}canonical proof config"
    );
    assert_eq!(
        hex(&Sha256::digest(canon_config.as_bytes())),
        v("proofHashDataInt.txt")
    );

    let hash = rdfc::hash_data(&config, &unsigned).unwrap();
    assert_eq!(hex(&hash), v("combinedHashDataInt.txt"));
    assert_eq!(hash.to_vec(), unhex(&v("combinedHashDataInt.txt")));
    let sig = spec_key().secret.as_ed25519().unwrap().sign(&hash);
    assert_eq!(hex(&sig.to_bytes()), v("sigHexDataInt.txt"));
    assert_eq!(
        multibase::encode_base58btc(&sig.to_bytes()),
        v("sigBTC58DataInt.txt")
    );

    // Signing reproduces the signed document byte for byte (pretty-printed
    // with two-space indentation, as the JCS vector).
    let signed = rdfc::add_proof(
        &unsigned,
        spec_key().secret.as_ed25519().unwrap(),
        &spec_options(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&signed).unwrap(),
        v("signedDataInt.json")
    );

    // The published signed document verifies, through the generic entry point.
    let published = json::parse(v("signedDataInt.json").as_bytes()).unwrap();
    let out = proof::verify_proofs(&published, &DidKeyResolver);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].cryptosuite.as_deref(), Some(rdfc::EDDSA_RDFC_2022));
    assert_eq!(
        out[0].result,
        Ok("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".into())
    );
}

#[test]
fn basic_example_matches_the_specification() {
    check_example("unsigned.json", "");
}

#[test]
fn employment_authorization_example_matches_the_specification() {
    check_example("employmentAuth.json", "employ/");
}

#[test]
fn signed_vector_rejects_changes() {
    let signed = json::parse(&read(&format!("{DIR}/signedDataInt.json"))).unwrap();
    let verify = |d: &Value| proof::verify_proofs(d, &DidKeyResolver).remove(0).result;

    let mut t = signed.clone();
    t["credentialSubject"]["alumniOf"] = "Another School".into();
    assert_eq!(verify(&t), Err(ProofFailure::SignatureInvalid));
    let mut t = signed.clone();
    t["proof"]["created"] = "2023-02-24T23:36:39Z".into();
    assert_eq!(verify(&t), Err(ProofFailure::SignatureInvalid));
    // Reordering members or array items that RDF treats as a set changes
    // nothing: what is signed is the graph, not the bytes.
    let mut t = signed.clone();
    t["type"] = serde_json::json!(["AlumniCredential", "VerifiableCredential"]);
    assert!(verify(&t).is_ok());
    // A member the contexts do not define is an error naming it, not silently
    // unsigned (without the examples context, the type `AlumniCredential` is undefined).
    let mut t = signed.clone();
    t["@context"] = serde_json::json!(["https://www.w3.org/ns/credentials/v2"]);
    t["proof"]["@context"] = serde_json::json!(["https://www.w3.org/ns/credentials/v2"]);
    match verify(&t) {
        Err(ProofFailure::Transformation { reason }) => {
            assert!(reason.contains("\"AlumniCredential\""), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // An unknown context URL is named.
    let mut t = signed.clone();
    t["@context"][1] = "https://example.org/unknown-context".into();
    match verify(&t) {
        Err(ProofFailure::CannotProcess { reason }) => {
            assert!(
                reason.contains("https://example.org/unknown-context"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Every byte of the signature matters.
    let sig = multibase::decode_base58btc(signed["proof"]["proofValue"].as_str().unwrap()).unwrap();
    for i in (0..sig.len()).step_by(7) {
        let mut s = sig.clone();
        s[i] ^= 0x01;
        let mut t = signed.clone();
        t["proof"]["proofValue"] = multibase::encode_base58btc(&s).into();
        assert!(verify(&t).is_err(), "byte {i}");
    }
}

fn example_key() -> KeyFile {
    KeyFile::from_json(&read("keys-example/example-university.key.json")).unwrap()
}

fn example_options(key: &KeyFile) -> ProofOptions {
    let mut o = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    o.created = Some("2025-03-01T00:00:00Z".into());
    o
}

#[test]
fn example_micro_credential_signs_and_verifies_with_both_suites() {
    let unsigned = json::parse(&read("keys-example/micro-credential.unsigned.json")).unwrap();
    let key = example_key();
    let opts = example_options(&key);

    // Every member of the example maps to RDF: nothing is dropped. The embedded context's
    // scoped @vocab gives every member under microCredential an mc: IRI.
    let canonical = rdfc::canonicalize(&unsigned).unwrap();
    for needle in [
        "<https://w3id.org/microcred/vocab#hours> \"125\"^^<http://www.w3.org/2001/XMLSchema#integer>",
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/microcred/vocab#external>",
        "<https://w3id.org/microcred/vocab#eqfLevel> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer>",
        "<https://w3id.org/microcred/vocab#assessedOn> \"2025-01-28T10:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime>",
        "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement>",
    ] {
        assert!(
            canonical.contains(needle),
            "missing {needle} in\n{canonical}"
        );
    }
    // The same credential with the older context URL (bundled, for credentials issued
    // with it) reads as the v1 context defines it.
    let mut legacy = unsigned.clone();
    legacy["@context"]
        .as_array_mut()
        .unwrap()
        .push(microcred_core::contexts::MICROCRED_V1.into());
    legacy["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("@context");
    let canonical = rdfc::canonicalize(&legacy).unwrap();
    for needle in [
        "<https://w3id.org/microcred/vocab#hours> \"1.25E2\"^^<http://www.w3.org/2001/XMLSchema#double>",
        "<https://w3id.org/microcred/vocab#qualityAssuranceType> \"external\"",
        "<https://w3id.org/microcred/vocab#eqfLevel> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer>",
    ] {
        assert!(
            canonical.contains(needle),
            "missing {needle} in\n{canonical}"
        );
    }

    let jcs = proof::add_proof(&unsigned, key.secret.as_ed25519().unwrap(), &opts).unwrap();
    let both = rdfc::add_proof(&jcs, key.secret.as_ed25519().unwrap(), &opts).unwrap();
    let proofs = both["proof"].as_array().unwrap();
    assert_eq!(proofs.len(), 2);
    assert_eq!(proofs[0]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(proofs[1]["cryptosuite"], "eddsa-rdfc-2022");
    let out = proof::verify_proofs(&both, &DidKeyResolver);
    assert_eq!(out.len(), 2);
    for o in &out {
        assert_eq!(o.result, Ok(key.secret.did_key().did()), "{o:?}");
    }
    // The two proofs are independent: each verifies without the other.
    let mut only_rdfc = both.clone();
    only_rdfc["proof"] = proofs[1].clone();
    assert!(
        proof::verify_proofs(&only_rdfc, &DidKeyResolver)[0]
            .result
            .is_ok()
    );

    // A change to the credential breaks both.
    let mut t = both.clone();
    t["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = 126.into();
    let out = proof::verify_proofs(&t, &DidKeyResolver);
    assert!(
        out.iter()
            .all(|o| o.result == Err(ProofFailure::SignatureInvalid)),
        "{out:?}"
    );
}

#[test]
fn one_valid_jcs_proof_and_one_forged_rdfc_proof() {
    let unsigned = json::parse(&read("keys-example/micro-credential.unsigned.json")).unwrap();
    let key = example_key();
    let opts = example_options(&key);
    let jcs = proof::add_proof(&unsigned, key.secret.as_ed25519().unwrap(), &opts).unwrap();
    // Forged: an rdfc proof made by another key, relabelled as the issuer's.
    let mallory = SecretKey::from_seed(&[9u8; 32]);
    let mut forged = rdfc::add_proof(&jcs, &mallory, &opts).unwrap();
    forged["proof"][1]["verificationMethod"] = key.verification_method().into();
    let out = proof::verify_proofs(&forged, &DidKeyResolver);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].cryptosuite.as_deref(), Some("eddsa-jcs-2022"));
    assert_eq!(out[0].result, Ok(key.secret.did_key().did()));
    assert_eq!(out[1].cryptosuite.as_deref(), Some("eddsa-rdfc-2022"));
    assert_eq!(out[1].result, Err(ProofFailure::SignatureInvalid));
}

#[test]
fn signing_refuses_what_json_ld_would_drop() {
    let key = example_key();
    let opts = example_options(&key);
    let mut unsigned = json::parse(&read("keys-example/micro-credential.unsigned.json")).unwrap();
    unsigned["credentialSubject"]["favouriteColour"] = "blue".into();
    let err = rdfc::add_proof(&unsigned, key.secret.as_ed25519().unwrap(), &opts).unwrap_err();
    // The detail is in the error's source chain (Display names only the layer).
    let mut msg = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    assert!(msg.contains("$.credentialSubject.favouriteColour"), "{msg}");
    // The JCS suite signs the same document (it signs bytes, not RDF).
    assert!(proof::add_proof(&unsigned, key.secret.as_ed25519().unwrap(), &opts).is_ok());
}

#[test]
fn signing_refuses_blank_nodes_reference_verifiers_would_refuse() {
    // Blank nodes that only differ by structure cost rdf-canonize (default
    // maxWorkFactor 1) more deep iterations than it allows: jsonld.js fails
    // with "Maximum deep iterations exceeded (4)" on this document.
    let doc = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "@id": "_:root",
        "type": ["VerifiableCredential"],
        "credentialSubject": [
            {"@id": "_:a", "knows": {"@id": "_:b"}},
            {"@id": "_:b", "knows": {"@id": "_:a"}}
        ],
        "evidence": [{"type": ["Evidence"], "x": "1"}, {"type": ["Evidence"], "x": "1"}]
    });
    let key = spec_key();
    let err = rdfc::add_proof(&doc, key.secret.as_ed25519().unwrap(), &spec_options()).unwrap_err();
    assert!(
        matches!(
            err,
            rdfc::AddProofError::Transform(rdfc::RdfcError::Canon(
                canon::CanonError::DeepIterations { limit: 4 }
            ))
        ),
        "{err}"
    );
    // Verification is not that strict: the same document canonicalizes
    // (and would verify if someone else signed it).
    let canonical = rdfc::canonicalize(&doc).unwrap();
    assert_eq!(canonical.lines().count(), 11);
}

#[test]
fn proof_chains_across_suites() {
    let unsigned = json::parse(&read(&format!("{DIR}/unsigned.json"))).unwrap();
    let key = spec_key();
    let mut first = spec_options();
    first.id = Some("urn:uuid:proof-1".into());
    let one = rdfc::add_proof(&unsigned, key.secret.as_ed25519().unwrap(), &first).unwrap();
    let mut second = spec_options();
    second.id = Some("urn:uuid:proof-2".into());
    second.previous_proof = Some("urn:uuid:proof-1".into());
    let two = rdfc::add_proof(&one, key.secret.as_ed25519().unwrap(), &second).unwrap();
    let out = proof::verify_proofs(&two, &DidKeyResolver);
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    // Changing the first proof breaks both: the second covers it.
    let mut t = two.clone();
    t["proof"][0]["created"] = "2020-01-01T00:00:00Z".into();
    let out = proof::verify_proofs(&t, &DidKeyResolver);
    assert_eq!(out[0].result, Err(ProofFailure::SignatureInvalid));
    assert_eq!(out[1].result, Err(ProofFailure::SignatureInvalid));
}

/// The W3C RDFC-1.0 test suite: every entry of the manifest.
#[test]
fn rdfc_1_0_test_suite() {
    let manifest: Value =
        serde_json::from_slice(&read(&format!("{SUITE}/manifest.jsonld"))).unwrap();
    let (mut eval, mut map, mut negative) = (0, 0, 0);
    for entry in manifest["entries"].as_array().unwrap() {
        let id = entry["id"].as_str().unwrap();
        let kind = entry["type"].as_str().unwrap();
        let input = text(&format!("{SUITE}/{}", entry["action"].as_str().unwrap()));
        let quads = nquads::parse(&input).unwrap_or_else(|e| panic!("{id}: {e}"));
        let options = canon::Options {
            hash: match entry.get("hashAlgorithm").and_then(Value::as_str) {
                None | Some("SHA256") => canon::HashAlgorithm::Sha256,
                Some("SHA384") => canon::HashAlgorithm::Sha384,
                Some(other) => panic!("{id}: hash {other}"),
            },
            ..canon::Options::default()
        };
        let result = canon::canonicalize(&quads, &options);
        match kind {
            "rdfc:RDFC10EvalTest" => {
                let expected = text(&format!("{SUITE}/{}", entry["result"].as_str().unwrap()));
                let got = result.unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(got.nquads, expected, "{id}");
                eval += 1;
            }
            "rdfc:RDFC10MapTest" => {
                let expected: Value = serde_json::from_slice(&read(&format!(
                    "{SUITE}/{}",
                    entry["result"].as_str().unwrap()
                )))
                .unwrap();
                let got = result.unwrap_or_else(|e| panic!("{id}: {e}"));
                let got: serde_json::Map<String, Value> = got
                    .issued
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                assert_eq!(Value::Object(got), expected, "{id}");
                map += 1;
            }
            "rdfc:RDFC10NegativeEvalTest" => {
                assert!(
                    matches!(result, Err(canon::CanonError::WorkLimit { .. })),
                    "{id}: {result:?}"
                );
                negative += 1;
            }
            other => panic!("{id}: unknown test type {other}"),
        }
    }
    assert_eq!((eval, map, negative), (64, 21, 1));
}

const ED2020: &str = "tests/vectors/ed25519-signature-2020/w3c";

/// The vc-di-eddsa `Ed25519Signature2020` vector: every intermediate byte for
/// byte (the suite hashes as eddsa-rdfc-2022 does, over the proof options
/// with the document's `@context`), the signature, and the signed document
/// verifying through the generic entry point, and failing once changed.
#[test]
fn ed25519_signature_2020_example_matches_the_specification() {
    let v = |name: &str| text(&format!("{ED2020}/{name}"));
    let signed = json::parse(v("signedEdSig.json").as_bytes()).unwrap();
    let mut unsigned = signed.clone();
    unsigned.as_object_mut().unwrap().remove("proof");

    let canon_doc = rdfc::canonicalize(&unsigned).unwrap();
    assert_eq!(canon_doc, v("canonDocEdSig.txt"));
    assert_eq!(
        hex(&Sha256::digest(canon_doc.as_bytes())),
        v("docHashEdSig.txt")
    );
    let config = json::parse(v("proofConfigEdSig.json").as_bytes()).unwrap();
    // The configuration is the signed proof without proofValue, plus the document's @context.
    let mut from_proof = signed["proof"].clone();
    from_proof.as_object_mut().unwrap().remove("proofValue");
    from_proof["@context"] = signed["@context"].clone();
    assert_eq!(from_proof, config);
    let canon_config = rdfc::canonicalize(&config).unwrap();
    assert_eq!(canon_config, v("proofCanonEdSig.txt"));
    assert_eq!(
        hex(&Sha256::digest(canon_config.as_bytes())),
        v("proofHashEdSig.txt")
    );
    let hash = rdfc::hash_data(&config, &unsigned).unwrap();
    assert_eq!(hex(&hash), v("combinedHashEdSig.txt"));
    let sig = spec_key().secret.as_ed25519().unwrap().sign(&hash);
    assert_eq!(hex(&sig.to_bytes()), v("sigHexEdSig.txt"));
    assert_eq!(
        multibase::encode_base58btc(&sig.to_bytes()),
        v("sigBTC58EdSig.txt")
    );
    assert_eq!(
        signed["proof"]["proofValue"].as_str().unwrap(),
        v("sigBTC58EdSig.txt")
    );

    let out = proof::verify_proofs(&signed, &DidKeyResolver);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].result,
        Ok("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".into())
    );
    let mut t = signed.clone();
    t["credentialSubject"]["alumniOf"] = "Another School".into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
    let mut t = signed.clone();
    t["proof"]["created"] = "2023-02-24T23:36:39Z".into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
}

const CHAINS: &str = "tests/vectors/proof-set-chain";

/// The vc-di-eddsa proof sets and proof chains (four keys, `previousProof`
/// as one id and as a list): every proof verifies on its own, and a change
/// to a proof that a later one chains to breaks exactly the proofs that
/// cover it.
#[test]
fn proof_set_and_chain_vectors_verify() {
    let keys: Value =
        serde_json::from_slice(&read(&format!("{CHAINS}/multiKeyPairs.json"))).unwrap();
    let did = |n: usize| {
        let mb = keys[format!("keyPair{n}")]["publicKeyMultibase"]
            .as_str()
            .unwrap();
        format!("did:key:{mb}")
    };
    for (file, signers) in [
        ("signedProofSet1.json", vec![1]),
        ("signedProofSet2.json", vec![1, 2]),
        ("signedProofChain1.json", vec![1, 2, 3]),
        ("signedProofChain2.json", vec![1, 2, 3, 4]),
    ] {
        let doc = json::parse(&read(&format!("{CHAINS}/{file}"))).unwrap();
        let out = proof::verify_proofs(&doc, &DidKeyResolver);
        let got: Vec<_> = out.iter().map(|o| o.result.clone()).collect();
        let want: Vec<_> = signers.iter().map(|&n| Ok(did(n))).collect();
        assert_eq!(got, want, "{file}");
    }

    // signedProofChain2: proof 2 (index 2) chains to proofs 0 and 1, proof 3 to proof 2.
    let chain = json::parse(&read(&format!("{CHAINS}/signedProofChain2.json"))).unwrap();
    let ok = |out: &[proof::ProofOutcome]| out.iter().map(|o| o.result.is_ok()).collect::<Vec<_>>();
    let mut t = chain.clone();
    t["proof"][1]["created"] = "2020-01-01T00:00:00Z".into();
    // Proof 1 itself and proof 2 (which covers it) fail; proof 3 covers proof 2 only.
    assert_eq!(
        ok(&proof::verify_proofs(&t, &DidKeyResolver)),
        [true, false, false, true]
    );
    let mut t = chain.clone();
    t["proof"][3]["previousProof"] = "urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544".into();
    assert_eq!(
        ok(&proof::verify_proofs(&t, &DidKeyResolver)),
        [true, true, true, false]
    );
    // A chained-to proof removed: the proofs naming it cannot be verified.
    let mut t = chain.clone();
    t["proof"].as_array_mut().unwrap().remove(0);
    let out = proof::verify_proofs(&t, &DidKeyResolver);
    assert_eq!(ok(&out), [true, false, true]);
    assert!(
        format!("{:?}", out[1].result).contains("26329423"),
        "{:?}",
        out[1].result
    );
}
