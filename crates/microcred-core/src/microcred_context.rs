//! The micro-credential extension's terms, carried in the credential itself.
//!
//! Credentials define the extension's terms with an embedded context: the object of
//! `contexts/microcred-inline-v1.json` is the `@context` member of each
//! `credentialSubject`, where the terms are used (`achievement.microCredential` and
//! `result[]` below it), and the top-level `@context` holds only the published VC 2.0 and
//! Open Badges 3.0 URLs. Before, a URL named the terms, `https://w3id.org/microcred/v1`:
//! it resolves nowhere, and a JSON-LD verifier that cannot load a context cannot check an
//! `eddsa-rdfc-2022` proof (the DCC's wallet and VerifierPlus say "The signature is not
//! valid."). The object defines `microCredential`, whose scoped context sets `@vocab` so
//! that every member below it expands to `mc:<member>`, and the three per-learner terms
//! of `Result`; any JSON-LD 1.1 processor expands it offline.
//!
//! Why in `credentialSubject` and not as a third entry of the top-level `@context`: an
//! `eddsa-jcs-2022` proof copies the top-level `@context`, and Digital Bazaar's
//! `eddsa-jcs-2022` verifier (the only JavaScript one) compares its entries with `!==`,
//! so an object there fails its check in every credential (`docs/credential-format.md`).
//!
//! Credentials already issued with the v1 URL stay readable: that context is bundled
//! ([`crate::contexts::MICROCRED_V1`]). An issuer given a document that still names it
//! moves to the embedded context before signing ([`replace_legacy_url`]).

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::contexts::MICROCRED_V1;

/// The extension's vocabulary namespace (`mc:`).
pub const VOCAB: &str = "https://w3id.org/microcred/vocab#";

/// The context object, as shipped in `contexts/microcred-inline-v1.json`.
pub const INLINE_JSON: &str = include_str!("../contexts/microcred-inline-v1.json");

/// The context object (the `@context` member of a `credentialSubject`).
pub fn inline() -> Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(INLINE_JSON).unwrap_or(Value::Null))
        .clone()
}

/// What an issuer tells its user when [`replace_legacy_url`] changed a document.
pub const LEGACY_REPLACED: &str = "@context: removed \"https://w3id.org/microcred/v1\" (published nowhere: wallets and verifiers that load contexts, such as the DCC Learner Credential Wallet and VerifierPlus, cannot check the eddsa-rdfc-2022 proof of a credential naming it) and put the micro-credential terms in credentialSubject's own @context (docs/credential-format.md)";

/// Gives each `credentialSubject` object the context object as its first member `@context`
/// (one that has a `@context` already keeps it).
pub fn embed(doc: &mut Value) {
    let subjects: Vec<&mut Map<String, Value>> = match doc.get_mut("credentialSubject") {
        Some(Value::Object(s)) => vec![s],
        Some(Value::Array(a)) => a.iter_mut().filter_map(Value::as_object_mut).collect(),
        _ => Vec::new(),
    };
    for s in subjects {
        if !s.contains_key("@context") {
            let rest = std::mem::take(s);
            s.insert("@context".into(), inline());
            s.extend(rest);
        }
    }
}

/// Removes the URL `https://w3id.org/microcred/v1` from the top-level `@context` array and
/// [`embed`]s the context object instead; returns whether the URL was there.
pub fn replace_legacy_url(doc: &mut Value) -> bool {
    let Some(Value::Array(ctx)) = doc.get_mut("@context") else {
        return false;
    };
    let before = ctx.len();
    ctx.retain(|c| c.as_str() != Some(MICROCRED_V1));
    if ctx.len() == before {
        return false;
    }
    embed(doc);
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_inline_context_is_small_strict_json_under_our_vocabulary() {
        let parsed = crate::json::parse(INLINE_JSON.as_bytes()).unwrap();
        assert_eq!(parsed, inline());
        assert!(inline().is_object());
        // "A few hundred bytes" in a credential.
        assert!(serde_json::to_string(&inline()).unwrap().len() < 500);
        assert_eq!(
            inline()["microCredential"]["@context"]["@vocab"].as_str(),
            Some(VOCAB)
        );
    }

    #[test]
    fn the_legacy_url_is_replaced_by_the_embedded_context() {
        let mut doc = serde_json::json!({
            "@context": [crate::contexts::VC_V2, crate::contexts::OB_V3P0, MICROCRED_V1],
            "credentialSubject": {"id": "did:example:1", "type": ["AchievementSubject"]}
        });
        assert!(replace_legacy_url(&mut doc));
        assert_eq!(
            doc["@context"],
            serde_json::json!([crate::contexts::VC_V2, crate::contexts::OB_V3P0])
        );
        let subject = doc["credentialSubject"].as_object().unwrap();
        assert_eq!(subject.keys().next().map(String::as_str), Some("@context"));
        assert_eq!(subject["@context"], inline());
        assert_eq!(subject["id"], "did:example:1");
        assert!(!replace_legacy_url(&mut doc));
        assert!(!replace_legacy_url(
            &mut serde_json::json!({"@context": MICROCRED_V1})
        ));

        let mut two = serde_json::json!({
            "@context": [crate::contexts::VC_V2, MICROCRED_V1],
            "credentialSubject": [{"id": "did:example:1"}, {"@context": {"x": "urn:x"}}]
        });
        assert!(replace_legacy_url(&mut two));
        assert_eq!(two["credentialSubject"][0]["@context"], inline());
        assert_eq!(two["credentialSubject"][1]["@context"]["x"], "urn:x");
    }
}
