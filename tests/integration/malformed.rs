//! The malformed-input corpus (`tests/malformed/`): hostile files, each with its expected
//! outcome in `tests/malformed/manifest.json`, run through `microcred-verify` as a process.
//!
//! No input may crash the verifier (exit 101 or a signal), hang (each run has a time
//! limit) or be reported valid; each must end with the manifest's exit status (1: checked
//! and invalid, 2: could not be read or parsed) and an output naming the error.
//!
//! The files are made by [`generate`] from fixed keys, dates and documents (Ed25519
//! signatures are deterministic), so they are reproducible byte for byte.
//! `fixtures_are_up_to_date` fails when the committed files differ from what the
//! generator makes; regenerate them with
//! `MICROCRED_REGENERATE_MALFORMED=1 cargo test -p microcred-tests malformed`.
//! The 100 MB file is made by the test in a temporary directory, never committed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use microcred_core::did_key::DidKey;
use microcred_core::keys::SecretKey;
use microcred_core::multibase;
use microcred_core::proof::{self, ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, StatusList, StatusPurpose};
use serde_json::{Value, json};

use crate::common::{bin, repo};

/// Where the corpus lives, relative to the repository root.
const DIR: &str = "tests/malformed";

/// Longest a single verification may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(60);

/// The issuer (a university), another issuer (the attacker, or another university)
/// and the learner: fixed seeds, so every run makes the same files.
fn university() -> SecretKey {
    SecretKey::from_seed(&[0x11; 32])
}
fn attacker() -> SecretKey {
    SecretKey::from_seed(&[0x66; 32])
}
fn learner() -> SecretKey {
    SecretKey::from_seed(&[0x22; 32])
}

/// The proof time of every fixture.
const CREATED: &str = "2025-03-01T09:00:00Z";

/// An unsigned credential from `issuer` to the learner.
fn unsigned(issuer: &SecretKey, id: &str, subject_name: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential"],
        "issuer": issuer.did_key().did(),
        "name": "Data Protection for Registrars (micro-credential)",
        "validFrom": "2025-03-01T00:00:00Z",
        "validUntil": "2099-03-01T00:00:00Z",
        "credentialSubject": {
            "id": learner().did_key().did(),
            "name": subject_name,
            "credits": 5
        }
    })
}

fn options(key: &SecretKey, purpose: ProofPurpose) -> ProofOptions {
    let mut o = ProofOptions::new(key.did_key().verification_method(), purpose);
    o.created = Some(CREATED.into());
    o
}

/// `doc` signed with eddsa-jcs-2022 by `key` for `purpose`.
fn signed_by(doc: &Value, key: &SecretKey, purpose: ProofPurpose) -> Value {
    proof::add_proof(doc, key, &options(key, purpose)).unwrap()
}

/// The baseline: a credential that verifies. Each hostile file changes one thing.
fn valid_credential() -> Value {
    signed_by(
        &unsigned(
            &university(),
            "urn:uuid:0b7e4a52-3c1d-4e8f-9a6b-1d2c3e4f5a60",
            "Ada Lovelace",
        ),
        &university(),
        ProofPurpose::AssertionMethod,
    )
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap();
    out.push(b'\n');
    out
}

/// `text` with the first occurrence of `from` replaced; panics when absent, so a
/// generator edit that no longer applies is noticed.
fn replace_once(text: &[u8], from: &str, to: &[u8]) -> Vec<u8> {
    let pos = text
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from:?} not found"));
    [&text[..pos], to, &text[pos + from.len()..]].concat()
}

/// The proof object of a signed document.
fn proof_of(doc: &mut Value) -> &mut serde_json::Map<String, Value> {
    doc["proof"].as_object_mut().unwrap()
}

/// The signature bytes of a proof.
fn signature(doc: &Value) -> [u8; 64] {
    multibase::decode_base58btc_array::<64>(doc["proof"]["proofValue"].as_str().unwrap())
        .unwrap()
        .unwrap()
}

/// Adds ℓ (the order of the Ed25519 base point) to the scalar S of a signature:
/// `(R, S + ℓ)` satisfies the verification equation just like `(R, S)`, so a verifier
/// that accepts it lets anyone make a second valid signature (malleability).
fn non_canonical_s(sig: [u8; 64]) -> [u8; 64] {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x10,
    ];
    let mut out = sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        out[32 + i] = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + ℓ fits in 32 bytes since S < ℓ < 2^253");
    out
}

