//! Strict JSON parsing and RFC 8785 canonicalization.
//!
//! Properties: the parser never panics; whatever it accepts, serde_json reads as the
//! same value; canonicalization is a fixed point (`jcs(parse(jcs(x))) == jcs(x)`),
//! also where a double such as `1e20` prints as an integer beyond ±(2^53−1), which
//! the strict parser reads back as that double's RFC 8785 form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use microcred_core::jcs;
use microcred_core::json;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = json::parse(data) else {
        return;
    };
    // Whatever the strict parser accepts is plain RFC 8259 JSON.
    let theirs: serde_json::Value =
        serde_json::from_slice(data).expect("accepted by json::parse but not by serde_json");
    assert_eq!(value, theirs, "json::parse and serde_json disagree");

    let canonical = jcs::canonicalize(&value);
    let text = std::str::from_utf8(&canonical).expect("JCS output is not UTF-8");
    // The canonical text means the same value to a general JSON reader.
    let general: serde_json::Value = serde_json::from_str(text).expect("JCS output is not JSON");
    assert!(
        same_numbers_and_strings(&value, &general),
        "JCS changed the value: {text}"
    );
    match json::parse(canonical.as_slice()) {
        Ok(again) => {
            assert_eq!(
                jcs::canonicalize(&again),
                canonical,
                "JCS is not a fixed point for {text}"
            );
        }
        Err(e) => panic!("JCS output {text} is not strict JSON: {e}"),
    }
});

/// Equality up to number representation (JCS prints `1.0` as `1`).
fn same_numbers_and_strings(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_numbers_and_strings(x, y))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_numbers_and_strings(v, w)))
        }
        _ => a == b,
    }
}
