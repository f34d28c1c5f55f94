//! `microcred-sign change-passphrase`: re-encrypt a key file under a new passphrase (or
//! encrypt an unencrypted one, or, asked explicitly, store it unencrypted). The secret key,
//! and so the DID and every credential it signed, stay the same.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use microcred_core::key_encryption::{self, KdfParams};
use zeroize::Zeroizing;

use crate::cli::ChangePassphraseArgs;
use crate::files;
use crate::passphrase::PassphraseSource;

pub(crate) fn run(args: &ChangePassphraseArgs) -> anyhow::Result<()> {
    let path = &args.key;
    // The file the key lives in. Through a symbolic link, renaming the new text over the
    // link would replace the link and leave the old file — which the old passphrase
    // still opens — where it was.
    let target = real_file(path)?;
    // Opened first, with the current passphrase: a wrong one fails here, before the new
    // one is asked for, and nothing is written.
    let (key, old) = files::load_key_and_passphrase(path, &args.passphrase.source())?;
    let public = key.secret.public_key().to_multikey();
    let mut err = std::io::stderr();

    let text: Zeroizing<String> = match args.new_passphrase.source() {
        None => {
            if old.is_none() {
                bail!(
                    "{} is not encrypted: there is no passphrase to remove; nothing was written",
                    path.display()
                );
            }
            key.to_json()
        }
        Some(source) => {
            let new = read_new(&source)?;
            if old
                .as_deref()
                .is_some_and(|old| old.as_str() == new.as_str())
            {
                bail!("the new passphrase is the same as the current one; nothing was written");
            }
            if PassphraseSource::is_short(&new) {
                writeln!(
                    err,
                    "microcred-sign: warning: the new passphrase is short; prefer 12 characters or more (e.g. several random words)"
                )?;
            }
            let text = key_encryption::encrypt(&key, &new, KdfParams::DEFAULT)?;
            // Opened again before it replaces the only copy of the key: a file that did
            // not open with the new passphrase would lose the key (one more Argon2id run,
            // a fraction of a second).
            let reopened = key_encryption::decrypt(text.as_bytes(), &new)
                .context("the re-encrypted key did not open again; nothing was written")?;
            if reopened.secret.public_key() != key.secret.public_key()
                || reopened.controller() != key.controller()
                || reopened.verification_method() != key.verification_method()
            {
                bail!("the re-encrypted key is not the same key; nothing was written");
            }
            Zeroizing::new(text)
        }
    };

    files::replace_keeping_owner(&target, text.as_bytes(), 0o600)?;
    let did = key.controller();
    if old.is_some() && args.new_passphrase.remove_passphrase {
        writeln!(
            err,
            "microcred-sign: wrote {} (mode 0600) UNENCRYPTED; the key ({public}) and its DID are unchanged\nmicrocred-sign: warning: anyone who can read the file can now sign as {did}",
            path.display()
        )?;
    } else {
        let what = if old.is_some() {
            "passphrase changed"
        } else {
            "encrypted"
        };
        writeln!(
            err,
            "microcred-sign: {}: {what} (Argon2id + XChaCha20-Poly1305, fresh salt and nonce, mode 0600); the key ({public}) and its DID are unchanged",
            path.display()
        )?;
    }
    // Said every time: a passphrase is changed because it may have leaked, and then a
    // backup of the old file is as good as the key.
    writeln!(
        err,
        "microcred-sign: note: copies and backups of the old file still hold the same key {}",
        if old.is_some() {
            "under the old passphrase"
        } else {
            "unencrypted"
        }
    )?;
    writeln!(std::io::stdout(), "{did}")?;
    Ok(())
}

/// The new passphrase (a prompt asks twice); never empty.
fn read_new(source: &PassphraseSource) -> anyhow::Result<Zeroizing<String>> {
    source
        .read_new()?
        .ok_or_else(|| anyhow::anyhow!("no source for the new passphrase was given"))
}

/// `path` with symbolic links resolved, so that the rewrite lands on the key's file.
fn real_file(path: &std::path::Path) -> anyhow::Result<PathBuf> {
    let target =
        std::fs::canonicalize(path).with_context(|| format!("cannot open {}", path.display()))?;
    if !target.is_file() {
        bail!("{} is not a file", path.display());
    }
    Ok(target)
}
