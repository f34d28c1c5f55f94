//! Bulk verification: thousands of credential files, streamed in chunks, each
//! chunk's keys resolved once, each signature checked with `verify_strict`, chunks
//! spread over all cores.
//!
//! Memory stays bounded, never the whole directory: at most `2 × threads`
//! chunks of `chunk_size` files are in flight (being verified, or done and
//! waiting for their turn), a chunk holds the bytes of at most
//! [`BulkOptions::max_chunk_bytes`] at once, and a finished chunk only its
//! results. Results come back in input order.
//!
//! [`verify_reports`] gives each file the full [`Report`] of a [`Verifier`]
//! (what `microcred-verify` prints for a directory), each made by
//! [`Verifier::verify_bytes`]'s own checks, proofs included; [`verify_proofs_of_files`]
//! answers only "does every proof of each file verify"; [`verify_files`] is the
//! general driver, whose `check` closure, run on the worker threads while the
//! file's bytes are still in memory, turns the proof outcomes into whatever
//! result the caller needs.
//!
//! [`verify_inputs`] and [`verify_reports_of_inputs`] do the same for
//! [`Input`]s, which may also be JSON Lines files (`microcred-sign batch
//! --out-jsonl`): such a file is read line by line as the verification goes
//! (never whole; the size limit applies to each line), and each line is one
//! document, reported with its line number ([`Source`]).
//!
//! Only regular files are read: a file is opened without blocking (so that a
//! FIFO cannot hang the verification) and anything else — a FIFO, a socket, a
//! device, a directory — is refused as [`FileError::NotAFile`].
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use microcred_core::proof::DidKeyResolver;
//! use microcred_verifier::bulk::{self, BulkOptions};
//!
//! let files = bulk::json_files_in(std::path::Path::new("credentials/"))?;
//! let summary = bulk::verify_proofs_of_files(files, &DidKeyResolver, &BulkOptions::default(), |file| {
//!     if let Err(e) = &file.result { eprintln!("{e}"); }
//! })?;
//! println!("{} of {} files verify", summary.valid, summary.files);
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use microcred_core::json::{JsonError, Limits};
use microcred_core::proof::{self, KeyResolver, ProofOutcome};

use crate::format::{self, Document, Foreign};
use crate::jwt::JwtError;
use crate::{Report, Verifier, VerifyError};

/// How bulk verification runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOptions {
    /// Files per chunk: read and verified together (default 256).
    pub chunk_size: usize,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// For the proofs-only drivers ([`verify_files`], [`verify_inputs`],
    /// [`verify_proofs_of_files`]): verify a chunk with one `proof::verify_batch`
    /// call (default: keys resolved once per chunk); `false` verifies each file
    /// with `proof::verify_bytes`. Every signature is checked with
    /// `verify_strict` either way. The report drivers verify each document
    /// with [`Verifier::verify_bytes`] and do not read it.
    pub batch: bool,
    /// Largest file read, in bytes (default: the strict JSON parser's limit).
    pub max_file_bytes: usize,
    /// A chunk whose files add up to more than this is verified in parts, so
    /// that memory stays bounded even for large files (default 32 MiB).
    pub max_chunk_bytes: usize,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            chunk_size: 256,
            threads: None,
            batch: true,
            max_file_bytes: Limits::DEFAULT.max_bytes,
            max_chunk_bytes: 32 * 1024 * 1024,
        }
    }
}

/// What to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file holding one credential or presentation.
    File(PathBuf),
    /// A JSON Lines file: one credential or presentation on each line (as
    /// `microcred-sign batch --out-jsonl` writes). Blank lines at the end are
    /// ignored; a blank line before another line is an error for that line.
    JsonLines(PathBuf),
}

/// Where a document came from: a file, or one line of a JSON Lines file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// For a line of a JSON Lines file: its number, from 1 (every line
    /// counts, blank ones too, as in an editor).
    pub line: Option<usize>,
}

impl fmt::Display for Source {
    /// `PATH`, or `PATH:LINE` for a line of a JSON Lines file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        At(&self.path, self.line).fmt(f)
    }
}

/// `PATH` or `PATH:LINE`, in error messages.
struct At<'a>(&'a Path, Option<usize>);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(line) => write!(f, "{}:{line}", self.0.display()),
            None => write!(f, "{}", self.0.display()),
        }
    }
}

