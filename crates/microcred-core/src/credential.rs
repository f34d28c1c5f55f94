//! Typed access to VC 2.0 credentials and the Open Badges 3.0
//! `AchievementCredential` micro-credential shape, and a builder.
//!
//! Credentials stay JSON ([`Value`]) end to end: signing and verification
//! work on the full document, so members this model does not know are kept
//! and covered by the signature. The types here are views and helpers.
//!
//! Where each micro-credential element lives is documented in
//! `docs/credential-format.md`: the course-level facts in
//! `credentialSubject.achievement.microCredential`, the learner's results in
//! `credentialSubject.result[]`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::contexts;

/// A read-only view of a credential (or presentation) object.
#[derive(Debug, Clone, Copy)]
pub struct Credential<'a> {
    map: &'a Map<String, Value>,
}

/// A version of the W3C Verifiable Credentials Data Model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataModel {
    /// VC Data Model 2.0 (`https://www.w3.org/ns/credentials/v2`; `validFrom`, `validUntil`).
    V2,
    /// VC Data Model 1.1 (`https://www.w3.org/2018/credentials/v1`; `issuanceDate`,
    /// `expirationDate`), which most wallets' credentials still use.
    V1_1,
}

impl DataModel {
    /// `VC 2.0` or `VC 1.1`.
    pub fn label(self) -> &'static str {
        match self {
            Self::V2 => "VC 2.0",
            Self::V1_1 => "VC 1.1",
        }
    }
}

/// The issuer of a credential: a URL, or a Profile object with an `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer<'a> {
    /// The issuer's identifier (a DID or URL); `None` when malformed.
    pub id: Option<&'a str>,
    /// The display name, when the issuer is an object with `name`.
    pub name: Option<&'a str>,
}

impl<'a> Credential<'a> {
    /// A view of `value`; `None` when it is not a JSON object.
    pub fn new(value: &'a Value) -> Option<Self> {
        value.as_object().map(Self::from_map)
    }

    /// A view of a JSON object already taken apart.
    pub fn from_map(map: &'a Map<String, Value>) -> Self {
        Self { map }
    }

