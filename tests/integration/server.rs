//! `microcred-server` run as a process on an ephemeral loopback port: every
//! endpoint, status code, the bearer token, the limits and malformed bodies.
//! The HTTP client is a few lines over `TcpStream` so that tests can send
//! exactly the bytes they mean (broken JSON, lying lengths, slow bodies).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use microcred_core::keys::KeyFile;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, StatusList, StatusPurpose};
use serde_json::{Value, json};

use crate::common::{bin, private_copy, repo};

pub(crate) const TOKEN: &str = "test-token-0123456789abcdef";

/// A running server; killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: String,
    dir: tempfile::TempDir,
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
        Self::spawn(config, &[], None)
    }

    /// Starts a server with `config` (`KEY` replaced by the key's path), extra command-line
    /// `args`, and stderr to `stderr` (default: a file that [`Server::log`] reads).
    pub(crate) fn spawn(config: &str, args: &[&str], stderr: Option<Stdio>) -> Self {
        Self::spawn_with_log_env(config, args, stderr, None)
    }

    /// [`Server::spawn`] with `MICROCRED_LOG` set to `log_env`, or unset.
    pub(crate) fn spawn_with_log_env(
        config: &str,
        args: &[&str],
        stderr: Option<Stdio>,
        log_env: Option<&str>,
    ) -> Self {
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
        let mut command = Command::new(bin("microcred-server"));
        match log_env {
            Some(v) => command.env("MICROCRED_LOG", v),
            None => command.env_remove("MICROCRED_LOG"),
        };
        let mut child = command
            .arg("--config")
            .arg(&config_path)
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr.unwrap_or_else(|| {
                std::fs::File::create(dir.path().join("stderr.log"))
                    .unwrap()
                    .into()
            }))
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
            dir,
            _key: key_dir,
        }
    }

    /// What the server logged so far (stderr).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
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

pub(crate) fn parse_response(bytes: &[u8]) -> (u16, String, Vec<u8>) {
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
pub(crate) fn present(creds: &[Value], challenge: Option<&str>, domain: Option<&str>) -> Value {
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
    proof::add_proof(&vp, key.secret.as_ed25519().unwrap(), &options).unwrap()
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
        (200, br#"{"status":"ok","logLinesDropped":0}"#.as_slice())
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
    // The challenge and domain an employer gives the learner, sent with a presentation.
    assert!(
        page.contains("id=\"challenge\"") && page.contains("id=\"domain\""),
        "{page}"
    );
    assert!(page.contains("crypto.getRandomValues"), "{page}");
    // Without JavaScript: what to do instead, not an empty page.
    let noscript = &page[page.find("<noscript>\n<div").expect("a <noscript> block")..];
    for shown in [
        "microcred-verify --trust trust-list.json --html credential.json",
        "--request YOUR-CHALLENGE",
        "-H 'Accept: text/html'",
    ] {
        assert!(noscript.contains(shown), "{shown} missing: {noscript}");
    }
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
                "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"credential\""
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
    // The default: the proof set microcred-sign issue makes.
    let suites: Vec<&str> = vc["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["cryptosuite"].as_str().unwrap())
        .collect();
    assert_eq!(suites, ["eddsa-jcs-2022", "eddsa-rdfc-2022"]);
    assert_eq!(vc["issuer"]["name"], "University of Example");
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], true);
    let (_, head, _) = server.send(
        "POST",
        "/credentials/verify",
        &[("Content-Type", "application/json")],
        &serde_json::to_vec(&json!({"verifiableCredential": vc})).unwrap(),
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("microcred-verified: true"),
        "{head}"
    );
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
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["verified"], false);
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["check"] == "proof"), "{body}");
    assert_eq!(body["report"]["valid"], false);

    // Also as the page asks for it: an HTML transcript, same status codes.
    let (status, head, html) = server.send(
        "POST",
        "/credentials/verify",
        &[
            ("Accept", "text/html"),
            ("Content-Type", "application/json"),
        ],
        &serde_json::to_vec(&json!({"verifiableCredential": tampered})).unwrap(),
    );
    assert_eq!(status, 400);
    assert!(head.to_ascii_lowercase().contains("text/html"), "{head}");
    // The verdict, whatever the status code, for the employers' page.
    assert!(
        head.to_ascii_lowercase()
            .contains("microcred-verified: false"),
        "{head}"
    );
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
fn issue_and_verify_a_vc11_credential() {
    // W3C's VC-API conformance suites still send VC 1.1 credentials to issuers.
    let server = Server::start_with(
        "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\nsuite = \"eddsa-rdfc-2022\"\n",
    );
    let cred = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:learner"}
    });
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred}),
    );
    assert_eq!(status, 201, "{body}");
    let vc = &body["verifiableCredential"];
    assert!(vc["issuanceDate"].is_string(), "{vc}");
    assert!(vc.get("validFrom").is_none(), "{vc}");
    assert_eq!(
        vc["@context"][1],
        "https://w3id.org/security/data-integrity/v2"
    );
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn configured_contexts_serve_rdfc_issuing_and_verifying() {
    let ctx_dir = tempfile::tempdir().unwrap();
    let file = ctx_dir.path().join("skills-v1.json");
    std::fs::write(
        &file,
        r#"{"@context": {"skillLevel": "https://issuer.example/vocab#skillLevel"}}"#,
    )
    .unwrap();
    let url = "https://issuer.example/contexts/skills-v1.json";
    let server = Server::start_with(&format!(
        "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\nsuite = \"eddsa-rdfc-2022\"\n\
         [contexts]\nfiles = {{ \"{url}\" = \"{}\" }}\n",
        file.display()
    ));
    let cred = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", url],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:learner", "skillLevel": "advanced"}
    });
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred}),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": body["verifiableCredential"]}),
    );
    assert_eq!(status, 200, "{body}");
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
        (
            json!({"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"}),
            "validUntil \"2021-01-01T00:00:00Z\" is before the issue time",
        ),
        (json!({"validFrom": "1 March 2025"}), "validFrom"),
        (
            json!({"@context": ["https://example.org/credentials/v1"]}),
            "@context must be",
        ),
        (
            json!({"issuer": "did:key:z6MkSomeoneElse"}),
            "is not the signing key's controller",
        ),
        (
            json!({"issuer": {"id": "not a url"}}),
            "issuer.id \"not a url\" is not a URL",
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
    // In the words `microcred-sign issue` refuses in: rule, value found, what is expected.
    let error = error_of(&body);
    assert!(error.contains("emc-cmf EMC-01 ("), "{body}");
    assert!(error.contains("found 5; expected"), "{body}");
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
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"options\": {\"checks\": [\"proof\", 5]}}".to_vec(), "options.checks must be an array of strings"),
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"options\": {\"checks\": [\"proof\", \"expiry\"]}}".to_vec(), "unknown check \"expiry\""),
        ("/credentials/verify", b"{\"verifiableCredential\": {}, \"options\": {\"checks\": [\"holder-binding\"]}}".to_vec(), "\"holder-binding\" is a check of presentations"),
        ("/presentations/verify", b"{\"verifiablePresentation\": {\"type\": \"VerifiablePresentation\"}, \"options\": {\"checks\": [\"Proof\"]}}".to_vec(), "unknown check \"Proof\""),
        ("/presentations/verify", b"{\"verifiablePresentation\": {\"type\": \"VerifiablePresentation\"}, \"options\": {\"checks\": [\"status\"], \"domain\": \"d\"}}".to_vec(), "leaves out \"proof\""),
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
    assert_eq!(status, 400, "{body}");
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
        "POST /credentials/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
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
    assert_eq!(status, 400, "a body under the limit is read: {body}");
    // A client that announces a body and never sends it is cut off with 408.
    let (status, _, _) = server.raw(
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"verifiableCredential\"",
    );
    assert_eq!(status, 408);
}