/// Why a file (or a line of a JSON Lines file) got no verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be read (for a JSON Lines file, from this line on).
    #[error("cannot read {}: {source}", At(path, *line))]
    Read {
        /// The file.
        path: PathBuf,
        /// The line of a JSON Lines file being read when it failed.
        line: Option<usize>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file (or the line) is larger than [`BulkOptions::max_file_bytes`].
    #[error("{}: {} is larger than the limit of {limit} bytes", At(path, *line), if line.is_some() { "line" } else { "file" })]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The line, in a JSON Lines file.
        line: Option<usize>,
        /// The limit.
        limit: usize,
    },
    /// The path is not a regular file (a FIFO, a socket, a device, a directory):
    /// refused without reading it.
    #[error("{}: not a regular file but {kind}; only regular files are read", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is, in words (`a FIFO (named pipe)`, `a directory`, …).
        kind: &'static str,
    },
    /// The document is not strict JSON.
    #[error("{}: {source}", At(path, *line))]
    Json {
        /// The file.
        path: PathBuf,
        /// The line, in a JSON Lines file.
        line: Option<usize>,
        /// The parse error, with its JSON path.
        #[source]
        source: JsonError,
    },
    /// The document is JSON but not an object (so neither credential nor presentation).
    #[error("{}: the document is not a JSON object", At(path, *line))]
    NotAnObject {
        /// The file.
        path: PathBuf,
        /// The line, in a JSON Lines file.
        line: Option<usize>,
    },
    /// A blank line of a JSON Lines file, before another line (blank lines at
    /// the end are ignored).
    #[error("{}:{line}: blank line: a JSON Lines file has one credential or presentation on every line (only blank lines at the end are ignored)", path.display())]
    BlankLine {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
    },
    /// A JSON Lines file with no line that is not blank.
    #[error("{}: the JSON Lines file is empty (no line that is not blank): nothing to verify", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is a compact JWS that cannot be read as a VC-JWT.
    #[error("{}: {source}", At(path, *line))]
    Jwt {
        /// The file.
        path: PathBuf,
        /// The line, in a JSON Lines file.
        line: Option<usize>,
        /// What is wrong with the token (boxed: the error type stays small).
        #[source]
        source: Box<JwtError>,
    },
    /// The file is in a format this verifier recognises and does not read.
    #[error("{}: {format}", At(path, *line))]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// The line, in a JSON Lines file.
        line: Option<usize>,
        /// What it is.
        format: Foreign,
    },
}

impl FileError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Read { path, .. }
            | Self::TooLarge { path, .. }
            | Self::NotAFile { path, .. }
            | Self::Json { path, .. }
            | Self::NotAnObject { path, .. }
            | Self::BlankLine { path, .. }
            | Self::Empty { path }
            | Self::Jwt { path, .. }
            | Self::UnsupportedFormat { path, .. } => path,
        }
    }

    /// The line of a JSON Lines file the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Read { line, .. }
            | Self::TooLarge { line, .. }
            | Self::Json { line, .. }
            | Self::NotAnObject { line, .. }
            | Self::Jwt { line, .. }
            | Self::UnsupportedFormat { line, .. } => *line,
            Self::BlankLine { line, .. } => Some(*line),
            Self::NotAFile { .. } | Self::Empty { .. } => None,
        }
    }
}

/// Why bulk verification could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BulkError {
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The thread pool's error.
        reason: String,
    },
}

/// One file's proofs.
#[derive(Debug)]
pub struct FileProofs {
    /// The file.
    pub path: PathBuf,
    /// Its proofs' outcomes (empty: the file carries no proof).
    pub result: Result<Vec<ProofOutcome>, FileError>,
}

impl FileProofs {
    /// Whether the file carries at least one proof and every proof verifies.
    pub fn all_proofs_verify(&self) -> bool {
        self.result
            .as_ref()
            .is_ok_and(|o| !o.is_empty() && o.iter().all(|p| p.result.is_ok()))
    }
}

/// Counts over a bulk run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files seen.
    pub files: usize,
    /// Files with at least one proof, all of which verify.
    pub valid: usize,
    /// Files read and parsed whose proofs do not all verify (or that have none).
    pub invalid: usize,
    /// Files that could not be read or parsed.
    pub errors: usize,
}

/// The `*.json` entries of a directory (not recursive), sorted by name, so that
/// reports come in a stable order. Every entry named `*.json` is listed, whatever
/// it is: a regular file or a symlink to one is read, and anything else (a
/// directory, a FIFO, a socket, a broken link) gets its error when it is read,
/// rather than being skipped without a word. Only paths are collected, not
/// contents.
///
/// # Errors
/// The I/O error of reading the directory.
pub fn json_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    files_in(dir, &["json"])
}

/// The credentials of a directory: [`json_files_in`], with the VC-JWTs
/// (`*.jwt`) among them, in one name order.
///
/// # Errors
/// The I/O error of reading the directory.
pub fn credential_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    files_in(dir, &["json", "jwt"])
}

fn files_in(dir: &Path, extensions: &[&str]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            files.push(path);
        }
    }
    // All in one directory: name order is path order, and comparing names is
    // much cheaper than comparing paths component by component (which was a
    // noticeable serial step before the workers start, over 10,000 files).
    files.sort_unstable_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Verifies the proofs of many files; `sink` gets each file's outcomes in input order.
