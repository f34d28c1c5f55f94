//! VC-JWT through `microcred-verify`: Open Badges 3.0 / VC 1.1 tokens (a `vc`
//! claim) and VC-JOSE ones (`typ` `vc+jwt`), signed here with EdDSA; the
//! refusals (tampered, `alg` `none`, HMAC, a key of someone else, claims that
//! disagree) and what cannot be checked (an algorithm not read, a key the
//! token carries that nothing binds to the issuer, a critical extension).
//! Tokens signed by an independent implementation (`jose`) are in
//! `tests/integration/interop.rs`.

use std::path::PathBuf;
use std::process::Command;

use assert_cmd::prelude::*;
use microcred_core::Value;
use microcred_core::keys::SecretKey;
use microcred_core::multibase;
use predicates::prelude::*;
use serde_json::json;

use super::fixtures::{AT, WEB_DID, did, issuer, learner, stranger, unsigned};
use crate::common::{bin, no_config};

fn b64(bytes: &[u8]) -> String {
    // multibase's base64url is `u` + base64url without padding.
    multibase::encode_base64url(bytes)[1..].to_owned()
}

/// A compact JWS of `header` and `payload`, signed with `k` (Ed25519).
fn jws(header: &Value, payload: &Value, k: &SecretKey) -> String {
    let input = format!(
        "{}.{}",
        b64(&serde_json::to_vec(header).unwrap()),
        b64(&serde_json::to_vec(payload).unwrap())
    );
    let sig = k.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", b64(&sig))
}

/// The Open Badges 3.0 encoding of the example credential by `k`'s did:key,
/// its claims as the VC 1.1 JWT encoding maps them.
fn ob3_payload(k: &SecretKey) -> Value {
    let mut vc = unsigned(&did(k), &did(&learner()), 1);
    let claims = json!({
        "iss": did(k),
        "jti": vc["id"],
        "sub": did(&learner()),
        "nbf": 1_740_787_200, // 2025-03-01T00:00:00Z
    });
    vc.as_object_mut().unwrap().remove("validFrom");
    let mut p = claims;
    p["vc"] = vc;
    p
}

fn header(k: &SecretKey) -> Value {
    json!({"alg": "EdDSA", "typ": "JWT", "kid": k.did_key().verification_method()})
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn verify() -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", no_config());
    c.env("NO_COLOR", "1").args(["--at", AT]);
    c
}

