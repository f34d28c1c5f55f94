//! The verification page in a real browser: Debian's headless Chromium, driven by
//! `tests/browser/verify-page.js` (playwright-core), loads the page from a running
//! `microcred-server`, verifies a credential of each verdict on it (valid, genuine but
//! unconfirmed, revoked, expired, tampered, forged issuer) and presentations with and
//! without the employer's challenge, opens the `microcred-verify --html` transcripts of the
//! same credentials, and loads the page with JavaScript off. Screenshots of each are saved
//! under `target/browser-test/` (`page-*.png`, `html-*.png`).
//!
//! Needs Chromium (`/usr/bin/chromium`, or `CHROMIUM`) and playwright-core in
//! `tests/browser/`; `tests/setup.sh` installs both. Without them the test fails saying so:
//! a page nobody has seen work is not tested.

use std::path::{Path, PathBuf};
use std::process::Command;

use microcred_core::keys::KeyFile;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use serde_json::{Value, json};

use crate::common::{bin, repo};
use crate::server::{
    Server, issue, issue_revocable, present, revocation_list, university, unsigned,
};

fn chromium() -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} not found: install Debian's Chromium with `apt-get install -y chromium` \
         (tests/setup.sh, which tests/check.sh runs, installs it when missing)"
    );
    chromium
}

/// Where the screenshots go: `target/browser-test/`.
fn screenshots() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("target"))
        .join("browser-test")
}

/// `doc` signed with `key` for its assertions (the issuer's proof).
fn signed_by(doc: &Value, key: &KeyFile) -> Value {
    let options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    proof::add_proof(doc, key.secret.as_ed25519().unwrap(), &options).unwrap()
}

/// The credentials of each verdict, as the server and `microcred-verify` see them with the
/// example trust list and the university's revocation list (bit 5 set).
fn credentials(server: &Server) -> Vec<(&'static str, Value)> {
    let valid = issue_revocable(server, 6);
    // A status entry of a list nobody has: genuine, trusted, status not checked.
    let unconfirmed = issue(server, |c| {
        c["credentialStatus"] = json!({
            "id": "https://uni.example.ie/status/2025/suspension#6",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": "6",
            "statusListCredential": "https://uni.example.ie/status/2025/suspension",
        });
    });
    let revoked = issue_revocable(server, 5);
    let mut old = unsigned();
    old["validFrom"] = "2019-01-01T00:00:00Z".into();
    old["validUntil"] = "2020-01-01T00:00:00Z".into();
    old["awardedDate"] = "2019-01-01T00:00:00Z".into();
    old["credentialSubject"]["result"][0]["assessedOn"] = "2018-12-01T00:00:00Z".into();
    let expired = signed_by(&old, &university());
    let mut tampered = valid.clone();
    tampered["credentialSubject"]["result"][0]["value"] = "A".into();
    // The university's DID as issuer, signed by the learner's key.
    let learner =
        KeyFile::from_json(&std::fs::read(repo("keys-example/example-learner.key.json")).unwrap())
            .unwrap();
    let mut claim = unsigned();
    claim["issuer"]["id"] = university().controller().into();
    let forged = signed_by(&claim, &learner);
    vec![
        ("valid", valid),
        ("unconfirmed", unconfirmed),
        ("revoked", revoked),
        ("expired", expired),
        ("tampered", tampered),
        ("forged-issuer", forged),
    ]
}

