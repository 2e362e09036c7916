data "aws_iam_policy_document" "d" {
  version = var.doc_version
  statement {
    sid       = var.sid
    effect    = var.effect
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

variable "doc_version" {
  type    = string
  default = null
}

variable "sid" {
  type    = string
  default = null
}

variable "effect" {
  type    = string
  default = null
}
