//! Credential templates for batch issuance: an unsigned credential whose
//! string values may hold `{{column}}` placeholders, filled per learner row.
//!
//! A string that is exactly one placeholder (`"{{credits}}"`) takes the
//! row's value with its JSON type (a number or boolean from JSONL stays a
//! number or boolean); a placeholder inside a longer string is replaced by
//! the value's text. Placeholders are allowed in string values only, never in
//! member names.

use std::collections::BTreeSet;
use std::fmt;

use microcred_core::Value;
use serde_json::Map;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A JSON path, displayed as `credentialSubject.result[0].value`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct JsonPath(Vec<Step>);

impl JsonPath {
    fn child_key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Key(k.to_owned()));
        p
    }

    fn child_index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Index(i));
        p
    }

    /// Whether the path is exactly these member names from the root.
    pub(crate) fn is(&self, keys: &[&str]) -> bool {
        self.0.len() == keys.len()
            && self
                .0
                .iter()
                .zip(keys)
                .all(|(s, k)| matches!(s, Step::Key(x) if x == k))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Placeholder(String),
}

/// A string value of the template that holds at least one placeholder.
#[derive(Debug, Clone)]
struct Slot {
    path: JsonPath,
    segments: Vec<Segment>,
}

/// A parsed template.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    base: Value,
    slots: Vec<Slot>,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TemplateError {
    /// The template is not a JSON object.
    #[error("the template must be a JSON object (an unsigned credential)")]
    NotAnObject,
    /// A `{{` without its `}}`.
    #[error("at {path}: unterminated placeholder in {value:?} (a `{{{{` without `}}}}`)")]
    Unterminated { path: String, value: String },
    /// `{{}}`.
    #[error("at {path}: empty placeholder in {value:?}")]
    Empty { path: String, value: String },
    /// A placeholder in a member name.
    #[error(
        "at {path}: placeholders are allowed in string values only, not in the member name {name:?}"
    )]
    InName { path: String, name: String },
}

/// Why a row cannot fill the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FillError {
    /// The column (placeholder name) at fault.
    pub(crate) column: String,
    /// What is wrong with its value.
    pub(crate) problem: String,
}

impl Template {
    /// Parses a template, finding every placeholder.
    pub(crate) fn parse(doc: Value) -> Result<Self, TemplateError> {
        if !doc.is_object() {
            return Err(TemplateError::NotAnObject);
        }
        let mut slots = Vec::new();
        walk(&doc, &JsonPath::default(), &mut slots)?;
        Ok(Self { base: doc, slots })
    }

    /// The unsigned document, placeholders unfilled.
    pub(crate) fn base(&self) -> &Value {
        &self.base
    }

    /// How many string values hold placeholders.
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The distinct placeholder names, sorted.
    pub(crate) fn columns(&self) -> BTreeSet<&str> {
        self.slots
            .iter()
            .flat_map(|s| &s.segments)
            .filter_map(|seg| match seg {
                Segment::Placeholder(name) => Some(name.as_str()),
                Segment::Text(_) => None,
            })
            .collect()
    }

    /// Where a column is used (for error messages).
    pub(crate) fn paths_of(&self, column: &str) -> Vec<String> {
        self.slots
            .iter()
            .filter(|s| {
                s.segments
                    .iter()
                    .any(|seg| matches!(seg, Segment::Placeholder(n) if n == column))
            })
            .map(|s| s.path.to_string())
            .collect()
    }

    /// Fills the template from a row; every problem found is returned, in
    /// template order, each naming its column.
    pub(crate) fn fill(&self, row: &Map<String, Value>) -> Result<Value, Vec<FillError>> {
        let values = self.fill_values(row)?;
        let mut doc = self.base.clone();
        for (slot, v) in self.slots.iter().zip(values) {
            if let Some(target) = pointer_mut(&mut doc, &slot.path) {
                *target = v;
            }
        }
        Ok(doc)
    }

