//! Key and file hygiene of `microcred-sign`, for every command that loads a key or
//! writes a file: keys readable by others are refused with the `chmod 600` hint,
//! secrets never reach the output (not even when pasted into the wrong member of a key
//! file), existing files are never replaced without `--force`, and no temporary file
//! is left behind.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{private_copy, repo};
use crate::keys::{PASS, encrypted_key, example_secret, pass_file, run, set_mode, sign, stderr};

const UNIVERSITY: &str = "keys-example/example-university.key.json";
const LEARNER: &str = "keys-example/example-learner.key.json";
const UNIVERSITY_DID: &str = "did:key:z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7";

/// A scratch directory with the inputs every key-loading command needs.
struct Scene {
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let s = Self { dir };
        let mut unsigned: Value = serde_json::from_slice(
            &std::fs::read(repo("keys-example/micro-credential.unsigned.json")).unwrap(),
        )
        .unwrap();
        unsigned["issuer"]["id"] = UNIVERSITY_DID.into();
        s.write("unsigned.json", &serde_json::to_string(&unsigned).unwrap());
        let mut template = unsigned.clone();
        template["credentialSubject"]["id"] = "{{did}}".into();
        s.write("template.json", &serde_json::to_string(&template).unwrap());
        s.write(
            "learners.csv",
            "student,did\ns1,did:key:z6MkrHj8BAUjxD7irGyPXdk9Xc5xdhMNU6rjUv4JR11HdGK1\n",
        );
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A signed credential issued to the example learner (for `present`).
    fn signed(&self) -> PathBuf {
        let (_d, key) = private_copy(UNIVERSITY);
        let out = self.path("signed.json");
        if !out.exists() {
            run(
                sign(["issue", "--key"])
                    .arg(&key)
                    .arg("--out")
                    .arg(&out)
                    .arg(self.path("unsigned.json")),
                0,
                &[],
            );
        }
        out
    }

    /// A fresh ledger (for `status-list`).
    fn ledger(&self) -> PathBuf {
        let (_d, key) = private_copy(UNIVERSITY);
        let ledger = self.path("made.ledger");
        if !ledger.exists() {
            run(
                sign([
                    "ledger",
                    "init",
                    "--status-base-url",
                    "https://uni.example/status/2025",
                    "--ledger",
                ])
                .arg(&ledger)
                .arg("--key")
                .arg(&key),
                0,
                &[],
            );
        }
        ledger
    }

    /// Every command that loads a secret key, with `key` as its key; each would
    /// succeed with a good key (see `every_key_loading_command_works_with_a_good_key`).
    fn key_commands(&self, key: &Path) -> Vec<(&'static str, Command)> {
        let mut v = Vec::new();
        let mut c = sign(["issue", "--key"]);
        c.arg(key).arg(self.path("unsigned.json"));
        v.push(("issue", c));
        let mut c = sign(["present", "--challenge", "c-1", "--key"]);
        c.arg(key).arg(self.signed());
        v.push(("present", c));
        let mut c = sign(["batch", "--key"]);
        c.arg(key)
            .arg("--template")
            .arg(self.path("template.json"))
            .arg("--learners")
            .arg(self.path("learners.csv"))
            .arg("--out")
            .arg(self.path(&format!("batch-{}", v.len())));
        v.push(("batch", c));
        let mut c = sign([
            "ledger",
            "init",
            "--status-base-url",
            "https://uni.example/status/2025",
            "--ledger",
        ]);
        c.arg(self.path(&format!("k{}.ledger", v.len())))
            .arg("--key")
            .arg(key);
        v.push(("ledger init", c));
        let mut c = sign(["status-list", "--purpose", "revocation", "--ledger"]);
        c.arg(self.ledger())
            .arg("--key")
            .arg(key)
            .arg("--out")
            .arg(self.path(&format!("list-{}.json", v.len())));
        v.push(("status-list", c));
        // Encrypts a plain key in place, re-encrypts an encrypted one.
        let mut c = sign([
            "change-passphrase",
            "--new-passphrase-env",
            "MC_HYGIENE_NEW",
        ]);
        c.env("MC_HYGIENE_NEW", "the new passphrase of the hygiene tests")
            .arg("--key")
            .arg(key);
        v.push(("change-passphrase", c));
        v
    }
}

/// The commands [`Scene::key_commands`] makes, in its order (checked by
/// `every_key_loading_command_works_with_a_good_key`).
const KEY_COMMANDS: [&str; 6] = [
    "issue",
    "present",
    "batch",
    "ledger init",
    "status-list",
    "change-passphrase",
];

