# aws_iam_role's inline_policy blocks and managed_policy_arns: a role that
# uses them applies and re-plans empty; what is added outside tern to a
# role that sets them is drift the next apply removes, while a role that
# does not set them is never read for them; one empty inline_policy block
# and managed_policy_arns = [] mean none. (test_cli_iam_role_sets.c)
resource "aws_iam_role" "svc" {
  name = "svc"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policy {
    name = "s3"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
    })
  }
  inline_policy {
    name   = "logs"
    policy = <<-EOT
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}
    EOT
  }
}
resource "aws_iam_role" "plain" {
  name = "plain"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
