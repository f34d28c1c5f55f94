//! Framework compliance (`--profile`): one `profile-rule` line per rule
//! result, then one `profile` line per profile saying whether the credential
//! complies (no failed rule of severity error). The rules themselves are the
//! [`profile`](crate::profile) module's.

use std::sync::Arc;

use microcred_core::Value;
use time::OffsetDateTime;

use crate::profile::{Profile, RuleResult, Severity};
use crate::report::{Check, Outcome};

/// Pushes the lines of each profile.
pub(crate) fn check(
    doc: &Value,
    profiles: &[Profile],
    claimed: bool,
    at: OffsetDateTime,
    checks: &mut Vec<Check>,
) {
    // Claimed profiles are the process-wide shared instances: no parsing per credential.
    let mut extra: Vec<Arc<Profile>> = Vec::new();
    if claimed {
        let names = Profile::claimed_by(doc);
        if names.is_empty() {
            checks.push(Check::skipped(
                "profile",
                "the credential claims no framework this verifier has a profile for",
            ));
        }
        for name in names {
            if !profiles
                .iter()
                .chain(extra.iter().map(|p| &**p))
                .any(|p| p.id == name)
            {
                extra.extend(Profile::shared_builtin(name));
            }
        }
    }
    for p in profiles.iter().chain(extra.iter().map(|p| &**p)) {
        let results = p.evaluate(doc, at);
        for r in &results {
            checks.push(rule_line(p, r));
        }
        let failed: Vec<&str> = results
            .iter()
            .filter(|r| r.is_violation())
            .map(|r| r.rule.as_str())
            .collect();
        let value =
            serde_json::json!({"profile": p.id, "compliant": failed.is_empty(), "failed": failed});
        let mut line = if failed.is_empty() {
            Check::pass(
                "profile",
                format!(
                    "complies with {} ({}): {} rules checked",
                    p.id,
                    p.title,
                    results.len()
                ),
            )
        } else {
            Check::fail(
                "profile",
                format!(
                    "does not comply with {} ({}): {} failed",
                    p.id,
                    p.title,
                    failed.join(", ")
                ),
            )
        }
        .with_value(value);
        line.profile = Some(p.id.clone());
        line.source = Some(p.source.clone());
        checks.push(line);
    }
}

fn rule_line(p: &Profile, r: &RuleResult) -> Check {
    let outcome = match (r.passed, r.severity) {
        (true, _) => Outcome::Pass,
        (false, Severity::Error) => Outcome::Fail,
        // Warnings and notes never change the verdict.
        (false, _) => Outcome::Warn,
    };
    let severity = if r.passed {
        String::new()
    } else {
        format!(" [{}]", r.severity)
    };
    let message = format!(
        "{} {}{severity}: {}: {}",
        p.id,
        r.rule,
        r.description,
        r.finding()
    );
    let mut c = Check::new("profile-rule", outcome, message);
    c.value = r.found.clone();
    c.profile = Some(p.id.clone());
    c.rule = Some(r.rule.clone());
    c.expected = Some(r.expected.clone());
    c.source = Some(r.source.clone());
    c
}
