# Every IAM resource created against an empty tern-sim, one after the
# other (depends_on): the calls tern makes, in order, and the state.
variable "v" {
  default = "1"
}

resource "aws_iam_role" "r" {
  name                  = "app-0"
  description           = "role v${var.v}"
  force_detach_policies = true
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "p" {
  name = "pol-0"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "arn:aws:s3:::bucket-v${var.v}/*"
    }]
  })
  depends_on = [aws_iam_role.r]
}

resource "aws_iam_role_policy" "inline" {
  name = "inline-0"
  role = aws_iam_role.r.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:ListBucket"
      Resource = "arn:aws:s3:::bucket-v${var.v}"
    }]
  })
  depends_on = [aws_iam_policy.p]
}

resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r.name
  policy_arn = aws_iam_policy.p.arn
  depends_on = [aws_iam_role_policy.inline]
}

resource "aws_iam_instance_profile" "ip" {
  name       = "ip-0"
  role       = aws_iam_role.r.name
  path       = "/"
  tags       = { v = var.v }
  depends_on = [aws_iam_role_policy_attachment.a]
}

resource "aws_iam_role_policies_exclusive" "x" {
  role_name    = aws_iam_role.r.name
  policy_names = [aws_iam_role_policy.inline.name]
  depends_on   = [aws_iam_instance_profile.ip]
}

resource "aws_iam_role_policy_attachments_exclusive" "y" {
  role_name   = aws_iam_role.r.name
  policy_arns = [aws_iam_policy.p.arn]
  depends_on  = [aws_iam_role_policies_exclusive.x]
}
