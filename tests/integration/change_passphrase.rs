//! `microcred-sign change-passphrase`, run as a process: the key and its DID stay, only
//! the new passphrase opens the file, the file stays private, and every refusal leaves the
//! file byte for byte as it was — with no secret in any output.

use std::path::Path;

use microcred_core::proof;
use serde_json::Value;

use crate::common::{private_copy, repo};
use crate::keys::{
    EXAMPLE_ENCRYPTED_PASS, EXAMPLE_UNIVERSITY_DID, PASS, encrypted_key, example_secret,
    flip_ciphertext, pass_file, read_json, run, set_mode, sign, stderr, stdout,
};

/// The new passphrase of these tests; never printed either.
const NEW: &str = "a brand new passphrase, four words";

/// Signs the example credential (its issuer is the example university) with `key` and
/// extra flags; returns the exit code and stderr, and checks that a success verifies as
/// `did`.
fn issue_with(key: &Path, flags: &[&std::ffi::OsStr], did: &str) -> (i32, String) {
    let mut cmd = sign(["issue", "--suite", "jcs", "--set-issuer", "--key"]);
    cmd.arg(key)
        .args(flags)
        .arg(repo("keys-example/micro-credential.unsigned.json"));
    let out = cmd.output().unwrap();
    let err = stderr(&out);
    for secret in [PASS, NEW, EXAMPLE_ENCRYPTED_PASS] {
        assert!(!err.contains(secret), "{err}");
    }
    let code = out.status.code().unwrap();
    if code == 0 {
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            proof::verify_proofs(&doc, &proof::DidKeyResolver)[0].result,
            Ok(did.to_owned())
        );
    }
    (code, err)
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

/// Nothing but `expected` is left in `dir` (no temporary file of the rewrite).
fn only_files(dir: &Path, expected: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected);
}

