# The AWS access that lets a Databricks workspace deploy MLflow models to
# SageMaker, as the published procedure sets it up by hand:
#   1. a role trusted by EC2 with AmazonSageMakerFullAccess attached,
#   2. an inline policy on it (S3 object ACLs and tags on the MLflow
#      buckets, iam:GetRole on itself, ecr:DescribeRepositories),
#   3. a trust policy that also lets SageMaker assume it,
#   4. iam:PassRole on it for the workspace's existing role,
#   5. an instance profile holding it, registered with the workspace,
#   6. the deployment cluster, launched with it, mlflow installed.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    databricks = {
      source = "databricks/databricks"
    }
  }
}

provider "aws" {
  region = var.region
}

provider "databricks" {
  host = var.databricks_host
}

# The account id is never typed by hand.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The workspace's cross-account role exists already; it is looked up, not
# managed.
data "aws_iam_role" "workspace" {
  name = var.workspace_role_name
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}

# Steps 1 and 3: the role's trust policy. Two statements, as the procedure
# builds it: EC2 first (clusters launched with the instance profile), then
# SageMaker (the endpoints a deployment creates run as this role).
data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }

  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sagemaker_deploy" {
  name               = var.role_name
  description        = "Deploys MLflow models from Databricks to SageMaker"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "sagemaker_full_access" {
  role       = aws_iam_role.sagemaker_deploy.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSageMakerFullAccess"
}

# Step 2: what the deployment itself needs beyond the managed policy.
resource "aws_iam_role_policy" "sagemaker_deploy" {
  name = "mlflow-sagemaker-deploy"
  role = aws_iam_role.sagemaker_deploy.name

  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Action": [
            "s3:PutObjectAcl",
            "s3:PutObjectTagging"
          ],
          "Resource": [
            "arn:aws:s3:::mlflow-sagemaker-*-${local.account_id}",
            "arn:aws:s3:::mlflow-sagemaker-*-${local.account_id}/*"
          ],
          "Effect": "Allow"
        },
        {
          "Action": [
            "iam:GetRole"
          ],
          "Resource": [
            "${aws_iam_role.sagemaker_deploy.arn}"
          ],
          "Effect": "Allow"
        },
        {
          "Action": [
            "ecr:DescribeGitRepositories"
          ],
          "Resource": [
            "arn:aws:ecr:*:${local.account_id}:repository/*"
          ],
          "Effect": "Allow"
        }
      ]
    }
  EOF
}

# Step 4: the workspace's role may hand the new role to clusters.
resource "aws_iam_role_policy" "workspace_pass_role" {
  name = "mlflow-sagemaker-pass-role"
  role = data.aws_iam_role.workspace.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = aws_iam_role.sagemaker_deploy.arn
    }]
  })
}

# Step 5: an instance profile holding the role, registered with Databricks.
resource "aws_iam_instance_profile" "sagemaker_deploy" {
  name = var.role_name
  role = aws_iam_role.sagemaker_deploy.name
  tags = var.tags
}

resource "databricks_instance_profile" "sagemaker_deploy" {
  instance_profile_arn = aws_iam_instance_profile.sagemaker_deploy.arn
  iam_role_arn         = aws_iam_role.sagemaker_deploy.arn
}

# Non-admins may launch a cluster with the instance profile only when
# they are granted it: here a workspace group is (var.instance_profile_group,
# "users" by default; "" grants nothing).
data "databricks_group" "profile_users" {
  count        = var.instance_profile_group == "" ? 0 : 1
  display_name = var.instance_profile_group
}

resource "databricks_group_instance_profile" "profile_users" {
  count               = var.instance_profile_group == "" ? 0 : 1
  group_id            = data.databricks_group.profile_users[0].id
  instance_profile_id = databricks_instance_profile.sagemaker_deploy.id
}

# Step 6: the cluster that deploys models, launched with the instance
# profile and with mlflow installed. Create waits until it runs and the
# library is installed. It costs money while it runs (see the README):
# it stops itself after autotermination_minutes idle; create_cluster =
# false leaves it out.
resource "databricks_cluster" "deploy" {
  count = var.create_cluster ? 1 : 0

  cluster_name            = var.cluster_name
  spark_version           = var.spark_version
  node_type_id            = var.node_type_id
  num_workers             = var.num_workers
  autotermination_minutes = var.autotermination_minutes
  no_wait                 = var.cluster_no_wait
  custom_tags             = var.tags

  aws_attributes {
    instance_profile_arn = databricks_instance_profile.sagemaker_deploy.id
    availability         = "SPOT_WITH_FALLBACK"
    first_on_demand      = 1
    zone_id              = "auto"
  }

  library {
    pypi {
      package = "mlflow"
    }
  }
}
