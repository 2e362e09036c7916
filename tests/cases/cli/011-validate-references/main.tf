variable "role_name" {
  type    = string
  default = "deploy"
}

resource "aws_iam_role" "r" {
  name               = var.role_nme
  assume_role_policy = local.policy
}