/// Every generated file of the corpus, by path relative to [`DIR`].
fn generate() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut add = |name: &str, bytes: Vec<u8>| {
        assert!(
            files.insert(name.to_owned(), bytes).is_none(),
            "{name} twice"
        );
    };
    let valid = valid_credential();
    let text = pretty(&valid);

    // --- Not strict JSON: exit 2 -----------------------------------------------------
    add("truncated.json", text[..text.len() / 2].to_vec());
    add(
        "invalid-utf8.json",
        replace_once(&text, "Ada Lovelace", b"Ada \xC3\x28Lovelace"),
    );
    add("bom.json", [b"\xEF\xBB\xBF".as_slice(), &text].concat());
    add("empty.json", Vec::new());
    add("not-an-object.json", b"[\"a credential\"]\n".to_vec());
    add(
        "lone-surrogate.json",
        replace_once(&text, "Ada Lovelace", br"Ada \ud800 Lovelace"),
    );
    // A last-wins parser would see the attacker as the issuer.
    add(
        "duplicate-member.json",
        replace_once(
            &text,
            "  \"issuer\"",
            format!(
                "  \"issuer\": \"{}\",\n  \"issuer\"",
                university().did_key().did()
            )
            .as_bytes(),
        ),
    );
    add(
        "duplicate-member-in-proof.json",
        replace_once(
            &text,
            "    \"verificationMethod\"",
            format!(
                "    \"verificationMethod\": \"{}\",\n    \"verificationMethod\"",
                attacker().did_key().verification_method()
            )
            .as_bytes(),
        ),
    );
    let deep = format!(
        "{{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"], \"credentialSubject\": {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    add("deep-nesting.json", deep.into_bytes());
    add(
        "huge-integer.json",
        replace_once(
            &text,
            "\"credits\": 5",
            b"\"credits\": 123456789012345678901234567890",
        ),
    );
    add(
        "huge-exponent.json",
        replace_once(&text, "\"credits\": 5", b"\"credits\": 1e400"),
    );
    add(
        "nan.json",
        replace_once(&text, "\"credits\": 5", b"\"credits\": NaN"),
    );
    add(
        "trailing-garbage.json",
        [text.as_slice(), b"{\"proof\": null}\n"].concat(),
    );

    // --- Strict JSON, checked and invalid: exit 1 --------------------------------------
    let uni = university();
    // Validly signed by the issuer: only the structure check can catch these.
    let mut doc = unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000001", "Ada");
    doc["@context"] =
        json!([{"@vocab": "https://attacker.example/#"}, "https://www.w3.org/ns/credentials/v2"]);
    add(
        "context-not-string.json",
        pretty(&signed_by(&doc, &uni, ProofPurpose::AssertionMethod)),
    );
    let mut doc = unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000002", "Ada");
    doc["@context"] = json!(42);
    add(
        "context-number.json",
        pretty(&signed_by(&doc, &uni, ProofPurpose::AssertionMethod)),
    );

    for member in ["verificationMethod", "proofValue", "cryptosuite", "type"] {
        let mut doc = valid.clone();
        proof_of(&mut doc).remove(member);
        add(&format!("proof-missing-{member}.json"), pretty(&doc));
    }
    let mut doc = valid.clone();
    proof_of(&mut doc).insert("domain".into(), "attacker.example".into());
    add("proof-extra-member.json", pretty(&doc));
    let mut doc = valid.clone();
    doc["proof"] = json!("z3yMdfEnGZ");
    add("proof-not-an-object.json", pretty(&doc));
    add(
        "no-proof.json",
        pretty(&unsigned(
            &uni,
            "urn:uuid:1c3d5e7f-0000-4000-8000-000000000003",
            "Ada",
        )),
    );

    // A proof set: the issuer's real proof, and a second one that claims the issuer's
    // key but was made by the attacker over a different subject.
    let mut forged_doc = valid.clone();
    forged_doc["credentialSubject"]["name"] = "Mallory".into();
    let mut forged = signed_by(
        &{
            let mut d = forged_doc.clone();
            d.as_object_mut().unwrap().remove("proof");
            d
        },
        &attacker(),
        ProofPurpose::AssertionMethod,
    )["proof"]
        .clone();
    forged["verificationMethod"] = uni.did_key().verification_method().into();
    let mut doc = valid.clone();
    doc["proof"] = json!([valid["proof"].clone(), forged]);
    add("two-proofs-one-forged.json", pretty(&doc));

    // A proof we cannot check as the only proof: "could not check" (exit 2), never forged.
    let mut doc = valid.clone();
    proof_of(&mut doc).insert("cryptosuite".into(), "eddsa-2022".into());
    add("unknown-cryptosuite.json", pretty(&doc));
    let mut doc = valid.clone();
    proof_of(&mut doc).insert("type".into(), "BbsBlsSignature2020".into());
    add("unknown-proof-type.json", pretty(&doc));
    // A proof this verifier cannot check beside a forged one: the forgery still fails.
    let mut unsupported = valid["proof"].clone();
    unsupported["cryptosuite"] = "ecdsa-sd-2023".into();
    let mut doc = valid.clone();
    doc["proof"] = json!([unsupported, forged]);
    add("unsupported-proof-and-forged.json", pretty(&doc));

    let sig = signature(&valid);
    let mut doc = valid.clone();
    proof_of(&mut doc).insert(
        "proofValue".into(),
        multibase::encode_base64url(&sig).into(),
    );
    add("proofvalue-wrong-prefix.json", pretty(&doc));
    let mut doc = valid.clone();
    proof_of(&mut doc).insert(
        "proofValue".into(),
        multibase::encode_base58btc(&sig[..63]).into(),
    );
    add("proofvalue-too-short.json", pretty(&doc));
    let mut doc = valid.clone();
    proof_of(&mut doc).insert(
        "proofValue".into(),
        multibase::encode_base58btc(&[sig.as_slice(), &[0]].concat()).into(),
    );
    add("proofvalue-too-long.json", pretty(&doc));
    let mut doc = valid.clone();
    proof_of(&mut doc).insert(
        "proofValue".into(),
        multibase::encode_base58btc(&non_canonical_s(sig)).into(),
    );
    add("non-canonical-s.json", pretty(&doc));

    // The identity point (a small-order key): with it, R = identity and S = 0 satisfy
    // a cofactored or unchecked verification equation for every message.
    let weak = multibase::encode_base58btc(&[&[0xed, 0x01][..], &identity_point()].concat());
    let weak_did = format!("did:key:{weak}");
    let mut doc = unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000004", "Ada");
    doc["issuer"] = weak_did.clone().into();
    let mut doc = signed_by(&doc, &uni, ProofPurpose::AssertionMethod);
    let mut forged_sig = [0u8; 64];
    forged_sig[..32].copy_from_slice(&identity_point());
    proof_of(&mut doc).insert(
        "verificationMethod".into(),
        format!("{weak_did}#{weak}").into(),
    );
    proof_of(&mut doc).insert(
        "proofValue".into(),
        multibase::encode_base58btc(&forged_sig).into(),
    );
    add("small-order-key.json", pretty(&doc));

    // A key encoded with y ≥ p: y = p + 3 names the same point as y = 3 (a point of
    // large order), so without the canonical-encoding rule one key has two did:keys.
    let mut y = [0xffu8; 32];
    y[0] = 0xed + 3;
    y[31] = 0x7f;
    let non_canonical = multibase::encode_base58btc(&[&[0xed, 0x01][..], &y].concat());
    let mut doc = valid.clone();
    doc["issuer"] = format!("did:key:{non_canonical}").into();
    proof_of(&mut doc).insert(
        "verificationMethod".into(),
        format!("did:key:{non_canonical}#{non_canonical}").into(),
    );
    add("did-key-non-canonical-encoding.json", pretty(&doc));

    // An X25519 key (multicodec 0xec) where an Ed25519 one (0xed) is required.
    let x25519 = "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW";
    let mut doc = valid.clone();
    doc["issuer"] = format!("did:key:{x25519}").into();
    proof_of(&mut doc).insert(
        "verificationMethod".into(),
        format!("did:key:{x25519}#{x25519}").into(),
    );
    add("did-key-wrong-multicodec.json", pretty(&doc));

    // A correct signature by a key the issuer does not control.
    let doc = signed_by(
        &unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000005", "Ada"),
        &attacker(),
        ProofPurpose::AssertionMethod,
    );
    add("signed-by-another-key.json", pretty(&doc));

    // The issuer's valid proof pasted onto another credential.
    let mut doc = unsigned(
        &uni,
        "urn:uuid:1c3d5e7f-0000-4000-8000-000000000006",
        "Mallory",
    );
    doc["proof"] = valid["proof"].clone();
    add("proof-copied-from-another-credential.json", pretty(&doc));

    let mut doc = valid.clone();
    doc["credentialSubject"]["credits"] = 50.into();
    add("tampered-subject.json", pretty(&doc));

    // Signed for authentication (a learner's login proof), not as an assertion.
    let doc = signed_by(
        &unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000007", "Ada"),
        &uni,
        ProofPurpose::Authentication,
    );
    add("wrong-proof-purpose.json", pretty(&doc));

    // eddsa-rdfc-2022 (safe mode: only terms the VC 2.0 context defines): a valid
    // proof, then a validity period stretched by a century.
    let mut doc = unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000008", "Ada");
    doc["credentialSubject"] = json!({"id": learner().did_key().did()});
    let mut doc =
        microcred_core::rdfc::add_proof(&doc, &uni, &options(&uni, ProofPurpose::AssertionMethod))
            .unwrap();
    doc["validUntil"] = "2199-03-01T00:00:00Z".into();
    add("rdfc-tampered-validity.json", pretty(&doc));

    // --- Checks beyond the signature (time, presentations, status, trust) ------------
    let mut o = options(&uni, ProofPurpose::AssertionMethod);
    o.created = Some("2999-01-01T00:00:00Z".into());
    let doc = proof::add_proof(
        &unsigned(&uni, "urn:uuid:1c3d5e7f-0000-4000-8000-000000000009", "Ada"),
        &uni,
        &o,
    )
    .unwrap();
    add("created-in-the-future.json", pretty(&doc));

    // The learner's presentation for the employer's challenge "c-0451", replayed to a
    // verifier that asked "c-9999" (the manifest passes --challenge).
    add(
        "presentation-replayed.json",
        pretty(&presentation(&learner(), "c-0451")),
    );
    // A presentation of the learner's credential, signed by someone else as holder.
    add(
        "presentation-by-another-holder.json",
        pretty(&presentation(&attacker(), "c-9999")),
    );

    // Status: a revocation list at STATUS_LIST, and credentials pointing into it.
    let mut list = StatusList::new(0);
    list.set(7, true).unwrap();
    let list_doc = |key: &SecretKey, list: &StatusList| {
        let unsigned = status_list::list_credential(
            STATUS_LIST,
            &key.did_key().did(),
            StatusPurpose::Revocation,
            list,
            "2025-01-01T00:00:00Z",
        );
        pretty(&signed_by(&unsigned, key, ProofPurpose::AssertionMethod))
    };
    add("support/status-list.json", list_doc(&uni, &list));
    add(
        "support/status-list-by-another-issuer.json",
        list_doc(&attacker(), &StatusList::new(0)),
    );
    let with_status = |n: u32, index: usize| {
        let mut doc = unsigned(
            &uni,
            &format!("urn:uuid:1c3d5e7f-0000-4000-8000-{n:012}"),
            "Ada",
        );
        doc["credentialStatus"] = json!({
            "id": format!("{STATUS_LIST}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index.to_string(),
            "statusListCredential": STATUS_LIST
        });
        pretty(&signed_by(&doc, &uni, ProofPurpose::AssertionMethod))
    };
    add("revoked.json", with_status(10, 7));
    add("status-list-by-another-issuer.json", with_status(11, 8));
    add(
        "status-index-beyond-the-list.json",
        with_status(12, 200_000),
    );

    // Trust: a correctly signed, self-issued credential from an issuer the
    // employer's trust list does not name.
    let mut doc = unsigned(
        &attacker(),
        "urn:uuid:1c3d5e7f-0000-4000-8000-000000000013",
        "Ada",
    );
    doc["name"] = "Doctorate in Everything".into();
    add(
        "untrusted-issuer.json",
        pretty(&signed_by(&doc, &attacker(), ProofPurpose::AssertionMethod)),
    );
    add(
        "support/trust-list.json",
        pretty(&json!({
            "type": "MicrocredTrustList",
            "version": 1,
            "name": "Hostile-input corpus: the university only",
            "updated": "2025-12-01T00:00:00Z",
            "issuers": [{"id": uni.did_key().did(), "name": "University of Example"}]
        })),
    );

    // Hostile policy files, given with a credential that is otherwise fine: each is a
    // usage error (exit 2) naming the file and the problem, never a verdict.
    let mut trust = pretty(&json!({
        "type": "MicrocredTrustList",
        "version": 1,
        "name": "two issuers members",
        "issuers": [{"id": uni.did_key().did(), "name": "University of Example"}]
    }));
    trust = replace_once(
        &trust,
        "  \"issuers\"",
        format!(
            "  \"issuers\": [{{\"id\": \"{}\", \"name\": \"Attacker\"}}],\n  \"issuers\"",
            attacker().did_key().did()
        )
        .as_bytes(),
    );
    add("support/trust-list-duplicate-member.json", trust);
    add(
        "support/qualification-deep-nesting.json",
        format!(
            "{{\"type\": \"MicrocredQualification\", \"version\": 1, \"x\": {}{}}}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        )
        .into_bytes(),
    );
    add(
        "support/profile-bad-regex.json",
        pretty(&json!({
            "id": "hostile",
            "title": "A profile with a regular expression that does not compile",
            "source": "tests/malformed",
            "rules": [{
                "id": "H-01",
                "description": "unbalanced group",
                "severity": "error",
                "source": "none",
                "expected": "nothing",
                "path": "name",
                "check": {"matches": {"path": "name", "regex": "((a+)+"}}
            }]
        })),
    );
    add(
        "support/status-list-not-a-list.json",
        pretty(&valid_credential()),
    );

    files
}

/// The status list every status fixture points to.
const STATUS_LIST: &str = "https://uni.example/status/2025/revocation";

/// The baseline credential in a presentation signed by `holder_key`, for `challenge`,
/// naming the learner as holder.
fn presentation(holder_key: &SecretKey, challenge: &str) -> Value {
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:5d2f0c9e-7b1a-4c3d-8e9f-0a1b2c3d4e5f",
        "type": ["VerifiablePresentation"],
        "holder": learner().did_key().did(),
        "verifiableCredential": [valid_credential()]
    });
    let mut o = options(holder_key, ProofPurpose::Authentication);
    o.challenge = Some(challenge.into());
    o.domain = Some("hr.employer.example".into());
    proof::add_proof(&vp, holder_key, &o).unwrap()
}

