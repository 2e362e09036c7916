#!/usr/bin/env bash
# The benchmarks of issue 9: tern against tern-sim with injected latency,
# each case measured from the outside (tests/bench/bench_run: wall time,
# tern's own CPU time and peak memory from wait4) and from the simulator's
# call log (tests/bench/bench_calls: calls, round trips waited for one
# after another, span). Benchmarks, not timed tests: nothing here fails on
# time; the table says how each figure compares with its bound.
#
#   B1  examples/sagemaker-deploy applied from nothing (tern apply
#       -auto-approve, no plan file), 100 ms per request
#   B2  500 role stacks (role with trust policy, managed attachment, inline
#       policy, instance profile: 2,000 resources), -parallelism=50, 20 ms
#   B3  a no-op plan over B2's state (bulk refresh), and the same with
#       per-object reads (TERN_BULK_REFRESH_MIN=off) for contrast
#   B4  destroy of B2's state, same settings
#   B5  10,000 resources in the state, plan -refresh=false, nothing to do
#   B6  right after B1's apply: a no-op plan (B6-noop), then, after a change
#       made outside tern (the role's trust policy replaced and its managed
#       policy detached, with botocore), the plan that reports it (B6)
#   B7  issue 19's case at scale (called B6 there; B6 was taken): 2,500
#       role stacks (10,000 resources) created, -parallelism=100, 20 ms;
#       its state file's size is shown too
#   G500, G1000, G2500, G5000  the growth table: B2 at that many stacks
#
# Usage: bash scripts/bench.sh [RUNS]   (default 3; the median run by wall
# time is shown, with the spread: the fastest and slowest wall time).
# TERN_BUILD_DIR (default build-bench) is configured as a Release build.
# Everything talks to 127.0.0.1 only.
#
#   TERN_BENCH_CASES="B1 B2 B5 B7 G"  which groups run (default "B1 B2 B5";
#       B1 runs B1 and B6, B2 runs B2 to B4, G the growth table)
#   TERN_BENCH_BASE=/path/to/tern  a baseline tern (another commit's Release
#       build, in its own directory): each run measures it and this tree's
#       tern one after the other, in alternating order, on the same
#       simulator; its rows are CASE@base (B1-B6 only: B7 and the growth
#       table measure this tree's tern alone)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-3}
dir=${TERN_BUILD_DIR:-build-bench}
case $dir in /*) ;; *) dir=$root/$dir ;; esac

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$dir" -j"$(nproc)" --target tern tern-sim bench_run \
    bench_calls bench_sim >/dev/null
tern=$dir/tern
base=${TERN_BENCH_BASE:-}
cases=" ${TERN_BENCH_CASES:-B1 B2 B5} "
want() { case $cases in *" $1 "*) return 0 ;; esac; return 1; }
if [ -n "$base" ] && [ ! -x "$base" ]; then
    echo "bench: TERN_BENCH_BASE=$base is not an executable" >&2
    exit 2
fi
run=$dir/tests/bench_run
calls=$dir/tests/bench_calls

work=$(mktemp -d)
. scripts/lib-bench.sh
bench_start_sim "$dir/tests/tern-sim" "$work"
bench_env
latency() { ctl POST faults "{\"latency_ms\": $1}"; }

# B6's change outside tern: another client (botocore, signed as the AWS
# SDKs sign) replaces the role's trust policy and detaches its managed
# policy.
change_outside() {
    env -u AWS_PROFILE /usr/bin/python3 - "$url" <<'EOF'
import json, sys
import botocore.session

iam = botocore.session.get_session().create_client(
    "iam", region_name="us-east-1", endpoint_url=sys.argv[1],
    aws_access_key_id="AKIDTERNSIMDEFAULT01",
    aws_secret_access_key="ternsim/default/SECRETKEY0000000000000001")
iam.update_assume_role_policy(
    RoleName="mlflow-sagemaker-deploy",
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "lambda.amazonaws.com"}}]}))
iam.detach_role_policy(
    RoleName="mlflow-sagemaker-deploy",
    PolicyArn="arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
EOF
}

workspace_role='{"iam":{"roles":[{"name":"databricks-workspace",
  "assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::414351767826:root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"0000-bench\"}}}]}"}]}}'

# measure CASE DIR [ENV=V...] -- TERN-ARGS...: one run of tern in DIR with
# the call log cleared first; appends "CASE <bench_run line> <bench_calls
# line>" to $work/results.
measure() {
    local name=$1 d=$2 envs=() line cl
    shift 2
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    ctl DELETE calls
    line=$(cd "$d" && env "${envs[@]}" "$run" "$work/$name.out" -- "$bin" "$@") || {
        echo "bench: $name: tern $* failed:" >&2
        tail -20 "$work/$name.out" >&2
        exit 1
    }
    curl -sf "$url/_sim/calls" >"$work/calls.json"
    cl=$("$calls" "$work/calls.json")
    echo "$name$sfx $line $cl${extra:+ $extra}" >>"$work/results"
}

# The terns of run $1, in the order they run: this tree's and the
# baseline's, alternating which goes first.
order() {
    if [ -z "$base" ]; then
        echo new
    elif [ $(($1 % 2)) -eq 1 ]; then
        echo new base
    else
        echo base new
    fi
}
use() { # new | base: what measure runs, and the suffix of its rows
    if [ "$1" = base ]; then bin=$base sfx=@base; else bin=$tern sfx=; fi
}
extra=
use new

: >"$work/results"
echo "bench: tern-sim at $url; $runs runs per case; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ);" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: tern-sim alone: $("$dir/tests/bench_sim" "$url" 50 2)"

for i in $(seq "$runs"); do
    for who in $(order "$i"); do
        use "$who"
        if want B1; then
            # B1: the SageMaker example from nothing.
            ctl POST reset
            ctl POST load "$workspace_role"
            latency 100
            rm -rf "$work/b1" && cp -r examples/sagemaker-deploy "$work/b1"
            rm -f "$work/b1"/*.tfvars "$work/b1"/tern.tfstate*
            # (Without its deployment cluster: B1 measures the IAM setup
            # and the registration, as before the cluster was added; a
            # cluster's start-up is the workspace's time, not tern's.)
            measure B1 "$work/b1" -- apply -auto-approve -no-color \
                -var workspace_role_name=databricks-workspace \
                -var create_cluster=false -var instance_profile_group=
            # B6: plans right after it, with the default propagation window.
            measure B6-noop "$work/b1" -- plan -no-color \
                -var workspace_role_name=databricks-workspace \
                -var create_cluster=false -var instance_profile_group=
            change_outside
            measure B6 "$work/b1" -- plan -no-color \
                -var workspace_role_name=databricks-workspace \
                -var create_cluster=false -var instance_profile_group=
            for m in "# aws_iam_role.sagemaker_deploy has changed" \
                "# aws_iam_role_policy_attachment.sagemaker_full_access has been deleted"; do
                grep -qF "$m" "$work/B6.out" || {
                    echo "bench: B6: the plan did not report \"$m\":" >&2
                    tail -40 "$work/B6.out" >&2
                    exit 1
                }
            done
        fi
        if want B2; then
            # B2-B4: 500 role stacks created, refreshed, destroyed.
            ctl POST reset
            latency 20
            rm -rf "$work/b2" && mkdir "$work/b2" && stacks_tf >"$work/b2/main.tf"
            measure B2 "$work/b2" -- apply -auto-approve -no-color -parallelism=50
            measure B3 "$work/b2" -- plan -no-color -parallelism=50
            measure B3-per-object "$work/b2" TERN_BULK_REFRESH_MIN=off -- \
                plan -no-color -parallelism=50
            measure B4 "$work/b2" -- destroy -auto-approve -no-color -parallelism=50
        fi
        # B7 and the growth table measure this tree's tern only.
        if want B7 && [ "$who" = new ]; then
            # B7: 2,500 role stacks (10,000 resources) created at
            # -parallelism=100.
            ctl POST reset
            latency 20
            rm -rf "$work/b7" && mkdir "$work/b7" && stacks_tf >"$work/b7/main.tf"
            measure B7 "$work/b7" -- apply -auto-approve -no-color \
                -parallelism=100 -var copies=2500
            extra="state_kb=$(($(stat -c %s "$work/b7/tern.tfstate.db") / 1024))"
            sed -i "\$s/\$/ $extra/" "$work/results"
            extra=
        fi
        if want G && [ "$who" = new ]; then
            # The growth table: B2 at 500 to 5,000 stacks.
            for n in 500 1000 2500 5000; do
                ctl POST reset
                latency 20
                rm -rf "$work/g" && mkdir "$work/g" && stacks_tf >"$work/g/main.tf"
                measure "G$n" "$work/g" -- apply -auto-approve -no-color \
                    -parallelism=50 -var copies=$n
            done
        fi
    done
done

# B5: 10,000 resources (2,500 stacks) in the state, created once.
if want B5; then
    ctl POST reset
    latency 0
    rm -rf "$work/b5" && mkdir "$work/b5" && stacks_tf >"$work/b5/main.tf"
    (cd "$work/b5" && "$tern" apply -auto-approve -no-color -parallelism=50 \
        -var copies=2500 >"$work/b5-setup.out" 2>&1) || {
        echo "bench: B5 setup failed" >&2
        tail -20 "$work/b5-setup.out" >&2
        exit 1
    }
    latency 20
    for i in $(seq "$runs"); do
        for who in $(order "$i"); do
            use "$who"
            measure B5 "$work/b5" -- plan -refresh=false -no-color -var copies=2500
        done
    done
fi

# The table: the median run of each case by wall time, with the spread
# (fastest-slowest wall time). Targets are issue 19's.
awk -v runs="$runs" '
function field(s, k,    a, n, i, kv) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) {
        split(a[i], kv, "=")
        if (kv[1] == k)
            return substr(a[i], length(k) + 2)
    }
    return ""
}
{ line[$1, ++n[$1]] = $0 }
END {
    ncase = split("B1 B2 B3 B3-per-object B4 B5 B6-noop B6 B7 G500 G1000 G2500 G5000", order, " ")
    printf "%-16s %6s %6s %6s %9s %9s %13s %7s %8s %8s %8s  %s\n", "case", "calls",
        "depth", "bound", "bound_s", "wall_s", "spread_s", "ratio", "cpu_s",
        "peak_MB", "req/s", "target"
    for (c = 1; c <= 2 * ncase; c++) {
        kind = order[int((c + 1) / 2)]
        sfx = c % 2 ? "" : "@base"
        k = kind sfx
        if (!n[k])
            continue
        # median by wall time
        for (i = 1; i <= n[k]; i++) {
            w[i] = field(line[k, i], "wall_ms") + 0
            idx[i] = i
        }
        for (i = 1; i <= n[k]; i++)
            for (j = i + 1; j <= n[k]; j++)
                if (w[idx[j]] < w[idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
        s = line[k, idx[int((n[k] + 1) / 2)]]
        spread = sprintf("%.3f-%.3f", w[idx[1]] / 1000, w[idx[n[k]]] / 1000)
        calls = field(s, "calls") + 0
        depth = field(s, "depth") + 0
        wall = field(s, "wall_ms") / 1000
        cpu = field(s, "cpu_ms") / 1000
        mb = field(s, "maxrss_kb") / 1024
        span = field(s, "span_ms") / 1000
        rate = span > 0 ? calls / span : 0
        medwall[k] = wall
        if (kind == "B1") {
            # One call per object created (6) plus the two data-source
            # reads; the instance profile takes two (IAM has no call that
            # creates a profile with its role); the confirmation reads
            # IAM in bulk (GetAccountAuthorizationDetails, ListRoles)
            # while the Databricks add runs, then lists Databricks: one
            # round trip more than the five the writes take.
            bcalls = "8+1+3"; bound = 0.6
            target = sprintf("wall <= 1.15x (%.2fs), calls <= 12", 1.15 * bound)
            ok = wall <= 1.15 * bound && calls <= 12
        } else if (kind == "B2" || kind == "B4") {
            bcalls = "-"
            bound = calls * 0.020 / 50
            if (bound < 3 * 0.020) bound = 3 * 0.020
            target = sprintf("wall <= 1.1x (%.2fs)", 1.1 * bound)
            ok = wall <= 1.1 * bound
            if (kind == "B2") {
                target = target sprintf(", <64MB, cpu <=0.2ms/res (%.2fms)", cpu * 1000 / 2000)
                ok = ok && mb < 64 && cpu <= 0.4
            }
        } else if (kind == "B3") {
            # Two round trips: GetAccountAuthorizationDetails, ListRoles.
            bcalls = "10"; bound = 2 * 0.020
            target = "<=10 calls, wall <0.08s"
            ok = calls <= 10 && wall < 0.08
        } else if (kind == "B3-per-object") {
            bcalls = "-"; bound = calls * 0.020 / 50
            target = "(contrast)"; ok = -1
        } else if (kind == "B6-noop") {
            # The refresh: the caller identity and workspace role (one
            # round trip), the six objects read one by one (one).
            bcalls = "-"; bound = 2 * 0.100
            target = "(for B6)"; ok = -1
        } else if (kind == "B6") {
            bcalls = "-"; bound = 2 * 0.100
            target = sprintf("wall <= 2 no-op plans (%.2fs)", 2 * medwall["B6-noop" sfx])
            ok = wall <= 2 * medwall["B6-noop" sfx]
        } else if (kind == "B7") {
            bcalls = "-"; bound = calls * 0.020 / 100
            sk = field(s, "state_kb") / 1024
            target = sprintf("wall <= 1.15x (%.2fs), <150MB, state <30MB (%.1fMB)",
                1.15 * bound, sk)
            ok = wall <= 1.15 * bound && mb < 150 && sk < 30
        } else if (kind ~ /^G/) {
            bcalls = "-"; bound = calls * 0.020 / 50
            target = sprintf("(growth: %.3f ms cpu/resource, %.1f KB/resource)",
                cpu * 1000 / (4 * substr(kind, 2)), mb * 1024 / (4 * substr(kind, 2)))
            ok = -1
        } else {
            bcalls = "0"; bound = 0
            target = "wall <0.15s, <100MB"
            ok = wall < 0.15 && mb < 100
        }
        ratio = bound > 0 ? sprintf("%.2fx", wall / bound) : "-"
        printf "%-16s %6d %6d %6s %9.3f %9.3f %13s %7s %8.3f %8.1f %8.0f  %s%s\n", k,
            calls, depth, bcalls, bound, wall, spread, ratio, cpu, mb, rate, target,
            ok == 1 ? "  met" : ok == 0 ? "  MISSED" : ""
    }
}' "$work/results"

# What B1 would cost if every write were read back (as Terraform's AWS
# provider does) instead of confirmed in bulk: one more call per write,
# and on the critical path a read after each of its four writes.
b1=$(grep '^B1 ' "$work/results" | head -1) || true
if [ -n "$b1" ]; then
b1calls=$(echo "$b1" | sed 's/.* calls=\([0-9]*\).*/\1/')
b1actions() { echo "$b1" | sed 's/.*actions=//' | tr ',' '\n'; }
b1confirm=$(b1actions | grep -E '^(GetAccountAuthorizationDetails|ListRoles|instance-profiles/list):' |
    awk -F: '{ n += $2 } END { print n + 0 }')
b1writes=$(b1actions | grep -vE '^(GetCallerIdentity|GetRole|GetAccountAuthorizationDetails|ListRoles|instance-profiles/list):' |
    awk -F: '{ n += $2 } END { print n + 0 }')
echo
echo "B1 calls: $(echo "$b1" | sed 's/.*actions=//')"
echo "B1 with a read back after every write: $((b1calls - b1confirm + b1writes)) calls," \
    "9 round trips (0.90 s at 100 ms), against tern's $b1calls calls ($b1confirm of" \
    "them confirming) and 6 round trips (5 for the writes, 1 for the confirmation)"
fi
echo "bench: load average at the end $(cut -d' ' -f1-3 /proc/loadavg); per-run lines in order:"
sed 's/^/  /' "$work/results"
