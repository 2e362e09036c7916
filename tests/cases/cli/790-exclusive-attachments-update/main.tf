# aws_iam_role_policy_attachments_exclusive updated in place: its
# policy_arns set gains c and loses a (v=2). Upstream's Update
# (internal/service/iam/role_policy_attachments_exclusive.go,
# syncAttachments) lists the role's attached policies, attaches what is
# wanted and missing, then detaches what is attached and not wanted.
variable "v" {
  default = "1"
}

locals {
  attached = var.v == "1" ? ["a", "b"] : ["b", "c"]
}

resource "aws_iam_role" "r" {
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

resource "aws_iam_policy" "p" {
  for_each = toset(["a", "b", "c"])
  name     = each.key
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
  depends_on = [aws_iam_role.r]
}

resource "aws_iam_role_policy_attachments_exclusive" "x" {
  role_name   = aws_iam_role.r.name
  policy_arns = [for k in local.attached : aws_iam_policy.p[k].arn]
}
