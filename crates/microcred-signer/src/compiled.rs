//! A batch template compiled to byte writers: the credential's text (pretty
//! for its own file, compact for a JSON Lines bundle), its RFC 8785 canonical
//! form (what eddsa-jcs-2022 hashes) and the canonical form of the filled
//! template alone (the ledger's `content_sha256`), each as literal byte runs
//! with holes for the values that change per row.
//!
//! Every row's document has the template's members in the template's order;
//! only the values of placeholder strings (scalars), the id, `validFrom` and
//! `credentialStatus` change. So the template is rendered once per form with a
//! marker string in place of each such value and split at the markers; a row
//! is then written by copying the runs and writing only its own values. This
//! replaces, per credential, a clone of the template's `Value` tree, its
//! serialization, and a parse and canonical re-serialization for the hash —
//! together several times the cost of the signature. The output is byte for
//! byte that of the `Value` path (`template::fill`, `serde_json`,
//! `proof::add_proof_bytes`): a rerun compares files with what signing gives
//! again, also files that an earlier version wrote (tests below).

use microcred_core::{Value, jcs};
use serde_json::Map;
use sha2::{Digest as _, Sha256};

use crate::template::Template;

/// A marker opens with this private-use character and closes with the next;
/// a template holding either is not compiled.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// What fills a hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hole {
    /// The i-th placeholder string's value.
    Slot(usize),
    /// The credential id (`complete` adds it when the template has none).
    Id,
    /// `validFrom` (likewise).
    ValidFrom,
    /// `credentialStatus` (the ledger's entries; a top-level member).
    Status,
}

#[derive(Debug, Clone)]
enum Part {
    Lit(Vec<u8>),
    Hole(Hole),
}

/// How the values are written into a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Pretty,
    Compact,
    Canonical,
}

/// One rendering of the template, split at its holes.
#[derive(Debug, Clone)]
struct Form {
    /// Literal runs and holes, alternating; the first part is always a run
    /// (`Form::new` pushes one before every hole), possibly empty.
    parts: Vec<Part>,
    style: Style,
    len_hint: usize,
    /// SHA-256 fed with the first run, which every row shares. In the
    /// canonical forms it is most of the document (RFC 8785 puts
    /// `credentialSubject.achievement` before the learner's `id`), so a row's
    /// hash goes on from a copy of it.
    head_sha256: Sha256,
}

/// The per-row values of a compiled template.
#[derive(Debug)]
pub struct Values<'a> {
    /// From [`Template::fill_values`].
    pub slots: &'a [Value],
    /// The credential id.
    pub id: &'a str,
    /// The issue time (`validFrom` when the template leaves it out).
    pub valid_from: &'a str,
    /// The `credentialStatus`, with a ledger.
    pub status: Option<Status<'a>>,
}

impl<'a> Values<'a> {
    /// What the content form (the filled template alone) is written with: its
    /// holes are slots only, so nothing else is needed.
    fn content(slots: &'a [Value]) -> Self {
        Self {
            slots,
            id: "",
            valid_from: "",
            status: None,
        }
    }
}

/// A credential's `credentialStatus`.
#[derive(Debug, Clone, Copy)]
pub enum Status<'a> {
    /// As a value (`ledger::status_entries`).
    Value(&'a Value),
    /// Written from a batch's [`StatusTexts`] with this status-list index:
    /// the same bytes, without building a `Value` per credential.
    Index(&'a StatusTexts, u64),
}

/// The `credentialStatus` of a batch's credentials (one status base URL, an
/// index per credential) in each form, split where the index goes.
///
/// Made by rendering `ledger::status_entries` once with a sentinel index,
/// exactly as a hole renders a status value, and splitting at the sentinel:
/// the member order and string escaping are serde_json's and RFC 8785's own,
/// not restated here. An index is written as decimal digits in every form.
#[derive(Debug, Clone)]
pub struct StatusTexts {
    pretty: Vec<Vec<u8>>,
    compact: Vec<Vec<u8>>,
    canonical: Vec<Vec<u8>>,
}

impl StatusTexts {
    /// How many times the index appears (each entry's id and `statusListIndex`).
    const SLOTS: usize = 4;

    /// The texts for `base`; `None` when the sentinel index also appears in
    /// `base` (or cannot be represented), where callers use [`Status::Value`].
    pub fn new(base: &str) -> Option<Self> {
        const SENTINEL: u64 = 918_273_645_546_372_819;
        let value = crate::ledger::status_entries(base, SENTINEL).ok()?;
        let needle = SENTINEL.to_string();
        let split = |style: Style| -> Option<Vec<Vec<u8>>> {
            let mut text = Vec::new();
            write_status(style, &value, &mut text);
            let text = String::from_utf8(text).ok()?;
            let parts: Vec<Vec<u8>> = text.split(&needle).map(|p| p.as_bytes().to_vec()).collect();
            (parts.len() == Self::SLOTS + 1).then_some(parts)
        };
        Some(Self {
            pretty: split(Style::Pretty)?,
            compact: split(Style::Compact)?,
            canonical: split(Style::Canonical)?,
        })
    }

    fn write(&self, style: Style, index: u64, out: &mut Vec<u8>) {
        let parts = match style {
            Style::Pretty => &self.pretty,
            Style::Compact => &self.compact,
            Style::Canonical => &self.canonical,
        };
        let digits = index.to_string();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(digits.as_bytes());
            }
            out.extend_from_slice(part);
        }
    }
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Compiled {
    pretty: Form,
    compact: Form,
    canonical: Form,
    content: Form,
    context: Option<Value>,
}

