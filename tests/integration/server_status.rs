//! `microcred-server` issuing with status (`[status]`): the signer's ledger, the
//! status lists it serves, `POST /credentials/status`, and the ledger shared with
//! `microcred-sign` and with a second server. The servers run as processes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::common::{bin, private_copy, repo};
use crate::server::{Server, TOKEN, issue};

/// The base URL of the lists in these tests: served at `/status/2026/…`.
const BASE: &str = "https://uni.example.ie/status/2026";

/// The `[status]` section for a ledger at `ledger`.
fn status_config(ledger: &Path, extra: &str) -> String {
    format!(
        "[status]\nledger = {:?}\nbase_url = \"{BASE}\"\n{extra}",
        ledger.display().to_string()
    )
}

fn with_status(ledger: &Path) -> Server {
    Server::start(&status_config(ledger, ""))
}

/// A header of a response head, by name (any case).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// GETs a list; returns (status, head, body).
fn get_list(server: &Server, purpose: &str, headers: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    server.send("GET", &format!("/status/2026/{purpose}"), headers, b"")
}

/// Saves the lists the server serves now into `dir`; returns their files.
fn save_lists(server: &Server, dir: &Path) -> Vec<PathBuf> {
    ["revocation", "suspension"]
        .iter()
        .map(|purpose| {
            let (status, head, body) = get_list(server, purpose, &[]);
            assert_eq!(status, 200, "{head}");
            let path = dir.join(format!("{purpose}.json"));
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect()
}

/// `microcred-verify --json` of `credential` with the lists saved from the server, each
/// given as fetched from the URL the credential names; returns (exit code, the
/// `status` lines).
fn verify_with_lists(credential: &Value, lists: &[PathBuf], dir: &Path) -> (i32, Vec<String>) {
    let file = dir.join("credential.json");
    std::fs::write(&file, serde_json::to_vec_pretty(credential).unwrap()).unwrap();
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config())
        .arg("--json")
        .arg("--trust")
        .arg(repo("keys-example/trust-list.json"));
    for (purpose, list) in ["revocation", "suspension"].iter().zip(lists) {
        c.arg("--status-list")
            .arg(format!("{BASE}/{purpose}={}", list.display()));
    }
    let out = c.arg(&file).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let lines = report["checks"]
        .as_array()
        .or_else(|| report["report"]["checks"].as_array())
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .filter(|c| c["id"] == "status")
        .map(|c| format!("{} {}", c["outcome"].as_str().unwrap_or(""), c["message"]))
        .collect();
    (out.status.code().unwrap(), lines)
}

/// Issues the example credential without its `id`, so that the server gives it a new
/// one (an id already in the ledger is refused).
fn issue_new(server: &Server) -> Value {
    issue(server, |c| {
        c.as_object_mut().unwrap().remove("id");
    })
}

/// The `statusListIndex` of a credential's revocation entry.
fn index_of(vc: &Value) -> u64 {
    vc["credentialStatus"][0]["statusListIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn update(
    server: &Server,
    auth: Option<&str>,
    id: &str,
    purpose: &str,
    status: bool,
) -> (u16, Value) {
    server.post(
        "/credentials/status",
        auth,
        &json!({
            "credentialId": id,
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": purpose},
            "status": status,
        }),
    )
}

/// Bitstring Status List v1.0 §2.1 (`BitstringStatusListEntry`: one per purpose, the
/// list URL and the index) and §2.2 (`BitstringStatusListCredential`, served at the URL
/// the entries name); VC-API (VCALM) §C.3 "Update Status" (`POST /credentials/status`): an issued credential verifies as not
/// revoked against the list the server serves, and as revoked once revoked through it.
#[test]
fn issue_with_status_then_revoke_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    // A ledger that does not exist yet is created for the key at start.
    let server = with_status(&ledger);
    assert!(ledger.is_file());
    let vc = issue_new(&server);
    let entries = vc["credentialStatus"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{vc}");
    for (entry, purpose) in entries.iter().zip(["revocation", "suspension"]) {
        assert_eq!(
            entry,
            &json!({
                "id": format!("{BASE}/{purpose}#0"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": "0",
                "statusListCredential": format!("{BASE}/{purpose}"),
            })
        );
    }

    // §2.2: the list is a signed BitstringStatusListCredential, with a media type,
    // a validator and no long-lived caching.
    let (status, head, body) = get_list(&server, "revocation", &[]);
    assert_eq!(status, 200, "{head}");
    assert_eq!(header(&head, "content-type"), Some("application/vc"));
    assert_eq!(header(&head, "cache-control"), Some("no-cache"));
    let etag = header(&head, "etag").unwrap().to_owned();
    let list: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(list["id"], format!("{BASE}/revocation"));
    assert_eq!(list["credentialSubject"]["statusPurpose"], "revocation");
    assert!(list["validUntil"].is_string(), "{list}");
    // The same list again, and a 304 for a client that has it.
    let (_, again, body2) = get_list(&server, "revocation", &[]);
    assert_eq!(
        (header(&again, "etag"), &body2),
        (Some(etag.as_str()), &body)
    );
    let (status, _, empty) = get_list(&server, "revocation", &[("If-None-Match", &etag)]);
    assert_eq!((status, empty.len()), (304, 0));
    let (_, json_head, _) = get_list(&server, "revocation", &[("Accept", "application/json")]);
    assert_eq!(header(&json_head, "content-type"), Some("application/json"));

    let lists = save_lists(&server, dir.path());
    let (code, lines) = verify_with_lists(&vc, &lists, dir.path());
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("pass ")), "{lines:?}");

    // VC-API §C.3 Update Status: revoked.
    let id = vc["id"].as_str().unwrap();
    let (status, body) = update(&server, Some(TOKEN), id, "revocation", true);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["state"].as_str(), body["changed"].as_bool()),
        (Some("revoked"), Some(true))
    );
    assert_eq!(body["credentialStatus"], vc["credentialStatus"][0]);
    // Signed again: a client with the old list gets the new one, not a 304.
    let (status, head, _) = get_list(&server, "revocation", &[("If-None-Match", &etag)]);
    assert_eq!(status, 200);
    assert_ne!(header(&head, "etag"), Some(etag.as_str()));
    let lists = save_lists(&server, dir.path());
    let (code, lines) = verify_with_lists(&vc, &lists, dir.path());
    assert_eq!(code, 1, "{lines:?}");
    assert!(
        lines[0].starts_with("fail ") && lines[0].contains("revoked"),
        "{lines:?}"
    );
    // Again: nothing changes (200, changed false); revocation cannot be undone.
    let (status, body) = update(&server, Some(TOKEN), id, "revocation", true);
    assert_eq!(
        (status, body["changed"].as_bool()),
        (200, Some(false)),
        "{body}"
    );
    let (status, body) = update(&server, Some(TOKEN), id, "revocation", false);
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("permanent"),
        "{body}"
    );
    // The server's page is unaffected.
    assert_eq!(server.send("GET", "/", &[], b"").0, 200);
}

