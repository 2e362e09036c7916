resource "aws_iam_role" "r" {
  for_each = toset(["a"])
  name     = each.key
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

import {
  to = aws_iam_role.r["b"]
  id = "b"
}

import {
  to = aws_iam_role.r
  id = "c"
}
