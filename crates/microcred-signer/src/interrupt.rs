//! Ctrl-C (SIGINT) and SIGTERM during a batch.
//!
//! The first signal only sets a flag: the batch takes no new row, finishes and
//! records the credentials being signed (renamed to their names and marked in
//! the ledger, so no temporary file is left), and exits with 128 + the signal's
//! number (130 for Ctrl-C, 143 for SIGTERM), saying how to resume. A second
//! signal ends the process at once, as the default action would: a rerun then
//! cleans up after it as after a crash.
//!
//! With signal-hook's `flag` API the handler only stores into atomics (no thread,
//! no allocation, no lock in signal context).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

/// Whether a batch was asked to stop, and by which signal.
#[derive(Debug, Default)]
pub struct Interrupt {
    /// Set by the first signal.
    flag: Arc<AtomicBool>,
    /// The exit status that signal asks for (0 before one came).
    code: Arc<AtomicUsize>,
    /// Set by [`after`](Self::after): how many more times
    /// [`requested`](Self::requested) answers no.
    checks_left: Option<std::sync::atomic::AtomicU64>,
}

impl Interrupt {
    /// Catches SIGINT and SIGTERM for the rest of the process.
    ///
    /// # Errors
    /// When a handler cannot be installed.
    pub fn install() -> anyhow::Result<Self> {
        let this = Self::default();
        for (signal, code) in [(SIGINT, 130_u8), (SIGTERM, 143)] {
            // In this order: a second signal finds the flag set and exits; the
            // first sets it, and the status it asks for.
            signal_hook::flag::register_conditional_shutdown(
                signal,
                i32::from(code),
                Arc::clone(&this.flag),
            )
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&this.flag)))
            .and_then(|_| {
                signal_hook::flag::register_usize(signal, Arc::clone(&this.code), usize::from(code))
            })
            .map_err(|e| anyhow::anyhow!("cannot catch Ctrl-C and SIGTERM: {e}"))?;
        }
        Ok(this)
    }

    /// Whether a signal asked the batch to stop.
    pub fn requested(&self) -> bool {
        if let Some(left) = &self.checks_left {
            // Counts down to zero and stays there.
            return left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err();
        }
        self.flag.load(Ordering::SeqCst)
    }

    /// The exit status for the signal that came: 130 for SIGINT, 143 for SIGTERM.
    fn exit_code(&self) -> u8 {
        match self.code.load(Ordering::SeqCst) {
            143 => 143,
            _ => 130,
        }
    }

    /// The error a batch stopped by a signal returns: `done` of `total`
    /// credentials are issued (`kept: false`: signed but not kept, as a bundle
    /// is written only complete).
    pub fn stopped(&self, done: u64, total: u64, kept: bool) -> anyhow::Error {
        anyhow::Error::new(Interrupted {
            done,
            total,
            kept,
            code: self.exit_code(),
        })
    }

    /// Without any signal: answers no `n` times, then yes (the tests stop a batch
    /// after `n` checks with it).
    pub fn after(n: u64) -> Self {
        Self {
            checks_left: Some(std::sync::atomic::AtomicU64::new(n)),
            ..Self::default()
        }
    }
}

/// A batch stopped by SIGINT or SIGTERM; `main` prints it and exits with
/// [`Interrupted::code`].
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct Interrupted {
    done: u64,
    total: u64,
    kept: bool,
    /// The exit status: 128 + the signal's number.
    pub code: u8,
}

impl Interrupted {
    fn describe(&self) -> String {
        let Self {
            done, total, kept, ..
        } = self;
        if *kept {
            format!(
                "interrupted after {done} of {total} credentials; run the same command again to resume"
            )
        } else {
            format!(
                "interrupted before the last of {total} credentials was written: nothing was written (the file appears only complete); run the same command again to resume"
            )
        }
    }
}
