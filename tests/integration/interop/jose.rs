//! VC-JWT against `jose` (panva's JOSE implementation, npm), driven through
//! `tests/interop/jwt.mjs`: Open Badges 3.0 JWT credentials it signs with
//! EdDSA, ES256, ES384 and RS256 keys (kid, jwk header, no key named, VC-JOSE) verify in
//! `microcred-verify` given the issuer's DID document in a trust list; the
//! tampered copy, `alg` `none`, HS256 keyed with the issuer's public key and a
//! kid of another issuer are refused (invalid, never "cannot check").

use std::process::Command;

use serde_json::Value;

use super::node_ok;
use crate::common::bin;

/// `microcred-verify --json` of one file: its verdict and reason codes.
fn verdict(trust: &std::path::Path, file: &std::path::Path) -> (String, Vec<String>, Value) {
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--no-config")
        .arg("--trust")
        .arg(trust)
        .arg("--json")
        .arg(file)
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons = line["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (
        line["verdict"].as_str().unwrap_or("error").to_owned(),
        reasons,
        line,
    )
}

#[test]
fn jwt_credentials_signed_by_jose_verify_and_its_refusals_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let expected: Value = serde_json::from_str(&node_ok(
        "jwt.mjs",
        ["sign".as_ref(), dir.path().as_os_str()],
    ))
    .unwrap();
    let expected = expected.as_object().unwrap();
    // Four per algorithm (EdDSA, ES256, ES384, RS256), VC-JOSE, three of Open Badges
    // 3.0's payload form (valid, tampered, a claim against its member) and three refusals.
    assert_eq!(expected.len(), 23, "{expected:?}");
    let trust = dir.path().join("trust.json");
    for (file, want) in expected {
        let (got, reasons, line) = verdict(&trust, &dir.path().join(file));
        assert_eq!(got, want.as_str().unwrap(), "{file}: {line}");
        let wanted_reason = match file.as_str() {
            f if f.ends_with("-tampered.jwt") => Some("tampered"),
            "none.jwt" | "hs256.jwt" => Some("signature-not-verified"),
            "other-kid.jwt" => Some("wrong-signer"),
            "ob3-payload-wrong-sub.jwt" => Some("malformed"),
            _ => None,
        };
        if let Some(r) = wanted_reason {
            assert!(reasons.iter().any(|x| x == r), "{file}: {line}");
        }
    }
}

/// base64url without padding (multibase's, without its `u`).
fn b64(bytes: &[u8]) -> String {
    microcred_core::multibase::encode_base64url(bytes)[1..].to_owned()
}

#[test]
fn our_jwt_credentials_verify_in_jose_and_tampered_copies_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let (_keep, key_file) = crate::common::private_copy(super::ISSUER_KEY);
    let token_path = dir.path().join("ours.jwt");
    let out = Command::new(bin("microcred-sign"))
        .args([
            "issue",
            "--format",
            "jwt",
            "--created",
            super::CREATED,
            "--key",
        ])
        .arg(&key_file)
        .arg("--out")
        .arg(&token_path)
        .arg(crate::common::repo(
            "keys-example/micro-credential.unsigned.json",
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", super::stderr(&out));
    let token = std::fs::read_to_string(&token_path).unwrap();
    assert_eq!(token.trim().split('.').count(), 3, "{token}");
    // jose, with the issuer's public key as a JWK.
    let key = super::key(super::ISSUER_KEY);
    let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519",
        "x": b64(key.public_key().as_bytes())});
    let jwk_path = dir.path().join("issuer.jwk.json");
    std::fs::write(&jwk_path, jwk.to_string()).unwrap();
    let payload: Value = serde_json::from_str(&node_ok(
        "jwt.mjs",
        [
            "verify".as_ref(),
            token_path.as_os_str(),
            jwk_path.as_os_str(),
        ],
    ))
    .unwrap();
    assert_eq!(payload["iss"], super::did_of(&key));
    // Open Badges 3.0 §8.2.4: a VC 2.0 credential is the payload, the claims beside it.
    assert_eq!(payload["issuer"]["id"], super::did_of(&key));
    assert_eq!(payload["sub"], payload["credentialSubject"]["id"]);
    assert_eq!(payload.get("vc"), None);
    // Ours says the same.
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .args(["--no-config", "--json"])
        .arg(&token_path)
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["verdict"], "unconfirmed", "{line}");
    assert_eq!(line["format"]["name"], "VC-JWT (EdDSA)", "{line}");
    // A changed payload under our signature: jose refuses it too.
    let parts: Vec<&str> = token.trim().split('.').collect();
    let mut changed = payload.clone();
    changed["name"] = "Doctorate".into();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&serde_json::to_vec(&changed).unwrap()),
        parts[2]
    );
    let tampered_path = dir.path().join("tampered.jwt");
    std::fs::write(&tampered_path, tampered).unwrap();
    let out = super::node_run(
        "jwt.mjs",
        [
            "verify".as_ref(),
            tampered_path.as_os_str(),
            jwk_path.as_os_str(),
        ],
    );
    assert!(!out.status.success(), "jose accepted a tampered token");
}

