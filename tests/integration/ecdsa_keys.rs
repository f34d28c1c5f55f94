//! ECDSA issuing keys end to end, the binaries run as processes: `microcred-sign keygen
//! --type p256|p384` (encrypted and not, did:key and did:web), then `issue` (each suite
//! and VC-JWT), `present`, `batch`, `revoke` with `status-list`, and `change-passphrase`
//! with those keys. `microcred-verify` accepts what they sign and refuses tampered copies
//! as invalid (exit status 1), never as "cannot check".

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{bin, repo};
use crate::keys::{PASS, pass_file, read_json, run, sign, stderr, stdout};

/// A key made by `microcred-sign keygen` in its own directory.
struct Key {
    dir: tempfile::TempDir,
    path: PathBuf,
    did: String,
    /// The passphrase file of an encrypted key.
    pass: Option<PathBuf>,
}

impl Key {
    /// `keygen --type TYPE` (encrypted with [`PASS`] when `encrypted`), plus `extra` flags.
    fn new(key_type: &str, encrypted: bool, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = sign(["keygen", "--type", key_type]);
        cmd.args(extra).arg("--out").arg(dir.path());
        let pass = encrypted.then(|| pass_file(dir.path(), "pass", PASS));
        if let Some(p) = &pass {
            cmd.arg("--passphrase-file").arg(p);
        }
        let out = run(&mut cmd, 0, &[]);
        let did = stdout(&out).trim().to_owned();
        let name = extra
            .iter()
            .position(|a| *a == "--name")
            .map_or("issuer.key.json", |i| extra[i + 1]);
        let path = dir.path().join(name);
        let file = read_json(&path);
        // The secret never in clear in an encrypted file, and never on the terminal.
        assert_eq!(file.get("secretKeyMultibase").is_none(), encrypted);
        if let Some(secret) = file["secretKeyMultibase"].as_str() {
            assert!(!stderr(&out).contains(secret));
        }
        let name = if key_type == "p256" { "P-256" } else { "P-384" };
        assert!(
            stderr(&out).contains(&format!("({name} key, mode 0600")),
            "{}",
            stderr(&out)
        );
        Self {
            dir,
            path,
            did,
            pass,
        }
    }

    /// `microcred-sign SUBCOMMAND --key KEY [--passphrase-file P] OPTIONS`, where `args`
    /// is the subcommand's words and then its options.
    fn sign(&self, args: &[&str]) -> Command {
        let words = args.iter().take_while(|a| !a.starts_with("--")).count();
        let mut cmd = sign(&args[..words]);
        cmd.arg("--key").arg(&self.path);
        if let Some(p) = &self.pass {
            cmd.arg("--passphrase-file").arg(p);
        }
        cmd.args(&args[words..]);
        cmd
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// `microcred-verify --json [OPTIONS] FILE`: exit status and the report line.
fn verify(options: &[&std::ffi::OsStr], file: &Path) -> (Option<i32>, Value) {
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--json")
        .args(options)
        .arg(file)
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), line)
}

/// The messages of the report's proof checks.
fn proof_messages(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "proof")
        .map(|c| format!("{} {}", c["outcome"], c["message"]))
        .collect()
}

/// Asserts `file` verifies (a did:key issuer without a trust list is `unconfirmed`)
/// and that a copy with another name is refused as tampered.
fn assert_verifies_and_tamper_is_invalid(file: &Path, cryptosuites: &[&str]) {
    let (code, report) = verify(&[], file);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["verdict"], "unconfirmed", "{report}");
    let proofs = proof_messages(&report);
    assert_eq!(proofs.len(), cryptosuites.len(), "{proofs:?}");
    for (message, suite) in proofs.iter().zip(cryptosuites) {
        assert!(
            message.starts_with("\"pass\"") && message.contains(&format!("{suite} signature")),
            "{proofs:?}"
        );
    }
    let mut doc = read_json(file);
    doc["credentialSubject"]["name"] = "Mallory".into();
    let bad = file.with_extension("tampered.json");
    std::fs::write(&bad, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let (code, report) = verify(&[], &bad);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["verdict"], "invalid", "{report}");
    assert!(
        report["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "tampered"),
        "{report}"
    );
}