#[test]
fn verification_page_in_headless_chromium() {
    let chromium = chromium();
    let browser_dir = repo("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `bash tests/setup.sh` (tests/check.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("revocation.json");
    std::fs::write(&list, serde_json::to_vec(&revocation_list(&[5])).unwrap()).unwrap();
    let server = Server::start(&format!(
        "status_lists = [{:?}]\nprofiles = [\"claimed\"]\n",
        list.display().to_string()
    ));
    let write = |name: &str, doc: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
        path
    };
    let mut page = Vec::new();
    let mut transcripts = Vec::new();
    for (name, doc) in credentials(&server) {
        let file = write(&format!("{name}-credential.json"), &doc);
        page.push(json!({"name": name, "file": file}));
        // The same credential through `microcred-verify --html`.
        let out = Command::new(bin("microcred-verify"))
            .env("XDG_CONFIG_HOME", crate::common::no_config())
            // The page's words are English here whatever the tester's locale.
            .args(["--lang", "en"])
            .args(["--no-config", "--trust"])
            .arg(repo("keys-example/trust-list.json"))
            .arg("--status-list")
            .arg(&list)
            .args(["--profile", "claimed", "--html"])
            .arg(&file)
            .output()
            .unwrap();
        let html = dir.path().join(format!("{name}.html"));
        std::fs::write(&html, &out.stdout).unwrap();
        let want = if matches!(name, "valid" | "unconfirmed") {
            0
        } else {
            1
        };
        assert_eq!(
            out.status.code(),
            Some(want),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        transcripts.push(json!({"name": name, "file": html}));
    }
    // A presentation answering the employer's challenge and domain, the same one verified
    // with the challenge field emptied (a replay looks like that), and with another challenge.
    let vc = issue(&server, |_| {});
    let vp = write(
        "presentation.json",
        &present(&[vc], Some("c-8Xq2w"), Some("hr.example")),
    );
    for (name, challenge, domain) in [
        ("presentation-asked", "c-8Xq2w", "hr.example"),
        ("presentation-not-asked", "", ""),
        ("presentation-other-challenge", "c-other", "hr.example"),
    ] {
        page.push(json!({"name": name, "file": vp, "challenge": challenge, "domain": domain}));
    }
    let shots = screenshots();
    let plan = write(
        "plan.json",
        &json!({"base": format!("http://{}", server.addr), "outDir": shots,
                "page": page, "transcripts": transcripts}),
    );
    let out = Command::new("node")
        .arg(browser_dir.join("verify-page.js"))
        .arg(&plan)
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
    assert_eq!(
        found["offsite"],
        json!([]),
        "the page fetched something elsewhere"
    );
    assert_eq!(found["pageErrors"], json!([]));

    // The challenge: 128 random bits (base64url), kept across a reload, renewed on request.
    let challenge = text(&found["generatedChallenge"]);
    assert!(
        challenge.len() == 22
            && challenge
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{challenge:?}"
    );
    assert_eq!(found["challengeAfterReload"], found["generatedChallenge"]);
    assert_ne!(found["newChallenge"], found["generatedChallenge"]);

    // Each verdict on the server's page: the words, the class and the colour.
    const GREEN: &str = "rgb(23, 102, 42)";
    const AMBER: &str = "rgb(122, 75, 0)";
    const RED: &str = "rgb(155, 28, 28)";
    let cases: [(&str, &str, &str, &str, &str); 9] = [
        (
            "valid",
            "valid",
            "✓ Valid credential",
            GREEN,
            "valid-credential.json: valid",
        ),
        (
            "unconfirmed",
            "unconfirmed",
            "! Genuine but unconfirmed credential",
            AMBER,
            "unconfirmed-credential.json: genuine but unconfirmed",
        ),
        (
            "revoked",
            "invalid",
            "✗ NOT a valid credential: REVOKED by University of Example",
            RED,
            "revoked-credential.json: NOT valid",
        ),
        (
            "expired",
            "invalid",
            "✗ NOT a valid credential: EXPIRED on 1 January 2020",
            RED,
            "expired-credential.json: NOT valid",
        ),
        (
            "tampered",
            "invalid",
            "✗ NOT a valid credential: CHANGED after it was signed",
            RED,
            "tampered-credential.json: NOT valid",
        ),
        (
            "forged-issuer",
            "invalid",
            "✗ NOT a valid credential: SIGNED BY SOMEONE ELSE than the issuer it names",
            RED,
            "forged-issuer-credential.json: NOT valid",
        ),
        (
            "presentation-asked",
            "valid",
            "✓ Valid presentation",
            GREEN,
            "presentation.json: valid",
        ),
        (
            "presentation-not-asked",
            "unconfirmed",
            "! Genuine but unconfirmed presentation",
            AMBER,
            "presentation.json: genuine but unconfirmed: not bound to your request",
        ),
        (
            "presentation-other-challenge",
            "invalid",
            "✗ NOT a valid presentation: NOT AN ANSWER TO YOUR REQUEST",
            RED,
            "presentation.json: NOT valid",
        ),
    ];
    for (name, verdict, words, colour, status) in cases {
        let case = &found["page"][name];
        let t = &case["transcript"];
        assert_eq!(t["dataVerdict"], verdict, "{name}: {case}");
        assert!(
            text(&t["className"]).contains(&format!("mc-{verdict}")),
            "{name}: {case}"
        );
        assert!(text(&t["verdict"]).starts_with(words), "{name}: {case}");
        assert_eq!(t["verdictColor"], colour, "{name}: {case}");
        assert!(text(&case["status"]).starts_with(status), "{name}: {case}");
        assert_eq!(
            case["statusClass"] == "error",
            verdict == "invalid",
            "{name}: {case}"
        );
        assert!(
            screenshots().join(format!("page-{name}.png")).exists(),
            "{name}"
        );
    }
    let valid = &found["page"]["valid"]["transcript"];
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
    assert_eq!(
        facts["Grading scale"],
        "Final grade (letter grade): F, D, C, C+, B, B+, A; pass mark C"
    );
    assert_eq!(facts["Country"], "IE");
    assert!(
        valid["headings"]
            .as_array()
            .unwrap()
            .contains(&"Framework profiles".into()),
        "{found}"
    );
    // Not genuine: the claims greyed, the proof crossed with its reason.
    for name in ["tampered", "forged-issuer"] {
        let t = &found["page"][name]["transcript"];
        assert_eq!(t["claimedGreyed"], true, "{name}: {t}");
    }
    let bad = &found["page"]["tampered"]["transcript"];
    assert_eq!(bad["proofClass"], "mc-fail");
    assert_eq!(bad["mark"], "✗");
    assert!(text(&bad["proof"]).contains("signature"), "{found}");
    // Revoked and expired are genuine: their claims are not greyed.
    for name in ["revoked", "expired", "valid", "unconfirmed"] {
        let t = &found["page"][name]["transcript"];
        assert_eq!(t["claimedGreyed"], false, "{name}: {t}");
    }
    assert!(
        text(&found["page"]["unconfirmed"]["transcript"]["reasons"]).contains("STATUS NOT CHECKED"),
        "{found}"
    );
    assert!(
        text(&found["page"]["presentation-not-asked"]["transcript"]["reasons"])
            .contains("NOT BOUND TO YOUR REQUEST"),
        "{found}"
    );

    // The same credentials as `microcred-verify --html` transcripts: same verdicts and
    // colours, nothing fetched, and the valid one printed on one A4 page.
    for (name, verdict, words, colour, _) in &cases[..6] {
        let t = &found["transcripts"][name];
        assert_eq!(t["dataVerdict"], *verdict, "{name}: {t}");
        assert!(text(&t["verdict"]).starts_with(words), "{name}: {t}");
        assert_eq!(t["verdictColor"], *colour, "{name}: {t}");
        assert_eq!(t["fetched"], json!([]), "{name}: {t}");
        assert!(
            screenshots().join(format!("html-{name}.png")).exists(),
            "{name}"
        );
    }
    assert_eq!(
        found["transcripts"]["valid"]["pdfPages"], 1,
        "the valid transcript prints on one A4 page"
    );

    // JavaScript off: the advice, not a drop zone that does nothing.
    let noscript = &found["noscript"];
    assert_eq!(noscript["dropVisible"], false, "{noscript}");
    assert_eq!(noscript["requestVisible"], false, "{noscript}");
    let advice = text(&noscript["advice"]);
    assert!(
        advice.contains("microcred-verify --trust trust-list.json --html credential.json"),
        "{noscript}"
    );
    assert!(screenshots().join("page-noscript.png").exists());
}

/// `microcred-verify --html` of a valid micro-credential, with its framework
/// profiles, printed to PDF by headless Chromium: one A4 page (`@page` and the
/// print stylesheet fold the check details).
#[test]
fn html_transcript_prints_on_one_a4_page() {
    let chromium = chromium();
    let server = Server::start("");
    let vc = issue(&server, |_| {});
    let dir = tempfile::tempdir().unwrap();
    let cred = dir.path().join("credential.json");
    std::fs::write(&cred, serde_json::to_vec_pretty(&vc).unwrap()).unwrap();
    let out = Command::new(bin("microcred-verify"))
        .env("XDG_CONFIG_HOME", crate::common::no_config())
        // The page's words are English here whatever the tester's locale.
        .args(["--lang", "en"])
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
