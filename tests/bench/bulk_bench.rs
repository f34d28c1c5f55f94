//! Bulk issuance and verification timing against raw Ed25519 in the same process.
//!
//! ```text
//! cargo run --release -p microcred-tests --example bulk-bench -- generate DIR N [THREADS] [small]
//! cargo run --release -p microcred-tests --example bulk-bench -- verify DIR THREADS batch|single
//! cargo run --release -p microcred-tests --example bulk-bench -- \
//!     issue SIGN_BIN N THREADS jcs|both|rdfc [ROUNDS] [ledger|no-ledger] [WORK_DIR] [files|jsonl]
//! cargo run --release -p microcred-tests --example bulk-bench -- binary BIN DIR THREADS
//! cargo run --release -p microcred-tests --example bulk-bench -- scaling DIR THREADS [ROUNDS] [VERIFY_BIN]
//! ```
//!
//! `generate` signs N credentials (the 4 KB example micro-credential, each with its own
//! id and learner) with `proof::add_proof_bytes` and writes them to DIR, then times raw
//! Ed25519 `sign` on the same number of threads. `verify` runs the verifier's bulk
//! driver over DIR, then raw `verify_strict` on the same number of threads, and prints
//! credentials per second, the per-credential cost ratio, and the peak RSS (VmHWM).
//! `issue` runs `microcred-sign batch` (the binary SIGN_BIN, as a process, `--jobs
//! THREADS`, with a fresh ledger unless `no-ledger`) over a generated list of N learners
//! and the 4 KB template into an empty directory, alternating with raw Ed25519 `sign`
//! of N 64-byte messages on THREADS threads in this process, and prints the best of
//! ROUNDS (default 3) of each: credentials per second and the ratio to raw signing.
//! `jsonl` issues into one JSON Lines file (`--out-jsonl`) instead of one file per
//! credential (`files`, the default).
//! Each round issues into a new directory under WORK_DIR (default: a temporary directory
//! removed at the end), none removed in between: on ext4, creating files shortly (up to
//! minutes) after many were deleted costs several times more kernel time (the inode
//! allocator skips recently deleted inodes), which would be measured instead of the batch.
//! `binary` times the `microcred-verify` binary BIN as a child process over DIR
//! (`--json --jobs THREADS DIR`, every report built and written), its CPU
//! time read from the children's times in /proc/self/stat, alternating with raw
//! `verify_strict` as `verify` does.
//! `scaling` times the driver, raw `verify_strict` and (given VERIFY_BIN) the binary on 1
//! and on THREADS threads, all in the same ROUNDS (default 5) interleaved rounds, and
//! prints each one's speed-up beside raw Ed25519's own in the same rounds.
//! Used by `tests/bench/bulk.sh`; timings are printed, never asserted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

// The criterion benches' fixtures: the same 4 KB and ≈ 2 KB ("1KB") credentials.
#[path = "../../crates/microcred-core/benches/support/mod.rs"]
mod support;

