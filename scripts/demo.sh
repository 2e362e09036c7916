#!/usr/bin/env bash
# tern's main job, run against the local simulator: install what is
# missing, build, start tern-sim, run its self-check, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
dir=${TERN_BUILD_DIR:-build}
work=$(mktemp -d)
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$dir/tests/tern-sim" --port 0 --port-file "$work/port" --quiet &
sim_pid=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
echo "\$ tern-sim --port 0   # listening on http://127.0.0.1:$port"
"$dir/tests/tern-sim" --self-check "http://127.0.0.1:$port"
