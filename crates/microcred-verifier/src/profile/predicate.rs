//! Predicates: what a rule requires of the values its paths select.
//!
//! Every predicate answers `Ok(())` or `Err(reason)`, the reason naming the
//! location and the value that made it fail. Leaf predicates fail when their
//! path selects nothing ("absent") as well as when a value is wrong
//! ("malformed"); a rule's `absent` setting is what turns absence into an
//! info, a warning or a pass.

use std::borrow::Cow;
use std::fmt;

use microcred_core::datetime;
use regex::Regex;
use serde_json::Value;

use super::duration::{self, IsoDuration};
use super::path::{Env, Path, Sel, json_eq, kind, number_value, show, show_at};

/// Most reasons reported for one failure before the rest are counted.
const MAX_REASONS: usize = 4;

/// A compiled predicate.
#[derive(Debug, Clone)]
pub(crate) enum Pred {
    Exists(Path),
    NonEmpty(Path),
    Type(Path, JsonType),
    Matches(Path, Regex),
    Range(Path, Range),
    IntegerIn {
        path: Path,
        values: Vec<i64>,
        strings: bool,
    },
    Enum(Path, Members),
    Equals(Path, Expected),
    Contains(Path, Value),
    MinItems(Path, usize),
    DateTime(Path),
    Duration {
        path: Path,
        hours: bool,
    },
    Compare(Box<Compare>),
    Every(Path, Box<Pred>),
    SomeElement(Path, Box<Pred>),
    AllOf(Vec<Pred>),
    AnyOf(Vec<Pred>),
    Not(Box<Pred>),
    Implies {
        cond: Box<Pred>,
        then: Box<Pred>,
        otherwise: Option<Box<Pred>>,
    },
}

/// JSON types for the `type` predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
}

impl JsonType {
    pub(crate) const NAMES: &'static [(&'static str, JsonType)] = &[
        ("string", JsonType::String),
        ("number", JsonType::Number),
        ("integer", JsonType::Integer),
        ("boolean", JsonType::Boolean),
        ("object", JsonType::Object),
        ("array", JsonType::Array),
    ];

    fn name(self) -> &'static str {
        JsonType::NAMES
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("?", |(n, _)| n)
    }

    fn accepts(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Number => v.is_number(),
            JsonType::Integer => v.as_f64().is_some_and(|x| x.fract() == 0.0),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
        }
    }
}

/// Bounds of the `range` predicate.
#[derive(Debug, Clone, Default)]
pub(crate) struct Range {
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) min_exclusive: Option<f64>,
    pub(crate) max_exclusive: Option<f64>,
    pub(crate) integer: bool,
    pub(crate) strings: bool,
}

/// The allowed values of an `enum`.
#[derive(Debug, Clone)]
pub(crate) enum Members {
    Values(Vec<Value>),
    /// A built-in code list: its name and its text (one code a line, `#` comments).
    List(String, &'static str),
    /// The values another path selects.
    At(Path),
}

/// What `equals` compares with.
#[derive(Debug, Clone)]
pub(crate) enum Expected {
    Value(Value),
    /// Literal text with `{path}` holes, each filled with a single scalar value.
    Template(String, Vec<TemplatePart>),
}

#[derive(Debug, Clone)]
pub(crate) enum TemplatePart {
    Text(String),
    Hole(Path),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
}

impl Op {
    pub(crate) const NAMES: &'static [(&'static str, Op)] = &[
        ("<", Op::Lt),
        ("<=", Op::Le),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        (">=", Op::Ge),
        (">", Op::Gt),
    ];

    /// "left … right" when the comparison fails.
    fn negated(self) -> &'static str {
        match self {
            Op::Lt => "is not less than",
            Op::Le => "is not ≤",
            Op::Eq => "does not equal",
            Op::Ne => "equals",
            Op::Ge => "is not ≥",
            Op::Gt => "is not greater than",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Eq => "=",
            Op::Ne => "≠",
            Op::Ge => "≥",
            Op::Gt => ">",
        }
    }
}

/// Tolerance of a comparison: a number, or a fixed duration for date-times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tolerance {
    Number(f64),
    Duration(time::Duration),
}

/// `left op factor × right (+ plus) ± tolerance`.
#[derive(Debug, Clone)]
pub(crate) struct Compare {
    pub(crate) left: Path,
    pub(crate) op: Op,
    pub(crate) right: Path,
    pub(crate) factor: f64,
    pub(crate) plus: Option<Path>,
    pub(crate) tolerance: Option<(String, Tolerance)>,
    pub(crate) strings: bool,
}

type Outcome = Result<(), String>;