/// The one `--json` report of a run that must end with `code`.
fn report(cmd: &mut Command, code: i32) -> Value {
    let out = cmd.arg("--json").assert().code(code).get_output().clone();
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

fn reasons(r: &Value) -> Vec<&str> {
    r["reasons"]
        .as_array()
        .map(|a| a.iter().map(|x| x["code"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} check: {r}"))
}

#[test]
fn an_open_badges_jwt_verifies_and_its_claims_stand_for_the_credentials_members() {
    let d = Dir::new();
    let token = jws(&header(&issuer()), &ob3_payload(&issuer()), &issuer());
    let f = d.file("badge.jwt", &format!("{token}\n"));
    let r = report(verify().arg(&f), 0);
    // No trust list: genuine, the issuer unconfirmed.
    assert_eq!(r["verdict"], "unconfirmed", "{r}");
    assert_eq!(r["format"]["id"], "vc-jwt");
    assert_eq!(r["format"]["name"], "VC-JWT (EdDSA)");
    let proof = check(&r, "proof");
    assert_eq!(proof["outcome"], "pass", "{r}");
    assert!(
        proof["message"]
            .as_str()
            .unwrap()
            .starts_with("VC-JWT (EdDSA) signature by did:key:")
    );
    assert_eq!(check(&r, "issuer-key")["outcome"], "pass");
    // nbf stands for the missing validFrom.
    assert_eq!(r["summary"]["validFrom"], "2025-03-01T00:00:00Z", "{r}");
    // The terminal says the format; a JSON string holding the token reads the same.
    let quoted = d.file("badge.json", &format!("\"{token}\""));
    verify()
        .arg(&quoted)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("format   VC-JWT (EdDSA)"));
    // A bare did:key kid names its one key.
    let bare = jws(
        &json!({"alg": "EdDSA", "kid": did(&issuer())}),
        &ob3_payload(&issuer()),
        &issuer(),
    );
    let r = report(verify().arg(d.file("bare.jwt", &bare)), 0);
    assert_eq!(check(&r, "proof")["outcome"], "pass", "{r}");
}

#[test]
fn vc_jose_takes_the_payload_as_the_credential() {
    let d = Dir::new();
    let vc = unsigned(&did(&issuer()), &did(&learner()), 2);
    let token = jws(
        &json!({"alg": "EdDSA", "typ": "vc+jwt", "kid": issuer().did_key().verification_method()}),
        &vc,
        &issuer(),
    );
    let r = report(verify().arg(d.file("c.jwt", &token)), 0);
    assert_eq!(r["format"]["name"], "VC-JOSE (EdDSA)", "{r}");
    assert_eq!(check(&r, "proof")["outcome"], "pass");
    // With the issuer's trust list and the same issuer: valid.
    let html = verify()
        .args(["--html", "--lang", "en"])
        .arg(d.file("c2.jwt", &token))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("VC-JOSE (EdDSA)"),
        "the page names the format"
    );
}

#[test]
fn tampered_unsigned_hmac_and_foreign_keys_are_refused() {
    let d = Dir::new();
    let token = jws(&header(&issuer()), &ob3_payload(&issuer()), &issuer());
    // Another payload under the same signature.
    let mut other = ob3_payload(&issuer());
    other["vc"]["name"] = "Doctorate".into();
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&serde_json::to_vec(&other).unwrap()),
        parts[2]
    );
    let r = report(verify().arg(d.file("tampered.jwt", &tampered)), 1);
    assert_eq!(reasons(&r), ["tampered"], "{r}");

    // alg none, with or without a signature.
    let none_header = b64(br#"{"alg":"none"}"#);
    let unsigned_token = format!("{none_header}.{}.", parts[1]);
    let r = report(verify().arg(d.file("none.jwt", &unsigned_token)), 1);
    assert_eq!(reasons(&r), ["signature-not-verified"], "{r}");
    assert!(
        check(&r, "proof")["message"]
            .as_str()
            .unwrap()
            .contains("\"none\"")
    );

    // HMAC: refused whatever the "secret" (algorithm confusion).
    let hs = format!("{}.{}.{}", b64(br#"{"alg":"HS256"}"#), parts[1], parts[2]);
    let r = report(verify().arg(d.file("hs.jwt", &hs)), 1);
    assert!(
        check(&r, "proof")["message"]
            .as_str()
            .unwrap()
            .contains("algorithm confusion"),
        "{r}"
    );

    // Signed by someone else's did:key, naming it: genuine, but not the issuer's.
    let foreign = jws(&header(&stranger()), &ob3_payload(&issuer()), &stranger());
    let r = report(verify().arg(d.file("foreign.jwt", &foreign)), 1);
    assert_eq!(reasons(&r), ["wrong-signer"], "{r}");

    // A kid naming the issuer's key over a stranger's signature.
    let lying = jws(&header(&issuer()), &ob3_payload(&issuer()), &stranger());
    let r = report(verify().arg(d.file("lying.jwt", &lying)), 1);
    assert_eq!(reasons(&r), ["tampered"], "{r}");

    // An EdDSA key under an RSA alg.
    let rs = jws(
        &json!({"alg": "RS256", "kid": issuer().did_key().verification_method()}),
        &ob3_payload(&issuer()),
        &issuer(),
    );
    let r = report(verify().arg(d.file("rs.jwt", &rs)), 1);
    assert!(
        check(&r, "proof")["message"]
            .as_str()
            .unwrap()
            .contains("does not fit the key"),
        "{r}"
    );
}

#[test]
fn claims_that_disagree_with_the_credential_are_named_with_both_values() {
    let d = Dir::new();
    let mut p = ob3_payload(&issuer());
    p["iss"] = "did:example:someone-else".into();
    p["exp"] = 1_767_225_600.into(); // 2026-01-01: before AT, so expired
    p["vc"].as_object_mut().unwrap().remove("validUntil");
    let r = report(
        verify().arg(d.file("c.jwt", &jws(&header(&issuer()), &p, &issuer()))),
        1,
    );
    let structure: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "structure" && c["outcome"] == "fail")
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(structure.len(), 1, "{r}");
    assert!(
        structure[0].contains("did:example:someone-else") && structure[0].contains(&did(&issuer())),
        "{r}"
    );
    // exp stands for the missing expirationDate / validUntil: expired.
    let reasons = reasons(&r);
    assert!(
        reasons.contains(&"malformed") && reasons.contains(&"expired"),
        "{r}"
    );
}

#[test]
fn what_cannot_be_checked_is_never_called_forged() {
    let d = Dir::new();
    let payload = ob3_payload(&issuer());
    let kid = issuer().did_key().verification_method();
    for (name, header) in [
        ("ps256", json!({"alg": "PS256", "kid": kid})),
        (
            "crit",
            json!({"alg": "EdDSA", "kid": kid, "crit": ["b64"], "b64": false}),
        ),
    ] {
        let r = report(
            verify().arg(d.file(name, &jws(&header, &payload, &issuer()))),
            2,
        );
        assert_eq!(r["verdict"], "unchecked", "{name}: {r}");
        assert_eq!(check(&r, "proof")["outcome"], "unsupported", "{name}: {r}");
    }
    // The token's own key, which no trust list binds to its did:web issuer.
    let x = b64(issuer().public_key().as_bytes());
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x});
    let mut p = ob3_payload(&issuer());
    p["iss"] = WEB_DID.into();
    p["vc"]["issuer"]["id"] = WEB_DID.into();
    let web = jws(&json!({"alg": "EdDSA", "jwk": jwk}), &p, &issuer());
    let r = report(verify().arg(d.file("jwk.jwt", &web)), 2);
    let message = check(&r, "proof")["message"].as_str().unwrap().to_owned();
    assert!(message.contains("no trust list binds"), "{r}");
    // (A did:key issuer's own key is bound by its DID.)
    let own = jws(&json!({"alg": "EdDSA", "jwk": jwk}), &payload, &issuer());
    let r = report(verify().arg(d.file("own.jwt", &own)), 0);
    assert_eq!(check(&r, "proof")["outcome"], "pass", "{r}");
    // The did:web issuer's trust list document lists that key: valid.
    let trust = json!({"type": "MicrocredTrustList", "version": 1, "issuers": [{
        "id": WEB_DID, "name": "University of Example",
        "didDocument": {"id": WEB_DID,
            "verificationMethod": [{"id": format!("{WEB_DID}#jwt"), "type": "JsonWebKey",
                "controller": WEB_DID, "publicKeyJwk": jwk}],
            "assertionMethod": [format!("{WEB_DID}#jwt")]}}]});
    let t = d.file("trust.json", &trust.to_string());
    let r = report(
        verify().arg("--trust").arg(&t).arg(d.file("web.jwt", &web)),
        0,
    );
    assert_eq!(r["verdict"], "valid", "{r}");
    assert_eq!(check(&r, "proof")["value"], format!("{WEB_DID}#jwt"));
    // Neither kid nor jwk: the issuer's keys in the trust list.
    let plain = jws(&json!({"alg": "EdDSA"}), &p, &issuer());
    let r = report(
        verify()
            .arg("--trust")
            .arg(&t)
            .arg(d.file("plain.jwt", &plain)),
        0,
    );
    assert_eq!(r["verdict"], "valid", "{r}");
    // ... and a key of someone else there is not the issuer's.
    let by_stranger = jws(
        &json!({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519",
        "x": b64(stranger().public_key().as_bytes())}}),
        &p,
        &stranger(),
    );
    let r = report(
        verify()
            .arg("--trust")
            .arg(&t)
            .arg(d.file("s.jwt", &by_stranger)),
        2,
    );
    assert_eq!(r["verdict"], "unchecked", "{r}");
}

