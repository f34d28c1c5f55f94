//! W3C Bitstring Status List v1.0: the bitstring a status list credential
//! carries (GZIP-compressed, multibase base64url `u…` in `encodedList`), and
//! the `BitstringStatusListEntry` a credential points into it with.
//!
//! Bit `i` is bit `7 - (i % 8)` of byte `i / 8`: index 0 is the left-most
//! (most significant) bit of the first byte, as the specification requires.

use std::io::{Read as _, Write as _};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Map, Value, json};

use crate::{contexts, multibase};

/// The smallest list the specification allows (16 KiB of bits), which also
/// gives group privacy: one list hides each learner among 131,072 entries.
pub const MIN_ENTRIES: usize = 131_072;

/// The largest list accepted when decoding (16 MiB of bits), so that a
/// hostile "GZIP bomb" cannot exhaust memory.
pub const MAX_ENTRIES: usize = 8 * 16 * 1024 * 1024;

/// Status purposes this toolkit issues and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusPurpose {
    /// A set bit means the credential is revoked (permanently).
    Revocation,
    /// A set bit means the credential is suspended (may be lifted).
    Suspension,
}

impl StatusPurpose {
    /// The JSON value, `revocation` or `suspension`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revocation => "revocation",
            Self::Suspension => "suspension",
        }
    }

    /// Parses a JSON `statusPurpose`; `None` for purposes not handled here
    /// (`refresh`, `message`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "revocation" => Some(Self::Revocation),
            "suspension" => Some(Self::Suspension),
            _ => None,
        }
    }
}

impl core::fmt::Display for StatusPurpose {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status list formats read here: W3C Bitstring Status List v1.0, and its
/// predecessor StatusList2021 (same GZIP-compressed bitstring, same entry
/// members; its `encodedList` is base64url without the multibase `u`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListKind {
    /// `BitstringStatusListEntry` → `BitstringStatusListCredential`.
    Bitstring,
    /// `StatusList2021Entry` → `StatusList2021Credential`.
    StatusList2021,
}

impl ListKind {
    /// Both kinds.
    pub const ALL: [Self; 2] = [Self::Bitstring, Self::StatusList2021];

    /// The `type` of a credential's status entry.
    pub fn entry_type(self) -> &'static str {
        match self {
            Self::Bitstring => "BitstringStatusListEntry",
            Self::StatusList2021 => "StatusList2021Entry",
        }
    }

    /// The `type` of the status list credential.
    pub fn credential_type(self) -> &'static str {
        match self {
            Self::Bitstring => "BitstringStatusListCredential",
            Self::StatusList2021 => "StatusList2021Credential",
        }
    }

    /// The kind whose entry type a `credentialStatus` object's `type` (a
    /// string or an array of strings) names, if any.
    pub fn of_entry(entry: &Map<String, Value>) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| has_type(entry.get("type"), k.entry_type()))
    }
}

/// Whether a `type` value is `wanted` or an array containing it.
fn has_type(ty: Option<&Value>, wanted: &str) -> bool {
    match ty {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Array(a)) => a.iter().any(|t| t == wanted),
        _ => false,
    }
}

/// Why a status list or status entry is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    /// `encodedList` is not multibase base64url.
    #[error("encodedList is not multibase base64url (\"u…\"): {0}")]
    Encoding(#[source] multibase::MultibaseError),
    /// A StatusList2021 `encodedList` is not base64url.
    #[error("encodedList is not base64url (StatusList2021)")]
    Encoding2021,
    /// The data is not GZIP.
    #[error("encodedList is not GZIP-compressed data")]
    Gzip,
    /// The list decompresses to more than [`MAX_ENTRIES`] bits.
    #[error("status list is larger than the {max}-entry limit")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The list is shorter than the specification's minimum.
    #[error("status list has {found} entries; at least {min} are required")]
    TooSmall {
        /// Entries found.
        found: usize,
        /// The minimum.
        min: usize,
    },
    /// An index beyond the end of the list.
    #[error("status index {index} is beyond the list's {len} entries")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The list length.
        len: usize,
    },
    /// A status entry member is missing or malformed.
    #[error("credentialStatus {member}: {problem}")]
    Entry {
        /// The member.
        member: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The status list credential is not of the expected shape.
    #[error("status list credential: {0}")]
    ListCredential(String),
}

/// A bitstring of status entries.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl core::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "StatusList({} entries, {} set)",
            self.len(),
            self.bytes.iter().map(|b| b.count_ones()).sum::<u32>()
        )
    }
}

