//! Learner lists for batch issuance: CSV with a header row (RFC 4180, via
//! the `csv` crate) or JSON Lines (one object per line, parsed strictly).
//!
//! Every row keeps its line number, so that problems are reported where the
//! registrar can find them. Problems of one row never stop the reading of the
//! others: they are collected, and the caller decides (`--on-error`).

use std::collections::BTreeSet;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use microcred_core::Value;
use microcred_core::json::{self, Limits};
use serde_json::Map;

/// The format of a learner list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// JSON Lines: one JSON object per line.
    Jsonl,
}

impl Format {
    /// The format a file name implies, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }
}

/// One learner row.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based position among the data rows (the header is not a row).
    pub number: u64,
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// Column → value.
    pub values: Map<String, Value>,
}

/// A problem of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based data row number.
    pub row: u64,
    /// 1-based line.
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// What is wrong.
    pub problem: String,
}

/// A read learner list.
#[derive(Debug, Default)]
pub struct Learners {
    /// The columns: the CSV header, or every key of any JSONL object.
    pub columns: BTreeSet<String>,
    /// The rows that could be read.
    pub rows: Vec<Row>,
    /// The rows that could not.
    pub errors: Vec<RowError>,
}

/// Why a learner list as a whole cannot be read (problems of single rows are
/// [`RowError`]s in [`Learners`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LearnersError {
    /// The file cannot be opened or read.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// `open` or `read`.
        action: &'static str,
        /// The list.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The list in `path` is malformed (the cause says where).
    #[error("{}", path.display())]
    In {
        /// The list.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: Box<LearnersError>,
    },
    /// The CSV header row cannot be read.
    #[error("cannot read the header row")]
    Header(#[source] csv::Error),
    /// The CSV has no header row.
    #[error("the file is empty; a header row naming the columns is required")]
    Empty,
    /// A header column is not UTF-8 (`column` counts from 1).
    #[error("line 1: header column {column} is not UTF-8")]
    HeaderNotUtf8 {
        /// The column's position, from 1.
        column: usize,
    },
    /// A header column is empty (`column` counts from 1).
    #[error("line 1: header column {0} has no name")]
    UnnamedColumn(usize),
    /// The header names a column twice.
    #[error("line 1: the header names column {0:?} twice")]
    DuplicateColumn(String),
    /// A CSV syntax error, after which the rows cannot be told apart.
    #[error("line {line}: {error}")]
    Syntax {
        /// The line it is on.
        line: u64,
        /// The CSV reader's error (in the message, not a cause: it is the message).
        error: csv::Error,
    },
    /// A line of a JSON Lines list cannot be read.
    #[error("line {line}: read error")]
    ReadLine {
        /// The line.
        line: u64,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A line of a JSON Lines list is longer than one document may be.
    #[error("line {line}: longer than the {max}-byte limit")]
    LineTooLong {
        /// The line.
        line: u64,
        /// The limit in bytes.
        max: usize,
    },
}

/// Reads a learner list.
///
/// # Errors
/// [`LearnersError::Io`], or [`LearnersError::In`] naming the file and what is wrong.
pub fn read(path: &Path, format: Format, delimiter: u8) -> Result<Learners, LearnersError> {
    let io = |action| {
        move |source| LearnersError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    };
    let within = |source| LearnersError::In {
        path: path.to_owned(),
        source: Box::new(source),
    };
    let file = std::fs::File::open(path).map_err(io("open"))?;
    let reader = std::io::BufReader::new(file);
    match format {
        Format::Csv => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut { reader }, &mut bytes).map_err(io("read"))?;
            read_csv(&bytes, delimiter).map_err(within)
        }
        Format::Jsonl => read_jsonl(reader).map_err(within),
    }
}

