//! Strict JSON input: RFC 8259 restricted to I-JSON (RFC 7493).
//!
//! Credentials are signed over a canonical form of their JSON, so any input that
//! two parsers could read differently (duplicate members, lone surrogates, integers
//! beyond IEEE-double precision, invalid UTF-8, ...) is rejected instead of guessed
//! at. The parser is iterative, so hostile nesting cannot overflow the stack, and it
//! renders the JSON path of an error only when an error actually occurs.

use std::fmt::Write as _;

use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// Largest integer magnitude an IEEE double holds exactly (I-JSON, RFC 7493 §2.2).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Longest excerpt of an offending literal quoted in an error message.
const MAX_LITERAL_CHARS: usize = 40;

/// Path shown for errors about the whole document.
const ROOT_PATH: &str = "(document)";

/// Bounds applied while parsing untrusted JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of arrays and objects.
    pub max_depth: usize,
}

impl Limits {
    /// Defaults for credential files: 8 MiB, depth 64.
    pub const DEFAULT: Limits = Limits {
        max_bytes: 8 * 1024 * 1024,
        max_depth: 64,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What was wrong with a JSON input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The input is larger than [`Limits::max_bytes`]; nothing was parsed.
    #[error("input is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input, in bytes.
        size: usize,
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The input starts with a UTF-8 byte order mark (RFC 8259 §8.1).
    #[error("byte order mark is not allowed")]
    ByteOrderMark,
    /// The input is empty or only whitespace.
    #[error("input is empty")]
    Empty,
    /// The input ends in the middle of a value.
    #[error("unexpected end of input, expected {expected}")]
    UnexpectedEnd {
        /// What the parser was looking for.
        expected: &'static str,
    },
    /// A character that cannot appear here.
    #[error("unexpected {found:?}, expected {expected}")]
    UnexpectedChar {
        /// The character found.
        found: char,
        /// What the parser was looking for.
        expected: &'static str,
    },
    /// Something other than whitespace follows the top-level value.
    #[error("unexpected {found:?} after the end of the JSON value")]
    TrailingCharacters {
        /// The first character after the value.
        found: char,
    },
    /// A misspelled `true`, `false` or `null`.
    #[error("invalid literal, expected `{expected}`")]
    InvalidLiteral {
        /// The literal the first character suggests.
        expected: &'static str,
    },
    /// The input is not valid UTF-8 (RFC 7493 §2.1).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A control character U+0000–U+001F appears unescaped in a string.
    #[error("unescaped control character U+{code:04X} in string")]
    ControlCharacter {
        /// The control character's code point.
        code: u8,
    },
    /// A backslash followed by a character that does not form an escape.
    #[error("invalid escape sequence: backslash followed by {found:?}")]
    InvalidEscape {
        /// The character after the backslash.
        found: char,
    },
    /// A `\u` escape without four hexadecimal digits.
    #[error("invalid \\u escape, expected 4 hexadecimal digits")]
    InvalidUnicodeEscape,
    /// A `\u` escape of a surrogate that is not part of a valid pair (RFC 7493 §2.1).
    #[error("lone surrogate \\u{code:04x} in string")]
    LoneSurrogate {
        /// The unpaired surrogate code unit.
        code: u16,
    },
    /// An object has two members with the same name (RFC 7493 §2.3).
    #[error("duplicate member {}", quoted(name))]
    DuplicateMember {
        /// The repeated member name, unescaped.
        name: String,
    },
    /// A number that does not follow the RFC 8259 grammar.
    #[error("invalid number {literal}: {reason}")]
    InvalidNumber {
        /// The offending text, possibly shortened.
        literal: String,
        /// What rule it breaks.
        reason: &'static str,
    },
    /// A number too large for an IEEE double.
    #[error("number {literal} is too large for an IEEE double")]
    NumberOutOfRange {
        /// The offending literal, possibly shortened.
        literal: String,
    },
    /// An integer literal beyond the I-JSON range ±(2^53−1) (RFC 7493 §2.2) that
    /// is not how RFC 8785 writes a double either (such literals, e.g.
    /// `100000000000000000000` for 1e20, are read as that double).
    #[error(
        "integer {literal} is outside the I-JSON range ±(2^53−1), and not the RFC 8785 form of a double"
    )]
    IntegerOutOfRange {
        /// The offending literal, possibly shortened.
        literal: String,
    },
    /// Arrays and objects nest deeper than [`Limits::max_depth`].
    #[error("nesting deeper than {limit} levels")]
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
}

/// A JSON input error, with the JSON path where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct JsonError {
    /// JSON path, e.g. `credentialSubject.result[0].value`; `(document)` for the root.
    pub path: String,
    /// Byte offset in the input.
    pub offset: usize,
    /// What was wrong.
    pub kind: JsonErrorKind,
}

/// Parses strict JSON with [`Limits::DEFAULT`].
///
/// # Errors
/// See [`JsonErrorKind`].
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    parse_with_limits(bytes, Limits::DEFAULT)
}

