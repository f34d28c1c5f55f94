//! File handling: bounded reads, atomic writes, secret key files with
//! owner-only permissions.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::Path;

use anyhow::{Context as _, bail};
use microcred_core::Value;
use microcred_core::json::{self, Limits};
use microcred_core::key_encryption;
use microcred_core::keys::{KeyFile, KeyFileError};
use zeroize::Zeroizing;

/// Reads at most `limit` bytes from a file (or stdin for `-`), failing on larger input
/// before reading it whole.
pub fn read_bounded(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(cap)
            .read_to_end(&mut buf)
            .context("reading stdin")?;
    } else {
        let f = fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        f.take(cap)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    if buf.len() > limit {
        bail!("{}: larger than the {limit}-byte limit", path.display());
    }
    Ok(buf)
}

/// Reads and strictly parses a JSON document.
pub fn read_json(path: &Path) -> anyhow::Result<Value> {
    let bytes = read_bounded(path, Limits::DEFAULT.max_bytes)?;
    json::parse(&bytes).with_context(|| format!("{}: invalid JSON", path.display()))
}

/// Prefix of the temporary files this tool writes next to their final names; a
/// file so named in an output directory is a leftover of an interrupted run.
pub const TEMP_PREFIX: &str = ".microcred-";

/// A new, empty temporary file in `dir`, named [`TEMP_PREFIX`]…, with permissions `mode`.
fn create_temp(dir: &Path, mode: u32) -> anyhow::Result<tempfile::NamedTempFile> {
    create_temp_named(dir, TEMP_PREFIX, mode)
}

/// A new, empty temporary file in `dir` named `prefix` and six random letters or
/// digits, with permissions `mode`; removed when dropped unless persisted.
pub fn create_temp_named(
    dir: &Path,
    prefix: &str,
    mode: u32,
) -> anyhow::Result<tempfile::NamedTempFile> {
    let tmp = tempfile::Builder::new()
        .prefix(prefix)
        .rand_bytes(TEMP_RANDOM_LEN)
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    set_mode(tmp.as_file(), mode)?;
    Ok(tmp)
}

/// How many random characters follow the prefix of a temporary file's name.
pub const TEMP_RANDOM_LEN: usize = 6;

/// Writes `bytes` to a new temporary file in `dir` (named [`TEMP_PREFIX`]…, with
/// permissions `mode`) and closes it, for a caller that makes many such files
/// durable at once with [`sync_file_system`] before renaming them to their names
/// (`TempPath::persist`). Where there is no `syncfs` the file is flushed here,
/// one by one. Dropping the returned path removes the file.
pub fn write_temp(dir: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<tempfile::TempPath> {
    let mut tmp = create_temp(dir, mode)?;
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", tmp.path().display()))?;
    if !HAS_SYNCFS {
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("writing {}", tmp.path().display()))?;
    }
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
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn sync_file_system(dir: &Path) -> anyhow::Result<()> {
    fs::File::open(dir)
        .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from))
        .with_context(|| format!("cannot flush the file system of {} to disk", dir.display()))
}

/// See the Linux version: here each file was flushed when written.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn sync_file_system(_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over (or, without `force`, to)
/// the target. Readers never see a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool, mode: u32) -> anyhow::Result<()> {
    let tmp = synced_temp_beside(path, bytes, mode, |_| Ok(()))?;
    if force {
        tmp.persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!("{} exists; pass --force to overwrite it", path.display())
            } else {
                anyhow::Error::new(e.error).context(format!("cannot write {}", path.display()))
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
    prepare: impl FnOnce(&fs::File) -> anyhow::Result<()>,
) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = create_temp(dir, mode)?;
    prepare(tmp.as_file())?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(tmp)
}

