//! The Digital Credentials Consortium's `@digitalcredentials/verifier-core` (the code behind
//! the Learner Credential Wallet and VerifierPlus), driven through
//! `tests/interop/dcc-verify.mjs`: offline, with only the contexts it bundles and no
//! eddsa-jcs-2022 suite, as a wallet runs it. Next to it, Digital Bazaar's vc-js with a
//! document loader that holds only published contexts (`lib.mjs`; nothing from a domain of
//! ours). Every default output of `microcred-sign` and `microcred-server` must verify in
//! both; tampered copies must not. Where verifier-core departs from the specifications,
//! the tests pin what it does (`docs/interop.md`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::suite::{self, Suite};
use microcred_core::{contexts, microcred_context};
use serde_json::{Value, json};

use super::{
    CHALLENGE, CREATED, DOMAIN, ISSUER_KEY, JCS, LEARNER_KEY, RDFC, cryptosuites, did_of,
    flip_value_of, key, micro_credential, node, ours_verify, ours_verify_with, plain_vc, read_json,
    ref_verify, ref_verify_one, stderr, stdout, tampered, write_all, write_json,
};
use crate::common::{bin, private_copy, repo};

/// One line of `dcc-verify.mjs`.
#[derive(Debug)]
pub(super) struct Dcc {
    pub(super) file: String,
    pub(super) verified: bool,
    /// verifier-core's error names (`invalid_signature`, …).
    pub(super) errors: Vec<String>,
    /// Step id → `true`, `false` or the step's error name.
    pub(super) log: Value,
    /// URLs it tried to fetch and was refused.
    pub(super) refused: Vec<String>,
    /// A presentation's own signature verdict (`valid`, `invalid`).
    pub(super) signature: Option<String>,
    /// A presentation's credentials: `{verified, errors, log}` each.
    pub(super) credentials: Vec<Value>,
}

/// verifier-core's verdict on each file (one process for all of them).
pub(super) fn dcc_verify(options: &[&str], files: &[PathBuf]) -> Vec<Dcc> {
    let out = Command::new(node())
        .arg(repo("tests/interop/dcc-verify.mjs"))
        .args(options)
        .args(files)
        .current_dir(repo(""))
        .output()
        .unwrap();
    let verdicts: Vec<Dcc> = stdout(&out)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let strings = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default()
            };
            Dcc {
                file: v["file"].as_str().unwrap().to_owned(),
                verified: v["verified"].as_bool().unwrap(),
                errors: strings("errors"),
                log: v["log"].clone(),
                refused: strings("refused"),
                signature: v["signature"].as_str().map(str::to_owned),
                credentials: v["credentials"].as_array().cloned().unwrap_or_default(),
            }
        })
        .collect();
    assert_eq!(
        verdicts.len(),
        files.len(),
        "dcc-verify.mjs printed {} verdicts for {} files; stderr:\n{}",
        verdicts.len(),
        files.len(),
        stderr(&out)
    );
    let all = verdicts.iter().all(|v| v.verified);
    assert_eq!(
        out.status.code(),
        Some(if all { 0 } else { 1 }),
        "dcc-verify.mjs exit status; stderr:\n{}",
        stderr(&out)
    );
    verdicts
}

fn dcc_one(options: &[&str], file: &Path) -> Dcc {
    dcc_verify(options, &[file.to_path_buf()]).remove(0)
}

/// Verified, with a valid signature and validity period, and nothing fetched but the Open
/// Badges JSON schema (verifier-core's schema check is information, not verification).
fn assert_dcc_accepts(v: &Dcc) {
    assert!(v.verified, "verifier-core refuses {}: {v:?}", v.file);
    assert_eq!(v.log["valid_signature"], true, "{v:?}");
    assert_eq!(v.log["expiration"], true, "{v:?}");
    assert_only_schemas_refused(v);
}

fn assert_only_schemas_refused(v: &Dcc) {
    assert!(
        v.refused
            .iter()
            .all(|u| u.starts_with("https://purl.imsglobal.org/spec/ob/v3p0/schema/")),
        "verifier-core needed something it does not bundle for {}: {:?}",
        v.file,
        v.refused
    );
}

