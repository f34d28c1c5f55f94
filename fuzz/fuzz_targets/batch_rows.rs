//! Batch issuance input: learner lists (CSV with a header, or JSON Lines) and the
//! credential template they fill, through the signer's library (`microcred_signer`):
//! what is fuzzed is what ships.
//!
//! Input layout: first byte selects the format and delimiter; the rest is the list.
//! Every row read is then used to fill a fixed template.

#![no_main]

use libfuzzer_sys::fuzz_target;
use microcred_signer::{learners, template};

/// A template using placeholders whole (typed) and inside text.
const TEMPLATE: &str = r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "type": ["VerifiableCredential", "{{kind}}"],
  "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
  "name": "Certificate of {{name}} ({{ grade }})",
  "validFrom": "{{date}}",
  "credentialSubject": {"id": "{{did}}", "credits": "{{credits}}", "name": "{{name}}"}
}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, list)) = data.split_first() else {
        return;
    };
    let read = match selector % 4 {
        0 => learners::read_csv(list, b','),
        1 => learners::read_csv(list, b';'),
        2 => learners::read_csv(list, b'\t'),
        _ => learners::read_jsonl(list),
    };
    let Ok(read) = read else {
        return;
    };
    for row in &read.rows {
        assert!(row.line >= 1 && row.number >= 1);
    }
    let Ok(doc) = microcred_core::json::parse(TEMPLATE.as_bytes()) else {
        return;
    };
    let Ok(template) = template::Template::parse(doc) else {
        return;
    };
    for row in read.rows.iter().take(64) {
        if let Ok(filled) = template.fill(&row.values) {
            // A filled template is still a JSON object the signer can canonicalize.
            assert!(filled.is_object());
            let _ = microcred_core::jcs::canonicalize(&filled);
        }
    }
    // A template taken from the fuzzed text itself (the registrar's file).
    if let Ok(doc) = microcred_core::json::parse(list) {
        if let Ok(t) = template::Template::parse(doc) {
            let _ = t.columns();
            for row in read.rows.iter().take(8) {
                let _ = t.fill(&row.values);
            }
        }
    }
});
