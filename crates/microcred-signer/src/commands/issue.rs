//! `microcred-sign issue`: fill what the registrar should not type, check the framework
//! profiles asked for, sign.
//!
//! The issuer rule (also in `docs/registrar-guide.md`), with C the key's controller DID:
//!
//! | `issuer` in the input            | what is signed                                         |
//! |----------------------------------|--------------------------------------------------------|
//! | absent                           | `C` (an object `{id: C, name}` with `--issuer-name`)   |
//! | `C`, or an object whose id is C  | kept                                                   |
//! | an object without `id`           | `id` set to C, its other members kept                  |
//! | another id (string or object)    | kept, with a warning: verifiers will reject it;        |
//! |                                  | `--set-issuer` replaces the id (warning names the old) |
//! | anything else                    | error                                                  |
//!
//! `--issuer-name` sets `issuer.name` in every case (a string issuer becomes an object).
//! A different id is signed as it is by default because that is what reproducing
//! specification examples needs, and because silently changing an identity someone
//! wrote is worse than saying so.

use std::io::Write as _;

use anyhow::{Context as _, bail};
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::{Value, datetime};
use serde_json::Map;

use crate::cli::IssueArgs;
use crate::files;

/// The VC 2.0 base context, which must come first.
const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";

/// What `fill` adds to an unsigned credential.
#[derive(Debug, Clone)]
pub(crate) struct Fill<'a> {
    /// The signing key's controller DID.
    pub(crate) controller: &'a str,
    /// `--issuer-name`.
    pub(crate) issuer_name: Option<&'a str>,
    /// `--set-issuer`.
    pub(crate) set_issuer: bool,
    /// `validFrom` when absent (RFC 3339).
    pub(crate) valid_from: &'a str,
}

pub(crate) fn run(args: &IssueArgs) -> anyhow::Result<()> {
    let (created, at) = match &args.created {
        Some(c) => (c.clone(), datetime::parse(c).context("--created")?),
        None => {
            let now = datetime::now();
            (datetime::format(now), now)
        }
    };
    // Profiles are loaded before the key, so that a typo costs no passphrase.
    let profiles = crate::profiles::load(&args.profile)?;
    let key = files::load_key(&args.key, &args.passphrase.source())?;
    let mut doc = files::read_json(&args.input)?;
    let controller = key.controller();
    let fill = Fill {
        controller: &controller,
        issuer_name: args.issuer_name.as_deref(),
        set_issuer: args.set_issuer,
        valid_from: &created,
    };
    let mut warnings = Vec::new();
    prepare(&mut doc, &fill, &mut warnings)
        .with_context(|| format!("{}: cannot issue", args.input.display()))?;
    let mut err = std::io::stderr();
    for w in &warnings {
        writeln!(err, "microcred-sign: warning: {w}")?;
    }
    crate::profiles::enforce(&profiles, &doc, at, args.allow_noncompliant, &mut err)?;
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    options.created = Some(created);
    // With a ledger: recorded as pending (id, status index) before signing,
    // marked issued once written.
    let pending = match &args.ledger {
        Some(path) => Some(super::issue_ledger::reserve(
            path,
            &mut doc,
            &key,
            &args.input,
            options.created.as_deref().unwrap_or_default(),
        )?),
        None => None,
    };
    let suite = args
        .suite
        .unwrap_or_else(|| crate::suite::Suite::default_for(&doc));
    let signed = crate::suite::sign(&doc, &key.secret, &options, suite)?;
    emit(&signed, args.out.as_deref(), args.force)?;
    match pending {
        Some(pending) => pending.finish(&signed),
        None => Ok(()),
    }
}

/// Checks an unsigned credential's frame and fills `issuer`, `id` and `validFrom` (see
/// the module documentation). Warnings (not errors) are pushed to `warnings`.
///
/// # Errors
/// When the document is not an unsigned VC 2.0 credential, or a member to fill holds a
/// value of the wrong kind.
pub(crate) fn prepare(
    doc: &mut Value,
    fill: &Fill<'_>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<()> {
    let Value::Object(map) = doc else {
        bail!("a credential must be a JSON object");
    };
    check_frame(map)?;
    fill_issuer(map, fill, warnings)?;
    match map.get("id") {
        None => {
            let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
            insert_after(map, &["@context"], "id", id.into());
        }
        Some(Value::String(_)) => {}
        Some(_) => bail!("id must be a string (a URL such as urn:uuid:…)"),
    }
    if !map.contains_key("validFrom") {
        insert_after(map, &["issuer"], "validFrom", fill.valid_from.into());
    }
    for member in ["validFrom", "validUntil"] {
        if let Some(v) = map.get(member) {
            let s = v
                .as_str()
                .with_context(|| format!("{member} must be a date-time string"))?;
            datetime::parse(s).context(member)?;
        }
    }
    Ok(())
}

