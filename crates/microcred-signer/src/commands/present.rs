//! `microcred-sign present`: a learner wraps signed credentials in a W3C
//! VerifiablePresentation and signs it (`--suite`, default eddsa-jcs-2022 and eddsa-rdfc-2022;
//! proofPurpose `authentication`),
//! binding the verifier's challenge and domain when given.
//!
//! A VC-JWT credential file (the token, as `issue --format jwt` writes it) goes in
//! as VC Data Model 2.0 carries a secured credential in JSON: an
//! `EnvelopedVerifiableCredential` (`data:application/vc+jwt,<token>`). With
//! `--format jwt` the presentation is a VP-JWT (`microcred_core::vc_jwt::sign_presentation`)
//! and such a credential goes in as its token.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::{Value, datetime};
use serde_json::{Map, json};

use crate::cli::PresentArgs;
use crate::commands::issue::emit;
use crate::files;

pub(crate) fn run(args: &PresentArgs) -> anyhow::Result<()> {
    let (created, at) = match &args.created {
        Some(c) => (c.clone(), datetime::parse(c).context("--created")?),
        None => {
            let now = datetime::now();
            (datetime::format(now), now)
        }
    };
    let jwt = args.format == crate::cli::Format::Jwt;
    if jwt && args.suite.is_some() {
        bail!("--suite chooses a Data Integrity cryptosuite; a VP-JWT (--format jwt) has none");
    }
    for (flag, value) in [("--challenge", &args.challenge), ("--domain", &args.domain)] {
        if value.as_deref().is_some_and(str::is_empty) {
            bail!("{flag} is empty");
        }
    }
    // Credentials are read and checked before the key, so that a wrong file costs no
    // passphrase.
    let mut credentials = Vec::with_capacity(args.credentials.len());
    let mut ids: Vec<(String, &Path)> = Vec::new();
    for path in &args.credentials {
        let (entry, cred) =
            read_credential(path).with_context(|| format!("{}: cannot present", path.display()))?;
        if let Some(id) = cred.get("id").and_then(Value::as_str) {
            if let Some((_, first)) = ids.iter().find(|(seen, _)| seen == id) {
                bail!(
                    "{} and {} are the same credential ({id}): present it once",
                    first.display(),
                    path.display()
                );
            }
            ids.push((id.to_owned(), path));
        }
        credentials.push((path, entry, cred));
    }
    let key = files::load_key(&args.key, &args.passphrase.source())?;
    let holder = key.controller();
    let mut err = std::io::stderr();
    for (path, _, cred) in &credentials {
        for found in subject_mismatches(cred, &holder) {
            let found = found.as_deref().unwrap_or("absent");
            if args.allow_other_subject {
                writeln!(
                    err,
                    "microcred-sign: warning: {}: credentialSubject.id is {found}, not the holder {holder}; verifiers checking holder binding will reject it",
                    path.display()
                )?;
            } else {
                bail!(
                    "{}: credentialSubject.id is {found}, not the holder {holder} (the key's DID); pass --allow-other-subject to present it anyway",
                    path.display()
                );
            }
        }
    }
    // In a VP-JWT a VC-JWT goes in as its token (the VC 1.1 JWT encoding's way).
    let entries: Vec<Value> = credentials
        .into_iter()
        .map(|(_, e, _)| match enveloped_token(&e) {
            Some(token) if jwt => token.into(),
            _ => e,
        })
        .collect();
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": microcred_core::issuance::new_credential_id()?,
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": entries,
    });
    if jwt {
        let token = microcred_core::vc_jwt::sign_presentation(
            &vp,
            &key.secret,
            &key.verification_method(),
            at,
            args.challenge.as_deref(),
            args.domain.as_deref(),
        )?;
        let text = format!("{token}\n");
        return match args.out.as_deref() {
            Some(path) => Ok(files::write_atomic(
                path,
                text.as_bytes(),
                args.force,
                0o644,
            )?),
            None => Ok(std::io::stdout().write_all(text.as_bytes())?),
        };
    }
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::Authentication);
    options.created = Some(created);
    options.challenge.clone_from(&args.challenge);
    options.domain.clone_from(&args.domain);
    let signed = crate::suite::sign(&vp, &key.secret, &options, args.suite)?;
    emit(&signed, args.out.as_deref(), args.force)
}

