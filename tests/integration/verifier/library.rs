//! The verifier library: each check passing and failing.

use microcred_core::Value;
use microcred_core::proof::ProofPurpose;
use microcred_core::status_list::StatusPurpose;
use microcred_verifier::{
    Kind, Options, Outcome, Qualification, Report, StatusLists, TrustList, Verifier,
};
use serde_json::json;

use super::fixtures::*;

fn options() -> Options {
    let mut o = Options::default();
    o.at = Some(at());
    o
}

fn verify_with(o: Options, doc: &Value) -> Report {
    Verifier::with_options(o).verify(doc).unwrap()
}

fn verify(doc: &Value) -> Report {
    verify_with(options(), doc)
}

/// The outcomes of the checks with this id, in order.
fn outcomes(r: &Report, id: &str) -> Vec<Outcome> {
    r.checks_with_id(id).map(|c| c.outcome).collect()
}

fn message(r: &Report, id: &str) -> String {
    r.checks_with_id(id)
        .map(|c| c.message.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn with_trust(mut o: Options) -> Options {
    o.trust = Some(TrustList::from_value(&trust_list_json(true)).unwrap());
    o
}

fn with_lists(mut o: Options, lists: Vec<Value>) -> Options {
    let mut l = StatusLists::new();
    for doc in lists {
        l.add(doc).unwrap();
    }
    o.status_lists = l;
    o
}

#[test]
fn a_good_credential_passes_and_unasked_checks_are_skipped() {
    let r = verify(&credential());
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.kind, Kind::Credential);
    for id in [
        "structure",
        "proof",
        "proof-purpose",
        "issuer-key",
        "proof-validity",
        "validity",
    ] {
        assert_eq!(outcomes(&r, id), [Outcome::Pass], "{id}");
    }
    assert_eq!(outcomes(&r, "trust"), [Outcome::Skipped]);
    assert_eq!(outcomes(&r, "status"), [Outcome::Skipped]);
    let s = r.summary.as_ref().unwrap();
    assert_eq!(s.ects, Some(5.0));
    assert_eq!(s.eqf_level, Some(7));
    assert_eq!(s.subject.as_deref(), Some(did(&learner()).as_str()));
}

#[test]
fn tampering_fails_the_proof() {
    let mut c = credential();
    c["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = 150.into();
    let r = verify(&c);
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "proof"), [Outcome::Fail]);
    assert!(message(&r, "proof").contains("signature does not verify"));
}

#[test]
fn unsigned_credentials_fail() {
    let r = verify(&unsigned(&did(&issuer()), &did(&learner()), 1));
    assert!(!r.valid);
    assert!(message(&r, "proof").contains("not signed"));
}

#[test]
fn a_key_not_the_issuers_fails_issuer_key_not_proof() {
    // Issuer says University of Example; a stranger signed with their own (valid) key.
    let c = sign(&unsigned(&did(&issuer()), &did(&learner()), 1), &stranger());
    let r = verify(&c);
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "proof"), [Outcome::Pass]);
    assert_eq!(outcomes(&r, "issuer-key"), [Outcome::Fail]);
    assert!(message(&r, "issuer-key").contains(&did(&stranger())));
}

#[test]
fn a_wrong_purpose_fails() {
    let c = sign_as(
        &unsigned(&did(&issuer()), &did(&learner()), 1),
        &issuer(),
        &issuer().did_key().verification_method(),
        ProofPurpose::Authentication,
        |_| {},
    );
    let r = verify(&c);
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "proof-purpose"), [Outcome::Fail]);
}

#[test]
fn one_bad_proof_in_a_set_fails_and_is_named() {
    let c = credential();
    // A second proof, by a stranger, over the same credential.
    let c = sign(&c, &stranger());
    let r = verify(&c);
    assert!(!r.valid);
    let bad: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .collect();
    assert_eq!(bad.len(), 1, "{bad:#?}");
    assert_eq!(bad[0].id, "issuer-key");
    assert_eq!(bad[0].proof, Some(1));
    assert!(
        bad[0].message.starts_with("proof 2 of 2"),
        "{}",
        bad[0].message
    );
    // Two good proofs by the issuer pass.
    let r = verify(&sign(&credential(), &issuer()));
    assert!(r.valid, "{r:#?}");
    assert_eq!(outcomes(&r, "proof"), [Outcome::Pass, Outcome::Pass]);
}

