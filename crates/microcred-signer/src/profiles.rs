//! Framework profiles at issuance (placeholder until the verifier's profile API lands).

use microcred_core::Value;
use time::OffsetDateTime;

/// Loaded profiles.
pub(crate) struct Loaded;

/// Loads the profiles named by `--profile`.
pub(crate) fn load(names: &[String]) -> anyhow::Result<Vec<Loaded>> {
    if !names.is_empty() {
        anyhow::bail!("--profile is not available yet");
    }
    Ok(Vec::new())
}

/// Refuses a non-compliant credential.
pub(crate) fn enforce(
    _profiles: &[Loaded],
    _doc: &Value,
    _at: OffsetDateTime,
    _allow: bool,
    _err: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    Ok(())
}