/// A credential file: what the presentation carries (the credential, or a VC-JWT's
/// envelope) and the credential itself (a VC-JWT's, from its claims), checked with
/// [`check_credential`].
fn read_credential(path: &Path) -> anyhow::Result<(Value, Value)> {
    use microcred_verifier::format::{Foreign, sniff_bytes};
    let bytes = files::read_bounded(path, microcred_core::json::Limits::DEFAULT.max_bytes)?;
    if sniff_bytes(&bytes) == Some(Foreign::VcJwt) {
        let text = std::str::from_utf8(bytes.trim_ascii()).context("not UTF-8")?;
        let token = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let cred = jwt_credential(token)?;
        let entry = json!({
            "@context": "https://www.w3.org/ns/credentials/v2",
            "id": format!("data:application/vc+jwt,{token}"),
            "type": "EnvelopedVerifiableCredential",
        });
        return Ok((entry, cred));
    }
    let doc = microcred_core::json::parse(&bytes).map_err(|source| files::FileError::Json {
        path: path.to_owned(),
        source,
    })?;
    // A VC-JWT already in its envelope: carried as it is.
    let enveloped = doc
        .get("type")
        .is_some_and(|t| t.as_str() == Some("EnvelopedVerifiableCredential"));
    if enveloped {
        let token = doc
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| id.strip_prefix("data:application/vc+jwt,"))
            .context("an EnvelopedVerifiableCredential is presented only when it holds a VC-JWT (id data:application/vc+jwt,…)")?;
        let cred = jwt_credential(token)?;
        return Ok((doc, cred));
    }
    check_credential(&doc, true)?;
    Ok((doc.clone(), doc))
}

/// The token of an `EnvelopedVerifiableCredential` holding a VC-JWT.
fn enveloped_token(entry: &Value) -> Option<&str> {
    if entry.get("type").and_then(Value::as_str) != Some("EnvelopedVerifiableCredential") {
        return None;
    }
    entry
        .get("id")
        .and_then(Value::as_str)?
        .strip_prefix("data:application/vc+jwt,")
}

/// The credential of a VC-JWT, checked as [`check_credential`] does (the JWS is its
/// proof).
fn jwt_credential(token: &str) -> anyhow::Result<Value> {
    let cred = microcred_verifier::jwt::credential(token.as_bytes())
        .context("the VC-JWT cannot be read")?;
    check_credential(&cred, false)?;
    Ok(cred)
}

/// A credential worth presenting: an object typed `VerifiableCredential` that carries a
/// proof when `needs_proof` (whether the proof verifies is the verifier's job: it may need
/// a trust list).
fn check_credential(cred: &Value, needs_proof: bool) -> anyhow::Result<()> {
    let Value::Object(map) = cred else {
        bail!("a credential must be a JSON object");
    };
    let types = match map.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    };
    if types.contains(&"VerifiablePresentation") {
        bail!("this is a presentation; give the credential files it was made from");
    }
    if !types.contains(&"VerifiableCredential") {
        bail!("type must include \"VerifiableCredential\"");
    }
    let signed = match map.get("proof") {
        Some(Value::Object(p)) => is_proof(p),
        Some(Value::Array(a)) => {
            !a.is_empty() && a.iter().all(|p| p.as_object().is_some_and(is_proof))
        }
        _ => false,
    };
    if needs_proof && !signed {
        bail!("the credential carries no proof: only signed credentials can be presented");
    }
    if map.get("credentialSubject").is_none() {
        bail!("credentialSubject is missing");
    }
    Ok(())
}

fn is_proof(p: &Map<String, Value>) -> bool {
    p.get("proofValue").and_then(Value::as_str).is_some()
}

/// The subject ids that are not `holder` (`None` for a subject without id).
fn subject_mismatches(cred: &Value, holder: &str) -> Vec<Option<String>> {
    let subjects: Vec<&Value> = match cred.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    subjects
        .into_iter()
        .map(|s| s.get("id").and_then(Value::as_str))
        .filter(|id| *id != Some(holder))
        .map(|id| id.map(str::to_owned))
        .collect()
}
