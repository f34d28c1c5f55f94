//! `microcred-verify` as a process: exit status, human and JSON reports, for
//! each check passing and failing.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use microcred_core::Value;
use microcred_core::status_list::StatusPurpose;
use predicates::prelude::*;
use serde_json::json;

use super::fixtures::*;
use crate::common::bin;

/// A temporary directory to write fixtures into.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, v: &Value) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

/// `microcred-verify --at AT` with colour off.
fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c.env("NO_COLOR", "1").args(["--at", AT]);
    c
}

fn run_json(cmd: &mut Command, code: i32) -> Vec<Value> {
    let out = cmd
        .arg("--json")
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn outcome_of(report: &Value, id: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["outcome"].as_str().unwrap().to_owned())
        .collect()
}

fn arg(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

#[test]
fn valid_credential_exit_0_human_and_json() {
    let d = Dir::new();
    let f = d.write("cred.json", &credential());
    verify()
        .arg(&f)
        .assert()
        .code(0)
        .stdout(
            // Genuine, but no trust list: not "valid", and exit 0 all the same.
            predicate::str::starts_with(format!(
                "{}: GENUINE BUT UNCONFIRMED credential",
                f.display()
            ))
            .and(predicate::str::contains("  ! ISSUER NOT CONFIRMED"))
            .and(predicate::str::contains("✓ proof"))
            .and(predicate::str::contains("- status          not checked"))
            .and(predicate::str::contains("- trust"))
            // Not a terminal: no escape codes.
            .and(predicate::str::contains("\x1b[").not()),
        )
        .stderr(predicate::str::is_empty());
    let lines = run_json(verify().arg(&f), 0);
    assert_eq!(lines.len(), 1);
    let r = &lines[0];
    assert_eq!(r["file"], f.display().to_string());
    assert_eq!(r["reportVersion"], 2);
    assert_eq!(r["kind"], "credential");
    assert_eq!(r["valid"], true);
    assert_eq!(r["verdict"], "unconfirmed");
    assert_eq!(r["reasons"][0]["code"], "trust-not-checked");
    assert_eq!(r["summary"]["ects"], 5.0);
    assert_eq!(outcome_of(r, "status"), ["skipped"]);
    assert_eq!(outcome_of(r, "trust"), ["skipped"]);
}

#[test]
fn tampered_wrong_key_expired_not_yet_valid_future_proof_exit_1() {
    let d = Dir::new();
    let mut tampered = credential();
    tampered["credentialSubject"]["creditsEarned"] = 50.into();
    let wrong_key = sign(&unsigned(&did(&issuer()), &did(&learner()), 1), &stranger());
    let future = sign_as(
        &unsigned(&did(&issuer()), &did(&learner()), 1),
        &issuer(),
        &issuer().did_key().verification_method(),
        microcred_core::proof::ProofPurpose::AssertionMethod,
        |o| o.created = Some("2026-02-01T00:00:00Z".into()),
    );
    let cases = [
        (
            "tampered.json",
            tampered,
            "proof",
            "signature does not verify",
        ),
        (
            "wrong-key.json",
            wrong_key,
            "issuer-key",
            "not by the issuer",
        ),
        (
            "future.json",
            future,
            "proof-validity",
            "after the time of verification",
        ),
    ];
    for (name, doc, id, text) in cases {
        let f = d.write(name, &doc);
        verify().arg(&f).assert().code(1).stdout(
            predicate::str::contains(format!("✗ {id}")).and(predicate::str::contains(text)),
        );
    }
    // The same credential, verified at other times.
    let f = d.write("cred.json", &credential());
    let mut at = Command::new(bin("microcred-verify"));
    at.env("XDG_CONFIG_HOME", crate::common::no_config());
    at.args(["--at", "2031-01-01T00:00:00Z"]).arg(&f);
    at.assert()
        .code(1)
        .stdout(predicate::str::contains("expired"));
    let mut at = Command::new(bin("microcred-verify"));
    at.env("XDG_CONFIG_HOME", crate::common::no_config());
    at.args(["--at", "2025-02-01T00:00:00Z"]).arg(&f);
    at.assert()
        .code(1)
        .stdout(predicate::str::contains("not yet valid"));
}

#[test]
fn status_lists_revoked_suspended_beyond_and_foreign() {
    let d = Dir::new();
    let cred = d.write(
        "cred.json",
        &sign(
            &with_status(unsigned(&did(&issuer()), &did(&learner()), 1), 7),
            &issuer(),
        ),
    );
    let revocation_clear = d.write("rev.json", &status_list(StatusPurpose::Revocation, &[]));
    let suspension_clear = d.write("sus.json", &status_list(StatusPurpose::Suspension, &[]));
    let revoked = d.write("rev-7.json", &status_list(StatusPurpose::Revocation, &[7]));
    let suspended = d.write("sus-7.json", &status_list(StatusPurpose::Suspension, &[7]));
    let foreign = d.write(
        "foreign.json",
        &status_list_by(
            &stranger(),
            &did(&stranger()),
            StatusPurpose::Revocation,
            &[],
            None,
        ),
    );

    let lines = run_json(
        verify()
            .arg("--status-list")
            .arg(&revocation_clear)
            .arg("--status-list")
            .arg(&suspension_clear)
            .arg(&cred),
        0,
    );
    assert_eq!(outcome_of(&lines[0], "status"), ["pass", "pass"]);

    verify()
        .arg("--status-list")
        .arg(&revoked)
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✗ status          revoked"));
    verify()
        .arg("--status-list")
        .arg(&revocation_clear)
        .arg("--status-list")
        .arg(&suspended)
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("suspended"));
    verify()
        .arg("--status-list")
        .arg(&foreign)
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not by the credential's issuer"));

    let beyond = d.write(
        "beyond.json",
        &sign(
            &with_status(unsigned(&did(&issuer()), &did(&learner()), 1), 200_000),
            &issuer(),
        ),
    );
    verify()
        .arg("--status-list")
        .arg(&revocation_clear)
        .arg(&beyond)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("beyond the list"));

    // Not a status list: a usage error.
    verify()
        .arg("--status-list")
        .arg(&cred)
        .arg(&cred)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("BitstringStatusListCredential"));
}