    /// The underlying object.
    pub fn as_map(&self) -> &'a Map<String, Value> {
        self.map
    }

    fn str(&self, k: &str) -> Option<&'a str> {
        self.map.get(k).and_then(Value::as_str)
    }

    /// `@context` entries that are strings (URLs), in order.
    pub fn contexts(&self) -> Vec<&'a str> {
        strings(self.map.get("@context"))
    }

    /// `id`.
    pub fn id(&self) -> Option<&'a str> {
        self.str("id")
    }

    /// `type` values (a string or an array of strings).
    pub fn types(&self) -> Vec<&'a str> {
        strings(self.map.get("type"))
    }

    /// Whether `type` contains `t`.
    pub fn has_type(&self, t: &str) -> bool {
        self.types().contains(&t)
    }

    /// `issuer`, as a URL string or a Profile object.
    pub fn issuer(&self) -> Option<Issuer<'a>> {
        match self.map.get("issuer")? {
            Value::String(s) => Some(Issuer {
                id: Some(s),
                name: None,
            }),
            Value::Object(o) => Some(Issuer {
                id: o.get("id").and_then(Value::as_str),
                name: o.get("name").and_then(Value::as_str),
            }),
            _ => Some(Issuer {
                id: None,
                name: None,
            }),
        }
    }

    /// The W3C VC Data Model the document follows, by its first `@context`
    /// entry; `None` when that is neither base context.
    pub fn data_model(&self) -> Option<DataModel> {
        let first = match self.map.get("@context")? {
            Value::Array(a) => a.first()?.as_str()?,
            Value::String(s) => s.as_str(),
            _ => return None,
        };
        match first {
            contexts::VC_V2 => Some(DataModel::V2),
            contexts::VC_V1 => Some(DataModel::V1_1),
            _ => None,
        }
    }

    /// The dates before which the credential is not valid, with their member
    /// names: `validFrom`, and for a VC 1.1 credential `issuanceDate` (the
    /// date from which VC 1.1 says a credential is valid). Each is a bound.
    pub fn validity_starts(&self) -> Vec<(&'static str, &'a str)> {
        self.dates(("issuanceDate", "validFrom"))
    }

    /// The dates after which the credential is not valid, with their member
    /// names: `validUntil`, and for a VC 1.1 credential `expirationDate`.
    pub fn validity_ends(&self) -> Vec<(&'static str, &'a str)> {
        self.dates(("expirationDate", "validUntil"))
    }

    fn dates(&self, (v1, v2): (&'static str, &'static str)) -> Vec<(&'static str, &'a str)> {
        let mut out = Vec::with_capacity(2);
        if self.data_model() == Some(DataModel::V1_1) {
            if let Some(d) = self.str(v1) {
                out.push((v1, d));
            }
        }
        if let Some(d) = self.str(v2) {
            out.push((v2, d));
        }
        out
    }

    /// `validFrom`.
    pub fn valid_from(&self) -> Option<&'a str> {
        self.str("validFrom")
    }

    /// `validUntil`.
    pub fn valid_until(&self) -> Option<&'a str> {
        self.str("validUntil")
    }

    /// `name`.
    pub fn name(&self) -> Option<&'a str> {
        self.str("name")
    }

    /// `credentialSubject` objects (one or several).
    pub fn subjects(&self) -> Vec<&'a Map<String, Value>> {
        objects(self.map.get("credentialSubject"))
    }

    /// `credentialStatus` objects.
    pub fn status_entries(&self) -> Vec<&'a Map<String, Value>> {
        objects(self.map.get("credentialStatus"))
    }

    /// `credentialSchema` objects.
    pub fn schemas(&self) -> Vec<&'a Map<String, Value>> {
        objects(self.map.get("credentialSchema"))
    }

    /// `evidence` objects.
    pub fn evidence(&self) -> Vec<&'a Map<String, Value>> {
        objects(self.map.get("evidence"))
    }

    /// `credentialSubject.achievement` of the first subject (Open Badges 3.0).
    pub fn achievement(&self) -> Option<&'a Map<String, Value>> {
        self.subjects()
            .first()?
            .get("achievement")
            .and_then(Value::as_object)
    }

    /// The micro-credential extension `credentialSubject.achievement.microCredential`,
    /// decoded; `None` when absent, `Some(Err)` when present but not of the shape.
    pub fn micro_credential(&self) -> Option<Result<MicroCredential, serde_json::Error>> {
        let m = self.achievement()?.get("microCredential")?;
        Some(MicroCredential::deserialize(m))
    }

    /// The figures a report's summary shows of the micro-credential extension
    /// (ECTS, EQF level, hours), exactly as [`Credential::micro_credential`]
    /// decodes them, without decoding the rest: `None` when the extension is
    /// absent *or malformed anywhere* (where the decode fails), since a
    /// qualification must not count credits from a block that is not of the shape.
    pub fn micro_credential_figures(&self) -> Option<MicroCredentialFigures> {
        figures(self.achievement()?.get("microCredential")?)
    }
}

/// ECTS credit points, EQF level and study hours of a micro-credential (the
/// [`MicroCredential::ects`], [`MicroCredential::eqf_level`] and
/// [`MicroCredential::hours`] of its decoded form).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MicroCredentialFigures {
    /// ECTS credit points.
    pub ects: Option<f64>,
    /// EQF level.
    pub eqf_level: Option<u8>,
    /// Total study hours.
    pub hours: Option<f64>,
}