/// Replaces the existing file `path` atomically with `bytes` (as [`write_atomic`] with
/// `force`), keeping its owner and group: a key file an administrator re-encrypts as
/// root for a service account must stay readable by that account. Where the owner cannot
/// be kept, nothing is replaced.
pub fn replace_keeping_owner(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let meta = fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
    let tmp = synced_temp_beside(path, bytes, mode, |file| {
        keep_owner(file, &meta).with_context(|| {
            format!(
                "cannot give the new {} the owner and group of the old one; nothing was written",
                path.display()
            )
        })
    })?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
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
fn set_mode(f: &fs::File, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    f.set_permissions(fs::Permissions::from_mode(mode))
        .context("setting file permissions")
}

#[cfg(not(unix))]
fn set_mode(_f: &fs::File, _mode: u32) -> anyhow::Result<()> {
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
) -> anyhow::Result<KeyFile> {
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
) -> anyhow::Result<(KeyFile, Option<Zeroizing<String>>)> {
    let (key, pass) = open_key(path, || passphrase.read(path))?;
    if pass.is_none() && passphrase.is_given() {
        writeln!(
            std::io::stderr(),
            "microcred-sign: note: {} is not encrypted; the passphrase was not used",
            path.display()
        )?;
    }
    Ok((key, pass))
}

/// Opens a secret key file, refusing one that group or others can read (like ssh)
/// or larger than a key file can be. An encrypted key is opened with the passphrase
/// `passphrase` returns, called only then; the passphrase is returned with the key
/// (`None` for an unencrypted key).
///
/// # Errors
/// When the file is unreadable, too open, malformed, `passphrase` fails, or the
/// passphrase is wrong ("wrong passphrase or corrupted key file"). Every base58btc
/// word of a message that decodes to secret key material is replaced: messages never
/// hold secrets.
pub fn open_key(
    path: &Path,
    passphrase: impl FnOnce() -> anyhow::Result<Zeroizing<String>>,
) -> anyhow::Result<(KeyFile, Option<Zeroizing<String>>)> {
    open_key_inner(path, passphrase).map_err(hide_secrets)
}

fn open_key_inner(
    path: &Path,
    passphrase: impl FnOnce() -> anyhow::Result<Zeroizing<String>>,
) -> anyhow::Result<(KeyFile, Option<Zeroizing<String>>)> {
    check_private(path)?;
    let bytes = Zeroizing::new(read_bounded(path, MAX_KEY_FILE)?);
    match KeyFile::from_json(&bytes) {
        Err(KeyFileError::Encrypted) => {
            let pass = passphrase()?;
            let key = key_encryption::decrypt(&bytes, &pass)
                .with_context(|| format!("{}: cannot open the key", path.display()))?;
            Ok((key, Some(pass)))
        }
        Ok(key) => Ok((key, None)),
        Err(e) => Err(anyhow::Error::new(e))
            .with_context(|| format!("{}: cannot load the key", path.display())),
    }
}

/// The last line of defence for secrets in key-loading errors: every base58btc word
/// of the message that decodes to secret key material (multicodec `ed25519-priv`),
/// whatever member of whatever file it came from, is replaced. An error without such
/// a word is returned unchanged.
fn hide_secrets(err: anyhow::Error) -> anyhow::Error {
    let message = Zeroizing::new(format!("{err:#}"));
    match microcred_core::keys::redact_secrets(&message) {
        Some(hidden) => anyhow::anyhow!(hidden),
        None => err,
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "{}: permissions {mode:03o} let others read this secret key; run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hide_secrets_replaces_secret_words_only() {
        let secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
        let public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let err = anyhow::anyhow!("member {secret:?} is bad").context(format!("k.json ({public})"));
        let shown = format!("{:#}", hide_secrets(err));
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains(public), "{shown}");
        assert!(shown.contains("(value not shown)"), "{shown}");
        // Nothing secret: the error is kept as it was, chain and all.
        let err = anyhow::anyhow!("inner").context("outer");
        assert_eq!(format!("{:#}", hide_secrets(err)), "outer: inner");
    }
}