/// `body`, posted to `path` with the token, is a `400` whose error says `expected`.
fn refused(server: &Server, path: &str, body: &Value, expected: &str) {
    let (status, resp) = server.post(path, Some(TOKEN), body);
    assert_eq!(status, 400, "{body}: {resp}");
    let error = resp["error"].as_str().unwrap();
    assert!(error.contains(expected), "{body}: {error}");
}

/// VC-API (VCALM) §C.3 "Update Status": the issuer's token (checked before the body), `404` for a
/// credential the ledger does not have, `400` naming what is wrong; suspension
/// (Bitstring Status List §2.1, statusPurpose `suspension`) is set and lifted.
#[test]
fn status_updates_need_the_token_a_known_credential_and_a_valid_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_status(&dir.path().join("ledger.sqlite"));
    let vc = issue_new(&server);
    let id = vc["id"].as_str().unwrap();
    for auth in [None, Some("wrong-token-0123456789abcdef")] {
        let (status, body) = update(&server, auth, id, "revocation", true);
        assert_eq!(status, 401, "{body}");
    }
    // Not even read without the token.
    let (status, _, _) = server.send("POST", "/credentials/status", &[], b"not json");
    assert_eq!(status, 401);
    let (status, body) = update(
        &server,
        Some(TOKEN),
        "urn:uuid:00000000-0000-4000-8000-000000000000",
        "revocation",
        true,
    );
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no credential urn:uuid:0000"),
        "{body}"
    );

    let bad =
        |body: Value, expected: &str| refused(&server, "/credentials/status", &body, expected);
    let entry = json!({"type": "BitstringStatusListEntry", "statusPurpose": "revocation"});
    bad(
        json!({"credentialId": id, "credentialStatus": entry}),
        "status is missing",
    );
    bad(
        json!({"credentialId": id, "credentialStatus": entry, "status": "yes"}),
        "status must be true or false",
    );
    bad(
        json!({"credentialId": id, "credentialStatus": entry, "status": true, "why": 1}),
        "unknown member \"why\"",
    );
    bad(
        json!({"credentialStatus": entry, "status": true}),
        "credentialId is missing",
    );
    bad(
        json!({"credentialId": id, "credentialStatus": {"type": "StatusList2021Entry", "statusPurpose": "revocation"}, "status": true}),
        "is not supported",
    );
    bad(
        json!({"credentialId": id, "credentialStatus": {"type": "BitstringStatusList", "statusPurpose": "message"}, "status": true}),
        "statusPurpose \"message\"",
    );
    bad(
        json!({"credentialId": id, "credentialStatus": {"type": "BitstringStatusList", "statusPurpose": "revocation", "statusListIndex": "7"}, "status": true}),
        "statusListIndex \"7\" is not",
    );
    bad(
        json!({"credentialId": id, "credentialStatus": {"type": "BitstringStatusList", "statusPurpose": "revocation", "statusListCredential": "https://elsewhere.example/l"}, "status": true}),
        "statusListCredential",
    );

    // Suspended, then lifted; the list says so each time.
    let suspended = |server: &Server| {
        let (_, _, body) = get_list(server, "suspension", &[]);
        let list: Value = serde_json::from_slice(&body).unwrap();
        let bits = microcred_core::status_list::StatusList::decode(
            list["credentialSubject"]["encodedList"].as_str().unwrap(),
        )
        .unwrap();
        bits.get(0).unwrap()
    };
    assert!(!suspended(&server));
    let full = json!({
        "credentialId": id,
        "credentialStatus": vc["credentialStatus"][1],
        "status": true,
    });
    let (status, body) = server.post("/credentials/status", Some(TOKEN), &full);
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("suspended")),
        "{body}"
    );
    assert!(suspended(&server));
    let (status, body) = update(&server, Some(TOKEN), id, "suspension", false);
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("issued")),
        "{body}"
    );
    assert!(!suspended(&server));

    // An id the ledger has is not issued again; a credential's own credentialStatus is
    // refused (the server adds its entries).
    let fixed = crate::server::unsigned();
    assert_eq!(
        server
            .post(
                "/credentials/issue",
                Some(TOKEN),
                &json!({"credential": fixed})
            )
            .0,
        201
    );
    refused(
        &server,
        "/credentials/issue",
        &json!({"credential": fixed}),
        "was issued already",
    );
    let mut with_status = fixed.clone();
    with_status.as_object_mut().unwrap().remove("id");
    with_status["credentialStatus"] = vc["credentialStatus"].clone();
    refused(
        &server,
        "/credentials/issue",
        &json!({"credential": with_status}),
        "adds its own entries",
    );

    // A list path takes GET only; a server without [status] has neither lists nor updates.
    assert_eq!(
        server.send("POST", "/status/2026/revocation", &[], b"").0,
        405
    );
    assert_eq!(server.send("GET", "/status/2026/other", &[], b"").0, 404);
    let plain = Server::start("");
    assert_eq!(get_list(&plain, "revocation", &[]).0, 404);
    let (status, body) = update(&plain, Some(TOKEN), id, "revocation", true);
    assert_eq!(status, 404, "{body}");
}

