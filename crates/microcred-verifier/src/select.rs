//! The members of a credential that its report reads, as a `Value`, from bytes
//! already known to be strict JSON (the bulk driver parsed them to verify the
//! proofs), without building the rest of the document.
//!
//! Over a directory, building the whole `Value` of each credential a second
//! time (every string and map allocated, then freed) cost more than verifying
//! its signature, while the checks of a credential read a dozen members. Each
//! member kept is parsed with the strict parser [`json::parse`] from its own
//! bytes, so it is exactly the `Value` the whole document's parse has there
//! (numbers, strings, member order); objects on the way to them keep only the
//! members named below, and every node keeps its JSON type (an array stays an
//! array of the same length), so that the checks see what they would see in the
//! whole document. Anything unexpected gives `None`, and the caller parses the
//! whole document instead.

use microcred_core::Value;
use microcred_core::json;
use serde_json::Map;

/// What to keep of a member.
#[derive(Debug, Clone, Copy)]
enum Keep {
    /// The value, parsed whole.
    All,
    /// Only the value's JSON type: strings empty, objects without members,
    /// arrays of the same length with their elements by this rule, other values
    /// whole. For members whose content nothing reads (only whether they are of
    /// the type the decode of `microCredential` wants).
    Kind,
    /// Of an object, only these members, each by its own rule; of an array,
    /// every element by this rule; any other value whole.
    Members(&'static [(&'static str, Keep)]),
}

use Keep::{All, Kind, Members};

/// What [`microcred_core::credential::Credential::micro_credential_figures`]
/// reads: every member `MicroCredential` types, with the members of the
/// structs it nests (members kept as `Value` accept anything and are left out);
/// of most only the type matters, the figures' own members are kept whole.
const MICRO_CREDENTIAL: &[(&str, Keep)] = &[
    ("profile", Kind),
    ("issuerCountry", Kind),
    ("issuerRegion", Kind),
    ("awardingBodies", Kind),
    (
        "learningOutcomes",
        Members(&[("id", Kind), ("description", Kind), ("relatedSkill", Kind)]),
    ),
    // The figures: their numbers, the framework's name and the volume's text.
    (
        "workload",
        Members(&[
            ("hours", All),
            ("volumeOfLearning", All),
            (
                "creditPoints",
                Members(&[("framework", All), ("points", All)]),
            ),
        ]),
    ),
    ("level", Members(&[("eqfLevel", All)])),
    ("formOfParticipation", Kind),
    (
        "assessment",
        Members(&[
            ("types", Kind),
            ("summative", Kind),
            ("supervision", Kind),
            ("identityVerification", Kind),
        ]),
    ),
    ("prerequisites", Kind),
    ("validityPeriod", Kind),
    ("furtherInformation", Kind),
];

/// What the checks of a credential and its summary read (`verifier::credential`
/// with its proofs verified already, and no profile: profiles and presentations
/// read the whole document).
const CREDENTIAL: &[(&str, Keep)] = &[
    ("@context", All),
    ("type", All),
    ("id", All),
    ("name", All),
    // The data model rules of the structure check (`issuance::check_member`).
    ("description", All),
    ("credentialSchema", All),
    ("refreshService", All),
    ("termsOfUse", All),
    ("evidence", All),
    ("relatedResource", All),
    // `Credential::issuer` reads the id and name of an issuer object; the structure
    // check its name and description.
    (
        "issuer",
        Members(&[("id", All), ("name", All), ("description", All)]),
    ),
    ("validFrom", All),
    ("validUntil", All),
    // A VC 1.1 credential's validity dates.
    ("issuanceDate", All),
    ("expirationDate", All),
    ("credentialStatus", All),
    (
        "credentialSubject",
        Members(&[
            ("id", All),
            // The learner's name and grade (`Summary::learner_name`, `Summary::grade`).
            ("name", All),
            (
                "identifier",
                Members(&[
                    ("identityType", All),
                    ("identityHash", All),
                    ("hashed", All),
                ]),
            ),
            ("result", Members(&[("value", All), ("status", All)])),
            (
                "achievement",
                Members(&[
                    ("id", All),
                    ("name", All),
                    ("microCredential", Members(MICRO_CREDENTIAL)),
                ]),
            ),
        ]),
    ),
];

/// The members of the credential (a JSON object) in `bytes` that its report
/// reads; `None` when `bytes` is not an object or holds anything the scan does
/// not expect (then parse the whole document).
///
/// `bytes` must be strict JSON (accepted by [`json::parse`]): the scan only
/// finds where values end, it does not validate them.
pub(crate) fn credential(bytes: &[u8]) -> Option<Value> {
    let mut scan = Scan { bytes, pos: 0 };
    scan.ws();
    let doc = scan.keep(Members(CREDENTIAL))?;
    scan.ws();
    (scan.pos == bytes.len() && doc.is_object()).then_some(doc)
}

