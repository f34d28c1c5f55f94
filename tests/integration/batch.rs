//! `microcred-sign batch`, the ledger, revocation and status lists, with the
//! binary run as a process.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use microcred_core::proof::{DidKeyResolver, verify_proofs};
use microcred_core::status_list::ListCredential;
use predicates::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use microcred_signer::ledger::{Ledger, Record, State};

use crate::common::{bin, hex, repo};

fn sign() -> Command {
    Command::new(bin("microcred-sign"))
}

/// The ledger's credentials in index order, read through the signer library's API.
pub(crate) fn ledger_records(ledger: &Path) -> Vec<Record> {
    Ledger::open(ledger).unwrap().list().unwrap()
}

pub(crate) const BASE: &str = "https://uni.example/status/2025";

/// A fresh issuer key (did:key) and a directory to work in (also used by
/// `first_hour`).
pub(crate) struct Setup {
    dir: tempfile::TempDir,
    pub(crate) key: PathBuf,
    pub(crate) did: String,
}

impl Setup {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = sign()
            .args(["keygen", "--out"])
            .arg(dir.path())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let did = String::from_utf8(out).unwrap().trim().to_owned();
        let key = dir.path().join("issuer.key.json");
        Self { dir, key, did }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub(crate) fn ledger(&self) -> PathBuf {
        let l = self.path("ledger.sqlite");
        sign()
            .args(["ledger", "init", "--status-base-url", BASE, "--ledger"])
            .arg(&l)
            .arg("--key")
            .arg(&self.key)
            .assert()
            .success();
        l
    }

    pub(crate) fn template(&self) -> PathBuf {
        self.write(
            "course.json",
            &json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "name": "Applied Statistics (5 ECTS) for {{name}}",
                "credentialSubject": {"id": "{{did}}", "name": "{{name}}"},
            })
            .to_string(),
        )
    }

    /// A ledger-backed batch as a plain process (the kill tests spawn and kill
    /// it), writing to `out` with `out_flag` (`--out` or `--out-jsonl`).
    fn killable_batch(
        &self,
        jobs: &str,
        template: &Path,
        learners: &Path,
        out_flag: &str,
        out: &Path,
        ledger: &Path,
    ) -> std::process::Command {
        let mut c = std::process::Command::new(bin("microcred-sign"));
        c.args(["batch", "--id-column", "student", "--jobs", jobs, "--key"])
            .arg(&self.key)
            .arg("--template")
            .arg(template)
            .arg("--learners")
            .arg(learners)
            .arg(out_flag)
            .arg(out)
            .arg("--ledger")
            .arg(ledger);
        c
    }

    pub(crate) fn batch(&self, template: &Path, learners: &Path, out: &Path) -> Command {
        let mut c = sign();
        c.args(["batch", "--key"])
            .arg(&self.key)
            .arg("--template")
            .arg(template)
            .arg("--learners")
            .arg(learners)
            .arg("--out")
            .arg(out);
        c
    }
}

