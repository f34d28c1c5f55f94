//! Bitstring Status List decoding: the `encodedList` (multibase base64url of GZIP,
//! a zip bomb must stop at the size bound), list credentials and status entries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use microcred_core::status_list::{
    ListCredential, MAX_ENTRIES, MIN_ENTRIES, StatusEntry, StatusList,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(list) = StatusList::decode(text) {
            assert!(list.len() >= MIN_ENTRIES && list.len() <= MAX_ENTRIES);
            assert!(list.get(list.len()).is_err());
            assert!(list.get(list.len() - 1).is_ok());
            // Re-encoding gives a list that decodes to the same bits.
            assert_eq!(StatusList::decode(&list.encode()).ok(), Some(list));
        }
    }
    let Ok(doc) = microcred_core::json::parse(data) else {
        return;
    };
    if let Ok(list) = ListCredential::from_json(&doc) {
        let _ = list;
    }
    let entries: Vec<&serde_json::Map<String, serde_json::Value>> = match &doc {
        serde_json::Value::Object(m) => match m.get("credentialStatus") {
            Some(serde_json::Value::Object(e)) => vec![e],
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_object()).collect(),
            _ => vec![m],
        },
        _ => Vec::new(),
    };
    for entry in entries {
        if let Ok(e) = StatusEntry::from_json(entry) {
            // What was read can be written back and read again unchanged.
            let back = e.to_json();
            let again = back.as_object().map(StatusEntry::from_json);
            assert_eq!(again, Some(Ok(e)));
        }
    }
});