#[test]
fn trust_list_trusted_untrusted_and_did_web() {
    let d = Dir::new();
    let trust = d.write("trust.json", &trust_list_json(true));
    let cred = d.write("cred.json", &credential());
    let web = d.write("web.json", &web_credential());
    let stranger_cred = d.write(
        "stranger.json",
        &sign(
            &unsigned(&did(&stranger()), &did(&learner()), 1),
            &stranger(),
        ),
    );
    verify()
        .arg("--trust")
        .arg(&trust)
        .arg(&cred)
        .arg(&web)
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("✓ trust           trusted issuer: University of Example")
                .and(predicate::str::contains(
                    "Member of the European MOOC Consortium",
                ))
                .and(predicate::str::contains(
                    "trusted issuer: Example Web University",
                )),
        );
    let out = verify()
        .arg("--trust")
        .arg(&trust)
        .arg(&stranger_cred)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("✓ proof"), "{out}");
    assert!(out.contains("✗ trust           untrusted issuer"), "{out}");
    // did:web without the trust list: no network, so no key: could not check, not forged.
    verify()
        .arg(&web)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("supply its DID document"));
    // A broken trust file: exit 2, naming the member.
    let mut bad = trust_list_json(true);
    bad["issuers"][1]["didDocument"]["id"] = "did:web:elsewhere.example".into();
    let bad = d.write("bad-trust.json", &bad);
    verify()
        .arg("--trust")
        .arg(&bad)
        .arg(&cred)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("issuers[1].didDocument.id"));
}

