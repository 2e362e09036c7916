removed {
  from = aws_iam_role.r[0]

  lifecycle {
    destroy = false
  }
}
