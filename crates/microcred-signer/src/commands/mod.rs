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
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics when its writer fails (a pipe
            // closed early, `| head`); a failed write here is an error, or nothing for
            // a reader that has seen enough.
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut cmd, "microcred-sign", &mut script);
            match std::io::Write::write_all(&mut std::io::stdout(), &script) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(anyhow::anyhow!("cannot write the completion script: {e}"))
                }
                _ => Ok(()),
            }
        }
        Command::Man(args) => man(&args.out),
    }
}

/// Writes the manual pages of `microcred-sign` and its subcommands into `dir`,
/// each atomically; named as `clap_mangen::generate_to` names them
/// (`microcred-sign-ledger-init.1`).
fn man(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    fn pages(cmd: &clap::Command, dir: &std::path::Path) -> anyhow::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            pages(sub, dir)?;
        }
        let page = clap_mangen::Man::new(cmd.clone())
            .source(concat!("microcred-sign ", env!("CARGO_PKG_VERSION")));
        let mut roff = Vec::new();
        page.render(&mut roff)
            .context("cannot render a manual page")?;
        Ok(crate::files::write_atomic(
            &dir.join(page.get_filename()),
            &roff,
            true,
            0o644,
        )?)
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Built, the subcommands have their display names (microcred-sign-issue).
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    pages(&cmd, dir)
}
