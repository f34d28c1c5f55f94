//! What a registrar meets in the first hour with `microcred-sign` (issue 18):
//! templates with an issuer object, expired credentials, status lists that go
//! stale, Ctrl-C during a batch, the help texts, completions and manual pages.
//! The binaries run as processes.

use std::path::Path;

use assert_cmd::Command;
use microcred_core::datetime;
use microcred_core::proof::{DidKeyResolver, verify_proofs};
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::batch::{BASE, Setup};
use crate::common::bin;

fn sign() -> Command {
    Command::new(bin("microcred-sign"))
}

fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c
}

fn server() -> Command {
    Command::new(bin("microcred-server"))
}

impl Setup {
    fn issue(&self, unsigned: &Path) -> Command {
        let mut c = sign();
        c.args(["issue", "--key"]).arg(&self.key).arg(unsigned);
        c
    }

    fn status_list(&self, ledger: &Path, out: &Path) -> Command {
        let mut c = sign();
        c.args(["status-list", "--purpose", "revocation", "--key"])
            .arg(&self.key)
            .arg("--ledger")
            .arg(ledger)
            .arg("--out")
            .arg(out);
        c
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn unsigned(members: Value) -> Value {
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:ada", "name": "Ada"},
    });
    for (k, v) in members.as_object().unwrap() {
        doc[k] = v.clone();
    }
    doc
}

/// A template whose issuer is an object without an id: `batch` fills the id with
/// the key's DID, as `issue` does, and keeps the object's other members.
#[test]
fn batch_fills_the_id_of_an_issuer_object_as_issue_does() {
    let s = Setup::new();
    let issuer = json!({"name": "University of Example"});
    let template = s.write(
        "course.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "credentialSubject": {"id": "{{did}}", "name": "{{name}}"},
        })
        .to_string(),
    );
    let learners = s.write(
        "l.csv",
        "did,name\ndid:example:ada,Ada\ndid:example:bo,Bo\n",
    );
    let out = s.path("out");
    // Both the compiled (JCS) and the Value (RDFC proof set) paths.
    for suite in ["jcs", "both"] {
        let out = out.join(suite);
        s.batch(&template, &learners, &out)
            .args(["--suite", suite])
            .assert()
            .success();
        for name in ["row-000001.json", "row-000002.json"] {
            let doc = read_json(&out.join(name));
            assert_eq!(
                doc["issuer"],
                json!({"id": s.did, "name": "University of Example"}),
                "{suite}"
            );
            for outcome in verify_proofs(&doc, &DidKeyResolver) {
                assert_eq!(outcome.result, Ok(s.did.clone()), "{suite}");
            }
        }
        verify().arg(out.join("row-000001.json")).assert().success();
    }
    // `issue` gives the credential the same issuer.
    let one = s.write("one.json", &unsigned(json!({"issuer": issuer})).to_string());
    let signed = s.issue(&one).assert().success().get_output().stdout.clone();
    let signed: Value = serde_json::from_slice(&signed).unwrap();
    assert_eq!(
        signed["issuer"],
        read_json(&out.join("jcs/row-000001.json"))["issuer"]
    );
}

