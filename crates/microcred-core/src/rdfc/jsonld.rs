//! JSON-LD 1.1 context processing and expansion (W3C JSON-LD 1.1 Processing
//! Algorithms and API, §4.1, §4.2, §5.1, §5.3, §6.1), for the subset of
//! JSON-LD that Verifiable Credentials use, in **safe mode**.
//!
//! Supported: remote contexts (bundled only, matched by URL, never fetched),
//! `@version`, `@vocab`, `@language`, `@direction`, `@protected`,
//! `@propagate`, type-scoped and property-scoped contexts, keyword aliases,
//! compact IRIs, `@type` coercion (`@id`, `@vocab`, `@json`, datatypes),
//! `@container` `@set`, `@list` and `@graph`, `@graph` and `@list` objects,
//! embedded `@context`s.
//!
//! Safe mode (as jsonld.js `safe: true`, which Data Integrity implementations
//! use): anything JSON-LD would silently drop is an error naming its JSON
//! path — an undefined member, a relative IRI, a free-floating value — so
//! every member of a signed document is covered by the signature.
//! Features VCs do not use (`@reverse`, `@nest`, `@included`, `@import`,
//! index, id, type and language maps, `@base`) are rejected as unsupported
//! rather than half-implemented.

use super::FastMap;
use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

/// Why a document could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonLdError {
    /// `@context` names a URL that is neither bundled nor supplied (contexts are never fetched).
    #[error(
        "@context {url:?} is neither bundled with microcred nor supplied (contexts are never fetched; supply a copy with --context URL=FILE, a context directory or the trust list's contexts); bundled: {known}"
    )]
    UnknownContext {
        /// The URL.
        url: String,
        /// The bundled URLs, comma-separated.
        known: String,
    },
    /// A member is not defined by the active context (JSON-LD would drop it).
    #[error(
        "{path}: member {term:?} is not defined by the document's @context (JSON-LD would drop it, leaving it unsigned)"
    )]
    UndefinedTerm {
        /// JSON path of the member.
        path: String,
        /// The member name.
        term: String,
    },
    /// An IRI-valued member holds a relative IRI.
    #[error("{path}: {value:?} is not an absolute IRI (JSON-LD would drop it)")]
    RelativeIri {
        /// JSON path of the value.
        path: String,
        /// The value.
        value: String,
    },
    /// A JSON-LD feature this processor does not implement.
    #[error("{path}: JSON-LD feature {feature} is not supported")]
    Unsupported {
        /// Where it was met (JSON path, or context URL and term).
        path: String,
        /// The feature.
        feature: String,
    },
    /// Invalid JSON-LD (a context or a document that breaks a JSON-LD rule).
    #[error("{path}: {message}")]
    Invalid {
        /// Where (JSON path, or context URL and term).
        path: String,
        /// What is wrong.
        message: String,
    },
}

type Res<T> = Result<T, JsonLdError>;

/// Contexts resolvable by URL: the crate's bundled ones, then those the
/// caller supplied ([`crate::contexts::supply`]).
fn load_context(url: &str) -> Res<Arc<Value>> {
    match crate::contexts::get(url).map(crate::contexts::BundledContext::document) {
        Some(Some(doc)) => Ok(doc),
        Some(None) => Err(JsonLdError::Invalid {
            path: format!("@context {url:?}"),
            message: "bundled context is not valid JSON".into(),
        }),
        None => crate::contexts::supplied(url).ok_or_else(|| JsonLdError::UnknownContext {
            url: url.to_owned(),
            known: crate::contexts::bundled()
                .iter()
                .map(|c| c.url)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// A term definition (§4.1 "term definition").
#[derive(Debug, Clone, PartialEq)]
struct TermDef {
    /// IRI mapping: an IRI, a blank node or a keyword; `None` excludes the term.
    iri: Option<String>,
    prefix: bool,
    protected: bool,
    type_mapping: Option<String>,
    container: Vec<String>,
    /// `Some(None)`: explicitly no language.
    language: Option<Option<String>>,
    direction: Option<Option<String>>,
    context: Option<Value>,
}

impl TermDef {
    fn same_except_protected(&self, other: &Self) -> bool {
        self.iri == other.iri
            && self.prefix == other.prefix
            && self.type_mapping == other.type_mapping
            && self.container == other.container
            && self.language == other.language
            && self.direction == other.direction
            && self.context == other.context
    }

    fn has_container(&self, c: &str) -> bool {
        self.container.iter().any(|x| x == c)
    }
}

/// An active context (§4.1).
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    terms: FastMap<String, Arc<TermDef>>,
    vocab: Option<String>,
    language: Option<String>,
    direction: Option<String>,
    previous: Option<Arc<Context>>,
}

const KEYWORDS: &[&str] = &[
    "@base",
    "@container",
    "@context",
    "@direction",
    "@graph",
    "@id",
    "@import",
    "@included",
    "@index",
    "@json",
    "@language",
    "@list",
    "@nest",
    "@none",
    "@prefix",
    "@propagate",
    "@protected",
    "@reverse",
    "@set",
    "@type",
    "@value",
    "@version",
    "@vocab",
];

fn is_keyword(s: &str) -> bool {
    // Most strings asked about are terms and IRIs: one byte rules them out
    // before the list is scanned.
    s.starts_with('@') && KEYWORDS.contains(&s)
}

/// `@` followed by one or more ALPHA: reserved for future keywords, ignored.
fn has_keyword_form(s: &str) -> bool {
    s.len() > 1 && s.starts_with('@') && s[1..].bytes().all(|b| b.is_ascii_alphabetic())
}

/// An absolute IRI: a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )) then ':'.
pub(crate) fn is_absolute_iri(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(colon) = bytes.iter().position(|&b| b == b':') else {
        return false;
    };
    let scheme = &bytes[..colon];
    // The forbidden characters are all ASCII, so a byte scan (one pass, no
    // char decoding, one table load per byte) finds exactly what a char scan
    // would; the scheme cannot hold any of them.
    !scheme.is_empty()
        && scheme[0].is_ascii_alphabetic()
        && scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !bytes[colon + 1..]
            .iter()
            .any(|&b| NOT_IN_IRI[usize::from(b)])
}

/// The characters an absolute IRI may not contain: space, angle brackets,
/// double quote, braces, vertical bar, backslash, caret and grave accent.
static NOT_IN_IRI: [bool; 256] = {
    let mut t = [false; 256];
    let forbidden = b" <>\"{}|\\^`";
    let mut i = 0;
    while i < forbidden.len() {
        t[forbidden[i] as usize] = true;
        i += 1;
    }
    t
};

/// `m.get(key)` for the small maps of expanded JSON-LD: a scan of a few
/// keys beats serde_json's map, which hashes the key with SipHash each time.
pub(crate) fn member<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if m.len() <= 8 {
        m.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        m.get(key)
    }
}

/// `m.contains_key(key)`, see [`member`].
pub(crate) fn has(m: &Map<String, Value>, key: &str) -> bool {
    member(m, key).is_some()
}

fn is_blank(s: &str) -> bool {
    s.starts_with("_:")
}

/// The first colon of `s` that is not its first character (§5.2 step 6).
fn colon_after_first(s: &str) -> Option<usize> {
    match s.find(':') {
        Some(0) => s[1..].find(':').map(|i| i + 1),
        other => other,
    }
}

fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => core::slice::from_ref(other),
    }
}

