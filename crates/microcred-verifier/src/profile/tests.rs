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
        // The example is a European credential: no NZQCF credits, no embedded evidence.
        if ["nzqa", "ecampusontario"].contains(name) {
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
fn violations_are_the_failed_error_rules_in_one_rendering() {
    let mut cred = example();
    let hours = &mut cred["credentialSubject"]["achievement"]["microCredential"]["workload"];
    hours["hours"] = json!(90);
    let profiles = [
        Profile::builtin("emc-cmf").unwrap(),
        Profile::builtin("gen").unwrap(),
    ];
    let results = profiles[0].evaluate(&cred, at());
    let r = results.iter().find(|r| r.rule == "EMC-01").unwrap();
    let expected = format!(
        "emc-cmf EMC-01 ({}): found 90; expected {} ({})",
        r.description,
        r.expected,
        r.detail.as_deref().unwrap()
    );
    // Only failed rules of severity error (EMC-10, which the same hours break, is a
    // warning), in profile and rule order; the Display line holds the same finding.
    assert_eq!(violations(&profiles, &cred, at()), [expected]);
    assert!(
        results
            .iter()
            .any(|r| !r.passed && r.severity == Severity::Warning),
        "{results:?}"
    );
    assert!(r.to_string().contains(&r.finding().to_string()));
    assert!(violations(&profiles, &example(), at()).is_empty());
    // An element absent where a rule with a path requires it is said so.
    let absent = RuleResult {
        found: None,
        path: Some("credentialSubject.x".into()),
        detail: None,
        ..r.clone()
    };
    assert_eq!(
        absent.finding().to_string(),
        format!("found nothing (absent); expected {}", r.expected)
    );
    let pathless = RuleResult {
        path: None,
        ..absent
    };
    assert_eq!(
        pathless.finding().to_string(),
        format!("expected {}", r.expected)
    );
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

/// A one-rule profile around `check` (and optional extra rule members).
fn one_rule(check: Value, extra: Value) -> Profile {
    let mut rule = json!({"id": "T-1", "description": "d", "severity": "error", "source": "s",
                          "expected": "e", "check": check});
    if let (Some(rule), Some(extra)) = (rule.as_object_mut(), extra.as_object()) {
        rule.extend(extra.clone());
    }
    let profile = json!({"id": "t", "title": "t", "source": "s", "rules": [rule]});
    Profile::from_json(profile.to_string().as_bytes()).unwrap()
}

/// (passed, severity, detail) of the single rule of `check` on `doc`.
fn run(check: Value, doc: Value) -> (bool, Severity, String) {
    let r = &one_rule(check, json!({})).evaluate(&doc, at())[0];
    (r.passed, r.severity, r.detail.clone().unwrap_or_default())
}

fn passes(check: Value, doc: Value) -> bool {
    run(check, doc).0
}

#[test]
fn leaf_predicates() {
    let doc = json!({"s": "x", "blank": " ", "n": 5, "f": 2.5, "ns": "7", "b": true, "a": [1, 2],
                     "t": ["VerifiableCredential", "Achievement"], "d": "2025-03-01T00:00:00Z"});
    assert!(passes(json!({"exists": {"path": "s"}}), doc.clone()));
    assert!(!passes(json!({"exists": {"path": "nope"}}), doc.clone()));
    assert!(passes(json!({"nonEmpty": {"path": "s"}}), doc.clone()));
    assert!(!passes(json!({"nonEmpty": {"path": "blank"}}), doc.clone()));
    assert!(!passes(json!({"nonEmpty": {"path": "n"}}), doc.clone()));
    assert!(passes(
        json!({"type": {"path": "a", "is": "array"}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"type": {"path": "f", "is": "integer"}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"matches": {"path": "d", "regex": "^2025-"}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"range": {"path": "n", "min": 5, "maxExclusive": 6}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"range": {"path": "n", "minExclusive": 5}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"range": {"path": "f", "integer": true}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"range": {"path": "ns", "min": 1}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"range": {"path": "ns", "min": 1, "strings": true}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"integerIn": {"path": "ns", "values": [7], "strings": true}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"integerIn": {"path": "f", "values": [2, 3]}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"enum": {"path": "s", "values": ["x", "y"]}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"enum": {"path": "n", "values": [5.0]}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"enum": {"path": "n", "valuesAt": "a[*]"}}),
        json!({"n": 2, "a": [1, 2]})
    ));
    assert!(passes(
        json!({"enum": {"path": "c", "list": "isced-f"}}),
        json!({"c": "0613"})
    ));
    assert!(!passes(
        json!({"enum": {"path": "c", "list": "isced-f"}}),
        json!({"c": "0614"})
    ));
    // Comment lines of the list are not codes.
    assert!(!passes(
        json!({"enum": {"path": "c", "list": "isced-f"}}),
        json!({"c": "# ISCED-F 2013 field-of-education codes as listed by the EU ESCO/Europass code list."})
    ));
    assert!(passes(
        json!({"equals": {"path": "b", "value": true}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"equals": {"path": "t", "template": "{{{s}}}"}}),
        json!({"s": "x", "t": "{x}"})
    ));
    assert!(passes(
        json!({"contains": {"path": "t", "value": "Achievement"}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"contains": {"path": "s", "value": "x"}}),
        doc.clone()
    ));
    assert!(passes(
        json!({"minItems": {"path": "a", "min": 2}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"minItems": {"path": "s", "min": 0}}),
        doc.clone()
    ));
    assert!(passes(json!({"dateTime": {"path": "d"}}), doc.clone()));
    assert!(!passes(json!({"dateTime": {"path": "s"}}), doc.clone()));
    assert!(passes(
        json!({"duration": {"path": "p"}}),
        json!({"p": "P5Y"})
    ));
    assert!(!passes(
        json!({"duration": {"path": "p", "hours": true}}),
        json!({"p": "P5Y"})
    ));
}

#[test]
fn quantifiers_and_connectives() {
    let doc = json!({"xs": [{"v": 1}, {"v": 2}, {"w": 3}], "empty": []});
    // every: vacuous on an empty array, strict on a missing member inside an element.
    assert!(passes(
        json!({"every": {"path": "empty[*]", "check": {"exists": {"path": "v"}}}}),
        doc.clone()
    ));
    let (ok, _, why) = run(
        json!({"every": {"path": "xs[*]", "check": {"exists": {"path": "v"}}}}),
        doc.clone(),
    );
    assert!(!ok && why.contains("xs[2].v is absent"), "{why}");
    assert!(passes(
        json!({"some": {"path": "xs[*]", "check": {"equals": {"path": "v", "value": 2}}}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"some": {"path": "empty[*]", "check": {"exists": {"path": "@"}}}}),
        doc.clone()
    ));
    // A leaf over [*] fails on the element that lacks the member.
    assert!(!passes(
        json!({"range": {"path": "xs[*].v", "min": 0}}),
        doc.clone()
    ));
    // `$` reaches the document from inside an element.
    assert!(passes(
        json!({"every": {"path": "xs[v=1]", "check": {"minItems": {"path": "$.xs", "min": 3}}}}),
        doc.clone()
    ));
    let yes = json!({"exists": {"path": "xs"}});
    let no = json!({"exists": {"path": "nope"}});
    assert!(passes(json!({"anyOf": [no, yes]}), doc.clone()));
    assert!(!passes(json!({"allOf": [yes, no]}), doc.clone()));
    let (ok, _, why) = run(json!({"not": yes}), doc.clone());
    assert!(!ok && why == "xs is present", "{why}");
    assert!(passes(
        json!({"implies": {"if": no, "then": no}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"implies": {"if": no, "then": yes, "else": no}}),
        doc.clone()
    ));
    assert!(!passes(
        json!({"implies": {"if": yes, "then": no, "else": yes}}),
        doc.clone()
    ));
}

#[test]
fn comparisons() {
    let doc = json!({"h": 125, "e": 5, "from": "2025-03-01T00:00:00Z", "until": "2030-03-01T12:00:00Z",
                     "p": "P5Y", "ns": "40", "s": "x"});
    let cmp = |l: &str, op: &str, r: &str, extra: Value| {
        let mut c = json!({"left": l, "op": op, "right": r});
        if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
            c.extend(extra.clone());
        }
        passes(json!({"compare": c}), doc.clone())
    };
    assert!(cmp("h", ">=", "e", json!({"factor": 25})));
    assert!(!cmp("h", ">", "e", json!({"factor": 25})));
    assert!(cmp("h", "==", "e", json!({"factor": 24, "tolerance": 5})));
    assert!(cmp("from", "<", "until", json!({})));
    assert!(cmp(
        "until",
        "==",
        "from",
        json!({"plus": "p", "tolerance": "P1D"})
    ));
    assert!(!cmp(
        "until",
        "==",
        "from",
        json!({"plus": "p", "tolerance": "PT1H"})
    ));
    assert!(cmp("from", "<=", "now()", json!({})));
    assert!(!cmp("ns", ">=", "e", json!({})));
    assert!(cmp("ns", ">=", "e", json!({"strings": true})));
    assert!(!cmp("s", "<", "e", json!({})));
    assert!(!cmp("nope", "<", "e", json!({})));
}

#[test]
fn rule_level_absent_and_downgrade() {
    let rule = |absent: &str| {
        one_rule(
            json!({"range": {"path": "x", "min": 1}}),
            json!({"path": "x", "absent": absent}),
        )
    };
    for (absent, passed, severity) in [
        ("pass", true, Severity::Error),
        ("info", false, Severity::Info),
        ("warning", false, Severity::Warning),
        ("error", false, Severity::Error),
    ] {
        let r = &rule(absent).evaluate(&json!({}), at())[0];
        assert_eq!((r.passed, r.severity), (passed, severity), "{absent}");
        assert!(
            r.detail.as_deref().unwrap().contains("x is absent"),
            "{r:?}"
        );
        // Present but malformed is never "absent".
        let r = &rule(absent).evaluate(&json!({"x": "one"}), at())[0];
        assert_eq!((r.passed, r.severity), (false, Severity::Error), "{absent}");
    }
    let p = one_rule(
        json!({"range": {"path": "x", "min": 1}}),
        json!({"downgrade": {"when": {"exists": {"path": "excuse"}}, "to": "warning", "note": "excused"}}),
    );
    let r = &p.evaluate(&json!({"x": 0, "excuse": 1}), at())[0];
    assert_eq!((r.passed, r.severity), (false, Severity::Warning));
    assert!(
        r.detail.as_deref().unwrap().starts_with("excused: "),
        "{r:?}"
    );
    let r = &p.evaluate(&json!({"x": 0}), at())[0];
    assert_eq!((r.passed, r.severity), (false, Severity::Error));
}

#[test]
fn load_errors() {
    let err = |text: &str| Profile::from_json(text.as_bytes()).unwrap_err().to_string();
    let wrap =
        |rule: &str| format!(r#"{{"id": "t", "title": "t", "source": "s", "rules": [{rule}]}}"#);
    let base =
        r#""id": "R", "description": "d", "severity": "error", "source": "s", "expected": "e""#;
    let e = err(&wrap(&format!(
        r#"{{{base}, "absent": "info", "check": {{"exists": {{"path": "x"}}}}}}"#
    )));
    assert!(e.contains("\"absent\" needs the rule's \"path\""), "{e}");
    let e = err(&wrap(&format!(
        r#"{{{base}, "path": "x", "absent": "maybe", "check": {{"exists": {{"path": "x"}}}}}}"#
    )));
    assert!(
        e.contains("rules[0] (R).absent") && e.contains("\"maybe\""),
        "{e}"
    );
    let e = err(
        r#"{"id": "t", "title": "t", "source": "s", "include": [{"profile": "gen", "except": ["GEN-99"]}], "rules": []}"#,
    );
    assert!(
        e.contains("include[0].except") && e.contains("GEN-99"),
        "{e}"
    );
    let e = err(&wrap(&format!(
        r#"{{{base}, "check": {{"compare": {{"left": "a", "op": "=<", "right": "b"}}}}}}"#
    )));
    assert!(e.contains("unknown operator \"=<\""), "{e}");
    let e = err(&wrap(&format!(
        r#"{{{base}, "check": {{"compare": {{"left": "a", "op": "<", "right": "b", "tolerance": "P1M"}}}}}}"#
    )));
    assert!(e.contains("tolerance"), "{e}");
    let e = err(&wrap(&format!(
        r#"{{{base}, "check": {{"enum": {{"path": "a", "values": [1], "list": "isced-f"}}}}}}"#
    )));
    assert!(e.contains("exactly one of"), "{e}");
    let e = err(&wrap(&format!(r#"{{{base}, "check": {{"allOf": []}}}}"#)));
    assert!(e.contains("check.allOf: an empty list"), "{e}");
    let e = err(&wrap(&format!(r#"{{{base}, "check": "exists"}}"#)));
    assert!(e.contains("expected a predicate object"), "{e}");
    let deep = (0..40).fold(r#"{"exists": {"path": "x"}}"#.to_owned(), |acc, _| {
        format!(r#"{{"not": {acc}}}"#)
    });
    let e = err(&wrap(&format!(r#"{{{base}, "check": {deep}}}"#)));
    assert!(e.contains("nested more than"), "{e}");
    let e = err(r#"{"id": "bad id!", "title": "t", "source": "s", "rules": []}"#);
    assert!(e.contains("(profile).id"), "{e}");
}

/// A built-in profile is built once per process: two lookups share one instance
/// (the `claimed` check looks one up for every credential).
#[test]
fn shared_builtin_is_built_once() {
    for name in Profile::builtin_names() {
        let a = Profile::shared_builtin(name).unwrap();
        let b = Profile::shared_builtin(name).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "{name}");
        assert_eq!(Profile::builtin(name).unwrap().rules.len(), a.rules.len());
    }
    assert!(Profile::shared_builtin("no-such-profile").is_none());
}
