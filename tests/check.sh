#!/usr/bin/env bash
# The whole test suite: what CI runs and what a contributor runs before a commit.
# Usage: bash tests/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet
cargo test --workspace --locked
bash tests/demo.sh >/dev/null
