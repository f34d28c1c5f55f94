//! Stacking micro-credentials toward a larger qualification
//! (`--qualification FILE`): a declarative description (minimum total ECTS,
//! minimum EQF level per credential, accepted issuers, maximum age) and the
//! assessment of whether the valid credentials presented add up. The format
//! is documented in `docs/qualifications.md`.

use microcred_core::{Value, datetime, json};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

use crate::report::{Check, Kind, Outcome, Report};
use crate::trust::TrustList;

/// The `type` a qualification file declares.
pub const QUALIFICATION_TYPE: &str = "MicrocredQualification";

/// Why a qualification file is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QualificationError {
    /// Not strict JSON.
    #[error(transparent)]
    Json(#[from] json::JsonError),
    /// A member is missing, unknown, of the wrong type or has a wrong value.
    #[error("{path}: {problem}")]
    Invalid {
        /// JSON path of the member.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

fn invalid(path: &str, problem: impl Into<String>) -> QualificationError {
    QualificationError::Invalid {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

/// Which issuers' credentials count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptedIssuers {
    /// Any issuer (whose credential is valid).
    Any,
    /// Any issuer on the verifier's trust list (`--trust` is then required).
    AnyTrusted,
    /// These issuers (DIDs or URLs) only.
    Listed(Vec<String>),
}

/// A maximum age as an ISO 8601 duration of whole years, months, weeks and days (`P5Y`, `P18M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxAge {
    years: i32,
    months: i32,
    days: i64,
}

impl MaxAge {
    /// Parses `PnYnMnWnD` (any part may be left out, at least one present).
    ///
    /// # Errors
    /// A message when the value is not of that form.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{s:?} is not an ISO 8601 duration in years, months, weeks or days (e.g. P5Y, P18M)"
            )
        };
        let rest = s.strip_prefix('P').ok_or_else(bad)?;
        if rest.is_empty() {
            return Err(bad());
        }
        let (mut years, mut months, mut days) = (0i32, 0i32, 0i64);
        let mut num = String::new();
        let mut last = 0;
        for ch in rest.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
                continue;
            }
            let order = match ch {
                'Y' => 1,
                'M' => 2,
                'W' => 3,
                'D' => 4,
                _ => return Err(bad()),
            };
            if num.is_empty() || order <= last || num.len() > 5 {
                return Err(bad());
            }
            let n: i32 = num.parse().map_err(|_| bad())?;
            match ch {
                'Y' => years = n,
                'M' => months = n,
                'W' => days += i64::from(n) * 7,
                _ => days += i64::from(n),
            }
            last = order;
            num.clear();
        }
        if !num.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            years,
            months,
            days,
        })
    }

    /// The earliest instant a credential may have been issued at to be no
    /// older than this at `at` (calendar arithmetic; the 31st of a month
    /// becomes the last day of a shorter one).
    pub fn cutoff(&self, at: OffsetDateTime) -> OffsetDateTime {
        let total_months =
            at.year() * 12 + i32::from(u8::from(at.month())) - 1 - self.years * 12 - self.months;
        let year = total_months.div_euclid(12);
        let month = u8::try_from(total_months.rem_euclid(12) + 1)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::January);
        let day = at.day().min(time::util::days_in_month(month, year));
        let date = Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN);
        at.replace_date(date) - time::Duration::days(self.days)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct QualificationFile {
    #[serde(rename = "type")]
    kind: String,
    version: u32,
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    description: Option<String>,
    minimum_ects: f64,
    #[serde(default)]
    minimum_eqf_level: Option<u8>,
    accepted_issuers: Value,
    #[serde(default)]
    maximum_age: Option<String>,
}

/// A qualification that micro-credentials stack toward.
#[derive(Debug, Clone, PartialEq)]
pub struct Qualification {
    /// Identifier (URL), if any.
    pub id: Option<String>,
    /// Title, e.g. "Postgraduate Certificate in Data Science".
    pub title: String,
    /// What it is.
    pub description: Option<String>,
    /// Minimum total ECTS credit points of the counted credentials.
    pub minimum_ects: f64,
    /// Minimum EQF level of each counted credential.
    pub minimum_eqf_level: Option<u8>,
    /// Whose credentials count.
    pub accepted_issuers: AcceptedIssuers,
    /// Maximum age of a counted credential (from its `validFrom`), as written.
    pub maximum_age: Option<String>,
    max_age: Option<MaxAge>,
}