pub(crate) fn learners_csv(n: usize) -> String {
    let mut s = String::from("student,did,name\n");
    for i in 1..=n {
        s.push_str(&format!(
            "s{i:05},did:example:learner-{i},\"Learner {i}, Jr\"\n"
        ));
    }
    s
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// What the batch writes to stderr when it reaches its test pause point
/// (`crates/microcred-signer/src/test_hook.rs`).
const PAUSE_MARKER: &str = "microcred-sign: test pause after rows:";

/// Starts the batch with its test pause point at `rows` rows of this run, waits
/// until it reports that it has paused there, then kills it with SIGKILL. The
/// kill point is the same on a fast and a slow machine: no timer races the batch.
pub(crate) fn run_and_kill_after(cmd: &mut std::process::Command, rows: usize) {
    use std::io::BufRead as _;
    let mut child = cmd
        .env("MICROCRED_TEST_PAUSE_AFTER_ROWS", rows.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let mut paused = false;
    // Ends when the batch pauses, or when it exits (stderr closes) without pausing.
    for line in stderr.lines() {
        let line = line.unwrap();
        if line == format!("{PAUSE_MARKER} {rows}") {
            paused = true;
            break;
        }
        seen.push(line);
    }
    // Child::kill sends SIGKILL on Unix.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        paused,
        "the batch ended before its pause point after {rows} rows; stderr: {seen:?}"
    );
}

/// [`run_and_kill_after`] in `--out` mode: returns how many credential files
/// exist after the kill.
fn run_and_kill(cmd: &mut std::process::Command, out: &Path, rows: usize) -> usize {
    run_and_kill_after(cmd, rows);
    json_files(out).len()
}

#[test]
fn a_batch_killed_twice_resumes_to_exactly_one_valid_credential_per_row() {
    const ROWS: usize = 2000;
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("learners.csv", &learners_csv(ROWS));
    let out = s.path("out");
    let batch = |jobs: &str| s.killable_batch(jobs, &template, &learners, "--out", &out, &ledger);

    // Killed after 50 rows are on disk, then after 200 more.
    let first = run_and_kill(&mut batch("1"), &out, 50);
    assert_eq!(first, 50, "each row on disk at the pause has its file");
    let second = run_and_kill(&mut batch("2"), &out, 200);
    assert_eq!(second, first + 200);

    let summary = Command::from_std(batch("0"))
        .arg("--json")
        .assert()
        .success()
        .stderr(predicate::str::contains("resum"))
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["rows"], ROWS);
    assert_eq!(summary["skipped"], 0);
    // Every row was reserved by the first run, so this run resumes what is left.
    assert_eq!(summary["issued"], 0);
    let resumed = summary["resumed"].as_u64().unwrap();
    let already = summary["already_issued"].as_u64().unwrap();
    assert!(resumed >= (ROWS - second) as u64, "{summary}");
    assert_eq!(resumed + already, ROWS as u64, "{summary}");

    // Exactly one file per row, each complete and valid, no leftovers: the
    // temporary files (`.microcred-*`) the killed runs left were removed.
    let files = json_files(&out);
    assert_eq!(files.len(), ROWS);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().ends_with(".json"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let mut ids = HashSet::new();
    let mut indexes = HashSet::new();
    let mut by_id: HashMap<String, (PathBuf, String, u64)> = HashMap::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        // The default proof set (eddsa-jcs-2022, eddsa-rdfc-2022).
        let outcomes = verify_proofs(&doc, &DidKeyResolver);
        assert_eq!(outcomes.len(), 2, "{}", f.display());
        for o in &outcomes {
            assert_eq!(o.result, Ok(s.did.clone()), "{}", f.display());
        }
        assert_eq!(doc["issuer"], s.did.as_str());
        let id = doc["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("urn:uuid:"), "{id}");
        let status = doc["credentialStatus"].as_array().unwrap();
        assert_eq!(status.len(), 2);
        let index = status[0]["statusListIndex"].as_str().unwrap().to_owned();
        assert_eq!(status[1]["statusListIndex"], index.as_str());
        assert_eq!(
            status[0]["statusListCredential"],
            format!("{BASE}/revocation")
        );
        assert_eq!(
            status[1]["statusListCredential"],
            format!("{BASE}/suspension")
        );
        let index: u64 = index.parse().unwrap();
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        assert!(indexes.insert(index), "duplicate index {index}");
        // File name = learner id; the content is that learner's.
        let stem = f.file_stem().unwrap().to_str().unwrap();
        let i: usize = stem.trim_start_matches('s').parse().unwrap();
        assert_eq!(
            doc["credentialSubject"]["id"],
            format!("did:example:learner-{i}")
        );
        by_id.insert(id, (f.clone(), hex(&Sha256::digest(&bytes)), index));
    }
    assert_eq!(ids.len(), ROWS);
    assert_eq!(indexes, (0..ROWS as u64).collect::<HashSet<_>>());

    // The ledger agrees with the files, row for row.
    let db = Ledger::open(&ledger).unwrap();
    let rows = db.list().unwrap();
    assert_eq!(rows.len(), ROWS);
    for r in rows {
        let id = r.credential_id;
        let (file, file_sha, file_index) = &by_id[&id];
        assert_eq!(
            Path::new(&r.out_file.unwrap()),
            std::fs::canonicalize(file).unwrap()
        );
        assert_eq!(r.file_sha256.as_ref(), Some(file_sha), "{id}");
        assert_eq!(r.status_index, *file_index);
        assert_eq!(r.state, State::Issued);
        assert_eq!(file.file_stem().unwrap().to_str(), r.learner_id.as_deref());
    }
    assert_eq!(db.next_index().unwrap(), ROWS as u64);
    drop(db);

    // Running it once more changes nothing.
    let again = Command::from_std(batch("0"))
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let again: Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(again["already_issued"], ROWS);
    assert_eq!(again["issued"], 0);
    assert_eq!(json_files(&out).len(), ROWS);

    // A file deleted after issuance is restored identically; one changed is refused.
    let (victim, victim_sha, _) = by_id.values().next().unwrap().clone();
    std::fs::remove_file(&victim).unwrap();
    let restored = Command::from_std(batch("0"))
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let restored: Value = serde_json::from_slice(&restored).unwrap();
    assert_eq!(restored["restored"], 1);
    assert_eq!(
        hex(&Sha256::digest(std::fs::read(&victim).unwrap())),
        victim_sha
    );
    std::fs::write(&victim, b"{}").unwrap();
    Command::from_std(batch("0"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("changed after issuance"));
}

#[test]
fn bad_rows_are_reported_by_line_and_column_then_aborted_or_skipped() {
    let s = Setup::new();
    let template = s.template();
    // Line 3: empty name; line 5: a subject id that is not a URI; line 6: a missing field.
    let learners = s.write(
        "learners.csv",
        "student,did,name\n\
         s1,did:example:1,Ada\n\
         s2,did:example:2,\n\
         s3,did:example:3,Cy\n\
         s4,not a uri,Dee\n\
         s5,did:example:5\n\
         s6,did:example:6,Fay\n",
    );
    let out = s.path("out");
    s.batch(&template, &learners, &out).assert().code(2).stderr(
        predicate::str::contains("line 3 (row 2), column \"name\": value is empty")
            .and(predicate::str::contains("line 5 (row 4), column \"did\""))
            .and(predicate::str::contains(
                "line 6 (row 5), column \"name\": value is missing",
            ))
            .and(predicate::str::contains("nothing was signed")),
    );
    assert!(json_files(&out).is_empty());

    let summary = s
        .batch(&template, &learners, &out)
        .args(["--on-error", "skip", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("line 3 (row 2)"))
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["rows"], 6);
    assert_eq!(summary["issued"], 3);
    assert_eq!(summary["skipped"], 3);
    let lines: Vec<u64> = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 5, 6]);
    assert_eq!(summary["errors"][0]["column"], "name");
    // Without --id-column, files are named by data row number.
    let names: Vec<String> = json_files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["row-000001.json", "row-000003.json", "row-000006.json"]
    );
    let doc = read_json(&out.join("row-000003.json"));
    assert_eq!(doc["name"], "Applied Statistics (5 ECTS) for Cy");
    assert_eq!(
        verify_proofs(&doc, &DidKeyResolver)[0].result,
        Ok(s.did.clone())
    );
    // Without a ledger: no credentialStatus.
    assert!(doc.get("credentialStatus").is_none());

    // Duplicate learner ids are row problems too.
    let dup = s.write("dup.csv", "student,did,name\na,did:x:1,A\nA,did:x:2,B\n");
    s.batch(&template, &dup, &s.path("out-dup"))
        .args(["--id-column", "student"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3").and(predicate::str::contains("as line 2 does")));
}

#[test]
fn a_placeholder_without_a_column_fails_before_anything_is_signed() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.write(
        "course.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "{{did}}", "grade": "{{ grade }}"},
        })
        .to_string(),
    );
    let learners = s.write("l.csv", "did,name\ndid:x:1,A\n");
    let out = s.path("out");
    s.batch(&template, &learners, &out)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("{{grade}} (at credentialSubject.grade)")
                .and(predicate::str::contains("the columns are: did, name")),
        );
    assert!(!out.exists() || json_files(&out).is_empty());
    // An empty list is a mistake too.
    let empty = s.write("empty.csv", "did,name\n");
    s.batch(&s.template(), &empty, &out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no learner rows"));
    assert_eq!(ledger_records(&ledger).len(), 0);
}