fn join(mut reasons: Vec<String>) -> String {
    // Two checks failing for the same underlying reason say it once.
    let mut seen = Vec::with_capacity(reasons.len());
    reasons.retain(|r| {
        let new = !seen.contains(r);
        if new {
            seen.push(r.clone());
        }
        new
    });
    if reasons.len() > MAX_REASONS {
        let more = reasons.len() - MAX_REASONS;
        reasons.truncate(MAX_REASONS);
        reasons.push(format!("and {more} more"));
    }
    reasons.join("; ")
}

/// Applies `test` to every value `path` selects: fails when nothing is
/// selected, on missing or malformed selections, and on values that fail.
fn each(path: &Path, env: &Env<'_>, mut test: impl FnMut(&Value) -> Outcome) -> Outcome {
    let sels = path.resolve(env);
    if sels.is_empty() {
        return Err(format!("nothing at {path}"));
    }
    let mut reasons = Vec::new();
    for sel in &sels {
        match sel {
            Sel::Missing { at } => reasons.push(format!("{} is absent", show_at(at))),
            Sel::Malformed { at, why, .. } => reasons.push(format!("{} {why}", show_at(at))),
            Sel::Value { at, value } => {
                if let Err(why) = test(value) {
                    reasons.push(format!("{}: {why}", show_at(at)));
                }
            }
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(join(reasons))
    }
}

/// The values a path selects, for predicates that need all of them at once.
fn all_values<'a>(path: &Path, env: &Env<'a>) -> Result<Vec<(String, Cow<'a, Value>)>, String> {
    let sels = path.resolve(env);
    if sels.is_empty() {
        return Err(format!("nothing at {path}"));
    }
    let mut out = Vec::with_capacity(sels.len());
    for sel in sels {
        match sel {
            Sel::Value { at, value } => out.push((at, value)),
            Sel::Missing { at } => return Err(format!("{} is absent", show_at(&at))),
            Sel::Malformed { at, why, .. } => return Err(format!("{} {why}", show_at(&at))),
        }
    }
    Ok(out)
}

fn number(v: &Value, strings: bool) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number")),
        Value::String(s) if strings && is_decimal(s) => s
            .parse()
            .map_err(|_| format!("{} is not a number", show(v))),
        _ => Err(format!(
            "{} is {}, not a number{}",
            show(v),
            kind(v),
            if strings { " or a decimal string" } else { "" }
        )),
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn fmt_num(x: f64) -> String {
    number_value(x).to_string()
}

impl Range {
    fn check(&self, v: &Value) -> Outcome {
        let x = number(v, self.strings)?;
        if self.integer && x.fract() != 0.0 {
            return Err(format!("{} is not an integer", show(v)));
        }
        let below = |bound: f64, ok: bool, word: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("{} is {word} {}", show(v), fmt_num(bound)))
            }
        };
        if let Some(min) = self.min {
            below(min, x >= min, "less than")?;
        }
        if let Some(min) = self.min_exclusive {
            below(min, x > min, "not more than")?;
        }
        if let Some(max) = self.max {
            below(max, x <= max, "more than")?;
        }
        if let Some(max) = self.max_exclusive {
            below(max, x < max, "not less than")?;
        }
        Ok(())
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.min_exclusive) {
            (Some(m), _) => write!(f, "{} ≤ ", fmt_num(m))?,
            (_, Some(m)) => write!(f, "{} < ", fmt_num(m))?,
            _ => {}
        }
        f.write_str(if self.integer { "integer" } else { "value" })?;
        match (self.max, self.max_exclusive) {
            (Some(m), _) => write!(f, " ≤ {}", fmt_num(m)),
            (_, Some(m)) => write!(f, " < {}", fmt_num(m)),
            _ => Ok(()),
        }
    }
}

fn in_list(list: &str, code: &str) -> bool {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .any(|l| !l.is_empty() && l == code)
}

