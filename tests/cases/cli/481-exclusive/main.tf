# aws_iam_role_policies_exclusive owns the role's inline policy names; an
# aws_iam_role_policy it does not list is left to that resource.
# (test_cli_iam_role_sets.c)
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
}
resource "aws_iam_role_policy" "p" {
  for_each = toset(["a", "b"])
  role     = aws_iam_role.svc.name
  name     = each.key
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_iam_role_policies_exclusive" "all" {
  role_name    = aws_iam_role.svc.name
  policy_names = [aws_iam_role_policy.p["a"].name]
}
