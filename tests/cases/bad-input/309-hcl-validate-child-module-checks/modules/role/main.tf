locals {
  a = local.b
  b = local.a
}

resource "aws_iam_role" "this" {
  name               = "this-role-name-is-far-too-long-for-iam-which-allows-sixty-four-characters"
  assume_role_policy = "{}"
}
