//! `microcred-verify` on what a registrar or an employer hands it in their first
//! hour: the signer's own JSON Lines bundle (`microcred-sign batch --out-jsonl`),
//! verified line by line; a line of totals after many files; and paths that are
//! not regular files (a FIFO, a socket, a directory named `*.json`), refused at
//! once instead of hanging or being skipped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use microcred_core::Value;
use predicates::prelude::*;

use super::fixtures::*;
use crate::common::bin;

/// Longest any run may take: a safety net, so that a run that would hang (the
/// bug: opening a FIFO waits for a writer for ever) fails instead of stopping
/// the test suite. Runs finish in well under a second.
const BOUND: Duration = Duration::from_secs(120);

/// `microcred-verify` with colour off, killed after [`BOUND`]. At the time of
/// the run: the signer's credentials are issued (and their proofs created) now.
fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c.env("NO_COLOR", "1").timeout(BOUND);
    c
}

/// [`verify`] at the fixtures' time of verification.
fn verify_at() -> Command {
    let mut c = verify();
    c.args(["--at", AT]);
    c
}

/// Runs to completion with exit status `code`; stdout and stderr.
fn run(cmd: &mut Command, code: i32) -> (String, String) {
    let out = cmd.assert().code(code).get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// A cohort signed by `microcred-sign batch --out-jsonl`: the bundle's path, its lines.
fn signer_bundle(dir: &Path, rows: usize) -> (PathBuf, Vec<String>) {
    let sign = || Command::new(bin("microcred-sign"));
    sign().args(["keygen", "--out"]).arg(dir).assert().success();
    let template = dir.join("course.json");
    std::fs::write(
        &template,
        compact(&serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "name": "Applied Statistics (5 ECTS) for {{name}}",
            "credentialSubject": {"id": "{{did}}", "name": "{{name}}"},
        })),
    )
    .unwrap();
    let mut learners = String::from("did,name\n");
    for i in 1..=rows {
        learners.push_str(&format!("did:example:learner-{i},Learner {i}\n"));
    }
    let list = dir.join("cohort.csv");
    std::fs::write(&list, learners).unwrap();
    let bundle = dir.join("cohort.jsonl");
    sign()
        .args(["batch", "--key"])
        .arg(dir.join("issuer.key.json"))
        .arg("--template")
        .arg(&template)
        .arg("--learners")
        .arg(&list)
        .arg("--out-jsonl")
        .arg(&bundle)
        .assert()
        .success();
    let text = std::fs::read_to_string(&bundle).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), rows);
    (bundle, lines)
}

/// The signer's bundle verifies as it is, each line reported as FILE:LINE (human)
/// or with `line` (JSON), then a line of totals; the report of a line is the
/// report of the same credential in a file of its own.
#[test]
fn the_signers_jsonl_bundle_is_verified_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, lines) = signer_bundle(dir.path(), 5);
    let name = bundle.display().to_string();

    let (out, err) = run(verify().arg(&bundle), 0);
    assert!(err.is_empty(), "{err}");
    for i in 1..=5 {
        assert!(
            out.contains(&format!("{name}:{i}: GENUINE BUT UNCONFIRMED credential")),
            "{out}"
        );
    }
    assert!(
        out.ends_with("totals: 0 valid, 5 genuine but unconfirmed, 0 invalid, 0 could not be checked (5 in all)\n"),
        "{out}"
    );

    let (out, _) = run(verify().arg("--json").arg(&bundle), 0);
    let reports = json_lines(&out);
    assert_eq!(
        reports.len(),
        5,
        "no totals line in --json without --totals"
    );
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["file"], name.as_str());
        assert_eq!(r["line"], i + 1);
        assert_eq!(r["valid"], true, "{r}");
    }
    // The same credential in a file of its own: the same report, minus `line`
    // (verified as of the same second: the validity line names the time).
    let single = dir.path().join("third.json");
    std::fs::write(&single, &lines[2]).unwrap();
    let at = reports[2]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "validity")
        .unwrap()["value"]["at"]
        .as_str()
        .unwrap()
        .to_owned();
    let (out, _) = run(verify().args(["--json", "--at", &at]).arg(&single), 0);
    let alone = json_lines(&out).remove(0);
    let mut third = reports[2].clone();
    third.as_object_mut().unwrap().remove("line");
    third["file"] = alone["file"].clone();
    assert_eq!(third, alone);
}

