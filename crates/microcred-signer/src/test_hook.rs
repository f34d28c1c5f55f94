//! A pause point for the crash-safety tests, so that they can kill a batch at a
//! known place instead of racing it with a timer (a batch of thousands of rows
//! finishes in a tenth of a second on a fast machine, and takes seconds on a slow
//! one).
//!
//! With `MICROCRED_TEST_PAUSE_AFTER_ROWS=N` in its environment, `batch` stops
//! once N rows of this run are on disk — renamed and marked in the ledger with
//! `--out`, written to the temporary bundle with `--out-jsonl` — writes
//! [`MARKER`] and N to stderr, and waits until it is killed. Without the variable
//! (every real run) nothing changes.

use std::io::Write as _;
use std::sync::OnceLock;

/// The environment variable that sets the pause point.
const VAR: &str = "MICROCRED_TEST_PAUSE_AFTER_ROWS";

/// What `batch` writes to stderr when it pauses (followed by the row count).
pub const MARKER: &str = "microcred-sign: test pause after rows:";

/// The row count to pause after, if the variable is set to a number.
fn limit() -> Option<u64> {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    *LIMIT.get_or_init(|| std::env::var(VAR).ok()?.trim().parse().ok())
}

/// True when `done` rows of this run reach the pause point.
pub fn reached(done: u64) -> bool {
    limit().is_some_and(|n| done == n)
}

/// Announces the pause on stderr, then blocks this thread for good (the test
/// kills the process). Other threads go on until they block on this one, as
/// they would around a crash.
pub fn pause(done: u64) -> ! {
    let _ = writeln!(std::io::stderr(), "{MARKER} {done}");
    loop {
        std::thread::park();
    }
}
