//! RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! The canonical bytes are what eddsa-jcs-2022 hashes and signs, so they must match
//! every other RFC 8785 implementation byte for byte: members sorted by UTF-16 code
//! units, numbers printed as ECMAScript `Number.prototype.toString`, minimal escaping.
//!
//! Internally the writers are generic over their output, so the proof code streams
//! canonical bytes straight into SHA-256 instead of building them in a vector first.

use std::cmp::Ordering;

use serde_json::{Number, Value};
use sha2::{Digest, Sha256};

use crate::json::plain_len;

/// Largest integer for which the decimal digits equal the ECMAScript output.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// Where canonical bytes go: a vector, or a hash.
pub(crate) trait Out {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);
    /// Appends one byte (punctuation: most pieces of canonical JSON are one byte,
    /// and a one-byte `put` costs a `memcpy` call).
    fn byte(&mut self, byte: u8);
}

impl Out for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn byte(&mut self, byte: u8) {
        self.push(byte);
    }
}

/// Bytes buffered in [`HashOut`] before they are hashed: canonical output comes in
/// many short pieces (`,`, `:`, names), and one `Sha256::update` per piece costs
/// more than copying them into a buffer and hashing whole blocks. Small on purpose:
/// the buffer is zeroed for every hash (two per proof; 4 KB cost more than the
/// hashing it saved), and 16 blocks per `update` already amortize its cost.
const HASH_BUFFER: usize = 1024;

/// Pieces at least this long skip the buffer: `Sha256::update` hashes their whole
/// blocks in place, so copying them first would only add a `memcpy`. (Shorter
/// pieces are copied: each `update` that leaves a partial block costs an extra
/// compression call, which runs of the input written in one piece made frequent.)
const HASH_DIRECT: usize = 512;

/// A SHA-256 hash fed through a fixed buffer: no heap allocation at all.
pub(crate) struct HashOut {
    hasher: Sha256,
    buf: [u8; HASH_BUFFER],
    len: usize,
}

impl HashOut {
    /// An empty hash.
    pub(crate) fn new() -> Self {
        Self {
            hasher: Sha256::new(),
            buf: [0; HASH_BUFFER],
            len: 0,
        }
    }

    /// The SHA-256 of everything put so far.
    pub(crate) fn finish(mut self) -> [u8; 32] {
        self.flush();
        self.hasher.finalize().into()
    }

    fn flush(&mut self) {
        self.hasher
            .update(self.buf.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

impl Out for HashOut {
    fn byte(&mut self, byte: u8) {
        if self.len == HASH_BUFFER {
            self.flush();
        }
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        if bytes.len() >= HASH_DIRECT {
            // Order matters: what is buffered was put first.
            self.flush();
            self.hasher.update(bytes);
            return;
        }
        if self.len + bytes.len() > HASH_BUFFER {
            self.flush();
        }
        if let Some(slot) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            slot.copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }
}

/// Canonical bytes straight into any SHA-2 digest, unbuffered: the ECDSA suites'
/// SHA-384 (SHA-256, on every eddsa proof, has the buffered [`HashOut`]).
pub(crate) struct DigestOut<D>(pub(crate) D);

impl<D: Digest> Out for DigestOut<D> {
    fn put(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn byte(&mut self, byte: u8) {
        self.0.update([byte]);
    }
}

/// Appends the RFC 8785 canonical form of `value` to `out`.
pub fn canonicalize_into(value: &Value, out: &mut Vec<u8>) {
    write_canonical(value, out);
}

/// Returns the RFC 8785 canonical form of `value`.
pub fn canonicalize(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    canonicalize_into(value, &mut out);
    out
}

/// Writes the canonical form of `value` to any sink.
pub(crate) fn write_canonical<O: Out>(value: &Value, out: &mut O) {
    // One scratch vector for the sorted members of every object, reused across levels.
    let mut members = Vec::new();
    write_value(value, out, &mut members);
}

/// Writes the canonical form of an object given as its members (in any order),
/// so that callers can leave members out or substitute values without cloning.
pub(crate) fn write_members<'a, O: Out>(
    members: impl Iterator<Item = (&'a str, &'a Value)>,
    out: &mut O,
) {
    let mut scratch: Vec<(&'a str, &'a Value)> = members.collect();
    let end = scratch.len();
    scratch.sort_unstable_by(|a, b| cmp_utf16(a.0, b.0));
    write_sorted_members(&mut scratch, 0, end, out);
}

fn write_value<'a, O: Out>(value: &'a Value, out: &mut O, members: &mut Vec<(&'a str, &'a Value)>) {
    match value {
        Value::Null => out.put(b"null"),
        Value::Bool(true) => out.put(b"true"),
        Value::Bool(false) => out.put(b"false"),
        Value::Number(number) => write_number(number, out),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.byte(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.byte(b',');
                }
                write_value(item, out, members);
            }
            out.byte(b']');
        }
        Value::Object(map) => {
            // This object's members live at members[start..end]; nested objects push
            // above `end` and truncate back before we read the next member.
            let start = members.len();
            members.extend(map.iter().map(|(key, value)| (key.as_str(), value)));
            let end = members.len();
            if let Some(own) = members.get_mut(start..end) {
                own.sort_unstable_by(|a, b| cmp_utf16(a.0, b.0));
            }
            write_sorted_members(members, start, end, out);
            members.truncate(start);
        }
    }
}