use microcred_core::proof::{self, DidKeyResolver};
use microcred_core::{Value, json};
use microcred_verifier::bulk::{self, BulkOptions};
use support::{Size, issuer_key};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Runs `f(range)` on `threads` threads over `0..n`; returns seconds.
fn on_threads(threads: usize, n: usize, f: impl Fn(std::ops::Range<usize>) + Sync) -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        let per = n.div_ceil(threads);
        for t in 0..threads {
            let range = (t * per).min(n)..((t + 1) * per).min(n);
            let f = &f;
            s.spawn(move || f(range));
        }
    });
    start.elapsed().as_secs_f64()
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn generate(dir: &Path, n: usize, threads: usize, small: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let key = issuer_key();
    // The small one is ≈ 2 KB signed, the size the issue quotes the reference's
    // figures for.
    let template = support::unsigned(if small { Size::Small } else { Size::Medium });
    let options = support::options(&key);
    // The unsigned documents are prepared first, so that the timed part is signing.
    let unsigned: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let mut doc = template.clone();
            doc["id"] = format!("urn:uuid:6f1d6a3e-2c5b-4a51-9a0e-{i:012}").into();
            doc["credentialSubject"]["id"] = format!("did:example:learner-{i}").into();
            serde_json::to_vec(&doc).unwrap()
        })
        .collect();
    let signed: Vec<std::sync::Mutex<Vec<u8>>> =
        (0..n).map(|_| std::sync::Mutex::new(Vec::new())).collect();
    let sign_s = on_threads(threads, n, |range| {
        for i in range {
            *signed[i].lock().unwrap() =
                proof::add_proof_bytes(&unsigned[i], &key, &options).unwrap();
        }
    });
    let msg = [0x5au8; 64];
    let raw_s = on_threads(threads, n, |range| {
        for _ in range {
            black_box(key.sign(black_box(&msg)));
        }
    });
    let write_start = Instant::now();
    let mut bytes = 0;
    for (i, doc) in signed.iter().enumerate() {
        let doc = doc.lock().unwrap();
        bytes += doc.len();
        std::fs::write(dir.join(format!("cred-{i:06}.json")), &*doc).unwrap();
    }
    let write_s = write_start.elapsed().as_secs_f64();
    println!(
        "issue: {n} credentials ({} B average) on {threads} thread(s): {:.0}/s signing from bytes \
         (add_proof_bytes), raw Ed25519 sign {:.0}/s, per-credential cost / raw sign = {:.2}x; \
         writing the files took {:.2} s",
        bytes / n.max(1),
        n as f64 / sign_s,
        n as f64 / raw_s,
        sign_s / raw_s,
        write_s,
    );
}

/// CPU time of the whole process so far (user + system, all threads), in seconds,
/// from /proc/self/stat (clock ticks of 1/100 s on Linux).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name, which is in parentheses.
            let rest = stat.get(stat.rfind(')')? + 2..)?.to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

/// Times `f` (wall and CPU seconds).
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (start, cpu) = (Instant::now(), cpu_seconds());
    f();
    (start.elapsed().as_secs_f64(), cpu_seconds() - cpu)
}

/// The best (least disturbed) of several timed runs: (wall, CPU) seconds, each the
/// minimum over the runs.
fn best(runs: &[(f64, f64)]) -> (f64, f64) {
    let min = |pick: fn(&(f64, f64)) -> f64| runs.iter().map(pick).fold(f64::INFINITY, f64::min);
    (min(|r| r.0), min(|r| r.1))
}

/// Times raw `verify_strict` of one 64-byte message, `n` times over `threads` threads.
fn raw_verify(threads: usize, n: usize) -> (f64, f64) {
    let key = issuer_key();
    let vk = key.public_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);
    timed(|| {
        on_threads(threads, n, |range| {
            for _ in range {
                assert!(vk.verify_strict(black_box(&msg), &sig).is_ok());
            }
        });
    })
}

/// Alternating runs of bulk verification and of raw `verify_strict` (same count, same
/// threads), so that load from other processes weighs on both; the best of 3 of each
/// (the least disturbed), wall-clock and CPU time.
fn verify(dir: &Path, threads: usize, batch: bool) {
    let files: Vec<PathBuf> = bulk::json_files_in(dir).unwrap();
    let n = files.len();
    let options = BulkOptions {
        threads: Some(threads),
        batch,
        ..BulkOptions::default()
    };
    let (mut bulk_runs, mut raw_runs) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        bulk_runs.push(timed(|| {
            let summary =
                bulk::verify_proofs_of_files(files.clone(), &DidKeyResolver, &options, |_| {})
                    .unwrap();
            assert_eq!(
                summary.valid, n,
                "every generated credential verifies: {summary:?}"
            );
        }));
        raw_runs.push(raw_verify(threads, n));
    }
    let ((bulk_s, bulk_cpu), (raw_s, raw_cpu)) = (best(&bulk_runs), best(&raw_runs));
    println!(
        "verify: {n} files, {} on {threads} thread(s): {:.0} credentials/s wall ({:.1} µs CPU \
         each); raw verify_strict {:.0}/s ({:.1} µs CPU each); per-credential cost / raw \
         verify_strict = {:.2}x wall, {:.2}x CPU; peak RSS {} KiB (best of 3 alternating runs)",
        if batch { "batch" } else { "one-by-one" },
        n as f64 / bulk_s,
        bulk_cpu * 1e6 / n as f64,
        n as f64 / raw_s,
        raw_cpu * 1e6 / n as f64,
        bulk_s / raw_s,
        bulk_cpu / raw_cpu,
        peak_rss_kib(),
    );
}

