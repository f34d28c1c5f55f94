//! The fast verification paths against the reference path: `proof::verify_bytes`
//! (borrowed tree, streamed canonical form), `proof::verify_batch` (many
//! documents, keys resolved once) and `proof::verify_presentation_bytes` must
//! answer exactly what `json::parse` + `proof::verify_proofs` answer, for any bytes.
//!
//! The first byte picks the input's shape:
//! - 0–127: the rest is a whole document;
//! - 128–191: a genuine signed credential whose 64 signature bytes the fuzzer
//!   replaces (the rest of the input, cycled): the verdict must be "valid" only for
//!   the genuine signature, since producing another valid one needs the secret key;
//! - 192–255: the same with the verification method's 32 key bytes replaced.
//!
//! Every input is also verified in a batch next to a genuine credential, which
//! must stay valid whatever its neighbour is.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use microcred_core::json;
use microcred_core::keys::SecretKey;
use microcred_core::multibase;
use microcred_core::proof::{self, DidKeyResolver, ProofOptions, ProofPurpose};

struct Genuine {
    text: Vec<u8>,
    signature: [u8; 64],
    key: [u8; 32],
}

fn genuine() -> &'static Genuine {
    static G: OnceLock<Genuine> = OnceLock::new();
    G.get_or_init(|| {
        let key = SecretKey::from_seed(&[0x11; 32]);
        let did = key.did_key();
        let doc = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": did.did(),
            "validFrom": "2025-03-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "credits": 5}
        });
        let mut o = ProofOptions::new(did.verification_method(), ProofPurpose::AssertionMethod);
        o.created = Some("2025-03-01T09:00:00Z".into());
        let signed = proof::add_proof(&doc, &key, &o).expect("signing works");
        let pv = signed["proof"]["proofValue"].as_str().expect("proofValue");
        let signature = multibase::decode_base58btc_array::<64>(pv)
            .ok()
            .flatten()
            .expect("64-byte signature");
        Genuine {
            text: serde_json::to_vec(&signed).expect("serializes"),
            signature,
            key: *key.public_key().as_bytes(),
        }
    })
}

/// `src` cycled to `N` bytes (zeros when empty).
fn cycled<const N: usize>(src: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    if !src.is_empty() {
        for (i, b) in out.iter_mut().enumerate() {
            *b = src[i % src.len()];
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let g = genuine();
    let document: Vec<u8> = match mode {
        0..=127 => rest.to_vec(),
        128..=191 => {
            let sig: [u8; 64] = cycled(rest);
            let text = String::from_utf8_lossy(&g.text).replace(
                &multibase::encode_base58btc(&g.signature),
                &multibase::encode_base58btc(&sig),
            );
            text.into_bytes()
        }
        _ => {
            let key: [u8; 32] = cycled(rest);
            let mut mb = vec![0xed, 0x01];
            mb.extend_from_slice(&key);
            let mut genuine_mb = vec![0xed, 0x01];
            genuine_mb.extend_from_slice(&g.key);
            let text = String::from_utf8_lossy(&g.text).replace(
                &multibase::encode_base58btc(&genuine_mb),
                &multibase::encode_base58btc(&mb),
            );
            text.into_bytes()
        }
    };

    let reference = json::parse(&document).map(|v| proof::verify_proofs(&v, &DidKeyResolver));
    let fast = proof::verify_bytes(&document, &DidKeyResolver);
    assert_eq!(fast, reference, "verify_bytes differs from verify_proofs");

    let batch = proof::verify_batch(&[g.text.as_slice(), &document, &document], &DidKeyResolver);
    assert_eq!(batch.len(), 3);
    let genuine_ok = matches!(&batch[0], Ok(o) if o.len() == 1 && o[0].result.is_ok());
    assert!(
        genuine_ok,
        "a genuine credential failed next to {document:?}: {:?}",
        batch[0]
    );
    assert_eq!(
        batch[1], reference,
        "verify_batch differs from verify_proofs"
    );
    assert_eq!(
        batch[2], reference,
        "verify_batch differs on a repeated document"
    );

    if mode >= 128 {
        let accepted = matches!(&reference, Ok(o) if o.iter().any(|o| o.result.is_ok()));
        if accepted {
            assert_eq!(
                document, g.text,
                "a signature or key other than the genuine one was accepted"
            );
        }
    }

    // Presentations: the fast path against verify_proofs on each part.
    if let Ok(fast) = proof::verify_presentation_bytes(&document, &DidKeyResolver) {
        let value = json::parse(&document).expect("fast path accepted what parse refuses");
        assert_eq!(
            fast.presentation,
            proof::verify_proofs(&value, &DidKeyResolver)
        );
        let creds: Vec<&serde_json::Value> = match value.get("verifiableCredential") {
            None => Vec::new(),
            Some(serde_json::Value::Array(a)) => a.iter().collect(),
            Some(one) => vec![one],
        };
        assert_eq!(fast.credentials.len(), creds.len());
        for (got, c) in fast.credentials.iter().zip(creds) {
            assert_eq!(got, &proof::verify_proofs(c, &DidKeyResolver));
        }
    } else {
        assert!(
            json::parse(&document).is_err(),
            "presentation path refused strict JSON"
        );
    }
});
