//! Which cryptosuite(s) sign a credential.
//!
//! `eddsa-jcs-2022` is our primary suite: it signs the JSON as it is, and is
//! fast. `eddsa-rdfc-2022` is what SpruceID's ssi, the DCC Learner Credential
//! Wallet and the 1EdTech validator verify. An Open Badges credential is
//! signed with both by default (a proof set of two independent proofs by the
//! same key), so that it is accepted everywhere; other documents get JCS.

use anyhow::Context as _;
use microcred_core::keys::SecretKey;
use microcred_core::proof::{self, ProofOptions};
use microcred_core::{Value, credential::Credential, rdfc};

/// The `--suite` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Suite {
    /// eddsa-jcs-2022 only (RFC 8785 JSON canonicalization).
    Jcs,
    /// eddsa-rdfc-2022 only (JSON-LD + RDF Dataset Canonicalization).
    Rdfc,
    /// Both, as a proof set: accepted by JCS and RDFC verifiers alike.
    Both,
}

impl Suite {
    /// The default for a document: both suites for Open Badges credentials, JCS otherwise.
    pub(crate) fn default_for(doc: &Value) -> Self {
        let open_badge = Credential::new(doc).is_some_and(|c| {
            c.has_type("OpenBadgeCredential") || c.has_type("AchievementCredential")
        });
        if open_badge { Self::Both } else { Self::Jcs }
    }
}

/// Signs `doc` with the chosen suite(s); with both, the JCS proof comes first.
pub(crate) fn sign(
    doc: &Value,
    key: &SecretKey,
    options: &ProofOptions,
    suite: Suite,
) -> anyhow::Result<Value> {
    let jcs = |d: &Value| proof::add_proof(d, key, options).context("eddsa-jcs-2022");
    let rdfc = |d: &Value| {
        rdfc::add_proof(d, key, options).map_err(|e| {
            anyhow::Error::new(e).context(
                "cannot sign with eddsa-rdfc-2022 (pass --suite jcs to sign the JSON as it is)",
            )
        })
    };
    match suite {
        Suite::Jcs => jcs(doc),
        Suite::Rdfc => rdfc(doc),
        Suite::Both => rdfc(&jcs(doc)?),
    }
}
