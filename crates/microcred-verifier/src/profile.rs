//! Framework compliance profiles: declarative rule sets (EU Council
//! Recommendation 2022, EMC Common Microcredential Framework, NZQA, general
//! format rules, or a user's own) checked against a credential offline.
//!
//! A profile is a JSON file (format: `docs/profiles.md`). Each rule names a
//! JSON path into the credential, a predicate, a severity and the source it
//! comes from; evaluating a profile gives one [`RuleResult`] per rule, with the
//! value found and what was expected.
//!
//! ```
//! use microcred_verifier::profile::Profile;
//!
//! let credential: serde_json::Value = serde_json::from_str(include_str!(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../keys-example/micro-credential.unsigned.json"
//! )))
//! .unwrap();
//! let profile = Profile::builtin("emc-cmf").unwrap();
//! let at = time::macros::datetime!(2025-06-01 00:00 UTC);
//! let results = profile.evaluate(&credential, at);
//! assert!(Profile::is_compliant(&results));
//! let hours = results.iter().find(|r| r.rule == "EMC-01").unwrap();
//! assert_eq!(hours.found, Some(serde_json::json!(125)));
//! ```
//!
//! Absent and malformed are kept apart everywhere: an optional element that is
//! missing gives a failed rule of severity `info` (reported, not
//! non-compliant); the same element present but malformed gives an `error`.

use std::fmt;
use std::sync::{Arc, OnceLock};

use microcred_core::json::JsonError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

mod duration;
mod load;
mod path;
mod predicate;

use path::{Env, Path};
use predicate::Pred;

/// The profiles shipped with the verifier, by name.
const BUILTINS: &[(&str, &str)] = &[
    ("emc-cmf", include_str!("../profiles/emc-cmf.json")),
    (
        "emc-cmf-2019",
        include_str!("../profiles/emc-cmf-2019.json"),
    ),
    ("eu-2022", include_str!("../profiles/eu-2022.json")),
    ("gen", include_str!("../profiles/gen.json")),
    ("nzqa", include_str!("../profiles/nzqa.json")),
    ("au-nmf", include_str!("../profiles/au-nmf.json")),
    (
        "ecampusontario",
        include_str!("../profiles/ecampusontario.json"),
    ),
];

/// Names of the built-in profiles, in the order of [`BUILTINS`].
const BUILTIN_NAMES: &[&str] = &[
    "emc-cmf",
    "emc-cmf-2019",
    "eu-2022",
    "gen",
    "nzqa",
    "au-nmf",
    "ecampusontario",
];

/// The code lists predicates can name (`"enum": {"list": …}`).
const LISTS: &[(&str, &str)] = &[(
    "isced-f",
    include_str!("../profiles/isced-f-codes-esco.txt"),
)];

/// How much a failed rule matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The framework makes it mandatory: a failure makes the credential non-compliant.
    Error,
    /// "Should", "wherever possible", or a heuristic consistency check.
    Warning,
    /// An optional element is missing: reported, never non-compliant.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// A rule set for one framework.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Profile {
    /// Short name, e.g. `emc-cmf`.
    pub id: String,
    /// Human title, e.g. "EMC Common Microcredential Framework (current text)".
    pub title: String,
    /// Where the rules come from (citations).
    pub source: String,
    /// Longer notes on scope and caveats (may be empty).
    pub description: String,
    /// The rules, included profiles' rules first.
    pub rules: Vec<Rule>,
}

/// What to do when a rule's `path` selects nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Absent {
    /// Nothing to check: the rule passes.
    Pass,
    /// The rule fails with this severity instead of its own.
    Report(Severity),
}

/// A severity change when a rule fails in a known, milder situation.
#[derive(Debug, Clone)]
struct Downgrade {
    when: Pred,
    to: Severity,
    note: String,
}

/// One rule of a profile.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rule {
    /// Identifier, e.g. `EMC-01`; unique within a profile.
    pub id: String,
    /// What the rule requires.
    pub description: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// Where the rule comes from.
    pub source: String,
    /// What is expected, in words.
    pub expected: String,
    /// The path whose value is reported as found (and whose absence the
    /// rule's `absent` setting is about), as written in the profile.
    pub path: Option<String>,
    compiled_path: Option<Path>,
    check: Pred,
    absent: Option<Absent>,
    downgrade: Option<Downgrade>,
}

impl Rule {
    /// The rule's check in a compact notation, e.g.
    /// `range(hours(credentialSubject.achievement.microCredential): 100 ≤ value ≤ 150)`.
    pub fn check_text(&self) -> String {
        self.check.to_string()
    }
}

/// The outcome of one rule on one credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule's id, e.g. `EMC-01`.
    pub rule: String,
    /// What the rule requires.
    pub description: String,
    /// The severity of this result: the rule's, or the milder one its
    /// profile gives for an absent element or a known milder case.
    pub severity: Severity,
    /// Whether the rule is satisfied.
    pub passed: bool,
    /// The value found at the rule's path (`None`: absent; several values: an array).
    pub found: Option<Value>,
    /// What was expected, in words (`100 ≤ hours ≤ 150`).
    pub expected: String,
    /// Where the rule comes from.
    pub source: String,
    /// The rule's path, as written in the profile.
    pub path: Option<String>,
    /// Why the rule failed (locations and values), or why it was not checked;
    /// `None` when it passed with nothing to add.
    pub detail: Option<String>,
}

