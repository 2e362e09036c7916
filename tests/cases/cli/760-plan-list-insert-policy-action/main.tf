# One action inserted into a policy's Action list: one + line between the
# actions either side of it, the others counted, as Terraform aligns a
# list on its longest common subsequence (not every later action shown
# as changed).
variable "v" {
  default = "1"
}

resource "aws_iam_policy" "p" {
  name = "pol-760"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = var.v == "1" ? [
        "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation",
        "s3:GetObjectTagging", "s3:GetObjectVersion"
        ] : [
        "s3:GetObject", "s3:ListBucket", "s3:PutObject",
        "s3:GetBucketLocation", "s3:GetObjectTagging", "s3:GetObjectVersion"
      ]
      Resource = "arn:aws:s3:::bucket-760/*"
    }]
  })
}
