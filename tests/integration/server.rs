//! `microcred-server` run as a process on an ephemeral loopback port: every
//! endpoint, status code, the bearer token, the limits and malformed bodies.
//! The HTTP client is a few lines over `TcpStream` so that tests can send
//! exactly the bytes they mean (broken JSON, lying lengths, slow bodies).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use microcred_core::keys::KeyFile;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use serde_json::{Value, json};

use crate::common::{bin, private_copy, repo};

pub(crate) const TOKEN: &str = "test-token-0123456789abcdef";

/// A running server; killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: String,
    _dir: tempfile::TempDir,
    _key: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts a server issuing with the example university key, verifying against the
    /// example trust list; `extra` is appended to the configuration.
    pub(crate) fn start(extra: &str) -> Self {
        Self::start_with(&format!(
            "[issuer]\nkey = \"KEY\"\nname = \"University of Example\"\ntoken_file = \"token\"\n\
             [verify]\ntrust = \"{}\"\n{extra}",
            repo("keys-example/trust-list.json").display()
        ))
    }

    pub(crate) fn start_with(config: &str) -> Self {
        let (key_dir, key) = private_copy("keys-example/example-university.key.json");
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let config_path = dir.path().join("server.toml");
        std::fs::write(
            &config_path,
            config.replace("KEY", &key.display().to_string()),
        )
        .unwrap();
        let mut child = Command::new(bin("microcred-server"))
            .arg("--config")
            .arg(&config_path)
            .args(["--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let _ = child.wait();
                let log =
                    std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
                panic!("server did not start: {line:?}\n{log}")
            })
            .to_owned();
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        Self {
            child,
            addr,
            _dir: dir,
            _key: key_dir,
        }
    }

    /// Sends one request; returns (status, head, body).
    pub(crate) fn raw(&self, request: &[u8]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        // The server may answer (413) before reading the whole body: ignore write errors.
        let _ = stream.write_all(request);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        parse_response(&response)
    }

    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    /// POSTs JSON; returns (status, parsed body).
    pub(crate) fn post(&self, path: &str, auth: Option<&str>, body: &Value) -> (u16, Value) {
        let auth = auth.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a));
        }
        let (status, _, body) =
            self.send("POST", path, &headers, &serde_json::to_vec(body).unwrap());
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

fn parse_response(bytes: &[u8]) -> (u16, String, Vec<u8>) {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = bytes[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + size]);
            rest = &rest[nl + 4 + size..];
        }
        body = out;
    }
    (status, head, body)
}

pub(crate) fn unsigned() -> Value {
    serde_json::from_slice(
        &std::fs::read(repo("keys-example/micro-credential.unsigned.json")).unwrap(),
    )
    .unwrap()
}

/// Issues the example credential through the API.
pub(crate) fn issue(server: &Server, edit: impl FnOnce(&mut Value)) -> Value {
    let mut cred = unsigned();
    edit(&mut cred);
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred}),
    );
    assert_eq!(status, 201, "{body}");
    body["verifiableCredential"].clone()
}

/// A presentation of `creds` signed by the example learner.
fn present(creds: &[Value], challenge: Option<&str>, domain: Option<&str>) -> Value {
    let key =
        KeyFile::from_json(&std::fs::read(repo("keys-example/example-learner.key.json")).unwrap())
            .unwrap();
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": key.controller(),
        "verifiableCredential": creds,
    });
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::Authentication);
    options.challenge = challenge.map(str::to_owned);
    options.domain = domain.map(str::to_owned);
    proof::add_proof(&vp, &key.secret, &options).unwrap()
}

fn error_of(body: &Value) -> &str {
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {body}"))
}

