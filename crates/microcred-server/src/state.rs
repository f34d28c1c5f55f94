//! Everything the handlers share, loaded at start-up from the configuration: the
//! issuer key, the token's digest, the verifier (whose status lists are read again
//! when their files change: `lists.rs`).

use std::path::Path;

use anyhow::{Context as _, bail};
use microcred_core::json;
use microcred_core::keys::KeyFile;
use microcred_verifier::profile::Profile;
use microcred_verifier::{Options, TrustList};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::config::{Config, LimitsConfig};
use crate::lists::ListCache;
use microcred_core::suite::Suite;

/// Largest file the server reads at start-up (key, lists, profiles).
const MAX_FILE_BYTES: usize = json::Limits::DEFAULT.max_bytes;

/// The issuing side: present only when the configuration has `[issuer]`.
pub struct Issuer {
    /// The signing key (zeroized on drop).
    pub(crate) key: KeyFile,
    /// SHA-256 of the bearer token: the token itself is not kept, and comparing
    /// fixed-length digests in constant time leaks neither content nor length.
    token_digest: [u8; 32],
    /// `issuer.name` to set.
    pub(crate) name: Option<String>,
    /// Cryptosuite(s) of the proofs; `None`: the default ([`microcred_core::suite::sign`]).
    pub(crate) suite: Option<Suite>,
    /// Profiles every issued credential must comply with.
    pub(crate) profiles: Vec<Profile>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("controller", &self.key.controller())
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// Whether `presented` is the configured token (constant time).
    pub(crate) fn token_matches(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        bool::from(digest.ct_eq(&self.token_digest))
    }
}

/// The state shared by every request.
#[derive(Debug)]
pub struct AppState {
    /// The issuer, when issuing is configured.
    pub issuer: Option<Issuer>,
    /// The verifier, with the status lists as they are on disk (challenge and
    /// domain are set per request).
    pub(crate) lists: ListCache,
    /// Body size and time limits.
    pub limits: LimitsConfig,
    /// The ledger and the status lists served from it, when `[status]` is configured.
    pub(crate) status: Option<crate::status::Status>,
    /// HTTPS, when `[tls]` is configured.
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<crate::tls::Tls>,
}

