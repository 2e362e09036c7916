#!/usr/bin/env bash
# The unit, integration and module suites, whole, under ThreadSanitizer
# (gcc, RelWithDebInfo, build-tsan/; TERN_BUILD_DIR overrides). Every
# process the tests start (the runner, tern, tern-sim) writes its reports
# to a file of its own, so a race in tern-sim or in a tern whose exit
# status a test does not check fails the pass too. Extra arguments go to
# ctest (e.g. -V, or -R REGEX for a part).
#
# Everything runs 5 to 15 times slower: a bad-input or golden shard (a
# hundred tern runs) took 134 s alone against 15 s in the plain build, so
# a TSan build gives each case 20 minutes (tests/CMakeLists.txt) where
# the plain build gives 2. The few tests whose bound is wall-clock time
# take a longer one there (TT_THREAD_SANITIZER, tests/support/support.h).
# Nothing is left out: sim_control::serves_200_concurrent_connections,
# which was (starting its 200 connections took over 41 s here, past the
# latency that was to keep them in flight), now has tern-sim hold the
# requests until 200 wait together (POST /_sim/hold) and took 16-18 s
# under TSan at load average 23. The lint and fuzz labels are not the suites the pass is for (lint
# starts no thread; the fuzz corpora run in the plain and clang passes).
# README, Reliability, has the time it takes.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TERN_BUILD_DIR:-build-tsan}
TERN_BUILD_DIR=$dir TERN_SANITIZE=thread bash scripts/build.sh
reports=$(mktemp -d "${TMPDIR:-/tmp}/tern-tsan-XXXXXX")
trap 'rm -rf "$reports"' EXIT
status=0
(cd "$dir" &&
    TSAN_OPTIONS="log_path=$reports/report halt_on_error=0 second_deadlock_stack=1" \
        ctest -j"$(nproc)" -L '^(unit|integration|module)$' \
            --output-on-failure "$@") || status=$?
if [ -n "$(ls -A "$reports")" ]; then
    echo "== ThreadSanitizer reports" >&2
    cat "$reports"/* >&2
    status=1
fi
exit "$status"