#[test]
fn health_and_page() {
    let server = Server::start("");
    let (status, _, body) = server.send("GET", "/healthz", &[], b"");
    assert_eq!(
        (status, body.as_slice()),
        (200, br#"{"status":"ok"}"#.as_slice())
    );
    let (status, head, body) = server.send("GET", "/", &[], b"");
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    let page = String::from_utf8(body).unwrap();
    // Self-contained: nothing fetched from anywhere.
    for external in ["src=", "<link", "@import", "url(", "http://", "https://"] {
        assert!(!page.contains(external), "the page refers to {external}");
    }
    assert!(page.contains("/credentials/verify") && page.contains(".mc-fail"));
    let (status, _, body) = server.send("GET", "/nowhere", &[], b"");
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = server.send("GET", "/credentials/verify", &[], b"");
    assert_eq!(status, 405);
}

#[test]
fn issuing_needs_the_token() {
    let server = Server::start("");
    let body = json!({"credential": unsigned()});
    let (status, _, resp) = server.send(
        "POST",
        "/credentials/issue",
        &[("Content-Type", "application/json")],
        &serde_json::to_vec(&body).unwrap(),
    );
    assert_eq!(status, 401, "{}", String::from_utf8_lossy(&resp));
    let (status, head, _) = server.send("POST", "/credentials/issue", &[], b"{}");
    assert_eq!(status, 401);
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{head}"
    );
    for wrong in [
        "wrong-token-0123456789abcdef",
        "",
        &TOKEN[..TOKEN.len() - 1],
        &format!("{TOKEN}x"),
    ] {
        let (status, resp) = server.post("/credentials/issue", Some(wrong), &body);
        assert_eq!(status, 401, "{wrong:?}: {resp}");
        assert!(error_of(&resp).contains("not valid"), "{resp}");
    }
    let (status, _, _) = server.send(
        "POST",
        "/credentials/issue",
        &[("Authorization", &format!("Basic {TOKEN}"))],
        b"{}",
    );
    assert_eq!(status, 401);
    // Unauthenticated clients learn nothing about their body: a broken one is still 401.
    let (status, _, _) = server.send("POST", "/credentials/issue", &[], b"not json");
    assert_eq!(status, 401);
}

/// The token is checked before the body is read: a client without it that announces
/// a body and never sends it is answered 401 at once, not held until the timeout
/// (408) as a verification request is.
#[test]
fn issuing_checks_the_token_before_reading_the_body() {
    let server = Server::start("[limits]\ntimeout_seconds = 3\n");
    let stalled = |path: &str, auth: &str| {
        let started = std::time::Instant::now();
        let (status, _, body) = server.raw(
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 1000\r\n\r\n{{\"credential\""
            )
            .as_bytes(),
        );
        (
            status,
            started.elapsed(),
            String::from_utf8_lossy(&body).into_owned(),
        )
    };
    let (status, took, body) = stalled("/credentials/issue", "");
    assert_eq!(status, 401, "{body}");
    assert!(
        took < std::time::Duration::from_secs(2),
        "answered after {took:?}"
    );
    let (status, took, body) = stalled("/credentials/issue", "Authorization: Bearer wrong\r\n");
    assert_eq!(status, 401, "{body}");
    assert!(
        took < std::time::Duration::from_secs(2),
        "answered after {took:?}"
    );
    // With the token the body is awaited, like any other endpoint's.
    let (status, _, _) = stalled(
        "/credentials/issue",
        &format!("Authorization: Bearer {TOKEN}\r\n"),
    );
    assert_eq!(status, 408);
}

#[test]
fn issue_then_verify_and_tamper() {
    let server = Server::start("");
    let vc = issue(&server, |_| {});
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(vc["issuer"]["name"], "University of Example");
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], true);
    assert!(
        body["checks"].as_array().unwrap().contains(&json!("proof")),
        "{body}"
    );
    assert_eq!(
        body["report"]["summary"]["trustedName"],
        "University of Example"
    );

    let mut tampered = vc.clone();
    tampered["credentialSubject"]["result"][0]["value"] = "A".into();
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": tampered, "options": {"checks": ["proof"]}}),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["verified"], false);
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["check"] == "proof"), "{body}");
    assert_eq!(body["report"]["valid"], false);

    // Also as the page asks for it: an HTML transcript, same status codes.
    let (status, head, html) = server.send(
        "POST",
        "/credentials/verify",
        &[("Accept", "text/html")],
        &serde_json::to_vec(&json!({"verifiableCredential": tampered})).unwrap(),
    );
    assert_eq!(status, 422);
    assert!(head.to_ascii_lowercase().contains("text/html"), "{head}");
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("<li class=\"mc-fail\" data-check=\"proof\">"),
        "{html}"
    );
    assert!(
        html.contains("Applied Machine Learning for Engineers"),
        "{html}"
    );
}

