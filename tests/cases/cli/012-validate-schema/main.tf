resource "aws_iam_role" "r" {
  nmae               = "deploy"
  arn                = "arn:aws:iam::123456789012:role/deploy"
  assume_role_policy = "{}"

  lifecycle {
    create_before_destroy = true
  }

  inline_polcy {
    name = "x"
  }
}

resource "aws_iam_rol" "typo" {
  name = "x"
}
