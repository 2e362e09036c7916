# An import block whose object also differs from the configuration, after
# a creation it depends on. Terraform (terraform/context_apply.go Apply)
# reports every import ("Importing... [id=X]", "Import complete [id=X]")
# before the walk starts any step; the update then reports as any other,
# at its step, after the creation it waits for.
import {
  to = aws_iam_role.adopted
  id = "adopted"
}

resource "aws_iam_policy" "first" {
  name = "first"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "*" }]
  })
}

resource "aws_iam_role" "adopted" {
  name        = "adopted"
  description = "managed by tern"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  depends_on = [aws_iam_policy.first]
}