#[test]
fn validity_window() {
    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u["validUntil"] = "2026-01-01T00:00:00Z".into();
    let r = verify(&sign(&u, &issuer()));
    assert_eq!(outcomes(&r, "validity"), [Outcome::Fail]);
    assert!(message(&r, "validity").starts_with("expired"));
    assert!(!r.valid);

    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u["validFrom"] = "2026-02-01T00:00:00Z".into();
    let r = verify(&sign(&u, &issuer()));
    assert!(message(&r, "validity").starts_with("not yet valid"));
    assert!(!r.valid);

    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u["validFrom"] = "2026-02-01".into();
    let r = verify(&sign(&u, &issuer()));
    assert_eq!(outcomes(&r, "structure"), [Outcome::Fail]);
    assert!(message(&r, "structure").contains("validFrom"));
}

#[test]
fn proof_created_in_the_future_or_expired_fails() {
    let u = unsigned(&did(&issuer()), &did(&learner()), 1);
    let vm = issuer().did_key().verification_method();
    let future = sign_as(&u, &issuer(), &vm, ProofPurpose::AssertionMethod, |o| {
        o.created = Some("2026-01-15T13:00:00Z".into());
    });
    let r = verify(&future);
    assert_eq!(outcomes(&r, "proof-validity"), [Outcome::Fail]);
    assert!(message(&r, "proof-validity").contains("after the time of verification"));
    // Within the clock skew: fine.
    let skew = sign_as(&u, &issuer(), &vm, ProofPurpose::AssertionMethod, |o| {
        o.created = Some("2026-01-15T12:03:00Z".into());
    });
    assert!(verify(&skew).valid);
    let expired = sign_as(&u, &issuer(), &vm, ProofPurpose::AssertionMethod, |o| {
        o.expires = Some("2026-01-01T00:00:00Z".into());
    });
    let r = verify(&expired);
    assert!(!r.valid);
    assert!(message(&r, "proof-validity").contains("expired"));
}

#[test]
fn structure_and_context() {
    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u.as_object_mut().unwrap().remove("credentialSubject");
    let r = verify(&sign(&u, &issuer()));
    assert_eq!(outcomes(&r, "structure"), [Outcome::Fail]);
    assert!(message(&r, "structure").contains("credentialSubject is missing"));

    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u["@context"] = json!([
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/credentials/v2"
    ]);
    let r = verify(&sign(&u, &issuer()));
    assert!(message(&r, "structure").contains("must start with"));

    // A context the verifier does not bundle: a warning, still valid.
    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u["@context"]
        .as_array_mut()
        .unwrap()
        .push("https://example.org/unknown/v1".into());
    let r = verify(&sign(&u, &issuer()));
    assert!(r.valid);
    assert_eq!(outcomes(&r, "context"), [Outcome::Warn]);
    assert_eq!(
        r.check("context").unwrap().value,
        Some("https://example.org/unknown/v1".into())
    );
}

