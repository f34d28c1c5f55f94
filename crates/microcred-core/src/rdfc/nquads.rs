//! The RDF data model the `eddsa-rdfc-2022` pipeline works on (terms and
//! quads), the canonical N-Quads serialization of RDFC-1.0 §4.6 and an
//! N-Quads parser (RDF 1.1 N-Quads, for canonicalizing N-Quads input and
//! for the RDFC-1.0 test suite).

use core::fmt::Write as _;

/// `rdf:type`.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// `rdf:first`.
pub const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
/// `rdf:rest`.
pub const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
/// `rdf:nil`.
pub const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
/// `rdf:JSON`, the datatype of JSON literals.
pub const RDF_JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
/// `rdf:langString`, the datatype of language-tagged strings.
pub const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
/// `xsd:string`, the datatype of plain literals.
pub const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
/// `xsd:boolean`.
pub const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
/// `xsd:integer`.
pub const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
/// `xsd:double`.
pub const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// An RDF term.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// An IRI (absolute).
    Iri(String),
    /// A blank node, by its label (without `_:`).
    Blank(String),
    /// A literal.
    Literal(Literal),
}

/// An RDF literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal {
    /// The lexical form.
    pub value: String,
    /// The datatype IRI (`rdf:langString` when `language` is set).
    pub datatype: String,
    /// The language tag of a language-tagged string.
    pub language: Option<String>,
}

impl Term {
    /// The blank node label, if the term is a blank node.
    pub fn as_blank(&self) -> Option<&str> {
        match self {
            Self::Blank(b) => Some(b),
            _ => None,
        }
    }
}

/// An RDF quad; `graph` is `None` for the default graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quad {
    /// Subject: an IRI or a blank node.
    pub subject: Term,
    /// Predicate: an IRI.
    pub predicate: Term,
    /// Object: any term.
    pub object: Term,
    /// Graph name: an IRI or a blank node, `None` for the default graph.
    pub graph: Option<Term>,
}

/// Appends the canonical N-Quads form of `term` (RDFC-1.0 §4.6, RDF 1.2
/// N-Quads canonical form): IRIs verbatim, literals with the minimal escapes.
pub fn write_term(out: &mut String, term: &Term) {
    match term {
        Term::Iri(i) => {
            out.push('<');
            out.push_str(i);
            out.push('>');
        }
        Term::Blank(b) => {
            out.push_str("_:");
            out.push_str(b);
        }
        Term::Literal(l) => {
            out.push('"');
            push_escaped(out, &l.value);
            out.push('"');
            if let Some(lang) = &l.language {
                out.push('@');
                out.push_str(lang);
            } else if l.datatype != XSD_STRING {
                out.push_str("^^<");
                out.push_str(&l.datatype);
                out.push('>');
            }
        }
    }
}

