//! File handling: bounded reads, atomic writes, secret key files with
//! owner-only permissions.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use microcred_core::Value;
use microcred_core::json::{self, JsonError, Limits};
use microcred_core::key_encryption::{self, KeyEncryptionError};
use microcred_core::keys::{KeyFile, KeyFileError};
use zeroize::Zeroizing;

/// Why a file could not be read, written or opened as a key.
///
/// Each message names the file; the underlying cause (an I/O error, the JSON
/// or key-file error) is the [`source`](std::error::Error::source), so
/// `anyhow`'s `{:#}` prints "cannot open k.json: No such file or directory".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// An operation on `path` failed; `action` says which ("cannot open …",
    /// "reading …").
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done, e.g. `cannot open`, `writing`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the caller's limit (checked before reading it whole).
    #[error("{}: larger than the {limit}-byte limit", path.display())]
    TooLarge {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// The limit in bytes.
        limit: usize,
    },
    /// The file is not strict JSON.
    #[error("{}: invalid JSON", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        #[source]
        source: JsonError,
    },
    /// A replaced file's owner and group could not be given to its new version.
    #[error(
        "cannot give the new {} the owner and group of the old one; nothing was written",
        path.display()
    )]
    KeepOwner {
        /// The file being replaced.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The target exists and overwriting was not asked for.
    #[error("{} exists; pass --force to overwrite it", path.display())]
    Exists {
        /// The file that exists.
        path: PathBuf,
    },
    /// A secret key file that group or others can read.
    #[error(
        "{}: permissions {mode:03o} let others read this secret key; run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    TooOpen {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file is malformed.
    #[error("{}: cannot load the key", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: KeyFileError,
    },
    /// The encrypted key file could not be decrypted (e.g. a wrong passphrase).
    #[error("{}: cannot open the key", path.display())]
    Decrypt {
        /// The key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeyEncryptionError,
    },
    /// The passphrase could not be had (the caller's source failed).
    #[error(transparent)]
    Passphrase(Box<dyn std::error::Error + Send + Sync>),
    /// A key-loading error whose message held secret key material, with that
    /// material replaced (the only form in which such an error leaves this module).
    #[error("{0}")]
    Redacted(String),
}

impl FileError {
    fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

/// Reads at most `limit` bytes from a file (or stdin for `-`), failing on larger input
/// before reading it whole.
///
/// # Errors
/// [`FileError::Io`] when the file cannot be opened or read, [`FileError::TooLarge`].
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    let mut buf = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(cap)
            .read_to_end(&mut buf)
            .map_err(FileError::io("reading", Path::new("stdin")))?;
    } else {
        let f = fs::File::open(path).map_err(FileError::io("cannot open", path))?;
        f.take(cap)
            .read_to_end(&mut buf)
            .map_err(FileError::io("reading", path))?;
    }
    if buf.len() > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(buf)
}

/// Reads and strictly parses a JSON document.
///
/// # Errors
/// As [`read_bounded`], and [`FileError::Json`].
pub fn read_json(path: &Path) -> Result<Value, FileError> {
    let bytes = read_bounded(path, Limits::DEFAULT.max_bytes)?;
    json::parse(&bytes).map_err(|source| FileError::Json {
        path: path.to_owned(),
        source,
    })
}

/// Prefix of the temporary files this tool writes next to their final names; a
/// file so named in an output directory is a leftover of an interrupted run.
pub const TEMP_PREFIX: &str = ".microcred-";

/// A new, empty temporary file in `dir`, named [`TEMP_PREFIX`]…, with permissions `mode`.
fn create_temp(dir: &Path, mode: u32) -> Result<tempfile::NamedTempFile, FileError> {
    create_temp_named(dir, TEMP_PREFIX, mode)
}

/// A new, empty temporary file in `dir` named `prefix` and six random letters or
/// digits, with permissions `mode`; removed when dropped unless persisted.
///
/// # Errors
/// [`FileError::Io`] when the file cannot be created or given its permissions.
pub fn create_temp_named(
    dir: &Path,
    prefix: &str,
    mode: u32,
) -> Result<tempfile::NamedTempFile, FileError> {
    let tmp = tempfile::Builder::new()
        .prefix(prefix)
        .rand_bytes(TEMP_RANDOM_LEN)
        .tempfile_in(dir)
        .map_err(FileError::io("cannot create a temporary file in", dir))?;
    set_mode(tmp.as_file(), mode)
        .map_err(FileError::io("setting the permissions of", tmp.path()))?;
    Ok(tmp)
}

/// How many random characters follow the prefix of a temporary file's name.
pub const TEMP_RANDOM_LEN: usize = 6;

