#!/usr/bin/env bash
# Bulk issuance and verification throughput, against raw Ed25519 measured in the same
# run, and against Digital Bazaar's reference JavaScript stack on the same files.
#
# Usage: bash tests/bench/bulk.sh [N] [PEER_DIR]
#   N         number of credentials (default 10000)
#   PEER_DIR  a directory holding the interop `lib.mjs` and an installed `node_modules`
#             with the reference stack (default tests/interop, after `npm ci` there);
#             the peer is skipped, with a message, when it is missing.
# Timings are printed, never asserted. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"
PEER_DIR="${2:-tests/interop}"

cargo build --release --quiet -p microcred-tests --example bulk-bench
cargo build --release --quiet -p microcred-signer --bin microcred-sign
BIN=target/release/examples/bulk-bench
SIGN=target/release/microcred-sign
cargo build --release --quiet -p microcred-verifier --bin microcred-verify
VERIFY="$PWD/target/release/microcred-verify"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DIR="$WORK/credentials"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== issuance"
"$BIN" generate "$DIR" "$N" 1
"$BIN" generate "$WORK/again" "$N" 2

echo "== batch issuance (microcred-sign batch as a process, ledger included, into an empty directory)"
# Raw Ed25519 sign is timed in the same process on the same number of threads,
# alternating with the batch runs; best of 3 of each. --suite both (the default for
# Open Badges) adds an eddsa-rdfc-2022 proof: one round, for scale. Nothing is deleted
# until the end (see bulk_bench.rs: file creation on ext4 is slower after mass deletion).
for threads in 1 2; do
  "$BIN" issue "$SIGN" "$N" "$threads" jcs 3 ledger "$WORK/issue"
done
echo "== the same into one JSON Lines file (--out-jsonl)"
for threads in 1 2; do
  "$BIN" issue "$SIGN" "$N" "$threads" jcs 3 ledger "$WORK/issue" jsonl
done
"$BIN" issue "$SIGN" "$N" 2 jcs 3 no-ledger "$WORK/issue"
"$BIN" issue "$SIGN" "$N" 2 both 1 ledger "$WORK/issue"

echo "== bulk verification (microcred bulk driver; each run in its own process)"
for mode in single batch; do
  for threads in 1 2; do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f "  (/usr/bin/time: %e s wall, %M KiB max RSS)" "$BIN" verify "$DIR" "$threads" "$mode"
    else
      "$BIN" verify "$DIR" "$threads" "$mode"
    fi
  done
done

echo "== microcred-verify DIR (the binary: full reports, JSON Lines to /dev/null)"
for threads in 1 2; do
  "$BIN" binary "$VERIFY" "$DIR" "$threads"
done

echo "== scaling 1 → 2 threads, all in the same interleaved rounds (with raw Ed25519's own)"
"$BIN" scaling "$DIR" 2 5 "$VERIFY"

echo "== reference implementation on the same files"
if [ -f "$PEER_DIR/lib.mjs" ] && [ -d "$PEER_DIR/node_modules/@digitalbazaar/vc" ] && command -v node >/dev/null; then
  PEER_RUN="$WORK/peer"
  mkdir -p "$PEER_RUN"
  cp "$PEER_DIR/lib.mjs" tests/bench/peer-verify.mjs "$PEER_RUN/"
  ln -s "$(cd "$PEER_DIR" && pwd)/node_modules" "$PEER_RUN/node_modules"
  # Ours right before and right after the peer, so that a change of machine load
  # during the peer's (longer) run shows.
  "$BIN" verify "$DIR" 1 batch
  "$BIN" binary "$VERIFY" "$DIR" 1
  MICROCRED_ROOT="$PWD/" node "$PEER_RUN/peer-verify.mjs" "$DIR"
  "$BIN" binary "$VERIFY" "$DIR" 1
  "$BIN" verify "$DIR" 1 batch
  echo "== the same with ≈ 2 KB credentials (the size the issue quotes the reference for)"
  "$BIN" generate "$WORK/small" "$N" 1 small
  "$BIN" verify "$WORK/small" 1 batch
  MICROCRED_ROOT="$PWD/" node "$PEER_RUN/peer-verify.mjs" "$WORK/small"
  "$BIN" verify "$WORK/small" 1 batch
else
  echo "  skipped: no reference stack in $PEER_DIR (needs lib.mjs and node_modules: run npm ci there)"
fi