/// [`MicroCredentialFigures`] of a `microCredential` value, checking every
/// member [`MicroCredential`] (and the structs it nests) gives a type, as its
/// derived decode would: `None` where that decode fails. Members it keeps as
/// `Value` (`isced_f`, `extra`, …) accept anything. Written out by hand because
/// the decode buffers every `#[serde(flatten)]` struct and copies every string,
/// which cost more than the rest of a report over a directory of credentials.
fn figures(m: &Value) -> Option<MicroCredentialFigures> {
    // `#[serde(flatten)]` structs are decoded from maps only (no sequence form),
    // and `null` is no struct either (unless the field is an `Option`).
    let [
        profile,
        country,
        region,
        form,
        prerequisites,
        validity,
        further,
        bodies,
        outcomes,
        workload,
        level,
        assessment,
    ] = pick(
        m.as_object()?,
        [
            "profile",
            "issuerCountry",
            "issuerRegion",
            "formOfParticipation",
            "prerequisites",
            "validityPeriod",
            "furtherInformation",
            "awardingBodies",
            "learningOutcomes",
            "workload",
            "level",
            "assessment",
        ],
    );
    string_list(profile)?;
    for v in [country, region, form, prerequisites, validity, further] {
        optional(v, Value::as_str)?;
    }
    list(bodies, |_| Some(()))?;
    list(outcomes, |o| {
        let [id, description, skills] = pick(o.as_object()?, ["id", "description", "relatedSkill"]);
        optional(id, Value::as_str)?;
        // `#[serde(default)] String`: absent is fine, `null` is not.
        description.map_or(Some(""), Value::as_str)?;
        string_list(skills)
    })?;
    let (mut hours, mut ects) = (None, None);
    if let Some(w) = struct_member(workload)? {
        let [h, volume, points] = pick(w, ["hours", "volumeOfLearning", "creditPoints"]);
        hours = optional(h, Value::as_f64)?;
        let volume = optional(volume, Value::as_str)?;
        // The first entry of the framework counts, as in `credit_points`.
        list(points, |c| {
            let [framework, points] = pick(c.as_object()?, ["framework", "points"]);
            let (framework, points) = (framework?.as_str()?, points?.as_f64()?);
            if framework == "ECTS" && ects.is_none() {
                ects = Some(points);
            }
            Some(())
        })?;
        hours = hours.or_else(|| volume?.strip_prefix("PT")?.strip_suffix('H')?.parse().ok());
    }
    let eqf_level = match struct_member(level)? {
        Some(l) => optional(l.get("eqfLevel"), |v| {
            v.as_u64().and_then(|n| u8::try_from(n).ok())
        })?,
        None => None,
    };
    if let Some(a) = struct_member(assessment)? {
        let [types, summative, supervision, identity] = pick(
            a,
            ["types", "summative", "supervision", "identityVerification"],
        );
        string_list(types)?;
        optional(summative, Value::as_bool)?;
        optional(supervision, Value::as_str)?;
        optional(identity, Value::as_bool)?;
    }
    Some(MicroCredentialFigures {
        ects,
        eqf_level,
        hours,
    })
}

/// The members `names` of `map`, found in one pass over its members (a lookup
/// per name would hash each name).
fn pick<'a, const N: usize>(
    map: &'a Map<String, Value>,
    names: [&str; N],
) -> [Option<&'a Value>; N] {
    let mut found = [None; N];
    for (name, value) in map {
        if let Some(slot) = names
            .iter()
            .position(|n| n == name)
            .and_then(|i| found.get_mut(i))
        {
            *slot = Some(value);
        }
    }
    found
}

/// An `Option<T>` member: absent or `null` is `Some(None)`, a value of the type
/// `Some(Some(t))`, anything else `None` (the decode fails).
fn optional<'a, T>(
    v: Option<&'a Value>,
    as_t: impl Fn(&'a Value) -> Option<T>,
) -> Option<Option<T>> {
    match v {
        None | Some(Value::Null) => Some(None),
        Some(v) => as_t(v).map(Some),
    }
}

/// An `Option<Struct>` member: absent or `null` is `Some(None)`, an object
/// `Some(Some(map))`, anything else `None`.
fn struct_member(v: Option<&Value>) -> Option<Option<&Map<String, Value>>> {
    optional(v, Value::as_object)
}

/// A `#[serde(default)] Vec<T>` member: absent, or an array each of whose
/// elements `each` accepts (`null` is no array).
fn list<'a>(v: Option<&'a Value>, each: impl FnMut(&'a Value) -> Option<()>) -> Option<()> {
    match v {
        None => Some(()),
        Some(v) => v.as_array()?.iter().try_for_each(each),
    }
}