impl AppState {
    /// Reads every file the configuration names: contexts, key (and its
    /// passphrase), token, trust list (and the contexts it carries), status lists,
    /// profiles.
    ///
    /// # Errors
    /// A message naming the file and the problem; never a secret.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        // Contexts first: status lists are verified as they are read.
        for (url, path) in &config.contexts.files {
            microcred_verifier::contexts::supply_file(url, path)?;
        }
        if let Some(dir) = &config.contexts.dir {
            microcred_verifier::contexts::supply_directory(dir)?;
        }
        let issuer = match &config.issuer {
            None => None,
            Some(c) => {
                let token = match (&c.token_file, &c.token_env) {
                    (Some(path), _) => first_line(&read_secret(path)?, path)?,
                    (None, Some(var)) => Zeroizing::new(std::env::var(var).with_context(|| {
                        format!("token_env: environment variable {var} is not set")
                    })?),
                    (None, None) => bail!("[issuer] needs token_file or token_env"),
                };
                if token.len() < 16 {
                    bail!(
                        "the bearer token must be at least 16 characters long (use a random one, e.g. `openssl rand -hex 32`)"
                    );
                }
                let passphrase = match (&c.passphrase_file, &c.passphrase_env) {
                    (Some(path), _) => Some(first_line(&read_secret(path)?, path)?),
                    (None, Some(var)) => {
                        Some(Zeroizing::new(std::env::var(var).with_context(|| {
                            format!("passphrase_env: environment variable {var} is not set")
                        })?))
                    }
                    (None, None) => None,
                };
                let key = load_key(&c.key, passphrase.as_deref().map(String::as_str))?;
                // A cryptosuite named in full must fit the key: said at start, not per request.
                if let Some(suite) = c.suite {
                    suite
                        .for_key(key.secret.key_type())
                        .with_context(|| format!("[issuer] suite, with key {}", c.key.display()))?;
                }
                Some(Issuer {
                    key,
                    token_digest: Sha256::digest(token.as_bytes()).into(),
                    name: c.name.clone(),
                    suite: c.suite,
                    profiles: c
                        .profiles
                        .iter()
                        .map(|p| load_profile(p))
                        .collect::<anyhow::Result<_>>()?,
                })
            }
        };
        let mut verify = Options::default();
        if let Some(path) = &config.verify.trust {
            let bytes = read(path)?;
            let trust = TrustList::from_json(&bytes).with_context(|| path.display().to_string())?;
            microcred_verifier::contexts::supply_listed(
                &trust,
                path.parent().unwrap_or(Path::new("")),
            )
            .with_context(|| path.display().to_string())?;
            verify.trust = Some(trust);
        }
        for name in &config.verify.profiles {
            if name == "claimed" {
                verify.claimed_profiles = true;
            } else {
                verify.profiles.push(load_profile(name)?);
            }
        }
        // TLS first among the files of the network side: a bad certificate is found
        // before the ledger is opened (or created).
        #[cfg(feature = "tls")]
        let tls = config.tls.as_ref().map(crate::tls::Tls::load).transpose()?;
        #[cfg(not(feature = "tls"))]
        if config.tls.is_some() {
            bail!("[tls]: this microcred-server was built without HTTPS (cargo feature `tls`)");
        }
        let status = match (&config.status, &issuer) {
            (Some(c), Some(i)) => Some(crate::status::Status::load(c, &i.key)?),
            _ => None,
        };
        Ok(Self {
            issuer,
            lists: ListCache::load(verify, &config.verify.status_lists)?,
            limits: config.limits.clone(),
            status,
            #[cfg(feature = "tls")]
            tls,
        })
    }
}

fn load_profile(name: &str) -> anyhow::Result<Profile> {
    if let Some(p) = Profile::builtin(name) {
        return Ok(p);
    }
    let path = Path::new(name);
    if !path.exists() {
        bail!(
            "profile {name}: no built-in profile of that name ({}) and no such file",
            Profile::builtin_names().join(", ")
        );
    }
    Profile::from_json(&read(path)?).with_context(|| format!("profile {name}"))
}

/// Reads a file of at most [`MAX_FILE_BYTES`].
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut buf = Vec::new();
    let cap = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX) + 1;
    file.take(cap)
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {}", path.display()))?;
    if buf.len() > MAX_FILE_BYTES {
        bail!(
            "{}: larger than the {MAX_FILE_BYTES}-byte limit",
            path.display()
        );
    }
    Ok(buf)
}

/// Reads a secret file, refusing one that group or others can read (like ssh).
pub(crate) fn read_secret(path: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "{}: permissions {mode:03o} let others read this secret; run `chmod 600 {}`",
                path.display(),
                path.display()
            );
        }
    }
    Ok(Zeroizing::new(read(path)?))
}

fn first_line(bytes: &[u8], path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))?;
    let line = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if line.is_empty() {
        bail!("{}: the first line is empty", path.display());
    }
    Ok(Zeroizing::new(line.to_owned()))
}

/// Opens the issuing key with the signer's key loader (one implementation: owner-only
/// permissions, bounded read, secrets redacted from its errors), with the passphrase
/// read from the configuration, needed only for an encrypted key.
fn load_key(path: &Path, passphrase: Option<&str>) -> anyhow::Result<KeyFile> {
    let (key, _) = microcred_signer::files::open_key(path, || match passphrase {
        Some(pass) => Ok(Zeroizing::new(pass.to_owned())),
        None => bail!(
            "{}: the key is encrypted: set passphrase_file or passphrase_env in [issuer]",
            path.display()
        ),
    })?;
    Ok(key)
}