/// Parses strict JSON with the given limits.
///
/// # Errors
/// See [`JsonErrorKind`].
pub fn parse_with_limits(bytes: &[u8], limits: Limits) -> Result<Value, JsonError> {
    let root_error = |offset, kind| JsonError {
        path: ROOT_PATH.to_owned(),
        offset,
        kind,
    };
    if bytes.len() > limits.max_bytes {
        return Err(root_error(
            0,
            JsonErrorKind::TooLarge {
                size: bytes.len(),
                limit: limits.max_bytes,
            },
        ));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(root_error(0, JsonErrorKind::ByteOrderMark));
    }
    // One validation pass over the whole input is much cheaper than one per string.
    // If it fails, strings are validated run by run so the error gets its JSON path.
    let text = std::str::from_utf8(bytes).ok();
    let mut parser = Parser {
        bytes,
        text,
        pos: 0,
        max_depth: limits.max_depth,
        stack: Vec::new(),
        items: Vec::new(),
        members: Vec::new(),
    };
    parser.skip_ws();
    if parser.pos == bytes.len() {
        return Err(root_error(parser.pos, JsonErrorKind::Empty));
    }
    let value = parser.run()?;
    parser.skip_ws();
    if parser.pos < bytes.len() {
        let kind = match char_at(bytes, parser.pos) {
            Some(found) => JsonErrorKind::TrailingCharacters { found },
            None => JsonErrorKind::InvalidUtf8,
        };
        return Err(root_error(parser.pos, kind));
    }
    if text.is_none() {
        // Defensive: every byte was checked on the way, so this is not expected.
        let offset = std::str::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
        return Err(root_error(offset, JsonErrorKind::InvalidUtf8));
    }
    Ok(value)
}

/// An array or object under construction; the explicit stack replaces recursion.
///
/// Elements and members of all open containers share two scratch vectors, so each
/// finished container is allocated once, at its exact size.
enum Frame {
    Array {
        /// Index of this array's first element in `Parser::items`.
        start: usize,
        /// Elements parsed so far: the index of the one being parsed.
        len: usize,
    },
    Object {
        /// Index of this object's first member in `Parser::members`.
        start: usize,
        /// Name of the member whose value is being parsed, if any.
        key: Option<String>,
        /// Offset of that name, for duplicate-member errors.
        key_offset: usize,
    },
}

/// A parsed member: name, value, offset of the name.
type Member = (String, Value, usize);

struct Parser<'a> {
    bytes: &'a [u8],
    /// The whole input, when it is valid UTF-8.
    text: Option<&'a str>,
    pos: usize,
    max_depth: usize,
    stack: Vec<Frame>,
    items: Vec<Value>,
    members: Vec<Member>,
}

