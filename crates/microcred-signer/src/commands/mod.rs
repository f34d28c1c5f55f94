//! One module per subcommand.

mod batch;
mod change_passphrase;
mod issue;
mod issue_ledger;
mod keygen;
mod present;
mod revoke;
mod status_list;

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    for arg in &cli.contexts {
        microcred_verifier::contexts::supply_argument(arg)?;
    }
    if let Some(dir) = &cli.context_dir {
        microcred_verifier::contexts::supply_directory(dir)?;
    }
    match cli.command {
        Command::Keygen(args) => keygen::run(&args),
        Command::ChangePassphrase(args) => change_passphrase::run(&args),
        Command::Issue(args) => issue::run(&args),
        Command::Present(args) => present::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Ledger(cmd) => revoke::run_ledger(&cmd),
        Command::Revoke(args) => revoke::run(&args, crate::ledger::Action::Revoke),
        Command::Suspend(args) => revoke::run(&args, crate::ledger::Action::Suspend),
        Command::Unsuspend(args) => revoke::run_unsuspend(&args),
        Command::StatusList(args) => status_list::run(&args),
    }
}
