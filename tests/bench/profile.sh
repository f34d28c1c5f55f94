#!/usr/bin/env bash
# Instruction counts per operation under callgrind: unlike timings, they do not move
# when other processes load the machine. Prints each operation's count and its ratio
# to raw Ed25519 (verify_strict for verification, sign for signing), and keeps the
# callgrind profile of verifying a 4 KB credential for callgrind_annotate.
#
# Usage: bash tests/bench/profile.sh [OUT_DIR]   (needs valgrind)
# Note: under valgrind, CPUID does not report the SHA extensions, so SHA-256 runs
# its portable code; hashing weighs more here than on the real CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-target/profile}"
mkdir -p "$OUT"
cargo build --release --quiet -p microcred-tests --example bench-ops
BIN=target/release/examples/bench-ops

count() { # OP K -> instructions
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1.$2" "$BIN" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_op() { # OP -> instructions per call
  local one eleven
  one=$(count "$1" 1)
  eleven=$(count "$1" 11)
  echo $(( (eleven - one) / 10 ))
}

raw_verify=$(per_op raw_verify)
raw_sign=$(per_op raw_sign)
printf '%-22s %12s %8s\n' operation instructions ratio
printf '%-22s %12d %8s\n' raw_verify "$raw_verify" "1.00x"
printf '%-22s %12d %8s\n' raw_sign "$raw_sign" "1.00x"
for op in did_key_resolve did_key_resolve_cold parse_value_4KB verify_bytes_1KB verify_bytes_4KB verify_bytes_4KB_cold verify_bytes_16KB value_verify_4KB; do
  n=$(per_op "$op")
  printf '%-22s %12d %7.2fx\n' "$op" "$n" "$(echo "$n / $raw_verify" | bc -l)"
done
for op in add_proof_bytes_1KB add_proof_bytes_4KB add_proof_bytes_16KB value_sign_4KB; do
  n=$(per_op "$op")
  printf '%-22s %12d %7.2fx\n' "$op" "$n" "$(echo "$n / $raw_sign" | bc -l)"
done
n=$(per_op batch_64x4KB)
printf '%-22s %12d %7.2fx  (per credential: %d)\n' batch_64x4KB "$n" "$(echo "$n / 64 / $raw_verify" | bc -l)" $(( n / 64 ))
echo "profile of verify_bytes_4KB: callgrind_annotate $OUT/cg.verify_bytes_4KB.11"