/// Bytes that end a run of plain string content.
static STRING_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// An error inside the value being parsed at the top of the stack.
    fn error(&self, offset: usize, kind: JsonErrorKind) -> JsonError {
        JsonError {
            path: render_path(&self.stack, true, None),
            offset,
            kind,
        }
    }

    /// An error in the punctuation of the innermost array or object itself.
    fn container_error(&self, offset: usize, kind: JsonErrorKind) -> JsonError {
        JsonError {
            path: render_path(&self.stack, false, None),
            offset,
            kind,
        }
    }

    /// "Unexpected end" or "unexpected character" at the current position.
    fn unexpected(&self, expected: &'static str, at_value: bool) -> JsonError {
        let kind = if self.pos >= self.bytes.len() {
            JsonErrorKind::UnexpectedEnd { expected }
        } else {
            match char_at(self.bytes, self.pos) {
                Some(found) => JsonErrorKind::UnexpectedChar { found, expected },
                None => JsonErrorKind::InvalidUtf8,
            }
        };
        if at_value {
            self.error(self.pos, kind)
        } else {
            self.container_error(self.pos, kind)
        }
    }

    /// Parses one complete value, using `self.stack` instead of recursion.
    fn run(&mut self) -> Result<Value, JsonError> {
        'value: loop {
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'{') => {
                    self.enter()?;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Object(Map::new())
                    } else {
                        self.stack.push(Frame::Object {
                            start: self.members.len(),
                            key: None,
                            key_offset: 0,
                        });
                        self.member_name()?;
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.enter()?;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        self.stack.push(Frame::Array {
                            start: self.items.len(),
                            len: 0,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal(b"true", Value::Bool(true))?,
                Some(b'f') => self.literal(b"false", Value::Bool(false))?,
                Some(b'n') => self.literal(b"null", Value::Null)?,
                Some(b'+' | b'.' | b'N' | b'I') => return Err(self.non_number()),
                _ => return Err(self.unexpected("a value", true)),
            };
            // Attach the finished value to its container, closing containers as they end.
            loop {
                let is_array = match self.stack.last_mut() {
                    None => return Ok(value),
                    Some(Frame::Array { len, .. }) => {
                        *len += 1;
                        self.items.push(value);
                        true
                    }
                    Some(Frame::Object {
                        key, key_offset, ..
                    }) => {
                        let name = key.take().unwrap_or_default();
                        self.members.push((name, value, *key_offset));
                        false
                    }
                };
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if !is_array {
                            self.member_name()?;
                        }
                        continue 'value;
                    }
                    Some(b']') if is_array => {}
                    Some(b'}') if !is_array => {}
                    _ => {
                        let expected = if is_array { "',' or ']'" } else { "',' or '}'" };
                        return Err(self.unexpected(expected, false));
                    }
                }
                self.pos += 1;
                value = self.close()?;
            }
        }
    }

    /// Pops the innermost container and builds its value.
    fn close(&mut self) -> Result<Value, JsonError> {
        match self.stack.last() {
            Some(&Frame::Array { start, .. }) => {
                let items = self.items.drain(start..).collect();
                self.stack.pop();
                Ok(Value::Array(items))
            }
            Some(&Frame::Object { start, .. }) => {
                let mut map = Map::with_capacity(self.members.len().saturating_sub(start));
                let mut duplicate = None;
                for (name, value, offset) in self.members.drain(start..) {
                    match map.entry(name) {
                        Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        Entry::Occupied(slot) => {
                            duplicate = Some((slot.key().clone(), offset));
                            break;
                        }
                    }
                }
                if let Some((name, offset)) = duplicate {
                    return Err(self.duplicate(name, offset));
                }
                self.stack.pop();
                Ok(Value::Object(map))
            }
            // Not reached: only called with a container open.
            None => Ok(Value::Null),
        }
    }

    /// Checks the depth limit before opening an array or object.
    fn enter(&mut self) -> Result<(), JsonError> {
        if self.stack.len() >= self.max_depth {
            return Err(self.error(
                self.pos,
                JsonErrorKind::TooDeep {
                    limit: self.max_depth,
                },
            ));
        }
        self.pos += 1;
        Ok(())
    }

    /// Parses `"name" :` into the innermost object frame.
    fn member_name(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a member name", false));
        }
        let offset = self.pos;
        let name = self.string()?;
        if let Some(Frame::Object {
            key, key_offset, ..
        }) = self.stack.last_mut()
        {
            *key = Some(name);
            *key_offset = offset;
        }
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("':'", false));
        }
        self.pos += 1;
        Ok(())
    }

    fn duplicate(&self, name: String, offset: usize) -> JsonError {
        JsonError {
            path: render_path(&self.stack, false, Some(&name)),
            offset,
            kind: JsonErrorKind::DuplicateMember { name },
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            let expected = match word {
                b"true" => "true",
                b"false" => "false",
                _ => "null",
            };
            Err(self.error(self.pos, JsonErrorKind::InvalidLiteral { expected }))
        }
    }

    /// Parses a string; `self.pos` is at the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut i = start;
        // Fast path: one run without escapes, copied in one go.
        i += run_len(bytes, i);
        if bytes.get(i) == Some(&b'"') {
            let text = self.utf8(start, i)?;
            self.pos = i + 1;
            return Ok(text.to_owned());
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.utf8(start, i)?);
        loop {
            match bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => i = self.escape(i, &mut out)?,
                Some(&code) => {
                    return Err(self.error(i, JsonErrorKind::ControlCharacter { code }));
                }
                None => {
                    return Err(self.error(
                        bytes.len(),
                        JsonErrorKind::UnexpectedEnd {
                            expected: "'\"' to end the string",
                        },
                    ));
                }
            }
            let run_start = i;
            i += run_len(bytes, i);
            out.push_str(self.utf8(run_start, i)?);
        }
    }

    /// Validates `bytes[start..end]` as UTF-8.
    fn utf8(&self, start: usize, end: usize) -> Result<&'a str, JsonError> {
        if let Some(run) = self.text.and_then(|text| text.get(start..end)) {
            return Ok(run);
        }
        let bytes: &'a [u8] = self.bytes;
        let run = bytes.get(start..end).unwrap_or_default();
        std::str::from_utf8(run)
            .map_err(|e| self.error(start + e.valid_up_to(), JsonErrorKind::InvalidUtf8))
    }

    /// Decodes the escape at `bytes[i] == b'\\'`; returns the index after it.
    fn escape(&self, i: usize, out: &mut String) -> Result<usize, JsonError> {
        let decoded = match self.bytes.get(i + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(i, out),
            Some(_) => {
                let kind = match char_at(self.bytes, i + 1) {
                    Some(found) => JsonErrorKind::InvalidEscape { found },
                    None => JsonErrorKind::InvalidUtf8,
                };
                return Err(self.error(i, kind));
            }
            None => {
                return Err(self.error(
                    self.bytes.len(),
                    JsonErrorKind::UnexpectedEnd {
                        expected: "an escape sequence",
                    },
                ));
            }
        };
        out.push(decoded);
        Ok(i + 2)
    }

    /// Decodes `\uXXXX` (and its low-surrogate partner) at `bytes[i] == b'\\'`.
    fn unicode_escape(&self, i: usize, out: &mut String) -> Result<usize, JsonError> {
        let lone = |code| self.error(i, JsonErrorKind::LoneSurrogate { code });
        let unit = self.hex4(i + 2)?;
        let code_point = match unit {
            0xD800..=0xDBFF => {
                let follows_escape = self.bytes.get(i + 6..i + 8) == Some(b"\\u");
                if !follows_escape {
                    return Err(lone(unit));
                }
                let low = self.hex4(i + 8)?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(lone(unit));
                }
                let code_point =
                    0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                out.push(char::from_u32(code_point).ok_or_else(|| lone(unit))?);
                return Ok(i + 12);
            }
            0xDC00..=0xDFFF => return Err(lone(unit)),
            _ => u32::from(unit),
        };
        out.push(char::from_u32(code_point).ok_or_else(|| lone(unit))?);
        Ok(i + 6)
    }

    /// Reads four hex digits at `bytes[i..i + 4]`.
    fn hex4(&self, i: usize) -> Result<u16, JsonError> {
        let mut unit = 0u16;
        for k in i..i + 4 {
            let digit = match self.bytes.get(k) {
                Some(&b) => char::from(b).to_digit(16),
                None => None,
            };
            match digit {
                Some(d) => unit = (unit << 4) | d as u16,
                None => {
                    return Err(self.error(i - 2, JsonErrorKind::InvalidUnicodeEscape));
                }
            }
        }
        Ok(unit)
    }

    /// Parses a number per the RFC 8259 grammar; `self.pos` is at `-` or a digit.
    fn number(&mut self) -> Result<Value, JsonError> {
        let bytes = self.bytes;
        let start = self.pos;
        let is_digit = |k: usize| matches!(bytes.get(k), Some(b'0'..=b'9'));
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        match bytes.get(i) {
            Some(b'0') => {
                i += 1;
                if is_digit(i) {
                    return Err(self.invalid_number("leading zeros are not allowed"));
                }
            }
            Some(b'1'..=b'9') => {
                while is_digit(i) {
                    i += 1;
                }
            }
            Some(b'I') => {
                return Err(self.invalid_number("Infinity is not a JSON number"));
            }
            _ => return Err(self.invalid_number("expected a digit after '-'")),
        }
        let int_end = i;
        let mut integer = true;
        if bytes.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            if !is_digit(i) {
                return Err(self.invalid_number("expected a digit after the decimal point"));
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
                return Err(self.invalid_number("expected a digit in the exponent"));
            }
            while is_digit(i) {
                i += 1;
            }
        }
        let literal = bytes.get(start..i).unwrap_or_default();
        let out_of_range =
            |kind: fn(String) -> JsonErrorKind| self.error(start, kind(shorten(literal)));
        let value = if integer {
            let digits = bytes.get(int_start..int_end).unwrap_or_default();
            // 16 digits cover 2^53 − 1; more cannot be in range and could overflow.
            let magnitude = (digits.len() <= 16).then(|| {
                digits
                    .iter()
                    .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
            });
            let Some(magnitude) = magnitude.filter(|m| *m <= MAX_SAFE_INTEGER) else {
                // Held as serde_json holds the literal (an exact u64 or i64 where it
                // fits, else the double); canonicalized through the double either way.
                let text = std::str::from_utf8(literal).unwrap_or_default();
                let number = canonical_big_integer(text).and_then(|double| {
                    text.parse::<u64>()
                        .map(Number::from)
                        .or_else(|_| text.parse::<i64>().map(Number::from))
                        .ok()
                        .or_else(|| Number::from_f64(double))
                });
                return match number {
                    Some(number) => {
                        self.pos = i;
                        Ok(Value::Number(number))
                    }
                    None => Err(out_of_range(|literal| JsonErrorKind::IntegerOutOfRange {
                        literal,
                    })),
                };
            };
            match (negative, magnitude) {
                // Same as serde_json: `-0` is the double -0.0 (JCS prints it as 0).
                (true, 0) => Value::from(-0.0f64),
                (true, m) => Value::from(-m),
                (false, m) => Value::from(m),
            }
        } else {
            // Grammar-checked ASCII, so parsing cannot fail except by range.
            let parsed = std::str::from_utf8(literal)
                .ok()
                .and_then(|text| text.parse::<f64>().ok())
                .and_then(Number::from_f64);
            match parsed {
                Some(number) => Value::Number(number),
                None => {
                    return Err(out_of_range(|literal| JsonErrorKind::NumberOutOfRange {
                        literal,
                    }));
                }
            }
        };
        self.pos = i;
        Ok(value)
    }

    fn invalid_number(&self, reason: &'static str) -> JsonError {
        let end = token_end(self.bytes, self.pos);
        let literal = shorten(self.bytes.get(self.pos..end).unwrap_or_default());
        self.error(self.pos, JsonErrorKind::InvalidNumber { literal, reason })
    }

    /// `+1`, `.5`, `NaN`, `Infinity`: number-like text that JSON forbids.
    fn non_number(&self) -> JsonError {
        let end = token_end(self.bytes, self.pos);
        let token = self.bytes.get(self.pos..end).unwrap_or_default();
        let reason = match token.first() {
            Some(b'+') => "a leading '+' is not allowed",
            Some(b'.') => "a digit is required before the decimal point",
            _ if token == b"NaN" => "NaN is not a JSON number",
            _ if token == b"Infinity" => "Infinity is not a JSON number",
            _ => return self.unexpected("a value", true),
        };
        self.invalid_number(reason)
    }
}

