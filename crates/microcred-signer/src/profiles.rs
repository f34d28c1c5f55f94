//! Framework profiles at issuance (`issue --profile`): the same rule sets employers'
//! verifiers apply (`microcred_verifier::profile`), checked before signing so that a
//! non-compliant credential is not issued by mistake.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, bail};
use microcred_core::Value;
use microcred_verifier::profile::{Profile, violations_in};
use time::OffsetDateTime;

use crate::files;

/// A profile file larger than this is not a profile file.
const MAX_PROFILE_FILE: usize = 1024 * 1024;

/// Loads the profiles named by `--profile`: a built-in name, else a profile JSON file.
///
/// # Errors
/// When a name is neither a built-in profile nor a readable, valid profile file.
pub fn load(names: &[String]) -> anyhow::Result<Vec<Profile>> {
    names
        .iter()
        .map(|name| {
            if let Some(p) = Profile::builtin(name) {
                return Ok(p);
            }
            let path = Path::new(name);
            if !path.exists() {
                bail!(
                    "--profile {name}: no built-in profile of that name ({}) and no such file",
                    Profile::builtin_names().join(", ")
                );
            }
            let bytes = files::read_bounded(path, MAX_PROFILE_FILE)?;
            Profile::from_json(&bytes)
                .with_context(|| format!("--profile {name}: not a usable profile file"))
        })
        .collect()
}

/// Evaluates `doc` against every profile at `at` and refuses a credential that fails
/// a rule of severity error — unless `allow`, which signs with a loud warning. The
/// refusal (or warning) names each such rule, the value found and what was expected,
/// in the words of `batch` and the server ([`microcred_verifier::profile::violations`]);
/// the other failed rules (severity warning or info) are printed on `err` before it.
///
/// # Errors
/// When a profile is not complied with and `allow` is false, or `err` cannot be written.
pub fn enforce(
    profiles: &[Profile],
    doc: &Value,
    at: OffsetDateTime,
    allow: bool,
    err: &mut impl Write,
) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    for profile in profiles {
        let results = profile.evaluate(doc, at);
        // Worth reading, though they do not stop anything.
        for r in results.iter().filter(|r| !r.passed && !r.is_violation()) {
            writeln!(err, "microcred-sign: {}: {r}", profile.id)?;
        }
        failed.extend(violations_in(profile, &results));
    }
    if failed.is_empty() {
        return Ok(());
    }
    let which = failed.join("; ");
    if !allow {
        bail!(
            "the credential does not comply: {which}; nothing was signed: fix it, or pass --allow-noncompliant to sign anyway"
        );
    }
    writeln!(
        err,
        "microcred-sign: WARNING: signing a credential that does NOT comply ({which}) because of --allow-noncompliant; verifiers checking that profile will report it as non-compliant"
    )?;
    Ok(())
}