#[test]
fn issue_with_rdfc_and_credential_id() {
    let server = Server::start_with(
        "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\nsuite = \"eddsa-rdfc-2022\"\n",
    );
    let mut cred = unsigned();
    cred.as_object_mut().unwrap().remove("id");
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred, "options": {"credentialId": "urn:uuid:11111111-2222-4333-8444-555555555555"}}),
    );
    assert_eq!(status, 201, "{body}");
    let vc = &body["verifiableCredential"];
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(vc["id"], "urn:uuid:11111111-2222-4333-8444-555555555555");
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn issuing_refuses_invalid_credentials_with_the_reason() {
    let server = Server::start("");
    for (edit, says) in [
        (
            json!({"credentialStatus": {"id": "https://s.example/1", "statusPurpose": "revocation"}}),
            "credentialStatus[0] must have a type",
        ),
        (
            json!({"evidence": [{"id": "https://e.example"}]}),
            "evidence[0] must have a type",
        ),
        (
            json!({"credentialSchema": {"id": "https://s.example/schema"}}),
            "credentialSchema[0] must have a type",
        ),
        (
            json!({"refreshService": {"id": "https://r.example"}}),
            "refreshService[0] must have a type",
        ),
        (
            json!({"termsOfUse": {"id": "https://t.example"}}),
            "termsOfUse[0] must have a type",
        ),
        (
            json!({"validUntil": "2020-01-01T00:00:00Z"}),
            "before validFrom",
        ),
        (json!({"validFrom": "1 March 2025"}), "validFrom"),
        (
            json!({"@context": ["https://www.w3.org/2018/credentials/v1"]}),
            "@context must be",
        ),
        (
            json!({"issuer": "did:key:z6MkSomeoneElse"}),
            "is not this server's issuer",
        ),
        (
            json!({"issuer": {"id": "not a url"}}),
            "is not this server's issuer",
        ),
        (
            json!({"proof": {"type": "DataIntegrityProof"}}),
            "already carries a proof",
        ),
        (
            json!({"relatedResource": [{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-AAAA"}]}),
            "does not match the bundled context",
        ),
    ] {
        let mut cred = unsigned();
        for (k, v) in edit.as_object().unwrap() {
            cred[k] = v.clone();
        }
        let (status, body) = server.post(
            "/credentials/issue",
            Some(TOKEN),
            &json!({"credential": cred}),
        );
        assert_eq!(status, 400, "{edit}: {body}");
        assert!(error_of(&body).contains(says), "{edit}: {body}");
    }
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": unsigned(), "options": {"mandatoryPointers": []}}),
    );
    assert_eq!(status, 400);
    assert!(
        error_of(&body).contains("options.mandatoryPointers is not supported"),
        "{body}"
    );
}

#[test]
fn issuing_enforces_configured_profiles() {
    let server = Server::start_with(
        "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\nprofiles = [\"emc-cmf\"]\n",
    );
    issue(&server, |_| {});
    let mut cred = unsigned();
    cred["credentialSubject"]["achievement"]["microCredential"]["workload"]["hours"] = 5.into();
    cred["credentialSubject"]["achievement"]["microCredential"]["workload"]
        .as_object_mut()
        .unwrap()
        .remove("volumeOfLearning");
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred}),
    );
    assert_eq!(status, 400, "{body}");
    assert!(error_of(&body).contains("emc-cmf"), "{body}");
}

