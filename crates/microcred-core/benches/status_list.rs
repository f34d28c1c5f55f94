//! Bitstring Status List encode/decode for 131,072 and 1,048,576 entries, with
//! the ratio to raw Ed25519 `verify_strict` measured in the same run.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

mod support;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use microcred_core::status_list::StatusList;
use support::{fmt_ns, issuer_key, quick_mode, rounds};

/// A list with about 1% of its entries set (revoked), spread out.
fn list(entries: usize) -> StatusList {
    let mut list = StatusList::new(entries);
    for i in (0..entries).step_by(97) {
        list.set(i, true).unwrap();
    }
    list
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("status_list");
    g.sample_size(20);
    for entries in [131_072, 1_048_576] {
        let l = list(entries);
        let encoded = l.encode();
        g.bench_with_input(BenchmarkId::new("encode", entries), &l, |b, l| {
            b.iter(|| black_box(l).encode())
        });
        g.bench_with_input(BenchmarkId::new("decode", entries), &encoded, |b, e| {
            b.iter(|| StatusList::decode(black_box(e)).unwrap())
        });
    }
    g.finish();
    c.final_summary();
    if quick_mode() {
        return;
    }
    let key = issuer_key();
    let vk = key.public_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);
    println!(
        "\nratios to raw Ed25519 verify_strict (64-byte message), interleaved, best of 15 rounds:"
    );
    for entries in [131_072, 1_048_576] {
        let l = list(entries);
        let encoded = l.encode();
        let t = rounds(
            15,
            3,
            &mut [
                &mut || assert!(vk.verify_strict(black_box(&msg), &sig).is_ok()),
                &mut || drop(black_box(l.encode())),
                &mut || drop(black_box(StatusList::decode(&encoded))),
            ],
        );
        println!(
            "  {entries} entries ({} chars encoded): encode / raw_verify_strict = {:.1}× ({}), \
             decode / raw_verify_strict = {:.1}× ({})",
            encoded.len(),
            t[1].best / t[0].best,
            fmt_ns(t[1].best),
            t[2].best / t[0].best,
            fmt_ns(t[2].best),
        );
    }
}