impl Compiled {
    /// Compiles `template` for documents completed with `issuer` (and a
    /// `credentialStatus` when `with_status`) by `complete`. `None` when the
    /// template cannot be compiled (it holds a marker character, or a
    /// placeholder inside `@context`); such a batch takes the `Value` path.
    pub fn new(
        template: &Template,
        issuer: &str,
        with_status: bool,
        complete: impl Fn(Value, &str, &str, &str, Option<Value>) -> anyhow::Result<Value>,
    ) -> Option<Self> {
        let plain = serde_json::to_string(template.base()).ok()?;
        if plain.contains([OPEN, CLOSE]) {
            return None;
        }
        let mark = |label: &str| format!("{OPEN}{label}{CLOSE}");
        let (marked, in_context) = template.marked(|i| mark(&i.to_string()));
        if in_context {
            return None;
        }
        let content = Form::new(&marked, Style::Canonical)?;
        let status = with_status.then(|| Value::String(mark("status")));
        let full = complete(marked, &mark("id"), issuer, &mark("validFrom"), status).ok()?;
        let compiled = Self {
            pretty: Form::new(&full, Style::Pretty)?,
            compact: Form::new(&full, Style::Compact)?,
            canonical: Form::new(&full, Style::Canonical)?,
            content,
            context: full.get("@context").cloned(),
        };
        // Each marker must have become exactly one hole of each form.
        let holes = |f: &Form| {
            let mut h: Vec<Hole> = f
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::Hole(h) => Some(*h),
                    Part::Lit(_) => None,
                })
                .collect();
            h.sort_by_key(|h| format!("{h:?}"));
            h
        };
        let expected = holes(&compiled.canonical);
        let slots = expected
            .iter()
            .filter(|h| matches!(h, Hole::Slot(_)))
            .count();
        (holes(&compiled.pretty) == expected
            && holes(&compiled.compact) == expected
            && slots == template.slot_count()
            && holes(&compiled.content).len() == slots
            && (!with_status || expected.contains(&Hole::Status)))
        .then_some(compiled)
    }

    /// The document's `@context` (for the proof).
    pub fn context(&self) -> Option<&Value> {
        self.context.as_ref()
    }

    /// Appends the credential's text, without its proof: pretty-printed (its
    /// own file) or compact (a line of a bundle).
    pub fn write_text(&self, values: &Values<'_>, pretty: bool, out: &mut Vec<u8>) {
        let form = if pretty { &self.pretty } else { &self.compact };
        form.write(values, out);
    }

    /// A buffer size that fits most rows' text.
    pub fn text_len_hint(&self, pretty: bool) -> usize {
        if pretty {
            self.pretty.len_hint
        } else {
            self.compact.len_hint
        }
    }

    /// Appends the RFC 8785 canonical form of the credential (without proof),
    /// whole (for the tests that compare it with the `Value` path).
    pub fn write_canonical(&self, values: &Values<'_>, out: &mut Vec<u8>) {
        self.canonical.write(values, out);
    }

    /// The SHA-256 of the credential's RFC 8785 canonical form (without
    /// proof): what eddsa-jcs-2022 signs. Only what follows the form's first
    /// run is written (into `scratch`, cleared first) and hashed.
    pub fn document_sha256(&self, values: &Values<'_>, scratch: &mut Vec<u8>) -> [u8; 32] {
        self.canonical.sha256(values, scratch)
    }

    /// Appends what [`content_sha256`](Self::content_sha256) hashes, whole (for
    /// the tests that compare it with the `Value` path).
    pub fn write_content(&self, slots: &[Value], out: &mut Vec<u8>) {
        self.content.write(&Values::content(slots), out);
    }

    /// The SHA-256 of the canonical form of the filled template alone (no id,
    /// issuer, `validFrom` or status added): the ledger's `content_sha256`.
    /// As [`document_sha256`](Self::document_sha256), only the rest after the
    /// first run is written and hashed.
    pub fn content_sha256(&self, slots: &[Value], scratch: &mut Vec<u8>) -> [u8; 32] {
        self.content.sha256(&Values::content(slots), scratch)
    }
}

