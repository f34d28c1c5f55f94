//! Credential benchmarks against raw Ed25519, measured in the same run.
//!
//! `cargo bench -p microcred-core --bench proof` runs the criterion groups, then
//! prints a ratio table: each operation's median time over raw `verify_strict`
//! or raw `sign` on a 64-byte message, timed interleaved (round by round), so
//! that background load weighs on both sides of each ratio alike.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

mod support;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use microcred_core::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};
use microcred_core::{Value, jcs, json};
use sha2::{Digest, Sha256};
use support::{
    SIZES, Size, Timing, fmt_ns, issuer_key, learner_key, options, quick_mode, rounds,
    signed_bytes, unsigned_bytes,
};

/// A presentation by the example learner embedding `n` signed 4 KB credentials.
fn presentation(n: usize) -> Vec<u8> {
    let learner = learner_key();
    let credentials: Vec<Value> = (0..n)
        .map(|_| json::parse(&signed_bytes(Size::Medium)).unwrap())
        .collect();
    let vp = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:3b7e4c1e-0000-4000-8000-000000000001",
        "type": ["VerifiablePresentation"],
        "holder": learner.did_key().did(),
        "verifiableCredential": credentials,
    });
    let mut o = ProofOptions::new(
        learner.did_key().verification_method(),
        ProofPurpose::Authentication,
    );
    o.created = Some("2025-03-02T00:00:00Z".into());
    o.challenge = Some("0f7c1a52-1d6e-4b35-9a0f-0c8a1e7d2b11".into());
    o.domain = Some("https://employer.example".into());
    serde_json::to_vec(&proof::add_proof(&vp, &learner, &o).unwrap()).unwrap()
}

/// The one-by-one reference for presentations: parse, then each proof on its own.
fn verify_presentation_value(bytes: &[u8]) -> usize {
    let vp = json::parse(bytes).unwrap();
    let mut ok = proof::verify_proofs(&vp, &DidKeyResolver)
        .iter()
        .filter(|o| o.result.is_ok())
        .count();
    for vc in vp["verifiableCredential"].as_array().unwrap() {
        ok += proof::verify_proofs(vc, &DidKeyResolver)
            .iter()
            .filter(|o| o.result.is_ok())
            .count();
    }
    ok
}

fn all_ok(outcomes: &[proof::ProofOutcome]) -> bool {
    !outcomes.is_empty() && outcomes.iter().all(|o| o.result.is_ok())
}

