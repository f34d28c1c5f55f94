//! What an issuer owes its users before signing: the checks an unsigned VC 2.0
//! credential must pass, and (feature `signing`) filling the members a
//! registrar should not type (`id`, `issuer`, `validFrom`).
//!
//! A VC 1.1 credential (`@context` starting with
//! `https://www.w3.org/2018/credentials/v1`, as W3C's conformance suites and
//! many wallets still send) is held to the same rules with its own dates:
//! `issuanceDate` is filled instead of `validFrom`, `expirationDate` is checked
//! as `validUntil` is, and the Data Integrity context
//! (`https://w3id.org/security/data-integrity/v2`) is appended to its
//! `@context` when neither Data Integrity context is there, because VC 1.1's
//! context does not define `DataIntegrityProof` (Digital Bazaar's issuers do
//! the same).
//!
//! `microcred-sign issue` and `microcred-server`'s `POST /credentials/issue`
//! both call [`prepare`], so the command line and the service accept and
//! refuse exactly the same credentials, with the same reasons.
//!
//! The issuer rule, with C the signing key's controller DID:
//!
//! | `issuer` in the input            | what is signed                                         |
//! |----------------------------------|--------------------------------------------------------|
//! | absent                           | `C` (an object `{id: C, name}` with an issuer name)    |
//! | `C`, or an object whose id is C  | kept                                                   |
//! | an object without `id`           | `id` set to C, its other members kept                  |
//! | another id (string or object)    | kept, with a warning: verifiers will reject it;        |
//! |                                  | `set_issuer` replaces the id (warning names the old)   |
//! | anything else                    | error                                                  |
//!
//! A service signing on request, with no one to read a warning, adds
//! [`require_own_issuer`] after [`prepare`]: another id is then refused.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use crate::{contexts, datetime, multibase};

/// The VC 2.0 base context, which must come first.
const VC_V2: &str = contexts::VC_V2;
/// The VC 1.1 base context, which may come first instead.
const VC_V1: &str = contexts::VC_V1;

/// Whether the credential's `@context` starts with the VC 1.1 base context.
fn is_v1(map: &Map<String, Value>) -> bool {
    map.get("@context")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        == Some(VC_V1)
}

/// Members whose objects must say what they are with `type` (VC Data Model 2.0 §4).
const TYPED_MEMBERS: [&str; 5] = [
    "credentialStatus",
    "credentialSchema",
    "refreshService",
    "termsOfUse",
    "evidence",
];

/// Why a credential cannot be issued; the message names the member and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IssuanceError(pub String);

macro_rules! refuse {
    ($($arg:tt)*) => { return Err(IssuanceError(format!($($arg)*))) };
}

/// What [`prepare`] adds to an unsigned credential.
#[cfg(feature = "signing")]
#[derive(Debug, Clone)]
pub struct Fill<'a> {
    /// The signing key's controller DID.
    pub controller: &'a str,
    /// The issuer's name to set (`issuer.name`); a string issuer becomes an object.
    pub issuer_name: Option<&'a str>,
    /// Replace an issuer id other than the controller (with a warning naming it).
    pub set_issuer: bool,
    /// `validFrom` when absent (RFC 3339).
    pub valid_from: &'a str,
}

/// Checks an unsigned credential (see [`validate`]) and fills `issuer`, `id`
/// and `validFrom` (see the module documentation). Warnings (not errors) are
/// pushed to `warnings`. A `@context` naming the unpublished
/// `https://w3id.org/microcred/v1` gets the inline context object instead
/// ([`crate::microcred_context::replace_legacy_url`]), with a warning.
///
/// # Errors
/// When the document is not an unsigned VC 2.0 credential this toolkit may
/// sign, or a member holds a value of the wrong kind.
#[cfg(feature = "signing")]
pub fn prepare(
    doc: &mut Value,
    fill: &Fill<'_>,
    warnings: &mut Vec<String>,
) -> Result<(), IssuanceError> {
    if crate::microcred_context::replace_legacy_url(doc) {
        warnings.push(crate::microcred_context::LEGACY_REPLACED.into());
    }
    let Value::Object(map) = doc else {
        refuse!("a credential must be a JSON object");
    };
    check_frame(map)?;
    fill_issuer(map, fill, warnings)?;
    match map.get("id") {
        None => {
            let id = new_credential_id()?;
            insert_after(map, &["@context"], "id", id.into());
        }
        Some(Value::String(_)) => {}
        Some(_) => refuse!("id must be a string (a URL such as urn:uuid:…)"),
    }
    if is_v1(map) {
        if !map.contains_key("issuanceDate") {
            insert_after(map, &["issuer"], "issuanceDate", fill.valid_from.into());
        }
        add_data_integrity_context(map);
    } else if !map.contains_key("validFrom") {
        insert_after(map, &["issuer"], "validFrom", fill.valid_from.into());
    }
    check_members(map, warnings)
}

