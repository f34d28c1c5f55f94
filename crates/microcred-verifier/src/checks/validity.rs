//! Validity windows: the credential's `validFrom`/`validUntil` (and a VC 1.1
//! credential's `issuanceDate`/`expirationDate`), and each proof's
//! `created`/`expires`, against the time of verification.

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

/// [`window`] with `at` already formatted (`now`). The bounds are `validFrom`
/// and `validUntil`, and for a VC 1.1 credential `issuanceDate` and
/// `expirationDate` too: every one present must hold.
fn window_at(cred: &Credential<'_>, at: OffsetDateTime, now: &str) -> Result<String, String> {
    let starts = parse_bounds(cred.validity_starts())?;
    let ends = parse_bounds(cred.validity_ends())?;
    for (end, u, ut) in &ends {
        for (start, f, ft) in &starts {
            if ut < ft {
                return Err(format!("{end} {u} is before {start} {f}"));
            }
        }
    }
    for (start, f, ft) in &starts {
        if at < *ft {
            return Err(format!("not yet valid: {start} {f} is after {now}"));
        }
    }
    for (end, u, ut) in &ends {
        if at > *ut {
            return Err(format!("expired: {end} {u} is before {now}"));
        }
    }
    Ok(
        match (
            starts.first().map(|s| (s.0, s.1)),
            ends.first().map(|e| (e.0, e.1)),
        ) {
            (Some(("validFrom", f)), Some(("validUntil", u))) => {
                format!("valid at {now} (from {f} until {u})")
            }
            (Some(("validFrom", f)), None) => format!("valid at {now} (from {f}, no end date)"),
            (Some((sn, f)), Some((en, u))) => {
                format!("valid at {now} ({sn} {f}, {en} {u})")
            }
            (Some((sn, f)), None) => format!("valid at {now} ({sn} {f}, no end date)"),
            (None, Some((en, u))) => format!("valid at {now} ({en} {u})"),
            (None, None) => format!("valid at {now} (no validity dates)"),
        },
    )
}

/// Each bound parsed, or the message naming the first malformed one.
fn parse_bounds<'a>(
    bounds: Vec<(&'static str, &'a str)>,
) -> Result<Vec<(&'static str, &'a str, OffsetDateTime)>, String> {
    bounds
        .into_iter()
        .map(|(name, v)| {
            datetime::parse(v)
                .map(|t| (name, v, t))
                .map_err(|_| format!("{name} {v:?} is not a date-time"))
        })
        .collect()
}

/// The `validity` check of a credential; `now` is `at` formatted.
pub(crate) fn check(cred: &Credential<'_>, at: OffsetDateTime, now: &str, checks: &mut Vec<Check>) {
    let mut value = serde_json::json!({
        "at": now,
        "validFrom": cred.valid_from(),
        "validUntil": cred.valid_until(),
    });
    // A VC 1.1 credential's own dates, under their own names.
    for (name, v) in cred
        .validity_starts()
        .into_iter()
        .chain(cred.validity_ends())
    {
        value[name] = v.into();
    }
    let after = |d: &[(&str, &str)]| {
        d.iter()
            .any(|(_, v)| datetime::parse(v).is_ok_and(|u| at > u))
    };
    let before = |d: &[(&str, &str)]| {
        d.iter()
            .any(|(_, v)| datetime::parse(v).is_ok_and(|f| at < f))
    };
    checks.push(
        match window_at(cred, at, now) {
            Ok(msg) => Check::pass("validity", msg),
            // The two failures a reader is told in words (a malformed window has no code).
            Err(msg) if after(&cred.validity_ends()) => {
                Check::fail("validity", msg).with_reason("expired")
            }
            Err(msg) if before(&cred.validity_starts()) => {
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
