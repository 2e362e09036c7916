#!/usr/bin/env bash
# Run every libFuzzer target for a while and report executions, coverage
# and crashes. Usage: fuzz.sh [SECONDS_PER_TARGET (default 600)] [TARGET...]
# New inputs that increase coverage go to build-fuzz/corpora/<name>/; copy
# small interesting ones (and every crash, once fixed) to
# tests/fuzz/corpora/<name>/ so ctest replays them.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
bash scripts/setup.sh
CC=clang cmake -S . -B build-fuzz -DTERN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do n=$(basename "$f" .c); targets+=("${n#fuzz_}"); done
fi
status=0
printf '%-12s %12s %10s %8s\n' target executions coverage crashes
for t in "${targets[@]}"; do
    work=build-fuzz/corpora/$t
    mkdir -p "$work" build-fuzz/crashes/$t
    log=build-fuzz/fuzz-$t.log
    if ./build-fuzz/tests/fuzz_$t "$work" tests/fuzz/corpora/$t \
        -max_total_time="$secs" -artifact_prefix=build-fuzz/crashes/$t/ \
        -print_final_stats=1 >"$log" 2>&1; then :; else status=1; fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
    crashes=$(ls build-fuzz/crashes/$t | wc -l)
    printf '%-12s %12s %10s %8s\n' "$t" "$execs" "$cov" "$crashes"
done
exit $status