/// The server never rewrites what the client sent without saying so (issue 20): a
/// client's issuer name must be the configured one (or absent, and filled), and a
/// well-formed one (VC Data Model 2.0 §4.6).
#[test]
fn a_clients_issuer_name_is_checked_not_replaced() {
    let server = Server::start("");
    let controller = "did:key:z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7";
    for (name, status, says) in [
        (
            json!("Another University"),
            400,
            "is not the name this server issues under",
        ),
        (
            json!(5),
            400,
            "issuer.name must be a string or a language value object",
        ),
        (json!("University of Example"), 201, ""),
    ] {
        let mut cred = unsigned();
        cred["issuer"] = json!({"id": controller, "name": name});
        let (got, body) = server.post(
            "/credentials/issue",
            Some(TOKEN),
            &json!({"credential": cred}),
        );
        assert_eq!(got, status, "{name}: {body}");
        if status == 400 {
            assert!(error_of(&body).contains(says), "{body}");
        } else {
            assert_eq!(body["verifiableCredential"]["issuer"]["name"], name);
        }
    }
    // Left out: filled with the configured name.
    let vc = issue(&server, |c| {
        c["issuer"] = json!({"id": controller});
    });
    assert_eq!(vc["issuer"]["name"], "University of Example");
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
    assert_eq!((status, &body["verified"]), (200, &json!(false)), "{body}");
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
    assert_eq!((status, &body["verified"]), (200, &json!(false)), "{body}");
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
    assert_eq!((status, &body["verified"]), (200, &json!(false)), "{body}");
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
        &json!({"verifiablePresentation": unsigned_vp, "options": {"checks": ["holder-binding"]}}),
    );
    assert_eq!(status, 200, "{body}");
    // The holder's proof was not asked for: its failure is reported, not counted.
    let proof = body["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "proof")
        .unwrap();
    assert_eq!(proof["outcome"], "skipped", "{body}");
    assert!(
        proof["message"]
            .as_str()
            .unwrap()
            .starts_with("not requested (options.checks); found: fail: "),
        "{body}"
    );
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
    assert_eq!((status, &body["verified"]), (200, &json!(false)), "{body}");

    // Holder binding (VC 2.0 §4.13) decides only when options.holderBinding asks for it:
    // someone else's credential, presented by the learner.
    let other = issue(&server, |c| {
        c["credentialSubject"]["id"] = "did:example:someone-else".into();
    });
    let vp = present(&[other], Some("nonce-123"), None);
    let binding = |body: &Value| {
        body["report"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "holder-binding")
            .unwrap()["outcome"]
            .clone()
    };
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": {"challenge": "nonce-123"}}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(binding(&body), "skipped", "{body}");
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": {"challenge": "nonce-123", "holderBinding": true}}),
    );
    assert_eq!((status, &body["verified"]), (200, &json!(false)), "{body}");
    assert_eq!(binding(&body), "fail", "{body}");
    let (status, body) = server.post(
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": {"holderBinding": "yes"}}),
    );
    assert_eq!(status, 400, "{body}");
    assert!(error_of(&body).contains("holderBinding"), "{body}");
}

