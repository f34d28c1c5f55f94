//! The `structure` check (VC Data Model 2.0 or 1.1 required members, base
//! context first, types, well-formed dates) and the `context` warnings
//! (contexts the verifier neither bundles nor was given: a JSON-LD processor
//! would drop their terms, while `eddsa-jcs-2022` signs the JSON as it is, so
//! this is no failure).

use microcred_core::credential::{Credential, DataModel};
use microcred_core::{Value, contexts, datetime, issuance};
use serde_json::Map;

use crate::report::Check;

/// Types whose terms the Open Badges 3.0 context defines.
const OB_TYPES: [&str; 3] = [
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
];

fn common(cred: &Credential<'_>, problems: &mut Vec<String>) {
    let map = cred.as_map();
    let base = || {
        format!(
            "@context must start with {} (VC 2.0) or {} (VC 1.1)",
            contexts::VC_V2,
            contexts::VC_V1
        )
    };
    match map.get("@context") {
        None => problems.push("@context is missing".into()),
        Some(Value::Array(a)) => {
            if cred.data_model().is_none() {
                problems.push(base());
            }
            if a.iter().any(|c| !c.is_string() && !c.is_object()) {
                problems.push("@context entries must be URLs or objects".into());
            }
        }
        Some(Value::String(_)) if cred.data_model().is_some() => {}
        Some(_) => problems.push(base()),
    }
    match map.get("type") {
        None => problems.push("type is missing".into()),
        Some(Value::String(_)) => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {}
        Some(_) => problems.push("type must be a string or an array of strings".into()),
    }
    if let Some(id) = map.get("id") {
        match id.as_str() {
            Some(s) if s.contains(':') => {}
            _ => problems.push("id must be a URL".into()),
        }
    }
}

/// Structure of a credential.
pub(crate) fn credential(cred: &Credential<'_>, checks: &mut Vec<Check>) {
    let map = cred.as_map();
    let mut problems = Vec::new();
    common(cred, &mut problems);
    if !cred.has_type("VerifiableCredential") {
        problems.push("type must include VerifiableCredential".to_owned());
    }
    match cred.issuer() {
        None => problems.push("issuer is missing".into()),
        Some(i) => match i.id {
            Some(id) if id.contains(':') => {}
            _ => problems.push("issuer must be a URL, or an object whose id is a URL".into()),
        },
    }
    match map.get("credentialSubject") {
        None => problems.push("credentialSubject is missing".into()),
        Some(Value::Object(_)) => {}
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_object) => {}
        Some(_) => {
            problems.push("credentialSubject must be an object or an array of objects".into())
        }
    }
    let v1 = cred.data_model() == Some(DataModel::V1_1);
    if v1 && !map.contains_key("issuanceDate") {
        problems.push("issuanceDate is missing (a VC 1.1 credential must have one)".into());
    }
    let dates: &[&str] = if v1 {
        &["issuanceDate", "expirationDate", "validFrom", "validUntil"]
    } else {
        &["validFrom", "validUntil"]
    };
    for &name in dates {
        if let Some(v) = map.get(name) {
            match v.as_str() {
                Some(s) if datetime::parse(s).is_ok() => {}
                _ => problems.push(format!(
                    "{name} {v} is not a date-time (e.g. 2025-03-01T00:00:00Z)"
                )),
            }
        }
    }
    // credentialStatus, like the other typed members, is checked by the issuer's rule.
    data_model_rules(map, &mut problems);
    push(checks, cred, "credential", &problems);
    context_warnings(cred, checks);
}

/// The VC Data Model 2.0 member rules an issuer applies before signing
/// (`microcred_core::issuance`), applied to what was signed: a credential that
/// breaks them is not well formed, whichever suite signed it.
fn data_model_rules(map: &Map<String, Value>, problems: &mut Vec<String>) {
    let mut ignored = Vec::new();
    let mut note = |r: Result<(), issuance::IssuanceError>| {
        if let Err(e) = r {
            problems.push(e.0);
        }
    };
    // Of a type that is not strings, `common` has said so already: once is enough.
    match map.get("type") {
        Some(t @ Value::String(_)) => note(issuance::check_type_values("type", t)),
        Some(t @ Value::Array(a)) if a.iter().all(Value::is_string) => {
            note(issuance::check_type_values("type", t));
        }
        _ => {}
    }
    if let Some(c) = map.get("@context") {
        note(issuance::check_inline_contexts(c));
    }
    for member in [
        "name",
        "description",
        "credentialStatus",
        "credentialSchema",
        "refreshService",
        "termsOfUse",
        "evidence",
        "relatedResource",
    ] {
        if let Some(v) = map.get(member) {
            note(issuance::check_member(member, v, &mut ignored));
        }
    }
    if let Some(Value::Object(issuer)) = map.get("issuer") {
        for member in ["name", "description"] {
            if let Some(v) = issuer.get(member) {
                note(issuance::check_text(&format!("issuer.{member}"), v));
            }
        }
    }
}

