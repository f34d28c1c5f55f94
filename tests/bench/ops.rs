//! Runs one operation K times, for instruction counts under callgrind (which are
//! not disturbed by other processes on the machine, unlike timings):
//!
//! ```text
//! valgrind --tool=callgrind target/release/examples/bench-ops OP K
//! ```
//!
//! The per-operation count is (count at K = 11 − count at K = 1) / 10, which cancels
//! the setup. `tests/bench/profile.sh` runs every operation and prints the ratios.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "../../crates/microcred-core/benches/support/mod.rs"]
mod support;

use std::hint::black_box;

use microcred_core::json;
use microcred_core::proof::{self, DidKeyResolver};
use support::{Size, issuer_key, options, signed_bytes, unsigned_bytes};

fn size(name: &str) -> Size {
    match name {
        n if n.ends_with("1KB") => Size::Small,
        n if n.ends_with("16KB") => Size::Large,
        _ => Size::Medium,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let op = args.first().map_or("raw_verify", String::as_str);
    let k: usize = args.get(1).map_or(1, |k| k.parse().unwrap());
    let key = issuer_key();
    let vk = key.public_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);
    let signed = signed_bytes(size(op));
    let unsigned = unsigned_bytes(size(op));
    let o = options(&key);
    let batch: Vec<Vec<u8>> = if op == "batch_64x4KB" {
        (0..64).map(|_| signed_bytes(Size::Medium)).collect()
    } else {
        Vec::new()
    };
    let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
    // 17 issuers, one more than the per-thread did:key cache holds: every
    // verification then decodes its key afresh, as a one-off verification does.
    let cold: Vec<(String, Vec<u8>)> = if op.ends_with("_cold") {
        (0..17u8)
            .map(|i| {
                let k = microcred_core::keys::SecretKey::from_seed(&[i + 1; 32]);
                let mut doc = json::parse(&unsigned_bytes(Size::Medium)).unwrap();
                doc["issuer"]["id"] = k.did_key().did().into();
                let signed = proof::add_proof(&doc, &k, &options(&k)).unwrap();
                (
                    k.did_key().verification_method(),
                    serde_json::to_vec(&signed).unwrap(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut turn = 0usize;
    for _ in 0..k {
        match op {
            "raw_verify" => assert!(vk.verify_strict(black_box(&msg), &sig).is_ok()),
            "raw_sign" => drop(black_box(key.sign(black_box(&msg)).to_bytes())),
            "did_key_resolve_cold" => {
                turn += 1;
                let vm = &cold[turn % cold.len()].0;
                drop(black_box(proof::KeyResolver::resolve(&DidKeyResolver, vm)));
            }
            "verify_bytes_4KB_cold" => {
                turn += 1;
                let doc = &cold[turn % cold.len()].1;
                let r = proof::verify_bytes(black_box(doc), &DidKeyResolver).unwrap();
                assert!(r[0].result.is_ok());
            }
            "did_key_resolve" => {
                drop(black_box(proof::KeyResolver::resolve(
                    &DidKeyResolver,
                    &o.verification_method,
                )));
            }
            o2 if o2.starts_with("verify_bytes_") => {
                let r = proof::verify_bytes(black_box(&signed), &DidKeyResolver).unwrap();
                assert!(r[0].result.is_ok());
            }
            o2 if o2.starts_with("value_verify_") => {
                let v = json::parse(black_box(&signed)).unwrap();
                assert!(proof::verify_proofs(&v, &DidKeyResolver)[0].result.is_ok());
            }
            o2 if o2.starts_with("parse_value_") => {
                drop(black_box(json::parse(black_box(&signed))))
            }
            o2 if o2.starts_with("add_proof_bytes_") => {
                drop(black_box(
                    proof::add_proof_bytes(black_box(&unsigned), &key, &o).unwrap(),
                ));
            }
            o2 if o2.starts_with("value_sign_") => {
                let v = json::parse(black_box(&unsigned)).unwrap();
                drop(black_box(proof::add_proof(&v, &key, &o).unwrap()));
            }
            "batch_64x4KB" => {
                for r in proof::verify_batch(black_box(&refs), &DidKeyResolver) {
                    assert!(r.unwrap()[0].result.is_ok());
                }
            }
            other => {
                eprintln!("unknown operation {other}");
                std::process::exit(2);
            }
        }
    }
}