///
/// # Errors
/// [`BulkError`] when the worker threads cannot be started.
pub fn verify_proofs_of_files<I, S>(
    paths: I,
    resolver: &(dyn KeyResolver + Sync),
    options: &BulkOptions,
    mut sink: S,
) -> Result<Summary, BulkError>
where
    I: IntoIterator<Item = PathBuf>,
    S: FnMut(FileProofs),
{
    let mut summary = Summary::default();
    verify_files(
        paths,
        resolver,
        options,
        |_, _, outcomes| outcomes,
        |path, result| {
            let file = FileProofs { path, result };
            summary.files += 1;
            match &file.result {
                Err(_) => summary.errors += 1,
                Ok(_) if file.all_proofs_verify() => summary.valid += 1,
                Ok(_) => summary.invalid += 1,
            }
            sink(file);
        },
    )?;
    Ok(summary)
}

/// Verifies many credential or presentation files with every check `verifier`
/// makes (the same [`Report`] as [`Verifier::verify_bytes`], which makes it on a
/// worker thread); `sink` gets each file's report in input order.
///
/// # Errors
/// [`BulkError`] when the worker threads cannot be started.
pub fn verify_reports<I, S>(
    verifier: &Verifier,
    paths: I,
    options: &BulkOptions,
    sink: S,
) -> Result<(), BulkError>
where
    I: IntoIterator<Item = PathBuf>,
    S: FnMut(PathBuf, Result<Report, FileError>),
{
    verify_reports_with(verifier, paths, options, |_, _, report| report, sink)
}

/// [`verify_reports`] with `map(path, bytes, report)` applied to each report on
/// the worker thread, with the bytes the report was made from (e.g. rendering
/// it, so that the calling thread only writes the text, or parsing the document
/// to show what it says without reading the file again).
///
/// # Errors
/// [`BulkError`] when the worker threads cannot be started.
pub fn verify_reports_with<I, T, M, S>(
    verifier: &Verifier,
    paths: I,
    options: &BulkOptions,
    map: M,
    mut sink: S,
) -> Result<(), BulkError>
where
    I: IntoIterator<Item = PathBuf>,
    T: Send,
    M: Fn(&Path, &[u8], Report) -> T + Sync,
    S: FnMut(PathBuf, Result<T, FileError>),
{
    verify_reports_of_inputs(
        verifier,
        paths.into_iter().map(Input::File),
        options,
        |source, bytes, report| map(&source.path, bytes, report),
        |source, result| sink(source.path, result),
    )
}

/// [`verify_reports_with`] for [`Input`]s: files, and JSON Lines files whose
/// lines are verified one by one; `sink` gets each document's result, with
/// where it came from, in input order (a JSON Lines file's lines in file order).
///
/// # Errors
/// [`BulkError`] when the worker threads cannot be started.
pub fn verify_reports_of_inputs<I, T, M, S>(
    verifier: &Verifier,
    inputs: I,
    options: &BulkOptions,
    map: M,
    mut sink: S,
) -> Result<(), BulkError>
where
    I: IntoIterator<Item = Input>,
    T: Send,
    M: Fn(&Source, &[u8], Report) -> T + Sync,
    S: FnMut(Source, Result<T, FileError>),
{
    // The report's own checks decide the proofs (`Verifier::verify_document`),
    // so nothing is verified here ahead of them.
    drive(
        inputs,
        options,
        |part, results| {
            for (source, read) in part {
                let result = read.map(|bytes| {
                    format::document(&bytes)
                        .map_err(VerifyError::UnsupportedFormat)
                        .and_then(|document| {
                            let report = verifier.verify_document(&document)?;
                            let (Document::Json(doc) | Document::Jwt(doc)) = &document;
                            Ok(map(&source, doc, report))
                        })
                });
                results.push((source, result));
            }
        },
        |source, result| {
            let result = match result {
                Ok(Ok(mapped)) => Ok(mapped),
                Ok(Err(VerifyError::Json(json))) => Err(FileError::Json {
                    path: source.path.clone(),
                    line: source.line,
                    source: json,
                }),
                Ok(Err(VerifyError::Jwt(source_error))) => Err(FileError::Jwt {
                    path: source.path.clone(),
                    line: source.line,
                    source: Box::new(source_error),
                }),
                Ok(Err(VerifyError::UnsupportedFormat(format))) => {
                    Err(FileError::UnsupportedFormat {
                        path: source.path.clone(),
                        line: source.line,
                        format,
                    })
                }
                Ok(Err(_)) => Err(FileError::NotAnObject {
                    path: source.path.clone(),
                    line: source.line,
                }),
                Err(e) => Err(e),
            };
            sink(source, result);
        },
    )
}

