# Every kind of change the policy gate refuses: the role of before.tf
# deleted, AdministratorAccess attached, a trust policy trusting anyone.
provider "aws" {
  region = "us-east-1"
}

resource "aws_iam_role" "open" {
  name = "pg-open"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.open.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
