//! Reading the credentials that exist: contexts the user supplies (`--context`,
//! `--context-dir`, the trust list's `contexts`), VC 1.1 credentials issued and verified,
//! and Digital Bazaar's `Ed25519Signature2020` credentials verified by the binaries.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::{bin, private_copy, repo};

const ISSUER_KEY: &str = "keys-example/example-university.key.json";
const CONTEXT_URL: &str = "https://issuer.example/contexts/skills-v1.json";
const CONTEXT_DOC: &str =
    r#"{"@context": {"skillLevel": "https://issuer.example/vocab#skillLevel"}}"#;

fn write(dir: &std::path::Path, name: &str, value: &Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

/// A VC 2.0 credential using a context no one bundles.
fn with_own_context() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", CONTEXT_URL],
        "type": ["VerifiableCredential"],
        "name": "Skill badge",
        "credentialSubject": {"id": "did:example:learner", "skillLevel": "advanced"}
    })
}

fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c
}

#[test]
fn supplied_contexts_sign_and_verify_offline_and_never_replace_bundled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (_k, key) = private_copy(ISSUER_KEY);
    let ctx_file = dir.path().join("skills-v1.json");
    std::fs::write(&ctx_file, CONTEXT_DOC).unwrap();
    let arg = format!("{CONTEXT_URL}={}", ctx_file.display());
    let unsigned = write(dir.path(), "unsigned.json", &with_own_context());
    let signed = dir.path().join("signed.json");

    // Without the context, eddsa-rdfc-2022 cannot sign: the error names the URL.
    Command::new(bin("microcred-sign"))
        .args(["issue", "--suite", "rdfc", "--key"])
        .arg(&key)
        .arg(&unsigned)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(CONTEXT_URL));
    Command::new(bin("microcred-sign"))
        .args(["issue", "--suite", "rdfc", "--context", &arg, "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&signed)
        .arg(&unsigned)
        .assert()
        .success();

    // The verifier without it cannot check the proof, and says which context is missing.
    verify()
        .arg(&signed)
        .assert()
        .code(predicate::ne(0))
        .stdout(predicate::str::contains(CONTEXT_URL));
    // With it, from the command line, a mirror directory or the trust list: valid.
    verify()
        .args(["--context", &arg])
        .arg(&signed)
        .assert()
        .code(0);
    let mirror = dir.path().join("mirror");
    let sub = mirror.join("issuer.example/contexts");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("skills-v1.json"), CONTEXT_DOC).unwrap();
    verify()
        .arg("--context-dir")
        .arg(&mirror)
        .arg(&signed)
        .assert()
        .code(0);
    let signed_doc: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    let issuer = signed_doc["issuer"]
        .as_str()
        .or(signed_doc["issuer"]["id"].as_str())
        .unwrap()
        .to_owned();
    for (name, context) in [
        ("file", json!("skills-v1.json")),
        (
            "inline",
            serde_json::from_str::<Value>(CONTEXT_DOC).unwrap(),
        ),
    ] {
        let trust = write(
            dir.path(),
            &format!("trust-{name}.json"),
            &json!({
                "type": "MicrocredTrustList", "version": 1,
                "issuers": [{"id": issuer, "name": "University of Example"}],
                "contexts": {CONTEXT_URL: context}
            }),
        );
        verify()
            .arg("--trust")
            .arg(&trust)
            .arg(&signed)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("University of Example"));
    }

    // A file that would replace a bundled context is refused before anything is verified.
    let fake = dir.path().join("fake-v2.json");
    std::fs::write(
        &fake,
        r#"{"@context": {"validFrom": "https://evil.example/x"}}"#,
    )
    .unwrap();
    verify()
        .arg("--context")
        .arg(format!(
            "https://www.w3.org/ns/credentials/v2={}",
            fake.display()
        ))
        .arg(&signed)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("differs from it"));
    // So is one that is not a context document, or an argument without URL=FILE.
    let not_ctx = dir.path().join("not-a-context.json");
    std::fs::write(&not_ctx, "[1, 2]").unwrap();
    verify()
        .arg("--context")
        .arg(format!("{CONTEXT_URL}={}", not_ctx.display()))
        .arg(&signed)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a JSON-LD context document"));
    verify()
        .args(["--context", "just-a-file.json"])
        .arg(&signed)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected URL=FILE"));
}

