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
use microcred_core::issuance::{self, IssuanceError};
use serde_json::Map;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A JSON path, displayed as `credentialSubject.result[0].value`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonPath(Vec<Step>);

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

    /// The top-level member the path lies in (`None` for the root).
    fn member(&self) -> Option<&str> {
        match self.0.first() {
            Some(Step::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// The path within its top-level member.
    fn within_member(&self) -> Self {
        Self(self.0.iter().skip(1).cloned().collect())
    }

    /// Whether the path is a subject's `id`: `credentialSubject.id`, or
    /// `credentialSubject[i].id` (the rule [`issuance::check_subject_id`] reads).
    fn is_subject_id(&self) -> bool {
        match self.0.as_slice() {
            [Step::Key(m), Step::Key(id)] => m == "credentialSubject" && id == "id",
            [Step::Key(m), Step::Index(_), Step::Key(id)] => m == "credentialSubject" && id == "id",
            _ => false,
        }
    }

    /// Whether the path is exactly these member names from the root.
    pub fn is(&self, keys: &[&str]) -> bool {
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

impl Slot {
    /// The placeholder names in the string, in order.
    fn columns(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Placeholder(n) => Some(n.as_str()),
                Segment::Text(_) => None,
            })
            .collect()
    }
}

/// How a row's value at one placeholder string is held to the issuance rules.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SlotRule {
    /// No rule reads it (its member was checked with the template, or has no rules).
    Unread,
    /// A subject's `id`: [`issuance::check_subject_id`].
    SubjectId,
    /// The whole value of this top-level member: [`issuance::check_member`].
    Member(String),
    /// Inside the member [`Rules::members`]`[k]`, checked with it.
    InMember(usize),
}

/// A top-level member holding placeholders, rebuilt per row to be checked.
#[derive(Debug, Clone)]
struct MemberRule {
    name: String,
    /// The member's value in the template.
    value: Value,
    /// The slots inside it, and their paths within it.
    slots: Vec<(usize, JsonPath)>,
    /// Its placeholder names, for messages.
    columns: String,
}

/// One end of the validity period, when a placeholder may set either.
#[derive(Debug, Clone)]
enum Bound {
    Absent,
    Fixed(Value),
    Slot(usize),
}

/// What the issuance rules leave to each row of a template: made by
/// [`Template::rules`], applied by [`Template::fill_checked`].
#[derive(Debug, Clone)]
pub struct Rules {
    /// Per slot, in template order.
    slots: Vec<SlotRule>,
    /// Per slot, its placeholder names (for messages).
    columns: Vec<String>,
    members: Vec<MemberRule>,
    /// `validFrom` and `validUntil`, when a placeholder is in either.
    period: Option<[Bound; 2]>,
    /// The issue time a `validUntil` placeholder's value must not be before
    /// (`None` with `--allow-expired`, or when `validUntil` is fixed: then
    /// checked with the template).
    expired_before: Option<time::OffsetDateTime>,
}

/// What an expired credential's refusal adds: how to sign it anyway.
fn expired(e: IssuanceError) -> IssuanceError {
    IssuanceError(format!("{}; pass --allow-expired to sign it anyway", e.0))
}

impl Rules {
    /// Checks a row's slot values (`Value::Null`: not filled, skipped),
    /// pushing a [`FillError`] per broken rule: its columns and the rule's
    /// message, which names the member.
    fn check(&self, values: &[Value], errors: &mut Vec<FillError>, warnings: &mut Vec<String>) {
        let is_date = |name: &str| matches!(name, "validFrom" | "validUntil");
        // A date refused on its own is not reported again by the period's rule.
        let mut date_refused = false;
        let mut refuse = |name: &str, column: &str, e: IssuanceError| {
            date_refused |= is_date(name);
            errors.push(FillError {
                column: column.to_owned(),
                problem: e.0,
            });
        };
        for ((rule, v), column) in self.slots.iter().zip(values).zip(&self.columns) {
            let (name, result) = match (rule, v) {
                (_, Value::Null) | (SlotRule::Unread | SlotRule::InMember(_), _) => continue,
                (SlotRule::SubjectId, v) => ("credentialSubject", issuance::check_subject_id(v)),
                (SlotRule::Member(name), v) => {
                    (name.as_str(), issuance::check_member(name, v, warnings))
                }
            };
            if let Err(e) = result {
                refuse(name, column, e);
            }
        }
        for m in &self.members {
            if m.slots
                .iter()
                .any(|(i, _)| values.get(*i).is_none_or(Value::is_null))
            {
                continue;
            }
            let mut value = m.value.clone();
            for (i, path) in &m.slots {
                if let (Some(target), Some(v)) = (pointer_mut(&mut value, path), values.get(*i)) {
                    *target = v.clone();
                }
            }
            if let Err(e) = issuance::check_member(&m.name, &value, warnings) {
                refuse(&m.name, &m.columns, e);
            }
        }
        let Some(period) = &self.period else {
            return;
        };
        if date_refused {
            return;
        }
        let mut columns = Vec::new();
        let mut ends = [None, None];
        for (end, bound) in ends.iter_mut().zip(period) {
            *end = match bound {
                Bound::Absent => None,
                Bound::Fixed(v) => Some(v),
                Bound::Slot(i) => {
                    columns.extend(self.columns.get(*i).map(String::as_str));
                    match values.get(*i) {
                        // Not filled: reported as such.
                        None | Some(Value::Null) => return,
                        v => v,
                    }
                }
            };
        }
        let mut result = issuance::check_validity_period(ends[0], ends[1]);
        if let (Ok(()), Some(at), Bound::Slot(_)) = (&result, self.expired_before, &period[1]) {
            result = issuance::check_not_expired(ends[1], at).map_err(expired);
        }
        if let Err(e) = result {
            errors.push(FillError {
                column: columns.join(", "),
                problem: e.0,
            });
        }
    }
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    base: Value,
    slots: Vec<Slot>,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template is not a JSON object.
    #[error("the template must be a JSON object (an unsigned credential)")]
    NotAnObject,
    /// A `{{` without its `}}`.
    #[error("at {path}: unterminated placeholder in {value:?} (a `{{{{` without `}}}}`)")]
    Unterminated {
        /// Where (JSON path).
        path: String,
        /// The string value.
        value: String,
    },
    /// `{{}}`.
    #[error("at {path}: empty placeholder in {value:?}")]
    Empty {
        /// Where (JSON path).
        path: String,
        /// The string value.
        value: String,
    },
    /// A placeholder in a member name.
    #[error(
        "at {path}: placeholders are allowed in string values only, not in the member name {name:?}"
    )]
    InName {
        /// Where (JSON path).
        path: String,
        /// The member name.
        name: String,
    },
}

