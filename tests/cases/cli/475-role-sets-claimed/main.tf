resource "aws_iam_role" "svc" {
  name                = "svc"
  assume_role_policy  = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policy {}
}

resource "aws_iam_role_policy_attachment" "extra" {
  role       = aws_iam_role.svc.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}

resource "aws_iam_role_policy" "lit" {
  role   = "svc"
  name   = "x"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}

# Both arguments warn as deprecated (the provider's text), and a resource
# that manages the same role's policies besides them is a conflict, said at
# validate with both places: a reference to the role or its name. Applied,
# the role leaves the attachment and the policy that the other two
# resources manage to them, so plans do not flip; what nobody manages
# still goes. (test_cli_iam_role_sets.c)