#[test]
fn jsonl_values_keep_their_types() {
    let s = Setup::new();
    let template = s.write(
        "course.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {
                "id": "{{did}}", "ects": "{{ects}}", "passed": "{{passed}}",
                "note": "{{ects}} ECTS",
            },
        })
        .to_string(),
    );
    let learners = s.write(
        "l.jsonl",
        "{\"did\":\"did:x:1\",\"ects\":2.5,\"passed\":true}\n\n{\"did\":\"did:x:2\",\"ects\":null,\"passed\":false}\n",
    );
    let out = s.path("out");
    s.batch(&template, &learners, &out)
        .args(["--on-error", "skip"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "line 3 (row 2), column \"ects\": value is null",
        ));
    let doc = read_json(&out.join("row-000001.json"));
    assert_eq!(doc["credentialSubject"]["ects"], 2.5);
    assert_eq!(doc["credentialSubject"]["passed"], true);
    assert_eq!(doc["credentialSubject"]["note"], "2.5 ECTS");
    assert_eq!(json_files(&out).len(), 1);
}

/// Every row's credential is held to the rules `issue` applies (VC 2.0 members,
/// the validity period, ...), before anything is signed: a row `issue` refuses
/// is a bad row (abort, or skip), named by line, column and the rule.
#[test]
fn batch_refuses_the_rows_issue_refuses() {
    let s = Setup::new();
    let template = s.write(
        "course.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "{{kind}}"],
            "validFrom": "{{start}}",
            "validUntil": "{{end}}",
            "name": "Certificate of {{name}}",
            "credentialSubject": {"id": "{{did}}", "name": "{{name}}"},
        })
        .to_string(),
    );
    let learners = s.write(
        "l.csv",
        "name,did,kind,start,end\n\
         Ada,did:x:1,Badge,2025-01-01T00:00:00Z,2099-01-01T00:00:00Z\n\
         Bo,did:x:2,Badge,2025-01-01T00:00:00Z,2024-12-31T23:59:59Z\n\
         Cy,cy,Badge,2025-01-01T00:00:00Z,2099-01-01T00:00:00Z\n\
         Dee,did:x:4,Badge,2025-02-30T00:00:00Z,2099-01-01T00:00:00Z\n\
         Eve,did:x:5,Badge,2025-01-01T00:00:00Z,2099-01-01T00:00:00Z\n",
    );
    let out = s.path("out");
    s.batch(&template, &learners, &out).assert().code(2).stderr(
        predicate::str::contains(
            "line 3 (row 2), column \"start, end\": validUntil \"2024-12-31T23:59:59Z\" is before validFrom \"2025-01-01T00:00:00Z\"",
        )
        .and(predicate::str::contains(
            "line 4 (row 3), column \"did\": credentialSubject.id must be a URL, found \"cy\"",
        ))
        .and(predicate::str::contains(
            "line 5 (row 4), column \"start\": validFrom: ",
        ))
        .and(predicate::str::contains("3 of 5 rows have problems"))
        .and(predicate::str::contains("nothing was signed"))
        .and(predicate::str::contains("line 2 ").not()),
    );
    assert!(!out.exists() || json_files(&out).is_empty());
    // `issue` refuses row 2's credential with the same words.
    let bo = s.write(
        "bo.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "Badge"],
            "validFrom": "2025-01-01T00:00:00Z",
            "validUntil": "2024-12-31T23:59:59Z",
            "name": "Certificate of Bo",
            "credentialSubject": {"id": "did:x:2", "name": "Bo"},
        })
        .to_string(),
    );
    sign()
        .args(["issue", "--key"])
        .arg(&s.key)
        .arg(&bo)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "validUntil \"2024-12-31T23:59:59Z\" is before validFrom \"2025-01-01T00:00:00Z\"",
        ));
    // --on-error skip: the good rows are signed, and verify.
    let summary = s
        .batch(&template, &learners, &out)
        .args(["--on-error", "skip", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(
        (summary["issued"].as_u64(), summary["skipped"].as_u64()),
        (Some(2), Some(3))
    );
    let names: Vec<String> = json_files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["row-000001.json", "row-000005.json"]);
    let doc = read_json(&out.join("row-000005.json"));
    assert_eq!(doc["validUntil"], "2099-01-01T00:00:00Z");
    assert_eq!(
        verify_proofs(&doc, &DidKeyResolver)[0].result,
        Ok(s.did.clone())
    );

    // A rule the template breaks whatever a row holds stops the batch before
    // any row is read (here an empty learner list would be an error of its own).
    let expired = s.write(
        "expired.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "validUntil": "2020-01-01T00:00:00Z",
            "credentialSubject": {"id": "{{did}}"},
        })
        .to_string(),
    );
    s.batch(&expired, &s.write("empty.csv", ""), &s.path("out-expired"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "expired.json: every credential made from it would break the rules issue applies",
            )
            .and(predicate::str::contains(
                "validUntil \"2020-01-01T00:00:00Z\" is before validFrom",
            )),
        );
    assert!(!s.path("out-expired").exists());
}

