//! The VC-JWT reader: a compact JWS taken apart (base64url, strict JSON header and
//! payload), its claims mapped onto the credential, its header's algorithm and key
//! (kid, jwk) read, then the verifier's whole report with the fuzz trust list.
//!
//! Properties: never panics, never hangs, taking a token apart is deterministic, and
//! the verdict is "valid" only when the JWS verified and no check failed.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use microcred_verifier::{Verifier, jwt};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| common::verifier(None));
    let parsed = jwt::parse(data);
    assert_eq!(parsed, jwt::parse(data), "parsing is not deterministic");
    if let Ok(jws) = &parsed {
        let _ = jwt::decode(jws);
    }
    // Whatever the bytes, as a file would reach the verifier.
    if let Ok(report) = verifier.verify_jwt(data) {
        common::check_report(&report);
    }
});
