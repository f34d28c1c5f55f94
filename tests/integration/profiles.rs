//! Framework profiles: every case file in `tests/profiles/cases/` mutates a
//! credential and states which rules must change (`tests/profiles/README.md`);
//! every error-severity rule of every built-in profile has such a case; user
//! profile files load, and broken ones are refused with a located message.

use std::collections::BTreeMap;

use microcred_verifier::profile::{Profile, ProfileError, RuleResult, Severity};
use serde_json::{Value, json};

use crate::common;

const EXAMPLE: &str = "keys-example/micro-credential.unsigned.json";
const NZQA_EXAMPLE: &str = "tests/profiles/nzqa-micro-credential.unsigned.json";

/// Cases are evaluated at a fixed time (after the example's awardedDate).
fn at() -> microcred_core::datetime::DateTime {
    microcred_core::datetime::parse("2025-06-01T00:00:00Z").unwrap()
}

fn json_file(path: &str) -> Value {
    serde_json::from_slice(&common::read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn builtin(name: &str) -> Profile {
    Profile::builtin(name).unwrap_or_else(|| panic!("no built-in profile {name}"))
}

/// Applies an RFC 6901 JSON Pointer mutation: `set` (an object member, an
/// array index, or `-` to append) or `delete`.
fn mutate(doc: &mut Value, mutation: &Value, case: &str) {
    let pointer = mutation["pointer"].as_str().unwrap();
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let last = last.replace("~1", "/").replace("~0", "~");
    let target = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{case}: no parent for {pointer}"));
    let delete = mutation.get("delete") == Some(&json!(true));
    match target {
        Value::Object(map) if delete => {
            assert!(
                map.remove(&last).is_some(),
                "{case}: nothing to delete at {pointer}"
            );
        }
        Value::Object(map) => {
            map.insert(last, mutation["set"].clone());
        }
        Value::Array(items) if last == "-" => items.push(mutation["set"].clone()),
        Value::Array(items) => {
            let i: usize = last.parse().unwrap();
            assert!(i < items.len(), "{case}: no element at {pointer}");
            if delete {
                items.remove(i);
            } else {
                items[i] = mutation["set"].clone();
            }
        }
        other => panic!("{case}: {parent} is not a container: {other}"),
    }
}

fn state(r: &RuleResult) -> &'static str {
    match (r.passed, r.severity) {
        (true, _) => "pass",
        (false, Severity::Error) => "error",
        (false, Severity::Warning) => "warning",
        (false, Severity::Info) => "info",
    }
}

fn states(results: &[RuleResult]) -> BTreeMap<String, &'static str> {
    results.iter().map(|r| (r.rule.clone(), state(r))).collect()
}

struct Case {
    name: String,
    profiles: Vec<String>,
    expect: BTreeMap<String, String>,
}

fn case_files() -> Vec<(String, Value)> {
    let dir = common::repo("tests/profiles/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() > 50,
        "case files missing from {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let doc = serde_json::from_slice(&std::fs::read(&p).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, doc)
        })
        .collect()
}