/// `--profile`: each row's credential is checked against the framework before
/// anything is signed; a row that fails is a bad row (abort, or skip), or with
/// `--allow-noncompliant` a loud warning.
#[test]
fn batch_checks_every_row_against_the_profile_before_signing() {
    let s = Setup::new();
    let mut course: Value = serde_json::from_slice(
        &std::fs::read(repo("keys-example/micro-credential.unsigned.json")).unwrap(),
    )
    .unwrap();
    let doc = course.as_object_mut().unwrap();
    doc.remove("id");
    doc.remove("validFrom");
    course["issuer"]["id"] = s.did.clone().into();
    course["credentialSubject"]["id"] = "{{did}}".into();
    course["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] =
        "{{hours}}".into();
    course["credentialSubject"]["achievement"]["microCredential"]["workload"]
        .as_object_mut()
        .unwrap()
        .remove("volumeOfLearning");
    let template = s.write("course.json", &course.to_string());
    let learners = s.write(
        "l.jsonl",
        "{\"student\":\"s1\",\"did\":\"did:x:1\",\"hours\":125}\n\
         {\"student\":\"s2\",\"did\":\"did:x:2\",\"hours\":90}\n\
         {\"student\":\"s3\",\"did\":\"did:x:3\",\"hours\":130}\n",
    );
    let batch = |out: &str, extra: &[&str]| {
        let mut c = s.batch(&template, &learners, &s.path(out));
        c.args([
            "--suite",
            "jcs",
            "--id-column",
            "student",
            "--profile",
            "emc-cmf",
        ])
        .args(extra);
        c
    };
    // Default: the non-compliant row stops the batch before anything is signed.
    batch("abort", &[])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "line 2 (row 2): the credential does not comply: emc-cmf EMC-01",
        ))
        .stderr(predicate::str::contains("found 90"))
        .stderr(predicate::str::contains("nothing was signed"))
        .stderr(predicate::str::contains("line 1 (row 1)").not());
    assert!(json_files(&s.path("abort")).is_empty());
    // --on-error skip: the other rows are issued.
    batch("skip", &["--on-error", "skip"]).assert().success();
    let names: Vec<String> = json_files(&s.path("skip"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["s1.json", "s3.json"]);
    // --allow-noncompliant: all are issued, the failure is a warning.
    batch("all", &["--allow-noncompliant"])
        .assert()
        .success()
        .stderr(
            predicate::str::is_match(
                "warning: .*l.jsonl: line 2 \\(row 2\\): the credential does not comply",
            )
            .unwrap(),
        )
        .stderr(predicate::str::contains(
            "signing 1 credential(s) that do NOT comply",
        ));
    assert_eq!(json_files(&s.path("all")).len(), 3);
    let hours = read_json(&s.path("all").join("s2.json"))["credentialSubject"]["achievement"]
        ["microCredential"]["workload"]["hours"]
        .clone();
    assert_eq!(hours, 90);
    // Without --profile the same list is issued without a word about profiles.
    s.batch(&template, &learners, &s.path("none"))
        .args(["--suite", "jcs", "--id-column", "student"])
        .assert()
        .success()
        .stderr(predicate::str::contains("comply").not());
    // --allow-noncompliant means nothing without a profile.
    s.batch(&template, &learners, &s.path("bad"))
        .arg("--allow-noncompliant")
        .assert()
        .failure()
        .stderr(predicate::str::contains("--profile"));
}

fn status_list(s: &Setup, ledger: &Path, purpose: &str) -> ListCredential {
    let out = s.path(&format!("{purpose}.json"));
    sign()
        .args(["status-list", "--force", "--purpose", purpose, "--key"])
        .arg(&s.key)
        .arg("--ledger")
        .arg(ledger)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let doc = read_json(&out);
    assert_eq!(
        verify_proofs(&doc, &DidKeyResolver)[0].result,
        Ok(s.did.clone())
    );
    let list = ListCredential::from_json(&doc).unwrap();
    assert_eq!(list.id, format!("{BASE}/{purpose}"));
    assert_eq!(list.issuer, s.did);
    assert_eq!(list.purposes, [purpose]);
    assert!(list.list.len() >= 131_072);
    list
}