/// The canonical encoding of the Ed25519 identity point (0, 1): order 1.
fn identity_point() -> [u8; 32] {
    let mut p = [0u8; 32];
    p[0] = 1;
    p
}

/// One case of the manifest.
#[derive(Debug)]
struct Case {
    file: String,
    args: Vec<String>,
    exit: i32,
    error: String,
}

fn manifest() -> (Vec<Case>, BTreeSet<String>) {
    let m: Value = serde_json::from_slice(&crate::common::read(&format!("{DIR}/manifest.json")))
        .expect("manifest.json is JSON");
    let cases = m["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            file: c["file"].as_str().expect("file").to_owned(),
            args: c["args"]
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default(),
            exit: i32::try_from(c["exit"].as_i64().expect("exit")).unwrap(),
            error: c["error"].as_str().expect("error").to_owned(),
        })
        .collect();
    let support = m["support"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    (cases, support)
}

/// What a run of the verifier gave.
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    output: String,
}

/// Runs `command` with stdin closed, killing it after [`HANG`].
fn run_bounded(mut command: Command) -> Run {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} still running after {HANG:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Run {
        code: status.code(),
        signal,
        output: format!("{}{}", out.join().unwrap(), err.join().unwrap()),
    }
}

/// Checks one run against its expectation; returns a description of any mismatch.
fn judge(name: &str, run: &Run, exit: i32, error: &str) -> Option<String> {
    if let Some(sig) = run.signal {
        return Some(format!("{name}: killed by signal {sig}\n{}", run.output));
    }
    if run.code == Some(101) {
        return Some(format!("{name}: panicked (exit 101)\n{}", run.output));
    }
    if run.code == Some(0) {
        return Some(format!("{name}: reported VALID\n{}", run.output));
    }
    if run.code != Some(exit) {
        return Some(format!(
            "{name}: exit {:?}, expected {exit}\n{}",
            run.code, run.output
        ));
    }
    if !run.output.contains(error) {
        return Some(format!(
            "{name}: output does not mention {error:?}\n{}",
            run.output
        ));
    }
    None
}