/// Many issue requests at once: each credential gets its own index (Bitstring Status
/// List §2.1: an index identifies one credential's bit), none is lost, and the ledger
/// records each as issued.
#[test]
fn concurrent_issues_get_distinct_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let server = with_status(&ledger);
    let n = 32;
    let indexes: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| s.spawn(|| index_of(&issue_new(&server))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let distinct: BTreeSet<u64> = indexes.iter().copied().collect();
    assert_eq!(distinct, (0..n).collect(), "{indexes:?}");
    let listed = ledger_list(&ledger);
    assert_eq!(listed.len(), n as usize);
    assert!(listed.iter().all(|r| r["state"] == "issued"), "{listed:?}");
}

/// `microcred-sign ledger list --json` of a ledger.
fn ledger_list(ledger: &Path) -> Vec<Value> {
    let out = Command::new(bin("microcred-sign"))
        .args(["ledger", "list", "--json", "--ledger"])
        .arg(ledger)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One ledger, three writers: two server processes issuing at once never give an index
/// twice (Bitstring Status List §2.1); `microcred-sign revoke` revokes what a server
/// issued, and a server revokes what `microcred-sign issue --ledger` issued; each
/// server's list shows the other writers' changes.
#[test]
fn a_second_server_and_microcred_sign_share_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let (_key_dir, key) = private_copy("keys-example/example-university.key.json");
    let init = Command::new(bin("microcred-sign"))
        .args(["ledger", "init", "--status-base-url", BASE, "--key"])
        .arg(&key)
        .arg("--ledger")
        .arg(&ledger)
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let a = with_status(&ledger);
    let b = with_status(&ledger);
    let per_server = 12;
    let issued: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2 * per_server)
            .map(|i| {
                let server = if i % 2 == 0 { &a } else { &b };
                s.spawn(move || issue_new(server))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let distinct: BTreeSet<u64> = issued.iter().map(index_of).collect();
    assert_eq!(distinct, (0..2 * per_server).collect());

    // microcred-sign revokes a credential server A issued; B's list shows it.
    let by_a = &issued[0];
    let revoke = Command::new(bin("microcred-sign"))
        .args(["revoke", "--reason", "issued in error", "--ledger"])
        .arg(&ledger)
        .arg(by_a["id"].as_str().unwrap())
        .output()
        .unwrap();
    assert!(
        revoke.status.success(),
        "{}",
        String::from_utf8_lossy(&revoke.stderr)
    );
    let lists = save_lists(&b, dir.path());
    let (code, lines) = verify_with_lists(by_a, &lists, dir.path());
    assert_eq!(code, 1, "{lines:?}");
    assert!(lines[0].contains("revoked"), "{lines:?}");
    // Another credential of A, not revoked, is still fine by B's list.
    let (code, lines) = verify_with_lists(&issued[2], &lists, dir.path());
    assert_eq!(code, 0, "{lines:?}");

    // microcred-sign issues with the ledger; server B revokes it; the CLI's list says so.
    let unsigned = dir.path().join("unsigned.json");
    std::fs::write(
        &unsigned,
        crate::common::read("keys-example/micro-credential.unsigned.json"),
    )
    .unwrap();
    let signed = dir.path().join("cli.json");
    let out = Command::new(bin("microcred-sign"))
        .args(["issue", "--key"])
        .arg(&key)
        .arg("--ledger")
        .arg(&ledger)
        .arg("--out")
        .arg(&signed)
        .arg(&unsigned)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_cli: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    assert_eq!(index_of(&by_cli), 2 * per_server);
    let (status, body) = update(
        &b,
        Some(TOKEN),
        by_cli["id"].as_str().unwrap(),
        "revocation",
        true,
    );
    assert_eq!(status, 200, "{body}");
    let cli_list = dir.path().join("cli-revocation.json");
    let out = Command::new(bin("microcred-sign"))
        .args(["status-list", "--purpose", "revocation", "--key"])
        .arg(&key)
        .arg("--ledger")
        .arg(&ledger)
        .arg("--out")
        .arg(&cli_list)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lists = [cli_list, save_lists(&a, dir.path())[1].clone()];
    let (code, lines) = verify_with_lists(&by_cli, &lists, dir.path());
    assert_eq!(code, 1, "{lines:?}");
    assert!(lines[0].contains("revoked"), "{lines:?}");
    let states: Vec<(String, String)> = ledger_list(&ledger)
        .iter()
        .filter(|r| r["state"] != "issued")
        .map(|r| {
            (
                r["credential_id"].as_str().unwrap().to_owned(),
                r["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (
                by_a["id"].as_str().unwrap().to_owned(),
                "revoked".to_owned()
            ),
            (
                by_cli["id"].as_str().unwrap().to_owned(),
                "revoked".to_owned()
            )
        ]
    );
}

/// `[status]` errors at start: a ledger of another base URL, a purpose not kept, no
/// `[issuer]`.
#[test]
fn bad_status_configurations_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    drop(with_status(&ledger));
    let refused = |config: &str, expected: &str| {
        let path = dir.path().join("server.toml");
        std::fs::write(&path, config).unwrap();
        let (_key_dir, key) = private_copy("keys-example/example-university.key.json");
        let token = dir.path().join("token");
        std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let config = std::fs::read_to_string(&path)
            .unwrap()
            .replace("KEY", &key.display().to_string());
        std::fs::write(&path, config).unwrap();
        let out = Command::new(bin("microcred-server"))
            .arg("--config")
            .arg(&path)
            .args(["--bind", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    };
    let issuer = "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\n";
    refused(
        &format!(
            "{issuer}[status]\nledger = {:?}\nbase_url = \"https://other.example/s\"\n",
            ledger.display().to_string()
        ),
        "is not the ledger's (https://uni.example.ie/status/2026)",
    );
    refused(
        &format!(
            "{issuer}{}",
            status_config(&ledger, "purposes = [\"refresh\"]\n")
        ),
        "\"refresh\" is not a purpose this server keeps",
    );
    refused(&status_config(&ledger, ""), "[status] needs [issuer]");
}

/// `purposes = ["revocation"]`: credentials get that entry only (Bitstring Status List
/// §2.1: one entry per purpose the issuer keeps), only that list is served, and a
/// suspension is refused.
#[test]
fn one_purpose_gives_one_entry_and_one_list() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let server = Server::start(&status_config(&ledger, "purposes = [\"revocation\"]\n"));
    let vc = issue_new(&server);
    let entries = vc["credentialStatus"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{vc}");
    assert_eq!(entries[0]["statusPurpose"], "revocation");
    assert_eq!(get_list(&server, "revocation", &[]).0, 200);
    assert_eq!(get_list(&server, "suspension", &[]).0, 404);
    let (status, body) = update(
        &server,
        Some(TOKEN),
        vc["id"].as_str().unwrap(),
        "suspension",
        true,
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no suspension entry"),
        "{body}"
    );
}

/// `options.proofFormat: "jwt"`: the credential comes back as VC Data Model 2.0's
/// `EnvelopedVerifiableCredential` (a `data:application/vc+jwt,` URL of the token),
/// with its status entries inside the token's credential; the ledger records the token
/// as `microcred-sign issue --format jwt` writes it, and a revocation through the API
/// reaches it. An unknown format is a 400 naming the ones served.
#[test]
fn a_vc_jwt_is_issued_enveloped_with_its_status_and_revoked_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let server = with_status(&ledger);
    let mut cred = crate::server::unsigned();
    cred.as_object_mut().unwrap().remove("id");
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred, "options": {"proofFormat": "jwt"}}),
    );
    assert_eq!(status, 201, "{body}");
    let vc = &body["verifiableCredential"];
    assert_eq!(vc["type"], "EnvelopedVerifiableCredential", "{vc}");
    assert_eq!(
        vc["@context"], "https://www.w3.org/ns/credentials/v2",
        "{vc}"
    );
    let token = vc["id"]
        .as_str()
        .unwrap()
        .strip_prefix("data:application/vc+jwt,")
        .unwrap_or_else(|| panic!("{vc}"));
    let inner = microcred_verifier::jwt::credential(token.as_bytes()).unwrap();
    // The envelope, posted back as it came, verifies: the token inside is read.
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!((status, &body["verified"]), (200, &json!(true)), "{body}");
    assert_eq!(body["report"]["format"]["name"], "VC-JWT (EdDSA)", "{body}");
    assert_eq!(
        inner["credentialStatus"][0]["statusListCredential"],
        format!("{BASE}/revocation")
    );
    let id = inner["id"].as_str().unwrap();
    let rec = microcred_signer::ledger::Ledger::open(&ledger)
        .unwrap()
        .get(id)
        .unwrap()
        .unwrap();
    assert_eq!(rec.state, microcred_signer::ledger::State::Issued);
    let written = format!("{token}\n");
    assert_eq!(
        rec.file_sha256.as_deref(),
        Some(
            crate::common::hex(&<sha2::Sha256 as sha2::Digest>::digest(written.as_bytes()))
                .as_str()
        )
    );

    // The token as a file verifies against the served lists: not revoked, then revoked.
    let file = dir.path().join("c.jwt");
    std::fs::write(&file, &written).unwrap();
    let verify = |lists: &[PathBuf]| {
        let mut c = Command::new(bin("microcred-verify"));
        c.env("XDG_CONFIG_HOME", crate::common::no_config())
            .arg("--json")
            .arg("--trust")
            .arg(repo("keys-example/trust-list.json"));
        for (purpose, list) in ["revocation", "suspension"].iter().zip(lists) {
            c.arg("--status-list")
                .arg(format!("{BASE}/{purpose}={}", list.display()));
        }
        let out = c.arg(&file).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let (code, report) = verify(&save_lists(&server, dir.path()));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["format"]["name"], "VC-JWT (EdDSA)", "{report}");
    let (status, body) = update(&server, Some(TOKEN), id, "revocation", true);
    assert_eq!(status, 200, "{body}");
    let (code, report) = verify(&save_lists(&server, dir.path()));
    assert_eq!(code, 1, "{report}");
    assert!(report.to_string().contains("revoked"), "{report}");

    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": crate::server::unsigned(), "options": {"proofFormat": "sd-jwt"}}),
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("proofFormat"), "{body}");
}
