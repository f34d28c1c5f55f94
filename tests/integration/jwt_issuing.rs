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
    // `--credential-format`, batch's name, is `issue --format` too.
    sign()
        .args(["issue", "--credential-format", "jwt", "--key"])
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

/// The `.jwt` files of `dir`, in name order.
fn jwt_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jwt"))
        .collect();
    v.sort();
    v
}

/// `microcred-verify --json` on `args`: the exit code and each report's verdict and format.
fn verdicts(args: &[&Path]) -> (Option<i32>, Vec<(String, String)>) {
    let out = std::process::Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let v = text
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            let r = if r["report"].is_object() {
                &r["report"]
            } else {
                &r
            };
            (
                r["verdict"].as_str().unwrap_or_default().to_owned(),
                r["format"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (out.status.code(), v)
}

/// A crash after the rows were recorded, before they were marked (SQL: the
/// ledger's API never moves a credential back to pending).
fn set_pending(ledger: &Path, learners: &str) {
    let db = rusqlite::Connection::open(ledger).unwrap();
    db.execute(
        &format!(
            "UPDATE credentials SET state = 'pending', file_sha256 = NULL WHERE learner_id IN ({learners})"
        ),
        [],
    )
    .unwrap();
}

#[test]
fn batch_jwt_files_verify_resume_restore_and_revoke_like_data_integrity_ones() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("l.csv", &crate::batch::learners_csv(4));
    let out = s.path("out");
    let batch = || {
        let mut c = s.batch(&template, &learners, &out);
        c.args([
            "--credential-format",
            "jwt",
            "--id-column",
            "student",
            "--json",
        ])
        .arg("--ledger")
        .arg(&ledger);
        c
    };
    batch().assert().success();
    let files = jwt_files(&out);
    assert_eq!(files.len(), 4);
    assert!(out.join("s00001.jwt").exists());
    let before: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let records = ledger_records(&ledger);
    assert_eq!(records.len(), 4);
    for (file, rec) in files.iter().zip(&records) {
        assert_eq!(rec.state, State::Issued);
        let vc = credential_of(file);
        assert_eq!(vc["id"], rec.credential_id.as_str());
        assert_eq!(
            vc["credentialStatus"][0]["statusListIndex"],
            rec.status_index.to_string()
        );
        assert_eq!(
            rec.file_sha256.as_deref(),
            Some(hex(&Sha256::digest(std::fs::read(file).unwrap())).as_str())
        );
    }
    // The directory verifies: four VC-JWTs, genuine (a did:key issuer with no trust list).
    let (code, v) = verdicts(&[&out]);
    assert_eq!(code, Some(0), "{v:?}");
    assert_eq!(v.len(), 4, "{v:?}");
    assert!(
        v.iter()
            .all(|(verdict, format)| verdict == "unconfirmed" && format == "VC-JWT (EdDSA)"),
        "{v:?}"
    );

    // Crash windows: two rows pending (one file written, one not), one issued file lost.
    set_pending(&ledger, "'s00001', 's00002'");
    std::fs::remove_file(out.join("s00002.jwt")).unwrap();
    std::fs::remove_file(out.join("s00004.jwt")).unwrap();
    let summary = batch().assert().success().get_output().stdout.clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["resumed"], 2, "{summary}");
    assert_eq!(summary["adopted"], 1, "{summary}");
    assert_eq!(summary["restored"], 1, "{summary}");
    assert_eq!(summary["already_issued"], 1, "{summary}");
    let after: Vec<Vec<u8>> = jwt_files(&out)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after, "the same tokens, byte for byte");
    assert!(
        ledger_records(&ledger)
            .iter()
            .all(|r| r.state == State::Issued)
    );
    // A token changed after issuance is reported, never overwritten.
    let mut changed = before[2].clone();
    changed.insert(0, b' ');
    std::fs::write(out.join("s00003.jwt"), &changed).unwrap();
    batch()
        .assert()
        .code(2)
        .stderr(predicates::str::contains("changed after issuance"));
    std::fs::write(out.join("s00003.jwt"), &before[2]).unwrap();

    // Revoked by id: the status entry inside the token says so.
    sign()
        .args(["revoke", "--reason", "error", "--ledger"])
        .arg(&ledger)
        .arg(&records[1].credential_id)
        .assert()
        .success();
    let list = revocation_list(&s, &ledger);
    let (code, status) = verify_status(&list, &out.join("s00002.jwt"));
    assert_eq!(code, Some(1), "{status}");
    assert!(
        status.starts_with("fail ") && status.contains("revoked"),
        "{status}"
    );
    let (code, status) = verify_status(&list, &out.join("s00001.jwt"));
    assert_eq!(code, Some(0), "{status}");

    // --suite has no place in a VC-JWT.
    s.batch(&template, &learners, &s.path("other"))
        .args(["--credential-format", "jwt", "--suite", "jcs"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--credential-format jwt"));
}

#[test]
fn batch_jwt_without_a_ledger_recognises_its_own_tokens_and_refuses_others() {
    let s = Setup::new();
    let template = s.template();
    let learners = s.write("l.csv", &crate::batch::learners_csv(2));
    let out = s.path("out");
    let batch = || {
        let mut c = s.batch(&template, &learners, &out);
        c.args([
            "--credential-format",
            "jwt",
            "--id-column",
            "student",
            "--json",
        ]);
        c
    };
    batch().assert().success();
    let summary = batch().assert().success().get_output().stdout.clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["already_issued"], 2, "{summary}");
    // A token of another key under one of the names: refused.
    let other = Setup::new();
    let other_out = other.path("out");
    other
        .batch(&template, &learners, &other_out)
        .args(["--credential-format", "jwt", "--id-column", "student"])
        .assert()
        .success();
    std::fs::copy(other_out.join("s00001.jwt"), out.join("s00001.jwt")).unwrap();
    batch().assert().code(2).stderr(predicates::str::contains(
        "not a credential signed with this key",
    ));
}

