#!/usr/bin/env bash
# The state store's crash campaign: a child commits steps in a loop and is
# SIGKILLed at random moments; after each kill, every step it reported done
# must be present, the file must pass integrity checks, and the intent in
# flight must be visible. Usage: campaign-state-crash.sh [TRIALS (300)] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-300}
dir=${TERN_BUILD_DIR:-build}
bash scripts/build.sh >/dev/null
export TERN_STATE_CRASH_TRIALS=$trials
[ -n "${2:-}" ] && export TERN_STATE_CRASH_SEED=$2
start=$(date +%s)
"$dir/tests/tern_unit_tests" -t 3600 -s state_crash::random_kills
echo "state crash campaign: $trials trials passed in $(( $(date +%s) - start )) s"
