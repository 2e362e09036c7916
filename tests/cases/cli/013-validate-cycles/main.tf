locals {
  a  = "${local.b}-x"
  b  = local.c
  c  = local.a
  ok = "fine"
}

resource "aws_iam_role" "x" {
  name               = "x"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  depends_on         = [aws_iam_role.y]
}

resource "aws_iam_role" "y" {
  name               = "y-${aws_iam_role.x.unique_id}"
  assume_role_policy = aws_iam_role.x.assume_role_policy
}
