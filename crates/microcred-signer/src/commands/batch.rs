//! `microcred-sign batch`: the arguments as a library request
//! ([`microcred_signer::batch`] does the work).

use crate::cli::BatchArgs;

/// Runs `batch` with the parsed arguments.
pub(crate) fn run(args: &BatchArgs) -> anyhow::Result<()> {
    crate::batch::run(&crate::batch::Request {
        key: args.key.clone(),
        passphrase: args.passphrase.source(),
        suite: args.suite,
        template: args.template.clone(),
        learners: args.learners.clone(),
        format: args.format,
        delimiter: args.delimiter,
        out: args.out.clone(),
        out_jsonl: args.out_jsonl.clone(),
        id_column: args.id_column.clone(),
        ledger: args.ledger.clone(),
        on_error: args.on_error,
        profile: args.profile.clone(),
        allow_noncompliant: args.allow_noncompliant,
        allow_expired: args.allow_expired,
        allow_reissue: args.allow_reissue,
        jobs: args.jobs,
        json: args.json,
    })
}