/// `microcred-sign issue` with the example university key and `args` (none: the defaults);
/// returns the signed file and stderr.
fn issue(dir: &Path, name: &str, unsigned: &Value, args: &[&str]) -> (PathBuf, String) {
    let (_keydir, key) = private_copy(ISSUER_KEY);
    let input = write_json(dir, &format!("{name}.unsigned.json"), unsigned);
    let signed = dir.join(format!("{name}.json"));
    let out = Command::new(bin("microcred-sign"))
        .args(["issue", "--created", CREATED])
        .args(args)
        .arg("--key")
        .arg(&key)
        .arg("--out")
        .arg(&signed)
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "microcred-sign: {}", stderr(&out));
    (signed, stderr(&out))
}

/// vc-js (published contexts only) verifies `file` with each suite on its own and both.
fn assert_vc_js_accepts_with_each_suite(file: &Path, extra: &[&str]) {
    for given in ["jcs", "rdfc", "both"] {
        let mut opts = vec!["--suite", given];
        opts.extend(extra);
        let v = ref_verify_one(&opts, file);
        assert!(
            v.verified,
            "vc-js --suite {given} {}: {v:?}",
            file.display()
        );
    }
}

#[test]
fn our_default_credentials_verify_in_verifier_core_and_vc_js_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let issuer = did_of(&key(ISSUER_KEY));
    let mut expired = plain_vc(&issuer);
    expired["validFrom"] = "2020-01-01T00:00:00Z".into();
    expired["validUntil"] = "2021-01-01T00:00:00Z".into();

    let (micro, micro_err) = issue(d, "micro-credential", &micro_credential(), &[]);
    let (plain, plain_err) = issue(d, "plain-vc", &plain_vc(&issuer), &[]);
    let (rdfc, _) = issue(d, "rdfc-only", &micro_credential(), &["--suite", "rdfc"]);
    let (jcs, _) = issue(d, "jcs-only", &micro_credential(), &["--suite", "jcs"]);
    let (old, _) = issue(d, "expired", &expired, &["--allow-expired"]);
    for (file, err) in [(&micro, micro_err), (&plain, plain_err)] {
        assert_eq!(cryptosuites(&read_json(file)), [JCS, RDFC], "{err}");
        assert!(!err.contains("warning"), "{err}");
        assert_vc_js_accepts_with_each_suite(file, &[]);
        let (code, report) = ours_verify(file);
        assert_eq!(code, 0, "{report}");
    }
    // What we produce names no context URL of ours: the terms are in credentialSubject.
    let doc = read_json(&micro);
    assert_eq!(doc["@context"], json!([contexts::VC_V2, contexts::OB_V3P0]));
    assert_eq!(
        doc["credentialSubject"]["@context"],
        microcred_context::inline()
    );
    assert!(
        !serde_json::to_string(&doc)
            .unwrap()
            .contains(contexts::MICROCRED_V1)
    );

    let v = dcc_verify(&[], &[micro.clone(), plain.clone(), rdfc.clone()]);
    for v in &v {
        assert_dcc_accepts(v);
    }
    let v = ref_verify_one(&["--suite", "rdfc"], &rdfc);
    assert!(v.verified, "{v:?}");

    // Pinned: verifier-core checks eddsa-rdfc-2022 (and Ed25519Signature2020) only; a
    // credential with only a JCS proof is "invalid_signature" to it.
    let v = dcc_one(&[], &jcs);
    assert!(!v.verified);
    assert_eq!(v.errors, ["invalid_signature"], "{v:?}");
    let v = ref_verify_one(&["--suite", "jcs"], &jcs);
    assert!(v.verified, "{v:?}");

    // Expired: the signature is good, the expiration step fails.
    let v = dcc_one(&[], &old);
    assert!(!v.verified, "{v:?}");
    assert_eq!(v.log["valid_signature"], true, "{v:?}");
    assert_eq!(v.log["expiration"], false, "{v:?}");
    let (code, report) = ours_verify(&old);
    assert_eq!(code, 1, "{report}");
}

