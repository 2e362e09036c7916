# Applied first: a role the plan in after.tf deletes.
provider "aws" {
  region = "us-east-1"
}

resource "aws_iam_role" "legacy" {
  name               = "pg-legacy"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}