#[test]
fn revocation_and_suspension_set_and_clear_bits_in_the_published_lists() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("l.csv", &learners_csv(3));
    let out = s.path("out");
    s.batch(&template, &learners, &out)
        .args(["--id-column", "student", "--ledger"])
        .arg(&ledger)
        .assert()
        .success();
    let cred = |n: u32| {
        let doc = read_json(&out.join(format!("s{n:05}.json")));
        let index: usize = doc["credentialStatus"][0]["statusListIndex"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        (doc["id"].as_str().unwrap().to_owned(), index)
    };
    let (id2, i2) = cred(2);
    let (id3, i3) = cred(3);
    let (_, i1) = cred(1);

    let list = status_list(&s, &ledger, "revocation");
    assert!(!list.list.get(i2).unwrap());
    let change = |cmd: &str, id: &str| {
        let mut c = sign();
        c.arg(cmd).arg("--ledger").arg(&ledger).arg(id);
        if cmd != "unsuspend" {
            c.args(["--reason", "diploma fraud"]);
        }
        c
    };
    change("revoke", &id2)
        .assert()
        .success()
        .stderr(predicate::str::contains("issued -> revoked"));
    let list = status_list(&s, &ledger, "revocation");
    assert!(list.list.get(i2).unwrap());
    assert!(!list.list.get(i1).unwrap() && !list.list.get(i3).unwrap());
    // Twice: reported, nothing changes; revocation is permanent.
    change("revoke", &id2)
        .assert()
        .success()
        .stderr(predicate::str::contains("already revoked"));
    change("suspend", &id2)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("permanent"));
    change("unsuspend", &id2).assert().code(2);
    // Unknown ids are errors.
    change("revoke", "urn:uuid:00000000-0000-4000-8000-000000000000")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no credential"));
    change("unsuspend", "urn:nope").assert().code(2);

    change("suspend", &id3).assert().success();
    let susp = status_list(&s, &ledger, "suspension");
    assert!(susp.list.get(i3).unwrap());
    assert!(!susp.list.get(i2).unwrap());
    assert!(!status_list(&s, &ledger, "revocation").list.get(i3).unwrap());
    change("unsuspend", &id3)
        .assert()
        .success()
        .stderr(predicate::str::contains("suspended -> issued"));
    assert!(!status_list(&s, &ledger, "suspension").list.get(i3).unwrap());

    // The list file is not replaced without --force.
    sign()
        .args(["status-list", "--purpose", "revocation", "--key"])
        .arg(&s.key)
        .arg("--ledger")
        .arg(&ledger)
        .arg("--out")
        .arg(s.path("revocation.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    // Another key cannot sign this ledger's lists or batches.
    let other = Setup::new();
    sign()
        .args(["status-list", "--purpose", "revocation", "--key"])
        .arg(&other.key)
        .arg("--ledger")
        .arg(&ledger)
        .arg("--out")
        .arg(s.path("x.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not the issuer"));

    // `ledger list` shows the states.
    let listing = sign()
        .args(["ledger", "list", "--json", "--ledger"])
        .arg(&ledger)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let states: HashMap<String, String> = String::from_utf8(listing)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["credential_id"].as_str().unwrap().to_owned(),
                v["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(states.len(), 3);
    assert_eq!(states[&id2], "revoked");
    assert_eq!(states[&id3], "issued");
}

#[test]
fn issue_with_a_ledger_adds_status_entries_from_the_same_counter() {
    let s = Setup::new();
    let ledger = s.ledger();
    // `ledger init` refuses to replace a ledger.
    sign()
        .args(["ledger", "init", "--status-base-url", BASE, "--ledger"])
        .arg(&ledger)
        .arg("--key")
        .arg(&s.key)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists"));
    let unsigned = s.write(
        "u.json",
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": s.did,
            "credentialSubject": {"id": "did:example:ada"},
        })
        .to_string(),
    );
    let issue = |out: &str| {
        let mut c = sign();
        c.args(["issue", "--key"])
            .arg(&s.key)
            .arg("--ledger")
            .arg(&ledger)
            .arg("--out")
            .arg(s.path(out))
            .arg(&unsigned);
        c
    };
    issue("a.json").assert().success();
    issue("b.json").assert().success();
    let a = read_json(&s.path("a.json"));
    let b = read_json(&s.path("b.json"));
    assert_eq!(
        verify_proofs(&a, &DidKeyResolver)[0].result,
        Ok(s.did.clone())
    );
    assert_eq!(a["credentialStatus"][0]["statusListIndex"], "0");
    assert_eq!(b["credentialStatus"][1]["statusListIndex"], "1");
    assert_eq!(
        a["credentialStatus"][1]["id"],
        format!("{BASE}/suspension#0")
    );
    assert_ne!(a["id"], b["id"]);
    sign()
        .args(["revoke", "--reason", "error", "--ledger"])
        .arg(&ledger)
        .arg(b["id"].as_str().unwrap())
        .assert()
        .success();
    assert!(status_list(&s, &ledger, "revocation").list.get(1).unwrap());

    // Not a ledger, or a missing one: errors.
    sign()
        .args(["revoke", "--reason", "x", "--ledger"])
        .arg(&unsigned)
        .arg("urn:x")
        .assert()
        .code(2);
    sign()
        .args(["ledger", "list", "--ledger"])
        .arg(s.path("missing.sqlite"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ledger init"));
}

#[test]
fn a_rerun_adopts_files_written_before_the_crash_and_resigns_missing_ones_identically() {
    // The two crash windows, made on purpose: a file written but its row still
    // pending, and a row pending whose file was never written.
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("l.csv", &learners_csv(5));
    let out = s.path("out");
    let batch = || {
        let mut c = s.batch(&template, &learners, &out);
        c.args(["--id-column", "student", "--json", "--ledger"])
            .arg(&ledger);
        c
    };
    batch().assert().success();
    let before: Vec<Vec<u8>> = json_files(&out)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    // A crash after the rows were recorded, before they were marked: written with SQL,
    // as the ledger's API never moves a credential back to pending.
    let db = rusqlite::Connection::open(&ledger).unwrap();
    db.execute(
        "UPDATE credentials SET state = 'pending', file_sha256 = NULL WHERE learner_id IN ('s00001', 's00002', 's00003')",
        [],
    )
    .unwrap();
    drop(db);
    std::fs::remove_file(out.join("s00003.json")).unwrap();
    // A temporary file of the interrupted run is cleaned up.
    std::fs::write(out.join(".microcred-abc123"), b"{\"half").unwrap();

    let summary = batch()
        .assert()
        .success()
        .stderr(predicate::str::contains("resuming 3 credential(s)"))
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(summary["resumed"], 3, "{summary}");
    assert_eq!(summary["adopted"], 2, "{summary}");
    assert_eq!(summary["already_issued"], 2, "{summary}");
    assert_eq!(summary["issued"], 0, "{summary}");
    assert!(!out.join(".microcred-abc123").exists());
    // Same ids, same indexes, same bytes.
    let after: Vec<Vec<u8>> = json_files(&out)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after);
    let db = Ledger::open(&ledger).unwrap();
    let pending = db
        .list()
        .unwrap()
        .into_iter()
        .filter(|r| r.state != State::Issued || r.file_sha256.is_none())
        .count();
    assert_eq!(pending, 0);
    // A batch holds the ledger alone: while another program has it open, it waits, then stops.
    batch()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is in use by another process"));
    drop(db);

    // A changed learner list is not mistaken for the same batch.
    let changed = learners_csv(5).replace("Learner 4, Jr", "Learner Four");
    std::fs::write(&learners, changed).unwrap();
    batch()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("made from other data"));
    // Nor is the same batch written to a moved directory.
    std::fs::write(&learners, learners_csv(5)).unwrap();
    s.batch(&template, &learners, &s.path("moved"))
        .args(["--id-column", "student", "--ledger"])
        .arg(&ledger)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--allow-reissue"));
    assert!(json_files(&s.path("moved")).is_empty());
}