/// Writes `{…}` from the sorted members at `members[start..end]`.
fn write_sorted_members<'a, O: Out>(
    members: &mut Vec<(&'a str, &'a Value)>,
    start: usize,
    end: usize,
    out: &mut O,
) {
    out.byte(b'{');
    for i in start..end {
        let Some(&(key, value)) = members.get(i) else {
            break;
        };
        if i > start {
            out.byte(b',');
        }
        write_string(key, out);
        out.byte(b':');
        write_value(value, out, members);
        members.truncate(end);
    }
    out.byte(b'}');
}

/// Orders strings by UTF-16 code units (RFC 8785 §3.2.3).
///
/// UTF-8 byte order equals code point order, which differs from UTF-16 order only
/// when a supplementary character (lead byte F0–F4, surrogates D800–DBFF in UTF-16)
/// meets a character in U+E000–U+FFFF (lead byte EE–EF). The first differing byte
/// sits at the same character boundary in both strings, so it decides alone.
#[inline]
pub(crate) fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Skip the common prefix eight bytes at a time (member names sorted while
    // parsing often share one: `achievement`, `achievementType`).
    let mut i = 0;
    while let (Some(x), Some(y)) = (a.get(i..i + 8), b.get(i..i + 8)) {
        if x != y {
            break;
        }
        i += 8;
    }
    let (a, b) = (
        a.get(i..).unwrap_or_default(),
        b.get(i..).unwrap_or_default(),
    );
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((&x, &y)) => match (x, y) {
            (0xF0..=0xF4, 0xEE..=0xEF) => Ordering::Less,
            (0xEE..=0xEF, 0xF0..=0xF4) => Ordering::Greater,
            _ => x.cmp(&y),
        },
        None => a.len().cmp(&b.len()),
    }
}

/// Writes a number as ECMAScript `Number.prototype.toString` would (RFC 8785 §3.2.2.3).
fn write_number<O: Out>(number: &Number, out: &mut O) {
    // Integers up to 2^53 print as their plain digits in ECMAScript; skip the float path.
    if let Some(n) = number.as_u64().filter(|&n| n <= MAX_EXACT_INTEGER) {
        write_u64(n, out);
    } else if let Some(n) = number
        .as_i64()
        .filter(|&n| n < 0 && n.unsigned_abs() <= MAX_EXACT_INTEGER)
    {
        out.byte(b'-');
        write_u64(n.unsigned_abs(), out);
    } else {
        // Without arbitrary_precision every Number has an f64 view; non-finite values
        // cannot be stored in a serde_json Number, so ryu-js never prints NaN here.
        write_f64(number.as_f64().unwrap_or(0.0), out);
    }
}

