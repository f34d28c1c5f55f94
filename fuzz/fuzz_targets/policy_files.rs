//! The verifier's policy files, written by users and passed between organisations:
//! framework profiles (rules with paths, regular expressions, durations), trust lists
//! (issuers, DID documents, accreditations), qualifications, and status list
//! credentials. The first byte picks the kind; the rest is the file.
//!
//! Properties: loading never panics, and what loads is used without panicking: a
//! profile evaluates a credential, a trust list and a qualification drive a
//! verification and an assessment, a status list is consulted.

#![no_main]

use libfuzzer_sys::fuzz_target;
use microcred_verifier::profile::Profile;
use microcred_verifier::{Options, Qualification, StatusLists, TrustList, Verifier};

/// A credential to evaluate and verify (unsigned: every check still runs).
const CREDENTIAL: &str = include_str!("../../keys-example/micro-credential.unsigned.json");
/// A signed credential (the spec's eddsa-jcs-2022 vector).
const SIGNED: &str = include_str!("../../tests/vectors/eddsa-jcs-2022/signedJCS.json");

fn at() -> time::OffsetDateTime {
    time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_500)
}

fn documents() -> Vec<serde_json::Value> {
    [CREDENTIAL, SIGNED]
        .iter()
        .filter_map(|t| microcred_core::json::parse(t.as_bytes()).ok())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, file)) = data.split_first() else {
        return;
    };
    let mut options = Options::default();
    options.at = Some(at());
    match kind % 4 {
        0 => {
            let Ok(profile) = Profile::from_json(file) else {
                return;
            };
            for doc in documents() {
                let results = profile.evaluate(&doc, at());
                assert_eq!(results.len(), profile.rules.len());
                let _ = Profile::is_compliant(&results);
            }
            options.profiles = vec![profile];
        }
        1 => {
            let Ok(trust) = TrustList::from_json(file) else {
                return;
            };
            options.trust = Some(trust);
        }
        2 => {
            let Ok(q) = Qualification::from_json(file) else {
                return;
            };
            let _ = q.needs_trust_list();
            options.qualification = Some(q);
        }
        _ => {
            let Ok(doc) = microcred_core::json::parse(file) else {
                return;
            };
            let mut lists = StatusLists::new();
            if lists.add(doc).is_err() {
                return;
            }
            options.status_lists = lists;
        }
    }
    let verifier = Verifier::with_options(options);
    let reports: Vec<_> = documents()
        .iter()
        .filter_map(|d| verifier.verify(d).ok())
        .collect();
    let named: Vec<(&str, &microcred_verifier::Report)> =
        reports.iter().map(|r| ("file.json", r)).collect();
    let _ = verifier.assess_qualification(&named);
});