impl Form {
    fn new(doc: &Value, style: Style) -> Option<Self> {
        let text = match style {
            Style::Pretty => serde_json::to_vec_pretty(doc).ok()?,
            Style::Compact => serde_json::to_vec(doc).ok()?,
            Style::Canonical => jcs::canonicalize(doc),
        };
        let open = {
            let mut b = vec![b'"'];
            b.extend_from_slice(OPEN.to_string().as_bytes());
            b
        };
        let close = {
            let mut b = CLOSE.to_string().into_bytes();
            b.push(b'"');
            b
        };
        let mut parts = Vec::new();
        let mut rest = text.as_slice();
        while let Some(start) = find(rest, &open) {
            let after = rest.get(start + open.len()..)?;
            let end = find(after, &close)?;
            let label = std::str::from_utf8(after.get(..end)?).ok()?;
            let hole = match label {
                "id" => Hole::Id,
                "validFrom" => Hole::ValidFrom,
                "status" => Hole::Status,
                n => Hole::Slot(n.parse().ok()?),
            };
            parts.push(Part::Lit(rest.get(..start)?.to_vec()));
            parts.push(Part::Hole(hole));
            rest = after.get(end + close.len()..)?;
        }
        parts.push(Part::Lit(rest.to_vec()));
        // Room for the values and, for the texts, the proof.
        let len_hint = text.len() + 1024;
        let mut head_sha256 = Sha256::new();
        if let Some(Part::Lit(head)) = parts.first() {
            head_sha256.update(head);
        }
        Some(Self {
            parts,
            style,
            len_hint,
            head_sha256,
        })
    }

    fn write(&self, values: &Values<'_>, out: &mut Vec<u8>) {
        self.write_parts(0, values, out);
    }

    /// The SHA-256 of the form written with `values`: the parts after the
    /// first run are written into `scratch` (cleared first) and hashed on from
    /// [`head_sha256`](Self::head_sha256).
    fn sha256(&self, values: &Values<'_>, scratch: &mut Vec<u8>) -> [u8; 32] {
        scratch.clear();
        self.write_parts(1, values, scratch);
        let mut hash = self.head_sha256.clone();
        hash.update(&scratch[..]);
        hash.finalize().into()
    }

    /// Writes the parts from the `first` on.
    fn write_parts(&self, first: usize, values: &Values<'_>, out: &mut Vec<u8>) {
        for part in self.parts.iter().skip(first) {
            match part {
                Part::Lit(bytes) => out.extend_from_slice(bytes),
                Part::Hole(hole) => match hole {
                    Hole::Slot(i) => {
                        if let Some(v) = values.slots.get(*i) {
                            self.value(v, out);
                        }
                    }
                    Hole::Id => self.string(values.id, out),
                    Hole::ValidFrom => self.string(values.valid_from, out),
                    Hole::Status => match values.status {
                        Some(Status::Index(texts, index)) => texts.write(self.style, index, out),
                        Some(Status::Value(status)) => write_status(self.style, status, out),
                        None => write_status(self.style, &Value::Null, out),
                    },
                },
            }
        }
    }

    fn value(&self, v: &Value, out: &mut Vec<u8>) {
        match self.style {
            // A scalar is written alike pretty or compact; the status is handled above.
            Style::Pretty | Style::Compact => {
                let _ = serde_json::to_writer(&mut *out, v);
            }
            Style::Canonical => jcs::canonicalize_into(v, out),
        }
    }

    fn string(&self, s: &str, out: &mut Vec<u8>) {
        match self.style {
            Style::Pretty | Style::Compact => {
                let _ = serde_json::to_writer(&mut *out, s);
            }
            Style::Canonical => jcs::canonicalize_into(&Value::String(s.to_owned()), out),
        }
    }
}

