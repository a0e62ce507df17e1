#!/usr/bin/env bash
# Runs every cargo-fuzz target for $1 seconds (default $FUZZ_SECONDS or 600), starting from
# the committed seeds and the local corpus, and prints executions and coverage per target.
# A finding stops the run with libFuzzer's report and the crashing input in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH="${1:-${FUZZ_SECONDS:-600}}"
cargo +nightly fuzz build -O
for target in origin config request_headers decision; do
  mkdir -p "corpus/${target}"
  echo "== fuzz ${target} for ${SECONDS_EACH} s"
  cargo +nightly fuzz run -O "${target}" "corpus/${target}" "seeds/${target}" -- \
    -max_total_time="${SECONDS_EACH}" -print_final_stats=1 2>&1 \
    | grep -E "^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|stat::number_of_executed_units|panicked|ERROR|SUMMARY|Test unit written" \
    || { echo "fuzz ${target} failed"; exit 1; }
done
