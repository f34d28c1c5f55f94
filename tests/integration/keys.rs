//! `microcred-sign keygen` and secret keys at rest, run as processes: encryption,
//! passphrase sources, did:web, overwrite protection — and no secret in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use microcred_core::did_key;
use microcred_core::proof::{self, KeyResolver, ResolveError, ResolvedMethod};
use serde_json::Value;

use crate::common::{bin, private_copy, repo, text};

/// A passphrase used by these tests; it must never appear in any output.
pub(crate) const PASS: &str = "correct horse battery staple";

/// `microcred-sign` with ARGS, stdin closed (so no prompt can wait for a person).
pub(crate) fn sign<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(bin("microcred-sign"));
    cmd.args(args).stdin(Stdio::null());
    cmd
}

/// Runs `cmd`, asserts its exit code and that none of `secrets` (nor [`PASS`]) appears
/// on stdout or stderr.
pub(crate) fn run(cmd: &mut Command, code: i32, secrets: &[&str]) -> Output {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{cmd:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    for s in secrets.iter().chain([&PASS]) {
        assert!(!stdout.contains(s), "a secret reached stdout: {stdout}");
        assert!(!stderr.contains(s), "a secret reached stderr: {stderr}");
    }
    out
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Writes a passphrase file (mode 0600) holding `pass` and a newline.
pub(crate) fn pass_file(dir: &Path, name: &str, pass: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{pass}\n")).unwrap();
    set_mode(&p, 0o600);
    p
}

pub(crate) fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// The secretKeyMultibase of a checked-in example key.
pub(crate) fn example_secret(path: &str) -> String {
    let v: Value = serde_json::from_str(&text(path)).unwrap();
    v["secretKeyMultibase"].as_str().unwrap().to_owned()
}

pub(crate) fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Changes one character of an encrypted key file's ciphertext (the AEAD must refuse it).
pub(crate) fn flip_ciphertext(file: &mut Value) {
    let ct = file["encrypted"]["ciphertext"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}{}",
        &ct[..10],
        if &ct[10..11] == "A" { "B" } else { "A" },
        &ct[11..]
    );
    file["encrypted"]["ciphertext"] = flipped.into();
}

/// Generates an encrypted did:key in `dir` with the passphrase in a file; returns
/// (key path, passphrase file, did).
pub(crate) fn encrypted_key(dir: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    let pf = pass_file(dir, &format!("{name}.pass"), PASS);
    let out = run(
        sign(["keygen", "--name", name, "--passphrase-file"])
            .arg(&pf)
            .arg("--out")
            .arg(dir),
        0,
        &[],
    );
    (dir.join(name), pf, stdout(&out).trim().to_owned())
}

#[test]
fn encrypted_key_round_trip_through_issue_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (key, pf, did) = encrypted_key(dir.path(), "issuer.key.json");
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Public parts in clear, no secret in clear, KDF parameters stored.
    let file = read_json(&key);
    assert_eq!(file["type"], "Multikey");
    assert_eq!(file["controller"], did.as_str());
    assert_eq!(
        format!("did:key:{}", file["publicKeyMultibase"].as_str().unwrap()),
        did
    );
    assert!(file.get("secretKeyMultibase").is_none());
    let enc = &file["encrypted"];
    assert_eq!(enc["scheme"], "microcred-encrypted-key-v1");
    assert_eq!(enc["kdf"]["algorithm"], "argon2id");
    assert_eq!(enc["kdf"]["memoryKiB"], 65536);
    assert_eq!(enc["aead"]["algorithm"], "xchacha20-poly1305");
    // Random salt and nonce: a second key with the same passphrase differs in both.
    let (key2, _, _) = encrypted_key(dir.path(), "second.key.json");
    let file2 = read_json(&key2);
    assert_ne!(file2["encrypted"]["kdf"]["salt"], enc["kdf"]["salt"]);
    assert_ne!(file2["encrypted"]["aead"]["nonce"], enc["aead"]["nonce"]);

    // The key signs once opened, and the result verifies.
    let signed = dir.path().join("signed.json");
    let out = run(
        sign(["issue", "--passphrase-file"])
            .arg(&pf)
            .arg("--key")
            .arg(&key)
            .arg("--out")
            .arg(&signed)
            .arg(repo("tests/vectors/eddsa-jcs-2022/unsigned.json"))
            .arg("--set-issuer"),
        0,
        &[],
    );
    assert!(stderr(&out).contains("replaced by the key's controller"));
    let doc = read_json(&signed);
    assert_eq!(doc["issuer"], did.as_str());
    // The default proof set: eddsa-jcs-2022 and eddsa-rdfc-2022, both by the key.
    let outcomes = proof::verify_proofs(&doc, &proof::DidKeyResolver);
    assert_eq!(outcomes.len(), 2);
    for o in &outcomes {
        assert_eq!(o.result, Ok(did.clone()));
    }
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg(&signed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// The example issuer's did:key (keys-example/README.md).
pub(crate) const EXAMPLE_UNIVERSITY_DID: &str =
    "did:key:z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7";
/// The passphrase of tests/examples/example-university.encrypted-v1.key.json.
pub(crate) const EXAMPLE_ENCRYPTED_PASS: &str = "example passphrase, published with the key";

/// Key files as earlier versions wrote them keep opening: the checked-in plain example
/// keys, and an encrypted one written before the encryption moved into microcred-core
/// (tests/examples/README.md). Both sign as the same did:key.
#[test]
fn key_files_written_by_earlier_versions_still_open() {
    let (_plain_dir, plain) = private_copy("keys-example/example-university.key.json");
    let (dir, encrypted) = private_copy("tests/examples/example-university.encrypted-v1.key.json");
    let pf = pass_file(dir.path(), "pass", EXAMPLE_ENCRYPTED_PASS);
    let unsigned = repo("keys-example/micro-credential.unsigned.json");
    for (key, passphrase) in [(&plain, None), (&encrypted, Some(&pf))] {
        let mut cmd = sign([
            "issue",
            "--suite",
            "jcs",
            "--created",
            "2025-03-01T00:00:00Z",
        ]);
        cmd.arg("--key").arg(key).arg(&unsigned);
        if let Some(pf) = passphrase {
            cmd.arg("--passphrase-file").arg(pf);
        }
        let out = run(&mut cmd, 0, &[EXAMPLE_ENCRYPTED_PASS]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            proof::verify_proofs(&doc, &proof::DidKeyResolver)[0].result,
            Ok(EXAMPLE_UNIVERSITY_DID.to_owned()),
            "{}",
            key.display()
        );
    }
    // The library opens it too (the server's path), with the same key inside.
    let opened = microcred_core::key_encryption::decrypt(
        &std::fs::read(&encrypted).unwrap(),
        EXAMPLE_ENCRYPTED_PASS,
    )
    .unwrap();
    let plain_key =
        microcred_core::keys::KeyFile::from_json(&std::fs::read(&plain).unwrap()).unwrap();
    assert_eq!(
        opened.secret.as_ed25519().unwrap().expose_secret_seed(),
        plain_key.secret.as_ed25519().unwrap().expose_secret_seed()
    );
}

#[test]
fn wrong_missing_or_corrupted_passphrase_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _pf, _did) = encrypted_key(dir.path(), "issuer.key.json");
    let unsigned = repo("keys-example/micro-credential.unsigned.json");
    let out_file = dir.path().join("signed.json");
    let wrong = pass_file(dir.path(), "wrong.pass", "Tr0ub4dor&3-wrong");

    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&wrong)
            .arg("--out")
            .arg(&out_file)
            .arg(&unsigned),
        2,
        &["Tr0ub4dor&3-wrong"],
    );
    let err = stderr(&out);
    assert!(
        err.contains("wrong passphrase or corrupted key file"),
        "{err}"
    );
    assert!(err.contains("issuer.key.json"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!out_file.exists(), "nothing is written on failure");

    // No passphrase flag and no terminal: the flags are named.
    let out = run(sign(["issue", "--key"]).arg(&key).arg(&unsigned), 2, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("is encrypted") && err.contains("--passphrase-file"),
        "{err}"
    );

    // Empty or missing passphrase sources.
    let empty = pass_file(dir.path(), "empty.pass", "");
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&empty)
            .arg(&unsigned),
        2,
        &[],
    );
    assert!(stderr(&out).contains("is empty"), "{}", stderr(&out));
    let out = run(
        sign(["issue", "--passphrase-env", "MICROCRED_TEST_UNSET"])
            .env_remove("MICROCRED_TEST_UNSET")
            .arg("--key")
            .arg(&key)
            .arg(&unsigned),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("MICROCRED_TEST_UNSET") && stderr(&out).contains("is not set"),
        "{}",
        stderr(&out)
    );

    // A flipped ciphertext character: the AEAD refuses it, same clear message.
    let mut file = read_json(&key);
    flip_ciphertext(&mut file);
    std::fs::write(&key, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(dir.path().join("issuer.key.json.pass"))
            .arg(&unsigned),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("wrong passphrase or corrupted key file"),
        "{}",
        stderr(&out)
    );

    // Two passphrase sources at once: a usage error.
    let out = run(
        sign([
            "issue",
            "--passphrase-prompt",
            "--passphrase-env",
            "X",
            "--key",
        ])
        .arg(&key)
        .arg(&unsigned),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn passphrase_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        sign([
            "keygen",
            "--name",
            "learner.key.json",
            "--passphrase-env",
            "MC_PASS",
        ])
        .env("MC_PASS", PASS)
        .arg("--out")
        .arg(dir.path()),
        0,
        &[],
    );
    let did = stdout(&out).trim().to_owned();
    assert!(!stderr(&out).contains("unencrypted"), "{}", stderr(&out));
    let key = dir.path().join("learner.key.json");
    assert!(read_json(&key).get("encrypted").is_some());
    // Opened with the same passphrase from a file: the two sources agree.
    let pf = pass_file(dir.path(), "p", PASS);
    let mut unsigned = read_json(&repo("keys-example/micro-credential.unsigned.json"));
    unsigned["issuer"]["id"] = did.clone().into();
    let u = dir.path().join("u.json");
    std::fs::write(&u, serde_json::to_vec(&unsigned).unwrap()).unwrap();
    for (flag, value) in [("--passphrase-env", "MC_PASS"), ("--passphrase-file", "p")] {
        let value = if flag == "--passphrase-file" {
            pf.clone()
        } else {
            PathBuf::from(value)
        };
        let out = run(
            sign(["issue", flag])
                .arg(&value)
                .env("MC_PASS", PASS)
                .arg("--key")
                .arg(&key)
                .arg(&u),
            0,
            &[],
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            proof::verify_proofs(&doc, &proof::DidKeyResolver)[0].result,
            Ok(did.clone())
        );
    }
    // The wrong value in the variable fails like a wrong file.
    let out = run(
        sign(["issue", "--passphrase-env", "MC_PASS"])
            .env("MC_PASS", "not the passphrase")
            .arg("--key")
            .arg(&key)
            .arg(&u),
        2,
        &["not the passphrase"],
    );
    assert!(stderr(&out).contains("wrong passphrase or corrupted key file"));
}