#[test]
fn verify_only_server_does_not_issue() {
    let server = Server::start_with("[verify]\nprofiles = [\"claimed\"]\n");
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": unsigned()}),
    );
    assert_eq!(status, 404, "{body}");
    assert!(error_of(&body).contains("does not issue"), "{body}");
}

#[test]
fn malformed_requests_are_400_with_the_reason() {
    let server = Server::start("");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("/credentials/verify", b"not json".to_vec(), "not valid JSON"),
        ("/credentials/verify", b"".to_vec(), "not valid JSON"),
        ("/credentials/verify", b"{\"a\":1,\"a\":2}".to_vec(), "not valid JSON"),
        ("/credentials/verify", b"[1,2]".to_vec(), "must be a JSON object"),
        ("/credentials/verify", b"{}".to_vec(), "verifiableCredential is missing"),
        ("/credentials/verify", b"{\"verifiableCredential\": []}".to_vec(), "must be a JSON object"),
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"extra\": 1}".to_vec(), "unknown member \"extra\""),
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"options\": 3}".to_vec(), "options must be"),
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"options\": {\"checks\": \"proof\"}}".to_vec(), "options.checks"),
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"options\": {\"challenge\": \"x\"}}".to_vec(), "options.challenge is not supported"),
        ("/credentials/verify", b"{\"verifiableCredential\": {\"type\": \"VerifiablePresentation\"}}".to_vec(), "/presentations/verify"),
        ("/credentials/verify", deep.clone().into_bytes(), "not valid JSON"),
        ("/presentations/verify", b"{\"verifiablePresentation\": {\"type\": [\"VerifiableCredential\"]}}".to_vec(), "/credentials/verify"),
        ("/presentations/verify", b"{\"verifiablePresentation\": {\"type\": \"VerifiablePresentation\"}, \"options\": {\"domain\": 5}}".to_vec(), "options.domain must be a string"),
        ("/presentations/verify", b"\xff\xfe".to_vec(), "not valid JSON"),
    ];
    for (path, body, says) in cases {
        let (status, _, resp) =
            server.send("POST", path, &[("Content-Type", "application/json")], &body);
        let resp: Value = serde_json::from_slice(&resp).unwrap();
        assert_eq!(
            status,
            400,
            "{path} {:?}: {resp}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
        assert!(error_of(&resp).contains(says), "{says}: {resp}");
    }
    // An empty credential is a verdict, not a malformed request.
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": {}}),
    );
    assert_eq!(status, 422, "{body}");
    // Still serving after all that.
    assert_eq!(server.send("GET", "/healthz", &[], b"").0, 200);
}

#[test]
fn body_limit_and_timeout() {
    let server = Server::start("[limits]\nmax_body_bytes = 65536\ntimeout_seconds = 1\n");
    let big = format!(
        "{{\"verifiableCredential\": {{\"x\": \"{}\"}}}}",
        "a".repeat(100_000)
    );
    let (status, _, body) = server.send("POST", "/credentials/verify", &[], big.as_bytes());
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    // A body without Content-Length (chunked) over the limit is refused too.
    let mut req = format!(
        "POST /credentials/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        big.len()
    )
    .into_bytes();
    req.extend_from_slice(big.as_bytes());
    req.extend_from_slice(b"\r\n0\r\n\r\n");
    let (status, _, body) = server.raw(&req);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": {}}),
    );
    assert_eq!(status, 422, "a body under the limit is read: {body}");
    // A client that announces a body and never sends it is cut off with 408.
    let (status, _, _) = server.raw(
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"verifiableCredential\"",
    );
    assert_eq!(status, 408);
}