fn verify_command(args: &[String], file: &Path) -> Command {
    let mut c = Command::new(bin("microcred-verify"));
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c.current_dir(repo(DIR)).args(args).arg(file);
    c
}

#[test]
fn fixtures_are_up_to_date() {
    let generated = generate();
    if std::env::var_os("MICROCRED_REGENERATE_MALFORMED").is_some() {
        for (name, bytes) in &generated {
            let path = repo(DIR).join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    for (name, bytes) in &generated {
        let committed = std::fs::read(repo(DIR).join(name)).unwrap_or_default();
        assert!(
            &committed == bytes,
            "{DIR}/{name} differs from what the generator makes; regenerate with \
             MICROCRED_REGENERATE_MALFORMED=1 cargo test -p microcred-tests malformed"
        );
    }
}

/// The baseline each hostile file departs from verifies: so each case fails for the
/// one thing it changes, not for something the generator got wrong.
#[test]
fn the_baseline_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid.json");
    std::fs::write(&path, pretty(&valid_credential())).unwrap();
    let run = run_bounded(verify_command(&[], &path));
    assert_eq!(run.code, Some(0), "{}", run.output);
    // The same bytes through the corpus runner's edits: the pretty form keeps the
    // members the edits look for.
    let text = pretty(&valid_credential());
    for needle in [
        "\"credits\": 5",
        "Ada Lovelace",
        "  \"issuer\"",
        "    \"verificationMethod\"",
    ] {
        assert!(
            text.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle}"
        );
    }
}