#[test]
fn not_an_object_is_an_error_not_a_verdict() {
    assert!(Verifier::new().verify_bytes(b"[1]").is_err());
    assert!(Verifier::new().verify_bytes(br#"{"a":1,"a":2}"#).is_err());
}

#[test]
fn status_good_revoked_suspended() {
    let c = sign(
        &with_status(unsigned(&did(&issuer()), &did(&learner()), 1), 42),
        &issuer(),
    );
    // No list: not checked, never good.
    let r = verify(&c);
    assert_eq!(outcomes(&r, "status"), [Outcome::Skipped, Outcome::Skipped]);
    assert!(message(&r, "status").contains("not checked"));
    assert!(r.valid);

    let good = with_lists(
        options(),
        vec![
            status_list(StatusPurpose::Revocation, &[41, 43]),
            status_list(StatusPurpose::Suspension, &[]),
        ],
    );
    let r = verify_with(good, &c);
    assert_eq!(outcomes(&r, "status"), [Outcome::Pass, Outcome::Pass]);
    assert!(message(&r, "status").contains("not revoked"));
    assert!(r.valid);

    let revoked = with_lists(
        options(),
        vec![status_list(StatusPurpose::Revocation, &[42])],
    );
    let r = verify_with(revoked, &c);
    // Revocation read; suspension list not given: skipped.
    assert_eq!(outcomes(&r, "status"), [Outcome::Fail, Outcome::Skipped]);
    assert!(message(&r, "status").starts_with("revoked"));
    assert!(!r.valid);

    let suspended = with_lists(
        options(),
        vec![
            status_list(StatusPurpose::Revocation, &[]),
            status_list(StatusPurpose::Suspension, &[42]),
        ],
    );
    let r = verify_with(suspended, &c);
    assert_eq!(outcomes(&r, "status"), [Outcome::Pass, Outcome::Fail]);
    assert!(message(&r, "status").contains("suspended"));
}

#[test]
fn status_index_beyond_the_list_fails() {
    let c = sign(
        &with_status(unsigned(&did(&issuer()), &did(&learner()), 1), 131_072),
        &issuer(),
    );
    let o = with_lists(options(), vec![status_list(StatusPurpose::Revocation, &[])]);
    let r = verify_with(o, &c);
    assert_eq!(outcomes(&r, "status")[0], Outcome::Fail);
    assert!(
        message(&r, "status").contains("beyond"),
        "{}",
        message(&r, "status")
    );
}

#[test]
fn a_status_list_must_be_the_issuers_authentic_and_current() {
    let c = sign(
        &with_status(unsigned(&did(&issuer()), &did(&learner()), 1), 5),
        &issuer(),
    );
    // Signed and issued by someone else.
    let other = status_list_by(
        &stranger(),
        &did(&stranger()),
        StatusPurpose::Revocation,
        &[],
        None,
    );
    let r = verify_with(with_lists(options(), vec![other]), &c);
    assert_eq!(outcomes(&r, "status")[0], Outcome::Fail);
    assert!(message(&r, "status").contains("not by the credential's issuer"));
    // Claims the issuer, signed by a stranger.
    let forged = status_list_by(
        &stranger(),
        &did(&issuer()),
        StatusPurpose::Revocation,
        &[],
        None,
    );
    let r = verify_with(with_lists(options(), vec![forged]), &c);
    assert!(
        message(&r, "status").contains("not authentic"),
        "{}",
        message(&r, "status")
    );
    // Tampered after signing (bit 5 cleared... by replacing the list).
    let mut tampered = status_list(StatusPurpose::Revocation, &[5]);
    tampered["credentialSubject"]["encodedList"] =
        status_list(StatusPurpose::Revocation, &[])["credentialSubject"]["encodedList"].clone();
    let r = verify_with(with_lists(options(), vec![tampered]), &c);
    assert!(message(&r, "status").contains("signature does not verify"));
    // Expired list.
    let stale = status_list_by(
        &issuer(),
        &did(&issuer()),
        StatusPurpose::Revocation,
        &[],
        Some("2025-12-31T00:00:00Z"),
    );
    let r = verify_with(with_lists(options(), vec![stale]), &c);
    assert!(message(&r, "status").contains("expired"));
    assert!(!r.valid);
    // A list whose purpose is not the entry's: the suspension list put at the revocation URL.
    let mut wrong = status_list(StatusPurpose::Suspension, &[]);
    wrong["id"] = format!("{STATUS_BASE}/revocation").into();
    let wrong = sign(
        &{
            let mut w = wrong;
            w.as_object_mut().unwrap().remove("proof");
            w
        },
        &issuer(),
    );
    let r = verify_with(with_lists(options(), vec![wrong]), &c);
    assert!(message(&r, "status").contains("statusPurpose"));
}

#[test]
fn status_lists_reject_non_lists_and_duplicates() {
    let mut l = StatusLists::new();
    assert!(l.add(credential()).is_err());
    l.add(status_list(StatusPurpose::Revocation, &[])).unwrap();
    assert!(l.add(status_list(StatusPurpose::Revocation, &[])).is_err());
}

#[test]
fn trusted_untrusted_and_accreditations() {
    let r = verify_with(with_trust(options()), &credential());
    assert!(r.valid, "{r:#?}");
    assert_eq!(outcomes(&r, "trust"), [Outcome::Pass]);
    assert!(message(&r, "trust").contains("University of Example"));
    assert_eq!(
        outcomes(&r, "accreditation"),
        [Outcome::Pass, Outcome::Warn]
    );
    assert!(message(&r, "accreditation").contains("European MOOC Consortium"));
    assert_eq!(
        r.summary.unwrap().trusted_name.as_deref(),
        Some("University of Example")
    );

    // A genuine signature by an issuer nobody listed: untrusted, not forged.
    let mut u = unsigned(&did(&stranger()), &did(&learner()), 1);
    u["issuer"]["name"] = "Harvard University".into();
    let r = verify_with(with_trust(options()), &sign(&u, &stranger()));
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "proof"), [Outcome::Pass]);
    assert_eq!(outcomes(&r, "issuer-key"), [Outcome::Pass]);
    assert_eq!(outcomes(&r, "trust"), [Outcome::Fail]);
    let m = message(&r, "trust");
    assert!(
        m.starts_with("untrusted issuer") && m.contains("Harvard University"),
        "{m}"
    );

    // A trusted issuer's id on a credential someone else signed: the signature
    // does not bind it to that issuer, so trust fails, with no trusted name and
    // no accreditation lines to lend it credit.
    let forged = sign(&unsigned(&did(&issuer()), &did(&learner()), 1), &stranger());
    let r = verify_with(with_trust(options()), &forged);
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "proof"), [Outcome::Pass]);
    assert_eq!(outcomes(&r, "issuer-key"), [Outcome::Fail]);
    assert_eq!(outcomes(&r, "trust"), [Outcome::Fail]);
    assert!(
        message(&r, "trust").contains("no proof binds the credential to it"),
        "{}",
        message(&r, "trust")
    );
    assert!(outcomes(&r, "accreditation").is_empty());
    assert_eq!(r.summary.unwrap().trusted_name, None);
    // The issuer's own key, but a proof made for another purpose: not an issuer proof.
    let other_purpose = sign_as(
        &unsigned(&did(&issuer()), &did(&learner()), 1),
        &issuer(),
        &issuer().did_key().verification_method(),
        ProofPurpose::Authentication,
        |_| {},
    );
    let r = verify_with(with_trust(options()), &other_purpose);
    assert_eq!(outcomes(&r, "trust"), [Outcome::Fail]);
}

