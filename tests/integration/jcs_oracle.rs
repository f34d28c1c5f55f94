//! Canonicalization differential: `microcred_core::jcs` against independent oracles on
//! generated JSON.
//!
//! - Whole documents: `serde_json_canonicalizer` (a second RFC 8785 implementation,
//!   used only here), itself first checked against the RFC 8785 authors' test files.
//!   It sorts members, escapes strings and lays out structure with its own code.
//! - Numbers: both implementations format doubles with `ryu-js`, so numbers get an
//!   oracle of their own: ECMAScript `Number::toString` (ECMA-262 §6.1.6.1.20) written
//!   out below from the specification's steps, on exact decimal digits (no shortest-
//!   digits algorithm at all, so nothing shared with ryu-js).

use microcred_core::{jcs, json};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

use crate::common::{read, repo};

/// The oracle's canonical form of a value.
fn oracle(value: &Value) -> Vec<u8> {
    serde_json_canonicalizer::to_vec(value).unwrap()
}

/// The oracle is trustworthy on the RFC 8785 authors' test files (parsed with the
/// strict parser, which rounds decimal text correctly; serde_json's default float
/// parser does not).
#[test]
fn the_oracle_passes_the_rfc_8785_vectors() {
    let dir = repo("tests/vectors/jcs/input");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "{names:?}");
    for name in names {
        let input = json::parse(&read(&format!("tests/vectors/jcs/input/{name}"))).unwrap();
        let expected = read(&format!("tests/vectors/jcs/output/{name}"));
        assert_eq!(oracle(&input), expected, "oracle on {name}");
        assert_eq!(jcs::canonicalize(&input), expected, "ours on {name}");
    }
}

/// ECMAScript `Number::toString(x)` for a finite double, from the specification's
/// steps: the fewest digits `k` for which some `s` (k digits) read back as `x`, the
/// `s` closest to `x` (ties: the even one), then the layout rules for `n`.
///
/// Everything is decided on exact decimal digits: Rust formats a double exactly at
/// any precision, and parses decimal text correctly rounded. (Rust's own shortest
/// formatting is not the oracle: it breaks exact ties upward, ECMAScript to even.)
fn ecmascript_number(x: f64) -> String {
    assert!(x.is_finite());
    if x == 0.0 {
        return "0".into(); // -0 prints as "0" too
    }
    if x < 0.0 {
        return format!("-{}", ecmascript_number(-x));
    }
    // All significant digits of x, exactly (a double has at most 767).
    let exact = format!("{x:.800e}");
    let (mantissa, exp) = exact.split_once('e').unwrap();
    let all: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let exp10 = exp.parse::<i64>().unwrap(); // x = d.ddd… × 10^exp10
    let (digits, n) = (1..=17)
        .find_map(|k| shortest_with(&all, exp10, k, x))
        .expect("17 digits always read back");
    layout(&digits, n)
}

/// The k-digit candidate closest to x that reads back as x, if any: as its digits
/// and n (x ≈ 0.d1…dk × 10^n).
fn shortest_with(all: &[u8], exp10: i64, k: usize, x: f64) -> Option<(String, i64)> {
    let lower: u64 = all[..k].iter().fold(0, |a, d| a * 10 + u64::from(d - b'0'));
    let rest = &all[k..];
    let exact = rest.iter().all(|&d| d == b'0');
    // Compare the remainder with one half of the last place.
    let half = match rest.first() {
        Some(&d) if d > b'5' => std::cmp::Ordering::Greater,
        Some(&d) if d < b'5' => std::cmp::Ordering::Less,
        Some(_) if rest[1..].iter().all(|&d| d == b'0') => std::cmp::Ordering::Equal,
        Some(_) => std::cmp::Ordering::Greater,
        None => std::cmp::Ordering::Less,
    };
    let n = exp10 + 1;
    let candidate = |s: u64| -> Option<(String, i64)> {
        let text = s.to_string();
        // s may have gained a digit (999 + 1): then it is 10^k, i.e. n + 1.
        let (text, n) = if text.len() > k {
            (text[..k].to_owned(), n + 1)
        } else {
            (text, n)
        };
        let back: f64 = format!("0.{text}e{n}").parse().unwrap();
        (back == x).then(|| (text.trim_end_matches('0').to_owned(), n))
    };
    if exact {
        return candidate(lower);
    }
    let (near, far) = match half {
        std::cmp::Ordering::Less => (lower, lower + 1),
        std::cmp::Ordering::Greater => (lower + 1, lower),
        std::cmp::Ordering::Equal if lower % 2 == 0 => (lower, lower + 1),
        std::cmp::Ordering::Equal => (lower + 1, lower),
    };
    candidate(near).or_else(|| candidate(far))
}

