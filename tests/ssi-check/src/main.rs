//! A second reference for `eddsa-rdfc-2022`: SpruceID's `ssi` verifies what
//! microcred signs, and signs what microcred's verifier must accept.
//!
//! ```text
//! ssi-check CONTEXTS_DIR verify FILE...        one line per file: "FILE: verified" or "FILE: refused: WHY"
//! ssi-check CONTEXTS_DIR nquads FILE          ssi's canonical N-Quads of FILE without its proof
//! ssi-check CONTEXTS_DIR sign UNSIGNED OUT     signs UNSIGNED with a fresh Ed25519 did:key (its DID
//!                                               becomes the issuer) and writes OUT
//! ```
//!
//! `CONTEXTS_DIR` is microcred's bundled context directory
//! (`crates/microcred-core/contexts`): the JSON-LD documents are loaded from there and
//! nowhere else (no network), so both sides expand the same bytes. Exit status: 0 when
//! every file verified (or the signature was written), 1 when one was refused, 2 on a
//! usage or input error. Run by `tests/ssi-check/run.sh`; not part of the workspace.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use ssi::claims::data_integrity::{AnySuite, CryptographicSuite, DataIntegrity, ProofOptions};
use ssi::claims::vc::v2::JsonCredential;
use ssi::claims::{SignatureEnvironment, VerificationParameters};
use ssi::dids::{AnyDidMethod, DIDKey, VerificationMethodDIDResolver};
use ssi::json_ld::ContextLoader;
use ssi::verification_methods::{AnyMethod, SingleSecretSigner};
use ssi::JWK;

/// The files of `CONTEXTS_DIR` and the URLs they are published at (as
/// `microcred_core::contexts` maps them).
const CONTEXTS: &[(&str, &str)] = &[
    (
        "credentials-v2.jsonld",
        "https://www.w3.org/ns/credentials/v2",
    ),
    (
        "credentials-examples-v2.jsonld",
        "https://www.w3.org/ns/credentials/examples/v2",
    ),
    (
        "ob-v3p0-context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ),
    ("microcredential-v1.jsonld", "https://w3id.org/microcred/v1"),
    (
        "citizenship-v4rc1.jsonld",
        "https://w3id.org/citizenship/v4rc1",
    ),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("ssi-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<bool, String> {
    let usage =
        "usage: ssi-check CONTEXTS_DIR verify FILE... | ssi-check CONTEXTS_DIR sign UNSIGNED OUT";
    let (dir, command, rest) = match args {
        [dir, command, rest @ ..] => (dir, command.as_str(), rest),
        _ => return Err(usage.into()),
    };
    let loader = loader(Path::new(dir))?;
    match (command, rest) {
        ("verify", files) if !files.is_empty() => {
            let mut all = true;
            for file in files {
                match pollster::block_on(verify(file, &loader)) {
                    Ok(()) => println!("{file}: verified"),
                    Err(why) => {
                        all = false;
                        println!("{file}: refused: {why}");
                    }
                }
            }
            Ok(all)
        }
        ("nquads", [file]) => {
            for line in pollster::block_on(nquads(file, &loader))? {
                print!("{line}");
            }
            Ok(true)
        }
        ("sign", [unsigned, out]) => {
            pollster::block_on(sign(unsigned, out, loader))?;
            Ok(true)
        }
        _ => Err(usage.into()),
    }
}

/// Only microcred's bundled contexts, from `dir`.
fn loader(dir: &Path) -> Result<ContextLoader, String> {
    let mut map = HashMap::new();
    for (file, url) in CONTEXTS {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read context {}: {e}", path.display()))?;
        map.insert((*url).to_owned(), text);
    }
    ContextLoader::empty()
        .with_context_map_from(map)
        .map_err(|e| format!("bad context in {}: {e}", dir.display()))
}

fn resolver() -> VerificationMethodDIDResolver<AnyDidMethod, AnyMethod> {
    VerificationMethodDIDResolver::new(AnyDidMethod::default())
}

/// `file` decoded as ssi decodes a Data Integrity credential for verification.
fn decode(file: &str) -> Result<DataIntegrity<JsonCredential, AnySuite>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    ssi::claims::data_integrity::from_json_str(&text).map_err(|e| format!("not decoded: {e}"))
}

async fn verify(file: &str, loader: &ContextLoader) -> Result<(), String> {
    let vc = decode(file)?;
    let params =
        VerificationParameters::from_resolver(resolver()).with_json_ld_loader(loader.clone());
    match vc.verify(params).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(invalid)) => Err(format!("invalid: {invalid}")),
        Err(e) => Err(format!("error: {e}")),
    }
}

/// ssi's RDFC-1.0 canonical N-Quads of a credential without its proof: what
/// eddsa-rdfc-2022 hashes (for finding where two implementations differ).
async fn nquads(file: &str, loader: &ContextLoader) -> Result<Vec<String>, String> {
    use ssi::json_ld::Expandable;
    use ssi::rdf::AnyLdEnvironment;
    // Decoded as `verify` decodes it, so that these are the N-Quads it hashes.
    let vc = decode(file)?.claims;
    let mut ld = ssi::rdf::LdEnvironment::default();
    let expanded = vc
        .expand_with(&mut ld, loader)
        .await
        .map_err(|e| format!("expansion failed: {e}"))?;
    ld.canonical_form_of(&expanded)
        .map_err(|e| format!("no canonical form: {e}"))
}

async fn sign(unsigned: &str, out: &str, loader: ContextLoader) -> Result<(), String> {
    let text =
        std::fs::read_to_string(unsigned).map_err(|e| format!("cannot read {unsigned}: {e}"))?;
    let mut doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{unsigned} is not JSON: {e}"))?;
    let key = JWK::generate_ed25519().map_err(|e| format!("cannot make a key: {e}"))?;
    let method = DIDKey::generate_url(&key.to_public()).map_err(|e| format!("no did:key: {e}"))?;
    let did = method.did().to_string();
    // The issuer is the key's DID, as a string or as the `id` of a Profile object.
    match doc.get_mut("issuer") {
        Some(serde_json::Value::Object(profile)) => {
            profile.insert("id".into(), did.into());
        }
        _ => {
            doc["issuer"] = did.into();
        }
    }
    let vc: JsonCredential = serde_json::from_value(doc)
        .map_err(|e| format!("{unsigned} is not a VC 2.0 credential: {e}"))?;
    let environment = SignatureEnvironment {
        json_ld_loader: loader,
        eip712_loader: (),
    };
    let signed = AnySuite::EdDsaRdfc2022
        .sign_with(
            environment,
            vc,
            resolver(),
            SingleSecretSigner::new(key).into_local(),
            ProofOptions::from_method(method.into_iri().into()),
            Default::default(),
        )
        .await
        .map_err(|e| format!("cannot sign: {e}"))?;
    let json =
        serde_json::to_string_pretty(&signed).map_err(|e| format!("cannot serialize: {e}"))?;
    std::fs::write(out, json + "\n").map_err(|e| format!("cannot write {out}: {e}"))
}