/// A `#[serde(default)] Vec<String>` member.
fn string_list(v: Option<&Value>) -> Option<()> {
    list(v, |e| e.as_str().map(|_| ()))
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn objects(v: Option<&Value>) -> Vec<&Map<String, Value>> {
    match v {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

/// `achievement.microCredential`: the EU / EMC micro-credential elements an
/// Open Badges achievement has no place for. Unknown members are kept in
/// `extra`, so a decoded value re-encodes without loss.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicroCredential {
    /// Framework claims, e.g. `EU-2022`, `EMC-CMF`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<String>,
    /// ISO 3166-1 alpha-2 country of the issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_country: Option<String>,
    /// Region (NUTS code) of the issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_region: Option<String>,
    /// Awarding bodies, for joint awards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awarding_bodies: Vec<Value>,
    /// Learning outcomes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learning_outcomes: Vec<LearningOutcome>,
    /// Notional workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
    /// Level (EQF, NQF, QF-EHEA cycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// ISCED-F field of education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isced_f: Option<Value>,
    /// `online`, `onsite`, `blended`, `volunteering`, `work-experience`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_of_participation: Option<String>,
    /// Assessment: types, summative, supervision and identity verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
    /// Quality assurance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_assurance: Option<Value>,
    /// Prerequisites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerequisites: Option<String>,
    /// Stackability: mode and the qualifications it counts towards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stackability: Option<Value>,
    /// ISO 8601 duration of validity, e.g. `P5Y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_period: Option<String>,
    /// Further information (URL or text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub further_information: Option<String>,
    /// Members this model does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One learning outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LearningOutcome {
    /// Optional identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the learner can do.
    #[serde(default)]
    pub description: String,
    /// Related skills (ESCO URIs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_skill: Vec<String>,
    /// Members this model does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Notional workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    /// Total study hours, assessment included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// ISO 8601 duration, e.g. `PT125H`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_of_learning: Option<String>,
    /// Credit points in one or more frameworks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credit_points: Vec<CreditPoints>,
    /// Members this model does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Credit points in a named framework (`ECTS`, `UK-CATS`, `US-SCH`, `NZQCF`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditPoints {
    /// The framework's name.
    pub framework: String,
    /// The number of points.
    pub points: f64,
    /// Members this model does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Level of the learning experience.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Level {
    /// European Qualifications Framework level, 1–8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eqf_level: Option<u8>,
    /// Members this model does not name (`eqfUri`, `nqf`, `qfEheaCycle`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// Types of assessment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Whether there is a summative assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summative: Option<bool>,
    /// Supervision and identity verification during assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
    /// Whether the learner's identity was verified at assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_verification: Option<bool>,
    /// Members this model does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MicroCredential {
    /// Total study hours: `workload.hours`, else `workload.volumeOfLearning`
    /// when it is of the form `PT{n}H`.
    pub fn hours(&self) -> Option<f64> {
        let w = self.workload.as_ref()?;
        w.hours.or_else(|| {
            w.volume_of_learning
                .as_deref()?
                .strip_prefix("PT")?
                .strip_suffix('H')?
                .parse()
                .ok()
        })
    }

    /// Points in the named credit framework (e.g. `ECTS`).
    pub fn credit_points(&self, framework: &str) -> Option<f64> {
        self.workload
            .as_ref()?
            .credit_points
            .iter()
            .find(|c| c.framework == framework)
            .map(|c| c.points)
    }

    /// ECTS credit points.
    pub fn ects(&self) -> Option<f64> {
        self.credit_points("ECTS")
    }

    /// EQF level.
    pub fn eqf_level(&self) -> Option<u8> {
        self.level.as_ref()?.eqf_level
    }
}

/// Builds a VC 2.0 credential as JSON, members in a readable order.
#[derive(Debug, Clone)]
pub struct CredentialBuilder {
    map: Map<String, Value>,
}

impl Default for CredentialBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialBuilder {
    /// A credential with the VC 2.0 base context and type `VerifiableCredential`.
    pub fn new() -> Self {
        let mut map = Map::new();
        map.insert(
            "@context".into(),
            Value::Array(vec![contexts::VC_V2.into()]),
        );
        map.insert(
            "type".into(),
            Value::Array(vec!["VerifiableCredential".into()]),
        );
        Self { map }
    }

    /// An Open Badges 3.0 micro-credential: contexts VC 2.0 and Open Badges 3.0; types
    /// `VerifiableCredential`, `OpenBadgeCredential`. [`Self::build`] gives its
    /// `credentialSubject` the micro-credential terms ([`crate::microcred_context::embed`]).
    pub fn open_badge() -> Self {
        Self::new()
            .context(contexts::OB_V3P0)
            .add_type("OpenBadgeCredential")
    }

    fn push(mut self, key: &str, v: Value) -> Self {
        if let Some(Value::Array(a)) = self.map.get_mut(key) {
            if !a.contains(&v) {
                a.push(v);
            }
        }
        self
    }

    /// Appends a context URL.
    pub fn context(self, url: &str) -> Self {
        self.push("@context", url.into())
    }

    /// Appends a type.
    pub fn add_type(self, t: &str) -> Self {
        self.push("type", t.into())
    }

    /// Sets any member.
    pub fn member(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.map.insert(key.into(), value.into());
        self
    }

    /// Sets `id`.
    pub fn id(self, id: &str) -> Self {
        self.member("id", id)
    }

    /// Sets `name`.
    pub fn name(self, name: &str) -> Self {
        self.member("name", name)
    }

    /// Sets `issuer` to a Profile `{id, type: [Profile], name}`.
    pub fn issuer(self, id: &str, name: &str) -> Self {
        self.member(
            "issuer",
            serde_json::json!({"id": id, "type": ["Profile"], "name": name}),
        )
    }

    /// Sets `validFrom`.
    pub fn valid_from(self, at: &str) -> Self {
        self.member("validFrom", at)
    }

    /// Sets `validUntil`.
    pub fn valid_until(self, at: &str) -> Self {
        self.member("validUntil", at)
    }

    /// Sets `credentialSubject`.
    pub fn subject(self, subject: Value) -> Self {
        self.member("credentialSubject", subject)
    }

    /// Sets `credentialStatus`.
    pub fn status(self, status: Value) -> Self {
        self.member("credentialStatus", status)
    }

    /// The credential.
    pub fn build(self) -> Value {
        let open_badge = self
            .map
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t == "OpenBadgeCredential"));
        let mut doc = Value::Object(self.map);
        if open_badge {
            crate::microcred_context::embed(&mut doc);
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../keys-example/micro-credential.unsigned.json");

    #[test]
    fn reads_the_example_micro_credential() {
        let v = crate::json::parse(EXAMPLE.as_bytes()).unwrap();
        let c = Credential::new(&v).unwrap();
        assert!(c.has_type("OpenBadgeCredential"));
        assert_eq!(c.contexts()[0], contexts::VC_V2);
        assert_eq!(c.issuer().unwrap().name, Some("University of Example"));
        let m = c.micro_credential().unwrap().unwrap();
        assert_eq!(m.hours(), Some(125.0));
        assert_eq!(m.ects(), Some(5.0));
        assert_eq!(m.eqf_level(), Some(7));
        assert_eq!(m.learning_outcomes.len(), 3);
        // Decoding and re-encoding loses nothing (same canonical form).
        let original = &c.achievement().unwrap()["microCredential"];
        let canon = |v: &Value| String::from_utf8(crate::jcs::canonicalize(v)).unwrap();
        assert_eq!(canon(&serde_json::to_value(&m).unwrap()), canon(original));
    }

    #[test]
    fn builder_makes_an_open_badge() {
        let v = CredentialBuilder::open_badge()
            .id("urn:uuid:1")
            .issuer("did:key:z6Mk", "University of Example")
            .valid_from("2025-03-01T00:00:00Z")
            .subject(serde_json::json!({"id": "did:example:learner"}))
            .build();
        let c = Credential::new(&v).unwrap();
        assert_eq!(c.contexts(), vec![contexts::VC_V2, contexts::OB_V3P0]);
        assert_eq!(
            v["credentialSubject"]["@context"],
            crate::microcred_context::inline()
        );
        assert_eq!(
            c.types(),
            vec!["VerifiableCredential", "OpenBadgeCredential"]
        );
        assert_eq!(c.issuer().unwrap().id, Some("did:key:z6Mk"));
    }

    /// `micro_credential_figures` answers what the full decode answers, for the
    /// example and for every typed member (and the block itself) replaced by a
    /// value of each JSON type, or removed.
    #[test]
    fn figures_agree_with_the_full_decode() {
        let v = crate::json::parse(EXAMPLE.as_bytes()).unwrap();
        let decoded = |doc: &Value| {
            Credential::new(doc)
                .unwrap()
                .micro_credential()
                .and_then(Result::ok)
                .map(|m| MicroCredentialFigures {
                    ects: m.ects(),
                    eqf_level: m.eqf_level(),
                    hours: m.hours(),
                })
        };
        let figures = |doc: &Value| Credential::new(doc).unwrap().micro_credential_figures();
        assert_eq!(
            figures(&v),
            Some(MicroCredentialFigures {
                ects: Some(5.0),
                eqf_level: Some(7),
                hours: Some(125.0)
            })
        );
        let base = "/credentialSubject/achievement/microCredential";
        let members = [
            "",
            "/profile",
            "/profile/0",
            "/issuerCountry",
            "/issuerRegion",
            "/awardingBodies",
            "/awardingBodies/0",
            "/learningOutcomes",
            "/learningOutcomes/0",
            "/learningOutcomes/0/id",
            "/learningOutcomes/0/description",
            "/learningOutcomes/0/relatedSkill",
            "/learningOutcomes/0/relatedSkill/0",
            "/learningOutcomes/1/extraMember",
            "/workload",
            "/workload/hours",
            "/workload/volumeOfLearning",
            "/workload/creditPoints",
            "/workload/creditPoints/0",
            "/workload/creditPoints/0/framework",
            "/workload/creditPoints/0/points",
            "/workload/creditPoints/0/frameworkUri",
            "/level",
            "/level/eqfLevel",
            "/level/nqf",
            "/iscedF",
            "/formOfParticipation",
            "/assessment",
            "/assessment/types",
            "/assessment/types/0",
            "/assessment/summative",
            "/assessment/supervision",
            "/assessment/identityVerification",
            "/qualityAssurance",
            "/prerequisites",
            "/stackability",
            "/validityPeriod",
            "/furtherInformation",
            "/somethingElse",
        ];
        let replacements = [
            Value::Null,
            Value::Bool(true),
            serde_json::json!(0),
            serde_json::json!(7),
            serde_json::json!(300),
            serde_json::json!(-1),
            serde_json::json!(2.5),
            serde_json::json!(-0.0),
            serde_json::json!("ECTS"),
            serde_json::json!("PT60H"),
            serde_json::json!([]),
            serde_json::json!(["a"]),
            serde_json::json!([1]),
            serde_json::json!([{}]),
            serde_json::json!({}),
            serde_json::json!({"framework": "ECTS", "points": 3}),
            serde_json::json!([{"framework": "ECTS", "points": 2.5}]),
            serde_json::json!({"hours": 10, "eqfLevel": 6, "description": "d"}),
        ];
        let mut cases = 0;
        for member in members {
            let path = format!("{base}{member}");
            let (parent, last) = path.rsplit_once('/').unwrap();
            for replacement in replacements.iter().map(Some).chain([None]) {
                let mut doc = v.clone();
                match doc.pointer_mut(parent).unwrap() {
                    Value::Object(o) => match replacement {
                        Some(r) => {
                            o.insert(last.to_owned(), r.clone());
                        }
                        None => {
                            o.remove(last);
                        }
                    },
                    Value::Array(a) => {
                        let i: usize = last.parse().unwrap();
                        match replacement {
                            Some(r) => a[i] = r.clone(),
                            None => {
                                a.remove(i);
                            }
                        }
                    }
                    _ => unreachable!("{parent}"),
                }
                assert_eq!(figures(&doc), decoded(&doc), "{path} = {replacement:?}");
                cases += 1;
            }
        }
        assert_eq!(cases, members.len() * (replacements.len() + 1));
    }

    #[test]
    fn hours_from_volume_of_learning() {
        let m: MicroCredential =
            serde_json::from_value(serde_json::json!({"workload": {"volumeOfLearning": "PT60H"}}))
                .unwrap();
        assert_eq!(m.hours(), Some(60.0));
    }
}
