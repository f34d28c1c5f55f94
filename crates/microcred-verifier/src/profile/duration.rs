//! ISO 8601 durations (`P5Y`, `PT125H`, `P2DT4H`) as profiles use them: for
//! workload (`volumeOfLearning`), validity periods and date tolerances.

use time::{Month, OffsetDateTime};

/// A parsed duration. Components are kept apart because months and years
/// have no fixed length: they can be added to a date but not turned into hours.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct IsoDuration {
    pub(crate) years: f64,
    pub(crate) months: f64,
    pub(crate) weeks: f64,
    pub(crate) days: f64,
    pub(crate) hours: f64,
    pub(crate) minutes: f64,
    pub(crate) seconds: f64,
}

/// Parses `PnYnMnWnDTnHnMnS` (each part optional, at least one present, in
/// that order; only the last part may have a decimal fraction; no sign).
pub(crate) fn parse(text: &str) -> Result<IsoDuration, String> {
    let bad = |why: &str| format!("{text:?} is not an ISO 8601 duration ({why})");
    let rest = text
        .strip_prefix('P')
        .ok_or_else(|| bad("it must start with P"))?;
    let mut d = IsoDuration::default();
    let mut in_time = false;
    let mut parts = 0usize;
    let mut fraction_seen = false;
    // Designators allowed, in order, in each half.
    let mut date_order = "YMWD".chars();
    let mut time_order = "HMS".chars();
    let mut chars = rest.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c == 'T' {
            if in_time {
                return Err(bad("T appears twice"));
            }
            in_time = true;
            chars.next();
            if chars.peek().is_none() {
                return Err(bad("nothing follows T"));
            }
            continue;
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c.is_ascii_digit() || c == '.' {
                end = i + 1;
                chars.next();
            } else {
                break;
            }
        }
        let number = &rest[start..end];
        let Some((_, designator)) = chars.next() else {
            return Err(bad("a number has no designator"));
        };
        if number.is_empty() {
            return Err(bad("a designator has no number"));
        }
        if fraction_seen {
            return Err(bad("only the last part may have a fraction"));
        }
        let valid_number =
            number.split('.').count() <= 2 && !number.starts_with('.') && !number.ends_with('.');
        let value: f64 = match number.parse() {
            Ok(v) if valid_number => v,
            _ => return Err(bad("bad number")),
        };
        fraction_seen = number.contains('.');
        let order = if in_time {
            &mut time_order
        } else {
            &mut date_order
        };
        // Advance through the allowed designators: each may appear once, in order.
        if !order.any(|allowed| allowed == designator) {
            return Err(bad("parts out of order, repeated or unknown"));
        }
        let slot = match (in_time, designator) {
            (false, 'Y') => &mut d.years,
            (false, 'M') => &mut d.months,
            (false, 'W') => &mut d.weeks,
            (false, 'D') => &mut d.days,
            (true, 'H') => &mut d.hours,
            (true, 'M') => &mut d.minutes,
            _ => &mut d.seconds,
        };
        *slot = value;
        parts += 1;
    }
    if parts == 0 {
        return Err(bad("it has no parts"));
    }
    Ok(d)
}

impl IsoDuration {
    /// The duration in hours, counting a day as 24 hours and a week as 7 days
    /// (as XML Schema's `dayTimeDuration` does). Months and years have no
    /// length in hours: an error says so (`P60M` is sixty *months*; minutes
    /// are `PT60M`).
    pub(crate) fn hours(&self, text: &str) -> Result<f64, String> {
        if self.months != 0.0 {
            return Err(format!(
                "{text:?} is {} month(s) in ISO 8601 (M before T means months; minutes are PT…M), not a workload in hours",
                self.months
            ));
        }
        if self.years != 0.0 {
            return Err(format!(
                "{text:?} is {} year(s), not a workload in hours",
                self.years
            ));
        }
        Ok(self.weeks * 168.0
            + self.days * 24.0
            + self.hours
            + self.minutes / 60.0
            + self.seconds / 3600.0)
    }

