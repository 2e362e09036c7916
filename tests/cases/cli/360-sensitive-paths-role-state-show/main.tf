# Issue 20, finding 5: state show hides only the sensitive paths, as
# Terraform 1.9 does: a set of blocks, one of which holds a value derived
# from a sensitive variable (cty moves the mark to the set, and the state
# records the set's path), prints as upstream's sensitive blocks; the
# rest of the role stays in clear.
variable "doc" {
  type      = string
  sensitive = true
  default   = "s3cr3t-360-policy"
}

resource "aws_iam_role" "r" {
  name = "app-360"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    owner = "ops"
  }
  inline_policy {
    name = "read"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::${var.doc}/*"
      }]
    })
  }
  inline_policy {
    name = "list"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = "*"
      }]
    })
  }
}
