//! One module per subcommand.

mod issue;
mod keygen;

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Keygen(args) => keygen::run(&args),
        Command::Issue(args) => issue::run(&args),
    }
}
