//! `microcred-sign keygen`.

use std::io::Write as _;

use anyhow::Context as _;
use microcred_core::keys::{KeyFile, SecretKey};

use crate::cli::KeygenArgs;
use crate::files;

pub(crate) fn run(args: &KeygenArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let key = KeyFile::for_did_key(SecretKey::generate());
    let path = args.out.join(&args.name);
    files::write_atomic(&path, key.to_json().as_bytes(), args.force, 0o600)?;
    let did = key.secret.did_key().did();
    writeln!(std::io::stdout(), "{did}")?;
    Ok(())
}
