//! Rendering of reports by the `microcred-verify` binary: the human report
//! (✓/✗ per check, colour only on a terminal and never with `NO_COLOR`) and
//! JSON Lines (`docs/verify-report.md`).

use std::io::{self, Write};

use microcred_verifier::format::Foreign;
use microcred_verifier::{
    Check, Kind, Outcome, QualificationReport, REPORT_SCHEMA_VERSION, Report, Summary, Verdict,
    verdict,
};
use serde_json::{Map, Value};

/// Whether to colour the human report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    color: bool,
    /// Columns to wrap at: on a terminal only, so that a line in a pipe or a
    /// file still holds a whole check (for grep).
    width: Option<usize>,
    /// Every passed profile rule on its own line (`-v`), instead of one line
    /// counting them.
    pub(crate) verbose: bool,
}

impl Style {
    /// Colour when stdout is a terminal, unless `NO_COLOR` is set to anything non-empty
    /// (<https://no-color.org>).
    pub(crate) fn detect(stdout_is_terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: stdout_is_terminal && !no_color,
            width: stdout_is_terminal.then_some(WIDTH),
            verbose: false,
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn mark(self, outcome: Outcome) -> String {
        match outcome {
            Outcome::Pass => self.paint("32", "✓"),
            Outcome::Fail => self.paint("31", "✗"),
            Outcome::Warn => self.paint("33", "!"),
            Outcome::Skipped => self.paint("2", "-"),
            Outcome::Unsupported => self.paint("33", "?"),
        }
    }

    /// A report's verdict: green, amber or red.
    fn report_verdict(self, verdict: Verdict) -> String {
        let code = match verdict {
            Verdict::Valid => "1;32",
            Verdict::Invalid => "1;31",
            Verdict::Unconfirmed | Verdict::Unchecked => "1;33",
        };
        self.paint(code, verdict_words(verdict))
    }

    fn verdict(self, ok: bool, yes: &str, no: &str) -> String {
        if ok {
            self.paint("1;32", yes)
        } else {
            self.paint("1;31", no)
        }
    }
}

/// One JSON line: the report with `file` (and `line`, for a line of a JSON
/// Lines file) and `reportVersion` first, or an `error` line for a document
/// that could not be read or parsed (with `format` when it is in a format this
/// verifier recognises and does not read).
pub(crate) fn json_line(
    out: &mut Vec<u8>,
    file: &str,
    line: Option<usize>,
    result: Result<&Report, &str>,
    format: Option<Foreign>,
) -> io::Result<()> {
    match result {
        Ok(report) => {
            // The report is written straight after the leading members, into
            // the line itself, rather than through a `Value` (a copy of every
            // string) or a buffer of its own: over a directory of credentials
            // those copies cost more than the signature check.
            out.extend_from_slice(b"{\"file\":");
            serde_json::to_writer(&mut *out, file)?;
            if let Some(line) = line {
                write!(out, ",\"line\":{line}")?;
            }
            write!(out, ",\"reportVersion\":{REPORT_SCHEMA_VERSION}")?;
            let body = out.len();
            serde_json::to_writer(&mut *out, report)?;
            // The report's `{` becomes the `,` after the leading members (an
            // empty report just closes the line).
            if out.get(body..) == Some(b"{}") {
                out.truncate(body);
                out.push(b'}');
            } else if let Some(open) = out.get_mut(body) {
                *open = b',';
            }
            out.push(b'\n');
            Ok(())
        }
        Err(msg) => {
            let mut members = Map::new();
            members.insert("file".into(), file.into());
            if let Some(line) = line {
                members.insert("line".into(), line.into());
            }
            members.insert("reportVersion".into(), REPORT_SCHEMA_VERSION.into());
            members.insert("kind".into(), "error".into());
            members.insert("error".into(), msg.into());
            if let Some(format) = format {
                members.insert(
                    "format".into(),
                    serde_json::to_value(format).unwrap_or_default(),
                );
            }
            writeln!(out, "{}", Value::Object(members))
        }
    }
}

/// The qualification's JSON line (after the files' lines).
pub(crate) fn qualification_json(out: &mut impl Write, q: &QualificationReport) -> io::Result<()> {
    let mut line = Map::new();
    line.insert("reportVersion".into(), REPORT_SCHEMA_VERSION.into());
    if let Ok(Value::Object(m)) = serde_json::to_value(q) {
        line.extend(m);
    }
    writeln!(out, "{}", Value::Object(line))
}

/// A report's verdict in the words of the terminal report.
fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "VALID",
        Verdict::Unconfirmed => "GENUINE BUT UNCONFIRMED",
        Verdict::Invalid => "INVALID",
        Verdict::Unchecked => "COULD NOT CHECK",
    }
}

