#!/usr/bin/env bash
# The cost of the S3 backend (README "The S3 backend", issue 18): the same
# apply with the local state and with `backend "s3"` against tern-sim, each
# from nothing, measured from the outside (tests/bench/bench_run: wall
# time) and from the simulator's call log (tests/bench/bench_calls: calls,
# round trips waited for one after another); for S3 also the writes of the
# state object and their bytes (tern's own count, logged at INFO).
#
#   B1   examples/sagemaker-deploy from nothing, 100 ms per request (as
#        scripts/bench.sh's B1)
#        B1 runs with three backends: local, s3 (use_lockfile) and ddb
#        (dynamodb_table: the table's lock and the state's digest)
#   S10, S25, S50  that many of scripts/bench.sh's role stacks (role,
#        managed attachment, inline policy, instance profile: 4 resources
#        each), 20 ms per request, -parallelism=50; TERN_BENCH_S3_STACKS
#        picks the sizes (default "10 25 50"; S500 is B2)
#
# Usage: bash scripts/bench-s3.sh [RUNS]   (default 3; the median run by
# wall time is shown). TERN_BUILD_DIR (default build-bench) is configured
# as a Release build when it is new (an existing build directory keeps its
# build type: TERN_BUILD_DIR=build measures scripts/build.sh's). TERN_S3_PUSH_INTERVAL_MS is passed on (default 1000).
# Everything talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-3}
dir=${TERN_BUILD_DIR:-build-bench}
case $dir in /*) ;; *) dir=$root/$dir ;; esac

[ -f "$dir/CMakeCache.txt" ] ||
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$dir" -j"$(nproc)" --target tern tern-sim bench_run \
    bench_calls >/dev/null
tern=$dir/tern
run=$dir/tests/bench_run
calls=$dir/tests/bench_calls

work=$(mktemp -d)
. scripts/lib-bench.sh
bench_start_sim "$dir/tests/tern-sim" "$work"
bench_env

workspace_role='{"iam":{"roles":[{"name":"databricks-workspace",
  "assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::414351767826:root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"0000-bench\"}}}]}"}]},
  "s3":{"buckets":[{"name":"tfstate"}]},
  "dynamodb":{"tables":[{"name":"locks"}]}}'

backend_tf='terraform {
  backend "s3" {
    bucket       = "tfstate"
    key          = "bench/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
  }
}'
ddb_backend_tf='terraform {
  backend "s3" {
    bucket         = "tfstate"
    key            = "bench/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "locks"
  }
}'

# prepare CASE BACKEND(local|s3): a fresh directory and simulator.
prepare() {
    local d=$work/$1-$2
    ctl POST reset
    ctl POST load "$workspace_role"
    rm -rf "$d"
    if [ "$1" = B1 ]; then
        cp -r examples/sagemaker-deploy "$d"
        rm -f "$d"/*.tfvars "$d"/tern.tfstate*
    else
        mkdir -p "$d"
        stacks_tf >"$d/main.tf"
    fi
    if [ "$2" = s3 ] || [ "$2" = ddb ]; then
        if [ "$2" = s3 ]; then
            echo "$backend_tf" >"$d/backend.tf"
        else
            echo "$ddb_backend_tf" >"$d/backend.tf"
        fi
        (cd "$d" && "$tern" init -no-color >/dev/null)
    fi
    echo "$d"
}

# measure CASE BACKEND LATENCY -- TERN-ARGS...: one apply, a result line.
measure() {
    local name=$1 be=$2 lat=$3 d line cl pushes
    shift 4
    d=$(prepare "$name" "$be")
    ctl POST faults "{\"latency_ms\": $lat}"
    ctl DELETE calls
    line=$(cd "$d" && env TF_LOG=INFO TF_LOG_PATH="$d/log" \
        "$run" "$work/out" -- "$tern" apply -auto-approve -no-color "$@") || {
        echo "bench-s3: $name $be: tern apply failed:" >&2
        tail -20 "$work/out" >&2
        exit 1
    }
    ctl POST faults '{"latency_ms": 0}'
    curl -sf "$url/_sim/calls" >"$work/calls.json"
    cl=$("$calls" "$work/calls.json")
    pushes=$(sed -n 's/.*backend s3: \([0-9]*\) pushes, \([0-9]*\) bytes.*/pushes=\1 bytes=\2/p' \
        "$d/log" | tail -1)
    echo "$name $be $line $cl ${pushes:-pushes=0 bytes=0}" >>"$work/results"
}

echo "bench-s3: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
    "TERN_S3_PUSH_INTERVAL_MS=${TERN_S3_PUSH_INTERVAL_MS:-1000}"
b1vars=(-var workspace_role_name=databricks-workspace -var create_cluster=false
    -var instance_profile_group=)
for _ in $(seq "$runs"); do
    for be in local s3 ddb; do
        measure B1 "$be" 100 -- "${b1vars[@]}"
        [ "$be" = ddb ] && continue
        for n in ${TERN_BENCH_S3_STACKS:-10 25 50}; do
            measure "S$n" "$be" 20 -- -parallelism=50 -var copies="$n"
        done
    done
done

# The median run of each case by wall time.
awk '
{
    key = $1 " " $2
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    n[key]++
    row[key, n[key]] = sprintf("%-5s %-5s calls=%-4s depth=%-3s wall=%5.2fs pushes=%-4s bytes=%s",
        $1, $2, v["calls"], v["depth"], v["wall_ms"] / 1000, v["pushes"], v["bytes"])
    wall[key, n[key]] = v["wall_ms"]
    if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
}
END {
    for (k = 1; k <= nk; k++) {
        key = keys[k]
        m = n[key]
        for (i = 1; i <= m; i++) idx[i] = i
        for (i = 1; i <= m; i++)
            for (j = i + 1; j <= m; j++)
                if (wall[key, idx[j]] < wall[key, idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
        print row[key, idx[int((m + 1) / 2)]]
    }
}' "$work/results"