/// Maximum depth of nested remote context inclusion (jsonld.js uses 10 for
/// its `contextResolver`; the spec's "context overflow").
const MAX_REMOTE_DEPTH: usize = 16;

/// Builds the term definitions of one local context (§4.2, §4.2.2).
struct TermBuilder<'l> {
    result: Context,
    local: &'l Map<String, Value>,
    defined: FastMap<String, bool>,
    protected: bool,
    override_protected: bool,
    src: &'l str,
}

impl TermBuilder<'_> {
    fn err(&self, term: &str, message: impl Into<String>) -> JsonLdError {
        JsonLdError::Invalid {
            path: format!("{}, term {term:?}", self.src),
            message: message.into(),
        }
    }

    fn unsupported(&self, term: &str, feature: &str) -> JsonLdError {
        JsonLdError::Unsupported {
            path: format!("{}, term {term:?}", self.src),
            feature: feature.into(),
        }
    }

    /// IRI Expansion (§5.2) while the local context is being processed.
    fn expand_iri(
        &mut self,
        value: &str,
        document_relative: bool,
        vocab: bool,
    ) -> Res<Option<String>> {
        if is_keyword(value) {
            return Ok(Some(value.to_owned()));
        }
        if has_keyword_form(value) {
            return Ok(None);
        }
        if self.local.contains_key(value) && self.defined.get(value) != Some(&true) {
            self.define(value)?;
        }
        if vocab {
            if let Some(d) = self.result.terms.get(value) {
                return Ok(d.iri.clone());
            }
        }
        if let Some(colon) = colon_after_first(value) {
            let (prefix, suffix) = (&value[..colon], &value[colon + 1..]);
            if prefix == "_" || suffix.starts_with("//") {
                return Ok(Some(value.to_owned()));
            }
            if self.local.contains_key(prefix) && self.defined.get(prefix) != Some(&true) {
                self.define(prefix)?;
            }
            if let Some(d) = self.result.terms.get(prefix) {
                if let (Some(iri), true) = (&d.iri, d.prefix) {
                    return Ok(Some(format!("{iri}{suffix}")));
                }
            }
            if is_absolute_iri(value) {
                return Ok(Some(value.to_owned()));
            }
        }
        if vocab {
            if let Some(v) = &self.result.vocab {
                return Ok(Some(format!("{v}{value}")));
            }
        }
        let _ = document_relative; // No base IRI: relative references stay relative.
        Ok(Some(value.to_owned()))
    }

    /// Create Term Definition (§4.2.2).
    fn define(&mut self, term: &str) -> Res<()> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => return Err(self.err(term, "cyclic IRI mapping")),
            None => {}
        }
        if term.is_empty() {
            return Err(self.err(term, "invalid term definition: empty term"));
        }
        self.defined.insert(term.to_owned(), false);
        let value = self.local.get(term).cloned().unwrap_or(Value::Null);
        if term == "@type" {
            let ok = matches!(&value, Value::Object(m) if !m.is_empty() && m.iter().all(|(k, v)| {
                (k == "@container" && v == "@set") || (k == "@protected" && v.is_boolean())
            }));
            if !ok {
                return Err(self.err(term, "keyword redefinition"));
            }
        } else if is_keyword(term) {
            return Err(self.err(term, "keyword redefinition"));
        } else if has_keyword_form(term) {
            self.defined.insert(term.to_owned(), true);
            return Ok(());
        }
        let previous = self.result.terms.remove(term);
        let (value, simple) = match value {
            Value::Null => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::Null);
                (m, false)
            }
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(s));
                (m, true)
            }
            Value::Object(m) => (m, false),
            _ => return Err(self.err(term, "invalid term definition")),
        };
        let mut def = TermDef {
            iri: None,
            prefix: false,
            protected: self.protected,
            type_mapping: None,
            container: Vec::new(),
            language: None,
            direction: None,
            context: None,
        };
        if let Some(p) = value.get("@protected") {
            def.protected = p
                .as_bool()
                .ok_or_else(|| self.err(term, "invalid @protected value"))?;
        }
        if let Some(t) = value.get("@type") {
            let t = t
                .as_str()
                .ok_or_else(|| self.err(term, "invalid type mapping"))?;
            let t = self
                .expand_iri(t, false, true)?
                .ok_or_else(|| self.err(term, "invalid type mapping"))?;
            if !(matches!(t.as_str(), "@id" | "@json" | "@none" | "@vocab")
                || (is_absolute_iri(&t) && !is_blank(&t)))
            {
                return Err(self.err(term, format!("invalid type mapping {t:?}")));
            }
            def.type_mapping = Some(t);
        }
        for unsupported in ["@reverse", "@nest", "@index"] {
            if value.contains_key(unsupported) {
                return Err(self.unsupported(term, unsupported));
            }
        }
        match value.get("@id") {
            Some(id) if id.as_str() != Some(term) => match id {
                Value::Null => def.iri = None,
                Value::String(id) => {
                    if !is_keyword(id) && has_keyword_form(id) {
                        // Reserved keyword form: the term is ignored.
                        self.defined.insert(term.to_owned(), true);
                        return Ok(());
                    }
                    let iri = self
                        .expand_iri(id, false, true)?
                        .ok_or_else(|| self.err(term, "invalid IRI mapping"))?;
                    if iri == "@context" {
                        return Err(self.err(term, "invalid keyword alias @context"));
                    }
                    if !(is_keyword(&iri) || is_absolute_iri(&iri) || is_blank(&iri)) {
                        return Err(self.err(term, format!("invalid IRI mapping {iri:?}")));
                    }
                    let inner_colon = term
                        .char_indices()
                        .any(|(i, c)| c == ':' && i > 0 && i + 1 < term.len());
                    if inner_colon || term.contains('/') {
                        self.defined.insert(term.to_owned(), true);
                        let expanded = self.expand_iri(term, false, true)?;
                        if expanded.as_deref() != Some(iri.as_str()) {
                            return Err(
                                self.err(term, "invalid IRI mapping: term expands differently")
                            );
                        }
                    }
                    if !term.contains([':', '/'])
                        && simple
                        && (iri.ends_with([':', '/', '?', '#', '[', ']', '@']) || is_blank(&iri))
                    {
                        def.prefix = true;
                    }
                    def.iri = Some(iri);
                }
                _ => return Err(self.err(term, "invalid IRI mapping")),
            },
            _ => {
                if let Some(colon) = colon_after_first(term) {
                    let (prefix, suffix) = (&term[..colon], &term[colon + 1..]);
                    if self.local.contains_key(prefix) {
                        self.define(prefix)?;
                    }
                    def.iri = Some(
                        match self.result.terms.get(prefix).and_then(|d| d.iri.clone()) {
                            Some(iri) => format!("{iri}{suffix}"),
                            None => term.to_owned(),
                        },
                    );
                } else if term.contains('/') {
                    let iri = self.expand_iri(term, false, true)?;
                    match iri {
                        Some(i) if is_absolute_iri(&i) => def.iri = Some(i),
                        _ => return Err(self.err(term, "invalid IRI mapping")),
                    }
                } else if term == "@type" {
                    def.iri = Some("@type".into());
                } else if let Some(v) = &self.result.vocab {
                    def.iri = Some(format!("{v}{term}"));
                } else {
                    return Err(self.err(term, "invalid IRI mapping: no @id and no @vocab"));
                }
            }
        }
        if let Some(c) = value.get("@container") {
            let mut container = Vec::new();
            for item in as_slice(c) {
                let s = item
                    .as_str()
                    .ok_or_else(|| self.err(term, "invalid container mapping"))?;
                match s {
                    "@set" | "@list" | "@graph" => container.push(s.to_owned()),
                    "@language" | "@index" | "@id" | "@type" => {
                        return Err(self.unsupported(term, &format!("{s} container")));
                    }
                    _ => return Err(self.err(term, format!("invalid container mapping {s:?}"))),
                }
            }
            container.sort();
            container.dedup();
            if container.iter().any(|c| c == "@list") && container.len() > 1 {
                return Err(self.err(term, "invalid container mapping: @list with others"));
            }
            def.container = container;
        }
        if let Some(c) = value.get("@context") {
            def.context = Some(c.clone());
        }
        if value.contains_key("@language") && !value.contains_key("@type") {
            def.language = Some(match &value["@language"] {
                Value::Null => None,
                Value::String(s) => Some(s.to_ascii_lowercase()),
                _ => return Err(self.err(term, "invalid language mapping")),
            });
        }
        if value.contains_key("@direction") && !value.contains_key("@type") {
            def.direction = Some(match &value["@direction"] {
                Value::Null => None,
                Value::String(s) if s == "ltr" || s == "rtl" => Some(s.clone()),
                _ => return Err(self.err(term, "invalid base direction")),
            });
        }
        if let Some(p) = value.get("@prefix") {
            if term.contains([':', '/']) {
                return Err(self.err(term, "invalid term definition: @prefix on a compact IRI"));
            }
            def.prefix = p
                .as_bool()
                .ok_or_else(|| self.err(term, "invalid @prefix value"))?;
        }
        for k in value.keys() {
            if !matches!(
                k.as_str(),
                "@id"
                    | "@type"
                    | "@container"
                    | "@context"
                    | "@language"
                    | "@direction"
                    | "@prefix"
                    | "@protected"
            ) {
                return Err(self.err(term, format!("invalid term definition member {k:?}")));
            }
        }
        let def = match previous {
            Some(prev) if !self.override_protected && prev.protected => {
                if !prev.same_except_protected(&def) {
                    return Err(self.err(term, "protected term redefinition"));
                }
                prev
            }
            _ => Arc::new(def),
        };
        self.result.terms.insert(term.to_owned(), def);
        self.defined.insert(term.to_owned(), true);
        Ok(())
    }
}

