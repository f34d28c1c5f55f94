//! The path syntax rules use to point into a credential, and its evaluation.
//!
//! ```text
//! credentialSubject.achievement.name          members, from the focus (the credential at the top)
//! $.credentialSubject.id                       `$` = the credential, wherever the path is used
//! @  /  @.description                          `@` = the focus (inside `every`/`some`: the element)
//! alignment[*]  alignment[0]                   every element / one element of an array
//! creditPoints[framework=ECTS].points          the elements whose member equals a literal
//! resultDescription[id=@.resultDescription]    … or equals the (single) value of another path
//! ["@context"]  ["a.b"]                        a member whose name needs quoting
//! hours(credentialSubject.achievement.microCredential)   derived: the workload in hours
//! durationHours(….workload.volumeOfLearning)             derived: an ISO 8601 duration in hours
//! now()                                        the verification time, as an RFC 3339 string
//! ```

use std::borrow::Cow;
use std::fmt;

use serde_json::{Number, Value};
use time::OffsetDateTime;

use super::duration;

/// Deepest nesting of paths inside functions and filters.
const MAX_DEPTH: usize = 8;

/// A compiled path; displays as the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    text: String,
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Steps { root: bool, steps: Vec<Step> },
    Call { func: Func, arg: Option<Box<Path>> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Hours,
    DurationHours,
    Now,
}

const FUNCS: &[(&str, Func, bool)] = &[
    ("hours", Func::Hours, true),
    ("durationHours", Func::DurationHours, true),
    ("now", Func::Now, false),
];

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Member(String),
    Index(usize),
    Each,
    Filter { key: String, value: FilterValue },
}

#[derive(Debug, Clone, PartialEq)]
enum FilterValue {
    Literal(String),
    Path(Box<Path>),
}

/// Why a path does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathError {
    /// Byte offset in the path text.
    pub(crate) position: usize,
    /// What is wrong there.
    pub(crate) problem: String,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Path {
    /// Parses a path.
    pub(crate) fn parse(text: &str) -> Result<Path, PathError> {
        let mut p = Parser { s: text, pos: 0 };
        let path = p.path(0)?;
        if p.pos < text.len() {
            return Err(p.err(format!("unexpected {:?}", p.rest())));
        }
        Ok(path)
    }

    /// The focus itself (`@`).
    pub(crate) fn focus() -> Path {
        Path {
            text: "@".to_owned(),
            expr: Expr::Steps {
                root: false,
                steps: Vec::new(),
            },
        }
    }
}

struct Parser<'s> {
    s: &'s str,
    pos: usize,
}

