#!/usr/bin/env bash
# Fault campaign (issue 10): RUNS seeded runs of apply, plan and destroy of
# a STACKS-stack configuration (role, trust policy, managed-policy
# attachment, inline policy, instance profile and Databricks registration
# per stack) against tern-sim with 10% throttling, 3% 500/503, 1% dropped
# connections and a random 0-3 s propagation delay per object. Every run
# must exit 0, leave an empty plan, leave tern-sim's objects equal to the
# state after apply and empty after destroy, with no duplicate create.
#
#   scripts/campaign-faults.sh [-n RUNS (50)] [-s STACKS (50)] [-j JITTER_MS
#                              (3000)] [-S FIRST_SEED (1)]
#
# The plan right after each apply must be empty ("no false drift") even
# while IAM is still propagating what the apply wrote.
source "$(dirname "$0")/campaign-lib.sh"
runs=50 stacks=50 jitter=3000 seed=1
while getopts n:s:j:S: o; do
    case $o in
    n) runs=$OPTARG ;; s) stacks=$OPTARG ;; j) jitter=$OPTARG ;;
    S) seed=$OPTARG ;; *) exit 2 ;;
    esac
done
campaign_build
log=$TERN_BUILD_DIR/campaign-faults.log
echo "fault campaign: $runs runs x $stacks stacks, seeds $seed..$((seed + runs - 1)), propagation 0-$jitter ms"
rc=0
TERN_REL_RUNS=$runs TERN_REL_STACKS=$stacks TERN_REL_SEED=$seed \
    TERN_REL_PROPAGATION_JITTER_MS=$jitter campaign_run fault_campaign "$log" || rc=$?
exit $rc