/// ECMA-262 Number::toString step 6 onwards: x = 0.digits × 10^n.
fn layout(digits: &str, n: i64) -> String {
    let k = i64::try_from(digits.len()).unwrap();
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap());
    if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap());
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let (first, rest) = digits.split_at(1);
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", e.abs())
    }
}

#[test]
fn the_number_oracle_matches_the_specification_examples() {
    for (x, s) in [
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123e-20, "1.23e-18"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (-0.0, "0"),
        (333_333_333.333_333_3, "333333333.3333333"),
        (5e-324, "5e-324"),
        (1.797_693_134_862_315_7e308, "1.7976931348623157e+308"),
        (-1.5, "-1.5"),
        (9_007_199_254_740_992.0, "9007199254740992"),
        // An exact tie between two 17-digit candidates: ECMAScript takes the even one.
        (1_424_953_923_781_206.2, "1424953923781206.2"),
    ] {
        assert_eq!(ecmascript_number(x), s, "{x:e}");
    }
    // The RFC 8785 authors' 10,000 numbers (hex bits, expected text).
    let text = String::from_utf8(read("tests/vectors/jcs/es6numbers-10000.txt")).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let (hex, expected) = line.split_once(',').unwrap();
        let x = f64::from_bits(u64::from_str_radix(hex, 16).unwrap());
        assert_eq!(ecmascript_number(x), expected, "{hex}");
        n += 1;
    }
    assert_eq!(n, 10_000);
}

/// Doubles of every magnitude, and the boundaries of the formatting rules.
fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        (-1e25f64..1e25f64),
        (-1e-5f64..1e-5f64),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(|i| i as f64),
        (1u32..=9, -330i32..=308).prop_map(|(d, e)| format!("{d}e{e}").parse().unwrap()),
        Just(1e21),
        Just(1e-6),
        Just(1e-7),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
    ]
    .prop_filter("finite", |x: &f64| x.is_finite())
}

/// Strings that stress escaping and UTF-16 ordering: controls, quotes, backslashes,
/// characters just below and above the surrogate range, supplementary characters.
fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => any::<char>(),
        2 => prop::char::range('\u{0}', '\u{7f}'),
        1 => Just('"'),
        1 => Just('\\'),
        1 => prop::char::range('\u{d7f0}', '\u{d7ff}'),
        1 => prop::char::range('\u{e000}', '\u{e010}'),
        1 => prop::char::range('\u{fff0}', '\u{ffff}'),
        1 => prop::char::range('\u{10000}', '\u{10010}'),
        1 => prop::char::range('\u{1f600}', '\u{1f610}'),
    ];
    prop::collection::vec(ch, 0..8).prop_map(|c| c.into_iter().collect())
}

/// JSON values whose numbers are I-JSON (safe integers or finite doubles).
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(1i64 << 53) + 1..(1i64 << 53)).prop_map(Value::from),
        double().prop_map(|x| Value::Number(Number::from_f64(x).unwrap())),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn jcs_equals_the_oracle(v in value()) {
        prop_assert_eq!(
            String::from_utf8(jcs::canonicalize(&v)).unwrap(),
            String::from_utf8(oracle(&v)).unwrap()
        );
    }

    #[test]
    fn numbers_follow_ecmascript(x in double()) {
        let v = Value::Number(Number::from_f64(x).unwrap());
        prop_assert_eq!(String::from_utf8(jcs::canonicalize(&v)).unwrap(), ecmascript_number(x));
    }

    /// Canonical text read back strictly and canonicalized again is unchanged, also
    /// when a double prints as an integer beyond ±(2^53−1) (read back as that double).
    #[test]
    fn canonical_form_is_a_fixed_point(v in value()) {
        let once = jcs::canonicalize(&v);
        let back = json::parse(&once);
        prop_assert!(back.is_ok(), "{:?}", back.as_ref().err());
        if let Ok(back) = back {
            prop_assert_eq!(jcs::canonicalize(&back), once);
        }
    }
}