/// Length of the plain run (no quote, backslash or control byte) at `bytes[i..]`.
fn run_len(bytes: &[u8], i: usize) -> usize {
    plain_len(bytes.get(i..).unwrap_or_default())
}

/// The double an integer literal beyond ±(2^53−1) stands for, when the literal
/// is exactly how RFC 8785 (ECMAScript) writes that double — as JCS
/// implementations emit doubles from 2^53 up to 10^21, e.g. `100000000000000000000`
/// for 1e20 or `1152921504606847000` for 2^60. Such a literal is accepted: each
/// names one double, and it is its own canonical form, so a credential another
/// implementation canonicalized this way reads back and verifies. Any other
/// large integer (`9007199254740993`, which no double is) is refused, as I-JSON
/// asks: it could not be read back as written.
pub(crate) fn canonical_big_integer(literal: &str) -> Option<f64> {
    let value: f64 = literal.parse().ok().filter(|v: &f64| v.is_finite())?;
    let mut buffer = ryu_js::Buffer::new();
    (buffer.format(value) == literal).then_some(value)
}

/// Length of the prefix of `bytes` without `"`, `\\` or a control byte — the bytes
/// that end a plain run in JSON strings, both when parsing and when canonicalizing.
///
/// Checks eight bytes per step (SWAR): strings dominate credential parsing time.
pub(crate) fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit set in each byte of `x` that is zero; the lowest one is exact.
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let special = control
            | zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            return done + (special.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let rest = chunks.remainder();
    done + rest
        .iter()
        .position(|&b| STRING_SPECIAL[usize::from(b)])
        .unwrap_or(rest.len())
}

