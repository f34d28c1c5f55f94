//! Deserialize JSON-LD to RDF (JSON-LD 1.1 API §6.2 with §6.2.1–6.2.2),
//! working directly on the expanded form: an RDF dataset is a set, so the
//! node map's merging of nodes that share an `@id` is not needed.

use serde_json::{Map, Value};

use super::FastMap as HashMap;
use super::jsonld::{JsonLdError, has, is_absolute_iri, member};
use super::nquads::{
    Literal, Quad, RDF_FIRST, RDF_JSON, RDF_LANG_STRING, RDF_NIL, RDF_REST, RDF_TYPE, Term,
    XSD_BOOLEAN, XSD_DOUBLE, XSD_INTEGER, XSD_STRING,
};

pub(crate) struct RdfWriter {
    pub(crate) quads: Vec<Quad>,
    labels: HashMap<String, String>,
    counter: usize,
}

fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => core::slice::from_ref(other),
    }
}

fn invalid(message: String) -> JsonLdError {
    JsonLdError::Invalid {
        path: "expanded document".into(),
        message,
    }
}

impl RdfWriter {
    pub(crate) fn new() -> Self {
        Self {
            quads: Vec::with_capacity(64),
            labels: HashMap::default(),
            counter: 0,
        }
    }

    fn fresh(&mut self) -> Term {
        let t = Term::Blank(format!("b{}", self.counter));
        self.counter += 1;
        t
    }

    /// An `@id` or `@type` value as a term; document blank node labels are
    /// relabelled so they cannot collide with generated ones.
    fn id_term(&mut self, id: &str) -> Result<Term, JsonLdError> {
        if let Some(label) = id.strip_prefix("_:") {
            if let Some(l) = self.labels.get(label) {
                return Ok(Term::Blank(l.clone()));
            }
            let Term::Blank(l) = self.fresh() else {
                return Err(invalid("blank node generation".into()));
            };
            self.labels.insert(label.to_owned(), l.clone());
            return Ok(Term::Blank(l));
        }
        if !is_absolute_iri(id) {
            return Err(invalid(format!("{id:?} is not an absolute IRI")));
        }
        Ok(Term::Iri(id.to_owned()))
    }

    fn emit(&mut self, subject: Term, predicate: &str, object: Term, graph: &Option<Term>) {
        self.quads.push(Quad {
            subject,
            predicate: Term::Iri(predicate.to_owned()),
            object,
            graph: graph.clone(),
        });
    }

    /// Writes the triples of every top-level expanded object.
    pub(crate) fn document(&mut self, expanded: &[Value]) -> Result<(), JsonLdError> {
        for item in expanded {
            if let Value::Object(m) = item {
                if !has(m, "@value") && !has(m, "@list") {
                    self.node(m, &None)?;
                }
            }
        }
        Ok(())
    }

    /// A node object (or graph object): its types, its properties and its
    /// named graph; returns its subject term.
    fn node(
        &mut self,
        node: &Map<String, Value>,
        graph: &Option<Term>,
    ) -> Result<Term, JsonLdError> {
        let subject = match member(node, "@id") {
            Some(Value::String(id)) => self.id_term(id)?,
            _ => self.fresh(),
        };
        if let Some(types) = member(node, "@type") {
            for t in as_slice(types) {
                let Value::String(t) = t else {
                    return Err(invalid("@type is not a string".into()));
                };
                let object = self.id_term(t)?;
                self.emit(subject.clone(), RDF_TYPE, object, graph);
            }
        }
        if let Some(g) = member(node, "@graph") {
            let name = Some(subject.clone());
            for item in as_slice(g) {
                if let Value::Object(m) = item {
                    if !has(m, "@value") && !has(m, "@list") {
                        self.node(m, &name)?;
                    }
                }
            }
        }
        for (property, values) in node {
            if property.starts_with('@') {
                continue;
            }
            if !is_absolute_iri(property) {
                return Err(invalid(format!(
                    "property {property:?} is not an absolute IRI"
                )));
            }
            for v in as_slice(values) {
                if let Some(object) = self.object(v, graph)? {
                    self.emit(subject.clone(), property, object, graph);
                }
            }
        }
        Ok(subject)
    }

    /// Object to RDF (§6.2.1) for a property value.
    fn object(&mut self, v: &Value, graph: &Option<Term>) -> Result<Option<Term>, JsonLdError> {
        let Value::Object(m) = v else {
            return Err(invalid("property value is not an object".into()));
        };
        if has(m, "@value") {
            return literal(m).map(|l| Some(Term::Literal(l)));
        }
        if let Some(items) = member(m, "@list") {
            return self.list(as_slice(items), graph).map(Some);
        }
        self.node(m, graph).map(Some)
    }

