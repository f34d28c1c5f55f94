//! Credentials, presentations, status lists, trust lists and qualifications,
//! built and signed with `microcred_core` from fixed seeds.

use microcred_core::keys::SecretKey;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, StatusList, StatusPurpose};
use microcred_core::{Value, datetime};
use serde_json::json;

use crate::common::text;

/// The time every test verifies at.
pub(crate) const AT: &str = "2026-01-15T12:00:00Z";
/// When fixtures are signed.
pub(crate) const CREATED: &str = "2025-03-01T00:00:00Z";
/// The status base URL of the issuer's ledger.
pub(crate) const STATUS_BASE: &str = "https://uni.example/status/2025";
/// The did:web issuer.
pub(crate) const WEB_DID: &str = "did:web:uni.example";

pub(crate) fn at() -> datetime::DateTime {
    datetime::parse(AT).unwrap()
}

/// A key from a one-byte seed.
pub(crate) fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}
pub(crate) fn issuer() -> SecretKey {
    key(1)
}
pub(crate) fn learner() -> SecretKey {
    key(2)
}
pub(crate) fn stranger() -> SecretKey {
    key(3)
}
/// The key of the did:web issuer.
pub(crate) fn web_key() -> SecretKey {
    key(4)
}
pub(crate) fn did(k: &SecretKey) -> String {
    k.did_key().did()
}

/// Signs `doc` with `k` under the verification method `vm`.
pub(crate) fn sign_as(
    doc: &Value,
    k: &SecretKey,
    vm: &str,
    purpose: ProofPurpose,
    tweak: impl FnOnce(&mut ProofOptions),
) -> Value {
    let mut o = ProofOptions::new(vm, purpose);
    o.created = Some(CREATED.into());
    tweak(&mut o);
    proof::add_proof(doc, k, &o).unwrap()
}

/// Signs `doc` for assertionMethod with `k`'s did:key.
pub(crate) fn sign(doc: &Value, k: &SecretKey) -> Value {
    sign_as(
        doc,
        k,
        &k.did_key().verification_method(),
        ProofPurpose::AssertionMethod,
        |_| {},
    )
}

/// The example micro-credential (125 h, 5 ECTS, EQF 7), unsigned, issued by
/// `issuer_did` to `subject`, with `id` and achievement id made unique by `n`.
pub(crate) fn unsigned(issuer_did: &str, subject: &str, n: u32) -> Value {
    let mut c: Value =
        serde_json::from_str(&text("keys-example/micro-credential.unsigned.json")).unwrap();
    c["issuer"]["id"] = issuer_did.into();
    c["credentialSubject"]["id"] = subject.into();
    c["id"] = format!("urn:uuid:00000000-0000-4000-8000-{n:012}").into();
    c["credentialSubject"]["achievement"]["id"] =
        format!("https://uni.example.ie/achievements/course-{n}").into();
    c
}

/// A signed credential from the issuer to the learner.
pub(crate) fn credential() -> Value {
    sign(&unsigned(&did(&issuer()), &did(&learner()), 1), &issuer())
}

/// Adds the two status entries of contract §3 (revocation and suspension, same index).
pub(crate) fn with_status(mut c: Value, index: usize) -> Value {
    c["credentialStatus"] = json!([
        {"id": format!("{STATUS_BASE}/revocation#{index}"), "type": "BitstringStatusListEntry",
         "statusPurpose": "revocation", "statusListIndex": index.to_string(),
         "statusListCredential": format!("{STATUS_BASE}/revocation")},
        {"id": format!("{STATUS_BASE}/suspension#{index}"), "type": "BitstringStatusListEntry",
         "statusPurpose": "suspension", "statusListIndex": index.to_string(),
         "statusListCredential": format!("{STATUS_BASE}/suspension")}
    ]);
    c
}

