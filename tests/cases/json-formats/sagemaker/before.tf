# Applied first: the state the plan in after.tf is made against.
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
  description        = "v1"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role" "rep" {
  name               = "jf-rep"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

resource "aws_iam_role" "gone" {
  name               = "jf-gone"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

resource "aws_iam_role" "drifted" {
  name               = "jf-drifted"
  description        = "as configured"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

resource "aws_iam_role" "before_move" {
  name               = "jf-moved"
  assume_role_policy = aws_iam_role.keep.assume_role_policy
}

output "keep_description" {
  value = aws_iam_role.keep.description
}

module "extra" {
  source      = "./extra"
  description = "v1"
}