#[test]
fn batch_jwt_bundle_holds_one_json_string_per_line_verified_and_resumed() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("l.csv", &crate::batch::learners_csv(3));
    let bundle = s.path("cohort.jsonl");
    let batch = || {
        let mut c = sign();
        c.args([
            "batch",
            "--credential-format",
            "jwt",
            "--id-column",
            "student",
        ])
        .args(["--json", "--key"])
        .arg(&s.key)
        .arg("--template")
        .arg(&template)
        .arg("--learners")
        .arg(&learners)
        .arg("--out-jsonl")
        .arg(&bundle)
        .arg("--ledger")
        .arg(&ledger);
        c
    };
    batch().assert().success();
    let issued = std::fs::read(&bundle).unwrap();
    let text = String::from_utf8(issued.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    for (line, rec) in lines.iter().zip(ledger_records(&ledger)) {
        let token: Value = serde_json::from_str(line).unwrap();
        let token = token.as_str().expect("each line is a JSON string");
        assert!(token.starts_with("eyJ") && token.split('.').count() == 3);
        let vc = microcred_verifier::jwt::credential(token.as_bytes()).unwrap();
        assert_eq!(vc["id"], rec.credential_id.as_str());
        assert_eq!(rec.file_sha256, Some(hex(&Sha256::digest(line.as_bytes()))));
    }
    let (code, v) = verdicts(&[&bundle]);
    assert_eq!(code, Some(0), "{v:?}");
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(
        v.iter()
            .all(|(verdict, format)| verdict == "unconfirmed" && format == "VC-JWT (EdDSA)"),
        "{v:?}"
    );
    // Killed after the rename, before the rows were marked: adopted; lost: restored.
    set_pending(&ledger, "'s00001', 's00002', 's00003'");
    let summary: Value =
        serde_json::from_slice(&batch().assert().success().get_output().stdout).unwrap();
    assert_eq!(summary["adopted"], 3, "{summary}");
    std::fs::remove_file(&bundle).unwrap();
    let summary: Value =
        serde_json::from_slice(&batch().assert().success().get_output().stdout).unwrap();
    assert_eq!(summary["restored"], 3, "{summary}");
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
}

