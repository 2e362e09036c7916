removed {
  from = data.aws_iam_role.r
}
