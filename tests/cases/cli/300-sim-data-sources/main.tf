# Every data source of the registry, read once against tern-sim's seeded
# objects (sim.json); what each read is in expect/state, what tern asked
# the sim in expect/calls-unordered (reads run in parallel).
data "aws_caller_identity" "me" {}
data "aws_partition" "p" {}
data "aws_region" "r" {}
data "aws_availability_zones" "az" {}

data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

data "aws_iam_role" "role" {
  name = "app-0"
}

data "aws_iam_roles" "all" {}

data "aws_iam_instance_profile" "p" {
  name = "p-0"
}

data "aws_iam_policy" "ro" {
  arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

data "databricks_aws_assume_role_policy" "a" {
  external_id = "abc"
}

data "databricks_aws_bucket_policy" "b" {
  bucket = "my-bucket"
}

data "databricks_aws_crossaccount_policy" "c" {}
data "databricks_current_user" "me" {}

data "databricks_group" "admins" {
  display_name = "admins"
}

data "databricks_node_type" "n" {}
data "databricks_spark_version" "s" {}

data "terraform_remote_state" "other" {
  backend = "local"
  config = {
    path = "other.tfstate"
  }
}

output "summary" {
  value = [
    data.aws_caller_identity.me.account_id,
    data.aws_iam_role.role.description,
    data.aws_iam_instance_profile.p.role_name,
    data.databricks_current_user.me.user_name,
    data.terraform_remote_state.other.outputs.vpc,
  ]
}