/// Appends `value` with the canonical N-Quads string escapes: runs of bytes
/// that need none are copied at once (every byte to escape is ASCII, so a
/// run never splits a UTF-8 sequence).
fn push_escaped(out: &mut String, value: &str) {
    let mut rest = value;
    while let Some(i) = rest
        .bytes()
        .position(|b| b < b' ' || matches!(b, b'"' | b'\\' | 0x7f))
    {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        match c {
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// The former char-by-char escaping, kept to check [`push_escaped`] against.
#[cfg(test)]
fn push_escaped_chars(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c < ' ' || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Appends one canonical N-Quads line (with its final LF) for `quad`.
pub fn write_quad(out: &mut String, quad: &Quad) {
    write_term(out, &quad.subject);
    out.push(' ');
    write_term(out, &quad.predicate);
    out.push(' ');
    write_term(out, &quad.object);
    out.push(' ');
    if let Some(g) = &quad.graph {
        write_term(out, g);
        out.push(' ');
    }
    out.push_str(".\n");
}

/// A syntax error in N-Quads input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("N-Quads line {line}: {message}")]
pub struct NQuadsError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses RDF 1.1 N-Quads (comments and blank lines allowed). Blank node
/// labels are kept as written (without `_:`).
///
/// # Errors
/// [`NQuadsError`] naming the line of the first syntax error.
pub fn parse(input: &str) -> Result<Vec<Quad>, NQuadsError> {
    let mut quads = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let mut p = LineParser {
            s: line.as_bytes(),
            src: line,
            pos: 0,
        };
        p.ws();
        if p.done() {
            continue;
        }
        let err = |message: String| NQuadsError {
            line: i + 1,
            message,
        };
        let quad = p.quad().map_err(err)?;
        quads.push(quad);
    }
    Ok(quads)
}

struct LineParser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl LineParser<'_> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t') {
            self.pos += 1;
        }
    }

    fn done(&self) -> bool {
        self.pos >= self.s.len() || self.s[self.pos] == b'#'
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn quad(&mut self) -> Result<Quad, String> {
        let subject = match self.peek() {
            Some(b'<') => Term::Iri(self.iri()?),
            Some(b'_') => Term::Blank(self.blank()?),
            _ => return Err(format!("expected a subject at column {}", self.pos + 1)),
        };
        self.ws();
        let predicate = Term::Iri(self.iri()?);
        self.ws();
        let object = match self.peek() {
            Some(b'<') => Term::Iri(self.iri()?),
            Some(b'_') => Term::Blank(self.blank()?),
            Some(b'"') => self.literal()?,
            _ => return Err(format!("expected an object at column {}", self.pos + 1)),
        };
        self.ws();
        let graph = match self.peek() {
            Some(b'<') => Some(Term::Iri(self.iri()?)),
            Some(b'_') => Some(Term::Blank(self.blank()?)),
            _ => None,
        };
        self.ws();
        if self.peek() != Some(b'.') {
            return Err(format!("expected '.' at column {}", self.pos + 1));
        }
        self.pos += 1;
        self.ws();
        if !self.done() {
            return Err(format!("unexpected text at column {}", self.pos + 1));
        }
        Ok(Quad {
            subject,
            predicate,
            object,
            graph,
        })
    }

    fn iri(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'<') {
            return Err(format!("expected '<' at column {}", self.pos + 1));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.next_char() else {
                return Err("unterminated IRI".into());
            };
            match c {
                '>' => break,
                '\\' => {
                    let c = self.uchar()?;
                    out.push(c);
                }
                c if c <= ' ' || "<\"{}|^`".contains(c) => {
                    return Err(format!("character {c:?} not allowed in an IRI"));
                }
                c => out.push(c),
            }
        }
        if !out.contains(':') {
            return Err(format!("IRI <{out}> is not absolute"));
        }
        Ok(out)
    }

    fn blank(&mut self) -> Result<String, String> {
        if !self.src[self.pos..].starts_with("_:") {
            return Err(format!("expected a blank node at column {}", self.pos + 1));
        }
        self.pos += 2;
        let start = self.pos;
        while let Some(c) = self.src[self.pos..].chars().next() {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        // A label cannot end with '.', which then ends the statement.
        while self.pos > start && self.s[self.pos - 1] == b'.' {
            self.pos -= 1;
        }
        if self.pos == start {
            return Err("empty blank node label".into());
        }
        Ok(self.src[start..self.pos].to_owned())
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.src[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn hex(&mut self, n: usize) -> Result<char, String> {
        let digits = self
            .src
            .get(self.pos..self.pos + n)
            .ok_or("truncated \\u escape")?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| format!("bad escape \\u{digits}"))?;
        self.pos += n;
        char::from_u32(v).ok_or_else(|| format!("escape {digits} is not a Unicode scalar value"))
    }

    /// After a backslash: `uXXXX` or `UXXXXXXXX`.
    fn uchar(&mut self) -> Result<char, String> {
        match self.next_char() {
            Some('u') => self.hex(4),
            Some('U') => self.hex(8),
            other => Err(format!("bad escape \\{other:?}")),
        }
    }

    fn literal(&mut self) -> Result<Term, String> {
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(c) = self.next_char() else {
                return Err("unterminated literal".into());
            };
            match c {
                '"' => break,
                '\\' => match self.peek() {
                    Some(b'u' | b'U') => value.push(self.uchar()?),
                    Some(e) => {
                        self.pos += 1;
                        value.push(match e {
                            b't' => '\t',
                            b'b' => '\u{8}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b'f' => '\u{c}',
                            b'"' => '"',
                            b'\'' => '\'',
                            b'\\' => '\\',
                            other => return Err(format!("bad escape \\{}", other as char)),
                        });
                    }
                    None => return Err("unterminated literal".into()),
                },
                '\n' | '\r' => return Err("raw line break in a literal".into()),
                c => value.push(c),
            }
        }
        match self.peek() {
            Some(b'@') => {
                self.pos += 1;
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err("empty language tag".into());
                }
                Ok(Term::Literal(Literal {
                    value,
                    datatype: RDF_LANG_STRING.into(),
                    language: Some(self.src[start..self.pos].to_owned()),
                }))
            }
            Some(b'^') => {
                if self.s.get(self.pos + 1) != Some(&b'^') {
                    return Err("expected '^^'".into());
                }
                self.pos += 2;
                let datatype = self.iri()?;
                Ok(Term::Literal(Literal {
                    value,
                    datatype,
                    language: None,
                }))
            }
            _ => Ok(Term::Literal(Literal {
                value,
                datatype: XSD_STRING.into(),
                language: None,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn run_escaping_matches_char_escaping(s in "(?s).{0,64}|[\\x00-\\x7f]{0,64}") {
            let (mut fast, mut slow) = (String::new(), String::new());
            push_escaped(&mut fast, &s);
            push_escaped_chars(&mut slow, &s);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn run_escaping_handles_every_escape() {
        let s = "a\u{8}\t\n\u{c}\r\"\\\u{1}\u{7f}é\u{1F600}z";
        let (mut fast, mut slow) = (String::new(), String::new());
        push_escaped(&mut fast, s);
        push_escaped_chars(&mut slow, s);
        assert_eq!(fast, slow);
        assert_eq!(fast, "a\\b\\t\\n\\f\\r\\\"\\\\\\u0001\\u007Fé\u{1F600}z");
    }

    #[test]
    fn parse_and_write_round_trip() {
        let src = "_:b0 <http://ex/p> \"a\\u0007\\\"b\"@en <http://ex/g> .\n\
                   <http://ex/s> <http://ex/p> \"1\"^^<http://ex/t> . # comment\n\n";
        let quads = parse(src).unwrap();
        assert_eq!(quads.len(), 2);
        let mut out = String::new();
        for q in &quads {
            write_quad(&mut out, q);
        }
        assert_eq!(
            out,
            "_:b0 <http://ex/p> \"a\\u0007\\\"b\"@en <http://ex/g> .\n\
             <http://ex/s> <http://ex/p> \"1\"^^<http://ex/t> .\n"
        );
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = parse("<http://ex/s> <http://ex/p> <http://ex/o> .\n<rel> <http://ex/p> \"x\" .")
            .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse("<http://ex/s> <http://ex/p> \"x\"").is_err());
        assert!(parse("<http://ex/s> <http://ex/p> \"x\\q\" .").is_err());
    }
}
