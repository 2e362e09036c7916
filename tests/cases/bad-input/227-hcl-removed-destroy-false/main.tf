removed {
  from = aws_iam_role.old

  lifecycle {
    destroy = false
  }
}