#[test]
fn unencrypted_keys_still_work_and_passphrase_files_others_can_read_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(sign(["keygen", "--out"]).arg(dir.path()), 0, &[]);
    assert!(
        stderr(&out).contains("stored unencrypted"),
        "{}",
        stderr(&out)
    );
    let key = dir.path().join("issuer.key.json");
    let secret = read_json(&key)["secretKeyMultibase"]
        .as_str()
        .unwrap()
        .to_owned();
    // keygen itself printed only the DID and notes, never the secret it made.
    assert!(!stdout(&out).contains(&secret) && !stderr(&out).contains(&secret));
    assert!(stdout(&out).starts_with("did:key:z6Mk"));
    // A passphrase given for a plain key is not needed: said, and the key is used.
    let pf = pass_file(dir.path(), "p", PASS);
    let out = run(
        sign(["issue", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&pf)
            .arg(repo("tests/vectors/eddsa-jcs-2022/unsigned.json")),
        0,
        &[&secret],
    );
    assert!(stderr(&out).contains("not encrypted"), "{}", stderr(&out));

    #[cfg(unix)]
    {
        set_mode(&pf, 0o644);
        let out = run(
            sign(["keygen", "--name", "k2.json", "--passphrase-file"])
                .arg(&pf)
                .arg("--out")
                .arg(dir.path()),
            0,
            &[],
        );
        assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    }
}

