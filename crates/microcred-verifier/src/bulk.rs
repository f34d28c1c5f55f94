//! Bulk verification: thousands of credential files, streamed in chunks, each
//! chunk's signatures checked as one Ed25519 batch, chunks spread over all cores.
//!
//! Memory stays bounded, never the whole directory: at most `2 × threads`
//! chunks of `chunk_size` files are in flight (being verified, or done and
//! waiting for their turn), a chunk holds the bytes of at most
//! [`BulkOptions::max_chunk_bytes`] at once, and a finished chunk only its
//! results. Results come back in input order.
//!
//! [`verify_reports`] gives each file the full [`Report`] of a [`Verifier`]
//! (what `microcred-verify` prints for a directory); [`verify_proofs_of_files`]
//! answers only "does every proof of each file verify"; [`verify_files`] is the
//! general driver, whose `check` closure, run on the worker threads while the
//! file's bytes are still in memory, turns the proof outcomes into whatever
//! result the caller needs.
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

use std::io::Read as _;
use std::path::{Path, PathBuf};

use microcred_core::json::{JsonError, Limits};
use microcred_core::proof::{self, KeyResolver, ProofOutcome};

use crate::format::{self, Foreign};
use crate::{Report, Verifier, VerifyError};

/// How bulk verification runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOptions {
    /// Files per chunk: read together and verified as one batch (default 256).
    pub chunk_size: usize,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Ed25519 batch verification (default); `false` checks each signature with
    /// `verify_strict` on its own. Verdicts are the same either way.
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

/// Why a file got no verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`BulkOptions::max_file_bytes`].
    #[error("{}: file is larger than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// The file is not strict JSON.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error, with its JSON path.
        #[source]
        source: JsonError,
    },
    /// The file is JSON but not an object (so neither credential nor presentation).
    #[error("{}: the document is not a JSON object", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
    },
    /// The file is in a format this verifier recognises and does not read.
    #[error("{}: {format}", path.display())]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// What it is.
        format: Foreign,
    },
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

/// The `*.json` files of a directory (not recursive), sorted by name, so that
/// reports come in a stable order: regular files and symlinks that do not lead
/// to a directory. Only paths are collected, not contents.
///
/// # Errors
/// The I/O error of reading the directory.
pub fn json_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        // A symlink counts unless it leads to a directory: one to a file is read
        // through, a broken one is listed so that reading it reports the problem.
        let wanted = kind.is_file() || (kind.is_symlink() && !path.is_dir());
        if path.extension().is_some_and(|e| e == "json") && wanted {
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
/// makes (the same [`Report`] as [`Verifier::verify_bytes`]), the credentials'
/// signatures batched per chunk; `sink` gets each file's report in input order.
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
    verify_files(
        paths,
        verifier.resolver(),
        options,
        |path, bytes, outcomes| {
            verifier
                .verify_bytes_verified(bytes, outcomes)
                .map(|report| map(path, bytes, report))
        },
        |path, result| {
            let result = match result {
                Ok(Ok(mapped)) => Ok(mapped),
                Ok(Err(VerifyError::Json(source))) => Err(FileError::Json {
                    path: path.clone(),
                    source,
                }),
                Ok(Err(VerifyError::UnsupportedFormat(format))) => {
                    Err(FileError::UnsupportedFormat {
                        path: path.clone(),
                        format,
                    })
                }
                Ok(Err(_)) => Err(FileError::NotAnObject { path: path.clone() }),
                Err(e) => Err(e),
            };
            sink(path, result);
        },
    )
}

