# Shared by scripts/campaign-*.sh (sourced, not run): build once, then run
# one reliability case of tern_unit_tests with the campaign's sizes and
# print its figures (the case's "# ..." lines).
set -euo pipefail
cd "$(dirname "$0")/.."
export TERN_BUILD_DIR=${TERN_BUILD_DIR:-build-campaign}
export TERN_BUILD_TYPE=${TERN_BUILD_TYPE:-RelWithDebInfo}

campaign_build() {
    bash scripts/setup.sh >/dev/null
    bash scripts/build.sh >/dev/null
}

# campaign_run CASE LOGFILE: run reliability::CASE with a generous timeout,
# its output in LOGFILE; prints the figures; returns the case's status.
campaign_run() {
    local case=$1 log=$2 rc=0
    "$TERN_BUILD_DIR/tests/tern_unit_tests" -t 14400 -s "reliability::$case" \
        >"$log" 2>&1 || rc=$?
    grep '^# ' "$log" | grep -v '^# [0-9]* passed' | sed 's/^# //' || true
    if [ $rc -ne 0 ]; then
        echo "FAILED: see $log"
    fi
    return $rc
}
