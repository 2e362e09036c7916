# apply -refresh-only of a change made outside tern: the drift and the
# refresh-only paragraph, no step, then "Apply complete!" with nothing
# counted (views/apply.go ResourceCount); the state holds what was read.
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
