//! The verifier (`microcred-verifier`), through its library and as the
//! `microcred-verify` process. Fixtures are signed in the tests with keys from
//! fixed seeds (see `fixtures`), not checked in.

mod bundles;
mod cannot_check;
mod cli;
mod collection;
mod fixtures;
mod identity;
mod jwt;
mod library;
mod verdicts;