/// Checks an unsigned credential as it would be signed, without filling
/// anything: the VC 2.0 frame (`@context`, `type`, `credentialSubject`, no
/// proof yet) and the member rules of the module documentation. Warnings are pushed to
/// `warnings`.
///
/// The rules are exactly [`check_required`], [`check_member`] on each member of
/// [`CHECKED_MEMBERS`] present, and [`check_validity_period`]: a caller that
/// checks parts of many similar documents (batch issuance checks a template
/// once and per row only the values that change) applies the same functions.
///
/// # Errors
/// The first problem found, naming the member.
pub fn validate(doc: &Value, warnings: &mut Vec<String>) -> Result<(), IssuanceError> {
    let Value::Object(map) = doc else {
        refuse!("a credential must be a JSON object");
    };
    check_frame(map)?;
    check_members(map, warnings)
}

/// A VC 1.1 credential's `@context` without a Data Integrity context gets the
/// v2 one appended (see the module documentation).
#[cfg(feature = "signing")]
fn add_data_integrity_context(map: &mut Map<String, Value>) {
    if let Some(Value::Array(ctx)) = map.get_mut("@context") {
        let has = ctx.iter().any(|c| {
            c.as_str().is_some_and(|u| {
                u == contexts::DATA_INTEGRITY_V1 || u == contexts::DATA_INTEGRITY_V2
            })
        });
        if !has {
            ctx.push(contexts::DATA_INTEGRITY_V2.into());
        }
    }
}

/// The members [`check_member`] has rules for, in the order [`validate`]
/// checks them; no rule reads any other member.
pub const CHECKED_MEMBERS: [&str; 17] = [
    "@context",
    "type",
    "id",
    "name",
    "description",
    "issuer",
    "credentialSubject",
    "validFrom",
    "validUntil",
    "issuanceDate",
    "expirationDate",
    TYPED_MEMBERS[0],
    TYPED_MEMBERS[1],
    TYPED_MEMBERS[2],
    TYPED_MEMBERS[3],
    TYPED_MEMBERS[4],
    "relatedResource",
];

/// The members without which a document is not an unsigned VC 2.0 credential
/// (checked before anything is filled).
fn check_frame(map: &Map<String, Value>) -> Result<(), IssuanceError> {
    match map.get("@context") {
        Some(v) => check_member("@context", v, &mut Vec::new())?,
        None => refuse!("{}", context_rule()),
    }
    match map.get("type") {
        Some(v) => check_member("type", v, &mut Vec::new())?,
        None => refuse!("type must include \"VerifiableCredential\""),
    }
    if !map.contains_key("credentialSubject") {
        refuse!("credentialSubject is missing");
    }
    check_no_proof(map)
}

fn check_no_proof(map: &Map<String, Value>) -> Result<(), IssuanceError> {
    if map.contains_key("proof") {
        refuse!(
            "the credential already carries a proof: issue signs unsigned credentials (filling id, issuer or validFrom would break that proof)"
        );
    }
    Ok(())
}

fn context_rule() -> String {
    format!(
        "@context must be an array whose first entry is {VC_V2:?} (VC Data Model 2.0) or {VC_V1:?} (VC Data Model 1.1)"
    )
}

/// The rules on which members a credential has, whatever their values:
/// `@context`, `type`, `issuer` and `credentialSubject` present, no `proof`.
///
/// # Errors
/// The first member missing (or the proof present).
pub fn check_required(map: &Map<String, Value>) -> Result<(), IssuanceError> {
    if !map.contains_key("@context") {
        refuse!("{}", context_rule());
    }
    if !map.contains_key("type") {
        refuse!("type must include \"VerifiableCredential\"");
    }
    if !map.contains_key("credentialSubject") {
        refuse!("credentialSubject is missing");
    }
    if !map.contains_key("issuer") {
        refuse!("issuer is missing");
    }
    check_no_proof(map)
}