impl StatusList {
    /// A list of `entries` clear bits, rounded up to a whole byte and to at
    /// least [`MIN_ENTRIES`].
    pub fn new(entries: usize) -> Self {
        let entries = entries.max(MIN_ENTRIES);
        Self {
            bytes: vec![0; entries.div_ceil(8)],
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Whether the list has no entries (never true for a list made by [`StatusList::new`]).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index`.
    ///
    /// # Errors
    /// [`StatusListError::IndexOutOfRange`].
    pub fn get(&self, index: usize) -> Result<bool, StatusListError> {
        let byte = self
            .bytes
            .get(index / 8)
            .ok_or(StatusListError::IndexOutOfRange {
                index,
                len: self.len(),
            })?;
        Ok(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets or clears the bit at `index`.
    ///
    /// # Errors
    /// [`StatusListError::IndexOutOfRange`].
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), StatusListError> {
        let len = self.len();
        let byte = self
            .bytes
            .get_mut(index / 8)
            .ok_or(StatusListError::IndexOutOfRange { index, len })?;
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }

    /// The `encodedList` value: multibase base64url (no padding) of the
    /// GZIP-compressed bitstring.
    pub fn encode(&self) -> String {
        let mut gz = GzEncoder::new(Vec::with_capacity(256), Compression::default());
        // Writing to a Vec cannot fail.
        let compressed = gz
            .write_all(&self.bytes)
            .and_then(|()| gz.finish())
            .unwrap_or_default();
        multibase::encode_base64url(&compressed)
    }

    /// Decodes an `encodedList` value, bounded by [`MAX_ENTRIES`] and
    /// requiring at least [`MIN_ENTRIES`].
    ///
    /// # Errors
    /// [`StatusListError`] naming what is wrong.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let compressed = multibase::decode_base64url(encoded).map_err(StatusListError::Encoding)?;
        Self::decompress(&compressed)
    }

    /// Decodes a StatusList2021 `encodedList`: base64url without the multibase
    /// prefix (padding tolerated), then as [`StatusList::decode`].
    ///
    /// # Errors
    /// [`StatusListError`] naming what is wrong.
    pub fn decode_2021(encoded: &str) -> Result<Self, StatusListError> {
        use base64::Engine as _;
        let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|_| StatusListError::Encoding2021)?;
        Self::decompress(&compressed)
    }

    /// The bitstring of GZIP data, bounded by [`MAX_ENTRIES`] and [`MIN_ENTRIES`].
    fn decompress(compressed: &[u8]) -> Result<Self, StatusListError> {
        let max_bytes = MAX_ENTRIES / 8;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed)
            .take(u64::try_from(max_bytes).unwrap_or(u64::MAX) + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusListError::Gzip)?;
        if bytes.len() > max_bytes {
            return Err(StatusListError::TooLarge { max: MAX_ENTRIES });
        }
        let list = Self { bytes };
        if list.len() < MIN_ENTRIES {
            return Err(StatusListError::TooSmall {
                found: list.len(),
                min: MIN_ENTRIES,
            });
        }
        Ok(list)
    }
}

/// A credential's `BitstringStatusListEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The entry's `id`, if any.
    pub id: Option<String>,
    /// `statusPurpose` as written.
    pub purpose: String,
    /// `statusListIndex`, parsed.
    pub index: usize,
    /// `statusListCredential`: the URL (id) of the status list credential.
    pub list_credential: String,
}

impl StatusEntry {
    /// Reads a `credentialStatus` object of type `BitstringStatusListEntry`.
    ///
    /// # Errors
    /// [`StatusListError::Entry`] naming the member that is missing or malformed.
    pub fn from_json(entry: &Map<String, Value>) -> Result<Self, StatusListError> {
        Self::from_json_of(entry, ListKind::Bitstring)
    }

    /// Reads a `credentialStatus` object of the entry type of `kind` (the
    /// members of both kinds are the same).
    ///
    /// # Errors
    /// [`StatusListError::Entry`] naming the member that is missing or malformed.
    pub fn from_json_of(
        entry: &Map<String, Value>,
        kind: ListKind,
    ) -> Result<Self, StatusListError> {
        let err = |member, problem: &str| StatusListError::Entry {
            member,
            problem: problem.to_owned(),
        };
        let ty = entry.get("type").ok_or_else(|| err("type", "missing"))?;
        if !has_type(Some(ty), kind.entry_type()) {
            return Err(err("type", &format!("is not {}", kind.entry_type())));
        }
        let purpose = entry
            .get("statusPurpose")
            .and_then(Value::as_str)
            .ok_or_else(|| err("statusPurpose", "missing or not a string"))?;
        // The specification writes the index as a string of decimal digits; 1EdTech's
        // conformance credentials write a JSON integer, which Digital Bazaar's
        // status-list library reads too (it parses either), so both are read.
        let index = match entry.get("statusListIndex") {
            Some(Value::String(index)) => {
                if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err("statusListIndex", "is not a string of decimal digits"));
                }
                index
                    .parse()
                    .map_err(|_| err("statusListIndex", "is too large"))?
            }
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| err("statusListIndex", "is not a non-negative integer"))?,
            _ => return Err(err("statusListIndex", "missing or not a string")),
        };
        let list_credential = entry
            .get("statusListCredential")
            .and_then(Value::as_str)
            .ok_or_else(|| err("statusListCredential", "missing or not a string"))?;
        Ok(Self {
            id: entry.get("id").and_then(Value::as_str).map(str::to_owned),
            purpose: purpose.to_owned(),
            index,
            list_credential: list_credential.to_owned(),
        })
    }

    /// The `credentialStatus` JSON of this entry.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(id) = &self.id {
            m.insert("id".into(), id.clone().into());
        }
        m.insert("type".into(), "BitstringStatusListEntry".into());
        m.insert("statusPurpose".into(), self.purpose.clone().into());
        m.insert("statusListIndex".into(), self.index.to_string().into());
        m.insert(
            "statusListCredential".into(),
            self.list_credential.clone().into(),
        );
        Value::Object(m)
    }
}

