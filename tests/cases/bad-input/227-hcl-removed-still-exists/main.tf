resource "aws_iam_role" "old" {
  name               = "old"
  assume_role_policy = "{}"
}

removed {
  from = aws_iam_role.old

  lifecycle {
    destroy = false
  }
}