/// Context Processing (§4.1.2).
///
/// `src` labels the context in errors (a JSON path or a URL).
pub(crate) fn process_context(
    active: &Arc<Context>,
    local: &Value,
    override_protected: bool,
    propagate: bool,
    remote: &mut Vec<String>,
    src: &str,
) -> Res<Arc<Context>> {
    let mut result = (**active).clone();
    let propagate = match local {
        Value::Object(m) => match m.get("@propagate") {
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(JsonLdError::Invalid {
                    path: src.into(),
                    message: "invalid @propagate value".into(),
                });
            }
            None => propagate,
        },
        _ => propagate,
    };
    if !propagate && result.previous.is_none() {
        result.previous = Some(active.clone());
    }
    // jsonld.js reads a local context `{"@context": [...]}` as that array.
    let local = match local {
        Value::Object(m) => match m.get("@context") {
            Some(inner @ Value::Array(_)) => inner,
            _ => local,
        },
        _ => local,
    };
    for item in as_slice(local) {
        match item {
            Value::Null => {
                if !override_protected && result.terms.values().any(|d| d.protected) {
                    return Err(JsonLdError::Invalid {
                        path: src.into(),
                        message: "invalid context nullification: protected terms are defined"
                            .into(),
                    });
                }
                let previous = if propagate {
                    None
                } else {
                    Some(Arc::new(result.clone()))
                };
                result = Context {
                    previous,
                    ..Context::default()
                };
            }
            Value::String(url) => {
                if !is_absolute_iri(url) {
                    return Err(JsonLdError::RelativeIri {
                        path: src.into(),
                        value: url.clone(),
                    });
                }
                if remote.len() >= MAX_REMOTE_DEPTH || remote.contains(url) {
                    return Err(JsonLdError::Invalid {
                        path: src.into(),
                        message: format!("context {url:?} includes itself (context overflow)"),
                    });
                }
                let doc = load_context(url)?;
                let ctx = doc.get("@context").ok_or_else(|| JsonLdError::Invalid {
                    path: format!("@context {url:?}"),
                    message: "the document has no @context member".into(),
                })?;
                remote.push(url.clone());
                let label = format!("@context {url:?}");
                let processed = process_context(
                    &Arc::new(result),
                    ctx,
                    override_protected,
                    true,
                    remote,
                    &label,
                );
                remote.pop();
                result = (*processed?).clone();
            }
            Value::Object(m) => {
                // An object holding a nested @context is read as that context,
                // its other members ignored: what jsonld.js does.
                let m = match m.get("@context") {
                    None => m,
                    Some(Value::Object(inner)) => inner,
                    Some(_) => {
                        return Err(JsonLdError::Invalid {
                            path: src.into(),
                            message: "invalid local context: a nested @context must be an object"
                                .into(),
                        });
                    }
                };
                result = process_local(result, m, override_protected, remote.is_empty(), src)?;
            }
            _ => {
                return Err(JsonLdError::Invalid {
                    path: src.into(),
                    message: "invalid local context: not a map, string or null".into(),
                });
            }
        }
    }
    Ok(Arc::new(result))
}

