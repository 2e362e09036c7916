variable "grants" {
  default = {
    read  = { actions = ["s3:GetObject"], principals = ["arn:aws:iam::1:root"] }
    write = { actions = ["s3:PutObject", "s3:DeleteObject"], principals = [] }
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecure"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.grants
    iterator = grant
    content {
      sid       = title(grant.key)
      actions   = grant.value.actions
      resources = ["arn:aws:s3:::data/*"]

      dynamic "principals" {
        for_each = toset(grant.value.principals)
        content {
          type        = "AWS"
          identifiers = [principals.value]
        }
      }
    }
  }
}

resource "aws_iam_role" "r" {
  name = "r"

  dynamic "inline_policy" {
    for_each = ["a", "b"]
    content {
      name   = "policy-${inline_policy.key}-${inline_policy.value}"
      policy = data.aws_iam_policy_document.bucket.json
    }
  }
}