#[test]
fn present_carries_a_jwt_credential_file_enveloped_and_the_presentation_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (_u, university) = crate::common::private_copy("keys-example/example-university.key.json");
    let (_l, learner) = crate::common::private_copy("keys-example/example-learner.key.json");
    let token_file = dir.path().join("c.jwt");
    sign()
        .args(["issue", "--format", "jwt", "--key"])
        .arg(&university)
        .arg("--out")
        .arg(&token_file)
        .arg(crate::common::repo(
            "keys-example/micro-credential.unsigned.json",
        ))
        .assert()
        .success();
    let token = std::fs::read_to_string(&token_file).unwrap();
    let vp_file = dir.path().join("vp.json");
    sign()
        .args(["present", "--challenge", "n-1", "--key"])
        .arg(&learner)
        .arg("--out")
        .arg(&vp_file)
        .arg(&token_file)
        .assert()
        .success();
    let vp: Value = serde_json::from_slice(&std::fs::read(&vp_file).unwrap()).unwrap();
    assert_eq!(
        vp["verifiableCredential"][0],
        serde_json::json!({
            "@context": "https://www.w3.org/ns/credentials/v2",
            "id": format!("data:application/vc+jwt,{}", token.trim()),
            "type": "EnvelopedVerifiableCredential",
        })
    );
    let out = std::process::Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .args([
            "--json",
            "--holder-binding",
            "--challenge",
            "n-1",
            "--trust",
        ])
        .arg(crate::common::repo("keys-example/trust-list.json"))
        .arg(&vp_file)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(r["kind"], "presentation", "{r}");
    assert_eq!(
        r["credentials"][0]["format"]["name"], "VC-JWT (EdDSA)",
        "{r}"
    );
    assert!(
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "holder-binding" && c["outcome"] == "pass"),
        "{r}"
    );
    // A token that is not a credential is refused before the key is read.
    let bad = dir.path().join("bad.jwt");
    std::fs::write(&bad, "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln\n").unwrap();
    sign()
        .args(["present", "--key"])
        .arg(&learner)
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.jwt: cannot present"));
}

/// `microcred-verify --json` of `file` with the example trust list and `args`:
/// the exit code and the report.
fn verify_report(file: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = std::process::Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--json")
        .args(args)
        .arg("--trust")
        .arg(crate::common::repo("keys-example/trust-list.json"))
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let r: Value = serde_json::from_str(text.lines().next().unwrap_or("null")).unwrap();
    (out.status.code(), r)
}

fn outcome_of<'a>(r: &'a Value, id: &str) -> Vec<&'a str> {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["outcome"].as_str().unwrap())
        .collect()
}

