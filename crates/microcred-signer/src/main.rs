//! `microcred-sign`: the registrar's and learner's tool.
//!
//! Exit status: 0 on success, 2 on any failure (the message on stderr says what),
//! 130 (143) for a batch stopped by Ctrl-C (SIGTERM).

#![forbid(unsafe_code)]

// A batch signed with eddsa-rdfc-2022 spends much of its time allocating; mimalloc
// takes ≈ 1.3× less CPU than glibc's malloc there (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;

// The library's modules, under the names the commands have always used.
use microcred_signer::{
    batch, did_web, files, interrupt, learners, ledger, passphrase, profiles, suite,
};

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            // A batch stopped by Ctrl-C or SIGTERM: not an error to explain, but
            // how far it got, with the status the signal asks for.
            if let Some(stopped) = err.downcast_ref::<interrupt::Interrupted>() {
                let _ = writeln!(std::io::stderr(), "microcred-sign: {stopped}");
                return ExitCode::from(stopped.code);
            }
            let _ = writeln!(std::io::stderr(), "microcred-sign: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