#[test]
fn every_hostile_file_is_rejected_with_its_expected_error() {
    let (cases, support) = manifest();
    // Every file of the folder is a case or a support file, and the other way round.
    let listed: BTreeSet<String> = cases
        .iter()
        .map(|c| c.file.clone())
        .chain(support.iter().cloned())
        .collect();
    let mut present = BTreeSet::new();
    collect_files(&repo(DIR), &repo(DIR), &mut present);
    present.remove("manifest.json");
    present.remove("README.md");
    assert_eq!(
        present.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "files in {DIR} that manifest.json does not list"
    );
    assert_eq!(
        listed.difference(&present).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "manifest.json lists files that are not in {DIR}"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let run = run_bounded(verify_command(&case.args, Path::new(&case.file)));
        if let Some(f) = judge(&case.file, &run, case.exit, &case.error) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(root, &path, out);
        } else {
            let rel: PathBuf = path.strip_prefix(root).unwrap().into();
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// A 100 MB credential file is refused by the size limit before it is read whole: the
/// verifier runs with its address space capped well below 100 MB, so reading the file
/// into memory would abort it (a signal, or exit 101), not end with exit 2.
#[cfg(unix)]
#[test]
fn a_100_mb_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    {
        let f = std::fs::File::create(&path).unwrap();
        std::io::Write::write_all(&mut &f, b"{\"name\": \"").unwrap();
        // Sparse: no disk space, but 100 MB to whoever reads it.
        f.set_len(100 * 1024 * 1024).unwrap();
    }
    let mut c = Command::new("sh");
    c.env("XDG_CONFIG_HOME", crate::common::no_config());
    c.arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" \"$@\"",
            address_space_kib()
        ))
        .arg(bin("microcred-verify"))
        .arg(&path);
    let run = run_bounded(c);
    if let Some(f) = judge("huge.json", &run, 2, "limit") {
        panic!("{f}");
    }
}

