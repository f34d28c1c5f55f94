//! Where a key's passphrase comes from: a file, an environment variable or a
//! terminal prompt — never a command-line argument, which other users can read
//! in the process list and which shells keep in their history.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use zeroize::Zeroizing;

use crate::files;

/// Passphrases shorter than this get a warning at key generation.
const SHORT_PASSPHRASE: usize = 12;
/// A passphrase file larger than this is not a passphrase file.
const MAX_PASSPHRASE_FILE: usize = 4096;

/// The source of a passphrase, chosen with `--passphrase-file`, `--passphrase-env` or
/// `--passphrase-prompt`. The passphrase is read only when a key needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassphraseSource {
    /// No flag given: an encrypted key is opened by prompting when a terminal is
    /// attached, and is an error otherwise.
    Unspecified,
    /// The first line of a file.
    File(PathBuf),
    /// The value of an environment variable.
    Env(String),
    /// A prompt on the terminal (no echo).
    Prompt,
}

impl PassphraseSource {
    /// Whether a flag named a source.
    pub fn is_given(&self) -> bool {
        *self != Self::Unspecified
    }

    /// Reads the passphrase to open an existing key (`what` names it in the prompt).
    ///
    /// # Errors
    /// When the source cannot be read, is empty, or (with no flag) there is no terminal
    /// to prompt on.
    pub fn read(&self, what: &Path) -> anyhow::Result<Zeroizing<String>> {
        match self {
            Self::Unspecified => {
                if !std::io::stdin().is_terminal() {
                    bail!(
                        "{} is encrypted: give its passphrase with --passphrase-file FILE, --passphrase-env VAR or --passphrase-prompt",
                        what.display()
                    );
                }
                prompt(&format!("Passphrase for {}: ", what.display()))
            }
            Self::Prompt => prompt(&format!("Passphrase for {}: ", what.display())),
            Self::File(path) => from_file(path),
            Self::Env(var) => from_env(var),
        }
    }

    /// Reads a new passphrase to encrypt a key with; a prompt asks twice. `None`
    /// when no source was given (the key is stored unencrypted).
    ///
    /// # Errors
    /// As [`PassphraseSource::read`], and when the two prompted entries differ.
    pub fn read_new(&self) -> anyhow::Result<Option<Zeroizing<String>>> {
        let pass = match self {
            Self::Unspecified => return Ok(None),
            Self::Prompt => {
                let first = prompt("New passphrase for the key: ")?;
                let again = prompt("Repeat the passphrase: ")?;
                if first != again {
                    bail!("the two passphrases differ; nothing was written");
                }
                first
            }
            Self::File(path) => from_file(path)?,
            Self::Env(var) => from_env(var)?,
        };
        Ok(Some(pass))
    }

    /// Whether a new passphrase is short enough to deserve a warning.
    pub fn is_short(pass: &str) -> bool {
        pass.chars().count() < SHORT_PASSPHRASE
    }
}

fn prompt(text: &str) -> anyhow::Result<Zeroizing<String>> {
    let pass = Zeroizing::new(
        rpassword::prompt_password(text)
            .context("cannot read a passphrase from the terminal (is one attached?)")?,
    );
    non_empty(pass, "the passphrase typed")
}

fn from_file(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    warn_if_shared(path);
    // Said as the passphrase file: "cannot open nope.txt" alone does not tell
    // which of the command's files is missing.
    let bytes = Zeroizing::new(files::read_bounded(path, MAX_PASSPHRASE_FILE).map_err(|e| {
        // The innermost cause ("No such file or directory"), this sentence naming the file.
        let cause = match &e {
            files::FileError::Io { source, .. } => source.to_string(),
            other => other.to_string(),
        };
        anyhow::anyhow!(
            "cannot read the passphrase file {}: {cause}",
            path.display()
        )
    })?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("{}: the passphrase is not UTF-8 text", path.display()))?;
    // The first line is the passphrase: `echo secret > file` adds a newline that is not
    // part of it. Other spaces are kept: they may be part of the passphrase.
    let line = text.split(['\n', '\r']).next().unwrap_or_default();
    non_empty(
        Zeroizing::new(line.to_owned()),
        &format!("passphrase file {}", path.display()),
    )
}

fn from_env(var: &str) -> anyhow::Result<Zeroizing<String>> {
    let value = std::env::var_os(var)
        .ok_or_else(|| anyhow::anyhow!("environment variable {var} is not set"))?;
    let value = value
        .into_string()
        .map_err(|_| anyhow::anyhow!("environment variable {var} is not UTF-8 text"))?;
    non_empty(
        Zeroizing::new(value),
        &format!("environment variable {var}"),
    )
}

fn non_empty(pass: Zeroizing<String>, what: &str) -> anyhow::Result<Zeroizing<String>> {
    if pass.is_empty() {
        bail!("{what} is empty: a passphrase is required");
    }
    Ok(pass)
}

/// A passphrase file others can read is a leak waiting to happen; said, not refused,
/// because secret managers mount such files with group access on purpose.
#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            let _ = writeln!(
                std::io::stderr(),
                "microcred-sign: warning: passphrase file {} has permissions {mode:03o}: anyone on this machine can read it; run `chmod 600 {}`",
                path.display(),
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_first_line_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, "correct horse battery staple\r\nsecond line\n").unwrap();
        let got = PassphraseSource::File(p.clone()).read(&p).unwrap();
        assert_eq!(got.as_str(), "correct horse battery staple");
        std::fs::write(&p, "\nnot this\n").unwrap();
        let err = PassphraseSource::File(p.clone()).read(&p).unwrap_err();
        assert!(format!("{err:#}").contains("is empty"), "{err:#}");
    }

    #[test]
    fn a_missing_passphrase_file_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope.txt");
        let err = PassphraseSource::File(p.clone())
            .read(Path::new("k"))
            .unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.starts_with(&format!(
                "cannot read the passphrase file {}: ",
                p.display()
            )),
            "{msg}"
        );
        std::fs::write(&p, "x".repeat(MAX_PASSPHRASE_FILE + 1)).unwrap();
        let msg = format!(
            "{:#}",
            PassphraseSource::File(p.clone()).read(&p).unwrap_err()
        );
        assert!(
            msg.contains("passphrase file") && msg.contains("limit"),
            "{msg}"
        );
    }

    #[test]
    fn unset_env_is_named() {
        let err = PassphraseSource::Env("MICROCRED_TEST_SURELY_UNSET_VAR".into())
            .read(Path::new("k"))
            .unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("MICROCRED_TEST_SURELY_UNSET_VAR") && msg.contains("is not set"));
    }

    #[test]
    fn no_source_means_unencrypted_new_key() {
        assert!(PassphraseSource::Unspecified.read_new().unwrap().is_none());
        assert!(PassphraseSource::is_short("short"));
        assert!(!PassphraseSource::is_short("a long enough passphrase"));
    }
}