/// A credential whose validUntil is before the issue time is refused by `issue`
/// and `batch` (template or row), unless --allow-expired asks for it.
#[test]
fn expired_credentials_are_signed_only_with_allow_expired() {
    let s = Setup::new();
    let lapsed = json!({"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"});
    let file = s.write("lapsed.json", &unsigned(lapsed.clone()).to_string());
    let out = s.issue(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("cannot issue: validUntil \"2021-01-01T00:00:00Z\" is before the issue time ")
            && err.contains("the credential would be expired when signed; pass --allow-expired"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // --created is the issue time: before validUntil, the credential is not expired.
    s.issue(&file)
        .args(["--created", "2020-06-01T00:00:00Z"])
        .assert()
        .success();
    let out = s.issue(&file).arg("--allow-expired").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out)
            .contains("warning: validUntil \"2021-01-01T00:00:00Z\" is before the issue time"),
        "{}",
        stderr_of(&out)
    );
    let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(signed["validUntil"], "2021-01-01T00:00:00Z");
    // The verifier reports it expired, as it is.
    let path = s.write("signed.json", &signed.to_string());
    verify()
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("expired"));

    // batch: a fixed validUntil in the past refuses the template before any row.
    let learners = s.write(
        "l.csv",
        "did,end\ndid:example:1,2099-01-01T00:00:00Z\ndid:example:2,2021-06-30T00:00:00Z\n",
    );
    let fixed = s.write(
        "fixed.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "validFrom": "2020-01-01T00:00:00Z",
            "validUntil": "2021-01-01T00:00:00Z",
            "credentialSubject": {"id": "{{did}}"},
        })
        .to_string(),
    );
    s.batch(&fixed, &learners, &s.path("fixed-out"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "every credential made from it would break the rules issue applies",
            )
            .and(predicate::str::contains("is before the issue time"))
            .and(predicate::str::contains("pass --allow-expired")),
        );
    s.batch(&fixed, &learners, &s.path("fixed-out"))
        .arg("--allow-expired")
        .assert()
        .success();
    assert_eq!(files_in(&s.path("fixed-out")).len(), 2);
    // A validUntil placeholder: the row whose date has passed is a bad row.
    let per_row = s.write(
        "per-row.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "validFrom": "2020-01-01T00:00:00Z",
            "validUntil": "{{end}}",
            "credentialSubject": {"id": "{{did}}"},
        })
        .to_string(),
    );
    s.batch(&per_row, &learners, &s.path("rows-out"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "line 3 (row 2), column \"end\": validUntil \"2021-06-30T00:00:00Z\" is before the issue time",
            )
            .and(predicate::str::contains("pass --allow-expired to sign it anyway"))
            .and(predicate::str::contains("line 2 ").not()),
        );
    s.batch(&per_row, &learners, &s.path("rows-out"))
        .args(["--on-error", "skip"])
        .assert()
        .success();
    assert_eq!(files_in(&s.path("rows-out")), ["row-000001.json"]);
    s.batch(&per_row, &learners, &s.path("rows-all"))
        .arg("--allow-expired")
        .assert()
        .success();
    assert_eq!(files_in(&s.path("rows-all")).len(), 2);
}

