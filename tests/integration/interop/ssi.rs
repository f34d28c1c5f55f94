//! A second reference for `eddsa-rdfc-2022`: SpruceID's `ssi` (Rust, its own JSON-LD and
//! RDF canonicalization stack), driven through the small tool in `tests/ssi-check/`.
//!
//! These tests are ignored by the README's test command because `ssi` takes minutes to
//! build; `tests/ssi-check/run.sh` builds the tool and runs them (`.ci/run` does). Run
//! without the tool (`SSI_CHECK` unset or wrong), they FAIL saying how to build it: they
//! never pass without having asked `ssi`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{
    ISSUER_KEY, RDFC, cryptosuites, did_of, key, micro_credential, micro_credential_with_status,
    ours_issue_suite, ours_verify, ours_verify_json, plain_vc, proof_checks, read_json, tampered,
    write_all, write_json,
};
use crate::common::repo;

const HOW_TO_BUILD: &str = "these tests need the ssi-check tool: run `bash tests/ssi-check/run.sh` (it builds the tool and sets SSI_CHECK)";

/// The `ssi-check` binary named by `SSI_CHECK`.
fn tool() -> PathBuf {
    let path = std::env::var_os("SSI_CHECK")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("SSI_CHECK is not set: {HOW_TO_BUILD}"));
    assert!(
        path.is_file(),
        "SSI_CHECK={} is not a file: {HOW_TO_BUILD}",
        path.display()
    );
    path
}

fn contexts_dir() -> PathBuf {
    repo("crates/microcred-core/contexts")
}

/// `ssi-check verify`: each file's verdict line, in order; `true` for "verified".
fn ssi_verify(files: &[PathBuf]) -> Vec<(bool, String)> {
    let out = Command::new(tool())
        .arg(contexts_dir())
        .arg("verify")
        .args(files)
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "ssi-check failed ({code:?}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let verdicts: Vec<(bool, String)> = text
        .lines()
        .map(|line| (line.ends_with(": verified"), line.to_owned()))
        .collect();
    assert_eq!(verdicts.len(), files.len(), "{text}");
    assert_eq!(code == Some(0), verdicts.iter().all(|v| v.0), "{text}");
    verdicts
}

