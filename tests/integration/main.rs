//! Workspace integration tests, compiled as one binary.

// Test code: an unwrap or panic that fires is a failing test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod batch;
mod browser;
mod change_passphrase;
mod cli;
mod common;
mod contexts;
mod ecdsa;
mod ecdsa_keys;
mod first_hour;
mod hygiene;
mod interop;
mod issuing;
mod jcs_oracle;
mod jwt_issuing;
mod keys;
mod malformed;
mod presenting;
mod profiles;
mod properties;
mod rdfc;
mod server;
mod server_status;
mod server_tls;
mod suites;
mod vectors;
mod verifier;
