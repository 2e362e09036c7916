#!/usr/bin/env bash
# The tests that start threads, under ThreadSanitizer (gcc, RelWithDebInfo,
# build-tsan/; TERN_BUILD_DIR overrides). Every process the tests start
# (the runner, tern, tern-sim) writes its reports to a file of its own, so
# a race in tern-sim or in a tern whose exit status a test does not check
# fails the pass too. Extra arguments go to ctest (e.g. -V).
#
# Which tests: the engine's apply and plan workers, the signals thread,
# the progress table, the log level, the AWS, S3 and Databricks clients'
# shared state (credentials, connection pool, clock skew), the CLI's apply
# cases (Ctrl-C, the progress ticker). Not the reliability campaigns nor
# dbx_cluster::kill_trials: loops of SIGKILLed or competing processes,
# whose threads the cases above already run, and 60-90 s each under TSan
# (the runner gives a case 120). The rest of the suite (parsers, the
# language, the simulator's own tests, the golden corpora) starts no
# thread in tern and would double the CI time for nothing (README,
# Reliability).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TERN_BUILD_DIR:-build-tsan}
TERN_BUILD_DIR=$dir TERN_SANITIZE=thread bash scripts/build.sh
reports=$(mktemp -d "${TMPDIR:-/tmp}/tern-tsan-XXXXXX")
trap 'rm -rf "$reports"' EXIT
threaded='^(threads|engine_apply|engine_plan|op_progress|util|aws_client|credentials|dbx_client|s3_client|cli_apply|dbx_cluster)::'
status=0
(cd "$dir" &&
    TSAN_OPTIONS="log_path=$reports/report halt_on_error=0 second_deadlock_stack=1" \
        ctest -j"$(nproc)" -R "$threaded" -E '^dbx_cluster::kill_trials$' \
            --output-on-failure "$@") || status=$?
if [ -n "$(ls -A "$reports")" ]; then
    echo "== ThreadSanitizer reports" >&2
    cat "$reports"/* >&2
    status=1
fi
exit "$status"
