//! The binaries, run as processes.

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::{bin, private_copy, repo, text};

fn sign() -> Command {
    Command::new(bin("microcred-sign"))
}

fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c
}

#[test]
fn issue_reproduces_the_spec_vector() {
    let (_dir, key) = private_copy("tests/vectors/eddsa-jcs-2022/keyPair.json");
    let out = sign()
        // The eddsa-jcs-2022 vector: that suite alone.
        .args([
            "issue",
            "--suite",
            "jcs",
            "--created",
            "2023-02-24T23:36:38Z",
            "--key",
        ])
        .arg(&key)
        .arg(repo("tests/vectors/eddsa-jcs-2022/unsigned.json"))
        .assert()
        .success()
        // The spec's issuer is a URL unrelated to the key: said, but signed.
        .stderr(predicate::str::contains("is not the key's controller"))
        .get_output()
        .stdout
        .clone();
    let expected = text("tests/vectors/eddsa-jcs-2022/signedJCS.json");
    assert_eq!(String::from_utf8(out).unwrap(), format!("{expected}\n"));
}

#[test]
fn keygen_issue_verify_round_trip_and_tamper() {
    let dir = tempfile::tempdir().unwrap();
    let did = sign()
        .args(["keygen", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let did = String::from_utf8(did).unwrap().trim().to_owned();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    let key = dir.path().join("issuer.key.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // A second keygen does not overwrite the key.
    sign()
        .args(["keygen", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));

    let mut unsigned: serde_json::Value =
        serde_json::from_str(&text("keys-example/micro-credential.unsigned.json")).unwrap();
    unsigned["issuer"]["id"] = did.clone().into();
    let unsigned_path = dir.path().join("unsigned.json");
    std::fs::write(&unsigned_path, serde_json::to_vec(&unsigned).unwrap()).unwrap();
    let signed_path = dir.path().join("signed.json");
    sign()
        .args(["issue", "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&signed_path)
        .arg(&unsigned_path)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());

    verify()
        .arg(&signed_path)
        .assert()
        .code(0)
        // No trust list: genuine, but not confirmed (exit 0 all the same).
        .stdout(
            predicate::str::contains("GENUINE BUT UNCONFIRMED")
                .and(predicate::str::contains("✓ proof")),
        );
    let json_out = verify()
        .arg("--json")
        .arg(&signed_path)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&json_out).unwrap();
    assert_eq!(report["valid"], true);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "status" && c["outcome"] == "skipped")
    );

    // Tampered: exit 1.
    let tampered = std::fs::read_to_string(&signed_path)
        .unwrap()
        .replace("\"hours\": 125", "\"hours\": 150");
    let tampered_path = dir.path().join("tampered.json");
    std::fs::write(&tampered_path, tampered).unwrap();
    verify()
        .arg(&tampered_path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signature does not verify"));
    // Unreadable and unparsable: exit 2, and the first file is still reported.
    std::fs::write(dir.path().join("dup.json"), br#"{"a":1,"a":2}"#).unwrap();
    verify()
        .arg(&signed_path)
        .arg(dir.path().join("dup.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a: duplicate member"));
    verify()
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2);
    verify().assert().code(2);
}

#[test]
fn loose_key_permissions_are_refused() {
    let (_dir, key) = private_copy("keys-example/example-university.key.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        sign()
            .args(["issue", "--key"])
            .arg(&key)
            .arg(repo("keys-example/micro-credential.unsigned.json"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("chmod 600"));
    }
}

#[test]
fn secrets_never_reach_output() {
    let (_dir, key) = private_copy("keys-example/example-university.key.json");
    let secret: serde_json::Value =
        serde_json::from_str(&text("keys-example/example-university.key.json")).unwrap();
    let secret = secret["secretKeyMultibase"].as_str().unwrap().to_owned();
    let out = sign()
        .args(["issue", "--key"])
        .arg(&key)
        .arg(repo("keys-example/micro-credential.unsigned.json"))
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&secret));
}
