//! ecdsa-rdfc-2019 and ecdsa-jcs-2019 (W3C vc-di-ecdsa) with P-256 and P-384: the
//! specification's vectors byte for byte (canonical forms, hashes, signatures),
//! verified through the library and through `microcred-verify`, and tampered
//! copies refused.

use assert_cmd::Command;
use microcred_core::keys::EcdsaSecretKey;
use microcred_core::proof::{self, DidKeyResolver, ProofFailure, ProofOptions, ProofPurpose};
use microcred_core::public_key::PublicKey;
use microcred_core::rdfc::{self, HashAlgorithm, Options};
use microcred_core::{Value, jcs, json, multibase};
use sha2::{Digest as _, Sha256, Sha384};

use crate::common::{bin, hex, read, repo, text, unhex};

const DIR: &str = "tests/vectors/vc-di-ecdsa";

/// One example of the specification's appendix.
struct Example {
    /// Folder of the intermediates, under [`DIR`].
    sub: &'static str,
    /// Suffix of the intermediates' file names (`ECDSAP256`, `JCSECDSAP384`).
    suffix: &'static str,
    /// The unsigned input document, under [`DIR`].
    input: &'static str,
    /// The key pair file, under [`DIR`].
    key: &'static str,
    /// RDFC-1.0 (else JCS).
    rdfc: bool,
    /// P-384 (SHA-384), else P-256 (SHA-256).
    p384: bool,
}

const EXAMPLES: [Example; 6] = [
    Example {
        sub: "ecdsa-rdfc-2019-p256",
        suffix: "ECDSAP256",
        input: "unsigned.json",
        key: "p256KeyPair.json",
        rdfc: true,
        p384: false,
    },
    Example {
        sub: "ecdsa-rdfc-2019-p256/employ",
        suffix: "ECDSAP256",
        input: "employmentAuth.json",
        key: "p256KeyPair.json",
        rdfc: true,
        p384: false,
    },
    Example {
        sub: "ecdsa-rdfc-2019-p384",
        suffix: "ECDSAP384",
        input: "unsigned.json",
        key: "p384KeyPair.json",
        rdfc: true,
        p384: true,
    },
    Example {
        sub: "ecdsa-rdfc-2019-p384/employ",
        suffix: "ECDSAP384",
        input: "employmentAuth.json",
        key: "p384KeyPair.json",
        rdfc: true,
        p384: true,
    },
    Example {
        sub: "ecdsa-jcs-2019-p256",
        suffix: "JCSECDSAP256",
        input: "unsigned.json",
        key: "p256KeyPair.json",
        rdfc: false,
        p384: false,
    },
    Example {
        sub: "ecdsa-jcs-2019-p384",
        suffix: "JCSECDSAP384",
        input: "unsigned.json",
        key: "p384KeyPair.json",
        rdfc: false,
        p384: true,
    },
];

impl Example {
    /// The intermediate `name` (`canonDoc`, `sigHex`, …) of this example.
    fn file(&self, name: &str, ext: &str) -> String {
        format!("{DIR}/{}/{name}{}.{ext}", self.sub, self.suffix)
    }

    fn text(&self, name: &str) -> String {
        text(&self.file(name, "txt"))
    }

    fn json(&self, name: &str) -> Value {
        json::parse(&read(&self.file(name, "json"))).unwrap()
    }

    fn signed_path(&self) -> String {
        self.file("signed", "json")
    }

    fn digest(&self, data: &[u8]) -> String {
        if self.p384 {
            hex(&Sha384::digest(data))
        } else {
            hex(&Sha256::digest(data))
        }
    }

    /// The canonical form: RDFC-1.0 hashing with the curve's SHA-2 (vc-di-ecdsa
    /// §3.2: SHA-384 for P-384), or JCS.
    fn canonical(&self, doc: &Value) -> String {
        if self.rdfc {
            let options = Options {
                hash: if self.p384 {
                    HashAlgorithm::Sha384
                } else {
                    HashAlgorithm::Sha256
                },
                ..Options::default()
            };
            rdfc::canonicalize_with(doc, &options).unwrap()
        } else {
            String::from_utf8(jcs::canonicalize(doc)).unwrap()
        }
    }

    fn public_key(&self) -> (String, PublicKey) {
        let pair = json::parse(&read(&format!("{DIR}/{}", self.key))).unwrap();
        let mb = pair["publicKeyMultibase"].as_str().unwrap().to_owned();
        let key = PublicKey::from_multikey(&mb).unwrap();
        (mb, key)
    }

    fn suite(&self) -> &'static str {
        if self.rdfc {
            rdfc::ECDSA_RDFC_2019
        } else {
            proof::ECDSA_JCS_2019
        }
    }
}