impl Compare {
    fn eval(&self, env: &Env<'_>) -> Outcome {
        let lefts = all_values(&self.left, env)?;
        let rights = all_values(&self.right, env)?;
        let plus = match &self.plus {
            None => None,
            Some(p) => {
                let values = all_values(p, env)?;
                let [(at, v)] = values.as_slice() else {
                    return Err(format!("{p} has {} values, not one", values.len()));
                };
                let Some(text) = v.as_str() else {
                    return Err(format!("{at} is {}, not a duration", kind(v)));
                };
                Some((
                    text.to_owned(),
                    duration::parse(text).map_err(|e| format!("{at}: {e}"))?,
                ))
            }
        };
        let mut reasons = Vec::new();
        for (lat, l) in &lefts {
            for (rat, r) in &rights {
                if let Err(why) = self.one(l, r, plus.as_ref()) {
                    let mut rhs = format!("{} ({})", show_at(rat), show(r));
                    if self.factor != 1.0 {
                        rhs = format!("{} × {rhs}", fmt_num(self.factor));
                    }
                    if let Some((text, _)) = &plus {
                        rhs = format!("{rhs} + {text}");
                    }
                    if let Some((text, _)) = &self.tolerance {
                        rhs = format!("{rhs} ± {text}");
                    }
                    reasons.push(format!("{} = {} {why} {rhs}", show_at(lat), show(l)));
                }
            }
        }
        if reasons.is_empty() {
            Ok(())
        } else {
            Err(join(reasons))
        }
    }

    fn one(&self, l: &Value, r: &Value, plus: Option<&(String, IsoDuration)>) -> Outcome {
        let not = || self.op.negated().to_owned();
        if let (Ok(a), Ok(b)) = (number(l, self.strings), number(r, self.strings)) {
            let b = b * self.factor;
            let t = match self.tolerance {
                None => 0.0,
                Some((_, Tolerance::Number(t))) => t,
                Some((_, Tolerance::Duration(_))) => {
                    return Err("cannot be compared with a duration tolerance:".to_owned());
                }
            };
            let ok = match self.op {
                Op::Lt => a < b + t,
                Op::Le => a <= b + t,
                Op::Ge => a >= b - t,
                Op::Gt => a > b - t,
                Op::Eq => (a - b).abs() <= t,
                Op::Ne => (a - b).abs() > t,
            };
            return if ok { Ok(()) } else { Err(not()) };
        }
        let (Some(ls), Some(rs)) = (l.as_str(), r.as_str()) else {
            return Err(
                "cannot be compared (two numbers or two date-times are needed) with".to_owned(),
            );
        };
        let (Ok(a), Ok(mut b)) = (datetime::parse(ls), datetime::parse(rs)) else {
            return Err(
                "cannot be compared (two numbers or two RFC 3339 date-times are needed) with"
                    .to_owned(),
            );
        };
        if let Some((text, d)) = plus {
            b = d.add_to(b).ok_or_else(|| {
                format!("cannot be compared ({text} cannot be added to a date) with")
            })?;
        }
        let t = match self.tolerance {
            None => time::Duration::ZERO,
            Some((_, Tolerance::Duration(t))) => t,
            Some((_, Tolerance::Number(_))) => {
                return Err("cannot be compared with a numeric tolerance:".to_owned());
            }
        };
        // Checked: a tolerance can push a date past the year 9999.
        let out_of_range =
            || "cannot be compared (the tolerance leaves the calendar) with".to_owned();
        let ok = match self.op {
            Op::Lt => a < b.checked_add(t).ok_or_else(out_of_range)?,
            Op::Le => a <= b.checked_add(t).ok_or_else(out_of_range)?,
            Op::Ge => a >= b.checked_sub(t).ok_or_else(out_of_range)?,
            Op::Gt => a > b.checked_sub(t).ok_or_else(out_of_range)?,
            Op::Eq => (a - b).abs() <= t,
            Op::Ne => (a - b).abs() > t,
        };
        if ok { Ok(()) } else { Err(not()) }
    }
}

