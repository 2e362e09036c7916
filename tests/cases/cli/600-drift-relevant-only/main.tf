# The drift a plan shows is only what its changes refer to (Terraform's
# relevant_attributes, jsonformat renderHumanDiffDrift): "user" changes and
# refers to base's description, so base's description changed by hand is
# shown, and its max_session_duration, changed with it, is not (the plan
# still puts it back).
variable "v" {
  default = "1"
}

locals {
  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "base" {
  name               = "base"
  description        = "base role"
  assume_role_policy = local.trust
}

resource "aws_iam_role" "user" {
  name               = "user"
  description        = "after ${aws_iam_role.base.description} v${var.v}"
  assume_role_policy = local.trust
}
