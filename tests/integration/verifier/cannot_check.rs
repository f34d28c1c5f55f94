//! "Cannot check" is never "forged" (issue 17): proofs, status entries and
//! formats this verifier does not support are reported as such (exit 2, or
//! beside a proof that verifies, exit 0), forgeries still fail (exit 1); https
//! issuers' profiles and other verification method types in the trust list.
//! `microcred-verify` as a process, `--json` asserting outcomes.

use std::path::PathBuf;

use assert_cmd::Command;
use microcred_core::Value;
use microcred_core::keys::SecretKey;
use microcred_core::multibase;
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::status_list::{StatusList, StatusPurpose};
use microcred_verifier::format::Foreign;
use microcred_verifier::{Verifier, VerifyError};
use predicates::prelude::*;
use serde_json::json;

use super::fixtures::*;
use crate::common::bin;

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, v: &Value) -> PathBuf {
        self.bytes(name, &serde_json::to_vec_pretty(v).unwrap())
    }

    fn bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c.env("NO_COLOR", "1").args(["--at", AT]);
    c
}

/// The `--json` lines of a run that must end with `code`.
fn run_json(cmd: &mut Command, code: i32) -> Vec<Value> {
    let out = cmd.arg("--json").assert().code(code).get_output().clone();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn outcomes(report: &Value, id: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// `doc` with `extra` added to its proofs (making a proof set).
fn with_extra_proof(doc: &Value, extra: Value) -> Value {
    let mut doc = doc.clone();
    let first = doc["proof"].clone();
    let mut set = match first {
        Value::Array(a) => a,
        one => vec![one],
    };
    set.push(extra);
    doc["proof"] = Value::Array(set);
    doc
}

/// A proof of a kind this verifier does not implement, claiming the issuer's key.
fn unsupported_proof(kind: &str) -> Value {
    let vm = issuer().did_key().verification_method();
    match kind {
        "bbs" => json!({"type": "BbsBlsSignature2020", "created": CREATED,
                        "verificationMethod": vm, "proofPurpose": "assertionMethod",
                        "proofValue": "kTTbA3pmDa6Qia/JkOnIXDLmoBz3vsi7L5t3DWySI/VLmBqleJ/Tbus5RoyiDERDBEh5rnACXlnOqJ/U8yFQFtcp/mBCc2FtKNPHae9jKIv1dm9K9QK1F3GI1AwyGoUfjLWrkGDObO1ouNAhpEd0+et+qiOf2j8p3MTTtRRx4Hgjcl0jXCq7C7R5/nLpgimHAAAAdAx4ouhMk7v9dXijCIMaG0deicn6fLoq3GcNHuH5X1j22LU/hDu7vvPnk/6JLkZ1xQAAAAIPd1tu598L/K3NSy0zOy6obaojEnaqc1R5Ih/6ZZgfEln2a6tuUp4wePExI1DGHqwj3j2lKg31a/6bSs7SMecHBQdgIYHnBmCYGNQnu/LZ9TFV56tBXY6YOWZgFzgLDrApnrFpixEACM9rwrJ5ORtxAAAAAgE4gUIIC9aHyJNa5TBklMOh6lvQkMVLXa/vEl+3NCLXblxjgpM7UEMqBkE9/QcoD3Tgmy+z0hN+4eky1RnJsEg"}),
        _ => json!({"type": "DataIntegrityProof", "cryptosuite": kind, "created": CREATED,
                    "verificationMethod": vm, "proofPurpose": "assertionMethod",
                    "proofValue": "z2iAR3ms8n8dGzvDm6gAXP5h2LJ8i6JRwAiUk2YRkJtQ8SPrUJ8ppg2TT8dE5kXe5tDqs3XY6QukLpnEADwhZb6y5"}),
    }
}

#[test]
fn a_proof_we_cannot_check_is_unsupported_not_forged() {
    let d = Dir::new();
    let unsigned = unsigned(&did(&issuer()), &did(&learner()), 1);
    let jcs = credential();
    let mut o = ProofOptions::new(
        issuer().did_key().verification_method(),
        ProofPurpose::AssertionMethod,
    );
    o.created = Some(CREATED.into());
    let rdfc = microcred_core::rdfc::add_proof(&unsigned, &issuer(), &o).unwrap();

    // A verified proof beside one we cannot check: genuine (exit 0; unconfirmed
    // only because no trust list is given here).
    for (name, base, extra) in [
        ("jcs+bbs.json", &jcs, "bbs"),
        ("rdfc+ecdsa-sd.json", &rdfc, "ecdsa-sd-2023"),
        ("rdfc+bbs-2023.json", &rdfc, "bbs-2023"),
    ] {
        let f = d.write(name, &with_extra_proof(base, unsupported_proof(extra)));
        let lines = run_json(verify().arg(&f), 0);
        let r = &lines[0];
        assert_eq!(r["reportVersion"], 2, "{r}");
        assert_eq!(r["verdict"], "unconfirmed", "{r}");
        assert_eq!(r["reasons"][0]["code"], "trust-not-checked", "{r}");
        assert_eq!(r["valid"], true, "{r}");
        assert_eq!(outcomes(r, "proof"), ["pass", "unsupported"], "{name}: {r}");
        let line = &r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outcome"] == "unsupported")
            .unwrap();
        assert_eq!(line["proof"], 1);
        assert!(
            line["message"]
                .as_str()
                .unwrap()
                .contains("is not supported"),
            "{line}"
        );
        verify().arg(&f).assert().code(0).stdout(
            predicate::str::contains("GENUINE BUT UNCONFIRMED credential")
                .and(predicate::str::contains("? proof")),
        );
    }

    // Only proofs we cannot check: could not check (exit 2), never invalid.
    let mut only = unsigned.clone();
    only["proof"] = unsupported_proof("ecdsa-sd-2023");
    let only = d.write("only-ecdsa-sd.json", &only);
    let mut two = unsigned.clone();
    two["proof"] = json!([unsupported_proof("bbs"), unsupported_proof("ecdsa-sd-2023")]);
    let two = d.write("only-two.json", &two);
    for f in [&only, &two] {
        let lines = run_json(verify().arg(f), 2);
        let r = &lines[0];
        assert_eq!(r["verdict"], "unchecked", "{r}");
        assert_eq!(r["valid"], false, "{r}");
        assert!(
            outcomes(r, "proof").iter().all(|o| o == "unsupported"),
            "{r}"
        );
        assert!(
            !outcomes(r, "issuer-key").iter().any(|o| o == "fail"),
            "{r}"
        );
    }
    verify().arg(&only).assert().code(2).stdout(
        predicate::str::contains("COULD NOT CHECK credential")
            .and(predicate::str::contains(
                "cryptosuite \"ecdsa-sd-2023\" is not supported",
            ))
            .and(predicate::str::contains("when built").not()),
    );
    // 2 wins over 1 and 0 across files, as for unreadable files.
    verify()
        .arg(&only)
        .arg(d.write("ok.json", &jcs))
        .assert()
        .code(2);

    // Forgeries still fail (exit 1): a tampered document beside a proof we cannot
    // check, and a forged proof beside one.
    let mut tampered = with_extra_proof(&jcs, unsupported_proof("bbs"));
    tampered["credentialSubject"]["name"] = "Mallory".into();
    let tampered = d.write("tampered.json", &tampered);
    let lines = run_json(verify().arg(&tampered), 1);
    assert_eq!(lines[0]["verdict"], "invalid");
    assert_eq!(outcomes(&lines[0], "proof"), ["fail", "unsupported"]);
    let mut forged_only = unsigned.clone();
    forged_only["proof"] = jcs["proof"].clone();
    forged_only["name"] = "Doctorate".into();
    let forged_only = with_extra_proof(&forged_only, unsupported_proof("ecdsa-sd-2023"));
    verify()
        .arg(d.write("forged.json", &forged_only))
        .assert()
        .code(1);
}

#[test]
fn a_did_web_key_without_its_document_could_not_be_checked() {
    let d = Dir::new();
    let web = d.write("web.json", &web_credential());
    let lines = run_json(verify().arg(&web), 2);
    assert_eq!(lines[0]["verdict"], "unchecked");
    verify()
        .arg(&web)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "supply its DID document or issuer profile",
        ));
}