#[test]
fn a_batch_leaves_only_complete_named_files_with_or_without_a_ledger() {
    // More rows than one commit group (256), so that several groups are flushed,
    // renamed and marked.
    const ROWS: usize = 700;
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("l.csv", &learners_csv(ROWS));
    for (out, with_ledger) in [(s.path("with"), true), (s.path("without"), false)] {
        let mut cmd = s.batch(&template, &learners, &out);
        cmd.args([
            "--id-column",
            "student",
            "--suite",
            "jcs",
            "--jobs",
            "2",
            "--json",
        ]);
        if with_ledger {
            cmd.arg("--ledger").arg(&ledger);
        }
        let summary: Value =
            serde_json::from_slice(&cmd.assert().success().get_output().stdout).unwrap();
        assert_eq!(summary["issued"], ROWS, "{summary}");
        let names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), ROWS, "only the credentials: {names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".json") && !n.starts_with('.')),
            "no temporary file is left: {names:?}"
        );
        for f in json_files(&out) {
            let outcomes = verify_proofs(&read_json(&f), &DidKeyResolver);
            assert_eq!(outcomes.len(), 1, "{}", f.display());
            assert_eq!(outcomes[0].result, Ok(s.did.clone()), "{}", f.display());
        }
    }
    // Every row of the ledger is issued, with the SHA-256 of its file.
    let rows = ledger_records(&ledger);
    assert_eq!(rows.len(), ROWS);
    for r in rows {
        assert_eq!(r.state, State::Issued);
        assert_eq!(
            Some(hex(&Sha256::digest(
                std::fs::read(r.out_file.unwrap()).unwrap()
            ))),
            r.file_sha256
        );
    }
}

/// The lines of a `--out-jsonl` bundle (each a credential), after checking that the
/// file ends with a line break and has no empty line.
fn bundle_lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_suffix(b"\n").expect("ends with a line break");
    body.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn bundle_temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".microcred-"))
        .collect()
}

/// A crash before the rows were marked issued (SQL: the ledger's API never moves a
/// credential back to pending).
fn set_all_pending(ledger: &Path) {
    let db = rusqlite::Connection::open(ledger).unwrap();
    db.execute(
        "UPDATE credentials SET state = 'pending', file_sha256 = NULL",
        [],
    )
    .unwrap();
}

