//! Framework profiles at issuance (`issue --profile`): the same rule sets employers'
//! verifiers apply (`microcred_verifier::profile`), checked before signing so that a
//! non-compliant credential is not issued by mistake.

use std::io::Write;
use std::path::Path;

use microcred_core::Value;
use microcred_verifier::profile::{Profile, ProfileError, violations_in};
use time::OffsetDateTime;

use crate::files;

/// A profile file larger than this is not a profile file.
const MAX_PROFILE_FILE: usize = 1024 * 1024;

/// Why a profile could not be loaded, or a credential is refused by one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfilesError {
    /// Neither a built-in profile nor an existing file.
    #[error("--profile {name}: no built-in profile of that name ({}) and no such file", Profile::builtin_names().join(", "))]
    Unknown {
        /// The name given.
        name: String,
    },
    /// The profile file cannot be read.
    #[error(transparent)]
    File(#[from] files::FileError),
    /// The profile file is not a valid profile.
    #[error("--profile {name}: not a usable profile file")]
    Invalid {
        /// The name given.
        name: String,
        /// What is wrong, and where.
        #[source]
        source: ProfileError,
    },
    /// The credential breaks rules of severity error (each named, with the value
    /// found and what was expected); nothing was signed.
    #[error(
        "the credential does not comply: {which}; nothing was signed: fix it, or pass --allow-noncompliant to sign anyway"
    )]
    NonCompliant {
        /// The failed rules, joined by `; `.
        which: String,
    },
    /// The notes could not be written.
    #[error("cannot write the profile notes")]
    Write(#[from] std::io::Error),
}

/// Loads the profiles named by `--profile`: a built-in name, else a profile JSON file.
///
/// # Errors
/// When a name is neither a built-in profile nor a readable, valid profile file.
pub fn load(names: &[String]) -> Result<Vec<Profile>, ProfilesError> {
    names
        .iter()
        .map(|name| {
            if let Some(p) = Profile::builtin(name) {
                return Ok(p);
            }
            let path = Path::new(name);
            if !path.exists() {
                return Err(ProfilesError::Unknown { name: name.clone() });
            }
            let bytes = files::read_bounded(path, MAX_PROFILE_FILE)?;
            Profile::from_json(&bytes).map_err(|source| ProfilesError::Invalid {
                name: name.clone(),
                source,
            })
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
) -> Result<(), ProfilesError> {
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
        return Err(ProfilesError::NonCompliant { which });
    }
    writeln!(
        err,
        "microcred-sign: WARNING: signing a credential that does NOT comply ({which}) because of --allow-noncompliant; verifiers checking that profile will report it as non-compliant"
    )?;
    Ok(())
}