impl Pred {
    /// Evaluates the predicate.
    pub(crate) fn eval(&self, env: &Env<'_>) -> Outcome {
        match self {
            Pred::Exists(path) => {
                let sels = path.resolve(env);
                if sels.iter().any(|s| matches!(s, Sel::Value { .. })) {
                    return Ok(());
                }
                Err(
                    match sels.iter().find(|s| matches!(s, Sel::Malformed { .. })) {
                        Some(Sel::Malformed { at, why, .. }) => format!("{} {why}", show_at(at)),
                        _ => format!(
                            "{} is absent",
                            sels.first()
                                .map_or(path.to_string(), |s| show_at(s.at()).to_owned())
                        ),
                    },
                )
            }
            Pred::NonEmpty(path) => each(path, env, |v| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(()),
                Value::String(_) => Err("empty string".to_owned()),
                _ => Err(format!("{} is {}, not a string", show(v), kind(v))),
            }),
            Pred::Type(path, t) => each(path, env, |v| {
                if t.accepts(v) {
                    Ok(())
                } else {
                    Err(format!("{} is {}, not {}", show(v), kind(v), t.name()))
                }
            }),
            Pred::Matches(path, re) => each(path, env, |v| match v.as_str() {
                Some(s) if re.is_match(s) => Ok(()),
                Some(_) => Err(format!("{} does not match /{re}/", show(v))),
                None => Err(format!("{} is {}, not a string", show(v), kind(v))),
            }),
            Pred::Range(path, range) => each(path, env, |v| range.check(v)),
            Pred::IntegerIn {
                path,
                values,
                strings,
            } => each(path, env, |v| {
                let x = number(v, *strings)?;
                if x.fract() != 0.0 {
                    return Err(format!("{} is not an integer", show(v)));
                }
                if values.iter().any(|&n| n as f64 == x) {
                    Ok(())
                } else {
                    Err(format!("{} is not one of {}", show(v), list_ints(values)))
                }
            }),
            Pred::Enum(path, members) => {
                let allowed: Vec<Cow<'_, Value>> = match members {
                    Members::At(p) => p
                        .resolve(env)
                        .into_iter()
                        .filter_map(|s| match s {
                            Sel::Value { value, .. } => Some(value),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                each(path, env, |v| {
                    let ok = match members {
                        Members::Values(values) => values.iter().any(|a| json_eq(a, v)),
                        Members::List(_, text) => v.as_str().is_some_and(|s| in_list(text, s)),
                        Members::At(_) => allowed.iter().any(|a| json_eq(a, v)),
                    };
                    if ok {
                        Ok(())
                    } else {
                        Err(format!("{} is not {}", show(v), members))
                    }
                })
            }
            Pred::Equals(path, expected) => {
                let want = match expected {
                    Expected::Value(v) => Cow::Borrowed(v),
                    Expected::Template(_, parts) => Cow::Owned(Value::String(fill(parts, env)?)),
                };
                each(path, env, |v| {
                    if json_eq(v, &want) {
                        Ok(())
                    } else {
                        Err(format!("{} is not {}", show(v), show(&want)))
                    }
                })
            }
            Pred::Contains(path, want) => each(path, env, |v| {
                let ok = match v {
                    Value::Array(items) => items.iter().any(|i| json_eq(i, want)),
                    other => json_eq(other, want),
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{} does not contain {}", show(v), show(want)))
                }
            }),
            Pred::MinItems(path, min) => each(path, env, |v| match v {
                Value::Array(items) if items.len() >= *min => Ok(()),
                Value::Array(items) => {
                    Err(format!("has {} item(s), fewer than {min}", items.len()))
                }
                _ => Err(format!("{} is {}, not an array", show(v), kind(v))),
            }),
            Pred::DateTime(path) => each(path, env, |v| match v.as_str() {
                Some(s) => datetime::parse(s).map(|_| ()).map_err(|e| e.to_string()),
                None => Err(format!(
                    "{} is {}, not a date-time string",
                    show(v),
                    kind(v)
                )),
            }),
            Pred::Duration { path, hours } => each(path, env, |v| match v.as_str() {
                Some(s) => {
                    let d = duration::parse(s)?;
                    if *hours {
                        d.hours(s)?;
                    }
                    Ok(())
                }
                None => Err(format!("{} is {}, not a duration string", show(v), kind(v))),
            }),
            Pred::Compare(c) => c.eval(env),
            Pred::Every(path, check) => {
                let mut reasons = Vec::new();
                for sel in path.resolve(env) {
                    match sel {
                        Sel::Value { at, value } => {
                            let inner = Env {
                                focus: &value,
                                focus_at: &at,
                                ..*env
                            };
                            if let Err(why) = check.eval(&inner) {
                                reasons.push(why);
                            }
                        }
                        Sel::Malformed { at, why, .. } => {
                            reasons.push(format!("{} {why}", show_at(&at)));
                        }
                        Sel::Missing { .. } => {}
                    }
                }
                if reasons.is_empty() {
                    Ok(())
                } else {
                    Err(join(reasons))
                }
            }
            Pred::SomeElement(path, check) => {
                let mut reasons = Vec::new();
                for sel in path.resolve(env) {
                    if let Sel::Value { at, value } = sel {
                        let inner = Env {
                            focus: &value,
                            focus_at: &at,
                            ..*env
                        };
                        match check.eval(&inner) {
                            Ok(()) => return Ok(()),
                            Err(why) => reasons.push(why),
                        }
                    }
                }
                if reasons.is_empty() {
                    Err(format!("no element at {path}"))
                } else {
                    Err(format!("no element of {path} qualifies: {}", join(reasons)))
                }
            }
            Pred::AllOf(preds) => {
                let reasons: Vec<String> = preds.iter().filter_map(|p| p.eval(env).err()).collect();
                if reasons.is_empty() {
                    Ok(())
                } else {
                    Err(join(reasons))
                }
            }
            Pred::AnyOf(preds) => {
                let mut reasons = Vec::new();
                for p in preds {
                    match p.eval(env) {
                        Ok(()) => return Ok(()),
                        Err(why) => reasons.push(why),
                    }
                }
                Err(format!(
                    "none of the alternatives holds: {}",
                    reasons.join(" | ")
                ))
            }
            Pred::Not(inner) => match inner.eval(env) {
                Err(_) => Ok(()),
                Ok(()) => Err(match inner.as_ref() {
                    Pred::Exists(path) => format!("{path} is present"),
                    other => format!("{other} holds"),
                }),
            },
            Pred::Implies {
                cond,
                then,
                otherwise,
            } => {
                if cond.eval(env).is_ok() {
                    then.eval(env)
                } else if let Some(otherwise) = otherwise {
                    otherwise.eval(env)
                } else {
                    Ok(())
                }
            }
        }
    }
}

fn fill(parts: &[TemplatePart], env: &Env<'_>) -> Result<String, String> {
    let mut out = String::new();
    for part in parts {
        match part {
            TemplatePart::Text(t) => out.push_str(t),
            TemplatePart::Hole(path) => {
                let values = all_values(path, env)?;
                match values.as_slice() {
                    [(_, v)] => match v.as_ref() {
                        Value::String(s) => out.push_str(s),
                        Value::Number(n) => out.push_str(&n.to_string()),
                        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                        other => {
                            return Err(format!("{path} is {}, not a scalar", kind(other)));
                        }
                    },
                    _ => return Err(format!("{path} has {} values, not one", values.len())),
                }
            }
        }
    }
    Ok(out)
}

fn list_ints(values: &[i64]) -> String {
    values
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Members {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Members::Values(values) => {
                let shown: Vec<String> = values.iter().map(show).collect();
                write!(f, "one of {}", shown.join(", "))
            }
            Members::List(name, _) => write!(f, "in the {name} code list"),
            Members::At(path) => write!(f, "one of the values at {path}"),
        }
    }
}

