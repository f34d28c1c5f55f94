//! Credentials other people made: 1EdTech's conformance collection
//! (`tests/vectors/1edtech-validator/`, verbatim), each with the outcome
//! `expected.json` records — verdict, exit status, reason codes, one outcome
//! per proof, or the error a file we cannot read gets (`exit` is the status
//! the file gets on its own). What matters most is
//! the class: a genuine credential verifies, a broken one is invalid for the
//! reason named, and one we cannot check is never called forged.

use std::process::Command;

use serde_json::Value;

use crate::common::{bin, read, repo};

const DIR: &str = "tests/vectors/1edtech-validator";
/// Where the collection's two status-list credentials say their list is.
const LIST_URL: &str = "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist";

/// What `microcred-verify --json` says of each file, in the shape of
/// `expected.json`, from one run over all of them (one report per file, in
/// order). `exit` is the status the file would get on its own: 0 valid or
/// genuine but unconfirmed, 1 invalid, 2 could not be checked or not read.
fn outcomes(files: &[String]) -> (Vec<Value>, i32) {
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .current_dir(repo(DIR))
        .env("NO_COLOR", "1")
        .args(["--no-config", "--trust", "trust.json"])
        // The list as fetched from the URL the credentials name (its own id is another).
        .arg("--status-list")
        .arg(format!("{LIST_URL}=ob30/bit-string-list/testlist"))
        .args(["--at", "2026-01-01T00:00:00Z", "--json"])
        .args(files)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let reports: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(reports.len(), files.len(), "one report per file: {stdout}");
    let got = reports.iter().zip(files).map(|(report, file)| {
        assert_eq!(report["file"], file.as_str());
        let mut got = serde_json::Map::new();
        if report["kind"] == "error" {
            got.insert("exit".into(), 2.into());
            // The first words name what the file is; the rest is advice that may be reworded.
            let error = report["error"].as_str().unwrap();
            let head: String = error.chars().take(60).collect();
            got.insert("error".into(), head.into());
            return got.into();
        }
        let exit = match report["verdict"].as_str().unwrap() {
            "valid" | "unconfirmed" => 0,
            "invalid" => 1,
            _ => 2,
        };
        got.insert("exit".into(), exit.into());
        got.insert("verdict".into(), report["verdict"].clone());
        let mut reasons: Vec<&str> = report["reasons"]
            .as_array()
            .map(|r| r.iter().map(|r| r["code"].as_str().unwrap()).collect())
            .unwrap_or_default();
        reasons.sort_unstable();
        reasons.dedup();
        got.insert("reasons".into(), reasons.into());
        let proofs: Vec<Value> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "proof")
            .map(|c| c["outcome"].clone())
            .collect();
        got.insert("proofs".into(), proofs.into());
        got.into()
    });
    (got.collect(), out.status.code().unwrap())
}

#[test]
fn the_1edtech_conformance_collection_gets_the_recorded_outcomes() {
    let expected: Value = serde_json::from_slice(&read(&format!("{DIR}/expected.json"))).unwrap();
    let expected = expected.as_object().unwrap();
    // Every file of the folder has an expectation, and every expectation a file.
    let mut on_disk = Vec::new();
    let mut stack = vec![repo(DIR)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(repo(DIR))
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned();
                if !["README.md", "expected.json", "trust.json"].contains(&rel.as_str()) {
                    on_disk.push(rel);
                }
            }
        }
    }
    on_disk.sort();
    let listed: Vec<String> = expected.keys().cloned().collect();
    assert_eq!(on_disk, listed, "expected.json and the folder disagree");

    let (got, code) = outcomes(&listed);
    // The run's status is the worst file's: some could not be checked.
    assert_eq!(code, 2);
    let mut wrong = Vec::new();
    for ((file, want), got) in expected.iter().zip(got) {
        if &got != want {
            wrong.push(format!("{file}\n  want {want}\n  got  {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} files differ from expected.json (re-record with care):\n{}",
        wrong.len(),
        expected.len(),
        wrong.join("\n")
    );
}

/// A baked badge is as good as its credential: changed inside the image, it is
/// refused as changed; an image with nothing baked in is named, not misread.
#[test]
fn a_baked_badge_changed_inside_the_image_is_refused() {
    let png = read(&format!("{DIR}/ob30/simple-json.png"));
    let at = png
        .windows(b"Teamwork Badge".len())
        .position(|w| w == b"Teamwork Badge")
        .unwrap();
    let mut changed = png.clone();
    changed[at + b"Teamwork Badge".len() - 1] = b'X';
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("badge.png");
    std::fs::write(&file, &changed).unwrap();
    let trust = repo(&format!("{DIR}/trust.json"));
    let run = |file: &std::path::Path| {
        let out = Command::new(bin("microcred-verify"))
            .env("XDG_CONFIG_HOME", crate::common::no_config())
            .env("NO_COLOR", "1")
            .args([
                "--no-config",
                "--json",
                "--at",
                "2026-01-01T00:00:00Z",
                "--trust",
            ])
            .arg(&trust)
            .arg(file)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let (code, report) = run(&file);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["verdict"], "invalid");
    assert!(
        report["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "tampered"),
        "{report}"
    );
    // The picture without its credential chunk.
    let chunk = png.windows(4).position(|w| w == b"iTXt").unwrap();
    let mut bare = png[..chunk - 4].to_vec();
    let len = u32::from_be_bytes(png[chunk - 4..chunk].try_into().unwrap()) as usize;
    bare.extend_from_slice(&png[chunk + 4 + len + 4..]);
    std::fs::write(&file, &bare).unwrap();
    let (code, report) = run(&file);
    assert_eq!(code, 2, "{report}");
    assert_eq!(report["format"]["id"], "image", "{report}");
}
