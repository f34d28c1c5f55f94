//! VC Data Model 2.0's `EnvelopedVerifiableCredential` (§4.13): a credential
//! secured by an enveloping format, carried in JSON as a `data:` URL in `id`
//! (`data:application/vc+jwt,eyJ…`). A VC-JWT inside goes to [`crate::jwt`];
//! any other media type (SD-JWT, COSE, …) is named as not read, so that its
//! report says "could not be checked", never "forged".

use microcred_core::Value;

use crate::report::{Check, Kind, Report};

/// What an `EnvelopedVerifiableCredential` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Enveloped<'a> {
    /// A VC-JWT: the token (`application/vc+jwt`, or `application/jwt`).
    Jwt(&'a str),
    /// Something this verifier does not read, in words (for the report).
    Unsupported(String),
}

/// Whether `doc` is an `EnvelopedVerifiableCredential` (its `type`, a string or
/// an array, names it), and what it carries.
pub(crate) fn enveloped(doc: &Value) -> Option<Enveloped<'_>> {
    let is_enveloped = match doc.get("type")? {
        Value::String(t) => t == "EnvelopedVerifiableCredential",
        Value::Array(a) => a
            .iter()
            .any(|t| t.as_str() == Some("EnvelopedVerifiableCredential")),
        _ => false,
    };
    if !is_enveloped {
        return None;
    }
    let Some(url) = doc.get("id").and_then(Value::as_str) else {
        return Some(Enveloped::Unsupported(
            "an EnvelopedVerifiableCredential without an id (the data: URL of the credential)"
                .into(),
        ));
    };
    let Some((head, data)) = url
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(','))
    else {
        return Some(Enveloped::Unsupported(
            "an EnvelopedVerifiableCredential whose id is not a data: URL".into(),
        ));
    };
    let mut params = head.split(';');
    let media_type = params
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if params.any(|p| p.trim().eq_ignore_ascii_case("base64")) {
        return Some(Enveloped::Unsupported(format!(
            "an EnvelopedVerifiableCredential ({media_type}) whose data: URL is base64-encoded, which this verifier does not read"
        )));
    }
    Some(match media_type.as_str() {
        "application/vc+jwt" | "application/jwt" => Enveloped::Jwt(data),
        "application/vc+sd-jwt" | "application/dc+sd-jwt" => Enveloped::Unsupported(format!(
            "an SD-JWT (selective disclosure, {media_type}) in an EnvelopedVerifiableCredential, which this verifier does not read"
        )),
        "application/vc+cose" => Enveloped::Unsupported(format!(
            "a COSE-secured credential ({media_type}) in an EnvelopedVerifiableCredential, which this verifier does not read"
        )),
        "" => Enveloped::Unsupported(
            "an EnvelopedVerifiableCredential whose data: URL names no media type".into(),
        ),
        other => Enveloped::Unsupported(format!(
            "an EnvelopedVerifiableCredential of media type {other}, which this verifier does not read"
        )),
    })
}

/// The report on an envelope whose content is not read: its proof could not be
/// checked (verdict "could not be checked").
pub(crate) fn unsupported(what: &str, doc: &Value) -> Report {
    Report::new(
        Kind::Credential,
        doc.get("id").and_then(Value::as_str).map(str::to_owned),
        None,
        vec![Check::unsupported(
            "proof",
            format!("{what}; its proof could not be checked"),
        )],
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(id: &str) -> Value {
        json!({"@context": "https://www.w3.org/ns/credentials/v2",
               "type": "EnvelopedVerifiableCredential", "id": id})
    }

    #[test]
    fn media_types_are_told_apart() {
        assert_eq!(
            enveloped(&env("data:application/vc+jwt,eyJa.eyJb.c2ln")),
            Some(Enveloped::Jwt("eyJa.eyJb.c2ln"))
        );
        assert_eq!(
            enveloped(&env("data:Application/VC+JWT;charset=utf-8,t")),
            Some(Enveloped::Jwt("t"))
        );
        for (id, words) in [
            ("data:application/vc+sd-jwt,eyJ~", "SD-JWT"),
            ("data:application/dc+sd-jwt,eyJ~", "SD-JWT"),
            ("data:application/vc+cose,0g", "COSE"),
            ("data:application/vc+jwt;base64,ZXk=", "base64"),
            ("data:text/plain,hi", "text/plain"),
            ("https://example.org/c", "not a data: URL"),
        ] {
            let doc = env(id);
            let found = enveloped(&doc);
            assert!(
                matches!(&found, Some(Enveloped::Unsupported(m)) if m.contains(words)),
                "{id}: {found:?}"
            );
        }
        assert_eq!(enveloped(&json!({"type": ["VerifiableCredential"]})), None);
        let r = unsupported("an SD-JWT", &env("data:application/vc+sd-jwt,x"));
        assert_eq!(r.verdict, crate::verdict::Verdict::Unchecked);
    }
}
