#!/usr/bin/env bash
# run-fuzzer.sh FUZZER SEED_DIR SECONDS
# Runs a libFuzzer target for SECONDS on the committed seeds without writing
# into them: new inputs go to a temporary directory, which is removed.
set -euo pipefail
fuzzer=$1 seeds=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$work" "$seeds"