#[test]
fn presentations() {
    let server = Server::start("");
    let vc = issue(&server, |_| {});
    let vp = present(
        std::slice::from_ref(&vc),
        Some("nonce-123"),
        Some("hr.example"),
    );
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": {"challenge": "nonce-123", "domain": "hr.example"}}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["report"]["kind"], "presentation");
    assert!(
        body["checks"]
            .as_array()
            .unwrap()
            .contains(&json!("challenge")),
        "{body}"
    );
    // Another challenge: a replay.
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": {"challenge": "other"}}),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["check"] == "challenge"),
        "{body}"
    );
    // A tampered embedded credential fails the presentation.
    let mut bad = vc.clone();
    bad["name"] = "Something else".into();
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": present(&[bad], None, None)}),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap().starts_with("credential 1: ")),
        "{body}"
    );

    // Unsigned: refused unless the options ask for no holder proof.
    let mut unsigned_vp = vp.clone();
    unsigned_vp.as_object_mut().unwrap().remove("proof");
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": unsigned_vp}),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["check"] == "proof"),
        "{body}"
    );
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": unsigned_vp, "options": {"checks": ["credentials"]}}),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": unsigned_vp, "options": {"checks": [], "challenge": "c"}}),
    );
    assert_eq!(status, 400, "{body}");
    // ...but the credentials inside are still checked.
    let mut bad = vc.clone();
    bad["name"] = "Something else".into();
    unsigned_vp["verifiableCredential"] = json!([bad]);
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": unsigned_vp, "options": {"checks": []}}),
    );
    assert_eq!(status, 422, "{body}");
}

#[test]
fn bad_configurations_are_refused_at_start() {
    for (config, says) in [
        (
            "[issuer]\nkey = \"KEY\"\n",
            "exactly one of token_file or token_env",
        ),
        ("bind = 3\n", "bind"),
        ("[verify]\nunknown = 1\n", "unknown"),
        ("[verify]\nprofiles = [\"no-such\"]\n", "no-such"),
        ("[limits]\nmax_body_bytes = 0\n", "greater than 0"),
        (
            "[issuer]\nkey = \"KEY\"\ntoken_env = \"MICROCRED_TEST_UNSET_TOKEN\"\n",
            "MICROCRED_TEST_UNSET_TOKEN is not set",
        ),
    ] {
        let (key_dir, key) = private_copy("keys-example/example-university.key.json");
        let path = key_dir.path().join("server.toml");
        std::fs::write(&path, config.replace("KEY", &key.display().to_string())).unwrap();
        let out = Command::new(bin("microcred-server"))
            .arg("--config")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{config}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{config}: {err}");
        assert!(out.stdout.is_empty());
    }
}

/// `microcred-verify --html`: the same transcript, offline, as one printable page.
#[test]
fn verify_html_offline() {
    let server = Server::start("");
    let vc = issue(&server, |_| {});
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, serde_json::to_vec(&vc).unwrap()).unwrap();
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["result"][0]["value"] = "A".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&tampered).unwrap()).unwrap();
    let verify = |args: &[&std::ffi::OsStr]| {
        Command::new(bin("microcred-verify"))
            .args([
                "--trust".as_ref(),
                repo("keys-example/trust-list.json").as_os_str(),
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = verify(&["--html".as_ref(), good.as_os_str()]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    for shown in [
        "Applied Machine Learning for Engineers",
        "University of Example (as listed in the trust list)",
        "Ana Andromeda",
        "Select and justify supervised learning models",
        "<dt>Study hours</dt><dd>125</dd>",
        "<dt>ECTS credits</dt><dd>5</dd>",
        "<dt>EQF level</dt><dd>7</dd>",
        "<dt>Grade</dt><dd>B+</dd>",
        "<dt>Country</dt><dd>IE</dd>",
        "Identity verification",
        "✓ Valid credential",
        "<li class=\"mc-pass\" data-check=\"proof\">",
    ] {
        assert!(page.contains(shown), "{shown} missing from {page}");
    }
    assert!(!page.contains("class=\"mc-fail\""), "{page}");
    let out = verify(&["--html".as_ref(), good.as_os_str(), bad.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains("<li class=\"mc-fail\" data-check=\"proof\">"),
        "{page}"
    );
    assert!(page.contains("NOT a valid credential"), "{page}");
    let out = verify(&["--html".as_ref(), "--json".as_ref(), good.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
}
