//! Shared fixtures for the benchmarks: realistic micro-credentials of about 1, 4 and
//! 16 KB derived from `keys-example/micro-credential.unsigned.json`, the example
//! issuer key, and a ratio reporter that times operations against raw Ed25519 in
//! the same run (interleaved, so machine load affects both sides alike).

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use std::time::Instant;

use microcred_core::keys::{KeyFile, SecretKey};
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use microcred_core::{Value, json};
use serde_json::json;

/// The repository root: these fixtures are shared by the core's benches and the
/// `tests` package's timing tools, whose manifests sit at different depths.
fn root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("keys-example").is_dir())
        .unwrap_or(manifest)
        .to_path_buf()
}

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(root().join(relative)).unwrap()
}

/// The three credential sizes measured.
pub(crate) const SIZES: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

/// A credential size class.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Size {
    /// About 1 KB: the example stripped to issuer, subject and achievement basics.
    Small,
    /// About 4 KB: the full example, compact.
    Medium,
    /// About 16 KB: a full transcript with many learning outcomes.
    Large,
}

impl Size {
    /// Label used in benchmark ids.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Size::Small => "1KB",
            Size::Medium => "4KB",
            Size::Large => "16KB",
        }
    }
}

/// The example issuer key (public on purpose: `keys-example/`).
pub(crate) fn issuer_key() -> SecretKey {
    KeyFile::from_json(&read("keys-example/example-university.key.json"))
        .unwrap()
        .secret
        .into_ed25519()
        .unwrap()
}

/// The example learner key.
pub(crate) fn learner_key() -> SecretKey {
    KeyFile::from_json(&read("keys-example/example-learner.key.json"))
        .unwrap()
        .secret
        .into_ed25519()
        .unwrap()
}

/// The proof options the signer uses for credentials.
pub(crate) fn options(key: &SecretKey) -> ProofOptions {
    let mut options = ProofOptions::new(
        key.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    options.created = Some("2025-03-01T00:00:00Z".into());
    options
}

/// An unsigned credential of the given size.
pub(crate) fn unsigned(size: Size) -> Value {
    let mut doc = json::parse(&read("keys-example/micro-credential.unsigned.json")).unwrap();
    match size {
        Size::Medium => {}
        Size::Small => {
            let issuer = doc["issuer"].as_object_mut().unwrap();
            issuer.shift_remove("address");
            issuer.shift_remove("otherIdentifier");
            let subject = doc["credentialSubject"].as_object_mut().unwrap();
            subject.shift_remove("identifier");
            subject.shift_remove("result");
            let achievement = subject["achievement"].as_object_mut().unwrap();
            for member in ["alignment", "resultDescription", "microCredential"] {
                achievement.shift_remove(member);
            }
        }
        Size::Large => {
            let mc = &mut doc["credentialSubject"]["achievement"]["microCredential"];
            let outcomes = mc["learningOutcomes"].as_array_mut().unwrap();
            for i in 4..=64 {
                outcomes.push(json!({
                    "id": format!("urn:lo:{i}"),
                    "description": format!(
                        "Learning outcome {i}: design, implement and critically evaluate a \
                         machine-learning component for an engineering problem, documenting \
                         the trade-offs between accuracy, cost and fairness (module {})", i % 7
                    ),
                    "relatedSkill": [format!("http://data.europa.eu/esco/skill/example-skill-{i}")],
                }));
            }
        }
    }
    doc["issuer"]["id"] = issuer_key().did_key().did().into();
    doc
}

/// The compact bytes of an unsigned credential.
pub(crate) fn unsigned_bytes(size: Size) -> Vec<u8> {
    serde_json::to_vec(&unsigned(size)).unwrap()
}

/// The compact bytes of a credential signed by the example issuer key.
pub(crate) fn signed_bytes(size: Size) -> Vec<u8> {
    let key = issuer_key();
    let signed = proof::add_proof(&unsigned(size), &key, &options(&key)).unwrap();
    serde_json::to_vec(&signed).unwrap()
}

/// Time per call of each closure, measured interleaved: each round times every
/// closure for `iters` calls, so background load hits all of them alike. Returns
/// the fastest round of each (the least disturbed by other processes; ratios are
/// taken between these), and the median round for reference.
pub(crate) fn rounds(rounds: usize, iters: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<Timing> {
    let mut samples = vec![Vec::with_capacity(rounds); fs.len()];
    for _ in 0..rounds {
        for (f, s) in fs.iter_mut().zip(samples.iter_mut()) {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            s.push(start.elapsed().as_secs_f64() * 1e9 / iters as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            Timing {
                best: s[0],
                median: s[s.len() / 2],
            }
        })
        .collect()
}

/// One closure's timings, in nanoseconds per call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    /// The fastest round.
    pub(crate) best: f64,
    /// The median round.
    pub(crate) median: f64,
}

/// Median time per call of each closure (see [`rounds`]).
pub(crate) fn medians(rounds_: usize, iters: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    rounds(rounds_, iters, fs)
        .into_iter()
        .map(|t| t.median)
        .collect()
}

/// Whether the bench binary runs in criterion's `--test` or `--list` mode (then
/// the ratio section is skipped).
pub(crate) fn quick_mode() -> bool {
    std::env::args().any(|a| a == "--test" || a == "--list")
}

/// Formats nanoseconds for the ratio table.
pub(crate) fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} µs", ns / 1e3)
    }
}