/// The general driver over files: for each file, its proofs are verified
/// (batched per chunk), then `check(path, bytes, outcomes)` runs on the worker
/// thread while the bytes are in memory, and `sink(path, result)` gets the
/// result on the calling thread, in input order.
///
/// # Errors
/// [`BulkError`] when the worker threads cannot be started.
pub fn verify_files<I, R, C, S>(
    paths: I,
    resolver: &(dyn KeyResolver + Sync),
    options: &BulkOptions,
    check: C,
    mut sink: S,
) -> Result<(), BulkError>
where
    I: IntoIterator<Item = PathBuf>,
    R: Send,
    C: Fn(&Path, &[u8], Vec<ProofOutcome>) -> R + Sync,
    S: FnMut(PathBuf, Result<R, FileError>),
{
    verify_inputs(
        paths.into_iter().map(Input::File),
        resolver,
        options,
        |source, bytes, outcomes| check(&source.path, bytes, outcomes),
        |source, result| sink(source.path, result),
    )
}

/// The general driver: [`verify_files`] for [`Input`]s. A JSON Lines file is
/// read on the calling thread as chunks are handed out, line by line, so that
/// only the lines of the chunks in flight are in memory.
///
/// # Errors
/// [`BulkError`] when the worker threads cannot be started.
pub fn verify_inputs<I, R, C, S>(
    inputs: I,
    resolver: &(dyn KeyResolver + Sync),
    options: &BulkOptions,
    check: C,
    sink: S,
) -> Result<(), BulkError>
where
    I: IntoIterator<Item = Input>,
    R: Send,
    C: Fn(&Source, &[u8], Vec<ProofOutcome>) -> R + Sync,
    S: FnMut(Source, Result<R, FileError>),
{
    drive(
        inputs,
        options,
        |part, results| verify_part(part, resolver, options, &check, results),
        sink,
    )
}

/// What the workers do with a part of a chunk: each document's bytes as read
/// (or why they could not be), in input order, to a result each.
type Part = Vec<(Source, Result<Vec<u8>, FileError>)>;

/// The pipeline under every driver: inputs read in chunks on the worker
/// threads, `part` run on them there, `sink` given the results on the calling
/// thread in input order.
fn drive<I, R, P, S>(
    inputs: I,
    options: &BulkOptions,
    part: P,
    mut sink: S,
) -> Result<(), BulkError>
where
    I: IntoIterator<Item = Input>,
    R: Send,
    P: Fn(Part, &mut Vec<(Source, Result<R, FileError>)>) + Sync,
    S: FnMut(Source, Result<R, FileError>),
{
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BulkError::Threads {
            threads,
            reason: e.to_string(),
        })?;
    let chunk_size = options.chunk_size.max(1);
    let mut items = Items {
        inputs: inputs.into_iter(),
        lines: None,
        limit: options.max_file_bytes,
    }
    .peekable();
    // A pipeline, not rounds: up to two chunks per thread are in flight, and
    // whenever the oldest is done its results go to `sink` (on this thread)
    // while the workers go on with the next ones, so no worker waits for a
    // slower neighbour or for the output. Memory stays bounded by the chunks
    // in flight plus those done out of order and waiting for their turn.
    let window = threads * 2;
    type Results<R> = Vec<(Source, Result<R, FileError>)>;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Option<Results<R>>)>();
    pool.in_place_scope(|scope| {
        let mut waiting = std::collections::BTreeMap::new();
        let (mut started, mut next) = (0usize, 0usize);
        loop {
            while started - next < window && items.peek().is_some() {
                // Lines already read count towards the chunk's bytes, so that a
                // chunk of long lines stays within max_chunk_bytes (plus a line).
                let mut chunk = Vec::with_capacity(chunk_size);
                let mut bytes = 0usize;
                while chunk.len() < chunk_size && bytes <= options.max_chunk_bytes {
                    let Some(item) = items.next() else { break };
                    bytes += item.bytes_read();
                    chunk.push(item);
                }
                let tx = tx.clone();
                let part = &part;
                let id = started;
                scope.spawn(move |_| {
                    // A chunk always answers, even if it panics (a bug), so that this
                    // thread never waits for it; the scope then re-raises the panic.
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_chunk(chunk, options, part)
                    }));
                    // The receiver lives until every chunk is in; a send cannot fail.
                    match run {
                        Ok(results) => {
                            let _ = tx.send((id, Some(results)));
                        }
                        Err(panic) => {
                            let _ = tx.send((id, None));
                            std::panic::resume_unwind(panic);
                        }
                    }
                });
                started += 1;
            }
            if next == started {
                break;
            }
            // Every started chunk sends exactly once, so this cannot wait forever.
            let Ok((id, Some(results))) = rx.recv() else {
                break;
            };
            waiting.insert(id, results);
            while let Some(results) = waiting.remove(&next) {
                for (source, result) in results {
                    sink(source, result);
                }
                next += 1;
            }
        }
    });
    Ok(())
}

/// One document to verify: a file, read by the worker, or a line already read.
enum Item {
    File(PathBuf),
    Line(Source, Result<Vec<u8>, FileError>),
}

