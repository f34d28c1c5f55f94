//! eddsa-rdfc-2022 against eddsa-jcs-2022: sign and verify the example
//! micro-credential (`keys-example/micro-credential.unsigned.json`, about
//! 4 KB once canonicalized) with each suite, and print the rdfc/jcs ratios
//! measured in the same run.
//!
//! `cargo bench -p microcred-core --bench rdfc`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use microcred_core::keys::KeyFile;
use microcred_core::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};
use microcred_core::{Value, json, rdfc};

const CREDENTIAL: &[u8] = include_bytes!("../../../keys-example/micro-credential.unsigned.json");
const KEY: &[u8] = include_bytes!("../../../keys-example/example-university.key.json");

struct Fixture {
    unsigned: Value,
    key: KeyFile,
    options: ProofOptions,
    signed_jcs: Value,
    signed_rdfc: Value,
}

fn fixture() -> Fixture {
    let unsigned = json::parse(CREDENTIAL).unwrap();
    let key = KeyFile::from_json(KEY).unwrap();
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    options.created = Some("2025-03-01T00:00:00Z".into());
    let ed25519 = key.secret.as_ed25519().unwrap();
    let signed_jcs = proof::add_proof(&unsigned, ed25519, &options).unwrap();
    let signed_rdfc = rdfc::add_proof(&unsigned, ed25519, &options).unwrap();
    for signed in [&signed_jcs, &signed_rdfc] {
        assert!(
            proof::verify_proofs(signed, &DidKeyResolver)[0]
                .result
                .is_ok()
        );
    }
    Fixture {
        unsigned,
        key,
        options,
        signed_jcs,
        signed_rdfc,
    }
}

/// Median time of one call over several batches (for the ratio line).
fn median(mut f: impl FnMut()) -> Duration {
    let mut batches: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..20 {
                f();
            }
            start.elapsed() / 20
        })
        .collect();
    batches.sort();
    batches[batches.len() / 2]
}

fn bench(c: &mut Criterion) {
    let fx = fixture();
    let canonical = rdfc::canonicalize(&fx.unsigned).unwrap();
    eprintln!(
        "credential: {} bytes of JSON, {} bytes of JCS, {} bytes / {} quads of canonical N-Quads",
        CREDENTIAL.len(),
        microcred_core::jcs::canonicalize(&fx.unsigned).len(),
        canonical.len(),
        canonical.lines().count()
    );

    let ed25519 = fx.key.secret.as_ed25519().unwrap();
    let sign_jcs = || black_box(proof::add_proof(&fx.unsigned, ed25519, &fx.options).unwrap());
    let sign_rdfc = || black_box(rdfc::add_proof(&fx.unsigned, ed25519, &fx.options).unwrap());
    let verify_jcs = || black_box(proof::verify_proofs(&fx.signed_jcs, &DidKeyResolver));
    let verify_rdfc = || black_box(proof::verify_proofs(&fx.signed_rdfc, &DidKeyResolver));

    let mut g = c.benchmark_group("micro-credential");
    g.bench_function("sign eddsa-jcs-2022", |b| b.iter(sign_jcs));
    g.bench_function("sign eddsa-rdfc-2022", |b| b.iter(sign_rdfc));
    g.bench_function("verify eddsa-jcs-2022", |b| b.iter(verify_jcs));
    g.bench_function("verify eddsa-rdfc-2022", |b| b.iter(verify_rdfc));
    g.bench_function("rdfc canonicalize document only", |b| {
        b.iter(|| black_box(rdfc::canonicalize(&fx.unsigned).unwrap()))
    });
    g.bench_function("rdfc JSON-LD to RDF only", |b| {
        b.iter(|| black_box(rdfc::to_rdf(&fx.unsigned).unwrap()))
    });
    g.finish();

    let (sj, sr) = (median(|| drop(sign_jcs())), median(|| drop(sign_rdfc())));
    let (vj, vr) = (
        median(|| drop(verify_jcs())),
        median(|| drop(verify_rdfc())),
    );
    eprintln!(
        "ratio rdfc/jcs: sign {:.1}x ({:?} vs {:?}), verify {:.1}x ({:?} vs {:?})",
        sr.as_secs_f64() / sj.as_secs_f64(),
        sr,
        sj,
        vr.as_secs_f64() / vj.as_secs_f64(),
        vr,
        vj
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