    /// The value of every placeholder string for a row, in template order (what
    /// [`fill`](Self::fill) puts in place), checked as `fill` checks them.
    pub(crate) fn fill_values(
        &self,
        row: &Map<String, Value>,
    ) -> Result<Vec<Value>, Vec<FillError>> {
        let mut values = Vec::with_capacity(self.slots.len());
        let mut errors = Vec::new();
        for slot in &self.slots {
            match fill_slot(slot, row) {
                Ok(v) => {
                    if let Err(e) = check_known_member(&slot.path, &v, &slot.segments) {
                        errors.push(e);
                    } else {
                        values.push(v);
                    }
                }
                Err(e) => {
                    // A column used in several places is reported once.
                    for e in e {
                        if !errors.contains(&e) {
                            errors.push(e);
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }

    /// The filled document's value at `keys` (member names from the root) for
    /// the slot values `values` of [`fill_values`](Self::fill_values).
    pub(crate) fn value_at<'a>(&'a self, values: &'a [Value], keys: &[&str]) -> Option<&'a Value> {
        if let Some(i) = self.slots.iter().position(|s| s.path.is(keys)) {
            return values.get(i);
        }
        let mut cur = &self.base;
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// The template with every placeholder string replaced by `marker(i)` for
    /// the i-th slot (in the order of [`fill_values`](Self::fill_values)), and
    /// whether a slot lies inside `@context`.
    pub(crate) fn marked(&self, marker: impl Fn(usize) -> String) -> (Value, bool) {
        let mut doc = self.base.clone();
        let mut in_context = false;
        for (i, slot) in self.slots.iter().enumerate() {
            in_context |= matches!(slot.path.0.first(), Some(Step::Key(k)) if k == "@context");
            if let Some(target) = pointer_mut(&mut doc, &slot.path) {
                *target = Value::String(marker(i));
            }
        }
        (doc, in_context)
    }
}

fn walk(v: &Value, path: &JsonPath, slots: &mut Vec<Slot>) -> Result<(), TemplateError> {
    match v {
        Value::String(s) => {
            let segments = parse_segments(s, path)?;
            if segments
                .iter()
                .any(|seg| matches!(seg, Segment::Placeholder(_)))
            {
                slots.push(Slot {
                    path: path.clone(),
                    segments,
                });
            }
        }
        Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                walk(item, &path.child_index(i), slots)?;
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                if k.contains("{{") {
                    return Err(TemplateError::InName {
                        path: path.to_string(),
                        name: k.clone(),
                    });
                }
                walk(item, &path.child_key(k), slots)?;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

fn parse_segments(s: &str, path: &JsonPath) -> Result<Vec<Segment>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Segment::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unterminated {
                path: path.to_string(),
                value: s.to_owned(),
            })?;
        let name = after[..end].trim();
        if name.is_empty() {
            return Err(TemplateError::Empty {
                path: path.to_string(),
                value: s.to_owned(),
            });
        }
        out.push(Segment::Placeholder(name.to_owned()));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest.to_owned()));
    }
    Ok(out)
}

fn fill_slot(slot: &Slot, row: &Map<String, Value>) -> Result<Value, Vec<FillError>> {
    let mut errors = Vec::new();
    let value_of = |name: &str| -> Result<&Value, FillError> {
        let err = |problem: &str| FillError {
            column: name.to_owned(),
            problem: problem.to_owned(),
        };
        match row.get(name) {
            None => Err(err("value is missing")),
            Some(Value::String(s)) if s.trim().is_empty() => Err(err("value is empty")),
            Some(Value::Null) => Err(err("value is null")),
            Some(Value::Array(_) | Value::Object(_)) => Err(err(
                "value is an array or object; only strings, numbers and booleans can fill a placeholder",
            )),
            Some(v) => Ok(v),
        }
    };
    // A string that is exactly one placeholder keeps the value's JSON type.
    if let [Segment::Placeholder(name)] = slot.segments.as_slice() {
        return value_of(name).cloned().map_err(|e| vec![e]);
    }
    let mut text = String::new();
    for seg in &slot.segments {
        match seg {
            Segment::Text(t) => text.push_str(t),
            Segment::Placeholder(name) => match value_of(name) {
                Ok(Value::String(s)) => text.push_str(s),
                Ok(other) => text.push_str(&other.to_string()),
                Err(e) => errors.push(e),
            },
        }
    }
    if errors.is_empty() {
        Ok(Value::String(text))
    } else {
        Err(errors)
    }
}

/// Checks values placed in members whose form the data model fixes, so that
/// a bad cell is reported against its row instead of producing a credential
/// every verifier rejects.
fn check_known_member(path: &JsonPath, v: &Value, segments: &[Segment]) -> Result<(), FillError> {
    let column = || {
        segments
            .iter()
            .filter_map(|s| match s {
                Segment::Placeholder(n) => Some(n.as_str()),
                Segment::Text(_) => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let is_date = path.is(&["validFrom"]) || path.is(&["validUntil"]);
    let is_uri = path.is(&["id"]) || path.is(&["credentialSubject", "id"]);
    if !(is_date || is_uri) {
        return Ok(());
    }
    let Value::String(s) = v else {
        return Err(FillError {
            column: column(),
            problem: format!("{path} must be a string, found {v}"),
        });
    };
    if is_date {
        if let Err(e) = microcred_core::datetime::parse(s) {
            return Err(FillError {
                column: column(),
                problem: format!("{path}: {e}"),
            });
        }
    }
    if is_uri && !looks_like_uri(s) {
        return Err(FillError {
            column: column(),
            problem: format!(
                "{path} must be a URI (e.g. did:key:z6Mk… or urn:uuid:…), found {s:?}"
            ),
        });
    }
    Ok(())
}

/// `scheme:rest` with an RFC 3986 scheme and no whitespace.
fn looks_like_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

fn pointer_mut<'a>(doc: &'a mut Value, path: &JsonPath) -> Option<&'a mut Value> {
    let mut cur = doc;
    for step in &path.0 {
        cur = match step {
            Step::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            Step::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn fills_strings_and_keeps_types_of_whole_placeholders() {
        let t = Template::parse(json!({
            "name": "Certificate for {{ name }} ({{id}})",
            "credentialSubject": {"id": "{{did}}", "credits": "{{credits}}", "ok": ["{{passed}}"]},
        }))
        .unwrap();
        assert_eq!(
            t.columns().into_iter().collect::<Vec<_>>(),
            ["credits", "did", "id", "name", "passed"]
        );
        let filled = t
            .fill(&row(json!({
                "name": "Ada", "id": 7, "did": "did:example:ada", "credits": 2.5, "passed": true,
            })))
            .unwrap();
        assert_eq!(
            filled,
            json!({
                "name": "Certificate for Ada (7)",
                "credentialSubject": {"id": "did:example:ada", "credits": 2.5, "ok": [true]},
            })
        );
        assert_eq!(t.paths_of("passed"), ["credentialSubject.ok[0]"]);
    }

    #[test]
    fn reports_every_bad_value_with_its_column() {
        let t = Template::parse(json!({
            "validFrom": "{{start}}",
            "credentialSubject": {"id": "{{did}}", "name": "{{name}} {{surname}}"},
            "name": "{{name}}",
        }))
        .unwrap();
        let errs = t
            .fill(&row(
                json!({"start": "yesterday", "did": "ada", "name": ""}),
            ))
            .unwrap_err();
        let cols: Vec<_> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["start", "did", "name", "surname"]);
        assert!(errs[0].problem.contains("RFC 3339"), "{:?}", errs[0]);
        assert!(errs[1].problem.contains("URI"));
        assert_eq!(errs[2].problem, "value is empty");
        assert_eq!(errs[3].problem, "value is missing");
        let errs = t
            .fill(&row(
                json!({"start": null, "did": ["x"], "name": "a", "surname": "b"}),
            ))
            .unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(matches!(
            Template::parse(json!({"a": "{{x"})),
            Err(TemplateError::Unterminated { .. })
        ));
        assert!(matches!(
            Template::parse(json!({"a": ["ok", "{{ }}"]})),
            Err(TemplateError::Empty { .. })
        ));
        let e = Template::parse(json!({"b": {"{{x}}": 1}})).unwrap_err();
        assert!(e.to_string().contains("member name"), "{e}");
        assert_eq!(
            Template::parse(json!([1])).unwrap_err(),
            TemplateError::NotAnObject
        );
        // A lone `}}` is text.
        let t = Template::parse(json!({"a": "x }} y"})).unwrap();
        assert!(t.columns().is_empty());
    }
}