/// End of the number-like token at `bytes[start..]`, for quoting in messages.
fn token_end(bytes: &[u8], start: usize) -> usize {
    let rest = bytes.get(start..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .unwrap_or(rest.len());
    start + len
}

/// The offending literal for a message, cut short so huge inputs stay readable.
fn shorten(literal: &[u8]) -> String {
    let text = String::from_utf8_lossy(literal);
    if text.chars().count() <= MAX_LITERAL_CHARS {
        return text.into_owned();
    }
    let mut short: String = text.chars().take(MAX_LITERAL_CHARS).collect();
    short.push('…');
    short
}

/// Decodes the character starting at `bytes[i]`, if it is valid UTF-8.
fn char_at(bytes: &[u8], i: usize) -> Option<char> {
    let rest = bytes.get(i..(i + 4).min(bytes.len()))?;
    let valid = match std::str::from_utf8(rest) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(rest.get(..e.valid_up_to())?).ok()?,
    };
    valid.chars().next()
}

/// Renders the JSON path of the stack. `at_value`: the error is inside the next
/// element of the innermost array rather than in the array's own punctuation.
fn render_path(stack: &[Frame], at_value: bool, extra: Option<&str>) -> String {
    let mut out = String::new();
    let last = stack.len().saturating_sub(1);
    for (depth, frame) in stack.iter().enumerate() {
        match frame {
            Frame::Array { len, .. } => {
                if depth < last || at_value {
                    let _ = write!(out, "[{len}]");
                }
            }
            Frame::Object { key: Some(key), .. } => push_member(&mut out, key),
            Frame::Object { key: None, .. } => {}
        }
    }
    if let Some(key) = extra {
        push_member(&mut out, key);
    }
    if out.is_empty() {
        ROOT_PATH.to_owned()
    } else {
        out
    }
}

/// Appends `.name`, or `["name"]` when the name would make the path ambiguous.
fn push_member(out: &mut String, name: &str) {
    let plain = !name.is_empty()
        && !name.chars().any(|c| {
            matches!(c, '.' | '[' | ']' | '"' | '\\') || c.is_whitespace() || c.is_control()
        });
    if plain {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(name);
    } else {
        out.push('[');
        out.push_str(&quoted(name));
        out.push(']');
    }
}