/// The verdict of a presentation answer: its status, `Microcred-Verdict` header and body.
fn verify_presentation(server: &Server, body: &Value, html: bool) -> (u16, String, String) {
    let mut headers = vec![("Content-Type", "application/json")];
    if html {
        headers.push(("Accept", "text/html"));
    }
    let (status, head, body) = server.send(
        "POST",
        "/presentations/verify",
        &headers,
        &serde_json::to_vec(body).unwrap(),
    );
    let verdict = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("microcred-verdict: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    (status, verdict, String::from_utf8(body).unwrap())
}

#[test]
fn a_presentation_without_a_challenge_is_not_bound_to_the_request() {
    let server = Server::start("");
    let vc = issue(&server, |_| {});
    let vp = present(std::slice::from_ref(&vc), Some("c-8Xq"), Some("hr.example"));
    // Answering the employer's challenge: valid.
    let asked = json!({"verifiablePresentation": vp, "options": {"challenge": "c-8Xq", "domain": "hr.example"}});
    let (status, verdict, body) = verify_presentation(&server, &asked, false);
    assert_eq!((status, verdict.as_str()), (200, "valid"), "{body}");
    // The same presentation with no challenge asked for (a replay looks the same):
    // amber, verified (nothing failed), with the reason.
    let replayed = json!({"verifiablePresentation": vp});
    let (status, verdict, body) = verify_presentation(&server, &replayed, false);
    assert_eq!((status, verdict.as_str()), (200, "unconfirmed"), "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["verified"], true, "{body}");
    assert_eq!(body["report"]["verdict"], "unconfirmed", "{body}");
    assert_eq!(body["report"]["reasons"][0]["code"], "not-bound", "{body}");
    // The page's HTML answer says so in words, in amber, never "Valid presentation".
    let (_, verdict, page) = verify_presentation(&server, &replayed, true);
    assert_eq!(verdict, "unconfirmed");
    assert!(page.contains("data-verdict=\"unconfirmed\""), "{page}");
    assert!(page.contains("NOT BOUND TO YOUR REQUEST"), "{page}");
    assert!(!page.contains("Valid presentation"), "{page}");
    // Another challenge than the one asked for: not valid.
    let other = json!({"verifiablePresentation": vp, "options": {"challenge": "c-other"}});
    let (_, verdict, page) = verify_presentation(&server, &other, true);
    assert_eq!(verdict, "invalid");
    assert!(page.contains("NOT AN ANSWER TO YOUR REQUEST"), "{page}");
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
        ("[limits]\nmax_concurrent_requests = 0\n", "greater than 0"),
        ("[limits]\nheader_timeout_seconds = 0\n", "greater than 0"),
        ("[limits]\nmax_connections = 0\n", "greater than 0"),
        (
            "[limits]\nmax_queued_requests = -1\n",
            "max_queued_requests",
        ),
        ("[limits]\nmax_json_values = 0\n", "max_json_values"),
        (
            "[log]\nformat = \"xml\"\n",
            "[log] format \"xml\" is not valid: \"text\" or \"json\"",
        ),
        (
            "[log]\nlevel = \"verbose\"\n",
            "[log] level: \"verbose\" is not a log level",
        ),
        ("[log]\nlevel = \"x=loud\"\n", "[log] level"),
        ("[log]\nunknown = 1\n", "unknown field"),
        (
            "[limits]\nmax_json_values = 20\nmax_json_values_in_flight = 10\n",
            "at most max_json_values_in_flight",
        ),
        (
            "[limits]\nmax_json_values_in_flight = 99999999999\n",
            "max_json_values_in_flight is too large",
        ),
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
            .env("XDG_CONFIG_HOME", crate::common::no_config())
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

/// The example university's key: the server's issuer in these tests.
pub(crate) fn university() -> KeyFile {
    KeyFile::from_json(&std::fs::read(repo("keys-example/example-university.key.json")).unwrap())
        .unwrap()
}

/// The id of the university's revocation list in these tests.
const LIST: &str = "https://uni.example.ie/status/2025/revocation";

/// The university's revocation list with the bits of `set` set, signed by it.
pub(crate) fn revocation_list(set: &[usize]) -> Value {
    let key = university();
    let mut list = StatusList::new(0);
    for &i in set {
        list.set(i, true).unwrap();
    }
    let doc = status_list::list_credential(
        LIST,
        &key.controller(),
        StatusPurpose::Revocation,
        &list,
        "2025-01-01T00:00:00Z",
    );
    let options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    proof::add_proof(&doc, key.secret.as_ed25519().unwrap(), &options).unwrap()
}

/// Issues the example credential with a revocation entry at `index` of [`LIST`].
pub(crate) fn issue_revocable(server: &Server, index: usize) -> Value {
    issue(server, |c| {
        c["credentialStatus"] = json!({
            "id": format!("{LIST}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index.to_string(),
            "statusListCredential": LIST,
        });
    })
}

/// A server verifying against one status list file in `dir`, written from `list` first.
fn server_with_list(dir: &std::path::Path, list: &Value) -> (Server, std::path::PathBuf) {
    let path = dir.join("revocation.json");
    std::fs::write(&path, serde_json::to_vec(list).unwrap()).unwrap();
    let server = Server::start(&format!(
        "status_lists = [{:?}]\n",
        path.display().to_string()
    ));
    (server, path)
}

fn line<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} line in {body}"))
}

fn ids(body: &Value, member: &str) -> Vec<String> {
    body[member]
        .as_array()
        .unwrap_or_else(|| panic!("no {member} in {body}"))
        .iter()
        .map(|c| c.as_str().or(c["check"].as_str()).unwrap().to_owned())
        .collect()
}

/// `options.checks` (the first VC-API drafts' option, an extension now) decides which
/// checks count: the others still run and are shown in the report, as not requested
/// with what they found; a named check that could not be performed is a warning.
#[test]
fn options_checks_choose_what_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = server_with_list(dir.path(), &revocation_list(&[5]));
    let revoked = issue_revocable(&server, 5);
    let post = |vc: &Value, options: Value| {
        server.post(
            "/credentials/verify",
            None,
            &json!({"verifiableCredential": vc, "options": options}),
        )
    };

    // Every check, as without options: revoked.
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": revoked}),
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(ids(&body, "errors"), ["status"], "{body}");

    // Only the proof: the verdict is the proof's, and the response says what was left out.
    let (status, body) = post(&revoked, json!({"checks": ["proof"]}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], true);
    let performed = ids(&body, "checks");
    for id in ["structure", "proof", "issuer-key", "proof-purpose"] {
        assert!(performed.iter().any(|c| c == id), "{id}: {body}");
    }
    for id in ["status", "validity", "trust"] {
        assert!(!performed.iter().any(|c| c == id), "{id}: {body}");
    }
    assert!(body["errors"].as_array().unwrap().is_empty(), "{body}");
    let status_line = line(&body, "status");
    assert_eq!(status_line["outcome"], "skipped");
    assert!(
        status_line["message"]
            .as_str()
            .unwrap()
            .starts_with("not requested (options.checks); found: fail: revoked (bit 5"),
        "{body}"
    );
    assert_eq!(body["report"]["valid"], true);

    // Every proof line comes with "proof": a proof by another key fails it.
    let mut forged = revoked.clone();
    forged["name"] = "Something else".into();
    let (status, body) = post(&forged, json!({"checks": ["proof"]}));
    assert_eq!(status, 400, "{body}");
    assert!(ids(&body, "errors").contains(&"proof".to_owned()), "{body}");

    // The status check under its first VC-API name.
    let (status, body) = post(&revoked, json!({"checks": ["proof", "credentialStatus"]}));
    assert_eq!(status, 400, "{body}");
    assert_eq!(ids(&body, "errors"), ["status"], "{body}");
    assert!(ids(&body, "checks").contains(&"status".to_owned()));

    // Named but impossible to perform (no credentialStatus): a warning, not silence.
    let plain = issue(&server, |_| {});
    let (status, body) = post(&plain, json!({"checks": ["proof", "status"]}));
    assert_eq!(status, 200, "{body}");
    let warning = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["check"] == "status")
        .unwrap_or_else(|| panic!("no status warning in {body}"));
    assert!(
        warning["message"].as_str().unwrap().contains("not checked"),
        "{body}"
    );
    // Not named: skipped checks are in the report only, as without options.checks.
    let (_, body) = post(&plain, json!({"checks": ["proof"]}));
    assert!(
        !ids(&body, "warnings").contains(&"status".to_owned()),
        "{body}"
    );

    // Whatever is named, a document that is not a credential is not verified.
    let (status, body) = post(
        &json!({"type": ["VerifiableCredential"]}),
        json!({"checks": ["validity"]}),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        ids(&body, "errors").contains(&"structure".to_owned()),
        "{body}"
    );

    // The HTML transcript shows the same verdict.
    let (status, _, html) = server.send(
        "POST",
        "/credentials/verify",
        &[
            ("Accept", "text/html"),
            ("Content-Type", "application/json"),
        ],
        &serde_json::to_vec(
            &json!({"verifiableCredential": revoked, "options": {"checks": ["proof"]}}),
        )
        .unwrap(),
    );
    assert_eq!(status, 200);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("not requested (options.checks)"), "{html}");
}

