//! `microcred-server` serving HTTPS itself (`[tls]`), run as a process: a self-signed
//! certificate made by each test (rcgen, ring), a rustls client that trusts only it,
//! the limits on TLS connections, and the refusals at start.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use rustls_pki_types::ServerName;
use serde_json::{Value, json};

use crate::common::bin;
use crate::server::{Server, TOKEN, parse_response, unsigned};

/// A certificate for `localhost` and `127.0.0.1`, and its key, written as PEM files
/// (the key chmod 600).
struct Cert {
    _dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
    der: rustls_pki_types::CertificateDer<'static>,
}

fn make_cert() -> Cert {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("tls-private.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    chmod(&key, 0o600);
    Cert {
        der: made.cert.der().clone(),
        _dir: dir,
        cert,
        key,
    }
}

fn chmod(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

fn tls_section(cert: &Path, key: &Path, extra: &str) -> String {
    format!(
        "[tls]\ncert = {:?}\nkey = {:?}\n{extra}",
        cert.display().to_string(),
        key.display().to_string()
    )
}

/// A client configuration trusting `der` only (the ring provider, as the server's).
fn client(der: &rustls_pki_types::CertificateDer<'static>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.clone()).unwrap();
    #[allow(deprecated)] // rustls 0.23.48 deprecates its ring provider (no post-quantum).
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Sends one HTTP request over TLS to `addr`; returns (status, head, body).
fn https(
    config: &Arc<rustls::ClientConfig>,
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let tcp = TcpStream::connect(addr).unwrap();
    let conn = rustls::ClientConnection::new(
        Arc::clone(config),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    stream.flush().unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            // A peer that closes without close_notify: what was read is the answer.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("reading the HTTPS response: {e}"),
        }
    }
    parse_response(&response)
}

fn post_json(
    config: &Arc<rustls::ClientConfig>,
    addr: &str,
    path: &str,
    auth: bool,
    body: &Value,
) -> (u16, Value) {
    let bearer = format!("Bearer {TOKEN}");
    let mut headers = vec![("Content-Type", "application/json")];
    if auth {
        headers.push(("Authorization", &bearer));
    }
    let (status, _, body) = https(
        config,
        addr,
        "POST",
        path,
        &headers,
        &serde_json::to_vec(body).unwrap(),
    );
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Issue and verify round trip over HTTPS (the client checks the server's
/// certificate against the one the test made); the page and the health check too.
#[test]
fn issue_and_verify_over_https() {
    let cert = make_cert();
    let server = Server::start(&tls_section(&cert.cert, &cert.key, ""));
    let config = client(&cert.der);
    let (status, _, body) = https(&config, &server.addr, "GET", "/healthz", &[], b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let (status, head, _) = https(&config, &server.addr, "GET", "/", &[], b"");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html"),
        "{head}"
    );

    let (status, body) = post_json(
        &config,
        &server.addr,
        "/credentials/issue",
        false,
        &json!({"credential": unsigned()}),
    );
    assert_eq!(status, 401, "{body}");
    let (status, body) = post_json(
        &config,
        &server.addr,
        "/credentials/issue",
        true,
        &json!({"credential": unsigned()}),
    );
    assert_eq!(status, 201, "{body}");
    let vc = body["verifiableCredential"].clone();
    let (status, body) = post_json(
        &config,
        &server.addr,
        "/credentials/verify",
        false,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!((status, &body["verified"]), (200, &json!(true)), "{body}");
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["name"] = json!("Mallory");
    let (status, body) = post_json(
        &config,
        &server.addr,
        "/credentials/verify",
        false,
        &json!({"verifiableCredential": tampered}),
    );
    assert_eq!((status, &body["verified"]), (400, &json!(false)), "{body}");

    // A client that trusts another certificate refuses this server.
    let other = make_cert();
    let tcp = TcpStream::connect(&server.addr).unwrap();
    let conn = rustls::ClientConnection::new(
        client(&other.der),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    let err = stream
        .write_all(b"GET /healthz HTTP/1.1\r\n\r\n")
        .and_then(|()| stream.flush())
        .unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
}

/// Plain HTTP to the TLS port gets no HTTP answer: the server speaks TLS only there.
#[test]
fn plain_http_to_the_tls_port_fails() {
    let cert = make_cert();
    let server = Server::start(&tls_section(&cert.cert, &cert.key, ""));
    let mut tcp = TcpStream::connect(&server.addr).unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    let _ = tcp.read_to_end(&mut response);
    assert!(
        !response.starts_with(b"HTTP/"),
        "{}",
        String::from_utf8_lossy(&response)
    );
    // The server is still there for a TLS client.
    let (status, _, _) = https(
        &client(&cert.der),
        &server.addr,
        "GET",
        "/healthz",
        &[],
        b"",
    );
    assert_eq!(status, 200);
}

/// A connection that never starts its handshake is closed at `handshake_timeout_seconds`
/// and its place under `max_connections` (here 1) is given to the next client; one that
/// completes the handshake and sends no request is closed at `header_timeout_seconds`,
/// as plain connections are.
#[test]
fn tls_connections_have_a_handshake_timeout_and_the_limits() {
    let cert = make_cert();
    let server = Server::start(&format!(
        "[limits]\nmax_connections = 1\nheader_timeout_seconds = 1\n{}",
        tls_section(&cert.cert, &cert.key, "handshake_timeout_seconds = 1\n")
    ));
    let config = client(&cert.der);
    // Silent: not a byte sent. The read returns when the server closes it (the read
    // timeout only keeps a broken server from hanging the test).
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    silent
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut buf = [0u8; 64];
    let n = silent
        .read(&mut buf)
        .expect("the server closes a silent connection");
    assert_eq!(n, 0);
    // Its place is free again: the one connection allowed is served.
    let (status, _, _) = https(&config, &server.addr, "GET", "/healthz", &[], b"");
    assert_eq!(status, 200);

    // Handshake done, no request: closed by the header timeout.
    let tcp = TcpStream::connect(&server.addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let conn = rustls::ClientConnection::new(
        Arc::clone(&config),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).unwrap();
    }
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}"),
    }
    assert!(
        !String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 200"),
        "{rest:?}"
    );
    let (status, _, _) = https(&config, &server.addr, "GET", "/healthz", &[], b"");
    assert_eq!(status, 200);
}

/// Runs the server with `config` and `args` until it exits; returns its exit code and
/// stderr.
fn start(config: &str, args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(&path, config).unwrap();
    let out = Command::new(bin("microcred-server"))
        .arg("--config")
        .arg(&path)
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Refusals at start: a non-loopback bind without `[tls]` (unless `allow_plain_http`),
/// and `[tls]` files that cannot serve: missing, no certificate, a key that is not the
/// certificate's, a key others can read.
#[test]
fn tls_and_plain_http_configurations_are_checked_at_start() {
    let (code, stderr) = start("", &["--bind", "0.0.0.0:0"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("is not a loopback address and [tls] is not configured"),
        "{stderr}"
    );

    // allow_plain_http: it starts (and is stopped once listening).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(&path, "allow_plain_http = true\n").unwrap();
    let mut child = std::process::Command::new(bin("microcred-server"))
        .arg("--config")
        .arg(&path)
        .args(["--bind", "0.0.0.0:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("listening on 0.0.0.0:"), "{line:?}");

    let good = make_cert();
    let other = make_cert();
    let with = |cert: &Path, key: &Path| tls_section(cert, key, "");
    let missing = good.cert.with_file_name("none.pem");
    let (code, stderr) = start(&with(&missing, &good.key), &["--bind", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("cannot open") && stderr.contains("none.pem"),
        "{stderr}"
    );

    let empty = good.cert.with_file_name("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let (code, stderr) = start(&with(&empty, &good.key), &["--bind", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no certificate in it"), "{stderr}");

    let (code, stderr) = start(&with(&good.cert, &other.key), &["--bind", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("is not the key of the certificate"),
        "{stderr}"
    );

    let no_key = good.cert.with_file_name("no-key.pem");
    std::fs::copy(&good.cert, &no_key).unwrap();
    chmod(&no_key, 0o600);
    let (code, stderr) = start(&with(&good.cert, &no_key), &["--bind", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no private key in it"), "{stderr}");

    chmod(&good.key, 0o644);
    let (code, stderr) = start(&with(&good.cert, &good.key), &["--bind", "127.0.0.1:0"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("chmod 600"), "{stderr}");
    // And with [tls], a non-loopback bind is allowed (not started here: the refusals
    // above happen before binding).
}
