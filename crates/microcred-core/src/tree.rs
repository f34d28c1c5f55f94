//! A borrowed, allocation-light JSON tree for the hot paths (verifying and signing
//! from bytes): strings and numbers are slices of the input, every node lives in
//! one arena vector, and object members are stored sorted in RFC 8785 order, so
//! canonicalization is a plain walk and duplicate members are adjacent.
//!
//! It accepts exactly the inputs [`crate::json::parse_with_limits`] accepts: the
//! same I-JSON rules, checked in one pass. It does not render errors: on any
//! rejection the caller runs [`crate::json::parse_with_limits`], which names the
//! JSON path, so both paths report identical errors (differential tests pin the
//! accept/reject agreement).

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::jcs::{self, Out, cmp_utf16};
use crate::json::{self, Limits, plain_len};

/// Largest integer magnitude an IEEE double holds exactly (I-JSON, RFC 7493 §2.2).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A node of the tree. Containers point into [`Tree::nodes`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    /// A grammar- and range-checked number literal.
    Num(&'a str),
    /// The raw content between the quotes; `true` when it contains escapes.
    Str(&'a str, bool),
    /// Elements at `nodes[first..first + len]`.
    Array {
        first: u32,
        len: u32,
        span: Span,
    },
    /// Members at `nodes[first + 2i]` (name, a `Str`) and `nodes[first + 2i + 1]`
    /// (value), sorted by name in UTF-16 order, without duplicates.
    Object {
        first: u32,
        len: u32,
        span: Span,
    },
}

/// Where a container is in the input, and whether that text is already its
/// canonical form (then the writer copies it in one piece).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    /// Offset of the opening bracket.
    start: u32,
    /// Offset after the closing bracket.
    end: u32,
    /// No whitespace, members in canonical order, no escapes, only integer
    /// numbers other than `-0`: the input text is the RFC 8785 form.
    canonical: bool,
}

/// A parsed document.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    /// The input: canonical text is copied from it in runs.
    bytes: &'a [u8],
    nodes: Vec<Node<'a>>,
    root: Node<'a>,
    /// See [`Tree::multi_line`].
    // Only signing (`add_proof_bytes`) reads it; the verifier builds without.
    #[cfg_attr(not(feature = "signing"), allow(dead_code))]
    multi_line: bool,
}

/// Why the fast parser gave up; the caller asks the strict parser for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejected;

type Result<T> = core::result::Result<T, Rejected>;

impl<'a> Tree<'a> {
    /// Parses strict JSON (the rules of [`crate::json`]).
    pub(crate) fn parse(bytes: &'a [u8], limits: Limits) -> Result<Self> {
        // Offsets are u32: larger inputs take the strict parser's path.
        if bytes.len() > limits.max_bytes
            || u32::try_from(bytes.len()).is_err()
            || bytes.starts_with(b"\xEF\xBB\xBF")
        {
            return Err(Rejected);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| Rejected)?;
        let mut parser = Parser {
            bytes,
            text,
            pos: 0,
            max_depth: limits.max_depth,
            nodes: Vec::with_capacity(bytes.len() / 10),
            items: Vec::with_capacity(32),
            members: Vec::with_capacity(64),
            stack: Vec::with_capacity(16),
            newline: false,
        };
        let root = parser.run()?;
        parser.skip_ws();
        if parser.pos != bytes.len() {
            return Err(Rejected);
        }
        Ok(Self {
            bytes,
            nodes: parser.nodes,
            root,
            multi_line: parser.newline,
        })
    }

    /// Whether the input has a line feed: strings cannot hold a raw one, so it
    /// is whitespace, and the document is laid out on several lines.
    // Only signing (`add_proof_bytes`) reads it; the verifier builds without.
    #[cfg_attr(not(feature = "signing"), allow(dead_code))]
    pub(crate) fn multi_line(&self) -> bool {
        self.multi_line
    }

