//! Verification of a credential: strict parse, both cryptosuites (eddsa-jcs-2022 and
//! eddsa-rdfc-2022) through the core, then the verifier's whole report with a trust
//! list (did:key and did:web issuers) and a status list.
//!
//! Properties: never panics, never hangs (libFuzzer's -timeout), proof verification is
//! deterministic, and the verdict is "valid" only when every proof verified and no
//! check failed.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use microcred_core::proof::{self, DidKeyResolver};
use microcred_verifier::Verifier;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| common::verifier(None));
    let Ok(doc) = microcred_core::json::parse(data) else {
        return;
    };
    let first = proof::verify_proofs(&doc, &DidKeyResolver);
    let again = proof::verify_proofs(&doc, &DidKeyResolver);
    assert_eq!(first, again, "proof verification is not deterministic");
    if let Ok(report) = verifier.verify(&doc) {
        common::check_report(&report);
    }
});