/// Steps 5.5–5.13 of Context Processing for one map.
fn process_local(
    result: Context,
    m: &Map<String, Value>,
    override_protected: bool,
    in_document: bool,
    src: &str,
) -> Res<Context> {
    let invalid = |message: &str| JsonLdError::Invalid {
        path: src.into(),
        message: message.into(),
    };
    if let Some(v) = m.get("@version") {
        if v.as_f64() != Some(1.1) {
            return Err(invalid("invalid @version value (only 1.1)"));
        }
    }
    if m.contains_key("@import") {
        return Err(JsonLdError::Unsupported {
            path: src.into(),
            feature: "@import".into(),
        });
    }
    if let Some(b) = m.get("@base") {
        // @base in a remote context is ignored; in the document it would make
        // relative IRIs resolvable, which credentials must not rely on.
        if in_document && !b.is_null() {
            return Err(JsonLdError::Unsupported {
                path: src.into(),
                feature: "@base".into(),
            });
        }
    }
    let protected = match m.get("@protected") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid("invalid @protected value")),
    };
    let mut builder = TermBuilder {
        result,
        local: m,
        defined: FastMap::default(),
        protected,
        override_protected,
        src,
    };
    if let Some(v) = m.get("@vocab") {
        builder.result.vocab = match v {
            Value::Null => None,
            Value::String(s) => {
                let iri = builder
                    .expand_iri(s, true, true)?
                    .ok_or_else(|| invalid("invalid vocab mapping"))?;
                if !(is_absolute_iri(&iri) || is_blank(&iri)) {
                    return Err(invalid("invalid vocab mapping: not an absolute IRI"));
                }
                Some(iri)
            }
            _ => return Err(invalid("invalid vocab mapping")),
        };
    }
    if let Some(v) = m.get("@language") {
        builder.result.language = match v {
            Value::Null => None,
            Value::String(s) => Some(s.to_ascii_lowercase()),
            _ => return Err(invalid("invalid default language")),
        };
    }
    if let Some(v) = m.get("@direction") {
        builder.result.direction = match v {
            Value::Null => None,
            // jsonld.js loses a context's default direction whenever it applies another
            // context (a type-scoped one, say), so what it signs would differ from ours:
            // refused rather than guessed. Directions on terms and values are kept.
            Value::String(s) if s == "ltr" || s == "rtl" => {
                return Err(JsonLdError::Unsupported {
                    path: src.into(),
                    feature: "a default @direction in a context (implementations disagree on where it applies; put @direction on the term or the value)".into(),
                });
            }
            _ => return Err(invalid("invalid base direction")),
        };
    }
    for key in m.keys() {
        if matches!(
            key.as_str(),
            "@base"
                | "@direction"
                | "@import"
                | "@language"
                | "@propagate"
                | "@protected"
                | "@version"
                | "@vocab"
        ) {
            continue;
        }
        builder.define(key)?;
    }
    Ok(builder.result)
}

/// IRI Expansion (§5.2) against a finished active context; borrows when
/// the result is the value itself or a term's IRI (the common cases).
fn expand_iri<'a>(ctx: &'a Context, value: &'a str, vocab: bool) -> Option<Cow<'a, str>> {
    if is_keyword(value) {
        return Some(Cow::Borrowed(value));
    }
    if has_keyword_form(value) {
        return None;
    }
    if vocab {
        if let Some(d) = ctx.terms.get(value) {
            return d.iri.as_deref().map(Cow::Borrowed);
        }
    }
    if let Some(colon) = colon_after_first(value) {
        let (prefix, suffix) = (&value[..colon], &value[colon + 1..]);
        if prefix == "_" || suffix.starts_with("//") {
            return Some(Cow::Borrowed(value));
        }
        if let Some(d) = ctx.terms.get(prefix) {
            if let (Some(iri), true) = (&d.iri, d.prefix) {
                return Some(Cow::Owned(format!("{iri}{suffix}")));
            }
        }
        if is_absolute_iri(value) {
            return Some(Cow::Borrowed(value));
        }
    }
    if vocab {
        if let Some(v) = &ctx.vocab {
            return Some(Cow::Owned(format!("{v}{value}")));
        }
    }
    Some(Cow::Borrowed(value))
}

/// The members of a JSON object under expansion: a map of the document, or
/// a [`Patched`] top level.
pub(crate) trait Members<'d> {
    /// How many members.
    fn count(&self) -> usize;
    /// The member named `key`.
    fn member(&self, key: &str) -> Option<&'d Value>;
    /// The members in document order.
    fn entries(&self) -> impl Iterator<Item = (&'d str, &'d Value)>;
}

