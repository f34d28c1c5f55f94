//! Date-times as the VC Data Model 2.0 uses them: XML Schema `dateTimeStamp`
//! (RFC 3339 with a mandatory time zone), e.g. `2025-03-01T00:00:00Z`.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use time::OffsetDateTime as DateTime;

/// A value that is not a VC 2.0 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an RFC 3339 date-time with time zone (e.g. 2025-03-01T00:00:00Z)")]
pub struct DateTimeError {
    /// The value given.
    pub value: String,
}

/// Parses a date-time such as `2025-03-01T00:00:00Z` or `2025-03-01T01:00:00.5+01:00`.
///
/// Stricter than RFC 3339's grammar where the VC `dateTimeStamp` regular
/// expression is: upper-case `T` and `Z` only.
///
/// # Errors
/// [`DateTimeError`] when the value is not of that form or not a real instant.
pub fn parse(value: &str) -> Result<OffsetDateTime, DateTimeError> {
    let err = || DateTimeError {
        value: value.to_owned(),
    };
    let b = value.as_bytes();
    if b.len() < 20 || b.get(10) != Some(&b'T') || value.contains(['t', 'z']) {
        return Err(err());
    }
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| err())
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), the
/// form this toolkit writes.
pub fn format(at: OffsetDateTime) -> String {
    let t = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The current time, truncated to whole seconds.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_vc_forms_and_rejects_others() {
        assert!(parse("2023-02-24T23:36:38Z").is_ok());
        assert!(parse("2023-02-24T23:36:38.123+01:00").is_ok());
        for bad in [
            "2023-02-24",
            "2023-02-24T23:36:38",
            "2023-02-24t23:36:38Z",
            "2023-02-24T23:36:38z",
            "2023-02-30T00:00:00Z",
            "2023-02-24 23:36:38Z",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_whole_seconds_utc() {
        let t = parse("2023-02-24T23:36:38.9+01:00").unwrap();
        assert_eq!(format(t), "2023-02-24T22:36:38Z");
    }
}
