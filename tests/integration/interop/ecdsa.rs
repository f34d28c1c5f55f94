//! ECDSA Data Integrity (`ecdsa-rdfc-2019`, `ecdsa-jcs-2019`; P-256 and P-384) against Digital
//! Bazaar's `@digitalbazaar/ecdsa-rdfc-2019-cryptosuite`, `ecdsa-jcs-2019-cryptosuite` and
//! `ecdsa-multikey`, driven through `tests/interop/ecdsa.mjs`: credentials the reference signs
//! (fresh keys of each curve, issuer its did:key) verify in ours — the library and
//! `microcred-verify` — and ours (the library's `ecdsa-*` signing, and `microcred-sign issue`
//! with keys of `microcred-sign keygen --type p256|p384`) in theirs; every tampered copy is
//! refused by both.

use std::path::Path;
use std::process::Command;

use microcred_core::keys::EcdsaSecretKey;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use microcred_core::rdfc;
use serde_json::Value;

use crate::common::bin;

use super::{
    CREATED, core_verify, micro_credential, node_ok, node_run, ours_verify, stderr, tampered,
    write_json,
};

/// `ecdsa.mjs verify --suite SUITE FILE`: whether the reference accepts the file.
fn ref_accepts(suite: &str, file: &Path) -> bool {
    let out = node_run(
        "ecdsa.mjs",
        [
            "verify".as_ref(),
            "--suite".as_ref(),
            suite.as_ref(),
            file.as_os_str(),
        ],
    );
    match out.status.code() {
        Some(0) => true,
        Some(1) => false,
        _ => panic!("ecdsa.mjs verify failed: {}", stderr(&out)),
    }
}

#[test]
fn reference_ecdsa_credentials_verify_in_ours_and_tampered_copies_fail_in_both() {
    let dir = tempfile::tempdir().unwrap();
    let template = write_json(dir.path(), "template.json", &micro_credential());
    for curve in ["P-256", "P-384"] {
        for (suite, cryptosuite) in [("rdfc", "ecdsa-rdfc-2019"), ("jcs", "ecdsa-jcs-2019")] {
            let at = format!("{curve} {cryptosuite}");
            let signed: Value = serde_json::from_str(&node_ok(
                "ecdsa.mjs",
                [
                    "sign".as_ref(),
                    "--curve".as_ref(),
                    curve.as_ref(),
                    "--suite".as_ref(),
                    suite.as_ref(),
                    template.as_os_str(),
                ],
            ))
            .unwrap();
            assert_eq!(signed["proof"]["cryptosuite"], cryptosuite, "{at}");
            let issuer = signed["issuer"]["id"].as_str().unwrap().to_owned();
            let prefix = if curve == "P-256" {
                "did:key:zDn"
            } else {
                "did:key:z82"
            };
            assert!(issuer.starts_with(prefix), "{at}: {issuer}");
            assert_eq!(core_verify(&signed), Ok(issuer.clone()), "{at}");
            let name = format!("ref-{curve}-{suite}");
            let file = write_json(dir.path(), &format!("{name}.json"), &signed);
            let (code, report) = ours_verify(&file);
            assert_eq!(code, 0, "microcred-verify {at}: {report}");
            assert!(
                report.contains(&format!("{cryptosuite} signature by {issuer}#")),
                "{report}"
            );
            assert!(ref_accepts(suite, &file), "{at}: the reference's own");
            for (how, bad) in tampered(&signed) {
                assert!(core_verify(&bad).is_err(), "{at} {how}");
                let file = write_json(dir.path(), &format!("bad-{name}-{how}.json"), &bad);
                let (code, report) = ours_verify(&file);
                assert_eq!(code, 1, "microcred-verify accepts {at} {how}: {report}");
                assert!(
                    !ref_accepts(suite, &file),
                    "the reference accepts {at} {how}"
                );
            }
        }
    }
}

#[test]
fn our_ecdsa_credentials_verify_in_the_reference_and_tampered_copies_fail_in_both() {
    let dir = tempfile::tempdir().unwrap();
    for (curve, key) in [
        ("P-256", EcdsaSecretKey::generate_p256()),
        ("P-384", EcdsaSecretKey::generate_p384()),
    ] {
        let did = key.did_key();
        let mut unsigned = micro_credential();
        unsigned["issuer"]["id"] = did.did().into();
        let mut options =
            ProofOptions::new(did.verification_method(), ProofPurpose::AssertionMethod);
        options.created = Some(CREATED.into());
        for suite in ["rdfc", "jcs"] {
            let signed = if suite == "rdfc" {
                rdfc::add_ecdsa_proof(&unsigned, &key, &options).unwrap()
            } else {
                proof::add_ecdsa_jcs_proof(&unsigned, &key, &options).unwrap()
            };
            let at = format!("{curve} {suite}");
            assert_eq!(core_verify(&signed), Ok(did.did()), "{at}");
            let name = format!("ours-{curve}-{suite}");
            let file = write_json(dir.path(), &format!("{name}.json"), &signed);
            assert!(ref_accepts(suite, &file), "the reference refuses {at}");
            let (code, report) = ours_verify(&file);
            assert_eq!(code, 0, "microcred-verify {at}: {report}");
            for (how, bad) in tampered(&signed) {
                let file = write_json(dir.path(), &format!("bad-{name}-{how}.json"), &bad);
                assert!(
                    !ref_accepts(suite, &file),
                    "the reference accepts {at} {how}"
                );
                assert!(core_verify(&bad).is_err(), "{at} {how}");
            }
        }
    }
}

/// Credentials `microcred-sign issue` signs with the P-256 and P-384 keys its `keygen --type`
/// makes (each suite alone, and the default proof set of both) verify in the reference, with
/// each suite for the proof set; tampered copies verify in neither.
#[test]
fn credentials_from_microcred_sign_with_ecdsa_keys_verify_in_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let template = write_json(dir.path(), "template.json", &micro_credential());
    for key_type in ["p256", "p384"] {
        let keys = dir.path().join(key_type);
        let out = Command::new(bin("microcred-sign"))
            .args(["keygen", "--type", key_type, "--out"])
            .arg(&keys)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let did = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        for (suite, reference_suites) in [
            ("jcs", &["jcs"][..]),
            ("rdfc", &["rdfc"][..]),
            ("both", &["jcs", "rdfc"][..]),
        ] {
            let at = format!("{key_type} --suite {suite}");
            let file = dir.path().join(format!("ours-{key_type}-{suite}.json"));
            let out = Command::new(bin("microcred-sign"))
                .args([
                    "issue",
                    "--set-issuer",
                    "--suite",
                    suite,
                    "--created",
                    CREATED,
                ])
                .arg("--key")
                .arg(keys.join("issuer.key.json"))
                .arg("--out")
                .arg(&file)
                .arg(&template)
                .output()
                .unwrap();
            assert!(out.status.success(), "{at}: {}", stderr(&out));
            let signed = super::read_json(&file);
            assert_eq!(signed["issuer"]["id"], did.as_str(), "{at}");
            for s in reference_suites {
                assert!(ref_accepts(s, &file), "the reference ({s}) refuses {at}");
            }
            for (how, bad) in tampered(&signed) {
                // With a proof set, a tampered proof leaves the other one valid.
                if suite == "both" && how.starts_with("proof") {
                    continue;
                }
                let file = write_json(
                    dir.path(),
                    &format!("bad-{key_type}-{suite}-{how}.json"),
                    &bad,
                );
                for s in reference_suites {
                    assert!(
                        !ref_accepts(s, &file),
                        "the reference ({s}) accepts {at} {how}"
                    );
                }
            }
        }
    }
}