/// How many documents were valid, genuine but unconfirmed, invalid, or could
/// not be checked (unreadable, a format not read, or only unsupported proofs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) valid: usize,
    pub(crate) unconfirmed: usize,
    pub(crate) invalid: usize,
    pub(crate) error: usize,
}

impl Totals {
    fn count(&self) -> usize {
        self.valid + self.unconfirmed + self.invalid + self.error
    }

    /// Counts one report by its verdict.
    pub(crate) fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Valid => self.valid += 1,
            Verdict::Unconfirmed => self.unconfirmed += 1,
            Verdict::Invalid => self.invalid += 1,
            Verdict::Unchecked => self.error += 1,
        }
    }
}

/// The totals' JSON line: `kind` `totals`, the counts under `totals` (not at
/// the top level, where `valid` is a report's boolean).
pub(crate) fn totals_json(out: &mut impl Write, t: &Totals) -> io::Result<()> {
    let line = serde_json::json!({
        "reportVersion": REPORT_SCHEMA_VERSION,
        "kind": "totals",
        "totals": {"count": t.count(), "valid": t.valid, "unconfirmed": t.unconfirmed,
                   "invalid": t.invalid, "error": t.error},
    });
    writeln!(out, "{line}")
}

/// The totals' line of the human report, e.g. `totals: 1,200 valid, 0 genuine
/// but unconfirmed, 3 invalid, 1 could not be checked (1,204 in all)`.
pub(crate) fn totals_human(out: &mut impl Write, t: &Totals) -> io::Result<()> {
    writeln!(
        out,
        "totals: {} valid, {} genuine but unconfirmed, {} invalid, {} could not be checked ({} in all)",
        thousands(t.valid),
        thousands(t.unconfirmed),
        thousands(t.invalid),
        thousands(t.error),
        thousands(t.count())
    )
}

/// `1204` as `1,204`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    grouped
}

/// The human report of one file.
pub(crate) fn human(
    out: &mut impl Write,
    file: &str,
    result: Result<&Report, &str>,
    style: Style,
) -> io::Result<()> {
    match result {
        Err(msg) => writeln!(
            out,
            "{file}: {} ({msg})\n",
            style.paint("1;31", "COULD NOT VERIFY")
        ),
        Ok(report) => {
            write!(out, "{file}: ")?;
            report_human(out, report, style, "  ", file.chars().count() + 2)?;
            writeln!(out)
        }
    }
}

/// Lines on a terminal are wrapped to this many columns (words longer than a
/// line are kept whole).
const WIDTH: usize = 80;

/// Writes `first` then `text` wrapped at `width` (not at all when `None`),
/// continuation lines indented to the column where `text` started (a hanging indent).
fn wrapped(out: &mut impl Write, width: Option<usize>, first: &str, text: &str) -> io::Result<()> {
    write!(out, "{first}")?;
    let hang = first.chars().count();
    wrap_from(out, width, hang, hang, text)
}

/// Writes `text` wrapped at `width` (not at all when `None`) on a line that
/// already holds `start` columns, continuation lines indented by `hang` columns.
fn wrap_from(
    out: &mut impl Write,
    width: Option<usize>,
    start: usize,
    hang: usize,
    text: &str,
) -> io::Result<()> {
    let Some(width) = width else {
        return writeln!(out, "{text}");
    };
    let mut line = String::new();
    let mut len = start;
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = word.chars().count();
        if !empty && len + 1 + w > width {
            writeln!(out, "{line}")?;
            line = " ".repeat(hang);
            len = hang;
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        empty = false;
    }
    writeln!(out, "{line}")
}

