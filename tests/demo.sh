#!/usr/bin/env bash
# The main job on the bundled example: sign keys-example/'s example micro-credential with the
# example issuer key, then verify the result offline (signature, issuer, trust, validity, and the
# EMC and EU 2022 micro-credential frameworks) and print the report.
# Usage: bash tests/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked --bins
# Where cargo put the binaries (CARGO_TARGET_DIR, a configured target-dir, or target/).
bin="$(cargo metadata --locked --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# git does not keep file modes, and the signer refuses keys others can read: use a private copy.
install -m 600 keys-example/example-university.key.json "$work/issuer.key.json"
"$bin/microcred-sign" issue --key "$work/issuer.key.json" \
  --out "$work/signed.json" keys-example/micro-credential.unsigned.json
echo "Signed: $(grep -c '' "$work/signed.json") lines, proof by $(grep -m1 -o '"verificationMethod": "[^#]*' "$work/signed.json" | cut -d'"' -f4)"
echo
# Verify as an employer would: against a trust list and the EMC and EU 2022 frameworks.
"$bin/microcred-verify" --trust keys-example/trust-list.json \
  --profile emc-cmf --profile eu-2022 "$work/signed.json"
