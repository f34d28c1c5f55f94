//! Unit tests of the engine and the built-in profiles on the bundled example.

use serde_json::{Value, json};

use super::*;

fn example() -> Value {
    serde_json::from_str(include_str!(
        "../../../../keys-example/micro-credential.unsigned.json"
    ))
    .unwrap()
}

fn at() -> OffsetDateTime {
    time::macros::datetime!(2025-06-01 00:00 UTC)
}

fn failures(results: &[RuleResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.passed)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn builtins_load_and_names_match() {
    assert_eq!(BUILTINS.len(), BUILTIN_NAMES.len());
    for (name, (table_name, text)) in BUILTIN_NAMES.iter().zip(BUILTINS) {
        assert_eq!(name, table_name);
        let p = Profile::from_json(text.as_bytes())
            .map_err(|e| format!("{name}: {e}"))
            .unwrap();
        assert_eq!(&p.id, name);
        assert!(!p.rules.is_empty(), "{name}");
        assert!(Profile::builtin(name).is_some());
    }
    assert!(Profile::builtin("nope").is_none());
}

#[test]
fn example_passes_every_builtin_without_failures() {
    let cred = example();
    for name in Profile::builtin_names() {
        if *name == "nzqa" {
            continue;
        }
        let results = Profile::builtin(name).unwrap().evaluate(&cred, at());
        assert!(
            Profile::is_compliant(&results),
            "{name}: {:#?}",
            failures(&results)
        );
        assert_eq!(failures(&results), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn result_names_value_and_expectation() {
    let mut cred = example();
    cred["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = json!(90);
    let results = Profile::builtin("emc-cmf").unwrap().evaluate(&cred, at());
    let r = results.iter().find(|r| r.rule == "EMC-01").unwrap();
    assert!(!r.passed);
    assert_eq!(r.severity, Severity::Error);
    assert_eq!(r.found, Some(json!(90)));
    let line = r.to_string();
    assert!(
        line.contains("EMC-01") && line.contains("found 90") && line.contains("100 ≤ hours ≤ 150"),
        "{line}"
    );
    assert!(
        r.detail.as_deref().unwrap().contains("less than 100"),
        "{r:?}"
    );
    assert!(!Profile::is_compliant(&results));
}

#[test]
fn absent_is_not_malformed() {
    let profile = Profile::from_json(
        br#"{"id": "t", "title": "t", "source": "s", "rules": [
            {"id": "O", "description": "d", "severity": "error", "source": "s", "expected": "e",
             "path": "x", "absent": "info", "check": {"nonEmpty": {"path": "x"}}}]}"#,
    )
    .unwrap();
    let absent = &profile.evaluate(&json!({}), at())[0];
    assert_eq!(
        (absent.passed, absent.severity, &absent.found),
        (false, Severity::Info, &None)
    );
    let malformed = &profile.evaluate(&json!({"x": 3}), at())[0];
    assert_eq!(
        (malformed.passed, malformed.severity),
        (false, Severity::Error)
    );
    assert_eq!(malformed.found, Some(json!(3)));
    let good = &profile.evaluate(&json!({"x": "y"}), at())[0];
    assert!(good.passed);
}

#[test]
fn claimed_profiles() {
    let cred = json!({"credentialSubject": {"achievement": {"microCredential": {
        "profile": ["EMC-CMF", "emc-cmf-2019", "Unknown", "EMC-CMF", 7]
    }}}});
    assert_eq!(Profile::claimed_by(&cred), ["emc-cmf", "emc-cmf-2019"]);
    assert!(Profile::claimed_by(&json!({})).is_empty());
}