/// Writes a finite double as ECMAScript would.
pub(crate) fn write_f64<O: Out>(float: f64, out: &mut O) {
    let mut buffer = ryu_js::Buffer::new();
    out.put(buffer.format(float).as_bytes());
}

fn write_u64<O: Out>(mut n: u64, out: &mut O) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            // n % 10 < 10, so the cast cannot truncate.
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    out.put(digits.get(start..).unwrap_or_default());
}

/// Writes a string with RFC 8785 §3.2.2.2 escaping: short escapes for
/// `\b \t \n \f \r \" \\`, `\u00xx` for other controls, everything else raw.
pub(crate) fn write_string<O: Out>(text: &str, out: &mut O) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.byte(b'"');
    let mut rest = text.as_bytes();
    loop {
        let plain = plain_len(rest);
        let (run, tail) = rest.split_at_checked(plain).unwrap_or((rest, &[]));
        out.put(run);
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        rest = tail;
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x09 => b't',
            0x0A => b'n',
            0x0C => b'f',
            0x0D => b'r',
            _ => 0,
        };
        if short == 0 {
            out.put(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xF)],
            ]);
        } else {
            out.put(&[b'\\', short]);
        }
    }
    out.byte(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use proptest::prelude::*;
    use serde_json::json;

    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/jcs");

    fn canon(value: &Value) -> String {
        String::from_utf8(canonicalize(value)).unwrap()
    }

    #[test]
    fn rfc8785_vector_files() {
        for name in [
            "arrays",
            "french",
            "structures",
            "unicode",
            "values",
            "weird",
        ] {
            let input = std::fs::read(format!("{VECTORS}/input/{name}.json")).unwrap();
            let expected = std::fs::read(format!("{VECTORS}/output/{name}.json")).unwrap();
            let hex = std::fs::read_to_string(format!("{VECTORS}/outhex/{name}.txt")).unwrap();
            let from_hex: Vec<u8> = hex
                .split_whitespace()
                .map(|byte| u8::from_str_radix(byte, 16).unwrap())
                .collect();
            assert_eq!(expected, from_hex, "{name}: output and outhex disagree");
            let value = json::parse(&input).unwrap();
            let actual = canonicalize(&value);
            assert_eq!(
                String::from_utf8_lossy(&actual),
                String::from_utf8_lossy(&expected),
                "{name}"
            );
            assert_eq!(actual, expected, "{name}");
        }
    }

    #[test]
    fn es6_number_serialization() {
        let text = std::fs::read_to_string(format!("{VECTORS}/es6numbers-10000.txt")).unwrap();
        let mut checked = 0;
        for line in text.lines() {
            let (hex, expected) = line.split_once(',').unwrap();
            let float = f64::from_bits(u64::from_str_radix(hex, 16).unwrap());
            if !float.is_finite() {
                continue;
            }
            let value = Value::from(float);
            assert_eq!(canon(&value), expected, "{hex}");
            checked += 1;
        }
        assert_eq!(checked, 10_000);
    }

    #[test]
    fn numbers() {
        assert_eq!(canon(&json!(-0.0)), "0");
        assert_eq!(canon(&json!(0)), "0");
        assert_eq!(canon(&json!(56.0)), "56");
        assert_eq!(canon(&json!(-17)), "-17");
        assert_eq!(canon(&json!(9_007_199_254_740_992u64)), "9007199254740992");
        // Beyond 2^53 integers go through the double, as in ECMAScript.
        assert_eq!(canon(&json!(9_007_199_254_740_993u64)), "9007199254740992");
        assert_eq!(canon(&json!(u64::MAX)), "18446744073709552000");
        assert_eq!(canon(&json!(i64::MIN)), "-9223372036854776000");
        assert_eq!(canon(&json!(1e21)), "1e+21");
        assert_eq!(canon(&json!(1e-7)), "1e-7");
        assert_eq!(canon(&json!(0.000001)), "0.000001");
        assert_eq!(canon(&json!(5e-324)), "5e-324");
    }

    #[test]
    fn strings() {
        assert_eq!(
            canon(&json!("\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f}\"\\/\u{7f}é€😂")),
            "\"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\\\"\\\\/\u{7f}é€😂\""
        );
        assert_eq!(canon(&json!("")), "\"\"");
    }

    #[test]
    fn member_order_is_utf16() {
        let value =
            json!({"\u{ffff}": 1, "\u{10000}": 2, "\u{e000}": 3, "a": 4, "": 5, "aa": 6, "b": 7});
        assert_eq!(
            canon(&value),
            "{\"\":5,\"a\":4,\"aa\":6,\"b\":7,\"\u{10000}\":2,\"\u{e000}\":3,\"\u{ffff}\":1}"
        );
        assert_eq!(cmp_utf16("😂", "\u{fb33}"), Ordering::Less);
        assert_eq!(cmp_utf16("\u{fb33}", "😂"), Ordering::Greater);
        assert_eq!(cmp_utf16("\u{d7ff}", "😂"), Ordering::Less);
        assert_eq!(cmp_utf16("ab", "ab"), Ordering::Equal);
    }

    #[test]
    fn nested_structures() {
        let value = json!({"b": [{"z": 1, "y": {"d": [], "c": {}}}, null], "a": true});
        assert_eq!(
            canon(&value),
            r#"{"a":true,"b":[{"y":{"c":{},"d":[]},"z":1},null]}"#
        );
        let mut out = b"prefix".to_vec();
        canonicalize_into(&json!([1, "x"]), &mut out);
        assert_eq!(out, b"prefix[1,\"x\"]");
    }

    fn utf16_sort_key(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Bytes and pieces of every size (buffered, spilling over the buffer,
        /// hashed in place) hash as their concatenation does.
        #[test]
        fn hash_out_hashes_the_concatenation(
            pieces in prop::collection::vec(
                prop_oneof![
                    any::<u8>().prop_map(|b| vec![b]),
                    prop::collection::vec(any::<u8>(), 0..HASH_DIRECT + 8),
                    prop::collection::vec(any::<u8>(), HASH_BUFFER - 8..HASH_BUFFER * 2 + 8),
                ],
                0..24,
            ),
        ) {
            let mut out = HashOut::new();
            let mut all = Vec::new();
            for piece in &pieces {
                match piece.as_slice() {
                    [b] => out.byte(*b),
                    _ => out.put(piece),
                }
                all.extend_from_slice(piece);
            }
            prop_assert_eq!(out.finish(), <[u8; 32]>::from(Sha256::digest(&all)));
        }

        /// Long shared prefixes: the comparator skips them eight bytes at a time.
        #[test]
        fn comparator_matches_utf16_after_a_shared_prefix(
            prefix in "[a-z\u{e000}-\u{e002}\u{10000}-\u{10002}]{0,12}",
            a in "[a-c\u{ffff}\u{10000}]{0,3}",
            b in "[a-c\u{ffff}\u{10000}]{0,3}",
        ) {
            let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            prop_assert_eq!(cmp_utf16(&a, &b), utf16_sort_key(&a).cmp(&utf16_sort_key(&b)));
        }

        #[test]
        fn comparator_matches_utf16(a in any::<String>(), b in any::<String>()) {
            prop_assert_eq!(cmp_utf16(&a, &b), utf16_sort_key(&a).cmp(&utf16_sort_key(&b)));
        }

        #[test]
        fn canonical_form_is_a_fixed_point(value in any_value()) {
            let once = canonicalize(&value);
            // Also when JCS prints a double below 1e21 as an integer beyond
            // ±(2^53−1): the strict parser reads that form back as the double.
            let reparsed = json::parse(&once);
            prop_assert!(reparsed.is_ok(), "{:?}", reparsed.err());
            if let Ok(reparsed) = reparsed {
                prop_assert_eq!(canonicalize(&reparsed), once.clone());
            }
            // serde_json's rendering of the same value canonicalizes identically.
            let text = serde_json::to_vec(&value).unwrap();
            if let Ok(parsed) = json::parse(&text) {
                prop_assert_eq!(canonicalize(&parsed), once);
            }
        }
    }
}