/// Status lists are verified once per version, not per request, and a changed file
/// is read again at the next request: never a stale verdict, never a tampered list.
#[test]
fn status_lists_are_read_again_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let (server, path) = server_with_list(dir.path(), &revocation_list(&[]));
    let vc = issue_revocable(&server, 5);
    let verify = || {
        server.post(
            "/credentials/verify",
            None,
            &json!({"verifiableCredential": vc}),
        )
    };
    let write = |doc: &Value| std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
    let reverified = || server.log().matches("status lists changed on disk").count();

    let (status, body) = verify();
    assert_eq!(status, 200, "{body}");
    assert!(
        line(&body, "status")["message"]
            .as_str()
            .unwrap()
            .starts_with("not revoked"),
        "{body}"
    );
    // Unchanged: the verified list in hand serves.
    assert_eq!(verify().0, 200);
    assert_eq!(reverified(), 0);

    // Revoked, by rewriting the file in place (same inode): the next request sees it.
    write(&revocation_list(&[5]));
    let (status, body) = verify();
    assert_eq!(status, 400, "{body}");
    assert!(
        line(&body, "status")["message"]
            .as_str()
            .unwrap()
            .starts_with("revoked (bit 5"),
        "{body}"
    );
    assert_eq!(reverified(), 1);
    assert_eq!(verify().0, 400);
    assert_eq!(reverified(), 1, "an unchanged list is not verified again");

    // Reinstated, by replacing the file (a new inode, as microcred-sign writes).
    let next = dir.path().join("next.json");
    std::fs::write(&next, serde_json::to_vec(&revocation_list(&[])).unwrap()).unwrap();
    std::fs::rename(&next, &path).unwrap();
    assert_eq!(verify().0, 200);
    assert_eq!(reverified(), 2);

    // Revoked again; then someone clears the bit without the issuer's key: the list's
    // proof no longer verifies, and the credential is not reported as good.
    let signed_revoked = revocation_list(&[5]);
    write(&signed_revoked);
    assert_eq!(verify().0, 400);
    let mut tampered = signed_revoked.clone();
    tampered["credentialSubject"]["encodedList"] =
        revocation_list(&[])["credentialSubject"]["encodedList"].clone();
    write(&tampered);
    let (status, body) = verify();
    assert_eq!(status, 400, "{body}");
    assert!(
        line(&body, "status")["message"]
            .as_str()
            .unwrap()
            .contains("is not authentic"),
        "{body}"
    );

    // A list that cannot be read any more (half written, removed): nothing older is
    // served in its place, and the client is not told the server's paths.
    std::fs::write(&path, b"{\"@context\": [").unwrap();
    let (status, body) = verify();
    assert_eq!(status, 503, "{body}");
    assert!(error_of(&body).contains("status list"), "{body}");
    assert!(!error_of(&body).contains("revocation.json"), "{body}");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(verify().0, 503);
    assert!(server.log().contains("revocation.json"));
    // Published again: served again.
    write(&revocation_list(&[]));
    assert_eq!(verify().0, 200);
}