/// `present --format jwt`: our VP-JWT verifies in jose with the learner's public key,
/// its claims as the VC 1.1 JWT encoding of a presentation says (`iss` the holder,
/// `nonce` the challenge, `aud` the domain, the VC-JWT inside as its token).
#[test]
fn our_vp_jwt_verifies_in_jose_with_its_challenge_and_domain() {
    let dir = tempfile::tempdir().unwrap();
    let (_u, university) = crate::common::private_copy(super::ISSUER_KEY);
    let (_l, learner) = crate::common::private_copy(super::LEARNER_KEY);
    let credential = dir.path().join("c.jwt");
    let vp = dir.path().join("vp.jwt");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(bin("microcred-sign"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", super::stderr(&out));
    };
    let unsigned = crate::common::repo("keys-example/micro-credential.unsigned.json");
    run(&[
        "issue".as_ref(),
        "--format".as_ref(),
        "jwt".as_ref(),
        "--key".as_ref(),
        university.as_os_str(),
        "--out".as_ref(),
        credential.as_os_str(),
        unsigned.as_os_str(),
    ]);
    run(&[
        "present".as_ref(),
        "--format".as_ref(),
        "jwt".as_ref(),
        "--challenge".as_ref(),
        "n-1".as_ref(),
        "--domain".as_ref(),
        "hr.example".as_ref(),
        "--key".as_ref(),
        learner.as_os_str(),
        "--out".as_ref(),
        vp.as_os_str(),
        credential.as_os_str(),
    ]);
    let key = super::key(super::LEARNER_KEY);
    let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519",
        "x": b64(key.public_key().as_bytes())});
    let jwk_path = dir.path().join("learner.jwk.json");
    std::fs::write(&jwk_path, jwk.to_string()).unwrap();
    let payload: Value = serde_json::from_str(&node_ok(
        "jwt.mjs",
        ["verify".as_ref(), vp.as_os_str(), jwk_path.as_os_str()],
    ))
    .unwrap();
    assert_eq!(payload["iss"], super::did_of(&key));
    assert_eq!(payload["vp"]["holder"], super::did_of(&key));
    assert_eq!(
        (&payload["nonce"], &payload["aud"]),
        (&"n-1".into(), &"hr.example".into())
    );
    assert_eq!(
        payload["vp"]["verifiableCredential"][0],
        std::fs::read_to_string(&credential).unwrap().trim()
    );
}

/// ES256 and ES384 VC-JWTs `microcred-sign issue --format jwt` signs with P-256 / P-384 keys
/// of `keygen --type` verify in jose with the key's public JWK; a changed payload does not.
#[test]
fn our_es256_and_es384_jwt_credentials_verify_in_jose() {
    let dir = tempfile::tempdir().unwrap();
    for (key_type, alg, size) in [("p256", "ES256", 32), ("p384", "ES384", 48)] {
        let keys = dir.path().join(key_type);
        let out = Command::new(bin("microcred-sign"))
            .args(["keygen", "--type", key_type, "--out"])
            .arg(&keys)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", super::stderr(&out));
        let did = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let token_path = dir.path().join(format!("{key_type}.jwt"));
        let out = Command::new(bin("microcred-sign"))
            .args(["issue", "--format", "jwt", "--set-issuer", "--key"])
            .arg(keys.join("issuer.key.json"))
            .arg("--out")
            .arg(&token_path)
            .arg(crate::common::repo(
                "keys-example/micro-credential.unsigned.json",
            ))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", super::stderr(&out));
        // The public JWK (RFC 7518 §6.2.1): the uncompressed point's coordinates.
        let multikey = did.strip_prefix("did:key:").unwrap();
        let point = match microcred_core::public_key::PublicKey::from_multikey(multikey).unwrap() {
            microcred_core::public_key::PublicKey::P256(k) => {
                k.to_encoded_point(false).as_bytes().to_vec()
            }
            microcred_core::public_key::PublicKey::P384(k) => {
                k.to_encoded_point(false).as_bytes().to_vec()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(point.len(), 1 + 2 * size);
        let crv = if size == 32 { "P-256" } else { "P-384" };
        let jwk = serde_json::json!({"kty": "EC", "crv": crv,
            "x": b64(&point[1..=size]), "y": b64(&point[1 + size..])});
        let jwk_path = dir.path().join(format!("{key_type}.jwk.json"));
        std::fs::write(&jwk_path, jwk.to_string()).unwrap();
        let payload: Value = serde_json::from_str(&node_ok(
            "jwt.mjs",
            [
                "verify".as_ref(),
                token_path.as_os_str(),
                jwk_path.as_os_str(),
            ],
        ))
        .unwrap();
        assert_eq!(payload["iss"], did.as_str(), "{alg}");
        assert_eq!(payload["issuer"]["id"], did.as_str(), "{alg}");
        let token = std::fs::read_to_string(&token_path).unwrap();
        let parts: Vec<&str> = token.trim().split('.').collect();
        let mut changed = payload.clone();
        changed["name"] = "Doctorate".into();
        let tampered_path = dir.path().join(format!("{key_type}-tampered.jwt"));
        std::fs::write(
            &tampered_path,
            format!(
                "{}.{}.{}",
                parts[0],
                b64(&serde_json::to_vec(&changed).unwrap()),
                parts[2]
            ),
        )
        .unwrap();
        let out = super::node_run(
            "jwt.mjs",
            [
                "verify".as_ref(),
                tampered_path.as_os_str(),
                jwk_path.as_os_str(),
            ],
        );
        assert!(
            !out.status.success(),
            "jose accepted a tampered {alg} token"
        );
    }
}