#[test]
fn did_web_issuers_resolve_from_the_trust_list_only() {
    let c = web_credential();
    let r = verify_with(with_trust(options()), &c);
    assert!(r.valid, "{r:#?}");
    assert_eq!(outcomes(&r, "issuer-key"), [Outcome::Pass]);
    assert!(message(&r, "trust").contains("Example Web University"));
    // Without the trust list there is no key to check with (no network).
    let r = verify(&c);
    assert!(!r.valid);
    assert!(
        message(&r, "proof")
            .contains("supply its DID document or issuer profile in the trust list")
    );
    // The key is in the document but not authorized for assertionMethod.
    let mut o = options();
    o.trust = Some(TrustList::from_value(&trust_list_json(false)).unwrap());
    let r = verify_with(o, &c);
    assert!(!r.valid);
    assert!(message(&r, "proof").contains("not authorized for assertionMethod"));
}

#[test]
fn presentations_check_holder_challenge_domain_and_each_credential() {
    let vp = presentation(
        &[credential()],
        &learner(),
        Some("n-0S6"),
        Some("acme.example"),
    );
    let mut o = options();
    o.challenge = Some("n-0S6".into());
    o.domain = Some("acme.example".into());
    o.holder_binding = true;
    let r = verify_with(o.clone(), &vp);
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.kind, Kind::Presentation);
    assert_eq!(r.holder.as_deref(), Some(did(&learner()).as_str()));
    assert_eq!(r.credentials.len(), 1);
    assert!(r.credentials[0].valid);
    for id in [
        "proof",
        "proof-purpose",
        "holder-key",
        "challenge",
        "domain",
        "holder-binding",
    ] {
        assert_eq!(outcomes(&r, id), [Outcome::Pass], "{id}");
    }

    // Wrong challenge; wrong domain.
    let mut wrong = o.clone();
    wrong.challenge = Some("other".into());
    let r = verify_with(wrong, &vp);
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "challenge"), [Outcome::Fail]);
    let mut wrong = o.clone();
    wrong.domain = Some("evil.example".into());
    assert_eq!(
        outcomes(&verify_with(wrong, &vp), "domain"),
        [Outcome::Fail]
    );
    // Asked for but missing.
    let bare = presentation(&[credential()], &learner(), None, None);
    let r = verify_with(o.clone(), &bare);
    assert!(message(&r, "challenge").contains("carries no challenge"));
    assert!(!r.valid);
    // Not asked: skipped, genuine but unconfirmed (not bound to a request: a replay
    // looks the same), and `valid` (nothing failed).
    let r = verify(&bare);
    assert!(r.valid);
    assert_eq!(outcomes(&r, "challenge"), [Outcome::Skipped]);
    assert_eq!(r.verdict, microcred_verifier::Verdict::Unconfirmed);
    let codes: Vec<&str> = r.reasons.iter().map(|r| r.code.as_str()).collect();
    assert!(codes.contains(&"not-bound"), "{:?}", r.reasons);
    // Asked and answered: nothing about the request is left open.
    let r = verify_with(o.clone(), &vp);
    assert!(
        !r.reasons.iter().any(|r| r.code == "not-bound"),
        "{:?}",
        r.reasons
    );

    // Tampered presentation.
    let mut t = vp.clone();
    t["holder"] = did(&stranger()).into();
    assert!(!verify_with(o.clone(), &t).valid);
}

