moved {
  from = aws_iam_role.a
}
