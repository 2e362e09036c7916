variable "n" {
  default = "x"
}
resource "aws_iam_role" "r" {
  name                 = ["x"]
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  max_session_duration = 3600
  description          = var.n
  tags                 = { a = ["b"] }
  path                 = "/${var.n}/"
}
