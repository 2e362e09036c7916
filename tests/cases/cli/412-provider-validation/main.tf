resource "aws_iam_role" "r" {
  name                 = "svc"
  description          = "the “deploy” role"
  max_session_duration = 100
  permissions_boundary = "arn:aws:iam:123456789012:policy/x"
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
  role   = "arn:aws:iam::123456789012:role/svc"
  name   = "read all"
  policy = "{}"
}

resource "aws_iam_role_policy_attachment" "a" {
  role       = "svc"
  policy_arn = "AmazonSageMakerFullAccess"
}

resource "databricks_instance_profile" "p" {
  instance_profile_arn = "arn:aws:iam::123456789012:role/svc"
  iam_role_arn         = "arn:aws:iam::123456789012:user/svc"
}