/// Every intermediate of every example, byte for byte, and the published
/// signature checked over the published hash data by the published key.
#[test]
fn intermediates_match_the_specification() {
    for ex in &EXAMPLES {
        let at = ex.sub;
        let unsigned = json::parse(&read(&format!("{DIR}/{}", ex.input))).unwrap();
        let canon_doc = ex.canonical(&unsigned);
        assert_eq!(canon_doc, ex.text("canonDoc"), "{at}: canonical document");
        assert_eq!(
            ex.digest(canon_doc.as_bytes()),
            ex.text("docHash"),
            "{at}: document hash"
        );
        let config = ex.json("proofConfig");
        assert_eq!(config["cryptosuite"], ex.suite());
        let canon_config = ex.canonical(&config);
        assert_eq!(canon_config, ex.text("proofCanon"), "{at}: canonical proof");
        assert_eq!(
            ex.digest(canon_config.as_bytes()),
            ex.text("proofHash"),
            "{at}: proof hash"
        );
        let combined = format!("{}{}", ex.text("proofHash"), ex.text("docHash"));
        assert_eq!(combined, ex.text("combinedHash"), "{at}: hash data");
        assert_eq!(combined.len(), if ex.p384 { 192 } else { 128 });

        let sig = unhex(&ex.text("sigHex"));
        assert_eq!(sig.len(), if ex.p384 { 96 } else { 64 }, "{at}");
        assert_eq!(multibase::encode_base58btc(&sig), ex.text("sigBTC58"));
        let signed = json::parse(&read(&ex.signed_path())).unwrap();
        assert_eq!(signed["proof"]["proofValue"], ex.text("sigBTC58"), "{at}");
        let (_, key) = ex.public_key();
        assert_eq!(key.name(), if ex.p384 { "P-384" } else { "P-256" });
        let hash_data = unhex(&combined);
        assert!(key.verify(&hash_data, &sig), "{at}: signature");
        let mut other = hash_data.clone();
        other[0] ^= 1;
        assert!(!key.verify(&other, &sig), "{at}: other hash data");
    }
}

/// The signed vectors verify through the library (the `Value` path and the
/// bytes path), naming the suite; any change to the document or the proof fails.
#[test]
fn signed_vectors_verify_and_changes_fail() {
    for ex in &EXAMPLES {
        let at = ex.sub;
        let (mb, _) = ex.public_key();
        let bytes = read(&ex.signed_path());
        let signed = json::parse(&bytes).unwrap();
        let out = proof::verify_proofs(&signed, &DidKeyResolver);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].cryptosuite.as_deref(), Some(ex.suite()), "{at}");
        assert_eq!(out[0].result, Ok(format!("did:key:{mb}")), "{at}");
        assert_eq!(proof::verify_bytes(&bytes, &DidKeyResolver).unwrap(), out);
        assert_eq!(
            proof::verify_batch(&[&bytes, &bytes], &DidKeyResolver),
            vec![Ok(out.clone()), Ok(out.clone())]
        );

        let fails = |doc: &Value| proof::verify_proofs(doc, &DidKeyResolver)[0].result.clone();
        let mut t = signed.clone();
        if ex.input == "unsigned.json" {
            t["credentialSubject"]["alumniOf"] = "Another School".into();
        } else {
            t["credentialSubject"]["givenName"] = "JANE".into();
        }
        assert_eq!(fails(&t), Err(ProofFailure::SignatureInvalid), "{at}");
        let mut t = signed.clone();
        t["proof"]["created"] = "2023-02-24T23:36:39Z".into();
        assert_eq!(fails(&t), Err(ProofFailure::SignatureInvalid), "{at}");
        // One bit of the signature.
        let mut sig =
            multibase::decode_base58btc(signed["proof"]["proofValue"].as_str().unwrap()).unwrap();
        sig[10] ^= 1;
        let mut t = signed.clone();
        t["proof"]["proofValue"] = multibase::encode_base58btc(&sig).into();
        assert_eq!(fails(&t), Err(ProofFailure::SignatureInvalid), "{at}");
        // The suite's other transformation over the same signature.
        let mut t = signed.clone();
        t["proof"]["cryptosuite"] = if ex.rdfc {
            proof::ECDSA_JCS_2019
        } else {
            rdfc::ECDSA_RDFC_2019
        }
        .into();
        assert!(fails(&t).is_err(), "{at}");
        // A signature of the other curve's length.
        let mut t = signed.clone();
        t["proof"]["proofValue"] =
            multibase::encode_base58btc(&vec![1; if ex.p384 { 64 } else { 96 }]).into();
        let expected = if ex.p384 {
            "proofValue decodes to 64 bytes where a P-384 signature has 96"
        } else {
            "proofValue decodes to 96 bytes where a P-256 signature has 64"
        };
        assert_eq!(fails(&t).unwrap_err().to_string(), expected, "{at}");
        // An eddsa suite over an ECDSA key, and an ECDSA suite over an Ed25519 key.
        let mut t = signed.clone();
        t["proof"]["cryptosuite"] = if ex.rdfc {
            rdfc::EDDSA_RDFC_2022
        } else {
            proof::EDDSA_JCS_2022
        }
        .into();
        t["proof"]["proofValue"] = multibase::encode_base58btc(&[1; 64]).into();
        assert!(
            fails(&t).unwrap_err().to_string().ends_with(&format!(
                "needs an Ed25519 key; the method is {}",
                ex.public_key().1.name()
            )),
            "{at}"
        );
    }
    let ed25519 = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    let mut t = json::parse(&read(&EXAMPLES[0].signed_path())).unwrap();
    t["proof"]["verificationMethod"] = format!("{ed25519}#{}", &ed25519[8..]).into();
    assert_eq!(
        proof::verify_proofs(&t, &DidKeyResolver)[0]
            .result
            .clone()
            .unwrap_err()
            .to_string(),
        "ecdsa-rdfc-2019 needs a P-256 or P-384 key; the method is Ed25519"
    );
}

