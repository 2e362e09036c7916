variable "bucket_names" {
  type    = list(string)
  default = ["logs", "artifacts"]
}

variable "account_id" {
  default = "123456789012"
}

locals {
  bucket_arns = [for b in var.bucket_names : "arn:aws:s3:::${b}"]
  object_arns = formatlist("%s/*", local.bucket_arns)

  policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = local.bucket_arns
      },
      {
        Sid      = "ReadWriteObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = local.object_arns
        Condition = {
          StringEquals             = { "aws:PrincipalAccount" = var.account_id }
          "ForAnyValue:StringLike" = { "s3:prefix" = ["<home>/&*"] }
        }
      },
    ]
  }
}

resource "aws_iam_policy" "s3" {
  name        = "s3-access"
  description = "Read and write ${length(var.bucket_names)} buckets"
  policy      = jsonencode(local.policy)
}

resource "aws_iam_role_policy" "inline" {
  name = "inline"
  role = "app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = "arn:aws:iam::${var.account_id}:role/*"
    }]
  })
}

output "statement_count" {
  value = length(local.policy.Statement)
}
