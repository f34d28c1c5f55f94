//! The verification report: one entry per check.

use serde::Serialize;
use serde_json::Value;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Checked and good.
    Pass,
    /// Checked and bad: the credential is not valid.
    Fail,
    /// Worth a reader's attention; does not make the credential invalid.
    Warn,
    /// Not checked (e.g. no status list was given). Never means "good".
    Skipped,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable identifier of the check, e.g. `proof`, `issuer-key`, `validity`.
    pub id: String,
    /// The outcome.
    pub outcome: Outcome,
    /// What was found, in words.
    pub message: String,
    /// The value the check looked at, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl Check {
    pub(crate) fn new(id: &str, outcome: Outcome, message: impl Into<String>) -> Self {
        Self {
            id: id.to_owned(),
            outcome,
            message: message.into(),
            value: None,
        }
    }

    pub(crate) fn with_value(mut self, value: impl Into<Value>) -> Self {
        self.value = Some(value.into());
        self
    }
}

/// The report on one credential or presentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `credential` or `presentation`.
    pub kind: &'static str,
    /// The document's `id`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// True when no check failed.
    pub valid: bool,
    /// Every check, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    pub(crate) fn new(kind: &'static str, id: Option<String>, checks: Vec<Check>) -> Self {
        let valid = checks.iter().all(|c| c.outcome != Outcome::Fail);
        Self {
            kind,
            id,
            valid,
            checks,
        }
    }
}