/// The address-space cap for the 100 MB test: enough for the verifier and its 8 MiB
/// input limit, far from enough to hold the file.
#[cfg(unix)]
fn address_space_kib() -> u64 {
    80 * 1024
}

/// Signatures on corpus files are what the generator claims: the valid proof inside a
/// two-proof set still verifies on its own, so the set is rejected for the forged one.
#[test]
fn the_forged_proof_set_holds_one_genuine_proof() {
    let doc: Value = serde_json::from_slice(&crate::common::read(&format!(
        "{DIR}/two-proofs-one-forged.json"
    )))
    .unwrap();
    let outcomes = proof::verify_proofs(&doc, &proof::DidKeyResolver);
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].result, Ok(university().did_key().did()));
    assert_eq!(
        outcomes[1].result,
        Err(proof::ProofFailure::SignatureInvalid)
    );
    // And the non-canonical S is the genuine signature plus ℓ, nothing else.
    let nc: Value =
        serde_json::from_slice(&crate::common::read(&format!("{DIR}/non-canonical-s.json")))
            .unwrap();
    assert_eq!(signature(&nc)[..32], signature(&valid_credential())[..32]);
    assert_ne!(signature(&nc), signature(&valid_credential()));
    let _ = DidKey::parse(&university().did_key().did()).unwrap();
}
