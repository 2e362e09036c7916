#!/usr/bin/env bash
# Secrets campaign (issue 10): no secret appears in any output, log, state
# file, plan file or crash report.
#
#  1. The whole integration suite at TERN_LOG=trace, every tern run's
#     output and every case's temporary directory (state, plan and log
#     files) kept (TERN_TEST_KEEP_TMP).
#  2. A scenario with distinctive secrets: a secret key of its own, an STS
#     session (assume_role, so a session token and temporary keys), a
#     Databricks token and a sensitive variable (whole, in a map's element
#     and read by another stack through terraform_remote_state); apply,
#     plan -out, show, state show, state pull, output, destroy, each at
#     TERN_LOG=trace; and the same key
#     and token written in provider blocks, planned to a file that is
#     applied from another directory (issue 20, finding 4); the same
#     credentials reaching the provider blocks through locals (an object,
#     a template joining a local to a constant, a heredoc), applied from
#     another directory too; a root variable reaching one through a local
#     (refused without a passphrase, encrypted with it); a provider block
#     in a child module given the token (tern refuses the configuration:
#     no file). No provider's schema nests a sensitive argument in a
#     block, so there is no nested-block case. A plan holding
#     the sensitive variable and a random_password's result is refused
#     without TERN_PLAN_PASSPHRASE (no file) and saved encrypted with it.
#  3. Every artifact is searched for every secret (the sensitive value and
#     the password's result are allowed only in state files and the JSON
#     documents that show them, as in Terraform; never in a plan file),
#     the passphrase included, and every plan file again as `strings`
#     sees it. State files
#     must be mode 0600; a plain-http endpoint off loopback must be
#     refused, and no code path turns TLS verification off.
#
#   scripts/campaign-secrets.sh [-q] (skip the suite: the scenario only)
set -euo pipefail
cd "$(dirname "$0")/.."
export TERN_BUILD_DIR=${TERN_BUILD_DIR:-build-campaign}
suite=1
while getopts q o; do
    case $o in q) suite=0 ;; *) exit 2 ;; esac
done
bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
B=$(cd "$TERN_BUILD_DIR" && pwd)
work=$(mktemp -d /tmp/tern-secrets-XXXXXX)
keep=$work/suite
mkdir -p "$keep" "$work/scenario"
status=0
nrefused=0
sim_pid=
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true; }
trap cleanup EXIT

# The suite's own key set and token (tests/sim/sim.h), STS session tokens
# (tern-sim's start with the base64 of a header, as AWS's do), and this
# script's distinctive ones.
SUITE_SECRET=ternsim/default/SECRETKEY0000000000000001
SUITE_TOKEN=dapi-ternsim-default-token-0001
SESSION_PREFIX=IQoJb3JpZ2luX2Vj
MY_AKID=AKIDSECRETSCAMPAIGN1
MY_SECRET=campaign/SECRET/7f3a9c1e5b2d4a6f8e0c1b3d5f7a9e2c4b6d8f0a
MY_TOKEN=dapi-campaign-SECRET-token-5e8b2a7c9d1f3e6a
MY_SENSITIVE=campaign-SENSITIVE-value-2c9e4f7a
MY_PASSPHRASE=campaign-PASSPHRASE-8d3f1b6e0a
# What of the secret key the traced scenario writes as one constant (its
# head is a local of its own).
MY_SECRET_TAIL=${MY_SECRET:9}

# ---- 1. the integration suite at trace level ------------------------------
if [ $suite = 1 ]; then
    echo "secrets: integration suite at TERN_LOG=trace (artifacts in $keep)"
    (cd "$B" && TERN_LOG=trace TERN_TEST_KEEP_TMP=$keep \
        ctest -L integration -j"$(nproc)" -V >"$work/ctest.log" 2>&1) || {
        echo "secrets: some integration tests failed (see $work/ctest.log)"
        status=1
    }
    echo "secrets: $(grep -c '^ *[0-9]*/[0-9]* Test *#' "$work/ctest.log" || true) tests run"
