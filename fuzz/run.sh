#!/usr/bin/env bash
# Builds and runs the fuzz targets with libFuzzer on the STABLE toolchain: the same
# instrumentation flags `cargo fuzz build --sanitizer none` passes to rustc, all of them
# stable (-C passes=sancov-module, -C llvm-args=-sanitizer-coverage-*, --cfg fuzzing), so
# neither nightly, RUSTC_BOOTSTRAP nor cargo-fuzz is needed. (`cargo fuzz run
# --sanitizer none TARGET` works too, once `cargo install cargo-fuzz`.)
#
# Usage:
#   bash fuzz/run.sh build                 build every target
#   bash fuzz/run.sh smoke [SECONDS]       build, then run each target SECONDS (10) from the seeds
#   bash fuzz/run.sh run TARGET SECONDS [libFuzzer flags…]
#                                          run one target on fuzz/corpus/TARGET (seeded
#                                          from fuzz/seeds/TARGET), crashes to fuzz/artifacts/
#   bash fuzz/run.sh list                  the target names
#
# Findings: a crash, a failed assertion, a timeout (-timeout, 10 s) or memory beyond
# -rss_limit_mb (2048) stops the run and leaves the input in fuzz/artifacts/TARGET/;
# replay it with `fuzz/target/release/TARGET fuzz/artifacts/TARGET/crash-…`.
set -euo pipefail
cd "$(dirname "$0")"

targets() { sed -n 's/^name = "\([a-z_]*\)"$/\1/p' Cargo.toml | grep -v '^microcred-fuzz$'; }

flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  -Cllvm-args=-sanitizer-coverage-stack-depth
  -Cllvm-args=-simplifycfg-branch-fold-threshold=0
  --cfg fuzzing
  -Cdebug-assertions
  -Coverflow-checks
)
triple=$(rustc -vV | sed -n 's/^host: //p')

build() {
  # --target keeps RUSTFLAGS away from build scripts and proc macros.
  RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}" cargo build --release --locked \
    --target "$triple" --bins "$@"
}

run() {
  local target=$1 seconds=$2
  shift 2
  mkdir -p "corpus/$target" "artifacts/$target"
  if [ -d "seeds/$target" ]; then cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true; fi
  "target/$triple/release/$target" "corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 "$@"
}

case "${1:-}" in
  build) build ;;
  list) targets ;;
  run) build --bin "$2" >&2; run "$2" "$3" "${@:4}" ;;
  smoke)
    build
    seconds=${2:-10}
    for t in $(targets); do
      # A smoke run starts from the committed seeds only, in a scratch corpus.
      scratch=$(mktemp -d)
      cp seeds/"$t"/* "$scratch/" 2>/dev/null || true
      set +e
      timeout $((seconds + 60)) "target/$triple/release/$t" "$scratch" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$scratch/" -print_final_stats=1 >"$scratch/log" 2>&1
      status=$?
      set -e
      execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
      if [ "$status" -ne 0 ]; then
        tail -n 40 "$scratch/log" >&2
        echo "fuzz target $t FAILED (status $status); the input is above" >&2
        rm -rf "$scratch"
        exit 1
      fi
      echo "fuzz smoke: $t: ${execs:-?} runs in ${seconds} s, no finding"
      rm -rf "$scratch"
    done
    ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
