//! Validity windows: the credential's `validFrom`/`validUntil`, and each
//! proof's `created`/`expires`, against the time of verification.

use microcred_core::credential::Credential;
use microcred_core::datetime;
use microcred_core::proof::ProofOutcome;
use time::{Duration, OffsetDateTime};

use crate::report::Check;

/// `Ok(message)` when `at` is within the document's validity window,
/// `Err(message)` saying why not (including malformed dates).
pub(crate) fn window(cred: &Credential<'_>, at: OffsetDateTime) -> Result<String, String> {
    window_at(cred, at, &datetime::format(at))
}

/// [`window`] with `at` already formatted (`now`).
fn window_at(cred: &Credential<'_>, at: OffsetDateTime, now: &str) -> Result<String, String> {
    let parse = |name: &str, v: Option<&str>| match v {
        None => Ok(None),
        Some(v) => datetime::parse(v)
            .map(Some)
            .map_err(|_| format!("{name} {v:?} is not a date-time")),
    };
    let from = parse("validFrom", cred.valid_from())?;
    let until = parse("validUntil", cred.valid_until())?;
    if let (Some(f), Some(u)) = (from, until) {
        if u < f {
            return Err(format!(
                "validUntil {} is before validFrom {}",
                cred.valid_until().unwrap_or(""),
                cred.valid_from().unwrap_or("")
            ));
        }
    }
    if let Some(f) = from {
        if at < f {
            return Err(format!(
                "not yet valid: validFrom {} is after {now}",
                cred.valid_from().unwrap_or("")
            ));
        }
    }
    if let Some(u) = until {
        if at > u {
            return Err(format!(
                "expired: validUntil {} is before {now}",
                cred.valid_until().unwrap_or("")
            ));
        }
    }
    Ok(match (cred.valid_from(), cred.valid_until()) {
        (Some(f), Some(u)) => format!("valid at {now} (from {f} until {u})"),
        (Some(f), None) => format!("valid at {now} (from {f}, no end date)"),
        (None, Some(u)) => format!("valid at {now} (until {u})"),
        (None, None) => format!("valid at {now} (no validity dates)"),
    })
}

/// The `validity` check of a credential; `now` is `at` formatted.
pub(crate) fn check(cred: &Credential<'_>, at: OffsetDateTime, now: &str, checks: &mut Vec<Check>) {
    let value = serde_json::json!({
        "at": now,
        "validFrom": cred.valid_from(),
        "validUntil": cred.valid_until(),
    });
    let after = |v: Option<&str>| v.and_then(|v| datetime::parse(v).ok());
    checks.push(
        match window_at(cred, at, now) {
            Ok(msg) => Check::pass("validity", msg),
            // The two failures a reader is told in words (a malformed window has no code).
            Err(msg) if after(cred.valid_until()).is_some_and(|u| at > u) => {
                Check::fail("validity", msg).with_reason("expired")
            }
            Err(msg) if after(cred.valid_from()).is_some_and(|f| at < f) => {
                Check::fail("validity", msg).with_reason("not-yet-valid")
            }
            Err(msg) => Check::fail("validity", msg),
        }
        .with_value(value),
    );
}

/// The `proof-validity` check of one proof: `created` must not be in the
/// future (beyond `skew`, for clocks that disagree a little), and `expires`
/// must not have passed. `None` when the proof states neither.
pub(crate) fn proof_times(
    o: &ProofOutcome,
    label: &str,
    at: OffsetDateTime,
    now: &str,
    skew: Duration,
) -> Option<Check> {
    if o.created.is_none() && o.expires.is_none() {
        return None;
    }
    let parsed = |v: &Option<String>| v.as_deref().and_then(|s| datetime::parse(s).ok());
    let value = serde_json::json!({"created": o.created, "expires": o.expires});
    let check = match (parsed(&o.created), parsed(&o.expires)) {
        (Some(c), _) if c > at + skew => Check::fail(
            "proof-validity",
            format!(
                "{label} was created {} — after the time of verification {now}",
                o.created.as_deref().unwrap_or("")
            ),
        ),
        (_, Some(e)) if e < at => Check::fail(
            "proof-validity",
            format!(
                "{label} expired at {} (before {now})",
                o.expires.as_deref().unwrap_or("")
            ),
        ),
        _ if o.created.is_some() && parsed(&o.created).is_none()
            || o.expires.is_some() && parsed(&o.expires).is_none() =>
        {
            // verify_proofs already failed such a proof; say so here too.
            Check::fail(
                "proof-validity",
                format!("{label} has a malformed created or expires"),
            )
        }
        _ => Check::pass(
            "proof-validity",
            match (&o.created, &o.expires) {
                (Some(c), Some(e)) => format!("{label} was created {c} and expires {e}"),
                (Some(c), None) => format!("{label} was created {c}"),
                (None, Some(e)) => format!("{label} expires {e}"),
                (None, None) => String::new(),
            },
        ),
    };
    Some(check.with_value(value).with_proof(o.index))
}
