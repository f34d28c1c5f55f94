//! Baseline benchmark (temporary).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]
mod support;
use ed25519_dalek::Signature;
use microcred_core::{jcs, json, proof};
use std::hint::black_box;
use support::*;

fn main() {
    let key = issuer_key();
    let vk = key.public_key();
    let msg = [7u8; 64];
    let sig = key.sign(&msg);
    let sig: Signature = sig;
    for size in SIZES {
        let unsigned = unsigned_bytes(size);
        let signed = signed_bytes(size);
        let opts = options(&key);
        let pretty = serde_json::to_vec_pretty(&json::parse(&signed).unwrap()).unwrap();
        let v = json::parse(&signed).unwrap();
        let r = medians(
            30,
            200,
            &mut [
                &mut || {
                    black_box(vk.verify_strict(black_box(&msg), &sig)).unwrap();
                },
                &mut || {
                    black_box(key.sign(black_box(&msg)));
                },
                &mut || {
                    black_box(json::parse(black_box(&signed)).unwrap());
                },
                &mut || {
                    black_box(json::parse(black_box(&pretty)).unwrap());
                },
                &mut || {
                    black_box(jcs::canonicalize(black_box(&v)));
                },
                &mut || {
                    let d = json::parse(black_box(&signed)).unwrap();
                    black_box(proof::verify_proofs(&d, &proof::DidKeyResolver));
                },
                &mut || {
                    let d = json::parse(black_box(&unsigned)).unwrap();
                    black_box(proof::add_proof(&d, &key, &opts).unwrap());
                },
                &mut || {
                    black_box(proof::verify_proofs(black_box(&v), &proof::DidKeyResolver));
                },
                &mut || {
                    black_box(
                        microcred_core::did_key::DidKey::parse_verification_method(black_box(
                            opts.verification_method.as_str(),
                        ))
                        .unwrap(),
                    );
                },
            ],
        );
        println!(
            "{} signed {} B (pretty {} B): verify_strict {} sign {} parse {} parse_pretty {} jcs {} verify_bytes {} sign_bytes {} verify_value {} didkey {}",
            size.label(),
            signed.len(),
            pretty.len(),
            fmt_ns(r[0]),
            fmt_ns(r[1]),
            fmt_ns(r[2]),
            fmt_ns(r[3]),
            fmt_ns(r[4]),
            fmt_ns(r[5]),
            fmt_ns(r[6]),
            fmt_ns(r[7]),
            fmt_ns(r[8])
        );
    }
}