/// Reads a CSV learner list with a header row, fields separated by `delimiter`.
///
/// # Errors
/// When the list as a whole cannot be read (no header, duplicate or empty column
/// names, …); problems of single rows are collected in [`Learners`].
pub fn read_csv(data: &[u8], delimiter: u8) -> Result<Learners, LearnersError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        // Rows of the wrong length are reported by us, naming the missing column.
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data);
    let header = rdr.byte_headers().map_err(LearnersError::Header)?.clone();
    if header.is_empty() {
        return Err(LearnersError::Empty);
    }
    let mut names = Vec::with_capacity(header.len());
    let mut columns = BTreeSet::new();
    for (i, raw) in header.iter().enumerate() {
        let mut name =
            std::str::from_utf8(raw).map_err(|_| LearnersError::HeaderNotUtf8 { column: i + 1 })?;
        if i == 0 {
            // Spreadsheet programs often start UTF-8 files with a byte order mark.
            name = name.strip_prefix('\u{feff}').unwrap_or(name);
        }
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(LearnersError::UnnamedColumn(i + 1));
        }
        if !columns.insert(name.clone()) {
            return Err(LearnersError::DuplicateColumn(name));
        }
        names.push(name);
    }
    let mut out = Learners {
        columns,
        ..Learners::default()
    };
    let mut number = 0u64;
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // A CSV syntax error: report it on its line and stop, since the
                // reader cannot tell where the next row starts.
                let line = e.position().map_or(0, csv::Position::line);
                return Err(LearnersError::Syntax { line, error: e });
            }
        }
        number += 1;
        let line = record
            .position()
            .map_or(0, |p| true_line(data, p.byte(), p.line()));
        let err = |column: Option<&str>, problem: String| RowError {
            row: number,
            line,
            column: column.map(str::to_owned),
            problem,
        };
        if record.len() > names.len() {
            out.errors.push(err(
                None,
                format!(
                    "row has {} fields but the header names {} columns",
                    record.len(),
                    names.len()
                ),
            ));
            continue;
        }
        let mut values = Map::with_capacity(names.len());
        let mut bad = false;
        for (name, raw) in names.iter().zip(record.iter()) {
            match std::str::from_utf8(raw) {
                Ok(s) => {
                    if let Some(problem) = field_problem(s) {
                        out.errors.push(err(Some(name), problem));
                        bad = true;
                        continue;
                    }
                    values.insert(name.clone(), Value::String(s.to_owned()));
                }
                Err(_) => {
                    out.errors
                        .push(err(Some(name), "value is not valid UTF-8".to_owned()));
                    bad = true;
                }
            }
        }
        // Missing trailing fields are left out: the template reports them as
        // missing only if it uses them.
        if !bad {
            out.rows.push(Row {
                number,
                line,
                values,
            });
        }
    }
    Ok(out)
}

/// Largest value of one field (a name, an id, a grade: far below this), so that a
/// stray 5 MB cell is a bad row, not a credential no verifier reads.
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Why a learner's value cannot go into a credential: too long, or holding a
/// control character (a NUL or an escape code from a broken export; tab and
/// line breaks are allowed).
fn field_problem(value: &str) -> Option<String> {
    if value.len() > MAX_FIELD_BYTES {
        return Some(format!(
            "value is {} bytes, more than the {MAX_FIELD_BYTES}-byte limit for one field",
            value.len()
        ));
    }
    value
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(at, c)| {
            format!(
                "value holds the control character U+{:04X} at byte {at}",
                u32::from(c)
            )
        })
}

/// Every string in a JSON value, nested ones included.
fn strings_in(v: &Value) -> Box<dyn Iterator<Item = &str> + '_> {
    match v {
        Value::String(s) => Box::new(std::iter::once(s.as_str())),
        Value::Array(items) => Box::new(items.iter().flat_map(strings_in)),
        Value::Object(map) => Box::new(map.values().flat_map(strings_in)),
        _ => Box::new(std::iter::empty()),
    }
}

/// The line a record really starts on: the reader's position is taken before
/// the blank lines it skips, so count those.
fn true_line(data: &[u8], byte: u64, line: u64) -> u64 {
    let start = usize::try_from(byte).unwrap_or(usize::MAX);
    let skipped = data
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| **b == b'\n')
        .count();
    line + u64::try_from(skipped).unwrap_or(0)
}

