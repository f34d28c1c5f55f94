#!/usr/bin/env bash
# The whole test suite: what CI runs and what a contributor runs before a commit. It first
# installs what the tests need beyond the Rust toolchain (tests/setup.sh: npm packages,
# Chromium), so that it passes on a fresh clone.
# Usage: bash tests/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo fmt --all --check
# fuzz/ is outside the workspace with a lock file of its own: a dependency change in the
# crates must update it too, or .ci/run's fuzz build fails on --locked.
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
cargo clippy --workspace --all-targets --locked -- -D warnings
# The verifier is released on its own, with the core's `signing` feature off: code that
# only signing uses must not warn there (workspace builds unify features and hide it).
cargo clippy -p microcred-verifier --lib --bins --locked -- -D warnings
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet
# Every test binary runs even when one fails, so that one failure hides no other.
cargo test --workspace --locked --no-fail-fast
bash tests/demo.sh >/dev/null
