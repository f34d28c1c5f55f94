//! `microcred-sign present` as a process: a learner's VerifiablePresentation, its proof,
//! challenge and domain, holder binding, and refusals.

use std::path::{Path, PathBuf};

use microcred_core::proof::{self, DidKeyResolver, ProofFailure};
use serde_json::Value;

use crate::common::{private_copy, repo};
use crate::keys::{PASS, encrypted_key, example_secret, read_json, run, sign, stderr};

const UNIVERSITY: &str = "keys-example/example-university.key.json";
const LEARNER: &str = "keys-example/example-learner.key.json";
const LEARNER_DID: &str = "did:key:z6MkrHj8BAUjxD7irGyPXdk9Xc5xdhMNU6rjUv4JR11HdGK1";

/// The example micro-credential, issued to the example learner, in `dir`.
fn issued(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let (_keydir, key) = private_copy(UNIVERSITY);
    let mut doc = read_json(&repo("keys-example/micro-credential.unsigned.json"));
    edit(&mut doc);
    let unsigned = dir.join(format!("{name}.unsigned.json"));
    std::fs::write(&unsigned, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = dir.join(name);
    run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&out)
            .arg(&unsigned),
        0,
        &[],
    );
    out
}

#[test]
fn presentation_with_challenge_and_domain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (_kd, learner) = private_copy(LEARNER);
    let secret = example_secret(LEARNER);
    let a = issued(dir.path(), "a.json", |_| {});
    let b = issued(dir.path(), "b.json", |d| {
        d["id"] = "urn:uuid:9a1d6a3e-2c5b-4a51-9a0e-3f7a1c2b9d11".into();
    });
    let vp_path = dir.path().join("vp.json");
    let out = run(
        sign([
            "present",
            "--challenge",
            "3f6c0b2e-nonce",
            "--domain",
            "hr.employer.example",
            "--key",
        ])
        .arg(&learner)
        .arg("--out")
        .arg(&vp_path)
        .arg(&a)
        .arg(&b),
        0,
        &[&secret],
    );
    // Two credentials of one course: their blank nodes are too alike for RDFC-1.0 within
    // the work limit JSON-LD verifiers apply, so the default signs with JCS alone and says
    // so (one credential gets both proofs: interop::dcc).
    let err = stderr(&out);
    assert!(
        err.contains("warning") && err.contains("signed with eddsa-jcs-2022 only"),
        "{err}"
    );
    let vp = read_json(&vp_path);
    assert_eq!(
        vp["@context"],
        serde_json::json!(["https://www.w3.org/ns/credentials/v2"])
    );
    assert_eq!(vp["type"], serde_json::json!(["VerifiablePresentation"]));
    assert!(vp["id"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(vp["holder"], LEARNER_DID);
    // The credentials are embedded as they are, in order; their own proofs still verify.
    assert_eq!(vp["verifiableCredential"][0], read_json(&a));
    assert_eq!(vp["verifiableCredential"][1], read_json(&b));
    for c in vp["verifiableCredential"].as_array().unwrap() {
        assert!(proof::verify_proofs(c, &DidKeyResolver)[0].result.is_ok());
    }
    let p = &vp["proof"];
    assert_eq!(p["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(p["proofPurpose"], "authentication");
    let outcomes = proof::verify_proofs(&vp, &DidKeyResolver);
    assert_eq!(outcomes.len(), 1);
    let o = &outcomes[0];
    assert_eq!(o.result, Ok(LEARNER_DID.to_owned()));
    assert_eq!(o.proof_purpose.as_deref(), Some("authentication"));
    assert_eq!(o.challenge.as_deref(), Some("3f6c0b2e-nonce"));
    assert_eq!(o.domain.as_deref(), Some("hr.employer.example"));

    // The challenge is signed: replaying the presentation with another one fails.
    let mut replay = vp.clone();
    replay["proof"]["challenge"] = "another-nonce".into();
    assert_eq!(
        proof::verify_proofs(&replay, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
    // So is every embedded credential.
    let mut swapped = vp.clone();
    swapped["verifiableCredential"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_eq!(
        proof::verify_proofs(&swapped, &DidKeyResolver)[0].result,
        Err(ProofFailure::SignatureInvalid)
    );
}

#[test]
fn an_encrypted_learner_key_presents_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (key, pf, did) = encrypted_key(dir.path(), "learner.key.json");
    let cred = issued(dir.path(), "c.json", |d| {
        d["credentialSubject"]["id"] = did.clone().into();
    });
    let out = run(
        sign(["present", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&pf)
            .arg(&cred),
        0,
        &[PASS],
    );
    let vp: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(vp["holder"], did.as_str());
    assert!(vp["proof"].get("challenge").is_none());
    assert_eq!(
        proof::verify_proofs(&vp, &DidKeyResolver)[0].result,
        Ok(did.clone())
    );
}

#[test]
fn present_refuses_other_subjects_unsigned_and_duplicate_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let (_kd, learner) = private_copy(LEARNER);
    let other = issued(dir.path(), "other.json", |d| {
        d["credentialSubject"]["id"] = "did:example:someone-else".into();
    });
    let out = run(sign(["present", "--key"]).arg(&learner).arg(&other), 2, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("credentialSubject.id is did:example:someone-else")
            && err.contains(LEARNER_DID)
            && err.contains("--allow-other-subject")
            && err.contains("other.json"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Allowed on request, with a warning.
    let out = run(
        sign(["present", "--allow-other-subject", "--key"])
            .arg(&learner)
            .arg(&other),
        0,
        &[],
    );
    assert!(stderr(&out).contains("warning"), "{}", stderr(&out));
    let vp: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        proof::verify_proofs(&vp, &DidKeyResolver)[0].result,
        Ok(LEARNER_DID.to_owned())
    );

    // An unsigned credential, a presentation, invalid JSON, the same credential twice.
    let good = issued(dir.path(), "good.json", |_| {});
    let dup = dir.path().join("dup.json");
    std::fs::write(&dup, br#"{"proof":{},"proof":{}}"#).unwrap();
    let vp_path = dir.path().join("vp.json");
    std::fs::write(&vp_path, &out.stdout).unwrap();
    for (inputs, says) in [
        (
            vec![repo("keys-example/micro-credential.unsigned.json")],
            "carries no proof",
        ),
        (vec![vp_path.clone()], "this is a presentation"),
        (vec![dup.clone()], "duplicate member"),
        (vec![good.clone(), good.clone()], "are the same credential"),
        (vec![dir.path().join("missing.json")], "cannot open"),
    ] {
        let out = run(
            sign(["present", "--key"]).arg(&learner).args(&inputs),
            2,
            &[],
        );
        assert!(stderr(&out).contains(says), "{inputs:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // At least one credential is required.
    let out = run(sign(["present", "--key"]).arg(&learner), 2, &[]);
    assert!(stderr(&out).contains("CRED"), "{}", stderr(&out));
}