/// The example key as an earlier version encrypted it: after the change the DID is the
/// same, the file is private and freshly encrypted, the new passphrase signs and the old
/// one no longer opens it.
#[test]
fn change_keeps_the_key_and_only_the_new_passphrase_opens_it() {
    let (dir, key) = private_copy("tests/examples/example-university.encrypted-v1.key.json");
    let old_pf = pass_file(dir.path(), "old.pass", EXAMPLE_ENCRYPTED_PASS);
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    let before = read_json(&key);

    let out = run(
        sign(["change-passphrase", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&old_pf)
            .arg("--new-passphrase-file")
            .arg(&new_pf),
        0,
        &[NEW, EXAMPLE_ENCRYPTED_PASS],
    );
    assert_eq!(stdout(&out), format!("{EXAMPLE_UNIVERSITY_DID}\n"));
    let err = stderr(&out);
    assert!(err.contains("passphrase changed"), "{err}");
    assert!(err.contains("backups of the old file"), "{err}");

    assert_eq!(mode(&key), 0o600);
    only_files(
        dir.path(),
        &[
            "example-university.encrypted-v1.key.json",
            "old.pass",
            "new.pass",
        ],
    );
    let after = read_json(&key);
    for member in ["@context", "type", "id", "controller", "publicKeyMultibase"] {
        assert_eq!(after[member], before[member], "{member}");
    }
    assert!(after.get("secretKeyMultibase").is_none());
    let (enc, old_enc) = (&after["encrypted"], &before["encrypted"]);
    assert_eq!(enc["scheme"], "microcred-encrypted-key-v1");
    assert_eq!(enc["kdf"]["algorithm"], "argon2id");
    assert_eq!(enc["kdf"]["memoryKiB"], 65536);
    assert_eq!(enc["aead"]["algorithm"], "xchacha20-poly1305");
    // Fresh salt and nonce, so a new ciphertext.
    assert_ne!(enc["kdf"]["salt"], old_enc["kdf"]["salt"]);
    assert_ne!(enc["aead"]["nonce"], old_enc["aead"]["nonce"]);
    assert_ne!(enc["ciphertext"], old_enc["ciphertext"]);
    let text = std::fs::read_to_string(&key).unwrap();
    let secret = example_secret("keys-example/example-university.key.json");
    assert!(!text.contains(&secret));

    let (code, err) = issue_with(
        &key,
        &["--passphrase-file".as_ref(), new_pf.as_os_str()],
        EXAMPLE_UNIVERSITY_DID,
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = issue_with(
        &key,
        &["--passphrase-file".as_ref(), old_pf.as_os_str()],
        EXAMPLE_UNIVERSITY_DID,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("wrong passphrase or corrupted key file"),
        "{err}"
    );
}

/// Every refusal: exit 2, a message saying why, and the key file byte-identical (and
/// still private).
#[test]
fn refusals_leave_the_file_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (key, pf, did) = encrypted_key(dir.path(), "issuer.key.json");
    let wrong = pass_file(dir.path(), "wrong.pass", "Tr0ub4dor&3-wrong");
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    let empty = pass_file(dir.path(), "empty.pass", "");
    let before = std::fs::read(&key).unwrap();
    let unchanged = |what: &str| {
        assert_eq!(
            std::fs::read(&key).unwrap(),
            before,
            "{what}: the file changed"
        );
        assert_eq!(mode(&key), 0o600, "{what}");
    };
    let change = || {
        let mut cmd = sign(["change-passphrase", "--key"]);
        cmd.arg(&key);
        cmd
    };

    // A wrong current passphrase: refused before the new one is read.
    let out = run(
        change()
            .arg("--passphrase-file")
            .arg(&wrong)
            .arg("--new-passphrase-file")
            .arg(&new_pf),
        2,
        &["Tr0ub4dor&3-wrong", NEW],
    );
    assert!(
        stderr(&out).contains("wrong passphrase or corrupted key file"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    unchanged("wrong current passphrase");

    // No current passphrase and no terminal: the flags are named.
    let out = run(
        change().arg("--new-passphrase-file").arg(&new_pf),
        2,
        &[NEW],
    );
    assert!(
        stderr(&out).contains("--passphrase-file"),
        "{}",
        stderr(&out)
    );
    unchanged("no current passphrase");

    // The new passphrase empty, unset, or the same as the current one.
    let out = run(
        change()
            .arg("--passphrase-file")
            .arg(&pf)
            .arg("--new-passphrase-file")
            .arg(&empty),
        2,
        &[],
    );
    assert!(stderr(&out).contains("is empty"), "{}", stderr(&out));
    unchanged("empty new passphrase");
    let out = run(
        change()
            .arg("--passphrase-file")
            .arg(&pf)
            .args(["--new-passphrase-env", "MICROCRED_TEST_UNSET_NEW"])
            .env_remove("MICROCRED_TEST_UNSET_NEW"),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("MICROCRED_TEST_UNSET_NEW is not set"),
        "{}",
        stderr(&out)
    );
    unchanged("unset new passphrase variable");
    let out = run(
        change()
            .arg("--passphrase-file")
            .arg(&pf)
            .args(["--new-passphrase-env", "MC_NEW"])
            .env("MC_NEW", PASS),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("the same as the current one"),
        "{}",
        stderr(&out)
    );
    unchanged("same passphrase");

    // No new passphrase flag, or two: usage errors.
    let out = run(change().arg("--passphrase-file").arg(&pf), 2, &[]);
    assert!(
        stderr(&out).contains("--new-passphrase-file"),
        "{}",
        stderr(&out)
    );
    unchanged("no new passphrase flag");
    let out = run(
        change()
            .arg("--passphrase-file")
            .arg(&pf)
            .arg("--new-passphrase-file")
            .arg(&new_pf)
            .arg("--remove-passphrase"),
        2,
        &[],
    );
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    unchanged("two new passphrase flags");

    // A key file others can read is refused as everywhere (and left as it is).
    set_mode(&key, 0o644);
    let out = run(
        change()
            .arg("--passphrase-file")
            .arg(&pf)
            .arg("--new-passphrase-file")
            .arg(&new_pf),
        2,
        &[],
    );
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o644);
    set_mode(&key, 0o600);
    unchanged("key file others can read");

    // After all that, the original passphrase still opens the key.
    let (code, err) = issue_with(&key, &["--passphrase-file".as_ref(), pf.as_os_str()], &did);
    assert_eq!(code, 0, "{err}");
    only_files(
        dir.path(),
        &[
            "issuer.key.json",
            "issuer.key.json.pass",
            "wrong.pass",
            "new.pass",
            "empty.pass",
        ],
    );
}

/// A corrupted key file, a file that is not a key, a directory, a missing file: refused
/// with a clear message, nothing written.
#[test]
fn corrupt_or_non_key_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (key, pf, _did) = encrypted_key(dir.path(), "issuer.key.json");
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    let change = |path: &Path, code: i32| {
        let before = std::fs::read(path).ok();
        let out = run(
            sign(["change-passphrase", "--key"])
                .arg(path)
                .arg("--passphrase-file")
                .arg(&pf)
                .arg("--new-passphrase-file")
                .arg(&new_pf),
            code,
            &[NEW],
        );
        assert_eq!(std::fs::read(path).ok(), before, "{}", path.display());
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        stderr(&out)
    };

    // One ciphertext character flipped: the AEAD refuses it.
    let mut file = read_json(&key);
    flip_ciphertext(&mut file);
    let corrupt = dir.path().join("corrupt.key.json");
    std::fs::write(&corrupt, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    set_mode(&corrupt, 0o600);
    let err = change(&corrupt, 2);
    assert!(
        err.contains("wrong passphrase or corrupted key file"),
        "{err}"
    );

    // Cut short: not JSON.
    let truncated = dir.path().join("truncated.key.json");
    let bytes = std::fs::read(&key).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    set_mode(&truncated, 0o600);
    let err = change(&truncated, 2);
    assert!(err.contains("cannot load the key"), "{err}");

    // A credential, not a key.
    let credential = dir.path().join("credential.json");
    std::fs::copy(
        repo("keys-example/micro-credential.unsigned.json"),
        &credential,
    )
    .unwrap();
    set_mode(&credential, 0o600);
    let err = change(&credential, 2);
    assert!(err.contains("not a Multikey key file"), "{err}");

    // A directory, a missing file.
    let err = change(dir.path(), 2);
    assert!(err.contains("is not a file"), "{err}");
    let err = change(&dir.path().join("missing.key.json"), 2);
    assert!(err.contains("cannot open"), "{err}");
}

/// An unencrypted key (as keygen writes without a passphrase flag) is encrypted in place;
/// --remove-passphrase turns it back into the same plain key.
#[test]
fn unencrypted_key_is_encrypted_and_can_be_decrypted_again() {
    let (dir, key) = private_copy("keys-example/example-university.key.json");
    let secret = example_secret("keys-example/example-university.key.json");
    let out = run(
        sign([
            "change-passphrase",
            "--new-passphrase-env",
            "MC_NEW",
            "--key",
        ])
        .arg(&key)
        .env("MC_NEW", NEW),
        0,
        &[&secret, NEW],
    );
    assert_eq!(stdout(&out), format!("{EXAMPLE_UNIVERSITY_DID}\n"));
    assert!(stderr(&out).contains(": encrypted"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("old file still hold the same key unencrypted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(mode(&key), 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(!text.contains(&secret), "{text}");
    assert!(read_json(&key).get("encrypted").is_some());
    // Now it needs the passphrase.
    let (code, err) = issue_with(&key, &[], EXAMPLE_UNIVERSITY_DID);
    assert_eq!(code, 2);
    assert!(err.contains("is encrypted"), "{err}");
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    let (code, err) = issue_with(
        &key,
        &["--passphrase-file".as_ref(), new_pf.as_os_str()],
        EXAMPLE_UNIVERSITY_DID,
    );
    assert_eq!(code, 0, "{err}");

    // Back to unencrypted: the same secret as the example file, and it signs without a
    // passphrase. The secret is written to the file only, never printed.
    let out = run(
        sign(["change-passphrase", "--remove-passphrase", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&new_pf),
        0,
        &[&secret, NEW],
    );
    assert!(stderr(&out).contains("UNENCRYPTED"), "{}", stderr(&out));
    assert_eq!(mode(&key), 0o600);
    assert_eq!(read_json(&key)["secretKeyMultibase"], secret.as_str());
    let (code, err) = issue_with(&key, &[], EXAMPLE_UNIVERSITY_DID);
    assert_eq!(code, 0, "{err}");

    // Nothing to remove from an unencrypted key.
    let before = std::fs::read(&key).unwrap();
    let out = run(
        sign(["change-passphrase", "--remove-passphrase", "--key"]).arg(&key),
        2,
        &[&secret],
    );
    assert!(stderr(&out).contains("not encrypted"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&key).unwrap(), before);
}

/// Through a symbolic link the file the link points to is rewritten (the link stays): a
/// rename over the link would leave the old file, still opened by the old passphrase. A
/// did:web key keeps its did:web id and controller.
#[cfg(unix)]
#[test]
fn a_symbolic_link_rewrites_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let pf = pass_file(dir.path(), "old.pass", PASS);
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    run(
        sign(["keygen", "--did-web", "uni.example", "--passphrase-file"])
            .arg(&pf)
            .arg("--out")
            .arg(&real),
        0,
        &[],
    );
    let target = real.join("issuer.key.json");
    let link = dir.path().join("issuer.key.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let before = read_json(&target);

    let out = run(
        sign(["change-passphrase", "--key"])
            .arg(&link)
            .arg("--passphrase-file")
            .arg(&pf)
            .arg("--new-passphrase-file")
            .arg(&new_pf),
        0,
        &[NEW],
    );
    assert_eq!(stdout(&out), "did:web:uni.example\n");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let after = read_json(&target);
    assert_eq!(after["id"], "did:web:uni.example#key-1");
    assert_eq!(after["controller"], "did:web:uni.example");
    assert_eq!(after["publicKeyMultibase"], before["publicKeyMultibase"]);
    assert_ne!(
        after["encrypted"]["ciphertext"],
        before["encrypted"]["ciphertext"]
    );
    assert_eq!(mode(&target), 0o600);
    only_files(&real, &["issuer.key.json", "did.json"]);
    // The library agrees: only the new passphrase opens the real file.
    let bytes = std::fs::read(&target).unwrap();
    assert!(microcred_core::key_encryption::decrypt(&bytes, PASS).is_err());
    let key = microcred_core::key_encryption::decrypt(&bytes, NEW).unwrap();
    assert_eq!(key.controller(), "did:web:uni.example");
}

#[test]
fn help_names_the_flags() {
    let out = run(&mut sign(["change-passphrase", "--help"]), 0, &[]);
    let help = stdout(&out);
    for flag in [
        "--key",
        "--passphrase-file",
        "--passphrase-env",
        "--passphrase-prompt",
        "--new-passphrase-file",
        "--new-passphrase-env",
        "--new-passphrase-prompt",
        "--remove-passphrase",
    ] {
        assert!(
            help.contains(flag),
            "change-passphrase --help lacks {flag}:\n{help}"
        );
    }
}

/// `--passphrase-prompt` and `--new-passphrase-prompt` on a terminal: the current one is
/// asked once, the new one twice, and two different entries write nothing. The terminal
/// is a pseudo-terminal made by util-linux `script`, which types the lines given on its
/// stdin (the pty echoes them before the prompt turns echo off: an artefact of typing
/// ahead, not of the program, so this test does not look for secrets in the output).
#[cfg(target_os = "linux")]
#[test]
fn prompts_ask_for_the_new_passphrase_twice() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let (key, pf, did) = encrypted_key(dir.path(), "issuer.key.json");
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
    let on_a_terminal = |typed: &str| {
        let command = format!(
            "{} change-passphrase --key {} --passphrase-prompt --new-passphrase-prompt",
            quote(&crate::common::bin("microcred-sign")),
            quote(&key)
        );
        // `timeout`: a prompt that waited for a line never typed would hang the test run.
        let mut child = Command::new("timeout")
            .args([
                "120",
                "script",
                "--quiet",
                "--return",
                "--command",
                &command,
            ])
            .arg("/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux `script` and coreutils `timeout` are needed by this test");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(typed.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let before = std::fs::read(&key).unwrap();

    let (code, shown) = on_a_terminal(&format!("{PASS}\n{NEW}\n{NEW} but not quite\n"));
    assert_eq!(code, Some(2), "{shown}");
    assert!(shown.contains("Passphrase for"), "{shown}");
    assert!(shown.contains("New passphrase for the key"), "{shown}");
    assert!(shown.contains("Repeat the passphrase"), "{shown}");
    assert!(shown.contains("the two passphrases differ"), "{shown}");
    assert_eq!(std::fs::read(&key).unwrap(), before);

    let (code, shown) = on_a_terminal(&format!("{PASS}\n{NEW}\n{NEW}\n"));
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("passphrase changed"), "{shown}");
    assert!(shown.contains(&did), "{shown}");
    assert_eq!(mode(&key), 0o600);
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    let (code, err) = issue_with(
        &key,
        &["--passphrase-file".as_ref(), new_pf.as_os_str()],
        &did,
    );
    assert_eq!(code, 0, "{err}");
    let (code, _) = issue_with(&key, &["--passphrase-file".as_ref(), pf.as_os_str()], &did);
    assert_eq!(code, 2);
}

/// The rewritten file keeps the old one's owner and group: an administrator who changes,
/// as root, the passphrase of a service account's key must not leave the service unable
/// to read it. (Giving a file away needs root: run as another user, this checks that the
/// owner stays the runner's.)
#[cfg(unix)]
#[test]
fn owner_and_group_are_kept() {
    use std::os::unix::fs::MetadataExt as _;
    let dir = tempfile::tempdir().unwrap();
    let (key, pf, did) = encrypted_key(dir.path(), "issuer.key.json");
    let new_pf = pass_file(dir.path(), "new.pass", NEW);
    // A uid and gid no account here is likely to have.
    let given_away = std::os::unix::fs::chown(&key, Some(4242), Some(4243)).is_ok();
    let before = std::fs::metadata(&key).unwrap();
    if given_away {
        assert_eq!((before.uid(), before.gid()), (4242, 4243));
    }
    let out = run(
        sign(["change-passphrase", "--key"])
            .arg(&key)
            .arg("--passphrase-file")
            .arg(&pf)
            .arg("--new-passphrase-file")
            .arg(&new_pf),
        0,
        &[NEW],
    );
    assert_eq!(stdout(&out), format!("{did}\n"));
    let after = std::fs::metadata(&key).unwrap();
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    assert_eq!(mode(&key), 0o600);
    assert_ne!(after.ino(), before.ino(), "a new file, renamed into place");
}
