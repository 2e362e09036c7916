# The configuration a Terraform user applied with the AWS provider 5.x and
# the Databricks provider; terraform.tfstate is the state Terraform wrote
# for it, sim.json the objects as AWS and the workspace hold them.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    databricks = {
      source = "databricks/databricks"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

provider "databricks" {}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com", "sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sagemaker" {
  name               = "mlflow-sagemaker"
  description        = "MLflow models served by SageMaker"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags = {
    Team = "ml"
  }
}

# Made and never touched since: no description, tags or policies.
resource "aws_iam_role" "untouched" {
  name = "mlflow-untouched"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "sagemaker" {
  role       = aws_iam_role.sagemaker.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
}

resource "aws_iam_role_policy" "artifacts" {
  name = "mlflow-artifacts"
  role = aws_iam_role.sagemaker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::mlflow-artifacts", "arn:aws:s3:::mlflow-artifacts/*"]
    }]
  })
}

resource "aws_iam_instance_profile" "sagemaker" {
  name = "mlflow-sagemaker"
  role = aws_iam_role.sagemaker.name
}

resource "databricks_instance_profile" "sagemaker" {
  instance_profile_arn = aws_iam_instance_profile.sagemaker.arn
  skip_validation      = true
}