/// The members without which a document is not an unsigned VC 2.0 credential.
fn check_frame(map: &Map<String, Value>) -> anyhow::Result<()> {
    let first_context = match map.get("@context") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        _ => None,
    };
    if first_context != Some(VC_V2) {
        bail!("@context must be an array whose first entry is {VC_V2:?} (VC Data Model 2.0)");
    }
    let is_vc = match map.get("type") {
        Some(Value::String(t)) => t == "VerifiableCredential",
        Some(Value::Array(a)) => a.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    if !is_vc {
        bail!("type must include \"VerifiableCredential\"");
    }
    if !map.contains_key("credentialSubject") {
        bail!("credentialSubject is missing");
    }
    if map.contains_key("proof") {
        bail!(
            "the credential already carries a proof: issue signs unsigned credentials (filling id, issuer or validFrom would break that proof)"
        );
    }
    Ok(())
}

fn fill_issuer(
    map: &mut Map<String, Value>,
    fill: &Fill<'_>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<()> {
    let controller = fill.controller;
    let mismatch = |found: &str| {
        format!(
            "issuer {found} is not the key's controller {controller}; verifiers will report the issuer as not matching the signing key (pass --set-issuer to replace it)"
        )
    };
    let replaced = |found: &str| {
        format!("issuer {found} replaced by the key's controller {controller} (--set-issuer)")
    };
    let open_badge = is_open_badge(map);
    match map.get_mut("issuer") {
        None => {
            let issuer = match fill.issuer_name {
                Some(name) => issuer_object(controller, name, open_badge),
                None => controller.into(),
            };
            insert_after(map, &["name", "type", "id", "@context"], "issuer", issuer);
            return Ok(());
        }
        Some(Value::String(id)) => {
            if id != controller {
                if fill.set_issuer {
                    warnings.push(replaced(id));
                    *id = controller.to_owned();
                } else {
                    warnings.push(mismatch(id));
                }
            }
            if let Some(name) = fill.issuer_name {
                let id = id.clone();
                if let Some(slot) = map.get_mut("issuer") {
                    *slot = issuer_object(&id, name, open_badge);
                }
            }
        }
        Some(Value::Object(obj)) => {
            match obj.get("id") {
                None => {
                    let rest = std::mem::take(obj);
                    obj.insert("id".into(), controller.into());
                    obj.extend(rest);
                }
                Some(Value::String(id)) if id == controller => {}
                Some(Value::String(id)) => {
                    if fill.set_issuer {
                        warnings.push(replaced(id));
                        obj.insert("id".into(), controller.into());
                    } else {
                        warnings.push(mismatch(id));
                    }
                }
                Some(_) => bail!("issuer.id must be a string (a DID)"),
            }
            if let Some(name) = fill.issuer_name {
                obj.insert("name".into(), name.into());
            }
        }
        Some(_) => bail!("issuer must be a DID string or an object with an id"),
    }
    Ok(())
}

/// Open Badges 3.0 requires the issuer to be a `Profile` object.
fn is_open_badge(map: &Map<String, Value>) -> bool {
    let types = match map.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    };
    types
        .iter()
        .any(|t| *t == "OpenBadgeCredential" || *t == "AchievementCredential")
}

fn issuer_object(id: &str, name: &str, open_badge: bool) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), id.into());
    if open_badge {
        obj.insert("type".into(), Value::Array(vec!["Profile".into()]));
    }
    obj.insert("name".into(), name.into());
    Value::Object(obj)
}

/// Inserts `key` after the first of `anchors` present (else at the end), so that filled
/// members sit where a person would write them. Cosmetic: JCS sorts members anyway.
fn insert_after(map: &mut Map<String, Value>, anchors: &[&str], key: &str, value: Value) {
    let anchor = anchors.iter().find(|a| map.contains_key(**a));
    let mut out = Map::with_capacity(map.len() + 1);
    let mut value = Some(value);
    for (k, v) in std::mem::take(map) {
        let here = anchor.is_some_and(|a| *a == k);
        out.insert(k, v);
        if here {
            if let Some(v) = value.take() {
                out.insert(key.to_owned(), v);
            }
        }
    }
    if let Some(v) = value {
        out.insert(key.to_owned(), v);
    }
    *map = out;
}