fi

# ---- 2. the scenario with distinctive secrets -----------------------------
echo "secrets: scenario with a key, an STS session and a token of its own"
"$B/tests/tern-sim" --port 0 --port-file "$work/port" --quiet \
    --key "$MY_AKID:$MY_SECRET:123456789012" --databricks-token "$MY_TOKEN" \
    >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")
s=$work/scenario
mkdir -p "$s/base" "$s/assumed"
cat >"$s/base/main.tf" <<EOF
variable "note" {
  type      = string
  sensitive = true
}

resource "aws_iam_role" "deployer" {
  name        = "secrets-deployer"
  description = "campaign"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_instance_profile" "p" {
  name = "secrets-profile"
  role = aws_iam_role.deployer.name
}

resource "databricks_instance_profile" "d" {
  instance_profile_arn = aws_iam_instance_profile.p.arn
  skip_validation      = true
}

# A map with one element derived from the sensitive variable: state show
# and show hide that element, not the map (issue 20, finding 5).
resource "random_integer" "keep" {
  min  = 1
  max  = 100
  seed = "campaign"
  keepers = {
    note  = var.note
    plain = "campaign"
  }
}

# A secret of the provider's schema: its result is in the prior state of
# every later plan.
resource "random_password" "pw" {
  length = 24
}

output "note" {
  value     = var.note
  sensitive = true
}
EOF
# Another stack reading base's outputs, the sensitive one among them
# (issue 18): state show and show hide that output where it is.
mkdir -p "$s/reader"
cat >"$s/reader/main.tf" <<EOF
data "terraform_remote_state" "base" {
  backend = "local"
  config = {
    path = "../base/tern.tfstate.db"
  }
}

resource "random_integer" "read" {
  min  = 1
  max  = 100
  seed = "campaign"
  keepers = {
    note = data.terraform_remote_state.base.outputs.note
  }
}
EOF
cat >"$s/assumed/main.tf" <<EOF
provider "aws" {
  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/secrets-deployer"
    session_name = "campaign"
  }
}

