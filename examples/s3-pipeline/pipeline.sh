#!/bin/sh
# The two steps of a plan-then-apply pipeline, for a CI system to call from
# a fresh checkout of this directory on each runner:
#
#   pipeline.sh plan PLANFILE    init, plan -out=PLANFILE -detailed-exitcode,
#                                then the policy gate on the saved plan;
#                                exit 0 (no changes), 2 (changes saved and
#                                allowed: keep PLANFILE as the job's
#                                artifact) or 1 (refused, or an error)
#   pipeline.sh apply PLANFILE   init, apply the saved plan (refused when the
#                                state in S3 moved on since the plan)
#   pipeline.sh check            plan -detailed-exitcode: 0 when converged
#
# The state is in S3 (main.tf's backend block), so the runners share
# nothing but the bucket and the plan file. TERN names the binary (default:
# tern on PATH); credentials and region come from the environment as for
# the AWS CLI. POLICY_GATE names the gate (default: policy_gate.py of
# examples/policy-gate beside this directory, when it is there; an empty
# POLICY_GATE turns the gate off).
set -u
tern=${TERN:-tern}
step=${1:-}
here=$(dirname "$0")
gate=${POLICY_GATE-$here/../policy-gate/policy_gate.py}
[ -z "$gate" ] || [ -f "$gate" ] || gate=

case "$step" in
plan)
    [ $# -eq 2 ] || { echo "usage: $0 plan PLANFILE" >&2; exit 64; }
    "$tern" init -input=false -no-color || exit 1
    "$tern" plan -input=false -no-color -out="$2" -detailed-exitcode
    rc=$?
    case $rc in
    0) echo "pipeline: no changes; nothing to apply" ;;
    2)
        if [ -n "$gate" ]; then
            "$tern" show -json "$2" >"$2.json" || exit 1
            if ! /usr/bin/python3 "$gate" "$2.json"; then
                echo "pipeline: the policy gate refused the plan; nothing saved to apply" >&2
                rm -f "$2"
                exit 1
            fi
        fi
        echo "pipeline: changes saved in $2"
        ;;
    esac
    exit $rc
    ;;
apply)
    [ $# -eq 2 ] || { echo "usage: $0 apply PLANFILE" >&2; exit 64; }
    "$tern" init -input=false -no-color || exit 1
    exec "$tern" apply -input=false -no-color "$2"
    ;;
check)
    "$tern" init -input=false -no-color >/dev/null || exit 1
    exec "$tern" plan -input=false -no-color -detailed-exitcode
    ;;
*)
    echo "usage: $0 plan PLANFILE | apply PLANFILE | check" >&2
    exit 64
    ;;
esac