/// Writes a JSON document, pretty-printed, to `out` (atomically) or stdout.
pub(crate) fn emit(doc: &Value, out: Option<&std::path::Path>, force: bool) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(doc)?;
    text.push('\n');
    match out {
        Some(path) => files::write_atomic(path, text.as_bytes(), force, 0o644),
        None => Ok(std::io::stdout().write_all(text.as_bytes())?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "did:key:z6MkController";

    fn base() -> Value {
        serde_json::json!({
            "@context": [VC_V2],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:learner"}
        })
    }

    fn fill(name: Option<&'static str>, set: bool) -> Fill<'static> {
        Fill {
            controller: C,
            issuer_name: name,
            set_issuer: set,
            valid_from: "2025-01-01T00:00:00Z",
        }
    }

    #[test]
    fn fills_absent_members_in_place() {
        let mut doc = base();
        let mut w = Vec::new();
        prepare(&mut doc, &fill(None, false), &mut w).unwrap();
        assert!(w.is_empty());
        assert_eq!(doc["issuer"], C);
        assert_eq!(doc["validFrom"], "2025-01-01T00:00:00Z");
        let id = doc["id"].as_str().unwrap();
        assert!(id.starts_with("urn:uuid:") && id.len() == 45, "{id}");
        let keys: Vec<_> = doc.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "@context",
                "id",
                "type",
                "issuer",
                "validFrom",
                "credentialSubject"
            ]
        );
    }

    #[test]
    fn issuer_rule() {
        // A different string is kept (warned) unless --set-issuer.
        let mut doc = base();
        doc["issuer"] = "https://other.example".into();
        let mut w = Vec::new();
        prepare(&mut doc, &fill(None, false), &mut w).unwrap();
        assert_eq!(doc["issuer"], "https://other.example");
        assert!(w[0].contains("is not the key's controller"), "{w:?}");
        let mut doc = base();
        doc["issuer"] = "https://other.example".into();
        let mut w = Vec::new();
        prepare(&mut doc, &fill(Some("Uni"), true), &mut w).unwrap();
        assert_eq!(doc["issuer"], serde_json::json!({"id": C, "name": "Uni"}));
        assert!(w[0].contains("replaced"), "{w:?}");
        // An object without id gets one, first; its members stay.
        let mut doc = base();
        doc["type"] = serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"]);
        doc["issuer"] = serde_json::json!({"type": ["Profile"], "name": "Old"});
        let mut w = Vec::new();
        prepare(&mut doc, &fill(Some("New"), false), &mut w).unwrap();
        assert!(w.is_empty());
        assert_eq!(
            serde_json::to_string(&doc["issuer"]).unwrap(),
            format!(r#"{{"id":"{C}","type":["Profile"],"name":"New"}}"#)
        );
        // An object with another id: warned, or replaced with --set-issuer.
        let mut doc = base();
        doc["issuer"] = serde_json::json!({"id": "did:example:old", "url": "https://u"});
        let mut w = Vec::new();
        prepare(&mut doc, &fill(None, true), &mut w).unwrap();
        assert_eq!(doc["issuer"]["id"], C);
        assert_eq!(doc["issuer"]["url"], "https://u");
        assert!(w[0].contains("did:example:old"), "{w:?}");
        // Absent with a name on an Open Badge: a Profile object.
        let mut doc = base();
        doc["type"] = serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"]);
        prepare(&mut doc, &fill(Some("Uni"), false), &mut Vec::new()).unwrap();
        assert_eq!(
            doc["issuer"],
            serde_json::json!({"id": C, "type": ["Profile"], "name": "Uni"})
        );
    }

    #[test]
    fn bad_frames_are_named() {
        for (mutate, says) in [
            (serde_json::json!({"issuer": 3}), "issuer must be"),
            (
                serde_json::json!({"issuer": {"id": 3}}),
                "issuer.id must be",
            ),
            (serde_json::json!({"id": 3}), "id must be a string"),
            (serde_json::json!({"validFrom": "yesterday"}), "validFrom"),
            (serde_json::json!({"@context": ["x"]}), "@context must be"),
            (
                serde_json::json!({"type": ["Other"]}),
                "VerifiableCredential",
            ),
            (serde_json::json!({"proof": {}}), "already carries a proof"),
        ] {
            let mut doc = base();
            for (k, v) in mutate.as_object().unwrap() {
                doc[k] = v.clone();
            }
            let err = prepare(&mut doc, &fill(None, false), &mut Vec::new()).unwrap_err();
            assert!(format!("{err:#}").contains(says), "{mutate}: {err:#}");
        }
    }
}