/// `microcred-sign issue` and the server run the same checks (`microcred_core::issuance`):
/// the same refusals with the same reasons, the same warnings. One rule differs on
/// purpose, and is core's too: an issuer other than the key's controller is signed with
/// a warning by the CLI (a person reads it, and has --set-issuer), refused by the service.
#[test]
fn issuing_agrees_with_microcred_sign_issue() {
    let server = Server::start("");
    let (key_dir, key) = private_copy("keys-example/example-university.key.json");
    let cli = |cred: &Value| {
        let input = key_dir.path().join("in.json");
        let out = key_dir.path().join("out.json");
        let _ = std::fs::remove_file(&out);
        std::fs::write(&input, serde_json::to_vec(cred).unwrap()).unwrap();
        let run = Command::new(bin("microcred-sign"))
            .args(["issue", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&out)
            .arg(&input)
            .output()
            .unwrap();
        (
            run.status.code(),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        )
    };
    let reason = |text: &str| {
        text.split("cannot issue: ")
            .nth(1)
            .unwrap_or_else(|| panic!("no reason in {text:?}"))
            .trim()
            .to_owned()
    };
    let edited = |edit: &Value| {
        let mut cred = unsigned();
        for (k, v) in edit.as_object().unwrap() {
            cred[k] = v.clone();
        }
        cred
    };
    for edit in [
        json!({"credentialStatus": {"id": "https://s.example/1", "statusPurpose": "revocation"}}),
        json!({"validUntil": "2020-01-01T00:00:00Z"}),
        json!({"relatedResource": [{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-AAAA"}]}),
        json!({"issuer": {"id": "not a url"}}),
        json!({"credentialSubject": {}}),
        json!({"type": ["OpenBadgeCredential"]}),
    ] {
        let cred = edited(&edit);
        let (code, err) = cli(&cred);
        assert_eq!(code, Some(2), "{edit}: {err}");
        let (status, body) = server.post(
            "/credentials/issue",
            Some(TOKEN),
            &json!({"credential": cred}),
        );
        assert_eq!(status, 400, "{edit}: {body}");
        assert_eq!(reason(&err), reason(error_of(&body)), "{edit}");
    }

    // Warnings: printed by the CLI, returned beside the credential by the server.
    let cred = edited(&json!({"relatedResource": [{
        "id": "https://uni.example.ie/syllabus/aml",
        "digestSRI": format!("sha256-{}=", "A".repeat(43)),
    }]}));
    let (code, err) = cli(&cred);
    assert_eq!(code, Some(0), "{err}");
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred}),
    );
    assert_eq!(status, 201, "{body}");
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{body}");
    let warning = warnings[0].as_str().unwrap();
    assert!(warning.contains("is not a bundled context"), "{body}");
    assert!(
        err.contains(&format!("microcred-sign: warning: {warning}")),
        "{err}"
    );
    // No warning, no member: the response is the VC-API's.
    let plain = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": unsigned()}),
    );
    assert_eq!(plain.1.as_object().unwrap().len(), 1, "{}", plain.1);

    // The issuer rule.
    let cred = edited(&json!({"issuer": "did:key:z6MkSomeoneElse"}));
    let (code, err) = cli(&cred);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("is not the key's controller"), "{err}");
    let (status, body) = server.post(
        "/credentials/issue",
        Some(TOKEN),
        &json!({"credential": cred}),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        error_of(&body).contains(
            "issuer did:key:z6MkSomeoneElse is not the signing key's controller did:key:z6Mks6sBuGmBnE4fKM3QhkznSqYrJa1QTsYnddB73NHoJGW7"
        ),
        "{body}"
    );
}

