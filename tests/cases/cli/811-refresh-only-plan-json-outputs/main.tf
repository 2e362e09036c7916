# 803 in the JSON UI: the refresh-only plan's outputs message lists each
# output as a no-op (views/json/output.go OutputsFromChanges; tern
# evaluates no output in a refresh-only plan, so none can change), not as
# deleted.
resource "aws_iam_role" "r" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

output "name" {
  value = aws_iam_role.r.name
}
