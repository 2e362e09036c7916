#!/usr/bin/env bash
# Kill campaign (issue 10): TRIALS times, start applying a STACKS-stack
# configuration against tern-sim (30 ms a request), SIGKILL tern at a
# uniformly random moment, then apply again with no manual step between.
# Every trial must converge: tern-sim's objects equal the state, no orphan,
# no EntityAlreadyExists, no duplicate create, no lock left behind. Then
# the same with SIGINT, where the interrupted run itself must stop with
# everything it did saved.
#
#   scripts/campaign-kill.sh [-n TRIALS (200)] [-s STACKS (20)] [-S SEED (1)]
#                            [-k] (SIGKILL only) [-i] (SIGINT only)
source "$(dirname "$0")/campaign-lib.sh"
trials=200 stacks=20 seed=1 kill=1 int=1
while getopts n:s:S:ki o; do
    case $o in
    n) trials=$OPTARG ;; s) stacks=$OPTARG ;; S) seed=$OPTARG ;;
    k) int=0 ;; i) kill=0 ;; *) exit 2 ;;
    esac
done
campaign_build
rc=0
export TERN_REL_RUNS=$trials TERN_REL_STACKS=$stacks TERN_REL_SEED=$seed
if [ $kill = 1 ]; then
    echo "kill campaign: $trials trials x $stacks stacks, SIGKILL, seed $seed"
    campaign_run kill_campaign "$TERN_BUILD_DIR/campaign-kill.log" || rc=1
fi
if [ $int = 1 ]; then
    echo "interrupt campaign: $trials trials x $stacks stacks, SIGINT, seed $seed"
    campaign_run interrupt_campaign "$TERN_BUILD_DIR/campaign-interrupt.log" || rc=1
fi
exit $rc