#[test]
fn holder_binding() {
    let mut bound = options();
    bound.holder_binding = true;
    // The stranger presents the learner's credential with their own key: genuine,
    // and not the stranger's own credential, which matters only when asked (VC 2.0 §4.13).
    let vp = presentation(&[credential()], &stranger(), None, None);
    let r = verify(&vp);
    assert!(r.valid, "{r:#?}");
    assert_eq!(outcomes(&r, "holder-binding"), [Outcome::Skipped]);
    assert!(message(&r, "holder-binding").contains("not asked for"));
    let r = verify_with(bound.clone(), &vp);
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "holder-key"), [Outcome::Pass]);
    assert_eq!(outcomes(&r, "holder-binding"), [Outcome::Fail]);
    assert!(message(&r, "holder-binding").contains("is not the holder"));
    // No holder at all: the proof is said to be by whoever holds the key; binding,
    // when asked for, fails.
    let mut anon = presentation(&[credential()], &learner(), None, None);
    anon.as_object_mut().unwrap().remove("proof");
    anon.as_object_mut().unwrap().remove("holder");
    let anon = sign_as(
        &anon,
        &learner(),
        &learner().did_key().verification_method(),
        ProofPurpose::Authentication,
        |_| {},
    );
    let r = verify(&anon);
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.holder, None);
    assert_eq!(outcomes(&r, "holder-key"), [Outcome::Skipped]);
    assert!(message(&r, "holder-key").contains("names no holder"));
    let r = verify_with(bound.clone(), &anon);
    assert!(!r.valid);
    assert!(message(&r, "holder-binding").contains("names no holder"));
    // The presentation names the learner as holder, but the stranger signs it.
    let mut vp = presentation(&[credential()], &stranger(), None, None);
    vp.as_object_mut().unwrap().remove("proof");
    vp["holder"] = did(&learner()).into();
    let vp = sign_as(
        &vp,
        &stranger(),
        &stranger().did_key().verification_method(),
        ProofPurpose::Authentication,
        |_| {},
    );
    let r = verify_with(bound, &vp);
    assert_eq!(outcomes(&r, "holder-key"), [Outcome::Fail]);
    assert_eq!(outcomes(&r, "holder-binding"), [Outcome::Pass]);
}