impl Qualification {
    /// Reads a qualification file (strict JSON; format in `docs/qualifications.md`).
    ///
    /// # Errors
    /// [`QualificationError`] naming the JSON path of what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Self, QualificationError> {
        let doc = json::parse(bytes)?;
        Self::from_value(&doc)
    }

    /// Reads a parsed qualification.
    ///
    /// # Errors
    /// As [`Qualification::from_json`].
    pub fn from_value(doc: &Value) -> Result<Self, QualificationError> {
        let f: QualificationFile = serde_path_to_error::deserialize(doc).map_err(|e| {
            let path = e.path().to_string();
            invalid(
                if path == "." { "(document)" } else { &path },
                e.inner().to_string(),
            )
        })?;
        if f.kind != QUALIFICATION_TYPE {
            return Err(invalid(
                "type",
                format!("{:?} where {QUALIFICATION_TYPE:?} is required", f.kind),
            ));
        }
        if f.version != 1 {
            return Err(invalid(
                "version",
                format!(
                    "{} is not supported (this verifier reads version 1)",
                    f.version
                ),
            ));
        }
        if !f.minimum_ects.is_finite() || f.minimum_ects <= 0.0 {
            return Err(invalid("minimumEcts", "must be a number above 0"));
        }
        if let Some(l) = f.minimum_eqf_level {
            if !(1..=8).contains(&l) {
                return Err(invalid(
                    "minimumEqfLevel",
                    format!("{l} is not an EQF level (1–8)"),
                ));
            }
        }
        let accepted_issuers = match &f.accepted_issuers {
            Value::String(s) if s == "any" => AcceptedIssuers::Any,
            Value::String(s) if s == "any-trusted" => AcceptedIssuers::AnyTrusted,
            Value::Array(a) if !a.is_empty() => {
                let mut ids = Vec::with_capacity(a.len());
                for (i, v) in a.iter().enumerate() {
                    match v.as_str() {
                        Some(s) if s.contains(':') => ids.push(s.to_owned()),
                        _ => {
                            return Err(invalid(
                                &format!("acceptedIssuers[{i}]"),
                                "must be an issuer DID or URL",
                            ));
                        }
                    }
                }
                AcceptedIssuers::Listed(ids)
            }
            _ => {
                return Err(invalid(
                    "acceptedIssuers",
                    "must be \"any\", \"any-trusted\" or a non-empty array of issuer DIDs",
                ));
            }
        };
        let max_age = f
            .maximum_age
            .as_deref()
            .map(MaxAge::parse)
            .transpose()
            .map_err(|e| invalid("maximumAge", e))?;
        Ok(Self {
            id: f.id,
            title: f.title,
            description: f.description,
            minimum_ects: f.minimum_ects,
            minimum_eqf_level: f.minimum_eqf_level,
            accepted_issuers,
            maximum_age: f.maximum_age,
            max_age,
        })
    }

    /// Whether assessing needs a trust list (`acceptedIssuers: "any-trusted"`).
    pub fn needs_trust_list(&self) -> bool {
        self.accepted_issuers == AcceptedIssuers::AnyTrusted
    }

    /// Assesses the presented documents: which valid credentials count, their
    /// total, and what is missing. `reports` pairs a label (e.g. the file name)
    /// with each top-level report; presentations contribute their credentials.
    pub fn assess(
        &self,
        reports: &[(&str, &Report)],
        trust: Option<&TrustList>,
        at: OffsetDateTime,
    ) -> QualificationReport {
        let mut checks = Vec::new();
        let mut total = 0.0;
        let mut counted_ids: Vec<String> = Vec::new();
        let mut counted_achievements: Vec<String> = Vec::new();
        let mut learner: Option<String> = None;
        let cutoff = self.max_age.map(|m| m.cutoff(at));
        for (label, top) in reports {
            let presentation_ok = top.kind == Kind::Credential
                || top.checks.iter().all(|c| c.outcome != Outcome::Fail);
            for (i, report) in top.credential_reports().into_iter().enumerate() {
                let label = match top.kind {
                    Kind::Credential => (*label).to_owned(),
                    Kind::Presentation => format!("{label} credential {}", i + 1),
                };
                let s = report.summary.clone().unwrap_or_default();
                let name = s.name.clone().unwrap_or_else(|| "(unnamed)".into());
                let value = serde_json::json!({
                    "label": label, "id": report.id, "name": s.name, "issuer": s.issuer,
                    "achievement": s.achievement, "ects": s.ects, "eqfLevel": s.eqf_level,
                    "validFrom": s.valid_from,
                });
                let exclude = |why: String| {
                    Check::skipped(
                        "qualification-credential",
                        format!("{label}: {name}: not counted: {why}"),
                    )
                    .with_value(value.clone())
                };
                let why = if !presentation_ok {
                    Some("the presentation it came in is not valid".to_owned())
                } else if !report.valid {
                    let first = report
                        .failures()
                        .next()
                        .map(|c| format!(" ({}: {})", c.id, c.message))
                        .unwrap_or_default();
                    Some(format!("the credential is not valid{first}"))
                } else {
                    self.reject(&s, trust, cutoff, learner.as_deref())
                };
                if let Some(why) = why {
                    checks.push(exclude(why));
                    continue;
                }
                if let Some(id) = report.id.as_ref().filter(|id| counted_ids.contains(id)) {
                    checks.push(exclude(format!("credential {id} is already counted")));
                    continue;
                }
                if let Some(a) = s
                    .achievement
                    .as_ref()
                    .filter(|a| counted_achievements.contains(a))
                {
                    checks.push(exclude(format!("achievement {a} is already counted")));
                    continue;
                }
                let ects = s.ects.unwrap_or(0.0);
                total += ects;
                counted_ids.extend(report.id.clone());
                counted_achievements.extend(s.achievement.clone());
                if learner.is_none() {
                    learner.clone_from(&s.subject);
                }
                let eqf = s
                    .eqf_level
                    .map(|l| format!(", EQF {l}"))
                    .unwrap_or_default();
                checks.push(
                    Check::pass(
                        "qualification-credential",
                        format!("{label}: {name}: counts {} ECTS{eqf}", num(ects)),
                    )
                    .with_value(value),
                );
            }
        }
        let met = total + 1e-9 >= self.minimum_ects;
        let missing_ects = if met { 0.0 } else { self.minimum_ects - total };
        let mut expected = format!("at least {} ECTS", num(self.minimum_ects));
        if let Some(l) = self.minimum_eqf_level {
            expected.push_str(&format!(" from credentials at EQF level {l} or above"));
        }
        match &self.accepted_issuers {
            AcceptedIssuers::Any => {}
            AcceptedIssuers::AnyTrusted => expected.push_str(", by trusted issuers"),
            AcceptedIssuers::Listed(_) => expected.push_str(", by the accepted issuers"),
        }
        if let (Some(age), Some(c)) = (&self.maximum_age, cutoff) {
            expected.push_str(&format!(
                ", no older than {age} (issued on or after {})",
                datetime::format(c)
            ));
        }
        let mut verdict = if met {
            Check::pass(
                "qualification",
                format!("met: {} of {} ECTS", num(total), num(self.minimum_ects)),
            )
        } else {
            Check::fail(
                "qualification",
                format!(
                    "not met: {} of {} ECTS; {} ECTS missing",
                    num(total),
                    num(self.minimum_ects),
                    num(missing_ects)
                ),
            )
        }
        .with_value(serde_json::json!({"totalEcts": total, "minimumEcts": self.minimum_ects}));
        verdict.expected = Some(expected);
        checks.push(verdict);
        QualificationReport {
            kind: "qualification",
            id: self.id.clone(),
            title: self.title.clone(),
            met,
            total_ects: total,
            minimum_ects: self.minimum_ects,
            missing_ects,
            learner,
            checks,
        }
    }

    /// Why a valid credential does not count, if it does not.
    fn reject(
        &self,
        s: &crate::report::Summary,
        trust: Option<&TrustList>,
        cutoff: Option<OffsetDateTime>,
        learner: Option<&str>,
    ) -> Option<String> {
        let issuer = s.issuer.as_deref().unwrap_or("");
        match &self.accepted_issuers {
            AcceptedIssuers::Any => {}
            AcceptedIssuers::AnyTrusted => match trust {
                None => return Some("no trust list was given to tell trusted issuers".into()),
                Some(t) if t.issuer(issuer).is_none() => {
                    return Some(format!("issuer {issuer} is not on the trust list"));
                }
                Some(_) => {}
            },
            AcceptedIssuers::Listed(ids) => {
                if !ids.iter().any(|i| i == issuer) {
                    return Some(format!("issuer {issuer} is not an accepted issuer"));
                }
            }
        }
        if let (Some(l), Some(subject)) = (learner, s.subject.as_deref()) {
            if l != subject {
                return Some(format!(
                    "it was awarded to {subject}, not to {l} like the credentials counted before"
                ));
            }
        }
        if s.subject.is_none() {
            return Some("it names no learner (credentialSubject.id)".into());
        }
        if let Some(min) = self.minimum_eqf_level {
            match s.eqf_level {
                None => {
                    return Some(format!(
                        "it states no EQF level (EQF {min} or above required)"
                    ));
                }
                Some(l) if l < min => {
                    return Some(format!("EQF level {l} is below the required {min}"));
                }
                Some(_) => {}
            }
        }
        if let Some(cutoff) = cutoff {
            let issued = s
                .valid_from
                .as_deref()
                .and_then(|v| datetime::parse(v).ok());
            match issued {
                None => return Some("it has no validFrom, so its age is unknown".into()),
                Some(i) if i < cutoff => {
                    return Some(format!(
                        "issued {}, older than the maximum age {}",
                        s.valid_from.as_deref().unwrap_or(""),
                        self.maximum_age.as_deref().unwrap_or("")
                    ));
                }
                Some(_) => {}
            }
        }
        match s.ects {
            None => Some("it states no ECTS credit points".into()),
            Some(e) if e <= 0.0 => Some("it states 0 ECTS credit points".into()),
            Some(_) => None,
        }
    }
}

