//! A verification report and its credential rendered as a readable HTML
//! transcript: what the credential says (title, awarding body, learner,
//! outcomes, workload, level, assessment, grade, dates) and every check as a
//! tick or a cross with its reason, profile results apart.
//!
//! Shared by `microcred-verify --html` (a whole printable page, [`page`]) and
//! `microcred-server`'s verification page ([`transcript`], a fragment styled
//! by [`STYLE`]). Every value taken from the credential is HTML-escaped: a
//! credential is untrusted input, and its text must never become markup.

use std::fmt::Write as _;

use microcred_core::Value;
use microcred_core::credential::{Credential, MicroCredential};

use crate::i18n::{self, Lang, Msg};
use crate::qualification::QualificationReport;
use crate::report::{Check, Kind, Outcome, Report};
use crate::verdict::{Reason, Verdict};

/// The transcript's style sheet (plain CSS, no fonts or images to fetch).
pub const STYLE: &str = r#"
.mc-transcript{border:1px solid #ccd;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0;background:#fff}
.mc-transcript h2{margin:.2rem 0 .4rem;font-size:1.35rem}
.mc-transcript h3{margin:1rem 0 .4rem;font-size:1.05rem;border-bottom:1px solid #eee}
.mc-verdict{font-weight:bold;padding:.35rem .6rem;border-radius:4px;display:inline-block}
.mc-valid .mc-verdict{background:#e3f6e5;color:#17662a}
.mc-unconfirmed .mc-verdict{background:#fff4d6;color:#7a4b00}
.mc-invalid .mc-verdict{background:#fde8e8;color:#9b1c1c}
.mc-unchecked .mc-verdict{background:#fef6e0;color:#8a5a00}
.mc-reasons{margin:.4rem 0;padding-left:1.2rem}
.mc-reasons li{margin:.15rem 0}
.mc-invalid .mc-reasons{color:#9b1c1c}.mc-unconfirmed .mc-reasons{color:#7a4b00}
.mc-claimed{color:#666;background:#f4f4f4;border-radius:4px;padding:.1rem .6rem}
.mc-claimed h3{color:#666}
.mc-facts{display:grid;grid-template-columns:12em 1fr;gap:.25rem 1rem;margin:.5rem 0}
.mc-facts dt{font-weight:bold;color:#444}.mc-facts dd{margin:0}
.mc-checks{list-style:none;padding:0;margin:0}
.mc-checks li{padding:.2rem 0;border-bottom:1px dotted #eee;overflow-wrap:anywhere}
.mc-caution{color:#9b1c1c;font-style:italic;margin:.3rem 0}
.mc-mark{display:inline-block;width:1.4em;font-weight:bold}
.mc-pass .mc-mark{color:#17662a}.mc-fail .mc-mark{color:#b91c1c}
.mc-warn .mc-mark{color:#a16207}.mc-skipped .mc-mark{color:#777}.mc-unsupported .mc-mark{color:#a16207}
.mc-fail{background:#fff5f5}
.mc-id{font-family:monospace;font-size:.9em;word-break:break-all}
.mc-overview{border-collapse:collapse;width:100%;margin:1rem 0}
.mc-overview th,.mc-overview td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.mc-details{margin:.4rem 0;font-size:.92em}
@media (max-width:36rem){.mc-facts{grid-template-columns:1fr}.mc-facts dd{margin-bottom:.3rem}}
.mc-details summary{cursor:pointer;color:#444}
@media print{.mc-transcript{border:none;padding:0;margin:0}.mc-details{display:none}
.mc-transcript h3{margin:.5rem 0 .2rem}.mc-facts{gap:.05rem 1rem;margin:.3rem 0}.mc-checks li{padding:.05rem 0}}
"#;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A message of the catalogue in `lang`, its placeables unfilled.
fn t(lang: Lang, m: Msg) -> &'static str {
    i18n::text(lang, m)
}

/// A message as HTML: its text escaped, its placeables filled with `args`,
/// which are HTML already.
fn fill_html(lang: Lang, m: Msg, args: &[(&str, &str)]) -> String {
    i18n::substitute(&escape(t(lang, m)), args)
}

/// Text in English (a check's technical message) on a page in `lang`: marked
/// `lang="en"` unless the page is English, so that the page's language is honest.
fn english(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        escape(text)
    } else {
        format!("<span lang=\"en\">{}</span>", escape(text))
    }
}

/// A whole, self-contained HTML page (inline style, nothing fetched) holding the
/// transcript of each `(file name, document, report)`, for printing or archiving.
pub fn page(entries: &[(&str, &Value, &Report)]) -> String {
    page_with(entries, None)
}

/// [`page`] with the qualification the documents were assessed against, shown
/// first. Several documents get a table of their verdicts at the top.
pub fn page_with(
    entries: &[(&str, &Value, &Report)],
    qualification: Option<&QualificationReport>,
) -> String {
    page_in(Lang::En, entries, qualification)
}

/// [`page_with`] in the reader's language `lang` (`<html lang>` says which).
pub fn page_in(
    lang: Lang,
    entries: &[(&str, &Value, &Report)],
    qualification: Option<&QualificationReport>,
) -> String {
    let heading = match entries {
        [(file, doc, _)] => title(doc).unwrap_or_else(|| (*file).to_owned()),
        _ => i18n::fill(
            lang,
            Msg::Documents,
            &[("count", &entries.len().to_string())],
        ),
    };
    let mut body = String::new();
    if let Some(q) = qualification {
        qualification_section(lang, &mut body, q);
    }
    if entries.len() > 1 {
        overview(lang, &mut body, entries);
    }
    for (file, doc, report) in entries {
        let _ = write!(
            body,
            "<p class=\"mc-id\">{}</p>{}",
            escape(file),
            transcript_in(lang, doc, report)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:1rem auto;padding:0 1rem;color:#222}}@page{{size:A4;margin:12mm}}@media print{{body{{margin:0;max-width:none;padding:0;font-size:9.5pt}}}}{STYLE}</style></head>\
<body>{body}</body></html>\n",
        lang.code(),
        fill_html(lang, Msg::PageTitle, &[("title", &escape(&heading))]),
    )
}

/// One row per document: its file, title and verdict with the first reason.
fn overview(lang: Lang, out: &mut String, entries: &[(&str, &Value, &Report)]) {
    let _ = write!(
        out,
        "<table class=\"mc-overview\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(t(lang, Msg::ColFile)),
        escape(t(lang, Msg::ColCredential)),
        escape(t(lang, Msg::ColVerdict)),
    );
    for (file, doc, report) in entries {
        let words = escape(t(
            lang,
            match report.verdict {
                Verdict::Valid => Msg::OverValid,
                Verdict::Unconfirmed => Msg::OverUnconfirmed,
                Verdict::Invalid => Msg::OverInvalid,
                Verdict::Unchecked => Msg::OverUnchecked,
            },
        ));
        let why = report
            .reasons
            .first()
            .map(|r| format!("{}{}", colon(lang), reason_html(lang, report, r)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr class=\"{}\"><td class=\"mc-id\">{}</td><td>{}</td><td><span class=\"mc-verdict\">{words}</span>{why}</td></tr>",
            verdict_class(report),
            escape(file),
            escape(&title(doc).unwrap_or_default()),
        );
    }
    out.push_str("</tbody></table>");
}

/// Whether the documents add up to the qualification, as the terminal says it.
fn qualification_section(lang: Lang, out: &mut String, q: &QualificationReport) {
    let (class, words) = if q.met {
        ("mc-valid", t(lang, Msg::QualMet))
    } else {
        ("mc-invalid", t(lang, Msg::QualNotMet))
    };
    let _ = write!(
        out,
        "<article class=\"mc-transcript {class}\" data-qualification-met=\"{}\"><h2>{}</h2>\
         <p class=\"mc-verdict\">{}{}{}</p>",
        q.met,
        fill_html(lang, Msg::Qualification, &[("title", &escape(&q.title))]),
        escape(words),
        colon(lang),
        fill_html(
            lang,
            Msg::QualEcts,
            &[
                ("total", &i18n::number(lang, q.total_ects)),
                ("minimum", &i18n::number(lang, q.minimum_ects))
            ]
        ),
    );
    checks_section(lang, out, t(lang, Msg::CredentialsCounted), q.checks.iter());
    out.push_str("</article>");
}

/// The transcript of a credential or presentation as an HTML fragment (an
/// `<article>` per document), styled by [`STYLE`].
pub fn transcript(doc: &Value, report: &Report) -> String {
    transcript_in(Lang::En, doc, report)
}

/// [`transcript`] in the reader's language `lang`.
pub fn transcript_in(lang: Lang, doc: &Value, report: &Report) -> String {
    let mut out = String::new();
    match report.kind {
        Kind::Credential => credential(lang, &mut out, doc, report),
        Kind::Presentation => presentation(lang, &mut out, doc, report),
    }
    out
}

fn verdict_class(report: &Report) -> &'static str {
    match report.verdict {
        Verdict::Valid => "mc-valid",
        Verdict::Unconfirmed => "mc-unconfirmed",
        Verdict::Invalid => "mc-invalid",
        Verdict::Unchecked => "mc-unchecked",
    }
}

fn presentation(lang: Lang, out: &mut String, doc: &Value, report: &Report) {
    let _ = write!(
        out,
        "<article class=\"mc-transcript {}\" data-valid=\"{}\" data-verdict=\"{}\"><h2>{}</h2>{}",
        verdict_class(report),
        report.valid,
        report.verdict.as_str(),
        escape(t(lang, Msg::Presentation)),
        verdict(lang, report)
    );
    let mut facts = Vec::new();
    if let Some(h) = &report.holder {
        facts.push((Msg::Holder, h.clone()));
    }
    if let Some(id) = &report.id {
        facts.push((Msg::PresentationId, id.clone()));
    }
    fact_list(lang, out, &facts);
    checks_section(lang, out, t(lang, Msg::Checks), report.checks.iter());
    out.push_str("</article>");
    let embedded: Vec<&Value> = match doc.get("verifiableCredential") {
        Some(v @ Value::Object(_)) => vec![v],
        Some(Value::Array(a)) => a.iter().filter(|v| v.is_object()).collect(),
        _ => Vec::new(),
    };
    for (vc, r) in embedded.into_iter().zip(&report.credentials) {
        credential(lang, out, vc, r);
    }
}

/// The verdict, led by its first reason in plain words, then the others.
fn verdict(lang: Lang, report: &Report) -> String {
    let presentation = report.kind == Kind::Presentation;
    let pick = |credential: Msg, presentation_msg: Msg| {
        if presentation {
            presentation_msg
        } else {
            credential
        }
    };
    let mut reasons = report.reasons.iter().map(|r| reason_html(lang, report, r));
    let mut out = match report.verdict {
        Verdict::Valid => {
            let by = report
                .summary
                .as_ref()
                .and_then(|s| s.trusted_name.as_deref())
                .map(|n| fill_html(lang, Msg::ValidBy, &[("issuer", &escape(n))]))
                .unwrap_or_default();
            return format!(
                "<p class=\"mc-verdict\">{}</p>",
                fill_html(
                    lang,
                    pick(Msg::ValidCredential, Msg::ValidPresentation),
                    &[("by", &by)]
                )
            );
        }
        Verdict::Unconfirmed => format!(
            "<p class=\"mc-verdict\">{}</p>",
            escape(t(
                lang,
                pick(Msg::UnconfirmedCredential, Msg::UnconfirmedPresentation)
            ))
        ),
        Verdict::Invalid => format!(
            "<p class=\"mc-verdict\">{}</p>",
            fill_html(
                lang,
                pick(Msg::InvalidCredential, Msg::InvalidPresentation),
                &[(
                    "reason",
                    &reasons
                        .next()
                        .unwrap_or_else(|| escape(t(lang, Msg::InvalidDefault)))
                )]
            )
        ),
        Verdict::Unchecked => format!(
            "<p class=\"mc-verdict\">{}</p>",
            fill_html(
                lang,
                pick(Msg::UncheckedCredential, Msg::UncheckedPresentation),
                &[(
                    "reason",
                    &reasons
                        .next()
                        .unwrap_or_else(|| escape(t(lang, Msg::UncheckedDefault)))
                )]
            )
        ),
    };
    let rest: Vec<String> = reasons.collect();
    if !rest.is_empty() {
        out.push_str("<ul class=\"mc-reasons\">");
        for r in rest {
            let _ = write!(out, "<li>{r}</li>");
        }
        out.push_str("</ul>");
    }
    if report.verdict == Verdict::Invalid {
        let _ = write!(
            out,
            "<p class=\"mc-caution\">{}</p>",
            escape(t(lang, Msg::Caution))
        );
    }
    out
}

/// The issuer as a reader should see it (as the verdict's English reasons
/// name it): its name on the trust list, else the name it gives itself in
/// quotes, else its id.
fn issuer_words(lang: Lang, report: &Report) -> String {
    let s = report.summary.as_ref();
    if let Some(t) = s.and_then(|s| s.trusted_name.clone()) {
        return t;
    }
    if let Some(n) = s.and_then(|s| s.issuer_name.as_deref()) {
        return quoted(lang, n);
    }
    s.and_then(|s| s.issuer.clone())
        .unwrap_or_else(|| t(lang, Msg::TheIssuer).to_owned())
}

/// Text in quotation marks as `lang` writes them.
fn quoted(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => format!("\u{201c}{text}\u{201d}"),
        Lang::Fr => format!("\u{ab}\u{a0}{text}\u{a0}\u{bb}"),
        Lang::Es => format!("\u{ab}{text}\u{bb}"),
    }
}

/// A reason as HTML. In English its message as it is; in another language
/// the headline of its code translated, followed by the English detail of the
/// check that gave it (marked `lang="en"`) when it has one.
fn reason_html(lang: Lang, report: &Report, r: &Reason) -> String {
    if lang == Lang::En {
        return escape(&r.message);
    }
    // A nested credential's reason ("credential 2: …") is about that credential.
    let nested = r
        .message
        .strip_prefix("credential ")
        .and_then(|rest| rest.split_once(": "))
        .and_then(|(n, m)| {
            let n = n.parse::<usize>().ok()?;
            Some((n, m, report.credentials.get(n.checked_sub(1)?)?))
        });
    let (prefix, message, about) = match nested {
        Some((n, m, nested)) => (
            i18n::fill(lang, Msg::ReasonCredentialN, &[("n", &n.to_string())]),
            m,
            nested,
        ),
        None => (String::new(), r.message.as_str(), report),
    };
    let detail = message.split_once(" — ").map(|(_, d)| d);
    let summary = about.summary.as_ref();
    let issuer = || issuer_words(lang, about);
    let date = |d: Option<&String>| d.map(|d| i18n::long_date(lang, d)).unwrap_or_default();
    let fixed = |m: Msg| (t(lang, m).to_owned(), false);
    let with_detail = |m: Msg| (t(lang, m).to_owned(), true);
    let (head, keep_detail) = match r.code.as_str() {
        "unsigned" => fixed(Msg::RUnsigned),
        "tampered" => fixed(Msg::RTampered),
        "signature-not-verified" => with_detail(Msg::RSignatureNotVerified),
        "proof-validity" => with_detail(Msg::RProofValidity),
        "proof-purpose" => with_detail(Msg::RProofPurpose),
        "wrong-signer" if message.contains("the holder it names") => fixed(Msg::RWrongSignerHolder),
        "wrong-signer" => (
            i18n::fill(lang, Msg::RWrongSignerIssuer, &[("issuer", &issuer())]),
            false,
        ),
        "revoked" => (
            i18n::fill(lang, Msg::RRevoked, &[("issuer", &issuer())]),
            false,
        ),
        "suspended" => (
            i18n::fill(lang, Msg::RSuspended, &[("issuer", &issuer())]),
            false,
        ),
        "status-list-unusable" => with_detail(Msg::RStatusListUnusable),
        "expired" => (
            i18n::fill(
                lang,
                Msg::RExpired,
                &[("date", &date(summary.and_then(|s| s.valid_until.as_ref())))],
            ),
            false,
        ),
        "not-yet-valid" => (
            i18n::fill(
                lang,
                Msg::RNotYetValid,
                &[("date", &date(summary.and_then(|s| s.valid_from.as_ref())))],
            ),
            false,
        ),
        "issuer-not-bound" => (
            i18n::fill(lang, Msg::RIssuerNotBound, &[("issuer", &issuer())]),
            false,
        ),
        "untrusted-issuer" => with_detail(Msg::RUntrustedIssuer),
        "malformed" => with_detail(Msg::RMalformed),
        "profile" => with_detail(Msg::RProfile),
        "replay" => with_detail(Msg::RReplay),
        "not-holders" => with_detail(Msg::RNotHolders),
        "trust-not-checked" => match summary.and_then(|s| s.issuer_name.as_deref()) {
            Some(n) => (
                i18n::fill(lang, Msg::RTrustNotCheckedNamed, &[("name", n)]),
                false,
            ),
            None => fixed(Msg::RTrustNotChecked),
        },
        "not-bound" => fixed(Msg::RNotBound),
        "status-not-checked" => with_detail(Msg::RStatusNotChecked),
        "cannot-check" => with_detail(Msg::RCannotCheck),
        other => (
            i18n::fill(
                lang,
                Msg::RCheckFailed,
                &[("check", &check_name(lang, other))],
            ),
            true,
        ),
    };
    let mut out = escape(&prefix);
    out.push_str(&escape(&head));
    if let Some(d) = detail.filter(|_| keep_detail) {
        let _ = write!(out, " — {}", english(lang, d));
    }
    out
}

/// A check's name in `lang`, by its id (in English, the id itself); an id
/// the catalogue does not know as it is.
fn check_name(lang: Lang, id: &str) -> String {
    let m = match id {
        "structure" => Msg::CStructure,
        "context" => Msg::CContext,
        "proof" => Msg::CProof,
        "proof-purpose" => Msg::CProofPurpose,
        "issuer-key" => Msg::CIssuerKey,
        "holder-key" => Msg::CHolderKey,
        "proof-validity" => Msg::CProofValidity,
        "validity" => Msg::CValidity,
        "trust" => Msg::CTrust,
        "accreditation" => Msg::CAccreditation,
        "status" => Msg::CStatus,
        "profile-rule" => Msg::CProfileRule,
        "profile" => Msg::CProfile,
        "challenge" => Msg::CChallenge,
        "domain" => Msg::CDomain,
        "holder-binding" => Msg::CHolderBinding,
        "qualification" => Msg::CQualification,
        _ => return id.to_owned(),
    };
    t(lang, m).to_owned()
}

fn title(doc: &Value) -> Option<String> {
    let cred = Credential::new(doc)?;
    cred.name()
        .or_else(|| cred.achievement()?.get("name")?.as_str())
        .map(str::to_owned)
}

fn credential(lang: Lang, out: &mut String, doc: &Value, report: &Report) {
    let _ = write!(
        out,
        "<article class=\"mc-transcript {}\" data-valid=\"{}\" data-verdict=\"{}\"><h2>{}</h2>{}",
        verdict_class(report),
        report.valid,
        report.verdict.as_str(),
        escape(&title(doc).unwrap_or_else(|| t(lang, Msg::Credential).into())),
        verdict(lang, report)
    );
    // Without a genuine signature the claims are anyone's words: greyed, and said so.
    let genuine = report.signature_holds();
    if !genuine {
        let _ = write!(
            out,
            "<section class=\"mc-claimed\"><h3>{}</h3>",
            escape(t(lang, Msg::Claimed))
        );
    }
    let (head, rest) = facts(lang, doc, report);
    fact_list(lang, out, &head);
    if let Some(outcomes) = learning_outcomes(doc) {
        let _ = write!(
            out,
            "<h3>{}</h3><ul class=\"mc-outcomes\">",
            escape(t(lang, Msg::LearningOutcomes))
        );
        for o in outcomes {
            let _ = write!(out, "<li>{}</li>", escape(&o));
        }
        out.push_str("</ul>");
    }
    fact_list(lang, out, &rest);
    if !genuine {
        out.push_str("</section>");
    }
    let (profile, other): (Vec<&Check>, Vec<&Check>) = report
        .checks
        .iter()
        .partition(|c| c.id == "profile" || c.id == "profile-rule");
    let _ = write!(out, "<h3>{}</h3>", escape(t(lang, Msg::Checks)));
    check_summary(lang, out, report);
    let _ = write!(
        out,
        "<details class=\"mc-details\"><summary>{}</summary>",
        fill_html(
            lang,
            Msg::EveryCheck,
            &[("count", &other.len().to_string())]
        )
    );
    check_list(lang, out, other.into_iter());
    out.push_str("</details>");
    if !profile.is_empty() {
        // Each profile's verdict and the rules that did not pass in sight; the passed rules folded.
        let (passed, shown): (Vec<&Check>, Vec<&Check>) = profile
            .into_iter()
            .partition(|c| c.id == "profile-rule" && c.outcome == Outcome::Pass);
        checks_section(
            lang,
            out,
            t(lang, Msg::FrameworkProfiles),
            shown.into_iter(),
        );
        if !passed.is_empty() {
            let _ = write!(
                out,
                "<details class=\"mc-details\"><summary>{}</summary>",
                fill_html(lang, Msg::RulesMet, &[("count", &passed.len().to_string())])
            );
            check_list(lang, out, passed.into_iter());
            out.push_str("</details>");
        }
    }
    out.push_str("</article>");
}

/// The worst of some outcomes: a failure, else something not checked, else a
/// warning, else a pass (`None` when there are none).
fn worst<'a>(checks: impl Iterator<Item = &'a Check>) -> Option<Outcome> {
    let rank = |o: Outcome| match o {
        Outcome::Fail => 4,
        Outcome::Unsupported => 3,
        Outcome::Skipped => 2,
        Outcome::Warn => 1,
        Outcome::Pass => 0,
    };
    checks.map(|c| c.outcome).max_by_key(|o| rank(*o))
}

/// One line per question a reader asks (is the signature genuine, who is the
/// issuer, do the dates hold, is it revoked), each the worst of its checks,
/// saying in words what was found; every check stays in the details below.
fn check_summary(lang: Lang, out: &mut String, report: &Report) {
    let of = |ids: &[&str]| -> Vec<&Check> {
        report
            .checks
            .iter()
            .filter(|c| ids.contains(&c.id.as_str()))
            .collect()
    };
    let first_not_passing = |checks: &[&Check]| {
        checks
            .iter()
            .find(|c| Some(c.outcome) == worst(checks.iter().copied()))
            .map(|c| english(lang, &c.message))
            .unwrap_or_default()
    };
    let summary = report.summary.clone().unwrap_or_default();
    let signer = summary
        .trusted_name
        .clone()
        .or_else(|| summary.issuer_name.as_ref().map(|n| quoted(lang, n)))
        .or(summary.issuer.clone())
        .unwrap_or_else(|| t(lang, Msg::TheIssuer).into());
    let date = |d: &String| escape(&i18n::long_date(lang, d));
    // Each line's words are HTML: the catalogue's, or a check's English message.
    let mut lines: Vec<(Msg, Outcome, String)> = Vec::new();
    let mut group = |label: Msg, ids: &[&str], good: &dyn Fn(&[&Check]) -> String| {
        let checks = of(ids);
        if let Some(o) = worst(checks.iter().copied()) {
            let words = if o == Outcome::Pass {
                good(&checks)
            } else {
                first_not_passing(&checks)
            };
            lines.push((label, o, words));
        }
    };
    group(Msg::GStructure, &["structure", "context"], &|_| {
        escape(t(lang, Msg::WellFormed))
    });
    group(
        Msg::GSignature,
        &["proof", "proof-purpose", "issuer-key", "proof-validity"],
        &|_| fill_html(lang, Msg::Genuine, &[("signer", &escape(&signer))]),
    );
    group(Msg::GIssuer, &["trust", "accreditation"], &|c| {
        c.first()
            .map(|c| english(lang, &c.message))
            .unwrap_or_default()
    });
    group(
        Msg::GDates,
        &["validity"],
        &|_| match (&summary.valid_from, &summary.valid_until) {
            (Some(f), Some(u)) => fill_html(
                lang,
                Msg::InForceFromUntil,
                &[("from", &date(f)), ("until", &date(u))],
            ),
            (Some(f), None) => fill_html(lang, Msg::InForceFrom, &[("from", &date(f))]),
            _ => escape(t(lang, Msg::InForce)),
        },
    );
    group(Msg::GStatus, &["status"], &|c| {
        english(
            lang,
            &c.iter()
                .map(|c| c.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        )
    });
    group(Msg::GRequest, &["challenge", "domain"], &|_| {
        escape(t(lang, Msg::AnswersRequest))
    });
    out.push_str("<ul class=\"mc-checks mc-summary\">");
    for (label, outcome, words) in lines {
        let (class, mark, title) = marks(lang, outcome);
        let _ = write!(
            out,
            "<li class=\"{class}\"><span class=\"mc-mark\" title=\"{title}\" aria-label=\"{title}\">{mark}</span><b>{}</b>{}{words}</li>",
            escape(t(lang, label)),
            colon(lang),
        );
    }
    out.push_str("</ul>");
}

fn marks(lang: Lang, outcome: Outcome) -> (&'static str, &'static str, &'static str) {
    let (class, mark, m) = match outcome {
        Outcome::Pass => ("mc-pass", "✓", Msg::Passed),
        Outcome::Fail => ("mc-fail", "✗", Msg::Failed),
        Outcome::Warn => ("mc-warn", "!", Msg::Warning),
        Outcome::Skipped => ("mc-skipped", "–", Msg::NotChecked),
        Outcome::Unsupported => ("mc-unsupported", "?", Msg::NotSupported),
    };
    (class, mark, t(lang, m))
}

fn fact_list(lang: Lang, out: &mut String, facts: &[(Msg, String)]) {
    if facts.is_empty() {
        return;
    }
    out.push_str("<dl class=\"mc-facts\">");
    for (k, v) in facts {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(t(lang, *k)),
            escape(v)
        );
    }
    out.push_str("</dl>");
}

fn checks_section<'a>(
    lang: Lang,
    out: &mut String,
    heading: &str,
    checks: impl Iterator<Item = &'a Check>,
) {
    let _ = write!(out, "<h3>{}</h3>", escape(heading));
    check_list(lang, out, checks);
}

fn check_list<'a>(lang: Lang, out: &mut String, checks: impl Iterator<Item = &'a Check>) {
    out.push_str("<ul class=\"mc-checks\">");
    for c in checks {
        let (class, mark, label) = marks(lang, c.outcome);
        let name = match (&c.profile, &c.rule) {
            (Some(p), Some(r)) => format!("{p} {r}"),
            (Some(p), None) => p.clone(),
            _ => c.id.clone(),
        };
        // Rule lines start with their profile and rule: not printed twice.
        let message = c
            .message
            .strip_prefix(&format!("{name}: "))
            .or_else(|| c.message.strip_prefix(&format!("{name} ")))
            .unwrap_or(&c.message);
        let _ = write!(
            out,
            "<li class=\"{class}\" data-check=\"{}\"><span class=\"mc-mark\" title=\"{label}\" aria-label=\"{label}\">{mark}</span><b>{}</b>{}{}",
            escape(&c.id),
            escape(&if name == c.id {
                check_name(lang, &name)
            } else {
                name.clone()
            }),
            colon(lang),
            english(lang, message)
        );
        if c.outcome == Outcome::Fail {
            if let Some(e) = &c.expected {
                out.push_str(&fill_html(
                    lang,
                    Msg::Expected,
                    &[("expected", &english(lang, e))],
                ));
            }
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

/// The value at a path of members.
fn str_path<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    Some(cur)
}

/// A value in words: a string as it is, a number, an array's items joined,
/// an object's `name` (else its string members).
fn words(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(words).collect::<Vec<_>>().join(", "),
        Value::Object(o) => o.get("name").map_or_else(
            || {
                o.values()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            words,
        ),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `: ` as `lang` writes it between a label and its text (French: ` : `).
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => " : ",
        Lang::En | Lang::Es => ": ",
    }
}

/// `; ` as `lang` writes it between the parts of a value (French: ` ; `).
fn semicolon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => " ; ",
        Lang::En | Lang::Es => "; ",
    }
}

/// A code of the micro-credential vocabulary in `lang`'s words (in English,
/// and for a code the catalogue does not know, [`code_words`]).
fn code_in(lang: Lang, code: &str) -> String {
    i18n::code_name(lang, code).map_or_else(|| code_words(code), str::to_owned)
}

/// A code such as `supervised-online-id-verified` in words.
fn code_words(code: &str) -> String {
    code.replace("id-verified", "identity verified")
        .replace('-', " ")
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn micro(doc: &Value) -> Option<MicroCredential> {
    Credential::new(doc)?.micro_credential()?.ok()
}

fn learning_outcomes(doc: &Value) -> Option<Vec<String>> {
    let mc = micro(doc)?;
    let list: Vec<String> = mc
        .learning_outcomes
        .iter()
        .map(|o| o.description.clone())
        .filter(|d| !d.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The first credential subject.
fn first_subject(doc: &Value) -> Option<&serde_json::Map<String, Value>> {
    match doc.get("credentialSubject")? {
        Value::Array(a) => a.first()?.as_object(),
        s => s.as_object(),
    }
}

/// The first subject's first result (Open Badges `result`).
fn first_result(doc: &Value) -> Option<&Value> {
    crate::verifier::results(first_subject(doc)?)
        .first()
        .copied()
}

fn learner(doc: &Value) -> Option<String> {
    let subject = first_subject(doc)?;
    let name = crate::verifier::learner_name(subject).map(str::to_owned);
    let id = subject.get("id").and_then(Value::as_str);
    match (name, id) {
        (Some(n), Some(id)) => Some(format!("{n} ({id})")),
        (Some(n), None) => Some(n),
        (None, Some(id)) => Some(id.to_owned()),
        (None, None) => None,
    }
}

/// Labelled values of a transcript, in order.
type Facts = Vec<(Msg, String)>;

/// What a transcript shows of a credential, in two parts: the elements before
/// its learning outcomes and those after, in the order of the EU's list of
/// elements (Council Recommendation of 2022, Annex I, numbered as in the
/// element table `docs/credential-format.md` refers to): learner, country,
/// awarding body, field, date, workload, level | outcomes | participation,
/// assessment, supervision, quality assurance, prerequisites, grade,
/// stackability, validity, further information.
fn facts(lang: Lang, doc: &Value, report: &Report) -> (Facts, Facts) {
    let mut f = Vec::new();
    let summary = report.summary.clone().unwrap_or_default();
    let mc = micro(doc);
    let achievement = str_path(doc, &["credentialSubject", "achievement"]);
    // 1. The learner.
    if let Some(l) = learner(doc) {
        f.push((Msg::Learner, l));
    }
    // 3. The issuer's country.
    let country = mc
        .as_ref()
        .and_then(|m| m.issuer_country.clone())
        .or_else(|| str_at(doc, &["issuer", "address", "addressCountryCode"]).map(str::to_owned))
        .or_else(|| str_at(doc, &["issuer", "address", "addressCountry"]).map(str::to_owned));
    if let Some(c) = country {
        f.push((Msg::Country, c));
    }
    // 4. The awarding body. A signature that does not hold is not the listed issuer's word.
    let listed = summary
        .trusted_name
        .as_ref()
        .filter(|_| report.signature_holds());
    let issuer_name = listed
        .map(|n| i18n::fill(lang, Msg::AsListed, &[("name", n)]))
        .or_else(|| {
            summary
                .issuer_name
                .as_ref()
                .map(|n| i18n::fill(lang, Msg::SelfDeclared, &[("name", n)]))
        });
    if let Some(n) = issuer_name {
        f.push((Msg::AwardingBody, n));
    }
    if let Some(mc) = &mc {
        let others: Vec<&str> = mc
            .awarding_bodies
            .iter()
            .filter_map(|b| b.get("name").and_then(Value::as_str))
            .filter(|n| Some(*n) != summary.issuer_name.as_deref())
            .collect();
        if !others.is_empty() {
            f.push((Msg::AlsoAwardedBy, others.join(", ")));
        }
    }
    if let Some(id) = &summary.issuer {
        f.push((Msg::IssuerId, id.clone()));
    }
    // How the credential came: a VC-JWT says so (a Data Integrity one does not).
    if let Some(format) = &report.format {
        f.push((Msg::SecuredAs, format.name.clone()));
    }
    // 5. The field of education.
    let field = achievement
        .and_then(|a| a.get("fieldOfStudy"))
        .and_then(Value::as_str);
    let code = mc
        .as_ref()
        .and_then(|m| m.isced_f.as_ref())
        .map(|v| match v.get("code") {
            Some(c) => words(c),
            None => words(v),
        });
    match (field, code) {
        (Some(f_), Some(c)) => f.push((Msg::FieldOfStudy, format!("{f_} (ISCED-F {c})"))),
        (Some(f_), None) => f.push((Msg::FieldOfStudy, f_.to_owned())),
        (None, Some(c)) => f.push((Msg::FieldOfStudy, format!("ISCED-F {c}"))),
        (None, None) => {}
    }
    // 6. The date it was awarded (else its validity starts: below).
    if let Some(d) = str_at(doc, &["awardedDate"]) {
        f.push((Msg::Awarded, i18n::long_date(lang, d)));
    }
    // 7. The workload.
    if let Some(h) = summary.hours {
        f.push((Msg::StudyHours, i18n::number(lang, h)));
    }
    if let Some(e) = summary.ects {
        f.push((Msg::EctsCredits, i18n::number(lang, e)));
    }
    // 8. The level.
    if let Some(l) = summary.eqf_level {
        f.push((Msg::EqfLevel, l.to_string()));
    }
    if let Some(n) = mc
        .as_ref()
        .and_then(|m| m.level.as_ref())
        .and_then(|l| l.extra.get("nqf"))
    {
        let framework = n.get("framework").and_then(Value::as_str).unwrap_or("");
        let level = n.get("level").map(words).unwrap_or_default();
        f.push((
            Msg::NationalLevel,
            i18n::fill(
                lang,
                Msg::NationalLevelValue,
                &[("framework", framework), ("level", &level)],
            )
            .trim()
            .to_owned(),
        ));
    }
    // 9. The learning outcomes come between the two parts.
    let head = std::mem::take(&mut f);
    // 10. The form of participation.
    if let Some(p) = mc.as_ref().and_then(|m| m.form_of_participation.as_ref()) {
        f.push((Msg::FormOfParticipation, code_in(lang, p)));
    }
    // 11. The assessment, and 12. its supervision and identity verification.
    let subject = first_subject(doc);
    let result = first_result(doc);
    let assessment = mc.as_ref().and_then(|m| m.assessment.clone());
    if let Some(a) = &assessment {
        let mut parts = Vec::new();
        if !a.types.is_empty() {
            let types: Vec<String> = a.types.iter().map(|t| code_in(lang, t)).collect();
            parts.push(types.join(", "));
        }
        match a.summative {
            Some(true) => parts.push(t(lang, Msg::Summative).into()),
            Some(false) => parts.push(t(lang, Msg::NotSummative).into()),
            None => {}
        }
        if let Some(s) = &a.supervision {
            parts.push(i18n::fill(
                lang,
                Msg::Supervision,
                &[("how", &code_in(lang, s))],
            ));
        }
        if !parts.is_empty() {
            f.push((Msg::Assessment, parts.join(semicolon(lang))));
        }
    } else if let Some(s) = result.and_then(|r| r.get("assessmentSupervision")?.as_str()) {
        f.push((
            Msg::Assessment,
            i18n::fill(lang, Msg::Supervision, &[("how", &code_in(lang, s))]),
        ));
    }
    let identity = assessment
        .as_ref()
        .and_then(|a| a.identity_verification)
        .or_else(|| result?.get("identityVerified")?.as_bool());
    if let Some(v) = identity {
        f.push((
            Msg::IdentityVerification,
            t(lang, if v { Msg::IdentityYes } else { Msg::IdentityNo }).into(),
        ));
    }
    // 13. Quality assurance.
    if let Some(q) = mc.as_ref().and_then(|m| m.quality_assurance.as_ref()) {
        let body = q
            .get("body")
            .and_then(|b| b.get("name"))
            .and_then(Value::as_str);
        let text = match (q.get("description").and_then(Value::as_str), body) {
            (Some(d), Some(b)) => format!("{d} ({b})"),
            (Some(d), None) => d.to_owned(),
            (None, Some(b)) => b.to_owned(),
            (None, None) => words(q),
        };
        f.push((Msg::QualityAssurance, text));
    }
    // 14. Prerequisites.
    if let Some(p) = mc.as_ref().and_then(|m| m.prerequisites.clone()) {
        f.push((Msg::Prerequisites, p));
    }
    // 15. The grade, with the scale it is on and the pass mark.
    if let Some(g) = subject.and_then(|s| crate::verifier::grade(s)) {
        f.push((Msg::Grade, g.to_owned()));
    }
    if let Some(scale) = result.and_then(|r| grading_scale(lang, r, achievement)) {
        f.push((Msg::GradingScale, scale));
    }
    if let Some(d) = result.and_then(|r| r.get("assessedOn")?.as_str()) {
        f.push((Msg::AssessedOn, i18n::long_date(lang, d)));
    }
    // 16. Stackability.
    if let Some(s) = mc.as_ref().and_then(|m| m.stackability.as_ref()) {
        let towards: Vec<String> = match s.get("towards") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|t| t.get("name").map_or_else(|| words(t), words))
                .collect(),
            Some(t) => vec![words(t)],
            None => Vec::new(),
        };
        let mode = s
            .get("mode")
            .and_then(Value::as_str)
            .map(|m| code_in(lang, m));
        let text = match (mode, towards.is_empty()) {
            (Some(m), false) => i18n::fill(
                lang,
                Msg::ModeTowards,
                &[("mode", &m), ("list", &towards.join(", "))],
            ),
            (Some(m), true) => m,
            (None, false) => i18n::fill(lang, Msg::Towards, &[("list", &towards.join(", "))]),
            (None, true) => words(s),
        };
        f.push((Msg::StacksTowards, text));
    }
    // 17. Validity.
    if let Some(d) = &summary.valid_from {
        f.push((Msg::ValidFrom, i18n::long_date(lang, d)));
    }
    if let Some(d) = &summary.valid_until {
        f.push((Msg::ValidUntil, i18n::long_date(lang, d)));
    }
    if let Some(p) = mc.as_ref().and_then(|m| m.validity_period.as_ref()) {
        f.push((Msg::ValidityPeriod, duration_words(lang, p)));
    }
    // 18. Further information, with the criteria it was awarded on.
    if let Some(c) = achievement
        .and_then(|a| a.get("criteria"))
        .and_then(|c| c.get("narrative"))
        .and_then(Value::as_str)
    {
        f.push((Msg::Criteria, c.to_owned()));
    }
    if let Some(i) = mc.as_ref().and_then(|m| m.further_information.as_ref()) {
        f.push((Msg::FurtherInformation, i.clone()));
    }
    if let Some(l) = credential_language(lang, doc, achievement) {
        f.push((Msg::CredentialLanguage, l));
    }
    if let Some(id) = &report.id {
        f.push((Msg::CredentialId, id.clone()));
    }
    (head, f)
}

/// A duration of whole years or months in words (`P5Y` as "5 years"); any
/// other as it is written.
fn duration_words(lang: Lang, d: &str) -> String {
    let unit = |n: &str, one: Msg, many: Msg| match n.parse::<u32>() {
        Ok(1) => Some(t(lang, one).to_owned()),
        Ok(k) => Some(i18n::fill(lang, many, &[("n", &k.to_string())])),
        Err(_) => None,
    };
    let words = d.strip_prefix('P').and_then(|rest| {
        if let Some(n) = rest.strip_suffix('Y') {
            unit(n, Msg::OneYear, Msg::Years)
        } else if let Some(n) = rest.strip_suffix('M') {
            unit(n, Msg::OneMonth, Msg::Months)
        } else {
            None
        }
    });
    words.unwrap_or_else(|| d.to_owned())
}

/// The language the credential states it is written in: `inLanguage` on the
/// credential, else on its achievement, else the tags of its `@language`
/// values; each as its name in `lang` with its tag, e.g. "French (fr)".
fn credential_language(lang: Lang, doc: &Value, achievement: Option<&Value>) -> Option<String> {
    let mut tags: Vec<String> = Vec::new();
    let mut add = |v: &Value| match v {
        Value::String(s) => tags.push(s.clone()),
        Value::Array(a) => tags.extend(a.iter().filter_map(Value::as_str).map(str::to_owned)),
        _ => {}
    };
    if let Some(l) = doc.get("inLanguage") {
        add(l);
    } else if let Some(l) = achievement.and_then(|a| a.get("inLanguage")) {
        add(l);
    } else {
        language_tags(doc, &mut tags, 0);
    }
    let mut seen: Vec<String> = Vec::new();
    for tag in tags.into_iter().map(|t| t.trim().to_owned()) {
        if !tag.is_empty() && !seen.contains(&tag) {
            seen.push(tag);
        }
    }
    let named: Vec<String> = seen
        .iter()
        .map(|tag| match i18n::language_name(lang, tag) {
            Some(name) => i18n::fill(lang, Msg::LanguageValue, &[("name", name), ("code", tag)]),
            None => tag.clone(),
        })
        .collect();
    (!named.is_empty()).then(|| named.join(", "))
}

/// The `@language` tags of a document's value objects (`{"@value", "@language"}`),
/// in document order; the depth is bounded like the parser's.
fn language_tags(v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(o) => {
            if let Some(l) = o.get("@language").and_then(Value::as_str) {
                out.push(l.to_owned());
            }
            for (k, v) in o {
                // Not the proof: its values are not the credential's text.
                if k != "proof" && k != "@context" {
                    language_tags(v, out, depth + 1);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| language_tags(v, out, depth + 1)),
        _ => {}
    }
}

/// The scale a result is on, from the achievement's `resultDescription` its own
/// `resultDescription` names (or the only one, when it names none): its name and
/// type, the values it allows (or its range) and what is required to pass, e.g.
/// "Final grade (letter grade): F, D, C, C+, B, B+, A; pass mark C".
fn grading_scale(lang: Lang, result: &Value, achievement: Option<&Value>) -> Option<String> {
    let descriptions: Vec<&Value> = match achievement?.get("resultDescription")? {
        Value::Array(a) => a.iter().filter(|d| d.is_object()).collect(),
        d @ Value::Object(_) => vec![d],
        _ => return None,
    };
    let d = match result.get("resultDescription").and_then(Value::as_str) {
        Some(id) => *descriptions
            .iter()
            .find(|d| d.get("id").and_then(Value::as_str) == Some(id))?,
        None if descriptions.len() == 1 => descriptions[0],
        None => return None,
    };
    let text = |member: &str| d.get(member).filter(|v| !v.is_null()).map(words);
    let kind = text("resultType").map(|t| {
        if let Some(name) = i18n::code_name(lang, &t) {
            return name.to_owned();
        }
        // `LetterGrade` as "letter grade"; `ext:` types as they are.
        let mut w = String::new();
        for (i, c) in t.chars().enumerate() {
            if c.is_uppercase() && i > 0 && !t.contains(':') {
                w.push(' ');
            }
            w.extend(if t.contains(':') {
                vec![c]
            } else {
                c.to_lowercase().collect()
            });
        }
        w
    });
    let head = match (text("name"), kind) {
        (Some(n), Some(k)) => format!("{n} ({k})"),
        (Some(n), None) => n,
        (None, Some(k)) => k,
        (None, None) => String::new(),
    };
    let levels: Vec<String> = match d.get("rubricCriterionLevel") {
        Some(Value::Array(a)) => a.iter().filter_map(|l| l.get("name").map(words)).collect(),
        _ => Vec::new(),
    };
    let values = match (text("allowedValue"), text("valueMin"), text("valueMax")) {
        (Some(v), _, _) if !v.is_empty() => Some(v),
        (_, Some(min), Some(max)) => Some(i18n::fill(
            lang,
            Msg::FromTo,
            &[("min", &min), ("max", &max)],
        )),
        (_, Some(min), None) => Some(i18n::fill(lang, Msg::FromMin, &[("min", &min)])),
        (_, None, Some(max)) => Some(i18n::fill(lang, Msg::UpToMax, &[("max", &max)])),
        _ => (!levels.is_empty()).then(|| levels.join(", ")),
    };
    let pass = text("requiredValue")
        .map(|v| i18n::fill(lang, Msg::PassMark, &[("value", &v)]))
        .or_else(|| {
            // A required level names one of the rubric's levels by id.
            let id = d.get("requiredLevel")?.as_str()?;
            let name = match d.get("rubricCriterionLevel") {
                Some(Value::Array(a)) => a
                    .iter()
                    .find(|l| l.get("id").and_then(Value::as_str) == Some(id))
                    .and_then(|l| l.get("name"))
                    .map(words),
                _ => None,
            };
            Some(i18n::fill(
                lang,
                Msg::PassLevel,
                &[("value", &name.unwrap_or_else(|| id.to_owned()))],
            ))
        });
    let mut out = head;
    if let Some(v) = values {
        if !out.is_empty() {
            out.push_str(colon(lang));
        }
        out.push_str(&v);
    }
    if let Some(p) = pass {
        if !out.is_empty() {
            out.push_str(semicolon(lang));
        }
        out.push_str(&p);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verifier;

    #[test]
    fn grading_scales_in_words() {
        let achievement = serde_json::json!({"resultDescription": [
            {"id": "urn:a", "name": "Final grade", "resultType": "LetterGrade",
             "allowedValue": ["F", "C", "B", "A"], "requiredValue": "C"},
            {"id": "urn:b", "name": "Exam", "resultType": "Percent", "valueMin": "0", "valueMax": "100",
             "requiredValue": "40"},
            {"id": "urn:c", "name": "Project", "resultType": "RubricCriterionLevel",
             "rubricCriterionLevel": [{"id": "urn:l1", "name": "Novice"}, {"id": "urn:l2", "name": "Competent"}],
             "requiredLevel": "urn:l2"}
        ]});
        let scale = |r: Value| grading_scale(Lang::En, &r, Some(&achievement));
        assert_eq!(
            scale(serde_json::json!({"resultDescription": "urn:a", "value": "B"})).as_deref(),
            Some("Final grade (letter grade): F, C, B, A; pass mark C")
        );
        assert_eq!(
            scale(serde_json::json!({"resultDescription": "urn:b", "value": "72"})).as_deref(),
            Some("Exam (percent): from 0 to 100; pass mark 40")
        );
        assert_eq!(
            scale(serde_json::json!({"resultDescription": "urn:c"})).as_deref(),
            Some("Project (rubric criterion level): Novice, Competent; pass level Competent")
        );
        // A description it does not name, or one of several without a link: none.
        assert_eq!(
            scale(serde_json::json!({"resultDescription": "urn:z"})),
            None
        );
        assert_eq!(scale(serde_json::json!({"value": "B"})), None);
        assert_eq!(duration_words(Lang::En, "P5Y"), "5 years");
        assert_eq!(duration_words(Lang::En, "P1M"), "1 month");
        assert_eq!(duration_words(Lang::Fr, "P5Y"), "5 ans");
        assert_eq!(duration_words(Lang::Es, "P1M"), "1 mes");
        assert_eq!(duration_words(Lang::En, "P1Y6M"), "P1Y6M");
    }

    #[test]
    fn facts_in_the_order_of_a_transcript() {
        let doc: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../keys-example/micro-credential.unsigned.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let report = Verifier::new().verify(&doc).unwrap();
        let html = transcript(&doc, &report);
        let at = |needle: &str| {
            assert!(html.contains(needle), "{needle} missing: {html}");
            html.find(needle).unwrap_or_default()
        };
        let order = [
            "<dt>Learner</dt><dd>Ana Andromeda",
            "<dt>Country</dt>",
            "<dt>Awarding body</dt>",
            "<dt>Field of study</dt>",
            "<dt>Awarded</dt>",
            "<dt>ECTS credits</dt>",
            "<dt>EQF level</dt>",
            "<h3>Learning outcomes</h3>",
            "<dt>Form of participation</dt>",
            "<dt>Assessment</dt>",
            "<dt>Quality assurance</dt>",
            "<dt>Prerequisites</dt>",
            "<dt>Grade</dt><dd>B+</dd>",
            "<dt>Grading scale</dt><dd>Final grade (letter grade): F, D, C, C+, B, B+, A; pass mark C</dd>",
            "<dt>Stacks towards</dt>",
            "<dt>Valid until</dt>",
            "<dt>Validity period</dt><dd>5 years</dd>",
            "<dt>Further information</dt>",
        ];
        for pair in order.windows(2) {
            assert!(at(pair[0]) < at(pair[1]), "{} after {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn a_french_transcript_has_no_english_words_of_its_own() {
        let mut doc: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../keys-example/micro-credential.unsigned.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let report = Verifier::new().verify(&doc).unwrap();
        let page = page_in(
            Lang::Fr,
            &[("c.json", &doc, &report), ("d.json", &doc, &report)],
            None,
        );
        assert!(page.contains("<html lang=\"fr\">"), "{page}");
        assert!(
            page.contains("<title>Relevé de vérification : 2 documents</title>"),
            "{page}"
        );
        assert!(page.contains("NON SIGNÉE"), "{page}");
        // What is left once the English technical messages and the credential's
        // own text are taken out holds none of the catalogue's English messages.
        let mut ours = page.clone();
        while let Some(start) = ours.find("<span lang=\"en\">") {
            let end = ours[start..]
                .find("</span>")
                .map_or(ours.len(), |e| start + e + 7);
            ours.replace_range(start..end, "");
        }
        for &m in Msg::ALL {
            let (en, fr) = (i18n::text(Lang::En, m), i18n::text(Lang::Fr, m));
            let fixed = en.split('{').next().unwrap_or_default().trim();
            // Single words may be the credential's own ("micro-credential").
            if fixed.contains(' ') && en != fr && !fr.contains(fixed) {
                assert!(!ours.contains(&escape(fixed)), "{m:?} in English: {fixed}");
            }
        }
        // The language the credential states, in the reader's words.
        doc["inLanguage"] = "fr-FR".into();
        let html = transcript_in(Lang::Es, &doc, &report);
        assert!(
            html.contains("<dt>Idioma de la credencial</dt><dd>francés (fr-FR)</dd>"),
            "{html}"
        );
        let tagged = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "name": [{"@value": "Cours", "@language": "fr"}, {"@value": "Curso", "@language": "es"}],
            "issuer": "did:example:i",
            "credentialSubject": {"id": "did:example:s"}
        });
        let html = transcript_in(Lang::En, &tagged, &report);
        assert!(
            html.contains("<dt>Language of the credential</dt><dd>French (fr), Spanish (es)</dd>"),
            "{html}"
        );
    }

    #[test]
    fn escapes_everything_from_the_credential() {
        let doc = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "name": "<script>alert('x')</script>",
            "issuer": {"id": "did:example:\"><img>", "name": "A & B"},
            "credentialSubject": {"id": "did:example:s", "name": "<b>Eve</b>"}
        });
        let report = Verifier::new().verify(&doc).unwrap();
        let html = transcript(&doc, &report);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img>"), "{html}");
        assert!(!html.contains("<b>Eve"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)"), "{html}");
        assert!(html.contains("A &amp; B"), "{html}");
        // Unsigned: a failed proof, shown as a cross with its reason.
        assert!(html.contains("mc-invalid"), "{html}");
        assert!(
            html.contains("<li class=\"mc-fail\" data-check=\"proof\">"),
            "{html}"
        );
        let page = page(&[("in<.json", &doc, &report)]);
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("in&lt;.json"));
        assert!(
            !page.contains("http://") && !page.contains("https://w"),
            "no external resources"
        );
    }
}