/// The reasons of a verdict, first thing under it: what to conclude, in words.
fn reason_lines(out: &mut impl Write, r: &Report, style: Style, indent: &str) -> io::Result<()> {
    let mark = match r.verdict {
        Verdict::Valid => return Ok(()),
        Verdict::Unconfirmed => style.paint("33", "!"),
        Verdict::Invalid => style.paint("31", "✗"),
        Verdict::Unchecked => style.paint("33", "?"),
    };
    for reason in &r.reasons {
        marked(out, style, indent, &mark, "", &reason.message)?;
    }
    Ok(())
}

/// `{indent}{mark} {head}{text}`, `text` wrapped with a hanging indent under
/// its first word (the mark is one column wide, whatever its colour codes).
fn marked(
    out: &mut impl Write,
    style: Style,
    indent: &str,
    mark: &str,
    head: &str,
    text: &str,
) -> io::Result<()> {
    let mut lines = Vec::new();
    wrapped(&mut lines, style.width, &format!("{indent}  {head}"), text)?;
    let lines = String::from_utf8_lossy(&lines);
    let rest = lines.get(indent.len() + 1..).unwrap_or_default();
    write!(out, "{indent}{mark}{rest}")
}

/// The report of one document; `lead` is the number of columns already written
/// on its first line (its file name, or "credential N: ").
fn report_human(
    out: &mut impl Write,
    r: &Report,
    style: Style,
    indent: &str,
    lead: usize,
) -> io::Result<()> {
    // The verdict's colour codes take no columns: the first line wraps after its words.
    write!(out, "{} ", style.report_verdict(r.verdict))?;
    let lead = lead + verdict_words(r.verdict).chars().count() + 1;
    let hang = indent.chars().count() + 2;
    match r.kind {
        Kind::Credential => {
            let none = Summary::default();
            let s = r.summary.as_ref().unwrap_or(&none);
            let name = s.name.as_deref().unwrap_or("(unnamed credential)");
            wrap_from(
                out,
                style.width,
                lead,
                hang,
                &format!("credential \u{201c}{name}\u{201d}"),
            )?;
            reason_lines(out, r, style, indent)?;
            let genuine = r.signature_holds();
            let issuer = match (&s.trusted_name, &s.issuer_name) {
                // A signature that does not hold is not the listed issuer's word.
                (Some(_), Some(n)) if !genuine => {
                    format!("\u{201c}{n}\u{201d} (as the credential names it; not its signer)")
                }
                (Some(t), _) if genuine => format!("{t} (on the trust list)"),
                (Some(_), _) => "(as the credential names it; not its signer)".into(),
                (None, Some(n)) => format!("\u{201c}{n}\u{201d} (as the credential names itself)"),
                (None, None) => "(unnamed)".into(),
            };
            wrapped(
                out,
                style.width,
                &format!("{indent}issuer   "),
                &format!("{issuer} {}", s.issuer.as_deref().unwrap_or("")),
            )?;
            if let Some(format) = &r.format {
                wrapped(
                    out,
                    style.width,
                    &format!("{indent}format   "),
                    &format.name,
                )?;
            }
            // Without a signature that holds, what the file says is not vouched for.
            let caveat = if genuine { "" } else { " (unverified)" };
            let learner = match (&s.learner_name, &s.subject) {
                (Some(n), Some(id)) => Some(format!("{n}{caveat} {id}")),
                (Some(n), None) => Some(format!("{n}{caveat}")),
                (None, Some(id)) => Some(id.clone()),
                (None, None) => None,
            };
            if let Some(learner) = learner {
                wrapped(out, style.width, &format!("{indent}learner  "), &learner)?;
            }
            if let Some(grade) = &s.grade {
                wrapped(
                    out,
                    style.width,
                    &format!("{indent}grade    "),
                    &format!("{grade}{caveat}"),
                )?;
            }
            let mut facts = Vec::new();
            if let Some(h) = s.hours {
                facts.push(format!("{h} hours"));
            }
            if let Some(e) = s.ects {
                facts.push(format!("{e} ECTS"));
            }
            if let Some(l) = s.eqf_level {
                facts.push(format!("EQF level {l}"));
            }
            if let Some(f) = &s.valid_from {
                facts.push(format!("issued {}", verdict::long_date(f)));
            }
            if !facts.is_empty() {
                wrapped(
                    out,
                    style.width,
                    &format!("{indent}claims   "),
                    &format!("{}{caveat}", facts.join(", ")),
                )?;
            }
        }
        Kind::Presentation => {
            let holder = r.holder.as_deref().unwrap_or("");
            wrap_from(
                out,
                style.width,
                lead,
                hang,
                &format!(
                    "presentation of {} credential(s){}",
                    r.credentials.len(),
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" by {holder}")
                    }
                ),
            )?;
            reason_lines(out, r, style, indent)?;
        }
    }
    let passed_rules = |profile: &Option<String>| {
        r.checks
            .iter()
            .filter(|c| {
                c.id == "profile-rule" && c.outcome == Outcome::Pass && &c.profile == profile
            })
            .count()
    };
    for c in &r.checks {
        if !style.verbose && c.id == "profile-rule" && c.outcome == Outcome::Pass {
            continue;
        }
        // The rules a profile met, as one line just before its verdict.
        let n = if !style.verbose && c.id == "profile" {
            passed_rules(&c.profile)
        } else {
            0
        };
        if n > 0 {
            let name = c.profile.as_deref().unwrap_or("the profile");
            let line = Check {
                id: "profile-rule".into(),
                outcome: Outcome::Pass,
                message: format!(
                    "{name}: {n} rule{} met (-v lists them)",
                    if n == 1 { "" } else { "s" }
                ),
                ..c.clone()
            };
            check_line(out, &line, style, indent, 15)?;
        }
        check_line(out, c, style, indent, 15)?;
    }
    for (i, nested) in r.credentials.iter().enumerate() {
        let head = format!("{indent}credential {}: ", i + 1);
        write!(out, "{head}")?;
        report_human(
            out,
            nested,
            style,
            &format!("{indent}    "),
            head.chars().count(),
        )?;
    }
    Ok(())
}

