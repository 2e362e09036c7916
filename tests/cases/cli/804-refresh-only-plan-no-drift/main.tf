# A -refresh-only plan that finds nothing changed: "No changes. Your
# infrastructure still matches the configuration." and no -out hint.
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
