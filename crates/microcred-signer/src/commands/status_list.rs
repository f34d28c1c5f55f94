//! `microcred-sign status-list`: the signed `BitstringStatusListCredential`
//! of a ledger (contract §3 of the helpers' contracts; W3C Bitstring Status
//! List v1.0).

use std::io::Write as _;

use microcred_core::datetime;
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::status_list::{self, StatusPurpose};

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
    let now = datetime::format(datetime::now());
    let id = format!("{}/{}", ledger.base_url(), purpose.as_str());
    let unsigned = status_list::list_credential(&id, ledger.issuer(), purpose, &list, &now);
    let mut options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
    options.created = Some(now);
    let signed = crate::suite::sign(&unsigned, &key.secret, &options, args.suite)?;
    let mut text = serde_json::to_string_pretty(&signed)?;
    text.push('\n');
    files::write_atomic(&args.out, text.as_bytes(), args.force, 0o644)?;
    writeln!(
        std::io::stderr(),
        "microcred-sign: wrote {} ({} list, {} entries); publish it at {id}",
        args.out.display(),
        purpose.as_str(),
        list.len()
    )?;
    Ok(())
}