#[test]
fn a_directory_and_json_lines_mix_tokens_with_data_integrity_credentials() {
    let d = Dir::new();
    let token = jws(&header(&issuer()), &ob3_payload(&issuer()), &issuer());
    d.file("a.jwt", &token);
    d.file("b.json", &super::fixtures::credential().to_string());
    d.file("c.jwt", "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln");
    let out = verify()
        .arg("--json")
        .arg(d.0.path())
        .assert()
        .code(2)
        .get_output()
        .clone();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["format"]["id"], "vc-jwt", "{}", lines[0]);
    assert_eq!(lines[0]["verdict"], "unconfirmed");
    assert_eq!(lines[1]["verdict"], "unconfirmed");
    assert!(lines[1].get("format").is_none());
    // A malformed token: an error naming the part, not a JSON parser's complaint.
    assert_eq!(lines[2]["kind"], "error");
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("payload is not strict JSON"),
        "{}",
        lines[2]
    );
    // JSON Lines: a token as a JSON string on a line.
    let jsonl = d.file(
        "all.jsonl",
        &format!("\"{token}\"\n{}\n", super::fixtures::credential()),
    );
    let out = verify()
        .arg("--json")
        .arg(&jsonl)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["format"]["name"], "VC-JWT (EdDSA)", "{text}");
}

