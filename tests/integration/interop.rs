//! Interoperability with an independent implementation of the same specifications:
//! Digital Bazaar's JavaScript stack (`@digitalbazaar/vc` with the `eddsa-jcs-2022`
//! cryptosuite, `did-method-key`, `vc-bitstring-status-list`) and jsonld.js, driven as Node
//! processes through the scripts in `tests/interop/` (see `docs/interop.md`).
//!
//! A bug shared by our signer and our verifier (in canonicalization, say) is invisible to our
//! own round trips; here every artifact crosses from one implementation to the other, and
//! tampered copies must fail on the other side too.
//!
//! Node.js 20 and `cd tests/interop && npm ci` are required. Without them these tests FAIL
//! with a message saying how to install them: they are never skipped.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use microcred_core::keys::{KeyFile, SecretKey};
use microcred_core::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, ListCredential, StatusList, StatusPurpose};
use microcred_core::{contexts, jcs};
use serde_json::{Value, json};

use crate::common::{bin, private_copy, read, repo};

/// `created` of every proof we make here, so that outputs are reproducible.
const CREATED: &str = "2025-03-01T00:00:00Z";
/// Seed 00…01 of the did:key test vectors and its DID (`tests/vectors/did-key/README.md`).
const SEED_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const SEED_DID: &str = "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG";
const CHALLENGE: &str = "5b7c0f3e-9d1a-4c2b-8e6f-a1b2c3d4e5f6";
const DOMAIN: &str = "https://employer.example";
const STATUS_BASE: &str = "https://uni.example/status/2025";
const ISSUER_KEY: &str = "keys-example/example-university.key.json";
const LEARNER_KEY: &str = "keys-example/example-learner.key.json";
const HOW_TO_INSTALL: &str = "the interoperability tests need Node.js 20 or later and the \
     pinned reference packages: install Node 20 with npm, then run `cd tests/interop && npm ci` \
     (README, \"Interoperability tests\"); set NODE=/path/to/node if it is not on PATH";

// ---------------------------------------------------------------------------------------
// Running the reference
// ---------------------------------------------------------------------------------------

/// The `node` binary, once it is known to be Node ≥ 20 with the pinned packages installed.
/// Panics (fails the test) with installation instructions otherwise.
fn node() -> &'static Path {
    static NODE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match NODE.get_or_init(check_node) {
        Ok(path) => path,
        Err(msg) => panic!("{msg}"),
    }
}

fn check_node() -> Result<PathBuf, String> {
    let node = std::env::var_os("NODE").map_or_else(|| PathBuf::from("node"), PathBuf::from);
    let out = Command::new(&node)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run `{}` ({e}): {HOW_TO_INSTALL}", node.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !out.status.success() || major < 20 {
        return Err(format!(
            "`{} --version` says {version:?}: {HOW_TO_INSTALL}",
            node.display()
        ));
    }
    // Every pinned dependency must be installed at its pinned version (a stale
    // node_modules after a package.json change is as wrong as a missing one).
    let manifest: Value = serde_json::from_slice(&read("tests/interop/package.json")).unwrap();
    for (name, pinned) in manifest["dependencies"].as_object().unwrap() {
        let installed = std::fs::read(repo(&format!(
            "tests/interop/node_modules/{name}/package.json"
        )))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v["version"].as_str().map(str::to_owned));
        if installed.as_deref() != pinned.as_str() {
            return Err(format!(
                "tests/interop/node_modules/{name} is {} where {} is pinned: {HOW_TO_INSTALL}",
                installed.as_deref().unwrap_or("missing"),
                pinned.as_str().unwrap_or("?")
            ));
        }
    }
    Ok(node)
}

