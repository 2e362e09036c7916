#!/usr/bin/env bash
# Contention campaign (issue 10): ROUNDS times, two applies on the same
# state started together: exactly one runs; the other fails naming the
# holder (-lock-timeout=0s, even rounds) or waits for it
# (-lock-timeout=60s, odd rounds); the state stays intact; and a saved plan
# applied after the state moved on is refused, every time.
#
#   scripts/campaign-contention.sh [-n ROUNDS (50)] [-s STACKS (3)]
source "$(dirname "$0")/campaign-lib.sh"
rounds=50 stacks=3
while getopts n:s: o; do
    case $o in
    n) rounds=$OPTARG ;; s) stacks=$OPTARG ;; *) exit 2 ;;
    esac
done
campaign_build
echo "contention campaign: $rounds rounds x $stacks stacks"
TERN_REL_RUNS=$rounds TERN_REL_STACKS=$stacks \
    campaign_run contention_campaign "$TERN_BUILD_DIR/campaign-contention.log"
