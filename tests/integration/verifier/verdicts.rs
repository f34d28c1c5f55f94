//! The verdict a person reads — valid, genuine but unconfirmed, not valid — as
//! `microcred-verify` prints it: the exit status of each, the `verdict` and
//! `reasons` of `--json`, the configuration directory and `--require-trust`,
//! and snapshots of the terminal report.
//!
//! Snapshots are plain files in `tests/integration/verifier/snapshots/`; after a
//! deliberate change of the report, `MICROCRED_BLESS=1 cargo test -p microcred-tests
//! --test integration verdicts` rewrites them (review the diff before committing).

use std::path::PathBuf;

use assert_cmd::Command;
use microcred_core::Value;
use microcred_core::status_list::StatusPurpose;
use serde_json::json;

use super::fixtures::*;
use crate::common::{bin, repo};

/// A directory of fixtures; the verifier runs inside it so that reports name
/// files by their short, stable names.
struct Case {
    dir: tempfile::TempDir,
    /// An empty configuration home, so that the tester's own trust list never counts.
    config: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        let case = Self {
            dir: tempfile::tempdir().unwrap(),
            config: tempfile::tempdir().unwrap(),
        };
        case.write("trust.json", &trust_list_json(true));
        case.write(
            "revocation.json",
            &status_list(StatusPurpose::Revocation, &[]),
        );
        case.write(
            "suspension.json",
            &status_list(StatusPurpose::Suspension, &[]),
        );
        case.write(
            "revoked-list.json",
            &status_list(StatusPurpose::Revocation, &[7]),
        );
        case
    }

    fn write(&self, name: &str, v: &Value) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
        p
    }

    /// `microcred-verify --at AT` in the fixtures' directory, colour off, with
    /// the (empty unless filled) configuration home of this case.
    fn verify(&self) -> Command {
        let mut c = self.verify_at();
        c.args(["--at", AT]);
        c
    }

    /// [`Case::verify`] without `--at`.
    fn verify_at(&self) -> Command {
        let mut c = Command::new(bin("microcred-verify"));
        c.current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("XDG_CONFIG_HOME", self.config.path())
            // The tester's locale would choose the --html transcript's language.
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG");
        c
    }

    /// The stdout and exit status of a run (at [`AT`] unless `args` say `--at`).
    fn run(&self, args: &[&str]) -> (String, i32) {
        let mut cmd = if args.contains(&"--at") {
            self.verify_at()
        } else {
            self.verify()
        };
        let out = cmd.args(args).output().unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            out.status.code().unwrap_or(-1),
        )
    }

    fn json(&self, args: &[&str]) -> (Value, i32) {
        let (out, code) = self.run(&[&["--json"], args].concat());
        (
            serde_json::from_str(out.lines().next().unwrap()).unwrap(),
            code,
        )
    }
}

/// A credential with revocation and suspension entries at index 7.
fn with_entries() -> Value {
    sign(
        &with_status(unsigned(&did(&issuer()), &did(&learner()), 1), 7),
        &issuer(),
    )
}

/// A self-made key whose credential calls its issuer "Harvard University".
fn self_made() -> Value {
    let mut c = unsigned(&did(&stranger()), &did(&learner()), 2);
    c["issuer"]["name"] = "Harvard University".into();
    sign(&c, &stranger())
}

/// A credential naming the University's DID as issuer, signed by another key.
fn forged_issuer() -> Value {
    sign(&unsigned(&did(&issuer()), &did(&learner()), 3), &stranger())
}