/// `node tests/interop/SCRIPT ARGS…`, run from the repository root.
fn node_run<I, S>(script: &str, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(node())
        .arg(repo("tests/interop").join(script))
        .args(args)
        .current_dir(repo(""))
        .output()
        .unwrap_or_else(|e| panic!("run node {script}: {e}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A script that must succeed; returns its stdout.
fn node_ok<I, S>(script: &str, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = node_run(script, args);
    assert!(
        out.status.success(),
        "node {script} failed ({}):\n{}",
        out.status,
        stderr(&out)
    );
    stdout(&out)
}

/// One line of `verify.mjs`.
#[derive(Debug)]
struct RefVerdict {
    file: String,
    kind: Option<String>,
    verified: bool,
    error: Option<String>,
    /// One `{cryptosuite, checked, verified, error}` per proof, in document order.
    proofs: Vec<Value>,
}

/// The reference's verdict on each file (one process for all of them).
fn ref_verify(options: &[&str], files: &[PathBuf]) -> Vec<RefVerdict> {
    let mut args: Vec<&OsStr> = options.iter().map(OsStr::new).collect();
    args.extend(files.iter().map(|f| f.as_os_str()));
    let out = node_run("verify.mjs", args);
    let verdicts: Vec<RefVerdict> = stdout(&out)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            RefVerdict {
                file: v["file"].as_str().unwrap().to_owned(),
                kind: v["kind"].as_str().map(str::to_owned),
                verified: v["verified"].as_bool().unwrap(),
                error: v["error"].as_str().map(str::to_owned),
                proofs: v["proofs"].as_array().cloned().unwrap_or_default(),
            }
        })
        .collect();
    assert_eq!(
        verdicts.len(),
        files.len(),
        "verify.mjs printed {} verdicts for {} files; stderr:\n{}",
        verdicts.len(),
        files.len(),
        stderr(&out)
    );
    let all = verdicts.iter().all(|v| v.verified);
    assert_eq!(
        out.status.code(),
        Some(if all { 0 } else { 1 }),
        "verify.mjs exit status; stderr:\n{}",
        stderr(&out)
    );
    verdicts
}

/// The reference's verdict on one file.
fn ref_verify_one(options: &[&str], file: &Path) -> RefVerdict {
    ref_verify(options, &[file.to_path_buf()]).remove(0)
}

/// Runs `sign.mjs` and parses the signed document it prints.
fn ref_sign<S: AsRef<OsStr>>(args: &[S]) -> Value {
    serde_json::from_str(&node_ok("sign.mjs", args)).unwrap()
}

// ---------------------------------------------------------------------------------------
// Our side
// ---------------------------------------------------------------------------------------

fn key(path: &str) -> SecretKey {
    KeyFile::from_json(&read(path))
        .unwrap()
        .secret
        .into_ed25519()
        .unwrap()
}

fn did_of(key: &SecretKey) -> String {
    key.did_key().did()
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

/// Signs with the core library (`proof::add_proof`).
fn core_sign(
    doc: &Value,
    key: &SecretKey,
    purpose: ProofPurpose,
    challenge_domain: Option<(&str, &str)>,
) -> Value {
    let mut options = ProofOptions::new(key.did_key().verification_method(), purpose);
    options.created = Some(CREATED.into());
    if let Some((challenge, domain)) = challenge_domain {
        options.challenge = Some(challenge.into());
        options.domain = Some(domain.into());
    }
    proof::add_proof(doc, key, &options).unwrap()
}

/// Issues `unsigned` with `microcred-sign issue --suite jcs` and the example university key;
/// returns the signed file. (The eddsa-jcs-2022 cases; Open Badges credentials would
/// otherwise also get an eddsa-rdfc-2022 proof.)
fn ours_issue(dir: &Path, name: &str, unsigned: &Value) -> PathBuf {
    ours_issue_suite(dir, name, unsigned, "jcs")
}

/// Issues `unsigned` with `microcred-sign issue --suite SUITE` (jcs, rdfc or both) and the
/// example university key; returns the signed file.
fn ours_issue_suite(dir: &Path, name: &str, unsigned: &Value, suite: &str) -> PathBuf {
    let (_keydir, key) = private_copy(ISSUER_KEY);
    let input = write_json(dir, &format!("{name}.unsigned.json"), unsigned);
    let signed = dir.join(format!("{name}.json"));
    let out = Command::new(bin("microcred-sign"))
        .args(["issue", "--suite", suite, "--created", CREATED, "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&signed)
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "microcred-sign: {}", stderr(&out));
    signed
}

/// `microcred-sign present` with the example learner key, [`CHALLENGE`] and [`DOMAIN`];
/// returns the presentation file.
fn ours_present(dir: &Path, credentials: &[PathBuf]) -> PathBuf {
    let (_keydir, key) = private_copy(LEARNER_KEY);
    let vp = dir.join("presentation.json");
    let out = Command::new(bin("microcred-sign"))
        .args(["present", "--created", CREATED, "--challenge", CHALLENGE])
        .args(["--domain", DOMAIN, "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&vp)
        .args(credentials)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "microcred-sign present: {}",
        stderr(&out)
    );
    vp
}

/// `microcred-verify FILE`: (exit status, stdout + stderr).
fn ours_verify(file: &Path) -> (i32, String) {
    ours_verify_with::<&str>(&[], file)
}

/// `microcred-verify OPTIONS… FILE`: (exit status, stdout + stderr).
fn ours_verify_with<S: AsRef<OsStr>>(options: &[S], file: &Path) -> (i32, String) {
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .args(options)
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

/// Verifies the single proof of `doc` with the core library.
fn core_verify(doc: &Value) -> Result<String, proof::ProofFailure> {
    let outcomes = proof::verify_proofs(doc, &DidKeyResolver);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    outcomes.into_iter().next().unwrap().result
}

fn read_json(path: &Path) -> Value {
    microcred_core::json::parse(&std::fs::read(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------

/// The example micro-credential (Open Badges 3.0 shape, issuer: the example university).
fn micro_credential() -> Value {
    serde_json::from_slice(&read("keys-example/micro-credential.unsigned.json")).unwrap()
}

/// A plain VC 2.0 credential: only the base context and its own terms.
fn plain_vc(issuer: &str) -> Value {
    json!({
        "@context": [contexts::VC_V2],
        "id": "urn:uuid:1c0b8e52-3f4d-4e6a-9b7c-8d9e0f1a2b3c",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Library card",
        "description": "A plain W3C VC 2.0 credential.",
        "credentialSubject": {
            "id": "did:key:z6MkrHj8BAUjxD7irGyPXdk9Xc5xdhMNU6rjUv4JR11HdGK1",
        }
    })
}

/// A credential whose content exercises RFC 8785: member names that sort differently by
/// UTF-16 code unit than by code point (U+1F602 before U+FB33), escapes, controls, and
/// numbers whose ECMAScript form differs from how they are written. It uses the VC examples
/// context (with `@vocab`), so it is for the proof checks only.
fn jcs_stress(issuer: &str) -> Value {
    let text = r#"{
      "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
      "id": "urn:uuid:2a4cbe8e-9a3c-4c8e-8f0e-2c3b9f1d7e01",
      "type": ["VerifiableCredential", "ExampleCanonicalizationCredential"],
      "issuer": "ISSUER",
      "validFrom": "2025-01-01T00:00:00Z",
      "name": "Zoë Ångström — 学习证明 — \ud834\udd1e — \u2028\u2029 — \"q\" \\ / \u0000\u0008\u001f\u007f\u0080 </script>",
      "credentialSubject": {
        "id": "did:example:stress",
        "\u20ac": "Euro Sign", "\r": "Carriage Return", "\u000a": "Newline", "1": "One",
        "\u0080": "Control\u007f", "\ud83d\ude02": "Smiley", "\u00f6": "o with diaeresis",
        "\ufb33": "Hebrew Dalet With Dagesh", "\ufb01": "fi ligature", "\ud800\udc00": "first astral",
        "numbers": [0, -0, 1, -1, 0.1, 1e21, 1e-7, 9007199254740991, -9007199254740991, 5e-324,
                    1.7976931348623157e308, 333333333.3333333, 1E+30, 4.35, 0.000001, 1e-6,
                    100.0, 2.5e-10, 123e-2],
        "literals": [true, false, null, "", [], {}]
      }
    }"#;
    let mut v = microcred_core::json::parse(text.as_bytes()).unwrap();
    v["issuer"] = issuer.into();
    v
}

/// The example micro-credential with two status entries (revocation, suspension) at `index`
/// of the lists under [`STATUS_BASE`], as contract §3 describes.
fn micro_credential_with_status(index: usize) -> Value {
    let mut c = micro_credential();
    c["credentialStatus"] = json!(["revocation", "suspension"].map(|purpose| json!({
        "id": format!("{STATUS_BASE}/{purpose}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": index.to_string(),
        "statusListCredential": format!("{STATUS_BASE}/{purpose}"),
    })));
    c
}

/// A status list credential made and signed by the core library.
fn core_status_list(key: &SecretKey, purpose: StatusPurpose, set: &[usize]) -> Value {
    let mut list = StatusList::new(0);
    for &i in set {
        list.set(i, true).unwrap();
    }
    let unsigned = status_list::list_credential(
        &format!("{STATUS_BASE}/{purpose}"),
        &did_of(key),
        purpose,
        &list,
        CREATED,
    );
    core_sign(&unsigned, key, ProofPurpose::AssertionMethod, None)
}

/// A presentation per contract §2, signed by the holder with the core library.
fn core_presentation(holder: &SecretKey, credentials: Vec<Value>) -> Value {
    let vp = json!({
        "@context": [contexts::VC_V2],
        "id": "urn:uuid:9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
        "type": ["VerifiablePresentation"],
        "holder": did_of(holder),
        "verifiableCredential": credentials,
    });
    core_sign(
        &vp,
        holder,
        ProofPurpose::Authentication,
        Some((CHALLENGE, DOMAIN)),
    )
}

/// Changes one base58 digit of the proof value (the result is still base58btc).
fn flip_proof_value(doc: &mut Value) {
    flip_value_of(&mut doc["proof"]);
}

/// Changes one base58 digit of `proof`'s `proofValue`.
fn flip_value_of(proof: &mut Value) {
    let pv = proof["proofValue"].as_str().unwrap().to_owned();
    let mut chars: Vec<char> = pv.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == '2' { '3' } else { '2' };
    proof["proofValue"] = chars.into_iter().collect::<String>().into();
}

/// Tampered copies of a signed document: each changes one thing the proof covers. With a
/// proof set, each proof is tampered with in turn (the other one stays valid).
fn tampered(signed: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut add = |name: &str, change: &dyn Fn(&mut Value)| {
        let mut v = signed.clone();
        change(&mut v);
        assert_ne!(&v, signed, "tampering {name} changed nothing");
        out.push((name.to_owned(), v));
    };
    add("added-member", &|v| v["extra"] = true.into());
    let proofs: Vec<(String, String)> = match &signed["proof"] {
        Value::Array(set) => (0..set.len())
            .map(|i| (format!("/proof/{i}"), format!("proof{i}-")))
            .collect(),
        _ => vec![("/proof".to_owned(), "proof-".to_owned())],
    };
    for (at, name) in &proofs {
        add(&format!("{name}created"), &|v| {
            v.pointer_mut(at).unwrap()["created"] = "2025-03-02T00:00:00Z".into();
        });
        add(&format!("{name}value"), &|v| {
            flip_value_of(v.pointer_mut(at).unwrap());
        });
        // eddsa-rdfc-2022 proofs carry no `@context` of their own.
        if signed.pointer(&format!("{at}/@context")).is_some() {
            add(&format!("{name}context-removed"), &|v| {
                v.pointer_mut(at)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .remove("@context");
            });
        }
    }
    for pointer in [
        "/credentialSubject/id",
        "/credentialSubject/result/0/value",
        "/credentialSubject/achievement/microCredential/workload/hours",
        "/credentialSubject/numbers/4",
        "/issuer/name",
        "/validUntil",
        "/holder",
        "/verifiableCredential/0/credentialSubject/id",
        "/proof/challenge",
        "/proof/domain",
    ] {
        if signed.pointer(pointer).is_none() {
            continue;
        }
        add(&format!("changed{}", pointer.replace('/', "-")), &|v| {
            let slot = v.pointer_mut(pointer).unwrap();
            *slot = match slot.take() {
                Value::String(s) if s.ends_with('Z') => "2099-01-01T00:00:00Z".into(),
                Value::String(s) => format!("{s}0").into(),
                Value::Number(n) => json!(n.as_f64().unwrap() + 1.0),
                Value::Bool(b) => (!b).into(),
                other => panic!("cannot tamper {other}"),
            };
        });
    }
    out
}

fn write_all(dir: &Path, prefix: &str, docs: &[(String, Value)]) -> Vec<PathBuf> {
    docs.iter()
        .map(|(name, v)| write_json(dir, &format!("{prefix}-{name}.json"), v))
        .collect()
}

/// Asserts that the reference rejects every file.
fn assert_ref_rejects(options: &[&str], files: &[PathBuf]) {
    for v in ref_verify(options, files) {
        assert!(!v.verified, "the reference accepted tampered {}", v.file);
        assert!(v.error.is_some(), "{v:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 1. Ours, verified by the reference
// ---------------------------------------------------------------------------------------

#[test]
fn our_credentials_verify_in_the_reference_and_tampered_copies_fail() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = did_of(&key(ISSUER_KEY));
    let signed = [
        ours_issue(dir.path(), "micro-credential", &micro_credential()),
        ours_issue(dir.path(), "plain-vc", &plain_vc(&issuer)),
        ours_issue(dir.path(), "jcs-stress", &jcs_stress(&issuer)),
    ];
    for v in ref_verify(&[], &signed) {
        assert!(
            v.verified,
            "the reference rejects our {}: {:?}",
            v.file, v.error
        );
        assert_eq!(v.kind.as_deref(), Some("credential"));
    }
    let mut bad = Vec::new();
    for file in &signed {
        let name = file.file_stem().unwrap().to_str().unwrap().to_owned();
        bad.extend(write_all(dir.path(), &name, &tampered(&read_json(file))));
    }
    assert_eq!(bad.len(), 20, "docs/interop.md counts the tampered copies");
    assert_ref_rejects(&[], &bad);
    // Our verifier agrees on every tampered copy.
    for file in &bad {
        let (code, report) = ours_verify(file);
        assert_eq!(code, 1, "microcred-verify {}: {report}", file.display());
    }
}

#[test]
fn our_credentials_with_status_verify_in_the_reference_which_reads_our_status_lists() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = key(ISSUER_KEY);
    let index = 94_567;
    let signed = ours_issue(
        dir.path(),
        "with-status",
        &micro_credential_with_status(index),
    );
    let list = |purpose, set: &[usize], name: &str| {
        write_json(dir.path(), name, &core_status_list(&issuer, purpose, set))
    };
    let rev_clear = list(StatusPurpose::Revocation, &[3, index + 1], "rev-clear.json");
    let sus_clear = list(StatusPurpose::Suspension, &[index - 1], "sus-clear.json");
    let rev_set = list(StatusPurpose::Revocation, &[3, index], "rev-set.json");
    let sus_set = list(StatusPurpose::Suspension, &[index], "sus-set.json");
    let opts = |rev: &Path, sus: &Path| {
        vec![
            "--status-list".to_owned(),
            rev.display().to_string(),
            "--status-list".to_owned(),
            sus.display().to_string(),
        ]
    };
    // The reference's verdict, after checking that microcred-verify reaches the same one.
    let verdict = |o: Vec<String>| {
        let o: Vec<&str> = o.iter().map(String::as_str).collect();
        let theirs = ref_verify_one(&o, &signed);
        let (code, report) = ours_verify_with(&o, &signed);
        assert_eq!(
            code == 0,
            theirs.verified,
            "the implementations disagree with {o:?}: reference {theirs:?}; ours (exit {code}) {report}"
        );
        theirs
    };

    let v = verdict(opts(&rev_clear, &sus_clear));
    assert!(v.verified, "{v:?}");
    let v = verdict(opts(&rev_set, &sus_clear));
    assert!(!v.verified);
    assert!(
        v.error
            .as_deref()
            .unwrap()
            .contains(&format!("revocation bit {index}")),
        "{v:?}"
    );
    let v = verdict(opts(&rev_clear, &sus_set));
    assert!(!v.verified);
    assert!(
        v.error
            .as_deref()
            .unwrap()
            .contains(&format!("suspension bit {index}")),
        "{v:?}"
    );
    // Without the lists the two differ by design: vc-js refuses a credential whose status
    // list cannot be loaded; microcred-verify reports status as "skipped" (not checked),
    // which never makes a credential valid or invalid (docs/verify-report.md).
    let v = ref_verify_one(&[], &signed);
    assert!(!v.verified);
    let (code, report) = ours_verify(&signed);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("status") && report.contains("not checked"),
        "{report}"
    );
    assert!(
        v.error.as_deref().unwrap().contains("refusing to load"),
        "{v:?}"
    );
    // A status list whose signature is broken is not trusted.
    let mut broken = read_json(&rev_clear);
    flip_proof_value(&mut broken);
    let broken = write_json(dir.path(), "rev-broken.json", &broken);
    let v = verdict(opts(&broken, &sus_clear));
    assert!(!v.verified, "{v:?}");
    // Nor is a list signed by someone other than the credential's issuer.
    let other = core_status_list(&key(LEARNER_KEY), StatusPurpose::Revocation, &[]);
    let other = write_json(dir.path(), "rev-other-issuer.json", &other);
    let v = verdict(opts(&other, &sus_clear));
    assert!(!v.verified);
    assert!(v.error.as_deref().unwrap().contains("Issuers"), "{v:?}");
}

#[test]
fn our_presentations_verify_in_the_reference_and_tampered_copies_fail() {
    // Two of ours: made by `microcred-sign present`, and built per contract §2 with
    // `proof::add_proof` (authentication, challenge, domain).
    let dir = tempfile::tempdir().unwrap();
    let credential_file = ours_issue(dir.path(), "micro-credential", &micro_credential());
    let credential = read_json(&credential_file);
    let learner = key(LEARNER_KEY);
    assert_eq!(
        credential["credentialSubject"]["id"].as_str(),
        Some(did_of(&learner).as_str())
    );
    let from_cli = read_json(&ours_present(dir.path(), &[credential_file]));
    let from_core = core_presentation(&learner, vec![credential]);

    for (name, vp) in [("cli", from_cli), ("core", from_core)] {
        assert_eq!(vp["holder"], did_of(&learner), "{name}");
        let file = write_json(dir.path(), &format!("vp-{name}.json"), &vp);
        let v = ref_verify_one(&["--challenge", CHALLENGE, "--domain", DOMAIN], &file);
        assert!(v.verified, "{name}: {v:?}");
        assert_eq!(v.kind.as_deref(), Some("presentation"));
        let (code, report) =
            ours_verify_with(&["--challenge", CHALLENGE, "--domain", DOMAIN], &file);
        assert_eq!(code, 0, "{name}: {report}");

        let v = ref_verify_one(&["--challenge", "another", "--domain", DOMAIN], &file);
        assert!(!v.verified, "{name}");
        assert!(v.error.unwrap().contains("challenge"));
        let v = ref_verify_one(
            &[
                "--challenge",
                CHALLENGE,
                "--domain",
                "https://other.example",
            ],
            &file,
        );
        assert!(!v.verified, "{name}");
        assert!(v.error.unwrap().contains("domain"));

        // Signed by a key that is not the holder's.
        let mut forged = vp.clone();
        forged.as_object_mut().unwrap().remove("proof");
        let forged = core_sign(
            &forged,
            &key(ISSUER_KEY),
            ProofPurpose::Authentication,
            Some((CHALLENGE, DOMAIN)),
        );
        let mut bad = vec![("not-the-holders-key".to_owned(), forged)];
        bad.extend(tampered(&vp));
        assert_eq!(bad.len(), 9, "{name}");
        let bad = write_all(dir.path(), &format!("vp-{name}"), &bad);
        assert_ref_rejects(&["--challenge", CHALLENGE, "--domain", DOMAIN], &bad);
        for file in &bad {
            let (code, report) =
                ours_verify_with(&["--challenge", CHALLENGE, "--domain", DOMAIN], file);
            assert_eq!(code, 1, "{}: {report}", file.display());
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. The reference's, verified by ours
// ---------------------------------------------------------------------------------------

#[test]
fn reference_credentials_verify_in_ours_fresh_key_and_known_seed() {
    let dir = tempfile::tempdir().unwrap();
    let template = write_json(dir.path(), "template.json", &micro_credential());
    let stress = write_json(dir.path(), "stress.json", &jcs_stress("ISSUER"));

    // The fixed seed gives the did:key of the did:key test vectors, in both implementations.
    let did = node_ok("sign.mjs", ["did", "--seed", SEED_HEX]);
    assert_eq!(did.trim(), SEED_DID);
    let mut seed = [0u8; 32];
    seed[31] = 1;
    assert_eq!(did_of(&SecretKey::from_seed(&seed)), SEED_DID);

    let mut cases = Vec::new();
    for (name, key_args) in [("fresh", vec![]), ("seed", vec!["--seed", SEED_HEX])] {
        for (what, input) in [("micro-credential", &template), ("stress", &stress)] {
            let mut args: Vec<&OsStr> = vec![OsStr::new("credential")];
            args.extend(key_args.iter().map(OsStr::new));
            args.push(input.as_os_str());
            let signed = ref_sign(&args);
            let issuer = signed["issuer"]["id"]
                .as_str()
                .or(signed["issuer"].as_str())
                .unwrap()
                .to_owned();
            if name == "seed" {
                assert_eq!(issuer, SEED_DID);
            } else {
                assert_ne!(issuer, SEED_DID);
            }
            assert_eq!(core_verify(&signed), Ok(issuer.clone()), "{name} {what}");
            let file = write_json(dir.path(), &format!("ref-{name}-{what}.json"), &signed);
            let (code, report) = ours_verify(&file);
            assert_eq!(code, 0, "microcred-verify {name} {what}: {report}");
            cases.push((format!("{name}-{what}"), signed));
        }
    }
    for (name, signed) in &cases {
        for (how, bad) in tampered(signed) {
            assert!(core_verify(&bad).is_err(), "{name} {how}");
            let file = write_json(dir.path(), &format!("bad-{name}-{how}.json"), &bad);
            let (code, report) = ours_verify(&file);
            assert_eq!(code, 1, "microcred-verify accepts {name} {how}: {report}");
        }
    }
}

#[test]
fn reference_and_our_signer_make_identical_proofs() {
    // Ed25519 is deterministic: same key, same document, same `created` must give the
    // same proofValue in both implementations, on the specification's vector and on ours.
    let dir = tempfile::tempdir().unwrap();
    let spec = ref_sign(&[
        OsStr::new("credential"),
        OsStr::new("--keep-issuer"),
        OsStr::new("--created"),
        OsStr::new("2023-02-24T23:36:38Z"),
        OsStr::new("--key"),
        repo("tests/vectors/eddsa-jcs-2022/keyPair.json").as_os_str(),
        repo("tests/vectors/eddsa-jcs-2022/unsigned.json").as_os_str(),
    ]);
    let expected: Value =
        serde_json::from_slice(&read("tests/vectors/eddsa-jcs-2022/signedJCS.json")).unwrap();
    assert_eq!(spec, expected);

    let issuer = did_of(&key(ISSUER_KEY));
    for (name, unsigned) in [
        ("micro-credential", micro_credential()),
        ("plain-vc", plain_vc(&issuer)),
        ("jcs-stress", jcs_stress(&issuer)),
        ("with-status", micro_credential_with_status(7)),
    ] {
        let ours = read_json(&ours_issue(dir.path(), name, &unsigned));
        let input = write_json(dir.path(), &format!("{name}.in.json"), &unsigned);
        let theirs = ref_sign(&[
            OsStr::new("credential"),
            OsStr::new("--created"),
            OsStr::new(CREATED),
            OsStr::new("--key"),
            repo(ISSUER_KEY).as_os_str(),
            input.as_os_str(),
        ]);
        assert_eq!(
            ours["proof"]["proofValue"], theirs["proof"]["proofValue"],
            "{name}: different signatures"
        );
        // Equal as JSON values (`5.0` and `5` are one number, so compare canonical forms).
        assert_eq!(
            String::from_utf8(jcs::canonicalize(&ours)).unwrap(),
            String::from_utf8(jcs::canonicalize(&theirs)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn reference_presentations_verify_in_ours_and_tampered_copies_fail() {
    let dir = tempfile::tempdir().unwrap();
    // A holder key made by the reference (and saved by it, in the Multikey key file format
    // our core reads), and the fixed seed.
    let fresh_key = dir.path().join("fresh.key.json");
    let fresh_did = node_ok(
        "sign.mjs",
        [
            OsStr::new("did"),
            OsStr::new("--key-out"),
            fresh_key.as_os_str(),
        ],
    );
    let fresh_did = fresh_did.trim();
    let loaded = KeyFile::from_json(&std::fs::read(&fresh_key).unwrap()).unwrap();
    assert_eq!(did_of(loaded.secret.as_ed25519().unwrap()), fresh_did);

    for (holder, key_args) in [
        (fresh_did, vec![OsStr::new("--key"), fresh_key.as_os_str()]),
        (SEED_DID, vec![OsStr::new("--seed"), OsStr::new(SEED_HEX)]),
    ] {
        // The credential is about the holder (contract §2 holder binding), issued by the
        // reference with a fresh issuer key.
        let mut unsigned = micro_credential();
        unsigned["credentialSubject"]["id"] = holder.into();
        let unsigned = write_json(dir.path(), "subject.json", &unsigned);
        let credential = ref_sign(&[OsStr::new("credential"), unsigned.as_os_str()]);
        let credential_file = write_json(dir.path(), "credential.json", &credential);

        let mut args = vec![OsStr::new("presentation")];
        args.extend(key_args.iter().copied());
        args.extend(["--challenge", CHALLENGE, "--domain", DOMAIN].map(OsStr::new));
        args.push(credential_file.as_os_str());
        let vp = ref_sign(&args);
        assert_eq!(vp["holder"], holder);

        let outcomes = proof::verify_proofs(&vp, &DidKeyResolver);
        assert_eq!(outcomes.len(), 1);
        let o = &outcomes[0];
        assert_eq!(o.result, Ok(holder.to_owned()), "{holder}");
        assert_eq!(o.proof_purpose.as_deref(), Some("authentication"));
        assert_eq!(o.challenge.as_deref(), Some(CHALLENGE));
        assert_eq!(o.domain.as_deref(), Some(DOMAIN));
        let embedded = &vp["verifiableCredential"][0];
        assert_eq!(embedded["credentialSubject"]["id"], holder);
        assert_eq!(
            core_verify(embedded),
            Ok(embedded["issuer"]["id"].as_str().unwrap().into())
        );
        // The reference accepts its own presentation, so the test checks the right thing.
        let file = write_json(dir.path(), "vp.json", &vp);
        assert!(ref_verify_one(&["--challenge", CHALLENGE, "--domain", DOMAIN], &file).verified);
        // microcred-verify: proof, holder key, challenge, domain, holder binding, and the
        // embedded credential.
        let opts = ["--challenge", CHALLENGE, "--domain", DOMAIN];
        let (code, report) = ours_verify_with(&opts, &file);
        assert_eq!(code, 0, "{holder}: {report}");
        let (code, report) =
            ours_verify_with(&["--challenge", "another", "--domain", DOMAIN], &file);
        assert_eq!(code, 1, "{holder}: wrong challenge accepted: {report}");
        let (code, report) = ours_verify_with(
            &[
                "--challenge",
                CHALLENGE,
                "--domain",
                "https://other.example",
            ],
            &file,
        );
        assert_eq!(code, 1, "{holder}: wrong domain accepted: {report}");

        for (how, bad) in tampered(&vp) {
            let holder_ok = proof::verify_proofs(&bad, &DidKeyResolver)
                .first()
                .is_some_and(|o| o.result.is_ok());
            assert!(!holder_ok, "{holder}: tampered {how} still verifies");
            let file = write_json(dir.path(), &format!("vp-{how}.json"), &bad);
            let (code, report) = ours_verify_with(&opts, &file);
            assert_eq!(
                code, 1,
                "{holder}: microcred-verify accepts {how}: {report}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. Status lists, both ways
// ---------------------------------------------------------------------------------------

const SET_BITS: [usize; 6] = [0, 7, 8, 42, 94_567, 131_071];
const CLEAR_BITS: [usize; 6] = [1, 6, 9, 41, 94_566, 131_070];

#[test]
fn reference_status_lists_read_the_same_in_ours() {
    let dir = tempfile::tempdir().unwrap();
    let mut lists = Vec::new();
    for purpose in [StatusPurpose::Revocation, StatusPurpose::Suspension] {
        let id = format!("{STATUS_BASE}/{purpose}");
        let mut args = vec!["create", "--id", id.as_str(), "--purpose", purpose.as_str()];
        args.extend([
            "--created",
            CREATED,
            "--valid-from",
            CREATED,
            "--seed",
            SEED_HEX,
        ]);
        let set: Vec<String> = SET_BITS.iter().map(ToString::to_string).collect();
        for s in &set {
            args.extend(["--set", s.as_str()]);
        }
        let list: Value = serde_json::from_str(&node_ok("status.mjs", &args)).unwrap();

        let lc = ListCredential::from_json(&list).unwrap();
        assert_eq!(lc.id, id);
        assert_eq!(lc.issuer, SEED_DID);
        assert_eq!(lc.purposes, vec![purpose.as_str()]);
        assert_eq!(lc.list.len(), status_list::MIN_ENTRIES);
        for i in SET_BITS {
            assert!(lc.list.get(i).unwrap(), "{purpose} bit {i} should be set");
        }
        for i in CLEAR_BITS {
            assert!(
                !lc.list.get(i).unwrap(),
                "{purpose} bit {i} should be clear"
            );
        }
        assert_eq!(core_verify(&list), Ok(SEED_DID.to_owned()));
        // It is a credential our verifier accepts as such.
        let file = write_json(dir.path(), &format!("{purpose}.json"), &list);
        let (code, report) = ours_verify(&file);
        assert_eq!(code, 0, "{report}");
        lists.push(file);
    }
    let status_opts: Vec<&OsStr> = lists
        .iter()
        .flat_map(|f| [OsStr::new("--status-list"), f.as_os_str()])
        .collect();
    let ref_opts: Vec<String> = lists
        .iter()
        .flat_map(|f| ["--status-list".to_owned(), f.display().to_string()])
        .collect();
    let ref_opts: Vec<&str> = ref_opts.iter().map(String::as_str).collect();

    // Credentials issued by the reference (same seed key) whose entries point at a set and
    // at a clear bit: microcred-verify reads the reference's lists to the same verdict.
    for (index, revoked) in [(SET_BITS[3], true), (CLEAR_BITS[3], false)] {
        let input = write_json(
            dir.path(),
            "with-status.in.json",
            &micro_credential_with_status(index),
        );
        let signed = ref_sign(&[
            OsStr::new("credential"),
            OsStr::new("--seed"),
            OsStr::new(SEED_HEX),
            input.as_os_str(),
        ]);
        let file = write_json(dir.path(), &format!("with-status-{index}.json"), &signed);
        let (code, report) = ours_verify_with(&status_opts, &file);
        let theirs = ref_verify_one(&ref_opts, &file);
        if revoked {
            assert_eq!(code, 1, "index {index}: {report}");
            assert!(
                report.contains("revoked") && report.contains("suspended"),
                "{report}"
            );
            assert!(!theirs.verified, "{theirs:?}");
        } else {
            assert_eq!(code, 0, "index {index}: {report}");
            assert!(theirs.verified, "{theirs:?}");
        }
    }
}

#[test]
fn our_status_lists_read_the_same_in_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = key(ISSUER_KEY);
    for purpose in [StatusPurpose::Revocation, StatusPurpose::Suspension] {
        let list = core_status_list(&issuer, purpose, &SET_BITS);
        let file = write_json(dir.path(), &format!("{purpose}.json"), &list);
        let mut args = vec!["read".to_owned(), file.display().to_string()];
        args.extend(SET_BITS.iter().chain(&CLEAR_BITS).map(ToString::to_string));
        let out: Value = serde_json::from_str(&node_ok("status.mjs", &args)).unwrap();
        assert_eq!(out["id"], format!("{STATUS_BASE}/{purpose}"));
        assert_eq!(out["issuer"], did_of(&issuer));
        assert_eq!(out["statusPurpose"], purpose.as_str());
        assert_eq!(out["length"], status_list::MIN_ENTRIES);
        for i in SET_BITS {
            assert_eq!(out["bits"][i.to_string()], true, "{purpose} bit {i}: {out}");
        }
        for i in CLEAR_BITS {
            assert_eq!(
                out["bits"][i.to_string()],
                false,
                "{purpose} bit {i}: {out}"
            );
        }
        // The reader checks the list's proof: a tampered list is refused.
        let mut bad = list.clone();
        bad["validFrom"] = "2025-03-02T00:00:00Z".into();
        let bad = write_json(dir.path(), &format!("{purpose}-bad.json"), &bad);
        let out = node_run(
            "status.mjs",
            [OsStr::new("read"), bad.as_os_str(), OsStr::new("0")],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("not verified"), "{}", stderr(&out));
    }
}

// ---------------------------------------------------------------------------------------
// 4. JSON-LD: every term defined, in safe mode
// ---------------------------------------------------------------------------------------

#[test]
fn our_documents_pass_jsonld_safe_mode_expansion() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = key(ISSUER_KEY);
    let signed = ours_issue(dir.path(), "micro-credential", &micro_credential());
    let with_status = ours_issue(dir.path(), "with-status", &micro_credential_with_status(7));
    // Micro-credentials: expansion passes, and undefined members injected anywhere fail.
    let micro = [
        repo("keys-example/micro-credential.unsigned.json"),
        signed.clone(),
        with_status,
    ];
    let mut args = vec![OsStr::new("--negative")];
    args.extend(micro.iter().map(|p| p.as_os_str()));
    let out = node_ok("jsonld-expand-check.mjs", &args);
    assert_eq!(out.matches("PASS").count(), micro.len() * 6, "{out}");
    assert!(!out.contains("FAIL") && !out.contains("SKIP"), "{out}");

    // Presentations, status lists and plain VCs: expansion passes.
    let others = [
        write_json(
            dir.path(),
            "vp.json",
            &core_presentation(&key(LEARNER_KEY), vec![read_json(&signed)]),
        ),
        write_json(
            dir.path(),
            "list.json",
            &core_status_list(&issuer, StatusPurpose::Revocation, &[1]),
        ),
        ours_issue(dir.path(), "plain-vc", &plain_vc(&did_of(&issuer))),
    ];
    let out = node_ok("jsonld-expand-check.mjs", &others);
    assert_eq!(out.matches("PASS").count(), others.len(), "{out}");

    // And the check has teeth on them too.
    let mut vp = read_json(&others[0]);
    vp["verifiableCredential"][0]["credentialSubject"]["undefinedTerm"] = 1.into();
    let vp = write_json(dir.path(), "vp-undefined.json", &vp);
    let out = node_run("jsonld-expand-check.mjs", [&vp]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("FAIL"), "{}", stdout(&out));
}

// ---------------------------------------------------------------------------------------
// 5. Malformed and tampered inputs: both reject
// ---------------------------------------------------------------------------------------

/// Malformed or invalid variants of a credential signed by the example university, each
/// named after why it must fail.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let issuer = key(ISSUER_KEY);
    let learner = key(LEARNER_KEY);
    let sign = |doc: &Value, k: &SecretKey| core_sign(doc, k, ProofPurpose::AssertionMethod, None);
    let unsigned = micro_credential();
    let good = sign(&unsigned, &issuer);
    let text = serde_json::to_string_pretty(&good).unwrap();
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut bytes = |name: &str, b: Vec<u8>| out.push((name.to_owned(), b));

    bytes("not-json", b"{\"@context\": [".to_vec());
    bytes("empty", Vec::new());
    bytes("array", b"[]".to_vec());
    bytes("string", b"\"credential\"".to_vec());
    bytes(
        "byte-order-mark",
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
    );
    bytes("trailing-garbage", format!("{text} x").into_bytes());
    // A second validFrom member after the first: last-one-wins readers see a tampered value.
    bytes(
        "duplicate-member-tampered-last",
        text.replacen(
            "\"validFrom\": \"2025-03-01T00:00:00Z\",",
            "\"validFrom\": \"2025-03-01T00:00:00Z\", \"validFrom\": \"2025-03-02T00:00:00Z\",",
            1,
        )
        .into_bytes(),
    );

    let mut docs: Vec<(String, Value)> = tampered(&good);
    let mut doc = |name: &str, v: Value| docs.push((name.to_owned(), v));
    doc("unsigned", unsigned.clone());
    let mut v = good.clone();
    v["proof"] = "z3FXQ".into();
    doc("proof-not-an-object", v);
    let mut v = good.clone();
    v["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into();
    doc("cryptosuite-rdfc", v);
    let mut v = good.clone();
    v["proof"]["type"] = "Ed25519Signature2020".into();
    doc("proof-type-2020", v);
    let mut v = good.clone();
    v["proof"]["proofPurpose"] = "authentication".into();
    doc("purpose-authentication", v);
    let mut v = good.clone();
    v["proof"]["@context"] = json!([contexts::OB_V3P0]);
    doc("proof-context-not-a-prefix", v);
    let mut v = good.clone();
    let pv = v["proof"]["proofValue"].as_str().unwrap().to_owned();
    v["proof"]["proofValue"] = pv[..pv.len() - 4].into();
    doc("proof-value-truncated", v);
    let mut v = good.clone();
    v["proof"]["proofValue"] = "not-multibase".into();
    doc("proof-value-not-multibase", v);
    let mut v = good.clone();
    v["proof"]["proofValue"] = non_canonical_s(&pv).into();
    doc("proof-value-non-canonical-s", v);
    let mut v = good.clone();
    v["proof"]["verificationMethod"] = learner.did_key().verification_method().into();
    doc("verification-method-of-another-key", v);
    let mut v = good.clone();
    v["proof"]["verificationMethod"] =
        format!("{}#{}", did_of(&issuer), learner.did_key().multibase()).into();
    doc("verification-method-fragment-mismatch", v);
    let mut v = good.clone();
    v["proof"]["verificationMethod"] = "did:web:uni.example#key-1".into();
    doc("verification-method-did-web", v);
    let mut v = good.clone();
    v["proof"]["created"] = "yesterday".into();
    doc("proof-created-not-a-date", v);
    doc("signed-by-another-key", sign(&unsigned, &learner));

    let mut resigned = |name: &str, change: &dyn Fn(&mut Value)| {
        let mut v = unsigned.clone();
        change(&mut v);
        docs.push((name.to_owned(), sign(&v, &issuer)));
    };
    resigned("expired", &|v| {
        v["validUntil"] = "2020-01-01T00:00:00Z".into()
    });
    resigned("not-yet-valid", &|v| {
        v["validFrom"] = "2099-01-01T00:00:00Z".into()
    });
    resigned("valid-from-not-a-date", &|v| {
        v["validFrom"] = "last spring".into()
    });
    resigned("no-issuer", &|v| {
        v.as_object_mut().unwrap().remove("issuer");
    });
    resigned("no-credential-subject", &|v| {
        v.as_object_mut().unwrap().remove("credentialSubject");
    });
    resigned("no-verifiable-credential-type", &|v| {
        v["type"] = json!(["OpenBadgeCredential"]);
    });
    resigned("first-context-not-vc-v2", &|v| {
        v["@context"].as_array_mut().unwrap().swap(0, 1);
    });

    out.extend(
        docs.into_iter()
            .map(|(n, v)| (n, serde_json::to_vec_pretty(&v).unwrap())),
    );
    out
}

/// The same signature with S replaced by S + ℓ (a non-canonical encoding that
/// `verify_strict` and RFC 8032 reject).
fn non_canonical_s(proof_value: &str) -> String {
    let mut sig = microcred_core::multibase::decode_base58btc(proof_value).unwrap();
    // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let sum = u16::from(sig[32 + i]) + u16::from(*l) + carry;
        sig[32 + i] = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    microcred_core::multibase::encode_base58btc(&sig)
}

#[test]
fn both_implementations_reject_every_malformed_or_tampered_file() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    assert_eq!(corpus.len(), 37, "docs/interop.md counts the corpus");
    let files: Vec<PathBuf> = corpus
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(format!("{name}.json"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let mut disagreements = Vec::new();
    for (file, verdict) in files.iter().zip(ref_verify(&[], &files)) {
        let (code, report) = ours_verify(file);
        let ours_rejects = code == 1 || code == 2;
        if verdict.verified || !ours_rejects {
            disagreements.push(format!(
                "{}: reference verified={} ({:?}); microcred-verify exit {code}: {report}",
                file.file_name().unwrap().to_string_lossy(),
                verdict.verified,
                verdict.error
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "accepted by at least one implementation:\n{}",
        disagreements.join("\n")
    );
    // The corpus is made from a credential both accept.
    let good = core_sign(
        &micro_credential(),
        &key(ISSUER_KEY),
        ProofPurpose::AssertionMethod,
        None,
    );
    let good = write_json(dir.path(), "good.json", &good);
    assert_eq!(ours_verify(&good).0, 0);
    assert!(ref_verify_one(&[], &good).verified);
}

/// An integer beyond ±(2^53−1) written by the reference itself (JSON.stringify of the
/// double 2^60, which ECMAScript prints as 1152921504606847000, as RFC 8785 does):
/// it was the one case where we refused what the reference signs; now both verify
/// it, and one digit changed (no double's form) is refused by us, not verified by it.
#[test]
fn a_reference_signed_integer_beyond_2_53_verifies_in_both() {
    let dir = tempfile::tempdir().unwrap();
    let mut unsigned = plain_vc("ISSUER");
    unsigned["credentialSubject"]["big"] = json!(1u64 << 60);
    let input = write_json(dir.path(), "big.in.json", &unsigned);
    let signed_text = node_ok("sign.mjs", [OsStr::new("credential"), input.as_os_str()]);
    assert!(
        signed_text.contains("\"big\": 1152921504606847000"),
        "{signed_text}"
    );
    let signed = dir.path().join("big.json");
    std::fs::write(&signed, &signed_text).unwrap();
    assert!(ref_verify_one(&[], &signed).verified);
    let (code, report) = ours_verify(&signed);
    assert_eq!(code, 0, "{report}");
    // The exact value of 2^60 is not how any double is written: refused as input.
    let exact = dir.path().join("big-exact.json");
    std::fs::write(
        &exact,
        signed_text.replace("1152921504606847000", "1152921504606846976"),
    )
    .unwrap();
    let (code, report) = ours_verify(&exact);
    assert_eq!(code, 2, "{report}");
}

/// Where the two differ, we are the stricter one. Each case is recorded in
/// `docs/interop.md`; if the reference changes, this test says so.
#[test]
fn where_the_implementations_differ_ours_is_stricter() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = key(ISSUER_KEY);
    let good = core_sign(
        &micro_credential(),
        &issuer,
        ProofPurpose::AssertionMethod,
        None,
    );
    let text = serde_json::to_string_pretty(&good).unwrap();
    let mut cases: Vec<(&str, Vec<u8>, i32)> = Vec::new();

    // 1. Duplicate member whose last value is the signed one: JSON.parse keeps the last,
    //    I-JSON forbids duplicates, so what was signed is ambiguous.
    cases.push((
        "duplicate-member",
        text.replacen(
            "\"validFrom\": \"2025-03-01T00:00:00Z\",",
            "\"validFrom\": \"2099-01-01T00:00:00Z\", \"validFrom\": \"2025-03-01T00:00:00Z\",",
            1,
        )
        .into_bytes(),
        2,
    ));

    // 2. proofValue in base64url multibase ("u…"): eddsa-jcs-2022 requires base58btc.
    let mut v = good.clone();
    let sig =
        microcred_core::multibase::decode_base58btc(v["proof"]["proofValue"].as_str().unwrap())
            .unwrap();
    v["proof"]["proofValue"] = microcred_core::multibase::encode_base64url(&sig).into();
    cases.push(("proof-value-base64url", serde_json::to_vec(&v).unwrap(), 1));

    // 3. A small-order public key (the identity point) with R = identity, S = 0: that
    //    "signature" verifies for every message under cofactorless non-strict checks.
    let mut weak_key = vec![0xed, 0x01, 0x01];
    weak_key.resize(34, 0);
    let weak = microcred_core::multibase::encode_base58btc(&weak_key);
    let weak_did = format!("did:key:{weak}");
    let mut sig = vec![0x01];
    sig.resize(64, 0);
    let mut v = micro_credential();
    v["issuer"]["id"] = weak_did.clone().into();
    v["proof"] = json!({
        "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": CREATED,
        "verificationMethod": format!("{weak_did}#{weak}"), "proofPurpose": "assertionMethod",
        "@context": v["@context"].clone(),
        "proofValue": microcred_core::multibase::encode_base58btc(&sig),
    });
    cases.push((
        "small-order-key-forgery",
        serde_json::to_vec(&v).unwrap(),
        1,
    ));

    let files: Vec<PathBuf> = cases
        .iter()
        .map(|(name, bytes, _)| {
            let p = dir.path().join(format!("{name}.json"));
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    for ((name, _, expected), verdict) in cases.iter().zip(ref_verify(&[], &files)) {
        assert!(
            verdict.verified,
            "{name}: the reference now rejects it ({:?}): update docs/interop.md and move \
             the case to the agreed corpus",
            verdict.error
        );
        let (code, report) = ours_verify(Path::new(&verdict.file));
        assert_eq!(code, *expected, "{name}: {report}");
    }
}

// ---------------------------------------------------------------------------------------
// 6. eddsa-rdfc-2022 and proof sets (both suites)
// ---------------------------------------------------------------------------------------

/// The reference's per-proof verdicts: (cryptosuite, checked, verified).
fn ref_proofs(v: &RefVerdict) -> Vec<(String, bool, bool)> {
    v.proofs
        .iter()
        .map(|p| {
            (
                p["cryptosuite"].as_str().unwrap_or("").to_owned(),
                p["checked"].as_bool().unwrap(),
                p["verified"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// `microcred-verify --json OPTIONS… FILE`: (exit status, the report object).
fn ours_verify_json(options: &[&str], file: &Path) -> (i32, Value) {
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--json")
        .args(options)
        .arg(file)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap_or(-1), report)
}

/// The checks of a `--json` report that are about one proof: (proof index, check id,
/// outcome, message).
fn proof_checks(report: &Value) -> Vec<(usize, String, String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            Some((
                usize::try_from(c["proof"].as_u64()?).unwrap(),
                c["id"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
                c["message"].as_str().unwrap().to_owned(),
            ))
        })
        .collect()
}

/// Cryptosuites of a signed document's proofs, in order.
fn cryptosuites(doc: &Value) -> Vec<String> {
    match &doc["proof"] {
        Value::Array(set) => set.iter().collect(),
        p => vec![p],
    }
    .into_iter()
    .map(|p| p["cryptosuite"].as_str().unwrap().to_owned())
    .collect()
}

const JCS: &str = "eddsa-jcs-2022";
const RDFC: &str = "eddsa-rdfc-2022";

#[test]
fn our_rdfc_and_both_credentials_verify_in_the_reference_with_each_suite_and_tampered_fail() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = did_of(&key(ISSUER_KEY));
    let mut signed = Vec::new();
    for (name, unsigned) in [
        ("micro-credential", micro_credential()),
        ("plain-vc", plain_vc(&issuer)),
        ("with-status", micro_credential_with_status(7)),
    ] {
        for suite in ["rdfc", "both"] {
            let file = ours_issue_suite(dir.path(), &format!("{name}-{suite}"), &unsigned, suite);
            signed.push((suite, file));
        }
    }
    // The status lists the with-status credentials need (all bits clear).
    let issuer_key = key(ISSUER_KEY);
    let lists = [StatusPurpose::Revocation, StatusPurpose::Suspension].map(|purpose| {
        let list = core_status_list(&issuer_key, purpose, &[]);
        write_json(dir.path(), &format!("{purpose}.json"), &list)
            .display()
            .to_string()
    });
    let with = |suite: &'static str| {
        vec![
            "--suite",
            suite,
            "--status-list",
            lists[0].as_str(),
            "--status-list",
            lists[1].as_str(),
        ]
    };

    for (suite, file) in &signed {
        let doc = read_json(file);
        let expected: &[&str] = if *suite == "rdfc" {
            &[RDFC]
        } else {
            &[JCS, RDFC]
        };
        assert_eq!(cryptosuites(&doc), expected, "{}", file.display());
        // Each suite on its own: a wallet that knows only one cryptosuite checks that proof.
        for given in ["jcs", "rdfc", "both"] {
            let v = ref_verify_one(&with(given), file);
            let covers = |cs: &str| given == "both" || cs.ends_with(&format!("-{given}-2022"));
            if expected.iter().any(|cs| covers(cs)) {
                assert!(v.verified, "--suite {given} {}: {v:?}", file.display());
                for (cs, checked, verified) in ref_proofs(&v) {
                    assert_eq!(checked, covers(&cs), "{cs} with --suite {given}: {v:?}");
                    assert_eq!(verified, checked, "{cs} with --suite {given}: {v:?}");
                }
            } else {
                // An rdfc-only credential offers nothing to a JCS-only verifier.
                assert!(!v.verified, "--suite {given} {}: {v:?}", file.display());
            }
        }
        let (code, report) = ours_verify_with(&with("both")[2..], file);
        assert_eq!(code, 0, "{}: {report}", file.display());
    }

    let mut bad = Vec::new();
    for (_, file) in &signed {
        let name = file.file_stem().unwrap().to_str().unwrap().to_owned();
        bad.extend(write_all(dir.path(), &name, &tampered(&read_json(file))));
    }
    // Per credential: 1 added member, 2 per proof (created, proofValue) and 1 for the JCS
    // proof's @context, and the content changes (5 in the micro-credentials, 1 in the plain
    // VC): rdfc 8 + 8 + 4, both 11 + 11 + 7.
    assert_eq!(bad.len(), 49, "docs/interop.md counts them");
    assert_ref_rejects(&with("both"), &bad);
    for file in &bad {
        let (code, report) = ours_verify_with(&with("both")[2..], file);
        assert_eq!(code, 1, "microcred-verify {}: {report}", file.display());
    }
}

#[test]
fn reference_rdfc_credentials_verify_in_ours_and_tampered_copies_fail() {
    let dir = tempfile::tempdir().unwrap();
    let template = write_json(dir.path(), "template.json", &micro_credential());
    for suite in ["rdfc", "both"] {
        for (name, key_args) in [("fresh", vec![]), ("seed", vec!["--seed", SEED_HEX])] {
            let mut args = vec!["credential", "--suite", suite];
            args.extend(key_args.iter().copied());
            let mut args: Vec<&OsStr> = args.into_iter().map(OsStr::new).collect();
            args.push(template.as_os_str());
            let signed = ref_sign(&args);
            let expected: &[&str] = if suite == "rdfc" {
                &[RDFC]
            } else {
                &[JCS, RDFC]
            };
            assert_eq!(cryptosuites(&signed), expected);
            let issuer = signed["issuer"]["id"].as_str().unwrap().to_owned();
            if name == "seed" {
                assert_eq!(issuer, SEED_DID);
            }
            let outcomes = proof::verify_proofs(&signed, &DidKeyResolver);
            assert_eq!(outcomes.len(), expected.len());
            for (o, cs) in outcomes.iter().zip(expected) {
                assert_eq!(o.result, Ok(issuer.clone()), "{suite} {name} {cs}");
                assert_eq!(o.cryptosuite.as_deref(), Some(*cs));
            }
            let file = write_json(dir.path(), &format!("ref-{suite}-{name}.json"), &signed);
            let (code, report) = ours_verify_json(&[], &file);
            assert_eq!(code, 0, "{suite} {name}: {report}");
            let checks = proof_checks(&report);
            let proof_lines = checks.iter().filter(|c| c.1 == "proof").count();
            assert_eq!(proof_lines, expected.len(), "{report}");
            assert!(checks.iter().all(|c| c.2 == "pass"), "{report}");

            let bad = tampered(&signed);
            assert!(bad.len() >= 6, "{suite} {name}");
            for (how, bad) in bad {
                assert!(
                    proof::verify_proofs(&bad, &DidKeyResolver)
                        .iter()
                        .any(|o| o.result.is_err()),
                    "{suite} {name} {how}: every proof still verifies"
                );
                let file = write_json(dir.path(), &format!("bad-{suite}-{name}-{how}.json"), &bad);
                let (code, report) = ours_verify(&file);
                assert_eq!(
                    code, 1,
                    "microcred-verify accepts {suite} {name} {how}: {report}"
                );
            }
        }
    }
}

#[test]
fn reference_and_our_signer_make_identical_rdfc_proofs() {
    // The vc-di-eddsa eddsa-rdfc-2022 vector, reproduced by the reference.
    let dir = tempfile::tempdir().unwrap();
    let expected: Value =
        serde_json::from_slice(&read("tests/vectors/eddsa-rdfc-2022/signedDataInt.json")).unwrap();
    let spec = ref_sign(&[
        OsStr::new("credential"),
        OsStr::new("--suite"),
        OsStr::new("rdfc"),
        OsStr::new("--keep-issuer"),
        OsStr::new("--created"),
        OsStr::new(expected["proof"]["created"].as_str().unwrap()),
        OsStr::new("--key"),
        repo("tests/vectors/eddsa-rdfc-2022/keyPair.json").as_os_str(),
        repo("tests/vectors/eddsa-rdfc-2022/unsigned.json").as_os_str(),
    ]);
    assert_eq!(spec, expected);

    // Ours and theirs, same key, document and `created`: the same proofs, suite by suite.
    let issuer = did_of(&key(ISSUER_KEY));
    for (name, unsigned) in [
        ("micro-credential", micro_credential()),
        ("plain-vc", plain_vc(&issuer)),
        ("with-status", micro_credential_with_status(7)),
    ] {
        for suite in ["rdfc", "both"] {
            let ours = read_json(&ours_issue_suite(
                dir.path(),
                &format!("{name}-{suite}"),
                &unsigned,
                suite,
            ));
            let input = write_json(dir.path(), &format!("{name}.in.json"), &unsigned);
            let theirs = ref_sign(&[
                OsStr::new("credential"),
                OsStr::new("--suite"),
                OsStr::new(suite),
                OsStr::new("--created"),
                OsStr::new(CREATED),
                OsStr::new("--key"),
                repo(ISSUER_KEY).as_os_str(),
                input.as_os_str(),
            ]);
            assert_eq!(cryptosuites(&ours), cryptosuites(&theirs), "{name} {suite}");
            assert_eq!(
                String::from_utf8(jcs::canonicalize(&ours)).unwrap(),
                String::from_utf8(jcs::canonicalize(&theirs)).unwrap(),
                "{name} {suite}: different documents or proofs"
            );
        }
    }
}

#[test]
fn a_proof_set_with_one_forged_proof_is_rejected_by_both_which_name_the_proof() {
    let dir = tempfile::tempdir().unwrap();
    let good = read_json(&ours_issue_suite(
        dir.path(),
        "both",
        &micro_credential(),
        "both",
    ));
    assert_eq!(cryptosuites(&good), [JCS, RDFC]);

    // Forgeries of one proof of the two: a changed signature (each proof in turn), and an
    // eddsa-rdfc-2022 proof made by a key that is not the issuer's (the learner's).
    let mut forged_jcs = good.clone();
    flip_value_of(&mut forged_jcs["proof"][0]);
    let mut forged_rdfc = good.clone();
    flip_value_of(&mut forged_rdfc["proof"][1]);
    let mut jcs_only = good.clone();
    jcs_only["proof"] = good["proof"][0].clone();
    let learner = key(LEARNER_KEY);
    let mut options = ProofOptions::new(
        learner.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    options.created = Some(CREATED.into());
    let other_key = microcred_core::rdfc::add_proof(&jcs_only, &learner, &options).unwrap();
    assert_eq!(cryptosuites(&other_key), [JCS, RDFC]);

    for (name, doc, bad_index) in [
        ("forged-jcs", forged_jcs, 0_usize),
        ("forged-rdfc", forged_rdfc, 1),
        ("rdfc-by-another-key", other_key, 1),
    ] {
        let file = write_json(dir.path(), &format!("{name}.json"), &doc);
        // The reference, every proof required: rejected, and the failed proof is named.
        let v = ref_verify_one(&[], &file);
        assert!(!v.verified, "{name}: {v:?}");
        let proofs = ref_proofs(&v);
        for (i, (cs, checked, verified)) in proofs.iter().enumerate() {
            assert!(checked, "{name}: {v:?}");
            assert_eq!(*verified, i != bad_index, "{name} proof {i} ({cs}): {v:?}");
        }
        let which = format!("proof {} of 2 ({})", bad_index + 1, proofs[bad_index].0);
        assert!(
            v.error.as_deref().unwrap().contains(&which),
            "{name}: {v:?}"
        );
        // vc-js on its own accepts the document, since one proof verifies: pinned here and
        // in docs/interop.md ("Where they differ").
        let v = ref_verify_one(&["--any-proof"], &file);
        assert!(
            v.verified,
            "{name}: vc-js alone now rejects it, update docs: {v:?}"
        );

        // Ours: invalid, and the report says which proof failed.
        let (code, report) = ours_verify_json(&[], &file);
        assert_eq!(code, 1, "{name}: {report}");
        assert_eq!(report["valid"], false);
        let checks = proof_checks(&report);
        for i in 0..2 {
            let of_i: Vec<_> = checks.iter().filter(|c| c.0 == i).collect();
            assert!(of_i.iter().any(|c| c.1 == "proof"), "{name}: {report}");
            let failed: Vec<_> = of_i.iter().filter(|c| c.2 == "fail").collect();
            if i == bad_index {
                // The signature, or (another key) the issuer-key check of that proof.
                assert!(!failed.is_empty(), "{name} proof {i}: {report}");
            } else {
                assert!(failed.is_empty(), "{name} proof {i}: {report}");
            }
        }
        let (code, text) = ours_verify(&file);
        assert_eq!(code, 1);
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with('✗'))
            .unwrap_or_else(|| panic!("{name}: {text}"));
        assert!(
            line.contains(&format!("proof {} of 2", bad_index + 1)),
            "{name}: the first failed check does not say which proof: {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 7. Batch issuing with a ledger, revocation and suspension, driven by the CLI
// ---------------------------------------------------------------------------------------

/// Runs `microcred-sign ARGS…`, which must succeed; returns its stdout.
fn sign_ok<S: AsRef<OsStr>>(args: &[S]) -> String {
    let out = Command::new(bin("microcred-sign"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "microcred-sign {:?}: {}",
        args.iter()
            .map(|a| a.as_ref().to_owned())
            .collect::<Vec<_>>(),
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn cli_batch_revoke_suspend_and_status_lists_get_the_same_verdicts_in_both() {
    // The example micro-credential as a course template, for three learners.
    let mut template = micro_credential();
    template.as_object_mut().unwrap().remove("id");
    template["credentialSubject"]["id"] = "{{did}}".into();
    template["credentialSubject"]["identifier"][1]["identityHash"] = "{{name}}".into();
    let learners = "student,did,name\n\
        s1,did:key:z6MkrHj8BAUjxD7irGyPXdk9Xc5xdhMNU6rjUv4JR11HdGK1,Ana Andromeda\n\
        s2,did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG,Bo Bootes\n\
        s3,did:key:z6MkfrQREVqBjMDdZXbXZiEd6EXmrSGyaqt2jNYQA7EBRjCy,Cy Cygnus\n";

    for suite in [Some("jcs"), None] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let (_keydir, key) = private_copy(ISSUER_KEY);
        let template = write_json(d, "course.json", &template);
        let learners_file = d.join("learners.csv");
        std::fs::write(&learners_file, learners).unwrap();
        let ledger = d.join("ledger.sqlite");
        let out = d.join("out");
        let p = |p: &Path| p.as_os_str().to_owned();

        sign_ok(&[
            "ledger".into(),
            "init".into(),
            "--status-base-url".into(),
            STATUS_BASE.into(),
            "--ledger".into(),
            p(&ledger),
            "--key".into(),
            p(&key),
        ]);
        let mut batch: Vec<std::ffi::OsString> = vec!["batch".into(), "--key".into(), p(&key)];
        if let Some(suite) = suite {
            batch.extend(["--suite".into(), suite.into()]);
        }
        batch.extend([
            "--template".into(),
            p(&template),
            "--learners".into(),
            p(&learners_file),
            "--out".into(),
            p(&out),
            "--id-column".into(),
            "student".into(),
            "--ledger".into(),
            p(&ledger),
        ]);
        sign_ok(&batch);
        let files: Vec<PathBuf> = ["s1", "s2", "s3"]
            .iter()
            .map(|s| out.join(format!("{s}.json")))
            .collect();
        let docs: Vec<Value> = files.iter().map(|f| read_json(f)).collect();
        let expected: &[&str] = if suite.is_some() {
            &[JCS]
        } else {
            &[JCS, RDFC]
        };
        let mut indexes = Vec::new();
        for doc in &docs {
            assert_eq!(cryptosuites(doc), expected, "{suite:?}");
            let entries = doc["credentialStatus"].as_array().unwrap();
            assert_eq!(entries.len(), 2);
            assert_eq!(entries[0]["statusListIndex"], entries[1]["statusListIndex"]);
            indexes.push(entries[0]["statusListIndex"].as_str().unwrap().to_owned());
        }
        let id = |i: usize| docs[i]["id"].as_str().unwrap().to_owned();
        for (command, reason, i) in [("revoke", "plagiarism", 1), ("suspend", "under appeal", 2)] {
            sign_ok(&[
                command.into(),
                "--reason".into(),
                reason.into(),
                "--ledger".into(),
                p(&ledger),
                id(i).into(),
            ]);
        }
        let mut lists = Vec::new();
        for purpose in ["revocation", "suspension"] {
            let list = d.join(format!("{purpose}.json"));
            sign_ok(&[
                "status-list".into(),
                "--ledger".into(),
                p(&ledger),
                "--key".into(),
                p(&key),
                "--purpose".into(),
                purpose.into(),
                "--out".into(),
                p(&list),
            ]);
            lists.push(list.display().to_string());
        }

        // The reference's status checker reads the bits the ledger set.
        for (list, set) in lists.iter().zip([1, 2]) {
            let mut args = vec!["read".to_owned(), list.clone()];
            args.extend(indexes.iter().cloned());
            let bits: Value = serde_json::from_str(&node_ok("status.mjs", &args)).unwrap();
            for (i, index) in indexes.iter().enumerate() {
                assert_eq!(bits["bits"][index], i == set, "{list} {index}: {bits}");
            }
        }

        // Each credential: good, revoked, suspended — the same verdict in both.
        let status = [
            "--status-list",
            lists[0].as_str(),
            "--status-list",
            lists[1].as_str(),
        ];
        let suites: &[&str] = if suite.is_some() {
            &["jcs"]
        } else {
            &["jcs", "rdfc", "both"]
        };
        if suite.is_none() {
            dcc_reads_the_lists(d, &key, &ledger, &status, &files);
        }
        for given in suites {
            let mut opts = vec!["--suite", given];
            opts.extend(status);
            let verdicts = ref_verify(&opts, &files);
            for (i, v) in verdicts.iter().enumerate() {
                let (code, report) = ours_verify_with(&status, &files[i]);
                match i {
                    0 => {
                        assert!(v.verified, "{suite:?} --suite {given}: {v:?}");
                        assert_eq!(code, 0, "{report}");
                        assert!(report.contains("not revoked") && report.contains("not suspended"));
                    }
                    1 => {
                        let e = format!("revocation bit {} ", indexes[1]);
                        assert!(
                            !v.verified && v.error.as_deref().unwrap().contains(&e),
                            "{v:?}"
                        );
                        assert_eq!(code, 1, "{report}");
                        assert!(report.contains("✗ status          revoked"), "{report}");
                    }
                    _ => {
                        let e = format!("suspension bit {} ", indexes[2]);
                        assert!(
                            !v.verified && v.error.as_deref().unwrap().contains(&e),
                            "{v:?}"
                        );
                        assert_eq!(code, 1, "{report}");
                        assert!(report.contains("✗ status          suspended"), "{report}");
                    }
                }
            }
        }
    }
}

/// The DCC's verifier-core reads the lists `status-list` signs by default (good, revoked,
/// suspended: `files` in that order); a list signed with `--suite jcs` it cannot check.
fn dcc_reads_the_lists(d: &Path, key: &Path, ledger: &Path, status: &[&str], files: &[PathBuf]) {
    let v = dcc::dcc_verify(status, files);
    assert!(v[0].verified, "{:?}", v[0]);
    assert_eq!(v[0].log["revocation_status"], true, "{:?}", v[0]);
    assert!(!v[1].verified, "{:?}", v[1]);
    assert_eq!(v[1].log["revocation_status"], false, "{:?}", v[1]);
    assert_eq!(v[1].log["valid_signature"], true, "{:?}", v[1]);
    // Pinned: it reports revocation only; a suspended credential verifies there.
    assert!(v[2].verified, "{:?}", v[2]);
    assert_eq!(v[2].log["revocation_status"], true, "{:?}", v[2]);
    let jcs_list = d.join("revocation-jcs.json");
    sign_ok(&[
        OsStr::new("status-list"),
        OsStr::new("--suite"),
        OsStr::new("jcs"),
        OsStr::new("--ledger"),
        ledger.as_os_str(),
        OsStr::new("--key"),
        key.as_os_str(),
        OsStr::new("--purpose"),
        OsStr::new("revocation"),
        OsStr::new("--out"),
        jcs_list.as_os_str(),
    ]);
    let jcs_list = jcs_list.display().to_string();
    let v = dcc::dcc_verify(
        &["--status-list", &jcs_list, status[2], status[3]],
        &files[..1],
    );
    assert!(!v[0].verified);
    assert_eq!(
        v[0].log["revocation_status"], "status_list_signature_error",
        "{:?}",
        v[0]
    );
}

// The DCC's verifier-core (Learner Credential Wallet, VerifierPlus), offline.
mod dcc;
// VC-JWT against jose (npm).
mod jose;
// The second eddsa-rdfc-2022 reference (SpruceID ssi); ignored unless tests/ssi-check/run.sh runs it.
mod ssi;
// ecdsa-rdfc-2019 and ecdsa-jcs-2019 (P-256, P-384) against Digital Bazaar's ECDSA cryptosuites.
mod ecdsa;

// ---------------------------------------------------------------------------------------
// Ed25519Signature2020 (Digital Credentials Consortium / Learner Credential Wallet)
// ---------------------------------------------------------------------------------------

/// A VC 1.1 Open Badges credential, as Learner Credential Wallet holds them (the signing
/// script adds the Ed25519Signature2020 context and sets the issuer).
fn vc11_open_badge() -> Value {
    json!({
        "@context": [
            contexts::VC_V1,
            contexts::OB_V3P0_3_0_2,
        ],
        "id": "urn:uuid:6a9c1b2e-4d3f-4a5b-9c8d-7e6f5a4b3c2d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "ISSUER", "type": "Profile", "name": "Example University"},
        "issuanceDate": "2025-01-15T10:00:00Z",
        "expirationDate": "2030-01-15T10:00:00Z",
        "name": "Data Analysis Fundamentals",
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
fn reference_ed25519_signature_2020_credentials_verify_in_ours_and_tampered_copies_fail() {
    let dir = tempfile::tempdir().unwrap();
    let unsigned = write_json(dir.path(), "vc11.json", &vc11_open_badge());
    for (name, key_args) in [("fresh", vec![]), ("seed", vec!["--seed", SEED_HEX])] {
        let mut args: Vec<&OsStr> = key_args.iter().map(OsStr::new).collect();
        args.extend([OsStr::new("--created"), OsStr::new(CREATED)]);
        args.push(unsigned.as_os_str());
        let signed: Value = serde_json::from_str(&node_ok("sign-ed25519-2020.mjs", &args)).unwrap();
        assert_eq!(signed["proof"]["type"], "Ed25519Signature2020");
        let issuer = signed["issuer"]["id"].as_str().unwrap().to_owned();
        assert_eq!(name == "seed", issuer == SEED_DID);
        assert_eq!(core_verify(&signed), Ok(issuer.clone()), "{name}");
        let file = write_json(dir.path(), &format!("ref-2020-{name}.json"), &signed);
        let (code, report) = ours_verify_with(&["--at", "2026-01-01T00:00:00Z"], &file);
        assert_eq!(code, 0, "microcred-verify {name}: {report}");
        assert!(
            report.contains("Ed25519Signature2020 signature by"),
            "{report}"
        );
        // Expired by its VC 1.1 expirationDate: the signature holds, the validity fails.
        let (code, report) = ours_verify_with(&["--at", "2031-01-01T00:00:00Z"], &file);
        assert_eq!(code, 1, "{report}");
        assert!(report.contains("expirationDate"), "{report}");

        let mut bad = tampered(&signed);
        for pointer in ["/issuanceDate", "/expirationDate", "/name"] {
            let mut v = signed.clone();
            *v.pointer_mut(pointer).unwrap() = match pointer {
                "/name" => "Data Analysis Mastery".into(),
                _ => "2025-06-01T00:00:00Z".into(),
            };
            bad.push((format!("changed{}", pointer.replace('/', "-")), v));
        }
        let mut v = signed.clone();
        v["proof"]["proofPurpose"] = "authentication".into();
        bad.push(("proof-purpose".into(), v));
        for (how, bad) in bad {
            assert!(core_verify(&bad).is_err(), "{name} {how}");
            let file = write_json(dir.path(), &format!("bad-2020-{name}-{how}.json"), &bad);
            let (code, report) = ours_verify_with(&["--at", "2026-01-01T00:00:00Z"], &file);
            assert_ne!(code, 0, "microcred-verify accepts {name} {how}: {report}");
        }
    }
}

/// Documents that reach the newer corners of our JSON-LD: base directions (jsonld.js's
/// `rdfDirection: i18n-datatype`, the option of the Data Integrity suites), a context
/// object holding a nested `@context`, VC 1.1 and the older published contexts.
fn canonicalization_corpus() -> Vec<(&'static str, Value)> {
    let signed: Value = serde_json::from_slice(&read(
        "tests/vectors/ed25519-signature-2020/vc11-open-badge.signed.json",
    ))
    .unwrap();
    let mut vc11 = signed.clone();
    let proof = vc11.as_object_mut().unwrap().remove("proof").unwrap();
    let mut options = proof.clone();
    options.as_object_mut().unwrap().remove("proofValue");
    options["@context"] = signed["@context"].clone();
    let with_ob = |ob: &str| {
        let mut v = vc11.clone();
        v["@context"][1] = ob.into();
        v
    };
    vec![
        (
            "direction",
            json!({
                "@context": [contexts::VC_V2, {"@context": {"nick": "https://example.org/nick"}}],
                "type": ["VerifiableCredential"], "issuer": "did:example:1",
                "name": {"@value": "Ali", "@language": "AR", "@direction": "rtl"},
                "description": {"@value": "x", "@direction": "ltr"},
                "nick": "y",
                "credentialSubject": {"id": "did:example:2"}
            }),
        ),
        (
            "term-direction",
            json!({
                "@context": [contexts::VC_V2, {"@language": "he", "label": {
                    "@id": "https://example.org/label", "@language": "ar", "@direction": "rtl"
                }}],
                "type": ["VerifiableCredential"], "issuer": "did:example:1",
                "name": "שלום", "label": "مرحبا",
                "description": {"@value": "plain", "@language": null},
                "credentialSubject": {"id": "did:example:2"}
            }),
        ),
        (
            "nested-context-array",
            json!({
                "@context": {"@context": [contexts::VC_V2, {"nick": "https://example.org/nick"}]},
                "type": ["VerifiableCredential"], "issuer": "did:example:1", "nick": "z",
                "credentialSubject": {"id": "did:example:2"}
            }),
        ),
        ("vc11-open-badge", vc11.clone()),
        ("ed25519-2020-proof-options", options),
        ("ob-3.0.0", with_ob(contexts::OB_V3P0_3_0_0)),
        ("ob-3.0.1", with_ob(contexts::OB_V3P0_3_0_1)),
        (
            "status-list-2021",
            json!({
                "@context": [contexts::VC_V1, contexts::STATUS_LIST_2021_V1],
                "id": "https://uni.example/credentials/3732",
                "type": ["VerifiableCredential"],
                "issuer": "did:example:12345",
                "issuanceDate": "2021-04-05T14:27:42Z",
                "credentialStatus": {
                    "id": "https://uni.example/credentials/status/3#94567",
                    "type": "StatusList2021Entry",
                    "statusPurpose": "revocation",
                    "statusListIndex": "94567",
                    "statusListCredential": "https://uni.example/credentials/status/3"
                },
                "credentialSubject": {"id": "did:example:6789"}
            }),
        ),
        (
            "data-integrity-v1",
            json!({
                "@context": [contexts::VC_V1, contexts::DATA_INTEGRITY_V1],
                "type": ["VerifiableCredential"], "issuer": "did:example:1",
                "issuanceDate": "2021-04-05T14:27:42Z",
                "credentialSubject": {"id": "did:example:2"},
                "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                          "proofPurpose": "assertionMethod",
                          "verificationMethod": "did:example:1#key-1",
                          "created": "2021-04-05T14:27:42Z", "proofValue": "z111"}
            }),
        ),
    ]
}

#[test]
fn our_canonical_nquads_are_jsonld_js_ones_for_directions_nested_contexts_and_vc11() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = canonicalization_corpus();
    let files: Vec<PathBuf> = corpus
        .iter()
        .map(|(name, doc)| write_json(dir.path(), &format!("{name}.json"), doc))
        .collect();
    let out = node_ok("canonize.mjs", &files);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), corpus.len());
    for ((name, doc), theirs) in corpus.iter().zip(&lines) {
        let ours = microcred_core::rdfc::canonicalize(doc);
        match (theirs["nquads"].as_str(), ours) {
            (Some(t), Ok(o)) => assert_eq!(o, t, "{name}"),
            (None, Err(_)) => {}
            (t, o) => panic!("{name}: jsonld.js {t:?} / ours {o:?} ({theirs})"),
        }
        // Each reaches the feature it is about (a jsonld.js error would prove nothing).
        assert!(theirs["nquads"].is_string(), "{name}: {theirs}");
    }
}
