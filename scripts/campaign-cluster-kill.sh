#!/usr/bin/env bash
# Cluster kill campaign (issue 17): TRIALS times, apply a configuration
# with one databricks_cluster (and its mlflow library) against tern-sim
# (1.5 s start-up, 20 ms a request), SIGKILL tern at a uniformly random
# moment of create-and-wait, apply again: exactly one cluster, ever, and
# an empty plan after.
#
#   scripts/campaign-cluster-kill.sh [-n TRIALS (50)] [-S SEED (1)]
source "$(dirname "$0")/campaign-lib.sh"
trials=50 seed=1
while getopts n:S: o; do
    case $o in
    n) trials=$OPTARG ;; S) seed=$OPTARG ;; *) exit 2 ;;
    esac
done
campaign_build
export TERN_CLUSTER_KILL_TRIALS=$trials TERN_CLUSTER_KILL_SEED=$seed
echo "cluster kill campaign: $trials trials, SIGKILL, seed $seed"
"$TERN_BUILD_DIR/tests/tern_unit_tests" -t 14400 -s "dbx_cluster::kill_trials" \
    >"$TERN_BUILD_DIR/campaign-cluster-kill.log" 2>&1 || {
    grep '^# ' "$TERN_BUILD_DIR/campaign-cluster-kill.log" | sed 's/^# //'
    echo "FAILED: see $TERN_BUILD_DIR/campaign-cluster-kill.log"
    exit 1
}
grep '^# ' "$TERN_BUILD_DIR/campaign-cluster-kill.log" | grep -v '^# [0-9]* passed' | sed 's/^# //'
