//! Reading profile files: strict JSON, every member checked, every path and
//! regular expression compiled up front, errors located in the file.

use serde_json::{Map, Value};

use super::duration;
use super::path::{Path, kind};
use super::predicate::{
    Compare, Expected, JsonType, Members, Op, Pred, Range, TemplatePart, Tolerance,
};
use super::{
    Absent, BUILTIN_NAMES, BUILTINS, Downgrade, LISTS, Profile, ProfileError, Rule, Severity,
};

/// Deepest chain of `include`s (built-ins including built-ins).
const MAX_INCLUDE_DEPTH: usize = 4;

/// Deepest nesting of predicates.
const MAX_PREDICATE_DEPTH: usize = 32;

/// Every predicate name, for error messages.
pub(crate) const PREDICATES: &str = "exists, nonEmpty, type, matches, range, integerIn, enum, \
     equals, contains, minItems, dateTime, duration, compare, every, some, allOf, anyOf, not, implies";

type Result<T> = std::result::Result<T, ProfileError>;

/// The members of one JSON object, checked against the ones allowed there.
struct Fields<'v> {
    map: &'v Map<String, Value>,
    at: String,
}

fn object<'v>(v: &'v Value, at: &str, expected: &'static str) -> Result<&'v Map<String, Value>> {
    v.as_object().ok_or_else(|| ProfileError::WrongType {
        at: at.to_owned(),
        expected,
        found: kind(v),
    })
}

impl<'v> Fields<'v> {
    fn new(v: &'v Value, at: &str, allowed: &[&str]) -> Result<Fields<'v>> {
        let map = object(v, at, "an object")?;
        if let Some(field) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ProfileError::UnknownField {
                at: at.to_owned(),
                field: field.clone(),
                allowed: allowed.join(", "),
            });
        }
        Ok(Fields {
            map,
            at: at.to_owned(),
        })
    }

    fn at(&self, field: &str) -> String {
        format!("{}.{field}", self.at)
    }

    fn get(&self, field: &str) -> Option<&'v Value> {
        self.map.get(field)
    }

    fn required(&self, field: &'static str) -> Result<&'v Value> {
        self.get(field).ok_or_else(|| ProfileError::MissingField {
            at: self.at.clone(),
            field,
        })
    }

    fn wrong(&self, field: &str, expected: &'static str, v: &Value) -> ProfileError {
        ProfileError::WrongType {
            at: self.at(field),
            expected,
            found: kind(v),
        }
    }

    fn string(&self, field: &'static str) -> Result<&'v str> {
        let v = self.required(field)?;
        v.as_str().ok_or_else(|| self.wrong(field, "a string", v))
    }

    fn opt_string(&self, field: &str) -> Result<Option<&'v str>> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.wrong(field, "a string", v)),
        }
    }

    fn opt_number(&self, field: &str) -> Result<Option<f64>> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong(field, "a number", v)),
        }
    }

    fn opt_bool(&self, field: &str) -> Result<bool> {
        match self.get(field) {
            None => Ok(false),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| self.wrong(field, "true or false", v)),
        }
    }

    fn array(&self, field: &'static str) -> Result<&'v Vec<Value>> {
        let v = self.required(field)?;
        v.as_array().ok_or_else(|| self.wrong(field, "an array", v))
    }

    /// The predicate's `path` member, `@` (the focus) when left out.
    fn path_or_focus(&self) -> Result<Path> {
        match self.opt_string("path")? {
            None => Ok(Path::focus()),
            Some(text) => compile_path(text, &self.at("path")),
        }
    }

    fn path(&self, field: &'static str) -> Result<Path> {
        compile_path(self.string(field)?, &self.at(field))
    }

    fn bad(&self, field: &str, problem: impl Into<String>) -> ProfileError {
        ProfileError::BadValue {
            at: self.at(field),
            problem: problem.into(),
        }
    }
}

fn compile_path(text: &str, at: &str) -> Result<Path> {
    Path::parse(text).map_err(|e| ProfileError::BadPath {
        at: at.to_owned(),
        path: text.to_owned(),
        column: text.get(..e.position).map_or(0, |s| s.chars().count()) + 1,
        problem: e.problem,
    })
}