impl Item {
    fn bytes_read(&self) -> usize {
        match self {
            Self::Line(_, Ok(bytes)) => bytes.len(),
            _ => 0,
        }
    }
}

/// The inputs as documents: a file as itself, a JSON Lines file as its lines.
struct Items<I> {
    inputs: I,
    lines: Option<JsonLines>,
    limit: usize,
}

impl<I: Iterator<Item = Input>> Iterator for Items<I> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(lines) = &mut self.lines {
                if let Some((source, read)) = lines.next() {
                    return Some(Item::Line(source, read));
                }
                self.lines = None;
            }
            match self.inputs.next()? {
                Input::File(path) => return Some(Item::File(path)),
                Input::JsonLines(path) => self.lines = Some(JsonLines::open(path, self.limit)),
            }
        }
    }
}

/// The lines of a JSON Lines file, read as they are asked for, each bounded by
/// `limit` (a longer line is skipped up to its end, not kept).
struct JsonLines {
    path: PathBuf,
    reader: Option<std::io::BufReader<File>>,
    limit: usize,
    /// Lines read so far.
    line: usize,
    /// Blank lines not yet known to be trailing (a run: first and count).
    blanks: (usize, usize),
    /// Blank lines found to be followed by another line: reported first, then `held`.
    blank_errors: std::ops::Range<usize>,
    held: Option<(Source, Result<Vec<u8>, FileError>)>,
    /// Whether the file has had a line that is not blank.
    any: bool,
    /// An error to report before anything else (opening the file).
    failed: Option<FileError>,
}

impl JsonLines {
    fn open(path: PathBuf, limit: usize) -> Self {
        let (reader, failed) = match open_regular(&path) {
            Ok(file) => (Some(std::io::BufReader::with_capacity(1 << 16, file)), None),
            Err(e) => (None, Some(e)),
        };
        Self {
            path,
            reader,
            limit,
            line: 0,
            blanks: (0, 0),
            blank_errors: 0..0,
            held: None,
            any: false,
            failed,
        }
    }

    fn source(&self, line: Option<usize>) -> Source {
        Source {
            path: self.path.clone(),
            line,
        }
    }
}

impl Iterator for JsonLines {
    type Item = (Source, Result<Vec<u8>, FileError>);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed.take() {
            return Some((self.source(None), Err(e)));
        }
        loop {
            if let Some(line) = self.blank_errors.next() {
                let error = FileError::BlankLine {
                    path: self.path.clone(),
                    line,
                };
                return Some((self.source(Some(line)), Err(error)));
            }
            if let Some(held) = self.held.take() {
                return Some(held);
            }
            let reader = self.reader.as_mut()?;
            let mut bytes = Vec::new();
            let read = read_line(reader, self.limit, &mut bytes);
            let number = self.line + 1;
            let item = match read {
                // The end: blank lines before it are trailing, and ignored.
                Ok(None) => {
                    self.reader = None;
                    if self.any {
                        return None;
                    }
                    let error = FileError::Empty {
                        path: self.path.clone(),
                    };
                    return Some((self.source(None), Err(error)));
                }
                Ok(Some(false)) => {
                    if bytes.last() == Some(&b'\r') {
                        bytes.pop();
                    }
                    if bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                        self.line = number;
                        if self.blanks.1 == 0 {
                            self.blanks.0 = number;
                        }
                        self.blanks.1 += 1;
                        continue;
                    }
                    Ok(bytes)
                }
                Ok(Some(true)) => Err(FileError::TooLarge {
                    path: self.path.clone(),
                    line: Some(number),
                    limit: self.limit,
                }),
                // Nothing more can be read from this file.
                Err(source) => {
                    self.reader = None;
                    Err(FileError::Read {
                        path: self.path.clone(),
                        line: Some(number),
                        source,
                    })
                }
            };
            self.line = number;
            self.any = true;
            let (first, count) = std::mem::take(&mut self.blanks);
            self.blank_errors = first..first + count;
            self.held = Some((self.source(Some(number)), item));
        }
    }
}

/// Reads one line (without its `\n`) into `bytes`: `None` at the end of the
/// file, `Some(true)` when the line is longer than `limit` (then `bytes` is
/// empty and the rest of the line has been skipped), else `Some(false)`.
fn read_line(
    reader: &mut impl std::io::BufRead,
    limit: usize,
    bytes: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    let (mut any, mut too_long) = (false, false);
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (take, end) = match memchr::memchr(b'\n', available) {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        if !too_long {
            if bytes.len() + take > limit {
                too_long = true;
                *bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&available[..take]);
            }
        }
        reader.consume(take + usize::from(end));
        if end {
            return Ok(Some(too_long));
        }
    }
}