    /// List to RDF (§6.2.2).
    fn list(&mut self, items: &[Value], graph: &Option<Term>) -> Result<Term, JsonLdError> {
        if items.is_empty() {
            return Ok(Term::Iri(RDF_NIL.into()));
        }
        let nodes: Vec<Term> = items.iter().map(|_| self.fresh()).collect();
        for (i, item) in items.iter().enumerate() {
            if let Some(o) = self.object(item, graph)? {
                self.emit(nodes[i].clone(), RDF_FIRST, o, graph);
            }
            let rest = nodes
                .get(i + 1)
                .cloned()
                .unwrap_or_else(|| Term::Iri(RDF_NIL.into()));
            self.emit(nodes[i].clone(), RDF_REST, rest, graph);
        }
        Ok(nodes[0].clone())
    }
}

/// A value object as a literal (§6.2.1 steps 4–13).
fn literal(m: &Map<String, Value>) -> Result<Literal, JsonLdError> {
    let value = member(m, "@value").unwrap_or(&Value::Null);
    let datatype = member(m, "@type").and_then(Value::as_str);
    if datatype == Some("@json") {
        let bytes = crate::jcs::canonicalize(value);
        let value = String::from_utf8(bytes).map_err(|e| invalid(e.to_string()))?;
        return Ok(Literal {
            value,
            datatype: RDF_JSON.into(),
            language: None,
        });
    }
    let (lexical, default_type) = match value {
        Value::Bool(b) => (b.to_string(), XSD_BOOLEAN),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let integral = n.is_i64() || n.is_u64() || (f.fract() == 0.0 && f.abs() < 1e21);
            if !integral || datatype == Some(XSD_DOUBLE) {
                (canonical_double(f), XSD_DOUBLE)
            } else if let Some(i) = n.as_i64() {
                (i.to_string(), XSD_INTEGER)
            } else if let Some(u) = n.as_u64() {
                (u.to_string(), XSD_INTEGER)
            } else {
                // Integral f64 below 1e21: JavaScript's toFixed(0); `+ 0.0` turns -0 into 0.
                (format!("{:.0}", f + 0.0), XSD_INTEGER)
            }
        }
        Value::String(s) => (s.clone(), XSD_STRING),
        _ => return Err(invalid("value object holds a non-scalar".into())),
    };
    // rdfDirection i18n-datatype (as jsonld.js, with the option the Data
    // Integrity suites set): a string with a base direction becomes a literal
    // typed https://www.w3.org/ns/i18n#{language}_{direction}, no language tag.
    if let (Some(d), Value::String(_)) = (member(m, "@direction").and_then(Value::as_str), value) {
        let lang = member(m, "@language").and_then(Value::as_str).unwrap_or("");
        return Ok(Literal {
            value: lexical,
            datatype: format!(
                "https://www.w3.org/ns/i18n#{}_{d}",
                lang.to_ascii_lowercase()
            ),
            language: None,
        });
    }
    if let Some(lang) = member(m, "@language").and_then(Value::as_str) {
        return Ok(Literal {
            value: lexical,
            datatype: RDF_LANG_STRING.into(),
            language: Some(lang.to_owned()),
        });
    }
    Ok(Literal {
        value: lexical,
        datatype: datatype.unwrap_or(default_type).to_owned(),
        language: None,
    })
}

/// The canonical `xsd:double` form JSON-LD uses: JavaScript's
/// `toExponential(15)` with trailing zeros of the mantissa removed
/// (`7.5` → `7.5E0`, `0.1` → `1.0E-1`).
pub(crate) fn canonical_double(f: f64) -> String {
    let s = format!("{:.15e}", f + 0.0);
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let mut mantissa = mantissa.trim_end_matches('0').to_owned();
    if mantissa.ends_with('.') {
        mantissa.push('0');
    }
    format!("{mantissa}E{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_use_the_json_ld_canonical_form() {
        assert_eq!(canonical_double(7.5), "7.5E0");
        assert_eq!(canonical_double(0.1), "1.0E-1");
        assert_eq!(canonical_double(125.0), "1.25E2");
        assert_eq!(canonical_double(-1.0e-7), "-1.0E-7");
        assert_eq!(canonical_double(0.1 + 0.2), "3.0E-1");
        assert_eq!(canonical_double(1e21), "1.0E21");
    }
}