/// A StatusList2021Credential of `signer` for `issuer_did` (our eddsa-jcs-2022
/// suite), `encodedList` base64url without the multibase prefix.
fn status_list_2021(signer: &SecretKey, issuer_did: &str, set: &[usize]) -> Value {
    let mut list = StatusList::new(0);
    for &i in set {
        list.set(i, true).unwrap();
    }
    let id = format!("{STATUS_BASE}/2021");
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer_did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "StatusList2021",
            "statusPurpose": StatusPurpose::Revocation.as_str(),
            "encodedList": list.encode().strip_prefix('u').unwrap(),
        }
    });
    sign(&doc, signer)
}

fn with_status_entry(entry: Value) -> Value {
    let mut c = unsigned(&did(&issuer()), &did(&learner()), 3);
    c["credentialStatus"] = entry;
    sign(&c, &issuer())
}

#[test]
fn other_status_types_are_not_checked_or_read_from_a_status_list_2021() {
    let d = Dir::new();
    let entry = |index: usize| {
        json!({"id": format!("{STATUS_BASE}/2021#{index}"), "type": "StatusList2021Entry",
               "statusPurpose": "revocation", "statusListIndex": index.to_string(),
               "statusListCredential": format!("{STATUS_BASE}/2021")})
    };
    let cred = d.write("2021.json", &with_status_entry(entry(9)));
    // Without a list: not checked, and valid (it was invalid before).
    let lines = run_json(verify().arg(&cred), 0);
    assert_eq!(outcomes(&lines[0], "status"), ["skipped"]);

    let clear = d.write(
        "clear.json",
        &status_list_2021(&issuer(), &did(&issuer()), &[]),
    );
    let revoked = d.write(
        "revoked.json",
        &status_list_2021(&issuer(), &did(&issuer()), &[9]),
    );
    let foreign = d.write(
        "foreign.json",
        &status_list_2021(&stranger(), &did(&stranger()), &[]),
    );
    let lines = run_json(verify().arg("--status-list").arg(&clear).arg(&cred), 0);
    assert_eq!(outcomes(&lines[0], "status"), ["pass"]);
    assert_eq!(
        lines[0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "status")
            .unwrap()["value"]["type"],
        "StatusList2021Entry"
    );
    verify()
        .arg("--status-list")
        .arg(&revoked)
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("revoked (bit 9 of"));
    verify()
        .arg("--status-list")
        .arg(&foreign)
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not by the credential's issuer"));
    // The list's proof is checked before its bits are read.
    let mut tampered = status_list_2021(&issuer(), &did(&issuer()), &[]);
    tampered["validFrom"] = "2024-01-01T00:00:00Z".into();
    verify()
        .arg("--status-list")
        .arg(d.write("tampered-list.json", &tampered))
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("is not authentic"));
    // A Bitstring entry is not read from a StatusList2021 list.
    let mut mixed = entry(9);
    mixed["type"] = "BitstringStatusListEntry".into();
    let mixed = d.write("mixed.json", &with_status_entry(mixed));
    verify()
        .arg("--status-list")
        .arg(&clear)
        .arg(&mixed)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("is a StatusList2021Credential"));

    // 1EdTech's revocation service and unknown types: not checked, with the reason.
    for ty in [
        "1EdTechRevocationList",
        "CredentialStatusList2017",
        "SomethingElse",
    ] {
        let f = d.write(
            &format!("{ty}.json"),
            &with_status_entry(json!({"id": "https://uni.example/revocations/1", "type": ty})),
        );
        let lines = run_json(verify().arg("--status-list").arg(&clear).arg(&f), 0);
        let status: Vec<&Value> = lines[0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "status")
            .collect();
        assert_eq!(status.len(), 1, "{}", lines[0]);
        assert_eq!(status[0]["outcome"], "skipped");
        let message = status[0]["message"].as_str().unwrap();
        assert!(
            message.contains(ty) && message.contains("not supported"),
            "{message}"
        );
    }
}

