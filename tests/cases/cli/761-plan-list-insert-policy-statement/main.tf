# A statement inserted at the head of a role's trust policy: the new
# statement created whole, the one after it shown whole for context (it
# is unchanged), not the old first statement changed into the new one
# and the old second created.
variable "v" {
  default = "1"
}

locals {
  ec2 = {
    Sid       = "Ec2"
    Effect    = "Allow"
    Principal = { Service = "ec2.amazonaws.com" }
    Action    = "sts:AssumeRole"
  }
  lambda = {
    Sid       = "Lambda"
    Effect    = "Allow"
    Principal = { Service = "lambda.amazonaws.com" }
    Action    = "sts:AssumeRole"
  }
  ecs = {
    Sid       = "Ecs"
    Effect    = "Allow"
    Principal = { Service = "ecs-tasks.amazonaws.com" }
    Action    = "sts:AssumeRole"
  }
}

resource "aws_iam_role" "r" {
  name = "role-761"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = var.v == "1" ? [local.ec2, local.lambda] : [local.ecs, local.ec2, local.lambda]
  })
}