#[test]
fn verifier_core_refuses_tampered_copies_and_accepts_a_set_when_one_proof_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (signed, _) = issue(d, "micro-credential", &micro_credential(), &[]);
    let signed = read_json(&signed);
    let copies = tampered(&signed);
    // 1 added member, created/value/@context of the JCS proof, created/value of the RDFC
    // proof, 5 content changes.
    assert_eq!(copies.len(), 11, "docs/interop.md counts them");
    let files = write_all(d, "tampered", &copies);
    let verdicts = dcc_verify(&[], &files);
    for ((name, _), (v, file)) in copies.iter().zip(verdicts.iter().zip(&files)) {
        // Pinned: a change to the JCS proof alone is invisible to verifier-core, which
        // does not check that proof (nor fails for it); every other change is refused (an
        // added member no context defines by jsonld's safe mode, the rest as
        // invalid_signature).
        let jcs_proof_only = name.starts_with("proof0-");
        assert_eq!(v.verified, jcs_proof_only, "{name}: {v:?}");
        if !jcs_proof_only {
            let expected = if name == "added-member" {
                "jsonld.ValidationError"
            } else {
                "invalid_signature"
            };
            assert_eq!(v.errors, [expected], "{name}: {v:?}");
        }
        let (code, report) = ours_verify(file);
        assert_eq!(code, 1, "microcred-verify {name}: {report}");
    }
    for v in ref_verify(&[], &files) {
        assert!(!v.verified, "vc-js accepted tampered {}", v.file);
    }

    // Pinned: a proof set of two eddsa-rdfc-2022 proofs, one forged, verifies in
    // verifier-core (jsonld-signatures accepts a set when any one proof verifies), as in
    // vc-js asked for its own verdict (--any-proof); microcred-verify and verify.mjs require
    // every proof to verify.
    let (rdfc, _) = issue(d, "rdfc", &micro_credential(), &["--suite", "rdfc"]);
    let mut set = read_json(&rdfc);
    let mut forged = set["proof"].clone();
    flip_value_of(&mut forged);
    set["proof"] = json!([set["proof"].clone(), forged]);
    let file = write_json(d, "one-forged.json", &set);
    let v = dcc_one(&[], &file);
    assert!(v.verified, "{v:?}");
    assert!(ref_verify_one(&["--any-proof"], &file).verified);
    assert!(!ref_verify_one(&[], &file).verified);
    let (code, report) = ours_verify(&file);
    assert_eq!(code, 1, "{report}");
}

#[test]
fn credentials_naming_the_unpublished_url_are_refused_by_verifier_core_and_issued_inline_now() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut legacy = micro_credential();
    legacy["@context"]
        .as_array_mut()
        .unwrap()
        .push(contexts::MICROCRED_V1.into());
    legacy["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("@context");
    // As credentials were issued before: signed with the v1 URL (the core still reads it).
    let k = key(ISSUER_KEY);
    let mut options = ProofOptions::new(
        k.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    options.created = Some(CREATED.into());
    let old = suite::sign(&legacy, &k.into(), &options, Some(Suite::Both)).unwrap();
    let old = write_json(d, "legacy.json", &old.document);
    let (code, report) = ours_verify(&old);
    assert_eq!(code, 0, "{report}");
    let v = dcc_one(&[], &old);
    assert!(!v.verified);
    assert_eq!(v.errors, ["invalid_signature"], "{v:?}");
    assert!(
        v.refused.iter().any(|u| u == contexts::MICROCRED_V1),
        "{v:?}"
    );
    // vc-js reads it only when it is given our context.
    assert!(!ref_verify_one(&["--suite", "rdfc"], &old).verified);
    let out = Command::new(node())
        .arg(repo("tests/interop/verify.mjs"))
        .args([OsStr::new("--suite"), OsStr::new("rdfc"), old.as_os_str()])
        .env("MICROCRED_INTEROP_LEGACY_CONTEXT", "1")
        .current_dir(repo(""))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));

    // Issued today from an input that still names the URL: the inline object replaces it.
    let (new, err) = issue(d, "from-legacy", &legacy, &[]);
    assert!(
        err.contains("removed \"https://w3id.org/microcred/v1\""),
        "{err}"
    );
    let doc = read_json(&new);
    assert_eq!(doc["@context"], json!([contexts::VC_V2, contexts::OB_V3P0]));
    assert_eq!(
        doc["credentialSubject"]["@context"],
        microcred_context::inline()
    );
    assert_vc_js_accepts_with_each_suite(&new, &[]);
    assert_dcc_accepts(&dcc_one(&[], &new));
}

