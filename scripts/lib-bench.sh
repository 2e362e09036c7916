# Sourced by the benchmark scripts (bench.sh, bench-s3.sh, bench-instr.sh,
# bench-sim.sh):
# tern-sim started on a free loopback port, the environment every
# benchmark's tern runs with, the simulator's control calls, and the role
# stacks of B2, B5, B7 and the growth table.
#
#   bench_start_sim SIM WORK   start SIM (a tern-sim binary) on 127.0.0.1,
#       port 0; sets url and sim, and an EXIT trap that stops it and
#       removes WORK. The port arrives through a pipe (tern-sim
#       --port-fd), so nothing polls.
#   bench_env                  exports the credentials and endpoints of
#       tern-sim's default account and clears the settings that would
#       change what is measured.
#   ctl METHOD PATH [JSON]     one control call (/_sim/PATH).
#   stacks_tf                  prints the role stacks configuration
#       (variable "copies", default 500; 4 resources a stack).

bench_start_sim() {
    local bin=$1 dir=$2 port
    mkfifo "$dir/port.fifo"
    "$bin" --port 0 --port-fd 3 --quiet 3>"$dir/port.fifo" &
    sim=$!
    trap 'kill $sim 2>/dev/null || true; wait $sim 2>/dev/null || true; rm -rf "'"$dir"'"' EXIT
    read -r port <"$dir/port.fifo" || true
    if [ -z "$port" ]; then
        echo "bench: tern-sim did not start" >&2
        exit 1
    fi
    url=http://127.0.0.1:$port
}

bench_env() {
    export AWS_ACCESS_KEY_ID=AKIDTERNSIMDEFAULT01
    export AWS_SECRET_ACCESS_KEY=ternsim/default/SECRETKEY0000000000000001
    export AWS_ENDPOINT_URL=$url DATABRICKS_HOST=$url
    export DATABRICKS_TOKEN=dapi-ternsim-default-token-0001
    export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1
    export AWS_PROFILE= AWS_CONFIG_FILE=/nonexistent
    export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
    unset TERN_BULK_REFRESH_MIN TERN_LOG TF_LOG TF_LOG_PATH TF_CLI_ARGS || true
}

ctl() { # METHOD PATH [JSON]
    curl -sf -X "$1" "$url/_sim/$2" ${3:+-H 'Content-Type: application/json' -d "$3"} >/dev/null
}

# The role stacks, for_each over a set of generated names.
stacks_tf() {
    cat <<'TF'
variable "copies" {
  type    = number
  default = 500
}

locals {
  # range() makes at most 1,024 values (as Terraform's): blocks of 1,000.
  names = toset(flatten([
    for b in range(ceil(var.copies / 1000)) : [
      for i in range(min(1000, var.copies - b * 1000)) :
      format("bench-%05d", b * 1000 + i)
    ]
  ]))
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "stack" {
  for_each           = local.names
  name               = each.value
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "stack" {
  for_each   = local.names
  role       = aws_iam_role.stack[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "stack" {
  for_each = local.names
  name     = "logs"
  role     = aws_iam_role.stack[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:*:*:log-group:/bench/${each.key}:*"
    }]
  })
}

resource "aws_iam_instance_profile" "stack" {
  for_each = local.names
  name     = each.value
  role     = aws_iam_role.stack[each.key].name
}
TF
}