/// A number of credits as people write it: `5`, `7.5`.
fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    format!("{r}")
}

/// Whether the presented credentials add up to a qualification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
pub struct QualificationReport {
    /// Always `qualification` (tells this JSON line from a file's report).
    pub kind: &'static str,
    /// The qualification's id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The qualification's title.
    pub title: String,
    /// Whether the counted credentials add up.
    pub met: bool,
    /// ECTS of the counted credentials.
    pub total_ects: f64,
    /// ECTS required.
    pub minimum_ects: f64,
    /// ECTS still missing (0 when met).
    pub missing_ects: f64,
    /// The learner the counted credentials were awarded to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learner: Option<String>,
    /// One `qualification-credential` line per credential (counted: pass; not
    /// counted: skipped, saying why), then the `qualification` verdict.
    pub checks: Vec<Check>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_parses_and_subtracts_calendar_units() {
        let at = datetime::parse("2025-03-31T12:00:00Z").unwrap();
        let age = MaxAge::parse("P1M").unwrap();
        assert_eq!(datetime::format(age.cutoff(at)), "2025-02-28T12:00:00Z");
        let age = MaxAge::parse("P5Y").unwrap();
        assert_eq!(datetime::format(age.cutoff(at)), "2020-03-31T12:00:00Z");
        let age = MaxAge::parse("P1Y2M1W3D").unwrap();
        assert_eq!(datetime::format(age.cutoff(at)), "2024-01-21T12:00:00Z");
        for bad in ["", "P", "5Y", "P1H", "PT5H", "P1M1Y", "P1", "P999999Y"] {
            assert!(MaxAge::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_errors_name_the_member() {
        let q = |v: Value| Qualification::from_value(&v).unwrap_err().to_string();
        let base = serde_json::json!({"type": QUALIFICATION_TYPE, "version": 1, "title": "T",
            "minimumEcts": 30, "acceptedIssuers": "any"});
        let mut v = base.clone();
        v["minimumEqfLevel"] = 9.into();
        assert!(q(v).starts_with("minimumEqfLevel:"));
        let mut v = base.clone();
        v["acceptedIssuers"] = "everyone".into();
        assert!(q(v).starts_with("acceptedIssuers:"));
        let mut v = base.clone();
        v["maximumAge"] = "5 years".into();
        assert!(q(v).starts_with("maximumAge:"));
        let mut v = base.clone();
        v["minimumECTS"] = 3.into();
        assert!(q(v).contains("minimumECTS"));
        assert!(Qualification::from_value(&base).is_ok());
    }
}
