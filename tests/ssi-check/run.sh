#!/usr/bin/env bash
# The second eddsa-rdfc-2022 reference: builds tests/ssi-check (SpruceID's ssi, outside the
# workspace: its dependency tree takes minutes to build) and runs the interop::ssi tests,
# which the README's test command leaves out (they are #[ignore]d). .ci/run calls this.
# See docs/interop.md, "A second reference: SpruceID's ssi".
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --locked --quiet --manifest-path tests/ssi-check/Cargo.toml
export SSI_CHECK="$PWD/tests/ssi-check/target/debug/ssi-check"
cargo test --locked --quiet -p microcred-tests --test integration -- --ignored interop::ssi::
