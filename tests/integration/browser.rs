//! The verification page in a real browser: Debian's headless Chromium, driven by
//! `tests/browser/verify-page.js` (playwright-core), loads the page from a running
//! `microcred-server`, uploads a valid and a tampered credential and reports what the
//! page shows. Screenshots are saved under `target/browser-test/`.
//!
//! Needs Chromium (`/usr/bin/chromium`, or `CHROMIUM`) and playwright-core in
//! `tests/browser/`; `tests/setup.sh` installs both. Without them the test fails saying so:
//! a page nobody has seen work is not tested.

use std::process::Command;

use serde_json::Value;

use crate::common::repo;
use crate::server::{Server, issue};

#[test]
fn verification_page_in_headless_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} not found: install Debian's Chromium with `apt-get install -y chromium` \
         (tests/setup.sh, which tests/check.sh runs, installs it when missing)"
    );
    let browser_dir = repo("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `bash tests/setup.sh` (tests/check.sh does)"
    );
    let server = Server::start("profiles = [\"claimed\"]\n");
    let vc = issue(&server, |_| {});
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["result"][0]["value"] = "A".into();
    let dir = tempfile::tempdir().unwrap();
    let valid_path = dir.path().join("valid-credential.json");
    let tampered_path = dir.path().join("tampered-credential.json");
    std::fs::write(&valid_path, serde_json::to_vec_pretty(&vc).unwrap()).unwrap();
    std::fs::write(
        &tampered_path,
        serde_json::to_vec_pretty(&tampered).unwrap(),
    )
    .unwrap();
    let shots = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo("target"))
        .join("browser-test");
    let out = Command::new("node")
        .arg(browser_dir.join("verify-page.js"))
        .arg(format!("http://{}", server.addr))
        .arg(&valid_path)
        .arg(&tampered_path)
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node (install Node.js 18 or later): {e}"));
    assert!(
        out.status.success(),
        "the browser test failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();

    assert_eq!(found["title"], "Verify a micro-credential");
    let valid = &found["valid"];
    assert!(
        text(&valid["verdict"]).starts_with("✓ Valid credential"),
        "{found}"
    );
    assert!(
        text(&valid["status"]).contains("valid-credential.json: valid"),
        "{found}"
    );
    assert_eq!(
        valid["heading"],
        "Applied Machine Learning for Engineers (micro-credential)"
    );
    assert_eq!(valid["proofClass"], "mc-pass");
    assert!(
        text(&valid["proof"]).starts_with("✓proof: ")
            && text(&valid["proof"]).contains("eddsa-jcs-2022 signature by"),
        "{found}"
    );
    assert_eq!(valid["failed"], 0, "{found}");
    assert!(valid["passed"].as_u64().unwrap() >= 8, "{found}");
    let facts = &valid["facts"];
    assert_eq!(
        facts["Learner"],
        "Ana Andromeda (did:key:z6MkrHj8BAUjxD7irGyPXdk9Xc5xdhMNU6rjUv4JR11HdGK1)"
    );
    assert_eq!(facts["ECTS credits"], "5");
    assert_eq!(facts["EQF level"], "7");
    assert_eq!(facts["Study hours"], "125");
    assert_eq!(facts["Grade"], "B+");
    assert_eq!(facts["Country"], "IE");
    assert!(
        valid["profiles"]
            .as_array()
            .unwrap()
            .contains(&"Framework profiles".into()),
        "{found}"
    );

    let bad = &found["tampered"];
    assert!(
        text(&bad["verdict"]).starts_with("✗ NOT a valid credential"),
        "{found}"
    );
    assert!(
        text(&bad["status"]).contains("tampered-credential.json: NOT valid"),
        "{found}"
    );
    assert_eq!(bad["proofClass"], "mc-fail");
    assert_eq!(bad["mark"], "✗");
    assert!(
        text(&bad["proof"]).contains("signature"),
        "the reason is shown: {found}"
    );

    assert_eq!(
        found["offsite"],
        serde_json::json!([]),
        "the page fetched something elsewhere"
    );
    assert_eq!(found["pageErrors"], serde_json::json!([]));
    assert!(shots.join("valid.png").exists() && shots.join("tampered.png").exists());
}

/// `microcred-verify --html` of a valid micro-credential, with its framework
/// profiles, printed to PDF by headless Chromium: one A4 page (`@page` and the
/// print stylesheet fold the check details).
#[test]
fn html_transcript_prints_on_one_a4_page() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} not found: install Debian's Chromium with `apt-get install -y chromium`"
    );
    let server = Server::start("");
    let vc = issue(&server, |_| {});
    let dir = tempfile::tempdir().unwrap();
    let cred = dir.path().join("credential.json");
    std::fs::write(&cred, serde_json::to_vec_pretty(&vc).unwrap()).unwrap();
    let out = Command::new(crate::common::bin("microcred-verify"))
        .arg("--no-config")
        .arg("--trust")
        .arg(repo("keys-example/trust-list.json"))
        .args(["--profile", "claimed", "--html"])
        .arg(&cred)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = dir.path().join("transcript.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let pdf = dir.path().join("transcript.pdf");
    let run = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let count = |needle: &[u8]| bytes.windows(needle.len()).filter(|w| *w == needle).count();
    // Page objects: "/Type /Page", less the page tree's "/Type /Pages".
    let pages = count(b"/Type /Page") - count(b"/Type /Pages");
    assert_eq!(
        pages, 1,
        "the transcript of a valid credential prints on {pages} pages"
    );
}