fn benches(c: &mut Criterion) {
    let key = issuer_key();
    let vk = key.public_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);

    let mut g = c.benchmark_group("ed25519_raw");
    g.bench_function("sign_64B", |b| b.iter(|| key.sign(black_box(&msg))));
    g.bench_function("verify_strict_64B", |b| {
        b.iter(|| vk.verify_strict(black_box(&msg), black_box(&sig)))
    });
    g.finish();

    let mut g = c.benchmark_group("jcs");
    for size in SIZES {
        let bytes = signed_bytes(size);
        let value = json::parse(&bytes).unwrap();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("parse_value", size.label()),
            &bytes,
            |b, d| b.iter(|| json::parse(black_box(d)).unwrap()),
        );
        g.bench_with_input(
            BenchmarkId::new("canonicalize_value", size.label()),
            &value,
            |b, v| b.iter(|| jcs::canonicalize(black_box(v))),
        );
        g.bench_with_input(
            BenchmarkId::new("parse_and_canonicalize", size.label()),
            &bytes,
            |b, d| b.iter(|| jcs::canonicalize(&json::parse(black_box(d)).unwrap())),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("sign");
    for size in SIZES {
        let bytes = unsigned_bytes(size);
        let o = options(&key);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("add_proof_bytes", size.label()),
            &bytes,
            |b, d| b.iter(|| proof::add_proof_bytes(black_box(d), &key, &o).unwrap()),
        );
        g.bench_with_input(
            BenchmarkId::new("parse_then_add_proof", size.label()),
            &bytes,
            |b, d| b.iter(|| proof::add_proof(&json::parse(black_box(d)).unwrap(), &key, &o)),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("verify");
    for size in SIZES {
        let bytes = signed_bytes(size);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("verify_bytes", size.label()),
            &bytes,
            |b, d| {
                b.iter(|| {
                    assert!(all_ok(
                        &proof::verify_bytes(black_box(d), &DidKeyResolver).unwrap()
                    ))
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("parse_then_verify_proofs", size.label()),
            &bytes,
            |b, d| {
                b.iter(|| {
                    let v = json::parse(black_box(d)).unwrap();
                    assert!(all_ok(&proof::verify_proofs(&v, &DidKeyResolver)))
                })
            },
        );
    }
    let batch: Vec<Vec<u8>> = (0..64).map(|_| signed_bytes(Size::Medium)).collect();
    let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
    g.throughput(Throughput::Elements(64));
    g.bench_function("verify_batch_64x4KB", |b| {
        b.iter(|| proof::verify_batch(black_box(&refs), &DidKeyResolver))
    });
    g.finish();

    let vp = presentation(5);
    let mut g = c.benchmark_group("presentation");
    g.throughput(Throughput::Bytes(vp.len() as u64));
    g.bench_function("verify_presentation_bytes_5x4KB", |b| {
        b.iter(|| proof::verify_presentation_bytes(black_box(&vp), &DidKeyResolver).unwrap())
    });
    g.bench_function("parse_then_verify_proofs_5x4KB", |b| {
        b.iter(|| assert_eq!(verify_presentation_value(black_box(&vp)), 6))
    });
    g.finish();
}

/// `a / b` for median rounds and for the fastest rounds: "1.31× (best rounds 1.23×)".
fn ratio(a: Timing, b: Timing) -> String {
    format!(
        "{:.2}× (best rounds {:.2}×)",
        a.median / b.median,
        a.best / b.best
    )
}

/// The ratio table: every operation against raw Ed25519, interleaved.
fn ratios() {
    let key = issuer_key();
    let vk = key.public_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);
    let o = options(&key);
    println!(
        "\nratios to raw Ed25519 on a 64-byte message, timed interleaved in the same run; \
         median of 41 rounds (ratio of the fastest rounds in parentheses):"
    );
    for size in SIZES {
        let signed = signed_bytes(size);
        let unsigned = unsigned_bytes(size);
        let value = json::parse(&signed).unwrap();
        let t = rounds(
            41,
            100,
            &mut [
                &mut || assert!(vk.verify_strict(black_box(&msg), &sig).is_ok()),
                &mut || {
                    black_box(key.sign(black_box(&msg)));
                },
                &mut || {
                    assert!(all_ok(
                        &proof::verify_bytes(black_box(&signed), &DidKeyResolver).unwrap()
                    ))
                },
                &mut || {
                    drop(black_box(proof::add_proof_bytes(
                        black_box(&unsigned),
                        &key,
                        &o,
                    )))
                },
                &mut || {
                    let v = json::parse(black_box(&signed)).unwrap();
                    assert!(all_ok(&proof::verify_proofs(&v, &DidKeyResolver)))
                },
                &mut || drop(black_box(jcs::canonicalize(black_box(&value)))),
                &mut || drop(black_box(json::parse(black_box(&signed)))),
                &mut || {
                    black_box(Sha256::digest(black_box(&signed)));
                },
                &mut || {
                    assert!(proof::verify_signature(
                        &vk,
                        black_box(&msg),
                        black_box(&sig)
                    ))
                },
            ],
        );
        let l = size.label();
        println!("  {l} ({} B signed):", signed.len());
        println!(
            "    verify_bytes_{l} / raw_verify_strict = {}   [{} / {}]",
            ratio(t[2], t[0]),
            fmt_ns(t[2].median),
            fmt_ns(t[0].median)
        );
        println!(
            "      of which the signature check (proof::verify_signature, verify_strict's \
             verdict) {} = {} raw; parse, canonicalize, hash and the rest {} = {:.2}× raw",
            fmt_ns(t[8].median),
            ratio(t[8], t[0]),
            fmt_ns(t[2].median - t[8].median),
            (t[2].median - t[8].median) / t[0].median,
        );
        println!(
            "    add_proof_bytes_{l} / raw_sign = {}   [{} / {}]",
            ratio(t[3], t[1]),
            fmt_ns(t[3].median),
            fmt_ns(t[1].median)
        );
        println!(
            "    Value path (json::parse + verify_proofs) / raw_verify_strict = {}",
            ratio(t[4], t[0])
        );
        println!(
            "    json::parse {}, jcs::canonicalize(Value) {}, SHA-256 of the signed bytes {} \
             ({:.0} MB/s)",
            fmt_ns(t[6].median),
            fmt_ns(t[5].median),
            fmt_ns(t[7].median),
            signed.len() as f64 / t[7].median * 1e3,
        );
    }
    let batch: Vec<Vec<u8>> = (0..256).map(|_| signed_bytes(Size::Medium)).collect();
    let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
    let vp = presentation(5);
    let t = rounds(
        15,
        1,
        &mut [
            &mut || {
                for _ in 0..256 {
                    assert!(vk.verify_strict(black_box(&msg), &sig).is_ok());
                }
            },
            &mut || {
                for r in proof::verify_batch(black_box(&refs), &DidKeyResolver) {
                    assert!(all_ok(&r.unwrap()));
                }
            },
            &mut || {
                for d in &refs {
                    assert!(all_ok(
                        &proof::verify_bytes(black_box(d), &DidKeyResolver).unwrap()
                    ));
                }
            },
            &mut || {
                for _ in 0..6 {
                    assert!(vk.verify_strict(black_box(&msg), &sig).is_ok());
                }
            },
            &mut || {
                let r = proof::verify_presentation_bytes(black_box(&vp), &DidKeyResolver).unwrap();
                assert!(all_ok(&r.presentation));
            },
            &mut || assert_eq!(verify_presentation_value(black_box(&vp)), 6),
        ],
    );
    println!("  256 × 4KB credentials, per credential (median of 15 rounds):");
    println!(
        "    verify_batch / raw_verify_strict = {}   [{} per credential]",
        ratio(t[1], t[0]),
        fmt_ns(t[1].median / 256.0)
    );
    println!(
        "    verify_bytes one by one / raw_verify_strict = {}; batch is {:.2}× faster than \
         one by one",
        ratio(t[2], t[0]),
        t[2].median / t[1].median
    );
    println!("  presentation with 5 × 4KB credentials (6 signatures):");
    println!(
        "    verify_presentation_bytes / 6 raw_verify_strict = {}   [{}]; Value path one by \
         one = {}",
        ratio(t[4], t[3]),
        fmt_ns(t[4].median),
        ratio(t[5], t[3]),
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    if !quick_mode() {
        ratios();
    }
}
