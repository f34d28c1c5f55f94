//! `microcred-verify DIR` prints the same reports, byte for byte, however the
//! bulk driver runs (batch or `--no-batch`, 1 or 2 jobs), and they are the
//! reports of `Verifier::verify_bytes`, which parses each document whole: the
//! binary reads only the members a credential's report needs
//! (`crates/microcred-verifier/src/select.rs`), so any member it missed, or read
//! differently, shows here. The files: every checked-in credential-like fixture
//! (signed, tampered, presentations, hostile and bad files, the profile cases
//! with their varied `microCredential` blocks), and a signed credential with
//! each member the reports read replaced by values of every JSON type, removed,
//! or spelled in other ways (escaped names, odd number forms).

use std::path::Path;

use assert_cmd::Command;
use microcred_core::Value;
use microcred_verifier::{Options, StatusLists, TrustList, Verifier, VerifyError};
use serde_json::json;

use super::fixtures::*;
use crate::common::{bin, read, repo};

/// Writes the files into `dir`; returns their names.
fn corpus(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let mut put = |name: String, bytes: &[u8]| {
        let name = format!("{:03}-{name}.json", names.len());
        std::fs::write(dir.join(&name), bytes).unwrap();
        names.push(name);
    };
    for sub in [
        "tests/malformed",
        "tests/malformed/support",
        "tests/profiles/cases",
        "tests/vectors/eddsa-jcs-2022",
        "tests/vectors/eddsa-rdfc-2022",
        "tests/vectors/vc-di-ecdsa/ecdsa-rdfc-2019-p256",
        "tests/vectors/vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ",
        "tests/vectors/vc-di-ecdsa/ecdsa-jcs-2019-p256",
        "tests/vectors/vc-di-ecdsa/ecdsa-jcs-2019-p384",
        "keys-example",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(repo(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
            put(stem, &std::fs::read(&f).unwrap());
        }
    }
    let signed = credential();
    put("signed".into(), &serde_json::to_vec(&signed).unwrap());
    put(
        "signed-with-status".into(),
        &serde_json::to_vec(&sign(
            &with_status(unsigned(&did(&issuer()), &did(&learner()), 2), 5),
            &issuer(),
        ))
        .unwrap(),
    );
    let mc = "/credentialSubject/achievement/microCredential";
    let paths = [
        "/@context",
        "/@context/1",
        "/type",
        "/id",
        "/name",
        "/issuer",
        "/issuer/id",
        "/issuer/name",
        "/validFrom",
        "/validUntil",
        "/credentialStatus",
        "/credentialSubject",
        "/credentialSubject/id",
        "/credentialSubject/achievement",
        "/credentialSubject/achievement/id",
        "/credentialSubject/achievement/name",
        mc,
        &format!("{mc}/profile"),
        &format!("{mc}/learningOutcomes"),
        &format!("{mc}/learningOutcomes/0/description"),
        &format!("{mc}/workload"),
        &format!("{mc}/workload/hours"),
        &format!("{mc}/workload/volumeOfLearning"),
        &format!("{mc}/workload/creditPoints"),
        &format!("{mc}/workload/creditPoints/0/points"),
        &format!("{mc}/level/eqfLevel"),
        &format!("{mc}/assessment"),
        &format!("{mc}/assessment/summative"),
        "/proof",
        "/proof/created",
    ];
    let values = [
        json!(null),
        json!(true),
        json!(7),
        json!(-2.5),
        json!("2025-01-01T00:00:00Z"),
        json!("VerifiablePresentation"),
        json!(["a", 1]),
        json!([{"id": "did:example:a"}, 3]),
        json!({}),
        json!({"b": 1, "a": [1, {"c": "d"}], "type": "X", "id": "urn:x", "name": "N"}),
        json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
               "statusListIndex": "7", "statusListCredential": "https://uni.example/status/2025/revocation"}),
    ];
    for (p, path) in paths.iter().enumerate() {
        for (v, value) in values.iter().map(Some).chain([None]).enumerate() {
            let mut doc = signed.clone();
            let (parent, last) = path.rsplit_once('/').unwrap();
            match (doc.pointer_mut(parent).unwrap(), value) {
                (Value::Object(o), Some(value)) => {
                    o.insert(last.to_owned(), value.clone());
                }
                (Value::Object(o), None) => {
                    o.shift_remove(last);
                }
                (Value::Array(a), Some(value)) => a[last.parse::<usize>().unwrap()] = value.clone(),
                (Value::Array(a), None) => {
                    a.remove(last.parse::<usize>().unwrap());
                }
                _ => unreachable!("{path}"),
            }
            // Compact and pretty-printed in turn: whitespace between the members.
            let bytes = if v % 2 == 0 {
                serde_json::to_vec(&doc).unwrap()
            } else {
                serde_json::to_vec_pretty(&doc).unwrap()
            };
            put(format!("member-{p}-{v}"), &bytes);
        }
    }
    let text = serde_json::to_string_pretty(&signed).unwrap();
    for (name, from, to) in [
        ("escaped-name", "\"validFrom\"", "\"valid\\u0046rom\""),
        ("escaped-nested-name", "\"eqfLevel\"", "\"eqf\\u004cevel\""),
        (
            "escaped-unread-name",
            "\"awardedDate\"",
            "\"awarded\\u0044ate\"",
        ),
        (
            "escaped-value",
            "University of Example",
            "Univ\\u00e9rsit\\\"y \\\\of\\n Example",
        ),
        ("number-forms", "\"points\": 5.0", "\"points\": 0.5e1"),
        ("negative-zero", "\"hours\": 125", "\"hours\": -0"),
        ("float-level", "\"eqfLevel\": 7", "\"eqfLevel\": 7.0"),
        ("tiny-number", "\"hours\": 125", "\"hours\": 1e-320"),
        ("duplicate-member", "\"name\"", "\"id\": \"x\", \"name\""),
        ("trailing-garbage", "\n}", "\n} x"),
    ] {
        assert!(text.contains(from), "{from}");
        put(name.into(), text.replacen(from, to, 1).as_bytes());
    }
    let subjects = {
        let mut doc = signed.clone();
        doc["credentialSubject"] =
            json!([signed["credentialSubject"].clone(), {"id": "did:example:b"}]);
        doc
    };
    put(
        "two-subjects".into(),
        &serde_json::to_vec(&subjects).unwrap(),
    );
    put("empty".into(), b"");
    put("array".into(), b"[]");
    put(
        "strings-with-brackets".into(),
        br#"{"x": "}]\"{[", "name": "n", "proof": {"a": "\\"}}"#,
    );
    names
}

