//! The signer's VC-JWT output with a ledger, run as processes: `issue --format
//! jwt --ledger` and `batch --format jwt` (files, JSON Lines, resume), each
//! token read back by `microcred-verify`, and revocation by id reaching the
//! status entry inside the token's credential.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

use crate::batch::{BASE, Setup, ledger_records};
use crate::common::{bin, hex};
use microcred_signer::ledger::State;
use sha2::{Digest as _, Sha256};

fn sign() -> Command {
    Command::new(bin("microcred-sign"))
}

/// The credential inside a VC-JWT file (its `vc` claim), read by the verifier's library.
fn credential_of(token_file: &Path) -> Value {
    let bytes = std::fs::read(token_file).unwrap();
    microcred_verifier::jwt::credential(bytes.trim_ascii()).unwrap()
}

/// The revocation list of `ledger`, signed into `s`'s directory.
fn revocation_list(s: &Setup, ledger: &Path) -> std::path::PathBuf {
    let out = s.path("revocation.json");
    sign()
        .args(["status-list", "--force", "--purpose", "revocation", "--key"])
        .arg(&s.key)
        .arg("--ledger")
        .arg(ledger)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

/// `microcred-verify --json` on `file` with the revocation list: the exit code
/// and the status check's first line.
fn verify_status(list: &Path, file: &Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--json")
        .arg("--status-list")
        .arg(list)
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let report: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let status = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "status")
        .map(|c| format!("{} {}", c["outcome"].as_str().unwrap(), c["message"]))
        .unwrap_or_else(|| panic!("no status check: {report}"));
    (out.status.code(), status)
}

#[test]
fn issue_jwt_with_a_ledger_records_the_token_and_revocation_reaches_it() {
    let s = Setup::new();
    let ledger = s.ledger();
    let unsigned = s.write(
        "c.json",
        &serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "name": "Applied Statistics",
            "credentialSubject": {"id": "did:example:learner-1"},
        })
        .to_string(),
    );
    let out = s.path("c.jwt");
    sign()
        .args(["issue", "--format", "jwt", "--key"])
        .arg(&s.key)
        .arg("--ledger")
        .arg(&ledger)
        .arg("--out")
        .arg(&out)
        .arg(&unsigned)
        .assert()
        .success();
    let vc = credential_of(&out);
    let records = ledger_records(&ledger);
    assert_eq!(records.len(), 1);
    let rec = &records[0];
    assert_eq!(rec.state, State::Issued);
    assert_eq!(vc["id"], rec.credential_id.as_str());
    assert_eq!(
        rec.file_sha256.as_deref(),
        Some(hex(&Sha256::digest(std::fs::read(&out).unwrap())).as_str())
    );
    assert_eq!(
        vc["credentialStatus"][0]["statusListCredential"],
        format!("{BASE}/revocation")
    );
    assert_eq!(
        vc["credentialStatus"][0]["statusListIndex"],
        rec.status_index.to_string()
    );

    let list = revocation_list(&s, &ledger);
    let (code, status) = verify_status(&list, &out);
    assert_eq!(code, Some(0), "{status}");
    assert!(
        status.starts_with("pass ") && status.contains("not revoked"),
        "{status}"
    );
    sign()
        .args(["revoke", "--reason", "error", "--ledger"])
        .arg(&ledger)
        .arg(&rec.credential_id)
        .assert()
        .success();
    let list = revocation_list(&s, &ledger);
    let (code, status) = verify_status(&list, &out);
    assert_eq!(code, Some(1), "{status}");
    assert!(
        status.starts_with("fail ") && status.contains("revoked"),
        "{status}"
    );
    // The same credential again: the ledger refuses its id.
    let again = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": rec.credential_id, "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:learner-1"},
    });
    sign()
        .args(["issue", "--format", "jwt", "--key"])
        .arg(&s.key)
        .arg("--ledger")
        .arg(&ledger)
        .arg(s.write("again.json", &again.to_string()))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already in the ledger"));
}