/// Why a row cannot fill the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillError {
    /// The column (placeholder name) at fault.
    pub column: String,
    /// What is wrong with its value.
    pub problem: String,
}

impl Template {
    /// Parses a template, finding every placeholder.
    pub fn parse(doc: Value) -> Result<Self, TemplateError> {
        if !doc.is_object() {
            return Err(TemplateError::NotAnObject);
        }
        let mut slots = Vec::new();
        walk(&doc, &JsonPath::default(), &mut slots)?;
        Ok(Self { base: doc, slots })
    }

    /// The unsigned document, placeholders unfilled.
    pub fn base(&self) -> &Value {
        &self.base
    }

    /// How many string values hold placeholders.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The distinct placeholder names, sorted.
    pub fn columns(&self) -> BTreeSet<&str> {
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
    pub fn paths_of(&self, column: &str) -> Vec<String> {
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
    pub fn fill(&self, row: &Map<String, Value>) -> Result<Value, Vec<FillError>> {
        self.fill_values(row).map(|values| self.fill_from(values))
    }

    /// The document for the slot values of [`fill_values`](Self::fill_values).
    pub fn fill_from(&self, values: Vec<Value>) -> Value {
        let mut doc = self.base.clone();
        for (slot, v) in self.slots.iter().zip(values) {
            if let Some(target) = pointer_mut(&mut doc, &slot.path) {
                *target = v;
            }
        }
        doc
    }

    /// The value of every placeholder string for a row, in template order (what
    /// [`fill`](Self::fill) puts in place): every column used must hold a
    /// string, number or boolean, a string not blank. The issuance rules are
    /// [`fill_checked`](Self::fill_checked)'s.
    pub fn fill_values(&self, row: &Map<String, Value>) -> Result<Vec<Value>, Vec<FillError>> {
        let (values, errors) = self.fill_each(row);
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }

    /// [`fill_values`](Self::fill_values), and the credential the row makes
    /// checked against the issuance rules as far as its values change them
    /// (`Rules::check`; the rest was checked once by [`rules`](Self::rules)).
    /// Every problem is returned: those of filling, then those of the rules
    /// (for the values that could be filled). Warnings are pushed to `warnings`.
    pub fn fill_checked(
        &self,
        row: &Map<String, Value>,
        rules: &Rules,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Value>, Vec<FillError>> {
        let (values, mut errors) = self.fill_each(row);
        rules.check(&values, &mut errors, warnings);
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }

    /// Each slot's value, `Value::Null` where it cannot be filled (a filled
    /// value is never null), and the problems.
    fn fill_each(&self, row: &Map<String, Value>) -> (Vec<Value>, Vec<FillError>) {
        let mut values = Vec::with_capacity(self.slots.len());
        let mut errors = Vec::new();
        for slot in &self.slots {
            match fill_slot(slot, row) {
                Ok(v) => values.push(v),
                Err(e) => {
                    values.push(Value::Null);
                    // A column used in several places is reported once.
                    for e in e {
                        if !errors.contains(&e) {
                            errors.push(e);
                        }
                    }
                }
            }
        }
        (values, errors)
    }

    /// The issuance rules (`microcred_core::issuance`, which `issue` and the
    /// server apply) for the credentials this template makes, split in two:
    /// what the template fixes is checked here, once, on `complete(document)` —
    /// the template completed as signing completes it (id, issuer,
    /// `validFrom`) — and what a row's values change is left to `Rules::check`.
    ///
    /// The split follows the rules' own structure ([`issuance::validate`]):
    /// the required members, each member of [`issuance::CHECKED_MEMBERS`] on
    /// its own value ([`issuance::check_member`]), and the validity period.
    /// A member without a placeholder is checked here. One holding
    /// placeholders is checked per row: a member that is one placeholder on its
    /// value alone; `credentialSubject`, whose rules read only its shape (which
    /// values cannot change: a placeholder string is filled with a scalar) and
    /// each subject's `id`, here with the subject ids standing as URLs and per
    /// row on the ids alone; any other rebuilt from the template with the row's
    /// values (these are small: `type`, `issuer`, `evidence`, …). The period is
    /// checked per row when `validFrom` or `validUntil` holds a placeholder.
    /// Members no rule reads (`name`, the subject's claims) are not looked at.
    ///
    /// # Errors
    /// The first rule the template breaks whatever its rows hold.
    pub fn rules(
        &self,
        complete: impl FnOnce(Value) -> Value,
        expired_before: Option<time::OffsetDateTime>,
        warnings: &mut Vec<String>,
    ) -> Result<Rules, IssuanceError> {
        // A subject id passes its rule as this; the stand-in is checked per row.
        const STAND_IN: &str = "urn:x-microcred:placeholder";
        let mut doc = self.base.clone();
        for slot in self.slots.iter().filter(|s| s.path.is_subject_id()) {
            if let Some(target) = pointer_mut(&mut doc, &slot.path) {
                *target = STAND_IN.into();
            }
        }
        let doc = complete(doc);
        let Value::Object(map) = &doc else {
            return Err(IssuanceError(
                "a credential must be a JSON object".to_owned(),
            ));
        };
        issuance::check_required(map)?;
        // Batch fills VC 2.0's validFrom; a VC 1.1 credential needs issuanceDate instead
        // (and the Data Integrity context), which only `issue` fills.
        if map
            .get("@context")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(Value::as_str)
            == Some(microcred_core::contexts::VC_V1)
        {
            return Err(IssuanceError(
                "batch issues VC 2.0 credentials: a VC 1.1 template (@context starting with https://www.w3.org/2018/credentials/v1) is signed one by one with `microcred-sign issue`".to_owned(),
            ));
        }
        let mut rules = Rules {
            slots: vec![SlotRule::Unread; self.slots.len()],
            columns: self.slots.iter().map(|s| s.columns().join(", ")).collect(),
            members: Vec::new(),
            period: None,
            expired_before: None,
        };
        let inside = |member: &str| -> Vec<usize> {
            (0..self.slots.len())
                .filter(|&i| self.slots[i].path.member() == Some(member))
                .collect()
        };
        for (name, value) in map {
            let slots = inside(name);
            match slots.as_slice() {
                [] => issuance::check_member(name, value, warnings)?,
                _ if name == "credentialSubject" => {
                    issuance::check_member(name, value, warnings)?;
                    for i in slots {
                        if self.slots[i].path.is_subject_id() {
                            rules.slots[i] = SlotRule::SubjectId;
                        }
                    }
                }
                _ if !issuance::CHECKED_MEMBERS.contains(&name.as_str()) => {}
                [i] if self.slots[*i].path.0.len() == 1 => {
                    rules.slots[*i] = SlotRule::Member(name.clone());
                }
                _ => {
                    let k = rules.members.len();
                    let mut columns: Vec<&str> = Vec::new();
                    for &i in &slots {
                        rules.slots[i] = SlotRule::InMember(k);
                        for c in self.slots[i].columns() {
                            if !columns.contains(&c) {
                                columns.push(c);
                            }
                        }
                    }
                    rules.members.push(MemberRule {
                        name: name.clone(),
                        value: value.clone(),
                        slots: slots
                            .iter()
                            .map(|&i| (i, self.slots[i].path.within_member()))
                            .collect(),
                        columns: columns.join(", "),
                    });
                }
            }
        }
        let period = ["validFrom", "validUntil"];
        if period.iter().any(|m| !inside(m).is_empty()) {
            rules.period = Some(period.map(
                |m| match self.slots.iter().position(|s| s.path.is(&[m])) {
                    Some(i) => Bound::Slot(i),
                    None => map.get(m).cloned().map_or(Bound::Absent, Bound::Fixed),
                },
            ));
        } else {
            issuance::check_validity_period(map.get("validFrom"), map.get("validUntil"))?;
        }
        // A validUntil before the issue time, with the template or per row.
        if let Some(at) = expired_before {
            if inside("validUntil").is_empty() {
                issuance::check_not_expired(map.get("validUntil"), at).map_err(expired)?;
            } else {
                rules.expired_before = Some(at);
            }
        }
        Ok(rules)
    }

    /// The filled document's value at `keys` (member names from the root) for
    /// the slot values `values` of [`fill_values`](Self::fill_values).
    pub fn value_at<'a>(&'a self, values: &'a [Value], keys: &[&str]) -> Option<&'a Value> {
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
    pub fn marked(&self, marker: impl Fn(usize) -> String) -> (Value, bool) {
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

    /// The template completed as batch completes it (issuer, validFrom added when absent).
    fn rules_of(t: &Template) -> Result<Rules, IssuanceError> {
        t.rules(
            |mut doc| {
                let map = doc.as_object_mut().unwrap();
                map.entry("issuer").or_insert("did:example:issuer".into());
                map.entry("validFrom")
                    .or_insert("2025-01-01T00:00:00Z".into());
                doc
            },
            None,
            &mut Vec::new(),
        )
    }

    fn credential(members: Value) -> Template {
        let mut doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
        });
        for (k, v) in members.as_object().unwrap() {
            doc[k] = v.clone();
        }
        Template::parse(doc).unwrap()
    }

    #[test]
    fn a_vc11_template_is_left_to_issue() {
        let mut t = credential(json!({"credentialSubject": {"id": "{{did}}"}}));
        t.base["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        let e = rules_of(&t).unwrap_err();
        assert!(e.0.contains("VC 1.1 template"), "{e}");
    }

    #[test]
    fn reports_every_bad_value_with_its_column() {
        let t = credential(json!({
            "validFrom": "{{start}}",
            "credentialSubject": {"id": "{{did}}", "name": "{{name}} {{surname}}"},
            "name": "{{name}}",
        }));
        let rules = rules_of(&t).unwrap();
        let check = |r: Value| t.fill_checked(&row(r), &rules, &mut Vec::new());
        // Filling first, then the issuance rules on the values that could be filled.
        let errs = check(json!({"start": "yesterday", "did": "ada", "name": ""})).unwrap_err();
        let cols: Vec<_> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["name", "surname", "start", "did"]);
        assert_eq!(errs[0].problem, "value is empty");
        assert_eq!(errs[1].problem, "value is missing");
        assert!(errs[2].problem.starts_with("validFrom: "), "{:?}", errs[2]);
        assert!(errs[2].problem.contains("RFC 3339"), "{:?}", errs[2]);
        assert_eq!(
            errs[3].problem,
            "credentialSubject.id must be a URL, found \"ada\""
        );
        let errs =
            check(json!({"start": null, "did": ["x"], "name": "a", "surname": "b"})).unwrap_err();
        assert_eq!(errs.len(), 2);
        // A JSON Lines number where a date goes: the rule names the type.
        let errs =
            check(json!({"start": 5, "did": "did:x:1", "name": "a", "surname": "b"})).unwrap_err();
        assert_eq!(
            errs[0].problem,
            "validFrom must be a date-time string, found 5"
        );
        // fill_values alone fills; it does not apply the rules (the signing path).
        assert!(
            t.fill_values(&row(
                json!({"start": "x", "did": "y", "name": "a", "surname": "b"})
            ))
            .is_ok()
        );
    }

    #[test]
    fn template_rules_split_between_template_and_row() {
        // A rule the template breaks whatever the rows hold is the template's.
        for (members, says) in [
            (
                json!({"credentialSubject": "{{did}}"}),
                "credentialSubject must be an object",
            ),
            (json!({"credentialSubject": {}}), "at least one claim"),
            (
                json!({"credentialSubject": {"id": "x"}}),
                "credentialSubject.id must be a URL",
            ),
            (
                json!({"credentialSubject": {"id": "{{did}}"}, "proof": {}}),
                "already carries a proof",
            ),
            (
                json!({"credentialSubject": {"n": "{{n}}"}, "validUntil": "2020-01-01T00:00:00Z"}),
                "before validFrom",
            ),
        ] {
            let err = rules_of(&credential(members.clone())).unwrap_err();
            assert!(err.0.contains(says), "{members}: {err}");
        }
        // Per row: the member a placeholder is (the period with it), the subject
        // ids, and members rebuilt with the row's values; claims are not read.
        let t = credential(json!({
            "validUntil": "{{end}}",
            "type": ["VerifiableCredential", "{{kind}}"],
            "credentialSubject": [{"id": "{{did}}", "claim": "{{claim}}"}, {"id": "{{other}}"}],
        }));
        let rules = rules_of(&t).unwrap();
        let check = |r: Value| t.fill_checked(&row(r), &rules, &mut Vec::new());
        let good = json!({"end": "2026-01-01T00:00:00Z", "kind": "Badge", "did": "did:x:1",
                          "claim": "not a URL at all", "other": "urn:x:2"});
        assert!(check(good.clone()).is_ok());
        for (column, value, says) in [
            ("end", json!("2024-01-01T00:00:00Z"), "before validFrom"),
            ("end", json!("2026-02-30T00:00:00Z"), "validUntil: "),
            (
                "kind",
                json!(7),
                "type[1] must be a non-empty string, found 7",
            ),
            ("other", json!("x y"), "credentialSubject.id must be a URL"),
            (
                "did",
                json!(true),
                "credentialSubject.id must be a URL, found true",
            ),
        ] {
            let mut r = good.clone();
            r[column] = value;
            let errs = check(r).unwrap_err();
            assert_eq!(errs.len(), 1, "{column}: {errs:?}");
            assert_eq!(errs[0].column, column);
            assert!(errs[0].problem.contains(says), "{column}: {errs:?}");
        }
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
