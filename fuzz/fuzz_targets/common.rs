//! What the verification targets share: a verifier set up like an employer's, and
//! the invariants every report must keep.

use microcred_verifier::{Options, Outcome, Report, StatusLists, TrustList, Verifier};

const TRUST: &str = include_str!("../../keys-example/trust-list.json");
const STATUS_LIST: &str = include_str!("../seeds/status_list/list-credential.json");

/// A verifier with the example trust list and a status list, at a fixed time, and
/// for presentations the challenge and domain given.
pub(crate) fn verifier(challenge_domain: Option<(&str, &str)>) -> Verifier {
    let mut options = Options::default();
    options.at = Some(time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_500));
    options.trust = TrustList::from_json(TRUST.as_bytes()).ok();
    let mut lists = StatusLists::new();
    if let Ok(list) = microcred_core::json::parse(STATUS_LIST.as_bytes()) {
        let _ = lists.add(list);
    }
    options.status_lists = lists;
    if let Some((c, d)) = challenge_domain {
        options.challenge = Some(c.into());
        options.domain = Some(d.into());
    }
    Verifier::with_options(options)
}

/// A report is valid only if no check failed, in it or in any credential it holds.
pub(crate) fn check_report(report: &Report) {
    if !report.valid {
        return;
    }
    for r in std::iter::once(report).chain(report.credential_reports()) {
        assert!(
            r.checks.iter().all(|c| c.outcome != Outcome::Fail),
            "valid report with a failed check: {r:?}"
        );
        assert!(
            r.checks
                .iter()
                .any(|c| c.id == "proof" && c.outcome == Outcome::Pass),
            "valid report without a verified proof: {r:?}"
        );
    }
}