#[test]
fn a_document_with_a_context_we_do_not_know_is_signed_with_jcs_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut unknown = plain_vc(&did_of(&key(ISSUER_KEY)));
    unknown["@context"] = json!([contexts::VC_V2, "https://example.org/contexts/unknown/v1"]);
    let (file, err) = issue(dir.path(), "unknown-context", &unknown, &[]);
    assert_eq!(cryptosuites(&read_json(&file)), [JCS]);
    assert!(
        err.contains("warning")
            && err.contains("https://example.org/contexts/unknown/v1")
            && err.contains("eddsa-jcs-2022 only"),
        "{err}"
    );
    assert!(ref_verify_one(&["--suite", "jcs"], &file).verified);
}

#[test]
fn our_default_presentations_and_verifier_core_which_wants_assertion_method() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (credential, _) = issue(d, "micro-credential", &micro_credential(), &[]);
    let (_keydir, learner_key) = private_copy(LEARNER_KEY);
    let vp = d.join("presentation.json");
    let out = Command::new(bin("microcred-sign"))
        .args(["present", "--created", CREATED, "--challenge", CHALLENGE])
        .args(["--domain", DOMAIN, "--key"])
        .arg(&learner_key)
        .arg("--out")
        .arg(&vp)
        .arg(&credential)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = read_json(&vp);
    assert_eq!(cryptosuites(&doc), [JCS, RDFC]);
    let with = ["--challenge", CHALLENGE, "--domain", DOMAIN];
    assert_vc_js_accepts_with_each_suite(&vp, &with);
    let (code, report) = ours_verify_with(&with, &vp);
    assert_eq!(code, 0, "{report}");

    // Pinned: verifier-core checks a presentation's proof with proofPurpose
    // assertionMethod, where the VC data model (and we) use authentication: our
    // presentation's own signature is "invalid" to it; the credential in it verifies.
    let v = dcc_one(&["--challenge", CHALLENGE], &vp);
    assert!(!v.verified);
    assert_eq!(v.signature.as_deref(), Some("invalid"), "{v:?}");
    assert_eq!(v.credentials.len(), 1, "{v:?}");
    assert_eq!(v.credentials[0]["verified"], true, "{v:?}");
    // The same presentation signed for assertionMethod is "valid" to it.
    let learner = key(LEARNER_KEY);
    let mut unsigned = doc.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    let mut options = ProofOptions::new(
        learner.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    options.created = Some(CREATED.into());
    let asserted = suite::sign(&unsigned, &learner.into(), &options, Some(Suite::Rdfc)).unwrap();
    let asserted = write_json(d, "vp-assertion-method.json", &asserted.document);
    let v = dcc_one(&["--challenge", CHALLENGE], &asserted);
    assert!(v.verified, "{v:?}");
    assert_eq!(v.signature.as_deref(), Some("valid"), "{v:?}");

    // A presentation whose credential was changed: the credential is refused.
    let mut bad = doc.clone();
    bad["verifiableCredential"][0]["credentialSubject"]["result"][0]["value"] = "A".into();
    let bad = write_json(d, "vp-tampered-credential.json", &bad);
    let v = dcc_one(&["--challenge", CHALLENGE], &bad);
    assert!(!v.verified);
    assert_eq!(v.credentials[0]["verified"], false, "{v:?}");
    let (code, report) = ours_verify_with(&with, &bad);
    assert_eq!(code, 1, "{report}");
    assert!(!ref_verify_one(&with, &bad).verified);
}

#[test]
fn the_servers_default_credentials_verify_in_verifier_core_and_vc_js() {
    use crate::server::{Server, issue as server_issue};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start("");
    let vc = server_issue(&server, |_| {});
    assert_eq!(cryptosuites(&vc), [JCS, RDFC]);
    let file = write_json(dir.path(), "server.json", &vc);
    assert_vc_js_accepts_with_each_suite(&file, &[]);
    assert_dcc_accepts(&dcc_one(&[], &file));
    let mut changed = vc.clone();
    changed["credentialSubject"]["result"][0]["value"] = "A".into();
    let changed = write_json(dir.path(), "server-tampered.json", &changed);
    assert!(!dcc_one(&[], &changed).verified);
    assert!(!ref_verify_one(&[], &changed).verified);
}
