locals {
  x = upperr("a")
  y = [for s in ["a"] : lenght(s)]
}
resource "aws_iam_role" "r" {
  count              = 2
  for_each           = toset(["a"])
  name               = formt("r-%s", "x")
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}