/// `name` as a JSON string literal, for paths and messages.
fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn err(input: &str) -> JsonError {
        parse(input.as_bytes()).unwrap_err()
    }

    fn err_bytes(input: &[u8]) -> JsonError {
        parse(input).unwrap_err()
    }

    #[test]
    fn parses_all_value_kinds_in_input_order() {
        let value = parse(br#" {"z":1,"a":[true,false,null,-2,1.5e3,"s"],"m":{}} "#).unwrap();
        assert_eq!(
            value,
            json!({"z":1,"a":[true,false,null,-2,1500.0,"s"],"m":{}})
        );
        let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(parse(b"\t\r\n42\n").unwrap(), json!(42));
        assert_eq!(parse(b"[]").unwrap(), json!([]));
        assert_eq!(parse(br#""x""#).unwrap(), json!("x"));
    }

    #[test]
    fn duplicate_member_path_and_message() {
        let e = err(r#"{"credentialSubject":{"achievement":{"name":"a","name":"b"}}}"#);
        assert_eq!(e.path, "credentialSubject.achievement.name");
        assert_eq!(
            e.to_string(),
            r#"credentialSubject.achievement.name: duplicate member "name""#
        );
        assert_eq!(
            e.kind,
            JsonErrorKind::DuplicateMember {
                name: "name".into()
            }
        );
        // Offset of the second "name".
        assert_eq!(e.offset, 48);
    }

    #[test]
    fn duplicate_detected_after_unescaping() {
        let e = err(r#"{"a":1,"\u0061":2}"#);
        assert_eq!(e.path, "a");
        assert!(matches!(e.kind, JsonErrorKind::DuplicateMember { .. }));
        let e = err(r#"[{"a":1},{"b":1,"c":{},"b":2}]"#);
        assert_eq!((e.path.as_str(), e.offset), ("[1].b", 23));
        let e = err(r#"{"":1,"":2}"#);
        assert_eq!(e.path, r#"[""]"#);
    }

    #[test]
    fn paths_for_arrays_and_odd_names() {
        let e = err(r#"{"credentialSubject":{"result":[{"value":01}]}}"#);
        assert_eq!(e.path, "credentialSubject.result[0].value");
        let e = err(r#"{"@context":["a", tru]}"#);
        assert_eq!(e.path, "@context[1]");
        assert_eq!(e.kind, JsonErrorKind::InvalidLiteral { expected: "true" });
        let e = err(r#"{"a.b":{"c d":[1, 2, x]}}"#);
        assert_eq!(e.path, r#"["a.b"]["c d"][2]"#);
        let e = err(r#"{"q\"":nul}"#);
        assert_eq!(e.path, r#"["q\""]"#);
        // Punctuation errors point at the container, not at an element.
        let e = err("[1 2]");
        assert_eq!(e.path, "(document)");
        assert_eq!(
            e.to_string(),
            "(document): unexpected '2', expected ',' or ']'"
        );
        let e = err(r#"{"a":[1 2]}"#);
        assert_eq!(e.path, "a");
        let e = err(r#"{"a" 1}"#);
        assert_eq!(e.path, "a");
        let e = err(r#"{"a":1,}"#);
        assert_eq!(e.path, "(document)");
        assert_eq!(
            e.kind,
            JsonErrorKind::UnexpectedChar {
                found: '}',
                expected: "a member name"
            }
        );
    }

    #[test]
    fn too_large_is_checked_first() {
        let limits = Limits {
            max_bytes: 4,
            max_depth: 64,
        };
        let e = parse_with_limits(b"\xEF\xBB\xBF[1,2]", limits).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TooLarge { size: 8, limit: 4 });
        assert_eq!(e.path, "(document)");
        assert!(parse_with_limits(b"[12]", limits).is_ok());
        assert_eq!(Limits::default(), Limits::DEFAULT);
    }

    #[test]
    fn byte_order_mark_rejected() {
        let e = err_bytes(b"\xEF\xBB\xBF{}");
        assert_eq!(e.kind, JsonErrorKind::ByteOrderMark);
        assert_eq!(e.to_string(), "(document): byte order mark is not allowed");
    }

    #[test]
    fn invalid_utf8_rejected_everywhere() {
        let e = err_bytes(b"{\"a\":\"x\xFFy\"}");
        assert_eq!(e.kind, JsonErrorKind::InvalidUtf8);
        assert_eq!((e.path.as_str(), e.offset), ("a", 7));
        let e = err_bytes(b"{\"\xC3\":1}");
        assert_eq!(e.kind, JsonErrorKind::InvalidUtf8);
        // Overlong encoding and an encoded surrogate.
        assert_eq!(err_bytes(b"\"\xC0\xAF\"").kind, JsonErrorKind::InvalidUtf8);
        assert_eq!(
            err_bytes(b"\"\xED\xA0\x80\"").kind,
            JsonErrorKind::InvalidUtf8
        );
        // After an escape, and outside strings.
        assert_eq!(err_bytes(b"\"\\n\xFF\"").kind, JsonErrorKind::InvalidUtf8);
        assert_eq!(err_bytes(b"[\xFF]").kind, JsonErrorKind::InvalidUtf8);
        assert_eq!(err_bytes(b"1 \xFF").kind, JsonErrorKind::InvalidUtf8);
        // Valid non-ASCII is kept as is.
        assert_eq!(parse("\"é😂\"".as_bytes()).unwrap(), json!("é😂"));
    }

    #[test]
    fn surrogates() {
        for (input, code) in [
            (r#""\ud800""#, 0xD800),
            (r#""\udc00""#, 0xDC00),
            (r#""\ud800\u0041""#, 0xD800),
            (r#""\ud800\ud800""#, 0xD800),
            (r#""\udbff x""#, 0xDBFF),
        ] {
            let e = err(input);
            assert_eq!(e.kind, JsonErrorKind::LoneSurrogate { code }, "{input}");
            assert_eq!(e.offset, 1, "{input}");
        }
        assert_eq!(
            err(r#"{"k":"\ud800"}"#).to_string(),
            r#"k: lone surrogate \ud800 in string"#
        );
        assert_eq!(parse(br#""\ud83d\ude02""#).unwrap(), json!("😂"));
        assert_eq!(parse(br#""\uD83D\uDE02!""#).unwrap(), json!("😂!"));
        assert_eq!(parse(br#""\uffff\u0000""#).unwrap(), json!("\u{ffff}\u{0}"));
    }

    #[test]
    fn string_escapes_and_controls() {
        assert_eq!(
            parse(br#""a\"\\\/\b\f\n\r\tz\u00e9""#).unwrap(),
            json!("a\"\\/\u{8}\u{c}\n\r\tzé")
        );
        let e = err("[\"a\tb\"]");
        assert_eq!(e.kind, JsonErrorKind::ControlCharacter { code: 9 });
        assert_eq!((e.path.as_str(), e.offset), ("[0]", 3));
        assert_eq!(
            e.to_string(),
            "[0]: unescaped control character U+0009 in string"
        );
        assert_eq!(
            err("\"\\x\"").kind,
            JsonErrorKind::InvalidEscape { found: 'x' }
        );
        assert_eq!(
            err("\"\\'\"").kind,
            JsonErrorKind::InvalidEscape { found: '\'' }
        );
        assert_eq!(err(r#""\u12""#).kind, JsonErrorKind::InvalidUnicodeEscape);
        assert_eq!(err(r#""\u12G4""#).kind, JsonErrorKind::InvalidUnicodeEscape);
        assert_eq!(
            err(r#""\ud800\u12""#).kind,
            JsonErrorKind::InvalidUnicodeEscape
        );
        // DEL is not a JSON control character.
        assert_eq!(parse(b"\"\x7F\"").unwrap(), json!("\u{7f}"));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            parse(b"9007199254740991").unwrap(),
            json!(9_007_199_254_740_991u64)
        );
        assert_eq!(
            parse(b"-9007199254740991").unwrap(),
            json!(-9_007_199_254_740_991i64)
        );
        assert_eq!(parse(b"1.5e3").unwrap(), json!(1500.0));
        assert_eq!(parse(b"0").unwrap(), json!(0));
        assert_eq!(parse(b"-0").unwrap().as_f64(), Some(0.0));
        assert_eq!(parse(b"1E-2").unwrap(), json!(0.01));
        assert_eq!(parse(b"1e+2").unwrap(), json!(100.0));
        assert_eq!(parse(b"0.1").unwrap(), json!(0.1));
        // Exponent or fraction makes it a double, so 2^53 + 1 rounds instead of failing.
        assert_eq!(
            parse(b"9007199254740993.0").unwrap(),
            json!(9_007_199_254_740_992.0)
        );
        assert_eq!(parse(b"1e-400").unwrap(), json!(0.0));

        let e = err("9007199254740993");
        assert_eq!(
            e.to_string(),
            "(document): integer 9007199254740993 is outside the I-JSON range ±(2^53−1), and not the RFC 8785 form of a double"
        );
        // Beyond 2^53 − 1 an integer is read when it is how RFC 8785 writes a
        // double (what other JCS implementations emit), held as serde_json holds
        // it (an exact integer where one fits, else the double), and canonicalized
        // back to the same text.
        assert_eq!(parse(b"100000000000000000000").unwrap(), json!(1e20));
        assert_eq!(
            parse(b"1152921504606847000").unwrap(),
            json!(1_152_921_504_606_847_000u64)
        );
        for text in [
            "-9007199254740992",
            "100000000000000000000",
            "-100000000000000000000",
            "1152921504606847000",
            "[18014398509481984,9007199985185094]",
        ] {
            let ours = parse(text.as_bytes()).unwrap();
            assert_eq!(ours, serde_json::from_str::<Value>(text).unwrap(), "{text}");
            assert_eq!(crate::jcs::canonicalize(&ours), text.as_bytes(), "{text}");
        }
        for not_canonical in [
            "9007199254740993",
            "1152921504606846976",
            "100000000000000000001",
            "1000000000000000000000",
            "123456789012345678901234567890",
            "-18014398509481985",
        ] {
            assert!(
                matches!(
                    err(not_canonical).kind,
                    JsonErrorKind::IntegerOutOfRange { .. }
                ),
                "{not_canonical}"
            );
        }
        let e = err(r#"{"n":[1e400]}"#);
        assert_eq!(e.path, "n[0]");
        assert_eq!(
            e.kind,
            JsonErrorKind::NumberOutOfRange {
                literal: "1e400".into()
            }
        );
        assert!(matches!(
            err("-1e400").kind,
            JsonErrorKind::NumberOutOfRange { .. }
        ));

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
            let e = err(bad);
            assert!(
                matches!(e.kind, JsonErrorKind::InvalidNumber { .. }),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            err("[01]").to_string(),
            "[0]: invalid number 01: leading zeros are not allowed"
        );
        assert!(matches!(
            err("0x10").kind,
            JsonErrorKind::TrailingCharacters { found: 'x' }
        ));
        assert!(matches!(
            err("1.5.2").kind,
            JsonErrorKind::TrailingCharacters { .. }
        ));
    }

    #[test]
    fn structure_errors() {
        assert_eq!(err("").kind, JsonErrorKind::Empty);
        assert_eq!(err(" \n\t\r").kind, JsonErrorKind::Empty);
        let e = err("{} x");
        assert_eq!(e.kind, JsonErrorKind::TrailingCharacters { found: 'x' });
        assert_eq!((e.path.as_str(), e.offset), ("(document)", 3));
        assert!(matches!(
            err("1 2").kind,
            JsonErrorKind::TrailingCharacters { .. }
        ));
        assert!(matches!(
            err("{}{}").kind,
            JsonErrorKind::TrailingCharacters { .. }
        ));
        for truncated in [
            "{",
            "[",
            "[1",
            "[1,",
            r#"{"a""#,
            r#"{"a":"#,
            r#"{"a":1"#,
            "\"abc",
            "\"\\",
            "tr",
        ] {
            let kind = err(truncated).kind;
            assert!(
                matches!(
                    kind,
                    JsonErrorKind::UnexpectedEnd { .. } | JsonErrorKind::InvalidLiteral { .. }
                ),
                "{truncated}: {kind:?}"
            );
        }
        assert_eq!(
            err("[1,").to_string(),
            "[1]: unexpected end of input, expected a value"
        );
        // Only the four JSON whitespace characters are allowed.
        assert!(matches!(
            err("\u{a0}1").kind,
            JsonErrorKind::UnexpectedChar {
                found: '\u{a0}',
                ..
            }
        ));
        assert!(matches!(
            err("[1,\u{c}2]").kind,
            JsonErrorKind::UnexpectedChar { .. }
        ));
        assert!(matches!(
            err("{1:2}").kind,
            JsonErrorKind::UnexpectedChar { .. }
        ));
        assert!(matches!(
            err("[1,]").kind,
            JsonErrorKind::UnexpectedChar { found: ']', .. }
        ));
        assert!(matches!(
            err("nulL").kind,
            JsonErrorKind::InvalidLiteral { expected: "null" }
        ));
        assert!(matches!(
            err("'a'").kind,
            JsonErrorKind::UnexpectedChar { .. }
        ));
    }

    #[test]
    fn depth_limit() {
        let deep = "[".repeat(10_000);
        let e = parse(deep.as_bytes()).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TooDeep { limit: 64 });
        assert_eq!(e.offset, 64);
        let deep_objects = r#"{"a":"#.repeat(10_000);
        assert_eq!(
            parse(deep_objects.as_bytes()).unwrap_err().kind,
            JsonErrorKind::TooDeep { limit: 64 }
        );
        // Exactly at the limit is fine.
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(parse(ok.as_bytes()).is_ok());
        let limits = Limits {
            max_bytes: 1 << 20,
            max_depth: 2,
        };
        let e = parse_with_limits(br#"{"a":[{"b":1}]}"#, limits).unwrap_err();
        assert_eq!(e.path, "a[0]");
        assert_eq!(e.to_string(), "a[0]: nesting deeper than 2 levels");
        // The parser itself is iterative: a huge limit does not overflow the stack.
        let unlimited = Limits {
            max_bytes: usize::MAX,
            max_depth: usize::MAX,
        };
        assert_eq!(
            parse_with_limits(deep.as_bytes(), unlimited)
                .unwrap_err()
                .kind,
            JsonErrorKind::UnexpectedEnd {
                expected: "a value"
            }
        );
    }

    #[test]
    fn long_literals_are_shortened_in_messages() {
        let long = "1".repeat(100);
        let expected = format!("{}…", "1".repeat(MAX_LITERAL_CHARS));
        assert_eq!(
            err(&long).kind,
            JsonErrorKind::IntegerOutOfRange { literal: expected }
        );
    }

    /// Values serde_json writes and we must read back unchanged: no floats, safe ints,
    /// no duplicate keys (a map cannot hold them).
    fn plain_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(Value::from),
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
        #[test]
        fn reads_back_what_serde_json_writes(value in plain_value()) {
            let text = serde_json::to_vec(&value).unwrap();
            prop_assert_eq!(parse(&text).unwrap(), value.clone());
            let pretty = serde_json::to_vec_pretty(&value).unwrap();
            prop_assert_eq!(parse(&pretty).unwrap(), value);
        }

        #[test]
        fn plain_len_finds_the_first_special_byte(
            bytes in prop::collection::vec(
                prop_oneof![any::<u8>(), Just(b'"'), Just(b'\\'), 0x1Fu8..=0x21, 0x7Fu8..=0xA2],
                0..40,
            )
        ) {
            let naive = bytes
                .iter()
                .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
                .unwrap_or(bytes.len());
            prop_assert_eq!(plain_len(&bytes), naive);
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn agrees_with_serde_json_on_valid_text(text in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,24}") {
            if let Ok(ours) = parse(text.as_bytes()) {
                let theirs: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(ours, theirs);
            }
        }
    }
}
