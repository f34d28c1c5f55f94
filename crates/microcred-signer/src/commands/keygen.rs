//! `microcred-sign keygen`.

use std::io::Write as _;
use std::path::{Component, Path};

use anyhow::{Context as _, bail};
use microcred_core::key_encryption::{self, KdfParams};
use microcred_core::keys::{AnySecretKey, KeyFile};
use zeroize::Zeroizing;

use crate::cli::KeygenArgs;
use crate::did_web::DidWeb;
use crate::files;
use crate::passphrase::PassphraseSource;

/// File name of the DID document written with `--did-web`.
const DID_DOCUMENT: &str = "did.json";

pub(crate) fn run(args: &KeygenArgs) -> anyhow::Result<()> {
    // Everything that can be refused is checked before anything is written.
    check_file_name(&args.name)?;
    let did_web = args.did_web.as_deref().map(DidWeb::parse).transpose()?;
    if did_web.is_some() && args.name == DID_DOCUMENT {
        bail!(
            "--name {DID_DOCUMENT} would be overwritten by the DID document; choose another name"
        );
    }
    let key_path = args.out.join(&args.name);
    let doc_path = args.out.join(DID_DOCUMENT);
    if !args.force {
        for p in std::iter::once(&key_path).chain(did_web.as_ref().map(|_| &doc_path)) {
            if p.exists() {
                bail!("{} exists; pass --force to overwrite it", p.display());
            }
        }
    }
    let source = args.passphrase.source();
    let passphrase = source.read_new()?;
    let mut err = std::io::stderr();
    if let Some(p) = &passphrase {
        if PassphraseSource::is_short(p) {
            writeln!(
                err,
                "microcred-sign: warning: the passphrase is short; prefer 12 characters or more (e.g. several random words)"
            )?;
        }
    }

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let secret = AnySecretKey::generate(args.key_type.into());
    let key = match &did_web {
        Some(web) => KeyFile {
            id: Some(web.key_id()),
            controller: Some(web.did.clone()),
            secret,
        },
        None => KeyFile::for_did_key(secret),
    };
    let text: Zeroizing<String> = match &passphrase {
        Some(p) => Zeroizing::new(key_encryption::encrypt(&key, p, KdfParams::DEFAULT)?),
        None => key.to_json(),
    };
    files::write_atomic(&key_path, text.as_bytes(), args.force, 0o600)?;
    if passphrase.is_some() {
        writeln!(
            err,
            "microcred-sign: wrote {} ({} key, mode 0600, encrypted with Argon2id + XChaCha20-Poly1305)",
            key_path.display(),
            key.secret.name()
        )?;
    } else {
        writeln!(
            err,
            "microcred-sign: wrote {} ({} key, mode 0600)\nmicrocred-sign: warning: the secret key is stored unencrypted; anyone who can read the file can sign as you (encrypt it with --passphrase-file, --passphrase-env or --passphrase-prompt)",
            key_path.display(),
            key.secret.name()
        )?;
    }
    let did = match &did_web {
        Some(web) => {
            let public = key.secret.public_key().to_multikey();
            let mut doc = serde_json::to_string_pretty(&web.document(&public))?;
            doc.push('\n');
            files::write_atomic(&doc_path, doc.as_bytes(), args.force, 0o644).with_context(
                || {
                    format!(
                        "the key was written to {}, but not its DID document",
                        key_path.display()
                    )
                },
            )?;
            writeln!(
                err,
                "microcred-sign: wrote {}: publish it at {} before issuing",
                doc_path.display(),
                web.document_url
            )?;
            web.did.clone()
        }
        None => key.secret.did_key().did(),
    };
    writeln!(std::io::stdout(), "{did}")?;
    Ok(())
}

/// `--name` is a file name inside DIR, not a path that escapes it.
fn check_file_name(name: &str) -> anyhow::Result<()> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => {
            bail!("--name {name:?} must be a plain file name (the key is written inside --out DIR)")
        }
    }
}