/// A log that cannot be written (stderr on a full disk) loses lines, not the service:
/// every request is answered and `/healthz` counts the lines dropped.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_log_drops_lines_and_keeps_serving() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let server = Server::spawn(
        &format!(
            "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\n[verify]\ntrust = \"{}\"\n",
            repo("keys-example/trust-list.json").display()
        ),
        &[],
        Some(full.into()),
    );
    for _ in 0..3 {
        let (status, _, body) = server.send("GET", "/healthz", &[], b"");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    let signed = issue(&server, |_| {});
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": signed}),
    );
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = server.send("GET", "/healthz", &[], b"");
    assert_eq!(status, 200);
    let health: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert!(
        health["logLinesDropped"].as_u64().unwrap() >= 5,
        "every request logs a line: {health}"
    );
}

/// A token sent in the query string is refused and never written to the log, which
/// records the path only; `--log-format json` writes one JSON object per line.
#[test]
fn query_strings_are_not_logged_and_json_logs() {
    let secret = "query-secret-5f0d2c";
    let server = Server::spawn(
        &format!(
            "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\n[verify]\ntrust = \"{}\"\n",
            repo("keys-example/trust-list.json").display()
        ),
        &["--log-format", "json", "--log-level", "debug"],
        None,
    );
    let (status, _) = server.post(
        &format!("/credentials/issue?access_token={secret}"),
        None,
        &json!({"credential": unsigned()}),
    );
    assert_eq!(status, 401);
    let (status, _, _) = server.send("GET", &format!("/healthz?token={secret}"), &[], b"");
    assert_eq!(status, 200);
    // The server writes a request's lines before it answers: they are in the log now.
    let log = server.log();
    assert!(log.contains("/credentials/issue"), "{log}");
    assert!(!log.contains(secret), "{log}");
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
}

/// `[log]` sets the level and the format; `--log-level`, then `MICROCRED_LOG`, override
/// the level, and `--log-format` the format. A bad `MICROCRED_LOG` is an error naming it.
#[test]
fn log_options_in_the_configuration_file() {
    let config = |log: &str| {
        format!(
            "[issuer]\nkey = \"KEY\"\ntoken_file = \"token\"\n[verify]\ntrust = \"{}\"\n[log]\n{log}",
            repo("keys-example/trust-list.json").display()
        )
    };
    let none: &[&str] = &[];
    for (log, args, env, json, info) in [
        ("format = \"json\"\n", none, None, true, true),
        (
            "format = \"json\"\n",
            &["--log-format", "text"][..],
            None,
            false,
            true,
        ),
        (
            "format = \"text\"\n",
            &["--log-format", "json"][..],
            None,
            true,
            true,
        ),
        ("level = \"warn\"\n", none, None, false, false),
        ("level = \"warn\"\n", none, Some("info"), false, true),
        (
            "level = \"warn\"\n",
            &["--log-level", "info"][..],
            None,
            false,
            true,
        ),
        (
            "level = \"info\"\n",
            &["--log-level", "warn"][..],
            Some("info"),
            false,
            false,
        ),
        ("level = \"info\"\n", none, Some("warn"), false, false),
    ] {
        let case = format!("[log] {log:?} {args:?} MICROCRED_LOG={env:?}");
        let server = Server::spawn_with_log_env(&config(log), args, None, env);
        assert_eq!(server.send("GET", "/healthz", &[], b"").0, 200);
        // A request's line is written before its answer: it is in the log now, or never.
        let text = server.log();
        assert_eq!(text.contains("/healthz"), info, "{case}: {text}");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let parsed = serde_json::from_str::<Value>(line).is_ok();
            assert_eq!(parsed, json, "{case}: {line}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(&path, "[log]\nlevel = \"info\"\n").unwrap();
    let out = Command::new(bin("microcred-server"))
        .arg("--config")
        .arg(&path)
        .env("MICROCRED_LOG", "loud")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("MICROCRED_LOG: \"loud\" is not a log level"),
        "{err}"
    );
}