/// `status-list` writes a list valid for --valid-for (30 days by default); the
/// verifier says how old the list is, and fails the status check with a list
/// past its validUntil (`--at`), so a list nobody publishes again goes stale.
#[test]
fn status_lists_are_valid_for_a_period_and_stale_lists_fail() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.write(
        "course.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "{{did}}"},
        })
        .to_string(),
    );
    let learners = s.write("l.csv", "did\ndid:example:1\n");
    let out = s.path("out");
    s.batch(&template, &learners, &out)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .success();
    let credential = out.join("row-000001.json");

    let list = s.path("revocation.json");
    let run = s.status_list(&ledger, &list).output().unwrap();
    assert!(run.status.success(), "{}", stderr_of(&run));
    let doc = read_json(&list);
    let from = datetime::parse(doc["validFrom"].as_str().unwrap()).unwrap();
    let until = datetime::parse(doc["validUntil"].as_str().unwrap()).unwrap();
    assert_eq!(until - from, time::Duration::days(30));
    assert!(
        stderr_of(&run).contains(&format!(
            "publish it at {BASE}/revocation, and again before {}",
            doc["validUntil"].as_str().unwrap()
        )),
        "{}",
        stderr_of(&run)
    );
    // validUntil sits after validFrom, and the proof covers it.
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let at = keys.iter().position(|k| *k == "validFrom").unwrap();
    assert_eq!(keys[at + 1], "validUntil");
    assert_eq!(
        verify_proofs(&doc, &DidKeyResolver)[0].result,
        Ok(s.did.clone())
    );

    let check = |at: Option<String>| {
        let mut c = verify();
        c.arg("--json").arg("--status-list").arg(&list);
        if let Some(at) = at {
            c.arg("--at").arg(at);
        }
        let out = c.arg(&credential).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let status: Vec<String> = report["report"]["checks"]
            .as_array()
            .or_else(|| report["checks"].as_array())
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "status")
            .map(|c| {
                format!(
                    "{} {}",
                    c["outcome"].as_str().unwrap_or(""),
                    c["message"].as_str().unwrap()
                )
            })
            .collect();
        (out.status.code(), status)
    };
    // Now: not revoked, from a list issued less than an hour ago (the suspension
    // list, not given, is the second line).
    let (code, status) = check(None);
    assert_eq!(code, Some(0), "{status:?}");
    assert_eq!(status.len(), 2, "{status:?}");
    let issued = doc["validFrom"].as_str().unwrap();
    assert!(
        status[0].ends_with(&format!(
            "not revoked (status list {BASE}/revocation, issued {issued}, less than an hour old)"
        )),
        "{status:?}"
    );
    // Three days later: its age in days.
    let (code, status) = check(Some(datetime::format(from + time::Duration::days(3))));
    assert_eq!(code, Some(0), "{status:?}");
    assert!(status[0].ends_with(", 3 days old)"), "{status:?}");
    // Past its validUntil: the status check fails, and the credential with it.
    let late = datetime::format(until + time::Duration::seconds(1));
    let (code, status) = check(Some(late.clone()));
    assert_eq!(code, Some(1), "{status:?}");
    assert!(
        status[0].contains(&format!(
            "status list {BASE}/revocation: expired: validUntil {} is before {late}",
            doc["validUntil"].as_str().unwrap()
        )),
        "{status:?}"
    );

    // --valid-for: hours, days or weeks, within a year.
    s.status_list(&ledger, &list)
        .args(["--force", "--valid-for", "12h"])
        .assert()
        .success();
    let doc = read_json(&list);
    let from = datetime::parse(doc["validFrom"].as_str().unwrap()).unwrap();
    let until = datetime::parse(doc["validUntil"].as_str().unwrap()).unwrap();
    assert_eq!(until - from, time::Duration::hours(12));
    for (bad, says) in [
        ("30", "is not a duration such as 12h, 30d or 2w"),
        ("2y", "is not a duration"),
        ("0d", "must be valid for some time"),
        ("400d", "longer than 366d"),
    ] {
        s.status_list(&ledger, &list)
            .args(["--force", "--valid-for", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

/// The help says what the code does; a missing passphrase file is named as one.
#[test]
fn help_and_passphrase_file_messages_say_what_happens() {
    sign().args(["issue", "--help"]).assert().success().stdout(
        predicate::str::contains("eddsa-*-2022 for Ed25519, ecdsa-*-2019 for P-256 / P-384")
            .and(predicate::str::contains("--allow-expired"))
            .and(predicate::str::contains("Add an eddsa-jcs-2022").not()),
    );
    sign()
        .args(["status-list", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("--valid-for").and(predicate::str::contains("[default: 30d]")),
        );
    // An encrypted key, whose passphrase file is missing.
    let dir = tempfile::tempdir().unwrap();
    sign()
        .args(["keygen", "--passphrase-env", "MICROCRED_TEST_PASS", "--out"])
        .arg(dir.path())
        .env("MICROCRED_TEST_PASS", "correct horse battery staple")
        .assert()
        .success();
    let file = dir.path().join("u.json");
    std::fs::write(&file, unsigned(json!({})).to_string()).unwrap();
    let missing = dir.path().join("nope.txt");
    sign()
        .args(["issue", "--key"])
        .arg(dir.path().join("issuer.key.json"))
        .arg(&file)
        .arg("--passphrase-file")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "cannot read the passphrase file {}: ",
            missing.display()
        )));
}

/// Shell completions name the subcommands and options; the manual pages are roff
/// documents named after the binary and each subcommand.
#[test]
fn completions_and_manual_pages_cover_the_commands() {
    // What a command that must succeed printed on stdout.
    let printed = |cmd: &mut Command| {
        String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
    };
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = printed(sign().args(["completions", shell]));
        // Options without their dashes: fish writes `-l allow-expired`.
        for word in [
            "microcred-sign",
            "batch",
            "status-list",
            "allow-expired",
            "valid-for",
        ] {
            assert!(script.contains(word), "{shell}: {word}");
        }
        let script = printed(verify().args(["--completions", shell]));
        for word in ["microcred-verify", "status-list", "trust", "qualification"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
        let script = printed(server().args(["--completions", shell]));
        for word in ["microcred-server", "config", "log-level"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    // A script that cannot be written is an error naming it, never a panic.
    for (program, completions) in [
        ("microcred-sign", "completions"),
        ("microcred-verify", "--completions"),
        ("microcred-server", "--completions"),
    ] {
        if let Ok(full) = std::fs::File::create("/dev/full") {
            let out = std::process::Command::new(bin(program))
                .args([completions, "bash"])
                .stdout(full)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{program}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("cannot write the completion script") && !err.contains("panicked"),
                "{program}: {err}"
            );
        }
    }
    server()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--config"));
    sign().args(["completions", "tcsh"]).assert().code(2);
    verify()
        .args(["--completions", "bash", "x.json"])
        .assert()
        .code(2);

    let dir = tempfile::tempdir().unwrap();
    let man = dir.path().join("man1");
    sign().args(["man", "--out"]).arg(&man).assert().success();
    verify().arg("--man").arg(&man).assert().success();
    server().arg("--man").arg(&man).assert().success();
    let pages = files_in(&man);
    for page in [
        "microcred-sign.1",
        "microcred-sign-issue.1",
        "microcred-sign-batch.1",
        "microcred-sign-status-list.1",
        "microcred-sign-ledger.1",
        "microcred-sign-ledger-init.1",
        "microcred-verify.1",
        "microcred-server.1",
    ] {
        assert!(pages.contains(&page.to_owned()), "{page}: {pages:?}");
    }
    assert!(pages.iter().all(|p| p.ends_with(".1")), "{pages:?}");
    for (page, name, says) in [
        ("microcred-sign.1", "microcred-sign", "status-list"),
        (
            "microcred-sign-issue.1",
            "microcred-sign-issue",
            "--allow-expired",
        ),
        ("microcred-verify.1", "microcred-verify", "status-list"),
        ("microcred-server.1", "microcred-server", "log-level"),
    ] {
        let text = std::fs::read_to_string(man.join(page)).unwrap();
        // roff: requests and macros on lines of their own, a title, the sections.
        let th = text
            .lines()
            .find(|l| l.starts_with(".TH "))
            .unwrap_or_else(|| panic!("{page}: no .TH"));
        assert!(th.starts_with(&format!(".TH {name} 1")), "{page}: {th}");
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS"] {
            assert!(text.lines().any(|l| l == section), "{page}: {section}");
        }
        let name_section = text.split(".SH NAME\n").nth(1).unwrap();
        assert!(
            name_section.starts_with(&format!("{} \\- ", name.replace('-', "\\-"))),
            "{page}: {name_section}"
        );
        assert!(text.contains(&says.replace('-', "\\-")), "{page}: {says}");
        // groff, when installed, reads it without a warning (-k: UTF-8 input, as man reads it).
        if let Ok(out) = std::process::Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(man.join(page))
            .output()
        {
            assert!(out.status.success(), "{page}");
            assert!(
                out.stderr.is_empty(),
                "{page}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Ctrl-C (SIGINT) or SIGTERM during a batch: it stops where it is consistent,
/// says how far it got and how to resume, leaves no temporary file and no ledger
/// row, and exits with 128 + the signal's number; the same command then issues
/// everything. The signal is sent at a known point: the learner list is a FIFO
/// the batch opens (so its handlers are installed) and reads only after the
/// signal has been sent.
#[cfg(unix)]
#[test]
fn a_signal_stops_a_batch_consistently_and_a_rerun_resumes() {
    use std::io::Write as _;
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.write(
        "course.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "{{did}}"},
        })
        .to_string(),
    );
    let rows = "did\ndid:example:1\ndid:example:2\ndid:example:3\n";
    let out = s.path("out");
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let fifo = s.path(&format!("learners-{signal}.csv"));
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let child = std::process::Command::new(bin("microcred-sign"))
            .args(["batch", "--key"])
            .arg(&s.key)
            .arg("--template")
            .arg(&template)
            .arg("--learners")
            .arg(&fifo)
            .arg("--out")
            .arg(&out)
            .arg("--ledger")
            .arg(&ledger)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Returns once the batch has opened the list for reading.
        let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        let sent = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        writer.write_all(rows.as_bytes()).unwrap();
        drop(writer);
        let run = child.wait_with_output().unwrap();
        let err = stderr_of(&run);
        assert_eq!(run.status.code(), Some(code), "{signal}: {err}");
        assert!(
            err.contains("microcred-sign: interrupted after 0 of 3 credentials; run the same command again to resume"),
            "{signal}: {err}"
        );
        assert!(!err.contains("error"), "{signal}: {err}");
        assert!(files_in(&out).is_empty(), "{signal}");
        let recorded = crate::batch::ledger_records(&ledger).len();
        assert_eq!(recorded, 0, "{signal}");
    }
    let learners = s.write("learners.csv", rows);
    s.batch(&template, &learners, &out)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .success()
        .stderr(predicate::str::contains("3 issued"));
    assert_eq!(files_in(&out).len(), 3);
}