impl<'d> Members<'d> for &'d Map<String, Value> {
    fn count(&self) -> usize {
        self.len()
    }

    fn member(&self, key: &str) -> Option<&'d Value> {
        self.get(key)
    }

    fn entries(&self) -> impl Iterator<Item = (&'d str, &'d Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// A document's top level with one member left out, one replaced in place
/// and one appended, borrowed rather than copied: the unsecured document a
/// proof covers is the secured one without `proof` (plus the proofs named by
/// `previousProof`, with the proof's `@context`), and copying the whole
/// document to build it cost as much as a tenth of verifying.
///
/// The members are those of a `serde_json::Map` built from `base` by
/// removing `without`, then inserting `append` (a key that is `without` or
/// absent from `base`), then inserting `replace` (in place if present).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patched<'d> {
    /// The document's members.
    pub(crate) base: &'d Map<String, Value>,
    /// A member of `base` left out.
    pub(crate) without: &'d str,
    /// A member appended after those of `base`.
    pub(crate) append: Option<(&'d str, &'d Value)>,
    /// A member replacing `base`'s of the same name, in its place (appended
    /// if `base` has none).
    pub(crate) replace: Option<(&'d str, &'d Value)>,
}

impl<'d> Patched<'d> {
    /// The member named `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&'d Value> {
        Members::member(&self, key)
    }
}

impl<'d> Members<'d> for &Patched<'d> {
    fn count(&self) -> usize {
        self.entries().count()
    }

    fn member(&self, key: &str) -> Option<&'d Value> {
        if let Some((_, v)) = self.replace.filter(|(k, _)| *k == key) {
            return Some(v);
        }
        if let Some((_, v)) = self.append.filter(|(k, _)| *k == key) {
            return Some(v);
        }
        if key == self.without {
            return None;
        }
        self.base.get(key)
    }

    fn entries(&self) -> impl Iterator<Item = (&'d str, &'d Value)> {
        let Patched {
            base,
            without,
            append,
            replace,
        } = **self;
        let replace_absent = replace.filter(|(k, _)| !base.contains_key(*k));
        base.iter()
            .filter(move |(k, _)| k.as_str() != without)
            .map(move |(k, v)| match replace {
                Some((rk, rv)) if rk == k.as_str() => (rk, rv),
                _ => (k.as_str(), v),
            })
            .chain(append)
            .chain(replace_absent)
    }
}

/// Where a local context comes from, for the memo key.
enum Source<'a> {
    /// The scoped context of a term definition.
    Scoped(&'a Arc<TermDef>),
    /// An `@context` member of the document.
    Embedded(&'a Value),
}

/// Memo key: the active context and the local context, by identity. The
/// entry keeps both alive, so an address cannot be reused while it is cached.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CacheKey {
    /// A list of context URLs applied to an active context.
    Urls(usize, Vec<String>, bool, bool),
    /// A term's scoped context applied to an active context.
    Scoped(usize, usize, bool, bool),
}

struct CacheEntry {
    _active: Arc<Context>,
    _def: Option<Arc<TermDef>>,
    result: Arc<Context>,
}

/// Entries before the memo is emptied (documents with inline contexts add
/// entries that are never hit again).
const CACHE_MAX: usize = 2048;

fn cache() -> &'static Mutex<FastMap<CacheKey, CacheEntry>> {
    static CACHE: OnceLock<Mutex<FastMap<CacheKey, CacheEntry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(FastMap::default()))
}

fn cache_get(key: &CacheKey) -> Option<Arc<Context>> {
    let map = cache().lock().ok()?;
    map.get(key).map(|e| e.result.clone())
}

fn cache_put(key: CacheKey, entry: CacheEntry) {
    if let Ok(mut map) = cache().lock() {
        if map.len() >= CACHE_MAX {
            map.clear();
        }
        map.insert(key, entry);
    }
}

/// The initial (empty) active context, shared so that memo keys match.
fn empty_context() -> Arc<Context> {
    static EMPTY: OnceLock<Arc<Context>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Context::default())).clone()
}

/// A step of the JSON path; keys borrow from the document being expanded
/// (the path is only rendered into a String when an error is reported).
#[derive(Debug, Clone)]
enum Seg<'d> {
    Key(&'d str),
    Index(usize),
}

/// The expansion algorithm (§5.1) with a JSON path for errors; `'d` is the
/// lifetime of the document being expanded.
pub(crate) struct Expander<'d> {
    path: Vec<Seg<'d>>,
}