fn severity(v: &Value, at: &str) -> Result<Severity> {
    match v.as_str() {
        Some("error") => Ok(Severity::Error),
        Some("warning") => Ok(Severity::Warning),
        Some("info") => Ok(Severity::Info),
        Some(other) => Err(ProfileError::BadValue {
            at: at.to_owned(),
            problem: format!("unknown severity {other:?} (use error, warning or info)"),
        }),
        None => Err(ProfileError::WrongType {
            at: at.to_owned(),
            expected: "a severity string",
            found: kind(v),
        }),
    }
}

/// Parses a whole profile file.
pub(crate) fn profile(bytes: &[u8], depth: usize) -> Result<Profile> {
    let doc = microcred_core::json::parse(bytes)?;
    let f = Fields::new(
        &doc,
        "(profile)",
        &[
            "id",
            "title",
            "source",
            "description",
            "include",
            "rules",
            "comment",
        ],
    )?;
    let id = f.string("id")?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(f.bad(
            "id",
            format!("{id:?} is not a profile name (letters, digits, - and _)"),
        ));
    }
    let mut rules = Vec::new();
    if let Some(includes) = f.get("include") {
        let list = includes
            .as_array()
            .ok_or_else(|| f.wrong("include", "an array", includes))?;
        for (i, item) in list.iter().enumerate() {
            rules.extend(include(item, &format!("include[{i}]"), depth)?);
        }
    }
    for (i, rule_value) in f.array("rules")?.iter().enumerate() {
        rules.push(rule(rule_value, i)?);
    }
    for (i, r) in rules.iter().enumerate() {
        if rules[..i].iter().any(|earlier| earlier.id == r.id) {
            return Err(ProfileError::DuplicateRule { id: r.id.clone() });
        }
    }
    Ok(Profile {
        id: id.to_owned(),
        title: f.string("title")?.to_owned(),
        source: f.string("source")?.to_owned(),
        description: f.opt_string("description")?.unwrap_or_default().to_owned(),
        rules,
    })
}

/// `"gen"` or `{"profile": "emc-cmf", "except": ["EMC-05a"]}`: a built-in's rules.
fn include(item: &Value, at: &str, depth: usize) -> Result<Vec<Rule>> {
    let (name, except): (&str, Vec<&str>) = match item {
        Value::String(name) => (name, Vec::new()),
        other => {
            let f = Fields::new(other, at, &["profile", "except"])?;
            let except = match f.get("except") {
                None => Vec::new(),
                Some(v) => {
                    let items = v
                        .as_array()
                        .ok_or_else(|| f.wrong("except", "an array", v))?;
                    items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .ok_or_else(|| f.wrong("except", "rule id strings", i))
                        })
                        .collect::<Result<_>>()?
                }
            };
            (f.string("profile")?, except)
        }
    };
    let text = BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| ProfileError::UnknownProfile {
            at: at.to_owned(),
            name: name.to_owned(),
            known: BUILTIN_NAMES.join(", "),
        })?;
    if depth >= MAX_INCLUDE_DEPTH {
        return Err(ProfileError::BadValue {
            at: at.to_owned(),
            problem: format!("includes nested more than {MAX_INCLUDE_DEPTH} deep"),
        });
    }
    let included = profile(text.as_bytes(), depth + 1)?;
    if let Some(missing) = except
        .iter()
        .find(|id| !included.rules.iter().any(|r| r.id == **id))
    {
        return Err(ProfileError::BadValue {
            at: format!("{at}.except"),
            problem: format!("profile {name:?} has no rule {missing:?}"),
        });
    }
    Ok(included
        .rules
        .into_iter()
        .filter(|r| !except.contains(&r.id.as_str()))
        .collect())
}