/// A signed status list credential of `signer` for `issuer_did`, with `set` bits set.
pub(crate) fn status_list_by(
    signer: &SecretKey,
    issuer_did: &str,
    purpose: StatusPurpose,
    set: &[usize],
    valid_until: Option<&str>,
) -> Value {
    let mut list = StatusList::new(0);
    for &i in set {
        list.set(i, true).unwrap();
    }
    let mut doc = status_list::list_credential(
        &format!("{STATUS_BASE}/{}", purpose.as_str()),
        issuer_did,
        purpose,
        &list,
        "2025-01-01T00:00:00Z",
    );
    if let Some(u) = valid_until {
        doc["validUntil"] = u.into();
    }
    sign(&doc, signer)
}

/// The issuer's own status list.
pub(crate) fn status_list(purpose: StatusPurpose, set: &[usize]) -> Value {
    status_list_by(&issuer(), &did(&issuer()), purpose, set, None)
}

/// A presentation of `creds` by the holder `k`, with an optional challenge and domain.
pub(crate) fn presentation(
    creds: &[Value],
    k: &SecretKey,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Value {
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:3f0a4b1c-0000-4000-8000-000000000001",
        "type": ["VerifiablePresentation"],
        "holder": did(k),
        "verifiableCredential": creds,
    });
    sign_as(
        &vp,
        k,
        &k.did_key().verification_method(),
        ProofPurpose::Authentication,
        |o| {
            o.challenge = challenge.map(str::to_owned);
            o.domain = domain.map(str::to_owned);
        },
    )
}

/// The DID document of the did:web issuer; `assertion` says whether its key
/// is listed under assertionMethod.
pub(crate) fn web_did_document(assertion: bool) -> Value {
    let mut d = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": WEB_DID,
        "verificationMethod": [{
            "id": format!("{WEB_DID}#key-1"), "type": "Multikey", "controller": WEB_DID,
            "publicKeyMultibase": web_key().did_key().multibase()
        }],
        "authentication": ["#key-1"]
    });
    if assertion {
        d["assertionMethod"] = json!(["#key-1"]);
    }
    d
}

/// A credential issued by the did:web issuer.
pub(crate) fn web_credential() -> Value {
    sign_as(
        &unsigned(WEB_DID, &did(&learner()), 7),
        &web_key(),
        &format!("{WEB_DID}#key-1"),
        ProofPurpose::AssertionMethod,
        |_| {},
    )
}

/// A trust list naming the did:key issuer (with an accreditation) and the
/// did:web issuer (with its DID document).
pub(crate) fn trust_list_json(web_assertion: bool) -> Value {
    json!({
        "type": "MicrocredTrustList",
        "version": 1,
        "name": "Acme hiring: trusted issuers",
        "updated": "2025-12-01T00:00:00Z",
        "issuers": [
            {"id": did(&issuer()), "name": "University of Example", "country": "IE",
             "accreditations": [
                {"name": "Member of the European MOOC Consortium", "body": "EADTU",
                 "id": "https://emc.eadtu.eu/"},
                {"name": "Lapsed membership", "validUntil": "2025-06-30T00:00:00Z"}
             ]},
            {"id": WEB_DID, "name": "Example Web University",
             "didDocument": web_did_document(web_assertion)}
        ]
    })
}

/// A qualification of `ects` ECTS at EQF 7, by `issuers`, at most five years old.
pub(crate) fn qualification_json(ects: f64, issuers: Value) -> Value {
    json!({
        "type": "MicrocredQualification",
        "version": 1,
        "id": "https://acme.example/qualifications/pgcert-data-science",
        "title": "Postgraduate Certificate in Data Science",
        "minimumEcts": ects,
        "minimumEqfLevel": 7,
        "acceptedIssuers": issuers,
        "maximumAge": "P5Y"
    })
}

/// `n` distinct credentials (5 ECTS each) from the issuer to the learner.
pub(crate) fn credentials(n: u32) -> Vec<Value> {
    (1..=n)
        .map(|i| sign(&unsigned(&did(&issuer()), &did(&learner()), i), &issuer()))
        .collect()
}
