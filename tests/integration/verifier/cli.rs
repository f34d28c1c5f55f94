//! `microcred-verify` as a process.