fn is_name_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '.' | '[' | ']' | '(' | ')' | '=' | '"' | ','))
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), PathError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(match self.peek() {
                Some(found) => format!("expected {c:?}, found {found:?}"),
                None => format!("expected {c:?} before the end"),
            }))
        }
    }

    fn err(&self, problem: impl Into<String>) -> PathError {
        PathError {
            position: self.pos,
            problem: problem.into(),
        }
    }

    /// `@` or `$` standing alone (not the start of a member name like `@context`).
    fn anchor(&mut self, c: char) -> bool {
        let mut chars = self.rest().chars();
        if chars.next() == Some(c) && !chars.next().is_some_and(is_name_char) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn name(&mut self) -> Result<String, PathError> {
        let len: usize = self
            .rest()
            .chars()
            .take_while(|&c| is_name_char(c))
            .map(char::len_utf8)
            .sum();
        if len == 0 {
            return Err(self.err(match self.peek() {
                Some(c) => format!("expected a member name, found {c:?}"),
                None => "expected a member name before the end".to_owned(),
            }));
        }
        let name = self.rest()[..len].to_owned();
        self.pos += len;
        Ok(name)
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated quoted name")),
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\')) => {
                            out.push(c);
                            self.pos += 1;
                        }
                        _ => return Err(self.err("only \\\" and \\\\ escapes are allowed")),
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn path(&mut self, depth: usize) -> Result<Path, PathError> {
        if depth > MAX_DEPTH {
            return Err(self.err("paths nested too deeply"));
        }
        let start = self.pos;
        let expr = self.expr(depth)?;
        Ok(Path {
            text: self.s[start..self.pos].to_owned(),
            expr,
        })
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, PathError> {
        for &(name, func, takes_arg) in FUNCS {
            if self
                .rest()
                .strip_prefix(name)
                .is_some_and(|r| r.starts_with('('))
            {
                self.pos += name.len() + 1;
                let arg = if takes_arg {
                    Some(Box::new(self.path(depth + 1)?))
                } else {
                    None
                };
                self.expect(')')?;
                return Ok(Expr::Call { func, arg });
            }
        }
        let mut steps = Vec::new();
        let root = if self.anchor('$') {
            true
        } else if self.anchor('@') {
            false
        } else {
            // A relative path starts with a member name or a bracket.
            if self.peek() != Some('[') {
                steps.push(Step::Member(self.name()?));
            }
            false
        };
        loop {
            if self.eat('.') {
                steps.push(Step::Member(self.name()?));
            } else if self.eat('[') {
                steps.push(self.bracket(depth)?);
            } else {
                break;
            }
        }
        Ok(Expr::Steps { root, steps })
    }

    fn bracket(&mut self, depth: usize) -> Result<Step, PathError> {
        let step = if self.eat('*') {
            Step::Each
        } else if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let len = self.rest().chars().take_while(char::is_ascii_digit).count();
            let digits = &self.rest()[..len];
            let index = digits
                .parse()
                .map_err(|_| self.err(format!("index {digits} is too large")))?;
            self.pos += len;
            Step::Index(index)
        } else if self.peek() == Some('"') {
            Step::Member(self.quoted()?)
        } else {
            let key = self.name()?;
            self.expect('=')?;
            let value = if self.peek() == Some('"') {
                FilterValue::Literal(self.quoted()?)
            } else if self.rest().starts_with(['@', '$'])
                && !self.rest().chars().nth(1).is_some_and(is_name_char)
            {
                FilterValue::Path(Box::new(self.path(depth + 1)?))
            } else {
                let len = self.rest().find(']').unwrap_or(self.rest().len());
                let literal = self.rest()[..len].trim().to_owned();
                if literal.is_empty() {
                    return Err(self.err("empty filter value (quote it: [key=\"\"])"));
                }
                self.pos += len;
                FilterValue::Literal(literal)
            };
            Step::Filter { key, value }
        };
        self.expect(']')?;
        Ok(step)
    }
}

/// One thing a path selects.
#[derive(Debug, Clone)]
pub(crate) enum Sel<'a> {
    /// A value, at a concrete location (`alignment[2].targetCode`).
    Value { at: String, value: Cow<'a, Value> },
    /// Nothing there (a missing member, an index past the end).
    Missing { at: String },
    /// Something there that the path cannot go through or a function cannot
    /// use (a member of a string, `hours()` of `P60M`): present but malformed.
    Malformed {
        at: String,
        value: Cow<'a, Value>,
        why: String,
    },
}

impl Sel<'_> {
    pub(crate) fn at(&self) -> &str {
        match self {
            Sel::Value { at, .. } | Sel::Missing { at } | Sel::Malformed { at, .. } => at,
        }
    }
}

/// Where a predicate is evaluated: the credential, the current focus, the time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    pub(crate) root: &'a Value,
    pub(crate) focus: &'a Value,
    pub(crate) focus_at: &'a str,
    pub(crate) now: OffsetDateTime,
}

/// `at` rendered for messages: the document itself has an empty location.
pub(crate) fn show_at(at: &str) -> &str {
    if at.is_empty() { "(document)" } else { at }
}

fn member_at(at: &str, name: &str) -> String {
    if name.chars().all(is_name_char) && !name.is_empty() {
        if at.is_empty() {
            name.to_owned()
        } else {
            format!("{at}.{name}")
        }
    } else {
        format!("{at}[{}]", Value::String(name.to_owned()))
    }
}

