//! JSON-LD contexts the user supplies from files, for the contexts nobody
//! bundles (a context of an issuer's own, a new version): `--context URL=FILE`, a
//! context directory, the server's `[contexts]` and the trust list's
//! `contexts`. They are read once, at start, and handed to
//! [`microcred_core::contexts::supply`]; nothing is ever fetched. A file that
//! would replace a bundled context with a different document is refused (see
//! `docs/trust-list.md`).
//!
//! A context directory mirrors the URLs it serves: the file
//! `DIR/credentials.uni.example/contexts/v1.json` is served for
//! `https://credentials.uni.example/contexts/v1.json`.

use std::path::{Path, PathBuf};

use microcred_core::contexts::{self, SupplyError};
use microcred_core::json;

use crate::trust::{ContextSource, TrustList};

/// Largest context file read (the strict JSON parser's own limit).
const MAX_BYTES: usize = json::Limits::DEFAULT.max_bytes;
/// Deepest directory level walked under a context directory.
const MAX_DEPTH: usize = 16;
/// Most files read from one context directory.
const MAX_FILES: usize = 10_000;

/// Why a supplied context could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContextFileError {
    /// A `--context` argument is not `URL=FILE`.
    #[error("--context {arg:?}: expected URL=FILE (e.g. https://example.org/ctx.json=ctx.json)")]
    Argument {
        /// The argument.
        arg: String,
    },
    /// The file or directory cannot be read.
    #[error("context file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file cannot be read: not a regular file, unreadable, or larger than
    /// the limit (8 MiB, the strict JSON parser's).
    #[error("context file {0}")]
    File(#[source] crate::bulk::FileError),
    /// A directory is nested too deep, holds too many files or a name that is not UTF-8.
    #[error("context directory {path}: {problem}")]
    Directory {
        /// Where.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A context inline in the trust list was refused.
    #[error("trust list contexts: {source}")]
    Inline {
        /// Why it was refused.
        #[source]
        source: SupplyError,
    },
    /// The document was refused (not JSON, not a context, differs from a bundled one, …).
    #[error("context file {path}: {source}")]
    Supply {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        #[source]
        source: SupplyError,
    },
}

/// Reads `path` and supplies it as the context document for `url`.
///
/// # Errors
/// [`ContextFileError`] naming the file and what is wrong.
pub fn supply_file(url: &str, path: &Path) -> Result<(), ContextFileError> {
    let bytes = read_bounded(path)?;
    contexts::supply(url, &bytes).map_err(|source| ContextFileError::Supply {
        path: path.to_owned(),
        source,
    })
}

/// A `--context URL=FILE` argument: the URL is everything before the last
/// `=` that is followed by a file name (URLs may hold `=` in their query).
///
/// # Errors
/// As [`supply_file`], or [`ContextFileError::Argument`] for a malformed argument.
pub fn supply_argument(arg: &str) -> Result<(), ContextFileError> {
    let Some((url, file)) = arg
        .rsplit_once('=')
        .filter(|(u, f)| !u.is_empty() && !f.is_empty())
    else {
        return Err(ContextFileError::Argument {
            arg: arg.to_owned(),
        });
    };
    supply_file(url, Path::new(file))
}

/// Supplies every file under `dir`, each for `https://` followed by its path
/// relative to `dir` (see the module documentation). Returns how many.
///
/// # Errors
/// [`ContextFileError`] for the first file refused, or a directory that
/// cannot be walked.
pub fn supply_directory(dir: &Path) -> Result<usize, ContextFileError> {
    let mut files = Vec::new();
    walk(dir, dir, 0, &mut files)?;
    files.sort();
    for (url, path) in &files {
        supply_file(url, path)?;
    }
    Ok(files.len())
}

/// Supplies the contexts a trust list carries: files relative to `base` (the
/// trust list's directory), inline documents as they are. Returns how many.
///
/// # Errors
/// [`ContextFileError`] for the first one refused.
pub fn supply_listed(list: &TrustList, base: &Path) -> Result<usize, ContextFileError> {
    for c in &list.contexts {
        match &c.source {
            ContextSource::File(f) => supply_file(&c.url, &base.join(f))?,
            ContextSource::Inline(doc) => {
                let bytes = serde_json::to_vec(doc).unwrap_or_default();
                contexts::supply(&c.url, &bytes)
                    .map_err(|source| ContextFileError::Inline { source })?;
            }
        }
    }
    Ok(list.contexts.len())
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), ContextFileError> {
    let read_err = |source| ContextFileError::Read {
        path: dir.to_owned(),
        source,
    };
    if depth > MAX_DEPTH {
        return Err(ContextFileError::Directory {
            path: dir.to_owned(),
            problem: format!("nested deeper than {MAX_DEPTH} levels"),
        });
    }
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let path = entry.path();
        // Follows symbolic links: a mirror may link one URL's file to another's.
        let meta = std::fs::metadata(&path).map_err(|source| ContextFileError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(root, &path, depth + 1, out)?;
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let mut url = String::from("https:/");
        for part in rel.components() {
            let Some(part) = part.as_os_str().to_str() else {
                return Err(ContextFileError::Directory {
                    path: path.clone(),
                    problem: "a file name is not UTF-8, so it names no URL".into(),
                });
            };
            url.push('/');
            url.push_str(part);
        }
        if out.len() >= MAX_FILES {
            return Err(ContextFileError::Directory {
                path: root.to_owned(),
                problem: format!("more than {MAX_FILES} files"),
            });
        }
        out.push((url, path));
    }
    Ok(())
}

/// The verifier's one bounded reader ([`crate::bulk::read_file`]): a FIFO or a
/// device is refused without waiting on it, a too large file before it is read.
fn read_bounded(path: &Path) -> Result<Vec<u8>, ContextFileError> {
    crate::bulk::read_file(path, MAX_BYTES).map_err(ContextFileError::File)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_mirrors_urls_and_a_changed_bundled_context_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("example.org/contexts");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join("mirror-test-v1.json"),
            br#"{"@context": {"mirrorTerm": "https://example.org/vocab#mirrorTerm"}}"#,
        )
        .unwrap();
        assert_eq!(supply_directory(dir.path()).unwrap(), 1);
        assert!(contexts::supplied("https://example.org/contexts/mirror-test-v1.json").is_some());

        // A different VC 1.1 context under its URL would change what signatures mean.
        let fake = dir.path().join("fake-v1.json");
        std::fs::write(
            &fake,
            br#"{"@context": {"issuanceDate": "https://evil.example/x"}}"#,
        )
        .unwrap();
        let e = supply_argument(&format!("{}={}", contexts::VC_V1, fake.display())).unwrap_err();
        assert!(e.to_string().contains("differs from it"), "{e}");
        assert!(matches!(
            supply_argument("no-equals-sign"),
            Err(ContextFileError::Argument { .. })
        ));
    }
}