fn tampered() -> Value {
    let mut c = with_entries();
    c["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = 150.into();
    c
}

const TRUST_AND_LISTS: [&str; 6] = [
    "--trust",
    "trust.json",
    "--status-list",
    "revocation.json",
    "--status-list",
    "suspension.json",
];

fn codes(report: &Value) -> Vec<&str> {
    report["reasons"]
        .as_array()
        .map(|a| a.iter().map(|r| r["code"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

#[test]
fn valid_needs_trust_and_status_and_exits_0() {
    let case = Case::new();
    case.write("cred.json", &with_entries());
    let (r, code) = case.json(&[&TRUST_AND_LISTS[..], &["cred.json"]].concat());
    assert_eq!(code, 0);
    assert_eq!(r["verdict"], "valid");
    assert_eq!(r["valid"], true);
    assert!(r.get("reasons").is_none(), "{r}");
    // No credentialStatus at all: nothing to check, still valid.
    case.write("plain.json", &credential());
    let (r, code) = case.json(&["--trust", "trust.json", "plain.json"]);
    assert_eq!((code, &r["verdict"]), (0, &json!("valid")));
}

#[test]
fn unconfirmed_exits_0_and_says_what_was_not_checked() {
    let case = Case::new();
    case.write("harvard.json", &self_made());
    let (r, code) = case.json(&["harvard.json"]);
    assert_eq!(
        code, 0,
        "amber keeps 0 for scripts that exist; --require-trust makes it 1"
    );
    assert_eq!(r["verdict"], "unconfirmed");
    assert_eq!(r["valid"], true, "valid keeps its meaning: no check failed");
    assert_eq!(codes(&r), ["trust-not-checked"]);
    let message = r["reasons"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\u{201c}Harvard University\u{201d}"),
        "{message}"
    );
    let (out, _) = case.run(&["harvard.json"]);
    assert!(
        out.starts_with("harvard.json: GENUINE BUT UNCONFIRMED credential"),
        "{out}"
    );
    assert!(!out.contains("VALID"), "never called valid: {out}");
    // Status entries but no lists: unconfirmed, naming both.
    case.write("cred.json", &with_entries());
    let (r, code) = case.json(&["--trust", "trust.json", "cred.json"]);
    assert_eq!((code, &r["verdict"]), (0, &json!("unconfirmed")));
    assert_eq!(codes(&r), ["status-not-checked", "status-not-checked"]);
}

#[test]
fn require_trust_needs_a_trust_list_and_fails_untrusted_issuers() {
    let case = Case::new();
    case.write("harvard.json", &self_made());
    let out = case
        .verify()
        .args(["--require-trust", "harvard.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--require-trust: no trust list") && err.contains("trust-list.json"),
        "{err}"
    );
    let (r, code) = case.json(&["--require-trust", "--trust", "trust.json", "harvard.json"]);
    assert_eq!(code, 1);
    assert_eq!(r["verdict"], "invalid");
    assert_eq!(codes(&r), ["untrusted-issuer"]);
}

#[test]
fn configuration_directory_supplies_trust_and_status_lists() {
    let case = Case::new();
    case.write("cred.json", &with_entries());
    case.write("harvard.json", &self_made());
    let dir = case.config.path().join("microcred");
    std::fs::create_dir_all(dir.join("status-lists")).unwrap();
    std::fs::copy(
        case.dir.path().join("trust.json"),
        dir.join("trust-list.json"),
    )
    .unwrap();
    for list in ["revocation.json", "suspension.json"] {
        std::fs::copy(
            case.dir.path().join(list),
            dir.join("status-lists").join(list),
        )
        .unwrap();
    }
    let (r, code) = case.json(&["cred.json"]);
    assert_eq!((code, &r["verdict"]), (0, &json!("valid")), "{r}");
    let (r, code) = case.json(&["harvard.json"]);
    assert_eq!((code, &r["verdict"]), (1, &json!("invalid")), "{r}");
    assert_eq!(codes(&r), ["untrusted-issuer"]);
    // --require-trust is satisfied by the configuration's list.
    let (_, code) = case.json(&["--require-trust", "cred.json"]);
    assert_eq!(code, 0);
    // --no-config: only the command line counts.
    let (r, code) = case.json(&["--no-config", "cred.json"]);
    assert_eq!((code, &r["verdict"]), (0, &json!("unconfirmed")));
    // A broken configured list is an error naming the file, not a silent fallback.
    std::fs::write(dir.join("trust-list.json"), b"{}").unwrap();
    let out = case.verify().arg("cred.json").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("trust-list.json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn invalid_exits_1_and_leads_with_the_reason() {
    let case = Case::new();
    case.write("revoked.json", &with_entries());
    case.write("tampered.json", &tampered());
    case.write("forged.json", &forged_issuer());
    case.write("expired.json", &with_entries());
    let cases: [(&str, &[&str], &str, &str); 4] = [
        (
            "revoked.json",
            &["--status-list", "revoked-list.json"],
            "revoked",
            "REVOKED by University of Example",
        ),
        (
            "tampered.json",
            &[],
            "tampered",
            "CHANGED after it was signed — do not rely on it",
        ),
        (
            "forged.json",
            &[],
            "wrong-signer",
            "SIGNED BY SOMEONE ELSE than the issuer it names",
        ),
        (
            "expired.json",
            &["--at", "2031-01-01T00:00:00Z"],
            "expired",
            "EXPIRED on 1 March 2030",
        ),
    ];
    for (file, extra, code_word, words) in cases {
        let args = [&["--trust", "trust.json"], extra, &[file]].concat();
        let (r, code) = case.json(&args);
        assert_eq!(code, 1, "{file}");
        assert_eq!(r["verdict"], "invalid", "{file}");
        assert_eq!(codes(&r)[0], code_word, "{file}: {r}");
        let (out, _) = case.run(&args);
        let mut lines = out.lines();
        assert!(
            lines.next().unwrap().contains("INVALID credential"),
            "{out}"
        );
        assert!(
            lines.next().unwrap().starts_with(&format!("  ✗ {words}")),
            "{file}: the reason comes first:\n{out}"
        );
    }
}

#[test]
fn a_failed_signature_evaluates_no_profile() {
    let case = Case::new();
    case.write("tampered.json", &tampered());
    let (r, code) = case.json(&["--profile", "emc-cmf", "tampered.json"]);
    assert_eq!(code, 1);
    let profile: Vec<&Value> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "profile" || c["id"] == "profile-rule")
        .collect();
    assert_eq!(profile.len(), 1, "{r}");
    assert_eq!(profile[0]["outcome"], "skipped");
}

#[test]
fn html_shows_the_three_verdicts_and_greys_unconfirmed_claims() {
    let case = Case::new();
    case.write("cred.json", &with_entries());
    case.write("harvard.json", &self_made());
    case.write("tampered.json", &tampered());
    let (page, code) = case.run(
        &[
            &TRUST_AND_LISTS[..],
            &["--html", "cred.json", "tampered.json"],
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    assert!(page.contains("data-verdict=\"valid\""), "{page}");
    // The EU 2022 and EMC elements, in words.
    for shown in [
        "<dt>National level</dt><dd>IE-NFQ level 9</dd>",
        "<dt>Form of participation</dt><dd>online</dd>",
        "<dt>Quality assurance</dt>",
        "<dt>Stacks towards</dt><dd>stackable, towards MSc Data Science</dd>",
        "<dt>Prerequisites</dt>",
        "<dt>Language of the credential</dt><dd>English (en)</dd>",
        "supervision: supervised online identity verified",
        "<dt>Valid until</dt><dd>1 March 2030</dd>",
    ] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    assert!(
        page.contains("✗ NOT a valid credential: CHANGED after it was signed"),
        "{page}"
    );
    assert!(
        page.contains("What the file claims (not confirmed)"),
        "{page}"
    );
    assert!(page.contains("<table class=\"mc-overview\">"), "{page}");
    let (page, code) = case.run(&["--html", "harvard.json"]);
    assert_eq!(code, 0);
    assert!(page.contains("data-verdict=\"unconfirmed\""), "{page}");
    assert!(
        page.contains("! Genuine but unconfirmed credential"),
        "{page}"
    );
    assert!(!page.contains("✓ Valid"), "{page}");
}

#[test]
fn html_in_the_readers_language() {
    let case = Case::new();
    case.write("cred.json", &with_entries());
    case.write("tampered.json", &tampered());
    let args = |more: &[&'static str]| [&TRUST_AND_LISTS[..], more].concat();
    let (page, code) = case.run(&args(&["--html", "--lang", "fr", "cred.json"]));
    assert_eq!(code, 0);
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    for shown in [
        "✓ Attestation valide : authentique",
        "<dt>Crédits ECTS</dt>",
        "<dt>Niveau CEC</dt>",
        "<dt>Valable jusqu&#39;au</dt><dd>1er mars 2030</dd>",
        "<dt>Langue de l&#39;attestation</dt><dd>anglais (en)</dd>",
        "<h3>Vérifications</h3>",
        "<h3>Acquis d&#39;apprentissage</h3>",
    ] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    // Technical messages stay English, marked so.
    assert!(page.contains("<span lang=\"en\">"), "{page}");
    assert!(!page.contains("<dt>ECTS credits</dt>"), "{page}");
    let (page, code) = case.run(&args(&["--html", "--lang", "fr", "tampered.json"]));
    assert_eq!(code, 1);
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(
        page.contains("✗ Attestation NON valide : MODIFIÉE après sa signature"),
        "{page}"
    );
    assert!(
        page.contains("Ce que déclare le fichier (non confirmé)"),
        "{page}"
    );
    // A presentation: its own reason and a nested credential's, in French.
    case.write(
        "presentation.json",
        &presentation(&[tampered()], &learner(), None, None),
    );
    let (page, code) = case.run(&args(&["--html", "--lang", "fr", "presentation.json"]));
    assert_eq!(code, 1);
    assert!(page.contains("<h2>Présentation</h2>"), "{page}");
    assert!(
        page.contains("✗ Présentation NON valide : attestation 1 : MODIFIÉE après sa signature"),
        "{page}"
    );
    // The locale decides without --lang; --lang wins over it.
    let spanish = |args: &[&str]| {
        let out = case
            .verify()
            .env("LANG", "es_ES.UTF-8")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let page = spanish(&args(&["--html", "tampered.json"]));
    assert!(page.contains("<html lang=\"es\">"), "{page}");
    assert!(
        page.contains("✗ Credencial NO válida: MODIFICADA después de firmarse"),
        "{page}"
    );
    assert!(page.contains("<dt>Créditos ECTS</dt>"), "{page}");
    assert!(page.contains("<dt>Nivel MEC</dt>"), "{page}");
    let page = spanish(&args(&["--html", "--lang", "en", "cred.json"]));
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    // The terminal report stays English, and --lang is only for --html.
    let page = spanish(&args(&["cred.json"]));
    assert!(!page.contains("Credencial"), "{page}");
    let out = case
        .verify()
        .args(["--lang", "fr", "cred.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--lang without --html is refused"
    );
}

#[test]
fn html_with_a_qualification_says_not_met_and_exits_1() {
    let case = Case::new();
    case.write("cred.json", &with_entries());
    let q = repo("keys-example/pgcert-data-science.qualification.json");
    let q = q.to_str().unwrap();
    let (page, code) = case.run(
        &[
            &TRUST_AND_LISTS[..],
            &["--html", "--qualification", q, "cred.json"],
        ]
        .concat(),
    );
    assert_eq!(code, 1, "as the terminal and --json");
    assert!(page.contains("data-qualification-met=\"false\""), "{page}");
    assert!(page.contains("✗ NOT MET"), "{page}");
}

/// Compares `actual` with the snapshot file `name`, or writes it under `MICROCRED_BLESS`.
fn snapshot(name: &str, actual: &str) {
    let path = repo("tests/integration/verifier/snapshots").join(name);
    if std::env::var_os("MICROCRED_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (MICROCRED_BLESS=1 writes it)", path.display()));
    assert_eq!(
        actual,
        expected,
        "the terminal report differs from {} (MICROCRED_BLESS=1 rewrites it)",
        path.display()
    );
}

#[test]
fn terminal_report_snapshots() {
    let case = Case::new();
    case.write("valid.json", &with_entries());
    case.write("harvard.json", &self_made());
    case.write("revoked.json", &with_entries());
    case.write("expired.json", &with_entries());
    case.write("tampered.json", &tampered());
    case.write("forged.json", &forged_issuer());
    case.write(
        "presentation.json",
        &presentation(&[with_entries()], &learner(), Some("c-8Xq2w"), None),
    );
    let runs: [(&str, Vec<&str>, i32); 8] = [
        (
            "valid.txt",
            [&TRUST_AND_LISTS[..], &["valid.json"]].concat(),
            0,
        ),
        ("unconfirmed.txt", vec!["harvard.json"], 0),
        (
            "revoked.txt",
            vec![
                "--trust",
                "trust.json",
                "--status-list",
                "revoked-list.json",
                "--status-list",
                "suspension.json",
                "revoked.json",
            ],
            1,
        ),
        (
            "expired.txt",
            [
                &TRUST_AND_LISTS[..],
                &["--at", "2031-01-01T00:00:00Z", "expired.json"],
            ]
            .concat(),
            1,
        ),
        (
            "tampered.txt",
            [&TRUST_AND_LISTS[..], &["tampered.json"]].concat(),
            1,
        ),
        (
            "forged-issuer.txt",
            vec!["--trust", "trust.json", "forged.json"],
            1,
        ),
        // A genuine presentation, answering the challenge or verified without one.
        (
            "presentation.txt",
            [
                &TRUST_AND_LISTS[..],
                &["--request", "c-8Xq2w", "presentation.json"],
            ]
            .concat(),
            0,
        ),
        (
            "presentation-not-bound.txt",
            [&TRUST_AND_LISTS[..], &["presentation.json"]].concat(),
            0,
        ),
    ];
    for (name, args, want) in runs {
        let (out, code) = case.run(&args);
        assert_eq!(code, want, "{name}:\n{out}");
        snapshot(
            name,
            &format!("$ microcred-verify {}\n{out}", args.join(" ")),
        );
    }
}

#[test]
fn passed_profile_rules_are_one_line_unless_verbose() {
    let case = Case::new();
    case.write("cred.json", &credential());
    let (out, code) = case.run(&["--profile", "emc-cmf", "cred.json"]);
    assert_eq!(code, 0, "{out}");
    let rules: Vec<&str> = out.lines().filter(|l| l.contains("profile-rule")).collect();
    assert_eq!(rules.len(), 1, "{out}");
    assert!(rules[0].contains("emc-cmf: ") && rules[0].contains("rules met (-v lists them)"));
    let (out, _) = case.run(&["-v", "--profile", "emc-cmf", "cred.json"]);
    assert!(
        out.lines().filter(|l| l.contains("✓ profile-rule")).count() > 1,
        "{out}"
    );
}
