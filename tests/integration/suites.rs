//! `--suite jcs|rdfc|both`: proof sets that JCS and RDFC verifiers both accept,
//! and one forged proof in a set makes the credential invalid.

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::{bin, private_copy, repo};

fn issue(suite: Option<&str>, out: &std::path::Path) -> serde_json::Value {
    let (_dir, key) = private_copy("keys-example/example-university.key.json");
    let mut cmd = Command::new(bin("microcred-sign"));
    cmd.args(["issue", "--key"]).arg(&key);
    if let Some(s) = suite {
        cmd.args(["--suite", s]);
    }
    cmd.arg("--out")
        .arg(out)
        .arg(repo("keys-example/micro-credential.unsigned.json"))
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

fn suites_of(doc: &serde_json::Value) -> Vec<String> {
    match &doc["proof"] {
        serde_json::Value::Array(a) => a
            .iter()
            .map(|p| p["cryptosuite"].as_str().unwrap().to_owned())
            .collect(),
        p => vec![p["cryptosuite"].as_str().unwrap().to_owned()],
    }
}

#[test]
fn open_badges_default_to_both_suites_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("both.json");
    let doc = issue(None, &out);
    assert_eq!(suites_of(&doc), ["eddsa-jcs-2022", "eddsa-rdfc-2022"]);
    Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg(&out)
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("proof 1 of 2: eddsa-jcs-2022")
                .and(predicate::str::contains("proof 2 of 2: eddsa-rdfc-2022")),
        );
}

#[test]
fn each_suite_alone() {
    let dir = tempfile::tempdir().unwrap();
    for (suite, expected) in [("jcs", "eddsa-jcs-2022"), ("rdfc", "eddsa-rdfc-2022")] {
        let out = dir.path().join(format!("{suite}.json"));
        let doc = issue(Some(suite), &out);
        assert_eq!(suites_of(&doc), [expected]);
        Command::new(bin("microcred-verify"))
            .env("XDG_CONFIG_HOME", crate::common::no_config())
            .arg(&out)
            .assert()
            .code(0);
    }
}

#[test]
fn one_forged_proof_in_a_set_invalidates_the_credential() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("both.json");
    let mut doc = issue(Some("both"), &out);
    // Replace the RDFC proof's signature with the JCS one: well-formed, wrong.
    doc["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"].clone();
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg(&forged)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("✗ proof")
                .and(predicate::str::contains(
                    "proof 2 of 2: eddsa-rdfc-2022 signature",
                ))
                .and(predicate::str::contains("signature does not verify")),
        );
}

#[test]
fn rdfc_refuses_undefined_terms_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_kdir, key) = private_copy("keys-example/example-university.key.json");
    let mut doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo("keys-example/micro-credential.unsigned.json")).unwrap(),
    )
    .unwrap();
    doc["credentialSubject"]["favouriteColour"] = "blue".into();
    let input = dir.path().join("undefined-term.json");
    std::fs::write(&input, serde_json::to_vec(&doc).unwrap()).unwrap();
    Command::new(bin("microcred-sign"))
        .args(["issue", "--suite", "both", "--key"])
        .arg(&key)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("eddsa-rdfc-2022")
                .and(predicate::str::contains("favouriteColour"))
                .and(predicate::str::contains("--suite jcs")),
        );
}
