# Planned after before.tf was applied, jf-drifted's description changed by
# hand and jf-imported made outside tern: an update, a replace, a delete,
# a move, an import, drift, a sensitive value, unknowns, output changes
# and an update in a module instance (module.extra).
provider "aws" {
  region = "us-east-1"
}

variable "owner" {
  type      = string
  default   = "ml-platform"
  sensitive = true
}

resource "aws_iam_role" "keep" {
  name               = "jf-keep"
  description        = "v2"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role" "rep" {
  name               = "jf-rep2"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

resource "aws_iam_role" "drifted" {
  name               = "jf-drifted"
  description        = "as configured"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

moved {
  from = aws_iam_role.before_move
  to   = aws_iam_role.moved
}

resource "aws_iam_role" "moved" {
  name               = "jf-moved"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

import {
  to = aws_iam_role.imported
  id = "jf-imported"
}

resource "aws_iam_role" "imported" {
  name               = "jf-imported"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

resource "aws_iam_instance_profile" "new" {
  name = "jf-new"
  role = aws_iam_role.keep.name
  tags = { owner = var.owner }
}

output "keep_description" {
  value = aws_iam_role.keep.description
}

output "profile_arn" {
  value = aws_iam_instance_profile.new.arn
}

module "extra" {
  source      = "./extra"
  description = "v2"
}