fn obj(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

impl<'d> Expander<'d> {
    pub(crate) fn new() -> Self {
        Self { path: Vec::new() }
    }

    fn path(&self) -> String {
        let mut s = String::from("$");
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    fn invalid(&self, message: impl Into<String>) -> JsonLdError {
        JsonLdError::Invalid {
            path: self.path(),
            message: message.into(),
        }
    }

    fn unsupported(&self, feature: impl Into<String>) -> JsonLdError {
        JsonLdError::Unsupported {
            path: self.path(),
            feature: feature.into(),
        }
    }

    /// Context processing with a process-wide memo: credentials name the
    /// same bundled contexts and types again and again, and processing the
    /// VC and Open Badges contexts is most of the cost of expansion.
    fn process(
        &self,
        active: &Arc<Context>,
        source: Source<'_>,
        override_protected: bool,
        propagate: bool,
    ) -> Res<Arc<Context>> {
        let (local, key) = match source {
            Source::Scoped(def) => {
                let Some(local) = def.context.as_ref() else {
                    return Ok(active.clone());
                };
                let key = CacheKey::Scoped(
                    Arc::as_ptr(active) as usize,
                    Arc::as_ptr(def) as usize,
                    override_protected,
                    propagate,
                );
                (local, Some((key, Some(def.clone()))))
            }
            Source::Embedded(local) => {
                let urls: Option<Vec<String>> = as_slice(local)
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect();
                let key = urls.map(|u| {
                    let key = CacheKey::Urls(
                        Arc::as_ptr(active) as usize,
                        u,
                        override_protected,
                        propagate,
                    );
                    (key, None)
                });
                (local, key)
            }
        };
        if let Some((k, _)) = &key {
            if let Some(hit) = cache_get(k) {
                return Ok(hit);
            }
        }
        let src = format!("{}.@context", self.path());
        let result = process_context(
            active,
            local,
            override_protected,
            propagate,
            &mut Vec::new(),
            &src,
        )?;
        if let Some((k, def)) = key {
            cache_put(
                k,
                CacheEntry {
                    _active: active.clone(),
                    _def: def,
                    result: result.clone(),
                },
            );
        }
        Ok(result)
    }

    /// Expands a whole document (§5.1 plus the API's final steps): the
    /// result is an array of expanded objects.
    pub(crate) fn expand_document(&mut self, doc: &'d Value) -> Res<Vec<Value>> {
        let expanded = self.expand(&empty_context(), None, doc, false)?;
        Ok(Self::document_result(expanded))
    }

    /// [`Self::expand_document`] for a document given as [`Patched`]
    /// top-level members.
    pub(crate) fn expand_patched(&mut self, doc: &Patched<'d>) -> Res<Vec<Value>> {
        let expanded = self.expand_object(&empty_context(), None, None, doc, false)?;
        Ok(Self::document_result(expanded))
    }

    /// The API's final steps: a lone `@graph` is unwrapped, the result is
    /// an array.
    fn document_result(expanded: Value) -> Vec<Value> {
        let expanded = match expanded {
            Value::Object(mut m) if m.len() == 1 && m.contains_key("@graph") => {
                m.remove("@graph").unwrap_or(Value::Null)
            }
            other => other,
        };
        match expanded {
            Value::Null => Vec::new(),
            Value::Array(a) => a,
            other => vec![other],
        }
    }

    fn expand(
        &mut self,
        ctx: &Arc<Context>,
        prop: Option<&str>,
        element: &'d Value,
        from_map: bool,
    ) -> Res<Value> {
        let def = prop.and_then(|p| ctx.terms.get(p)).cloned();
        match element {
            Value::Null => Ok(Value::Null),
            Value::Array(items) => {
                let is_list =
                    prop == Some("@list") || def.as_ref().is_some_and(|d| d.has_container("@list"));
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    let e = self.expand(ctx, prop, item, from_map)?;
                    self.path.pop();
                    match e {
                        Value::Array(a) if is_list => out.push(obj([("@list", Value::Array(a))])),
                        Value::Array(a) => out.extend(a),
                        Value::Null => {}
                        v => out.push(v),
                    }
                }
                Ok(Value::Array(out))
            }
            Value::Object(map) => self.expand_object(ctx, prop, def.as_ref(), map, from_map),
            scalar => {
                let Some(p) = prop.filter(|p| *p != "@graph") else {
                    return Err(self.invalid("a value outside any property (free-floating scalar)"));
                };
                let ctx = match def.as_ref() {
                    Some(d) if d.context.is_some() => {
                        self.process(ctx, Source::Scoped(d), true, true)?
                    }
                    _ => ctx.clone(),
                };
                self.expand_value(&ctx, p, scalar)
            }
        }
    }

    /// Value Expansion (§5.3).
    fn expand_value(&self, ctx: &Context, prop: &str, value: &Value) -> Res<Value> {
        let def = ctx.terms.get(prop);
        let tm = def.and_then(|d| d.type_mapping.as_deref());
        if let (Some(t @ ("@id" | "@vocab")), Value::String(s)) = (tm, value) {
            let iri = expand_iri(ctx, s, t == "@vocab").map(Cow::into_owned);
            let iri = self.absolute(iri, s)?;
            return Ok(obj([("@id", Value::String(iri))]));
        }
        // @value and at most one of @type and @language.
        let mut out = Map::with_capacity(2);
        out.insert("@value".into(), value.clone());
        match tm {
            Some(t) if !matches!(t, "@id" | "@vocab" | "@none") => {
                out.insert("@type".into(), Value::String(t.to_owned()));
            }
            _ => {
                if value.is_string() {
                    let language = match def.and_then(|d| d.language.as_ref()) {
                        Some(l) => l.clone(),
                        None => ctx.language.clone(),
                    };
                    let direction = match def.and_then(|d| d.direction.as_ref()) {
                        Some(d) => d.clone(),
                        None => ctx.direction.clone(),
                    };
                    if let Some(l) = language {
                        out.insert("@language".into(), Value::String(l));
                    }
                    if let Some(d) = direction {
                        out.insert("@direction".into(), Value::String(d));
                    }
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// Safe mode: an IRI value must be absolute (or a blank node identifier).
    fn absolute(&self, iri: Option<String>, original: &str) -> Res<String> {
        match iri {
            Some(i) if is_absolute_iri(&i) || (is_blank(&i) && i.len() > 2) => Ok(i),
            _ => Err(JsonLdError::RelativeIri {
                path: self.path(),
                value: original.to_owned(),
            }),
        }
    }

    fn expand_object(
        &mut self,
        ctx: &Arc<Context>,
        prop: Option<&str>,
        def: Option<&Arc<TermDef>>,
        map: impl Members<'d>,
        from_map: bool,
    ) -> Res<Value> {
        let mut ctx = ctx.clone();
        // Step 7: type-scoped contexts do not propagate into new node objects.
        if let (false, Some(prev)) = (from_map, ctx.previous.clone()) {
            let expands_to = |k: &str, kw: &str| expand_iri(&ctx, k, true).as_deref() == Some(kw);
            let has_value = map.entries().any(|(k, _)| expands_to(k, "@value"));
            let only_id = map.count() == 1 && map.entries().all(|(k, _)| expands_to(k, "@id"));
            if !has_value && !only_id {
                ctx = prev;
            }
        }
        // Step 8: property-scoped context.
        if let Some(d) = def.filter(|d| d.context.is_some()) {
            ctx = self.process(&ctx, Source::Scoped(d), true, true)?;
        }
        // Step 9: embedded context.
        if let Some(local) = map.member("@context") {
            self.path.push(Seg::Key("@context"));
            let r = self.process(&ctx, Source::Embedded(local), false, true);
            self.path.pop();
            ctx = r?;
        }
        // Steps 10–11: type-scoped contexts, types in lexicographic order.
        let type_ctx = ctx.clone();
        let mut type_keys: Vec<(&'d str, &'d Value)> = map
            .entries()
            .filter(|(k, _)| expand_iri(&type_ctx, k, true).as_deref() == Some("@type"))
            .collect();
        type_keys.sort_by_key(|(k, _)| *k);
        let mut input_type = None;
        for &(k, v) in &type_keys {
            let mut terms: Vec<&str> = as_slice(v).iter().filter_map(Value::as_str).collect();
            if let Some(last) = terms.last() {
                input_type = expand_iri(&type_ctx, last, true).map(Cow::into_owned);
            }
            terms.sort_unstable();
            for t in terms {
                if let Some(d) = type_ctx.terms.get(t).filter(|d| d.context.is_some()) {
                    self.path.push(Seg::Key(k));
                    let r = self.process(&ctx, Source::Scoped(d), false, false);
                    self.path.pop();
                    ctx = r?;
                }
            }
        }
        // At most one expanded member per member (sized once, not grown).
        let mut result: Map<String, Value> = Map::with_capacity(map.count());
        // Step 13.
        for (key, value) in map.entries() {
            if key == "@context" {
                continue;
            }
            self.path.push(Seg::Key(key));
            let r = self.expand_entry(
                &ctx,
                &type_ctx,
                prop,
                key,
                value,
                input_type.as_deref(),
                &mut result,
            );
            self.path.pop();
            r?;
        }
        self.finish_object(prop, result)
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_entry(
        &mut self,
        ctx: &Arc<Context>,
        type_ctx: &Arc<Context>,
        prop: Option<&str>,
        key: &'d str,
        value: &'d Value,
        input_type: Option<&str>,
        result: &mut Map<String, Value>,
    ) -> Res<()> {
        let expanded_prop = match expand_iri(ctx, key, true).map(Cow::into_owned) {
            Some(p) if is_keyword(&p) || (is_absolute_iri(&p)) => p,
            Some(p) if is_blank(&p) => {
                return Err(self.invalid(format!(
                    "member {key:?} expands to the blank node {p:?}, which cannot be a property"
                )));
            }
            _ => {
                return Err(JsonLdError::UndefinedTerm {
                    path: self.path(),
                    term: key.to_owned(),
                });
            }
        };
        if is_keyword(&expanded_prop) {
            if result.contains_key(&expanded_prop) && expanded_prop != "@type" {
                return Err(
                    self.invalid(format!("colliding keywords: {expanded_prop} given twice"))
                );
            }
            let expanded = match expanded_prop.as_str() {
                "@id" => {
                    let Value::String(s) = value else {
                        return Err(self.invalid("invalid @id value: not a string"));
                    };
                    Value::String(self.absolute(expand_iri(ctx, s, false).map(Cow::into_owned), s)?)
                }
                "@type" => {
                    let mut types = match result.remove("@type") {
                        Some(Value::Array(a)) => a,
                        _ => Vec::new(),
                    };
                    for t in as_slice(value) {
                        let Value::String(s) = t else {
                            return Err(self.invalid("invalid type value: not a string"));
                        };
                        types.push(Value::String(
                            self.absolute(expand_iri(type_ctx, s, true).map(Cow::into_owned), s)?,
                        ));
                    }
                    Value::Array(types)
                }
                "@graph" => match self.expand(ctx, Some("@graph"), value, false)? {
                    Value::Array(a) => Value::Array(a),
                    Value::Null => Value::Array(Vec::new()),
                    other => Value::Array(vec![other]),
                },
                "@value" => {
                    if input_type == Some("@json") {
                        value.clone()
                    } else if value.is_object() || value.is_array() {
                        return Err(self.invalid("invalid value object value"));
                    } else {
                        value.clone()
                    }
                }
                "@language" => match value {
                    Value::String(s) => Value::String(s.to_ascii_lowercase()),
                    // jsonld.js drops a null @language, as if it were absent.
                    Value::Null => return Ok(()),
                    _ => return Err(self.invalid("invalid language-tagged string")),
                },
                // Kept: toRDF writes it as an i18n datatype (rdfDirection
                // i18n-datatype, the option Data Integrity suites use).
                "@direction" => match value {
                    Value::String(d) if d == "ltr" || d == "rtl" => value.clone(),
                    _ => return Err(self.invalid("invalid base direction (ltr or rtl)")),
                },
                "@index" => match value {
                    Value::String(_) => value.clone(),
                    _ => return Err(self.invalid("invalid @index value")),
                },
                "@list" => {
                    let Some(p) = prop.filter(|p| *p != "@graph") else {
                        return Err(
                            self.invalid("a list outside any property (free-floating list)")
                        );
                    };
                    match self.expand(ctx, Some(p), value, false)? {
                        Value::Array(a) => Value::Array(a),
                        Value::Null => Value::Array(Vec::new()),
                        other => Value::Array(vec![other]),
                    }
                }
                "@set" => self.expand(ctx, prop, value, false)?,
                other => return Err(self.unsupported(other.to_owned())),
            };
            result.insert(expanded_prop, expanded);
            return Ok(());
        }
        let def = ctx.terms.get(key);
        let expanded = if def.and_then(|d| d.type_mapping.as_deref()) == Some("@json") {
            obj([
                ("@value", value.clone()),
                ("@type", Value::String("@json".into())),
            ])
        } else {
            self.expand(ctx, Some(key), value, false)?
        };
        if expanded.is_null() {
            return Ok(());
        }
        let mut expanded = expanded;
        if def.is_some_and(|d| d.has_container("@list"))
            && !expanded.as_object().is_some_and(|m| has(m, "@list"))
        {
            let items = match expanded {
                Value::Array(a) => a,
                other => vec![other],
            };
            expanded = obj([("@list", Value::Array(items))]);
        }
        if def.is_some_and(|d| d.has_container("@graph")) {
            let items = match expanded {
                Value::Array(a) => a,
                other => vec![other],
            };
            expanded = Value::Array(
                items
                    .into_iter()
                    .map(|ev| {
                        let g = match ev {
                            Value::Array(a) => a,
                            other => vec![other],
                        };
                        obj([("@graph", Value::Array(g))])
                    })
                    .collect(),
            );
        }
        // A property met for the first time takes the expanded array as it
        // is (no copy into a new one); a repeated one (two keys expanding to
        // the same IRI) appends.
        match result.entry(expanded_prop) {
            serde_json::map::Entry::Vacant(slot) => {
                slot.insert(match expanded {
                    Value::Array(items) => Value::Array(items),
                    other => Value::Array(vec![other]),
                });
            }
            serde_json::map::Entry::Occupied(mut slot) => {
                if let Value::Array(a) = slot.get_mut() {
                    match expanded {
                        Value::Array(items) => a.extend(items),
                        other => a.push(other),
                    }
                }
            }
        }
        Ok(())
    }

    /// Steps 15–19 of the expansion algorithm.
    fn finish_object(&self, prop: Option<&str>, result: Map<String, Value>) -> Res<Value> {
        if has(&result, "@value") {
            for k in result.keys() {
                if !matches!(
                    k.as_str(),
                    "@value" | "@language" | "@type" | "@index" | "@direction"
                ) {
                    return Err(self.invalid(format!("invalid value object: member {k}")));
                }
            }
            if has(&result, "@type") && (has(&result, "@language") || has(&result, "@direction")) {
                return Err(self.invalid("invalid value object: @type with @language"));
            }
            let v = member(&result, "@value").unwrap_or(&Value::Null);
            if v.is_null() {
                return Ok(Value::Null);
            }
            let ty = member(&result, "@type");
            if ty.and_then(Value::as_str) != Some("@json") {
                if has(&result, "@language") && !v.is_string() {
                    return Err(self.invalid("invalid language-tagged value: not a string"));
                }
                match ty {
                    None => {}
                    Some(Value::String(t)) if is_absolute_iri(t) => {}
                    Some(Value::Array(a))
                        if a.len() == 1 && a[0].as_str().is_some_and(is_absolute_iri) => {}
                    Some(_) => {
                        return Err(
                            self.invalid("invalid typed value: @type is not an absolute IRI")
                        );
                    }
                }
            }
            let mut result = result;
            if let Some(Value::Array(a)) = result.get("@type") {
                let t = a.first().cloned().unwrap_or(Value::Null);
                result.insert("@type".into(), t);
            }
            return Ok(Value::Object(result));
        }
        if has(&result, "@list") || has(&result, "@set") {
            if result
                .keys()
                .any(|k| k != "@list" && k != "@set" && k != "@index")
                || result.len() > 2
            {
                return Err(self.invalid("invalid set or list object"));
            }
            if let Some(s) = result.get("@set") {
                return Ok(s.clone());
            }
        }
        if result.len() == 1 && has(&result, "@language") {
            return Ok(Value::Null);
        }
        // Top-level and @graph members that make no triple are dropped.
        let top = prop.is_none() || prop == Some("@graph");
        if top
            && (result.is_empty()
                || has(&result, "@value")
                || has(&result, "@list")
                || (result.len() == 1 && has(&result, "@id")))
        {
            return Ok(Value::Null);
        }
        Ok(Value::Object(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(doc: &str) -> Res<Vec<Value>> {
        Expander::new().expand_document(&serde_json::from_str(doc).unwrap())
    }

    #[test]
    fn undefined_member_is_an_error_with_its_path() {
        let e = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:1", "nickname": "x"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            JsonLdError::UndefinedTerm {
                path: "$.credentialSubject.nickname".into(),
                term: "nickname".into()
            }
        );
    }

    #[test]
    fn unknown_context_is_named() {
        let e = expand(r#"{"@context": "https://example.org/ctx", "x": 1}"#).unwrap_err();
        assert!(
            matches!(e, JsonLdError::UnknownContext { ref url, .. } if url == "https://example.org/ctx")
        );
        assert!(
            e.to_string()
                .contains("https://www.w3.org/ns/credentials/v2")
        );
    }

    #[test]
    fn relative_iris_are_errors() {
        let e = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2"],
                "id": "relative/thing", "type": ["VerifiableCredential"]}"#,
        )
        .unwrap_err();
        assert!(matches!(e, JsonLdError::RelativeIri { ref path, .. } if path == "$.id"));
        let e = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["NoSuchType"]}"#,
        )
        .unwrap_err();
        assert!(matches!(e, JsonLdError::RelativeIri { ref value, .. } if value == "NoSuchType"));
    }

    #[test]
    fn protected_terms_cannot_be_redefined() {
        let e = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2", {"name": "https://example.org/name"}],
                "name": "x"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("protected term redefinition"), "{e}");
    }

    #[test]
    fn base_direction_is_kept_and_checked() {
        let out = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                "name": {"@value": "x", "@language": "AR", "@direction": "rtl"}}"#,
        )
        .unwrap();
        let name = &out[0]["https://schema.org/name"][0];
        assert_eq!(name["@direction"], "rtl");
        assert_eq!(name["@language"], "ar");
        let e = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                "name": {"@value": "x", "@direction": "up"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("invalid base direction"), "{e}");
        let e = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2", {"@direction": "rtl"}],
                "type": ["VerifiableCredential"], "name": "x"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("default @direction"), "{e}");
    }

    #[test]
    fn a_nested_context_object_is_read_as_its_context() {
        let nested = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2",
                             {"@context": {"nick": "https://example.org/nick"}}],
                "type": ["VerifiableCredential"], "nick": "x"}"#,
        )
        .unwrap();
        let flat = expand(
            r#"{"@context": ["https://www.w3.org/ns/credentials/v2", {"nick": "https://example.org/nick"}],
                "type": ["VerifiableCredential"], "nick": "x"}"#,
        )
        .unwrap();
        assert_eq!(nested, flat);
        let e = expand(
            r#"{"@context": [{"@context": "https://www.w3.org/ns/credentials/v2"}], "x": 1}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("nested @context must be an object"),
            "{e}"
        );
    }

    #[test]
    fn is_absolute_iri_rules() {
        assert!(is_absolute_iri("urn:uuid:1"));
        assert!(is_absolute_iri("did:key:z6Mk#z6Mk"));
        assert!(!is_absolute_iri("relative/x"));
        assert!(!is_absolute_iri("1abc:x"));
        assert!(!is_absolute_iri("http://a b"));
    }
}