/// The example credential names the example trust list's university but is
/// signed by another key: no ✓ on the trust line, `trust` is not `pass` in
/// `--json`, and the issuer is not shown under its trusted name.
#[test]
fn forged_trusted_issuer_gets_no_trust_tick() {
    let d = Dir::new();
    let example: Value = serde_json::from_str(&crate::common::text(
        "keys-example/micro-credential.unsigned.json",
    ))
    .unwrap();
    let forged = d.write("forged.json", &sign(&example, &stranger()));
    let trust = crate::common::repo("keys-example/trust-list.json");
    let out = verify()
        .arg("--trust")
        .arg(&trust)
        .arg(&forged)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("INVALID credential"), "{out}");
    assert!(out.contains("✗ issuer-key"), "{out}");
    assert!(out.contains("✗ trust           not established"), "{out}");
    assert!(!out.contains("✓ trust"), "{out}");
    assert!(!out.contains("✓ accreditation"), "{out}");
    assert!(!out.contains("(on the trust list)"), "{out}");
    let lines = run_json(verify().arg("--trust").arg(&trust).arg(&forged), 1);
    assert_eq!(outcome_of(&lines[0], "trust"), ["fail"]);
    assert_eq!(outcome_of(&lines[0], "issuer-key"), ["fail"]);
    assert!(
        lines[0]["summary"].get("trustedName").is_none(),
        "{}",
        lines[0]
    );
}

#[test]
fn profiles_requested_pass_fail_and_user_files() {
    let d = Dir::new();
    let cred = d.write("cred.json", &credential());
    let mut short = unsigned(&did(&issuer()), &did(&learner()), 1);
    short["credentialSubject"]["achievement"]["microCredential"]["workload"] =
        json!({"hours": 60, "creditPoints": [{"framework": "ECTS", "points": 2}]});
    let short = d.write("short.json", &sign(&short, &issuer()));
    verify()
        .args(["--profile", "emc-cmf"])
        .arg(&short)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("✗ profile-rule")
                .and(predicate::str::contains("EMC-01"))
                .and(predicate::str::contains("found 60")),
        );
    // Every built-in profile: one credential that complies, one that does not.
    let nzqa: Value = serde_json::from_str(&crate::common::text(
        "tests/profiles/nzqa-micro-credential.unsigned.json",
    ))
    .unwrap();
    let nzqa = {
        let mut u = nzqa;
        u["issuer"]["id"] = did(&issuer()).into();
        u["credentialSubject"]["id"] = did(&learner()).into();
        d.write("nzqa.json", &sign(&u, &issuer()))
    };
    let mut bad = unsigned(&did(&issuer()), &did(&learner()), 1);
    let mc = &mut bad["credentialSubject"]["achievement"]["microCredential"];
    mc["workload"] = json!({"hours": 20, "creditPoints": [
        {"framework": "ECTS", "points": 0.5}, {"framework": "NZQCF", "points": 2}]});
    mc["level"] = json!({"eqfLevel": 3, "nqf": {"framework": "NZQCF", "level": "11"}});
    mc.as_object_mut().unwrap().remove("learningOutcomes");
    bad["issuer"].as_object_mut().unwrap().remove("name");
    let bad = d.write("bad.json", &sign(&bad, &issuer()));
    let names = microcred_verifier::profile::Profile::builtin_names();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let good = if *name == "nzqa" { &nzqa } else { &cred };
        verify()
            .args(["--profile", name])
            .arg(good)
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!(
                "✓ profile         complies with {name} "
            )));
        verify()
            .args(["--profile", name])
            .arg(&bad)
            .assert()
            .code(1)
            .stdout(
                predicate::str::contains(format!("✗ profile         does not comply with {name} "))
                    .and(predicate::str::contains("✗ profile-rule")),
            );
    }
    // A user's own profile file.
    let own = d.write(
        "own-profile.json",
        &json!({
            "id": "acme-min-eqf7",
            "title": "Acme: EQF 7 at least",
            "source": "Acme hiring policy 2026",
            "rules": [{
                "id": "ACME-01", "description": "EQF level 7 or above", "severity": "error",
                "source": "Acme hiring policy 2026 §2", "expected": "eqfLevel ≥ 7",
                "path": "credentialSubject.achievement.microCredential.level.eqfLevel",
                "check": {"range": {"path": "credentialSubject.achievement.microCredential.level.eqfLevel", "min": 7}}
            }]
        }),
    );
    let lines = run_json(verify().arg("--profile").arg(&own).arg(&cred), 0);
    let rule = lines[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "ACME-01")
        .unwrap()
        .clone();
    assert_eq!(rule["outcome"], "pass");
    assert_eq!(rule["value"], 7);
    assert_eq!(rule["profile"], "acme-min-eqf7");
    verify()
        .args(["--profile", "no-such-profile"])
        .arg(&cred)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("emc-cmf"));
    Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--list-profiles")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("emc-cmf\t"));
}