#[test]
fn a_presentation_may_carry_vc_jwts_each_verified_as_a_file_would_be() {
    let d = Dir::new();
    let good = jws(&header(&issuer()), &ob3_payload(&issuer()), &issuer());
    let foreign = jws(&header(&stranger()), &ob3_payload(&issuer()), &stranger());
    let vp = super::fixtures::presentation(
        &[good.clone().into(), super::fixtures::credential()],
        &learner(),
        Some("c-1"),
        None,
    );
    let f = d.file("vp.json", &vp.to_string());
    let r = report(verify().args(["--challenge", "c-1"]).arg(&f), 0);
    assert_eq!(r["kind"], "presentation", "{r}");
    assert_eq!(
        r["credentials"][0]["format"]["name"], "VC-JWT (EdDSA)",
        "{r}"
    );
    assert_eq!(r["credentials"][0]["verdict"], "unconfirmed", "{r}");
    assert_eq!(r["credentials"][1]["verdict"], "unconfirmed", "{r}");
    // A JWT credential signed by someone else makes the presentation invalid.
    let vp = super::fixtures::presentation(&[foreign.into()], &learner(), Some("c-1"), None);
    let f = d.file("vp2.json", &vp.to_string());
    let r = report(verify().args(["--challenge", "c-1"]).arg(&f), 1);
    assert_eq!(r["credentials"][0]["verdict"], "invalid", "{r}");
}

/// VC Data Model 2.0's `EnvelopedVerifiableCredential`: `data:application/vc+jwt,<token>`.
fn envelope(media_type: &str, data: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": format!("data:{media_type},{data}"),
        "type": "EnvelopedVerifiableCredential",
    })
}

