//! `microcred-sign status-list`: the signed `BitstringStatusListCredential`
//! of a ledger (contract §3 of the helpers' contracts; W3C Bitstring Status
//! List v1.0).

use std::io::Write as _;

use anyhow::Context as _;
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, StatusPurpose};
use microcred_core::{Value, datetime};

use crate::cli::{Purpose, StatusListArgs};
use crate::files;
use crate::ledger::Ledger;

pub(crate) fn run(args: &StatusListArgs) -> anyhow::Result<()> {
    let ledger = Ledger::open(&args.ledger)?;
    let key = files::load_key(&args.key, &args.passphrase.source())?;
    ledger.check_issuer(&key.controller())?;
    let purpose = match args.purpose {
        Purpose::Revocation => StatusPurpose::Revocation,
        Purpose::Suspension => StatusPurpose::Suspension,
    };
    let list = ledger.status_list(purpose)?;
    let issued = datetime::now();
    let now = datetime::format(issued);
    // A list without an end would tell verifiers "not revoked" for ever after the
    // registrar stopped publishing it: it is valid for --valid-for only.
    let until = issued
        .checked_add(args.valid_for)
        .map(datetime::format)
        .context("--valid-for: the list's end is out of range")?;
    let id = format!("{}/{}", ledger.base_url(), purpose.as_str());
    let unsigned = with_valid_until(
        status_list::list_credential(&id, ledger.issuer(), purpose, &list, &now),
        &until,
    );
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    options.created = Some(now);
    let signed = crate::suite::sign(&unsigned, &key.secret, &options, args.suite)?;
    let mut text = serde_json::to_string_pretty(&signed)?;
    text.push('\n');
    files::write_atomic(&args.out, text.as_bytes(), args.force, 0o644)?;
    writeln!(
        std::io::stderr(),
        "microcred-sign: wrote {} ({} list, {} entries, valid until {until}); publish it at {id}, and again before {until}",
        args.out.display(),
        purpose.as_str(),
        list.len()
    )?;
    Ok(())
}

/// `list` with `validUntil` after its `validFrom` (where a reader looks for it).
fn with_valid_until(list: Value, until: &str) -> Value {
    let Value::Object(map) = list else {
        return list;
    };
    let mut out = serde_json::Map::with_capacity(map.len() + 1);
    for (k, v) in map {
        let after = k == "validFrom";
        out.insert(k, v);
        if after {
            out.insert("validUntil".into(), until.into());
        }
    }
    Value::Object(out)
}
