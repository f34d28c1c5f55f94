//! VC-JWT against `jose` (panva's JOSE implementation, npm), driven through
//! `tests/interop/jwt.mjs`: Open Badges 3.0 JWT credentials it signs with
//! EdDSA and RS256 keys (kid, jwk header, no key named, VC-JOSE) verify in
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
        [
            "sign".as_ref(),
            dir.path().as_os_str(),
            "EdDSA".as_ref(),
            "RS256".as_ref(),
        ],
    ))
    .unwrap();
    let expected = expected.as_object().unwrap();
    assert_eq!(expected.len(), 12, "{expected:?}");
    let trust = dir.path().join("trust.json");
    for (file, want) in expected {
        let (got, reasons, line) = verdict(&trust, &dir.path().join(file));
        assert_eq!(got, want.as_str().unwrap(), "{file}: {line}");
        let wanted_reason = match file.as_str() {
            f if f.ends_with("-tampered.jwt") => Some("tampered"),
            "none.jwt" | "hs256.jwt" => Some("signature-not-verified"),
            "other-kid.jwt" => Some("wrong-signer"),
            _ => None,
        };
        if let Some(r) = wanted_reason {
            assert!(reasons.iter().any(|x| x == r), "{file}: {line}");
        }
    }
}
