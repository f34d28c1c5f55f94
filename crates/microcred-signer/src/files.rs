//! File handling: bounded reads, atomic writes, secret key files with
//! owner-only permissions.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::Path;

use anyhow::{Context as _, bail};
use microcred_core::Value;
use microcred_core::json::{self, Limits};
use microcred_core::keys::{KeyFile, KeyFileError};
use zeroize::Zeroizing;

use crate::key_encryption;
use crate::passphrase::PassphraseSource;

/// Reads at most `limit` bytes from a file (or stdin for `-`), failing on larger input
/// before reading it whole.
pub(crate) fn read_bounded(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
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
pub(crate) fn read_json(path: &Path) -> anyhow::Result<Value> {
    let bytes = read_bounded(path, Limits::DEFAULT.max_bytes)?;
    json::parse(&bytes).with_context(|| format!("{}: invalid JSON", path.display()))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over (or, without `force`, to)
/// the target. Readers never see a half-written file.
pub(crate) fn write_atomic(
    path: &Path,
    bytes: &[u8],
    force: bool,
    mode: u32,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".microcred-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    set_mode(tmp.as_file(), mode)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
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

/// Loads a secret key file — the ONE way the signer opens secret keys — refusing one
/// that group or others can read (like ssh). An encrypted key is opened with the
/// passphrase from `passphrase` (read only then); a plain one ignores it, with a note.
///
/// # Errors
/// When the file is unreadable, too open, malformed, or the passphrase is missing or
/// wrong ("wrong passphrase or corrupted key file"). Messages never hold secrets.
pub(crate) fn load_key(path: &Path, passphrase: &PassphraseSource) -> anyhow::Result<KeyFile> {
    check_private(path)?;
    let bytes = Zeroizing::new(read_bounded(path, 64 * 1024)?);
    match KeyFile::from_json(&bytes) {
        Err(KeyFileError::Encrypted) => {
            let pass = passphrase.read(path)?;
            key_encryption::decrypt(&bytes, &pass)
                .with_context(|| format!("{}: cannot open the key", path.display()))
        }
        Ok(key) => {
            if passphrase.is_given() {
                writeln!(
                    std::io::stderr(),
                    "microcred-sign: note: {} is not encrypted; the passphrase was not used",
                    path.display()
                )?;
            }
            Ok(key)
        }
        Err(e) => Err(anyhow::Error::new(e))
            .with_context(|| format!("{}: cannot load the key", path.display())),
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
