//! `microcred-sign issue` as a process: what it fills, the issuer rule, refusals.

use std::path::Path;
use std::process::Command;

use microcred_core::proof;
use serde_json::Value;

use crate::common::{bin, private_copy, repo};
use crate::keys::{example_secret, read_json, run, sign, stderr, stdout};

const UNIVERSITY: &str = "keys-example/example-university.key.json";
const UNIVERSITY_DID: &str = "did:key:z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7";

/// The example micro-credential with `edit` applied, written to `dir/name`.
fn unsigned_with(
    dir: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> std::path::PathBuf {
    let mut doc = read_json(&repo("keys-example/micro-credential.unsigned.json"));
    edit(doc.as_object_mut().unwrap());
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    p
}

fn verify_code(path: &Path) -> Option<i32> {
    Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg(path)
        .output()
        .unwrap()
        .status
        .code()
}

#[test]
fn issue_fills_id_valid_from_and_issuer_and_the_result_verifies() {
    let (dir, key) = private_copy(UNIVERSITY);
    let secret = example_secret(UNIVERSITY);
    let unsigned = unsigned_with(dir.path(), "u.json", |m| {
        m.shift_remove("id");
        m.shift_remove("validFrom");
        m.shift_remove("issuer");
    });
    let mut ids = Vec::new();
    for n in 0..2 {
        let out_path = dir.path().join(format!("signed{n}.json"));
        let out = run(
            sign([
                "issue",
                // This test reads the single proof; suites have their own tests.
                "--suite",
                "jcs",
                "--issuer-name",
                "University of Example",
                "--created",
                "2025-03-01T12:00:00Z",
                "--key",
            ])
            .arg(&key)
            .arg("--out")
            .arg(&out_path)
            .arg(&unsigned),
            0,
            &[&secret],
        );
        assert!(out.stdout.is_empty(), "--out: nothing on stdout");
        assert!(out.stderr.is_empty(), "{}", stderr(&out));
        let doc = read_json(&out_path);
        // urn:uuid: version 4 (RFC 9562: version nibble 4, variant 10xx).
        let id = doc["id"].as_str().unwrap().to_owned();
        let uuid = id.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid.len(), 36, "{id}");
        assert_eq!(&uuid[14..15], "4", "{id}");
        assert!("89ab".contains(&uuid[19..20]), "{id}");
        assert_eq!(doc["validFrom"], "2025-03-01T12:00:00Z");
        assert_eq!(doc["proof"]["created"], "2025-03-01T12:00:00Z");
        assert_eq!(
            doc["issuer"],
            serde_json::json!({"id": UNIVERSITY_DID, "type": ["Profile"], "name": "University of Example"})
        );
        // Members the registrar wrote are kept, in order, with the filled ones placed.
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            &keys[..6],
            ["@context", "id", "type", "name", "issuer", "validFrom"]
        );
        assert_eq!(
            proof::verify_proofs(&doc, &proof::DidKeyResolver)[0].result,
            Ok(UNIVERSITY_DID.to_owned())
        );
        assert_eq!(verify_code(&out_path), Some(0));
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1], "each issuance gets a fresh id");
}

#[test]
fn issuer_rule_object_without_id_mismatch_and_set_issuer() {
    let (dir, key) = private_copy(UNIVERSITY);
    // An issuer Profile without id: the id is filled, the rest kept.
    let no_id = unsigned_with(dir.path(), "no-id.json", |m| {
        m["issuer"].as_object_mut().unwrap().shift_remove("id");
    });
    let out = run(sign(["issue", "--key"]).arg(&key).arg(&no_id), 0, &[]);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["issuer"]["id"], UNIVERSITY_DID);
    assert_eq!(doc["issuer"]["url"], "https://uni.example.ie");
    assert_eq!(doc["issuer"]["address"]["addressCountryCode"], "IE");
    // id and validFrom present in the input: kept as written.
    assert_eq!(doc["id"], "urn:uuid:6f1d6a3e-2c5b-4a51-9a0e-3f7a1c2b9d10");
    assert_eq!(doc["validFrom"], "2025-03-01T00:00:00Z");

    // Another issuer id: signed as is with a warning; the verifier rejects the binding.
    let other = unsigned_with(dir.path(), "other.json", |m| {
        m["issuer"]["id"] = "did:example:someone-else".into();
    });
    let kept = dir.path().join("kept.json");
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&kept)
            .arg(&other),
        0,
        &[],
    );
    let err = stderr(&out);
    assert!(
        err.contains("did:example:someone-else is not the key's controller")
            && err.contains("--set-issuer"),
        "{err}"
    );
    assert_eq!(read_json(&kept)["issuer"]["id"], "did:example:someone-else");
    assert_eq!(verify_code(&kept), Some(1));

    // --set-issuer replaces it, says which id it replaced, and the result verifies.
    let replaced = dir.path().join("replaced.json");
    let out = run(
        sign(["issue", "--set-issuer", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&replaced)
            .arg(&other),
        0,
        &[],
    );
    assert!(
        stderr(&out).contains("issuer did:example:someone-else replaced"),
        "{}",
        stderr(&out)
    );
    let doc = read_json(&replaced);
    assert_eq!(doc["issuer"]["id"], UNIVERSITY_DID);
    assert_eq!(doc["issuer"]["name"], "University of Example");
    assert_eq!(verify_code(&replaced), Some(0));
}