#[test]
fn a_presentation_with_an_invalid_credential_is_invalid() {
    let mut c = credential();
    c["name"] = "Forged".into();
    let vp = presentation(&[credential(), c], &learner(), None, None);
    let r = verify(&vp);
    assert!(!r.valid);
    assert!(r.credentials[0].valid);
    assert!(!r.credentials[1].valid);
    assert!(r.checks.iter().all(|c| c.outcome != Outcome::Fail));
}

#[test]
fn a_bare_credential_cannot_answer_a_challenge() {
    let mut o = options();
    o.challenge = Some("n-0S6".into());
    let r = verify_with(o, &credential());
    assert!(!r.valid);
    assert_eq!(outcomes(&r, "challenge"), [Outcome::Fail]);
}

fn assess(o: Options, docs: &[Value]) -> microcred_verifier::QualificationReport {
    let v = Verifier::with_options(o);
    let reports: Vec<Report> = docs.iter().map(|d| v.verify(d).unwrap()).collect();
    let labelled: Vec<(String, &Report)> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("file{}", i + 1), r))
        .collect();
    let refs: Vec<(&str, &Report)> = labelled.iter().map(|(l, r)| (l.as_str(), *r)).collect();
    v.assess_qualification(&refs).unwrap()
}

fn qual(ects: f64, issuers: Value) -> Qualification {
    Qualification::from_value(&qualification_json(ects, issuers)).unwrap()
}

#[test]
fn qualification_met_and_not_met() {
    let mut o = with_trust(options());
    o.qualification = Some(qual(30.0, "any-trusted".into()));
    // Six distinct 5-ECTS credentials in one presentation: met.
    let vp = presentation(&credentials(6), &learner(), None, None);
    let q = assess(o.clone(), &[vp]);
    assert!(q.met, "{q:#?}");
    assert_eq!(q.total_ects, 30.0);
    assert_eq!(q.learner.as_deref(), Some(did(&learner()).as_str()));

    // Four of them, one twice (same achievement in a second copy): 20 of 30.
    let mut creds = credentials(4);
    creds.push(creds[0].clone());
    let q = assess(o.clone(), &creds);
    assert!(!q.met);
    assert_eq!(q.total_ects, 20.0);
    assert_eq!(q.missing_ects, 10.0);
    let last = q.checks.last().unwrap();
    assert_eq!(
        (last.id.as_str(), last.outcome),
        ("qualification", Outcome::Fail)
    );
    assert!(last.message.contains("10 ECTS missing"), "{}", last.message);
    assert!(q.checks[4].message.contains("already counted"));
}

#[test]
fn qualification_excludes_what_does_not_count() {
    let mut o = with_trust(options());
    o.qualification = Some(qual(10.0, json!([did(&issuer())])));
    let ok = sign(&unsigned(&did(&issuer()), &did(&learner()), 1), &issuer());
    // EQF 6: below the minimum.
    let mut low = unsigned(&did(&issuer()), &did(&learner()), 2);
    low["credentialSubject"]["achievement"]["microCredential"]["level"]["eqfLevel"] = 6.into();
    // Too old (issued 2019; at most five years).
    let mut old = unsigned(&did(&issuer()), &did(&learner()), 3);
    old["validFrom"] = "2019-01-01T00:00:00Z".into();
    // Another learner's.
    let other = unsigned(&did(&issuer()), &did(&stranger()), 4);
    // Not an accepted issuer (but trusted, did:web).
    let web = web_credential();
    // Invalid (tampered).
    let mut bad = sign(&unsigned(&did(&issuer()), &did(&learner()), 5), &issuer());
    bad["name"] = "x".into();
    let docs = [
        ok,
        sign(&low, &issuer()),
        sign(&old, &issuer()),
        sign(&other, &issuer()),
        web,
        bad,
    ];
    let q = assess(o, &docs);
    assert!(!q.met);
    assert_eq!(q.total_ects, 5.0);
    let reasons: Vec<&str> = q.checks.iter().map(|c| c.message.as_str()).collect();
    assert!(reasons[0].contains("counts 5 ECTS"), "{reasons:#?}");
    assert!(reasons[1].contains("below the required 7"), "{reasons:#?}");
    assert!(
        reasons[2].contains("older than the maximum age"),
        "{reasons:#?}"
    );
    assert!(reasons[3].contains("not to"), "{reasons:#?}");
    assert!(
        reasons[4].contains("not an accepted issuer"),
        "{reasons:#?}"
    );
    assert!(reasons[5].contains("not valid"), "{reasons:#?}");
}