/// A `credentialStatus` value as its hole in a form of `style` holds it.
fn write_status(style: Style, status: &Value, out: &mut Vec<u8>) {
    match style {
        Style::Pretty => {
            // A top-level member: its inner lines are indented once.
            let text = serde_json::to_string_pretty(status).unwrap_or_default();
            out.extend_from_slice(text.replace('\n', "\n  ").as_bytes());
        }
        Style::Compact => {
            let _ = serde_json::to_writer(&mut *out, status);
        }
        Style::Canonical => jcs::canonicalize_into(status, out),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splices the proof into a credential's text as `proof::add_proof_bytes` does:
/// the last member, before the closing brace (which the text ends with); a
/// pretty text also gets its final newline.
pub fn splice_proof(text: &mut Vec<u8>, proof: &Map<String, Value>, pretty: bool) {
    // The text ends with `\n}` (pretty) or `}` (compact).
    let tail = if pretty { 2 } else { 1 };
    text.truncate(text.len().saturating_sub(tail));
    if pretty {
        text.extend_from_slice(b",\n  \"proof\": ");
        let proof = serde_json::to_string_pretty(proof).unwrap_or_default();
        text.extend_from_slice(proof.replace('\n', "\n  ").as_bytes());
        text.extend_from_slice(b"\n}\n");
    } else {
        text.extend_from_slice(b",\"proof\":");
        let _ = serde_json::to_writer(&mut *text, proof);
        text.push(b'}');
    }
}

/// The proof of every credential a batch signs with the same options (the same
/// key, method and `created`), written once but for its `proofValue`.
///
/// eddsa-jcs-2022 signs the SHA-256 of the canonical proof configuration (the
/// options and the document's `@context`) followed by the document's; for one
/// batch only the document's changes. So the configuration's hash and the
/// proof's text around the signature are made once, by the `Value` path itself
/// ([`microcred_core::proof::jcs_proof_for_hash`] and [`splice_proof`]), and each credential
/// then costs its signature and its base58 text alone, not a map of the options,
/// a clone of the `@context`, their canonical form and hash and a serialization.
pub struct ProofText {
    /// The `created` these texts hold (the batch's start); another is not theirs.
    created: String,
    config_sha256: [u8; 32],
    /// What [`splice_proof`] writes, before and after the proofValue's characters,
    /// compact and pretty.
    compact: (Vec<u8>, Vec<u8>),
    pretty: (Vec<u8>, Vec<u8>),
}

impl ProofText {
    /// The proof texts for `options` (whose `created` must be set), or `None` when
    /// they cannot be made this way (the caller then takes the per-credential path).
    pub fn new(
        context: Option<&Value>,
        options: &microcred_core::proof::ProofOptions,
    ) -> Option<Self> {
        const MARK: &str = "\u{E000}proofValue\u{E001}";
        let created = options.created.clone()?;
        // The configuration the core hashes (options and @context); nothing signed.
        let (mut proof, config_sha256) =
            microcred_core::proof::jcs_proof_config(context, options).ok()?;
        proof.insert("proofValue".into(), MARK.into());
        let split = |pretty: bool| -> Option<(Vec<u8>, Vec<u8>)> {
            // The splice on an empty object: `{` and what `splice_proof` adds.
            let mut text = if pretty {
                b"{\n}".to_vec()
            } else {
                b"{}".to_vec()
            };
            splice_proof(&mut text, &proof, pretty);
            let at = find(&text, MARK.as_bytes())?;
            let after = at + MARK.len();
            // The mark must be the proofValue alone: nothing else may hold it.
            if find(&text[after..], MARK.as_bytes()).is_some() {
                return None;
            }
            // Without the empty object's `{`: the credential's own text is there.
            Some((text[1..at].to_vec(), text[after..].to_vec()))
        };
        Some(Self {
            created,
            config_sha256,
            compact: split(false)?,
            pretty: split(true)?,
        })
    }

    /// Whether a credential whose proof has this `created` can take these texts.
    pub fn fits(&self, created: &str) -> bool {
        self.created == created
    }

    /// Signs the document whose canonical form hashes to `document_sha256`
    /// and splices the proof into its `text` as [`splice_proof`] does.
    pub fn splice(
        &self,
        text: &mut Vec<u8>,
        document_sha256: [u8; 32],
        key: &microcred_core::keys::SecretKey,
        pretty: bool,
    ) {
        let mut message = [0u8; 64];
        message[..32].copy_from_slice(&self.config_sha256);
        message[32..].copy_from_slice(&document_sha256);
        let signature = key.sign(&message);
        let (before, after) = if pretty { &self.pretty } else { &self.compact };
        // `before` starts where `splice_proof` starts writing: after the text's
        // closing brace (and, pretty, the line break before it) is taken off.
        let tail = if pretty { 2 } else { 1 };
        text.truncate(text.len().saturating_sub(tail));
        text.extend_from_slice(before);
        text.extend_from_slice(
            microcred_core::multibase::encode_base58btc(&signature.to_bytes()).as_bytes(),
        );
        text.extend_from_slice(after);
    }
}