resource "aws_iam_role" "made_by_session" {
  name = "secrets-made-by-session"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
EOF
# Credentials written in provider blocks (issue 20, finding 4): the plan
# file must not hold them, and it must still apply from a directory that
# holds only the plan, the same main.tf and the state.
mkdir -p "$s/literal" "$s/literal-fresh"
cat >"$s/literal/main.tf" <<EOF
provider "aws" {
  access_key = "$MY_AKID"
  secret_key = "$MY_SECRET"
}

provider "databricks" {
  token = "$MY_TOKEN"
}

resource "aws_iam_role" "literal" {
  name = "secrets-literal"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "databricks_group" "literal" {
  display_name = "secrets-literal"
}
EOF
cp "$s/literal/main.tf" "$s/literal-fresh/main.tf"
# The same credentials reaching the provider blocks through locals
# (issue 20, finding 4's remainder): none may be in the plan file.
mkdir -p "$s/traced" "$s/traced-fresh"
cat >"$s/traced/main.tf" <<EOF
locals {
  keys = {
    access = "$MY_AKID"
  }
  head   = "${MY_SECRET:0:9}"
  secret = "\${local.head}$MY_SECRET_TAIL"
  token = trimspace(<<EOT
$MY_TOKEN
EOT
  )
}

provider "aws" {
  access_key = local.keys.access
  secret_key = local.secret
}

provider "databricks" {
  token = local.token
}

resource "aws_iam_role" "traced" {
  name = "secrets-traced"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "databricks_group" "traced" {
  display_name = "secrets-traced"
}
EOF
cp "$s/traced/main.tf" "$s/traced-fresh/main.tf"
# A root variable reaching the key through a local: a secret the plan
# holds, so refused without a passphrase and encrypted with it.
mkdir -p "$s/viavar"
cat >"$s/viavar/main.tf" <<EOF
variable "ak" {
  type = string
}

locals {
  ak = var.ak
}

provider "aws" {
  access_key = local.ak
  secret_key = "$MY_SECRET"
}

resource "aws_iam_role" "viavar" {
  name = "secrets-viavar"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
EOF
# A provider block in a child module given the token: refused.
mkdir -p "$s/modprov/modules/m"
cat >"$s/modprov/main.tf" <<EOF
module "m" {
  source = "./modules/m"
  token  = "$MY_TOKEN"
}
EOF
cat >"$s/modprov/modules/m/main.tf" <<EOF
variable "token" {
  type = string
}

provider "databricks" {
  token = var.token
}

resource "databricks_group" "m" {
  display_name = "secrets-modprov"
}
EOF
run() { # DIR ARGS...: tern at trace level, everything into the log
    local d=$1 out=$s/runs.log
    shift
    # Like a state file, `state pull` and `output -json` show sensitive
    # values (as Terraform's do), and so does the JSON plan representation
    # (marked, in output_changes and prior_state): their output is kept
    # apart.
    case "$*" in
    "state pull") out=$d/pulled.tfstate.json ;;
    "output -json") out=$d/outputs.tfstate.json ;;
    "show -json "*.tfplan) out=$d/shown.tfplan.json ;;
    esac
    echo "\$ tern $*" >>"$out"
    (cd "$d" && env -i PATH="$PATH" HOME="$s" TERN_LOG=trace \
        ${pass:+TERN_PLAN_PASSPHRASE=$pass} \
        AWS_ACCESS_KEY_ID=$MY_AKID AWS_SECRET_ACCESS_KEY=$MY_SECRET \
        AWS_ENDPOINT_URL="$url" AWS_EC2_METADATA_DISABLED=true \
        AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
        DATABRICKS_HOST="$url" DATABRICKS_TOKEN=$MY_TOKEN \
        TF_VAR_note=$MY_SENSITIVE "$B/tern" "$@") >>"$out" 2>&1 ||
        { echo "secrets: tern $* failed in $d (see $s/runs.log)"; status=1; }
}
refused() { # DIR FILE ARGS...: tern must refuse to save FILE, leaving none
    local d=$1 f=$2
    shift 2
    echo "\$ tern $* (refused)" >>"$s/runs.log"
    nrefused=$((nrefused + 1))
    if (cd "$d" && env -i PATH="$PATH" HOME="$s" TERN_LOG=trace \
        AWS_ACCESS_KEY_ID=$MY_AKID AWS_SECRET_ACCESS_KEY=$MY_SECRET \
        AWS_ENDPOINT_URL="$url" AWS_EC2_METADATA_DISABLED=true \
        AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
        DATABRICKS_HOST="$url" DATABRICKS_TOKEN=$MY_TOKEN \
        TF_VAR_note=$MY_SENSITIVE "$B/tern" "$@") >>"$s/runs.log" 2>&1; then
        echo "secrets: tern $* saved a plan it must refuse"
        status=1
    fi
    if ls "$d" | grep -q "^$f"; then
        echo "secrets: a refused plan left $(ls "$d" | grep "^$f") in $d"
        status=1
    fi
}
run "$s/base" apply -auto-approve
# Without a passphrase the plan (the sensitive variable, the password's
# result in the prior state) is not saved; with one it is, encrypted.
refused "$s/base" clear.tfplan plan -out=clear.tfplan -var=note=changed
pass=$MY_PASSPHRASE run "$s/base" plan -out=base.tfplan -var=note=changed
pass=$MY_PASSPHRASE run "$s/base" show base.tfplan
pass=$MY_PASSPHRASE run "$s/base" show -json base.tfplan
run "$s/base" state pull
run "$s/base" output -json
run "$s/base" state show random_integer.keep
run "$s/base" show
run "$s/reader" apply -auto-approve
run "$s/reader" state show data.terraform_remote_state.base
run "$s/reader" state show random_integer.read
run "$s/reader" show
run "$s/assumed" apply -auto-approve
run "$s/assumed" plan -out=assumed.tfplan -destroy
run "$s/assumed" apply assumed.tfplan
pass=$MY_PASSPHRASE run "$s/base" plan -destroy -out=destroy.tfplan
pass=$MY_PASSPHRASE run "$s/base" apply destroy.tfplan
run "$s/literal" plan -out=literal.tfplan
cp "$s/literal/literal.tfplan" "$s/literal-fresh/"
run "$s/literal-fresh" apply -state="$s/literal/tern.tfstate.db" literal.tfplan
run "$s/literal" plan -destroy -out=destroy.tfplan
run "$s/literal" apply destroy.tfplan
run "$s/traced" plan -out=traced.tfplan
cp "$s/traced/traced.tfplan" "$s/traced-fresh/"
run "$s/traced-fresh" apply -state="$s/traced/tern.tfstate.db" traced.tfplan
run "$s/traced" plan -destroy -out=destroy.tfplan
run "$s/traced" apply destroy.tfplan
refused "$s/viavar" clear.tfplan plan -out=clear.tfplan -var=ak=$MY_AKID
pass=$MY_PASSPHRASE run "$s/viavar" plan -out=viavar.tfplan -var=ak=$MY_AKID
pass=$MY_PASSPHRASE run "$s/viavar" apply viavar.tfplan
pass=$MY_PASSPHRASE run "$s/viavar" plan -destroy -out=destroy.tfplan \
    -var=ak=$MY_AKID
pass=$MY_PASSPHRASE run "$s/viavar" apply destroy.tfplan
refused "$s/modprov" modprov.tfplan plan -out=modprov.tfplan
cleanup
sim_pid=
n_runs=$(cat "$s"/runs.log "$s"/*/*.tfstate.json "$s"/*/*.tfplan.json |
    grep -c "^\$ tern")
echo "secrets: $n_runs scenario runs ($nrefused plans refused, as they must be)"

# ---- 3. search everything --------------------------------------------------
found=0
# Inputs the tests wrote for tern to read (credentials and config files,
# configurations with a provider block's keys) are not tern's output.
inputs='/\.aws/|\.databrickscfg$|\.tf$|\.tf\.json$|\.tfvars$|\.sh$|/creds|/process'
search() { # LABEL PATTERN FILES...: every file holding PATTERN
    local label=$1 pat=$2
    shift 2
    local hits
    hits=$(grep -rlaF -- "$pat" "$@" 2>/dev/null | grep -vE "$inputs" || true)
    if [ -n "$hits" ]; then
        echo "secrets: FOUND $label in:"
        echo "$hits" | sed 's/^/    /' | head -20
        found=$((found + $(echo "$hits" | wc -l)))
    fi
}
# tern-sim's own log and the suite's test sources are not tern's output;
# everything tern wrote is in runs.log, tern-runs.log, ctest.log and the
# kept directories.
artifacts=("$s")
[ $suite = 1 ] && artifacts+=("$keep" "$work/ctest.log")
nfiles=$(find "${artifacts[@]}" -type f | wc -l)
nstates=$(find "${artifacts[@]}" -name '*.db' -type f | wc -l)
nplans=$(find "${artifacts[@]}" -name '*.tfplan' -type f | wc -l)
for sec in "$MY_SECRET" "$MY_TOKEN" "$SUITE_SECRET" "$SUITE_TOKEN" \
    "$SESSION_PREFIX"; do
    search "secret '${sec:0:12}...'" "$sec" "${artifacts[@]}"
done
# The password random_password.pw got (in the state, shown by state pull).
MY_PASSWORD=$(tail -n +2 "$s/base/pulled.tfstate.json" | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["resources"]:
    if r["type"] == "random_password":
        print(r["instances"][0]["attributes"]["result"])')
if [ ${#MY_PASSWORD} -ne 24 ]; then
    echo "secrets: no random_password result in the pulled state"
    status=1
fi
search "the plan passphrase" "$MY_PASSPHRASE" "${artifacts[@]}"
# The plans saved with the passphrase are encrypted.
for f in "$s/base/base.tfplan" "$s/base/destroy.tfplan" \
    "$s/viavar/viavar.tfplan" "$s/viavar/destroy.tfplan"; do
    if ! head -c 38 "$f" 2>/dev/null | grep -qF 'tern-plan 1 aes-256-gcm pbkdf2-sha512'; then
        echo "secrets: $f is not an encrypted plan file"
        status=1
    fi
done
nsealed=$(find "${artifacts[@]}" -name '*.tfplan' -type f -exec head -c 38 {} \; -exec echo \; |
    grep -c 'aes-256-gcm' || true)
# Every plan file, as `strings` sees it and byte for byte, for every
# secret: credentials (the configurations' literal ones included), the
# sensitive value, the password and the passphrase.
for f in $(find "${artifacts[@]}" -name '*.tfplan' -type f); do
    for sec in "$MY_AKID" "$MY_SECRET" "$MY_SECRET_TAIL" "$MY_TOKEN" \
        "$SUITE_SECRET" "$SUITE_TOKEN" "$SESSION_PREFIX" "$MY_SENSITIVE" \
        "$MY_PASSWORD" "$MY_PASSPHRASE"; do
        if strings -a -n 6 "$f" | grep -qF -- "$sec" ||
            grep -qaF -- "$sec" "$f"; then
            echo "secrets: FOUND '${sec:0:12}...' in plan file $f"
            found=$((found + 1))
        fi
    done
done
# The sensitive value and the password belong in state files and the
# documents that show them in clear (state pull, output -json, show
# -json), as in Terraform; never in output, logs or plan files.
for sec in "$MY_SENSITIVE" "$MY_PASSWORD"; do
    hits=$(grep -rlaF -- "$sec" "$s" |
        grep -v -e '\.tfstate\.db' -e '\.tfstate\.json$' \
            -e '\.tfplan\.json$' || true)
    if [ -n "$hits" ]; then
        echo "secrets: FOUND '${sec:0:12}...' in output, logs or plans:"
        echo "$hits" | sed 's/^/    /'
        found=$((found + $(echo "$hits" | wc -l)))
    fi
done
# State files tern made are 0600.
bad_modes=$(find "${artifacts[@]}" -name 'tern.tfstate.db' -type f ! -perm 600 | wc -l)
if [ "$bad_modes" -ne 0 ]; then
    echo "secrets: $bad_modes state files are not mode 0600:"
    find "${artifacts[@]}" -name 'tern.tfstate.db' -type f ! -perm 600 | head -5 | sed 's/^/    /'
    status=1
fi
# No TLS switch: plain http off loopback is refused, and the HTTP layer
# only ever turns verification on.
mkdir -p "$work/tls"
printf 'data "aws_iam_policy" "p" {\n  arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}\n' \
    >"$work/tls/main.tf"
tls=$(cd "$work/tls" && env -i PATH="$PATH" HOME="$work" \
    AWS_ACCESS_KEY_ID=$MY_AKID AWS_SECRET_ACCESS_KEY=$MY_SECRET \
    AWS_ENDPOINT_URL=http://192.0.2.1:8080 AWS_EC2_METADATA_DISABLED=true \
    timeout 60 "$B/tern" plan 2>&1 || true)
echo "secrets: plain http off loopback: $(echo "$tls" | grep -m1 '^Error:' || true)"
if ! echo "$tls" | grep -qi 'https'; then
    echo "secrets: a plain-http endpoint off loopback was not refused:"
    echo "$tls" | head -5
    status=1
fi
if grep -rnE 'SSL_VERIFY(PEER|HOST), *0' src/ >/dev/null; then
    echo "secrets: TLS verification is turned off somewhere in src/"
    status=1
fi
echo "secrets: searched $nfiles files ($nstates state, $nplans plan files of which $nsealed encrypted, logs at trace level): $found with a secret"
[ $found -eq 0 ] || status=1
if [ $status -eq 0 ] && [ -z "${TERN_SECRETS_KEEP:-}" ]; then
    rm -rf "$work"
else
    echo "secrets: artifacts kept in $work"
fi
exit $status