#[test]
fn credentials_in_an_invalid_presentation_do_not_count() {
    let mut o = options();
    o.qualification = Some(qual(5.0, "any".into()));
    o.challenge = Some("expected".into());
    let vp = presentation(&credentials(1), &learner(), Some("replayed"), None);
    let q = assess(o, &[vp]);
    assert!(!q.met);
    assert!(
        q.checks[0]
            .message
            .contains("presentation it came in is not valid")
    );
}

#[test]
fn profiles_pass_and_fail_rule_by_rule() {
    use microcred_verifier::profile::Profile;
    let mut o = options();
    o.profiles = vec![Profile::builtin("emc-cmf").unwrap()];
    let r = verify_with(o.clone(), &credential());
    assert!(r.valid, "{r:#?}");
    assert_eq!(outcomes(&r, "profile"), [Outcome::Pass]);
    let rules: Vec<_> = r.checks_with_id("profile-rule").collect();
    assert!(rules.len() >= 10, "one line per rule: {}", rules.len());
    let emc01 = rules
        .iter()
        .find(|c| c.rule.as_deref() == Some("EMC-01"))
        .unwrap();
    assert_eq!(emc01.outcome, Outcome::Pass);
    assert_eq!(emc01.value, Some(json!(125)));
    assert_eq!(emc01.profile.as_deref(), Some("emc-cmf"));
    // EMC-08 checks several elements together (no single path): its line shows no
    // "found" value rather than claiming that something is absent.
    let emc08 = rules
        .iter()
        .find(|c| c.rule.as_deref() == Some("EMC-08"))
        .unwrap();
    assert_eq!(emc08.outcome, Outcome::Pass);
    assert!(!emc08.message.contains("found"), "{}", emc08.message);
    assert!(
        emc08.message.contains(": expected ≥ 1 learning outcome"),
        "{}",
        emc08.message
    );

    // 90 hours: EMC-01 fails, and with it the credential.
    let mut u = unsigned(&did(&issuer()), &did(&learner()), 1);
    u["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = 90.into();
    u["credentialSubject"]["achievement"]["microCredential"]["workload"]["volumeOfLearning"] =
        "PT90H".into();
    let r = verify_with(o.clone(), &sign(&u, &issuer()));
    assert!(!r.valid);
    let emc01 = r
        .checks_with_id("profile-rule")
        .find(|c| c.rule.as_deref() == Some("EMC-01"))
        .unwrap();
    assert_eq!(emc01.outcome, Outcome::Fail);
    assert!(emc01.message.contains("found 90"), "{}", emc01.message);
    assert!(emc01.expected.as_deref().unwrap().contains("150"));
    assert_eq!(outcomes(&r, "profile"), [Outcome::Fail]);
    assert!(message(&r, "profile").contains("EMC-01"));
    // Only the profile failed: the credential is authentic.
    assert_eq!(outcomes(&r, "proof"), [Outcome::Pass]);

    // The profiles a credential claims (EU-2022, EMC-CMF in the example).
    let mut o = options();
    o.claimed_profiles = true;
    let r = verify_with(o, &credential());
    assert!(
        r.checks_with_id("profile")
            .any(|c| c.profile.as_deref() == Some("emc-cmf"))
    );
}