fn rule(v: &Value, index: usize) -> Result<Rule> {
    let at = format!("rules[{index}]");
    let pre = object(v, &at, "a rule object")?;
    // Name the rule in every later error once its id is known.
    let at = match pre.get("id").and_then(Value::as_str) {
        Some(id) => format!("rules[{index}] ({id})"),
        None => at,
    };
    let f = Fields::new(
        v,
        &at,
        &[
            "id",
            "description",
            "severity",
            "source",
            "expected",
            "path",
            "check",
            "absent",
            "downgrade",
            "comment",
        ],
    )?;
    let id = f.string("id")?;
    if id.trim().is_empty() {
        return Err(f.bad("id", "empty rule id"));
    }
    let path = f.opt_string("path")?;
    let compiled_path = path.map(|p| compile_path(p, &f.at("path"))).transpose()?;
    let absent = match f.get("absent") {
        None => None,
        Some(v) => Some(match v.as_str() {
            Some("pass") => Absent::Pass,
            _ => Absent::Report(severity(v, &f.at("absent")).map_err(|_| {
                f.bad(
                    "absent",
                    format!("{} is not one of pass, info, warning, error", path_show(v)),
                )
            })?),
        }),
    };
    if absent.is_some() && compiled_path.is_none() {
        return Err(f.bad("absent", "\"absent\" needs the rule's \"path\""));
    }
    let downgrade = match f.get("downgrade") {
        None => None,
        Some(v) => {
            let dat = f.at("downgrade");
            let d = Fields::new(v, &dat, &["when", "to", "note"])?;
            Some(Downgrade {
                when: pred(d.required("when")?, &d.at("when"), 0)?,
                to: severity(d.required("to")?, &d.at("to"))?,
                note: d.string("note")?.to_owned(),
            })
        }
    };
    Ok(Rule {
        id: id.to_owned(),
        description: f.string("description")?.to_owned(),
        severity: severity(f.required("severity")?, &f.at("severity"))?,
        source: f.string("source")?.to_owned(),
        expected: f.string("expected")?.to_owned(),
        path: path.map(str::to_owned),
        compiled_path,
        check: pred(f.required("check")?, &f.at("check"), 0)?,
        absent,
        downgrade,
    })
}

fn path_show(v: &Value) -> String {
    super::path::show(v)
}