/// A VC 1.1 Open Badges credential as conformance suites and older issuers send it.
fn vc11_unsigned() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Analysis Fundamentals",
        "expirationDate": "2030-01-15T10:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://uni.example/achievements/data-analysis",
                "type": "Achievement",
                "name": "Data Analysis Fundamentals",
                "description": "Completed the data analysis course.",
                "criteria": {"narrative": "Passed the final exam."}
            }
        }
    })
}

#[test]
fn vc11_credentials_are_issued_and_verified_with_their_own_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (_k, key) = private_copy(ISSUER_KEY);
    let unsigned = write(dir.path(), "vc11.json", &vc11_unsigned());
    let signed = dir.path().join("vc11.signed.json");
    Command::new(bin("microcred-sign"))
        .args([
            "issue",
            "--suite",
            "both",
            "--created",
            "2025-03-01T00:00:00Z",
            "--key",
        ])
        .arg(&key)
        .arg("--out")
        .arg(&signed)
        .arg(&unsigned)
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    // issuanceDate is filled (not validFrom), and the Data Integrity context is added
    // because VC 1.1's does not define DataIntegrityProof.
    assert_eq!(doc["issuanceDate"], "2025-03-01T00:00:00Z");
    assert!(doc.get("validFrom").is_none());
    assert_eq!(
        doc["@context"][2],
        "https://w3id.org/security/data-integrity/v2"
    );
    verify()
        .args(["--at", "2026-01-01T00:00:00Z"])
        .arg(&signed)
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("VC 1.1 credential")
                .and(predicate::str::contains("issued 1 March 2025")),
        );
    let out = verify()
        .args(["--json", "--at", "2026-01-01T00:00:00Z"])
        .arg(&signed)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["validFrom"], "2025-03-01T00:00:00Z");
    assert_eq!(report["summary"]["validUntil"], "2030-01-15T10:00:00Z");
    // Its own expirationDate ends it; before its issuanceDate it is not yet valid.
    verify()
        .args(["--at", "2031-01-01T00:00:00Z"])
        .arg(&signed)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("expired: expirationDate"));
    verify()
        .args(["--at", "2024-01-01T00:00:00Z"])
        .arg(&signed)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not yet valid: issuanceDate"));

    // A VC 1.1 credential without issuanceDate fails the structure check.
    let mut no_date = doc.clone();
    no_date.as_object_mut().unwrap().remove("issuanceDate");
    let file = write(dir.path(), "no-date.json", &no_date);
    verify()
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("issuanceDate is missing"));
    // And the signer refuses a VC 1.1 expirationDate before its issuanceDate.
    let mut backwards = vc11_unsigned();
    backwards["issuanceDate"] = "2031-01-01T00:00:00Z".into();
    let file = write(dir.path(), "backwards.json", &backwards);
    Command::new(bin("microcred-sign"))
        .args(["issue", "--suite", "jcs", "--key"])
        .arg(&key)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expirationDate \"2030-01-15T10:00:00Z\" is before issuanceDate",
        ));
}

#[test]
fn reference_ed25519_signature_2020_vectors_verify_in_the_binary() {
    let dir = "tests/vectors/ed25519-signature-2020";
    for file in ["vc11-open-badge.signed.json", "vc11-proof-set.signed.json"] {
        verify()
            .args(["--at", "2026-01-01T00:00:00Z"])
            .arg(repo(&format!("{dir}/{file}")))
            .assert()
            .code(0)
            .stdout(
                predicate::str::contains("Ed25519Signature2020 signature by")
                    .and(predicate::str::contains("VC 1.1 credential")),
            );
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_slice(
        &std::fs::read(repo(&format!("{dir}/vc11-proof-set.signed.json"))).unwrap(),
    )
    .unwrap();
    doc["credentialSubject"]["id"] = "did:example:someone-else".into();
    let file = write(tmp.path(), "tampered.json", &doc);
    verify()
        .args(["--at", "2026-01-01T00:00:00Z"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signature does not verify"));
}