/// CPU seconds of this process's waited-for children (cutime + cstime).
fn children_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let rest = stat.get(stat.rfind(')')? + 2..)?.to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let cutime: f64 = fields.get(13)?.parse().ok()?;
            let cstime: f64 = fields.get(14)?.parse().ok()?;
            Some((cutime + cstime) / 100.0)
        })
        .unwrap_or(0.0)
}

/// Runs `cmd` to completion, failing the bench on a non-zero exit; returns its wall and
/// CPU seconds (all threads, user + system) and what it wrote to stderr.
fn run_timed(cmd: &mut std::process::Command) -> ((f64, f64), String) {
    let (start, cpu) = (Instant::now(), children_cpu_seconds());
    let out = cmd.output().unwrap();
    let times = (start.elapsed().as_secs_f64(), children_cpu_seconds() - cpu);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed: {stderr}");
    (times, stderr)
}

/// Batch issuance with `microcred-sign batch`, alternating with raw Ed25519 `sign`.
#[allow(clippy::too_many_arguments)] // The subcommand's arguments; one call site.
fn issue(
    sign_bin: &Path,
    n: usize,
    threads: usize,
    suite: &str,
    rounds: usize,
    ledger: bool,
    work_dir: Option<&Path>,
    jsonl: bool,
) {
    // Under WORK_DIR the files stay, for the caller to remove when all runs are done.
    let (_guard, work) = match work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            (None, tempfile::tempdir_in(dir).unwrap().keep())
        }
        None => {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_owned();
            (Some(tmp), path)
        }
    };
    let key_path = work.join("issuer.key.json");
    std::fs::copy(
        format!("{ROOT}/keys-example/example-university.key.json"),
        &key_path,
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let key = issuer_key();
    // The 4 KB example as a template: batch fills in id and validFrom (and the
    // ledger's credentialStatus); each row gives the learner's DID.
    let mut template: Value = json::parse(
        &std::fs::read(format!(
            "{ROOT}/keys-example/micro-credential.unsigned.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let map = template.as_object_mut().unwrap();
    map.remove("id");
    map.remove("validFrom");
    template["issuer"]["id"] = key.did_key().did().into();
    template["credentialSubject"]["id"] = "{{did}}".into();
    let template_path = work.join("course.json");
    std::fs::write(
        &template_path,
        serde_json::to_vec_pretty(&template).unwrap(),
    )
    .unwrap();
    let mut csv = String::from("student,did\n");
    for i in 0..n {
        csv.push_str(&format!("s{i:06},did:example:learner-{i}\n"));
    }
    let learners = work.join("learners.csv");
    std::fs::write(&learners, csv).unwrap();

    let msg = [0x5au8; 64];
    let (mut batch_runs, mut raw_runs) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    for round in 0..rounds {
        let out = work.join(format!("out-{round}{}", if jsonl { ".jsonl" } else { "" }));
        let ledger_path = work.join(format!("ledger-{round}.sqlite"));
        let mut cmd = std::process::Command::new(sign_bin);
        cmd.args([
            "batch",
            "--id-column",
            "student",
            "--suite",
            suite,
            "--jobs",
        ])
        .arg(threads.to_string())
        .arg("--key")
        .arg(&key_path)
        .arg("--template")
        .arg(&template_path)
        .arg("--learners")
        .arg(&learners)
        .arg(if jsonl { "--out-jsonl" } else { "--out" })
        .arg(&out);
        if ledger {
            let init = std::process::Command::new(sign_bin)
                .args(["ledger", "init", "--status-base-url"])
                .arg("https://uni.example/status/2025")
                .arg("--ledger")
                .arg(&ledger_path)
                .arg("--key")
                .arg(&key_path)
                .output()
                .unwrap();
            assert!(init.status.success(), "ledger init failed");
            cmd.arg("--ledger").arg(&ledger_path);
        }
        // Start each run with no dirty data of an earlier one (or of the set-up) to flush.
        let _ = std::process::Command::new("sync").status();
        batch_runs.push(run_timed(&mut cmd).0);
        if jsonl {
            let text = std::fs::read(&out).unwrap();
            let lines = text.iter().filter(|b| **b == b'\n').count();
            assert_eq!(lines, n, "one line per learner");
            bytes = text.len() as u64;
        } else {
            let files = bulk::json_files_in(&out).unwrap();
            assert_eq!(files.len(), n, "one file per learner");
            bytes = files
                .iter()
                .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
                .sum::<u64>();
        }
        raw_runs.push(timed(|| {
            on_threads(threads, n, |range| {
                for _ in range {
                    black_box(key.sign(black_box(&msg)));
                }
            });
        }));
    }
    let ((batch_s, batch_cpu), (raw_s, raw_cpu)) = (best(&batch_runs), best(&raw_runs));
    println!(
        "batch issue: {n} credentials ({} B average), {}, --suite {suite}, {}, --jobs {threads}: \
         {:.0} credentials/s wall ({:.1} µs CPU each); raw sign {:.0}/s ({:.1} µs CPU each); \
         per-credential cost / raw sign = {:.2}x wall, {:.2}x CPU (best of {rounds} \
         alternating runs; walls {:?} s)",
        bytes / n.max(1) as u64,
        if jsonl {
            "one JSON Lines file"
        } else {
            "one file each"
        },
        if ledger { "with ledger" } else { "no ledger" },
        n as f64 / batch_s,
        batch_cpu * 1e6 / n as f64,
        n as f64 / raw_s,
        raw_cpu * 1e6 / n as f64,
        batch_s / raw_s,
        batch_cpu / raw_cpu,
        batch_runs
            .iter()
            .map(|r| (r.0 * 100.0).round() / 100.0)
            .collect::<Vec<_>>(),
    );
}

/// `microcred-verify` itself over DIR, alternating with raw `verify_strict` as in [`verify`].
fn binary(bin: &Path, dir: &Path, threads: usize) {
    let n = bulk::json_files_in(dir).unwrap().len();
    let (mut bin_runs, mut raw_runs) = (Vec::new(), Vec::new());
    let mut rss = String::new();
    for _ in 0..3 {
        // /usr/bin/time prints the peak RSS; exit status 0: every file read and valid.
        let mut cmd = std::process::Command::new("/usr/bin/time");
        cmd.args(["-f", "%M"]).arg(bin);
        cmd.args(["--json", "--at", "2026-01-15T12:00:00Z", "--jobs"])
            .arg(threads.to_string());
        cmd.arg(dir).stdout(std::process::Stdio::null());
        let (times, stderr) = run_timed(&mut cmd);
        bin_runs.push(times);
        rss = stderr.trim().to_owned();
        raw_runs.push(raw_verify(threads, n));
    }
    let ((bin_s, bin_cpu), (raw_s, raw_cpu)) = (best(&bin_runs), best(&raw_runs));
    println!(
        "microcred-verify --json: {n} files on {threads} thread(s): {:.0} credentials/s \
         wall ({:.1} µs CPU each, full reports written); raw verify_strict {:.0}/s ({:.1} µs \
         CPU each); per-credential cost / raw verify_strict = {:.2}x wall, {:.2}x CPU; peak \
         RSS {rss} KiB (best of 3 alternating runs)",
        n as f64 / bin_s,
        bin_cpu * 1e6 / n as f64,
        n as f64 / raw_s,
        raw_cpu * 1e6 / n as f64,
        bin_s / raw_s,
        bin_cpu / raw_cpu,
    );
}

/// Scaling from 1 to `threads` threads, every configuration timed in the same rounds:
/// each round runs the bulk driver, the `microcred-verify` binary (when given) and raw
/// `verify_strict` on 1 thread and on `threads` threads, in turn, so that a change of
/// machine load hits all of them within seconds. Prints, per configuration, the best
/// and the median wall time over the rounds, and each one's speed-up with the speed-up
/// raw Ed25519 itself got in the same rounds (what the cores gave).
fn scaling(dir: &Path, threads: usize, rounds: usize, bin: Option<&Path>) {
    let files: Vec<PathBuf> = bulk::json_files_in(dir).unwrap();
    let n = files.len();
    let driver = |t: usize| {
        let options = BulkOptions {
            threads: Some(t),
            batch: true,
            ..BulkOptions::default()
        };
        timed(|| {
            let summary =
                bulk::verify_proofs_of_files(files.clone(), &DidKeyResolver, &options, |_| {})
                    .unwrap();
            assert_eq!(summary.valid, n, "every credential verifies: {summary:?}");
        })
        .0
    };
    let binary = |bin: &Path, t: usize| {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(["--json", "--at", "2026-01-15T12:00:00Z", "--jobs"])
            .arg(t.to_string())
            .arg(dir)
            .stdout(std::process::Stdio::null());
        run_timed(&mut cmd).0.0
    };
    // (name, wall seconds on 1 thread per round, on `threads` per round)
    let mut runs: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
        ("bulk driver (batch)", Vec::new(), Vec::new()),
        ("raw verify_strict", Vec::new(), Vec::new()),
    ];
    if bin.is_some() {
        runs.push(("microcred-verify --json", Vec::new(), Vec::new()));
    }
    for _ in 0..rounds {
        for (i, t) in [
            (1, 1),
            (1, threads),
            (0, 1),
            (0, threads),
            (2, 1),
            (2, threads),
        ] {
            let seconds = match (i, bin) {
                (0, _) => driver(t),
                (1, _) => raw_verify(t, n).0,
                (_, Some(bin)) => binary(bin, t),
                (_, None) => continue,
            };
            let (_, one, many) = &mut runs[i];
            if t == 1 { one } else { many }.push(seconds);
        }
    }
    let stats = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2])
    };
    let raw = {
        let (b1, m1) = stats(&runs[1].1);
        let (bn, mn) = stats(&runs[1].2);
        (b1 / bn, m1 / mn)
    };
    println!(
        "scaling 1 → {threads} threads over {n} files, {rounds} interleaved rounds \
         (speed-up of the best rounds · of the median rounds; ÷ raw: relative to raw \
         verify_strict's own speed-up in the same rounds):"
    );
    for (name, one, many) in &runs {
        let ((b1, m1), (bn, mn)) = (stats(one), stats(many));
        println!(
            "  {name}: {:.0} → {:.0} credentials/s (best rounds): {:.2}× · {:.2}×; ÷ raw {:.2} · {:.2}",
            n as f64 / b1,
            n as f64 / bn,
            b1 / bn,
            m1 / mn,
            (b1 / bn) / raw.0,
            (m1 / mn) / raw.1,
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match (arg(0), arg(1), arg(2)) {
        (Some("generate"), Some(dir), Some(n)) => {
            let threads = arg(3).map_or(1, |t| t.parse().unwrap());
            generate(
                Path::new(dir),
                n.parse().unwrap(),
                threads,
                arg(4) == Some("small"),
            );
        }
        (Some("verify"), Some(dir), Some(threads)) => {
            verify(
                Path::new(dir),
                threads.parse().unwrap(),
                arg(3) != Some("single"),
            );
        }
        (Some("binary"), Some(bin), Some(dir)) => {
            binary(
                Path::new(bin),
                Path::new(dir),
                arg(3).map_or(1, |t| t.parse().unwrap()),
            );
        }
        (Some("scaling"), Some(dir), Some(threads)) => {
            scaling(
                Path::new(dir),
                threads.parse().unwrap(),
                arg(3).map_or(5, |r| r.parse().unwrap()),
                arg(4).map(Path::new),
            );
        }
        (Some("issue"), Some(sign_bin), Some(n)) => {
            let threads = arg(3).map_or(1, |t| t.parse().unwrap());
            issue(
                Path::new(sign_bin),
                n.parse().unwrap(),
                threads,
                arg(4).unwrap_or("jcs"),
                arg(5).map_or(3, |r| r.parse().unwrap()),
                arg(6) != Some("no-ledger"),
                arg(7).map(Path::new),
                arg(8) == Some("jsonl"),
            );
        }
        _ => {
            eprintln!(
                "usage: bulk-bench generate DIR N [THREADS] [small] | bulk-bench verify DIR THREADS [batch|single] \
                 | bulk-bench issue SIGN_BIN N THREADS [jcs|both|rdfc] [ROUNDS] [ledger|no-ledger] [WORK_DIR] [files|jsonl] \
                 | bulk-bench binary BIN DIR THREADS [batch|single] \
                 | bulk-bench scaling DIR THREADS [ROUNDS] [VERIFY_BIN]"
            );
            std::process::exit(2);
        }
    }
}