/// Reads a JSON Lines learner list: one JSON object per line, parsed strictly.
///
/// # Errors
/// When the input cannot be read; problems of single rows are collected in
/// [`Learners`].
pub fn read_jsonl(mut reader: impl std::io::BufRead) -> Result<Learners, LearnersError> {
    let mut out = Learners::default();
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut number = 0u64;
    let max = Limits::DEFAULT.max_bytes;
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut reader, u64::try_from(max).unwrap_or(u64::MAX) + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|source| LearnersError::ReadLine {
                line: line + 1,
                source,
            })?;
        if n == 0 {
            break;
        }
        line += 1;
        if buf.len() > max && !buf.ends_with(b"\n") {
            return Err(LearnersError::LineTooLong { line, max });
        }
        let text = trim_ascii(&buf);
        if text.is_empty() {
            continue;
        }
        number += 1;
        let err = |problem: String| RowError {
            row: number,
            line,
            column: None,
            problem,
        };
        match json::parse(text) {
            Ok(Value::Object(values)) => {
                if let Some(problem) = values.iter().find_map(|(k, v)| {
                    strings_in(v)
                        .find_map(field_problem)
                        .map(|p| format!("{k}: {p}"))
                }) {
                    out.errors.push(err(problem));
                    continue;
                }
                out.columns.extend(values.keys().cloned());
                out.rows.push(Row {
                    number,
                    line,
                    values,
                });
            }
            Ok(_) => out.errors.push(err(
                "not a JSON object (each line must be one learner's object)".into(),
            )),
            Err(e) => out.errors.push(err(format!("invalid JSON: {e}"))),
        }
    }
    Ok(out)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    b.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_lines_and_report_bad_rows() {
        let data = [
            "\u{feff}name,did\n\"Ada, L\",did:x:1\n\nBob\n\"multi\nline\",did:x:3\nCy,did:x:4,extra\n"
                .as_bytes(),
            b"D\xff,did:x:5\n",
        ]
        .concat();
        let l = read_csv(&data, b',').unwrap();
        assert_eq!(
            l.columns.iter().map(String::as_str).collect::<Vec<_>>(),
            ["did", "name"]
        );
        let lines: Vec<_> = l.rows.iter().map(|r| (r.number, r.line)).collect();
        assert_eq!(lines, [(1, 2), (2, 4), (3, 5)]);
        assert_eq!(l.rows[0].values["name"], "Ada, L");
        assert!(!l.rows[1].values.contains_key("did"));
        assert_eq!(l.errors.len(), 2);
        assert_eq!((l.errors[0].row, l.errors[0].line), (4, 7));
        assert!(l.errors[0].problem.contains("3 fields"));
        assert_eq!(l.errors[1].line, 8);
        assert_eq!(l.errors[1].column.as_deref(), Some("name"));
    }

    #[test]
    fn control_characters_and_huge_fields_are_bad_rows() {
        let big = "x".repeat(MAX_FIELD_BYTES + 1);
        let csv = format!("id,name\na,Ana\nb,Bo\u{0}b\nc,{big}\nd,\"Line\tone\nline two\"\n");
        let l = read_csv(csv.as_bytes(), b',').unwrap();
        let ids: Vec<&str> = l
            .rows
            .iter()
            .map(|r| r.values["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a", "d"]);
        assert_eq!(l.errors.len(), 2);
        assert!(
            l.errors[0].problem.contains("U+0000"),
            "{}",
            l.errors[0].problem
        );
        assert!(
            l.errors[1].problem.contains("65536-byte limit"),
            "{}",
            l.errors[1].problem
        );
        let jsonl = "{\"id\":\"a\",\"name\":{\"given\":\"A\\u001bB\"}}\n{\"id\":\"b\"}\n";
        let l = read_jsonl(jsonl.as_bytes()).unwrap();
        assert_eq!(l.rows.len(), 1);
        assert!(
            l.errors[0]
                .problem
                .starts_with("name: value holds the control character U+001B")
        );
    }

    #[test]
    fn csv_header_problems_are_errors() {
        assert!(read_csv(b"a,a\n1,2\n", b',').is_err());
        assert!(read_csv(b"a,,b\n", b',').is_err());
        assert!(read_csv(b"", b',').is_err());
        let l = read_csv(b"a;b\n1;2\n", b';').unwrap();
        assert_eq!(l.rows[0].values["b"], "2");
    }

    #[test]
    fn jsonl_is_strict_and_skips_blank_lines() {
        let data = "{\"a\":1}\n\n  \n[1]\n{\"a\":1,\"a\":2}\n{\"b\":true}\r\n";
        let l = read_jsonl(data.as_bytes()).unwrap();
        assert_eq!(l.rows.len(), 2);
        assert_eq!((l.rows[1].number, l.rows[1].line), (4, 6));
        assert_eq!(l.errors.len(), 2);
        assert_eq!((l.errors[0].row, l.errors[0].line), (2, 4));
        assert!(l.errors[1].problem.contains("invalid JSON"));
        assert_eq!(l.columns.len(), 2);
    }
}