#[test]
fn presentations_challenge_domain_and_holder() {
    let d = Dir::new();
    let vp = d.write(
        "vp.json",
        &presentation(
            &[credential()],
            &learner(),
            Some("n-0S6"),
            Some("acme.example"),
        ),
    );
    verify()
        .args(["--request", "n-0S6", "--domain", "acme.example"])
        .arg(&vp)
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("GENUINE BUT UNCONFIRMED presentation of 1 credential(s)")
                .and(predicate::str::contains(
                    "! credential 1: ISSUER NOT CONFIRMED",
                ))
                .and(predicate::str::contains("✓ holder-binding"))
                .and(predicate::str::contains(
                    "credential 1: GENUINE BUT UNCONFIRMED credential",
                )),
        );
    verify()
        .args(["--challenge", "other"])
        .arg(&vp)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✗ challenge"));
    verify()
        .args(["--domain", "evil.example"])
        .arg(&vp)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✗ domain"));
    let lines = run_json(verify().args(["--challenge", "n-0S6"]).arg(&vp), 0);
    assert_eq!(lines[0]["kind"], "presentation");
    assert_eq!(lines[0]["credentials"][0]["kind"], "credential");
    assert_eq!(lines[0]["credentials"][0]["valid"], true);

    let stolen = d.write(
        "stolen.json",
        &presentation(&[credential()], &stranger(), None, None),
    );
    // Holder binding decides only when asked for: --holder-binding, or --request.
    verify()
        .arg(&stolen)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "holder-binding  credential 1: not asked for",
        ));
    for asked in [&["--holder-binding"][..], &["--request", "n-0S6"]] {
        verify()
            .args(asked)
            .arg(&stolen)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("is not the holder"));
    }
}

#[test]
fn qualification_met_not_met_and_needs_trust() {
    let d = Dir::new();
    let trust = d.write("trust.json", &trust_list_json(true));
    let q = d.write("q.json", &qualification_json(30.0, "any-trusted".into()));
    let creds = credentials(6);
    let files: Vec<PathBuf> = creds
        .iter()
        .enumerate()
        .map(|(i, c)| d.write(&format!("c{i}.json"), c))
        .collect();
    verify()
        .arg("--trust")
        .arg(&trust)
        .arg("--qualification")
        .arg(&q)
        .args(&files)
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("Postgraduate Certificate in Data Science”: MET")
                .and(predicate::str::contains("met: 30 of 30 ECTS")),
        );
    // Five of six, one of them twice.
    let lines = run_json(
        verify()
            .arg("--trust")
            .arg(&trust)
            .arg("--qualification")
            .arg(&q)
            .args(&files[..5])
            .arg(&files[0]),
        1,
    );
    assert_eq!(lines.len(), 7);
    let last = lines.last().unwrap();
    assert_eq!(last["kind"], "qualification");
    assert_eq!(last["met"], false);
    assert_eq!(last["totalEcts"], 25.0);
    assert_eq!(last["missingEcts"], 5.0);
    // Every file itself was valid: the exit status 1 is the qualification's.
    assert!(lines[..6].iter().all(|l| l["valid"] == true));

    // "any-trusted" without --trust: bad arguments.
    verify()
        .arg("--qualification")
        .arg(&q)
        .args(&files)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--trust"));
    let mut bad = qualification_json(30.0, "any".into());
    bad["maximumAge"] = "five years".into();
    let bad = d.write("bad-q.json", &bad);
    verify()
        .arg("--qualification")
        .arg(&bad)
        .args(&files)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("maximumAge"));
}

