//! Prints the RDFC-1.0 canonical N-Quads that `eddsa-rdfc-2022` hashes for a
//! JSON-LD document (bundled contexts only), to compare with another
//! implementation when a proof does not verify there.
//!
//! `cargo run -p microcred-core --example rdfc_canonicalize -- credential.json`

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: rdfc_canonicalize FILE.json");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let doc = match microcred_core::json::parse(&bytes) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    match microcred_core::rdfc::canonicalize(&doc) {
        Ok(nquads) => {
            print!("{nquads}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", path.to_string_lossy());
            ExitCode::from(1)
        }
    }
}