#[test]
fn present_format_jwt_makes_a_vp_jwt_verified_with_the_holder_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (_u, university) = crate::common::private_copy("keys-example/example-university.key.json");
    let (_l, learner) = crate::common::private_copy("keys-example/example-learner.key.json");
    let unsigned = crate::common::repo("keys-example/micro-credential.unsigned.json");
    let jwt_cred = dir.path().join("c.jwt");
    let di_cred = dir.path().join("d.json");
    for (format, out) in [("jwt", &jwt_cred), ("di", &di_cred)] {
        let mut doc: Value = serde_json::from_slice(&std::fs::read(&unsigned).unwrap()).unwrap();
        doc["id"] = format!(
            "urn:uuid:00000000-0000-4000-8000-00000000000{}",
            format.len()
        )
        .into();
        let input = dir.path().join(format!("{format}.unsigned.json"));
        std::fs::write(&input, doc.to_string()).unwrap();
        sign()
            .args(["issue", "--format", format, "--key"])
            .arg(&university)
            .arg("--out")
            .arg(out)
            .arg(&input)
            .assert()
            .success();
    }
    let vp = dir.path().join("vp.jwt");
    sign()
        .args([
            "present",
            "--format",
            "jwt",
            "--challenge",
            "n-1",
            "--domain",
        ])
        .args(["hr.example", "--key"])
        .arg(&learner)
        .arg("--out")
        .arg(&vp)
        .arg(&jwt_cred)
        .arg(&di_cred)
        .assert()
        .success();
    let token = std::fs::read_to_string(&vp).unwrap();
    let jws = microcred_verifier::jwt::parse(token.trim().as_bytes()).unwrap();
    assert_eq!(jws.payload["nonce"], "n-1");
    assert_eq!(jws.payload["aud"], "hr.example");
    let inner = &jws.payload["vp"]["verifiableCredential"];
    assert_eq!(inner[0], std::fs::read_to_string(&jwt_cred).unwrap().trim());
    assert!(inner[1]["proof"].is_array() || inner[1]["proof"].is_object());
    assert_eq!(jws.payload["iss"], jws.payload["vp"]["holder"]);

    let asked = [
        "--challenge",
        "n-1",
        "--domain",
        "hr.example",
        "--holder-binding",
    ];
    let (code, r) = verify_report(&vp, &asked);
    assert_eq!(code, Some(0), "{r}");
    assert_eq!(r["kind"], "presentation", "{r}");
    assert_eq!(r["format"]["name"], "VP-JWT (EdDSA)", "{r}");
    assert_eq!(r["verdict"], "valid", "{r}");
    for id in [
        "proof",
        "proof-purpose",
        "holder-key",
        "challenge",
        "domain",
    ] {
        assert_eq!(outcome_of(&r, id), ["pass"], "{id}: {r}");
    }
    assert_eq!(outcome_of(&r, "holder-binding"), ["pass", "pass"], "{r}");
    assert_eq!(
        r["credentials"][0]["format"]["name"], "VC-JWT (EdDSA)",
        "{r}"
    );
    assert_eq!(r["credentials"][1]["verdict"], "valid", "{r}");

    // The --html transcript shows the presentation inside the token.
    let out = std::process::Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .args(["--html", "--challenge", "n-1", "--trust"])
        .arg(crate::common::repo("keys-example/trust-list.json"))
        .arg(&vp)
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    // Another verifier's challenge or domain: a replay, invalid.
    let (code, r) = verify_report(&vp, &["--challenge", "n-2", "--domain", "hr.example"]);
    assert_eq!(
        (code, outcome_of(&r, "challenge")),
        (Some(1), vec!["fail"]),
        "{r}"
    );
    let (code, r) = verify_report(&vp, &["--challenge", "n-1", "--domain", "other.example"]);
    assert_eq!(
        (code, outcome_of(&r, "domain")),
        (Some(1), vec!["fail"]),
        "{r}"
    );
    // A changed payload: the holder's signature fails.
    let parts: Vec<&str> = token.trim().split('.').collect();
    let mut payload = jws.payload.clone();
    payload.insert("nonce".into(), "n-2".into());
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        microcred_core::multibase::encode_base64url(&serde_json::to_vec(&payload).unwrap())[1..]
            .to_owned(),
        parts[2]
    );
    let forged_file = dir.path().join("forged.jwt");
    std::fs::write(&forged_file, &forged).unwrap();
    let (code, r) = verify_report(&forged_file, &["--challenge", "n-2"]);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(outcome_of(&r, "proof"), ["fail"], "{r}");
    // Signed by another key than the holder's (the university's, naming the learner as
    // holder): the holder-key line fails.
    let university_key = microcred_core::keys::KeyFile::from_json(
        &std::fs::read(crate::common::repo(
            "keys-example/example-university.key.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let not_theirs = microcred_core::vc_jwt::sign_presentation(
        &jws.payload["vp"],
        &university_key.secret,
        &university_key.verification_method(),
        microcred_core::datetime::now(),
        Some("n-1"),
        None,
    )
    .unwrap();
    let file = dir.path().join("not-theirs.jwt");
    std::fs::write(&file, &not_theirs).unwrap();
    let (code, r) = verify_report(&file, &["--challenge", "n-1"]);
    assert_eq!(code, Some(1), "{r}");
    assert!(outcome_of(&r, "holder-key").contains(&"fail"), "{r}");
    // --suite has no place in a VP-JWT.
    sign()
        .args(["present", "--format", "jwt", "--suite", "jcs", "--key"])
        .arg(&learner)
        .arg(&jwt_cred)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--format jwt"));
}