#[test]
fn issue_refuses_what_it_should_not_sign() {
    let (dir, key) = private_copy(UNIVERSITY);
    let signed = dir.path().join("signed.json");
    run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&signed)
            .arg(repo("keys-example/micro-credential.unsigned.json")),
        0,
        &[],
    );
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (signed.clone(), "already carries a proof"),
        (
            unsigned_with(dir.path(), "ctx.json", |m| {
                // VC 1.1's base context is accepted (contexts.rs); another one is not.
                m["@context"] = serde_json::json!(["https://example.org/credentials/v1"]);
            }),
            "@context must be an array whose first entry",
        ),
        (
            unsigned_with(dir.path(), "vf.json", |m| {
                m["validFrom"] = "1 March 2025".into();
            }),
            "validFrom",
        ),
        (
            unsigned_with(dir.path(), "iss.json", |m| {
                m["issuer"] = serde_json::json!(["did:example:a"]);
            }),
            "issuer must be",
        ),
    ];
    for (input, says) in cases {
        let out = run(sign(["issue", "--key"]).arg(&key).arg(&input), 2, &[]);
        let err = stderr(&out);
        assert!(err.contains(says), "{}: {err}", input.display());
        assert!(
            err.contains(&*input.display().to_string()),
            "names the file: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    // Strict JSON: a duplicate member is named with its path.
    let dup = dir.path().join("dup.json");
    std::fs::write(&dup, br#"{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","type":"x"}"#).unwrap();
    let out = run(sign(["issue", "--key"]).arg(&key).arg(&dup), 2, &[]);
    assert!(
        stderr(&out).contains("duplicate member"),
        "{}",
        stderr(&out)
    );
    // --out does not overwrite without --force.
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&signed)
            .arg(repo("keys-example/micro-credential.unsigned.json")),
        2,
        &[],
    );
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn profile_refusal_and_override() {
    let (dir, key) = private_copy(UNIVERSITY);
    let out_path = dir.path().join("signed.json");
    // The example complies with the EMC framework: signed, no failed error rule printed.
    let out = run(
        sign(["issue", "--profile", "emc-cmf", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&out_path)
            .arg(repo("keys-example/micro-credential.unsigned.json")),
        0,
        &[],
    );
    assert!(!stderr(&out).contains("FAIL error"), "{}", stderr(&out));
    assert!(out_path.exists());

    // 90 hours is below the framework's 100: refused, the rule named with what was found
    // and what was expected; nothing written.
    let short = unsigned_with(dir.path(), "short.json", |m| {
        m["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = 90.into();
    });
    let refused = dir.path().join("refused.json");
    let out = run(
        sign(["issue", "--profile", "emc-cmf", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&refused)
            .arg(&short),
        2,
        &[],
    );
    let err = stderr(&out);
    assert!(
        err.contains("EMC-01")
            && err.contains("found 90")
            && err.contains("100 ≤ hours ≤ 150")
            && err.contains("error: the credential does not comply: emc-cmf EMC-01 (")
            && err.contains("--allow-noncompliant"),
        "{err}"
    );
    assert!(!refused.exists(), "nothing is signed");
    assert!(out.stdout.is_empty());

    // --allow-noncompliant signs, loudly, and the failures are still listed.
    let out = run(
        sign([
            "issue",
            "--profile",
            "emc-cmf",
            "--allow-noncompliant",
            "--key",
        ])
        .arg(&key)
        .arg(&short),
        0,
        &[],
    );
    let err = stderr(&out);
    assert!(
        err.contains("WARNING: signing a credential that does NOT comply (emc-cmf EMC-01 (")
            && err.contains("found 90"),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        proof::verify_proofs(&doc, &proof::DidKeyResolver)[0].result,
        Ok(UNIVERSITY_DID.to_owned())
    );

    // A profile of one's own, from a file; rules apply to the credential as filled.
    let house = dir.path().join("house.json");
    std::fs::write(
        &house,
        serde_json::to_vec(&serde_json::json!({
            "id": "uni-house",
            "title": "House rules",
            "source": "Academic council decision 2025/7",
            "rules": [{
                "id": "HOUSE-01",
                "description": "The credential has an id",
                "severity": "error",
                "source": "decision 2025/7 §1",
                "expected": "an id",
                "path": "id",
                "check": {"exists": {"path": "id"}}
            }, {
                "id": "HOUSE-02",
                "description": "At least 200 hours",
                "severity": "error",
                "source": "decision 2025/7 §2",
                "expected": "hours ≥ 200",
                "path": "hours(credentialSubject.achievement.microCredential)",
                "check": {"range": {"path": "hours(credentialSubject.achievement.microCredential)", "min": 200}}
            }]
        }))
        .unwrap(),
    )
    .unwrap();
    let no_id = unsigned_with(dir.path(), "no-id.json", |m| {
        m.shift_remove("id");
    });
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--profile")
            .arg(&house)
            .arg(&no_id),
        2,
        &[],
    );
    let err = stderr(&out);
    assert!(
        err.contains("HOUSE-02") && err.contains("found 125"),
        "{err}"
    );
    assert!(
        !err.contains("HOUSE-01"),
        "id was filled before the check: {err}"
    );

    // Unknown names and bad files are named, before the key is opened.
    let out = run(
        sign(["issue", "--profile", "no-such-framework", "--key"])
            .arg(&key)
            .arg(&short),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("no-such-framework") && stderr(&out).contains("emc-cmf"),
        "{}",
        stderr(&out)
    );
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--profile")
            .arg(&short)
            .arg(&short),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("not a usable profile file"),
        "{}",
        stderr(&out)
    );
}

/// The VC 2.0 checks of `microcred_core::issuance` run in the CLI as in the server
/// (`server::issuing_refuses_invalid_credentials_with_the_reason`): same refusals, same reasons.
#[test]
fn issue_refuses_what_the_server_refuses() {
    let (dir, key) = private_copy(UNIVERSITY);
    for (member, value, says) in [
        (
            "credentialStatus",
            serde_json::json!({"id": "https://s.example/1", "statusPurpose": "revocation"}),
            "credentialStatus[0] must have a type",
        ),
        (
            "validUntil",
            serde_json::json!("2020-01-01T00:00:00Z"),
            "before validFrom",
        ),
        (
            "relatedResource",
            serde_json::json!([{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-AAAA"}]),
            "does not match the bundled context",
        ),
        (
            "evidence",
            serde_json::json!({"id": "https://e.example"}),
            "evidence[0] must have a type",
        ),
    ] {
        let unsigned = unsigned_with(dir.path(), "bad.json", |m| {
            m.insert(member.into(), value.clone());
        });
        let out_path = dir.path().join("signed.json");
        let out = run(
            sign(["issue", "--key"])
                .arg(&key)
                .arg("--out")
                .arg(&out_path)
                .arg(&unsigned),
            2,
            &[],
        );
        let err = stderr(&out);
        assert!(
            err.contains(says) && err.contains("bad.json"),
            "{member}: {err}"
        );
        assert!(!out_path.exists(), "nothing is written");
    }
}

/// VC Data Model 2.0 rules that JSON-LD processing would enforce for an
/// `eddsa-rdfc-2022` proof are enforced before any signature, so that
/// `eddsa-jcs-2022` (which signs the JSON as it is) refuses the same
/// credentials: §4.5 types, §4.6 names and descriptions, §4.3 protected terms,
/// and the typed members (§4.10 status, §4.11 data schemas, §5.3 related
/// resources and their digests, §5.4 refreshing, §5.5 terms of use, §5.6
/// evidence). And `microcred-verify` refuses a credential signed despite them.
#[test]
fn data_model_rules_hold_for_every_suite_on_both_sides() {
    let (dir, key) = private_copy(UNIVERSITY);
    type Edit = fn(&mut serde_json::Map<String, Value>);
    let cases: [(&str, Edit, &str); 14] = [
        (
            "§4.5 type",
            |m| {
                m.insert(
                    "type".into(),
                    serde_json::json!(["VerifiableCredential", "https ://not-a-url#X"]),
                );
            },
            "is neither a term nor an absolute IRI",
        ),
        (
            "§4.6 name",
            |m| {
                m.insert("name".into(), 5.into());
            },
            "name must be a string or a language value object",
        ),
        (
            "§4.6 description",
            |m| {
                m.insert(
                    "description".into(),
                    serde_json::json!({"@value": "x", "@lang": "fr"}),
                );
            },
            "description: a language value object has only @value, @language and @direction",
        ),
        (
            "§4.6 issuer name",
            |m| {
                m.insert(
                    "issuer".into(),
                    serde_json::json!({"id": UNIVERSITY_DID, "name": ["University", 7]}),
                );
            },
            "issuer.name must be a string or a language value object",
        ),
        (
            "§4.3 protected term",
            |m| {
                m["@context"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({"name": "https://evil.example/name"}));
            },
            "redefines \"name\", a protected term of https://www.w3.org/ns/credentials/v2",
        ),
        (
            "§4.5 type",
            |m| {
                m.insert(
                    "type".into(),
                    serde_json::json!(["VerifiableCredential", " padded"]),
                );
            },
            "must be a term or an absolute IRI",
        ),
        (
            "§4.10 status",
            |m| {
                m.insert(
                    "credentialStatus".into(),
                    serde_json::json!({"id": "https://uni.example/status/1#5"}),
                );
            },
            "credentialStatus[0] must have a type",
        ),
        (
            "§4.11 data schema",
            |m| {
                m.insert(
                    "credentialSchema".into(),
                    serde_json::json!({"type": "JsonSchema"}),
                );
            },
            "credentialSchema[0].id",
        ),
        (
            "§5.3 related resource digest",
            |m| {
                m.insert(
                    "relatedResource".into(),
                    serde_json::json!([{"id": "https://www.w3.org/ns/credentials/v2"}]),
                );
            },
            "must have a digestSRI or a digestMultibase",
        ),
        (
            "§5.3 related resource multihash",
            |m| {
                m.insert(
                    "relatedResource".into(),
                    serde_json::json!([{"id": "https://www.w3.org/ns/credentials/v2", "digestMultibase": "uEiAAAA"}]),
                );
            },
            "multihash length",
        ),
        (
            "§5.3 related resource listed twice",
            |m| {
                m.insert(
                    "relatedResource".into(),
                    serde_json::json!([
                        {"id": "https://uni.example/a.json", "digestSRI": "sha384-AAAA"},
                        {"id": "https://uni.example/a.json", "digestSRI": "sha384-AAAA"}
                    ]),
                );
            },
            "is listed twice",
        ),
        (
            "§5.4 refreshing",
            |m| {
                m.insert(
                    "refreshService".into(),
                    serde_json::json!([{"id": "https://uni.example/refresh"}]),
                );
            },
            "refreshService[0] must have a type",
        ),
        (
            "§5.5 terms of use",
            |m| {
                m.insert(
                    "termsOfUse".into(),
                    serde_json::json!({"id": "https://uni.example/terms"}),
                );
            },
            "termsOfUse[0] must have a type",
        ),
        (
            "§5.6 evidence",
            |m| {
                m.insert("evidence".into(), serde_json::json!(["x"]));
            },
            "evidence[0] must be an object",
        ),
    ];
    for suite in ["jcs", "rdfc", "both"] {
        for (rule, edit, says) in cases {
            let unsigned = unsigned_with(dir.path(), "bad.json", edit);
            let out = run(
                sign(["issue", "--suite", suite, "--key"])
                    .arg(&key)
                    .arg(&unsigned),
                2,
                &[],
            );
            let err = stderr(&out);
            assert!(err.contains(says), "{suite} {rule}: {err}");
            assert!(out.stdout.is_empty());
        }
    }
    // A language value object with @language and @direction is a good name.
    let fine = unsigned_with(dir.path(), "fine.json", |m| {
        m.insert("name".into(), serde_json::json!([{"@value": "Apprentissage", "@language": "fr", "@direction": "ltr"}, "Learning"]));
    });
    run(
        sign(["issue", "--suite", "jcs", "--key"])
            .arg(&key)
            .arg(&fine),
        0,
        &[],
    );

    // The verifier: the same credentials, signed with eddsa-jcs-2022 bypassing the
    // issuer's checks, are not well formed.
    let secret =
        microcred_core::keys::KeyFile::from_json(&std::fs::read(repo(UNIVERSITY)).unwrap())
            .unwrap()
            .secret
            .into_ed25519()
            .unwrap();
    for (rule, edit, says) in cases {
        let mut doc = read_json(&repo("keys-example/micro-credential.unsigned.json"));
        doc["issuer"] = UNIVERSITY_DID.into();
        doc["validFrom"] = "2025-03-01T00:00:00Z".into();
        edit(doc.as_object_mut().unwrap());
        let options = proof::ProofOptions::new(
            secret.did_key().verification_method(),
            proof::ProofPurpose::AssertionMethod,
        );
        let signed = proof::add_proof(&doc, &secret, &options).unwrap();
        let path = dir.path().join("signed-bad.json");
        std::fs::write(&path, serde_json::to_vec(&signed).unwrap()).unwrap();
        let out = Command::new(bin("microcred-verify"))
            .env("XDG_CONFIG_HOME", crate::common::no_config())
            .args(["--no-config", "--json"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{rule}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let structure = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "structure")
            .unwrap();
        assert_eq!(structure["outcome"], "fail", "{rule}: {report}");
        assert!(
            structure["message"].as_str().unwrap().contains(says),
            "{rule}: {structure}"
        );
    }
}
