//! The status lists the verify endpoints read, kept verified between requests.
//!
//! Verifying a status list credential (its signature, the decode of its bitstring)
//! costs about as much as verifying the credential that asks about it, so it is done
//! once per *version* of a list, not once per request. A list is still never served
//! stale: an issuer publishes a revocation by replacing the list file, and the next
//! request reads the new list.
//!
//! Per request, each configured file is looked at with one `stat`: its size,
//! modification and change times and inode. Only a file whose metadata differs from
//! the version in hand is read and hashed (SHA-256), and only a file whose bytes
//! differ is parsed, decoded and verified again (a `touch` costs a read, not a
//! signature). Metadata is trusted only once the file's last change is older than
//! [`SETTLE`] at the time it was read: a file rewritten twice within one tick of the
//! file system's clock, with the same size, keeps its times, so a version read that
//! young is hashed again at the next request instead (as git does with "racily
//! clean" index entries). On unix the change time (`ctime`, which the kernel sets and
//! nobody can set back, unlike the modification time `cp -p` or `touch -d` write)
//! is what must be old enough.
//!
//! The cache is bounded by the configuration: one entry per configured list, and one
//! [`Verifier`] made from them all.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use microcred_core::{Value, json};
use microcred_verifier::{Options, StatusLists, Verifier};
use sha2::{Digest as _, Sha256};

use crate::state;

/// How old a file must be, when read, before its metadata alone vouches for its
/// content: more than the coarsest common timestamp granularity (FAT: 2 s).
const SETTLE: Duration = Duration::from_secs(3);