/// The general driver: for each file, its proofs are verified (batched per
/// chunk), then `check(path, bytes, outcomes)` runs on the worker thread while
/// the bytes are in memory, and `sink(path, result)` gets the result on the
/// calling thread, in input order.
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
    let mut paths = paths.into_iter().peekable();
    // A pipeline, not rounds: up to two chunks per thread are in flight, and
    // whenever the oldest is done its results go to `sink` (on this thread)
    // while the workers go on with the next ones, so no worker waits for a
    // slower neighbour or for the output. Memory stays bounded by the chunks
    // in flight plus those done out of order and waiting for their turn.
    let window = threads * 2;
    type Results<R> = Vec<(PathBuf, Result<R, FileError>)>;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Option<Results<R>>)>();
    pool.in_place_scope(|scope| {
        let mut waiting = std::collections::BTreeMap::new();
        let (mut started, mut next) = (0usize, 0usize);
        loop {
            while started - next < window && paths.peek().is_some() {
                let chunk: Vec<PathBuf> = paths.by_ref().take(chunk_size).collect();
                let tx = tx.clone();
                let check = &check;
                let id = started;
                scope.spawn(move |_| {
                    // A chunk always answers, even if it panics (a bug), so that this
                    // thread never waits for it; the scope then re-raises the panic.
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_chunk(chunk, resolver, options, check)
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
                for (path, result) in results {
                    sink(path, result);
                }
                next += 1;
            }
        }
    });
    Ok(())
}

/// Reads a chunk's files and verifies them, in parts of at most `max_chunk_bytes`.
fn run_chunk<R, C>(
    chunk: Vec<PathBuf>,
    resolver: &(dyn KeyResolver + Sync),
    options: &BulkOptions,
    check: &C,
) -> Vec<(PathBuf, Result<R, FileError>)>
where
    C: Fn(&Path, &[u8], Vec<ProofOutcome>) -> R + Sync,
{
    let mut results = Vec::with_capacity(chunk.len());
    let mut part: Vec<(PathBuf, Result<Vec<u8>, FileError>)> = Vec::new();
    let mut part_bytes = 0;
    let count = chunk.len();
    for (i, path) in chunk.into_iter().enumerate() {
        let read = read_file(&path, options.max_file_bytes);
        part_bytes += read.as_ref().map_or(0, Vec::len);
        part.push((path, read));
        if part_bytes > options.max_chunk_bytes || i + 1 == count {
            verify_part(
                std::mem::take(&mut part),
                resolver,
                options,
                check,
                &mut results,
            );
            part_bytes = 0;
        }
    }
    results
}

fn verify_part<R, C>(
    part: Vec<(PathBuf, Result<Vec<u8>, FileError>)>,
    resolver: &(dyn KeyResolver + Sync),
    options: &BulkOptions,
    check: &C,
    results: &mut Vec<(PathBuf, Result<R, FileError>)>,
) where
    C: Fn(&Path, &[u8], Vec<ProofOutcome>) -> R + Sync,
{
    // Files in another format are named before the JSON parse (see `format`).
    let part: Vec<_> = part
        .into_iter()
        .map(|(path, read)| {
            let read = read.and_then(|bytes| match format::sniff_bytes(&bytes) {
                Some(format) => Err(FileError::UnsupportedFormat {
                    path: path.clone(),
                    format,
                }),
                None => Ok(bytes),
            });
            (path, read)
        })
        .collect();
    let docs: Vec<&[u8]> = part
        .iter()
        .filter_map(|(_, read)| read.as_ref().ok().map(Vec::as_slice))
        .collect();
    let verified: Vec<Result<Vec<ProofOutcome>, JsonError>> = if options.batch {
        proof::verify_batch(&docs, resolver)
    } else {
        docs.iter()
            .map(|doc| proof::verify_bytes(doc, resolver))
            .collect()
    };
    let mut verified = verified.into_iter();
    for (path, read) in part {
        let result = match read {
            Err(e) => Err(e),
            Ok(bytes) => match verified.next() {
                Some(Ok(outcomes)) => Ok(check(&path, &bytes, outcomes)),
                Some(Err(source)) => Err(FileError::Json {
                    path: path.clone(),
                    source,
                }),
                // Not reached: one verdict per document read.
                None => Ok(check(&path, &bytes, Vec::new())),
            },
        };
        results.push((path, result));
    }
}

fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    let read_error = |source| FileError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    // Refuse a file known to be too large before reading any of it; the bounded
    // read below still catches one that grows (or a pipe).
    let size = file.metadata().map_err(read_error)?.len();
    if size > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
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

    /// Symlinked credentials are verified; a link to a directory is not a file,
    /// and a broken link is listed so that its read error is reported.
    #[cfg(unix)]
    #[test]
    fn symlinks_to_files_are_listed_links_to_directories_are_not() {
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
        assert_eq!(names, ["a.json", "c.json"]);
        let mut seen = Vec::new();
        let summary =
            verify_proofs_of_files(files, &DidKeyResolver, &BulkOptions::default(), |f| {
                seen.push(f.result.is_ok() && f.all_proofs_verify())
            })
            .unwrap();
        assert_eq!(seen, [true, false]);
        assert_eq!(summary.errors, 1);
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