/// Reads a chunk's files and verifies them, in parts of at most `max_chunk_bytes`.
fn run_chunk<R, P>(
    chunk: Vec<Item>,
    options: &BulkOptions,
    part_done: &P,
) -> Vec<(Source, Result<R, FileError>)>
where
    P: Fn(Part, &mut Vec<(Source, Result<R, FileError>)>),
{
    let mut results = Vec::with_capacity(chunk.len());
    let mut part: Part = Vec::new();
    let mut part_bytes = 0;
    let count = chunk.len();
    for (i, item) in chunk.into_iter().enumerate() {
        let (source, read) = match item {
            Item::File(path) => {
                let read = read_file(&path, options.max_file_bytes);
                (Source { path, line: None }, read)
            }
            Item::Line(source, read) => (source, read),
        };
        part_bytes += read.as_ref().map_or(0, Vec::len);
        part.push((source, read));
        if part_bytes > options.max_chunk_bytes || i + 1 == count {
            part_done(std::mem::take(&mut part), &mut results);
            part_bytes = 0;
        }
    }
    results
}

/// The proofs of a part's documents, then `check` on each.
fn verify_part<R, C>(
    part: Part,
    resolver: &(dyn KeyResolver + Sync),
    options: &BulkOptions,
    check: &C,
    results: &mut Vec<(Source, Result<R, FileError>)>,
) where
    C: Fn(&Source, &[u8], Vec<ProofOutcome>) -> R + Sync,
{
    // Each file as the JSON parse will read it (`format::document`); a VC-JWT
    // (`true`) is verified by its own reader, outside the batch.
    let part: Vec<_> = part
        .into_iter()
        .map(|(source, read)| {
            // A badge image carries its credential inside (Open Badges baking); files
            // in another format are named before the JSON parse (see `format`).
            let read = read.and_then(|bytes| match format::document(&bytes) {
                Ok(Document::Json(Cow::Borrowed(_))) => Ok((bytes, false)),
                Ok(Document::Json(Cow::Owned(credential))) => Ok((credential, false)),
                Ok(Document::Jwt(Cow::Borrowed(_))) => Ok((bytes, true)),
                Ok(Document::Jwt(Cow::Owned(token))) => Ok((token, true)),
                Err(format) => Err(FileError::UnsupportedFormat {
                    path: source.path.clone(),
                    line: source.line,
                    format,
                }),
            });
            (source, read)
        })
        .collect();
    let docs: Vec<&[u8]> = part
        .iter()
        .filter_map(|(_, read)| match read {
            Ok((bytes, false)) => Some(bytes.as_slice()),
            _ => None,
        })
        .collect();
    let verified: Vec<Result<Vec<ProofOutcome>, JsonError>> = if options.batch {
        proof::verify_batch(&docs, resolver)
    } else {
        docs.iter()
            .map(|doc| proof::verify_bytes(doc, resolver))
            .collect()
    };
    let mut verified = verified.into_iter();
    for (source, read) in part {
        let result = match read {
            Err(e) => Err(e),
            // `check` sends a token to the VC-JWT reader (no outcomes to pass).
            Ok((bytes, true)) => Ok(check(&source, &bytes, Vec::new())),
            Ok((bytes, false)) => match verified.next() {
                Some(Ok(outcomes)) => Ok(check(&source, &bytes, outcomes)),
                Some(Err(json)) => Err(FileError::Json {
                    path: source.path.clone(),
                    line: source.line,
                    source: json,
                }),
                // Not reached: one verdict per document read.
                None => Ok(check(&source, &bytes, Vec::new())),
            },
        };
        results.push((source, result));
    }
}

/// Opens a file for reading if it is a regular file (or a symlink to one).
/// The open itself never blocks: on Unix it is made with `O_NONBLOCK`, so that
/// a FIFO (which would wait for a writer) is opened at once and then refused,
/// with no window between a check and the open for a swap to slip through.
///
/// # Errors
/// [`FileError::NotAFile`] for anything but a regular file, [`FileError::Read`]
/// when it cannot be opened.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let read_error = |source| FileError::Read {
        path: path.to_owned(),
        line: None,
        source,
    };
    let opened = open_nonblocking(path);
    // What the path is decides the message: a socket cannot even be opened
    // (ENXIO), which says less than "a socket".
    let meta = match &opened {
        Ok(file) => file.metadata(),
        Err(_) => std::fs::metadata(path),
    };
    if let Ok(meta) = &meta {
        if let Some(kind) = not_a_file(&meta.file_type()) {
            return Err(FileError::NotAFile {
                path: path.to_owned(),
                kind,
            });
        }
    }
    let file = opened.map_err(read_error)?;
    meta.map_err(read_error)?;
    Ok(file)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    // O_NONBLOCK only changes how a FIFO or device is opened and read; a
    // regular file reads as it always does.
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a path that is not a regular file is, in words; `None` for a regular file.
fn not_a_file(kind: &std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_char_device() {
            return Some("a character device");
        }
        if kind.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a regular file")
}

