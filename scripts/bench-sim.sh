#!/usr/bin/env bash
# tern-sim's own throughput, no faults: signed IAM GetRole requests per
# second over keep-alive connections. Usage: bench-sim.sh [CONNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TERN_BUILD_DIR:-build}
bash scripts/build.sh >/dev/null
work=$(mktemp -d)
"$dir/tests/tern-sim" --port 0 --port-file "$work/port" --quiet &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
"$dir/tests/bench_sim" "http://127.0.0.1:$(cat "$work/port")" "${1:-50}" "${2:-5}"
