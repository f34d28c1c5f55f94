//! `microcred-sign revoke`, `suspend`, `unsuspend` and `ledger init|list`.

use std::io::Write as _;

use crate::cli::{LedgerCommand, RevokeArgs, UnsuspendArgs};
use crate::files;
use crate::ledger::{Action, Change, Ledger};

/// `revoke` and `suspend`.
pub(crate) fn run(args: &RevokeArgs, action: Action) -> anyhow::Result<()> {
    change(&args.ledger, &args.id, action, Some(&args.reason))
}

/// `unsuspend`.
pub(crate) fn run_unsuspend(args: &UnsuspendArgs) -> anyhow::Result<()> {
    change(
        &args.ledger,
        &args.id,
        Action::Unsuspend,
        args.reason.as_deref(),
    )
}

fn change(
    ledger: &std::path::Path,
    id: &str,
    action: Action,
    reason: Option<&str>,
) -> anyhow::Result<()> {
    let mut ledger = Ledger::open(ledger)?;
    let mut err = std::io::stderr();
    match ledger.change_state(id, action, reason)? {
        Change::Changed { from, to } => {
            writeln!(err, "microcred-sign: {id}: {from} -> {to}")?;
            let purpose = match action {
                Action::Revoke => "revocation",
                Action::Suspend | Action::Unsuspend => "suspension",
            };
            writeln!(
                err,
                "microcred-sign: publish the updated list: microcred-sign status-list --ledger {} --key KEY --purpose {purpose} --out FILE --force",
                ledger.path().display()
            )?;
        }
        Change::Unchanged(rec) => {
            let since = rec.changed_at.as_deref().unwrap_or(&rec.issued_at);
            let why = rec
                .reason
                .as_deref()
                .map(|r| format!(" (reason: {r})"))
                .unwrap_or_default();
            writeln!(
                err,
                "microcred-sign: warning: {id} is already {} since {since}{why}; nothing changed",
                rec.state
            )?;
        }
    }
    Ok(())
}

/// `ledger init` and `ledger list`.
pub(crate) fn run_ledger(cmd: &LedgerCommand) -> anyhow::Result<()> {
    match cmd {
        LedgerCommand::Init(args) => {
            let key = files::load_key(&args.key, &args.passphrase.source())?;
            let issuer = key.controller();
            let ledger = Ledger::create(&args.ledger, &issuer, &args.status_base_url)?;
            writeln!(
                std::io::stderr(),
                "microcred-sign: created ledger {} for issuer {issuer}; status lists: {}/revocation and {}/suspension",
                ledger.path().display(),
                ledger.base_url(),
                ledger.base_url()
            )?;
            Ok(())
        }
        LedgerCommand::List(args) => {
            let ledger = Ledger::open(&args.ledger)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if !args.json {
                writeln!(
                    out,
                    "credential_id\tstatus_index\tstate\tlearner_id\tissued_at\tout_file\treason"
                )?;
            }
            for rec in ledger.list()? {
                if args
                    .learner
                    .as_deref()
                    .is_some_and(|l| rec.learner_id.as_deref() != Some(l))
                {
                    continue;
                }
                if args.json {
                    writeln!(out, "{}", rec.to_json())?;
                } else {
                    let opt = |v: &Option<String>| v.as_deref().map_or("-".into(), tsv_field);
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        tsv_field(&rec.credential_id),
                        rec.status_index,
                        rec.state,
                        opt(&rec.learner_id),
                        rec.issued_at,
                        opt(&rec.out_file),
                        opt(&rec.reason)
                    )?;
                }
            }
            out.flush()?;
            Ok(())
        }
    }
}

/// A value from the ledger as one field of `ledger list`'s tab-separated output:
/// tabs, line breaks and backslashes escaped (`\t`, `\n`, `\r`, `\\`) so that
/// they cannot shift columns or rows, and a value a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`) prefixed with `'` (the OWASP
/// advice for CSV injection): learner ids and reasons come from outside.
fn tsv_field(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 1);
    if value.starts_with(['=', '+', '-', '@']) {
        out.push('\'');
    }
    for c in value.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::tsv_field;

    #[test]
    fn tsv_fields_cannot_shift_columns_or_run_as_formulas() {
        assert_eq!(tsv_field("s00042"), "s00042");
        assert_eq!(
            tsv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        for lead in ["+1", "-1", "@SUM(A1)"] {
            assert_eq!(tsv_field(lead), format!("'{lead}"));
        }
        assert_eq!(tsv_field("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
        assert!(!tsv_field("x\ty\nz").contains(['\t', '\n']));
    }
}