/// Structure of a presentation (its credentials are checked on their own).
pub(crate) fn presentation(cred: &Credential<'_>, checks: &mut Vec<Check>) {
    let map = cred.as_map();
    let mut problems = Vec::new();
    common(cred, &mut problems);
    if !cred.has_type("VerifiablePresentation") {
        problems.push("type must include VerifiablePresentation".to_owned());
    }
    if let Some(h) = map.get("holder") {
        let id = match h {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("id").and_then(Value::as_str),
            _ => None,
        };
        if !id.is_some_and(|s| s.contains(':')) {
            problems.push("holder must be a URL, or an object whose id is a URL".into());
        }
    }
    // A credential is an object, or a VC-JWT as a string (VC 1.1 §6.3.2).
    let entry = |v: &Value| match v {
        Value::Object(_) => true,
        Value::String(s) => {
            crate::format::sniff_bytes(s.as_bytes()) == Some(crate::format::Foreign::VcJwt)
        }
        _ => false,
    };
    match map.get("verifiableCredential") {
        None => {}
        Some(Value::Array(a)) if a.iter().all(entry) => {}
        Some(v) if !v.is_array() && entry(v) => {}
        Some(_) => problems.push(
            "verifiableCredential must be a credential (an object, or a VC-JWT string) or an \
             array of them"
                .into(),
        ),
    }
    push(checks, cred, "presentation", &problems);
    context_warnings(cred, checks);
}

fn push(checks: &mut Vec<Check>, cred: &Credential<'_>, what: &str, problems: &[String]) {
    let model = cred.data_model().map_or("VC", |m| m.label());
    checks.push(if problems.is_empty() {
        Check::pass("structure", format!("{model} {what}"))
    } else {
        Check::fail("structure", problems.join("; "))
    });
}

fn context_warnings(cred: &Credential<'_>, checks: &mut Vec<Check>) {
    let ctx = cred.contexts();
    for url in ctx.iter().skip(1) {
        match contexts::get(url) {
            None if contexts::supplied(url).is_some() => {}
            None => checks.push(
                Check::warn(
                    "context",
                    format!("context {url} is neither bundled with the verifier nor supplied (--context): JSON-LD processors may drop its terms (the signature covers the JSON as it is)"),
                )
                .with_value(*url),
            ),
            Some(c) if !c.production => checks.push(
                Check::warn(
                    "context",
                    format!("context {url} is meant for specification examples, not real credentials"),
                )
                .with_value(*url),
            ),
            Some(_) => {}
        }
    }
    if OB_TYPES.iter().any(|t| cred.has_type(t)) && !ctx.contains(&contexts::OB_V3P0) {
        let defined_elsewhere = ctx
            .iter()
            .any(|u| u.starts_with("https://purl.imsglobal.org/spec/ob/v3p0/"));
        if !defined_elsewhere {
            checks.push(Check::warn(
                "context",
                "an Open Badges type is used without the Open Badges 3.0 context",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The structure message of a credential built from the example with `edit`.
    fn message(edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut doc = serde_json::json!({
            "@context": [contexts::VC_V2],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:uni",
            "credentialSubject": {"name": "Ada"}
        });
        edit(doc.as_object_mut().expect("an object"));
        let cred = Credential::new(&doc).expect("a credential");
        let mut checks = Vec::new();
        credential(&cred, &mut checks);
        checks[0].message.clone()
    }

    #[test]
    fn each_problem_is_said_once() {
        assert_eq!(message(|_| {}), "VC 2.0 credential");
        // A status entry without a type: the data model's rule, once.
        let status = message(|m| {
            m.insert(
                "credentialStatus".into(),
                serde_json::json!({"id": "https://s.example/1#2"}),
            );
        });
        assert_eq!(
            status,
            "credentialStatus[0] must have a type (a string or an array of strings)"
        );
        // A type that is not strings: the form, once; a bad type string: its rule.
        let kinds = message(|m| {
            m.insert(
                "type".into(),
                serde_json::json!(["VerifiableCredential", 7]),
            );
        });
        assert_eq!(kinds, "type must be a string or an array of strings");
        let iri = message(|m| {
            m.insert(
                "type".into(),
                serde_json::json!(["VerifiableCredential", "https ://x#Y"]),
            );
        });
        assert_eq!(iri.matches("https ://x#Y").count(), 1, "{iri}");
    }
}