/// A short description of a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// JSON equality with numbers compared by value (`5` equals `5.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A number as JSON: integral values as integers, so that messages read `125`, not `125.0`.
pub(crate) fn number_value(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        Value::from(x as i64)
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

impl Path {
    /// Everything the path selects from `env`.
    pub(crate) fn resolve<'a>(&self, env: &Env<'a>) -> Vec<Sel<'a>> {
        match &self.expr {
            Expr::Steps { root, steps } => {
                let start = if *root {
                    Sel::Value {
                        at: String::new(),
                        value: Cow::Borrowed(env.root),
                    }
                } else {
                    Sel::Value {
                        at: env.focus_at.to_owned(),
                        value: Cow::Borrowed(env.focus),
                    }
                };
                let mut current = vec![start];
                for step in steps {
                    let mut next = Vec::with_capacity(current.len());
                    for sel in current {
                        apply(step, sel, env, &mut next);
                    }
                    current = next;
                }
                current
            }
            Expr::Call { func, arg } => {
                let args = arg.as_ref().map(|a| a.resolve(env)).unwrap_or_default();
                match func {
                    Func::Now => vec![Sel::Value {
                        at: "now()".to_owned(),
                        value: Cow::Owned(Value::String(microcred_core::datetime::format(env.now))),
                    }],
                    Func::Hours => args.into_iter().map(workload_hours).collect(),
                    Func::DurationHours => args.into_iter().map(duration_hours).collect(),
                }
            }
        }
    }
}

fn apply<'a>(step: &Step, sel: Sel<'a>, env: &Env<'a>, out: &mut Vec<Sel<'a>>) {
    let (at, value) = match sel {
        Sel::Missing { at } => {
            let at = match step {
                Step::Member(name) => member_at(&at, name),
                Step::Index(i) => format!("{at}[{i}]"),
                Step::Each => format!("{at}[*]"),
                Step::Filter { .. } => format!("{at}[…]"),
            };
            out.push(Sel::Missing { at });
            return;
        }
        malformed @ Sel::Malformed { .. } => {
            out.push(malformed);
            return;
        }
        Sel::Value { at, value } => (at, value),
    };
    let v: &'a Value = match value {
        Cow::Borrowed(v) => v,
        // Derived values are scalars: nothing to step into.
        Cow::Owned(owned) => {
            let why = format!("is {}, not an object or array", kind(&owned));
            out.push(Sel::Malformed {
                at,
                value: Cow::Owned(owned),
                why,
            });
            return;
        }
    };
    let malformed = |at: String, expected: &str| Sel::Malformed {
        why: format!("is {}, not {expected}", kind(v)),
        at,
        value: Cow::Borrowed(v),
    };
    match step {
        Step::Member(name) => match v {
            Value::Object(map) => {
                let at = member_at(&at, name);
                out.push(match map.get(name) {
                    Some(child) => Sel::Value {
                        at,
                        value: Cow::Borrowed(child),
                    },
                    None => Sel::Missing { at },
                });
            }
            _ => out.push(malformed(at, "an object")),
        },
        Step::Index(i) => match v {
            Value::Array(items) => {
                let at = format!("{at}[{i}]");
                out.push(match items.get(*i) {
                    Some(child) => Sel::Value {
                        at,
                        value: Cow::Borrowed(child),
                    },
                    None => Sel::Missing { at },
                });
            }
            _ => out.push(malformed(at, "an array")),
        },
        Step::Each | Step::Filter { .. } => match v {
            Value::Array(items) => {
                let wanted = match step {
                    Step::Filter { key, value } => Some((key, filter_target(value, env))),
                    _ => None,
                };
                for (i, item) in items.iter().enumerate() {
                    let keep = match &wanted {
                        None => true,
                        Some((key, target)) => item
                            .get(key.as_str())
                            .is_some_and(|field| filter_matches(field, target)),
                    };
                    if keep {
                        out.push(Sel::Value {
                            at: format!("{at}[{i}]"),
                            value: Cow::Borrowed(item),
                        });
                    }
                }
            }
            _ => out.push(malformed(at, "an array")),
        },
    }
}