/// The key of `present` is the learner's; every other command signs as the university.
fn key_for(command: &str) -> &'static str {
    if command == "present" {
        LEARNER
    } else {
        UNIVERSITY
    }
}

#[test]
fn every_key_loading_command_works_with_a_good_key() {
    let scene = Scene::new();
    // A command added to key_commands is in every test that walks KEY_COMMANDS.
    let (_d, key) = private_copy(UNIVERSITY);
    let made: Vec<&str> = scene.key_commands(&key).iter().map(|(n, _)| *n).collect();
    assert_eq!(made, KEY_COMMANDS);
    for name in KEY_COMMANDS {
        let (_d, key) = private_copy(key_for(name));
        let mut commands = scene.key_commands(&key);
        let (_, c) = commands.iter_mut().find(|(n, _)| *n == name).unwrap();
        let secret = example_secret(key_for(name));
        run(c, 0, &[&secret]);
    }
}

#[cfg(unix)]
#[test]
fn every_key_loading_command_refuses_a_key_others_can_read() {
    let scene = Scene::new();
    for mode in [0o644, 0o640, 0o604, 0o660] {
        for name in KEY_COMMANDS {
            let (_d, key) = private_copy(key_for(name));
            set_mode(&key, mode);
            let mut commands = scene.key_commands(&key);
            let (_, c) = commands.iter_mut().find(|(n, _)| *n == name).unwrap();
            let secret = example_secret(key_for(name));
            let out = run(c, 2, &[&secret]);
            let err = stderr(&out);
            assert!(
                err.contains(&format!("permissions {mode:03o}")) && err.contains("chmod 600"),
                "{name}, mode {mode:03o}: {err}"
            );
        }
    }
}

/// Secret material in the wrong member of a key file (publicKeyMultibase, type, id)
/// is never repeated by any command's error, whole or in part; nor is the passphrase
/// of an encrypted key opened with the wrong one.
#[test]
fn misplaced_secrets_never_reach_the_output() {
    let scene = Scene::new();
    // The example Ed25519 key, and a P-256 one (whose secret is multicodec p256-priv).
    let p256 = microcred_core::keys::KeyFile::for_did_key(
        microcred_core::keys::AnySecretKey::generate(microcred_core::keys::KeyType::P256),
    );
    let keys = [
        (
            serde_json::from_slice::<Value>(&std::fs::read(repo(UNIVERSITY)).unwrap()).unwrap(),
            example_secret(UNIVERSITY),
        ),
        (
            serde_json::from_str(&p256.to_json()).unwrap(),
            p256.secret.to_multibase().to_string(),
        ),
    ];
    let mut variants = Vec::new();
    for (good, secret) in &keys {
        for member in ["publicKeyMultibase", "type"] {
            let mut k = good.clone();
            k[member] = secret.clone().into();
            variants.push((member.to_owned(), k, secret));
        }
        let mut k = good.clone();
        k["publicKeyMultibase"] = secret[..30].into();
        variants.push(("part of it in publicKeyMultibase".into(), k, secret));
        let mut k = good.clone();
        k["secretKeyMultibase"] = format!("{secret}0").into();
        variants.push(("secretKeyMultibase with a typo".into(), k, secret));
    }
    for (what, key_json, secret) in variants {
        let key = scene.write("misplaced.key.json", &key_json.to_string());
        set_mode(&key, 0o600);
        for (name, mut c) in scene.key_commands(&key) {
            if name == "present" {
                continue; // signs with the learner's key: covered by the others
            }
            let out = run(&mut c, 2, &[secret, &secret[..16], &secret[4..24]]);
            assert!(
                stderr(&out).contains("misplaced.key.json"),
                "{name}, {what}: {}",
                stderr(&out)
            );
        }
    }
    // An encrypted key with a wrong passphrase: neither passphrase is printed.
    let (key, _pf, _did) = encrypted_key(scene.dir.path(), "enc.key.json");
    let wrong = pass_file(scene.dir.path(), "wrong.pass", "not the right passphrase");
    for (name, mut c) in scene.key_commands(&key) {
        if name == "present" {
            continue;
        }
        c.arg("--passphrase-file").arg(&wrong);
        let out = run(&mut c, 2, &[PASS, "not the right passphrase"]);
        assert!(
            stderr(&out).contains("wrong passphrase"),
            "{name}: {}",
            stderr(&out)
        );
    }
}