impl RuleResult {
    /// Whether this result makes the credential non-compliant: the rule
    /// failed and its severity is [`Severity::Error`] (warnings and notes never do).
    pub fn is_violation(&self) -> bool {
        !self.passed && self.severity == Severity::Error
    }

    /// What was found and what was expected, as every rendering of a result
    /// says it: `found 90; expected 100 ≤ hours ≤ 150 (<detail>)`. A rule
    /// with a path that found nothing says `found nothing (absent)`; a rule
    /// without a path (several elements checked together) has no single value
    /// to show, and says only what it expected. A long value is cut.
    pub fn finding(&self) -> impl fmt::Display + '_ {
        Finding(self)
    }
}

/// [`RuleResult::finding`].
struct Finding<'a>(&'a RuleResult);

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        match (&r.found, &r.path) {
            (Some(v), _) => write!(f, "found {}; ", path::show(v))?,
            (None, Some(_)) => f.write_str("found nothing (absent); ")?,
            (None, None) => {}
        }
        write!(f, "expected {}", r.expected)?;
        if let Some(detail) = &r.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl fmt::Display for RuleResult {
    /// One line: `FAIL error EMC-01 <description>: found 90; expected 100 ≤ hours ≤ 150 (<detail>) [<source>]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "pass" } else { "FAIL" };
        write!(
            f,
            "{verdict} {} {} {}: {} [{}]",
            self.severity,
            self.rule,
            self.description,
            self.finding(),
            self.source
        )
    }
}

/// Why `credential` does not comply with `profiles` at `at`: each failed
/// rule of severity error ([`RuleResult::is_violation`]), one line each,
/// `emc-cmf EMC-01 (<description>): found 90; expected 100 ≤ hours ≤ 150 (<detail>)`,
/// in profile and rule order; empty when it complies with every profile.
///
/// What an issuer refuses to sign (`microcred-sign issue` and `batch`,
/// `microcred-server`) is said in these words.
pub fn violations(profiles: &[Profile], credential: &Value, at: OffsetDateTime) -> Vec<String> {
    profiles
        .iter()
        .flat_map(|p| violations_in(p, &p.evaluate(credential, at)))
        .collect()
}

/// [`violations`] among `results`, which `profile` gave ([`Profile::evaluate`]),
/// for a caller that also shows the other results.
pub fn violations_in(profile: &Profile, results: &[RuleResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.is_violation())
        .map(|r| {
            format!(
                "{} {} ({}): {}",
                profile.id,
                r.rule,
                r.description,
                r.finding()
            )
        })
        .collect()
}