/// Runs the binary in `dir` on `files/` with `args`: (exit status, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<u8>, Vec<u8>) {
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["--at", AT])
        .args(args)
        .arg("files")
        .output()
        .unwrap();
    (out.status.code().unwrap(), out.stdout, out.stderr)
}

#[test]
fn reports_are_identical_in_every_mode_and_to_the_whole_document_path() {
    let work = tempfile::tempdir().unwrap();
    let files = work.path().join("files");
    std::fs::create_dir(&files).unwrap();
    let names = corpus(&files);
    let trust = repo("tests/malformed/support/trust-list.json");
    let list = repo("tests/malformed/support/status-list.json");
    let (trust, list) = (trust.to_str().unwrap(), list.to_str().unwrap());
    let option_sets: [&[&str]; 3] = [
        &[],
        &["--trust", trust, "--status-list", list],
        &["--profile", "claimed"],
    ];
    // JSON Lines with every option set, in every mode; the human and HTML forms
    // (rendered from the same reports) without options, batch on one job against
    // one by one on two.
    let runs = option_sets
        .iter()
        .enumerate()
        .map(|(set, options)| (set, *options, &["--json"][..], &MODES[..]))
        .chain([
            (0, option_sets[0], &[][..], &MODES[..2]),
            (0, option_sets[0], &["--html"][..], &MODES[..2]),
        ]);
    for (set, options, format, modes) in runs {
        let args = |mode: &[&'static str]| [options, format, mode].concat();
        let first = run(work.path(), &args(modes[0]));
        for mode in &modes[1..] {
            let other = run(work.path(), &args(mode));
            assert!(
                other == first,
                "{options:?} {format:?} {mode:?}: output differs from {:?}",
                modes[0]
            );
        }
        assert_eq!(first.0, 2, "some files cannot be parsed");
        if format == ["--json"] && set < 2 {
            let lines = String::from_utf8(first.1).unwrap();
            let lines: Vec<&str> = lines.lines().collect();
            assert_eq!(lines.len(), names.len());
            let verifier = library_verifier(set == 1);
            for (name, line) in names.iter().zip(lines) {
                let expected =
                    expected_line(&verifier, &format!("files/{name}"), &read_in(&files, name));
                assert_eq!(line, expected, "{options:?} {name}");
            }
        }
    }
}

/// Batch on one job first: the others are compared with it.
const MODES: [&[&str]; 4] = [
    &["--jobs", "1"],
    &["--jobs", "2", "--no-batch"],
    &["--jobs", "2"],
    &["--jobs", "1", "--no-batch"],
];

fn read_in(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

/// The verifier the option sets without profiles stand for.
fn library_verifier(trust_and_status: bool) -> Verifier {
    let mut o = Options::default();
    o.at = Some(at());
    if trust_and_status {
        o.trust =
            Some(TrustList::from_json(&read("tests/malformed/support/trust-list.json")).unwrap());
        let mut lists = StatusLists::new();
        let doc =
            microcred_core::json::parse(&read("tests/malformed/support/status-list.json")).unwrap();
        lists.add(doc).unwrap();
        o.status_lists = lists;
    }
    Verifier::with_options(o)
}

/// The JSON line of `docs/verify-report.md` for a file, from the library's
/// whole-document verification.
fn expected_line(verifier: &Verifier, file: &str, bytes: &[u8]) -> String {
    let head = format!("{{\"file\":{},\"reportVersion\":2", json!(file));
    match verifier.verify_bytes(bytes) {
        Ok(report) => {
            let body = serde_json::to_string(&report).unwrap();
            format!("{head},{}", &body[1..])
        }
        Err(e) => {
            let msg = match e {
                // The binary's hint for a second document after the first (a JSON
                // Lines bundle under a *.json name).
                VerifyError::Json(e)
                    if matches!(
                        e.kind,
                        microcred_core::json::JsonErrorKind::TrailingCharacters { .. }
                    ) =>
                {
                    format!(
                        "{file}: {e} (one document per line? name the file *.jsonl or give \
                         --jsonl to verify each line)"
                    )
                }
                VerifyError::Json(e) => format!("{file}: {e}"),
                _ => format!("{file}: the document is not a JSON object"),
            };
            format!("{head},\"kind\":\"error\",\"error\":{}}}", json!(msg))
        }
    }
}
