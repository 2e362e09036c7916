#!/usr/bin/env bash
# tern's main job, run against the local simulator: install what is
# missing, build, start tern-sim (its self-check first) with a Databricks
# workspace's existing cross-account role loaded and a 4 s cluster
# start-up, then run
# examples/sagemaker-deploy the way a user does, printing each command:
# init, validate, plan -out, apply of the saved plan, a plan that must find
# nothing to do, output, destroy. Everything runs in a temporary directory
# that is removed at the end, simulator included. Any step that fails
# stops the demo with a non-zero exit status and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
bash scripts/setup.sh
bash scripts/build.sh
dir=${TERN_BUILD_DIR:-build}
case $dir in /*) ;; *) dir=$repo/$dir ;; esac
tern_bin=$dir/tern
sim_bin=$dir/tests/tern-sim

work=$(mktemp -d)
sim_pid=
current="starting tern-sim"
cleanup() {
    status=$?
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    if [ "$status" -ne 0 ]; then
        echo >&2
        echo "demo: FAILED at: $current (exit status $status)" >&2
    fi
    exit "$status"
}
trap cleanup EXIT

# The workspace as a Databricks deployment leaves it: a cross-account role
# that Databricks' AWS account (414351767826) assumes with the workspace's
# external id, and no instance profile registered yet.
cat >"$work/workspace.json" <<'EOF'
{
  "iam": {
    "roles": [{
      "name": "databricks-workspace",
      "description": "Databricks workspace cross-account role",
      "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::414351767826:root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"0a1b2c3d-databricks-account\"}}}]}"
    }]
  },
  "databricks": {"instance_profiles": []}
}
EOF

"$sim_bin" --port 0 --port-file "$work/port" --load "$work/workspace.json" \
    --quiet &
sim_pid=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "demo: tern-sim did not start" >&2; exit 1; }
port=$(cat "$work/port")
url=http://127.0.0.1:$port
echo
echo "\$ tern-sim --port 0 --load workspace.json   # listening on $url"
current="tern-sim --self-check"
echo "\$ tern-sim --self-check $url"
"$sim_bin" --self-check "$url"

# Clusters start in 4 s here, not the minutes a workspace takes, and
# mlflow installs in 1 s: the apply still shows the wait.
current="tern-sim cluster start-up time"
echo "\$ curl -X POST $url/_sim/clusters -d '{\"startup_ms\": 4000, \"library_ms\": 1000}'"
curl -sf -X POST "$url/_sim/clusters" \
    -d '{"startup_ms": 4000, "library_ms": 1000}' >/dev/null
echo
export TERN_PROGRESS_INTERVAL=2   # "Still creating..." every 2 s, not 10

# What a user exports for real AWS and Databricks, pointed at tern-sim.
# The keys and token exist only in the simulator (tests/sim/sim.h).
export AWS_ACCESS_KEY_ID=AKIDTERNSIMDEFAULT01
export AWS_SECRET_ACCESS_KEY=ternsim/default/SECRETKEY0000000000000001
export AWS_ENDPOINT_URL=$url
export AWS_EC2_METADATA_DISABLED=true
export DATABRICKS_HOST=$url
export DATABRICKS_TOKEN=dapi-ternsim-default-token-0001
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN DATABRICKS_CONFIG_PROFILE
echo
echo "\$ export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_ENDPOINT_URL=$url"
echo "\$ export DATABRICKS_HOST=$url DATABRICKS_TOKEN=..."

mkdir "$work/sagemaker-deploy"
cp examples/sagemaker-deploy/*.tf examples/sagemaker-deploy/terraform.tfvars.example \
    "$work/sagemaker-deploy/"
cd "$work/sagemaker-deploy"
echo "\$ cp -r examples/sagemaker-deploy . && cd sagemaker-deploy"
sed 's/^workspace_role_name = .*/workspace_role_name = "databricks-workspace"/' \
    terraform.tfvars.example >terraform.tfvars
echo "\$ cat terraform.tfvars   # from terraform.tfvars.example"
grep -v '^#' terraform.tfvars

# Runs `tern ARGS`, shown as the user types it. Every step must exit 0:
# `plan -detailed-exitcode` exits 2 if anything is left to change.
step() {
    current="tern $*"
    echo
    echo "\$ tern $*"
    "$tern_bin" "$@"
}

step init
step validate
step plan -out=plan.tfplan
step apply plan.tfplan
step plan -detailed-exitcode
step output
step output -raw cluster_aws_attributes   # the JSON for other clusters
echo
step output -raw cluster_id   # the deployment cluster, RUNNING with mlflow
echo
step destroy -auto-approve

current="stopping tern-sim"
kill "$sim_pid"
wait "$sim_pid" 2>/dev/null || true
sim_pid=
echo
echo "demo: done. examples/sagemaker-deploy/README.md runs the same against AWS."
