#!/usr/bin/env bash
# The whole test suite: what CI runs and what a contributor runs before a commit.
# Usage: bash tests/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
# fuzz/ is outside the workspace with a lock file of its own: a dependency change in the
# crates must update it too, or .ci/run's fuzz build fails on --locked.
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
cargo clippy --workspace --all-targets --locked -- -D warnings
# The verifier is released on its own, with the core's `signing` feature off: code that
# only signing uses must not warn there (workspace builds unify features and hide it).
cargo clippy -p microcred-verifier --lib --bins --locked -- -D warnings
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet
cargo test --workspace --locked
bash tests/demo.sh >/dev/null