/// A bundle larger than the per-file limit is read (the limit is a line's), a
/// tampered line is invalid, and a blank line in the middle, a line that is not
/// JSON and a line over the limit are errors of their own, while the lines after
/// them still verify; blank lines at the end are ignored.
#[test]
fn a_bundle_is_streamed_and_each_bad_line_is_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_, lines) = signer_bundle(dir.path(), 4);
    let tampered = lines[1].replace("Learner 2", "Learner 9");
    assert_ne!(tampered, lines[1]);
    // JSON whitespace after the value: 1 MiB per line, so that nine lines make a
    // file over the 8 MiB limit of one document.
    let pad = " ".repeat(1 << 20);
    let big = dir.path().join("big.jsonl");
    let body: String = (0..9).map(|i| format!("{}{pad}\n", lines[i % 4])).collect();
    std::fs::write(&big, &body).unwrap();
    assert!(body.len() > 9 * (1 << 20));
    let (out, _) = run(verify().arg(&big), 0);
    assert!(
        out.contains("totals: 0 valid, 9 genuine but unconfirmed, 0 invalid, 0 could not be checked (9 in all)"),
        "{out}"
    );

    let mixed = dir.path().join("mixed.jsonl");
    let too_long = format!("{}{}", lines[2], " ".repeat(8 * 1024 * 1024));
    let text = [
        lines[0].as_str(),   // 1 valid
        &tampered,           // 2 invalid
        "",                  // 3 blank: error
        &lines[2],           // 4 valid
        "{\"a\":1,\"a\":2}", // 5 not strict JSON: error
        &too_long,           // 6 over the limit: error
        &lines[3],           // 7 valid, with CRLF
        "",
        "",
    ]
    .join("\n")
    .replace(&format!("{}\n", lines[3]), &format!("{}\r\n", lines[3]));
    std::fs::write(&mixed, text).unwrap();
    let name = mixed.display().to_string();

    let (out, err) = run(verify().arg("--json").arg("--totals").arg(&mixed), 2);
    let reports = json_lines(&out);
    assert_eq!(reports.len(), 8, "seven lines and the totals: {out}");
    let kinds: Vec<(&str, u64)> = reports[..7]
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("credential", 1),
            ("credential", 2),
            ("error", 3),
            ("credential", 4),
            ("error", 5),
            ("error", 6),
            ("credential", 7)
        ]
    );
    let valid: Vec<Option<bool>> = reports[..7].iter().map(|r| r["valid"].as_bool()).collect();
    let (t, f) = (Some(true), Some(false));
    assert_eq!(valid, [t, f, None, t, None, None, t]);
    let error = |i: usize| reports[i]["error"].as_str().unwrap().to_owned();
    assert!(
        error(2).starts_with(&format!("{name}:3: blank line")),
        "{}",
        error(2)
    );
    assert!(
        error(4).starts_with(&format!("{name}:5: ")) && error(4).contains("duplicate member"),
        "{}",
        error(4)
    );
    assert!(
        error(5).ends_with(&format!(
            "{name}:6: line is larger than the limit of 8388608 bytes"
        )),
        "{}",
        error(5)
    );
    assert_eq!(
        reports[7],
        serde_json::json!({"reportVersion": 2, "kind": "totals",
            "totals": {"count": 7, "valid": 0, "unconfirmed": 3, "invalid": 1, "error": 3}})
    );
    for n in [3, 5, 6] {
        assert!(
            err.contains(&format!("microcred-verify: error: {name}:{n}: ")),
            "{err}"
        );
    }

    let (out, _) = run(verify().arg(&mixed), 2);
    assert!(
        out.contains(&format!("{name}:2: INVALID credential")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{name}:3: COULD NOT VERIFY (")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{name}:7: GENUINE BUT UNCONFIRMED credential")),
        "{out}"
    );
    assert!(
        out.ends_with("totals: 0 valid, 3 genuine but unconfirmed, 1 invalid, 3 could not be checked (7 in all)\n"),
        "{out}"
    );
    // An empty bundle has nothing to verify: an error, not a silent success.
    for (name, text) in [("empty.jsonl", ""), ("blank.jsonl", "\n \n\n")] {
        let empty = dir.path().join(name);
        std::fs::write(&empty, text).unwrap();
        let (_, err) = run(verify().arg(&empty), 2);
        assert!(err.contains("the JSON Lines file is empty"), "{err}");
    }
}

/// A bundle under another name: one document per file is the rule for `*.json`,
/// so it is an error with a hint; `--jsonl` reads it line by line.
#[test]
fn a_bundle_named_json_gets_a_hint_and_jsonl_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, lines) = signer_bundle(dir.path(), 3);
    let renamed = dir.path().join("cohort.json");
    std::fs::copy(&bundle, &renamed).unwrap();
    let (_, err) = run(verify().arg(&renamed), 2);
    assert!(err.contains("after the end of the JSON value"), "{err}");
    assert!(err.contains("give --jsonl"), "{err}");
    let (out, _) = run(verify().arg("--jsonl").arg(&renamed), 0);
    let name = renamed.display().to_string();
    assert!(
        out.contains(&format!("{name}:3: GENUINE BUT UNCONFIRMED credential")),
        "{out}"
    );
    // A directory still stands for its *.json files, each one document.
    let only = dir.path().join("only");
    std::fs::create_dir(&only).unwrap();
    std::fs::write(only.join("one.json"), &lines[0]).unwrap();
    let (out, _) = run(verify().arg("--jsonl").arg(&only), 0);
    assert!(
        out.contains("one.json: GENUINE BUT UNCONFIRMED credential"),
        "{out}"
    );
}

