//! `microcred-sign batch`: the arguments as a library request
//! ([`microcred_signer::batch`] does the work), and its progress on stderr.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use crate::cli::BatchArgs;

/// Runs `batch` with the parsed arguments.
pub(crate) fn run(args: &BatchArgs) -> anyhow::Result<()> {
    // Before the key: a mistyped profile name costs no passphrase.
    let profiles = crate::profiles::load(&args.profile)?;
    let key = crate::files::load_key(&args.key, &args.passphrase.source())?;
    // From here (not at a passphrase prompt, which Ctrl-C must leave at once) a
    // signal stops the batch where it is consistent (crate::interrupt).
    let interrupt = crate::interrupt::Interrupt::install()?;
    let request = crate::batch::Request {
        suite: args.suite,
        credential_format: args.credential_format,
        template: args.template.clone(),
        learners: args.learners.clone(),
        format: args.format,
        delimiter: args.delimiter,
        out: args.out.clone(),
        out_jsonl: args.out_jsonl.clone(),
        id_column: args.id_column.clone(),
        ledger: args.ledger.clone(),
        on_error: args.on_error,
        profiles,
        allow_noncompliant: args.allow_noncompliant,
        allow_expired: args.allow_expired,
        allow_reissue: args.allow_reissue,
        jobs: args.jobs,
        json: args.json,
    };
    crate::batch::run(&request, &key, &interrupt, &mut Shown::None)
}

/// A progress bar on a terminal; otherwise a plain line every few seconds.
enum Shown {
    /// Signing has not started.
    None,
    Bar(indicatif::ProgressBar),
    Lines {
        done: u64,
        total: u64,
        last: Instant,
    },
}

impl Shown {
    const LINE_EVERY: Duration = Duration::from_secs(2);
}

impl crate::batch::Progress for Shown {
    fn start(&mut self, total: u64) {
        *self = if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} signed  {elapsed} elapsed, eta {eta}",
            ) {
                bar.set_style(style);
            }
            Self::Bar(bar)
        } else {
            Self::Lines {
                done: 0,
                total,
                last: Instant::now(),
            }
        };
    }

    fn advance(&mut self, now: u64, _total: u64) {
        match self {
            Self::Bar(bar) => bar.set_position(now),
            Self::Lines { done, .. } => *done = now,
            Self::None => {}
        }
    }

    fn tick(&mut self) {
        if let Self::Lines { done, total, last } = self {
            if last.elapsed() >= Self::LINE_EVERY {
                let _ = writeln!(
                    std::io::stderr(),
                    "microcred-sign: signed {done} of {total}"
                );
                *last = Instant::now();
            }
        }
    }

    fn finish(&mut self) {
        match std::mem::replace(self, Self::None) {
            Self::Bar(bar) => bar.finish_and_clear(),
            Self::Lines { done, total, .. } => {
                let _ = writeln!(
                    std::io::stderr(),
                    "microcred-sign: signed {done} of {total}"
                );
            }
            Self::None => {}
        }
    }

    fn note(&mut self, line: &str) {
        // Above the bar, which is drawn again below it. A closed stderr loses the
        // note, not the batch.
        let say = || {
            let _ = writeln!(std::io::stderr(), "microcred-sign: {line}");
        };
        match self {
            Self::Bar(bar) => bar.suspend(say),
            _ => say(),
        }
    }

    fn summary(&mut self, summary: &serde_json::Value) -> std::io::Result<()> {
        writeln!(std::io::stdout(), "{summary}")
    }
}