/// Every command that writes a named file refuses to replace an existing one without
/// `--force`, leaves it untouched, and leaves no temporary file behind.
#[test]
fn no_command_overwrites_without_force() {
    let scene = Scene::new();
    let (_d, key) = private_copy(UNIVERSITY);
    let (_l, learner) = private_copy(LEARNER);
    const SENTINEL: &str = "an existing file the registrar cares about\n";
    let target = |name: &str| {
        let p = scene.path(name);
        std::fs::write(&p, SENTINEL).unwrap();
        p
    };
    let signed = scene.signed();
    let ledger = scene.ledger();

    let mut cases: Vec<(&str, Command, PathBuf, bool)> = Vec::new();
    let out = target("issued.json");
    let mut c = sign(["issue", "--key"]);
    c.arg(&key)
        .arg("--out")
        .arg(&out)
        .arg(scene.path("unsigned.json"));
    cases.push(("issue --out", c, out, true));
    let out = target("vp.json");
    let mut c = sign(["present", "--challenge", "c-1", "--key"]);
    c.arg(&learner).arg("--out").arg(&out).arg(&signed);
    cases.push(("present --out", c, out, true));
    let out = target("revocation.json");
    let mut c = sign(["status-list", "--purpose", "revocation", "--ledger"]);
    c.arg(&ledger).arg("--key").arg(&key).arg("--out").arg(&out);
    cases.push(("status-list --out", c, out, true));
    let keydir = scene.path("keys");
    std::fs::create_dir_all(&keydir).unwrap();
    let out = keydir.join("issuer.key.json");
    std::fs::write(&out, SENTINEL).unwrap();
    let mut c = sign(["keygen", "--out"]);
    c.arg(&keydir);
    cases.push(("keygen", c, out, true));
    let out = target("existing.ledger");
    let mut c = sign([
        "ledger",
        "init",
        "--status-base-url",
        "https://uni.example/status/2025",
        "--ledger",
    ]);
    c.arg(&out).arg("--key").arg(&key);
    cases.push(("ledger init", c, out, false));
    // A batch whose output file for the learner already exists.
    let batch_out = scene.path("batch-out");
    std::fs::create_dir_all(&batch_out).unwrap();
    let mut c = sign(["batch", "--id-column", "student", "--key"]);
    c.arg(&key)
        .arg("--template")
        .arg(scene.path("template.json"))
        .arg("--learners")
        .arg(scene.path("learners.csv"))
        .arg("--out")
        .arg(&batch_out);
    cases.push(("batch", c, batch_out.join("s1.json"), false));
    std::fs::write(batch_out.join("s1.json"), SENTINEL).unwrap();

    for (name, mut c, out, has_force) in cases {
        let result = run(&mut c, 2, &[]);
        let err = stderr(&result);
        assert!(err.contains("exists"), "{name}: {err}");
        if has_force {
            assert!(err.contains("--force"), "{name}: {err}");
        }
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            SENTINEL,
            "{name} changed {}",
            out.display()
        );
        if has_force {
            run(c.arg("--force"), 0, &[]);
            assert_ne!(std::fs::read_to_string(&out).unwrap(), SENTINEL, "{name}");
        }
        assert_no_temporary_files(out.parent().unwrap());
    }
}

/// `ledger init` builds the database under a temporary name and renames it into place:
/// afterwards there is exactly the ledger, no temporary, -wal or -shm file, and it opens.
#[test]
fn ledger_init_leaves_exactly_the_ledger() {
    let scene = Scene::new();
    let dir = scene.path("ledgers");
    std::fs::create_dir_all(&dir).unwrap();
    let (_d, key) = private_copy(UNIVERSITY);
    let ledger = dir.join("2025.ledger");
    run(
        sign([
            "ledger",
            "init",
            "--status-base-url",
            "https://uni.example/status/2025",
            "--ledger",
        ])
        .arg(&ledger)
        .arg("--key")
        .arg(&key),
        0,
        &[],
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["2025.ledger"]);
    run(sign(["ledger", "list", "--ledger"]).arg(&ledger), 0, &[]);
    // A bad base URL fails before anything is made.
    let bad = dir.join("bad.ledger");
    run(
        sign([
            "ledger",
            "init",
            "--status-base-url",
            "not a url",
            "--ledger",
        ])
        .arg(&bad)
        .arg("--key")
        .arg(&key),
        2,
        &[],
    );
    assert!(!bad.exists());
    assert_no_temporary_files(&dir);
}

fn assert_no_temporary_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            !name.starts_with(".microcred-") && !name.ends_with("-wal") && !name.ends_with("-shm"),
            "temporary file left in {}: {name}",
            dir.display()
        );
    }
}