/// Writes `bytes` to a new temporary file in `dir` (named [`TEMP_PREFIX`]…, with
/// permissions `mode`) and closes it, for a caller that makes many such files
/// durable at once with [`sync_file_system`] before renaming them to their names
/// (`TempPath::persist`). Where there is no `syncfs` the file is flushed here,
/// one by one. Dropping the returned path removes the file.
///
/// # Errors
/// [`FileError::Io`] when the file cannot be created or written.
pub fn write_temp(dir: &Path, bytes: &[u8], mode: u32) -> Result<tempfile::TempPath, FileError> {
    let mut tmp = create_temp(dir, mode)?;
    let written = tmp.write_all(bytes).and_then(|()| {
        if HAS_SYNCFS {
            Ok(())
        } else {
            tmp.as_file().sync_all()
        }
    });
    written.map_err(FileError::io("writing", tmp.path()))?;
    Ok(tmp.into_temp_path())
}

/// Whether [`sync_file_system`] flushes the whole file system (Linux `syncfs`);
/// elsewhere [`write_temp`] flushes each file itself.
const HAS_SYNCFS: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// Makes durable everything written so far to the file system holding the
/// directory `dir` (`syncfs(2)`): file contents and inodes, with one journal
/// commit and one disk-cache flush for the whole group instead of one per file.
/// It waits for the writes and, on Linux 5.8 and later, reports a write-back
/// error of any file of that file system. A no-op where [`write_temp`] flushed
/// each file.
///
/// # Errors
/// [`FileError::Io`] when the flush fails.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn sync_file_system(dir: &Path) -> Result<(), FileError> {
    fs::File::open(dir)
        .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from))
        .map_err(FileError::io(
            "cannot flush to disk the file system of",
            dir,
        ))
}

/// See the Linux version: here each file was flushed when written.
///
/// # Errors
/// None.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn sync_file_system(_dir: &Path) -> Result<(), FileError> {
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over (or, without `force`, to)
/// the target. Readers never see a half-written file.
///
/// # Errors
/// [`FileError::Exists`] without `force` when `path` exists; [`FileError::Io`].
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool, mode: u32) -> Result<(), FileError> {
    let tmp = synced_temp_beside(path, bytes, mode, |_| Ok(()))?;
    if force {
        tmp.persist(path)
            .map_err(|e| FileError::io("cannot write", path)(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                FileError::Exists {
                    path: path.to_owned(),
                }
            } else {
                FileError::io("cannot write", path)(e.error)
            }
        })?;
    }
    Ok(())
}

/// A temporary file in `path`'s directory with permissions `mode`, made ready by
/// `prepare` before anything is written, holding `bytes` flushed to disk: what
/// [`write_atomic`] and [`replace_keeping_owner`] rename to `path`.
fn synced_temp_beside(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    prepare: impl FnOnce(&fs::File) -> Result<(), FileError>,
) -> Result<tempfile::NamedTempFile, FileError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = create_temp(dir, mode)?;
    prepare(tmp.as_file())?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(FileError::io("writing", path))?;
    Ok(tmp)
}

/// Replaces the existing file `path` atomically with `bytes` (as [`write_atomic`] with
/// `force`), keeping its owner and group: a key file an administrator re-encrypts as
/// root for a service account must stay readable by that account. Where the owner cannot
/// be kept, nothing is replaced.
///
/// # Errors
/// [`FileError::Io`], e.g. when the owner cannot be kept.
pub fn replace_keeping_owner(path: &Path, bytes: &[u8], mode: u32) -> Result<(), FileError> {
    let meta = fs::metadata(path).map_err(FileError::io("cannot open", path))?;
    let tmp = synced_temp_beside(path, bytes, mode, |file| {
        keep_owner(file, &meta).map_err(|source| FileError::KeepOwner {
            path: path.to_owned(),
            source,
        })
    })?;
    tmp.persist(path)
        .map_err(|e| FileError::io("cannot write", path)(e.error))?;
    Ok(())
}

/// Gives `file` the owner and group in `like`, when they differ from its own (only a
/// privileged process can give a file away; an owner can change its group to one of
/// theirs).
#[cfg(unix)]
fn keep_owner(file: &fs::File, like: &fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) == (like.uid(), like.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid()))
}