/// [`check_required`], each member of [`CHECKED_MEMBERS`], the validity period.
fn check_members(
    map: &Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<(), IssuanceError> {
    check_required(map)?;
    for member in CHECKED_MEMBERS {
        if let Some(value) = map.get(member) {
            check_member(member, value, warnings)?;
        }
    }
    check_validity_period(map.get("validFrom"), map.get("validUntil"))?;
    if is_v1(map) {
        if !map.contains_key("issuanceDate") {
            refuse!("issuanceDate is missing (a VC 1.1 credential must have one)");
        }
        check_period(
            ("issuanceDate", map.get("issuanceDate")),
            ("expirationDate", map.get("expirationDate")),
        )?;
    }
    Ok(())
}

/// The VC Data Model 2.0 rules an issuer checks on one member of a credential,
/// from its value alone: `@context` entries (the base context first, no inline
/// context redefining a protected term of a context before it), `type` values
/// (one of them `VerifiableCredential`; a value with a `:` an absolute IRI),
/// `id` and `issuer` URLs, `name` and `description` (of the credential and of
/// the issuer) strings or language value objects,
/// `credentialSubject` objects, `validFrom`/`validUntil` format, `type` on
/// `credentialStatus`, `credentialSchema`, `refreshService`, `termsOfUse` and
/// `evidence`, and `relatedResource` digests of the bundled contexts. A member
/// not in [`CHECKED_MEMBERS`] passes.
///
/// Within `credentialSubject` only the shape (a non-empty object, or a
/// non-empty array of them) and each subject's `id` ([`check_subject_id`]) are
/// read; nothing deeper.
///
/// # Errors
/// The first problem found, naming the member.
pub fn check_member(
    name: &str,
    value: &Value,
    warnings: &mut Vec<String>,
) -> Result<(), IssuanceError> {
    match name {
        "@context" => check_context(value),
        "type" => check_type(value),
        "id" => match value {
            Value::String(id) if is_url(id) => Ok(()),
            Value::String(id) => refuse!("id {id:?} is not a URL (e.g. urn:uuid:… or https://…)"),
            _ => refuse!("id must be a string (a URL such as urn:uuid:…)"),
        },
        "name" | "description" => check_text(name, value),
        "issuer" => check_issuer(value),
        "credentialSubject" => check_subjects(value),
        "validFrom" | "validUntil" | "issuanceDate" | "expirationDate" => {
            check_date(name, value).map(|_| ())
        }
        "relatedResource" => check_related_resources(value, warnings),
        _ if TYPED_MEMBERS.contains(&name) => check_typed(name, value),
        _ => Ok(()),
    }
}

fn check_context(value: &Value) -> Result<(), IssuanceError> {
    let Value::Array(ctx) = value else {
        refuse!("{}", context_rule());
    };
    let Some(base @ (VC_V2 | VC_V1)) = ctx.first().and_then(Value::as_str) else {
        refuse!("{}", context_rule());
    };
    for (i, entry) in ctx.iter().enumerate().skip(1) {
        match entry {
            Value::String(url) if is_url(url) => {}
            Value::Object(_) => {}
            other => refuse!(
                "@context[{i}] must be a URL or a context object, found {}",
                short(other)
            ),
        }
        if let Some(url @ (VC_V2 | VC_V1)) = entry.as_str() {
            if url == base {
                refuse!("@context[{i}]: the base context {url:?} may only come first");
            }
            refuse!("@context[{i}]: {url:?} is a base context, and {base:?} already comes first");
        }
        if let Value::Object(inline) = entry {
            check_protected_terms(i, inline, &ctx[..i])?;
        }
    }
    Ok(())
}

/// The inline context objects of an `@context` array, each against the
/// protected bundled contexts listed before it (see [`check_member`]); a
/// verifier applies this to a signed credential as the issuer does before
/// signing.
///
/// # Errors
/// The first inline context redefining a protected term, naming both.
pub fn check_inline_contexts(value: &Value) -> Result<(), IssuanceError> {
    if let Value::Array(ctx) = value {
        for (i, entry) in ctx.iter().enumerate() {
            if let Value::Object(inline) = entry {
                check_protected_terms(i, inline, &ctx[..i])?;
            }
        }
    }
    Ok(())
}

/// An inline context may not redefine a term that a protected bundled context
/// before it defines (JSON-LD 1.1 §4.1.11, as VC Data Model 2.0 §4.3 relies
/// on: `@protected` is what keeps `issuer` meaning issuer). A JSON-LD processor
/// refuses such a document; the check here makes `eddsa-jcs-2022`, which signs
/// the JSON as it is, refuse it too. An identical definition is allowed.
fn check_protected_terms(
    at: usize,
    inline: &Map<String, Value>,
    before: &[Value],
) -> Result<(), IssuanceError> {
    for url in before.iter().filter_map(Value::as_str) {
        let Some(doc) = contexts::get(url).and_then(|c| c.document()) else {
            continue;
        };
        let Some(Value::Object(terms)) = doc.get("@context") else {
            continue;
        };
        if terms.get("@protected") != Some(&Value::Bool(true)) {
            continue;
        }
        for (term, definition) in inline {
            if term.starts_with('@') {
                continue;
            }
            if let Some(protected) = terms.get(term) {
                if protected != definition {
                    refuse!(
                        "@context[{at}] redefines {term:?}, a protected term of {url} (VC Data Model 2.0 §4.3: a JSON-LD processor refuses this)"
                    );
                }
            }
        }
    }
    Ok(())
}

fn check_type(value: &Value) -> Result<(), IssuanceError> {
    let is_vc = match value {
        Value::String(t) => t == "VerifiableCredential",
        Value::Array(a) => a.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    if !is_vc {
        refuse!("type must include \"VerifiableCredential\"");
    }
    check_type_values("type", value)
}

/// The `type` values of a node (VC Data Model 2.0 §4.5): non-empty strings, each a
/// term or, when it has a `:`, an absolute IRI (`"https ://x#T"` is neither, and a
/// JSON-LD processor would refuse or drop it, so an `eddsa-jcs-2022` signature
/// must not cover it either).
///
/// # Errors
/// The first value that is neither, naming `member` and its position.
pub fn check_type_values(member: &str, value: &Value) -> Result<(), IssuanceError> {
    let values: Vec<&Value> = match value {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    for (i, t) in values.iter().enumerate() {
        let at = if value.is_array() {
            format!("{member}[{i}]")
        } else {
            member.to_owned()
        };
        match t.as_str() {
            Some(s) if s.is_empty() || s.trim() != s => {
                refuse!("{at} must be a term or an absolute IRI, found {}", short(t))
            }
            Some(s) if s.contains(':') && !is_url(s) => {
                refuse!("{at} {s:?} is neither a term nor an absolute IRI (VC Data Model 2.0 §4.5)")
            }
            Some(_) => {}
            None => refuse!("{at} must be a non-empty string, found {}", short(t)),
        }
    }
    Ok(())
}

/// `name` and `description` (VC Data Model 2.0 §4.6): a string, a language
/// value object (`@value` with `@language` and/or `@direction`, nothing else),
/// or a non-empty array of them.
///
/// # Errors
/// The first value of another kind, naming `member`.
pub fn check_text(member: &str, value: &Value) -> Result<(), IssuanceError> {
    let values: Vec<&Value> = match value {
        Value::Array(a) if a.is_empty() => refuse!("{member} must not be an empty array"),
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    for v in values {
        match v {
            Value::String(_) => {}
            Value::Object(o) => {
                if !o.get("@value").is_some_and(Value::is_string) {
                    refuse!(
                        "{member}: a language value object needs a string @value, found {}",
                        short(v)
                    );
                }
                if let Some(k) = o
                    .keys()
                    .find(|k| !matches!(k.as_str(), "@value" | "@language" | "@direction"))
                {
                    refuse!(
                        "{member}: a language value object has only @value, @language and @direction, found {k:?}"
                    );
                }
                if o.get("@language").is_some_and(|l| !l.is_string()) {
                    refuse!("{member}: @language must be a string (a BCP 47 tag such as \"fr\")");
                }
                if o.get("@direction")
                    .is_some_and(|d| d != "ltr" && d != "rtl")
                {
                    refuse!("{member}: @direction must be \"ltr\" or \"rtl\"");
                }
            }
            other => refuse!(
                "{member} must be a string or a language value object ({{\"@value\": …, \"@language\": …}}), found {}",
                short(other)
            ),
        }
    }
    Ok(())
}

fn check_issuer(value: &Value) -> Result<(), IssuanceError> {
    match value {
        Value::String(id) if is_url(id) => Ok(()),
        Value::String(id) => refuse!("issuer {id:?} is not a URL (a DID or https://…)"),
        Value::Object(obj) => match obj.get("id") {
            Some(Value::String(id)) if is_url(id) => {
                for member in ["name", "description"] {
                    if let Some(v) = obj.get(member) {
                        check_text(&format!("issuer.{member}"), v)?;
                    }
                }
                Ok(())
            }
            Some(Value::String(id)) => {
                refuse!("issuer.id {id:?} is not a URL (a DID or https://…)")
            }
            Some(_) => refuse!("issuer.id must be a string (a DID)"),
            None => refuse!("issuer is an object without an id: it must have an id URL"),
        },
        _ => refuse!("issuer must be a DID string or an object with an id"),
    }
}

fn check_subjects(value: &Value) -> Result<(), IssuanceError> {
    let subjects: Vec<&Value> = match value {
        Value::Array(a) if a.is_empty() => {
            refuse!("credentialSubject must not be an empty array")
        }
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    for s in subjects {
        match s {
            Value::Object(o) if o.is_empty() => {
                refuse!("credentialSubject must make at least one claim (it is an empty object)")
            }
            Value::Object(o) => {
                if let Some(id) = o.get("id") {
                    check_subject_id(id)?;
                }
            }
            other => refuse!(
                "credentialSubject must be an object, found {}",
                short(other)
            ),
        }
    }
    Ok(())
}

/// The rule on a subject's `id` (`credentialSubject.id`, or each subject's of an
/// array): a URL, such as the learner's DID.
///
/// # Errors
/// When it is not a string holding a URL.
pub fn check_subject_id(id: &Value) -> Result<(), IssuanceError> {
    if !id.as_str().is_some_and(is_url) {
        refuse!("credentialSubject.id must be a URL, found {}", short(id));
    }
    Ok(())
}

fn check_typed(member: &str, value: &Value) -> Result<(), IssuanceError> {
    let entries: Vec<&Value> = match value {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(obj) = entry else {
            refuse!("{member}[{i}] must be an object, found {}", short(entry));
        };
        let typed = match obj.get("type") {
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Array(a)) => {
                !a.is_empty() && a.iter().all(|t| t.as_str().is_some_and(|s| !s.is_empty()))
            }
            _ => false,
        };
        if !typed {
            refuse!("{member}[{i}] must have a type (a string or an array of strings)");
        }
        let needs_id = member == "credentialSchema"
            || (member == "credentialStatus" && obj.contains_key("id"));
        if needs_id && !obj.get("id").and_then(Value::as_str).is_some_and(is_url) {
            refuse!("{member}[{i}].id must be a URL");
        }
    }
    Ok(())
}

fn check_date(member: &str, v: &Value) -> Result<time::OffsetDateTime, IssuanceError> {
    let Some(s) = v.as_str() else {
        refuse!("{member} must be a date-time string, found {}", short(v));
    };
    datetime::parse(s).map_err(|e| IssuanceError(format!("{member}: {e}")))
}

/// The rule across `validFrom` and `validUntil` (the members' values, when
/// present): each a date-time ([`check_member`]'s rule), and the credential
/// valid at some instant — `validUntil` not before `validFrom`.
///
/// # Errors
/// A malformed date, or `validUntil` before `validFrom`.
pub fn check_validity_period(
    valid_from: Option<&Value>,
    valid_until: Option<&Value>,
) -> Result<(), IssuanceError> {
    check_period(("validFrom", valid_from), ("validUntil", valid_until))
}

/// The end of a validity period not before its start (named members).
fn check_period(
    (from_name, valid_from): (&str, Option<&Value>),
    (until_name, valid_until): (&str, Option<&Value>),
) -> Result<(), IssuanceError> {
    let (Some(from_value), Some(until_value)) = (valid_from, valid_until) else {
        return Ok(());
    };
    let from = check_date(from_name, from_value)?;
    let until = check_date(until_name, until_value)?;
    if until < from {
        refuse!(
            "{until_name} {} is before {from_name} {}: the credential would never be valid",
            short(until_value),
            short(from_value)
        );
    }
    Ok(())
}

/// The rule on an issue time: a credential whose `validUntil` (when present) is
/// before `issued_at` is expired the moment it is signed. `microcred-sign issue`
/// and `batch` refuse it unless asked (`--allow-expired`: a record of a
/// credential that has already lapsed); `microcred-server` always refuses it.
///
/// # Errors
/// A malformed `validUntil`, or one before `issued_at`, naming both times.
pub fn check_not_expired(
    valid_until: Option<&Value>,
    issued_at: time::OffsetDateTime,
) -> Result<(), IssuanceError> {
    let Some(until_value) = valid_until else {
        return Ok(());
    };
    let until = check_date("validUntil", until_value)?;
    if until < issued_at {
        refuse!(
            "validUntil {} is before the issue time {}: the credential would be expired when signed",
            short(until_value),
            datetime::format(issued_at)
        );
    }
    Ok(())
}

/// `relatedResource` (VC 2.0 §5.3): each entry has an `id` URL and at least one
/// digest; digests of a bundled context must match its bytes.
fn check_related_resources(value: &Value, warnings: &mut Vec<String>) -> Result<(), IssuanceError> {
    let entries: Vec<&Value> = match value {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let mut seen = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(obj) = entry else {
            refuse!(
                "relatedResource[{i}] must be an object, found {}",
                short(entry)
            );
        };
        let Some(id) = obj.get("id").and_then(Value::as_str).filter(|s| is_url(s)) else {
            refuse!("relatedResource[{i}] must have an id URL");
        };
        if seen.contains(&id) {
            refuse!("relatedResource[{i}]: {id} is listed twice");
        }
        seen.push(id);
        let sri = obj.get("digestSRI");
        let mb = obj.get("digestMultibase");
        if sri.is_none() && mb.is_none() {
            refuse!("relatedResource[{i}] ({id}) must have a digestSRI or a digestMultibase");
        }
        let bundled = contexts::get(id);
        if bundled.is_none() {
            warnings.push(format!(
                "relatedResource[{i}]: {id} is not a bundled context, so its digest was not checked"
            ));
        }
        let body = bundled.map(|c| c.body.as_bytes());
        if let Some(v) = sri {
            let Some(s) = v.as_str() else {
                refuse!("relatedResource[{i}].digestSRI must be a string");
            };
            check_sri(s, body).map_err(|e| {
                IssuanceError(format!("relatedResource[{i}].digestSRI ({id}): {e}"))
            })?;
        }
        if let Some(v) = mb {
            let Some(s) = v.as_str() else {
                refuse!("relatedResource[{i}].digestMultibase must be a string");
            };
            check_multibase_digest(s, body).map_err(|e| {
                IssuanceError(format!("relatedResource[{i}].digestMultibase ({id}): {e}"))
            })?;
        }
    }
    Ok(())
}

fn digest(alg: &str, body: &[u8]) -> Option<Vec<u8>> {
    Some(match alg {
        "sha256" => Sha256::digest(body).to_vec(),
        "sha384" => Sha384::digest(body).to_vec(),
        "sha512" => Sha512::digest(body).to_vec(),
        _ => return None,
    })
}

/// A Subresource Integrity value `sha384-<base64>` (several may be separated by spaces).
fn check_sri(value: &str, body: Option<&[u8]>) -> Result<(), String> {
    let mut any = false;
    for token in value.split_ascii_whitespace() {
        any = true;
        let Some((alg, b64)) = token.split_once('-') else {
            return Err(format!("{token:?} is not of the form sha384-<base64>"));
        };
        let Ok(expected) = STANDARD.decode(b64) else {
            return Err(format!("{token:?}: the digest is not base64"));
        };
        let Some(actual) = body.map(|b| digest(alg, b)) else {
            if !matches!(alg, "sha256" | "sha384" | "sha512") {
                return Err(format!(
                    "unsupported algorithm {alg:?} (sha256, sha384 or sha512)"
                ));
            }
            continue;
        };
        let Some(actual) = actual else {
            return Err(format!(
                "unsupported algorithm {alg:?} (sha256, sha384 or sha512)"
            ));
        };
        if actual != expected {
            return Err(format!("{token:?} does not match the bundled context"));
        }
    }
    if !any {
        return Err("empty digest".into());
    }
    Ok(())
}

/// A multibase (`u` base64url or `z` base58btc) multihash (sha2-256/384/512).
fn check_multibase_digest(value: &str, body: Option<&[u8]>) -> Result<(), String> {
    let bytes = match value.chars().next() {
        Some('u') => multibase::decode_base64url(value).map_err(|e| e.to_string())?,
        Some('z') => multibase::decode_base58btc(value).map_err(|e| e.to_string())?,
        _ => {
            return Err(format!(
                "{value:?} is not multibase (u… base64url or z… base58btc)"
            ));
        }
    };
    let (alg, len) = match bytes.first() {
        Some(0x12) => ("sha256", 32),
        Some(0x20) => ("sha384", 48),
        Some(0x13) => ("sha512", 64),
        _ => return Err("not a sha2-256, sha2-384 or sha2-512 multihash".into()),
    };
    if bytes.get(1) != Some(&len) || bytes.len() != 2 + usize::from(len) {
        return Err("the multihash length does not match its algorithm".into());
    }
    if let Some(body) = body {
        if digest(alg, body).as_deref() != bytes.get(2..) {
            return Err(format!("{value:?} does not match the bundled context"));
        }
    }
    Ok(())
}

#[cfg(feature = "signing")]
fn fill_issuer(
    map: &mut Map<String, Value>,
    fill: &Fill<'_>,
    warnings: &mut Vec<String>,
) -> Result<(), IssuanceError> {
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
                Some(_) => refuse!("issuer.id must be a string (a DID)"),
            }
            if let Some(name) = fill.issuer_name {
                obj.insert("name".into(), name.into());
            }
        }
        Some(_) => refuse!("issuer must be a DID string or an object with an id"),
    }
    Ok(())
}

/// The issuer rule of a service that signs only as itself (`microcred-server`),
/// applied to a credential [`prepare`] has filled: an issuer other than the signing
/// key's `controller` is refused rather than kept with a warning. Nobody reads a
/// service's warnings, and such a credential fails every verifier's issuer-key check.
///
/// # Errors
/// When the issuer (a string, or an object's `id`) is not `controller`, naming both.
#[cfg(feature = "signing")]
pub fn require_own_issuer(doc: &Value, controller: &str) -> Result<(), IssuanceError> {
    let named = crate::credential::Credential::new(doc)
        .and_then(|c| c.issuer())
        .and_then(|i| i.id);
    match named {
        Some(id) if id == controller => Ok(()),
        Some(id) => refuse!(
            "issuer {id} is not the signing key's controller {controller}: this issuer signs only in its own name (leave issuer out and it is filled in)"
        ),
        None => refuse!("issuer is missing"),
    }
}

/// Open Badges 3.0 requires the issuer to be a `Profile` object.
#[cfg(feature = "signing")]
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

#[cfg(feature = "signing")]
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
#[cfg(feature = "signing")]
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

/// An absolute URI as the data model's URL-valued members need it (and `@context`
/// URLs, [`crate::contexts`]): a scheme (RFC 3986: letter, then letters, digits,
/// `+`, `-`, `.`), a colon, and something after it, with no whitespace or control
/// character. The JSON-LD processor has its own, different rule (`rdfc::jsonld`:
/// an empty rest is an IRI there, and a few printable characters are not).
pub(crate) fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A value as it appears in a message, cut to a readable length.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// New credential ids, with the random bytes fetched for many ids at a time:
/// one read of the operating system's generator per 256 ids instead of one
/// per id (batch issuance makes thousands). Each thread has its own
/// ([`new_credential_id`]).
#[cfg(feature = "signing")]
#[derive(Default)]
struct CredentialIds {
    random: Vec<u8>,
}

#[cfg(feature = "signing")]
impl CredentialIds {
    const AT_ONCE: usize = 256;

    fn next(&mut self) -> Result<String, IssuanceError> {
        use rand_core::RngCore as _;
        if self.random.len() < 16 {
            let mut fresh = vec![0u8; 16 * Self::AT_ONCE];
            // Filled, or not used at all (never the zeros it starts with).
            rand_core::OsRng.try_fill_bytes(&mut fresh).map_err(|e| {
                IssuanceError(format!(
                    "cannot make a credential id: the system's random number generator failed: {e}"
                ))
            })?;
            self.random = fresh;
        }
        let at = self.random.len() - 16;
        let mut b = [0u8; 16];
        b.copy_from_slice(&self.random[at..]);
        // Taken from the end: no byte serves two ids.
        self.random.truncate(at);
        // RFC 9562 version 4 (random), variant 10.
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = multibase::hex(&b);
        Ok(format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        ))
    }
}