/// Many files end with one line of totals (human), not one file; `--totals`
/// asks for it always, and in `--json` as the last line, after the qualification.
#[test]
fn many_files_end_with_a_line_of_totals() {
    let dir = tempfile::tempdir().unwrap();
    for (i, mut c) in credentials(4).into_iter().enumerate() {
        if i == 2 {
            c["name"] = "tampered".into();
        }
        std::fs::write(dir.path().join(format!("c{i}.json")), compact(&c)).unwrap();
    }
    std::fs::write(dir.path().join("x.json"), "[1]").unwrap();
    let (out, _) = run(verify_at().arg(dir.path()), 2);
    assert!(
        out.ends_with("totals: 0 valid, 3 genuine but unconfirmed, 1 invalid, 1 could not be checked (5 in all)\n"),
        "{out}"
    );
    let one = dir.path().join("c0.json");
    let (out, _) = run(verify_at().arg(&one), 0);
    assert!(!out.contains("totals"), "{out}");
    let (out, _) = run(verify_at().arg("--totals").arg(&one), 0);
    assert!(
        out.ends_with("totals: 0 valid, 1 genuine but unconfirmed, 0 invalid, 0 could not be checked (1 in all)\n"),
        "{out}"
    );
    // Two file arguments: totals too.
    let (out, _) = run(verify_at().arg(&one).arg(dir.path().join("c2.json")), 1);
    assert!(out.ends_with("(2 in all)\n"), "{out}");

    // --json: every line is a report unless --totals asks for the last line.
    let (out, _) = run(verify_at().arg("--json").arg(dir.path()), 2);
    let reports = json_lines(&out);
    assert_eq!(reports.len(), 5);
    assert!(reports.iter().all(|r| r.get("file").is_some()));
    let q = dir.path().join("q.json");
    std::fs::write(&q, compact(&qualification_json(5.0, "any".into()))).unwrap();
    let (out, _) = run(
        verify_at()
            .arg("--json")
            .arg("--totals")
            .arg("--qualification")
            .arg(&q)
            .arg(dir.path().join("c0.json"))
            .arg(dir.path().join("c1.json")),
        0,
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["kind"], "qualification");
    assert_eq!(lines[3]["kind"], "totals");
    assert_eq!(lines[3]["totals"]["unconfirmed"], 2);
    assert!(lines[3].get("valid").is_none() && lines[3].get("file").is_none());
}

/// A FIFO (named, or behind a `*.json` symlink in a directory), a socket and a
/// directory named `*.json` are refused at once, each named with what it is
/// (exit 2), while the credential beside them verifies; nothing waits on the FIFO.
#[cfg(unix)]
#[test]
fn fifos_sockets_and_directories_are_refused_not_waited_on_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let fifo = store.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils) is needed by this test");
    assert!(made.success());
    std::os::unix::fs::symlink(&fifo, dir.path().join("a-link.json")).unwrap();
    let named = dir.path().join("b-pipe.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&named)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(dir.path().join("c-good.json"), compact(&credential())).unwrap();
    std::fs::create_dir(dir.path().join("d-sub.json")).unwrap();
    // Kept open until the end: the socket file exists while the listener does.
    let _listener =
        std::os::unix::net::UnixListener::bind(dir.path().join("e-socket.json")).unwrap();

    let (out, err) = run(verify_at().arg("--json").arg(dir.path()), 2);
    let reports = json_lines(&out);
    let summary: Vec<(String, String)> = reports
        .iter()
        .map(|r| {
            let file = Path::new(r["file"].as_str().unwrap());
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            (name, r["kind"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("a-link.json".to_owned(), "error".to_owned()),
            ("b-pipe.json".into(), "error".into()),
            ("c-good.json".into(), "credential".into()),
            ("d-sub.json".into(), "error".into()),
            ("e-socket.json".into(), "error".into()),
        ]
    );
    assert_eq!(reports[2]["valid"], true);
    for (i, what) in [
        (0, "a FIFO (named pipe)"),
        (1, "a FIFO (named pipe)"),
        (3, "a directory"),
        (4, "a socket"),
    ] {
        let e = reports[i]["error"].as_str().unwrap();
        assert!(
            e.ends_with(&format!(
                ": not a regular file but {what}; only regular files are read"
            )),
            "{e}"
        );
        assert!(err.contains(e), "{err}");
    }

    // Named on the command line, as a JSON Lines file, or as an option file.
    let (_, err) = run(verify_at().arg(&named), 2);
    assert!(
        err.contains("b-pipe.json: not a regular file but a FIFO"),
        "{err}"
    );
    let (_, err) = run(verify_at().arg("--jsonl").arg(&fifo), 2);
    assert!(err.contains("pipe: not a regular file but a FIFO"), "{err}");
    let (_, err) = run(
        verify_at()
            .arg("--trust")
            .arg(&fifo)
            .arg(dir.path().join("c-good.json")),
        2,
    );
    assert!(err.contains("pipe: not a regular file but a FIFO"), "{err}");
    verify_at()
        .arg("--status-list")
        .arg(&named)
        .arg(dir.path().join("c-good.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a regular file"));
}