fn parse_case(name: &str, doc: &Value) -> Case {
    let allowed = ["comment", "profiles", "base", "mutations", "expect"];
    for key in doc.as_object().unwrap().keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{name}: unknown member {key}"
        );
    }
    assert!(
        doc["comment"].as_str().is_some_and(|c| !c.is_empty()),
        "{name}: say why in comment"
    );
    Case {
        name: name.to_owned(),
        profiles: doc["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect(),
        expect: doc["expect"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect(),
    }
}

/// Each case: the listed rules end in the listed state, and every other
/// rule of each listed profile ends exactly as it does on the base.
#[test]
fn mutation_cases() {
    let mut failures = Vec::new();
    for (name, doc) in case_files() {
        let case = parse_case(&name, &doc);
        let base_path = doc["base"].as_str().unwrap_or(EXAMPLE);
        let base = json_file(base_path);
        let mut mutated = base.clone();
        for m in doc["mutations"].as_array().unwrap() {
            mutate(&mut mutated, m, &name);
        }
        assert_ne!(base, mutated, "{name}: the mutations change nothing");
        let mut known = Vec::new();
        for profile_name in &case.profiles {
            let profile = builtin(profile_name);
            known.extend(profile.rules.iter().map(|r| r.id.clone()));
            let before = states(&profile.evaluate(&base, at()));
            let results = profile.evaluate(&mutated, at());
            for r in &results {
                let want = case
                    .expect
                    .get(&r.rule)
                    .map_or(before[&r.rule], String::as_str);
                if state(r) != want {
                    failures.push(format!(
                        "{name} [{profile_name}] {}: expected {want}, got {}: {r}",
                        r.rule,
                        state(r)
                    ));
                }
                // A failing rule always says why.
                if !r.passed {
                    assert!(
                        r.detail.is_some(),
                        "{name}: {} fails without detail",
                        r.rule
                    );
                }
            }
        }
        for rule in case.expect.keys() {
            assert!(
                known.contains(rule),
                "{}: no rule {rule} in {:?}",
                case.name,
                case.profiles
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// "A mutation that violates it" exists for every error-severity rule.
#[test]
fn every_error_rule_has_a_violating_case() {
    let cases: Vec<Case> = case_files().iter().map(|(n, d)| parse_case(n, d)).collect();
    let mut missing = Vec::new();
    for name in Profile::builtin_names() {
        for rule in builtin(name).rules {
            if rule.severity != Severity::Error {
                continue;
            }
            let covered = cases.iter().any(|c| {
                c.profiles.iter().any(|p| p == name)
                    && c.expect.get(&rule.id).is_some_and(|s| s == "error")
            });
            if !covered {
                missing.push(format!("{name} {}", rule.id));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "error rules without a case: {missing:?}"
    );
}

fn failed(results: &[RuleResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.passed)
        .map(ToString::to_string)
        .collect()
}

/// frameworks.md §9: the example is designed to pass these profiles.
#[test]
fn example_is_compliant() {
    let cred = json_file(EXAMPLE);
    for name in ["eu-2022", "emc-cmf", "emc-cmf-2019", "gen"] {
        let results = builtin(name).evaluate(&cred, at());
        assert!(
            Profile::is_compliant(&results),
            "{name}: {:#?}",
            failed(&results)
        );
        assert_eq!(failed(&results), Vec::<String>::new(), "{name}");
    }
    assert_eq!(Profile::claimed_by(&cred), ["eu-2022", "emc-cmf"]);
    // It is a European credential: no NZQCF credit, no NZQCF level.
    let nz = builtin("nzqa").evaluate(&cred, at());
    assert!(!Profile::is_compliant(&nz));
    let nz_errors: Vec<&str> = nz
        .iter()
        .filter(|r| !r.passed && r.severity == Severity::Error)
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(nz_errors, ["NZ-01", "NZ-04"]);
}

#[test]
fn nzqa_example_is_compliant() {
    let cred = json_file(NZQA_EXAMPLE);
    for name in ["nzqa", "gen"] {
        let results = builtin(name).evaluate(&cred, at());
        assert_eq!(failed(&results), Vec::<String>::new(), "{name}");
    }
    assert_eq!(Profile::claimed_by(&cred), ["nzqa"]);
    // Not an EMC micro-credential: 12 NZQCF credits are not academic credit in its sense.
    let emc = builtin("emc-cmf").evaluate(&cred, at());
    assert!(!Profile::is_compliant(&emc));
}

#[test]
fn result_lines_name_rule_value_and_expectation() {
    let mut cred = json_file(EXAMPLE);
    cred["credentialSubject"]["achievement"]["microCredential"]["level"]["eqfLevel"] = json!(8);
    let results = builtin("emc-cmf-2019").evaluate(&cred, at());
    let r = results.iter().find(|r| r.rule == "EMC-05b").unwrap();
    assert_eq!(r.found, Some(json!(8)));
    assert_eq!(r.severity, Severity::Error);
    assert_eq!(r.expected, "level.eqfLevel ∈ {6, 7}");
    let line = r.to_string();
    assert!(line.starts_with("FAIL error EMC-05b "), "{line}");
    assert!(
        line.contains("found 8; expected level.eqfLevel ∈ {6, 7}"),
        "{line}"
    );
    assert!(line.contains("8 is not one of 6, 7"), "{line}");
    // Results serialize for --json: severity in lower case, found as JSON.
    let v = serde_json::to_value(r).unwrap();
    assert_eq!(v["severity"], "error");
    assert_eq!(v["found"], 8);
    assert_eq!(v["rule"], "EMC-05b");
}

#[test]
fn user_profile_file_loads_and_runs() {
    let bytes = common::read("tests/profiles/user/university-policy.json");
    let profile = Profile::from_json(&bytes).unwrap();
    assert_eq!(profile.id, "example-university-policy");
    // It includes eu-2022 and adds its own rules.
    let ids: Vec<&str> = profile.rules.iter().map(|r| r.id.as_str()).collect();
    assert!(
        ids.contains(&"EU-M01") && ids.contains(&"UNI-01"),
        "{ids:?}"
    );
    assert!(!ids.contains(&"EU-X01"), "excluded rule kept: {ids:?}");
    let cred = json_file(EXAMPLE);
    let results = profile.evaluate(&cred, at());
    assert_eq!(failed(&results), Vec::<String>::new());
    let mut english_only = cred.clone();
    english_only["credentialSubject"]["achievement"]["inLanguage"] = json!("fr");
    let results = profile.evaluate(&english_only, at());
    let uni = results.iter().find(|r| r.rule == "UNI-02").unwrap();
    assert!(!uni.passed && uni.severity == Severity::Error, "{uni}");
    assert_eq!(uni.found, Some(json!("fr")));
    // The same file read from disk by path, as a user would.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("policy.json");
    std::fs::write(&copy, &bytes).unwrap();
    assert!(Profile::from_json(&std::fs::read(&copy).unwrap()).is_ok());
}

/// Broken profile files: refused with the place in the file and the problem.
#[test]
fn malformed_profiles_are_refused_with_located_errors() {
    let cases: &[(&str, &[&str])] = &[
        (
            "unknown-predicate.json",
            &[
                "rules[0] (X-01).check.rnage",
                "unknown predicate \"rnage\"",
                "range",
            ],
        ),
        (
            "bad-regex.json",
            &[
                "rules[0] (X-01).check.matches.regex",
                "invalid regular expression \"^(IE|GB\": unclosed group",
            ],
        ),
        (
            "bad-path.json",
            &[
                "rules[0] (X-01).check.exists.path",
                "invalid path \"credentialSubject..id\" at character 19",
            ],
        ),
        (
            "bad-filter-path.json",
            &["rules[1] (X-02).path", "invalid path", "expected ']'"],
        ),
        (
            "unknown-severity.json",
            &["rules[0] (X-01).severity", "unknown severity \"fatal\""],
        ),
        (
            "missing-check.json",
            &["rules[0] (X-01)", "missing required member \"check\""],
        ),
        (
            "typo-member.json",
            &["rules[0] (X-01).check.range", "unknown member \"mni\""],
        ),
        (
            "two-predicates.json",
            &["rules[0] (X-01).check", "exactly one member"],
        ),
        ("duplicate-rule.json", &["rule id \"X-01\" is used twice"]),
        (
            "unknown-include.json",
            &["include[0]", "unknown built-in profile \"emc\"", "emc-cmf"],
        ),
        (
            "unknown-list.json",
            &[
                "rules[0] (X-01).check.enum.list",
                "unknown code list \"isced\"",
            ],
        ),
        (
            "min-above-max.json",
            &[
                "rules[0] (X-01).check.range.min",
                "lower bound 150 is above upper bound 100",
            ],
        ),
        (
            "bad-template.json",
            &["rules[0] (X-01).check.equals.template", "unclosed {"],
        ),
        ("not-json.json", &["profile is not valid JSON"]),
        (
            "duplicate-member.json",
            &["profile is not valid JSON", "duplicate"],
        ),
        (
            "wrong-type.json",
            &["(profile).rules", "expected an array, found an object"],
        ),
    ];
    let dir = common::repo("tests/profiles/invalid");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = cases.iter().map(|(f, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every invalid profile file has an expectation"
    );
    for (file, fragments) in cases {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let err: ProfileError = Profile::from_json(&bytes).expect_err(file);
        let msg = err.to_string();
        for fragment in *fragments {
            assert!(msg.contains(fragment), "{file}: {msg:?} lacks {fragment:?}");
        }
    }
}

/// Hostile or odd credentials never panic the engine, whatever their shape.
#[test]
fn odd_credentials_do_not_panic() {
    let odd = [
        json!(null),
        json!([]),
        json!("credential"),
        json!({"credentialSubject": []}),
        json!({"credentialSubject": {"achievement": {"microCredential": "x"}}}),
        json!({"credentialSubject": {"achievement": {"microCredential": {"workload": {"hours": 1e300, "creditPoints": "ECTS"}, "level": [], "learningOutcomes": {}}}}}),
        json!({"credentialSubject": {"result": [null, 1, {"resultDescription": []}]}, "validUntil": 3, "validFrom": "2025-01-31T00:00:00Z"}),
        json!({"credentialSubject": {"achievement": {"microCredential": {"workload": {"volumeOfLearning": "P99999999999999999999Y"}, "validityPeriod": "P99999999999Y"}}}, "validFrom": "2025-01-31T00:00:00Z", "validUntil": "2025-02-01T00:00:00Z"}),
        json!({"credentialSubject": {"achievement": {"microCredential": {"workload": {"volumeOfLearning": format!("PT{}H", "9".repeat(400))}, "validityPeriod": "P99999999999999999999M"}}}, "validFrom": "9999-12-31T23:59:59Z", "validUntil": "9999-12-31T23:59:59Z", "awardedDate": "9999-12-31T23:59:59Z"}),
    ];
    for name in Profile::builtin_names() {
        let profile = builtin(name);
        for cred in &odd {
            let results = profile.evaluate(cred, at());
            assert_eq!(results.len(), profile.rules.len());
        }
    }
}

/// docs/profiles.md documents every shipped rule.
#[test]
fn docs_list_every_shipped_rule() {
    let docs = common::text("docs/profiles.md");
    for name in Profile::builtin_names() {
        assert!(
            docs.contains(&format!("### `{name}`")),
            "docs/profiles.md lacks profile {name}"
        );
        for rule in builtin(name).rules {
            assert!(
                docs.contains(&format!("| {} | {}", rule.id, rule.severity)),
                "docs/profiles.md lacks rule {} of {name} (or its severity changed)",
                rule.id
            );
        }
    }
}

/// JSON of any shape, with the member names and string forms the rules read,
/// so that random documents reach deep into the rules.
fn credential_like() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let key = prop::sample::select(vec![
        "credentialSubject",
        "achievement",
        "microCredential",
        "workload",
        "hours",
        "volumeOfLearning",
        "creditPoints",
        "framework",
        "points",
        "level",
        "eqfLevel",
        "nqf",
        "learningOutcomes",
        "description",
        "result",
        "resultDescription",
        "allowedValue",
        "id",
        "value",
        "validFrom",
        "validUntil",
        "awardedDate",
        "validityPeriod",
        "assessment",
        "types",
        "supervision",
        "issuer",
        "address",
        "addressCountryCode",
        "alignment",
        "targetFramework",
        "targetCode",
        "iscedF",
        "code",
        "stackability",
        "mode",
        "towards",
    ]);
    let text = prop::sample::select(vec![
        "ECTS",
        "NZQCF",
        "UK-CATS",
        "PT125H",
        "P60M",
        "P5Y",
        "P1DT2H",
        "2025-03-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "0613",
        "7",
        "",
        "online",
        "European Qualifications Framework",
        "ISCED-F 2013",
        "urn:x",
        "stackable",
        "supervised-online-id-verified",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-20i64..200).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text.prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn random_documents_never_panic(doc in credential_like()) {
        for name in Profile::builtin_names() {
            let profile = builtin(name);
            let results = profile.evaluate(&doc, at());
            proptest::prop_assert_eq!(results.len(), profile.rules.len());
            for r in &results {
                proptest::prop_assert!(r.passed || r.detail.is_some());
            }
        }
    }
}