#[test]
fn many_files_keep_argument_order_and_unreadable_is_exit_2() {
    let d = Dir::new();
    let mut files = Vec::new();
    for (i, c) in credentials(8).into_iter().enumerate() {
        let mut c = c;
        if i % 3 == 1 {
            c["name"] = "tampered".into();
        }
        files.push(d.write(&format!("f{i}.json"), &c));
    }
    let lines = run_json(verify().args(&files), 1);
    let names: Vec<String> = lines
        .iter()
        .map(|l| l["file"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(names, expected);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["valid"], i % 3 != 1, "{i}");
    }

    // Unreadable and unparsable files: exit 2, a JSON error line in its place.
    std::fs::write(d.path("dup.json"), br#"{"a":1,"a":2}"#).unwrap();
    let lines = run_json(
        verify()
            .arg(&files[0])
            .arg(d.path("missing.json"))
            .arg(d.path("dup.json")),
        2,
    );
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["kind"], "error");
    assert!(lines[1]["error"].as_str().unwrap().contains("cannot read"));
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("duplicate member")
    );

    // Too large: refused before reading.
    let big = d.path("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(9 * 1024 * 1024).unwrap();
    verify()
        .arg(arg(&big))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than the limit"));
    // Bad arguments.
    verify().assert().code(2);
    Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .args(["--at", "yesterday"])
        .arg(&files[0])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--at"));
}

/// A directory argument: its `*.json` files in name order, signatures checked in
/// batches across two chunks; a tampered file is pinned down among valid ones, and
/// batch, one-by-one and thread counts give the same reports.
#[test]
fn directory_is_verified_in_batches_with_the_same_verdicts_as_one_by_one() {
    let d = Dir::new();
    let bad = [3usize, 200, 299];
    let creds = credentials(300);
    for (i, c) in creds.iter().enumerate() {
        let mut c = c.clone();
        if bad.contains(&i) {
            c["name"] = "tampered".into();
        }
        d.write(&format!("c{i:03}.json"), &c);
    }
    // A presentation among them is verified as one (its own proof and its credential's).
    let vp = presentation(&creds[..1], &learner(), Some("nonce-1"), None);
    d.write("p.json", &vp);
    std::fs::write(d.path("x-array.json"), b"[1]").unwrap();
    std::fs::write(d.path("y-dup.json"), br#"{"a":1,"a":2}"#).unwrap();
    std::fs::write(d.path("notes.txt"), b"not json, not *.json").unwrap();
    // Named *.json but not a file: reported, not skipped.
    std::fs::create_dir(d.path("sub.json")).unwrap();

    let dir = d.0.path();
    let batch = run_json(verify().arg(dir), 2);
    assert_eq!(
        batch.len(),
        304,
        "300 credentials, p.json, sub.json and the two bad files"
    );
    for (i, line) in batch[..300].iter().enumerate() {
        assert_eq!(
            line["file"],
            dir.join(format!("c{i:03}.json")).display().to_string()
        );
        assert_eq!(line["valid"], !bad.contains(&i), "{i}");
        let proof = outcome_of(line, "proof");
        let expected = if bad.contains(&i) { "fail" } else { "pass" };
        assert_eq!(proof, [expected], "{i}");
    }
    assert_eq!(batch[300]["kind"], "presentation");
    assert_eq!(batch[300]["valid"], true, "{}", batch[300]);
    assert!(
        batch[301]["error"]
            .as_str()
            .unwrap()
            .contains("sub.json: not a regular file but a directory")
    );
    assert!(
        batch[302]["error"]
            .as_str()
            .unwrap()
            .contains("not a JSON object")
    );
    assert!(
        batch[303]["error"]
            .as_str()
            .unwrap()
            .contains("duplicate member")
    );

    for flags in [
        &["--no-batch", "--jobs", "1"][..],
        &["--jobs", "2"],
        &["--jobs", "1"],
    ] {
        let other = run_json(verify().args(flags).arg(dir), 2);
        assert_eq!(other, batch, "{flags:?}");
    }
    // Files and directories can be mixed; an empty directory is a usage error.
    let lines = run_json(verify().arg(d.path("c003.json")).arg(dir), 2);
    assert_eq!(lines.len(), 305);
    assert_eq!(lines[0], batch[3]);
    let empty = tempfile::tempdir().unwrap();
    verify()
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.json files"));
    verify().args(["--jobs", "0"]).arg(dir).assert().code(2);
}