/// Parses a predicate: an object with one member, the predicate's name.
pub(crate) fn pred(v: &Value, at: &str, depth: usize) -> Result<Pred> {
    if depth > MAX_PREDICATE_DEPTH {
        return Err(ProfileError::BadValue {
            at: at.to_owned(),
            problem: format!("predicates nested more than {MAX_PREDICATE_DEPTH} deep"),
        });
    }
    let map = object(
        v,
        at,
        "a predicate object such as {\"exists\": {\"path\": \"…\"}}",
    )?;
    let mut members = map.iter();
    let (Some((name, args)), None) = (members.next(), members.next()) else {
        return Err(ProfileError::BadValue {
            at: at.to_owned(),
            problem: format!(
                "a predicate is an object with exactly one member, its name (found {} members)",
                map.len()
            ),
        });
    };
    let at = format!("{at}.{name}");
    let at = at.as_str();
    let list = |args: &Value| -> Result<Vec<Pred>> {
        let items = args.as_array().ok_or_else(|| ProfileError::WrongType {
            at: at.to_owned(),
            expected: "an array of predicates",
            found: kind(args),
        })?;
        if items.is_empty() {
            return Err(ProfileError::BadValue {
                at: at.to_owned(),
                problem: "an empty list of predicates".to_owned(),
            });
        }
        items
            .iter()
            .enumerate()
            .map(|(i, p)| pred(p, &format!("{at}[{i}]"), depth + 1))
            .collect()
    };
    Ok(match name.as_str() {
        "allOf" => Pred::AllOf(list(args)?),
        "anyOf" => Pred::AnyOf(list(args)?),
        "not" => Pred::Not(Box::new(pred(args, at, depth + 1)?)),
        "implies" => {
            let f = Fields::new(args, at, &["if", "then", "else"])?;
            Pred::Implies {
                cond: Box::new(pred(f.required("if")?, &f.at("if"), depth + 1)?),
                then: Box::new(pred(f.required("then")?, &f.at("then"), depth + 1)?),
                otherwise: f
                    .get("else")
                    .map(|e| pred(e, &f.at("else"), depth + 1).map(Box::new))
                    .transpose()?,
            }
        }
        "every" | "some" => {
            let f = Fields::new(args, at, &["path", "check"])?;
            let path = f.path("path")?;
            let check = Box::new(pred(f.required("check")?, &f.at("check"), depth + 1)?);
            if name == "every" {
                Pred::Every(path, check)
            } else {
                Pred::SomeElement(path, check)
            }
        }
        "exists" => Pred::Exists(Fields::new(args, at, &["path"])?.path("path")?),
        "nonEmpty" => Pred::NonEmpty(Fields::new(args, at, &["path"])?.path_or_focus()?),
        "dateTime" => Pred::DateTime(Fields::new(args, at, &["path"])?.path_or_focus()?),
        "duration" => {
            let f = Fields::new(args, at, &["path", "hours"])?;
            Pred::Duration {
                path: f.path_or_focus()?,
                hours: f.opt_bool("hours")?,
            }
        }
        "type" => {
            let f = Fields::new(args, at, &["path", "is"])?;
            let is = f.string("is")?;
            let t = JsonType::NAMES
                .iter()
                .find(|(n, _)| *n == is)
                .map(|(_, t)| *t)
                .ok_or_else(|| {
                    f.bad(
                        "is",
                        format!(
                            "unknown type {is:?} (string, number, integer, boolean, object, array)"
                        ),
                    )
                })?;
            Pred::Type(f.path_or_focus()?, t)
        }
        "matches" => {
            let f = Fields::new(args, at, &["path", "regex"])?;
            let text = f.string("regex")?;
            let re = regex::RegexBuilder::new(text)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| ProfileError::BadRegex {
                    at: f.at("regex"),
                    regex: text.to_owned(),
                    problem: regex_problem(&e),
                })?;
            Pred::Matches(f.path_or_focus()?, re)
        }
        "range" => {
            let f = Fields::new(
                args,
                at,
                &[
                    "path",
                    "min",
                    "max",
                    "minExclusive",
                    "maxExclusive",
                    "integer",
                    "strings",
                ],
            )?;
            let range = Range {
                min: f.opt_number("min")?,
                max: f.opt_number("max")?,
                min_exclusive: f.opt_number("minExclusive")?,
                max_exclusive: f.opt_number("maxExclusive")?,
                integer: f.opt_bool("integer")?,
                strings: f.opt_bool("strings")?,
            };
            if range.min.is_some() && range.min_exclusive.is_some()
                || range.max.is_some() && range.max_exclusive.is_some()
            {
                return Err(f.bad(
                    "min",
                    "give min or minExclusive (max or maxExclusive), not both",
                ));
            }
            let lo = range.min.or(range.min_exclusive);
            let hi = range.max.or(range.max_exclusive);
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo > hi {
                    return Err(f.bad("min", format!("lower bound {lo} is above upper bound {hi}")));
                }
            }
            Pred::Range(f.path_or_focus()?, range)
        }
        "integerIn" => {
            let f = Fields::new(args, at, &["path", "values", "strings"])?;
            let values = f
                .array("values")?
                .iter()
                .map(|v| {
                    v.as_i64()
                        .ok_or_else(|| f.wrong("values", "an array of integers", v))
                })
                .collect::<Result<Vec<_>>>()?;
            Pred::IntegerIn {
                path: f.path_or_focus()?,
                values,
                strings: f.opt_bool("strings")?,
            }
        }
        "enum" => {
            let f = Fields::new(args, at, &["path", "values", "list", "valuesAt"])?;
            let given = ["values", "list", "valuesAt"]
                .iter()
                .filter(|k| f.get(k).is_some())
                .count();
            if given != 1 {
                return Err(ProfileError::BadValue {
                    at: at.to_owned(),
                    problem: "give exactly one of \"values\", \"list\", \"valuesAt\"".to_owned(),
                });
            }
            let members = if f.get("values").is_some() {
                Members::Values(f.array("values")?.clone())
            } else if let Some(name) = f.opt_string("list")? {
                let (_, text) = LISTS.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                    let known: Vec<&str> = LISTS.iter().map(|(n, _)| *n).collect();
                    f.bad(
                        "list",
                        format!("unknown code list {name:?} (known: {})", known.join(", ")),
                    )
                })?;
                Members::List(name.to_owned(), text)
            } else {
                Members::At(f.path("valuesAt")?)
            };
            Pred::Enum(f.path_or_focus()?, members)
        }
        "equals" => {
            let f = Fields::new(args, at, &["path", "value", "template"])?;
            let expected = match (f.get("value"), f.opt_string("template")?) {
                (Some(v), None) => Expected::Value(v.clone()),
                (None, Some(t)) => {
                    Expected::Template(t.to_owned(), template(t, &f.at("template"))?)
                }
                _ => {
                    return Err(ProfileError::BadValue {
                        at: at.to_owned(),
                        problem: "give exactly one of \"value\", \"template\"".to_owned(),
                    });
                }
            };
            Pred::Equals(f.path_or_focus()?, expected)
        }
        "contains" => {
            let f = Fields::new(args, at, &["path", "value"])?;
            Pred::Contains(f.path_or_focus()?, f.required("value")?.clone())
        }
        "minItems" => {
            let f = Fields::new(args, at, &["path", "min"])?;
            let min = f.required("min")?;
            let min = min
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| f.wrong("min", "a non-negative integer", min))?;
            Pred::MinItems(f.path_or_focus()?, min)
        }
        "compare" => {
            let f = Fields::new(
                args,
                at,
                &[
                    "left",
                    "op",
                    "right",
                    "factor",
                    "plus",
                    "tolerance",
                    "strings",
                ],
            )?;
            let op_text = f.string("op")?;
            let op = Op::NAMES
                .iter()
                .find(|(n, _)| *n == op_text)
                .map(|(_, o)| *o)
                .ok_or_else(|| {
                    f.bad(
                        "op",
                        format!("unknown operator {op_text:?} (<, <=, ==, !=, >=, >)"),
                    )
                })?;
            let tolerance = match f.get("tolerance") {
                None => None,
                Some(Value::String(s)) => {
                    let d = duration::parse(s)
                        .ok()
                        .and_then(|d| d.fixed())
                        .ok_or_else(|| {
                            f.bad(
                                "tolerance",
                                format!(
                                    "{s:?} is not an ISO 8601 duration without years or months"
                                ),
                            )
                        })?;
                    Some((s.clone(), Tolerance::Duration(d)))
                }
                Some(v) => match v.as_f64() {
                    Some(t) if t >= 0.0 => Some((v.to_string(), Tolerance::Number(t))),
                    _ => return Err(f.bad("tolerance", "a number ≥ 0 or an ISO 8601 duration")),
                },
            };
            Pred::Compare(Box::new(Compare {
                left: f.path("left")?,
                op,
                right: f.path("right")?,
                factor: f.opt_number("factor")?.unwrap_or(1.0),
                plus: f.get("plus").map(|_| f.path("plus")).transpose()?,
                tolerance,
                strings: f.opt_bool("strings")?,
            }))
        }
        other => {
            return Err(ProfileError::UnknownPredicate {
                at: at.to_owned(),
                name: other.to_owned(),
                known: PREDICATES,
            });
        }
    })
}

/// `http://data.europa.eu/snb/eqf/{credentialSubject.…eqfLevel}`; `{{` and `}}` are braces.
fn template(text: &str, at: &str) -> Result<Vec<TemplatePart>> {
    let bad = |problem: &str| ProfileError::BadValue {
        at: at.to_owned(),
        problem: format!("template {text:?}: {problem}"),
    };
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        literal.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            literal.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if tail.starts_with('}') {
            return Err(bad("unmatched }"));
        } else {
            let end = tail.find('}').ok_or_else(|| bad("unclosed {"))?;
            if !literal.is_empty() {
                parts.push(TemplatePart::Text(std::mem::take(&mut literal)));
            }
            parts.push(TemplatePart::Hole(compile_path(&tail[1..end], at)?));
            rest = &tail[end + 1..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(TemplatePart::Text(literal));
    }
    Ok(parts)
}

/// The regex crate's multi-line message (pattern, caret, "error: …") as one line.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_owned)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}