/// Resolves did:web verification methods from one DID document, as the verifier does
/// from its trust file.
struct DocResolver(Value);

impl KeyResolver for DocResolver {
    fn resolve(&self, vm: &str) -> Result<ResolvedMethod, ResolveError> {
        let m = self.0["verificationMethod"]
            .as_array()
            .and_then(|a| a.iter().find(|m| m["id"] == vm))
            .ok_or(ResolveError::NotFound)?;
        let public_key = did_key::decode_multikey(m["publicKeyMultibase"].as_str().unwrap())?;
        let relationships = ["assertionMethod", "authentication"]
            .into_iter()
            .filter(|r| self.0[*r].as_array().unwrap().iter().any(|x| x == vm))
            .map(String::from)
            .collect();
        Ok(ResolvedMethod {
            controller: m["controller"].as_str().unwrap().to_owned(),
            public_key: public_key.into(),
            relationships,
        })
    }
}

#[test]
fn keygen_did_web_writes_a_did_document_whose_key_signs() {
    let dir = tempfile::tempdir().unwrap();
    let pf = pass_file(dir.path(), "p", PASS);
    let out = run(
        sign([
            "keygen",
            "--did-web",
            "uni.example:registrar",
            "--passphrase-file",
        ])
        .arg(&pf)
        .arg("--out")
        .arg(dir.path()),
        0,
        &[],
    );
    assert_eq!(stdout(&out), "did:web:uni.example:registrar\n");
    assert!(
        stderr(&out).contains("https://uni.example/registrar/did.json"),
        "{}",
        stderr(&out)
    );
    let key = dir.path().join("issuer.key.json");
    let file = read_json(&key);
    let vm = "did:web:uni.example:registrar#key-1";
    assert_eq!(file["id"], vm);
    assert_eq!(file["controller"], "did:web:uni.example:registrar");
    let doc = read_json(&dir.path().join("did.json"));
    assert_eq!(doc["id"], "did:web:uni.example:registrar");
    let method = &doc["verificationMethod"][0];
    assert_eq!(method["id"], vm);
    assert_eq!(method["type"], "Multikey");
    assert_eq!(method["controller"], "did:web:uni.example:registrar");
    assert_eq!(method["publicKeyMultibase"], file["publicKeyMultibase"]);
    assert_eq!(doc["assertionMethod"], serde_json::json!([vm]));
    assert_eq!(doc["authentication"], serde_json::json!([vm]));

    // Issue with it: the issuer is the did:web, and the proof verifies against did.json.
    let out = run(
        // The shared example's placeholder context is not bundled: sign the JSON as it is.
        sign([
            "issue",
            "--suite",
            "jcs",
            "--issuer-name",
            "University of Example",
            "--key",
        ])
        .arg(&key)
        .arg("--passphrase-file")
        .arg(&pf)
        .arg(repo("tests/examples/micro-credential.unsigned.json"))
        .arg("--set-issuer"),
        0,
        &[],
    );
    let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(signed["issuer"]["id"], "did:web:uni.example:registrar");
    assert_eq!(signed["proof"]["verificationMethod"], vm);
    let outcomes = proof::verify_proofs(&signed, &DocResolver(doc.clone()));
    assert_eq!(
        outcomes[0].result,
        Ok("did:web:uni.example:registrar".to_owned())
    );

    // A bare host publishes under /.well-known/.
    let dir2 = tempfile::tempdir().unwrap();
    let out = run(
        sign(["keygen", "--did-web", "uni.example", "--out"]).arg(dir2.path()),
        0,
        &[],
    );
    assert_eq!(stdout(&out), "did:web:uni.example\n");
    assert!(stderr(&out).contains("https://uni.example/.well-known/did.json"));

    // A URL is not a did:web id: refused before anything is written.
    let dir3 = tempfile::tempdir().unwrap();
    let out = run(
        sign([
            "keygen",
            "--did-web",
            "https://uni.example/registrar",
            "--out",
        ])
        .arg(dir3.path()),
        2,
        &[],
    );
    assert!(stderr(&out).contains("not a URL"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir3.path()).unwrap().count(), 0);
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(sign(["keygen", "--out"]).arg(dir.path()), 0, &[]);
    let key = dir.path().join("issuer.key.json");
    let before = std::fs::read(&key).unwrap();
    let out = run(sign(["keygen", "--out"]).arg(dir.path()), 2, &[]);
    assert!(
        stderr(&out).contains("exists; pass --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&key).unwrap(), before, "the key is untouched");
    assert!(out.stdout.is_empty());

    // An existing did.json blocks a did:web keygen before the key is written.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::write(dir2.path().join("did.json"), b"{}").unwrap();
    let out = run(
        sign(["keygen", "--did-web", "uni.example", "--out"]).arg(dir2.path()),
        2,
        &[],
    );
    assert!(stderr(&out).contains("did.json exists"), "{}", stderr(&out));
    assert!(!dir2.path().join("issuer.key.json").exists());

    // --force replaces the key: a new DID.
    let out = run(sign(["keygen", "--force", "--out"]).arg(dir.path()), 0, &[]);
    assert_ne!(stdout(&out), stdout(&first));
    assert_ne!(std::fs::read(&key).unwrap(), before);

    // --name is a file name, not a path out of DIR.
    let out = run(
        sign(["keygen", "--name", "../escape.json", "--out"]).arg(dir.path()),
        2,
        &[],
    );
    assert!(stderr(&out).contains("plain file name"), "{}", stderr(&out));
}

#[test]
fn help_of_each_subcommand_names_its_flags() {
    for (sub, flags) in [
        (
            "keygen",
            &[
                "--out",
                "--name",
                "--did-web",
                "--passphrase-file",
                "--passphrase-env",
                "--passphrase-prompt",
                "--force",
            ][..],
        ),
        (
            "issue",
            &[
                "--key",
                "--issuer-name",
                "--set-issuer",
                "--profile",
                "--allow-noncompliant",
                "--created",
                "--out",
                "--force",
                "--passphrase-file",
                "--passphrase-env",
                "--passphrase-prompt",
            ][..],
        ),
        (
            "present",
            &[
                "--key",
                "--challenge",
                "--domain",
                "--allow-other-subject",
                "--out",
                "--passphrase-file",
                "--passphrase-env",
                "--passphrase-prompt",
            ][..],
        ),
    ] {
        let out = run(&mut sign([sub, "--help"]), 0, &[]);
        let help = stdout(&out);
        for flag in flags {
            assert!(help.contains(flag), "{sub} --help lacks {flag}:\n{help}");
        }
    }
}