/// A file's metadata as far as telling versions apart goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// The file's last change as far as the clock goes: on unix the later of its
    /// modification and change times, elsewhere the modification time.
    changed: Option<SystemTime>,
    /// Inode, device and change time: a file replaced by a rename (as
    /// `microcred-sign` writes) is another inode whatever its times say.
    #[cfg(unix)]
    unix: (u64, u64, i64, i64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt as _;
        let modified = meta.modified().ok();
        #[cfg(unix)]
        let changed = {
            let ctime = u64::try_from(meta.ctime())
                .ok()
                .zip(u32::try_from(meta.ctime_nsec()).ok())
                .and_then(|(s, ns)| SystemTime::UNIX_EPOCH.checked_add(Duration::new(s, ns)));
            // Without a readable change time nothing vouches for the content.
            ctime.zip(modified).map(|(c, m)| c.max(m))
        };
        #[cfg(not(unix))]
        let changed = modified;
        Self {
            len: meta.len(),
            modified,
            changed,
            #[cfg(unix)]
            unix: (meta.ino(), meta.dev(), meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// Whether a version read at `read_at` may be recognised by this stamp alone:
    /// the file's last change is more than `settle` older than the read.
    fn settled(&self, read_at: SystemTime, settle: Duration) -> bool {
        self.changed
            .and_then(|m| read_at.duration_since(m).ok())
            .is_some_and(|age| age > settle)
    }
}

/// One configured list file and the version of it in hand.
#[derive(Debug)]
struct Entry {
    path: PathBuf,
    /// The metadata that identifies the version in hand; `None` when it was read
    /// too young to be recognised by metadata (its content is hashed again).
    stamp: Option<Stamp>,
    sha256: [u8; 32],
    doc: Value,
}

/// A version of a file just read.
struct Read {
    stamp: Option<Stamp>,
    sha256: [u8; 32],
    bytes: Vec<u8>,
}

fn read_version(path: &Path, settle: Duration) -> anyhow::Result<Read> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
    // The stamp is taken before the bytes are read: a change in between makes the
    // next stamp differ, so the newer bytes are read again then.
    let stamp = Stamp::of(&meta);
    let bytes = state::read(path)?;
    let read_at = SystemTime::now();
    Ok(Read {
        stamp: stamp.settled(read_at, settle).then_some(stamp),
        sha256: Sha256::digest(&bytes).into(),
        bytes,
    })
}

fn parse(path: &Path, bytes: &[u8]) -> anyhow::Result<Value> {
    json::parse(bytes).with_context(|| path.display().to_string())
}

#[derive(Debug)]
struct Inner {
    entries: Vec<Entry>,
    verifier: Arc<Verifier>,
}

/// The verifier of the verify endpoints, with the configured status lists as they
/// are on disk now (see the module documentation).
#[derive(Debug)]
pub(crate) struct ListCache {
    /// Trust list, profiles: everything but the status lists.
    base: Options,
    /// [`SETTLE`]; shorter in tests.
    settle: Duration,
    inner: Mutex<Inner>,
}

impl ListCache {
    /// Reads and verifies every list once.
    ///
    /// # Errors
    /// A file that cannot be read or is not a status list credential, naming it.
    pub(crate) fn load(base: Options, paths: &[PathBuf]) -> anyhow::Result<Self> {
        Self::load_settling(base, paths, SETTLE)
    }

    fn load_settling(base: Options, paths: &[PathBuf], settle: Duration) -> anyhow::Result<Self> {
        let mut entries = Vec::with_capacity(paths.len());
        for path in paths {
            let read = read_version(path, settle)?;
            entries.push(Entry {
                path: path.clone(),
                stamp: read.stamp,
                sha256: read.sha256,
                doc: parse(path, &read.bytes)?,
            });
        }
        let verifier = Arc::new(build(&base, &entries, &[])?);
        Ok(Self {
            base,
            settle,
            inner: Mutex::new(Inner { entries, verifier }),
        })
    }

    /// The verifier for a request, made again first if a list file changed.
    ///
    /// # Errors
    /// A list file that can no longer be read or used (naming it and why). Nothing
    /// older is served in its place: the file may hold a revocation.
    pub(crate) fn verifier(&self) -> anyhow::Result<Arc<Verifier>> {
        // The lock is held while a changed list is verified: concurrent requests
        // wait for that one verification instead of each repeating it.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed: Vec<(usize, Read, Value)> = Vec::new();
        for (i, entry) in inner.entries.iter_mut().enumerate() {
            if let Some(stamp) = entry.stamp {
                let meta = std::fs::metadata(&entry.path)
                    .with_context(|| format!("cannot open {}", entry.path.display()))?;
                if Stamp::of(&meta) == stamp {
                    continue;
                }
            }
            let read = read_version(&entry.path, self.settle)?;
            if read.sha256 == entry.sha256 {
                entry.stamp = read.stamp;
                continue;
            }
            let doc = parse(&entry.path, &read.bytes)?;
            changed.push((i, read, doc));
        }
        if !changed.is_empty() {
            let replaced: Vec<(usize, &Value)> =
                changed.iter().map(|(i, _, doc)| (*i, doc)).collect();
            let verifier = Arc::new(build(&self.base, &inner.entries, &replaced)?);
            tracing::info!(
                lists = changed.len(),
                "status lists changed on disk: read and verified again"
            );
            inner.verifier = verifier;
            for (i, read, doc) in changed {
                if let Some(entry) = inner.entries.get_mut(i) {
                    entry.stamp = read.stamp;
                    entry.sha256 = read.sha256;
                    entry.doc = doc;
                }
            }
        }
        Ok(Arc::clone(&inner.verifier))
    }
}

/// A verifier with `base`'s options and the lists of `entries`, the documents of
/// `replaced` (entry index, document) standing in for theirs. The lists' proofs are
/// verified here, once ([`Verifier::with_options`]).
fn build(
    base: &Options,
    entries: &[Entry],
    replaced: &[(usize, &Value)],
) -> anyhow::Result<Verifier> {
    let mut lists = StatusLists::new();
    for (i, entry) in entries.iter().enumerate() {
        let doc = replaced
            .iter()
            .find(|(j, _)| *j == i)
            .map_or(&entry.doc, |(_, doc)| *doc);
        lists
            .add(doc.clone())
            .with_context(|| entry.path.display().to_string())?;
    }
    let mut options = base.clone();
    options.status_lists = lists;
    Ok(Verifier::with_options(options))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use microcred_core::keys::SecretKey;
    use microcred_core::proof::{self, ProofOptions, ProofPurpose};
    use microcred_core::status_list::{self, StatusList, StatusPurpose};

    use super::*;

    #[test]
    fn a_young_file_is_not_recognised_by_its_metadata() {
        let now = SystemTime::now();
        let mut stamp = Stamp {
            len: 1,
            modified: Some(now),
            changed: Some(now),
            #[cfg(unix)]
            unix: (0, 0, 0, 0),
        };
        assert!(!stamp.settled(now, SETTLE));
        assert!(!stamp.settled(now + SETTLE, SETTLE));
        assert!(stamp.settled(now + SETTLE + Duration::from_millis(1), SETTLE));
        // A change time in the future (clock skew) is never trusted.
        assert!(!stamp.settled(now - Duration::from_secs(60), SETTLE));
        stamp.changed = None;
        assert!(!stamp.settled(now + Duration::from_secs(3600), SETTLE));
    }

    /// Setting the modification time back (`cp -p`, `touch -d`) does not make a
    /// file just written look settled: its change time is now.
    #[cfg(unix)]
    #[test]
    fn a_modification_time_set_back_does_not_settle_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"x").unwrap();
        set_mtime(&path, SystemTime::now() - Duration::from_secs(3600));
        let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
        assert!(!stamp.settled(SystemTime::now(), SETTLE));
    }

    fn signed_list(revoked: &[usize]) -> Vec<u8> {
        let key = SecretKey::from_seed(&[7; 32]);
        let did = key.did_key();
        let mut list = StatusList::new(0);
        for &i in revoked {
            list.set(i, true).unwrap();
        }
        let doc = status_list::list_credential(
            "https://uni.example/status/1",
            &did.did(),
            StatusPurpose::Revocation,
            &list,
            "2025-01-01T00:00:00Z",
        );
        let options = ProofOptions::new(did.verification_method(), ProofPurpose::AssertionMethod);
        serde_json::to_vec(&proof::add_proof(&doc, &key, &options).unwrap()).unwrap()
    }

    fn set_mtime(path: &Path, t: SystemTime) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }

    /// The fast path (one stat) serves the verified list in hand; a `touch` costs a
    /// hash, not a verification; new bytes of the same size behind the same
    /// modification time (set back, as `cp -p` does) are still noticed. Settling is
    /// shortened to nothing here, so that the stamps are trusted at once; the sleeps
    /// put each change in another tick of the file system's clock.
    #[test]
    fn the_verified_list_is_reused_until_the_bytes_change() {
        let tick = || std::thread::sleep(Duration::from_millis(50));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.json");
        let clean = signed_list(&[]);
        let mut revoked = signed_list(&[3]);
        // The same size (JSON whitespace pads): only the bytes and the times differ.
        let size = clean.len().max(revoked.len()) + 8;
        revoked.resize(size, b' ');
        let mut padded = clean;
        padded.resize(size, b' ');
        let old = SystemTime::now() - Duration::from_secs(3600);
        std::fs::write(&path, &padded).unwrap();
        set_mtime(&path, old);
        tick();
        let cache = ListCache::load_settling(
            Options::default(),
            std::slice::from_ref(&path),
            Duration::ZERO,
        )
        .unwrap();
        let stamp = |c: &ListCache| c.inner.lock().unwrap().entries[0].stamp;
        assert!(stamp(&cache).is_some());
        let first = cache.verifier().unwrap();
        assert!(Arc::ptr_eq(&first, &cache.verifier().unwrap()));

        // Touched: read and hashed again, not verified again.
        set_mtime(&path, old - Duration::from_secs(10));
        tick();
        assert!(Arc::ptr_eq(&first, &cache.verifier().unwrap()));
        assert!(stamp(&cache).is_some());

        std::fs::write(&path, &revoked).unwrap();
        set_mtime(&path, old - Duration::from_secs(10));
        tick();
        let second = cache.verifier().unwrap();
        assert!(!Arc::ptr_eq(&first, &second), "new bytes: verified again");
        assert_eq!(
            cache.inner.lock().unwrap().entries[0].sha256,
            <[u8; 32]>::from(Sha256::digest(&revoked))
        );
        assert!(Arc::ptr_eq(&second, &cache.verifier().unwrap()));
    }
}