/// `ssi-check sign`: `unsigned` signed by `ssi` with a fresh did:key (the issuer).
fn ssi_sign(dir: &Path, name: &str, unsigned: &Value) -> Value {
    let input = write_json(dir, &format!("{name}.unsigned.json"), unsigned);
    let output = dir.join(format!("{name}.json"));
    let out = Command::new(tool())
        .arg(contexts_dir())
        .arg("sign")
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ssi-check sign {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_json(&output)
}

/// `ssi-check nquads`: ssi's canonical N-Quads of `file` without its proof.
fn ssi_nquads(file: &Path) -> String {
    let out = Command::new(tool())
        .arg(contexts_dir())
        .arg("nquads")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ssi-check nquads: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The example micro-credential without the three Open Badges constructs ssi 0.16 turns
/// into other RDF than JSON-LD 1.1 says (see [`where_ssi_departs_from_json_ld_ours_and_jsonld_js_agree`]):
/// the learner's `identifier` entries (an `IdentityObject`'s `hashed` is a JSON boolean
/// the Open Badges context types), the `allowedValue` list of the result description,
/// and credits written `5.0` (now `5`, the same number).
fn micro_credential_ssi_reads() -> Value {
    let mut c = micro_credential();
    // ssi writes a JSON number with a ".0" as an xsd:double ("5.0E0"), typed or not,
    // where JSON-LD 1.1 (and jsonld.js) read 5.0 as the integer 5: untyped, as
    // under the embedded micro-credential context, an xsd:integer "5".
    for pointer in [
        "/credentialSubject/creditsEarned",
        "/credentialSubject/achievement/creditsAvailable",
        "/credentialSubject/achievement/microCredential/workload/creditPoints/0/points",
    ] {
        let credits = c.pointer_mut(pointer).unwrap();
        assert!(credits.is_f64(), "{pointer} is no longer written 5.0");
        assert_eq!(credits.as_f64(), Some(5.0));
        *credits = 5.into();
    }
    let subject = c["credentialSubject"].as_object_mut().unwrap();
    assert!(subject.remove("identifier").is_some());
    let descriptions = c
        .pointer_mut("/credentialSubject/achievement/resultDescription")
        .and_then(Value::as_array_mut)
        .unwrap();
    let mut lists = 0;
    for d in descriptions {
        lists += usize::from(d.as_object_mut().unwrap().remove("allowedValue").is_some());
    }
    assert_eq!(lists, 1);
    c
}

#[test]
#[ignore = "needs tests/ssi-check (run tests/ssi-check/run.sh)"]
fn ssi_verifies_the_vc_di_eddsa_rdfc_vector_and_refuses_a_changed_proof_value() {
    let dir = tempfile::tempdir().unwrap();
    let vector = repo("tests/vectors/eddsa-rdfc-2022/signedDataInt.json");
    let mut bad = read_json(&vector);
    super::flip_proof_value(&mut bad);
    let bad = write_json(dir.path(), "vector-flipped.json", &bad);
    let verdicts = ssi_verify(&[vector, bad]);
    assert!(verdicts[0].0, "{}", verdicts[0].1);
    assert!(!verdicts[1].0, "{}", verdicts[1].1);
}

#[test]
#[ignore = "needs tests/ssi-check (run tests/ssi-check/run.sh)"]
fn our_rdfc_credentials_verify_in_ssi_and_tampered_copies_fail() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = did_of(&key(ISSUER_KEY));
    let mut with_status = micro_credential_ssi_reads();
    with_status["credentialStatus"] = micro_credential_with_status(7)["credentialStatus"].take();
    for (name, unsigned) in [
        ("micro-credential", micro_credential_ssi_reads()),
        ("plain-vc", plain_vc(&issuer)),
        ("with-status", with_status),
    ] {
        let file = ours_issue_suite(dir.path(), name, &unsigned, "rdfc");
        let signed = read_json(&file);
        assert_eq!(cryptosuites(&signed), [RDFC]);
        let verdict = ssi_verify(std::slice::from_ref(&file)).remove(0);
        assert!(verdict.0, "ssi refuses our {name}: {}", verdict.1);

        let bad = tampered(&signed);
        assert!(bad.len() >= 4, "{name}: {bad:?}");
        let files = write_all(dir.path(), &format!("bad-{name}"), &bad);
        // Every one, an added member too: ssi refuses a term no context defines.
        for ((how, _), (verified, line)) in bad.iter().zip(ssi_verify(&files)) {
            assert!(!verified, "{name} {how}: {line}");
        }
    }
}

#[test]
#[ignore = "needs tests/ssi-check (run tests/ssi-check/run.sh)"]
fn ssi_signed_credentials_verify_in_ours_and_tampered_copies_fail() {
    let dir = tempfile::tempdir().unwrap();
    for (name, unsigned) in [
        ("micro-credential", micro_credential_ssi_reads()),
        ("plain-vc", plain_vc("did:example:replaced-by-ssi-check")),
    ] {
        let signed = ssi_sign(dir.path(), name, &unsigned);
        assert_eq!(cryptosuites(&signed), [RDFC], "{signed}");
        let file = write_json(dir.path(), &format!("ssi-{name}.json"), &signed);
        let (code, report) = ours_verify_json(&[], &file);
        assert_eq!(code, 0, "ours refuses ssi's {name}: {report}");
        let checks = proof_checks(&report);
        assert_eq!(
            checks.iter().filter(|c| c.1 == "proof").count(),
            1,
            "{report}"
        );
        assert!(checks.iter().all(|c| c.2 == "pass"), "{report}");

        let bad = tampered(&signed);
        assert!(bad.len() >= 4, "{name}: {bad:?}");
        for (how, bad) in bad {
            let file = write_json(dir.path(), &format!("bad-ssi-{name}-{how}.json"), &bad);
            let (code, report) = ours_verify(&file);
            assert_eq!(
                code, 1,
                "microcred-verify accepts ssi's {name} {how}: {report}"
            );
        }
    }
}

/// Where ssi 0.16 turns a document into other RDF than the JSON-LD 1.1 algorithms give
/// (and jsonld.js, the reference the other interop tests run, gives the same as we do):
/// 1. a list of strings (`"@container": "@list"`, e.g. Open Badges' `allowedValue`) loses
///    its `rdf:first` members and its `rdf:nil` end;
/// 2. a JSON boolean under a term with a `@type` (Open Badges' `hashed`, typed
///    `https://www.w3.org/2001/XMLSchema#boolean` by its context) gets the default
///    `http://…#boolean` instead (JSON-LD 1.1 Value Expansion keeps the term's type for
///    any value; Object to RDF Conversion only defaults a missing one);
/// 3. a number with no fractional part under a term typed other than `xsd:double`
///    (Open Badges' `creditsEarned`, `xsd:float`) keeps its JSON spelling `5.0` where
///    Object to RDF Conversion writes the canonical integer form `5`.
///
/// So neither side verifies the other's eddsa-rdfc-2022 proof on the full example
/// micro-credential; pinned here so a fixed ssi makes this test fail and docs/interop.md
/// is updated.
#[test]
#[ignore = "needs tests/ssi-check (run tests/ssi-check/run.sh)"]
fn where_ssi_departs_from_json_ld_ours_and_jsonld_js_agree() {
    let dir = tempfile::tempdir().unwrap();
    const FIRST: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>";
    const NIL: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>";
    let list = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     {"grades": {"@id": "https://example.org/grades", "@container": "@list"}}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:learner", "grades": ["A", "B"]}
    });
    let file = write_json(dir.path(), "list.json", &list);
    let ours = microcred_core::rdfc::canonicalize(&list).unwrap();
    let theirs = ssi_nquads(&file);
    assert!(ours.contains(&format!("{FIRST} \"A\" .")), "{ours}");
    assert!(ours.contains(&format!("{FIRST} \"B\" .")), "{ours}");
    assert!(ours.contains(NIL), "{ours}");
    assert!(
        !theirs.contains(FIRST) && !theirs.contains(NIL),
        "ssi now writes list members:\n{theirs}"
    );

    let example = micro_credential();
    let file = write_json(dir.path(), "example.json", &example);
    let ours = microcred_core::rdfc::canonicalize(&example).unwrap();
    let theirs = ssi_nquads(&file);
    let hashed = |nquads: &str, scheme: &str| {
        nquads
            .lines()
            .filter(|l| l.contains("vocab.html#hashed>"))
            .filter(|l| {
                l.ends_with(&format!(
                    "^^<{scheme}://www.w3.org/2001/XMLSchema#boolean> ."
                ))
            })
            .count()
    };
    assert_eq!(
        (hashed(&ours, "https"), hashed(&ours, "http")),
        (2, 0),
        "{ours}"
    );
    assert_eq!(
        (hashed(&theirs, "https"), hashed(&theirs, "http")),
        (0, 2),
        "{theirs}"
    );
    let credits = |value: &str| {
        format!(
            "vocab.html#creditsEarned> \"{value}\"^^<https://www.w3.org/2001/XMLSchema#float> ."
        )
    };
    assert!(ours.contains(&credits("5")), "{ours}");
    assert!(theirs.contains(&credits("5.0")), "{theirs}");

    // Hence the full example does not verify across, in either direction.
    let signed = ours_issue_suite(dir.path(), "full", &example, "rdfc");
    let verdict = ssi_verify(std::slice::from_ref(&signed)).remove(0);
    assert!(
        !verdict.0,
        "ssi now verifies the full example: {}",
        verdict.1
    );
    let theirs = ssi_sign(dir.path(), "full-ssi", &example);
    let file = write_json(dir.path(), "full-ssi-signed.json", &theirs);
    let (code, report) = ours_verify_json(&[], &file);
    assert_eq!(code, 1, "{report}");
}
