//! Verification of a presentation: the holder's proof (purpose authentication, the
//! expected challenge and domain), holder binding, and every embedded credential
//! with the trust list and status list.
//!
//! Properties: never panics, never hangs, and never reports valid when a proof failed
//! or a check failed (for the presentation or any credential inside it).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use microcred_core::proof::{self, DidKeyResolver};
use microcred_verifier::Verifier;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    let verifier =
        VERIFIER.get_or_init(|| common::verifier(Some(("c-0451", "hr.employer.example"))));
    let Ok(doc) = microcred_core::json::parse(data) else {
        return;
    };
    let _ = proof::verify_proofs(&doc, &DidKeyResolver);
    if let Ok(report) = verifier.verify(&doc) {
        common::check_report(&report);
    }
});