/// What a filter compares against: a literal, or the single value of a path
/// (`None` when that path does not give exactly one value: nothing matches).
enum Target<'a> {
    Literal(&'a str),
    Value(Option<Cow<'a, Value>>),
}

fn filter_target<'s, 'a: 's>(value: &'s FilterValue, env: &Env<'a>) -> Target<'s> {
    match value {
        FilterValue::Literal(s) => Target::Literal(s),
        FilterValue::Path(p) => {
            let mut sels = p.resolve(env);
            Target::Value(match (sels.pop(), sels.is_empty()) {
                (Some(Sel::Value { value, .. }), true) => Some(value),
                _ => None,
            })
        }
    }
}

fn filter_matches(field: &Value, target: &Target<'_>) -> bool {
    match target {
        Target::Literal(lit) => match field {
            Value::String(s) => s == lit,
            Value::Number(n) => lit.parse::<f64>().ok() == n.as_f64(),
            Value::Bool(b) => *lit == if *b { "true" } else { "false" },
            _ => false,
        },
        Target::Value(Some(v)) => json_eq(field, v),
        Target::Value(None) => false,
    }
}

/// `hours(M)`: `M.workload.hours`, else `M.workload.volumeOfLearning` in hours.
fn workload_hours(sel: Sel<'_>) -> Sel<'_> {
    let (at, value) = match sel {
        Sel::Value { at, value } => (at, value),
        Sel::Missing { at } => {
            return Sel::Missing {
                at: format!("{at}.workload"),
            };
        }
        malformed => return malformed,
    };
    let Cow::Borrowed(m) = value else {
        return Sel::Malformed {
            why: "is not a micro-credential object".to_owned(),
            at,
            value,
        };
    };
    let Some(m_obj) = m.as_object() else {
        return Sel::Malformed {
            why: format!("is {}, not an object", kind(m)),
            at,
            value: Cow::Borrowed(m),
        };
    };
    let workload_at = member_at(&at, "workload");
    let workload = match m_obj.get("workload") {
        None => return Sel::Missing { at: workload_at },
        Some(w @ Value::Object(_)) => w,
        Some(w) => {
            return Sel::Malformed {
                why: format!("is {}, not an object", kind(w)),
                at: workload_at,
                value: Cow::Borrowed(w),
            };
        }
    };
    let hours_at = member_at(&workload_at, "hours");
    match workload.get("hours") {
        Some(h) => {
            if h.as_f64().is_some_and(|x| x >= 0.0) {
                Sel::Value {
                    at: hours_at,
                    value: Cow::Borrowed(h),
                }
            } else {
                Sel::Malformed {
                    why: format!("is {}, not a number of hours ≥ 0", show(h)),
                    at: hours_at,
                    value: Cow::Borrowed(h),
                }
            }
        }
        None => match workload.get("volumeOfLearning") {
            None => Sel::Missing { at: hours_at },
            Some(v) => duration_hours(Sel::Value {
                at: member_at(&workload_at, "volumeOfLearning"),
                value: Cow::Borrowed(v),
            }),
        },
    }
}

/// An ISO 8601 duration string, in hours.
fn duration_hours(sel: Sel<'_>) -> Sel<'_> {
    let (at, value) = match sel {
        Sel::Value { at, value } => (at, value),
        other => return other,
    };
    let hours = match value.as_ref() {
        Value::String(s) => duration::parse(s).and_then(|d| d.hours(s)),
        other => Err(format!("is {}, not an ISO 8601 duration", kind(other))),
    };
    match hours {
        Ok(h) => Sel::Value {
            at,
            value: Cow::Owned(number_value(h)),
        },
        Err(why) => Sel::Malformed { at, value, why },
    }
}

/// A value for messages: JSON, shortened.
pub(crate) fn show(v: &Value) -> String {
    const MAX: usize = 80;
    let text = v.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// The value(s) a rule reports as found: `None` when nothing is there.
pub(crate) fn found(sels: &[Sel<'_>]) -> Option<Value> {
    let mut values: Vec<Value> = sels
        .iter()
        .filter_map(|s| match s {
            Sel::Value { value, .. } | Sel::Malformed { value, .. } => {
                Some(value.clone().into_owned())
            }
            Sel::Missing { .. } => None,
        })
        .collect();
    match values.len() {
        0 => None,
        1 => values.pop(),
        _ => Some(Value::Array(values)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(doc: &Value) -> Env<'_> {
        Env {
            root: doc,
            focus: doc,
            focus_at: "",
            now: time::macros::datetime!(2025-06-01 00:00 UTC),
        }
    }

    fn values(path: &str, doc: &Value) -> Vec<(String, Value)> {
        Path::parse(path)
            .unwrap()
            .resolve(&env(doc))
            .into_iter()
            .map(|s| match s {
                Sel::Value { at, value } => (at, value.into_owned()),
                Sel::Missing { at } => (at, json!("<missing>")),
                Sel::Malformed { at, .. } => (at, json!("<malformed>")),
            })
            .collect()
    }

    #[test]
    fn members_arrays_filters() {
        let doc = json!({
            "@context": ["a", "b"],
            "m": {"cp": [{"f": "ECTS", "p": 5}, {"f": "UK-CATS", "p": 10}, {"f": "ECTS", "p": 1}]},
            "odd.name": 1, "n": 3
        });
        assert_eq!(
            values("@context[1]", &doc),
            [("@context[1]".into(), json!("b"))]
        );
        assert_eq!(values("[\"@context\"][0]", &doc)[0].1, json!("a"));
        assert_eq!(
            values("m.cp[f=ECTS].p", &doc),
            [
                ("m.cp[0].p".into(), json!(5)),
                ("m.cp[2].p".into(), json!(1))
            ]
        );
        assert_eq!(values("m.cp[f=\"UK-CATS\"].p", &doc)[0].1, json!(10));
        assert_eq!(values("m.cp[p=10].f", &doc)[0].1, json!("UK-CATS"));
        assert_eq!(values("m.cp[*]", &doc).len(), 3);
        assert_eq!(
            values("$[\"odd.name\"]", &doc)[0],
            ("[\"odd.name\"]".into(), json!(1))
        );
        assert_eq!(values("m.cp[p=$.n].f", &doc), []);
        assert_eq!(
            values("m.cp[p=@.n].f", &json!({"n": 5, "m": doc["m"]}))[0].1,
            json!("ECTS")
        );
        // Missing vs malformed.
        assert_eq!(
            values("m.nope.x", &doc)[0],
            ("m.nope.x".into(), json!("<missing>"))
        );
        assert_eq!(values("m.cp[7]", &doc)[0].1, json!("<missing>"));
        assert_eq!(values("n.x", &doc)[0].1, json!("<malformed>"));
        assert_eq!(values("m[*]", &doc)[0].1, json!("<malformed>"));
        assert_eq!(values("@", &doc)[0].1, doc);
        assert_eq!(values("now()", &doc)[0].1, json!("2025-06-01T00:00:00Z"));
    }

    #[test]
    fn derived_hours() {
        let h = |w: Value| {
            values("hours(m)", &json!({"m": {"workload": w}}))[0]
                .1
                .clone()
        };
        assert_eq!(
            h(json!({"hours": 125, "volumeOfLearning": "PT1H"})),
            json!(125)
        );
        assert_eq!(h(json!({"volumeOfLearning": "PT125H"})), json!(125));
        assert_eq!(h(json!({"volumeOfLearning": "P5DT5H"})), json!(125));
        assert_eq!(h(json!({"volumeOfLearning": "P60M"})), json!("<malformed>"));
        assert_eq!(h(json!({"hours": "125"})), json!("<malformed>"));
        assert_eq!(h(json!({})), json!("<missing>"));
        assert_eq!(values("hours(x)", &json!({}))[0].1, json!("<missing>"));
        assert_eq!(
            values("durationHours(d)", &json!({"d": "PT1H30M"}))[0].1,
            json!(1.5)
        );
    }

    #[test]
    fn parse_errors_name_the_position() {
        for (bad, pos) in [
            ("", 0),
            ("a.", 2),
            ("a[", 2),
            ("a[*", 3),
            ("a[x]", 3),
            ("a[x=]", 4),
            ("a b", 1),
            ("hours(a", 7),
            ("a[\"x]", 5),
            ("a..b", 2),
            ("a[99999999999999999999999]", 2),
        ] {
            let e = Path::parse(bad).unwrap_err();
            assert_eq!(e.position, pos, "{bad:?}: {e:?}");
        }
        let deep = format!("{}a{}", "hours(".repeat(20), ")".repeat(20));
        assert!(Path::parse(&deep).is_err());
        assert_eq!(Path::parse("a.b[*].c").unwrap().to_string(), "a.b[*].c");
    }
}