#[test]
fn an_enveloped_vc_jwt_is_read_as_the_token_and_an_sd_jwt_one_cannot_be_checked() {
    let d = Dir::new();
    let good = jws(&header(&issuer()), &ob3_payload(&issuer()), &issuer());
    // A file holding the envelope: the token's report.
    let f = d.file(
        "env.json",
        &envelope("application/vc+jwt", &good).to_string(),
    );
    let r = report(verify().arg(&f), 0);
    assert_eq!(r["format"]["name"], "VC-JWT (EdDSA)", "{r}");
    assert_eq!(r["verdict"], "unconfirmed", "{r}");
    // The --html transcript shows the credential inside the token.
    let out = verify().arg("--html").arg(&f).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = String::from_utf8(out.stdout).unwrap();
    let name = ob3_payload(&issuer())["vc"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(page.contains(&name), "{name}: {page}");
    // Tampered inside its envelope: invalid, as the bare token would be.
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let forged = jws(&header(&issuer()), &ob3_payload(&stranger()), &stranger());
    parts[1] = forged.split('.').nth(1).unwrap().to_owned();
    let tampered = parts.join(".");
    let f = d.file(
        "tampered.json",
        &envelope("application/vc+jwt", &tampered).to_string(),
    );
    let r = report(verify().arg(&f), 1);
    assert_eq!(r["verdict"], "invalid", "{r}");
    // SD-JWT (and any other media type): could not be checked, never forged.
    for (name, media_type) in [
        ("sd.json", "application/vc+sd-jwt"),
        ("cose.json", "application/vc+cose"),
    ] {
        let f = d.file(name, &envelope(media_type, &format!("{good}~")).to_string());
        let r = report(verify().arg(&f), 2);
        assert_eq!(r["verdict"], "unchecked", "{r}");
        assert_eq!(reasons(&r), ["cannot-check"], "{r}");
        assert!(r.to_string().contains(media_type), "{r}");
    }

    // In a presentation: each envelope gets the report it gets on its own.
    let vp = super::fixtures::presentation(
        &[
            envelope("application/vc+jwt", &good),
            super::fixtures::credential(),
        ],
        &learner(),
        Some("c-1"),
        None,
    );
    let f = d.file("vp.json", &vp.to_string());
    let r = report(verify().args(["--challenge", "c-1"]).arg(&f), 0);
    assert_eq!(r["kind"], "presentation", "{r}");
    assert_eq!(
        r["credentials"][0]["format"]["name"], "VC-JWT (EdDSA)",
        "{r}"
    );
    assert_eq!(r["credentials"][0]["verdict"], "unconfirmed", "{r}");
    assert_eq!(r["credentials"][1]["verdict"], "unconfirmed", "{r}");
    let vp = super::fixtures::presentation(
        &[
            envelope("application/vc+sd-jwt", &format!("{good}~")),
            envelope("application/vc+jwt", &tampered),
        ],
        &learner(),
        Some("c-1"),
        None,
    );
    let f = d.file("vp2.json", &vp.to_string());
    let r = report(verify().args(["--challenge", "c-1"]).arg(&f), 1);
    assert_eq!(r["credentials"][0]["verdict"], "unchecked", "{r}");
    assert_eq!(r["credentials"][1]["verdict"], "invalid", "{r}");
    let vp = super::fixtures::presentation(
        &[envelope("application/vc+sd-jwt", &format!("{good}~"))],
        &learner(),
        Some("c-1"),
        None,
    );
    let f = d.file("vp3.json", &vp.to_string());
    let r = report(verify().args(["--challenge", "c-1"]).arg(&f), 2);
    assert_eq!(r["verdict"], "unchecked", "{r}");
}

#[test]
fn microcred_sign_issues_a_vc_jwt_that_verifies_and_refuses_options_it_has_no_place_for() {
    let d = Dir::new();
    let (_keep, key) = crate::common::private_copy("keys-example/example-university.key.json");
    let unsigned = crate::common::repo("keys-example/micro-credential.unsigned.json");
    let out = d.0.path().join("c.jwt");
    Command::new(bin("microcred-sign"))
        .args([
            "issue",
            "--format",
            "jwt",
            "--created",
            "2025-03-01T00:00:00Z",
            "--key",
        ])
        .arg(&key)
        .arg("--out")
        .arg(&out)
        .arg(&unsigned)
        .assert()
        .success();
    let r = report(verify().arg(&out), 0);
    assert_eq!(r["format"]["name"], "VC-JWT (EdDSA)", "{r}");
    assert_eq!(check(&r, "issuer-key")["outcome"], "pass", "{r}");
    assert_eq!(r["summary"]["validFrom"], "2025-03-01T00:00:00Z", "{r}");
    Command::new(bin("microcred-sign"))
        .args(["issue", "--format", "jwt", "--suite", "jcs", "--key"])
        .arg(&key)
        .arg(&unsigned)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--format jwt"));
}

/// A VP-JWT is held to its `nbf` (not valid before) and `exp` as a Data Integrity
/// presentation is to its proof's `created` and `expires`.
#[test]
fn a_vp_jwt_is_held_to_its_nbf_and_exp() {
    let d = Dir::new();
    let holder = learner();
    let credential = jws(&header(&issuer()), &ob3_payload(&issuer()), &issuer());
    let vp = |times: Value| {
        let mut claims = json!({
            "iss": did(&holder),
            "nonce": "n-1",
            "vp": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "holder": did(&holder),
                "verifiableCredential": [credential],
            },
        });
        for (k, v) in times.as_object().unwrap() {
            claims[k] = v.clone();
        }
        jws(&header(&holder), &claims, &holder)
    };
    // AT is 2026-01-15T12:00:00Z.
    let now = json!({"nbf": 1_768_478_400, "exp": 1_768_482_000}); // 12:00, 13:00
    let r = report(
        verify()
            .args(["--challenge", "n-1"])
            .arg(d.file("now.jwt", &vp(now))),
        0,
    );
    assert_eq!(check(&r, "proof-validity")["outcome"], "pass", "{r}");
    let later = json!({"nbf": 1_768_564_800}); // the next day, 12:00
    let r = report(
        verify()
            .args(["--challenge", "n-1"])
            .arg(d.file("later.jwt", &vp(later))),
        1,
    );
    let c = check(&r, "proof-validity");
    assert_eq!(c["outcome"], "fail", "{r}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("2026-01-16T12:00:00Z"),
        "{r}"
    );
    let expired = json!({"iat": 1_768_384_800, "exp": 1_768_388_400}); // the day before, 10:00-11:00
    let r = report(
        verify()
            .args(["--challenge", "n-1"])
            .arg(d.file("expired.jwt", &vp(expired))),
        1,
    );
    assert_eq!(check(&r, "proof-validity")["outcome"], "fail", "{r}");
}