fn list(f: &mut fmt::Formatter<'_>, name: &str, preds: &[Pred]) -> fmt::Result {
    write!(f, "{name}(")?;
    for (i, p) in preds.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{p}")?;
    }
    f.write_str(")")
}

impl fmt::Display for Pred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pred::Exists(p) => write!(f, "exists({p})"),
            Pred::NonEmpty(p) => write!(f, "nonEmpty({p})"),
            Pred::Type(p, t) => write!(f, "type({p}, {})", t.name()),
            Pred::Matches(p, re) => write!(f, "matches({p}, /{re}/)"),
            Pred::Range(p, r) => write!(f, "range({p}: {r})"),
            Pred::IntegerIn { path, values, .. } => {
                write!(f, "integerIn({path}, [{}])", list_ints(values))
            }
            Pred::Enum(p, m) => write!(f, "enum({p} {m})"),
            Pred::Equals(p, Expected::Value(v)) => write!(f, "equals({p}, {})", show(v)),
            Pred::Equals(p, Expected::Template(t, _)) => write!(f, "equals({p}, \"{t}\")"),
            Pred::Contains(p, v) => write!(f, "contains({p}, {})", show(v)),
            Pred::MinItems(p, n) => write!(f, "minItems({p}, {n})"),
            Pred::DateTime(p) => write!(f, "dateTime({p})"),
            Pred::Duration { path, .. } => write!(f, "duration({path})"),
            Pred::Compare(c) => {
                write!(f, "compare({} {} ", c.left, c.op.symbol())?;
                if c.factor != 1.0 {
                    write!(f, "{} × ", fmt_num(c.factor))?;
                }
                write!(f, "{}", c.right)?;
                if let Some(p) = &c.plus {
                    write!(f, " + {p}")?;
                }
                if let Some((t, _)) = &c.tolerance {
                    write!(f, " ± {t}")?;
                }
                f.write_str(")")
            }
            Pred::Every(p, c) => write!(f, "every({p}: {c})"),
            Pred::SomeElement(p, c) => write!(f, "some({p}: {c})"),
            Pred::AllOf(ps) => list(f, "allOf", ps),
            Pred::AnyOf(ps) => list(f, "anyOf", ps),
            Pred::Not(p) => write!(f, "not({p})"),
            Pred::Implies {
                cond,
                then,
                otherwise,
            } => {
                write!(f, "if {cond} then {then}")?;
                if let Some(o) = otherwise {
                    write!(f, " else {o}")?;
                }
                Ok(())
            }
        }
    }
}