/// Reads from `stream` up to the end of a response head (`\r\n\r\n`).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).unwrap();
        assert_eq!(
            n,
            1,
            "connection closed after {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// With one request at a time and no queue, a second request while the first is in
/// its handler is answered `503` with `Retry-After`; `/healthz` still answers, and
/// once the first is done the next request is served. The first is held in its
/// handler deterministically: it asks `Expect: 100-continue`, and the server sends
/// `100 Continue` only when the handler reads the body.
#[test]
fn load_is_shed_with_503_beyond_the_limits() {
    let server = Server::start("[limits]\nmax_concurrent_requests = 1\nmax_queued_requests = 0\n");
    let body = serde_json::to_vec(&json!({"verifiableCredential": {}})).unwrap();
    let mut held = TcpStream::connect(&server.addr).unwrap();
    write!(
        held,
        "POST /credentials/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let head = read_head(&mut held);
    assert!(head.starts_with("HTTP/1.1 100"), "{head}");

    let (status, head, shed) = server.send(
        "POST",
        "/credentials/verify",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&shed));
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 1"),
        "{head}"
    );
    let shed: Value = serde_json::from_slice(&shed).unwrap();
    assert!(error_of(&shed).contains("busy"), "{shed}");
    assert_eq!(server.send("GET", "/healthz", &[], b"").0, 200);

    held.write_all(&body).unwrap();
    let mut rest = Vec::new();
    held.read_to_end(&mut rest).unwrap();
    let (status, _, _) = parse_response(&rest);
    assert_eq!(status, 400, "an empty credential is invalid, and answered");
    let (status, _, _) = server.send(
        "POST",
        "/credentials/verify",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 400, "served again once the first is done");
}

/// A connection that sends nothing, and a kept-alive connection left idle after a
/// response, are closed after `header_timeout_seconds`.
#[test]
fn silent_and_idle_connections_are_closed() {
    let server = Server::start("[limits]\nheader_timeout_seconds = 1\n");
    // A bound for the test only: the server closes long before it.
    let limit = Some(std::time::Duration::from_secs(60));
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    silent.set_read_timeout(limit).unwrap();
    let mut got = Vec::new();
    silent
        .read_to_end(&mut got)
        .expect("the server closes a silent connection");
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    idle.set_read_timeout(limit).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut got = Vec::new();
    idle.read_to_end(&mut got)
        .expect("the server closes an idle kept-alive connection");
    let (status, _, _) = parse_response(&got);
    assert_eq!(status, 200);
}

/// The refusals of axum and of the limits are `{"error": …}` like the others: 405
/// (keeping `Allow`), 413 by `Content-Length`.
#[test]
fn every_refusal_is_json() {
    let server = Server::start("[limits]\nmax_body_bytes = 1000\n");
    let (status, head, body) = server.send("GET", "/credentials/verify", &[], b"");
    assert_eq!(status, 405);
    assert!(head.to_ascii_lowercase().contains("allow: post"), "{head}");
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(error_of(&body).contains("method"), "{body}");
    let (status, head, body) = server.send(
        "POST",
        "/credentials/verify",
        &[("Content-Type", "application/json")],
        &[b' '; 2000],
    );
    assert_eq!(status, 413);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(error_of(&body).contains("larger"), "{body}");
}

/// The JSON endpoints refuse bodies of another type with 415 (a foreign page could
/// send `text/plain` without a CORS preflight); `application/json` with a charset is fine.
#[test]
fn json_endpoints_require_application_json() {
    let server = Server::start("");
    let body = serde_json::to_vec(&json!({"verifiableCredential": {}})).unwrap();
    for (path, auth) in [
        ("/credentials/verify", None),
        ("/presentations/verify", None),
        ("/credentials/issue", Some(format!("Bearer {TOKEN}"))),
    ] {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let mut headers = Vec::new();
            if let Some(a) = &auth {
                headers.push(("Authorization", a.as_str()));
            }
            if let Some(t) = content_type {
                headers.push(("Content-Type", t));
            }
            let (status, _, resp) = server.send("POST", path, &headers, &body);
            assert_eq!(status, 415, "{path} {content_type:?}");
            let resp: Value = serde_json::from_slice(&resp).unwrap();
            assert!(error_of(&resp).contains("application/json"), "{resp}");
        }
    }
    let (status, _, _) = server.send(
        "POST",
        "/credentials/verify",
        &[("Content-Type", "Application/JSON; charset=utf-8")],
        &body,
    );
    assert_eq!(status, 400, "read as JSON: an empty credential is invalid");
}

/// `Bearer` is a case-insensitive scheme name.
#[test]
fn bearer_scheme_is_case_insensitive() {
    let server = Server::start("");
    let body = serde_json::to_vec(&json!({"credential": unsigned()})).unwrap();
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let auth = format!("{scheme} {TOKEN}");
        let (status, _, resp) = server.send(
            "POST",
            "/credentials/issue",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            &body,
        );
        assert_eq!(status, 201, "{scheme}: {}", String::from_utf8_lossy(&resp));
    }
    let auth = format!("Bearerx{TOKEN}");
    let (status, _, _) = server.send(
        "POST",
        "/credentials/issue",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &body,
    );
    assert_eq!(status, 401);
}