fn check_line(
    out: &mut impl Write,
    c: &Check,
    style: Style,
    indent: &str,
    width: usize,
) -> io::Result<()> {
    marked(
        out,
        style,
        indent,
        &style.mark(c.outcome),
        &format!("{:<width$} ", c.id),
        &c.message,
    )
}

/// The human report of the qualification.
pub(crate) fn qualification_human(
    out: &mut impl Write,
    q: &QualificationReport,
    style: Style,
) -> io::Result<()> {
    writeln!(
        out,
        "qualification \u{201c}{}\u{201d}: {}",
        q.title,
        style.verdict(q.met, "MET", "NOT MET")
    )?;
    if let Some(l) = &q.learner {
        writeln!(out, "  learner  {l}")?;
    }
    for c in &q.checks {
        check_line(out, c, style, "  ", 24)?;
        if let (Some(e), false) = (&c.expected, c.outcome == Outcome::Pass) {
            writeln!(out, "  {:26} required: {e}", "")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use microcred_verifier::Verifier;

    fn rendered(color: bool) -> String {
        let report = Verifier::new()
            .verify_bytes(br#"{"@context": ["https://www.w3.org/ns/credentials/v2"]}"#)
            .unwrap();
        let mut out = Vec::new();
        human(
            &mut out,
            "f.json",
            Ok(&report),
            Style {
                color,
                width: None,
                verbose: false,
            },
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn colour_only_when_asked_for() {
        let plain = rendered(false);
        assert!(plain.starts_with("f.json: INVALID credential"), "{plain}");
        assert!(plain.contains("✗ structure"), "{plain}");
        assert!(!plain.contains('\x1b'), "{plain}");
        let coloured = rendered(true);
        assert!(
            coloured.contains("\x1b[31m✗\x1b[0m structure"),
            "{coloured}"
        );
        // Never on a pipe, whatever NO_COLOR says.
        assert!(!Style::detect(false).color);
    }

    #[test]
    fn terminal_lines_wrap_with_a_hanging_indent() {
        let mut out = Vec::new();
        let text = "one two three four five six seven eight nine ten eleven twelve thirteen \
                    fourteen fifteen sixteen";
        wrapped(&mut out, Some(40), "  head   ", text).unwrap();
        let lines = String::from_utf8(out).unwrap();
        assert!(lines.lines().count() > 1, "{lines}");
        assert!(lines.lines().all(|l| l.chars().count() <= 40), "{lines}");
        assert!(lines.starts_with("  head   one "), "{lines}");
        // Continuation lines hang under the first word.
        assert!(
            lines
                .lines()
                .skip(1)
                .all(|l| l.starts_with("         ") && !l.starts_with("          ")),
            "{lines}"
        );
        let words: Vec<&str> = lines.split_whitespace().skip(1).collect();
        assert_eq!(words.join(" "), text);
        let mut out = Vec::new();
        wrapped(&mut out, None, "  head   ", text).unwrap();
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
    }

    #[test]
    fn learner_and_grade_come_before_the_checks_and_lines_keep_to_80_columns() {
        let doc = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "name": "A micro-credential with a title long enough to need more than one line on a terminal",
            "issuer": {"id": "did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX",
                       "name": "The University of Example, Faculty of Engineering and Computer Science"},
            "validFrom": "2025-03-01T00:00:00Z",
            "credentialSubject": {
                "id": "did:key:z6Mko9hTggMwjSTEaJaPUfE6tqcy2xvU6BnNq3e3o8qVBiyH",
                "identifier": [{"type": ["IdentityObject"], "identityType": "name",
                                "identityHash": "Ana María Andromeda de la Constelación", "hashed": false}],
                "result": [{"type": ["Result"], "value": "B+"}]
            }
        });
        let report = Verifier::new().verify(&doc).unwrap();
        let mut out = Vec::new();
        let style = Style {
            color: false,
            width: Some(WIDTH),
            verbose: false,
        };
        human(&mut out, "f.json", Ok(&report), style).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let at = |prefix: &str| lines.iter().position(|l| l.starts_with(prefix));
        let learner = at("  learner  Ana María Andromeda de la Constelación (unverified)");
        let grade = at("  grade    B+ (unverified)");
        let first_check = at("  ✗ structure").or(at("  ✓ structure"));
        assert!(
            learner.is_some() && grade.is_some() && first_check.is_some(),
            "{text}"
        );
        assert!(learner < grade && grade < first_check, "{text}");
        // The learner's DID does not fit after the name: it hangs under the name.
        let next = lines[learner.unwrap() + 1];
        assert_eq!(
            next, "           did:key:z6Mko9hTggMwjSTEaJaPUfE6tqcy2xvU6BnNq3e3o8qVBiyH",
            "{text}"
        );
        // Every line fits, but a word longer than a line (kept whole, on its own).
        for line in &lines {
            let width = line.chars().count();
            assert!(
                width <= WIDTH || line.trim_start().split(' ').count() == 1,
                "{width} columns: {line:?}\n{text}"
            );
        }
    }

    #[test]
    fn json_lines_put_file_and_version_first() {
        let mut out = Vec::new();
        json_line(&mut out, "x.json", None, Err("cannot read x.json"), None).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(
            line,
            "{\"file\":\"x.json\",\"reportVersion\":2,\"kind\":\"error\",\"error\":\"cannot read x.json\"}\n"
        );
        let mut out = Vec::new();
        let report = Verifier::new().verify_bytes(b"{}").unwrap();
        json_line(&mut out, "c.jsonl", Some(17), Ok(&report), None).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(
            line.starts_with("{\"file\":\"c.jsonl\",\"line\":17,\"reportVersion\":2,\"kind\":"),
            "{line}"
        );
    }

    #[test]
    fn totals_group_thousands_and_nest_the_counts() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let t = Totals {
            valid: 1200,
            unconfirmed: 2,
            invalid: 3,
            error: 1,
        };
        let mut out = Vec::new();
        totals_human(&mut out, &t).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "totals: 1,200 valid, 2 genuine but unconfirmed, 3 invalid, 1 could not be checked (1,206 in all)\n"
        );
        let mut out = Vec::new();
        totals_json(&mut out, &t).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "totals");
        assert_eq!(v["totals"]["count"], 1206);
        assert_eq!(v["totals"]["unconfirmed"], 2);
        assert!(v.get("valid").is_none() && v.get("file").is_none(), "{v}");
    }
}