/// Reads a whole regular file of at most `limit` bytes (see [`open_regular`]).
///
/// # Errors
/// [`FileError`]: not a regular file, unreadable, or larger than `limit`.
pub fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    let read_error = |source| FileError::Read {
        path: path.to_owned(),
        line: None,
        source,
    };
    let too_large = || FileError::TooLarge {
        path: path.to_owned(),
        line: None,
        limit,
    };
    let file = open_regular(path)?;
    // Refuse a file known to be too large before reading any of it; the bounded
    // read below still catches one that grows.
    let size = file.metadata().map_err(read_error)?.len();
    if size > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use microcred_core::proof::{DidKeyResolver, ProofFailure};

    const SIGNED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/eddsa-jcs-2022/signedJCS.json"
    );

    #[test]
    fn streams_in_order_and_pins_down_failures() {
        let dir = tempfile::tempdir().unwrap();
        let good = std::fs::read(SIGNED).unwrap();
        let bad = String::from_utf8(good.clone())
            .unwrap()
            .replace("Alumni Credential", "Alumni Credentia1");
        let mut expected = Vec::new();
        for i in 0..23 {
            let path = dir.path().join(format!("c{i:03}.json"));
            let (content, verdict): (&[u8], Option<bool>) = match i {
                5 | 17 => (bad.as_bytes(), Some(false)),
                9 => (b"{\"a\":1,\"a\":2}", None),
                _ => (&good, Some(true)),
            };
            std::fs::write(&path, content).unwrap();
            expected.push((path, verdict));
        }
        std::fs::write(dir.path().join("notes.txt"), "not a credential").unwrap();
        let files = json_files_in(dir.path()).unwrap();
        assert_eq!(files.len(), 23);
        for batch in [true, false] {
            for threads in [1, 2] {
                let options = BulkOptions {
                    chunk_size: 4,
                    threads: Some(threads),
                    batch,
                    max_chunk_bytes: 2000,
                    ..BulkOptions::default()
                };
                let mut seen = Vec::new();
                let summary =
                    verify_proofs_of_files(files.clone(), &DidKeyResolver, &options, |file| {
                        let verdict = match &file.result {
                            Ok(outcomes) => {
                                if !file.all_proofs_verify() {
                                    assert_eq!(
                                        outcomes[0].result,
                                        Err(ProofFailure::SignatureInvalid)
                                    );
                                }
                                Some(file.all_proofs_verify())
                            }
                            Err(e) => {
                                assert!(matches!(e, FileError::Json { .. }), "{e}");
                                assert!(e.to_string().contains("duplicate member"), "{e}");
                                None
                            }
                        };
                        seen.push((file.path, verdict));
                    })
                    .unwrap();
                assert_eq!(seen, expected);
                assert_eq!(
                    summary,
                    Summary {
                        files: 23,
                        valid: 20,
                        invalid: 2,
                        errors: 1
                    }
                );
            }
        }
    }

    /// A panic in a worker (a bug) reaches the caller instead of leaving the
    /// pipeline waiting for a chunk that never answers.
    #[test]
    fn a_panicking_check_is_raised_not_hung() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = (0..40)
            .map(|i| {
                let path = dir.path().join(format!("c{i:02}.json"));
                std::fs::write(&path, b"{}").unwrap();
                path
            })
            .collect();
        let options = BulkOptions {
            chunk_size: 3,
            threads: Some(2),
            ..BulkOptions::default()
        };
        let run = std::panic::catch_unwind(|| {
            verify_files(
                files.clone(),
                &DidKeyResolver,
                &options,
                |path, _, _| assert!(!path.ends_with("c17.json"), "injected"),
                |_, _| {},
            )
        });
        assert!(run.is_err());
    }

    /// Symlinked credentials are verified; a link to a directory and a broken
    /// link are listed too, so that their errors are reported, not skipped.
    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_what_is_not_a_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        let target = store.path().join("real.json");
        std::fs::write(&target, std::fs::read(SIGNED).unwrap()).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("a.json")).unwrap();
        std::os::unix::fs::symlink(store.path(), dir.path().join("b.json")).unwrap();
        std::os::unix::fs::symlink(store.path().join("gone.json"), dir.path().join("c.json"))
            .unwrap();
        let files = json_files_in(dir.path()).unwrap();
        let names: Vec<_> = files.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["a.json", "b.json", "c.json"]);
        let mut seen = Vec::new();
        let summary =
            verify_proofs_of_files(files, &DidKeyResolver, &BulkOptions::default(), |f| {
                seen.push(match f.result {
                    Ok(_) => f.all_proofs_verify().to_string(),
                    Err(e) => e.to_string(),
                })
            })
            .unwrap();
        assert_eq!(seen[0], "true");
        assert!(
            seen[1].ends_with(
                "b.json: not a regular file but a directory; only regular files are read"
            ),
            "{}",
            seen[1]
        );
        assert!(seen[2].starts_with("cannot read"), "{}", seen[2]);
        assert_eq!(summary.errors, 2);
    }

    /// A FIFO is refused at once (the open does not wait for a writer), and so
    /// is one behind a symlink; nothing is read from either.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        for path in [&fifo, &link] {
            let e = read_file(path, 1000).unwrap_err();
            assert!(
                matches!(
                    e,
                    FileError::NotAFile {
                        kind: "a FIFO (named pipe)",
                        ..
                    }
                ),
                "{e}"
            );
        }
        let mut seen = Vec::new();
        verify_inputs(
            [Input::JsonLines(fifo.clone()), Input::File(link.clone())],
            &DidKeyResolver,
            &BulkOptions::default(),
            |_, _, _| (),
            |source, result| seen.push((source, result.unwrap_err().to_string())),
        )
        .unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0.line, None);
        assert!(
            seen[0]
                .1
                .contains("pipe.json: not a regular file but a FIFO"),
            "{}",
            seen[0].1
        );
    }

    /// A JSON Lines file: each line verified and numbered as in an editor;
    /// blank lines in the middle and lines over the limit are errors of their
    /// own, trailing blank lines are ignored, CRLF is accepted.
    #[test]
    fn json_lines_are_verified_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let good = String::from_utf8(std::fs::read(SIGNED).unwrap()).unwrap();
        let good =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&good).unwrap())
                .unwrap();
        let bad = good.replace("Alumni Credential", "Alumni Credentia1");
        let long = format!("{{\"x\":\"{}\"}}", "a".repeat(good.len() + 10));
        let text = format!("{good}\n{bad}\r\n\n  \n{good}\n{long}\n[1]\n{good}\n\n \n");
        let path = dir.path().join("c.jsonl");
        std::fs::write(&path, text).unwrap();
        let empty = dir.path().join("empty.jsonl");
        std::fs::write(&empty, "").unwrap();
        let single = dir.path().join("single.json");
        std::fs::write(&single, &good).unwrap();
        for (threads, chunk_size, max_chunk_bytes) in [(1, 256, 1 << 20), (2, 2, 1)] {
            let options = BulkOptions {
                threads: Some(threads),
                chunk_size,
                max_chunk_bytes,
                max_file_bytes: good.len() + 2,
                ..BulkOptions::default()
            };
            let mut seen = Vec::new();
            verify_inputs(
                [
                    Input::JsonLines(path.clone()),
                    Input::JsonLines(empty.clone()),
                    Input::File(single.clone()),
                ],
                &DidKeyResolver,
                &options,
                |_, _, outcomes| !outcomes.is_empty() && outcomes.iter().all(|o| o.result.is_ok()),
                |source, result| seen.push((source.to_string(), result.map_err(|e| e.to_string()))),
            )
            .unwrap();
            let p = path.display().to_string();
            let lines: Vec<String> = seen.iter().map(|(s, _)| s.clone()).collect();
            assert_eq!(
                lines,
                [
                    format!("{p}:1"),
                    format!("{p}:2"),
                    format!("{p}:3"),
                    format!("{p}:4"),
                    format!("{p}:5"),
                    format!("{p}:6"),
                    format!("{p}:7"),
                    format!("{p}:8"),
                    empty.display().to_string(),
                    single.display().to_string(),
                ]
            );
            assert_eq!(seen[0].1, Ok(true));
            assert_eq!(seen[1].1, Ok(false));
            for blank in [2, 3] {
                let e = seen[blank].1.as_ref().unwrap_err();
                assert!(e.contains(&format!(":{}: blank line", blank + 1)), "{e}");
            }
            assert_eq!(seen[4].1, Ok(true));
            let e = seen[5].1.as_ref().unwrap_err();
            assert!(
                e.ends_with(&format!(
                    ":6: line is larger than the limit of {} bytes",
                    good.len() + 2
                )),
                "{e}"
            );
            assert_eq!(seen[6].1, Ok(false), "[1]: no proof verifies");
            assert_eq!(seen[7].1, Ok(true));
            assert!(seen[8].1.as_ref().unwrap_err().contains("empty"));
            assert_eq!(seen[9].1, Ok(true));
        }
    }

    #[test]
    fn unreadable_and_oversized_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::write(&big, "[1,2,3,4,5,6,7,8,9]").unwrap();
        let missing = dir.path().join("missing.json");
        let options = BulkOptions {
            max_file_bytes: 8,
            ..BulkOptions::default()
        };
        let mut errors = Vec::new();
        let summary =
            verify_proofs_of_files(vec![big, missing], &DidKeyResolver, &options, |file| {
                errors.push(file.result.unwrap_err().to_string())
            })
            .unwrap();
        assert_eq!(summary.errors, 2);
        assert!(
            errors[0].contains("larger than the limit of 8 bytes"),
            "{}",
            errors[0]
        );
        assert!(errors[1].starts_with("cannot read"), "{}", errors[1]);
    }
}