/// Why a profile file cannot be used. `at` locates the problem in the file
/// (`rules[3] (EU-M01).check.anyOf[1].matches.regex`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// Not strict JSON.
    #[error("profile is not valid JSON: {0}")]
    Json(#[from] JsonError),
    /// A value of the wrong JSON type.
    #[error("{at}: expected {expected}, found {found}")]
    WrongType {
        /// Location in the profile.
        at: String,
        /// What was expected there.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A required member is missing.
    #[error("{at}: missing required member {field:?}")]
    MissingField {
        /// Location of the object.
        at: String,
        /// The missing member.
        field: &'static str,
    },
    /// A member this place does not define (often a typo).
    #[error("{at}: unknown member {field:?} (allowed: {allowed})")]
    UnknownField {
        /// Location of the object.
        at: String,
        /// The unknown member.
        field: String,
        /// The members allowed there.
        allowed: String,
    },
    /// A predicate name the engine does not know.
    #[error("{at}: unknown predicate {name:?} (known: {known})")]
    UnknownPredicate {
        /// Location of the predicate.
        at: String,
        /// The name given.
        name: String,
        /// The predicate names the engine knows.
        known: &'static str,
    },
    /// A regular expression that does not compile.
    #[error("{at}: invalid regular expression {regex:?}: {problem}")]
    BadRegex {
        /// Location of the pattern.
        at: String,
        /// The pattern.
        regex: String,
        /// The compiler's complaint, on one line.
        problem: String,
    },
    /// A path that does not parse.
    #[error("{at}: invalid path {path:?} at character {column}: {problem}")]
    BadPath {
        /// Location of the path in the profile.
        at: String,
        /// The path text.
        path: String,
        /// Where in the path the problem is (1 = the first character).
        column: usize,
        /// What is wrong.
        problem: String,
    },
    /// A value of the right type that is not allowed (unknown severity, min > max, …).
    #[error("{at}: {problem}")]
    BadValue {
        /// Location in the profile.
        at: String,
        /// What is wrong.
        problem: String,
    },
    /// `include` names a profile that is not built in.
    #[error("{at}: unknown built-in profile {name:?} (built in: {known})")]
    UnknownProfile {
        /// Location of the name.
        at: String,
        /// The name given.
        name: String,
        /// The built-in profile names.
        known: String,
    },
    /// Two rules share an id.
    #[error("rule id {id:?} is used twice")]
    DuplicateRule {
        /// The id.
        id: String,
    },
}

impl Profile {
    /// A built-in profile by name (see [`Profile::builtin_names`]).
    ///
    /// A copy of the shared instance of [`Profile::shared_builtin`]: the JSON is
    /// parsed and the regular expressions compiled once per process.
    pub fn builtin(name: &str) -> Option<Profile> {
        Self::shared_builtin(name).map(|p| (*p).clone())
    }

    /// A built-in profile by name, built on first use and then shared: every
    /// later call returns the same instance. Verifying many credentials against
    /// the profiles they claim (`claimed`) would otherwise parse the profile's
    /// JSON and compile its regular expressions for each one.
    pub fn shared_builtin(name: &str) -> Option<Arc<Profile>> {
        /// One slot per entry of [`BUILTINS`], filled on first use.
        static CACHE: [OnceLock<Option<Arc<Profile>>>; BUILTINS.len()] =
            [const { OnceLock::new() }; BUILTINS.len()];
        let i = BUILTINS.iter().position(|(n, _)| *n == name)?;
        let (_, text) = BUILTINS[i];
        CACHE[i]
            .get_or_init(|| {
                // The built-ins are tested to load; a failure here would be a
                // build defect, answered as "no such profile" rather than a panic.
                load::profile(text.as_bytes(), 0).ok().map(Arc::new)
            })
            .clone()
    }

    /// The names of the built-in profiles.
    pub fn builtin_names() -> &'static [&'static str] {
        BUILTIN_NAMES
    }

    /// Loads a profile from JSON (a user's own profile file).
    ///
    /// # Errors
    /// [`ProfileError`] naming the place in the file: bad JSON, a missing or
    /// unknown member, an unknown predicate, a bad regular expression or
    /// path, an unknown included profile, a duplicate rule id.
    pub fn from_json(bytes: &[u8]) -> Result<Profile, ProfileError> {
        load::profile(bytes, 0)
    }

    /// Checks `credential` against every rule, at time `at` (used by
    /// `now()`, e.g. "date of issuing is not in the future").
    pub fn evaluate(&self, credential: &Value, at: OffsetDateTime) -> Vec<RuleResult> {
        let env = Env {
            root: credential,
            focus: credential,
            focus_at: "",
            now: at,
        };
        self.rules.iter().map(|rule| rule.evaluate(&env)).collect()
    }

    /// True when no rule of severity [`Severity::Error`] failed.
    pub fn is_compliant(results: &[RuleResult]) -> bool {
        !results.iter().any(RuleResult::is_violation)
    }

    /// The built-in profiles a credential claims to follow, from
    /// `credentialSubject.achievement.microCredential.profile[]`
    /// (`EU-2022` → `eu-2022`, `EMC-CMF` → `emc-cmf`, `NZQA` → `nzqa`, …).
    /// Unknown claims are left out.
    pub fn claimed_by(credential: &Value) -> Vec<&'static str> {
        let claims = credential
            .pointer("/credentialSubject/achievement/microCredential/profile")
            .and_then(Value::as_array);
        let mut out = Vec::new();
        for claim in claims.into_iter().flatten().filter_map(Value::as_str) {
            let lower = claim.to_ascii_lowercase();
            if let Some(name) = BUILTIN_NAMES.iter().find(|n| **n == lower) {
                if !out.contains(name) {
                    out.push(*name);
                }
            }
        }
        out
    }
}

impl Rule {
    fn evaluate(&self, env: &Env<'_>) -> RuleResult {
        let sels = self
            .compiled_path
            .as_ref()
            .map(|p| p.resolve(env))
            .unwrap_or_default();
        let found = path::found(&sels);
        let mut result = RuleResult {
            rule: self.id.clone(),
            description: self.description.clone(),
            severity: self.severity,
            passed: true,
            found,
            expected: self.expected.clone(),
            source: self.source.clone(),
            path: self.path.clone(),
            detail: None,
        };
        let absent = self.compiled_path.is_some()
            && sels.iter().all(|s| matches!(s, path::Sel::Missing { .. }));
        if let (true, Some(policy)) = (absent, self.absent) {
            let at = sels.first().map_or_else(
                || self.path.clone().unwrap_or_default(),
                |s| s.at().to_owned(),
            );
            match policy {
                Absent::Pass => {
                    result.detail = Some(format!("{at} is absent: nothing to check"));
                }
                Absent::Report(severity) => {
                    result.passed = false;
                    result.severity = severity;
                    result.detail = Some(format!("{at} is absent"));
                }
            }
            return result;
        }
        if let Err(why) = self.check.eval(env) {
            result.passed = false;
            result.detail = Some(why.clone());
            if let Some(d) = &self.downgrade {
                if d.when.eval(env).is_ok() {
                    result.severity = d.to;
                    result.detail = Some(format!("{}: {why}", d.note));
                }
            }
        }
        result
    }
}

#[cfg(test)]
mod tests;