/// `microcred-verify` checks the vectors' proofs and names the suite; a tampered
/// copy is refused (exit 1), on its own and in a directory read in bulk.
#[test]
fn microcred_verify_checks_the_vectors() {
    let dir = tempfile::tempdir().unwrap();
    for (i, ex) in EXAMPLES.iter().enumerate() {
        let (mb, _) = ex.public_key();
        let out = Command::new(bin("microcred-verify"))
            .env("XDG_CONFIG_HOME", crate::common::no_config())
            .env("NO_COLOR", "1")
            .arg("--json")
            .arg(repo(&ex.signed_path()))
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let proof = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "proof")
            .unwrap();
        assert_eq!(proof["outcome"], "pass", "{}: {report}", ex.sub);
        assert_eq!(
            proof["message"],
            format!("{} signature by did:key:{mb}#{mb} verifies", ex.suite())
        );
        std::fs::write(
            dir.path().join(format!("{i}-genuine.json")),
            read(&ex.signed_path()),
        )
        .unwrap();
        let tampered = String::from_utf8(read(&ex.signed_path()))
            .unwrap()
            .replace("2023-02-24T23:36:38Z", "2023-02-24T23:36:37Z");
        let path = dir.path().join(format!("{i}-tampered.json"));
        std::fs::write(&path, tampered).unwrap();
        let out = Command::new(bin("microcred-verify"))
            .env("XDG_CONFIG_HOME", crate::common::no_config())
            .env("NO_COLOR", "1")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", ex.sub);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("signature does not verify"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // The directory (bulk path): every genuine proof passes, every tampered one fails.
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        .env("NO_COLOR", "1")
        .arg("--json")
        .arg(dir.path())
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2 * EXAMPLES.len());
    for line in &lines {
        let proof = line["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "proof")
            .unwrap();
        let genuine = line["file"].as_str().unwrap().ends_with("-genuine.json");
        assert_eq!(
            proof["outcome"],
            if genuine { "pass" } else { "fail" },
            "{line}"
        );
    }
}

/// Our signing with the vectors' keys and options: the proof is the published one
/// but for `proofValue` (ECDSA signatures are randomized in the reference, RFC 6979
/// deterministic here), and it verifies.
#[test]
fn our_signing_with_the_specification_keys_verifies() {
    for ex in &EXAMPLES {
        let at = ex.sub;
        let pair = json::parse(&read(&format!("{DIR}/{}", ex.key))).unwrap();
        let key =
            EcdsaSecretKey::from_multibase(pair["secretKeyMultibase"].as_str().unwrap()).unwrap();
        let unsigned = json::parse(&read(&format!("{DIR}/{}", ex.input))).unwrap();
        let mut options = ProofOptions::new(
            key.did_key().verification_method(),
            ProofPurpose::AssertionMethod,
        );
        options.created = Some("2023-02-24T23:36:38Z".into());
        let signed = if ex.rdfc {
            rdfc::add_ecdsa_proof(&unsigned, &key, &options).unwrap()
        } else {
            proof::add_ecdsa_jcs_proof(&unsigned, &key, &options).unwrap()
        };
        let published = json::parse(&read(&ex.signed_path())).unwrap();
        let (mut ours, mut theirs) = (signed["proof"].clone(), published["proof"].clone());
        ours.as_object_mut().unwrap().remove("proofValue");
        theirs.as_object_mut().unwrap().remove("proofValue");
        assert_eq!(ours, theirs, "{at}");
        let sig =
            multibase::decode_base58btc(signed["proof"]["proofValue"].as_str().unwrap()).unwrap();
        assert_eq!(sig.len(), if ex.p384 { 96 } else { 64 }, "{at}");
        let out = proof::verify_proofs(&signed, &DidKeyResolver);
        assert_eq!(out[0].result, Ok(key.did_key().did()), "{at}");
        // Over the published hash data: our signature verifies with the published key.
        let (_, public) = ex.public_key();
        assert!(
            public.verify(&unhex(&ex.text("combinedHash")), &sig),
            "{at}: our signature over the specification's hash data"
        );
    }
}
