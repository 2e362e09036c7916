#!/usr/bin/env bash
# Instruction counts of B2 and B5 (scripts/bench.sh) under
# `valgrind --tool=callgrind`, all threads: unlike wall or CPU time they do
# not depend on the machine's load. tern-sim runs without latency.
#
#   B2  one apply of 500 role stacks (2,000 resources) from nothing,
#       -parallelism=50
#   B5  plan -refresh=false over 2,500 stacks (10,000 resources), the
#       state made first by an apply outside valgrind
#   B2S3  B2 with `backend "s3"` on tern-sim (init outside valgrind) and
#       TERN_S3_PUSH_INTERVAL_MS=600000: the final push only, so the count
#       does not depend on how long the apply takes under valgrind (the
#       background pushes do); B2S3 - B2 is the lock, the read, the final
#       push and the unlock (README "The S3 backend")
#
# Usage: bash scripts/bench-instr.sh [TERN]   (default: this tree's Release
# tern in TERN_BUILD_DIR, default build-rel, which must be built; TERN may
# be another commit's Release tern, built in its own directory). Prints one
# line a case, "B2 instructions=N", and leaves callgrind's output in
# TERN_INSTR_OUT (default a temporary directory, printed) for
# `callgrind_annotate --inclusive=yes`. TERN_BENCH_CASES picks the cases
# (default "B2 B5"; "B2 B2S3" for the S3 backend). Everything talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${TERN_BUILD_DIR:-build-rel}
case $dir in /*) ;; *) dir=$root/$dir ;; esac
tern=${1:-$dir/tern}
case $tern in /*) ;; *) tern=$root/$tern ;; esac
cases=" ${TERN_BENCH_CASES:-B2 B5} "
want() { case $cases in *" $1 "*) return 0 ;; esac; return 1; }
out=${TERN_INSTR_OUT:-$(mktemp -d)}
mkdir -p "$out"

work=$(mktemp -d)
. scripts/lib-bench.sh
bench_start_sim "$dir/tests/tern-sim" "$work"
bench_env

# count CASE DIR TERN-ARGS...: tern under callgrind; prints the total.
count() {
    local name=$1 d=$2
    shift 2
    (cd "$d" && valgrind --tool=callgrind --callgrind-out-file="$out/$name.cg" \
        "$tern" "$@" >"$out/$name.out" 2>"$out/$name.valgrind") || {
        echo "bench-instr: $name failed:" >&2
        tail -20 "$out/$name.out" "$out/$name.valgrind" >&2
        exit 1
    }
    echo "$name instructions=$(sed -n 's/^totals: *//p' "$out/$name.cg")"
}

echo "bench-instr: $tern; output in $out"
if want B2; then
    ctl POST reset
    ctl POST faults '{"latency_ms": 0}'
    mkdir "$work/b2" && stacks_tf >"$work/b2/main.tf"
    count B2 "$work/b2" apply -auto-approve -no-color -parallelism=50
fi
if want B2S3; then
    ctl POST reset
    ctl POST faults '{"latency_ms": 0}'
    ctl POST load '{"s3":{"buckets":[{"name":"tfstate"}]}}'
    mkdir "$work/b2s3" && stacks_tf >"$work/b2s3/main.tf"
    cat >"$work/b2s3/backend.tf" <<'TF'
terraform {
  backend "s3" {
    bucket       = "tfstate"
    key          = "bench/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
  }
}
TF
    (cd "$work/b2s3" && "$tern" init -no-color >"$out/b2s3-init.out" 2>&1) || {
        echo "bench-instr: B2S3 init failed" >&2
        tail -20 "$out/b2s3-init.out" >&2
        exit 1
    }
    TERN_S3_PUSH_INTERVAL_MS=600000 count B2S3 "$work/b2s3" apply \
        -auto-approve -no-color -parallelism=50
fi
if want B5; then
    ctl POST reset
    ctl POST faults '{"latency_ms": 0}'
    mkdir "$work/b5" && stacks_tf >"$work/b5/main.tf"
    (cd "$work/b5" && "$tern" apply -auto-approve -no-color -parallelism=50 \
        -var copies=2500 >"$out/b5-setup.out" 2>&1) || {
        echo "bench-instr: B5 setup failed" >&2
        tail -20 "$out/b5-setup.out" >&2
        exit 1
    }
    count B5 "$work/b5" plan -refresh=false -no-color -var copies=2500
fi