#[test]
fn a_jsonl_bundle_appears_complete_and_a_killed_run_resumes_to_the_same_bytes() {
    const ROWS: usize = 1500;
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write("learners.csv", &learners_csv(ROWS));
    let dir = s.path("upload");
    std::fs::create_dir(&dir).unwrap();
    let bundle = dir.join("cohort.jsonl");
    let batch =
        |jobs: &str| s.killable_batch(jobs, &template, &learners, "--out-jsonl", &bundle, &ledger);

    // Killed while signing, after 700 of its lines are written: no bundle at all
    // (only its temporary file), and the rows' reservation never committed.
    run_and_kill_after(&mut batch("1"), 700);
    assert!(!bundle.exists(), "the bundle appears only when complete");
    assert_eq!(bundle_temps(&dir).len(), 1);
    let recorded = ledger_records(&ledger).len();
    assert_eq!(
        recorded, 0,
        "nothing is recorded before the last line is written"
    );

    let run = |jobs: &str| -> (Value, String) {
        let out = Command::from_std(batch(jobs))
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .clone();
        (
            serde_json::from_slice(&out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (summary, stderr) = run("2");
    assert!(stderr.contains("removed 1 temporary file(s)"), "{stderr}");
    // The rows are recorded pending, each with its line's SHA-256, in a
    // transaction that commits once the last line is written: the kill came
    // before that commit, so nothing was recorded and every row is issued afresh.
    assert_eq!(summary["resumed"], 0, "{summary}");
    assert_eq!(summary["issued"], ROWS, "{summary}");
    assert!(bundle_temps(&dir).is_empty());

    // One line per row, in the order of the list, each a valid credential of this
    // issuer with its own id and status index; the ledger has each line's SHA-256.
    let lines = bundle_lines(&bundle);
    assert_eq!(lines.len(), ROWS);
    let db = Ledger::open(&ledger).unwrap();
    let mut ids = HashSet::new();
    let mut indexes = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let doc: Value = serde_json::from_slice(line).unwrap();
        // The default proof set (eddsa-jcs-2022, eddsa-rdfc-2022).
        let outcomes = verify_proofs(&doc, &DidKeyResolver);
        assert_eq!(outcomes.len(), 2, "line {}", i + 1);
        for o in &outcomes {
            assert_eq!(o.result, Ok(s.did.clone()), "line {}", i + 1);
        }
        assert_eq!(
            doc["credentialSubject"]["id"],
            format!("did:example:learner-{}", i + 1)
        );
        let id = doc["id"].as_str().unwrap().to_owned();
        let index: u64 = doc["credentialStatus"][0]["statusListIndex"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(indexes.insert(index), "index {index} given twice");
        let r = db.get(&id).unwrap().unwrap();
        assert_eq!(r.state, State::Issued);
        assert_eq!(r.file_sha256, Some(hex(&Sha256::digest(line))));
        assert_eq!(r.status_index, index);
        assert_eq!(
            r.out_file.unwrap(),
            format!(
                "{}#s{:05}",
                std::fs::canonicalize(&bundle).unwrap().display(),
                i + 1
            )
        );
        assert!(ids.insert(id));
    }
    assert_eq!(indexes, (0..ROWS as u64).collect::<HashSet<_>>());
    drop(db);
    let issued = std::fs::read(&bundle).unwrap();

    // Killed after the rename, before the rows were marked: the rerun adopts the
    // file, whether the pending rows hold their lines' SHA-256 (as this version
    // records them) or not (as earlier versions did).
    // (SQL: the ledger's API never moves a credential back to pending.)
    let db = rusqlite::Connection::open(&ledger).unwrap();
    db.execute("UPDATE credentials SET state = 'pending'", [])
        .unwrap();
    drop(db);
    let (summary, _) = run("1");
    assert_eq!(summary["adopted"], ROWS, "{summary}");
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
    set_all_pending(&ledger);
    let (summary, _) = run("2");
    assert_eq!(summary["adopted"], ROWS, "{summary}");
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
    // Killed before the rename: written again, the same bytes.
    set_all_pending(&ledger);
    std::fs::remove_file(&bundle).unwrap();
    let (summary, _) = run("1");
    assert_eq!(summary["resumed"], ROWS, "{summary}");
    assert_eq!(summary["adopted"], 0, "{summary}");
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
    // Issued, then lost: restored, the same bytes.
    std::fs::remove_file(&bundle).unwrap();
    let (summary, _) = run("2");
    assert_eq!(summary["restored"], ROWS, "{summary}");
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
    // Done: nothing to do.
    let (summary, _) = run("2");
    assert_eq!(summary["already_issued"], ROWS, "{summary}");

    // A changed bundle is reported, never overwritten.
    let mut changed = issued.clone();
    let at = changed.iter().position(|b| *b == b'\n').unwrap() - 1;
    changed.insert(at, b' ');
    std::fs::write(&bundle, &changed).unwrap();
    Command::from_std(batch("2")).assert().code(2).stderr(
        predicate::str::contains("line 1 is not the credential")
            .and(predicate::str::contains("changed after the batch wrote it")),
    );
    assert_eq!(std::fs::read(&bundle).unwrap(), changed);
}

#[test]
fn a_jsonl_bundle_is_never_overwritten_and_bad_arguments_are_refused() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let learners = s.write(
        "l.csv",
        "student,did,name\ns1,did:example:1,Ada\ns2,did:example:2,\ns3,did:example:3,Cy\n",
    );
    let bundle = s.path("cohort.jsonl");
    let batch = |bundle: &Path| {
        let mut c = sign();
        c.args(["batch", "--on-error", "skip", "--json", "--key"])
            .arg(&s.key)
            .arg("--template")
            .arg(&template)
            .arg("--learners")
            .arg(&learners)
            .arg("--out-jsonl")
            .arg(bundle);
        c
    };
    let count_rows = || -> i64 { ledger_records(&ledger).len() as i64 };

    // A file that is there already, unknown to the ledger: refused, untouched, and
    // nothing is reserved.
    std::fs::write(&bundle, b"precious\n").unwrap();
    batch(&bundle)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("has no record of it")
                .and(predicate::str::contains("never overwritten")),
        );
    assert_eq!(std::fs::read(&bundle).unwrap(), b"precious\n");
    assert_eq!(count_rows(), 0);
    // Without a ledger too.
    batch(&bundle)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never overwritten"));
    assert_eq!(std::fs::read(&bundle).unwrap(), b"precious\n");
    std::fs::remove_file(&bundle).unwrap();

    // The bad row is reported and skipped; the others are lines 1 and 2.
    let summary: Value = serde_json::from_slice(
        &batch(&bundle)
            .arg("--ledger")
            .arg(&ledger)
            .assert()
            .success()
            .stderr(predicate::str::contains("line 3 (row 2), column \"name\""))
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(summary["issued"], 2, "{summary}");
    assert_eq!(summary["skipped"], 1, "{summary}");
    assert_eq!(summary["out"], bundle.display().to_string());
    let lines = bundle_lines(&bundle);
    assert_eq!(lines.len(), 2);
    for (line, did) in lines.iter().zip(["did:example:1", "did:example:3"]) {
        let doc: Value = serde_json::from_slice(line).unwrap();
        assert_eq!(doc["credentialSubject"]["id"], did);
        assert_eq!(
            verify_proofs(&doc, &DidKeyResolver)[0].result,
            Ok(s.did.clone())
        );
    }
    // The fixed row cannot be added to the bundle written before.
    let issued = std::fs::read(&bundle).unwrap();
    std::fs::write(
        &learners,
        "student,did,name\ns1,did:example:1,Ada\ns2,did:example:2,Bo\ns3,did:example:3,Cy\n",
    )
    .unwrap();
    batch(&bundle)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("1 row(s) are new")
                .and(predicate::str::contains("another --out-jsonl file")),
        );
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
    assert_eq!(count_rows(), 2);
    // Nor can rows be taken out of it.
    std::fs::write(&learners, "student,did,name\ns1,did:example:1,Ada\n").unwrap();
    batch(&bundle)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds 2 line(s), but 1 row(s)"));
    assert_eq!(std::fs::read(&bundle).unwrap(), issued);
    std::fs::write(
        &learners,
        "student,did,name\ns1,did:example:1,Ada\ns2,did:example:2,Bo\ns3,did:example:3,Cy\n",
    )
    .unwrap();

    // Without a ledger a rerun accepts the bundle it wrote (every line signed with the key).
    let plain = s.path("plain.jsonl");
    batch(&plain).assert().success();
    let first = std::fs::read(&plain).unwrap();
    let again: Value =
        serde_json::from_slice(&batch(&plain).assert().success().get_output().stdout).unwrap();
    assert_eq!(again["already_issued"], 3, "{again}");
    assert_eq!(std::fs::read(&plain).unwrap(), first);
    assert!(bundle_lines(&plain).iter().all(|l| {
        let doc: Value = serde_json::from_slice(l).unwrap();
        doc.get("credentialStatus").is_none()
            && verify_proofs(&doc, &DidKeyResolver)[0].result == Ok(s.did.clone())
    }));

    // Arguments: one of --out / --out-jsonl; an existing directory for the file.
    batch(&s.path("x.jsonl"))
        .arg("--out")
        .arg(s.path("dir"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    sign()
        .args(["batch", "--key"])
        .arg(&s.key)
        .arg("--template")
        .arg(&template)
        .arg("--learners")
        .arg(&learners)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
    batch(&s.path("missing/x.jsonl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    batch(s.dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    sign().args(["batch", "--help"]).assert().success().stdout(
        predicate::str::contains("--out-jsonl").and(predicate::str::contains("JSON Lines")),
    );
}

/// A bundle to restore (issued, then lost) with new rows in the same list: a
/// line that cannot be restored stops the batch with that reason, and the new
/// rows, recorded while the lines are written, are rolled back: nothing is
/// recorded for them, no bundle appears, and the ledger is as it was.
#[test]
fn a_jsonl_batch_that_fails_while_signing_records_none_of_its_new_rows() {
    let s = Setup::new();
    let ledger = s.ledger();
    let template = s.template();
    let dir = s.path("upload");
    std::fs::create_dir(&dir).unwrap();
    let bundle = dir.join("cohort.jsonl");
    let first = s.write("first.csv", &learners_csv(40));
    let run = |learners: &Path| {
        Command::from_std(s.killable_batch(
            "2",
            &template,
            learners,
            "--out-jsonl",
            &bundle,
            &ledger,
        ))
        .assert()
    };
    run(&first).success();
    std::fs::remove_file(&bundle).unwrap();
    // One issued row's recorded digest no longer matches what signing gives (SQL:
    // the ledger's API has no way to corrupt a digest).
    // (The ledger is opened only between runs: a batch holds it for itself.)
    rusqlite::Connection::open(&ledger)
        .unwrap()
        .execute(
            "UPDATE credentials SET file_sha256 = 'x' WHERE status_index = 30",
            [],
        )
        .unwrap();
    let rows = || -> i64 { ledger_records(&ledger).len() as i64 };
    assert_eq!(rows(), 40);
    // The same rows and ten more.
    let more = s.write("more.csv", &learners_csv(50));
    run(&more).code(2).stderr(
        predicate::str::contains("cannot restore credential")
            .and(predicate::str::contains("stopped before every line").not()),
    );
    assert_eq!(rows(), 40);
    assert_eq!(Ledger::open(&ledger).unwrap().next_index().unwrap(), 40);
    assert!(!bundle.exists());
    assert!(bundle_temps(&dir).is_empty());
}

/// The signer library's batch reports its signing progress to the caller's
/// `batch::Progress`, credential by credential; the binary prints it as a closing
/// count when stderr is not a terminal.
#[test]
fn batch_progress_goes_to_the_callers_progress_and_the_binary_prints_it() {
    use microcred_signer::batch::{self, OnError, Progress, Request};
    use microcred_signer::interrupt::Interrupt;

    #[derive(Default)]
    struct Seen {
        started: Vec<u64>,
        advanced: Vec<(u64, u64)>,
        finished: usize,
        notes: Vec<String>,
        summaries: Vec<Value>,
    }
    impl Progress for Seen {
        fn start(&mut self, total: u64) {
            self.started.push(total);
        }
        fn advance(&mut self, done: u64, total: u64) {
            self.advanced.push((done, total));
        }
        fn finish(&mut self) {
            self.finished += 1;
        }
        fn note(&mut self, line: &str) {
            self.notes.push(line.to_owned());
        }
        fn summary(&mut self, summary: &Value) -> std::io::Result<()> {
            self.summaries.push(summary.clone());
            Ok(())
        }
    }

    let s = Setup::new();
    let template = s.template();
    let learners = s.write("learners.csv", &learners_csv(7));
    let out = s.path("out");
    let key = microcred_signer::files::open_key(&s.key, || -> std::io::Result<_> {
        unreachable!("the key is not encrypted")
    })
    .unwrap()
    .0;
    let request = Request {
        suite: Some(microcred_core::suite::Suite::Jcs),
        credential_format: batch::CredentialFormat::Di,
        template: template.clone(),
        learners: learners.clone(),
        format: None,
        delimiter: ',',
        out: Some(out.clone()),
        out_jsonl: None,
        id_column: Some("student".into()),
        ledger: None,
        on_error: OnError::Abort,
        profiles: Vec::new(),
        allow_noncompliant: false,
        allow_expired: false,
        allow_reissue: false,
        jobs: Some(2),
        json: true,
    };
    let mut seen = Seen::default();
    // No signal handler: the library leaves that to its caller.
    batch::run(&request, &key, &Interrupt::default(), &mut seen).unwrap();
    assert_eq!(seen.started, [7]);
    assert_eq!(seen.advanced, (1..=7).map(|d| (d, 7)).collect::<Vec<_>>());
    assert_eq!(seen.finished, 1);
    assert_eq!(json_files(&out).len(), 7);
    // What the binary prints, the library hands over: nothing of it on stderr or stdout.
    assert_eq!(
        seen.notes,
        [
            "batch complete: 7 rows: 7 issued, 0 resumed (0 already written by the interrupted run), 0 restored, 0 already issued before, 0 skipped"
        ]
    );
    assert_eq!(seen.summaries.len(), 1);
    assert_eq!(seen.summaries[0]["issued"], 7);
    assert_eq!(seen.summaries[0]["completed"], true);

    s.batch(&template, &learners, &s.path("by-the-binary"))
        .assert()
        .success()
        .stderr(predicate::str::contains("microcred-sign: signed 7 of 7\n"))
        .stderr(predicate::str::contains(
            "microcred-sign: batch complete: 7 rows: 7 issued",
        ));
}
