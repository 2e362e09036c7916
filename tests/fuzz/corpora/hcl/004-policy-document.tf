data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "TrustEC2"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "access" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::models/*"]
  }

  statement {
    effect      = "Deny"
    not_actions = ["s3:*"]
    resources   = ["*"]
  }
}

resource "aws_iam_role" "node" {
  name               = "node"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  inline_policy {
    name   = "access"
    policy = data.aws_iam_policy_document.access.json
  }

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]
  }
}