/// A credential to the learner `subject`, with the issuer filled by `issue`.
fn unsigned(dir: &Path, subject: &str) -> PathBuf {
    let mut doc = read_json(&repo("keys-example/micro-credential.unsigned.json"));
    doc["credentialSubject"]["id"] = subject.into();
    doc.as_object_mut().unwrap().shift_remove("issuer");
    let p = dir.join("unsigned.json");
    std::fs::write(&p, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    p
}

/// base64url without padding.
fn b64(bytes: &[u8]) -> String {
    microcred_core::multibase::encode_base64url(bytes)[1..].to_owned()
}

fn unb64(text: &str) -> Vec<u8> {
    microcred_core::multibase::decode_base64url(&format!("u{text}")).unwrap()
}

#[test]
fn p256_and_p384_keys_issue_every_suite_and_jwt_that_verify() {
    for (key_type, prefix, alg) in [
        ("p256", "did:key:zDn", "ES256"),
        ("p384", "did:key:z82", "ES384"),
    ] {
        for encrypted in [false, true] {
            let at = format!("{key_type} encrypted={encrypted}");
            let key = Key::new(key_type, encrypted, &[]);
            assert!(key.did.starts_with(prefix), "{at}: {}", key.did);
            let file = read_json(&key.path);
            assert_eq!(
                format!("did:key:{}", file["publicKeyMultibase"].as_str().unwrap()),
                key.did
            );
            let input = unsigned(key.dir.path(), "did:example:learner");
            for (suite, cryptosuites) in [
                (None, vec!["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]),
                (Some("both"), vec!["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]),
                (Some("jcs"), vec!["ecdsa-jcs-2019"]),
                (Some("rdfc"), vec!["ecdsa-rdfc-2019"]),
                (Some("ecdsa-rdfc-2019"), vec!["ecdsa-rdfc-2019"]),
            ] {
                let out_path = key.path(&format!("{}.json", suite.unwrap_or("default")));
                let mut cmd = key.sign(&["issue", "--out"]);
                cmd.arg(&out_path);
                if let Some(s) = suite {
                    cmd.args(["--suite", s]);
                }
                let out = run(cmd.arg(&input), 0, &[]);
                assert!(out.stderr.is_empty(), "{at}: {}", stderr(&out));
                let doc = read_json(&out_path);
                assert_eq!(doc["issuer"], key.did.as_str(), "{at}");
                assert_verifies_and_tamper_is_invalid(&out_path, &cryptosuites);
            }

            // A cryptosuite of the other family is refused, naming the one that fits.
            let out = run(
                key.sign(&["issue", "--suite", "eddsa-jcs-2022"])
                    .arg(&input),
                2,
                &[],
            );
            let err = stderr(&out);
            assert!(
                err.contains("eddsa-jcs-2022") && err.contains("ecdsa-jcs-2019"),
                "{at}: {err}"
            );

            // VC-JWT: the header's alg is the key's, the signature r ‖ s.
            let jwt = key.path("c.jwt");
            run(
                key.sign(&["issue", "--format", "jwt", "--out"])
                    .arg(&jwt)
                    .arg(&input),
                0,
                &[],
            );
            let token = std::fs::read_to_string(&jwt).unwrap();
            let parts: Vec<&str> = token.trim().split('.').collect();
            let header: Value = serde_json::from_slice(&unb64(parts[0])).unwrap();
            assert_eq!(header["alg"], alg, "{at}");
            assert_eq!(
                unb64(parts[2]).len(),
                if alg == "ES256" { 64 } else { 96 },
                "{at}"
            );
            let (code, report) = verify(&[], &jwt);
            assert_eq!(code, Some(0), "{at}: {report}");
            assert_eq!(report["format"]["alg"], alg, "{report}");
            // Another payload under the signature.
            let mut payload: Value = serde_json::from_slice(&unb64(parts[1])).unwrap();
            payload["name"] = "Doctorate".into();
            let forged = format!(
                "{}.{}.{}\n",
                parts[0],
                b64(&serde_json::to_vec(&payload).unwrap()),
                parts[2]
            );
            let bad = key.path("c-tampered.jwt");
            std::fs::write(&bad, forged).unwrap();
            let (code, report) = verify(&[], &bad);
            assert_eq!(code, Some(1), "{at}: {report}");
            assert_eq!(report["verdict"], "invalid", "{report}");
        }
    }
}

/// A P-256 learner key presents a credential a P-384 issuer key signed; the
/// presentation verifies with its challenge, and not with another.
#[test]
fn a_p256_learner_presents_a_credential_of_a_p384_issuer() {
    let issuer = Key::new("p384", false, &[]);
    let learner = Key::new("p256", true, &["--name", "learner.key.json"]);
    let input = unsigned(issuer.dir.path(), &learner.did);
    let credential = issuer.path("credential.json");
    run(
        issuer
            .sign(&["issue", "--out"])
            .arg(&credential)
            .arg(&input),
        0,
        &[],
    );
    let vp = learner.path("vp.json");
    run(
        learner
            .sign(&["present", "--challenge", "nonce-1", "--out"])
            .arg(&vp)
            .arg(&credential),
        0,
        &[],
    );
    let doc = read_json(&vp);
    assert_eq!(doc["holder"], learner.did.as_str());
    let (code, report) = verify(&["--challenge".as_ref(), "nonce-1".as_ref()], &vp);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["kind"], "presentation", "{report}");
    let proofs = proof_messages(&report);
    assert!(proofs.iter().any(|m| m.contains("ecdsa-")), "{proofs:?}");
    let (code, report) = verify(&["--challenge".as_ref(), "nonce-2".as_ref()], &vp);
    assert_eq!(code, Some(1), "{report}");

    // The same as JWTs: an ES384 credential inside an ES256 VP-JWT.
    let token = issuer.path("credential.jwt");
    run(
        issuer
            .sign(&["issue", "--format", "jwt", "--out"])
            .arg(&token)
            .arg(&input),
        0,
        &[],
    );
    let vp_jwt = learner.path("vp.jwt");
    run(
        learner
            .sign(&[
                "present",
                "--format",
                "jwt",
                "--challenge",
                "nonce-1",
                "--out",
            ])
            .arg(&vp_jwt)
            .arg(&token),
        0,
        &[],
    );
    let header = std::fs::read_to_string(&vp_jwt).unwrap();
    let header = header.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&unb64(header)).unwrap();
    assert_eq!(header["alg"], "ES256", "{header}");
    let (code, report) = verify(&["--challenge".as_ref(), "nonce-1".as_ref()], &vp_jwt);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["kind"], "presentation", "{report}");
    let (code, report) = verify(&["--challenge".as_ref(), "nonce-2".as_ref()], &vp_jwt);
    assert_eq!(code, Some(1), "{report}");
}

/// A batch signed with a P-384 key (both suites by default, and JCS alone, which
/// takes the per-credential path with an ECDSA key) verifies, and a rerun finds its
/// files as they are (ECDSA signatures here are deterministic, RFC 6979).
#[test]
fn a_batch_with_a_p384_key_verifies_and_reruns() {
    let key = Key::new("p384", true, &[]);
    let template = key.path("course.json");
    std::fs::write(
        &template,
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "name": "Applied Statistics for {{name}}",
            "credentialSubject": {"id": "{{did}}", "name": "{{name}}"},
        })
        .to_string(),
    )
    .unwrap();
    let learners = key.path("l.csv");
    std::fs::write(
        &learners,
        "did,name\ndid:example:ada,Ada\ndid:example:bo,Bo\n",
    )
    .unwrap();
    for (suite, cryptosuites) in [
        ("both", vec!["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]),
        ("jcs", vec!["ecdsa-jcs-2019"]),
    ] {
        let out = key.path(suite);
        let batch = || {
            let mut c = key.sign(&["batch", "--suite", suite, "--template"]);
            c.arg(&template)
                .arg("--learners")
                .arg(&learners)
                .arg("--out")
                .arg(&out);
            c
        };
        run(&mut batch(), 0, &[]);
        let first = out.join("row-000001.json");
        let written = std::fs::read(&first).unwrap();
        assert_eq!(read_json(&first)["issuer"], key.did.as_str());
        let row = out.join("row-000002.json");
        assert_verifies_and_tamper_is_invalid(&row, &cryptosuites);
        std::fs::remove_file(row.with_extension("tampered.json")).unwrap();
        run(&mut batch(), 0, &[]);
        assert_eq!(std::fs::read(&first).unwrap(), written, "{suite}");
    }
    // The suite of the other family is refused before anything is written.
    let out = run(
        key.sign(&["batch", "--suite", "eddsa-rdfc-2022", "--template"])
            .arg(&template)
            .arg("--learners")
            .arg(&learners)
            .arg("--out")
            .arg(key.path("refused")),
        2,
        &[],
    );
    assert!(stderr(&out).contains("ecdsa-rdfc-2019"), "{}", stderr(&out));
    assert!(!key.path("refused").exists());
}

/// A ledger kept with a P-256 key: revoking a credential and signing the status list
/// again makes the credential invalid (revoked); the other stays valid.
#[test]
fn revoke_with_a_p256_key_and_the_status_list_verifies() {
    const BASE: &str = "https://uni.example/status/2025";
    let key = Key::new("p256", false, &[]);
    let ledger = key.path("ledger.sqlite");
    run(
        key.sign(&["ledger", "init", "--status-base-url", BASE, "--ledger"])
            .arg(&ledger),
        0,
        &[],
    );
    let input = unsigned(key.dir.path(), "did:example:learner");
    let issue = |name: &str, id: &str| {
        let mut doc = read_json(&input);
        doc["id"] = id.into();
        let unsigned = key.path(&format!("{name}.unsigned.json"));
        std::fs::write(&unsigned, serde_json::to_vec(&doc).unwrap()).unwrap();
        let out = key.path(name);
        run(
            key.sign(&["issue", "--ledger"])
                .arg(&ledger)
                .arg("--out")
                .arg(&out)
                .arg(&unsigned),
            0,
            &[],
        );
        out
    };
    let kept = issue("kept.json", "urn:uuid:6f1d6a3e-2c5b-4a51-9a0e-000000000001");
    let revoked = issue(
        "revoked.json",
        "urn:uuid:6f1d6a3e-2c5b-4a51-9a0e-000000000002",
    );
    run(
        sign(["revoke", "--reason", "error", "--ledger"])
            .arg(&ledger)
            .arg("urn:uuid:6f1d6a3e-2c5b-4a51-9a0e-000000000002"),
        0,
        &[],
    );
    let lists: Vec<PathBuf> = ["revocation", "suspension"]
        .iter()
        .map(|purpose| {
            let list = key.path(&format!("{purpose}.json"));
            run(
                key.sign(&["status-list", "--purpose", purpose, "--ledger"])
                    .arg(&ledger)
                    .arg("--out")
                    .arg(&list),
                0,
                &[],
            );
            let doc = read_json(&list);
            let cryptosuites: Vec<&str> = doc["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["cryptosuite"].as_str().unwrap())
                .collect();
            assert_eq!(cryptosuites, ["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]);
            list
        })
        .collect();
    let mut options: Vec<&std::ffi::OsStr> = Vec::new();
    for l in &lists {
        options.push("--status-list".as_ref());
        options.push(l.as_os_str());
    }
    let (code, report) = verify(&options, &kept);
    assert_eq!(code, Some(0), "{report}");
    let (code, report) = verify(&options, &revoked);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["reasons"][0]["code"], "revoked", "{report}");

    // A status list whose proof is tampered cannot say the credential is not revoked.
    let mut bad = read_json(&lists[0]);
    bad["validUntil"] = "2099-01-01T00:00:00Z".into();
    std::fs::write(&lists[0], serde_json::to_vec(&bad).unwrap()).unwrap();
    let (code, report) = verify(&options, &kept);
    assert_ne!(code, Some(0), "{report}");
    assert_ne!(report["verdict"], "valid", "{report}");
}

/// A did:web P-256 key: the DID document's Multikey is the P-256 key, and a credential
/// it signs is valid with that document in a trust list. Its passphrase can change.
#[test]
fn a_did_web_p256_key_signs_for_its_did_document_and_changes_passphrase() {
    let key = Key::new("p256", true, &["--did-web", "uni.example"]);
    assert_eq!(key.did, "did:web:uni.example");
    let doc = read_json(&key.path("did.json"));
    let method = &doc["verificationMethod"][0];
    assert_eq!(method["type"], "Multikey");
    assert!(
        method["publicKeyMultibase"]
            .as_str()
            .unwrap()
            .starts_with("zDn"),
        "{doc}"
    );
    assert_eq!(
        method["publicKeyMultibase"],
        read_json(&key.path)["publicKeyMultibase"]
    );
    let trust = key.path("trust.json");
    std::fs::write(
        &trust,
        json!({
            "type": "MicrocredTrustList",
            "version": 1,
            "issuers": [{"id": key.did, "name": "University of Example", "didDocument": doc}],
        })
        .to_string(),
    )
    .unwrap();

    // The passphrase changes; the key and its DID stay.
    let new = pass_file(key.dir.path(), "new", "another long passphrase");
    let before = read_json(&key.path);
    run(
        key.sign(&["change-passphrase", "--new-passphrase-file"])
            .arg(&new),
        0,
        &[],
    );
    let after = read_json(&key.path);
    assert_eq!(after["publicKeyMultibase"], before["publicKeyMultibase"]);
    assert_ne!(after["encrypted"], before["encrypted"]);
    // The old passphrase no longer opens it.
    let input = unsigned(key.dir.path(), "did:example:learner");
    let out = run(key.sign(&["issue"]).arg(&input), 2, &[]);
    assert!(
        stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );

    let key = Key {
        pass: Some(new),
        ..key
    };
    let signed = key.path("signed.json");
    run(
        key.sign(&["issue", "--out"]).arg(&signed).arg(&input),
        0,
        &[],
    );
    let (code, report) = verify(&["--trust".as_ref(), trust.as_os_str()], &signed);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["verdict"], "valid", "{report}");
}

/// `microcred-server` issues with an encrypted P-384 key: the proof set of the ecdsa
/// suites, which `microcred-verify` accepts; a cryptosuite of the other family in its
/// configuration is refused at start.
#[test]
fn the_server_issues_with_an_ecdsa_key() {
    use crate::server::{Server, TOKEN};
    let key = Key::new("p384", true, &[]);
    let config = |suite: &str| {
        format!(
            "[issuer]\nkey = {:?}\npassphrase_file = {:?}\nname = \"University of Example\"\ntoken_file = \"token\"\n{suite}",
            key.path.display().to_string(),
            key.pass.as_ref().unwrap().display().to_string(),
        )
    };
    let server = Server::start_with(&config(""));
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": read_json(&unsigned(key.dir.path(), "did:example:learner"))}),
    );
    assert_eq!(status, 201, "{body}");
    let vc = &body["verifiableCredential"];
    assert_eq!(vc["issuer"]["id"], key.did.as_str());
    let file = key.path("from-server.json");
    std::fs::write(&file, serde_json::to_vec_pretty(vc).unwrap()).unwrap();
    assert_verifies_and_tamper_is_invalid(&file, &["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]);

    let token = key.path("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    crate::keys::set_mode(&token, 0o600);
    let path = key.path("bad.toml");
    std::fs::write(&path, config("suite = \"eddsa-rdfc-2022\"\n")).unwrap();
    let out = Command::new(bin("microcred-server"))
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[issuer] suite") && err.contains("ecdsa-rdfc-2019"),
        "{err}"
    );
}
