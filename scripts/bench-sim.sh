#!/usr/bin/env bash
# tern-sim's own throughput, no faults: signed IAM GetRole requests per
# second over keep-alive connections. Usage: bench-sim.sh [CONNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TERN_BUILD_DIR:-build}
bash scripts/build.sh >/dev/null
work=$(mktemp -d)
. scripts/lib-bench.sh
bench_start_sim "$dir/tests/tern-sim" "$work"
"$dir/tests/bench_sim" "$url" "${1:-50}" "${2:-5}"