/// A cursor over strict JSON.
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after whitespace).
    fn eat(&mut self, byte: u8) -> bool {
        self.ws();
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// The value at the cursor, kept by `rule`; the cursor moves past it.
    fn keep(&mut self, rule: Keep) -> Option<Value> {
        self.ws();
        match (rule, self.peek()?) {
            (Members(members), b'{') => self.object(members),
            (Kind, b'{') => {
                self.skip()?;
                Some(Value::Object(Map::new()))
            }
            (Kind, b'"') => {
                self.skip()?;
                Some(Value::String(String::new()))
            }
            (Members(_) | Kind, b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.keep(rule)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Array(items))
            }
            _ => {
                let start = self.pos;
                self.skip()?;
                value(self.bytes.get(start..self.pos)?)
            }
        }
    }

    /// An object with only the named members, in the document's order.
    fn object(&mut self, members: &[(&str, Keep)]) -> Option<Value> {
        self.pos += 1;
        // Sized for the members kept, so that the map is not rehashed as it grows.
        let mut map = Map::with_capacity(members.len());
        if self.eat(b'}') {
            return Some(Value::Object(map));
        }
        loop {
            self.ws();
            let name = self.name()?;
            if !self.eat(b':') {
                return None;
            }
            match members.iter().find(|(n, _)| n.as_bytes() == name) {
                Some(&(n, rule)) => {
                    map.insert(n.to_owned(), self.keep(rule)?);
                }
                None => {
                    self.ws();
                    self.skip()?;
                }
            }
            if self.eat(b'}') {
                return Some(Value::Object(map));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A member name without escapes (`None` for one with escapes, which could
    /// spell a kept name differently).
    fn name(&mut self) -> Option<&'a [u8]> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        let len = memchr::memchr(b'"', self.bytes.get(start..)?)?;
        let name = self.bytes.get(start..start + len)?;
        if name.contains(&b'\\') {
            return None;
        }
        self.pos = start + len + 1;
        Some(name)
    }

    /// Moves past the value at the cursor.
    fn skip(&mut self) -> Option<()> {
        let rest = self.bytes.get(self.pos..)?;
        self.pos += match rest.first()? {
            b'"' => string_len(rest)?,
            b'{' | b'[' => container_len(rest)?,
            // A scalar ends at the first byte that cannot be part of it.
            _ => rest
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len())
                .max(1),
        };
        Some(())
    }
}

/// The value of a whole member, from its bytes: a string without escapes or a
/// literal directly, anything else by the strict parser (numbers take its exact
/// conversion).
fn value(raw: &[u8]) -> Option<Value> {
    match raw {
        [b'"', text @ .., b'"'] if !text.contains(&b'\\') => std::str::from_utf8(text)
            .ok()
            .map(|s| Value::String(s.to_owned())),
        b"true" => Some(Value::Bool(true)),
        b"false" => Some(Value::Bool(false)),
        b"null" => Some(Value::Null),
        _ => json::parse(raw).ok(),
    }
}

/// The length of the string at the start of `s`, quotes included.
fn string_len(s: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let at = i + memchr::memchr2(b'"', b'\\', s.get(i..)?)?;
        if s.get(at) == Some(&b'"') {
            return Some(at + 1);
        }
        // A backslash and the character it escapes (`\uXXXX`'s digits are plain).
        i = at + 2;
    }
}

/// The length of the array or object at the start of `s`.
fn container_len(s: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'"' => {
                i += string_len(s.get(i..)?)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The structure check applies the issuer's member rules to what was signed
    /// (`checks::structure`), so every member they read must be kept here: a member
    /// left out would make a bulk verdict differ from a single one (in debug builds
    /// an assertion in `verifier.rs` catches it; in release nothing would).
    #[test]
    fn keeps_every_member_the_data_model_rules_read() {
        let kept: Vec<&str> = CREDENTIAL.iter().map(|(name, _)| *name).collect();
        for member in microcred_core::issuance::CHECKED_MEMBERS {
            assert!(kept.contains(&member), "{member} is not kept");
        }
        let issuer = CREDENTIAL.iter().find_map(|(n, keep)| match keep {
            Members(m) if *n == "issuer" => Some(*m),
            _ => None,
        });
        assert!(issuer.is_some(), "issuer is not kept member by member");
        for member in ["id", "name", "description"] {
            assert!(
                issuer.is_some_and(|m| m.iter().any(|(n, _)| *n == member)),
                "issuer.{member}"
            );
        }
    }

    #[test]
    fn keeps_what_the_report_reads_and_drops_the_rest() {
        let doc = br#" {"proof": {"a": [1, "}", "\"]"]}, "name": "N\u00e9",
            "credentialSubject": [{"id": "did:x", "result": [{}],
              "achievement": {"name": "A", "microCredential": {"workload": {"hours": 1.50,
                "creditPoints": [{"points": 5, "framework": "ECTS", "x": 1}]}, "iscedF": {}}}}, 3],
            "issuer": {"name": "U", "url": "u", "id": "did:y"}, "validFrom": {"b": 1, "a": -0} } "#;
        let kept = credential(doc).unwrap();
        let expected = json::parse(
            br#"{"name": "N\u00e9",
            "credentialSubject": [{"id": "did:x", "result": [{}],
              "achievement": {"name": "A", "microCredential": {"workload": {"hours": 1.50,
                "creditPoints": [{"points": 5, "framework": "ECTS"}]}}}}, 3],
            "issuer": {"name": "U", "id": "did:y"}, "validFrom": {"b": 1, "a": -0}}"#,
        )
        .unwrap();
        assert_eq!(kept, expected);
        // Member order and the number forms are those of the strict parser.
        assert_eq!(
            serde_json::to_string(&kept["validFrom"]).unwrap(),
            r#"{"b":1,"a":-0.0}"#
        );
    }

    #[test]
    fn anything_unexpected_is_left_to_the_whole_parse() {
        for doc in [
            &b"[1]"[..],
            b"\"x\"",
            b"3",
            br#"{"\u0069d": "x"}"#,
            br#"{"id": "x"} x"#,
            b"",
        ] {
            assert_eq!(credential(doc), None, "{}", String::from_utf8_lossy(doc));
        }
        assert_eq!(credential(b"{}"), Some(Value::Object(Map::new())));
    }
}