/// An unsigned `BitstringStatusListCredential` for `list`.
pub fn list_credential(
    id: &str,
    issuer: &str,
    purpose: StatusPurpose,
    list: &StatusList,
    valid_from: &str,
) -> Value {
    json!({
        "@context": [contexts::VC_V2],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": list.encode(),
        }
    })
}

/// The parts of a `BitstringStatusListCredential` a verifier needs (the
/// credential's proof, issuer and validity are checked by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCredential {
    /// The credential's `id` (what entries' `statusListCredential` names).
    pub id: String,
    /// The issuer's id.
    pub issuer: String,
    /// `credentialSubject.statusPurpose` (a string, or each of an array).
    pub purposes: Vec<String>,
    /// The decoded bitstring.
    pub list: StatusList,
    /// Bitstring Status List or StatusList2021.
    pub kind: ListKind,
}

impl ListCredential {
    /// Reads a `BitstringStatusListCredential` or a `StatusList2021Credential`.
    ///
    /// # Errors
    /// [`StatusListError`] naming what is missing or malformed.
    pub fn from_json(doc: &Value) -> Result<Self, StatusListError> {
        let bad = |m: &str| StatusListError::ListCredential(m.to_owned());
        let cred =
            crate::credential::Credential::new(doc).ok_or_else(|| bad("not a JSON object"))?;
        let kind = ListKind::ALL
            .into_iter()
            .find(|k| cred.has_type(k.credential_type()))
            .ok_or_else(|| {
                bad("type includes neither BitstringStatusListCredential nor StatusList2021Credential")
            })?;
        let id = cred.id().ok_or_else(|| bad("id is missing"))?;
        let issuer = cred
            .issuer()
            .and_then(|i| i.id)
            .ok_or_else(|| bad("issuer is missing"))?;
        let subject = cred
            .subjects()
            .into_iter()
            .next()
            .ok_or_else(|| bad("credentialSubject is missing"))?;
        let purposes = match subject.get("statusPurpose") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => return Err(bad("credentialSubject.statusPurpose is missing")),
        };
        let encoded = subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("credentialSubject.encodedList is missing"))?;
        let list = match kind {
            ListKind::Bitstring => StatusList::decode(encoded)?,
            ListKind::StatusList2021 => StatusList::decode_2021(encoded)?,
        };
        Ok(Self {
            id: id.to_owned(),
            issuer: issuer.to_owned(),
            purposes,
            list,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_through_encoding() {
        let mut l = StatusList::new(10);
        assert_eq!(l.len(), MIN_ENTRIES);
        for i in [0, 7, 8, 94_567, MIN_ENTRIES - 1] {
            l.set(i, true).unwrap();
        }
        let enc = l.encode();
        assert!(enc.starts_with('u'));
        let back = StatusList::decode(&enc).unwrap();
        assert_eq!(back, l);
        assert!(back.get(94_567).unwrap());
        assert!(!back.get(94_568).unwrap());
        // Index 0 is the most significant bit of the first byte.
        assert_eq!(back.bytes[0], 0b1000_0001);
        assert!(matches!(
            back.get(MIN_ENTRIES),
            Err(StatusListError::IndexOutOfRange { .. })
        ));
        l.set(7, false).unwrap();
        assert!(!l.get(7).unwrap());
    }

    #[test]
    fn decoding_is_bounded_and_strict() {
        // Too small.
        let small = StatusList { bytes: vec![0; 16] };
        assert!(matches!(
            StatusList::decode(&small.encode()),
            Err(StatusListError::TooSmall { .. })
        ));
        // Too large (a compressible "bomb").
        let big = StatusList {
            bytes: vec![0; MAX_ENTRIES / 8 + 1],
        };
        assert!(matches!(
            StatusList::decode(&big.encode()),
            Err(StatusListError::TooLarge { .. })
        ));
        assert_eq!(StatusList::decode("uAAAA"), Err(StatusListError::Gzip));
        assert!(matches!(
            StatusList::decode("zAAAA"),
            Err(StatusListError::Encoding(_))
        ));
    }

    #[test]
    fn entries_round_trip_and_reject_bad_indexes() {
        let e = StatusEntry {
            id: Some("https://uni.example/status/1#5".into()),
            purpose: "revocation".into(),
            index: 5,
            list_credential: "https://uni.example/status/1".into(),
        };
        let v = e.to_json();
        assert_eq!(v["statusListIndex"], "5");
        assert_eq!(StatusEntry::from_json(v.as_object().unwrap()).unwrap(), e);
        for bad in ["-1", "", "1e3", "99999999999999999999999"] {
            let mut v = e.to_json();
            v["statusListIndex"] = bad.into();
            assert!(
                StatusEntry::from_json(v.as_object().unwrap()).is_err(),
                "{bad}"
            );
        }
        // A JSON integer (as 1EdTech's conformance credentials write it) is read too;
        // negative, fractional and non-numbers are not.
        let mut v = e.to_json();
        v["statusListIndex"] = 5.into();
        assert_eq!(StatusEntry::from_json(v.as_object().unwrap()).unwrap(), e);
        for bad in [json!(-1), json!(5.5), json!(true)] {
            let mut v = e.to_json();
            v["statusListIndex"] = bad.clone();
            assert!(
                StatusEntry::from_json(v.as_object().unwrap()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn list_credentials_round_trip() {
        let mut l = StatusList::new(0);
        l.set(3, true).unwrap();
        let v = list_credential(
            "https://uni.example/status/revocation",
            "did:key:z6Mk",
            StatusPurpose::Revocation,
            &l,
            "2025-01-01T00:00:00Z",
        );
        let lc = ListCredential::from_json(&v).unwrap();
        assert_eq!(lc.purposes, vec!["revocation"]);
        assert!(lc.list.get(3).unwrap());
        assert_eq!(lc.issuer, "did:key:z6Mk");
        assert_eq!(lc.kind, ListKind::Bitstring);
    }

    #[test]
    fn status_list_2021_reads_the_same_bits_without_the_multibase_prefix() {
        let mut l = StatusList::new(0);
        l.set(5, true).unwrap();
        let mut v = list_credential(
            "https://uni.example/status/2021",
            "did:key:z6Mk",
            StatusPurpose::Revocation,
            &l,
            "2025-01-01T00:00:00Z",
        );
        v["type"] = json!(["VerifiableCredential", "StatusList2021Credential"]);
        let encoded = l.encode();
        v["credentialSubject"]["encodedList"] = encoded.strip_prefix('u').unwrap().into();
        let lc = ListCredential::from_json(&v).unwrap();
        assert_eq!(lc.kind, ListKind::StatusList2021);
        assert!(lc.list.get(5).unwrap());
        assert!(!lc.list.get(4).unwrap());
        let mut entry = StatusEntry {
            id: None,
            purpose: "revocation".into(),
            index: 5,
            list_credential: lc.id.clone(),
        }
        .to_json();
        entry["type"] = "StatusList2021Entry".into();
        let entry = entry.as_object().unwrap();
        assert_eq!(ListKind::of_entry(entry), Some(ListKind::StatusList2021));
        assert!(StatusEntry::from_json(entry).is_err());
        assert_eq!(
            StatusEntry::from_json_of(entry, ListKind::StatusList2021)
                .unwrap()
                .index,
            5
        );
        v["credentialSubject"]["encodedList"] = "not base64!".into();
        assert_eq!(
            ListCredential::from_json(&v),
            Err(StatusListError::Encoding2021)
        );
    }
}