#[cfg(not(unix))]
fn keep_owner(_file: &fs::File, _like: &fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn set_mode(f: &fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    f.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_f: &fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// A key file larger than this is not a key file (one is about 700 bytes).
const MAX_KEY_FILE: usize = 64 * 1024;

/// Loads a secret key file — the ONE way the signer opens secret keys — refusing one
/// that group or others can read (like ssh). An encrypted key is opened with the
/// passphrase from `passphrase` (read only then); a plain one ignores it, with a note.
///
/// # Errors
/// When the file is unreadable, too open, malformed, or the passphrase is missing or
/// wrong ("wrong passphrase or corrupted key file"). Messages never hold secrets.
#[cfg(feature = "cli")]
pub fn load_key(
    path: &Path,
    passphrase: &crate::passphrase::PassphraseSource,
) -> Result<KeyFile, FileError> {
    load_key_and_passphrase(path, passphrase).map(|(key, _)| key)
}

/// [`load_key`], also returning the passphrase that opened the key (`None` for an
/// unencrypted key), for `change-passphrase`, which must compare it with the new one.
///
/// # Errors
/// As [`load_key`].
#[cfg(feature = "cli")]
pub fn load_key_and_passphrase(
    path: &Path,
    passphrase: &crate::passphrase::PassphraseSource,
) -> Result<(KeyFile, Option<Zeroizing<String>>), FileError> {
    let (key, pass) = open_key(path, || passphrase.read(path))?;
    if pass.is_none() && passphrase.is_given() {
        // A note only: a closed stderr must not stop the signing.
        let _ = writeln!(
            std::io::stderr(),
            "microcred-sign: note: {} is not encrypted; the passphrase was not used",
            path.display()
        );
    }
    Ok((key, pass))
}

/// Opens a secret key file, refusing one that group or others can read (like ssh)
/// or larger than a key file can be. An encrypted key is opened with the passphrase
/// `passphrase` returns, called only then; the passphrase is returned with the key
/// (`None` for an unencrypted key).
///
/// # Errors
/// When the file is unreadable, too open, malformed, `passphrase` fails
/// ([`FileError::Passphrase`]), or the passphrase is wrong ("wrong passphrase or
/// corrupted key file"). Every base58btc word of a message that decodes to secret key
/// material is replaced ([`FileError::Redacted`]): messages never hold secrets.
pub fn open_key<E>(
    path: &Path,
    passphrase: impl FnOnce() -> Result<Zeroizing<String>, E>,
) -> Result<(KeyFile, Option<Zeroizing<String>>), FileError>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    open_key_inner(path, passphrase).map_err(hide_secrets)
}

fn open_key_inner<E>(
    path: &Path,
    passphrase: impl FnOnce() -> Result<Zeroizing<String>, E>,
) -> Result<(KeyFile, Option<Zeroizing<String>>), FileError>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    check_private(path)?;
    let bytes = Zeroizing::new(read_bounded(path, MAX_KEY_FILE)?);
    match KeyFile::from_json(&bytes) {
        Err(KeyFileError::Encrypted) => {
            let pass = passphrase().map_err(|e| FileError::Passphrase(e.into()))?;
            let key =
                key_encryption::decrypt(&bytes, &pass).map_err(|source| FileError::Decrypt {
                    path: path.to_owned(),
                    source,
                })?;
            Ok((key, Some(pass)))
        }
        Ok(key) => Ok((key, None)),
        Err(source) => Err(FileError::KeyFile {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The last line of defence for secrets in key-loading errors: every base58btc word
/// of the message (with its causes) that decodes to secret key material (multicodec
/// `ed25519-priv`, `p256-priv` or `p384-priv`), whatever member of whatever file it came
/// from, is replaced. An
/// error without such a word is returned unchanged.
fn hide_secrets(err: FileError) -> FileError {
    let message = Zeroizing::new(chain(&err));
    match microcred_core::keys::redact_secrets(&message) {
        Some(hidden) => FileError::Redacted(hidden),
        None => err,
    }
}

/// An error and its causes, as `anyhow` prints them with `{:#}`: "outer: inner".
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), FileError> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = fs::metadata(path).map_err(FileError::io("cannot open", path))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(FileError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), FileError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hide_secrets_replaces_secret_words_only() {
        let secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
        let public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let err =
            FileError::Passphrase(format!("k.json ({public}): member {secret:?} is bad").into());
        let shown = format!("{:#}", anyhow::Error::new(hide_secrets(err)));
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains(public), "{shown}");
        assert!(shown.contains("(value not shown)"), "{shown}");
        // Nothing secret: the error is kept as it was, chain and all.
        let err = FileError::Io {
            action: "reading",
            path: "k.json".into(),
            source: std::io::Error::other("inner"),
        };
        let kept = hide_secrets(err);
        assert!(matches!(kept, FileError::Io { .. }));
        assert_eq!(
            format!("{:#}", anyhow::Error::new(kept)),
            "reading k.json: inner"
        );
    }
}