/// The HTML transcript carries the same protections as the page: a policy that
/// allows no script and no foreign resources, and no content sniffing.
#[test]
fn html_answers_have_csp_and_nosniff() {
    let server = Server::start("");
    let (status, head, _) = server.send(
        "POST",
        "/credentials/verify",
        &[
            ("Accept", "text/html"),
            ("Content-Type", "application/json"),
        ],
        &serde_json::to_vec(&json!({"verifiableCredential": issue(&server, |_| {})})).unwrap(),
    );
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let csp = head
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap_or_else(|| panic!("no CSP: {head}"));
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    let (_, head, _) = server.send("GET", "/", &[], b"");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-content-type-options: nosniff"),
        "{head}"
    );
}

/// With `max_connections = 1`, a second connection is not served while the first is
/// open (kept alive), and is served as soon as the first closes. No timer: the server
/// logs (debug) when it is at the cap, after which it accepts nothing until a connection
/// closes; the test waits for that line, and the first connection is served meanwhile.
#[test]
fn connections_beyond_the_cap_wait_for_one_to_close() {
    let mut server = Server::spawn(
        &format!(
            "[verify]\ntrust = \"{}\"\n[limits]\nmax_connections = 1\n",
            repo("keys-example/trust-list.json").display()
        ),
        &["--log-level", "microcred_server=debug"],
        Some(Stdio::piped()),
    );
    // Every log line, read as it comes (an unread pipe would block the server's log).
    let (lines, log) = std::sync::mpsc::channel();
    let stderr = BufReader::new(server.child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let at_cap = || {
        // Blocks until the line comes; ends (and fails) if the server's log closes.
        log.iter()
            .find(|l| l.contains("at the connection cap"))
            .expect("the server logs that it is at the connection cap")
    };
    // One answer of `/healthz` on a kept-alive connection, its body included.
    let read_healthz = |stream: &mut TcpStream| {
        let head = read_head(stream);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap();
        let mut body = vec![0; length];
        stream.read_exact(&mut body).unwrap();
    };
    let mut first = TcpStream::connect(&server.addr).unwrap();
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_healthz(&mut first);
    at_cap();
    let mut second = TcpStream::connect(&server.addr).unwrap();
    second
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    // The first is still served while the second waits.
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_healthz(&mut first);
    second.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let early = second.read(&mut byte);
    assert!(
        early
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "answered beside the open connection: {early:?}"
    );
    second.set_nonblocking(false).unwrap();
    drop(first);
    let mut got = Vec::new();
    second.read_to_end(&mut got).unwrap();
    let (status, _, _) = parse_response(&got);
    assert_eq!(status, 200);
}

/// The server's peak resident memory (`VmHWM`), in KiB.
#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap()
}

/// Memory per request is bounded whatever unauthenticated clients send: 64 bodies of
/// 1 MiB at once (every request handled at once, with the default limits), 48 of
/// `[{},{},…]` (350,000 values, which once cost 50 MB each to parse: refused `413`
/// before parsing) and 16 of `[0,0,…]` just under `max_json_values` (parsed, a few
/// at a time within `max_json_values_in_flight`). The server's peak memory stays under
/// 300 MB (it took over 1 GB before the bound), and it answers normally afterwards.
#[cfg(target_os = "linux")]
#[test]
fn hostile_bodies_keep_memory_bounded() {
    const MIB: usize = 1024 * 1024;
    let server = Server::start("");
    let pid = server.child.id();
    let wrap = |inner: &[u8]| {
        let mut body = b"{\"verifiableCredential\":{\"a\":".to_vec();
        body.extend_from_slice(inner);
        body
    };
    let mut objects = wrap(b"[{}");
    while objects.len() < MIB - 16 {
        objects.extend_from_slice(b",{}");
    }
    objects.extend_from_slice(b"]}}");
    // 49,000 values, padded to 1 MiB with a string.
    let mut zeros = wrap(b"[0");
    zeros.extend(b",0".repeat(48_994));
    zeros.extend_from_slice(b"],\"b\":\"");
    zeros.resize(MIB - 3, b'x');
    zeros.extend_from_slice(b"\"}}");
    assert!(objects.len() <= MIB && zeros.len() <= MIB);
    let statuses: Vec<(bool, u16, Vec<u8>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..64)
            .map(|i| {
                let (over, body) = if i % 4 == 0 {
                    (false, &zeros)
                } else {
                    (true, &objects)
                };
                let server = &server;
                scope.spawn(move || {
                    let (status, _, answer) = server.send(
                        "POST",
                        "/credentials/verify",
                        &[("Content-Type", "application/json")],
                        body,
                    );
                    (over, status, answer)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for (over, status, answer) in &statuses {
        let answer = String::from_utf8_lossy(answer);
        if *over {
            assert_eq!(*status, 413, "{answer}");
            assert!(
                answer.contains("has 349") && answer.contains("[limits] max_json_values"),
                "{answer}"
            );
        } else {
            // Parsed and verified (not a credential: 400); on a slow machine a request
            // may wait for its turn beyond timeout_seconds (408): never a crash.
            assert!(matches!(*status, 400 | 408), "{status} {answer}");
        }
    }
    let peak = peak_rss_kib(pid);
    assert!(peak < 300 * 1024, "peak resident memory {peak} KiB");
    assert_eq!(server.send("GET", "/healthz", &[], b"").0, 200);
    let signed = issue(&server, |_| {});
    let (status, body) = server.post(
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": signed}),
    );
    assert_eq!(status, 200, "{body}");
}
