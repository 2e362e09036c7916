output "o" {
  description = "no value"
  sensitiv    = true
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  depends_on         = ["aws_iam_role.q"]
  lifecycle {
    prevent_destory = true
  }
}
output "ok" {
  value      = aws_iam_role.r.arn
  depends_on = [aws_iam_role.r]
}