const JWS: &str = "eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJkaWQ6a2V5Ono2TWsiLCJ2YyI6e319.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";

#[test]
fn formats_we_do_not_read_are_named_not_misparsed() {
    let b64 = |s: &str| b64url(s.as_bytes());
    let d = Dir::new();
    let files: Vec<(PathBuf, &str)> = vec![
        (d.bytes("sd.json", format!("{JWS}~{}~", b64(r#"["salt","name","Ada"]"#)).as_bytes()), "sd-jwt"),
        (d.write("jose.json", &json!({"payload": b64("{}"), "signatures": [{"protected": b64(r#"{"alg":"EdDSA"}"#), "signature": "c2ln"}]})), "jose-json"),
        (d.write("jades.json", &json!({"payload": b64("{}"), "signatures": [{"protected": b64(r#"{"alg":"ES256","sigT":"2025-03-01T00:00:00Z","x5t#S256":"AA"}"#), "signature": "c2ln"}]})), "jades"),
        (d.bytes("cose.json", &[0xD2, 0x84, 0x43, 0xA1, 0x01, 0x27, 0xA0, 0x40, 0x40]), "cose"),
        (d.bytes("edc.json", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<europassCredential xmlns=\"http://data.europa.eu/snb\" id=\"urn:credential:1\"/>\n"), "edc-xml"),
        (d.write("blockcerts.json", &json!({
            "@context": ["https://w3id.org/openbadges/v2", "https://w3id.org/blockcerts/v2"],
            "type": "Assertion", "id": "urn:uuid:1",
            "signature": {"type": ["MerkleProof2017", "Extension"], "merkleRoot": "ab", "targetHash": "ab", "anchors": []}
        })), "blockcerts"),
    ];
    for (f, id) in &files {
        let lines = run_json(verify().arg(f), 2);
        let line = &lines[0];
        assert_eq!(line["kind"], "error", "{line}");
        assert_eq!(line["format"]["id"], *id, "{line}");
        assert!(
            line["error"].as_str().unwrap().contains("not supported"),
            "{line}"
        );
        verify()
            .arg(f)
            .assert()
            .code(2)
            .stdout(
                predicate::str::contains("COULD NOT VERIFY")
                    .and(predicate::str::contains("not supported")),
            )
            .stderr(predicate::str::contains("unexpected").not());
    }
    // A directory of them: each named, in order (the bulk driver sniffs too).
    let lines = run_json(verify().arg(d.0.path()), 2);
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l["format"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "blockcerts",
            "cose",
            "edc-xml",
            "jades",
            "jose-json",
            "sd-jwt"
        ]
    );
    // The library says the same, for a caller that hooks a verifier in.
    let sd = format!("{JWS}~{}~", b64(r#"["salt","name","Ada"]"#));
    assert_eq!(
        Verifier::new().verify_bytes(sd.as_bytes()).unwrap_err(),
        VerifyError::UnsupportedFormat(Foreign::SdJwt)
    );
    // A VC-JWT is read (tests/integration/verifier/jwt.rs); a JWS holding no
    // credential is named as such.
    let not_a_credential = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"EdDSA"}"#),
        b64(r#"{"sub":"x"}"#)
    );
    assert!(matches!(
        Verifier::new()
            .verify_bytes(not_a_credential.as_bytes())
            .unwrap_err(),
        VerifyError::Jwt(microcred_verifier::jwt::JwtError::NotACredential(_))
    ));
}

/// The credential of an Open Badges issuer whose id is an https URL, signed by
/// key 5 under `{profile}#key-0`.
fn https_credential(profile: &str) -> Value {
    sign_as(
        &unsigned(profile, &did(&learner()), 8),
        &key(5),
        &format!("{profile}#key-0"),
        ProofPurpose::AssertionMethod,
        |_| {},
    )
}

fn trust_with(id: &str, member: &str, document: Value) -> Value {
    json!({"type": "MicrocredTrustList", "version": 1,
           "issuers": [{"id": id, "name": "Example Badges", member: document}]})
}

/// base64url without padding (multibase's, without its `u`).
fn b64url(bytes: &[u8]) -> String {
    let encoded = multibase::encode_base64url(bytes);
    encoded.strip_prefix('u').unwrap_or(&encoded).to_owned()
}

fn jwk_x(k: &SecretKey) -> String {
    b64url(&k.did_key().public_key().to_bytes())
}

#[test]
fn https_issuers_and_other_key_types_resolve_from_the_trust_list() {
    let d = Dir::new();
    let profile = "https://badges.example/issuers/1";
    let cred = d.write("https.json", &https_credential(profile));
    // Without its profile: could not check.
    verify()
        .arg(&cred)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(format!(
            "cannot resolve {profile} offline"
        )));
    let multikey = json!({"id": profile, "type": "Profile", "name": "Example Badges",
        "verificationMethod": [{"id": format!("{profile}#key-0"), "type": "Multikey",
            "publicKeyMultibase": key(5).did_key().multibase()}]});
    let jwk = json!({"id": profile, "type": "Profile",
        "verificationMethod": [{"id": "#key-0", "type": "JsonWebKey2020", "controller": profile,
            "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": jwk_x(&key(5))}}],
        "assertionMethod": ["#key-0"]});
    for doc in [multikey, jwk] {
        let trust = d.write("trust.json", &trust_with(profile, "document", doc));
        let lines = run_json(verify().arg("--trust").arg(&trust).arg(&cred), 0);
        assert_eq!(outcomes(&lines[0], "proof"), ["pass"], "{}", lines[0]);
        assert_eq!(outcomes(&lines[0], "issuer-key"), ["pass"]);
        assert_eq!(outcomes(&lines[0], "trust"), ["pass"]);
    }
    // Another key in the profile: the proof does not verify (forged), exit 1.
    let wrong = json!({"id": profile, "verificationMethod": [{"id": "#key-0", "type": "Multikey",
        "publicKeyMultibase": key(6).did_key().multibase()}]});
    let trust = d.write("wrong.json", &trust_with(profile, "document", wrong));
    verify()
        .arg("--trust")
        .arg(&trust)
        .arg(&cred)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signature does not verify"));

    // did:web: Ed25519VerificationKey2020 and JsonWebKey, as document or didDocument.
    let web = d.write("web.json", &web_credential());
    let x = jwk_x(&web_key());
    for (member, method) in [
        (
            "didDocument",
            json!({"type": "Ed25519VerificationKey2020", "publicKeyMultibase": web_key().did_key().multibase()}),
        ),
        (
            "document",
            json!({"type": "JsonWebKey", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x}}),
        ),
    ] {
        let mut vm = method;
        vm["id"] = format!("{WEB_DID}#key-1").into();
        vm["controller"] = WEB_DID.into();
        let doc = json!({"id": WEB_DID, "verificationMethod": [vm], "assertionMethod": ["#key-1"]});
        let trust = d.write("web-trust.json", &trust_with(WEB_DID, member, doc));
        let lines = run_json(verify().arg("--trust").arg(&trust).arg(&web), 0);
        assert_eq!(
            outcomes(&lines[0], "proof"),
            ["pass"],
            "{member}: {}",
            lines[0]
        );
    }
    // A key of a type not supported: could not check (exit 2), not forged.
    let k1 = json!({"id": WEB_DID, "verificationMethod": [{"id": "#key-1", "type": "JsonWebKey2020",
        "controller": WEB_DID, "publicKeyJwk": {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}}],
        "assertionMethod": ["#key-1"]});
    let trust = d.write("k1.json", &trust_with(WEB_DID, "document", k1));
    let lines = run_json(verify().arg("--trust").arg(&trust).arg(&web), 2);
    assert_eq!(outcomes(&lines[0], "proof"), ["unsupported"]);
    // A P-256 key (read, as JWK and as Multikey) for an eddsa proof: no Ed25519
    // signature can verify with it, so the proof fails (exit 1), naming both.
    let p256 = microcred_core::public_key::PublicKey::from_multikey(
        "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
    )
    .unwrap();
    let microcred_core::public_key::PublicKey::P256(vk) = p256 else {
        unreachable!("a P-256 key")
    };
    let point = vk.to_encoded_point(false);
    for method in [
        json!({"type": "JsonWebKey2020", "publicKeyJwk": {"kty": "EC", "crv": "P-256",
            "x": b64url(point.x().unwrap()), "y": b64url(point.y().unwrap())}}),
        json!({"type": "Multikey", "publicKeyMultibase": p256.to_multikey()}),
    ] {
        let mut vm = method;
        vm["id"] = "#key-1".into();
        vm["controller"] = WEB_DID.into();
        let doc = json!({"id": WEB_DID, "verificationMethod": [vm], "assertionMethod": ["#key-1"]});
        let trust = d.write("p256.json", &trust_with(WEB_DID, "document", doc));
        let lines = run_json(verify().arg("--trust").arg(&trust).arg(&web), 1);
        assert_eq!(outcomes(&lines[0], "proof"), ["fail"]);
        assert!(
            lines[0]
                .to_string()
                .contains("eddsa-jcs-2022 needs an Ed25519 key; the method is P-256"),
            "{}",
            lines[0]
        );
    }

    // A private key in a public document: the trust list is refused, naming it.
    let leaked = json!({"id": profile, "verificationMethod": [{"id": "#key-0", "type": "JsonWebKey2020",
        "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": jwk_x(&key(5)), "d": "c2VjcmV0"}}]});
    let trust = d.write("leaked.json", &trust_with(profile, "document", leaked));
    verify()
        .arg("--trust")
        .arg(&trust)
        .arg(&cred)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("issuers[0].document.verificationMethod[0].publicKeyJwk.d")
                .and(predicate::str::contains("private key")),
        );
    // Both members at once, and a document for a did:key issuer: refused.
    let mut both = trust_with(profile, "document", json!({"id": profile}));
    both["issuers"][0]["didDocument"] = json!({"id": profile});
    verify()
        .arg("--trust")
        .arg(d.write("both.json", &both))
        .arg(&cred)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not both"));
    let dk = trust_with(&did(&issuer()), "document", json!({"id": did(&issuer())}));
    verify()
        .arg("--trust")
        .arg(d.write("dk.json", &dk))
        .arg(&cred)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did:key issuer carries no document",
        ));
}

#[test]
fn a_bare_did_key_names_its_key() {
    let d = Dir::new();
    let cred = sign_as(
        &unsigned(&did(&issuer()), &did(&learner()), 9),
        &issuer(),
        &did(&issuer()),
        ProofPurpose::AssertionMethod,
        |_| {},
    );
    let lines = run_json(verify().arg(d.write("bare.json", &cred)), 0);
    assert_eq!(outcomes(&lines[0], "proof"), ["pass"]);
    assert_eq!(outcomes(&lines[0], "issuer-key"), ["pass"]);
}

#[test]
fn a_presentation_proof_we_cannot_check_answers_no_challenge() {
    let d = Dir::new();
    let vp = presentation(&[credential()], &learner(), Some("c-1"), None);
    let mut extra = unsupported_proof("ecdsa-sd-2023");
    extra["verificationMethod"] = learner().did_key().verification_method().into();
    extra["proofPurpose"] = "authentication".into();
    let both = d.write("vp.json", &with_extra_proof(&vp, extra.clone()));
    let lines = run_json(verify().args(["--challenge", "c-1"]).arg(&both), 0);
    assert_eq!(outcomes(&lines[0], "proof"), ["pass", "unsupported"]);
    assert_eq!(outcomes(&lines[0], "challenge"), ["pass"]);
    // Only the proof we cannot check: could not check, not a replay.
    let mut only = vp.clone();
    only["proof"] = extra;
    let lines = run_json(
        verify()
            .args(["--challenge", "c-1"])
            .arg(d.write("only.json", &only)),
        2,
    );
    assert_eq!(lines[0]["verdict"], "unchecked");
}