    /// The fixed part (weeks and smaller) in seconds.
    fn fixed_seconds(&self) -> f64 {
        ((self.weeks * 7.0 + self.days) * 24.0 + self.hours) * 3600.0
            + self.minutes * 60.0
            + self.seconds
    }

    /// The length of a duration without months or years, for tolerances.
    pub(crate) fn fixed(&self) -> Option<time::Duration> {
        if self.years != 0.0 || self.months != 0.0 {
            return None;
        }
        time::Duration::checked_seconds_f64(self.fixed_seconds())
    }

    /// `start + self`: years and months on the calendar (the day is clamped
    /// to the end of a shorter month: 31 Jan + P1M = 28/29 Feb), then the rest.
    pub(crate) fn add_to(&self, start: OffsetDateTime) -> Option<OffsetDateTime> {
        if self.years.fract() != 0.0 || self.months.fract() != 0.0 {
            return None;
        }
        // Saturating float-to-int casts, then checked sums: an absurd
        // P99999999999999999999M is "cannot add", not an overflow.
        let total_months = (i64::from(start.year()) * 12 + i64::from(u8::from(start.month()) - 1))
            .checked_add((self.years as i64).checked_mul(12)?)?
            .checked_add(self.months as i64)?;
        let year = i32::try_from(total_months.div_euclid(12)).ok()?;
        let month = Month::try_from(u8::try_from(total_months.rem_euclid(12) + 1).ok()?).ok()?;
        let day = start.day().min(month.length(year));
        let date = time::Date::from_calendar_date(year, month, day).ok()?;
        let shifted = start.replace_date(date);
        let extra = time::Duration::checked_seconds_f64(self.fixed_seconds())?;
        shifted.checked_add(extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(s: &str) -> Result<f64, String> {
        parse(s)?.hours(s)
    }

    #[test]
    fn workload_forms() {
        assert_eq!(hours("PT125H"), Ok(125.0));
        assert_eq!(hours("P2DT4H"), Ok(52.0));
        assert_eq!(hours("PT1H30M"), Ok(1.5));
        assert_eq!(hours("PT7.5H"), Ok(7.5));
        assert_eq!(hours("P1W"), Ok(168.0));
        let months = hours("P60M").unwrap_err();
        assert!(months.contains("month"), "{months}");
        assert!(hours("P5Y").unwrap_err().contains("year"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "", "P", "PT", "125H", "PT125", "PTH", "P1H", "PT1D", "P1M1Y", "P1.5DT2H", "PT1..5H",
            "PT.5H", "PT5.H", "P-1D", "pt1h", "P1DT", "PT1H1H", "P1DT2HT",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn calendar_addition() {
        let d = |s| microcred_core::datetime::parse(s).unwrap();
        let add = |p: &str, s| parse(p).unwrap().add_to(d(s)).unwrap();
        assert_eq!(
            add("P5Y", "2025-03-01T00:00:00Z"),
            d("2030-03-01T00:00:00Z")
        );
        assert_eq!(
            add("P1M", "2025-01-31T10:00:00Z"),
            d("2025-02-28T10:00:00Z")
        );
        assert_eq!(
            add("P1Y", "2024-02-29T00:00:00Z"),
            d("2025-02-28T00:00:00Z")
        );
        assert_eq!(
            add("P1DT1H", "2025-12-31T23:00:00Z"),
            d("2026-01-02T00:00:00Z")
        );
        assert!(
            parse("P0.5Y")
                .unwrap()
                .add_to(d("2025-01-01T00:00:00Z"))
                .is_none()
        );
        assert_eq!(parse("P1D").unwrap().fixed(), Some(time::Duration::days(1)));
        assert_eq!(parse("P1M").unwrap().fixed(), None);
    }
}