    /// The top-level value.
    pub(crate) fn root(&self) -> Node<'a> {
        self.root
    }

    /// The elements of an array (empty for other nodes).
    pub(crate) fn items(&self, node: Node<'a>) -> &[Node<'a>] {
        match node {
            Node::Array { first, len, .. } => self.slice(first, len),
            _ => &[],
        }
    }

    /// The members of an object as (name, value) pairs, in canonical order.
    pub(crate) fn members(
        &self,
        node: Node<'a>,
    ) -> impl ExactSizeIterator<Item = (Node<'a>, Node<'a>)> + '_ {
        let pairs = match node {
            Node::Object { first, len, .. } => self.slice(first, len.saturating_mul(2)),
            _ => &[],
        };
        pairs.chunks_exact(2).map(|pair| match pair {
            [name, value] => (*name, *value),
            _ => (Node::Null, Node::Null),
        })
    }

    fn slice(&self, first: u32, len: u32) -> &[Node<'a>] {
        let first = first as usize;
        self.nodes
            .get(first..first + len as usize)
            .unwrap_or_default()
    }

    /// The member `name` of an object (names are compared after unescaping).
    pub(crate) fn get(&self, node: Node<'a>, name: &str) -> Option<Node<'a>> {
        self.members(node)
            .find(|(key, _)| str_eq(*key, name))
            .map(|(_, value)| value)
    }

    /// Semantic equality, as `serde_json::Value`'s `==` on the strict parser's output.
    pub(crate) fn equal(&self, a: Node<'a>, b: Node<'a>) -> bool {
        match (a, b) {
            (Node::Null, Node::Null) => true,
            (Node::Bool(x), Node::Bool(y)) => x == y,
            (Node::Num(x), Node::Num(y)) => number_value(x) == number_value(y),
            (Node::Str(..), Node::Str(..)) => unescape(a) == unescape(b),
            (Node::Array { len: la, .. }, Node::Array { len: lb, .. }) => {
                la == lb
                    && self
                        .items(a)
                        .iter()
                        .zip(self.items(b))
                        .all(|(x, y)| self.equal(*x, *y))
            }
            (Node::Object { len: la, .. }, Node::Object { len: lb, .. }) => {
                // Both sorted and duplicate-free: equal maps have equal pair sequences.
                la == lb
                    && self
                        .members(a)
                        .zip(self.members(b))
                        .all(|((ka, va), (kb, vb))| {
                            unescape(ka) == unescape(kb) && self.equal(va, vb)
                        })
            }
            _ => false,
        }
    }

    /// Writes the RFC 8785 canonical form of `node`.
    // Only signing (`add_proof_bytes`) reads it; the verifier builds without.
    #[cfg_attr(not(feature = "signing"), allow(dead_code))]
    pub(crate) fn write<O: Out>(&self, node: Node<'a>, out: &mut O) {
        let mut writer = Writer::new(self, out);
        writer.node(node);
        writer.flush();
    }

    /// Writes an object's canonical form with members changed on the way: `edit`
    /// sees each (name, value) and returns `None` to keep it, `Some(None)` to leave
    /// it out, or `Some(Some(v))` to write `v` instead. No clone of the document.
    pub(crate) fn write_object<O: Out>(
        &self,
        node: Node<'a>,
        edit: impl Fn(&str, Node<'a>) -> Option<Option<Node<'a>>>,
        out: &mut O,
    ) {
        let mut writer = Writer::new(self, out);
        writer.open(node, b'{');
        let mut first = true;
        for (key, value) in self.members(node) {
            let value = match edit(&unescape(key), value) {
                None => value,
                Some(None) => continue,
                Some(Some(replacement)) => replacement,
            };
            if !std::mem::take(&mut first) {
                writer.byte(b',');
            }
            writer.node(key);
            writer.byte(b':');
            writer.node(value);
        }
        writer.byte(b'}');
        writer.flush();
    }
}

/// Writes canonical output as runs of the input: every piece that is the same
/// bytes as the input right after the current run extends the run, so input text
/// already in canonical form (a member `"name":"value"`, an array of plain
/// strings, a whole sorted object) reaches the output in one `put`. The output
/// is the same whatever the runs: a piece extends a run only if the input has
/// exactly its bytes there.
struct Writer<'t, 'a, O: Out> {
    tree: &'t Tree<'a>,
    out: &'t mut O,
    /// The pending run, `tree.bytes[start..end]` (empty when equal).
    start: usize,
    end: usize,
}

impl<'t, 'a, O: Out> Writer<'t, 'a, O> {
    fn new(tree: &'t Tree<'a>, out: &'t mut O) -> Self {
        Self {
            tree,
            out,
            start: 0,
            end: 0,
        }
    }

    /// Offset in the input of a slice of it.
    #[inline(always)]
    fn offset(&self, text: &str) -> usize {
        (text.as_ptr() as usize).wrapping_sub(self.tree.bytes.as_ptr() as usize)
    }

    /// Writes `bytes[start..end]`.
    #[inline(always)]
    fn span(&mut self, start: usize, end: usize) {
        if start != self.end || self.start == self.end {
            self.flush();
            self.start = start;
        }
        self.end = end;
    }

    /// Writes `text` (not a slice of the input).
    fn text(&mut self, text: &[u8]) {
        let next = self.end + text.len();
        if self.start != self.end && self.tree.bytes.get(self.end..next) == Some(text) {
            self.end = next;
        } else {
            self.flush();
            self.out.put(text);
        }
    }

    #[inline(always)]
    fn byte(&mut self, byte: u8) {
        if self.start != self.end && self.tree.bytes.get(self.end) == Some(&byte) {
            self.end += 1;
        } else {
            self.flush();
            self.out.byte(byte);
        }
    }

    fn flush(&mut self) {
        if self.start != self.end {
            let run = self
                .tree
                .bytes
                .get(self.start..self.end)
                .unwrap_or_default();
            self.out.put(run);
            self.start = self.end;
        }
    }

    /// The opening bracket of a container, as a run of the input.
    fn open(&mut self, node: Node<'a>, bracket: u8) {
        match node {
            Node::Array { span, .. } | Node::Object { span, .. } => {
                let start = span.start as usize;
                self.span(start, start + 1);
            }
            _ => self.byte(bracket),
        }
    }

    /// Writes `node`: the common pieces here, inlined into the loops over
    /// members and items; the rest through [`Self::other`].
    #[inline(always)]
    fn node(&mut self, node: Node<'a>) {
        match node {
            Node::Str(raw, false) => {
                // Validated content without escapes has no quote, backslash or
                // control character: with its quotes, it is its own canonical form.
                let start = self.offset(raw);
                self.span(start.wrapping_sub(1), start + raw.len() + 1);
            }
            Node::Array { span, .. } | Node::Object { span, .. } if span.canonical => {
                self.span(span.start as usize, span.end as usize);
            }
            _ => self.other(node),
        }
    }

    fn other(&mut self, node: Node<'a>) {
        match node {
            Node::Null => self.text(b"null"),
            Node::Bool(true) => self.text(b"true"),
            Node::Bool(false) => self.text(b"false"),
            Node::Num(literal) if is_canonical_integer(literal) => {
                let start = self.offset(literal);
                self.span(start, start + literal.len());
            }
            Node::Num(literal) => {
                self.flush();
                write_number(literal, self.out);
            }
            Node::Str(raw, false) => {
                // Validated content without escapes has no quote, backslash or
                // control character: with its quotes, it is its own canonical form.
                let start = self.offset(raw);
                self.span(start.wrapping_sub(1), start + raw.len() + 1);
            }
            Node::Str(..) => {
                self.flush();
                jcs::write_string(&unescape(node), self.out);
            }
            Node::Array { span, .. } | Node::Object { span, .. } if span.canonical => {
                self.span(span.start as usize, span.end as usize);
            }
            Node::Array { .. } => {
                self.open(node, b'[');
                for (i, item) in self.tree.items(node).iter().enumerate() {
                    if i > 0 {
                        self.byte(b',');
                    }
                    self.node(*item);
                }
                self.byte(b']');
            }
            Node::Object { .. } => {
                self.open(node, b'{');
                for (i, (key, value)) in self.tree.members(node).enumerate() {
                    if i > 0 {
                        self.byte(b',');
                    }
                    self.node(key);
                    self.byte(b':');
                    self.node(value);
                }
                self.byte(b'}');
            }
        }
    }
}

/// The string value of a `Str` node (unescaped), or `""` for other nodes.
pub(crate) fn unescape(node: Node<'_>) -> Cow<'_, str> {
    match node {
        Node::Str(raw, false) => Cow::Borrowed(raw),
        Node::Str(raw, true) => decode_escaped(raw).map_or(Cow::Borrowed(""), Cow::Owned),
        _ => Cow::Borrowed(""),
    }
}

/// Whether a node is the string `text`.
pub(crate) fn str_eq(node: Node<'_>, text: &str) -> bool {
    match node {
        Node::Str(raw, false) => raw == text,
        Node::Str(_, true) => unescape(node) == text,
        _ => false,
    }
}

/// The string value of a node, if it is a string.
pub(crate) fn as_str(node: Node<'_>) -> Option<Cow<'_, str>> {
    match node {
        Node::Str(..) => Some(unescape(node)),
        _ => None,
    }
}

/// A number as `serde_json::Number` holds it after the strict parser: the
/// variants compare exactly as `serde_json`'s do.
#[derive(Debug, PartialEq)]
enum NumberValue {
    PosInt(u64),
    NegInt(i64),
    Float(f64),
}

fn number_value(literal: &str) -> NumberValue {
    if is_integer_literal(literal) {
        match literal.parse::<i64>() {
            // Same as the strict parser: `-0` is the double -0.0; an integer beyond
            // ±(2^53−1) (a double's RFC 8785 form) is held exactly where a u64 or
            // i64 holds it, else as the double.
            Ok(0) if literal.starts_with('-') => NumberValue::Float(-0.0),
            Ok(n) if n < 0 => NumberValue::NegInt(n),
            Ok(n) => NumberValue::PosInt(n.unsigned_abs()),
            Err(_) => match literal.parse::<u64>() {
                Ok(n) => NumberValue::PosInt(n),
                Err(_) => NumberValue::Float(literal.parse().unwrap_or(f64::NAN)),
            },
        }
    } else {
        NumberValue::Float(literal.parse().unwrap_or(f64::NAN))
    }
}

fn is_integer_literal(literal: &str) -> bool {
    !literal.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

/// Whether a validated number literal is its own canonical form: integers are
/// range-checked (|n| ≤ 2^53 − 1, or beyond it a double's RFC 8785 form) and
/// without leading zeros, so their digits are what ECMAScript prints, except
/// for `-0`.
fn is_canonical_integer(literal: &str) -> bool {
    is_integer_literal(literal) && literal != "-0"
}

/// Writes a validated number literal in canonical form.
fn write_number<O: Out>(literal: &str, out: &mut O) {
    if is_integer_literal(literal) {
        // Range-checked (|n| ≤ 2^53 − 1, or a double's RFC 8785 form) and without
        // leading zeros, so the digits are what ECMAScript prints, except for `-0`.
        if literal == "-0" {
            out.byte(b'0');
        } else {
            out.put(literal.as_bytes());
        }
    } else if let Some(integer) = whole_decimal(literal) {
        // `5.0` is the double 5, which ECMAScript prints as `5` (and `-0.0` as `0`).
        if integer == "-0" {
            out.byte(b'0');
        } else {
            out.put(integer.as_bytes());
        }
    } else {
        jcs::write_f64(literal.parse().unwrap_or(0.0), out);
    }
}

/// For a validated literal `I.0…0` (no exponent) whose integer part `I` has at
/// most 15 digits, `I`: the double is that integer exactly (below 2^53), so its
/// canonical form is `I`'s digits, as for an integer literal. Credits and
/// grades are often written so (`5.0`); this skips float parsing and printing.
fn whole_decimal(literal: &str) -> Option<&str> {
    let (integer, fraction) = literal.split_once('.')?;
    let digits = integer.strip_prefix('-').unwrap_or(integer);
    (digits.len() <= 15 && !fraction.is_empty() && fraction.bytes().all(|b| b == b'0'))
        .then_some(integer)
}

/// The index of the first quote, backslash or control byte at or after `i` (or
/// the input's length). The first word is tested here, inlined into the parser's
/// string loop: most strings of a credential (names, types, short values) end
/// in it, and the call to [`plain_len`] with its chunk setup cost as much as
/// their scan. Longer strings go on with [`plain_len`]'s loop, which tests
/// each further word with fewer instructions than a loop written here.
#[inline(always)]
fn plain_end(bytes: &[u8], i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit set in each byte of `x` that is zero; the lowest one is exact.
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH_BITS;
    let Some(word) = bytes
        .get(i..i.wrapping_add(8))
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    else {
        return i + plain_len(bytes.get(i..).unwrap_or_default());
    };
    let x = u64::from_le_bytes(word);
    let special = (x.wrapping_sub(ONES * 0x20) & !x & HIGH_BITS)
        | zero_bytes(x ^ (ONES * u64::from(b'"')))
        | zero_bytes(x ^ (ONES * u64::from(b'\\')));
    if special != 0 {
        // Little-endian: the lowest flagged byte is the first in the input.
        return i + (special.trailing_zeros() / 8) as usize;
    }
    let next = i + 8;
    next + plain_len(bytes.get(next..).unwrap_or_default())
}

/// Decodes the escapes of validated string content.
fn decode_escaped(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < bytes.len() {
        let run = plain_len(bytes.get(i..)?);
        out.push_str(raw.get(i..i + run)?);
        i += run;
        if i >= bytes.len() {
            break;
        }
        let (c, next) = escape_at(bytes, i)?;
        out.push(c);
        i = next;
    }
    Some(out)
}

/// The character of the escape at `bytes[i] == b'\\'` and the index after it;
/// `None` for anything the strict parser rejects.
fn escape_at(bytes: &[u8], i: usize) -> Option<(char, usize)> {
    if bytes.get(i) != Some(&b'\\') {
        return None;
    }
    let c = match bytes.get(i + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(bytes, i + 2)?;
            return match unit {
                0xD800..=0xDBFF => {
                    if bytes.get(i + 6..i + 8) != Some(b"\\u") {
                        return None;
                    }
                    let low = hex4(bytes, i + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let code =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    Some((char::from_u32(code)?, i + 12))
                }
                0xDC00..=0xDFFF => None,
                _ => Some((char::from_u32(u32::from(unit))?, i + 6)),
            };
        }
        _ => return None,
    };
    Some((c, i + 2))
}

fn hex4(bytes: &[u8], i: usize) -> Option<u16> {
    let digits = bytes.get(i..i + 4)?;
    digits.iter().try_fold(0u16, |acc, &b| {
        char::from(b).to_digit(16).map(|d| (acc << 4) | d as u16)
    })
}

/// Orders two member names (unescaped) in UTF-16 order.
#[inline]
fn cmp_names(a: Node<'_>, b: Node<'_>) -> Ordering {
    match (a, b) {
        (Node::Str(x, false), Node::Str(y, false)) => cmp_utf16(x, y),
        _ => cmp_utf16(&unescape(a), &unescape(b)),
    }
}

/// Objects up to this many members are sorted by insertion, which also finds
/// duplicates and notices input already in order; larger ones by `sort_unstable`
/// (insertion sort is quadratic, and input is untrusted).
const INSERTION_SORT_MAX: usize = 24;

/// A member of an open object, with the sort key of its name.
#[derive(Debug, Clone, Copy)]
struct Member<'a> {
    /// See [`name_key`].
    key: u64,
    /// The name (a `Str`) and the value, as they go into the arena.
    pair: [Node<'a>; 2],
}

/// The high bit of each byte.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The first eight bytes of a member name, big-endian and zero-padded, so that
/// for ASCII names unequal keys compare as the names do: byte order is UTF-16
/// order for ASCII, and a pad sorts a shorter name first (a valid string has no
/// raw NUL). Names with escapes get all high bits set: compare the names.
///
/// `input` is the input from the name's first byte on: when eight bytes are
/// there, one load and a mask make the key.
#[inline(always)]
fn name_key(raw: &str, escaped: bool, input: &[u8]) -> u64 {
    if escaped {
        return u64::MAX;
    }
    let len = raw.len();
    if let Some(word) = input.get(..8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let word = u64::from_be_bytes(word);
        return match len {
            0 => 0,
            1..=7 => word & !(u64::MAX >> (8 * len)),
            _ => word,
        };
    }
    let mut prefix = [0u8; 8];
    for (slot, byte) in prefix.iter_mut().zip(raw.as_bytes()) {
        *slot = *byte;
    }
    u64::from_be_bytes(prefix)
}

/// Orders members by name in UTF-16 order: by key when that decides (different
/// ASCII prefixes, the common case), by the names otherwise.
#[inline]
fn cmp_members(a: &Member<'_>, b: &Member<'_>) -> Ordering {
    if a.key != b.key && (a.key | b.key) & HIGH_BITS == 0 {
        a.key.cmp(&b.key)
    } else {
        cmp_names(a.pair[0], b.pair[0])
    }
}

/// Sorts members by name; `Err` on a duplicate name, `Ok(true)` when they were
/// already in order.
fn sort_members(members: &mut [Member<'_>]) -> Result<bool> {
    if members.len() > INSERTION_SORT_MAX {
        let mut in_order = true;
        for pair in members.windows(2) {
            if let [a, b] = pair {
                match cmp_members(a, b) {
                    Ordering::Less => {}
                    Ordering::Equal => return Err(Rejected),
                    Ordering::Greater => in_order = false,
                }
            }
        }
        if in_order {
            return Ok(true);
        }
        members.sort_unstable_by(cmp_members);
        // Sorted, so a repeated name (compared after unescaping) is adjacent.
        if members
            .windows(2)
            .any(|w| matches!(w, [a, b] if cmp_members(a, b) == Ordering::Equal))
        {
            return Err(Rejected);
        }
        return Ok(false);
    }
    // Insertion sort compares every pair that ends up adjacent (when the later of
    // the two is inserted, the other is its neighbour or is passed over), so an
    // `Equal` comparison on the way finds every duplicate. Larger members move
    // up one slot each (a copy, not a swap) and the new one is written once.
    let mut in_order = true;
    for i in 1..members.len() {
        let Some(&cur) = members.get(i) else {
            break;
        };
        let mut j = i;
        while let Some(&prev) = j.checked_sub(1).and_then(|k| members.get(k)) {
            match cmp_members(&prev, &cur) {
                Ordering::Less => break,
                Ordering::Equal => return Err(Rejected),
                Ordering::Greater => {
                    if let Some(slot) = members.get_mut(j) {
                        *slot = prev;
                    }
                    j -= 1;
                }
            }
        }
        if j != i {
            in_order = false;
            if let Some(slot) = members.get_mut(j) {
                *slot = cur;
            }
        }
    }
    Ok(in_order)
}

/// The span of a container at `bytes[open..end]`.
fn span(open: usize, end: usize, canonical: bool) -> Result<Span> {
    Ok(Span {
        start: u32::try_from(open).map_err(|_| Rejected)?,
        end: u32::try_from(end).map_err(|_| Rejected)?,
        canonical,
    })
}

struct Frame {
    object: bool,
    /// Index of this container's first child in `Parser::items` or `Parser::members`.
    start: usize,
    /// Offset of the opening bracket.
    open: usize,
    /// Nothing seen so far keeps the container's text from being canonical.
    canonical: bool,
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    max_depth: usize,
    nodes: Vec<Node<'a>>,
    /// Elements of the open arrays.
    items: Vec<Node<'a>>,
    /// Members of the open objects, sorted in place when an object closes (no copy
    /// into a separate vector: that copy was a quarter of the parser's time).
    members: Vec<Member<'a>>,
    stack: Vec<Frame>,
    /// A line feed was skipped as whitespace.
    newline: bool,
}

impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        if let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.skip_ws_run();
        }
    }

    /// The next byte after any whitespace. The byte is matched first, and
    /// whitespace looked for only when it is not the expected one: compact
    /// input (the common case) then costs no whitespace check per token.
    #[inline(always)]
    fn next_byte(&mut self) -> Option<u8> {
        match self.peek() {
            Some(b' ' | b'\t' | b'\n' | b'\r') => {
                self.skip_ws_run();
                self.peek()
            }
            other => other,
        }
    }

    /// Skips whitespace at `self.pos` (kept out of the hot loop).
    #[inline(never)]
    fn skip_ws_run(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => self.newline = true,
                _ => break,
            }
            self.pos += 1;
        }
        self.not_canonical();
    }

    /// Marks the innermost open container as not in canonical form.
    fn not_canonical(&mut self) {
        if let Some(frame) = self.stack.last_mut() {
            frame.canonical = false;
        }
    }

    #[inline(always)]
    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) || self.next_byte() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Rejected)
        }
    }

    #[inline(always)]
    fn member_name(&mut self) -> Result<()> {
        if self.peek() != Some(b'"') && self.next_byte() != Some(b'"') {
            return Err(Rejected);
        }
        let at = self.pos + 1;
        let name = self.string()?;
        if let Node::Str(raw, escaped) = name {
            self.members.push(Member {
                key: name_key(raw, escaped, self.bytes.get(at..).unwrap_or_default()),
                pair: [name, Node::Null],
            });
        }
        self.expect(b':')
    }

    fn run(&mut self) -> Result<Node<'a>> {
        'value: loop {
            let mut value = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if self.stack.len() >= self.max_depth {
                        return Err(Rejected);
                    }
                    let at = self.pos;
                    self.pos += 1;
                    // Whitespace here is inside this container (and its parent).
                    self.skip_ws();
                    let tight = self.pos == at + 1;
                    let object = open == b'{';
                    let close = if object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        let first = u32::try_from(self.nodes.len()).map_err(|_| Rejected)?;
                        let span = span(at, self.pos, tight)?;
                        if object {
                            Node::Object {
                                first,
                                len: 0,
                                span,
                            }
                        } else {
                            Node::Array {
                                first,
                                len: 0,
                                span,
                            }
                        }
                    } else {
                        self.stack.push(Frame {
                            object,
                            start: if object {
                                self.members.len()
                            } else {
                                self.items.len()
                            },
                            open: at,
                            canonical: tight,
                        });
                        if object {
                            self.member_name()?;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => self.string()?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal(b"true", Node::Bool(true))?,
                Some(b'f') => self.literal(b"false", Node::Bool(false))?,
                Some(b'n') => self.literal(b"null", Node::Null)?,
                Some(b' ' | b'\t' | b'\n' | b'\r') => {
                    self.skip_ws_run();
                    continue 'value;
                }
                _ => return Err(Rejected),
            };
            loop {
                let Some(frame) = self.stack.last() else {
                    return Ok(value);
                };
                let object = frame.object;
                if object {
                    // The member was pushed with its name (`member_name`); the
                    // members of containers nested in its value are gone by now.
                    if let Some(member) = self.members.last_mut() {
                        member.pair[1] = value;
                    }
                } else {
                    self.items.push(value);
                }
                match self.next_byte() {
                    Some(b',') => {
                        self.pos += 1;
                        if object {
                            self.member_name()?;
                        }
                        continue 'value;
                    }
                    Some(b']') if !object => {}
                    Some(b'}') if object => {}
                    _ => return Err(Rejected),
                }
                self.pos += 1;
                value = self.close()?;
            }
        }
    }

    /// Pops the innermost container and moves its children into the arena.
    fn close(&mut self) -> Result<Node<'a>> {
        let frame = self.stack.pop().ok_or(Rejected)?;
        let first = u32::try_from(self.nodes.len()).map_err(|_| Rejected)?;
        let mut canonical = frame.canonical;
        let node = if frame.object {
            let own = self.members.get_mut(frame.start..).unwrap_or_default();
            canonical &= sort_members(own)?;
            let len = u32::try_from(own.len()).map_err(|_| Rejected)?;
            // Sized once, then filled by copies: a push per node checked the
            // capacity each time.
            let base = self.nodes.len();
            self.nodes.resize(base + own.len() * 2, Node::Null);
            let slots = self.nodes.get_mut(base..).unwrap_or_default();
            for (slot, member) in slots.chunks_exact_mut(2).zip(own.iter()) {
                slot.copy_from_slice(&member.pair);
            }
            self.members.truncate(frame.start);
            Node::Object {
                first,
                len,
                span: span(frame.open, self.pos, canonical)?,
            }
        } else {
            let own = self.items.get(frame.start..).unwrap_or_default();
            let len = own.len();
            self.nodes.extend_from_slice(own);
            self.items.truncate(frame.start);
            Node::Array {
                first,
                len: u32::try_from(len).map_err(|_| Rejected)?,
                span: span(frame.open, self.pos, canonical)?,
            }
        };
        if !canonical {
            self.not_canonical();
        }
        Ok(node)
    }

    fn literal(&mut self, word: &'static [u8], node: Node<'a>) -> Result<Node<'a>> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(node)
        } else {
            Err(Rejected)
        }
    }

    /// A string at `self.pos` (the opening quote).
    #[inline(always)]
    fn string(&mut self) -> Result<Node<'a>> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut i = plain_end(bytes, start);
        let mut escaped = false;
        loop {
            match bytes.get(i) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    let (_, next) = escape_at(bytes, i).ok_or(Rejected)?;
                    i = next;
                }
                // A control character, or the end of the input.
                _ => return Err(Rejected),
            }
            i = plain_end(bytes, i);
        }
        // The whole input is valid UTF-8 and quotes are ASCII, so this is a char boundary.
        let raw = self.text.get(start..i).ok_or(Rejected)?;
        self.pos = i + 1;
        if escaped {
            self.not_canonical();
        }
        Ok(Node::Str(raw, escaped))
    }

    /// A number at `self.pos`, checked as the strict parser checks it.
    fn number(&mut self) -> Result<Node<'a>> {
        let bytes = self.bytes;
        let start = self.pos;
        let is_digit = |k: usize| matches!(bytes.get(k), Some(b'0'..=b'9'));
        let mut i = start;
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        match bytes.get(i) {
            Some(b'0') => {
                i += 1;
                if is_digit(i) {
                    return Err(Rejected);
                }
            }
            Some(b'1'..=b'9') => {
                while is_digit(i) {
                    i += 1;
                }
            }
            _ => return Err(Rejected),
        }
        let int_end = i;
        let mut integer = true;
        if bytes.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            if !is_digit(i) {
                return Err(Rejected);
            }
            while is_digit(i) {
                i += 1;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            integer = false;
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            if !is_digit(i) {
                return Err(Rejected);
            }
            while is_digit(i) {
                i += 1;
            }
        }
        let literal = self.text.get(start..i).ok_or(Rejected)?;
        if integer {
            let digits = bytes.get(int_start..int_end).unwrap_or_default();
            let in_range = digits.len() <= 16
                && digits
                    .iter()
                    .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
                    <= MAX_SAFE_INTEGER;
            // Beyond it, as the strict parser: only a double's RFC 8785 form, which is
            // then its own canonical form too.
            if !in_range && json::canonical_big_integer(literal).is_none() {
                return Err(Rejected);
            }
        } else if !literal.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(Rejected);
        }
        if !integer || literal == "-0" {
            self.not_canonical();
        }
        self.pos = i;
        Ok(Node::Num(literal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use proptest::prelude::*;
    use serde_json::Value;

    fn canonical_fast(bytes: &[u8]) -> Option<Vec<u8>> {
        let tree = Tree::parse(bytes, Limits::DEFAULT).ok()?;
        let mut out = Vec::new();
        tree.write(tree.root(), &mut out);
        Some(out)
    }

    /// Both parsers accept the same inputs, and canonicalize them identically.
    #[allow(clippy::panic)] // test helper: a disagreement is a failing test
    fn agree(bytes: &[u8]) {
        let slow = json::parse(bytes);
        let fast = canonical_fast(bytes);
        match (&slow, &fast) {
            (Ok(value), Some(canonical)) => {
                assert_eq!(
                    &jcs::canonicalize(value),
                    canonical,
                    "{}",
                    String::from_utf8_lossy(bytes)
                );
            }
            (Err(_), None) => {}
            _ => panic!(
                "parsers disagree on {:?}: strict {:?}, fast accepts: {}",
                String::from_utf8_lossy(bytes),
                slow.err(),
                fast.is_some()
            ),
        }
    }

    #[test]
    fn malformed_inputs_of_the_strict_parser_tests() {
        let long = "1".repeat(100);
        let deep = "[".repeat(10_000);
        let deep_objects = r#"{"a":"#.repeat(10_000);
        let at_limit = format!("{}{}", "[".repeat(64), "]".repeat(64));
        let over_limit = format!("{}{}", "[".repeat(65), "]".repeat(65));
        let cases: Vec<&[u8]> = vec![
            br#"{"credentialSubject":{"achievement":{"name":"a","name":"b"}}}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"[{"a":1},{"b":1,"c":{},"b":2}]"#,
            br#"{"":1,"":2}"#,
            br#"{"credentialSubject":{"result":[{"value":01}]}}"#,
            br#"{"@context":["a", tru]}"#,
            br#"{"a.b":{"c d":[1, 2, x]}}"#,
            br#"{"q\"":nul}"#,
            b"[1 2]",
            br#"{"a":[1 2]}"#,
            br#"{"a" 1}"#,
            br#"{"a":1,}"#,
            b"\xEF\xBB\xBF[1,2]",
            b"\xEF\xBB\xBF{}",
            b"{\"a\":\"x\xFFy\"}",
            b"{\"\xC3\":1}",
            b"\"\xC0\xAF\"",
            b"\"\xED\xA0\x80\"",
            b"\"\\n\xFF\"",
            b"[\xFF]",
            b"1 \xFF",
            br#""\ud800""#,
            br#""\udc00""#,
            br#""\ud800\u0041""#,
            br#""\ud800\ud800""#,
            br#""\udbff x""#,
            br#"{"k":"\ud800"}"#,
            br#""\ud83d\ude02""#,
            br#""\uD83D\uDE02!""#,
            br#""\uffff\u0000""#,
            br#""a\"\\\/\b\f\n\r\tz\u00e9""#,
            b"[\"a\tb\"]",
            b"\"\\x\"",
            b"\"\\'\"",
            br#""\u12""#,
            br#""\u12G4""#,
            br#""\ud800\u12""#,
            b"\"\x7F\"",
            b"9007199254740991",
            b"-9007199254740991",
            b"9007199254740992",
            b"9007199254740993",
            b"-9007199254740992",
            b"9007199254740993.0",
            b"123456789012345678901234567890",
            b"1e-400",
            b"1e400",
            b"-1e400",
            br#"{"n":[1e400]}"#,
            b"0",
            b"-0",
            b"-0.0",
            b"1.5e3",
            b"1E-2",
            b"1e+2",
            b"0.1",
            b"5.0",
            b"0x10",
            b"1.5.2",
            b"",
            b" \n\t\r",
            b"{} x",
            b"1 2",
            b"{}{}",
            b"{",
            b"[",
            b"[1",
            b"[1,",
            br#"{"a""#,
            br#"{"a":"#,
            br#"{"a":1"#,
            b"\"abc",
            b"\"\\",
            b"tr",
            "\u{a0}1".as_bytes(),
            "[1,\u{c}2]".as_bytes(),
            b"{1:2}",
            b"[1,]",
            b"nulL",
            b"'a'",
            long.as_bytes(),
            deep.as_bytes(),
            deep_objects.as_bytes(),
            at_limit.as_bytes(),
            over_limit.as_bytes(),
            br#" {"z":1,"a":[true,false,null,-2,1.5e3,"s"],"m":{}} "#,
            b"\t\r\n42\n",
            b"[]",
            br#""x""#,
        ];
        for bad in [
            "01",
            "-01",
            "00",
            "+1",
            ".5",
            "-.5",
            "1.",
            "1.e3",
            "1e",
            "1e+",
            "-",
            "--1",
            "NaN",
            "Infinity",
            "-Infinity",
        ] {
            agree(bad.as_bytes());
        }
        for case in cases {
            agree(case);
        }
        let limits = Limits {
            max_bytes: 4,
            max_depth: 2,
        };
        for case in [&b"[12]"[..], b"[1,2]", b"[[[1]]]", b"[[1]]"] {
            assert_eq!(
                json::parse_with_limits(case, limits).is_ok(),
                Tree::parse(case, limits).is_ok()
            );
        }
    }

    /// Member order and duplicates where the 8-byte name key cannot decide:
    /// characters from U+E000 (UTF-8 lead byte EE/EF) against supplementary ones
    /// (F0–F4, surrogates in UTF-16), escaped names, long shared prefixes.
    #[test]
    fn member_order_beyond_the_ascii_key() {
        let names = [
            "\u{e000}",
            "\u{ffff}",
            "\u{10000}",
            "\u{10ffff}",
            "\u{fb33}",
            "😂",
            "\u{d7ff}",
            "é",
            "a",
            "",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh\u{e000}",
            "abcdefgh😂",
            "abcdefgz",
            "abcdefg",
            "achievement",
            "achievementType",
        ];
        let escaped =
            |name: &str| -> String { name.encode_utf16().map(|u| format!("\\u{u:04x}")).collect() };
        // Every order of insertion, raw and escaped names mixed.
        for rotate in 0..names.len() {
            let mut text = String::from("{");
            for (i, name) in names
                .iter()
                .cycle()
                .skip(rotate)
                .take(names.len())
                .enumerate()
            {
                let name = if i % 3 == 0 {
                    escaped(name)
                } else {
                    (*name).to_owned()
                };
                text.push_str(&format!("\"{name}\":{i},"));
            }
            text.pop();
            text.push('}');
            agree(text.as_bytes());
            // The same names in reverse, and every name twice (raw and escaped).
            let reversed: Vec<String> = names.iter().rev().map(|n| format!("\"{n}\":1")).collect();
            agree(format!("{{{}}}", reversed.join(",")).as_bytes());
            let name = names[rotate];
            agree(format!("{{\"{name}\":1,\"x\":2,\"{}\":3}}", escaped(name)).as_bytes());
            agree(format!("{{\"{}\":1,\"{name}\":3}}", escaped(name)).as_bytes());
        }
        let mut members: Vec<(String, usize)> =
            names.iter().map(|n| ((*n).to_owned(), 0)).collect();
        members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        let sorted: Vec<String> = members.iter().map(|(n, _)| format!("\"{n}\":0")).collect();
        let sorted = format!("{{{}}}", sorted.join(","));
        // Input already in canonical order is its own canonical form.
        assert_eq!(
            canonical_fast(sorted.as_bytes()).unwrap(),
            sorted.as_bytes()
        );
    }

    /// Objects beyond the insertion-sort size: in order, reversed, shuffled, with
    /// a duplicate at either end.
    #[test]
    fn large_objects() {
        let n = INSERTION_SORT_MAX * 3;
        let member = |i: usize| format!("\"k{i:03}\":{i}");
        let ordered: Vec<String> = (0..n).map(member).collect();
        let reversed: Vec<String> = (0..n).rev().map(member).collect();
        let shuffled: Vec<String> = (0..n).map(|i| member((i * 37) % n)).collect();
        for members in [&ordered, &reversed, &shuffled] {
            let text = format!("{{{}}}", members.join(","));
            agree(text.as_bytes());
            assert!(Tree::parse(text.as_bytes(), Limits::DEFAULT).is_ok());
            for duplicate in [member(0), member(n - 1), member(n / 2)] {
                let text = format!("{{{},{duplicate}}}", members.join(","));
                agree(text.as_bytes());
                assert!(Tree::parse(text.as_bytes(), Limits::DEFAULT).is_err());
            }
        }
        for len in [2, INSERTION_SORT_MAX, INSERTION_SORT_MAX + 1] {
            let same: Vec<String> = (0..len).map(|_| member(7)).collect();
            assert!(
                Tree::parse(
                    format!("{{{}}}", same.join(",")).as_bytes(),
                    Limits::DEFAULT
                )
                .is_err()
            );
        }
    }

    /// What makes text non-canonical, in a container nested in canonical ones: the
    /// writer must not copy it (and must copy canonical neighbours exactly).
    #[test]
    fn canonical_runs() {
        let canonical = [
            r#"{"a":[1,"x",{"b":true,"c":null}],"d":{},"e":[],"f":-5,"g":"é"}"#,
            r#"[[[]],{},"",0,-1,9007199254740991]"#,
            r#"{"":{"":{"":[false]}}}"#,
        ];
        for text in canonical {
            agree(text.as_bytes());
            assert_eq!(
                canonical_fast(text.as_bytes()).unwrap(),
                text.as_bytes(),
                "{text}"
            );
        }
        for inner in [
            r#"{"b":1,"a":2}"#,
            r#"{ "a":1}"#,
            r#"{"a" :1}"#,
            r#"{"a": 1}"#,
            r#"{"a":1 }"#,
            r#"[ 1]"#,
            r#"[1 ,2]"#,
            r#"[1, 2]"#,
            r#"[1 ]"#,
            r#"{ }"#,
            r#"[ ]"#,
            r#"["\u0041"]"#,
            r#"["\n"]"#,
            r#"["\/"]"#,
            r#"{"\u0061":1}"#,
            r#"[-0]"#,
            r#"[1.0]"#,
            r#"[1e2]"#,
            r#"[1.5]"#,
            r#"[-0.0]"#,
            "[\n1]",
            "[1\t]",
            "[1\r]",
        ] {
            for outer in [
                format!(r#"{{"a":{inner},"b":[1,{inner},"x"],"c":{{"d":{inner}}}}}"#),
                format!(r#"[{inner},{inner}]"#),
                format!(r#"{{"z":{inner},"a":{inner}}}"#),
            ] {
                agree(outer.as_bytes());
            }
        }
    }

    /// The writer's runs: pieces that happen to match the input bytes after the
    /// run (`null`, punctuation) but are not the same nodes.
    #[test]
    fn runs_only_extend_over_identical_bytes() {
        for text in [
            r#"{"b":null,"a":null}"#,
            r#"{"b":true,"a":false}"#,
            r#"{"b":[null],"a":[null,1]}"#,
            r#"{"b":"x","a":"x"}"#,
            r#"{"b":{"c":1,"b":1},"a":{"b":1,"c":1}}"#,
            r#"{"b":1,"a":1,"c":{"z":0,"y":0}}"#,
            r#"[{"b":1,"a":1},{"a":1,"b":1}]"#,
        ] {
            agree(text.as_bytes());
        }
    }

    #[test]
    fn multi_line_is_a_line_feed_anywhere() {
        for (text, expected) in [
            (&b"{}"[..], false),
            (b"{}\n", true),
            (b"\n{}", true),
            (b"{\"a\": [1,\r\t2]}", false),
            (b"{\"a\":\n[1]}", true),
            (b"[1,2\n]", true),
            (b"\"\\n\"", false),
        ] {
            let tree = Tree::parse(text, Limits::DEFAULT).unwrap();
            assert_eq!(
                tree.multi_line(),
                expected,
                "{}",
                String::from_utf8_lossy(text)
            );
            assert_eq!(tree.multi_line(), text.contains(&b'\n'));
        }
    }

    /// Decimal literals with an all-zero fraction print as integers, like the
    /// doubles they are; anything else goes through the float printer.
    #[test]
    fn whole_decimals() {
        for (literal, canonical) in [
            ("5.0", "5"),
            ("-5.00", "-5"),
            ("0.0", "0"),
            ("-0.0", "0"),
            ("-0.000", "0"),
            ("10.0", "10"),
            ("123456789012345.0", "123456789012345"),
            ("-123456789012345.0", "-123456789012345"),
            ("1234567890123456.0", "1234567890123456"),
            ("9007199254740993.0", "9007199254740992"),
            ("5.01", "5.01"),
            ("5.0e0", "5"),
            ("5.0e1", "50"),
            ("0.5", "0.5"),
        ] {
            assert_eq!(
                canonical_fast(literal.as_bytes()).unwrap(),
                canonical.as_bytes(),
                "{literal}"
            );
            agree(literal.as_bytes());
            agree(format!("[{literal},{{\"a\":{literal}}}]").as_bytes());
        }
        assert_eq!(whole_decimal("1234567890123456.0"), None);
        assert_eq!(whole_decimal("5.0e1"), None);
    }

    #[test]
    fn lookups_and_equality() {
        let bytes = br#"{"b":[1,"x",{"k":-0}],"a":"\u0041","c":1.0,"d":1,"e":{"y":2,"x":1}}"#;
        let tree = Tree::parse(bytes, Limits::DEFAULT).unwrap();
        let root = tree.root();
        assert!(str_eq(tree.get(root, "a").unwrap(), "A"));
        assert!(tree.get(root, "z").is_none());
        let c = tree.get(root, "c").unwrap();
        let d = tree.get(root, "d").unwrap();
        // serde_json: 1.0 (a double) != 1 (an integer).
        assert!(!tree.equal(c, d));
        assert!(tree.equal(c, c));
        let other = Tree::parse(br#"{"x":1,"y":2}"#, Limits::DEFAULT).unwrap();
        let e = tree.get(root, "e").unwrap();
        // Same arena needed for `equal`; compare canonical forms across trees instead.
        let (mut x, mut y) = (Vec::new(), Vec::new());
        tree.write(e, &mut x);
        other.write(other.root(), &mut y);
        assert_eq!(x, y);
        let b = tree.get(root, "b").unwrap();
        assert_eq!(tree.items(b).len(), 3);
        assert!(tree.equal(b, b));
    }

    /// Integers beyond ±(2^53−1): accepted exactly when the strict parser accepts
    /// them (a double's RFC 8785 form), written and compared as it holds them.
    #[test]
    fn large_integers_as_the_strict_parser() {
        for text in [
            "100000000000000000000",
            "-100000000000000000000",
            "[1152921504606847000,-9007199254740992,18014398509481984]",
            "{\"a\":1152921504606847000,\"b\":1e20}",
            "9007199254740993",
            "1152921504606846976",
            "100000000000000000001",
            "1000000000000000000000",
            "99999999999999999999999",
        ] {
            agree(text.as_bytes());
        }
        let tree = Tree::parse(
            b"[1152921504606847000,1152921504606847000,100000000000000000000,1e20]",
            Limits::DEFAULT,
        )
        .unwrap();
        let items = tree.items(tree.root());
        assert!(tree.equal(items[0], items[1]));
        // serde_json: the u64 1152921504606847000 is not the double 1e20, and the
        // double 1e20 read from `100000000000000000000` equals the one from `1e20`.
        assert!(!tree.equal(items[0], items[2]));
        assert!(tree.equal(items[2], items[3]));
    }

    /// The parser's word-at-a-time string scan (`plain_end`): a special byte or
    /// escape at every offset of strings of every length up to three words, each
    /// string at every alignment in the input; non-special neighbours (DEL,
    /// space, non-ASCII) and invalid UTF-8 at the same spots.
    #[test]
    fn string_scan_at_every_offset_and_alignment() {
        let pieces: [&[u8]; 17] = [
            b"\\\"",
            b"\\\\",
            b"\\n",
            b"\\/",
            b"\\u00e9",
            b"\\ud83d\\ude02",
            b"\\ud800",
            b"\\x",
            b"\"",
            b"\\",
            b"\x00",
            b"\x1f",
            b"\x7f",
            b" ",
            "é😂".as_bytes(),
            b"\xff",
            b"\xc3",
        ];
        for pad in 0..8 {
            let name = "p".repeat(pad);
            for len in 0..24 {
                for at in 0..=len {
                    for piece in pieces {
                        let mut text = vec![b'a'; len];
                        text.splice(at..at, piece.iter().copied());
                        let mut doc = format!("{{\"{name}\":\"").into_bytes();
                        doc.extend_from_slice(&text);
                        doc.extend_from_slice(b"\",\"b\":[\"");
                        doc.extend_from_slice(&text);
                        doc.extend_from_slice(b"\"]}");
                        agree(&doc);
                        // The string at the very end of the input (no word after it).
                        let mut tail = b"\"".to_vec();
                        tail.extend_from_slice(&text);
                        tail.push(b'"');
                        agree(&tail);
                    }
                }
            }
        }
    }

    fn json_text() -> impl Strategy<Value = String> {
        // Names with escapes and non-BMP characters exercise sorting and duplicates.
        let name = prop_oneof![
            "[a-c]{0,2}",
            Just("\\u0061".to_owned()),
            Just("\u{10000}".to_owned()),
            Just("\u{e000}".to_owned()),
            Just("\\ud83d\\ude02".to_owned()),
        ];
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            "-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
            "\"([a-z é/]|\\\\[nt/\"\\\\]|\\\\u00[0-9a-f]{2}|\\\\ud83d\\\\ude02|\\\\ud800)*\"",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((name.clone(), inner), 0..6).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(k, v)| format!("\"{k}\" : {v}"))
                        .collect();
                    format!("{{ {} }}", members.join(" ,\n"))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn agrees_with_the_strict_parser_on_generated_documents(text in json_text()) {
            agree(text.as_bytes());
        }

        #[test]
        fn plain_end_finds_the_first_special_byte(
            bytes in prop::collection::vec(
                prop_oneof![any::<u8>(), Just(b'"'), Just(b'\\'), 0x1Fu8..=0x21, 0x7Fu8..=0xA2],
                0..40,
            ),
            start in 0usize..44,
        ) {
            let naive = bytes
                .iter()
                .enumerate()
                .skip(start)
                .find(|(_, b)| **b < 0x20 || **b == b'"' || **b == b'\\')
                .map_or(bytes.len().max(start), |(i, _)| i);
            prop_assert_eq!(plain_end(&bytes, start), naive);
        }

        #[test]
        fn agrees_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
            agree(&bytes);
        }

        #[test]
        fn agrees_on_json_like_text(text in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,24}") {
            agree(text.as_bytes());
        }

        #[test]
        fn agrees_on_what_serde_json_writes(value in any::<Vec<(String, i32)>>()) {
            let doc: Value = Value::Object(
                value.into_iter().map(|(k, v)| (k, Value::from(v))).collect(),
            );
            agree(&serde_json::to_vec(&doc).unwrap());
            agree(&serde_json::to_vec_pretty(&doc).unwrap());
        }
    }
}