#[cfg(feature = "signing")]
thread_local! {
    static IDS: std::cell::RefCell<CredentialIds> = std::cell::RefCell::new(CredentialIds::default());
}

/// A new credential id: `urn:uuid:` and a random (version 4) UUID. What
/// [`prepare`] fills in; `microcred-sign` (batches, the ledger, presentations)
/// and `microcred-server` use it too, so every id comes from one generator.
///
/// # Errors
/// When the operating system's random number generator fails.
#[cfg(feature = "signing")]
pub fn new_credential_id() -> Result<String, IssuanceError> {
    IDS.with_borrow_mut(CredentialIds::next)
}

#[cfg(test)]
#[cfg(feature = "signing")]
mod tests {
    use super::*;

    #[test]
    fn credential_ids_are_distinct_random_version_4_uuids_on_every_thread() {
        let mut ids = CredentialIds::default();
        // More than one batch of random bytes, then the thread-local generator here
        // and on other threads (each its own buffer): no id twice.
        let mut made: std::collections::HashSet<String> =
            (0..1000).map(|_| ids.next().unwrap()).collect();
        made.extend((0..600).map(|_| new_credential_id().unwrap()));
        let others: Vec<Vec<String>> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..3)
                .map(|_| s.spawn(|| (0..600).map(|_| new_credential_id().unwrap()).collect()))
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        made.extend(others.into_iter().flatten());
        assert_eq!(made.len(), 1000 + 4 * 600);
        for id in &made {
            let uuid = id.strip_prefix("urn:uuid:").unwrap().as_bytes();
            assert_eq!(uuid.len(), 36, "{id}");
            for (i, c) in uuid.iter().enumerate() {
                if matches!(i, 8 | 13 | 18 | 23) {
                    assert_eq!(*c, b'-', "{id}");
                } else {
                    assert!(matches!(c, b'0'..=b'9' | b'a'..=b'f'), "{id}");
                }
            }
            // Version 4, variant 10 (RFC 9562).
            assert_eq!(uuid[14], b'4', "{id}");
            assert!(matches!(uuid[19], b'8' | b'9' | b'a' | b'b'), "{id}");
        }
    }

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
    fn require_own_issuer_refuses_another_issuer_after_prepare() {
        for issuer in [
            serde_json::json!("https://other.example"),
            serde_json::json!({"id": "did:example:other", "name": "Other"}),
        ] {
            let mut doc = base();
            doc["issuer"] = issuer;
            let mut w = Vec::new();
            prepare(&mut doc, &fill(None, false), &mut w).unwrap();
            let e = require_own_issuer(&doc, C).unwrap_err();
            assert!(e.0.contains("is not the signing key's controller"), "{e}");
        }
        for issuer in [
            None,
            Some(serde_json::json!(C)),
            Some(serde_json::json!({"name": "U"})),
        ] {
            let mut doc = base();
            if let Some(i) = issuer {
                doc["issuer"] = i;
            }
            let mut w = Vec::new();
            prepare(&mut doc, &fill(Some("U"), false), &mut w).unwrap();
            require_own_issuer(&doc, C).unwrap();
        }
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
    fn a_valid_until_before_the_issue_time_is_named() {
        let at = datetime::parse("2026-03-01T12:00:00Z").unwrap();
        check_not_expired(None, at).unwrap();
        check_not_expired(Some(&"2026-03-01T12:00:00Z".into()), at).unwrap();
        check_not_expired(Some(&"2030-01-01T00:00:00Z".into()), at).unwrap();
        let e = check_not_expired(Some(&"2026-03-01T11:59:59Z".into()), at).unwrap_err();
        assert_eq!(
            e.0,
            "validUntil \"2026-03-01T11:59:59Z\" is before the issue time 2026-03-01T12:00:00Z: the credential would be expired when signed"
        );
        let e = check_not_expired(Some(&3.into()), at).unwrap_err();
        assert!(e.0.contains("validUntil must be a date-time"), "{e}");
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

    #[test]
    fn vc2_member_rules_are_named() {
        for (mutate, says) in [
            (
                serde_json::json!({"validFrom": "2025-01-02T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"}),
                "before validFrom",
            ),
            (
                serde_json::json!({"validUntil": "2025-13-01T00:00:00Z"}),
                "validUntil",
            ),
            (
                serde_json::json!({"validFrom": 5}),
                "validFrom must be a date-time string",
            ),
            (serde_json::json!({"issuer": "not a url"}), "is not a URL"),
            (
                serde_json::json!({"issuer": {"id": "x"}}),
                "issuer.id \"x\" is not a URL",
            ),
            (serde_json::json!({"id": "no-scheme"}), "is not a URL"),
            (
                serde_json::json!({"@context": [VC_V2, 3]}),
                "@context[1] must be a URL",
            ),
            (
                serde_json::json!({"@context": [VC_V2, VC_V2]}),
                "may only come first",
            ),
            (
                serde_json::json!({"type": ["VerifiableCredential", 1]}),
                "type[1]",
            ),
            (serde_json::json!({"credentialSubject": []}), "empty array"),
            (
                serde_json::json!({"credentialSubject": {}}),
                "at least one claim",
            ),
            (
                serde_json::json!({"credentialSubject": {"id": "x y"}}),
                "credentialSubject.id",
            ),
            (
                serde_json::json!({"credentialStatus": {"id": "https://s/1"}}),
                "credentialStatus[0] must have a type",
            ),
            (
                serde_json::json!({"credentialSchema": {"type": "JsonSchema"}}),
                "credentialSchema[0].id",
            ),
            (
                serde_json::json!({"refreshService": [{"type": []}]}),
                "refreshService[0] must have a type",
            ),
            (
                serde_json::json!({"termsOfUse": {"id": "https://t"}}),
                "termsOfUse[0] must have a type",
            ),
            (
                serde_json::json!({"evidence": ["x"]}),
                "evidence[0] must be an object",
            ),
            (
                serde_json::json!({"relatedResource": [{"id": VC_V2}]}),
                "digestSRI or a digestMultibase",
            ),
            (
                serde_json::json!({"relatedResource": [{"id": VC_V2, "digestSRI": "sha384-AAAA"}]}),
                "does not match the bundled context",
            ),
            (
                serde_json::json!({"relatedResource": [{"id": VC_V2, "digestMultibase": "uEiAAAA"}]}),
                "multihash length",
            ),
            (
                serde_json::json!({"relatedResource": [{"id": VC_V2, "digestSRI": "md5-AAAA"}]}),
                "unsupported algorithm",
            ),
        ] {
            let mut doc = base();
            for (k, v) in mutate.as_object().unwrap() {
                doc[k] = v.clone();
            }
            let err = prepare(&mut doc, &fill(None, false), &mut Vec::new()).unwrap_err();
            assert!(err.to_string().contains(says), "{mutate}: {err}");
        }
        // Digests of the bundled context, both forms, are accepted; an unknown
        // resource is accepted with a warning (nothing to check it against).
        let body = contexts::get(VC_V2).unwrap().body.as_bytes();
        let sri = format!("sha384-{}", STANDARD.encode(Sha384::digest(body)));
        let mut mh = vec![0x12, 0x20];
        mh.extend_from_slice(&Sha256::digest(body));
        let mut doc = base();
        doc["relatedResource"] = serde_json::json!([
            {"id": VC_V2, "digestSRI": sri, "digestMultibase": multibase::encode_base64url(&mh)},
            {"id": "https://other.example/x.json", "digestSRI": "sha384-AAAA"}
        ]);
        let mut w = Vec::new();
        prepare(&mut doc, &fill(None, false), &mut w).unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("not a bundled context"), "{w:?}");
        // validate() is prepare() without filling: an absent issuer is an error there.
        let err = validate(&base(), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("issuer is missing"), "{err}");
    }
}
