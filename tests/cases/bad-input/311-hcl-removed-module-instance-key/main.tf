removed {
  from = module.m["a"].aws_iam_role.r

  lifecycle {
    destroy = false
  }
}
